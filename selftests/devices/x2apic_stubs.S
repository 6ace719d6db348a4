/* SPDX-License-Identifier: GPL-2.0 */
/* The exception and interrupt handlers of x2apic_guest.c. */
#include "guest_irq_stub.h"

/* #GP: count it and step over the 2-byte RDMSR or WRMSR. */
	.globl gp_stub
gp_stub:
	lock incq gp_count(%rip)
	addq $2, 8(%rsp)		/* RIP, above the error code */
	addq $8, %rsp
	iretq

	x2apic_irq_stub self_stub, self_ipis
	x2apic_irq_stub phys_stub, phys_ipis
	x2apic_irq_stub logical_stub, logical_ipis
	x2apic_irq_stub broadcast_stub, broadcasts
	x2apic_irq_stub timer_stub, timer_irqs
	x2apic_irq_stub halt_stub, halt_irqs
	x2apic_irq_stub tpr_stub, tpr_irqs

	.section .note.GNU-stack, "", @progbits
