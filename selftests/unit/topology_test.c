// SPDX-License-Identifier: GPL-2.0
/*
 * topology_test.c - CPU index -> socket/die/core/thread and APIC ID.
 */
#include "kselftest_harness.h"
#include "topology.h"

static struct smp_topology topo(unsigned int cpus, unsigned int sockets,
				 unsigned int dies, unsigned int cores,
				 unsigned int threads)
{
	struct smp_topology t = {
		.cpus = cpus, .sockets = sockets, .dies = dies,
		.cores = cores, .threads = threads,
	};
	char err[128];

	if (smp_complete(&t, err, sizeof(err)))
		t.maxcpus = 0;
	return t;
}

TEST(field_width)
{
	ASSERT_EQ(0, topo_field_width(1));
	ASSERT_EQ(1, topo_field_width(2));
	ASSERT_EQ(2, topo_field_width(3));
	ASSERT_EQ(2, topo_field_width(4));
	ASSERT_EQ(3, topo_field_width(5));
	ASSERT_EQ(8, topo_field_width(255));
}

TEST(plain_smp_is_contiguous)
{
	struct smp_topology t = { .cpus = 1, .maxcpus = 255 };
	char err[128];
	unsigned int i;

	ASSERT_EQ(0, smp_complete(&t, err, sizeof(err)));
	ASSERT_EQ(255, t.cores);
	for (i = 0; i < 255; i++)
		ASSERT_EQ(i, topo_apic_id(&t, i));
}

TEST(sockets_cores_threads)
{
	/* 2 sockets x 2 cores x 2 threads: 3 bits, contiguous */
	struct smp_topology t = topo(8, 2, 0, 2, 2);
	struct cpu_topo_id id;
	unsigned int i;

	ASSERT_EQ(8, t.maxcpus);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(i, topo_apic_id(&t, i));
	topo_ids_from_index(&t, 5, &id);
	ASSERT_EQ(1, id.socket);
	ASSERT_EQ(0, id.core);
	ASSERT_EQ(1, id.thread);
}

TEST(gaps_with_three_cores)
{
	/* 2 sockets x 3 cores: core field is 2 bits wide */
	struct smp_topology t = topo(6, 2, 0, 3, 1);

	ASSERT_EQ(6, t.maxcpus);
	ASSERT_EQ(0, topo_apic_id(&t, 0));
	ASSERT_EQ(2, topo_apic_id(&t, 2));
	ASSERT_EQ(4, topo_apic_id(&t, 3));	/* socket 1, core 0 */
	ASSERT_EQ(6, topo_apic_id(&t, 5));
}

TEST(dies)
{
	/* 2 sockets x 3 dies x 1 core x 2 threads */
	struct smp_topology t = topo(12, 2, 3, 1, 2);
	struct cpu_topo_id id;

	ASSERT_EQ(12, t.maxcpus);
	topo_ids_from_index(&t, 7, &id);
	ASSERT_EQ(1, id.socket);
	ASSERT_EQ(0, id.die);
	ASSERT_EQ(0, id.core);
	ASSERT_EQ(1, id.thread);
	/* thread 1 bit, core 0 bits, die 2 bits: socket at bit 3 */
	ASSERT_EQ((1 << 3) | 1, topo_apic_id(&t, 7));
	ASSERT_EQ((2 << 1) | 1, topo_apic_id(&t, 5));
}

TEST_HARNESS_MAIN
