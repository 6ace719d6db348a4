/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid.h - the CPUID table khyp-run gives the VM.
 */
#ifndef KHYP_RUN_CPUID_H
#define KHYP_RUN_CPUID_H

#include <linux/khyp.h>

#include "cmdline.h"

/*
 * Adjust the table KHYP_GET_SUPPORTED_CPUID returned before it goes to
 * KHYP_SET_CPUID.  The module already presents filtered host CPUID; this
 * is the hook for launcher policy (CPU model, topology leaves).
 * @cap is the capacity of @c->entries.  Returns 0 or a negative errno.
 */
int cpuid_filter(struct khyp_cpuid *c, unsigned int cap,
		 const struct run_config *cfg);

#endif /* KHYP_RUN_CPUID_H */
