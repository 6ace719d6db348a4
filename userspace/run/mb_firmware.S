/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mb_firmware.S - what a Multiboot kernel inherits from a PC BIOS, as
 * SeaBIOS leaves it under QEMU (measured with QEMU 7.2's "info pic",
 * "info lapic" and a PIT read-back; multiboot.c says where it goes).
 * Copied into guest memory at KHYP_MB_FW_ADDR: the real-mode handlers
 * the IVT points at, then the 32-bit code the boot CPU starts in, which
 * programs the devices and enters the kernel (EAX = the Multiboot magic,
 * EBX kept, the entry point in ESI).  Data for khyp-run, code for the
 * guest: never run on the host.
 */
#include <linux/khyp_platform.h>

	.section .rodata, "a"
	.globl mb_fw_start, mb_fw_end, mb_fw_iret, mb_fw_eoi_master
	.globl mb_fw_eoi_slave, mb_fw_init
mb_fw_start:
	.code16
/* Every vector but the PICs': return (SeaBIOS's default handler). */
mb_fw_iret:
	iret
/* The PICs' vectors (0x08-0x0f, 0x70-0x77): EOI, then return. */
mb_fw_eoi_master:
	push %ax
	mov $0x20, %al
	outb %al, $0x20
	pop %ax
	iret
mb_fw_eoi_slave:
	push %ax
	mov $0x20, %al
	outb %al, $0xa0
	outb %al, $0x20
	pop %ax
	iret

	.code32
mb_fw_init:
	/* The 8259s: vectors 0x08 and 0x70, the slave on IRQ 2, 8086 mode. */
	mov $0x11, %al
	outb %al, $0x20
	outb %al, $0xa0
	mov $0x08, %al
	outb %al, $0x21
	mov $0x70, %al
	outb %al, $0xa1
	mov $0x04, %al
	outb %al, $0x21
	mov $0x02, %al
	outb %al, $0xa1
	mov $0x01, %al
	outb %al, $0x21
	outb %al, $0xa1
	/* Unmasked: IRQ 0-2, 6 and 8, 12-14, as SeaBIOS leaves them. */
	mov $0xb8, %al
	outb %al, $0x21
	mov $0x8e, %al
	outb %al, $0xa1
	/* ELCR: IRQ 10 and 11 (PCI INTx) level-triggered. */
	mov $0x0c, %al
	mov $(KHYP_ELCR_PORT + 1), %dx
	outb %al, %dx
	/* PIT channel 0: rate generator, count 65536 (18.2 Hz). */
	mov $0x34, %al
	outb %al, $(KHYP_PIT_PORT + 3)
	xor %al, %al
	outb %al, $KHYP_PIT_PORT
	outb %al, $KHYP_PIT_PORT
	/* The BSP's LAPIC enabled, virtual wire: LINT0 ExtINT, LINT1 NMI. */
	movl $0x1ff, KHYP_LAPIC_BASE + 0xf0
	movl $0x8700, KHYP_LAPIC_BASE + 0x350
	movl $0x8400, KHYP_LAPIC_BASE + 0x360
	mov $0x2badb002, %eax		/* MB_BOOT_MAGIC */
	jmp *%esi
mb_fw_end:

	.section .note.GNU-stack, "", @progbits
