// SPDX-License-Identifier: GPL-2.0
/*
 * Two cascaded 8259A PICs (0x20-0x21, 0xa0-0xa1) and the ELCR (0x4d0-0x4d1).
 *
 * The PICs latch requests, run the ICW1-4 init sequence, read back IMR,
 * IRR and ISR (OCW3), take EOIs and rotations (OCW2) and answer poll
 * commands.  Their INT output reaches the LAPICs that take it as ExtINT
 * (LVT LINT0 unmasked in ExtINT mode, or the APIC disabled in
 * IA32_APIC_BASE: lapic.c), which ask for the vector with
 * khyp_pic_intr() and acknowledge the one their guest took with
 * khyp_pic_intack(), the INTA cycle.  A guest with an IOAPIC and the
 * MADT's PCAT_COMPAT flag probes them (probe_8259A needs the IMR to read
 * back, or it picks the "null" PIC and Linux ends up with no legacy
 * IRQs), masks them and routes everything through the IOAPIC; firmware
 * left-overs and real-mode code use them through LINT0.
 *
 * Lines arrive from khyp_irq_line() in any context (the PIT's hrtimer is
 * hardirq), hence the raw spinlock.  The LAPICs' locks nest outside it:
 * nothing here calls into a LAPIC with it held.
 */
#include "../khyp.h"
#include "../platform.h"

enum pic_init {
	PIC_READY,
	PIC_ICW2,
	PIC_ICW3,
	PIC_ICW4,
};

struct pic_chip {
	u8 irr;			/* latched requests */
	u8 isr;			/* in service */
	u8 imr;
	u8 lines;		/* current input levels, for edge detection */
	u8 elcr;		/* level-triggered inputs */
	u8 elcr_mask;		/* inputs that may be level-triggered */
	u8 vector_base;		/* ICW2 */
	u8 icw3;
	u8 lowest_prio;		/* rotation: the input with least priority */
	enum pic_init init;
	bool need_icw4;
	bool single;
	bool read_isr;		/* OCW3 RR/RIS: the command port reads ISR */
	bool poll;		/* OCW3 P: next command read is a poll */
	bool special_mask;
	bool auto_eoi;
	bool rotate_on_aeoi;
	bool special_nested;	/* ICW4 SFNM: the slave's input nests */
	struct khyp_io_dev io;	/* command and data ports */
	struct khyp_pic *pic;
};

struct khyp_pic {
	raw_spinlock_t lock;
	struct khyp_vm *vm;
	struct pic_chip chip[2];	/* master, slave */
	struct khyp_io_dev elcr;
};

/* The highest-priority input set in @bits, or -1. */
static int pic_highest(const struct pic_chip *c, u8 bits)
{
	int i, irq;

	for (i = 1; i <= 8; i++) {
		irq = (c->lowest_prio + i) & 7;
		if (bits & BIT(irq))
			return irq;
	}
	return -1;
}

static void pic_set_line(struct pic_chip *c, unsigned int irq, bool level)
{
	u8 bit = BIT(irq);

	if (level) {
		/* Edge inputs latch on the rising edge only. */
		if ((c->elcr & bit) || !(c->lines & bit))
			c->irr |= bit;
		c->lines |= bit;
	} else {
		c->lines &= ~bit;
		if (c->elcr & bit)
			c->irr &= ~bit;
	}
}

/* 0 is the highest priority, 7 the lowest (after rotation). */
static unsigned int pic_prio(const struct pic_chip *c, int irq)
{
	return (irq - c->lowest_prio - 1) & 7;
}

/*
 * The input the chip's INT output requests, or -1: the highest unmasked
 * request above every input in service.  Special mask mode leaves the
 * masked inputs in service out, and in special fully nested mode the
 * master lets the slave interrupt its own service.
 */
static int pic_output(const struct pic_chip *c)
{
	int irq = pic_highest(c, c->irr & ~c->imr);
	u8 isr = c->isr;
	int cur;

	if (irq < 0)
		return -1;
	if (c->special_mask)
		isr &= ~c->imr;
	if (c->special_nested && c == &c->pic->chip[0])
		isr &= ~BIT(2);
	cur = pic_highest(c, isr);
	if (cur >= 0 && pic_prio(c, cur) <= pic_prio(c, irq))
		return -1;
	return irq;
}

/* The slave's INT output is the master's input 2. */
static void pic_update_cascade(struct khyp_pic *pic)
{
	pic_set_line(&pic->chip[0], 2, pic_output(&pic->chip[1]) >= 0);
}

/* The INTA cycle on one chip: @irq goes from request to service. */
static void pic_intack(struct pic_chip *c, int irq)
{
	/* A level input still asserted requests again at once. */
	if (!(c->elcr & BIT(irq)))
		c->irr &= ~BIT(irq);
	if (!c->auto_eoi)
		c->isr |= BIT(irq);
	else if (c->rotate_on_aeoi)
		c->lowest_prio = irq;
}

/* Whether the master's INT is asserted: callers then kick the LAPICs. */
static bool pic_int_locked(struct khyp_pic *pic)
{
	lockdep_assert_held(&pic->lock);
	return pic_output(&pic->chip[0]) >= 0;
}

static void pic_kick(struct khyp_pic *pic, bool intr)
{
	if (intr)
		khyp_lapic_extint_kick(pic->vm);
}

void khyp_pic_set_irq(struct khyp_pic *pic, unsigned int irq, int level)
{
	unsigned long flags;
	bool intr;

	if (!pic || irq >= 16)
		return;
	raw_spin_lock_irqsave(&pic->lock, flags);
	pic_set_line(&pic->chip[irq >> 3], irq & 7, level);
	if (irq >= 8)
		pic_update_cascade(pic);
	intr = pic_int_locked(pic);
	raw_spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, intr);
}

/*
 * The vector an INTA cycle would read now, or -1 if INT is low; *@irq
 * says which request it acknowledges (ISA IRQ 0-15, or
 * KHYP_PIC_SPURIOUS_SLAVE: the cascade, with nothing left on the slave,
 * which answers with its IRQ 7's vector).
 */
int khyp_pic_intr(struct khyp_pic *pic, int *irq)
{
	struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	unsigned long flags;
	int mi, si, v;

	raw_spin_lock_irqsave(&pic->lock, flags);
	mi = pic_output(m);
	if (mi < 0) {
		v = -1;
	} else if (mi != 2 || m->single) {
		*irq = mi;
		v = m->vector_base + mi;
	} else {
		si = pic_output(s);
		*irq = si < 0 ? KHYP_PIC_SPURIOUS_SLAVE : 8 + si;
		v = s->vector_base + (si < 0 ? 7 : si);
	}
	raw_spin_unlock_irqrestore(&pic->lock, flags);
	return v;
}

/*
 * The guest took the vector khyp_pic_intr() gave for @irq: acknowledge
 * that request, as the INTA cycle of its delivery did.
 */
void khyp_pic_intack(struct khyp_pic *pic, int irq)
{
	unsigned long flags;
	bool intr;

	raw_spin_lock_irqsave(&pic->lock, flags);
	if (irq < 8) {
		pic_intack(&pic->chip[0], irq);
	} else {
		if (irq != KHYP_PIC_SPURIOUS_SLAVE)
			pic_intack(&pic->chip[1], irq - 8);
		pic_intack(&pic->chip[0], 2);
		pic_update_cascade(pic);
	}
	intr = pic_int_locked(pic);
	raw_spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, intr);
}

/* Poll command: acknowledge the highest pending request, as INTA would. */
static u8 pic_poll(struct pic_chip *c)
{
	int irq = pic_highest(c, c->irr & ~c->imr);

	if (irq < 0)
		return 0;
	pic_intack(c, irq);
	return 0x80 | irq;
}

static void pic_eoi(struct pic_chip *c, int irq, bool rotate)
{
	if (irq < 0)
		return;
	c->isr &= ~BIT(irq);
	if (rotate)
		c->lowest_prio = irq;
}

static void pic_write_cmd(struct pic_chip *c, u8 v)
{
	if (v & 0x10) {
		/* ICW1: restart initialisation. */
		c->init = PIC_ICW2;
		c->need_icw4 = v & 0x01;
		c->single = v & 0x02;
		c->imr = 0;
		c->isr = 0;
		c->irr &= c->elcr & c->lines;
		c->lowest_prio = 7;
		c->read_isr = false;
		c->poll = false;
		c->special_mask = false;
		c->auto_eoi = false;
		c->rotate_on_aeoi = false;
		c->special_nested = false;
		return;
	}
	if (v & 0x08) {
		/* OCW3 */
		if (v & 0x04)
			c->poll = true;
		if (v & 0x02)
			c->read_isr = v & 0x01;
		if (v & 0x40)
			c->special_mask = v & 0x20;
		return;
	}
	/* OCW2: bits 7:5 are R, SL, EOI. */
	switch (v >> 5) {
	case 0:			/* rotate in auto-EOI mode: clear */
		c->rotate_on_aeoi = false;
		break;
	case 4:			/* rotate in auto-EOI mode: set */
		c->rotate_on_aeoi = true;
		break;
	case 1:			/* non-specific EOI */
	case 5:			/* rotate on non-specific EOI */
		pic_eoi(c, pic_highest(c, c->isr), v >> 5 == 5);
		break;
	case 3:			/* specific EOI */
	case 7:			/* rotate on specific EOI */
		pic_eoi(c, v & 7, v >> 5 == 7);
		break;
	case 6:			/* set priority */
		c->lowest_prio = v & 7;
		break;
	default:		/* 2: no operation */
		break;
	}
}

static void pic_write_data(struct pic_chip *c, u8 v)
{
	switch (c->init) {
	case PIC_ICW2:
		c->vector_base = v & 0xf8;
		if (!c->single)
			c->init = PIC_ICW3;
		else
			c->init = c->need_icw4 ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW3:
		c->icw3 = v;
		c->init = c->need_icw4 ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW4:
		c->auto_eoi = v & 0x02;
		c->special_nested = v & 0x10;
		c->init = PIC_READY;
		break;
	default:
		c->imr = v;	/* OCW1 */
		break;
	}
}

static u8 pic_read(struct pic_chip *c, u64 offset)
{
	if (offset)
		return c->imr;
	if (c->poll) {
		c->poll = false;
		return pic_poll(c);
	}
	return c->read_isr ? c->isr : c->irr;
}

static int pic_pio_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, void *val, int len)
{
	struct pic_chip *c = container_of(dev, struct pic_chip, io);
	unsigned long flags;
	bool intr;
	u8 v;

	raw_spin_lock_irqsave(&c->pic->lock, flags);
	v = pic_read(c, offset);
	pic_update_cascade(c->pic);
	intr = pic_int_locked(c->pic);
	raw_spin_unlock_irqrestore(&c->pic->lock, flags);
	pic_kick(c->pic, intr);
	/* Wider reads repeat the byte; nobody does them. */
	khyp_io_put(val, len, v);
	return 0;
}

static int pic_pio_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			 u64 offset, const void *val, int len)
{
	struct pic_chip *c = container_of(dev, struct pic_chip, io);
	u8 v = khyp_io_get(val, len);
	unsigned long flags;
	bool intr;

	raw_spin_lock_irqsave(&c->pic->lock, flags);
	if (offset)
		pic_write_data(c, v);
	else
		pic_write_cmd(c, v);
	pic_update_cascade(c->pic);
	intr = pic_int_locked(c->pic);
	raw_spin_unlock_irqrestore(&c->pic->lock, flags);
	pic_kick(c->pic, intr);
	return 0;
}

static int elcr_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		     u64 offset, void *val, int len)
{
	struct khyp_pic *pic = container_of(dev, struct khyp_pic, elcr);
	unsigned long flags;
	u64 v;

	raw_spin_lock_irqsave(&pic->lock, flags);
	v = pic->chip[0].elcr | (u16)pic->chip[1].elcr << 8;
	raw_spin_unlock_irqrestore(&pic->lock, flags);
	khyp_io_put(val, len, v >> (offset * 8));
	return 0;
}

static int elcr_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		      u64 offset, const void *val, int len)
{
	struct khyp_pic *pic = container_of(dev, struct khyp_pic, elcr);
	u64 v = khyp_io_get(val, len);
	unsigned long flags;
	struct pic_chip *c;
	bool intr;
	int i;

	raw_spin_lock_irqsave(&pic->lock, flags);
	for (i = 0; i < len && offset + i < 2; i++) {
		c = &pic->chip[offset + i];
		c->elcr = (v >> (i * 8)) & c->elcr_mask;
		/* Level inputs request exactly while asserted. */
		c->irr = (c->irr & ~c->elcr) | (c->lines & c->elcr);
	}
	pic_update_cascade(pic);
	intr = pic_int_locked(pic);
	raw_spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, intr);
	return 0;
}

static const struct khyp_io_range pic_ranges[] = {
	KHYP_IO_RANGE(struct khyp_pic, chip[0].io, KHYP_PIC_MASTER_PORT, 2,
		      "pic-master", pic_pio_read, pic_pio_write),
	KHYP_IO_RANGE(struct khyp_pic, chip[1].io, KHYP_PIC_SLAVE_PORT, 2,
		      "pic-slave", pic_pio_read, pic_pio_write),
	KHYP_IO_RANGE(struct khyp_pic, elcr, KHYP_ELCR_PORT, 2, "elcr",
		      elcr_read, elcr_write),
};

static void pic_init(struct khyp_platform *p, void *state)
{
	struct khyp_pic *pic = state;

	raw_spin_lock_init(&pic->lock);
	/* PIIX: IRQ 0, 1, 2, 8 and 13 are always edge. */
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;
	pic->chip[0].lowest_prio = 7;
	pic->chip[1].lowest_prio = 7;
	pic->chip[0].pic = pic;
	pic->chip[1].pic = pic;
	pic->vm = p->vm;
	p->pic = pic;
}

const struct khyp_platform_dev khyp_pic_dev = {
	KHYP_PLATFORM_DEV("pic", struct khyp_pic, KHYP_BUS_PIO, pic_ranges),
	.init = pic_init,
};
