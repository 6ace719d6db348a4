/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guest for safety_test's register race, run from GPA 0x1000:
 * the host writes all GPRs with one value and ES, FS and GS with one
 * selector, in SET_REGS and SET_SREGS, and starts the vCPU from another
 * thread.  A vCPU that runs with a half-written set sees two values:
 * that is reported on TEST_PORT_REPORT; a consistent set says DONE.
 * SET_REGS also resets RIP here, so the GPRs are always checked whole.
 */
#include "test_abi.h"
#include "safety_guest.h"

	.section .rodata
	.globl race_guest_start, race_guest_end
	.code16
race_guest_start:
	cmp %eax, %ebx
	jne gprs
	cmp %eax, %ecx
	jne gprs
	cmp %eax, %edx
	jne gprs
	cmp %eax, %esi
	jne gprs
	cmp %eax, %edi
	jne gprs
	cmp %eax, %ebp
	jne gprs
	xor %dx, %dx			/* segment reads so far */
segs:
	mov %es, %bx
	mov %fs, %cx
	cmp %bx, %cx
	jne segs_again
	mov %gs, %cx
	cmp %bx, %cx
	jne segs_again
	out %al, $TEST_PORT_DONE
	jmp spin
gprs:
	mov $RACE_GPRS_MIXED, %eax
	out %eax, $TEST_PORT_REPORT
	jmp spin
segs_again:
	/*
	 * A stop between two reads lets a whole new set in (SET_SREGS
	 * leaves RIP alone): only a second mismatch in a row is half-written.
	 */
	inc %dx
	cmp $2, %dx
	jb segs
	mov $RACE_SEGS_MIXED, %eax
	out %eax, $TEST_PORT_REPORT
spin:					/* not HLT: SET_REGS leaves a halt */
	pause
	jmp spin
race_guest_end:

/*
 * For the parked-SET_SREGS test: report the ES selector this run
 * started with, then spin.
 */
	.globl es_report_guest_start, es_report_guest_end
es_report_guest_start:
	mov %es, %ax
	out %ax, $TEST_PORT_REPORT
1:	pause
	jmp 1b
es_report_guest_end:
	.section .note.GNU-stack,"",@progbits
