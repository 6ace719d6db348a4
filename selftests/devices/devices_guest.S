/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest for the platform-device selftest: 64-bit, position independent.
 * Prints one letter per check on COM1: upper case for pass, lower case
 * for fail (see devices_test.c for the list), then powers off via S5.
 */
#include <linux/khyp_platform.h>

#define LAPIC		KHYP_LAPIC_BASE
#define IOAPIC		KHYP_IOAPIC_BASE
#define IOREDTBL(pin)	(0x10 + 2 * (pin))	/* low dword; +1: high */
#define UART_THR	KHYP_UART_PORT		/* and RBR */
#define UART_IER	(KHYP_UART_PORT + 1)
#define UART_IIR	(KHYP_UART_PORT + 2)
#define UART_MCR	(KHYP_UART_PORT + 4)
#define UART_MSR	(KHYP_UART_PORT + 6)
#define PIT_CH0		KHYP_PIT_PORT
#define PIT_CH2		(KHYP_PIT_PORT + 2)
#define PIT_CTRL	(KHYP_PIT_PORT + 3)
#define PIC_IMR		(KHYP_PIC_MASTER_PORT + 1)
#define RTC_INDEX	KHYP_RTC_PORT
#define RTC_DATA	(KHYP_RTC_PORT + 1)
#define PCI_ADDR	KHYP_PCI_CFG_PORT
#define PCI_DATA	(KHYP_PCI_CFG_PORT + 4)
#define SLP_EN		(1 << 13)
#define SLP_TYP(t)	((t) << 10)
#define FLAGS	0x3000

	.section .rodata
	.globl dev_guest_start, dev_guest_end
	.code64
dev_guest_start:
	mov $UART_THR, %dx
	mov $'A', %al
	out %al, %dx

	/* IDT at 0x2000: every vector -> h_default, then specific ones */
	xor %ecx, %ecx
1:	lea h_default(%rip), %rax
	mov %ecx, %edi
	shl $4, %edi
	add $0x2000, %edi
	call set_gate
	inc %ecx
	cmp $256, %ecx
	jne 1b
	lea h_timer(%rip), %rax
	mov $0x2000 + 0x40 * 16, %edi
	call set_gate
	lea h_ipi(%rip), %rax
	mov $0x2000 + 0x41 * 16, %edi
	call set_gate
	lea h_deadline(%rip), %rax
	mov $0x2000 + 0x43 * 16, %edi
	call set_gate
	lea h_periodic(%rip), %rax
	mov $0x2000 + 0x44 * 16, %edi
	call set_gate
	lea h_uart(%rip), %rax
	mov $0x2000 + 0x45 * 16, %edi
	call set_gate
	lea h_pit(%rip), %rax
	mov $0x2000 + 0x46 * 16, %edi
	call set_gate
	lea h_spurious(%rip), %rax
	mov $0x2000 + 0xff * 16, %edi
	call set_gate
	lidt idtr(%rip)

	mov $LAPIC, %ebx
	/* version */
	mov 0x30(%rbx), %eax
	cmp $0x50014, %eax
	je 1f
	mov $'v', %al
	call putc
1:
	/* LAPIC ID of vCPU 0 */
	mov 0x20(%rbx), %eax
	test %eax, %eax
	jz 1f
	mov $'d', %al
	call putc
1:
	/* one-shot timer */
	movl $0x1ff, 0xf0(%rbx)
	movl $0xb, 0x3e0(%rbx)
	movl $0x40, 0x320(%rbx)
	movl $100000000, 0x380(%rbx)	/* 100 ms: room for a slow host */
	mov 0x390(%rbx), %eax
	test %eax, %eax
	jz 2f
	cmp $100000000, %eax
	jbe 1f
2:	mov $'c', %al
	call putc
1:	mov $FLAGS + 0, %edi
	call waitflag
	mov 0x390(%rbx), %eax
	test %eax, %eax
	jz 1f
	mov $'z', %al
	call putc
1:	mov $'T', %al
	call putc

	/* self IPI */
	movl $0x40041, 0x300(%rbx)
	mov $FLAGS + 1, %edi
	call waitflag
	mov $'I', %al
	call putc

	/* IPI with an illegal vector -> ESR send illegal (0x20) */
	movl $0x40005, 0x300(%rbx)
	movl $0, 0x280(%rbx)
	mov 0x280(%rbx), %eax
	cmp $0x20, %eax
	je 1f
	mov $'e', %al
	call putc
1:
	/* TSC deadline, ~2M cycles ahead */
	movl $0x40043, 0x320(%rbx)
	rdtsc
	add $2000000, %eax
	adc $0, %edx
	mov $0x6e0, %ecx
	wrmsr
	mov $FLAGS + 2, %edi
	call waitflag
	mov $0x6e0, %ecx
	rdmsr
	or %edx, %eax
	jz 1f
	mov $'w', %al
	call putc
1:	mov $'D', %al
	call putc

	/* periodic, 200 us, 5 ticks */
	movl $0x20044, 0x320(%rbx)
	movl $200000, 0x380(%rbx)
1:	cli
	cmpl $5, FLAGS + 4
	jae 2f
	sti
	hlt
	jmp 1b
2:	sti
	movl $0x10044, 0x320(%rbx)
	mov $'R', %al
	call putc

	/* the UART's IOAPIC pin -> vector 0x45, UART THRE interrupt */
	mov $IOAPIC, %esi
	movl $IOREDTBL(KHYP_GSI_UART), (%rsi)
	movl $0x45, 0x10(%rsi)
	movl $IOREDTBL(KHYP_GSI_UART) + 1, (%rsi)
	movl $0, 0x10(%rsi)
	movl $0x01, (%rsi)
	mov 0x10(%rsi), %eax
	cmp $0x170020, %eax
	je 1f
	mov $'o', %al
	call putc
1:	mov $UART_IER, %dx
	mov $2, %al
	out %al, %dx
	mov $FLAGS + 3, %edi
	call waitflag
	cmpb $0x02, FLAGS + 0x10
	je 1f
	mov $'i', %al
	call putc
1:	mov $'U', %al
	call putc

	/* PIT channel 0 periodic (mode 2) on its GSI -> vector 0x46 */
	mov $IOAPIC, %esi
	movl $IOREDTBL(KHYP_GSI_PIT), (%rsi)
	movl $0x46, 0x10(%rsi)
	mov $0x34, %al
	out %al, $PIT_CTRL
	mov $0xa9, %al		/* 1193: 1 ms */
	out %al, $PIT_CH0
	mov $0x04, %al
	out %al, $PIT_CH0
1:	cli
	cmpl $3, FLAGS + 8
	jae 2f
	sti
	hlt
	jmp 1b
2:	sti
	mov $0x30, %al		/* back to mode 0, no count: stops IRQ 0 */
	out %al, $PIT_CTRL
	movl $IOREDTBL(KHYP_GSI_PIT), (%rsi)
	movl $0x10046, 0x10(%rsi)
	mov $'Z', %al
	call putc

	/* PM timer advances */
	mov $KHYP_PM_TMR_PORT, %dx
	in %dx, %eax
	mov %eax, %r8d
	mov $100000, %ecx
1:	pause
	loop 1b
	in %dx, %eax
	cmp %eax, %r8d
	jne 1f
	mov $'m', %al
	call putc
1:	mov $'M', %al
	call putc

	/* PIC IMR readback */
	mov $0xfb, %al
	out %al, $PIC_IMR
	in $PIC_IMR, %al
	cmp $0xfb, %al
	je 1f
	mov $'p', %al
	call putc
1:
	/* RTC register B and century */
	mov $0x0b, %al
	out %al, $RTC_INDEX
	in $RTC_DATA, %al
	cmp $0x02, %al
	je 1f
	mov $'q', %al
	call putc
1:	mov $KHYP_RTC_CENTURY_REG, %al
	out %al, $RTC_INDEX
	in $RTC_DATA, %al
	cmp $0x20, %al
	je 1f
	mov $'y', %al
	call putc
1:	mov $'Q', %al
	call putc

	/* PIT channel 2 mode 0, 1 ms: OUT2 in port 0x61 */
	in $KHYP_PORT61, %al
	and $0xfd, %al
	or $0x01, %al
	out %al, $KHYP_PORT61
	mov $0xb0, %al
	out %al, $PIT_CTRL
	mov $0xa9, %al
	out %al, $PIT_CH2
	mov $0x04, %al
	out %al, $PIT_CH2
	in $KHYP_PORT61, %al
	test $0x20, %al
	jz 1f
	mov $'k', %al
	call putc
1:	mov $100000000, %ecx
2:	in $KHYP_PORT61, %al
	test $0x20, %al
	jnz 3f
	loop 2b
	mov $'x', %al
	call putc
3:	mov $'K', %al
	call putc

	/* PCI: address latches, data floats */
	mov $PCI_ADDR, %dx
	mov $0x80000000, %eax
	out %eax, %dx
	in %dx, %eax
	cmp $0x80000000, %eax
	je 1f
	mov $'b', %al
	call putc
1:	mov $PCI_DATA, %dx
	in %dx, %eax
	cmp $0xffffffff, %eax
	je 1f
	mov $'b', %al
	call putc
1:	mov $'B', %al
	call putc

	/* UART loopback test as Linux's autoconfig does it */
	mov $UART_MCR, %dx
	mov $0x1a, %al
	out %al, %dx
	mov $UART_MSR, %dx
	in %dx, %al
	and $0xf0, %al
	cmp $0x90, %al
	je 1f
	mov $'l', %al
	call putc
1:	mov $UART_MCR, %dx
	mov $0x0b, %al
	out %al, %dx

	/* level-triggered UART pin: redelivered after EOI until IIR is read */
	lea h_level(%rip), %rax
	mov $0x2000 + 0x47 * 16, %edi
	call set_gate
	mov $IOAPIC, %esi
	movl $IOREDTBL(KHYP_GSI_UART), (%rsi)
	movl $0x8047, 0x10(%rsi)
	mov $UART_IER, %dx
	mov $2, %al
	out %al, %dx
1:	cli
	cmpl $3, FLAGS + 0x20
	jae 2f
	sti
	hlt
	jmp 1b
2:	sti
	mov $UART_IER, %dx
	xor %al, %al
	out %al, %dx
	movl $IOREDTBL(KHYP_GSI_UART), (%rsi)
	mov 0x10(%rsi), %eax
	test $0x4000, %eax
	jz 1f
	mov $'r', %al
	call putc
1:	mov $'L', %al
	call putc

	/* console input: RDA interrupt (edge again), vector 0x48 */
	lea h_rx(%rip), %rax
	mov $0x2000 + 0x48 * 16, %edi
	call set_gate
	movl $IOREDTBL(KHYP_GSI_UART), (%rsi)
	movl $0x48, 0x10(%rsi)
	mov $UART_IER, %dx
	mov $1, %al
	out %al, %dx
	mov $'W', %al
	call putc
	mov $FLAGS + 0x24, %edi
	call waitflag
	cmpb $0x04, FLAGS + 0x25
	je 1f
	mov $'j', %al
	call putc
1:	mov FLAGS + 0x26, %al
	call putc
	mov $UART_IER, %dx
	xor %al, %al
	out %al, %dx

	/* AP bring-up: INIT, INIT deassert, SIPI x2 to APIC ID 1, twice */
	lea ap_code(%rip), %rsi
	mov $0x8000, %edi
	mov $ap_code_end - ap_code, %ecx
	rep movsb
	mov $1, %r9d
3:	movl $0x01000000, 0x310(%rbx)
	movl $0xc500, 0x300(%rbx)
	movl $0x8500, 0x300(%rbx)
	movl $0x0608, 0x300(%rbx)
	movl $0x0608, 0x300(%rbx)
	mov $200000000, %ecx
1:	cmpb %r9b, FLAGS + 0x30
	je 2f
	pause
	loop 1b
	mov $'n', %al
	call putc
2:	inc %r9d
	cmp $3, %r9d
	jne 3b
	mov $'S', %al
	call putc

	/* leave timers running into the teardown */
	movl $0x20044, 0x320(%rbx)
	movl $100000, 0x380(%rbx)
	mov $0x34, %al
	out %al, $PIT_CTRL
	mov $0xa9, %al
	out %al, $PIT_CH0
	mov $0x04, %al
	out %al, $PIT_CH0
	mov $IOAPIC, %esi
	movl $IOREDTBL(KHYP_GSI_PIT), (%rsi)
	movl $0x46, 0x10(%rsi)

	mov $'P', %al
	call putc
	mov $'\n', %al
	call putc

	/* S5 */
	mov $KHYP_PM1A_CNT_PORT, %dx
	mov $SLP_EN | SLP_TYP(KHYP_SLP_TYP_S5), %ax
	out %ax, %dx
	cli
9:	hlt
	jmp 9b

putc:	push %rdx
	mov $UART_THR, %dx
	out %al, %dx
	pop %rdx
	ret

/* wait until byte at (%rdi) != 0, sleeping in HLT */
waitflag:
1:	cli
	cmpb $0, (%rdi)
	jne 2f
	sti
	hlt
	jmp 1b
2:	sti
	ret

/* rax = handler, rdi = gate address */
set_gate:
	mov %ax, (%rdi)
	movw $0x08, 2(%rdi)
	movw $0x8e00, 4(%rdi)
	shr $16, %rax
	mov %ax, 6(%rdi)
	shr $16, %rax
	mov %eax, 8(%rdi)
	movl $0, 12(%rdi)
	ret

eoi:	push %rbx
	mov $LAPIC, %ebx
	movl $0, 0xb0(%rbx)
	pop %rbx
	ret

h_default:
	mov $'!', %al
	call putc
	cli
1:	hlt
	jmp 1b
h_spurious:
	mov $'s', %al
	call putc
	iretq
h_timer:
	movb $1, FLAGS + 0
	call eoi
	iretq
h_ipi:
	movb $1, FLAGS + 1
	call eoi
	iretq
h_deadline:
	movb $1, FLAGS + 2
	call eoi
	iretq
h_periodic:
	incl FLAGS + 4
	call eoi
	iretq
h_pit:
	incl FLAGS + 8
	call eoi
	iretq
h_uart:
	push %rax
	push %rdx
	mov $UART_IIR, %dx
	in %dx, %al
	mov %al, FLAGS + 0x10
	mov $UART_IER, %dx
	xor %al, %al
	out %al, %dx
	movb $1, FLAGS + 3
	call eoi
	pop %rdx
	pop %rax
	iretq

h_level:
	incl FLAGS + 0x20
	cmpl $3, FLAGS + 0x20
	jb 1f
	push %rax
	push %rdx
	mov $UART_IIR, %dx
	in %dx, %al
	pop %rdx
	pop %rax
1:	call eoi
	iretq
h_rx:
	push %rax
	push %rdx
	mov $UART_IIR, %dx
	in %dx, %al
	mov %al, FLAGS + 0x25
	mov $UART_THR, %dx
	in %dx, %al
	mov %al, FLAGS + 0x26
	movb $1, FLAGS + 0x24
	call eoi
	pop %rdx
	pop %rax
	iretq

	.code16
ap_code:
	xor %ax, %ax
	mov %ax, %ds
	mov FLAGS + 0x30, %al
	add $'a', %al
	mov $UART_THR, %dx
	out %al, %dx
	incb FLAGS + 0x30
	cli
1:	hlt
	jmp 1b
ap_code_end:
	.code64

	.p2align 3
idtr:	.word 0xfff
	.quad 0x2000
dev_guest_end:

	.section .note.GNU-stack, "", @progbits
