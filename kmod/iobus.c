// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM device bus: devices claim non-overlapping port or MMIO ranges
 * and receive offsets relative to their base.  Ranges are registered while
 * the VM is built and unregistered when it is torn down, after every vCPU
 * has stopped; they are looked up on every exit: a short sorted list under
 * a spinlock is plenty for the dozen devices of a PC.
 */
#include <linux/errno.h>
#include "khyp.h"

void khyp_io_bus_init(struct khyp_io_bus *bus)
{
	INIT_LIST_HEAD(&bus->devs);
	spin_lock_init(&bus->lock);
}

int khyp_io_bus_register(struct khyp_vm *vm, enum khyp_bus_kind kind,
			 struct khyp_io_dev *dev)
{
	struct khyp_io_bus *bus = &vm->buses[kind];
	struct khyp_io_dev *pos;
	struct list_head *where = &bus->devs;
	unsigned long flags;

	if (!dev->len || dev->base + dev->len < dev->base || !dev->ops)
		return -EINVAL;
	spin_lock_irqsave(&bus->lock, flags);
	list_for_each_entry(pos, &bus->devs, node) {
		if (dev->base < pos->base + pos->len &&
		    pos->base < dev->base + dev->len) {
			spin_unlock_irqrestore(&bus->lock, flags);
			pr_warn("VM %u: %s [%#llx+%#llx] overlaps %s\n", vm->id,
				dev->name, dev->base, dev->len, pos->name);
			return -EEXIST;
		}
		if (pos->base > dev->base) {
			where = &pos->node;
			break;
		}
	}
	list_add_tail(&dev->node, where);
	spin_unlock_irqrestore(&bus->lock, flags);
	return 0;
}

void khyp_io_bus_unregister(struct khyp_vm *vm, enum khyp_bus_kind kind,
			    struct khyp_io_dev *dev)
{
	struct khyp_io_bus *bus = &vm->buses[kind];
	unsigned long flags;

	spin_lock_irqsave(&bus->lock, flags);
	list_del_init(&dev->node);
	spin_unlock_irqrestore(&bus->lock, flags);
}

static struct khyp_io_dev *range_dev(void *state, const struct khyp_io_range *r)
{
	return state + r->dev_offset;
}

int khyp_io_bus_register_ranges(struct khyp_vm *vm, enum khyp_bus_kind kind,
				void *state, const struct khyp_io_range *r,
				unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		struct khyp_io_dev *dev = range_dev(state, &r[i]);

		dev->base = r[i].base;
		dev->len = r[i].len;
		dev->ops = &r[i].ops;
		dev->name = r[i].name;
		ret = khyp_io_bus_register(vm, kind, dev);
		if (ret) {
			khyp_io_bus_unregister_ranges(vm, kind, state, r, i);
			return ret;
		}
	}
	return 0;
}

/* Releases the first @n ranges, last first. */
void khyp_io_bus_unregister_ranges(struct khyp_vm *vm,
				   enum khyp_bus_kind kind, void *state,
				   const struct khyp_io_range *r,
				   unsigned int n)
{
	while (n--)
		khyp_io_bus_unregister(vm, kind, range_dev(state, &r[n]));
}

/* The device found here outlives the access: see the top of the file. */
static struct khyp_io_dev *bus_find(struct khyp_io_bus *bus, u64 addr,
				    int len)
{
	struct khyp_io_dev *dev, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&bus->lock, flags);
	list_for_each_entry(dev, &bus->devs, node) {
		if (addr >= dev->base && addr + len <= dev->base + dev->len) {
			found = dev;
			break;
		}
		if (dev->base > addr)
			break;
	}
	spin_unlock_irqrestore(&bus->lock, flags);
	return found;
}

int khyp_io_bus_read(struct khyp_vcpu *vcpu, enum khyp_bus_kind kind,
		     u64 addr, void *val, int len)
{
	struct khyp_io_dev *dev = bus_find(&vcpu->vm->buses[kind], addr, len);

	if (!dev || !dev->ops->read)
		return -ENODEV;
	return dev->ops->read(dev, vcpu, addr - dev->base, val, len);
}

int khyp_io_bus_write(struct khyp_vcpu *vcpu, enum khyp_bus_kind kind,
		      u64 addr, const void *val, int len)
{
	struct khyp_io_dev *dev = bus_find(&vcpu->vm->buses[kind], addr, len);

	if (!dev || !dev->ops->write)
		return -ENODEV;
	return dev->ops->write(dev, vcpu, addr - dev->base, val, len);
}
