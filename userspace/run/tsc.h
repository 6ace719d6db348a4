/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tsc.h - the host's TSC frequency, to tell the guest (tsc_early_khz=).
 */
#ifndef KHYP_RUN_TSC_H
#define KHYP_RUN_TSC_H

#include <stdint.h>

/*
 * The host TSC frequency in kHz, 0 if unknown.  Tries, in order: sysfs
 * (tsc_freq_khz, where a kernel exports it), CPUID 0x15 (crystal ratio),
 * CPUID 0x16 (base frequency), then measures the TSC against
 * CLOCK_MONOTONIC_RAW for 50 ms.  *@how names the source used.
 */
uint32_t host_tsc_khz(const char **how);

/* Just the measurement, over @ms milliseconds. */
uint32_t tsc_measure_khz(unsigned int ms);

#endif /* KHYP_RUN_TSC_H */
