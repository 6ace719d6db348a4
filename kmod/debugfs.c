// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/khyp/vm<ID>/state: a snapshot of a VM's vCPUs and
 * interrupt path (vCPU run state and pending requests, each LAPIC's
 * IRR/ISR/TMR and LVTs, the IOAPIC's lines and redirection table, the
 * UART's interrupt sources), for diagnosing a guest that stopped getting
 * interrupts.  Not an ABI.
 *
 * /sys/kernel/debug/khyp/fail_nth: write N to make the Nth failpoint
 * (KHYP_FAILPOINT) reached from then on fail, 0 to disarm; reads back
 * how many are left to pass, so 0 after a write of N > 0 means the fault
 * was injected.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "arch_ops.h"
#include "khyp.h"
#include "platform.h"

static struct dentry *khyp_debugfs_root;

DEFINE_STATIC_KEY_FALSE(khyp_fail_armed);
static atomic_t fail_nth;

bool __khyp_should_fail(void)
{
	int n = atomic_read(&fail_nth);

	do {
		if (n <= 0)
			return false;
	} while (!atomic_try_cmpxchg(&fail_nth, &n, n - 1));
	return n == 1;
}

static int fail_nth_get(void *data, u64 *val)
{
	*val = atomic_read(&fail_nth);
	return 0;
}

static int fail_nth_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&fail_nth, val);
	if (val)
		static_branch_enable(&khyp_fail_armed);
	else
		static_branch_disable(&khyp_fail_armed);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_nth_fops, fail_nth_get, fail_nth_set, "%llu\n");

static int vm_state_show(struct seq_file *m, void *unused)
{
	struct khyp_vm *vm = m->private;
	u32 i;

	mutex_lock(&vm->lock);
	seq_printf(m, "vm %u name \"%s\" vcpus %u/%u\n", vm->id, vm->name,
		   vm->nr_vcpus, vm->max_vcpus);
	for (i = 0; i < vm->max_vcpus; i++) {
		struct khyp_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		seq_printf(m,
			   "vcpu %u: state %u halted %d wait_sipi %d nmi %d requests %#lx rip %#llx rflags %#llx\n",
			   vcpu->id, READ_ONCE(vcpu->state),
			   READ_ONCE(vcpu->halted), READ_ONCE(vcpu->wait_sipi),
			   READ_ONCE(vcpu->nmi_pending),
			   READ_ONCE(vcpu->requests), READ_ONCE(vcpu->rip),
			   READ_ONCE(vcpu->rflags));
		khyp_arch_call(debug_show)(m, vcpu);
		if (vcpu->lapic)
			khyp_lapic_debug_show(m, vcpu);
	}
	khyp_platform_debug_show(m, vm);
	mutex_unlock(&vm->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vm_state);

void khyp_debugfs_vm_add(struct khyp_vm *vm)
{
	char name[16];

	if (IS_ERR_OR_NULL(khyp_debugfs_root))
		return;
	snprintf(name, sizeof(name), "vm%u", vm->id);
	vm->debugfs = debugfs_create_dir(name, khyp_debugfs_root);
	debugfs_create_file("state", 0400, vm->debugfs, vm, &vm_state_fops);
}

/* Waits for readers of the VM's files: call before tearing anything down. */
void khyp_debugfs_vm_remove(struct khyp_vm *vm)
{
	debugfs_remove(vm->debugfs);
	vm->debugfs = NULL;
}

void khyp_debugfs_init(void)
{
	khyp_debugfs_root = debugfs_create_dir("khyp", NULL);
	debugfs_create_file_unsafe("fail_nth", 0600, khyp_debugfs_root, NULL,
				   &fail_nth_fops);
}

void khyp_debugfs_exit(void)
{
	debugfs_remove(khyp_debugfs_root);
}
