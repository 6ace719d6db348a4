// SPDX-License-Identifier: GPL-2.0
/*
 * The PC of a platform VM: builds and tears down the devices, routes
 * legacy interrupt lines, and gives the vCPU loop its interrupt hooks.
 * For a bare VM (vm->platform == NULL) every hook is a no-op.
 *
 * Lifetime: khyp_platform_create() runs before any vCPU exists and
 * khyp_platform_destroy() after every vCPU thread has been stopped and
 * destroyed (vm.c: vm_release()), so device state needs no reference
 * counting; the LAPIC table is RCU-protected because vCPUs come and go
 * (hotplug) while others send IPIs.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include "khyp.h"
#include "platform.h"

/*
 * Port 0x80: POST codes, and Linux's io_delay writes around every slow
 * PIC/PIT/CMOS access.  Swallowing them here saves a userspace round trip
 * each.
 */
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

static const struct khyp_io_dev_ops post_ops = {
	.read = post_read,
	.write = post_write,
};

static void platform_free(struct khyp_platform *p)
{
	/* Interrupt sources first: timers may still fire into the chips. */
	khyp_pci_cfg_destroy(p);
	khyp_acpi_pm_destroy(p);
	khyp_uart_destroy(p);
	khyp_rtc_destroy(p);
	khyp_pit_destroy(p);
	khyp_pic_destroy(p);
	khyp_ioapic_destroy(p);
	if (p->post.ops) {
		khyp_io_bus_unregister(p->vm, KHYP_BUS_PIO, &p->post);
		p->post.ops = NULL;
	}
	if (p->lapic_mmio.ops) {
		khyp_io_bus_unregister(p->vm, KHYP_BUS_MMIO, &p->lapic_mmio);
		p->lapic_mmio.ops = NULL;
	}
	kfree(p->lapics);
	kfree(p);
}

int khyp_platform_create(struct khyp_vm *vm)
{
	struct khyp_platform *p;
	int r;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->nr_lapics = vm->max_vcpus;
	p->lapics = kcalloc(p->nr_lapics, sizeof(*p->lapics),
			    GFP_KERNEL_ACCOUNT);
	if (!p->lapics) {
		kfree(p);
		return -ENOMEM;
	}
	/*
	 * Published before the devices exist: device constructors only
	 * register ranges, and nothing can run a vCPU yet.  The interrupt
	 * routing looks the chips up through vm->platform.
	 */
	vm->platform = p;

	p->lapic_mmio.base = KHYP_LAPIC_BASE;
	p->lapic_mmio.len = KHYP_LAPIC_SIZE;
	p->lapic_mmio.ops = &khyp_lapic_mmio_ops;
	p->lapic_mmio.name = "lapic";
	r = khyp_io_bus_register(vm, KHYP_BUS_MMIO, &p->lapic_mmio);
	if (r) {
		p->lapic_mmio.ops = NULL;
		goto fail;
	}
	p->post.base = KHYP_POST_PORT;
	p->post.len = 1;
	p->post.ops = &post_ops;
	p->post.name = "post";
	r = khyp_io_bus_register(vm, KHYP_BUS_PIO, &p->post);
	if (r) {
		p->post.ops = NULL;
		goto fail;
	}

	r = khyp_ioapic_create(p);
	if (!r)
		r = khyp_pic_create(p);
	if (!r)
		r = khyp_pit_create(p);
	if (!r)
		r = khyp_rtc_create(p);
	if (!r)
		r = khyp_uart_create(p);
	if (!r)
		r = khyp_acpi_pm_create(p);
	if (!r)
		r = khyp_pci_cfg_create(p);
	if (r)
		goto fail;
	return 0;

fail:
	vm->platform = NULL;
	platform_free(p);
	return r;
}

void khyp_platform_destroy(struct khyp_vm *vm)
{
	struct khyp_platform *p = vm->platform;

	if (!p)
		return;
	platform_free(p);
	vm->platform = NULL;
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

/* May sleep: waits for interrupt routing that may still see this LAPIC. */
void khyp_platform_vcpu_destroy(struct khyp_vcpu *vcpu)
{
	struct khyp_platform *p = vcpu->vm->platform;

	if (!p || !vcpu->lapic)
		return;
	if (vcpu->id < p->nr_lapics &&
	    rcu_access_pointer(p->lapics[vcpu->id]) == vcpu->lapic) {
		RCU_INIT_POINTER(p->lapics[vcpu->id], NULL);
		synchronize_rcu();
	}
	khyp_lapic_destroy(vcpu);
}

void khyp_platform_vcpu_reset(struct khyp_vcpu *vcpu)
{
	khyp_lapic_reset(vcpu);
}

int khyp_platform_pending_irq(struct khyp_vcpu *vcpu)
{
	return khyp_lapic_pending_irq(vcpu);
}

void khyp_platform_ack_irq(struct khyp_vcpu *vcpu, int vector)
{
	khyp_lapic_ack_irq(vcpu, vector);
}

int khyp_platform_msr_read(struct khyp_vcpu *vcpu, u32 index, u64 *val)
{
	return khyp_lapic_msr_read(vcpu, index, val);
}

int khyp_platform_msr_write(struct khyp_vcpu *vcpu, u32 index, u64 val)
{
	return khyp_lapic_msr_write(vcpu, index, val);
}

void khyp_platform_console_input(struct khyp_vm *vm)
{
	khyp_uart_input_ready(vm);
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

void khyp_platform_raise_gpe(struct khyp_vm *vm, unsigned int bit)
{
	if (vm->platform)
		khyp_acpi_pm_raise_gpe(vm->platform->acpi_pm, bit);
}

void khyp_platform_power_button(struct khyp_vm *vm)
{
	if (vm->platform)
		khyp_acpi_pm_power_button(vm->platform->acpi_pm);
}
