// SPDX-License-Identifier: GPL-2.0
/*
 * x2APIC on a platform VM (x2apic_test.c): the BSP (arg 0) walks the APIC
 * base transitions, reads and pokes the x2APIC MSRs, sends IPIs to
 * itself and to the AP (arg 1) and runs the TSC-deadline timer; each
 * result lands in struct x2apic_results, then it powers off (S5).  With
 * X2_NOT_OFFERED, on a VM whose CPUID lacks them, it tries x2APIC and
 * TSC-deadline anyway.  With X2_EXTINT it takes the 8259s' interrupts
 * through LINT0 in ExtINT mode and with the APIC disabled.
 */
#include <stdbool.h>
#include <linux/khyp_platform.h>
#include "guest.h"
#include "x2apic_guest.h"

#define MSR_APICBASE		0x1b
#define APICBASE_EXTD		(1ULL << 10)
#define APICBASE_EN		(1ULL << 11)
#define MSR_TSC_DEADLINE	0x6e0
#define X2(reg)			(0x800 + ((reg) >> 4))	/* xAPIC offset */
#define APIC_ID			0x20
#define APIC_LVR		0x30
#define APIC_TPR		0x80
#define APIC_PPR		0xa0
#define APIC_EOI		0xb0
#define APIC_LDR		0xd0
#define APIC_DFR		0xe0
#define APIC_SVR		0xf0
#define APIC_ICR		0x300
#define APIC_ICR2		0x310
#define APIC_LVTT		0x320
#define APIC_LVT0		0x350
#define LVT_MASKED		(1 << 16)
#define LVT_EXTINT		(7 << 8)
#define APIC_SELF_IPI		0x3f0
#define ICR_LOGICAL		(1 << 11)
#define LVTT_TSC_DEADLINE	(2 << 17)
#define SLP_EN			(1 << 13)
#define SLP_TYP(t)		((t) << 10)
#define LAPIC_MMIO(reg)		mmio_read32(KHYP_LAPIC_BASE + (reg))

#define V_SELF		0x40
#define V_PHYS		0x41
#define V_LOGICAL	0x42
#define V_BROADCAST	0x43
#define V_TIMER		0x44
#define V_HALT		0x50
#define V_TPR		0x45	/* class 4 */

/* Bound on every wait, in TSC cycles: seconds under TCG. */
#define WAIT_CYCLES	20000000000ULL

static volatile struct x2apic_results *const res =
	(volatile struct x2apic_results *)X2_RESULTS_GPA;
volatile uint64_t gp_count, ap_ready;
volatile uint64_t self_ipis, phys_ipis, logical_ipis, broadcasts, timer_irqs;
volatile uint64_t halt_irqs, tpr_irqs;

/* Wait (interrupts on) until *@v reaches @n; false on timeout. */
static int wait_for(volatile uint64_t *v, uint64_t n)
{
	uint64_t end = rdtsc() + WAIT_CYCLES;

	asm volatile("sti");
	while (*v < n && rdtsc() < end)
		asm volatile("pause");
	asm volatile("cli");
	return *v >= n;
}

/* The #GPs of what @body does. */
#define GPS(body)							\
	({ uint64_t __g = gp_count; body; gp_count - __g; })

/*
 * X2_TIMER_HALTS HLTs, each ended by a TSC-deadline interrupt due soon
 * after (within the halt poll window, on the vCPU's own host CPU): how
 * many the timer ended before the first it did not.
 */
static __attribute__((noinline)) uint64_t timer_halts(void)
{
	uint64_t i, base = timer_irqs;

	for (i = 0; i < X2_TIMER_HALTS; i++) {
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + X2_TIMER_HALT_CYCLES);
		/* timer_hlt: timer_stub's (x2apic_stubs.S) */
		asm volatile("sti\n.globl timer_hlt\ntimer_hlt: hlt\ncli"
			     : : : "memory");
		if (timer_irqs != base + i + 1)
			break;
	}
	return i;
}

/*
 * X2_HALT_IPIS IPIs to the AP, which halts between them, each waited for
 * (the BSP then idles @spacing cycles, as vmexit's ipi_halt does): how
 * many woke it before the first that did not.
 */
static uint64_t ipis_to_halted_ap(uint64_t spacing)
{
	uint64_t i, t, base = halt_irqs;

	for (i = 0; i < X2_HALT_IPIS; i++) {
		wrmsr(X2(APIC_ICR), (uint64_t)X2_AP_APIC_ID << 32 | V_HALT);
		if (!wait_for(&halt_irqs, base + i + 1))
			break;
		t = rdtsc() + spacing;
		while (rdtsc() < t)
			;
	}
	return i;
}

static void cr8_write(uint64_t v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

/*
 * The handler runs that an interrupt window of one instruction lets in
 * (STI's shadow covers the NOP): a deliverable interrupt is taken there.
 */
static uint64_t tpr_irqs_after_window(void)
{
	uint64_t n;

	asm volatile("sti; nop; cli" : : : "memory");
	n = tpr_irqs;
	return n;
}

/* MOV to CR8 with interrupts on: what it unmasks is taken right after. */
static uint64_t tpr_irqs_after_cr8(uint64_t v)
{
	uint64_t n;

	asm volatile("sti; nop; mov %0, %%cr8" : : "r"(v) : "memory");
	n = tpr_irqs;
	asm volatile("cli");
	return n;
}

/*
 * CR8 is the TPR's bits 7:4: each is seen through the other.  Each step
 * sends one class-4 self-IPI with interrupts off, holds it back and lets
 * it through, counting from the handler runs before it.
 */
static void cr8_checks(void)
{
	uint64_t v, base;

	cr8_write(5);
	res->tpr_from_cr8 = rdmsr(X2(APIC_TPR));
	base = tpr_irqs;
	wrmsr(X2(APIC_SELF_IPI), V_TPR);
	res->cr8_masked = tpr_irqs_after_window() - base;
	res->cr8_unmasked = tpr_irqs_after_cr8(0) - base;

	/* Raised after the IPI, before the guest can take it. */
	base = tpr_irqs;
	wrmsr(X2(APIC_SELF_IPI), V_TPR);
	cr8_write(5);
	res->cr8_masks_offered = tpr_irqs_after_window() - base;
	res->cr8_offered_unmasked = tpr_irqs_after_cr8(0) - base;

	wrmsr(X2(APIC_TPR), 0x60);
	asm volatile("mov %%cr8, %0" : "=r"(v));
	res->cr8_from_tpr = v;
	base = tpr_irqs;
	wrmsr(X2(APIC_SELF_IPI), V_TPR);
	res->tpr_masked = tpr_irqs_after_window() - base;
	res->tpr_unmasked_by_cr8 = tpr_irqs_after_cr8(0) - base;
	/* Whatever is still held back is let through before going on. */
	wrmsr(X2(APIC_TPR), 0);
	wait_for(&tpr_irqs, base + 1);
}

/* ---- X2_EXTINT ---- */

#define PIC_M		0x20
#define PIC_S		0xa0
#define PIC_READ_IRR	0x0a	/* OCW3 */
#define PIC_READ_ISR	0x0b
#define PIC_EOI		0x20	/* OCW2, non-specific */
#define ELCR_SLAVE	0x4d1
#define PIT_CH0		0x40
#define PIT_MODE	0x43

static volatile uint64_t *const mailbox = (volatile uint64_t *)X2_MAILBOX_GPA;
volatile uint64_t pit_irqs, slave_irqs;

static uint8_t pic_reg(uint16_t port, uint8_t ocw3)
{
	outb(port, ocw3);
	return inb(port);
}

/* As firmware does: vectors 0x20 and 0x28, the slave on IRQ 2. */
static void pic_init(uint8_t master_mask, uint8_t slave_mask)
{
	outb(PIC_M, 0x11);		/* ICW1: ICW4 follows */
	outb(PIC_S, 0x11);
	outb(PIC_M + 1, 0x20);		/* ICW2 */
	outb(PIC_S + 1, 0x28);
	outb(PIC_M + 1, 1 << 2);	/* ICW3 */
	outb(PIC_S + 1, 2);
	outb(PIC_M + 1, 1);		/* ICW4: 8086 mode */
	outb(PIC_S + 1, 1);
	outb(PIC_M + 1, master_mask);
	outb(PIC_S + 1, slave_mask);
}

/* The PIT's channel 0, rate generator: IRQ 0 every 10 ms. */
static void pit_start(void)
{
	outb(PIT_MODE, 0x34);
	outb(PIT_CH0, 11932 & 0xff);
	outb(PIT_CH0, 11932 >> 8);
}

/* From the stubs: the first run of each vector records what it sees. */
void pic_irq(uint64_t vector)
{
	bool first;

	switch (vector) {
	case 0x20:
		first = !res->pic_pit_vector;
		pit_irqs++;
		if (first) {
			res->pic_pit_vector = vector;
			res->pic_pit_isr = pic_reg(PIC_M, PIC_READ_ISR);
		}
		outb(PIC_M + 1, 0xff);	/* one is enough */
		outb(PIC_M, PIC_EOI);
		if (first)
			res->pic_pit_isr_eoi = pic_reg(PIC_M, PIC_READ_ISR);
		break;
	case 0x2b:
		if (!slave_irqs++) {
			res->pic_slave_vector = vector;
			res->pic_slave_isr = pic_reg(PIC_S, PIC_READ_ISR) |
				pic_reg(PIC_M, PIC_READ_ISR) << 8;
			res->pic_slave_irr = pic_reg(PIC_S, PIC_READ_IRR);
			/* The device's handler makes it lower the line. */
			*mailbox = X2_MB_LOWER;
			while (*mailbox != X2_MB_LOWERED)
				asm volatile("pause");
			res->pic_slave_irr_low = pic_reg(PIC_S, PIC_READ_IRR);
		}
		outb(PIC_S, PIC_EOI);
		outb(PIC_M, PIC_EOI);
		if (slave_irqs == 1)
			res->pic_slave_isr_eoi = pic_reg(PIC_S, PIC_READ_ISR) |
				pic_reg(PIC_M, PIC_READ_ISR) << 8;
		break;
	default:
		res->pic_pit_vector = res->pic_slave_vector = vector;
		break;
	}
}

static void extint_checks(void)
{
	uint64_t end;

	wrmsr(X2(APIC_LVT0), LVT_MASKED | LVT_EXTINT);
	pic_init(0xfe, 0xff);
	pit_start();
	/* IRQ 0 requests, with LINT0 masked: nothing is taken. */
	end = rdtsc() + WAIT_CYCLES;
	asm volatile("sti");
	while (!(pic_reg(PIC_M, PIC_READ_IRR) & 1) && rdtsc() < end)
		;
	res->pic_pit_irr = pic_reg(PIC_M, PIC_READ_IRR);
	asm volatile("cli");
	res->pic_lint0_masked_irqs = pit_irqs;

	/* LINT0 in ExtINT mode wakes HLT (the deadline timer if not). */
	wrmsr(X2(APIC_LVT0), LVT_EXTINT);
	wrmsr(X2(APIC_LVTT), LVTT_TSC_DEADLINE | V_TIMER);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + WAIT_CYCLES);
	asm volatile("sti; hlt; cli");
	wrmsr(MSR_TSC_DEADLINE, 0);
	res->pic_pit_irqs = pit_irqs;

	/* IRQ 11, level: the host raises it, lowers it from the handler. */
	outb(ELCR_SLAVE, 1 << 3);
	pic_init(0xfb, 0xf7);
	*mailbox = X2_MB_RAISE;
	wait_for(&slave_irqs, 1);
	/* Lowered: nothing more comes after the EOI. */
	end = rdtsc() + WAIT_CYCLES / 100;
	asm volatile("sti");
	while (rdtsc() < end)
		asm volatile("pause");
	asm volatile("cli");
	res->pic_slave_irqs = slave_irqs;

	/* A disabled APIC: the CPU takes the PICs' INT as plain INTR. */
	wrmsr(MSR_APICBASE, rdmsr(MSR_APICBASE) &
			    ~(APICBASE_EN | APICBASE_EXTD));
	pit_irqs = 0;
	pic_init(0xfe, 0xff);
	wait_for(&pit_irqs, 1);
	res->pic_apic_off_irqs = pit_irqs;
	res->done = 1;
}

static void setup_cpu(void)
{
	wrmsr(MSR_APICBASE, rdmsr(MSR_APICBASE) | APICBASE_EXTD);
	wrmsr(X2(APIC_SVR), 0x1ff);
}

static void ap_main(void)
{
	setup_cpu();
	res->ap_id = rdmsr(X2(APIC_ID));
	res->ap_ldr = rdmsr(X2(APIC_LDR));
	ap_ready = 1;
	for (;;)
		asm volatile("sti; hlt; cli");
}

static void x2apic_checks(void)
{
	uint32_t a, b, c, d;
	uint64_t base, dl;

	cpuid(1, &a, &b, &c, &d);
	res->cpuid_ecx = c;
	base = rdmsr(MSR_APICBASE);
	res->gp_x2msr_in_xapic = GPS(rdmsr(X2(APIC_ID)));
	res->gp_extd_without_en = GPS(wrmsr(MSR_APICBASE,
					    (base & ~APICBASE_EN) |
					    APICBASE_EXTD));
	setup_cpu();
	res->apicbase_x2 = base = rdmsr(MSR_APICBASE);
	res->id = rdmsr(X2(APIC_ID));
	res->ldr = rdmsr(X2(APIC_LDR));
	res->gp_read_only = GPS(wrmsr(X2(APIC_ID), 0);
				wrmsr(X2(APIC_LDR), 0);
				wrmsr(X2(APIC_PPR), 0);
				wrmsr(X2(APIC_LVR), 0));
	res->gp_absent = GPS(rdmsr(X2(APIC_DFR)); rdmsr(X2(APIC_ICR2));
			     rdmsr(X2(APIC_EOI)); rdmsr(X2(APIC_SELF_IPI)));
	res->gp_reserved = GPS(wrmsr(X2(APIC_TPR), 1ULL << 32);
			       wrmsr(X2(APIC_EOI), 1);
			       wrmsr(X2(APIC_SELF_IPI), 0x100 | V_SELF));
	res->mmio_version = LAPIC_MMIO(APIC_LVR);

	wrmsr(X2(APIC_SELF_IPI), V_SELF);
	wait_for(&self_ipis, 1);
	res->self_ipis = self_ipis;

	if (wait_for(&ap_ready, 1)) {
		wrmsr(X2(APIC_ICR), (uint64_t)X2_AP_APIC_ID << 32 | V_PHYS);
		wait_for(&phys_ipis, 1);
		wrmsr(X2(APIC_ICR), (uint64_t)((1 << 16) | (1 << 2)) << 32 |
				    ICR_LOGICAL | V_LOGICAL);
		wait_for(&logical_ipis, 1);
		wrmsr(X2(APIC_ICR), 0xffffffffULL << 32 | V_BROADCAST);
		wait_for(&broadcasts, 2);
		res->halt_ipis = ipis_to_halted_ap(0);
		res->halt_ipis_spaced = ipis_to_halted_ap(2000);
	}
	res->phys_ipis = phys_ipis;
	res->logical_ipis = logical_ipis;
	res->broadcasts = broadcasts;

	wrmsr(X2(APIC_LVTT), LVTT_TSC_DEADLINE | V_TIMER);
	dl = rdtsc() + 1000000;
	wrmsr(MSR_TSC_DEADLINE, dl);
	wait_for(&timer_irqs, 1);
	res->tscdl_early = timer_irqs && rdtsc() < dl;
	res->tscdl_fired = timer_irqs;
	res->tscdl_after = rdmsr(MSR_TSC_DEADLINE);
	res->timer_halts = timer_halts();
	cr8_checks();

	res->gp_x2apic_to_xapic = GPS(wrmsr(MSR_APICBASE,
					    base & ~APICBASE_EXTD));
	base &= ~(APICBASE_EN | APICBASE_EXTD);
	wrmsr(MSR_APICBASE, base);
	res->gp_disabled_to_x2apic = GPS(wrmsr(MSR_APICBASE, base |
					       APICBASE_EN | APICBASE_EXTD));
	wrmsr(MSR_APICBASE, base | APICBASE_EN);
	res->apicbase_xapic = rdmsr(MSR_APICBASE);
	res->mmio_version_xapic = LAPIC_MMIO(APIC_LVR);
	res->done = 1;
}

void guest_main(uint64_t arg)
{
	int v;

	idt_set(13, gp_stub);
	idt_set(V_SELF, self_stub);
	idt_set(V_PHYS, phys_stub);
	idt_set(V_LOGICAL, logical_stub);
	idt_set(V_BROADCAST, broadcast_stub);
	idt_set(V_TIMER, timer_stub);
	idt_set(V_HALT, halt_stub);
	idt_set(V_TPR, tpr_stub);
	for (v = 0x20; v < 0x30; v++)
		idt_set(v, pic_stub_other);
	idt_set(0x20, pic_stub_20);
	idt_set(0x2b, pic_stub_2b);
	idt_load();
	if (arg == X2_AP)
		ap_main();
	if (arg == X2_NOT_OFFERED) {
		res->gp_extd_not_offered = GPS(wrmsr(MSR_APICBASE,
			rdmsr(MSR_APICBASE) | APICBASE_EXTD));
		res->gp_tscdl_not_offered = GPS(wrmsr(MSR_TSC_DEADLINE, 1));
		res->done = 1;
	} else if (arg == X2_EXTINT) {
		setup_cpu();
		extint_checks();
	} else {
		x2apic_checks();
	}
	outw(KHYP_PM1A_CNT_PORT, SLP_EN | SLP_TYP(KHYP_SLP_TYP_S5));
}
