// SPDX-License-Identifier: GPL-2.0
/*
 * topology.c - -smp completion and validation, CPU index <-> APIC ID.
 *
 * The rules follow QEMU's machine_parse_smp_config() (6.2 and later, the
 * "prefer cores" variant) for the x86 pc machine, which has sockets, dies,
 * cores and threads, and a limit of 255 CPUs.
 */
#include <stdio.h>

#include <linux/khyp.h>

#include "topology.h"

unsigned int topo_field_width(unsigned int count)
{
	unsigned int bits = 0;

	if (count <= 1)
		return 0;
	count--;
	while (count) {
		bits++;
		count >>= 1;
	}
	return bits;
}

int smp_complete(struct smp_topology *t, char *err, size_t errlen)
{
	unsigned long long total;
	unsigned int max;

	if (!t->dies)
		t->dies = 1;

	if (!t->cpus && !t->maxcpus) {
		if (!t->sockets)
			t->sockets = 1;
		if (!t->cores)
			t->cores = 1;
		if (!t->threads)
			t->threads = 1;
	} else {
		max = t->maxcpus ? t->maxcpus : t->cpus;
		if (!t->cores) {
			if (!t->sockets)
				t->sockets = 1;
			if (!t->threads)
				t->threads = 1;
			t->cores = max / (t->sockets * t->dies * t->threads);
		} else if (!t->sockets) {
			if (!t->threads)
				t->threads = 1;
			t->sockets = max / (t->dies * t->cores * t->threads);
		}
		if (!t->threads)
			t->threads = max / (t->sockets * t->dies * t->cores);
		t->maxcpus = max;
	}

	total = (unsigned long long)t->sockets * t->dies * t->cores *
		t->threads;
	if (!t->maxcpus)
		t->maxcpus = total;
	if (!t->cpus)
		t->cpus = t->maxcpus;

	if (total != t->maxcpus) {
		snprintf(err, errlen,
			 "-smp: sockets (%u) * dies (%u) * cores (%u) * threads (%u) != maxcpus (%u)",
			 t->sockets, t->dies, t->cores, t->threads,
			 t->maxcpus);
		return -1;
	}
	if (t->maxcpus < t->cpus) {
		snprintf(err, errlen, "-smp: maxcpus (%u) must be >= cpus (%u)",
			 t->maxcpus, t->cpus);
		return -1;
	}
	if (t->maxcpus > KHYP_MAX_VCPUS) {
		snprintf(err, errlen,
			 "-smp: maxcpus (%u) is more than the machine supports (%u)",
			 t->maxcpus, KHYP_MAX_VCPUS);
		return -1;
	}
	/* The MADT and _MAT carry xAPIC entries: APIC IDs 0..254 only. */
	max = topo_apic_id(t, t->maxcpus - 1);
	if (max >= 255) {
		snprintf(err, errlen,
			 "-smp: this topology needs APIC ID %u, more than 254 (x2APIC is not supported)",
			 max);
		return -1;
	}
	return 0;
}

void topo_ids_from_index(const struct smp_topology *t, unsigned int idx,
			 struct cpu_topo_id *id)
{
	id->thread = idx % t->threads;
	idx /= t->threads;
	id->core = idx % t->cores;
	idx /= t->cores;
	id->die = idx % t->dies;
	id->socket = idx / t->dies;
}

uint32_t topo_apic_id(const struct smp_topology *t, unsigned int idx)
{
	unsigned int core_shift = topo_field_width(t->threads);
	unsigned int die_shift = core_shift + topo_field_width(t->cores);
	unsigned int socket_shift = die_shift + topo_field_width(t->dies);
	struct cpu_topo_id id;

	topo_ids_from_index(t, idx, &id);
	return (id.socket << socket_shift) | (id.die << die_shift) |
	       (id.core << core_shift) | id.thread;
}
