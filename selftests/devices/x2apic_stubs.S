/* SPDX-License-Identifier: GPL-2.0 */
/* The exception and interrupt handlers of x2apic_guest.c. */
#include "guest_irq_stub.S"

/* #GP: count it and step over the 2-byte RDMSR or WRMSR. */
	.globl gp_stub
gp_stub:
	lock incq gp_count(%rip)
	addq $2, 8(%rsp)		/* RIP, above the error code */
	addq $8, %rsp
	iretq

	x2apic_irq_stub self_stub, self_ipis
	x2apic_irq_stub phys_stub, phys_ipis
	x2apic_irq_stub logical_stub, logical_ipis
	x2apic_irq_stub broadcast_stub, broadcasts
	x2apic_irq_stub timer_count_stub, timer_irqs

/*
 * The TSC-deadline timer: counted as above, and if it came in right
 * before timer_halts()'s HLT, it returns past that HLT.  QEMU 7.2's
 * emulated SVM drops an STI shadow at VMRUN (kmod/svm/svm.c): after an
 * exit between "sti" and "hlt" the interrupt that was to end the HLT is
 * taken before it, and the HLT would wait for ever (hardware and later
 * QEMUs keep the shadow).
 */
	.globl timer_stub
timer_stub:
	push %rax
	lea timer_hlt(%rip), %rax
	cmp %rax, 8(%rsp)		/* RIP, above our push */
	jne 1f
	incq 8(%rsp)			/* HLT is one byte */
1:	pop %rax
	jmp timer_count_stub
	x2apic_irq_stub halt_stub, halt_irqs
	x2apic_irq_stub tpr_stub, tpr_irqs

/*
 * pic_irq(VECTOR) with the caller-saved registers kept; nine pushes
 * over the five of the interrupt frame keep the call 16-byte aligned.
 */
.macro pic_irq_stub name, vector
	.globl \name
\name:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	mov $\vector, %edi
	call pic_irq
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	iretq
.endm

	pic_irq_stub pic_stub_20, 0x20
	pic_irq_stub pic_stub_2b, 0x2b
	pic_irq_stub pic_stub_other, 0xff

	.section .note.GNU-stack, "", @progbits
