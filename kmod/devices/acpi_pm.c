// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware (FADT): the PM1a event and control blocks, the PM
 * timer and the GPE0 block, with the SCI on GSI 9.
 *
 * The machine is always in ACPI mode (SCI_EN reads 1, the FADT has no
 * SMI_CMD), the only sleep state is S5 (SLP_TYP 5 + SLP_EN powers off),
 * and the SCI is a level interrupt: asserted while any enabled status bit,
 * PM1 or GPE0, is set.  It is re-evaluated after every status or enable
 * change, so the guest's "clear status, then re-enable" dance and a GPE
 * raised by CPU hotplug from another thread both come out right.
 *
 * Byte, word and dword accesses all work: ACPICA uses 16-bit accesses for
 * PM1 and byte accesses for GPE registers.
 *
 * Not modelled: the PM timer overflow event (TMR_STS stays 0; Linux does
 * not enable it), the global lock (GBL_*), sleep and power buttons other
 * than the power-button event khyp_acpi_pm_power_button() raises.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/spinlock.h>
#include "../khyp.h"
#include "../platform.h"

#define PM1_TMR		BIT(0)
#define PM1_GBL		BIT(5)
#define PM1_PWRBTN	BIT(8)
#define PM1_SLPBTN	BIT(9)
#define PM1_RTC		BIT(10)
#define PM1_WAK		BIT(15)		/* status only */
#define PM1_EN_VALID	(PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | PM1_RTC)

#define PM1_CNT_SCI_EN		BIT(0)
#define PM1_CNT_BM_RLD		BIT(1)
#define PM1_CNT_GBL_RLS		BIT(2)	/* write-only */
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP		(7 << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN		BIT(13)	/* write-only */

struct khyp_acpi_pm;

/* A status/enable block: PM1a_EVT or GPE0. */
struct pm_block {
	struct khyp_io_dev dev;
	struct khyp_acpi_pm *pm;
	u16 sts, en;		/* [pm->lock] */
	u16 en_valid;		/* enable bits that exist */
};

struct khyp_acpi_pm {
	struct khyp_vm *vm;
	struct pm_block pm1, gpe;
	struct khyp_io_dev cnt, tmr;
	/*
	 * Not raw: port accesses and GPE raisers (genl, cpuhp under its own
	 * spinlock) take it, never a hardirq; the SCI's raw locks nest inside.
	 */
	spinlock_t lock;
	u16 pm1_cnt;
	bool sci;		/* level driven onto GSI 9 */
	u64 tmr_epoch_ns;	/* the PM timer counts from VM creation */
};

static void acpi_pm_update_sci(struct khyp_acpi_pm *pm)
{
	bool level = (pm->pm1.sts & pm->pm1.en) || (pm->gpe.sts & pm->gpe.en);

	lockdep_assert_held(&pm->lock);
	if (level == pm->sci)
		return;
	pm->sci = level;
	khyp_irq_line(pm->vm, KHYP_GSI_SCI, level);
}

/*
 * A status/enable pair laid out as the FADT blocks are: two bytes of
 * write-1-to-clear status, then two bytes of enable.  @offset and @len
 * stay inside the 4-byte block (the bus guarantees it).
 */
static u32 block_read(u16 sts, u16 en, u64 offset)
{
	return ((u32)en << 16 | sts) >> (offset * 8);
}

static void block_write(u16 *sts, u16 *en, u16 en_valid, u64 offset,
			int len, u32 val)
{
	u32 bytes = (len >= 4 ? ~0U : BIT(len * 8) - 1) << (offset * 8);
	u32 v = (val << (offset * 8)) & bytes;
	u16 en_bytes = bytes >> 16;

	*sts &= ~(u16)v;
	*en = (*en & ~en_bytes) | ((v >> 16) & en_valid);
}

static int pm_block_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			 u64 offset, void *val, int len)
{
	struct pm_block *blk = container_of(dev, struct pm_block, dev);
	unsigned long flags;
	u32 v;

	spin_lock_irqsave(&blk->pm->lock, flags);
	v = block_read(blk->sts, blk->en, offset);
	spin_unlock_irqrestore(&blk->pm->lock, flags);
	khyp_io_put(val, len, v);
	return 0;
}

static int pm_block_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			  u64 offset, const void *val, int len)
{
	struct pm_block *blk = container_of(dev, struct pm_block, dev);
	unsigned long flags;

	spin_lock_irqsave(&blk->pm->lock, flags);
	block_write(&blk->sts, &blk->en, blk->en_valid, offset, len,
		    khyp_io_get(val, len));
	acpi_pm_update_sci(blk->pm);
	spin_unlock_irqrestore(&blk->pm->lock, flags);
	return 0;
}

static int pm_cnt_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		       u64 offset, void *val, int len)
{
	struct khyp_acpi_pm *pm = container_of(dev, struct khyp_acpi_pm, cnt);
	unsigned long flags;
	u32 v;

	spin_lock_irqsave(&pm->lock, flags);
	v = pm->pm1_cnt | PM1_CNT_SCI_EN;
	spin_unlock_irqrestore(&pm->lock, flags);
	khyp_io_put(val, len, v >> (offset * 8));
	return 0;
}

static int pm_cnt_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, const void *val, int len)
{
	struct khyp_acpi_pm *pm = container_of(dev, struct khyp_acpi_pm, cnt);
	u32 bytes = (len >= 2 ? 0xffff : 0xff) << (offset * 8);
	u32 v = (khyp_io_get(val, len) << (offset * 8)) & bytes;
	unsigned long flags;
	u16 cnt;

	spin_lock_irqsave(&pm->lock, flags);
	cnt = (pm->pm1_cnt & ~bytes) | v;
	/* SLP_EN and GBL_RLS act on the write and read back as 0. */
	pm->pm1_cnt = cnt & (PM1_CNT_BM_RLD | PM1_CNT_SLP_TYP);
	if (cnt & PM1_CNT_SLP_EN) {
		/* Waking from any sleep state would look the same: WAK_STS. */
		pm->pm1.sts |= PM1_WAK;
	}
	spin_unlock_irqrestore(&pm->lock, flags);

	if ((cnt & PM1_CNT_SLP_EN) &&
	    (cnt & PM1_CNT_SLP_TYP) >> PM1_CNT_SLP_TYP_SHIFT == KHYP_SLP_TYP_S5)
		khyp_vm_set_state(pm->vm, KHYP_VM_POWEROFF, vcpu->id);
	/* Other sleep types are not offered by \_Sx: they do nothing. */
	return 0;
}

static int pm_tmr_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		       u64 offset, void *val, int len)
{
	struct khyp_acpi_pm *pm = container_of(dev, struct khyp_acpi_pm, tmr);
	u64 ns = ktime_get_ns() - pm->tmr_epoch_ns;
	u32 ticks;

	/* 24 bits (FADT TMR_VAL_EXT clear), 3.579545 MHz, from ktime. */
	ticks = mul_u64_u32_div(ns, KHYP_PM_TMR_HZ, NSEC_PER_SEC) & 0xffffff;
	khyp_io_put(val, len, ticks >> (offset * 8));
	return 0;
}

static int pm_tmr_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, const void *val, int len)
{
	return 0;	/* read-only */
}

static const struct khyp_io_range acpi_pm_ranges[] = {
	KHYP_IO_RANGE(struct khyp_acpi_pm, pm1.dev, KHYP_PM1A_EVT_PORT,
		      KHYP_PM1A_EVT_LEN, "pm1a_evt", pm_block_read,
		      pm_block_write),
	KHYP_IO_RANGE(struct khyp_acpi_pm, cnt, KHYP_PM1A_CNT_PORT,
		      KHYP_PM1A_CNT_LEN, "pm1a_cnt", pm_cnt_read, pm_cnt_write),
	KHYP_IO_RANGE(struct khyp_acpi_pm, tmr, KHYP_PM_TMR_PORT,
		      KHYP_PM_TMR_LEN, "pm_tmr", pm_tmr_read, pm_tmr_write),
	KHYP_IO_RANGE(struct khyp_acpi_pm, gpe.dev, KHYP_GPE0_PORT,
		      KHYP_GPE0_LEN, "gpe0", pm_block_read, pm_block_write),
};

static struct khyp_acpi_pm *vm_acpi_pm(struct khyp_vm *vm)
{
	return vm->platform ? vm->platform->acpi_pm : NULL;
}

void khyp_acpi_pm_raise_gpe(struct khyp_vm *vm, unsigned int bit)
{
	struct khyp_acpi_pm *pm = vm_acpi_pm(vm);
	unsigned long flags;

	if (!pm || bit >= 16)
		return;
	spin_lock_irqsave(&pm->lock, flags);
	pm->gpe.sts |= BIT(bit);
	acpi_pm_update_sci(pm);
	spin_unlock_irqrestore(&pm->lock, flags);
}

void khyp_acpi_pm_power_button(struct khyp_vm *vm)
{
	struct khyp_acpi_pm *pm = vm_acpi_pm(vm);
	unsigned long flags;

	if (!pm)
		return;
	spin_lock_irqsave(&pm->lock, flags);
	pm->pm1.sts |= PM1_PWRBTN;
	acpi_pm_update_sci(pm);
	spin_unlock_irqrestore(&pm->lock, flags);
}

static void acpi_pm_init(struct khyp_platform *p, void *state)
{
	struct khyp_acpi_pm *pm = state;

	pm->vm = p->vm;
	spin_lock_init(&pm->lock);
	pm->tmr_epoch_ns = ktime_get_ns();
	pm->pm1.pm = pm;
	pm->pm1.en_valid = PM1_EN_VALID;
	pm->gpe.pm = pm;
	pm->gpe.en_valid = 0xffff;
	p->acpi_pm = pm;
}

const struct khyp_platform_dev khyp_acpi_pm_dev = {
	KHYP_PLATFORM_DEV("acpi-pm", struct khyp_acpi_pm, KHYP_BUS_PIO,
			  acpi_pm_ranges),
	.init = acpi_pm_init,
};
