/* SPDX-License-Identifier: GPL-2.0 */
/* The command line both khyp_bench and kvm_bench take. */
#ifndef KHYP_BENCH_MAIN_H
#define KHYP_BENCH_MAIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "cpuid [N]" or "vmexit [N]": the figure to measure, N iterations. */
static inline int bench_main(int argc, char **argv,
			     int (*cpuid)(unsigned int),
			     int (*vmexit)(unsigned int))
{
	unsigned int n = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;

	if (argc >= 2 && !strcmp(argv[1], "cpuid"))
		return cpuid(n ? n : 100000);
	if (argc >= 2 && !strcmp(argv[1], "vmexit"))
		return vmexit(n ? n : 1000);
	fprintf(stderr, "usage: %s cpuid|vmexit [N]\n", argv[0]);
	return 2;
}

#endif
