/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What x2apic_guest.c leaves for x2apic_test.c: one field per check, at a
 * fixed guest address (a platform VM's guest cannot ucall: its vCPUs do
 * not exit to userspace).
 */
#ifndef KHYP_X2APIC_GUEST_H
#define KHYP_X2APIC_GUEST_H

#include <stdint.h>

#define X2_RESULTS_GPA		0x300000
#define X2_AP_APIC_ID		0x12	/* cluster 1, bit 2: LDR 0x10004 */
#define X2_BSP			0	/* guest_main()'s argument */
#define X2_AP			1
#define X2_NOT_OFFERED		2
#define X2_EXTINT		3	/* the 8259s through LINT0 */
#define X2_AP_STACK		0x70000	/* the BSP's is tvcpu_set_long_mode()'s */
#define X2_HALT_IPIS		1000	/* as kvm-unit-tests' vmexit ipi_halt */
#define X2_TIMER_HALTS		100
/* Each timer HLT's deadline: well inside khyp's default poll window. */
#define X2_TIMER_HALT_CYCLES	200000

struct x2apic_results {
	uint64_t cpuid_ecx;		/* leaf 1 ECX */
	uint64_t gp_x2msr_in_xapic;	/* RDMSR 0x802 before EXTD: #GPs */
	uint64_t gp_extd_without_en;	/* APIC base EXTD=1 EN=0: #GPs */
	uint64_t apicbase_x2;		/* APIC base once in x2APIC mode */
	uint64_t id, ldr;		/* the BSP's x2APIC ID and LDR */
	uint64_t ap_id, ap_ldr;		/* the AP's */
	uint64_t gp_read_only;		/* writes to ID, LDR, PPR, version */
	uint64_t gp_absent;		/* reads of DFR, ICR2, EOI, SELF_IPI */
	uint64_t gp_reserved;		/* TPR bit 32, EOI 1, SELF_IPI bit 8 */
	uint64_t mmio_version;		/* xAPIC MMIO version in x2APIC mode */
	uint64_t self_ipis;		/* SELF_IPI handler runs */
	uint64_t phys_ipis;		/* on the AP, physical destination */
	uint64_t logical_ipis;		/* on the AP, logical destination */
	uint64_t broadcasts;		/* handler runs of a 0xffffffff IPI */
	uint64_t tscdl_fired;		/* TSC-deadline handler runs */
	uint64_t tscdl_early;		/* it ran before the deadline */
	uint64_t tscdl_after;		/* TSC_DEADLINE MSR once it fired */
	uint64_t gp_x2apic_to_xapic;	/* EXTD cleared with EN kept */
	uint64_t gp_disabled_to_x2apic;	/* EN and EXTD from disabled */
	uint64_t apicbase_xapic;	/* after x2APIC -> disabled -> xAPIC */
	uint64_t mmio_version_xapic;	/* and the MMIO page works again */
	uint64_t halt_ipis;		/* of X2_HALT_IPIS to the halting AP */
	uint64_t halt_ipis_spaced;	/* the same, the BSP idling between */
	uint64_t tpr_from_cr8;		/* TPR MSR after MOV 5 to CR8 */
	uint64_t cr8_masked;		/* a class-4 self-IPI taken at CR8 5 */
	uint64_t cr8_unmasked;		/* it, once CR8 is 0 */
	uint64_t cr8_masks_offered;	/* one sent at CR8 0, CR8 raised to 5 */
	uint64_t cr8_offered_unmasked;	/* it, once CR8 is 0 again */
	uint64_t cr8_from_tpr;		/* CR8 after TPR MSR 0x60 */
	uint64_t tpr_masked;		/* a class-4 self-IPI taken at TPR 0x60 */
	uint64_t tpr_unmasked_by_cr8;	/* it, once CR8 is 0 */
	uint64_t timer_halts;		/* of X2_TIMER_HALTS, ended by the timer */
	/* Arg X2_NOT_OFFERED, CPUID without x2APIC and TSC-deadline: */
	uint64_t gp_extd_not_offered;	/* APIC base EXTD: #GPs */
	uint64_t gp_tscdl_not_offered;	/* TSC_DEADLINE MSR write: #GPs */
	/*
	 * Arg X2_EXTINT: the PICs (master at 0x20, slave at 0x28) reach the
	 * CPU as ExtINT.  First the PIT's IRQ 0, edge:
	 */
	uint64_t pic_lint0_masked_irqs;	/* taken with LINT0 masked */
	uint64_t pic_pit_irr;		/* master IRR then: IRQ 0 waits */
	uint64_t pic_pit_irqs;		/* LINT0 ExtINT: taken from HLT */
	uint64_t pic_pit_vector;	/* the vector the handler ran for */
	uint64_t pic_pit_isr;		/* master ISR in the handler */
	uint64_t pic_pit_isr_eoi;	/* and after its EOI */
	/* Then IRQ 11 (the host's line), level in the ELCR, on the slave: */
	uint64_t pic_slave_vector;
	uint64_t pic_slave_isr;		/* slave ISR | master ISR << 8 */
	uint64_t pic_slave_irr;		/* slave IRR, line high */
	uint64_t pic_slave_irr_low;	/* once the host lowered it */
	uint64_t pic_slave_isr_eoi;	/* both ISRs after the EOIs */
	uint64_t pic_slave_irqs;	/* handler runs in all */
	/* And IRQ 0 with the APIC disabled: the PICs' INT is INTR. */
	uint64_t pic_apic_off_irqs;
	uint64_t done;			/* the guest got to the end */
};

/* The host's side of X2_EXTINT's IRQ 11, in guest memory. */
#define X2_MAILBOX_GPA		0x301000
#define X2_MB_RAISE		1	/* guest: raise GSI 11 */
#define X2_MB_LOWER		2	/* guest (in the handler): lower it */
#define X2_MB_LOWERED		3	/* host: done */

/* The guest's handlers, in x2apic_stubs.S. */
void gp_stub(void);
void self_stub(void);
void phys_stub(void);
void logical_stub(void);
void broadcast_stub(void);
void timer_stub(void);
void halt_stub(void);
void tpr_stub(void);
/* Call pic_irq(vector) (x2apic_guest.c). */
void pic_stub_20(void);
void pic_stub_2b(void);
void pic_stub_other(void);

#endif
