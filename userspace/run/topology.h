/* SPDX-License-Identifier: GPL-2.0 */
/*
 * topology.h - CPU topology (-smp) and the APIC IDs it implies.
 */
#ifndef KHYP_RUN_TOPOLOGY_H
#define KHYP_RUN_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

/* A completed -smp: every field is >= 1 once smp_complete() succeeded. */
struct smp_topology {
	unsigned int cpus;	/* present at boot: CPU indexes 0..cpus-1 */
	unsigned int maxcpus;	/* possible: sockets * dies * cores * threads */
	unsigned int sockets;
	unsigned int dies;
	unsigned int cores;
	unsigned int threads;
};

struct cpu_topo_id {
	unsigned int socket, die, core, thread;
};

/*
 * Fill in what -smp left out (zero fields), the way QEMU (6.2 and later)
 * does: prefer cores over sockets, then compute threads; maxcpus defaults
 * to cpus.  Then validate.  Returns 0, or -1 with a message in @err.
 */
int smp_complete(struct smp_topology *t, char *err, size_t errlen);

/* Socket/die/core/thread of CPU index @idx (thread varies fastest). */
void topo_ids_from_index(const struct smp_topology *t, unsigned int idx,
			 struct cpu_topo_id *id);

/*
 * The initial APIC ID of CPU index @idx, as QEMU computes it: each level's
 * field is as wide as needed for its count (0 bits for a count of 1),
 * thread in the low bits, then core, die, socket.
 */
uint32_t topo_apic_id(const struct smp_topology *t, unsigned int idx);

/* Bits needed to number @count things (0 for 0 or 1). */
unsigned int topo_field_width(unsigned int count);

#endif /* KHYP_RUN_TOPOLOGY_H */
