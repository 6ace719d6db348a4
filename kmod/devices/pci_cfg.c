// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 at 0xcf8-0xcff with no devices behind
 * it, plus the reset control register at 0xcf9 that shares the range.
 *
 * CONFIG_ADDRESS (a dword at 0xcf8) latches like the real register, so
 * Linux's pci_check_type1() finds the mechanism, then finds no host bridge
 * in pci_sanity_check() (every read of CONFIG_DATA is all ones) and gives
 * up on PCI.  Byte reads of 0xcf8/0xcfa return all ones so that the
 * mechanism #2 probe (which expects zeros back) fails too.
 *
 * 0xcf9: a write with RST_CPU (bit 2) set is a reset request for the
 * whole VM; the FADT reset register points here with value 0x06.
 */
#include "../khyp.h"
#include "../platform.h"

#define PCI_CFG_ADDR_MASK	0x80fffffcU	/* enable, bus, dev, fn, reg */
#define RCR_SYS_RST		BIT(1)
#define RCR_RST_CPU		BIT(2)
#define RCR_FULL_RST		BIT(3)

struct khyp_pci_cfg {
	struct khyp_vm *vm;
	struct khyp_io_dev pio;
	/* Not raw: only port accesses take it, never a hardirq. */
	spinlock_t lock;
	u32 addr;		/* CONFIG_ADDRESS */
	u8 rcr;			/* reset control register */
};

static int pci_cfg_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, void *val, int len)
{
	struct khyp_pci_cfg *pc = container_of(dev, struct khyp_pci_cfg, pio);
	u64 v = ~0ULL;		/* no device answers */
	unsigned long flags;

	spin_lock_irqsave(&pc->lock, flags);
	if (offset == 0 && len == 4)
		v = pc->addr;
	else if (offset == 1 && len == 1)
		v = pc->rcr;
	spin_unlock_irqrestore(&pc->lock, flags);
	khyp_io_put(val, len, v);
	return 0;
}

static int pci_cfg_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			 u64 offset, const void *val, int len)
{
	struct khyp_pci_cfg *pc = container_of(dev, struct khyp_pci_cfg, pio);
	u32 v = khyp_io_get(val, len);
	unsigned long flags;
	bool reset = false;

	spin_lock_irqsave(&pc->lock, flags);
	if (offset == 0 && len == 4) {
		pc->addr = v & PCI_CFG_ADDR_MASK;
	} else if (offset == 1 && len == 1) {
		/* RST_CPU is a trigger and does not stick. */
		pc->rcr = v & (RCR_SYS_RST | RCR_FULL_RST);
		reset = v & RCR_RST_CPU;
	}
	/* CONFIG_DATA writes and odd-sized accesses go nowhere. */
	spin_unlock_irqrestore(&pc->lock, flags);
	if (reset)
		khyp_vm_set_state(pc->vm, KHYP_VM_RESET, vcpu->id);
	return 0;
}

static const struct khyp_io_range pci_cfg_ranges[] = {
	KHYP_IO_RANGE(struct khyp_pci_cfg, pio, KHYP_PCI_CFG_PORT, 8,
		      "pci-cfg", pci_cfg_read, pci_cfg_write),
};

static void pci_cfg_init(struct khyp_platform *p, void *state)
{
	struct khyp_pci_cfg *pc = state;

	pc->vm = p->vm;
	spin_lock_init(&pc->lock);
}

const struct khyp_platform_dev khyp_pci_cfg_dev = {
	KHYP_PLATFORM_DEV("pci-cfg", struct khyp_pci_cfg, KHYP_BUS_PIO,
			  pci_cfg_ranges),
	.init = pci_cfg_init,
};
