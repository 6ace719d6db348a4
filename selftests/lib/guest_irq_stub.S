/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For C guests' assembly handlers (guest.h's idt_set()): an interrupt
 * handler that adds one to the 64-bit COUNTER, then EOIs the x2APIC.
 * Included by .S files only (named .S so checkpatch reads it as assembly).
 */
.macro x2apic_irq_stub name, counter
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
