// SPDX-License-Identifier: GPL-2.0
/*
 * tsc.c - find the host's TSC frequency.
 *
 * A guest on an AMD host cannot learn the TSC frequency from CPUID (Linux
 * reads leaves 0x15/0x16 on Intel only) and would calibrate it against the
 * PIT; khyp-run passes the truth on the kernel command line instead.  The
 * guest's TSC runs at the host's rate (no TSC scaling).
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

#include "tsc.h"

static uint32_t tsc_from_sysfs(void)
{
	unsigned long khz = 0;
	FILE *f;

	f = fopen("/sys/devices/system/cpu/cpu0/tsc_freq_khz", "re");
	if (!f)
		return 0;
	if (fscanf(f, "%lu", &khz) != 1)
		khz = 0;
	fclose(f);
	return khz > 0xffffffffUL ? 0 : khz;
}

static uint32_t tsc_from_cpuid(const char **how)
{
	unsigned int max, a, b, c, d;

	max = __get_cpuid_max(0, NULL);
	if (max >= 0x15) {
		__cpuid_count(0x15, 0, a, b, c, d);
		/* TSC = crystal (ECX Hz) * EBX / EAX */
		if (a && b && c) {
			*how = "CPUID 0x15";
			return (uint64_t)c * b / a / 1000;
		}
	}
	if (max >= 0x16) {
		__cpuid_count(0x16, 0, a, b, c, d);
		if (a & 0xffff) {
			*how = "CPUID 0x16";
			return (a & 0xffff) * 1000;
		}
	}
	return 0;
}

static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Read the clock on both sides of RDTSC and keep the tightest bracket of a
 * few tries, at the start and at the end of the interval.
 */
static void sample(uint64_t *ns, uint64_t *tsc)
{
	uint64_t best = ~0ULL, t0, t1, r;
	int i;

	for (i = 0; i < 5; i++) {
		t0 = ns_now();
		r = __rdtsc();
		t1 = ns_now();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*ns = t0 + (t1 - t0) / 2;
			*tsc = r;
		}
	}
}

uint32_t tsc_measure_khz(unsigned int ms)
{
	struct timespec d = {
		.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L,
	};
	uint64_t ns0, ns1, tsc0, tsc1;

	sample(&ns0, &tsc0);
	while (nanosleep(&d, &d))
		;
	sample(&ns1, &tsc1);
	if (ns1 <= ns0 || tsc1 <= tsc0)
		return 0;
	/* kHz = cycles / ms, rounded */
	return ((tsc1 - tsc0) * 1000000ULL + (ns1 - ns0) / 2) / (ns1 - ns0);
}

uint32_t host_tsc_khz(const char **how)
{
	const char *dummy;
	uint32_t khz;

	if (!how)
		how = &dummy;
	khz = tsc_from_sysfs();
	if (khz) {
		*how = "sysfs";
		return khz;
	}
	khz = tsc_from_cpuid(how);
	if (khz)
		return khz;
	*how = "measured";
	return tsc_measure_khz(50);
}
