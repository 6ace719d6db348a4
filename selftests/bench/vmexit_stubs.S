/* SPDX-License-Identifier: GPL-2.0 */
/* The exception and interrupt handlers of vmexit_guest.c. */
#include "guest_irq_stub.S"

/* #UD: where a hypervisor refuses VMMCALL, step over it (3 bytes). */
	.globl ud_stub
ud_stub:
	addq $3, (%rsp)
	iretq

	x2apic_irq_stub ipi_stub, ipi_seen
	x2apic_irq_stub timer_stub, timer_seen

	.section .note.GNU-stack, "", @progbits
