// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid_test.c - the package topology khyp-run writes into CPUID.
 */
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "cpuid.h"

static struct khyp_cpuid *table(void)
{
	struct khyp_cpuid *c = calloc(1, sizeof(*c) + 2 * sizeof(c->entries[0]));

	c->nent = 2;
	c->entries[0].function = 0x80000008;
	c->entries[0].eax = 0x3030;
	c->entries[0].ecx = 0x12345;	/* reserved bits above 15 survive */
	c->entries[1].function = 1;
	c->entries[1].ecx = 0xabcd;
	return c;
}

static unsigned int ecx_for(struct __test_metadata *_metadata,
			    unsigned int sockets, unsigned int dies,
			    unsigned int cores, unsigned int threads)
{
	struct run_config cfg;
	struct khyp_cpuid *c = table();
	unsigned int ecx;

	memset(&cfg, 0, sizeof(cfg));
	cfg.smp.sockets = sockets;
	cfg.smp.dies = dies;
	cfg.smp.cores = cores;
	cfg.smp.threads = threads;
	cfg.smp.maxcpus = sockets * dies * cores * threads;
	cfg.smp.cpus = 1;
	EXPECT_EQ(0, cpuid_filter(c, 2, &cfg));
	EXPECT_EQ(0xabcd, c->entries[1].ecx);	/* other leaves untouched */
	EXPECT_EQ(0x3030, c->entries[0].eax);
	ecx = c->entries[0].ecx;
	free(c);
	return ecx;
}

TEST(one_package_of_eight)
{
	/* -smp 1,maxcpus=8: 8 cores in one package, 3 ID bits */
	EXPECT_EQ(0x10300 | (3 << 12) | 7, ecx_for(_metadata, 1, 1, 8, 1));
}

TEST(two_sockets_two_cores_two_threads)
{
	/* 4 logical CPUs per package, APIC ID bits: 1 core + 1 thread */
	EXPECT_EQ(0x10300 | (2 << 12) | 3, ecx_for(_metadata, 2, 1, 2, 2));
}

TEST(single_cpu_packages)
{
	EXPECT_EQ(0x10300, ecx_for(_metadata, 8, 1, 1, 1));
}

TEST_HARNESS_MAIN
