// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC at 0xfec00000: 24 pins, version 0x20 (with an EOI register),
 * routing the ISA and ACPI interrupt lines to the LAPICs.
 *
 * Lines are logical levels (1 = asserted): the polarity bit is stored but
 * not applied, so a table that says active-low for a line the device model
 * asserts as 1 still works (QEMU and KVM do the same).  Edge pins deliver
 * on a rising line; level pins deliver while the line is asserted and no
 * EOI is outstanding (remote IRR).
 *
 * Interrupts arrive from any context (the PIT's hrtimer in hardirq, vCPU
 * threads, the netlink side raising the SCI), so the state sits under a
 * raw spinlock.  Delivery to the LAPICs happens under it, which orders the
 * locks IOAPIC -> LAPIC; a LAPIC calls back (EOI) without its own lock.
 */
#include <linux/seq_file.h>
#include "../khyp.h"
#include "../platform.h"

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_EOI		0x40

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10	/* two registers per pin */

#define IOAPIC_VERSION		(((KHYP_IOAPIC_PINS - 1) << 16) | 0x20)

#define RTE_VECTOR		0xffULL
#define RTE_DM_SHIFT		8
#define RTE_DEST_LOGICAL	BIT_ULL(11)
#define RTE_DELIVS		BIT_ULL(12)	/* read-only, always idle */
#define RTE_POLARITY		BIT_ULL(13)
#define RTE_REMOTE_IRR		BIT_ULL(14)	/* read-only */
#define RTE_LEVEL		BIT_ULL(15)
#define RTE_MASKED		BIT_ULL(16)
#define RTE_DEST_SHIFT		56
#define RTE_WRITABLE		(GENMASK_ULL(63, 56) | RTE_MASKED | RTE_LEVEL | \
				 RTE_POLARITY | RTE_DEST_LOGICAL | \
				 GENMASK_ULL(10, 0))

struct khyp_ioapic {
	struct khyp_vm *vm;
	struct khyp_io_dev mmio;
	raw_spinlock_t lock;
	u32 regsel;
	u32 id;			/* bits 27:24 of register 0 */
	u32 lines;		/* asserted input lines, one bit per pin */
	u64 rte[KHYP_IOAPIC_PINS];
};

static void ioapic_service_locked(struct khyp_ioapic *io, unsigned int pin)
{
	u64 rte = io->rte[pin];
	struct khyp_apic_irq irq = {
		.dest = rte >> RTE_DEST_SHIFT,
		.vector = rte & RTE_VECTOR,
		.delivery_mode = (rte >> RTE_DM_SHIFT) & 7,
		.logical = rte & RTE_DEST_LOGICAL,
		.level_trig = rte & RTE_LEVEL,
		.level = true,
	};
	int n;

	lockdep_assert_held(&io->lock);
	if (rte & RTE_MASKED)
		return;
	if (irq.level_trig && (rte & RTE_REMOTE_IRR))
		return;
	n = khyp_lapic_deliver(io->vm, NULL, &irq);
	/*
	 * Only a fixed or lowest-priority interrupt is ever EOI'd; remote
	 * IRR on anything else would block the pin for good.
	 */
	if (irq.level_trig && n && (irq.delivery_mode == KHYP_DM_FIXED ||
				    irq.delivery_mode == KHYP_DM_LOWEST))
		io->rte[pin] |= RTE_REMOTE_IRR;
}

void khyp_ioapic_set_irq(struct khyp_ioapic *io, unsigned int pin, int level)
{
	unsigned long flags;
	u32 bit;
	bool was;

	if (!io || pin >= KHYP_IOAPIC_PINS)
		return;
	bit = BIT(pin);
	raw_spin_lock_irqsave(&io->lock, flags);
	was = io->lines & bit;
	if (level) {
		io->lines |= bit;
		if ((io->rte[pin] & RTE_LEVEL) || !was)
			ioapic_service_locked(io, pin);
	} else {
		io->lines &= ~bit;
	}
	raw_spin_unlock_irqrestore(&io->lock, flags);
}

static void ioapic_eoi_locked(struct khyp_ioapic *io, u8 vector)
{
	unsigned int pin;

	lockdep_assert_held(&io->lock);
	for (pin = 0; pin < KHYP_IOAPIC_PINS; pin++) {
		u64 rte = io->rte[pin];

		if ((rte & RTE_VECTOR) != vector || !(rte & RTE_LEVEL) ||
		    !(rte & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		/* Still asserted: the device wants service again. */
		if (io->lines & BIT(pin))
			ioapic_service_locked(io, pin);
	}
}

void khyp_ioapic_eoi(struct khyp_vm *vm, u8 vector)
{
	struct khyp_ioapic *io = vm->platform ? vm->platform->ioapic : NULL;
	unsigned long flags;

	if (!io)
		return;
	raw_spin_lock_irqsave(&io->lock, flags);
	ioapic_eoi_locked(io, vector);
	raw_spin_unlock_irqrestore(&io->lock, flags);
}

static u32 ioapic_read_reg_locked(struct khyp_ioapic *io)
{
	u32 reg = io->regsel;
	unsigned int pin;

	lockdep_assert_held(&io->lock);
	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION;
	}
	if (reg < IOAPIC_REG_REDIR)
		return 0;
	pin = (reg - IOAPIC_REG_REDIR) >> 1;
	if (pin >= KHYP_IOAPIC_PINS)
		return 0;
	if (reg & 1)
		return io->rte[pin] >> 32;
	return (u32)io->rte[pin];
}

static void ioapic_write_reg_locked(struct khyp_ioapic *io, u32 val)
{
	u32 reg = io->regsel;
	unsigned int pin;
	u64 old, rte;

	lockdep_assert_held(&io->lock);
	if (reg == IOAPIC_REG_ID) {
		io->id = val & GENMASK(27, 24);
		return;
	}
	if (reg < IOAPIC_REG_REDIR)
		return;		/* version, arbitration: read-only */
	pin = (reg - IOAPIC_REG_REDIR) >> 1;
	if (pin >= KHYP_IOAPIC_PINS)
		return;
	old = io->rte[pin];
	if (reg & 1)
		rte = (old & 0xffffffffULL) | ((u64)val << 32);
	else
		rte = (old & ~0xffffffffULL) | val;
	rte = (rte & RTE_WRITABLE) | (old & RTE_REMOTE_IRR);
	/* An edge pin has no EOI to wait for. */
	if (!(rte & RTE_LEVEL))
		rte &= ~RTE_REMOTE_IRR;
	io->rte[pin] = rte;
	/* Unmasking (or retargeting) a level line that is still asserted. */
	if ((rte & RTE_LEVEL) && (io->lines & BIT(pin)))
		ioapic_service_locked(io, pin);
}

static int ioapic_mmio_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			    u64 offset, void *val, int len)
{
	struct khyp_ioapic *io = container_of(dev, struct khyp_ioapic, mmio);
	unsigned long flags;
	u64 v = 0;

	raw_spin_lock_irqsave(&io->lock, flags);
	switch (offset & ~3ULL) {
	case IOAPIC_REGSEL:
		v = io->regsel;
		break;
	case IOAPIC_WINDOW:
		v = ioapic_read_reg_locked(io);
		break;
	}
	raw_spin_unlock_irqrestore(&io->lock, flags);
	khyp_io_put(val, len, v >> ((offset & 3) * 8));
	return 0;
}

static int ioapic_mmio_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			     u64 offset, const void *val, int len)
{
	struct khyp_ioapic *io = container_of(dev, struct khyp_ioapic, mmio);
	u32 v = khyp_io_get(val, len);
	unsigned long flags;

	raw_spin_lock_irqsave(&io->lock, flags);
	switch (offset) {
	case IOAPIC_REGSEL:
		/* Byte writes are common here; the index is 8 bits. */
		io->regsel = v & 0xff;
		break;
	case IOAPIC_WINDOW:
		if (len >= 4)
			ioapic_write_reg_locked(io, v);
		break;
	case IOAPIC_EOI:
		ioapic_eoi_locked(io, v & 0xff);
		break;
	}
	raw_spin_unlock_irqrestore(&io->lock, flags);
	return 0;
}

static const struct khyp_io_range ioapic_ranges[] = {
	KHYP_IO_RANGE(struct khyp_ioapic, mmio, KHYP_IOAPIC_BASE,
		      KHYP_IOAPIC_SIZE, "ioapic", ioapic_mmio_read,
		      ioapic_mmio_write),
};

static void ioapic_debug_show(struct seq_file *m, void *state)
{
	struct khyp_ioapic *io = state;
	unsigned long flags;
	unsigned int pin;

	raw_spin_lock_irqsave(&io->lock, flags);
	seq_printf(m, "ioapic: lines %#x\n", io->lines);
	for (pin = 0; pin < KHYP_IOAPIC_PINS; pin++)
		if (!(io->rte[pin] & RTE_MASKED) || (io->lines & BIT(pin)))
			seq_printf(m, "  pin %u: rte %#llx\n", pin, io->rte[pin]);
	raw_spin_unlock_irqrestore(&io->lock, flags);
}

static void ioapic_init(struct khyp_platform *p, void *state)
{
	struct khyp_ioapic *io = state;
	unsigned int pin;

	io->vm = p->vm;
	raw_spin_lock_init(&io->lock);
	for (pin = 0; pin < KHYP_IOAPIC_PINS; pin++)
		io->rte[pin] = RTE_MASKED;
	p->ioapic = io;
}

const struct khyp_platform_dev khyp_ioapic_dev = {
	KHYP_PLATFORM_DEV("ioapic", struct khyp_ioapic, KHYP_BUS_MMIO,
			  ioapic_ranges),
	.init = ioapic_init,
	.debug_show = ioapic_debug_show,
};
