// SPDX-License-Identifier: GPL-2.0
/*
 * The exit benchmark's guest: kvm-unit-tests' vmexit tests (cpuid,
 * vmcall, mov to/from CR8, inl from the PM timer, an IPI to the other
 * vCPU with and without it halting in between, the TSC-deadline timer,
 * CR0.WP and CR4.PGE toggles), each timed over the iterations the host
 * asks for.  The AP (arg VMEXIT_AP) only takes IPIs, halting between.
 */
#include <linux/khyp_platform.h>
#include "guest.h"
#include "vmexit_guest.h"

#define MSR_APICBASE		0x1b
#define APICBASE_EXTD		(1ULL << 10)
#define MSR_TSC_DEADLINE	0x6e0
#define X2APIC_SVR		0x80f
#define X2APIC_ICR		0x830
#define X2APIC_LVTT		0x832
#define LVTT_TSC_DEADLINE	(2 << 17)
#define V_IPI			0xb0
#define V_TIMER			0xb1
#define CR0_WP			(1UL << 16)
#define CR4_PGE			(1UL << 7)
#define SLP_EN			(1 << 13)
#define SLP_TYP(t)		((t) << 10)
/* Bound on a wait for an interrupt, in TSC cycles: seconds under TCG. */
#define WAIT_CYCLES		20000000000ULL

static volatile struct vmexit_bench *const b =
	(volatile struct vmexit_bench *)VMEXIT_GPA;
volatile uint64_t ipi_seen, timer_seen, ap_ready;
static uint64_t cr0, cr4;

static void x2apic_enable(void)
{
	wrmsr(MSR_APICBASE, rdmsr(MSR_APICBASE) | APICBASE_EXTD);
	wrmsr(X2APIC_SVR, 0x1ff);
}

static int wait_flag(volatile uint64_t *flag)
{
	uint64_t end = rdtsc() + WAIT_CYCLES;

	while (!*flag && rdtsc() < end)
		asm volatile("pause");
	return *flag != 0;
}

static int t_cpuid(void)
{
	uint32_t a, bx, c, d;

	cpuid(0, &a, &bx, &c, &d);
	return 1;
}

static int t_vmcall(void)
{
	uint64_t a = 0;

	asm volatile("vmmcall" : "+a"(a) : : "rbx", "rcx", "rdx", "memory");
	return 1;
}

static int t_mov_from_cr8(void)
{
	uint64_t v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return 1;
}

static int t_mov_to_cr8(void)
{
	asm volatile("mov %0, %%cr8" : : "r"(0UL));
	return 1;
}

static int t_inl_from_pmtimer(void)
{
	inl(b->pm_timer_port);
	return 1;
}

static int send_ipi(void)
{
	ipi_seen = 0;
	wrmsr(X2APIC_ICR, (uint64_t)VMEXIT_AP << 32 | V_IPI);
	return wait_flag(&ipi_seen);
}

static int t_ipi(void)
{
	return send_ipi();
}

/* As vmexit.c: then give the AP time to halt again. */
static int t_ipi_halt(void)
{
	uint64_t t;

	if (!send_ipi())
		return 0;
	t = rdtsc() + 2000;
	while (rdtsc() < t)
		;
	return 1;
}

static int t_tscdeadline(void)
{
	timer_seen = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 3000);
	asm volatile("sti");
	wait_flag(&timer_seen);
	asm volatile("cli");
	return timer_seen != 0;
}

static int t_toggle_cr0_wp(void)
{
	asm volatile("mov %0, %%cr0" : : "r"(cr0 & ~CR0_WP));
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	return 1;
}

static int t_toggle_cr4_pge(void)
{
	asm volatile("mov %0, %%cr4" : : "r"(cr4 ^ CR4_PGE));
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
	return 1;
}

static int (*const tests[VMEXIT_NR])(void) = {
	[VMEXIT_CPUID] = t_cpuid,
	[VMEXIT_VMCALL] = t_vmcall,
	[VMEXIT_MOV_FROM_CR8] = t_mov_from_cr8,
	[VMEXIT_MOV_TO_CR8] = t_mov_to_cr8,
	[VMEXIT_INL_FROM_PMTIMER] = t_inl_from_pmtimer,
	[VMEXIT_IPI] = t_ipi,
	[VMEXIT_IPI_HALT] = t_ipi_halt,
	[VMEXIT_TSCDEADLINE] = t_tscdeadline,
	[VMEXIT_TOGGLE_CR0_WP] = t_toggle_cr0_wp,
	[VMEXIT_TOGGLE_CR4_PGE] = t_toggle_cr4_pge,
};

static void ap_main(void)
{
	x2apic_enable();
	ap_ready = 1;
	for (;;)
		asm volatile("sti; hlt; cli");
}

void guest_main(uint64_t arg)
{
	uint64_t i, t, n = b->iterations;
	int k;

	idt_set(6, ud_stub);
	idt_set(V_IPI, ipi_stub);
	idt_set(V_TIMER, timer_stub);
	idt_load();
	if (arg == VMEXIT_AP)
		ap_main();
	x2apic_enable();
	wrmsr(X2APIC_LVTT, LVTT_TSC_DEADLINE | V_TIMER);
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	wait_flag(&ap_ready);
	for (k = 0; k < VMEXIT_NR; k++) {
		t = rdtsc();
		for (i = 0; i < n && tests[k](); i++)
			;
		if (i == n && n)
			b->cycles[k] = (rdtsc() - t) / n;
	}
	b->done = 1;
	outw(KHYP_PM1A_CNT_PORT, SLP_EN | SLP_TYP(KHYP_SLP_TYP_S5));
	for (;;)
		asm volatile("cli; hlt");
}
