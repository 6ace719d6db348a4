// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid_test.c - what khyp-run writes into CPUID: the package topology
 * of -smp, and -cpu's model and features.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "cpuid.h"

/* What cpuid_filter() warned, each line ending in '\n'. */
static char warned[1024];

static void record_warning(const char *fmt, ...)
{
	size_t n = strlen(warned);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(warned + n, sizeof(warned) - n, fmt, ap);
	va_end(ap);
	strncat(warned, "\n", sizeof(warned) - strlen(warned) - 1);
}

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
	char err[128];

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.cpu_model, "host");
	cfg.smp.sockets = sockets;
	cfg.smp.dies = dies;
	cfg.smp.cores = cores;
	cfg.smp.threads = threads;
	cfg.smp.maxcpus = sockets * dies * cores * threads;
	cfg.smp.cpus = 1;
	EXPECT_EQ(0, cpuid_filter(c, 2, &cfg, record_warning, err,
				  sizeof(err)));
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

/* A supported table as khyp.ko gives it on a Zen host (1, 7, E1, 0). */
static struct khyp_cpuid *zen(void)
{
	struct khyp_cpuid *c = calloc(1, sizeof(*c) + 4 * sizeof(c->entries[0]));

	c->nent = 4;
	c->entries[0].function = 1;
	c->entries[0].ecx = 0xf7f83203;	/* EPYC's, TSC-deadline, x2APIC */
	c->entries[0].edx = 0x078bfbff;
	c->entries[1].function = 7;
	c->entries[1].ebx = 0x219c03a9;	/* Rome's, ERMS */
	c->entries[1].ecx = 0x4;
	c->entries[2].function = 0x80000001;
	c->entries[2].ecx = 0x004003f1;
	c->entries[2].edx = 0x2fd3fbff;
	c->entries[3].function = 0;
	c->entries[3].eax = 0xd;
	memcpy(&c->entries[3].ebx, "Auth", 4);
	memcpy(&c->entries[3].edx, "enti", 4);
	memcpy(&c->entries[3].ecx, "cAMD", 4);
	return c;
}

#define ERR_LEN	256

/* Parse -cpu @arg and filter zen() with it: 0, or -1 with @err set. */
static int cpu(const char *arg, struct khyp_cpuid **out, char *err)
{
	char *argv[5] = { "khyp-run", "-cpu", NULL, "-kernel", "k" };
	struct run_config cfg;

	argv[2] = (char *)arg;
	warned[0] = '\0';
	if (cmdline_parse(5, argv, &cfg, err, ERR_LEN))
		return -1;
	*out = zen();
	return cpuid_filter(*out, 4, &cfg, record_warning, err, ERR_LEN);
}

#define L1(c)	((c)->entries[0])
#define L7(c)	((c)->entries[1])
#define E1(c)	((c)->entries[2])

TEST(host_keeps_everything)
{
	struct khyp_cpuid *c;
	char err[ERR_LEN];

	ASSERT_EQ(0, cpu("host", &c, err));
	EXPECT_EQ(0xf7f83203, L1(c).ecx);
	EXPECT_EQ(0x219c03a9, L7(c).ebx);
	free(c);
	/* A model khyp does not know is a name only. */
	ASSERT_EQ(0, cpu("IvyBridge-IBRS", &c, err));
	EXPECT_EQ(0xf7f83203, L1(c).ecx);
	free(c);
}

TEST(qemu64_is_qemus_set_with_x2apic)
{
	struct khyp_cpuid *c;
	char err[ERR_LEN];

	ASSERT_EQ(0, cpu("qemu64", &c, err));
	/* SSE3 CX16 x2APIC hypervisor; no TSC-deadline, AVX, XSAVE */
	EXPECT_EQ(0x80202001, L1(c).ecx);
	EXPECT_EQ(0x078bfbfd, L1(c).edx);	/* no VME */
	EXPECT_EQ(0, L7(c).ebx);
	EXPECT_EQ(0, L7(c).ecx);
	EXPECT_EQ(0x1, E1(c).ecx);
	/* SYSCALL NX LM and leaf 1's AMD aliases */
	EXPECT_EQ(0x20100800 | (0x078bfbfd & 0x0183f3ff), E1(c).edx);
	free(c);
}

TEST(plus_and_minus_features)
{
	struct khyp_cpuid *c;
	char err[ERR_LEN];

	ASSERT_EQ(0, cpu("qemu64,+x2apic,+tsc-deadline", &c, err));
	EXPECT_EQ(0x81202001, L1(c).ecx);
	free(c);
	ASSERT_EQ(0, cpu("qemu64,-x2apic,tsc_deadline=on,avx2=on", &c, err));
	EXPECT_EQ(0x81002001, L1(c).ecx);
	EXPECT_EQ(0x20, L7(c).ebx);
	free(c);
	ASSERT_EQ(0, cpu("host,x2apic=off,-umip,-fpu,-pcid", &c, err));
	EXPECT_EQ(0xf7d83203, L1(c).ecx);
	EXPECT_EQ(0, L7(c).ecx);
	EXPECT_EQ(0, L1(c).edx & 1);
	EXPECT_EQ(0, E1(c).edx & 1);	/* the AMD alias goes too */
	free(c);
	/* The last word wins; harmless properties are accepted. */
	ASSERT_EQ(0, cpu("EPYC,-avx,+avx,host-phys-bits,migratable=no", &c,
			 err));
	EXPECT_EQ(0xf6f83203, L1(c).ecx);
	EXPECT_EQ(0x209c01a9, L7(c).ebx);	/* EPYC has no ERMS */
	free(c);
	ASSERT_EQ(0, cpu("EPYC-Rome", &c, err));
	EXPECT_EQ(0x219c01a9, L7(c).ebx);
	EXPECT_EQ(0x4, L7(c).ecx);
	EXPECT_EQ(0x004003f1, E1(c).ecx);	/* TOPOEXT */
	free(c);
}

/*
 * A feature khyp cannot offer is dropped with QEMU's warning (its check
 * property), as QEMU does with an accelerator that lacks it.
 */
TEST(missing_feature_warns_and_is_dropped)
{
	struct khyp_cpuid *c;
	char err[ERR_LEN];

	ASSERT_EQ(0, cpu("qemu64,+vmx", &c, err));
	EXPECT_STREQ("host doesn't support requested feature: CPUID.01H:ECX.vmx [bit 5]\n",
		     warned);
	EXPECT_EQ(0x80202001, L1(c).ecx);
	free(c);
	ASSERT_EQ(0, cpu("max,+svm", &c, err));
	EXPECT_STREQ("host doesn't support requested feature: CPUID.80000001H:ECX.svm [bit 2]\n",
		     warned);
	EXPECT_EQ(0x004003f1, E1(c).ecx);
	free(c);
	/* kvm-unit-tests' pcid-asymmetric, on a host without INVPCID */
	ASSERT_EQ(0, cpu("qemu64,-pcid,+invpcid", &c, err));
	EXPECT_STREQ("host doesn't support requested feature: CPUID.07H:EBX.invpcid [bit 10]\n",
		     warned);
	EXPECT_EQ(0, L7(c).ebx);
	free(c);
	/* One line per feature, in QEMU's order: leaf 1, then leaf 7 */
	ASSERT_EQ(0, cpu("qemu64,+invpcid,+pcid,+umip", &c, err));
	EXPECT_STREQ("host doesn't support requested feature: CPUID.01H:ECX.pcid [bit 17]\n"
		     "host doesn't support requested feature: CPUID.07H:EBX.invpcid [bit 10]\n",
		     warned);
	EXPECT_EQ(0x80202001, L1(c).ecx);
	EXPECT_EQ(0x4, L7(c).ecx);		/* the host has UMIP */
	free(c);
	/* The last word wins: -pcid,pcid=on asks for it */
	ASSERT_EQ(0, cpu("qemu64,-pcid,pcid=on", &c, err));
	EXPECT_STREQ("host doesn't support requested feature: CPUID.01H:ECX.pcid [bit 17]\n",
		     warned);
	free(c);
	/* Nothing missing, nothing said */
	ASSERT_EQ(0, cpu("qemu64,+x2apic,+avx2", &c, err));
	EXPECT_STREQ("", warned);
	free(c);
}

TEST(check_off_silences_enforce_refuses)
{
	struct khyp_cpuid *c;
	char err[ERR_LEN];

	ASSERT_EQ(0, cpu("qemu64,+pcid,check=off", &c, err));
	EXPECT_STREQ("", warned);
	EXPECT_EQ(0x80202001, L1(c).ecx);
	free(c);
	ASSERT_EQ(0, cpu("qemu64,check,+pcid", &c, err));
	EXPECT_STRNE("", warned);
	free(c);
	/* enforce: the same warnings, then QEMU's error */
	EXPECT_EQ(-1, cpu("qemu64,+pcid,+invpcid,enforce", &c, err));
	EXPECT_STREQ("host doesn't support requested feature: CPUID.01H:ECX.pcid [bit 17]\n"
		     "host doesn't support requested feature: CPUID.07H:EBX.invpcid [bit 10]\n",
		     warned);
	EXPECT_STREQ("Host doesn't support requested features", err);
	free(c);
	/* enforce warns even with check=off, as in QEMU */
	EXPECT_EQ(-1, cpu("qemu64,check=off,+pcid,enforce=on", &c, err));
	EXPECT_STRNE("", warned);
	free(c);
	ASSERT_EQ(0, cpu("qemu64,+x2apic,enforce", &c, err));
	free(c);
	ASSERT_EQ(0, cpu("qemu64,+pcid,enforce,enforce=off,check=no", &c, err));
	EXPECT_STREQ("", warned);
	free(c);
	c = NULL;
	EXPECT_EQ(-1, cpu("qemu64,enforce=maybe", &c, err));
	EXPECT_STREQ("-cpu qemu64,enforce=maybe: invalid enforce value 'maybe'",
		     err);
	EXPECT_EQ(NULL, c);
}

/* kvm-unit-tests' syscall: -cpu Opteron_G1,vendor=AuthenticAMD */
TEST(opteron_g1_and_the_hosts_vendor)
{
	struct khyp_cpuid *c;
	char err[ERR_LEN];

	ASSERT_EQ(0, cpu("Opteron_G1,vendor=AuthenticAMD", &c, err));
	EXPECT_STREQ("", warned);
	EXPECT_EQ(0x80200001, L1(c).ecx);	/* SSE3, x2APIC, hypervisor */
	EXPECT_EQ(0x078bfbff, L1(c).edx);
	EXPECT_EQ(0, L7(c).ebx);
	EXPECT_EQ(0, L7(c).ecx);
	EXPECT_EQ(0, E1(c).ecx);
	/* SYSCALL NX LM and leaf 1's AMD aliases */
	EXPECT_EQ(0x20100800 | (0x078bfbff & 0x0183f3ff), E1(c).edx);
	/* The vendor string stays the host's */
	EXPECT_EQ(0, memcmp(&c->entries[3].ebx, "Auth", 4));
	free(c);
}

TEST(refusals)
{
	struct khyp_cpuid *c = NULL;
	char err[ERR_LEN];

	EXPECT_EQ(-1, cpu("qemu64,+nosuch", &c, err));
	EXPECT_STREQ("-cpu qemu64,+nosuch: unknown or unsupported CPU property 'nosuch'",
		     err);
	EXPECT_EQ(-1, cpu("qemu64,x2apic=maybe", &c, err));
	EXPECT_STREQ("-cpu qemu64,x2apic=maybe: feature 'x2apic' takes on or off, not 'maybe'",
		     err);
	/* QEMU's vendor is exactly 12 characters */
	EXPECT_EQ(-1, cpu("qemu64,vendor=Foo", &c, err));
	EXPECT_STREQ("-cpu qemu64,vendor=Foo: Property '.vendor' doesn't take value 'Foo'",
		     err);
	EXPECT_EQ(NULL, c);
	/* Another vendor than the host's: kvm-unit-tests' msr and msr64 */
	EXPECT_EQ(-1, cpu("max,vendor=GenuineIntel", &c, err));
	EXPECT_STREQ("-cpu max,vendor=GenuineIntel: the host CPU is AuthenticAMD; khyp does not present another vendor's CPU (cross-vendor is not supported on AMD-V, by design)",
		     err);
	free(c);
}

TEST_HARNESS_MAIN
