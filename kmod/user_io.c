// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace's share of a platform VM: the port ranges it serves, whose
 * accesses stop the vCPU with KHYP_EXIT_IO (devices only a launcher or a
 * test needs, such as khyp-run's fw_cfg and test devices), and the
 * interrupt lines such devices drive (KHYP_IRQ_LINE).  The ranges sit on
 * the port bus like any device, so the bus refuses an overlap with the
 * module's own devices.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "khyp.h"
#include "platform.h"

static int user_io_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			u64 offset, void *val, int len)
{
	return KHYP_IO_USER;
}

static int user_io_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
			 u64 offset, const void *val, int len)
{
	return KHYP_IO_USER;
}

static const struct khyp_io_dev_ops user_io_ops = {
	.read = user_io_read,
	.write = user_io_write,
};

static void user_io_unregister(struct khyp_vm *vm, struct khyp_io_dev *devs,
			       u32 n)
{
	while (n--)
		khyp_io_bus_unregister(vm, KHYP_BUS_PIO, &devs[n]);
}

int khyp_user_io_set(struct khyp_vm *vm, const void __user *uarg)
{
	struct khyp_user_io uio;
	struct khyp_io_dev *devs;
	u32 i;
	int r;

	if (copy_from_user(&uio, uarg, sizeof(uio)))
		return -EFAULT;
	if (!vm->platform || uio.nr > KHYP_MAX_USER_IO || uio.pad)
		return -EINVAL;
	for (i = 0; i < uio.nr; i++) {
		const struct khyp_user_io_range *u = &uio.ranges[i];

		if (!u->len || u->base + u->len > 0x10000 || u->pad)
			return -EINVAL;
	}
	devs = kcalloc(uio.nr ? uio.nr : 1, sizeof(*devs), GFP_KERNEL_ACCOUNT);
	if (!devs)
		return -ENOMEM;
	mutex_lock(&vm->lock);
	r = -EBUSY;
	if (vm->nr_vcpus || vm->user_io)
		goto out;
	for (i = 0; i < uio.nr; i++) {
		devs[i].base = uio.ranges[i].base;
		devs[i].len = uio.ranges[i].len;
		devs[i].ops = &user_io_ops;
		devs[i].name = "user";
		r = khyp_io_bus_register(vm, KHYP_BUS_PIO, &devs[i]);
		if (r) {
			user_io_unregister(vm, devs, i);
			goto out;
		}
	}
	vm->user_io = devs;
	vm->nr_user_io = uio.nr;
	devs = NULL;
	r = 0;
out:
	mutex_unlock(&vm->lock);
	kfree(devs);
	return r;
}

/* After every vCPU is gone (vm.c: vm_release()). */
void khyp_user_io_destroy(struct khyp_vm *vm)
{
	if (!vm->user_io)
		return;
	user_io_unregister(vm, vm->user_io, vm->nr_user_io);
	kfree(vm->user_io);
	vm->user_io = NULL;
	vm->nr_user_io = 0;
}

int khyp_user_irq_line(struct khyp_vm *vm, const void __user *uarg)
{
	struct khyp_irq_level irq;

	if (copy_from_user(&irq, uarg, sizeof(irq)))
		return -EFAULT;
	if (!vm->platform || irq.gsi >= KHYP_IOAPIC_PINS || irq.level > 1)
		return -EINVAL;
	khyp_irq_line(vm, irq.gsi, irq.level);
	return 0;
}
