/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated PC of a platform VM (KHYP_VM_PLATFORM): one LAPIC per vCPU,
 * an IOAPIC, two 8259As, an i8254, the CMOS RTC, a 16550A, the ACPI PM
 * registers and an empty PCI configuration space.
 *
 * The fixed address map, ports and interrupt lines are an ABI with the
 * launcher, which describes them to the guest in its ACPI tables (MADT,
 * FADT, DSDT): uapi/linux/khyp_platform.h.
 */
#ifndef KHYP_PLATFORM_H
#define KHYP_PLATFORM_H

#include <linux/types.h>
#include "khyp.h"
#include "../uapi/linux/khyp_platform.h"

/* The LAPIC timer counts at 1 GHz before the divider, as KVM's does. */
#define KHYP_APIC_BUS_HZ	1000000000ULL

#define KHYP_MSR_APICBASE	0x0000001b
#define KHYP_MSR_TSC_DEADLINE	0x000006e0

struct seq_file;
struct khyp_ioapic;
struct khyp_pic;
struct khyp_uart;
struct khyp_acpi_pm;

struct khyp_platform {
	struct khyp_vm *vm;
	/* Indexed by vCPU id; readers walk it under RCU from any context. */
	struct khyp_lapic __rcu **lapics;
	u32 nr_lapics;

	/* The devices interrupt routing reaches, set by their init. */
	struct khyp_ioapic *ioapic;
	struct khyp_pic *pic;
	struct khyp_uart *uart;
	struct khyp_acpi_pm *acpi_pm;

	void *state[];	/* each device's, in table order (platform.c) */
};

/*
 * One device of the PC, an entry of the table devices/platform.c builds
 * in order and tears down in reverse.  Building one allocates @size zeroed
 * bytes of state, runs @init and claims @ranges on @bus; tearing it down
 * releases the ranges, runs @destroy and frees the state.
 */
struct khyp_platform_dev {
	const char *name;
	size_t size;
	enum khyp_bus_kind bus;
	const struct khyp_io_range *ranges;
	unsigned int nr_ranges;
	/* Fill the state in; nothing can reach it yet. */
	void (*init)(struct khyp_platform *p, void *state);
	/* Optional: stop what could still touch the state (its timer). */
	void (*destroy)(void *state);
	/* Optional: its part of debugfs vm<ID>/state; takes its lock. */
	void (*debug_show)(struct seq_file *m, void *state);
	/* Optional: the KHYP_VM_* flag that leaves it out of the VM. */
	u32 omitted_by;
};

/* The fields every entry fills: name, state type, bus, range table. */
#define KHYP_PLATFORM_DEV(_name, type, _bus, r)				\
	.name = (_name), .size = sizeof(type), .bus = (_bus),		\
	.ranges = (r), .nr_ranges = ARRAY_SIZE(r)

extern const struct khyp_platform_dev khyp_lapic_dev, khyp_ioapic_dev,
	khyp_pic_dev, khyp_pit_dev, khyp_rtc_dev, khyp_uart_dev,
	khyp_acpi_pm_dev, khyp_pci_cfg_dev;

/* ---- interfaces for the rest of khyp ---- */

/*
 * Drive a legacy interrupt line.  @gsi is an IOAPIC pin; GSIs below 16 are
 * also the ISA IRQ of the same number on the 8259As, except GSI 2, which is
 * ISA IRQ 0 (the slave's cascade sits on IRQ 2).  @level is the logical
 * state (1 = asserted) whatever the pin's polarity.  Edge devices assert
 * then deassert.  Any context, including hardirq.
 */
void khyp_irq_line(struct khyp_vm *vm, unsigned int gsi, int level);

/*
 * Set GPE0 status bit @bit (0..15) and raise the SCI if that GPE is
 * enabled.  Process or atomic context.  No-op for bare VMs.
 */
void khyp_acpi_pm_raise_gpe(struct khyp_vm *vm, unsigned int bit);
/* The ACPI power button (QMP system_powerdown): PWRBTN_STS, SCI. */
void khyp_acpi_pm_power_button(struct khyp_vm *vm);

/* Debugfs vm<ID>/state: each device's dump, in table order. */
void khyp_platform_debug_show(struct seq_file *m, struct khyp_vm *vm);

/* ---- between the devices (platform internal) ---- */

/* Interrupt message as the IOAPIC and the ICR describe it. */
struct khyp_apic_irq {
	u32 dest;		/* 8-bit xAPIC or 32-bit x2APIC destination */
	bool x2apic;		/* @dest is x2APIC's (an x2APIC ICR write) */
	u8 vector;
	u8 delivery_mode;	/* APIC_DM_* >> 8: 0 fixed ... 7 ExtINT */
	bool logical;		/* destination mode */
	bool level_trig;	/* trigger mode */
	bool level;		/* level-assert (only INIT cares) */
	u8 shorthand;		/* 0 none, 1 self, 2 all, 3 all but self */
};

/* Delivery modes (bits 10:8 of an ICR or redirection entry). */
#define KHYP_DM_FIXED		0
#define KHYP_DM_LOWEST		1
#define KHYP_DM_SMI		2
#define KHYP_DM_NMI		4
#define KHYP_DM_INIT		5
#define KHYP_DM_STARTUP		6
#define KHYP_DM_EXTINT		7

/*
 * Deliver @irq to the LAPICs it names; @src is the sending vCPU for ICR
 * writes (shorthands need it), NULL for the IOAPIC.  Returns the number
 * of LAPICs that accepted it.  Any context.
 */
int khyp_lapic_deliver(struct khyp_vm *vm, struct khyp_vcpu *src,
		       const struct khyp_apic_irq *irq);
int khyp_lapic_create(struct khyp_vcpu *vcpu);
void khyp_lapic_destroy(struct khyp_vcpu *vcpu);
void khyp_lapic_debug_show(struct seq_file *m, struct khyp_vcpu *vcpu);

void khyp_ioapic_set_irq(struct khyp_ioapic *ioapic, unsigned int pin,
			 int level);
/* A LAPIC EOI'd a level-triggered @vector: clear remote IRR, redeliver. */
void khyp_ioapic_eoi(struct khyp_vm *vm, u8 vector);

void khyp_pic_set_irq(struct khyp_pic *pic, unsigned int irq, int level);
/*
 * ExtINT (pic.c): the vector the PICs' INTA cycle would give now, or -1,
 * with the request in *@irq; then, once the guest took that vector, its
 * acknowledgement.  Callers hold no PIC lock; a LAPIC's may be held.
 */
#define KHYP_PIC_SPURIOUS_SLAVE	16	/* *@irq: the slave's spurious IRQ 7 */
int khyp_pic_intr(struct khyp_pic *pic, int *irq);
void khyp_pic_intack(struct khyp_pic *pic, int irq);
/* The PICs' INT went up: every LAPIC that takes ExtINT looks again. */
void khyp_lapic_extint_kick(struct khyp_vm *vm);

/* Little-endian value of an access of @len bytes (1, 2, 4 or 8). */
static inline u64 khyp_io_get(const void *val, int len)
{
	switch (len) {
	case 1:
		return *(const u8 *)val;
	case 2:
		return *(const u16 *)val;
	case 4:
		return *(const u32 *)val;
	default:
		return *(const u64 *)val;
	}
}

static inline void khyp_io_put(void *val, int len, u64 v)
{
	switch (len) {
	case 1:
		*(u8 *)val = v;
		break;
	case 2:
		*(u16 *)val = v;
		break;
	case 4:
		*(u32 *)val = v;
		break;
	default:
		*(u64 *)val = v;
		break;
	}
}

#endif /* KHYP_PLATFORM_H */
