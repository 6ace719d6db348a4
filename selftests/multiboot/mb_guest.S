/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mb_guest.S - a Multiboot v1 kernel for khyp-run (multiboot_test.sh).
 * Built twice: as an ELF32 executable, and with -DAOUT_KLUDGE as a flat
 * binary whose header gives the load addresses.
 *
 * It checks what the loader and khyp-run's devices give it, printing a
 * letter on COM1 per check passed, then writes the digit after "code="
 * on its command line to isa-debug-exit (0xf4).  The first check that
 * fails writes 0x40 + its number there instead:
 *   1 EAX is 0x2BADB002
 *   2 info flags (memory, cmdline, mods, mmap), mem_lower 639
 *   3 "code=D" on the command line
 *   4 module 0 is the 8 bytes "khyp-mb!"
 *   5 fw_cfg signature "QEMU"
 *   6 fw_cfg NB_CPUS 2, MAX_CPUS 3
 *   7 fw_cfg RAM_SIZE 96 MiB, mem_upper at most 95 MiB (QEMU keeps
 *     back a little more)
 *   8 pc-testdev's scratch register and its byte lanes
 *   9 what the BIOS left (SeaBIOS's state under QEMU): the PICs' masks
 *     0xb8/0x8e and ELCR 0x0c00, the BSP's LAPIC enabled with LINT0
 *     ExtINT and LINT1 NMI, a real-mode IVT whose vector 0x80 is an
 *     IRET; and the PIT's IRQ 0 through the master PIC and LINT0, one
 *     interrupt at vector 8, in the PIC's ISR in its handler
 *  10 pc-testdev line 14, through the IOAPIC, one interrupt (vector 0x30)
 * QEMU runs it the same way (multiboot_test.sh says how).
 */
#include <linux/khyp_platform.h>

#define MB_MAGIC	0x1badb002
#ifdef AOUT_KLUDGE
#define MB_FLAGS	0x00010003
#else
#define MB_FLAGS	0x00000003
#endif
#define COM1		KHYP_UART_PORT
#define DEBUG_EXIT	0xf4
#define FW_SEL		0x510
#define FW_DATA		0x511
#define VEC		0x30
#define LINE		14

	.code32
	.text
	.globl _start
	.align 4
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
#ifdef AOUT_KLUDGE
	.long mb_header, mb_header, load_end, _end, _start
#endif

/* fail N: the check number in the exit value */
.macro check_fail n
	mov $(0x40 + \n), %eax
	jmp leave
.endm

/* IDT entry \vec: a 32-bit interrupt gate to \handler */
.macro set_gate vec, handler
	mov $\handler, %eax
	mov %ax, idt + 8 * \vec
	movw $0x08, idt + 8 * \vec + 2
	movw $0x8e00, idt + 8 * \vec + 4
	shr $16, %eax
	mov %ax, idt + 8 * \vec + 6
.endm

.macro putc ch
	mov $\ch, %al
	mov $COM1, %dx
	outb %al, %dx
.endm

/* fw_cfg item \key, \len bytes into %ecx (little endian, len <= 4) */
.macro fw_cfg key, len
	mov $\key, %ax
	mov $FW_SEL, %dx
	outw %ax, %dx
	mov $FW_DATA, %dx
	xor %ecx, %ecx
	.rept \len
	inb %dx, %al
	shrd $8, %eax, %ecx
	.endr
	shr $(32 - 8 * \len), %ecx
.endm

_start:
	cmp $0x2badb002, %eax
	je 1f
	check_fail 1
1:	mov %ebx, %esi			/* the information structure */
	lgdt gdt_desc
	ljmp $0x08, $2f
2:	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $stack_top, %esp
	putc 'a'

	/* 2: memory, cmdline, mods, mmap; 640 KiB - 1 KiB below 1 MiB */
	mov (%esi), %eax
	and $0x4d, %eax
	cmp $0x4d, %eax
	jne 3f
	cmpl $639, 4(%esi)
	je 4f
3:	check_fail 2
4:	putc 'b'

	/* 3: "code=D" */
	mov 16(%esi), %edi
5:	movb (%edi), %al
	test %al, %al
	jz 6f
	cmpl $0x65646f63, (%edi)	/* "code" */
	jne 7f
	cmpb $'=', 4(%edi)
	jne 7f
	movzbl 5(%edi), %eax
	sub $'0', %eax
	cmp $9, %eax
	ja 6f
	mov %eax, code
	jmp 8f
7:	inc %edi
	jmp 5b
6:	check_fail 3
8:	putc 'c'

	/* 4: one module, 8 bytes, "khyp-mb!" */
	cmpl $1, 20(%esi)
	jne 9f
	mov 24(%esi), %edi
	mov (%edi), %eax		/* mod_start */
	mov 4(%edi), %ecx
	sub %eax, %ecx
	cmp $8, %ecx
	jne 9f
	cmpl $0x7079686b, (%eax)	/* "khyp" */
	jne 9f
	cmpl $0x21626d2d, 4(%eax)	/* "-mb!" */
	je 10f
9:	check_fail 4
10:	putc 'd'

	/* 5: fw_cfg signature */
	fw_cfg 0x00, 4
	cmp $0x554d4551, %ecx		/* "QEMU" */
	je 11f
	check_fail 5
11:	putc 'e'

	/* 6: -smp 2,maxcpus=3 */
	fw_cfg 0x05, 2
	cmp $2, %ecx
	jne 12f
	fw_cfg 0x0f, 2
	cmp $3, %ecx
	je 21f
12:	check_fail 6
21:	putc 'f'

	/* 7: RAM size -m 96 (the low 32 bits), mem_upper not beyond it */
	fw_cfg 0x03, 4
	cmp $(96 << 20), %ecx
	jne 13f
	cmpl $((96 - 1) << 10), 8(%esi)
	jbe 14f
13:	check_fail 7
14:	putc 'g'

	/* 8: pc-testdev's scratch register, through 0xe0 and 0xe8 */
	mov $0x12345678, %eax
	mov $0xe0, %dx
	outl %eax, %dx
	mov $0xe9, %dx
	inb %dx, %al
	cmp $0x56, %al
	jne 15f
	mov $0xab, %al
	mov $0xe3, %dx
	outb %al, %dx
	mov $0xe0, %dx
	inl %dx, %eax
	cmp $0xab345678, %eax
	je 16f
15:	check_fail 8
16:	putc 'h'

	/* 9: the BIOS's PICs, LAPIC and IVT, and IRQ 0 through them */
	inb $0x21, %al
	cmp $0xb8, %al
	jne 24f
	inb $0xa1, %al
	cmp $0x8e, %al
	jne 24f
	mov $KHYP_ELCR_PORT, %dx	/* bytewise: QEMU has two 1-byte ports */
	inb %dx, %al
	cmp $0x00, %al
	jne 24f
	inc %dx
	inb %dx, %al
	cmp $0x0c, %al
	jne 24f
	mov KHYP_LAPIC_BASE + 0xf0, %eax	/* SVR (khyp decodes MOV) */
	cmp $0x1ff, %eax
	jne 24f
	mov KHYP_LAPIC_BASE + 0x350, %eax	/* LINT0, less delivery status */
	and $~0x1000, %eax
	cmp $0x8700, %eax
	jne 24f
	mov KHYP_LAPIC_BASE + 0x360, %eax	/* LINT1 */
	and $~0x1000, %eax
	cmp $0x8400, %eax
	jne 24f
	movzwl 0x80 * 4 + 2, %eax		/* IVT[0x80]: segment */
	shl $4, %eax
	movzwl 0x80 * 4, %ecx
	cmpb $0xcf, (%eax, %ecx)		/* IRET */
	jne 24f
	set_gate 8, pic_handler
	lidt idt_desc
	sti
	rdtsc
	lea 1(%edx), %edi		/* 2^32 cycles on: a second or more */
22:	cmpl $0, pic_irqs
	jne 23f
	pause
	rdtsc
	cmp %edi, %edx
	jb 22b
23:	cli
	cmpl $1, pic_irqs
	jne 24f
	cmpl $1, pic_isr
	je 25f
24:	check_fail 9
25:	putc 'i'

	/* 10: line 14 through the IOAPIC (the PICs masked) to vector 0x30 */
	mov $0xff, %al
	outb %al, $0x21
	outb %al, $0xa1
	movl $0x1ff, KHYP_LAPIC_BASE + 0xf0	/* SVR: enabled */
	movl $(0x10 + 2 * LINE), KHYP_IOAPIC_BASE
	movl $VEC, KHYP_IOAPIC_BASE + 0x10	/* edge, fixed, unmasked */
	movl $(0x11 + 2 * LINE), KHYP_IOAPIC_BASE
	movl $0, KHYP_IOAPIC_BASE + 0x10	/* to APIC ID 0 */
	set_gate VEC, irq_handler
	lidt idt_desc
	sti
	mov $1, %al
	mov $(0x2000 + LINE), %dx
	outb %al, %dx
	mov $1000000, %ecx
17:	cmpl $0, irqs
	jne 18f
	pause
	loop 17b
18:	mov $0, %al
	outb %al, %dx
	cli
	cmpl $1, irqs
	je 19f
	check_fail 10
19:	putc 'j'
	putc '\n'
	mov code, %eax

leave:
	mov $DEBUG_EXIT, %dx
	outl %eax, %dx
	/* not reached with isa-debug-exit */
20:	cli
	hlt
	jmp 20b

/* IRQ 0: its ISR bit, masked from now on, EOI'd */
pic_handler:
	push %eax
	mov $0x0b, %al			/* OCW3: read ISR */
	outb %al, $0x20
	inb $0x20, %al
	movzbl %al, %eax
	mov %eax, pic_isr
	mov $0xff, %al
	outb %al, $0x21
	mov $0x20, %al			/* non-specific EOI */
	outb %al, $0x20
	incl pic_irqs
	pop %eax
	iret

irq_handler:
	incl irqs
	movl $0, KHYP_LAPIC_BASE + 0xb0		/* EOI */
	iret

	.align 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: flat data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
	.align 4
idt_desc:
	.word 256 * 8 - 1
	.long idt
code:	.long 0
irqs:	.long 0
pic_irqs: .long 0
pic_isr: .long 0
load_end:

	.bss
	.align 16
idt:	.skip 256 * 8
	.skip 4096
stack_top:
