/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit benchmark's guest (vmexit_guest.c), run unchanged by
 * khyp_bench on a khyp platform VM and by kvm_bench on a KVM VM with an
 * in-kernel irqchip: the tests of kvm-unit-tests' x86/vmexit.c, each
 * timed in guest TSC cycles per iteration.  The host fills the request
 * and reads the results at VMEXIT_GPA; the BSP ends with an S5 write to
 * the PM1a control port (khyp powers off; KVM exits to userspace).
 */
#ifndef KHYP_VMEXIT_GUEST_H
#define KHYP_VMEXIT_GUEST_H

#include <stdint.h>

#define VMEXIT_GPA		0x300000
#define VMEXIT_AP_STACK		0x70000
#define VMEXIT_BSP		0	/* guest_main()'s argument */
#define VMEXIT_AP		1	/* APIC ID 1 */

/* The tests, in the order they run. */
enum {
	VMEXIT_CPUID,
	VMEXIT_VMCALL,
	VMEXIT_MOV_FROM_CR8,
	VMEXIT_MOV_TO_CR8,
	VMEXIT_INL_FROM_PMTIMER,
	VMEXIT_IPI,
	VMEXIT_IPI_HALT,
	VMEXIT_TSCDEADLINE,
	VMEXIT_TOGGLE_CR0_WP,
	VMEXIT_TOGGLE_CR4_PGE,
	VMEXIT_NR,
};

static inline const char *vmexit_name(int k)
{
	static const char *const names[VMEXIT_NR] = {
		"cpuid",
		"vmcall",
		"mov_from_cr8",
		"mov_to_cr8",
		"inl_from_pmtimer",
		"ipi",
		"ipi_halt",
		"tscdeadline",
		"toggle_cr0_wp",
		"toggle_cr4_pge",
	};

	return names[k];
}

struct vmexit_bench {
	/* In: from the host. */
	uint64_t iterations;
	uint64_t pm_timer_port;
	/* Out: cycles per iteration, 0 if the test did not finish. */
	uint64_t cycles[VMEXIT_NR];
	uint64_t done;
};

/* The guest's handlers, in vmexit_stubs.S. */
void ud_stub(void);
void ipi_stub(void);
void timer_stub(void);

#endif
