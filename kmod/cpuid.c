// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID.  khyp offers the host's CPUID filtered down to what it emulates
 * (KHYP_GET_SUPPORTED_CPUID); userspace may narrow it further and sets
 * the VM's table once, before the first vCPU exists, so lookups need no
 * lock.  Per-vCPU fields (APIC IDs, OSXSAVE, XSAVE size) are patched in
 * at lookup time.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/types.h>
#include <linux/log2.h>
#include "arch_ops.h"
#include "cpuhp.h"
#include "khyp.h"

/*
 * Leaf 1 ECX: SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES
 * XSAVE OSXSAVE AVX F16C RDRAND, plus x2APIC, TSC-deadline and hypervisor
 * below (the LAPIC's, whatever the host has).
 */
#define L1_ECX_KEEP	(BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | \
			 BIT(19) | BIT(20) | BIT(22) | BIT(23) | BIT(25) | \
			 BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(30))
#define L1_ECX_X2APIC		BIT(21)
#define L1_ECX_TSC_DEADLINE	BIT(24)
#define L1_ECX_OSXSAVE		BIT(27)
#define L1_ECX_HYPERVISOR	BIT(31)
/*
 * Leaf 1 EDX: FPU VME DE PSE TSC MSR PAE CX8 APIC SEP MTRR PGE CMOV PAT
 * PSE36 CLFSH MMX FXSR SSE SSE2; no MCE/MCA, no HTT, no ACPI thermal.
 */
#define L1_EDX_KEEP	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | \
			 BIT(5) | BIT(6) | BIT(8) | BIT(9) | BIT(11) | \
			 BIT(12) | BIT(13) | BIT(15) | BIT(16) | BIT(17) | \
			 BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26))
#define L1_EDX_APIC	BIT(9)
/*
 * Leaf 7 EBX: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS RDSEED ADX SMAP
 * CLFLUSHOPT CLWB SHA.
 */
#define L7_EBX_KEEP	(BIT(0) | BIT(3) | BIT(5) | BIT(7) | BIT(8) | \
			 BIT(9) | BIT(18) | BIT(19) | BIT(20) | BIT(23) | \
			 BIT(24) | BIT(29))
#define L7_EBX_TSC_ADJUST	BIT(1)	/* msr.c's, whatever the host has */
#define L7_ECX_KEEP	(BIT(2) | BIT(22))	/* UMIP RDPID */
/*
 * 0x80000001 ECX: LAHF ABM SSE4A MISALIGNSSE 3DNOWPREFETCH FMA4 TBM
 * TOPOEXT (0x8000001D cache and 0x8000001E core/node topology).
 */
#define E1_ECX_KEEP	(BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | \
			 BIT(16) | BIT(21) | E1_ECX_TOPOEXT)
#define E1_ECX_TOPOEXT	BIT(22)
/*
 * 0x80000001 EDX: the leaf-1 bits plus SYSCALL NX MMXEXT 1GB-pages
 * RDTSCP LM.  RDTSCP and RDPID read the guest's own TSC_AUX (svm.c).
 */
#define E1_EDX_KEEP	((L1_EDX_KEEP & ~(BIT(9) | BIT(12) | BIT(16))) | \
			 BIT(11) | BIT(20) | BIT(22) | BIT(26) | BIT(27) | \
			 BIT(29))
#define E7_EDX_INVARIANT_TSC	BIT(8)

/* 0x8000001D EAX 25:14: logical CPUs sharing the cache, minus one. */
#define CACHE_NUM_SHARING	GENMASK(25, 14)

#define KHYP_CPUID_SIGNATURE	0x40000000
#define KHYP_GUEST_XCR0	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
			 XFEATURE_MASK_YMM)

static void add(struct khyp_cpuid_entry *out, u32 *n, u32 max, u32 fn,
		u32 idx, bool indexed, u32 a, u32 b, u32 c, u32 d)
{
	struct khyp_cpuid_entry *e;

	if (*n >= max)
		return;
	e = &out[(*n)++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = indexed ? KHYP_CPUID_FLAG_INDEXED : 0;
	e->eax = a;
	e->ebx = b;
	e->ecx = c;
	e->edx = d;
}

/* Ways of an L2/L3 from the 4-bit code of CPUID 0x80000006 (0: none). */
static u32 legacy_ways(u32 code)
{
	static const u8 ways[16] = {
		[1] = 1, [2] = 2, [4] = 4, [6] = 8, [8] = 16, [0xa] = 32,
		[0xb] = 48, [0xc] = 64, [0xd] = 96, [0xe] = 128,
	};

	return ways[code & 0xf];
}

/*
 * Subleaf @i of CPUID 0x8000001D (cache @i): the host's own if it has
 * TOPOEXT, else built from the legacy descriptors 0x80000005 (L1d, L1i)
 * and 0x80000006 (L2, L3), which QEMU's EPYC model has.  False past the
 * last cache.  Fully associative caches are not described.
 */
static bool cache_leaf(u32 i, u32 *a, u32 *b, u32 *c, u32 *d)
{
	u32 r[4], kb, ways, line, level, type;

	if (boot_cpu_has(X86_FEATURE_TOPOEXT)) {
		cpuid_count(0x8000001d, i, a, b, c, d);
		return *a & 0x1f;
	}
	switch (i) {
	case 0:		/* L1 data */
	case 1:		/* L1 instruction */
		cpuid(0x80000005, &r[0], &r[1], &r[2], &r[3]);
		r[0] = i ? r[3] : r[2];
		kb = r[0] >> 24;
		ways = (r[0] >> 16) & 0xff;
		line = r[0] & 0xff;
		level = 1;
		type = i ? 2 : 1;
		break;
	case 2:		/* L2 */
		cpuid(0x80000006, &r[0], &r[1], &r[2], &r[3]);
		kb = r[2] >> 16;
		ways = legacy_ways(r[2] >> 12);
		line = r[2] & 0xff;
		level = 2;
		type = 3;
		break;
	case 3:		/* L3 */
		cpuid(0x80000006, &r[0], &r[1], &r[2], &r[3]);
		kb = (r[3] >> 18) * 512;
		ways = legacy_ways(r[3] >> 12);
		line = r[3] & 0xff;
		level = 3;
		type = 3;
		break;
	default:
		return false;
	}
	if (!kb || !ways || ways == 0xff || !line)
		return false;
	*a = type | (level << 5) | BIT(8);	/* self-initializing */
	*b = (line - 1) | ((ways - 1) << 22);
	*c = kb * 1024 / (ways * line) - 1;
	*d = 0;
	return true;
}

/* Returns the number of entries written to @out (at most @max). */
int khyp_cpuid_supported(struct khyp_cpuid_entry *out, u32 max)
{
	u32 xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK) & KHYP_GUEST_XCR0;
	u32 a, b, c, d, maxleaf, maxext, hostext, fn, i, n = 0;

	cpuid(0, &maxleaf, &b, &c, &d);
	maxleaf = min_t(u32, maxleaf, 0xd);
	add(out, &n, max, 0, 0, false, maxleaf, b, c, d);

	cpuid(1, &a, &b, &c, &d);
	/* CLFLUSH line size kept; one logical CPU per package, APIC ID 0. */
	add(out, &n, max, 1, 0, false, a, b & 0xff00,
	    (c & L1_ECX_KEEP & ~L1_ECX_OSXSAVE) | L1_ECX_X2APIC |
	    L1_ECX_TSC_DEADLINE | L1_ECX_HYPERVISOR, d & L1_EDX_KEEP);
	for (fn = 2; fn <= maxleaf; fn++) {
		switch (fn) {
		case 6:
			add(out, &n, max, 6, 0, false, BIT(2), 0, 0, 0);
			break;
		case 7:
			cpuid_count(7, 0, &a, &b, &c, &d);
			add(out, &n, max, 7, 0, true, 0,
			    (b & L7_EBX_KEEP) | L7_EBX_TSC_ADJUST,
			    c & L7_ECX_KEEP, 0);
			break;
		case 0xd:
			cpuid_count(0xd, 0, &a, &b, &c, &d);
			/* EBX is patched per vCPU from its XCR0. */
			add(out, &n, max, 0xd, 0, true, xcr0, 576,
			    (xcr0 & XFEATURE_MASK_YMM) ? 832 : 576, 0);
			cpuid_count(0xd, 1, &a, &b, &c, &d);
			add(out, &n, max, 0xd, 1, true, a & BIT(0), 0, 0, 0);
			if (xcr0 & XFEATURE_MASK_YMM) {
				cpuid_count(0xd, 2, &a, &b, &c, &d);
				add(out, &n, max, 0xd, 2, true, a, b, 0, 0);
			}
			break;
		default:
			/* Cache/topology/PMU leaves: nothing offered. */
			break;
		}
	}

	/* "KhypKhypKhyp": honest about being a hypervisor, no PV ABI. */
	add(out, &n, max, KHYP_CPUID_SIGNATURE, 0, false,
	    KHYP_CPUID_SIGNATURE + 1, 0x7079684b, 0x7079684b, 0x7079684b);
	add(out, &n, max, KHYP_CPUID_SIGNATURE + 1, 0, false, 0, 0, 0, 0);

	cpuid(0x80000000, &maxext, &b, &c, &d);
	hostext = maxext;
	/* 0x8000001D/E are khyp's own (TOPOEXT), whatever the host has. */
	maxext = maxext >= 0x80000006 ? 0x8000001e : min(maxext, 0x80000008);
	add(out, &n, max, 0x80000000, 0, false, maxext, b, c, d);
	for (fn = 0x80000001; fn <= maxext; fn++) {
		if (fn <= hostext)
			cpuid(fn, &a, &b, &c, &d);
		else
			a = b = c = d = 0;
		switch (fn) {
		case 0x80000001:
			c &= E1_ECX_KEEP;
			if (maxext >= 0x8000001e)
				c |= E1_ECX_TOPOEXT;
			add(out, &n, max, fn, 0, false, a, 0, c,
			    d & E1_EDX_KEEP);
			break;
		case 0x80000002: case 0x80000003: case 0x80000004:
		case 0x80000005: case 0x80000006:
			add(out, &n, max, fn, 0, false, a, b, c, d);
			break;
		case 0x80000007:
			add(out, &n, max, fn, 0, false, 0, 0, 0,
			    E7_EDX_INVARIANT_TSC);
			break;
		case 0x80000008:
			/* Address sizes only: no speculation controls. */
			add(out, &n, max, fn, 0, false, a & 0xffff, 0, 0, 0);
			break;
		case 0x8000001d:
			/* The host's cache levels; sharing comes from -smp. */
			for (i = 0; i < 8; i++) {
				if (!cache_leaf(i, &a, &b, &c, &d))
					break;
				add(out, &n, max, fn, i, true,
				    a & ~CACHE_NUM_SHARING, b, c, d);
			}
			break;
		case 0x8000001e:
			/* Filled per vCPU from its APIC ID and -smp. */
			add(out, &n, max, fn, 0, false, 0, 0, 0, 0);
			break;
		}
	}
	return n;
}

int khyp_cpuid_set(struct khyp_vm *vm, const struct khyp_cpuid_entry *e,
		   u32 nent)
{
	struct khyp_cpuid_entry *copy;
	u32 i, j;

	for (i = 0; i < nent; i++) {
		if (e[i].flags & ~KHYP_CPUID_FLAG_INDEXED ||
		    e[i].reserved[0] || e[i].reserved[1] || e[i].reserved[2])
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (e[j].function == e[i].function &&
			    e[j].index == e[i].index)
				return -EINVAL;
	}
	copy = kmemdup(e, nent * sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!copy && nent)
		return -ENOMEM;
	mutex_lock(&vm->lock);
	if (vm->nr_vcpus) {
		mutex_unlock(&vm->lock);
		kfree(copy);
		return -EBUSY;
	}
	kfree(vm->cpuid);
	vm->cpuid = copy;
	vm->cpuid_nent = nent;
	mutex_unlock(&vm->lock);
	return 0;
}

static const struct khyp_cpuid_entry *find(const struct khyp_vm *vm, u32 fn,
					   u32 idx)
{
	u32 i;

	for (i = 0; i < vm->cpuid_nent; i++) {
		const struct khyp_cpuid_entry *e = &vm->cpuid[i];

		if (e->function == fn &&
		    (!(e->flags & KHYP_CPUID_FLAG_INDEXED) || e->index == idx))
			return e;
	}
	return NULL;
}

static bool leaf1_ecx_has(const struct khyp_vm *vm, u32 bit)
{
	const struct khyp_cpuid_entry *e = find(vm, 1, 0);

	return e && (e->ecx & bit);
}

bool khyp_cpuid_has_x2apic(const struct khyp_vm *vm)
{
	return leaf1_ecx_has(vm, L1_ECX_X2APIC);
}

bool khyp_cpuid_has_tsc_deadline(const struct khyp_vm *vm)
{
	return leaf1_ecx_has(vm, L1_ECX_TSC_DEADLINE);
}

bool khyp_cpuid_has_tsc_adjust(const struct khyp_vm *vm)
{
	const struct khyp_cpuid_entry *e = find(vm, 7, 0);

	return e && (e->ebx & L7_EBX_TSC_ADJUST);
}

void khyp_cpuid_lookup(struct khyp_vcpu *vcpu, u32 fn, u32 idx,
		       u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	const struct khyp_cpuid_entry *e = find(vcpu->vm, fn, idx);
	u32 threads, cores, dies, sharing, shift;
	struct khyp_sregs s;

	if (!e) {
		/* AMD's answer for leaves it does not have. */
		*eax = *ebx = *ecx = *edx = 0;
		return;
	}
	*eax = e->eax;
	*ebx = e->ebx;
	*ecx = e->ecx;
	*edx = e->edx;
	switch (fn) {
	case 1:
		*ebx = (*ebx & 0x00ffffff) | (vcpu->apic_id << 24);
		khyp_arch_call(get_sregs)(vcpu, &s);
		if (s.cr4 & X86_CR4_OSXSAVE)
			*ecx |= L1_ECX_OSXSAVE;
		if (!vcpu->vm->platform) {
			/* No LAPIC in a bare VM. */
			*ecx &= ~(L1_ECX_X2APIC | L1_ECX_TSC_DEADLINE);
			*edx &= ~L1_EDX_APIC;
		}
		break;
	case 0x8000001d:
		/* L1 and L2 are per core (its threads), L3 per die. */
		khyp_cpuhp_smt_dies(vcpu->vm, &threads, &cores, &dies);
		sharing = ((*eax >> 5) & 7) >= 3 ? threads * cores : threads;
		*eax |= ((sharing - 1) << 14) & CACHE_NUM_SHARING;
		break;
	case 0x8000001e:
		/*
		 * As QEMU fills it: extended APIC ID; threads per core and
		 * the core's number; nodes (dies) per socket and the node's.
		 * Linux takes SMT siblings from here once TOPOEXT is set.
		 */
		khyp_cpuhp_smt_dies(vcpu->vm, &threads, &cores, &dies);
		shift = order_base_2(threads);
		*eax = vcpu->apic_id;
		*ebx = ((threads - 1) << 8) | ((vcpu->apic_id >> shift) & 0xff);
		shift += order_base_2(cores);
		*ecx = ((dies - 1) << 8) | ((vcpu->apic_id >> shift) & 0xff);
		*edx = 0;
		break;
	case 0xd:
		/*
		 * EBX should follow the guest's XCR0, but QEMU's emulated
		 * SVM lets XSETBV through unintercepted and a CPUID right
		 * after it still sees the old XCR0.  Report the size for
		 * every offered feature: what guests enable anyway, and a
		 * buffer that size is always big enough.
		 */
		if (idx == 0)
			*ebx = *ecx;
		break;
	}
}
