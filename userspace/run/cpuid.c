// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid.c - launcher policy for the guest's CPUID table.
 *
 * Nothing to change yet: khyp.ko presents the host's CPUID, filtered to
 * what it virtualizes, whatever -cpu names (the name is only reported over
 * QMP).  Topology leaves (0x1 EBX, 0xb, 0x8000001e) for -smp sockets/cores
 * /threads would be set here.
 */
#include "cpuid.h"

int cpuid_filter(struct khyp_cpuid *c, unsigned int cap,
		 const struct run_config *cfg)
{
	(void)c;
	(void)cap;
	(void)cfg;
	return 0;
}
