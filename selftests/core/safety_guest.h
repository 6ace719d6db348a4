/* SPDX-License-Identifier: GPL-2.0 */
/* What safety_test and its guest programs agree on. */
#ifndef SAFETY_GUEST_H
#define SAFETY_GUEST_H

/* The real-mode register check (race_guest.S) reports these on TEST_PORT_REPORT. */
#define RACE_GPRS_MIXED		1
#define RACE_SEGS_MIXED		2

/* intercept_guest.c: guest_main()'s argument picks one of these. */
#define IC_WBINVD		1	/* WBINVD and WBNOINVD, IC_LOOPS each */
#define IC_RDPMC		2
#define IC_DR_READ		3	/* SYNC2(DR0, DR1), (DR2, DR3), (DR6, DR7) */
#define IC_DR_WRITE		4	/* DRn = IC_DR_MARK + n, DR7 enables them */
#define IC_TSC_AUX		5
#define IC_CONTROL_REGS		6	/* SYNC2(step, vector) for each IC_CR_* */
#define IC_CR3_RESERVED		7	/* SYNC2(0, vector), if it survives */
#define IC_TSC_ADJUST		8	/* SYNC(0) with TSC_ADJUST set */
#define IC_VMMCALL		9
#define IC_FAULT_RF		10	/* SYNC2(vector, pushed RF) per IC_RF_* */

#define IC_LOOPS		1000
#define IC_DR_MARK		0xdead0000ULL
#define IC_TSC_AUX_VALUE	0x5a5
#define IC_NO_FAULT		0xff
#define IC_TSC_JUMP		100000000000ULL	/* kvm-unit-tests' */

/* IC_CONTROL_REGS' steps: each write is invalid and must #GP. */
#define IC_CR_EFER_RESERVED	0	/* EFER bit 1 */
#define IC_CR_EFER_SVME		1	/* SVM is not offered */
#define IC_CR_EFER_LME_OFF	2	/* LME cleared with paging on */
#define IC_CR_CR4_PAE_OFF	3	/* PAE cleared in long mode */
#define IC_CR_CR4_RESERVED	4	/* CR4 bit 15 */
#define IC_CR_CR0_PG_OFF	5	/* paging off in 64-bit mode */
#define IC_CR_CR0_PE_OFF	6	/* PG without PE */
#define IC_CR_CR0_NW		7	/* NW without CD */
#define IC_CR_CR0_HIGH		8	/* CR0 bit 32 */
#define IC_CR_STEPS		9

/* IC_FAULT_RF's faults, each pushing RFLAGS with RF set. */
#define IC_RF_UD2		0	/* the CPU's own #UD */
#define IC_RF_CR4		1	/* #GP injected for a CR4 write */
#define IC_RF_VMLOAD		2	/* #UD injected for a refused VMLOAD */
#define IC_RF_STEPS		3

#ifndef __ASSEMBLER__
/* intercept_stubs.S: record the vector, resume at fault_fixup. */
void ud_stub(void);
void gp_stub(void);
#endif

#endif
