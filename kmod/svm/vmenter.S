/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every SVM instruction, each with an exception fixup (see the end of
 * khyp_svm_enter()).  The world switch: between the guest VMLOAD and the
 * host VMLOAD the CPU holds the guest's FS/GS bases, TR, LDTR and syscall
 * MSRs: no C code, no per-CPU data and no stack protector may run there,
 * so this stays in assembly.  Interrupts are held by GIF=0 (the caller
 * ran CLGI).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/* Offsets into u64 regs[] (enum khyp_reg in khyp.h). */
#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

.section .noinstr.text, "ax"

/*
 * void khyp_svm_enter(u64 vmcb_pa, u64 *regs, u64 host_save_pa)
 * RAX and RSP are switched by VMRUN itself (VMCB save area).
 */
SYM_FUNC_START(khyp_svm_enter)
	push %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdx		/* host save area, for the host VMLOAD */
	push %rsi		/* regs */

	mov %rdi, %rax
1:	vmload %rax
2:
	mov R_RCX(%rsi), %rcx
	mov R_RDX(%rsi), %rdx
	mov R_RBX(%rsi), %rbx
	mov R_RBP(%rsi), %rbp
	mov R_RDI(%rsi), %rdi
	mov R_R8(%rsi), %r8
	mov R_R9(%rsi), %r9
	mov R_R10(%rsi), %r10
	mov R_R11(%rsi), %r11
	mov R_R12(%rsi), %r12
	mov R_R13(%rsi), %r13
	mov R_R14(%rsi), %r14
	mov R_R15(%rsi), %r15
	mov R_RSI(%rsi), %rsi

3:	vmrun %rax
4:
	/* RAX is the VMCB address again (host RAX restored by #VMEXIT). */
	push %rdi
	mov 8(%rsp), %rdi
	mov %rcx, R_RCX(%rdi)
	mov %rdx, R_RDX(%rdi)
	mov %rbx, R_RBX(%rdi)
	mov %rbp, R_RBP(%rdi)
	mov %rsi, R_RSI(%rdi)
	mov %r8, R_R8(%rdi)
	mov %r9, R_R9(%rdi)
	mov %r10, R_R10(%rdi)
	mov %r11, R_R11(%rdi)
	mov %r12, R_R12(%rdi)
	mov %r13, R_R13(%rdi)
	mov %r14, R_R14(%rdi)
	mov %r15, R_R15(%rdi)
	pop %rcx
	mov %rcx, R_RDI(%rdi)
	pop %rdi		/* drop regs */

5:	vmsave %rax
6:
	pop %rax		/* host save area: GS base and friends */
7:	vmload %rax
8:

#ifdef CONFIG_RETPOLINE
	/* Stuff the RSB before the first RET after the guest ran. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/* Guest values must not reach speculation through stale registers. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d

	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

	/*
	 * SVM instructions fault with #UD only if EFER.SVME was cleared
	 * behind our back (emergency reboot path): carry on while rebooting.
	 */
10:	cmpb $0, khyp_rebooting(%rip)
	jne 2b
	ud2
30:	cmpb $0, khyp_rebooting(%rip)
	jne 4b
	ud2
50:	cmpb $0, khyp_rebooting(%rip)
	jne 6b
	ud2
70:	cmpb $0, khyp_rebooting(%rip)
	jne 8b
	ud2

	_ASM_EXTABLE(1b, 10b)
	_ASM_EXTABLE(3b, 30b)
	_ASM_EXTABLE(5b, 50b)
	_ASM_EXTABLE(7b, 70b)
SYM_FUNC_END(khyp_svm_enter)

/* The ones C needs: bool khyp_svm_clgi(void), _stgi(void), _vmsave(u64). */
SYM_FUNC_START(khyp_svm_clgi)
	mov $1, %eax
1:	clgi
	RET
2:	xor %eax, %eax
	RET
	_ASM_EXTABLE(1b, 2b)
SYM_FUNC_END(khyp_svm_clgi)

SYM_FUNC_START(khyp_svm_stgi)
	mov $1, %eax
1:	stgi
	RET
2:	xor %eax, %eax
	RET
	_ASM_EXTABLE(1b, 2b)
SYM_FUNC_END(khyp_svm_stgi)

SYM_FUNC_START(khyp_svm_vmsave)
	mov %rdi, %rax
1:	vmsave %rax
	mov $1, %eax
	RET
2:	xor %eax, %eax
	RET
	_ASM_EXTABLE(1b, 2b)
SYM_FUNC_END(khyp_svm_vmsave)
