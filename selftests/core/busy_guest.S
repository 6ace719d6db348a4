/* SPDX-License-Identifier: GPL-2.0 */
/* busy_vm's guest (real mode): count in the dword at DS:DI, CPUID, again. */
	.section .rodata
	.code16
	.globl busy_loop_start, busy_loop_end
busy_loop_start:
1:	incl (%di)
	xor %eax, %eax
	cpuid
	jmp 1b
busy_loop_end:

	.section .note.GNU-stack, "", @progbits
