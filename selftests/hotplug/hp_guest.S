/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code for the hotplug selftests: a real-mode stand-in for the AML
 * khyp-run's DSDT gives a Linux guest (\_GPE._E02 -> \_SB.CPUS.CSCN).  It
 * waits for GPE0 status bit KHYP_GPE_CPU_HOTPLUG, clears it, then walks the CPU hotplug
 * register block the way CSCN does: for each CPU with an event, an insert
 * is acknowledged with _OST(1, 0); a remove request is answered with
 * _OST(3, 0x84), eject, _OST(3, 0); passes repeat until one finds no
 * event.  %esi holds the number of CPU slots.
 * Runs from GPA 0x1000 (CS = 0).  A hostile variant: with a non-zero byte
 * at HP_GUEST_FLOOD, every pass of the wait loop also writes _OST(1, 0)
 * for the next slot in turn, whether or not anything happened to it.
 */
#include <linux/khyp_platform.h>
#include "hp_guest.h"

#define GPE0_STS	KHYP_GPE0_PORT
#define GPE_BIT		(1 << KHYP_GPE_CPU_HOTPLUG)
#define CPUHP_SEL	(KHYP_CPUHP_BASE + KHYP_CPUHP_SEL)
#define CPUHP_FLAGS	(KHYP_CPUHP_BASE + KHYP_CPUHP_FLAGS)
#define CPUHP_CMD	(KHYP_CPUHP_BASE + KHYP_CPUHP_CMD)
#define CPUHP_DATA	(KHYP_CPUHP_BASE + KHYP_CPUHP_DATA)

	.section .rodata
	.globl hp_guest_start, hp_guest_end
	.code16
hp_guest_start:
wait:
	cmpb $0, HP_GUEST_FLOOD
	je 1f
	inc %ebp			/* the slot to flood, round robin */
	cmp %esi, %ebp
	jb 2f
	xor %ebp, %ebp
2:	mov $CPUHP_SEL, %dx
	mov %ebp, %eax
	outl %eax, %dx
	mov $1, %ecx
	xor %edi, %edi
	call ost
1:	mov $GPE0_STS, %dx
	inb %dx, %al
	test $GPE_BIT, %al
	jnz event
	pause
	jmp wait
event:
	mov $GPE_BIT, %al
	outb %al, %dx			/* write 1 to clear */
rescan:
	xor %ebx, %ebx			/* uid */
	xor %bp, %bp			/* events handled in this pass */
scan:
	cmp %esi, %ebx
	jae done
	mov $CPUHP_SEL, %dx
	mov %ebx, %eax
	outl %eax, %dx
	mov $CPUHP_CMD, %dx
	mov $KHYP_CPUHP_CMD_NEXT_EVENT, %al
	outb %al, %dx			/* next CPU with an event */
	mov $CPUHP_DATA, %dx
	inl %dx, %eax
	cmp %ebx, %eax
	jb done				/* wrapped around: pass done */
	mov %eax, %ebx
	mov $CPUHP_FLAGS, %dx
	inb %dx, %al
	test $KHYP_CPUHP_F_INSERT, %al
	jz 1f
	mov $1, %bp
	mov $KHYP_CPUHP_F_INSERT, %al
	outb %al, %dx			/* clear the insert event */
	mov $1, %ecx
	xor %edi, %edi
	call ost
	mov $CPUHP_FLAGS, %dx
	inb %dx, %al
1:	test $KHYP_CPUHP_F_REMOVE, %al
	jnz remove
next:
	inc %ebx
	jmp scan
done:
	test %bp, %bp			/* until a pass finds nothing */
	jnz rescan
	jmp wait
remove:
	mov $1, %bp
	mov $KHYP_CPUHP_F_REMOVE, %al
	outb %al, %dx			/* clear the remove event */
	mov $3, %ecx
	mov $0x84, %edi			/* eject in progress */
	call ost
	mov $CPUHP_FLAGS, %dx
	mov $KHYP_CPUHP_F_EJECT, %al
	outb %al, %dx			/* _EJ0 */
	mov $3, %ecx
	xor %edi, %edi
	call ost
	jmp next
/* _OST(event %ecx, status %edi) for the selected CPU */
ost:
	mov $CPUHP_CMD, %dx
	mov $KHYP_CPUHP_CMD_OST_EVENT, %al
	outb %al, %dx
	mov $CPUHP_DATA, %dx
	mov %ecx, %eax
	outl %eax, %dx
	mov $CPUHP_CMD, %dx
	mov $KHYP_CPUHP_CMD_OST_STATUS, %al
	outb %al, %dx
	mov $CPUHP_DATA, %dx
	mov %edi, %eax
	outl %eax, %dx
	ret
hp_guest_end:
	.section .note.GNU-stack,"",@progbits
