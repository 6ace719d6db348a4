/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hostile guest's (guest_fuzz.c) way through its own faults:
 * fuzz_try, the 256 vectors that jump back into it, and fuzz_exec, which
 * runs a generated instruction on the registers it is given.
 */
.text
.global fuzz_try
fuzz_try:
	lea 8(%rsp), %rax
	mov %rax, fuzz_jb(%rip)
	mov %rbx, fuzz_jb+8(%rip)
	mov %rbp, fuzz_jb+16(%rip)
	mov %r12, fuzz_jb+24(%rip)
	mov %r13, fuzz_jb+32(%rip)
	mov %r14, fuzz_jb+40(%rip)
	mov %r15, fuzz_jb+48(%rip)
	mov (%rsp), %rax
	mov %rax, fuzz_jb+56(%rip)
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
	xor %eax, %eax
	ret
/* rax: fuzz_try's result.  Flags and segments as the C code needs. */
fuzz_longjmp:
	mov $0x10, %ecx
	mov %ecx, %ds
	mov %ecx, %es
	mov %ecx, %ss
	mov fuzz_jb(%rip), %rsp
	mov fuzz_jb+8(%rip), %rbx
	mov fuzz_jb+16(%rip), %rbp
	mov fuzz_jb+24(%rip), %r12
	mov fuzz_jb+32(%rip), %r13
	mov fuzz_jb+40(%rip), %r14
	mov fuzz_jb+48(%rip), %r15
	pushq $2
	popfq
	jmp *fuzz_jb+56(%rip)
fuzz_vector:
	cmpq $2, (%rsp)
	je 1f
	cmpq $32, (%rsp)
	jae 2f
	pop %rax
	inc %rax
	jmp fuzz_longjmp
2:	push %rax
	mov $0xfee000b0, %eax	/* LAPIC EOI */
	movl $0, (%rax)
	pop %rax
1:	add $8, %rsp
	iretq
/* 256 stubs of 16 bytes: push the vector, go to fuzz_vector. */
.align 16
.global fuzz_vectors
fuzz_vectors:
.set vec, 0
.rept 256
.align 16
	pushq $vec
	jmp fuzz_vector
.set vec, vec + 1
.endr
/* rdi: struct exec_regs; every GPR from it, then the instruction. */
.global fuzz_exec
fuzz_exec:
	mov %rdi, %rax
	mov 8(%rax), %rcx
	mov 16(%rax), %rdx
	mov 24(%rax), %rbx
	mov 32(%rax), %rsp
	mov 40(%rax), %rbp
	mov 48(%rax), %rsi
	mov 56(%rax), %rdi
	mov 64(%rax), %r8
	mov 72(%rax), %r9
	mov 80(%rax), %r10
	mov 88(%rax), %r11
	mov 96(%rax), %r12
	mov 104(%rax), %r13
	mov 112(%rax), %r14
	mov 120(%rax), %r15
	mov (%rax), %rax
	jmp *fuzz_exec_target(%rip)

	.section .note.GNU-stack, "", @progbits
