// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest for safety_test: vCPU 0 enables its LAPIC, then sends
 * NMI and INIT to all but itself, and INIT, NMI and STARTUP to every other
 * APIC ID below @max_vcpus, forever, while the host creates the vCPUs
 * those IDs belong to.  A platform VM's vCPU never exits to userspace (no
 * ucall): the host sees the storm in the vCPU's MMIO exit count.
 */
#include <linux/khyp_platform.h>
#include "guest.h"

#define APIC_SVR		0xf0
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define ICR_NMI			0x400
#define ICR_INIT		0x500
#define ICR_STARTUP		0x600
#define ICR_ALL_BUT_SELF	(3 << 18)

static void apic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(KHYP_LAPIC_BASE + reg) = val;
}

static void ipi(uint32_t apic_id, uint32_t icr)
{
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, icr);
}

void guest_main(uint64_t max_vcpus)
{
	uint32_t id;

	apic_write(APIC_SVR, 0x1ff);	/* software-enabled, spurious 0xff */
	for (;;) {
		ipi(0, ICR_ALL_BUT_SELF | ICR_NMI);
		ipi(0, ICR_ALL_BUT_SELF | ICR_INIT);
		for (id = 1; id < max_vcpus; id++) {
			ipi(id, ICR_INIT);
			ipi(id, ICR_NMI);
			ipi(id, ICR_STARTUP | 0x10);
		}
	}
}
