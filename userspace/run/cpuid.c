// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid.c - launcher policy for the guest's CPUID table.
 *
 * khyp.ko presents the host's CPUID filtered to what it virtualizes,
 * whatever -cpu names (the name is only reported over QMP).  What the
 * launcher adds is the package topology of -smp: an AMD guest finds its
 * cores per package in CPUID 0x80000008 ECX (NC and ApicIdCoreIdSize) and
 * splits the APIC ID there, so sockets show up as packages.  Threads and
 * dies come from CPUID 0x8000001E, which khyp.ko fills per vCPU from the
 * topology (KHYP_SET_TOPOLOGY) and the APIC ID.
 */
#include <errno.h>

#include "cpuid.h"
#include "topology.h"

#define EXT_ADDR_SIZES	0x80000008u

int cpuid_filter(struct khyp_cpuid *c, unsigned int cap,
		 const struct run_config *cfg)
{
	const struct smp_topology *t = &cfg->smp;
	unsigned int per_pkg = t->dies * t->cores * t->threads;
	unsigned int bits = topo_field_width(t->dies) +
			    topo_field_width(t->cores) +
			    topo_field_width(t->threads);
	unsigned int i;

	(void)cap;
	if (!per_pkg || per_pkg > 256)
		return -EINVAL;
	for (i = 0; i < c->nent; i++) {
		struct khyp_cpuid_entry *e = &c->entries[i];

		if (e->function != EXT_ADDR_SIZES)
			continue;
		/* NC = logical CPUs per package - 1; bits 15:12 the ID width */
		e->ecx = (e->ecx & ~0xf0ffu) | (bits << 12) | (per_pkg - 1);
	}
	return 0;
}
