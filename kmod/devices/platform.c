// SPDX-License-Identifier: GPL-2.0
/*
 * The PC of a platform VM: builds and tears down the devices from one
 * table, attaches each vCPU's LAPIC and routes legacy interrupt lines.
 * For a bare VM (vm->platform == NULL) all of it is a no-op.
 *
 * Lifetime: khyp_platform_create() runs before any vCPU exists and
 * khyp_platform_destroy() after every vCPU thread has been stopped and
 * destroyed (vm.c: vm_release()), so device state needs no reference
 * counting; the LAPIC table is RCU-protected because vCPUs come and go
 * (hotplug) while others send IPIs.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include "../khyp.h"
#include "../platform.h"

/*
 * Port 0x80: POST codes, and Linux's io_delay writes around every slow
 * PIC/PIT/CMOS access.  Swallowing them here saves a userspace round trip
 * each.  Stateless: no lock.
 */
struct post {
	struct khyp_io_dev io;
};

static int post_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		     u64 offset, void *val, int len)
{
	khyp_io_put(val, len, ~0ULL);
	return 0;
}

static int post_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		      u64 offset, const void *val, int len)
{
	return 0;
}

static const struct khyp_io_range post_ranges[] = {
	KHYP_IO_RANGE(struct post, io, KHYP_POST_PORT, 1, "post",
		      post_read, post_write),
};

static const struct khyp_platform_dev post_dev = {
	KHYP_PLATFORM_DEV("post", struct post, KHYP_BUS_PIO, post_ranges),
};

/*
 * Built in this order, torn down in reverse: the interrupt sources after
 * the chips they drive, so that a source's timer never fires into a chip
 * already gone.
 */
static const struct khyp_platform_dev *const platform_devs[] = {
	&khyp_lapic_dev,
	&post_dev,
	&khyp_ioapic_dev,
	&khyp_pic_dev,
	&khyp_pit_dev,
	&khyp_rtc_dev,
	&khyp_uart_dev,
	&khyp_acpi_pm_dev,
	&khyp_pci_cfg_dev,
};

static int platform_dev_create(struct khyp_platform *p,
			       const struct khyp_platform_dev *d, void **out)
{
	void *state = KHYP_FAILPOINT(kzalloc(d->size, GFP_KERNEL_ACCOUNT),
				     NULL);
	int r;

	if (!state)
		return -ENOMEM;
	if (d->init)
		d->init(p, state);
	r = khyp_io_bus_register_ranges(p->vm, d->bus, state, d->ranges,
					d->nr_ranges);
	if (r) {
		if (d->destroy)
			d->destroy(state);
		kfree(state);
		return r;
	}
	*out = state;
	return 0;
}

static void platform_dev_destroy(struct khyp_platform *p,
				 const struct khyp_platform_dev *d, void *state)
{
	khyp_io_bus_unregister_ranges(p->vm, d->bus, state, d->ranges,
				      d->nr_ranges);
	if (d->destroy)
		d->destroy(state);
	kfree(state);
}

/* Tears down the first @n devices of the table, last first. */
static void platform_free(struct khyp_platform *p, unsigned int n)
{
	while (n--)
		if (p->state[n])
			platform_dev_destroy(p, platform_devs[n], p->state[n]);
	kfree(p->lapics);
	kfree(p);
}

int khyp_platform_create(struct khyp_vm *vm)
{
	struct khyp_platform *p;
	unsigned int i;
	int r;

	p = kzalloc(struct_size(p, state, ARRAY_SIZE(platform_devs)),
		    GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->nr_lapics = vm->max_vcpus;
	p->lapics = KHYP_FAILPOINT(kcalloc(p->nr_lapics, sizeof(*p->lapics),
					   GFP_KERNEL_ACCOUNT), NULL);
	if (!p->lapics) {
		kfree(p);
		return -ENOMEM;
	}
	/*
	 * Published before the devices exist: nothing can run a vCPU yet, and
	 * the interrupt routing looks the chips up through vm->platform.
	 */
	vm->platform = p;
	for (i = 0; i < ARRAY_SIZE(platform_devs); i++) {
		/* Left out: its ports are empty, p->state[i] stays NULL. */
		if (vm->flags & platform_devs[i]->omitted_by)
			continue;
		r = platform_dev_create(p, platform_devs[i], &p->state[i]);
		if (r) {
			vm->platform = NULL;
			platform_free(p, i);
			return r;
		}
	}
	return 0;
}

void khyp_platform_destroy(struct khyp_vm *vm)
{
	struct khyp_platform *p = vm->platform;

	if (!p)
		return;
	platform_free(p, ARRAY_SIZE(platform_devs));
	vm->platform = NULL;
}

void khyp_platform_debug_show(struct seq_file *m, struct khyp_vm *vm)
{
	struct khyp_platform *p = vm->platform;
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < ARRAY_SIZE(platform_devs); i++)
		if (platform_devs[i]->debug_show && p->state[i])
			platform_devs[i]->debug_show(m, p->state[i]);
}

int khyp_platform_vcpu_init(struct khyp_vcpu *vcpu)
{
	struct khyp_platform *p = vcpu->vm->platform;
	int r;

	if (!p)
		return 0;
	if (vcpu->id >= p->nr_lapics)
		return -EINVAL;
	r = khyp_lapic_create(vcpu);
	if (r)
		return r;
	rcu_assign_pointer(p->lapics[vcpu->id], vcpu->lapic);
	return 0;
}

/* Returns whether the LAPIC was published (readers may still hold it). */
static bool platform_vcpu_unpublish(struct khyp_vcpu *vcpu)
{
	struct khyp_platform *p = vcpu->vm->platform;

	if (!p || !vcpu->lapic || vcpu->id >= p->nr_lapics ||
	    rcu_access_pointer(p->lapics[vcpu->id]) != vcpu->lapic)
		return false;
	RCU_INIT_POINTER(p->lapics[vcpu->id], NULL);
	return true;
}

void khyp_platform_vcpu_unpublish(struct khyp_vcpu *vcpu)
{
	platform_vcpu_unpublish(vcpu);
}

/* May sleep: waits for interrupt routing that may still see this LAPIC. */
void khyp_platform_vcpu_destroy(struct khyp_vcpu *vcpu)
{
	if (platform_vcpu_unpublish(vcpu))
		synchronize_rcu();
	khyp_lapic_destroy(vcpu);
}

void khyp_irq_line(struct khyp_vm *vm, unsigned int gsi, int level)
{
	struct khyp_platform *p = vm->platform;

	if (!p || gsi >= KHYP_IOAPIC_PINS)
		return;
	/*
	 * The 8259As see ISA IRQs: GSI 2 is ISA IRQ 0 (the PIT, through the
	 * MADT override) and IRQ 2 is the cascade; GSI 0 is wired to nothing.
	 */
	if (gsi == KHYP_GSI_PIT)
		khyp_pic_set_irq(p->pic, 0, level);
	else if (gsi && gsi < 16)
		khyp_pic_set_irq(p->pic, gsi, level);
	khyp_ioapic_set_irq(p->ioapic, gsi, level);
}
