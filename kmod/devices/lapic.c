// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of each vCPU of a platform VM: xAPIC mode (MMIO at
 * 0xfee00000), and x2APIC mode (MSRs 0x800-0x8ff) when the VM's CPUID
 * offers it.
 *
 * A LAPIC is touched by its own vCPU thread (MMIO, MSRs, injection), by
 * other vCPU threads (IPIs), by the IOAPIC on behalf of any device, and by
 * its hrtimer in hardirq context.  So all of its state sits under one raw
 * spinlock taken with interrupts off; sections are short and never call
 * out of this file with the lock held, except into the hrtimer core.
 *
 * The timer never uses hrtimer_cancel() under the lock (the callback takes
 * the same lock): a reprogram cancels with hrtimer_try_to_cancel(), and
 * the callback, which may already be spinning on the lock, recognises a
 * stale expiry because the timer was disarmed or queued again meanwhile.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>
#include "../khyp.h"
#include "../platform.h"

/* Version 0x14 (integrated xAPIC) with 6 LVT entries, as KVM presents. */
#define LAPIC_VERSION		0x00050014
#define LAPIC_NR_LVT		6	/* timer, thermal, perf, LINT0/1, error */
#define LAPIC_LVT_TIMER		0
#define LAPIC_LVT_LINT0		3
#define LAPIC_LVT_ERROR		5
#define LAPIC_TIMER_MODE_MASK	(3 << 17)
/* x2APIC registers: MSR 0x800 + (xAPIC offset >> 4). */
#define X2APIC_MSR_BASE		0x800
#define X2APIC_MSR_LAST		0x8ff
#define X2APIC_SELF_IPI		0x3f0	/* as an xAPIC-style offset */
#define X2APIC_BROADCAST	0xffffffff
/*
 * The ICR bits an x2APIC write keeps: vector, modes, level, shorthand
 * (APIC_DEST_ALLBUT is both shorthand bits).
 */
#define X2APIC_ICR_MASK		(APIC_VECTOR_MASK | APIC_DM_FIXED_MASK | \
				 APIC_DEST_LOGICAL | APIC_INT_ASSERT | \
				 APIC_INT_LEVELTRIG | APIC_DEST_ALLBUT)
/*
 * A periodic timer faster than this would keep a host CPU in hardirq:
 * clamp it (KVM's min_timer_period_us has the same purpose).
 */
#define LAPIC_MIN_PERIOD_NS	(200 * NSEC_PER_USEC)

/* Writable bits of each LVT entry; delivery status is read-only. */
static const u32 lapic_lvt_mask[LAPIC_NR_LVT] = {
	APIC_LVT_MASKED | LAPIC_TIMER_MODE_MASK | APIC_VECTOR_MASK,
	APIC_LVT_MASKED | APIC_MODE_MASK | APIC_VECTOR_MASK,
	APIC_LVT_MASKED | APIC_MODE_MASK | APIC_VECTOR_MASK,
	APIC_LVT_MASKED | APIC_LVT_LEVEL_TRIGGER | APIC_INPUT_POLARITY |
		APIC_MODE_MASK | APIC_VECTOR_MASK,
	APIC_LVT_MASKED | APIC_LVT_LEVEL_TRIGGER | APIC_INPUT_POLARITY |
		APIC_MODE_MASK | APIC_VECTOR_MASK,
	APIC_LVT_MASKED | APIC_VECTOR_MASK,
};

struct khyp_lapic {
	struct khyp_vcpu *vcpu;
	raw_spinlock_t lock;

	/* What the VM's CPUID offers, fixed at creation. */
	bool has_x2apic;
	bool has_tsc_deadline;

	/* Read locklessly by interrupt routing: written with WRITE_ONCE. */
	bool x2apic;		/* x2APIC mode (APIC base EXTD) */
	u32 id;			/* xAPIC: ID in bits 31:24; x2APIC: 32 bits */
	u32 ldr;
	u32 dfr;
	u32 svr;

	u32 tpr;
	u32 esr;		/* what an ESR read returns */
	u32 esr_pending;	/* errors since the last ESR write */
	u32 icr_lo;
	u32 icr_hi;		/* x2APIC: the 32-bit destination */
	u32 lvt[LAPIC_NR_LVT];
	u32 tdcr;
	u32 tmict;
	u32 irr[8];
	u32 isr[8];
	u32 tmr[8];
	/*
	 * The vector offered for the current entry, out of IRR: taken, it
	 * goes to ISR; else back to IRR.  Until the guest takes it, the
	 * same vector can be requested again and must not merge with it.
	 */
	int offered;
	/*
	 * Or the PICs' request offered as ExtINT (its ISA IRQ, for the
	 * INTA once taken), -1 if none: never both.
	 */
	int offered_extint;
	u8 extint_vector;	/* and its vector */
	u64 apicbase;

	struct hrtimer timer;
	bool timer_armed;	/* the pending expiry is a real one */
	u64 period_ns;		/* periodic mode: hrtimer interval */
	u64 tsc_deadline;	/* armed TSC-deadline value, 0 if none */
};

/* ---- 256-bit registers, as eight 32-bit words like the MMIO layout ---- */

static bool vec_test(const u32 *reg, unsigned int v)
{
	return reg[v >> 5] & BIT(v & 31);
}

static void vec_set(u32 *reg, unsigned int v)
{
	reg[v >> 5] |= BIT(v & 31);
}

static void vec_clear(u32 *reg, unsigned int v)
{
	reg[v >> 5] &= ~BIT(v & 31);
}

static int vec_highest(const u32 *reg)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (reg[i])
			return i * 32 + fls(reg[i]) - 1;
	return -1;
}

/* ---- priorities and interrupt acceptance (lock held) ---- */

static bool lapic_enabled(const struct khyp_lapic *l)
{
	return (l->apicbase & MSR_IA32_APICBASE_ENABLE) &&
	       (l->svr & APIC_SPIV_APIC_ENABLED);
}

static u32 lapic_ppr(const struct khyp_lapic *l)
{
	int isrv = vec_highest(l->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	if ((l->tpr & 0xf0) >= isr_class)
		return l->tpr & 0xff;
	return isr_class;
}

static int lapic_pending_locked(const struct khyp_lapic *l)
{
	int v;

	lockdep_assert_held(&l->lock);
	if (!lapic_enabled(l))
		return -1;
	v = vec_highest(l->irr);
	if (v < 0 || ((u32)v & 0xf0) <= (lapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

/*
 * Whether the PICs' INT reaches this CPU: through LINT0 unmasked in
 * ExtINT mode (the virtual-wire mode firmware sets up on the BSP), or
 * straight to the CPU's INTR while the APIC is disabled in
 * IA32_APIC_BASE.  A software-disabled APIC has LINT0 masked.
 */
static bool lapic_extint_locked(const struct khyp_lapic *l)
{
	u32 lint0 = l->lvt[LAPIC_LVT_LINT0];

	lockdep_assert_held(&l->lock);
	if (!(l->apicbase & MSR_IA32_APICBASE_ENABLE))
		return true;
	return (lint0 & (APIC_LVT_MASKED | APIC_MODE_MASK)) ==
	       APIC_DM_EXTINT;
}

/*
 * The PICs' vector if this LAPIC takes ExtINT and their INT is up, else
 * -1; *@irq is the request.  ExtINT bypasses IRR, ISR and the TPR, and
 * goes first, as in KVM.
 */
static int lapic_extint_pending_locked(const struct khyp_lapic *l, int *irq)
{
	struct khyp_platform *p = l->vcpu->vm->platform;

	if (!lapic_extint_locked(l))
		return -1;
	return khyp_pic_intr(p->pic, irq);
}

/*
 * Record an error; if the error LVT is live, that is an interrupt of its
 * own.  Returns true when an IRR bit was set (the caller kicks).
 */
static bool lapic_error_locked(struct khyp_lapic *l, u32 bits)
{
	u32 lvt = l->lvt[LAPIC_LVT_ERROR];
	u32 vector = lvt & APIC_VECTOR_MASK;

	lockdep_assert_held(&l->lock);
	l->esr_pending |= bits;
	/* An illegal error vector would report itself forever: drop it. */
	if ((lvt & APIC_LVT_MASKED) || !lapic_enabled(l) || vector < 16)
		return false;
	vec_set(l->irr, vector);
	vec_clear(l->tmr, vector);
	return true;
}

static bool lapic_set_irr_locked(struct khyp_lapic *l, u32 vector,
				 bool level_trig)
{
	lockdep_assert_held(&l->lock);
	if (!lapic_enabled(l))
		return false;
	if (vector < 16)
		return lapic_error_locked(l, APIC_ESR_RECVILL);
	vec_set(l->irr, vector);
	if (level_trig)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	return true;
}

/*
 * Post a request to a LAPIC's vCPU; khyp_vcpu_request() also kicks it.
 * An ejected vCPU's thread is being stopped and its task released while
 * its LAPIC may still be reachable: leave it alone.  (Airtight only if
 * the core waits for an RCU grace period between setting EJECT and
 * releasing the task; all callers run with preemption or IRQs off.)
 */
static void lapic_request(struct khyp_vcpu *vcpu, int req)
{
	if (test_bit(KHYP_REQ_EJECT, &vcpu->requests))
		return;
	khyp_vcpu_request(vcpu, req);
}

static void lapic_notify(struct khyp_vcpu *vcpu)
{
	lapic_request(vcpu, KHYP_REQ_EVENT);
}

/* ---- interrupt routing ---- */

static bool lapic_match(const struct khyp_lapic *l,
			const struct khyp_vcpu *src,
			const struct khyp_apic_irq *irq)
{
	bool self = src && l->vcpu == src;
	u32 ldr, dfr;
	bool x2;

	switch (irq->shorthand) {
	case 1:
		return self;
	case 2:
		return true;
	case 3:
		return !self;
	}
	/* Broadcast, in either destination mode. */
	if (irq->dest == (irq->x2apic ? X2APIC_BROADCAST : 0xff))
		return true;
	/* The receiving APIC's mode says how to read the destination. */
	x2 = READ_ONCE(l->x2apic);
	if (!irq->logical)
		return x2 ? READ_ONCE(l->id) == irq->dest :
			    (READ_ONCE(l->id) >> 24) == irq->dest;

	ldr = READ_ONCE(l->ldr);
	if (x2)		/* 16-bit cluster, 16-bit mask */
		return (ldr >> 16) == (irq->dest >> 16) &&
		       (ldr & irq->dest & 0xffff) != 0;
	ldr >>= 24;
	dfr = READ_ONCE(l->dfr) >> 28;
	if (dfr == 0xf)		/* flat: one bit per CPU */
		return (ldr & irq->dest) != 0;
	if (dfr == 0)		/* cluster: 4-bit cluster, 4-bit mask */
		return (ldr >> 4) == (irq->dest >> 4) &&
		       (ldr & irq->dest & 0xf) != 0;
	return false;
}

/*
 * Disabled in IA32_APIC_BASE, a LAPIC takes no message at all; one that is
 * only software-disabled (SVR) still takes NMI, INIT and STARTUP.
 */
static bool lapic_hw_enabled(struct khyp_lapic *l)
{
	unsigned long flags;
	bool on;

	raw_spin_lock_irqsave(&l->lock, flags);
	on = l->apicbase & MSR_IA32_APICBASE_ENABLE;
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return on;
}

static int lapic_accept(struct khyp_lapic *l, const struct khyp_apic_irq *irq)
{
	struct khyp_vcpu *vcpu = l->vcpu;
	unsigned long flags;
	bool set;

	if (!lapic_hw_enabled(l))
		return 0;
	switch (irq->delivery_mode) {
	case KHYP_DM_FIXED:
	case KHYP_DM_LOWEST:
		raw_spin_lock_irqsave(&l->lock, flags);
		set = lapic_set_irr_locked(l, irq->vector, irq->level_trig);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		if (!set)
			return 0;
		lapic_notify(vcpu);
		return 1;
	case KHYP_DM_NMI:
		lapic_request(vcpu, KHYP_REQ_NMI);
		return 1;
	case KHYP_DM_INIT:
		/* The level de-assert INIT of the MP protocol does nothing. */
		if (irq->level_trig && !irq->level)
			return 0;
		lapic_request(vcpu, KHYP_REQ_INIT);
		return 1;
	case KHYP_DM_STARTUP:
		WRITE_ONCE(vcpu->sipi_vector, irq->vector);
		/* The vector must be visible before the request bit is. */
		smp_mb__before_atomic();
		lapic_request(vcpu, KHYP_REQ_SIPI);
		return 1;
	default:
		/*
		 * SMI, remote read, ExtINT messages: nothing emulates them
		 * (the PICs reach LINT0 directly).
		 */
		return 0;
	}
}

int khyp_lapic_deliver(struct khyp_vm *vm, struct khyp_vcpu *src,
		       const struct khyp_apic_irq *irq)
{
	struct khyp_platform *p = vm->platform;
	struct khyp_lapic *l, *lowest = NULL;
	int n = 0;
	u32 i;

	if (!p)
		return 0;
	rcu_read_lock();
	for (i = 0; i < p->nr_lapics; i++) {
		l = rcu_dereference(p->lapics[i]);
		if (!l || !lapic_match(l, src, irq))
			continue;
		/*
		 * Lowest priority: any one target is architecturally
		 * allowed; the lowest vCPU id whose APIC is software
		 * enabled (an offlined CPU's is not) is simple and
		 * predictable.
		 */
		if (irq->delivery_mode == KHYP_DM_LOWEST) {
			if (!lowest)
				lowest = l;
			if (READ_ONCE(l->svr) & APIC_SPIV_APIC_ENABLED) {
				lowest = l;
				break;
			}
			continue;
		}
		n += lapic_accept(l, irq);
	}
	if (lowest)
		n += lapic_accept(lowest, irq);
	rcu_read_unlock();
	return n;
}

void khyp_lapic_extint_kick(struct khyp_vm *vm)
{
	struct khyp_platform *p = vm->platform;
	struct khyp_lapic *l;
	unsigned long flags;
	bool extint;
	u32 i;

	rcu_read_lock();
	for (i = 0; i < p->nr_lapics; i++) {
		l = rcu_dereference(p->lapics[i]);
		if (!l)
			continue;
		raw_spin_lock_irqsave(&l->lock, flags);
		extint = lapic_extint_locked(l);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		if (extint)
			lapic_notify(l->vcpu);
	}
	rcu_read_unlock();
}

/* An ICR write: @dest is the ID an xAPIC keeps in ICR2 bits 31:24. */
static void lapic_send_ipi(struct khyp_lapic *l, u32 lo, u32 dest, bool x2)
{
	struct khyp_apic_irq irq = {
		.dest = dest,
		.x2apic = x2,
		.vector = lo & APIC_VECTOR_MASK,
		.delivery_mode = (lo & APIC_DM_FIXED_MASK) >> 8,
		.logical = lo & APIC_DEST_LOGICAL,
		.level = lo & APIC_INT_ASSERT,
		.level_trig = lo & APIC_INT_LEVELTRIG,
		.shorthand = (lo >> 18) & 3,
	};
	unsigned long flags;
	bool kick;

	if ((irq.delivery_mode == KHYP_DM_FIXED ||
	     irq.delivery_mode == KHYP_DM_LOWEST) && irq.vector < 16) {
		raw_spin_lock_irqsave(&l->lock, flags);
		kick = lapic_error_locked(l, APIC_ESR_SENDILL);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		if (kick)
			khyp_vcpu_request(l->vcpu, KHYP_REQ_EVENT);
		return;
	}
	/*
	 * Only the IOAPIC's level interrupts need an EOI message: an IPI
	 * marked level-triggered must not make its EOI reach the IOAPIC.
	 */
	if (irq.delivery_mode != KHYP_DM_INIT)
		irq.level_trig = false;
	khyp_lapic_deliver(l->vcpu->vm, l->vcpu, &irq);
}

/* ---- timer ---- */

static u32 lapic_timer_mode(const struct khyp_lapic *l)
{
	return l->lvt[LAPIC_LVT_TIMER] & LAPIC_TIMER_MODE_MASK;
}

static u32 lapic_divide(const struct khyp_lapic *l)
{
	/* TDCR bits 3,1:0 encode 2, 4, ... 128, and 0b111 means 1. */
	u32 code = (l->tdcr & 3) | ((l->tdcr & 8) >> 1);

	return 1U << ((code + 1) & 7);
}

/* Set the timer's IRR bit if its LVT lets it through. */
static bool lapic_timer_inject_locked(struct khyp_lapic *l)
{
	u32 lvt = l->lvt[LAPIC_LVT_TIMER];

	lockdep_assert_held(&l->lock);
	if (lvt & APIC_LVT_MASKED)
		return false;
	return lapic_set_irr_locked(l, lvt & APIC_VECTOR_MASK, false);
}

static void lapic_timer_stop_locked(struct khyp_lapic *l)
{
	lockdep_assert_held(&l->lock);
	l->timer_armed = false;
	hrtimer_try_to_cancel(&l->timer);
}

static void lapic_timer_start_locked(struct khyp_lapic *l, ktime_t expires)
{
	lockdep_assert_held(&l->lock);
	l->timer_armed = true;
	hrtimer_start(&l->timer, expires, HRTIMER_MODE_ABS_HARD);
}

static enum hrtimer_restart lapic_timer_fire(struct hrtimer *t)
{
	struct khyp_lapic *l = container_of(t, struct khyp_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool inject;

	raw_spin_lock_irqsave(&l->lock, flags);
	/* Stopped, or started again while this expiry waited for the lock. */
	if (!l->timer_armed || hrtimer_is_queued(t)) {
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return HRTIMER_NORESTART;
	}
	inject = lapic_timer_inject_locked(l);
	if (lapic_timer_mode(l) == APIC_LVT_TIMER_PERIODIC) {
		hrtimer_forward_now(t, ns_to_ktime(l->period_ns));
		ret = HRTIMER_RESTART;
	} else {
		l->timer_armed = false;
		l->tsc_deadline = 0;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (inject)
		lapic_notify(l->vcpu);
	return ret;
}

/* TMICT write: (re)start one-shot or periodic counting from now. */
static void lapic_timer_load_locked(struct khyp_lapic *l)
{
	u64 ns;

	lockdep_assert_held(&l->lock);
	lapic_timer_stop_locked(l);
	if (lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE || !l->tmict)
		return;
	/* 1 GHz bus: a tick is a nanosecond times the divider. */
	ns = (u64)l->tmict * lapic_divide(l);
	l->period_ns = max_t(u64, ns, LAPIC_MIN_PERIOD_NS);
	lapic_timer_start_locked(l, ktime_add_ns(ktime_get(), ns));
}

static u32 lapic_timer_current(const struct khyp_lapic *l)
{
	s64 rem;
	u64 ticks;

	if (lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE ||
	    !l->timer_armed || !l->tmict)
		return 0;
	rem = ktime_to_ns(ktime_sub(hrtimer_get_expires(&l->timer),
				    ktime_get()));
	if (rem <= 0)
		return 0;
	ticks = div_u64(rem, lapic_divide(l));
	return min_t(u64, ticks, l->tmict);
}

/* TDCR write while counting: keep the remaining ticks, change the rate. */
static void lapic_timer_set_divide_locked(struct khyp_lapic *l, u32 tdcr)
{
	u32 left = lapic_timer_current(l);
	u64 ns;

	lockdep_assert_held(&l->lock);
	l->tdcr = tdcr & 0xb;
	if (!left)
		return;
	ns = (u64)left * lapic_divide(l);
	l->period_ns = max_t(u64, (u64)l->tmict * lapic_divide(l),
			     LAPIC_MIN_PERIOD_NS);
	hrtimer_try_to_cancel(&l->timer);
	lapic_timer_start_locked(l, ktime_add_ns(ktime_get(), ns));
}

static void lapic_write_lvtt_locked(struct khyp_lapic *l, u32 val)
{
	u32 old_mode = lapic_timer_mode(l);

	lockdep_assert_held(&l->lock);
	if (!(l->svr & APIC_SPIV_APIC_ENABLED))
		val |= APIC_LVT_MASKED;
	/*
	 * Mode 3 is reserved, and TSC-deadline mode exists only when CPUID
	 * offers it: keep those one-shot rather than trust them.
	 */
	if ((val & LAPIC_TIMER_MODE_MASK) == LAPIC_TIMER_MODE_MASK ||
	    ((val & LAPIC_TIMER_MODE_MASK) == APIC_LVT_TIMER_TSCDEADLINE &&
	     !l->has_tsc_deadline))
		val &= ~LAPIC_TIMER_MODE_MASK;
	l->lvt[LAPIC_LVT_TIMER] = val & lapic_lvt_mask[LAPIC_LVT_TIMER];
	/* A mode switch disarms the timer, as on hardware. */
	if (lapic_timer_mode(l) != old_mode) {
		lapic_timer_stop_locked(l);
		l->tmict = 0;
		l->tsc_deadline = 0;
	}
}

/* ---- registers ---- */

/* x2APIC's logical ID follows from its ID: cluster ID.bit in cluster. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

static void lapic_reset_locked(struct khyp_lapic *l)
{
	int i;

	lockdep_assert_held(&l->lock);
	lapic_timer_stop_locked(l);
	l->tpr = 0;
	WRITE_ONCE(l->ldr, l->x2apic ? x2apic_ldr(l->id) : 0);
	WRITE_ONCE(l->dfr, APIC_DFR_FLAT);
	WRITE_ONCE(l->svr, 0xff);
	l->esr = 0;
	l->esr_pending = 0;
	l->icr_lo = 0;
	l->icr_hi = 0;
	for (i = 0; i < LAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->tdcr = 0;
	l->tmict = 0;
	l->tsc_deadline = 0;
	l->period_ns = 0;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->offered = -1;
	l->offered_extint = -1;
}

static u32 lapic_reg_read(struct khyp_lapic *l, u32 reg)
{
	unsigned long flags;
	u32 val = 0;

	raw_spin_lock_irqsave(&l->lock, flags);
	switch (reg) {
	case APIC_ID:
		val = l->id;
		break;
	case APIC_LVR:
		val = LAPIC_VERSION;
		break;
	case APIC_TASKPRI:
		val = l->tpr;
		break;
	case APIC_PROCPRI:
		val = lapic_ppr(l);
		break;
	case APIC_LDR:
		val = l->ldr;
		break;
	case APIC_DFR:
		val = l->dfr;
		break;
	case APIC_SPIV:
		val = l->svr;
		break;
	case APIC_ISR ... APIC_ISR + 0x70:
		val = l->isr[(reg - APIC_ISR) >> 4];
		break;
	case APIC_TMR ... APIC_TMR + 0x70:
		val = l->tmr[(reg - APIC_TMR) >> 4];
		break;
	case APIC_IRR ... APIC_IRR + 0x70:
		val = l->irr[(reg - APIC_IRR) >> 4];
		break;
	case APIC_ESR:
		val = l->esr;
		break;
	case APIC_ICR:
		val = l->icr_lo;	/* delivery status: always idle */
		break;
	case APIC_ICR2:
		val = l->icr_hi;
		break;
	case APIC_LVTT ... APIC_LVTERR:
		val = l->lvt[(reg - APIC_LVTT) >> 4];
		break;
	case APIC_TMICT:
		val = l->tmict;
		break;
	case APIC_TMCCT:
		val = lapic_timer_current(l);
		break;
	case APIC_TDCR:
		val = l->tdcr;
		break;
	default:
		/* APR, RRD, EOI and reserved slots read as zero. */
		break;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return val;
}

static void lapic_eoi(struct khyp_lapic *l)
{
	unsigned long flags;
	bool level = false;
	int vector;

	raw_spin_lock_irqsave(&l->lock, flags);
	vector = vec_highest(l->isr);
	if (vector >= 0) {
		vec_clear(l->isr, vector);
		level = vec_test(l->tmr, vector);
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (vector < 0)
		return;
	/* Outside the lock: the IOAPIC may deliver to this very LAPIC. */
	if (level)
		khyp_ioapic_eoi(l->vcpu->vm, vector);
	/* A lower-priority vector may have become deliverable. */
	khyp_vcpu_request(l->vcpu, KHYP_REQ_EVENT);
}

static void lapic_reg_write(struct khyp_lapic *l, u32 reg, u32 val)
{
	unsigned long flags;
	bool event = false;
	u32 lo = 0, hi = 0;
	int i;

	if (reg == APIC_EOI) {
		lapic_eoi(l);
		return;
	}

	raw_spin_lock_irqsave(&l->lock, flags);
	switch (reg) {
	case APIC_ID:
		WRITE_ONCE(l->id, val & 0xff000000);
		break;
	case APIC_TASKPRI:
		l->tpr = val & APIC_TPRI_MASK;
		event = lapic_pending_locked(l) >= 0;
		break;
	case APIC_LDR:
		WRITE_ONCE(l->ldr, val & APIC_LDR_MASK);
		break;
	case APIC_DFR:
		/* Only the model (bits 31:28) is writable; the rest reads 1. */
		WRITE_ONCE(l->dfr, val | 0x0fffffff);
		break;
	case APIC_SPIV:
		WRITE_ONCE(l->svr, val & (APIC_SPIV_FOCUS_DISABLED |
					  APIC_SPIV_APIC_ENABLED |
					  APIC_VECTOR_MASK));
		if (!(l->svr & APIC_SPIV_APIC_ENABLED)) {
			/* Software disable masks every LVT entry. */
			for (i = 0; i < LAPIC_NR_LVT; i++)
				l->lvt[i] |= APIC_LVT_MASKED;
		}
		event = lapic_pending_locked(l) >= 0;
		break;
	case APIC_ESR:
		/* A write latches the errors seen since the previous one. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case APIC_ICR:
		l->icr_lo = val & ~APIC_ICR_BUSY;
		lo = l->icr_lo;
		hi = l->icr_hi;
		break;
	case APIC_ICR2:
		l->icr_hi = val & 0xff000000;
		break;
	case APIC_LVTT:
		lapic_write_lvtt_locked(l, val);
		break;
	case APIC_LVTTHMR ... APIC_LVTERR:
		i = (reg - APIC_LVTT) >> 4;
		if (!(l->svr & APIC_SPIV_APIC_ENABLED))
			val |= APIC_LVT_MASKED;
		l->lvt[i] = val & lapic_lvt_mask[i];
		break;
	case APIC_TMICT:
		if (lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)
			break;	/* ignored in TSC-deadline mode */
		l->tmict = val;
		lapic_timer_load_locked(l);
		break;
	case APIC_TDCR:
		lapic_timer_set_divide_locked(l, val);
		break;
	default:
		/*
		 * Read-only or reserved.  Like KVM, not reported as an
		 * illegal register address: no error interrupt storms for a
		 * guest that pokes at reserved space.
		 */
		break;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (reg == APIC_ICR)
		lapic_send_ipi(l, lo, hi >> 24, false);
	if (event)
		khyp_vcpu_request(l->vcpu, KHYP_REQ_EVENT);
}

/*
 * One MMIO range serves every vCPU: each access goes to the accessing
 * vCPU's own LAPIC, as on hardware.  Registers are 32 bits at 16-byte
 * strides; narrower reads see part of a register, the rest of a slot
 * reads zero, and writes other than aligned dwords are dropped.
 */
static int lapic_mmio_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			   u64 offset, void *val, int len)
{
	struct khyp_lapic *l = vcpu->lapic;
	u32 in_slot = offset & 0xf;
	u64 v = 0;

	/* In x2APIC mode the page is not the APIC's: it floats. */
	if (!l || READ_ONCE(l->x2apic)) {
		khyp_io_put(val, len, ~0ULL);
		return 0;
	}
	if (in_slot < 4)
		v = lapic_reg_read(l, offset & ~0xfULL) >> (in_slot * 8);
	khyp_io_put(val, len, v);
	return 0;
}

static int lapic_mmio_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			    u64 offset, const void *val, int len)
{
	struct khyp_lapic *l = vcpu->lapic;

	if (!l || READ_ONCE(l->x2apic) || (offset & 0xf) || len < 4)
		return 0;
	lapic_reg_write(l, offset, (u32)khyp_io_get(val, len));
	return 0;
}

struct lapic_page {
	struct khyp_io_dev mmio;
};

static const struct khyp_io_range lapic_ranges[] = {
	KHYP_IO_RANGE(struct lapic_page, mmio, KHYP_LAPIC_BASE,
		      KHYP_LAPIC_SIZE, "lapic", lapic_mmio_read,
		      lapic_mmio_write),
};

/* The platform's part: the page; the LAPICs come and go with vCPUs. */
const struct khyp_platform_dev khyp_lapic_dev = {
	KHYP_PLATFORM_DEV("lapic", struct lapic_page, KHYP_BUS_MMIO,
			  lapic_ranges),
};

/* ---- MSRs ---- */

/*
 * An x2APIC register read: what x2APIC lacks (DFR, ICR2, APR, RRD, CMCI)
 * and the write-only registers (EOI, SELF_IPI) raise #GP.
 */
static int x2apic_read(struct khyp_lapic *l, u32 reg, u64 *val)
{
	unsigned long flags;

	switch (reg) {
	case APIC_ICR:
		raw_spin_lock_irqsave(&l->lock, flags);
		*val = l->icr_lo | (u64)l->icr_hi << 32;
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return 0;
	case APIC_ID:
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_PROCPRI:
	case APIC_LDR:
	case APIC_SPIV:
	case APIC_ISR ... APIC_ISR + 0x70:
	case APIC_TMR ... APIC_TMR + 0x70:
	case APIC_IRR ... APIC_IRR + 0x70:
	case APIC_ESR:
	case APIC_LVTT ... APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TMCCT:
	case APIC_TDCR:
		*val = lapic_reg_read(l, reg);
		return 0;
	}
	return -EPERM;
}

/*
 * An x2APIC register write.  Bits 63:32 are reserved except in the ICR,
 * which takes the destination there in one write; the read-only
 * registers (ID, LDR among them) and the absent ones raise #GP.
 */
static int x2apic_write(struct khyp_lapic *l, u32 reg, u64 val)
{
	unsigned long flags;
	u32 lo;

	if (reg == APIC_ICR) {
		lo = (u32)val & X2APIC_ICR_MASK;
		raw_spin_lock_irqsave(&l->lock, flags);
		l->icr_lo = lo;
		l->icr_hi = val >> 32;
		raw_spin_unlock_irqrestore(&l->lock, flags);
		lapic_send_ipi(l, lo, val >> 32, true);
		return 0;
	}
	if (val >> 32)
		return -EPERM;
	switch (reg) {
	case APIC_EOI:
	case APIC_ESR:
		/* The SDM allows only zero here. */
		if (val)
			return -EPERM;
		break;
	case X2APIC_SELF_IPI:
		if (val & ~APIC_VECTOR_MASK)
			return -EPERM;
		lapic_send_ipi(l, APIC_DEST_SELF | val, 0, true);
		return 0;
	case APIC_TASKPRI:
	case APIC_SPIV:
	case APIC_LVTT ... APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TDCR:
		break;
	default:
		return -EPERM;
	}
	lapic_reg_write(l, reg, val);
	return 0;
}

static bool is_x2apic_msr(u32 index)
{
	return index >= X2APIC_MSR_BASE && index <= X2APIC_MSR_LAST;
}

int khyp_lapic_msr_read(struct khyp_vcpu *vcpu, u32 index, u64 *val)
{
	struct khyp_lapic *l = vcpu->lapic;
	unsigned long flags;

	if (!l)
		return -ENOENT;
	if (is_x2apic_msr(index))
		return READ_ONCE(l->x2apic) ?
		       x2apic_read(l, (index - X2APIC_MSR_BASE) << 4, val) :
		       -EPERM;
	if (index == MSR_IA32_TSC_DEADLINE && !l->has_tsc_deadline)
		return -EPERM;
	raw_spin_lock_irqsave(&l->lock, flags);
	switch (index) {
	case MSR_IA32_APICBASE:
		*val = l->apicbase;
		break;
	case MSR_IA32_TSC_DEADLINE:
		*val = lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE ?
		       l->tsc_deadline : 0;
		break;
	default:
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return -ENOENT;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return 0;
}

/*
 * The APIC base MSR: disabled (EN=0), xAPIC (EN), x2APIC (EN and EXTD).
 * As the SDM says, EXTD without EN is invalid, x2APIC is entered only
 * from xAPIC and left only by disabling the APIC; anything else is #GP.
 */
static int lapic_set_apicbase(struct khyp_lapic *l, u64 val)
{
	const u64 mode = MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE;
	/* Base bits up to bit 51, BSP, enable, and EXTD if CPUID has it. */
	const u64 valid = GENMASK_ULL(51, 12) | MSR_IA32_APICBASE_BSP |
			  MSR_IA32_APICBASE_ENABLE |
			  (l->has_x2apic ? X2APIC_ENABLE : 0);
	bool en = val & MSR_IA32_APICBASE_ENABLE, x2 = val & X2APIC_ENABLE;
	unsigned long flags;
	u64 old;

	if ((val & ~valid) || (x2 && !en))
		return -EPERM;
	raw_spin_lock_irqsave(&l->lock, flags);
	old = l->apicbase;
	if ((x2 && !(old & MSR_IA32_APICBASE_ENABLE)) ||
	    (en && !x2 && (old & X2APIC_ENABLE))) {
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return -EPERM;
	}
	if (!en && (old & MSR_IA32_APICBASE_ENABLE)) {
		/* A disabled APIC loses its state; xAPIC has the initial ID. */
		if (old & X2APIC_ENABLE)
			WRITE_ONCE(l->id, (l->vcpu->apic_id & 0xff) << 24);
		WRITE_ONCE(l->x2apic, false);
		lapic_reset_locked(l);
	} else if (x2 && !(old & X2APIC_ENABLE)) {
		WRITE_ONCE(l->id, l->vcpu->apic_id);
		WRITE_ONCE(l->ldr, x2apic_ldr(l->vcpu->apic_id));
		WRITE_ONCE(l->x2apic, true);
	}
	/*
	 * The range is fixed (one MMIO registration for all vCPUs): a moved
	 * base is not honoured, and BSP is ours to say.
	 */
	l->apicbase = (old & ~mode) | (val & mode);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return 0;
}

static int lapic_set_tsc_deadline(struct khyp_lapic *l, u64 deadline)
{
	struct khyp_vcpu *vcpu = l->vcpu;
	u64 now_tsc, ns;
	unsigned long flags;
	bool inject = false;
	ktime_t now;

	/* Sample both clocks together, outside the lock. */
	now = ktime_get();
	now_tsc = khyp_vcpu_read_tsc(vcpu);

	raw_spin_lock_irqsave(&l->lock, flags);
	if (lapic_timer_mode(l) != APIC_LVT_TIMER_TSCDEADLINE) {
		/* Ignored in the other modes, as on hardware. */
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return 0;
	}
	lapic_timer_stop_locked(l);
	l->tsc_deadline = deadline;
	if (deadline && deadline <= now_tsc) {
		l->tsc_deadline = 0;
		inject = lapic_timer_inject_locked(l);
	} else if (deadline) {
		if (tsc_khz)
			ns = mul_u64_u32_div(deadline - now_tsc, USEC_PER_SEC,
					     tsc_khz);
		else
			ns = deadline - now_tsc;
		/* Round up so the guest never sees an early interrupt. */
		ns = min_t(u64, ns + 1, KTIME_MAX / 4);
		lapic_timer_start_locked(l, ktime_add_ns(now, ns));
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (inject)
		khyp_vcpu_request(vcpu, KHYP_REQ_EVENT);
	return 0;
}

int khyp_lapic_msr_write(struct khyp_vcpu *vcpu, u32 index, u64 val)
{
	struct khyp_lapic *l = vcpu->lapic;

	if (!l)
		return -ENOENT;
	if (is_x2apic_msr(index))
		return READ_ONCE(l->x2apic) ?
		       x2apic_write(l, (index - X2APIC_MSR_BASE) << 4, val) :
		       -EPERM;
	switch (index) {
	case MSR_IA32_APICBASE:
		return lapic_set_apicbase(l, val);
	case MSR_IA32_TSC_DEADLINE:
		if (!l->has_tsc_deadline)
			return -EPERM;
		return lapic_set_tsc_deadline(l, val);
	default:
		return -ENOENT;
	}
}

/* ---- the vCPU loop's view ---- */

int khyp_lapic_pending_irq(struct khyp_vcpu *vcpu)
{
	struct khyp_lapic *l = vcpu->lapic;
	unsigned long flags;
	int v, irq;

	if (!l)
		return -1;
	raw_spin_lock_irqsave(&l->lock, flags);
	v = lapic_extint_pending_locked(l, &irq);
	if (v < 0)
		v = lapic_pending_locked(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return v;
}

/*
 * For the entry: the vector to offer, the PICs' as ExtINT or else the
 * LAPIC's, taken out of IRR (the exit's khyp_lapic_offer_done() settles
 * either: INTA, or ISR or IRR), the TPR the guest's CR8 shows,
 * and whether any vector is requested (offered or held back: a CR8
 * write may then decide whether the guest can take one).
 */
int khyp_lapic_offer_irq(struct khyp_vcpu *vcpu, u8 *tpr, bool *requested)
{
	struct khyp_lapic *l = vcpu->lapic;
	unsigned long flags;
	int v, irq;

	raw_spin_lock_irqsave(&l->lock, flags);
	*tpr = l->tpr;
	*requested = vec_highest(l->irr) >= 0 && lapic_enabled(l);
	v = lapic_extint_pending_locked(l, &irq);
	if (v >= 0) {
		l->offered_extint = irq;
		l->extint_vector = v;
	} else {
		v = lapic_pending_locked(l);
		if (v >= 0)
			vec_clear(l->irr, v);
		l->offered = v;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return v;
}

/* A MOV to CR8: TPR bits 7:4 from its low four, bits 3:0 cleared. */
void khyp_lapic_set_cr8(struct khyp_vcpu *vcpu, u8 cr8)
{
	struct khyp_lapic *l = vcpu->lapic;
	unsigned long flags;

	raw_spin_lock_irqsave(&l->lock, flags);
	l->tpr = (cr8 & 0xf) << 4;
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

int khyp_lapic_offer_done(struct khyp_vcpu *vcpu, bool taken)
{
	struct khyp_lapic *l = vcpu->lapic;
	unsigned long flags;
	int v, irq;

	raw_spin_lock_irqsave(&l->lock, flags);
	irq = l->offered_extint;
	l->offered_extint = -1;
	v = l->offered;
	l->offered = -1;
	if (v >= 0)
		vec_set(taken ? l->isr : l->irr, v);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (irq < 0)
		return taken ? v : -1;
	/* Not taken, the request simply stays in the PICs' IRR. */
	if (!taken)
		return -1;
	khyp_pic_intack(vcpu->vm->platform->pic, irq);
	return l->extint_vector;
}

void khyp_lapic_debug_show(struct seq_file *m, struct khyp_vcpu *vcpu)
{
	struct khyp_lapic *l = vcpu->lapic;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&l->lock, flags);
	seq_printf(m, "  lapic: id %#x svr %#x tpr %#x ppr %#x ldr %#x dfr %#x apicbase %#llx pending %d\n",
		   l->id, l->svr, l->tpr, lapic_ppr(l), l->ldr, l->dfr,
		   l->apicbase, lapic_pending_locked(l));
	seq_puts(m, "  irr");
	for (i = 7; i >= 0; i--)
		seq_printf(m, " %08x", l->irr[i]);
	seq_puts(m, "\n  isr");
	for (i = 7; i >= 0; i--)
		seq_printf(m, " %08x", l->isr[i]);
	seq_puts(m, "\n  tmr");
	for (i = 7; i >= 0; i--)
		seq_printf(m, " %08x", l->tmr[i]);
	seq_puts(m, "\n  lvt");
	for (i = 0; i < LAPIC_NR_LVT; i++)
		seq_printf(m, " %#x", l->lvt[i]);
	seq_printf(m, " tmict %#x armed %d deadline %llu\n", l->tmict,
		   l->timer_armed, l->tsc_deadline);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

/* INIT: everything but the ID and the APIC base MSR returns to reset. */
void khyp_lapic_reset(struct khyp_vcpu *vcpu)
{
	struct khyp_lapic *l = vcpu->lapic;
	unsigned long flags;

	if (!l)
		return;
	raw_spin_lock_irqsave(&l->lock, flags);
	lapic_reset_locked(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

int khyp_lapic_create(struct khyp_vcpu *vcpu)
{
	struct khyp_lapic *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	l->vcpu = vcpu;
	l->has_x2apic = khyp_cpuid_has_x2apic(vcpu->vm);
	l->has_tsc_deadline = khyp_cpuid_has_tsc_deadline(vcpu->vm);
	raw_spin_lock_init(&l->lock);
	hrtimer_init(&l->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	l->timer.function = lapic_timer_fire;
	l->id = (vcpu->apic_id & 0xff) << 24;
	l->apicbase = KHYP_LAPIC_BASE | MSR_IA32_APICBASE_ENABLE;
	if (vcpu->id == 0)
		l->apicbase |= MSR_IA32_APICBASE_BSP;
	vcpu->lapic = l;
	khyp_lapic_reset(vcpu);
	return 0;
}

/* The LAPIC is unreachable from routing (RCU) before this is called. */
void khyp_lapic_destroy(struct khyp_vcpu *vcpu)
{
	struct khyp_lapic *l = vcpu->lapic;

	if (!l)
		return;
	hrtimer_cancel(&l->timer);
	vcpu->lapic = NULL;
	kfree(l);
}
