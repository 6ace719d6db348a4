// SPDX-License-Identifier: GPL-2.0
/*
 * The i8254 PIT (0x40-0x43) and port 0x61 (gate and output of counter 2,
 * speaker enable, refresh toggle).
 *
 * Counters are not ticked: their value and OUT are computed from the
 * monotonic clock and the time the count was loaded, at 1.193182 MHz.
 * That keeps counter 2 exact for the guest's TSC calibration
 * (quick_pit_calibrate() polls the MSB, pit_calibrate_tsc() polls OUT2 in
 * port 0x61) without any host timer.  Counter 0 drives IRQ 0 (GSI 2) from
 * an hrtimer when programmed for modes 0, 2, 3 or 4.
 *
 * Simplifications: BCD counting is accepted but counts in binary; a low
 * gate does not pause modes 0 and 4 (Linux raises gate 2 before loading);
 * modes 1 and 5 start at the count load rather than at a gate edge for
 * counters 0 and 1, whose gates are tied high; counter 1 (DRAM refresh)
 * counts but has no output.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include "../khyp.h"
#include "../platform.h"

#define PIT_HZ			1193182
/* Periodic IRQ 0 faster than this would tie a host CPU up in hardirq. */
#define PIT_MIN_PERIOD_NS	(200 * NSEC_PER_USEC)

/* Access modes (control word bits 5:4) and the byte sequencing state. */
enum pit_rw {
	PIT_RW_LATCH = 0,
	PIT_RW_LSB = 1,
	PIT_RW_MSB = 2,
	PIT_RW_WORD0 = 3,	/* LSB then MSB: next is the LSB */
	PIT_RW_WORD1 = 4,	/* LSB then MSB: next is the MSB */
};

#define PORT61_GATE2		BIT(0)
#define PORT61_SPEAKER		BIT(1)
#define PORT61_WRITABLE		0x0f	/* plus parity/IOCHK disables */
#define PORT61_REFRESH		BIT(4)
#define PORT61_OUT2		BIT(5)

struct pit_channel {
	u32 count;		/* reload value, 1..0x10000 */
	ktime_t load_time;	/* when counting (re)started */
	bool loaded;		/* a count was written since the control word */
	bool gate;
	u8 mode;		/* 0..5 */
	u8 rw;			/* enum pit_rw from the control word */
	bool bcd;
	u8 read_state;
	u8 write_state;
	u8 write_lsb;
	u8 latch_state;		/* 0, or the byte sequence of a latched count */
	u16 latched_count;
	bool status_latched;
	u8 status;
};

struct khyp_pit {
	struct khyp_vm *vm;
	struct khyp_io_dev pio, port61;
	/* Raw: counter 0's hrtimer takes it in hardirq context. */
	raw_spinlock_t lock;
	struct pit_channel ch[3];
	u8 port61_bits;		/* the writable bits of port 0x61 */

	struct hrtimer timer;	/* counter 0's IRQ 0 */
	bool irq_armed;
	bool irq_periodic;
	u64 irq_period_ns;
};

static u64 pit_ticks(const struct pit_channel *c, ktime_t now)
{
	s64 ns = ktime_to_ns(ktime_sub(now, c->load_time));

	if (ns <= 0)
		return 0;
	return mul_u64_u32_div(ns, PIT_HZ, NSEC_PER_SEC);
}

static u16 pit_counter(const struct pit_channel *c, ktime_t now)
{
	u64 d;

	if (!c->loaded)
		return c->count;
	d = pit_ticks(c, now);
	switch (c->mode) {
	case 2:
		return c->count - do_div(d, c->count);
	case 3:
		/* Counts down by two, reloading each half period. */
		d *= 2;
		return c->count - do_div(d, c->count);
	default:
		/* One-shot modes keep counting down through zero. */
		return (c->count - d) & 0xffff;
	}
}

static bool pit_out(const struct pit_channel *c, ktime_t now)
{
	u64 d;
	u32 phase;

	if (!c->loaded)
		return c->mode != 0;	/* mode 0 drives OUT low at once */
	d = pit_ticks(c, now);
	switch (c->mode) {
	case 0:
	case 1:
		return d >= c->count;
	case 2:
		/* Low for the one clock in which the counter reads 1. */
		if (!c->gate || c->count < 2)
			return true;
		phase = do_div(d, c->count);
		return phase != c->count - 1;
	case 3:
		if (!c->gate)
			return true;
		phase = do_div(d, c->count);
		return phase < (c->count + 1) / 2;
	default:
		/* Modes 4, 5: a one-clock low pulse at terminal count. */
		return d != c->count;
	}
}

static u8 pit_status(const struct pit_channel *c, ktime_t now)
{
	return (pit_out(c, now) ? 0x80 : 0) | (c->loaded ? 0 : 0x40) |
	       (c->rw << 4) | (c->mode << 1) | c->bcd;
}

/* ---- IRQ 0 ---- */

static void pit_irq_arm_locked(struct khyp_pit *pit)
{
	struct pit_channel *c = &pit->ch[0];
	u64 ns;

	lockdep_assert_held(&pit->lock);
	pit->irq_armed = false;
	hrtimer_try_to_cancel(&pit->timer);
	if (!c->loaded)
		return;
	ns = mul_u64_u32_div(c->count, NSEC_PER_SEC, PIT_HZ);
	switch (c->mode) {
	case 0:
	case 4:
		pit->irq_periodic = false;
		break;
	case 2:
	case 3:
		pit->irq_periodic = true;
		break;
	default:
		return;		/* 1, 5: wait for a gate edge that never comes */
	}
	pit->irq_period_ns = max_t(u64, ns, PIT_MIN_PERIOD_NS);
	pit->irq_armed = true;
	hrtimer_start(&pit->timer, ktime_add_ns(c->load_time, ns),
		      HRTIMER_MODE_ABS_HARD);
}

static enum hrtimer_restart pit_timer_fire(struct hrtimer *t)
{
	struct khyp_pit *pit = container_of(t, struct khyp_pit, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;

	raw_spin_lock_irqsave(&pit->lock, flags);
	/* Reprogrammed while this expiry waited for the lock: stale. */
	if (!pit->irq_armed || hrtimer_is_queued(t)) {
		raw_spin_unlock_irqrestore(&pit->lock, flags);
		return HRTIMER_NORESTART;
	}
	if (pit->irq_periodic) {
		hrtimer_forward_now(t, ns_to_ktime(pit->irq_period_ns));
		ret = HRTIMER_RESTART;
	} else {
		pit->irq_armed = false;
	}
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	/* OUT0 rises once per period (or at terminal count): an edge. */
	khyp_irq_line(pit->vm, KHYP_GSI_PIT, 1);
	khyp_irq_line(pit->vm, KHYP_GSI_PIT, 0);
	return ret;
}

/* ---- counters ---- */

static void pit_load(struct khyp_pit *pit, unsigned int n, u16 v)
{
	struct pit_channel *c = &pit->ch[n];

	c->count = v ? v : 0x10000;
	c->load_time = ktime_get();
	c->loaded = true;
	if (n == 0)
		pit_irq_arm_locked(pit);
}

static void pit_latch_count(struct pit_channel *c, ktime_t now)
{
	/* A second latch before the first is read is ignored. */
	if (c->latch_state)
		return;
	c->latched_count = pit_counter(c, now);
	c->latch_state = c->rw;
}

static void pit_write_control(struct khyp_pit *pit, u8 v)
{
	ktime_t now = ktime_get();
	unsigned int n = v >> 6;
	struct pit_channel *c;
	unsigned int i;

	if (n == 3) {
		/* Read-back: bits 3:1 select counters, active-low latches. */
		for (i = 0; i < 3; i++) {
			if (!(v & BIT(i + 1)))
				continue;
			c = &pit->ch[i];
			if (!(v & 0x20))
				pit_latch_count(c, now);
			if (!(v & 0x10) && !c->status_latched) {
				c->status = pit_status(c, now);
				c->status_latched = true;
			}
		}
		return;
	}
	c = &pit->ch[n];
	if (!((v >> 4) & 3)) {
		pit_latch_count(c, now);
		return;
	}
	c->rw = (v >> 4) & 3;
	c->read_state = c->rw;
	c->write_state = c->rw;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 alias modes 2 and 3 */
	c->bcd = v & 1;
	c->loaded = false;
	c->latch_state = 0;
	c->status_latched = false;
	if (n == 0)
		pit_irq_arm_locked(pit);	/* stops IRQ 0 until loaded */
}

static void pit_write_counter(struct khyp_pit *pit, unsigned int n, u8 v)
{
	struct pit_channel *c = &pit->ch[n];

	switch (c->write_state) {
	case PIT_RW_LSB:
		pit_load(pit, n, v);
		break;
	case PIT_RW_MSB:
		pit_load(pit, n, v << 8);
		break;
	case PIT_RW_WORD0:
		c->write_lsb = v;
		c->write_state = PIT_RW_WORD1;
		break;
	case PIT_RW_WORD1:
		pit_load(pit, n, c->write_lsb | v << 8);
		c->write_state = PIT_RW_WORD0;
		break;
	}
}

static u8 pit_read_counter(struct khyp_pit *pit, unsigned int n)
{
	struct pit_channel *c = &pit->ch[n];
	u16 count;
	u8 v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_state) {
		count = c->latched_count;
		switch (c->latch_state) {
		case PIT_RW_WORD0:
			c->latch_state = PIT_RW_WORD1;
			return count & 0xff;
		case PIT_RW_MSB:
		case PIT_RW_WORD1:
			c->latch_state = 0;
			return count >> 8;
		default:
			c->latch_state = 0;
			return count & 0xff;
		}
	}
	count = pit_counter(c, ktime_get());
	switch (c->read_state) {
	case PIT_RW_MSB:
		v = count >> 8;
		break;
	case PIT_RW_WORD0:
		v = count & 0xff;
		c->read_state = PIT_RW_WORD1;
		break;
	case PIT_RW_WORD1:
		v = count >> 8;
		c->read_state = PIT_RW_WORD0;
		break;
	default:
		v = count & 0xff;
		break;
	}
	return v;
}

static int pit_pio_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, void *val, int len)
{
	struct khyp_pit *pit = container_of(dev, struct khyp_pit, pio);
	unsigned long flags;
	u8 v = 0xff;		/* the control port is write-only */

	raw_spin_lock_irqsave(&pit->lock, flags);
	if (offset < 3)
		v = pit_read_counter(pit, offset);
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	khyp_io_put(val, len, v);
	return 0;
}

static int pit_pio_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			 u64 offset, const void *val, int len)
{
	struct khyp_pit *pit = container_of(dev, struct khyp_pit, pio);
	u8 v = khyp_io_get(val, len);
	unsigned long flags;

	raw_spin_lock_irqsave(&pit->lock, flags);
	if (offset == 3)
		pit_write_control(pit, v);
	else
		pit_write_counter(pit, offset, v);
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static int port61_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		       u64 offset, void *val, int len)
{
	struct khyp_pit *pit = container_of(dev, struct khyp_pit, port61);
	ktime_t now = ktime_get();
	unsigned long flags;
	u8 v;

	raw_spin_lock_irqsave(&pit->lock, flags);
	v = pit->port61_bits;
	if (pit_out(&pit->ch[2], now))
		v |= PORT61_OUT2;
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	/* The refresh request toggles every 15.085 us on a PC. */
	if ((ktime_to_ns(now) / 15085) & 1)
		v |= PORT61_REFRESH;
	khyp_io_put(val, len, v);
	return 0;
}

static int port61_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, const void *val, int len)
{
	struct khyp_pit *pit = container_of(dev, struct khyp_pit, port61);
	u8 v = khyp_io_get(val, len) & PORT61_WRITABLE;
	struct pit_channel *c = &pit->ch[2];
	unsigned long flags;
	bool gate = v & PORT61_GATE2;

	raw_spin_lock_irqsave(&pit->lock, flags);
	pit->port61_bits = v;
	/* A rising gate restarts counting in modes 1, 2, 3 and 5. */
	if (gate && !c->gate && c->loaded && c->mode != 0 && c->mode != 4)
		c->load_time = ktime_get();
	c->gate = gate;
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static const struct khyp_io_range pit_ranges[] = {
	KHYP_IO_RANGE(struct khyp_pit, pio, KHYP_PIT_PORT, 4, "pit",
		      pit_pio_read, pit_pio_write),
	KHYP_IO_RANGE(struct khyp_pit, port61, KHYP_PORT61, 1, "port61",
		      port61_read, port61_write),
};

static void pit_init(struct khyp_platform *p, void *state)
{
	struct khyp_pit *pit = state;
	unsigned int i;

	pit->vm = p->vm;
	raw_spin_lock_init(&pit->lock);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	pit->timer.function = pit_timer_fire;
	for (i = 0; i < 3; i++) {
		pit->ch[i].count = 0x10000;
		pit->ch[i].rw = PIT_RW_WORD0;
		pit->ch[i].read_state = PIT_RW_WORD0;
		pit->ch[i].write_state = PIT_RW_WORD0;
		/* Gates 0 and 1 are tied high; gate 2 is port 0x61 bit 0. */
		pit->ch[i].gate = i != 2;
	}
}

/* No vCPU runs any more: nothing re-arms the timer after this. */
static void pit_destroy(void *state)
{
	struct khyp_pit *pit = state;

	hrtimer_cancel(&pit->timer);
}

const struct khyp_platform_dev khyp_pit_dev = {
	KHYP_PLATFORM_DEV("pit", struct khyp_pit, KHYP_BUS_PIO, pit_ranges),
	.init = pit_init,
	.destroy = pit_destroy,
	.omitted_by = KHYP_VM_NO_PIT,	/* -machine pit=off */
};
