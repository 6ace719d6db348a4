/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code for the selftests.  Each snippet runs from GPA 0x1000 (the
 * test copies [name_start, name_end) there), reports values with OUT to
 * TEST_PORT_REPORT and says "done" with OUT to TEST_PORT_DONE.  New guest
 * programs are written in C instead (guest.h).  Addresses inside a
 * snippet are written as (label - start + ORG).
 */
#define ORG		0x1000
#define REL(s, l)	((l) - (s) + ORG)
#include "test_abi.h"

	.section .rodata
	.globl rm_cpuid_start, rm_cpuid_end
	.globl rm_io_start, rm_io_end
	.globl rm_msr_start, rm_msr_end
	.globl rm_hlt_start, rm_hlt_end
	.globl rm_int3_start, rm_int3_end
	.globl rm_ud_start, rm_ud_end
	.globl rm_invd_start, rm_invd_end
	.globl rm_vmmcall_start, rm_vmmcall_end
	.globl rm_pit_start, rm_pit_end
	.globl rm_xsetbv_start, rm_xsetbv_end
	.globl rm_cpuid_loop_start, rm_cpuid_loop_end
	.globl rm_spin_start, rm_spin_end
	.globl rm_marker_loop_start, rm_marker_loop_end
	.globl rm_mem_start, rm_mem_end
	.globl lm_mmio_start, lm_mmio_end
	.globl lm_sse_start, lm_sse_end

	.code16
/* CPUID 0 and the khyp signature leaf. */
rm_cpuid_start:
	xor %eax, %eax
	cpuid
	mov %ebx, %eax
	out %eax, $TEST_PORT_REPORT
	mov %edx, %eax
	out %eax, $TEST_PORT_REPORT
	mov %ecx, %eax
	out %eax, $TEST_PORT_REPORT
	mov $0x40000000, %eax
	cpuid
	mov %ebx, %eax
	out %eax, $TEST_PORT_REPORT
	mov $1, %eax
	cpuid
	mov %ebx, %eax
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
rm_cpuid_end:

/* IN from port 0x12 (answered by userspace), report it plus one; 8/16/32. */
rm_io_start:
	in $0x12, %eax
	inc %eax
	out %eax, $TEST_PORT_REPORT
	mov $0x1234, %dx
	inw %dx, %ax
	out %ax, $TEST_PORT_REPORT
	xor %eax, %eax
	inb $0x13, %al
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
rm_io_end:

/* Allowed MSRs answer; unknown ones raise #GP (IVT 13 reports 0x6060). */
rm_msr_start:
	movw $REL(rm_msr_start, 1f), (13 * 4)
	movw $0, (13 * 4 + 2)
	mov $0x2ff, %ecx		/* MTRRdefType */
	rdmsr
	out %eax, $TEST_PORT_REPORT
	mov $0x12345, %ecx		/* nobody's MSR */
	rdmsr
	mov $0xc0010400, %ecx		/* nor this one, written */
	wrmsr
	mov $0x10, %ecx			/* TSC: twice, increasing */
	rdmsr
	mov %eax, %esi
	rdmsr
	sub %esi, %eax
	out %eax, $TEST_PORT_REPORT
	mov $0xc0010000, %ecx		/* K7 EVNTSEL0: written, no #GP */
	mov $0x530076, %eax
	xor %edx, %edx
	wrmsr
	mov $0xc0010007, %ecx		/* K7 PERFCTR3: reads 0 */
	rdmsr
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
1:	mov $0x6060, %eax
	out %eax, $TEST_PORT_REPORT
	pop %bx
	add $2, %bx			/* skip RDMSR/WRMSR */
	push %bx
	iret
rm_msr_end:

rm_hlt_start:
	hlt
	mov $0x4c54, %eax
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
rm_hlt_end:

/* With IDTR.limit = 0, INT3 cannot be delivered: triple fault. */
rm_int3_start:
	int3
	out %al, $TEST_PORT_DONE
rm_int3_end:

/* SVM instructions and friends are refused with #UD (IVT 6: 0x0606). */
rm_ud_start:
	movw $REL(rm_ud_start, 1f), (6 * 4)
	movw $0, (6 * 4 + 2)
	vmrun
	vmload
	vmsave
	stgi
	clgi
	out %al, $TEST_PORT_DONE
1:	mov $0x0606, %eax
	out %eax, $TEST_PORT_REPORT
	pop %bx
	add $3, %bx
	push %bx
	iret
rm_ud_end:

/* VMMCALL completes: the host reads RAX and RIP at the OUT. */
rm_vmmcall_start:
	vmmcall
	out %al, $TEST_PORT_DONE
rm_vmmcall_end:

/*
 * PIT counter 0 in mode 2 from 0x1212, latched and read back; then port
 * 0x61.  Both reported.
 */
rm_pit_start:
	mov $0x34, %al
	out %al, $0x43
	mov $0x12, %al
	out %al, $0x40
	out %al, $0x40
	xor %al, %al
	out %al, $0x43
	in $0x40, %al
	mov %al, %bl
	in $0x40, %al
	mov %al, %bh
	movzwl %bx, %eax
	out %eax, $TEST_PORT_REPORT
	in $0x61, %al
	movzbl %al, %eax
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
rm_pit_end:

rm_invd_start:
	invd
	mov $0x1d, %eax
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
rm_invd_end:

/* XSETBV: a valid XCR0 is taken, an invalid one gives #GP (0x6060). */
rm_xsetbv_start:
	movw $REL(rm_xsetbv_start, 1f), (13 * 4)
	movw $0, (13 * 4 + 2)
	xor %ecx, %ecx
	xor %edx, %edx
	mov $3, %eax
	xsetbv
	xgetbv
	out %eax, $TEST_PORT_REPORT
	mov $7, %eax			/* x87 SSE AVX */
	xsetbv
	xgetbv
	out %eax, $TEST_PORT_REPORT
	mov $0xd, %eax
	xor %ecx, %ecx
	cpuid				/* EBX: the size for this XCR0 */
	mov %ebx, %eax
	out %eax, $TEST_PORT_REPORT
	xor %ecx, %ecx
	xor %edx, %edx
	mov $2, %eax			/* no x87: invalid */
	xsetbv
	mov $1, %ecx			/* XCR1 does not exist */
	mov $3, %eax
	xsetbv
	out %al, $TEST_PORT_DONE
1:	mov $0x6060, %eax
	out %eax, $TEST_PORT_REPORT
	pop %bx
	add $3, %bx
	push %bx
	iret
rm_xsetbv_end:

/* ESI CPUIDs, then done: the exit-cost benchmark. */
rm_cpuid_loop_start:
1:	xor %eax, %eax
	cpuid
	dec %esi
	jnz 1b
	out %al, $TEST_PORT_DONE
rm_cpuid_loop_end:

/* Spin ESI iterations (physical interrupts arrive meanwhile). */
rm_spin_start:
1:	dec %esi
	jnz 1b
	out %al, $TEST_PORT_DONE
rm_spin_end:

/*
 * ESI times: the dword at 0x3000 must still be EDI (the VM's own
 * marker), then a CPUID exit.  A mismatch is reported; done either way.
 */
rm_marker_loop_start:
1:	mov (0x3000), %eax
	cmp %edi, %eax
	jne 2f
	xor %eax, %eax
	cpuid
	dec %esi
	jnz 1b
	out %al, $TEST_PORT_DONE
2:	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
rm_marker_loop_end:

/* Read the dword at 0x3000, report it, write ~it at 0x3004. */
rm_mem_start:
	mov (0x3000), %eax
	out %eax, $TEST_PORT_REPORT
	not %eax
	mov %eax, (0x3004)
	out %al, $TEST_PORT_DONE
rm_mem_end:

	.code64
/* MMIO at 0xd0000000: every decoded form, each one exit to userspace. */
lm_mmio_start:
	mov $0xd0000000, %rbx
	movl $0x12345678, (%rbx)		/* C7 imm32 */
	movb $0xab, 1(%rbx)			/* C6 imm8 */
	movabs $0x1122334455667788, %r9
	mov %r9, 8(%rbx)			/* REX.WR 89 */
	movw $0xbeef, 2(%rbx)			/* 66 C7 imm16 */
	mov 0x10(%rbx), %eax			/* 8B read 4 */
	out %eax, $TEST_PORT_REPORT
	movzbl 0x14(%rbx), %ecx			/* 0F B6 */
	mov %ecx, %eax
	out %eax, $TEST_PORT_REPORT
	movswq 0x18(%rbx), %r10			/* REX.W 0F BF */
	mov %r10, %rax
	shr $32, %rax
	out %eax, $TEST_PORT_REPORT
	mov $0x11223344, %eax
	movb 0x20(%rbx), %ah			/* 8A, high byte */
	out %eax, $TEST_PORT_REPORT
	movabs 0xd0000040, %eax			/* A1 moffs64 */
	out %eax, $TEST_PORT_REPORT
	mov 0x48(%rbx,%rcx,1), %r11d		/* SIB + REX.R */
	mov %r11d, %eax
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
lm_mmio_end:

/*
 * Fill XMM0-15 with a pattern, exit to the host (CPUID) ESI times, and
 * check the registers after each exit.  Reports the number of mismatches.
 */
lm_sse_start:
	lea pattern(%rip), %rax
	movdqu (%rax), %xmm0
	movdqa %xmm0, %xmm1
	paddq %xmm0, %xmm1
	movdqa %xmm1, %xmm2
	paddq %xmm0, %xmm2
	movdqa %xmm2, %xmm3
	paddq %xmm0, %xmm3
	movdqa %xmm3, %xmm8
	paddq %xmm0, %xmm8
	movdqa %xmm8, %xmm15
	paddq %xmm0, %xmm15
	xor %edi, %edi
1:	xor %eax, %eax
	cpuid
	movdqa %xmm0, %xmm4
	paddq %xmm0, %xmm4			/* = xmm1 */
	pcmpeqd %xmm1, %xmm4
	pmovmskb %xmm4, %eax
	cmp $0xffff, %eax
	jne 2f
	movdqa %xmm8, %xmm5
	paddq %xmm0, %xmm5
	paddq %xmm0, %xmm5			/* xmm15 + xmm0 = xmm8 + 2*xmm0 */
	paddq %xmm0, %xmm15
	pcmpeqd %xmm15, %xmm5
	psubq %xmm0, %xmm15
	pmovmskb %xmm5, %eax
	cmp $0xffff, %eax
	je 3f
2:	inc %edi
3:	dec %esi
	jnz 1b
	mov %edi, %eax
	out %eax, $TEST_PORT_REPORT
	out %al, $TEST_PORT_DONE
	.balign 16
pattern:
	.quad 0x0123456789abcdef, 0x0fedcba987654321
lm_sse_end:

	.section .note.GNU-stack, "", @progbits
