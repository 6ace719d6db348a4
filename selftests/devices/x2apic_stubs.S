/* SPDX-License-Identifier: GPL-2.0 */
/* The exception and interrupt handlers of x2apic_guest.c. */

/* #GP: count it and step over the 2-byte RDMSR or WRMSR. */
	.globl gp_stub
gp_stub:
	lock incq gp_count(%rip)
	addq $2, 8(%rsp)		/* RIP, above the error code */
	addq $8, %rsp
	iretq

/* An interrupt: count it in COUNTER, then the x2APIC EOI. */
.macro irq_stub name, counter
	.globl \name
\name:
	push %rax
	push %rcx
	push %rdx
	lock incq \counter(%rip)
	mov $0x80b, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	pop %rdx
	pop %rcx
	pop %rax
	iretq
.endm

	irq_stub self_stub, self_ipis
	irq_stub phys_stub, phys_ipis
	irq_stub logical_stub, logical_ipis
	irq_stub broadcast_stub, broadcasts
	irq_stub timer_stub, timer_irqs

	.section .note.GNU-stack, "", @progbits
