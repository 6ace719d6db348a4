// SPDX-License-Identifier: GPL-2.0
/*
 * A guest for safety_test that tries what khyp must intercept or check:
 * guest_main(IC_*) runs one case (safety_guest.h).  Instructions that
 * may fault run under TRY(), which gives the vector (#UD or #GP) or
 * IC_NO_FAULT.
 */
#include <linux/khyp.h>
#include "guest.h"
#include "safety_guest.h"

#define MSR_TSC		0x10
#define MSR_TSC_ADJUST	0x3b
#define MSR_EFER	0xc0000080
#define MSR_TSC_AUX	0xc0000103
#define EFER_LME	(1ULL << 8)
#define EFER_SVME	(1ULL << 12)
#define CR0_PE		(1ULL << 0)
#define CR0_NW		(1ULL << 29)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)

volatile uint64_t fault_vector, fault_fixup, fault_rflags;

/*
 * The asm template @insn with its operands ("outputs : inputs" in the
 * variable part); a fault resumes after it (intercept_stubs.S).
 */
#define TRY(insn, ...)							\
	({								\
		fault_vector = IC_NO_FAULT;				\
		asm volatile("lea 1f(%%rip), %%r11\n\t"			\
			     "mov %%r11, fault_fixup(%%rip)\n\t"	\
			     insn "\n1:"				\
			     : __VA_ARGS__ : "r11", "memory");		\
		fault_vector;						\
	})

static uint64_t try_wrmsr(uint32_t index, uint64_t val)
{
	return TRY("wrmsr", : "c"(index), "a"((uint32_t)val),
		   "d"((uint32_t)(val >> 32)));
}

#define READ_CR(n)							\
	({ uint64_t __v; asm volatile("mov %%cr" #n ", %0" : "=r"(__v)); __v; })
#define TRY_WRITE_CR(n, v)	TRY("mov %0, %%cr" #n, : "r"((uint64_t)(v)))
#define READ_DR(n)							\
	({ uint64_t __v; asm volatile("mov %%dr" #n ", %0" : "=r"(__v)); __v; })
#define WRITE_DR(n, v)							\
	GUEST_ASSERT_EQ(TRY("mov %0, %%dr" #n, : "r"((uint64_t)(v))),	\
			IC_NO_FAULT)

static void cache_flushes(void)
{
	unsigned int i;

	for (i = 0; i < IC_LOOPS; i++)
		GUEST_ASSERT_EQ(TRY("wbinvd", :), IC_NO_FAULT);
	/* WBNOINVD is F3 0F 09: the same exit, one byte longer. */
	for (i = 0; i < IC_LOOPS; i++)
		GUEST_ASSERT_EQ(TRY(".byte 0xf3, 0x0f, 0x09", :),
				IC_NO_FAULT);
}

static void rdpmc_faults(void)
{
	uint32_t a, b, c, d, lo, hi;

	cpuid(0xa, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(a, 0);			/* no architectural PMU */
	cpuid(0x80000001, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(c & (1u << 23), 0);	/* no PerfCtrExtCore */
	GUEST_ASSERT_EQ(TRY("rdpmc", "=a"(lo), "=d"(hi) : "c"(0)), 13);
	GUEST_ASSERT_EQ(TRY("rdpmc", "=a"(lo), "=d"(hi) : "c"(3)), 13);
}

static void dr_read(void)
{
	GUEST_SYNC2(READ_DR(0), READ_DR(1));
	GUEST_SYNC2(READ_DR(2), READ_DR(3));
	GUEST_SYNC2(READ_DR(6), READ_DR(7));
}

/*
 * Breakpoint addresses, kept over exits.  DR7 gets their types and sizes
 * but no enable bit: QEMU 7.2's emulated SVM crashes on enabled ones.
 */
static void dr_write(void)
{
	const uint64_t dr7 = 0x400 | 0xdddd0000ULL;	/* W, 8 bytes */

	WRITE_DR(0, IC_DR_MARK);
	WRITE_DR(1, IC_DR_MARK + 1 * 8);
	WRITE_DR(2, IC_DR_MARK + 2 * 8);
	WRITE_DR(3, IC_DR_MARK + 3 * 8);
	WRITE_DR(7, dr7);
	GUEST_SYNC(0);				/* out to the host and back */
	GUEST_ASSERT_EQ(READ_DR(0), IC_DR_MARK);
	GUEST_ASSERT_EQ(READ_DR(1), IC_DR_MARK + 1 * 8);
	GUEST_ASSERT_EQ(READ_DR(2), IC_DR_MARK + 2 * 8);
	GUEST_ASSERT_EQ(READ_DR(3), IC_DR_MARK + 3 * 8);
	GUEST_ASSERT_EQ(READ_DR(7), dr7);
}

static uint64_t try_rdtscp(uint32_t *aux)
{
	uint32_t lo, hi;

	return TRY("rdtscp", "=a"(lo), "=d"(hi), "=c"(*aux) :);
}

/*
 * RDTSCP and RDPID read TSC_AUX: the guest's own (0 after reset, then
 * what it wrote), never the host CPU's number.
 */
static void tsc_aux(void)
{
	uint32_t a, b, c, d, aux = ~0u;
	uint64_t v, rdtscp, rdpid;

	cpuid(0x80000001, &a, &b, &c, &d);
	rdtscp = (d >> 27) & 1;
	cpuid(7, &a, &b, &c, &d);
	rdpid = (c >> 22) & 1;
	GUEST_SYNC2(rdtscp, rdpid);
	v = try_rdtscp(&aux);
	if (v == IC_NO_FAULT)
		GUEST_ASSERT_EQ(aux, 0);
	else
		GUEST_ASSERT_EQ(rdtscp, 0);
	if (!rdtscp && !rdpid)
		return;
	GUEST_ASSERT_EQ(try_wrmsr(MSR_TSC_AUX, IC_TSC_AUX_VALUE),
			IC_NO_FAULT);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_AUX), IC_TSC_AUX_VALUE);
	if (rdtscp) {
		GUEST_ASSERT_EQ(try_rdtscp(&aux), IC_NO_FAULT);
		GUEST_ASSERT_EQ(aux, IC_TSC_AUX_VALUE);
	}
	GUEST_SYNC(0);				/* out to the host and back */
	if (rdtscp) {
		GUEST_ASSERT_EQ(try_rdtscp(&aux), IC_NO_FAULT);
		GUEST_ASSERT_EQ(aux, IC_TSC_AUX_VALUE);
	}
	if (rdpid) {
		v = 0;
		GUEST_ASSERT_EQ(TRY("rdpid %0", "=r"(v) :), IC_NO_FAULT);
		GUEST_ASSERT_EQ(v, IC_TSC_AUX_VALUE);
	}
}

/*
 * IA32_TSC_ADJUST as the SDM has it (vol. 3, 18.17.3): offered by CPUID,
 * 0 at first; a write moves the TSC by the change; a write to the TSC
 * adds its change to TSC_ADJUST.  The steps of kvm-unit-tests' test.
 */
static void tsc_adjust(void)
{
	uint32_t a, b, c, d;
	uint64_t t1, t2, adj;

	cpuid(7, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(b & 2, 2);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_ADJUST), 0);
	t1 = rdtsc();
	wrmsr(MSR_TSC_ADJUST, IC_TSC_JUMP);
	t2 = rdtsc();
	GUEST_ASSERT_EQ(t2 - t1 >= IC_TSC_JUMP, 1);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_ADJUST), IC_TSC_JUMP);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC) >= t2, 1);
	GUEST_SYNC(0);				/* out to the host and back */
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_ADJUST), IC_TSC_JUMP);
	GUEST_ASSERT_EQ(rdtsc() >= t2, 1);
	wrmsr(MSR_TSC_ADJUST, 0);
	t1 = rdtsc();
	GUEST_ASSERT_EQ(t1 < t2, 1);		/* back by IC_TSC_JUMP */
	wrmsr(MSR_TSC, 2 * IC_TSC_JUMP);
	t2 = rdtsc();
	adj = rdmsr(MSR_TSC_ADJUST);
	GUEST_ASSERT_EQ(t2 >= 2 * IC_TSC_JUMP, 1);
	/* The TSC was between t1 and t2 when written. */
	GUEST_ASSERT_EQ(t1 <= 2 * IC_TSC_JUMP - adj, 1);
	GUEST_ASSERT_EQ(adj != 0, 1);
}

/* The top of the canonical lower half: VMMCALL's next RIP is not. */
#define EDGE_RIP	0x7ffffffffffdULL
#define EDGE_PAGE	0x400000ULL	/* the 2 MiB page mapped there */

static uint64_t edge_pdpt[512] __attribute__((aligned(4096)));
static uint64_t edge_pd[512] __attribute__((aligned(4096)));

/*
 * khyp's hypercall ABI: VMMCALL completes with RAX = -KVM_ENOSYS for
 * every number.  At the canonical edge the next fetch then faults.
 */
static void vmmcall(void)
{
	volatile uint8_t *insn = (uint8_t *)EDGE_RIP;
	uint64_t *pml4 = (uint64_t *)READ_CR(3);
	const uint64_t nrs[] = { 0, 1, 5, 12, 0xffffffff, ~0ULL, 0 };
	const uint64_t *nr;
	uint64_t v;

	/* 0 ends the list, tried once before it. */
	for (nr = nrs; nr == nrs || *nr; nr++) {
		v = *nr;
		GUEST_ASSERT_EQ(TRY("vmmcall", "+a"(v) :), IC_NO_FAULT);
		GUEST_ASSERT_EQ(v, -(uint64_t)KHYP_HC_ENOSYS);
	}
	pml4[255] = (uint64_t)edge_pdpt | 3;
	edge_pdpt[511] = (uint64_t)edge_pd | 3;
	edge_pd[511] = EDGE_PAGE | 0x83;
	asm volatile("mov %0, %%cr3" : : "r"(READ_CR(3)) : "memory");
	insn[0] = 0x0f;
	insn[1] = 0x01;
	insn[2] = 0xd9;
	v = ~0ULL;
	GUEST_ASSERT_EQ(TRY("jmp *%1", "+a"(v) : "r"(EDGE_RIP)), 13);
	GUEST_ASSERT_EQ(v, -(uint64_t)KHYP_HC_ENOSYS);
}

static void control_regs(void)
{
	uint64_t cr0 = READ_CR(0), cr4 = READ_CR(4), efer = rdmsr(MSR_EFER);
	uint64_t v;
	int step;

	for (step = 0; step < IC_CR_STEPS; step++) {
		switch (step) {
		case IC_CR_EFER_RESERVED:
			v = try_wrmsr(MSR_EFER, efer | 2);
			break;
		case IC_CR_EFER_SVME:
			v = try_wrmsr(MSR_EFER, efer | EFER_SVME);
			break;
		case IC_CR_EFER_LME_OFF:
			v = try_wrmsr(MSR_EFER, efer & ~EFER_LME);
			break;
		case IC_CR_CR4_PAE_OFF:
			v = TRY_WRITE_CR(4, cr4 & ~CR4_PAE);
			break;
		case IC_CR_CR4_RESERVED:
			v = TRY_WRITE_CR(4, cr4 | (1ULL << 15));
			break;
		case IC_CR_CR0_PG_OFF:
			v = TRY_WRITE_CR(0, cr0 & ~CR0_PG);
			break;
		case IC_CR_CR0_PE_OFF:
			v = TRY_WRITE_CR(0, cr0 & ~CR0_PE);
			break;
		case IC_CR_CR0_NW:
			v = TRY_WRITE_CR(0, cr0 | CR0_NW);
			break;
		default:
			v = TRY_WRITE_CR(0, cr0 | (1ULL << 32));
			break;
		}
		GUEST_SYNC2(step, v);
		/* Refused means unchanged. */
		GUEST_ASSERT_EQ(READ_CR(0), cr0);
		GUEST_ASSERT_EQ(READ_CR(4), cr4);
		GUEST_ASSERT_EQ(rdmsr(MSR_EFER), efer);
	}
}

#define RFLAGS_RF	(1ULL << 16)

/* Each fault pushes RF=1, whoever delivers it: the CPU or khyp. */
static void fault_rf(void)
{
	uint64_t v;
	int step;

	for (step = 0; step < IC_RF_STEPS; step++) {
		fault_rflags = 0;
		switch (step) {
		case IC_RF_UD2:
			v = TRY("ud2", :);
			break;
		case IC_RF_CR4:
			v = TRY_WRITE_CR(4, READ_CR(4) | (1ULL << 15));
			break;
		default:
			v = TRY("vmload", : "a"(0ULL));
			break;
		}
		GUEST_SYNC2(v, !!(fault_rflags & RFLAGS_RF));
	}
}

void guest_main(uint64_t which)
{
	idt_set(6, ud_stub);
	idt_set(13, gp_stub);
	idt_load();
	switch (which) {
	case IC_WBINVD:
		cache_flushes();
		break;
	case IC_RDPMC:
		rdpmc_faults();
		break;
	case IC_DR_READ:
		dr_read();
		break;
	case IC_DR_WRITE:
		dr_write();
		break;
	case IC_TSC_AUX:
		tsc_aux();
		break;
	case IC_CONTROL_REGS:
		control_regs();
		break;
	case IC_FAULT_RF:
		fault_rf();
		break;
	case IC_CR3_RESERVED:
		/* Bit 62 is above any physical address: #GP on hardware. */
		GUEST_SYNC2(0, TRY_WRITE_CR(3, READ_CR(3) | (1ULL << 62)));
		break;
	case IC_TSC_ADJUST:
		tsc_adjust();
		break;
	case IC_VMMCALL:
		vmmcall();
		break;
	}
}
