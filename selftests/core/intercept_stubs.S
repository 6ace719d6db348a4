/* SPDX-License-Identifier: GPL-2.0 */
/*
 * intercept_guest.c's exception handlers: record the vector and the
 * RFLAGS pushed, and resume at fault_fixup, which TRY() points past the
 * instruction it tries.
 */
.macro fault_stub name, vector, has_error
	.globl \name
\name:
	.if \has_error
	addq $8, %rsp			/* the error code */
	.endif
	movq $\vector, fault_vector(%rip)
	push %rax
	mov 24(%rsp), %rax		/* RIP, CS, then RFLAGS */
	mov %rax, fault_rflags(%rip)
	mov fault_fixup(%rip), %rax
	mov %rax, 8(%rsp)		/* the RIP IRETQ returns to */
	pop %rax
	iretq
.endm

	fault_stub ud_stub, 6, 0
	fault_stub gp_stub, 13, 1

	.section .note.GNU-stack, "", @progbits
