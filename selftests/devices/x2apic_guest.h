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
	uint64_t done;			/* the guest got to the end */
};

/* The guest's handlers, in x2apic_stubs.S. */
void gp_stub(void);
void self_stub(void);
void phys_stub(void);
void logical_stub(void);
void broadcast_stub(void);
void timer_stub(void);
void halt_stub(void);
void tpr_stub(void);

#endif
