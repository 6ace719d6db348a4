/* SPDX-License-Identifier: GPL-2.0 */
/*
 * boot_stub.S - a 64 KiB "BIOS" for QEMU that starts a Linux guest in the
 * state khyp-run gives vCPU 0: it reaches long mode on the page tables in
 * guest memory and jumps to the 64-bit entry with RSI = boot_params, RIP,
 * CR3 and GDTR taken from a hand-off block that boot_image fills in.
 *
 * Lives at 0xf0000 (the upper half of a 128 KiB BIOS image whose lower
 * half, at 0xe0000, holds khyp-run's ACPI tables).  Also turns on the
 * PIIX4 ACPI PM registers (as SeaBIOS would, but at khyp's PM1a event
 * block) and SCI_EN, so the FADT's PM1 ports and S5 work on QEMU's pc
 * machine.
 */
#include <linux/khyp_platform.h>

	.set	BASE, 0xf0000
	.set	MSR_EFER, 0xc0000080

	/* PIIX4 puts PM1a_CNT at PMBA + 4 and the PM timer at PMBA + 8. */
	.if KHYP_PM1A_CNT_PORT - KHYP_PM1A_EVT_PORT - 4 || KHYP_PM_TMR_PORT - KHYP_PM1A_EVT_PORT - 8
	.error "khyp's PM1 blocks are not laid out as PIIX4's"
	.endif

	.text
	.code16
	.globl	_start
_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	gdt_desc - _start
	movl	%cr0, %eax
	orl	$1, %eax			/* PE */
	movl	%eax, %cr0
	ljmpl	$0x08, $(BASE + prot32 - _start)

	.code32
prot32:
	movw	$0x18, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs

	/* PIIX4 PM (00:01.3): PMBA, PMIOSE, then SCI_EN */
	movw	$0xcf8, %dx
	movl	$0x80000b40, %eax
	outl	%eax, %dx
	movw	$0xcfc, %dx
	movl	$KHYP_PM1A_EVT_PORT | 1, %eax	/* I/O space */
	outl	%eax, %dx
	movw	$0xcf8, %dx
	movl	$0x80000b80, %eax
	outl	%eax, %dx
	movw	$0xcfc, %dx
	movb	$1, %al
	outb	%al, %dx
	movw	$KHYP_PM1A_CNT_PORT, %dx
	movw	$1, %ax
	outw	%ax, %dx

	/* long mode on the guest's own page tables */
	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	BASE + handoff_cr3 - _start, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$0x100, %eax			/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax		/* PG */
	movl	%eax, %cr0
	ljmp	$0x10, $(BASE + long64 - _start)

	.code64
long64:
	lgdt	BASE + handoff_gdtr - _start
	movq	BASE + handoff_rsi - _start, %rsi
	movq	BASE + handoff_rip - _start, %rax
	jmp	*%rax

	.p2align 3
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff		/* 0x08: 32-bit code */
	.quad	0x00af9b000000ffff		/* 0x10: 64-bit code */
	.quad	0x00cf93000000ffff		/* 0x18: data */
gdt_desc:
	.word	31
	.long	BASE + gdt - _start

	/* hand-off block, filled in by boot_image (BOOT_STUB_HANDOFF) */
	.org	0xff00
handoff_rip:
	.quad	0
handoff_rsi:
	.quad	0
handoff_cr3:
	.quad	0
handoff_gdtr:
	.word	0
	.quad	0

	/* the reset vector, 0xffff0 (and 0xfffffff0) */
	.org	0xfff0
	.code16
	ljmp	$0xf000, $0
	.org	0x10000
