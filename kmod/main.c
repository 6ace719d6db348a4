// SPDX-License-Identifier: GPL-2.0
/*
 * khyp: a kernel-resident VMM.  Module life: probe the hardware, own the
 * virtualization extension while VMs exist (on every host CPU, across
 * CPU hotplug and reboot), and the /dev/khyp misc device.
 */
#include <linux/cpuhotplug.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/reboot.h>
#include "arch_ops.h"
#include "compat.h"
#include "genl.h"
#include "khyp.h"
#include "stats.h"

struct khyp_stats khyp_stats;
bool khyp_rebooting;

static int __init arch_op_missing(const struct khyp_arch_ops *ops,
				  const char *func)
{
	pr_err("the %s backend has no %s hook\n", ops->name, func);
	return -EINVAL;
}

/* Each hook's static call, and its setter for khyp_arch_register(). */
#define KHYP_ARCH_OP(func)						\
	DEFINE_STATIC_CALL_NULL(khyp_arch_##func,			\
				*(((struct khyp_arch_ops *)0)->func));	\
	static int __init arch_set_##func(const struct khyp_arch_ops *ops) \
	{								\
		if (!ops->func)						\
			return arch_op_missing(ops, #func);		\
		static_call_update(khyp_arch_##func, ops->func);	\
		return 0;						\
	}
#include "arch_ops_list.h"

static int (* const setters[])(const struct khyp_arch_ops *) __initconst = {
#define KHYP_ARCH_OP(func) arch_set_##func,
#include "arch_ops_list.h"
};

/* Point every hook at @ops: a backend that lacks one does not load. */
static int __init khyp_arch_register(const struct khyp_arch_ops *ops)
{
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(setters); i++) {
		r = setters[i](ops);
		if (r)
			return r;
	}
	return 0;
}

static DEFINE_MUTEX(hw_lock);
static unsigned int hw_users;	/* [hw_lock] live VMs */
static int hw_cpuhp_state;	/* [hw_lock] dynamic cpuhp state, if on */
static bool hw_kvm_loaded;	/* [hw_lock] kvm_amd/kvm_intel loading or live */
static bool hw_emergency_cb;	/* [hw_lock] our emergency callback is set */

/*
 * Crashes and emergency reboots (kdump, sysrq-b, the NMI shootdown) skip
 * the reboot notifier: they run the one emergency-virtualization callback
 * on every CPU, which 6.12 relies on alone to leave AMD-V (compat.rst).  A
 * loaded KVM takes that slot whenever it enables AMD-V, even when that
 * fails (a second taker WARNs), and its callback clears EFER.SVME whoever
 * set it; so khyp holds the slot only while it owns AMD-V and no KVM
 * vendor module is loaded.
 */
static void khyp_emergency_disable(void)
{
	khyp_rebooting = true;
	khyp_arch_call(cpu_disable)();
}

static void hw_emergency_update(void)
{
	bool want = hw_users && !hw_kvm_loaded;

	lockdep_assert_held(&hw_lock);
	if (want == hw_emergency_cb)
		return;
	if (want)
		cpu_emergency_register_virt_callback(khyp_emergency_disable);
	else
		cpu_emergency_unregister_virt_callback(khyp_emergency_disable);
	hw_emergency_cb = want;
}

static bool is_kvm_vendor(const char *name)
{
	return !strcmp(name, "kvm_amd") || !strcmp(name, "kvm_intel");
}

/* COMING runs before the module's init, GOING after its exit. */
static int khyp_module_event(struct notifier_block *nb, unsigned long state,
			     void *data)
{
	struct module *mod = data;

	if (!is_kvm_vendor(mod->name) ||
	    (state != MODULE_STATE_COMING && state != MODULE_STATE_GOING))
		return NOTIFY_DONE;
	mutex_lock(&hw_lock);
	hw_kvm_loaded = state == MODULE_STATE_COMING;
	hw_emergency_update();
	mutex_unlock(&hw_lock);
	return NOTIFY_OK;
}

static struct notifier_block khyp_module_nb = {
	.notifier_call = khyp_module_event,
};

/* Vendor modules loaded before us: their /sys/module entries. */
static bool kvm_vendor_present(void)
{
	static const char *const names[] = { "kvm_amd", "kvm_intel" };
	struct kobject *k;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		k = kset_find_obj(THIS_MODULE->mkobj.kobj.kset, names[i]);
		if (k) {
			kobject_put(k);
			return true;
		}
	}
	return false;
}

static int hw_cpu_online(unsigned int cpu)
{
	return khyp_arch_call(cpu_enable)();
}

static int hw_cpu_offline(unsigned int cpu)
{
	khyp_arch_call(cpu_disable)();
	return 0;
}

/*
 * The first VM switches the extension on, everywhere; CPUs that come
 * online later are switched on by the cpuhp callback.  If one CPU refuses
 * (someone else owns SVM there), cpuhp rolls the others back.
 */
int khyp_hw_get(void)
{
	int r = 0;

	mutex_lock(&hw_lock);
	if (hw_users++ == 0) {
		r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "khyp:online",
				      hw_cpu_online, hw_cpu_offline);
		if (r < 0) {
			hw_users = 0;
			pr_err("cannot enable virtualization on every CPU (%d)\n",
			       r);
		} else {
			hw_cpuhp_state = r;
			r = 0;
			hw_emergency_update();
		}
	}
	mutex_unlock(&hw_lock);
	return r;
}

void khyp_hw_put(void)
{
	mutex_lock(&hw_lock);
	if (!WARN_ON(!hw_users) && --hw_users == 0) {
		hw_emergency_update();
		cpuhp_remove_state(hw_cpuhp_state);
	}
	mutex_unlock(&hw_lock);
}

static void hw_disable_this_cpu(void *unused)
{
	khyp_arch_call(cpu_disable)();
}

/*
 * A reboot or kexec must not leave EFER.SVME set behind.  The IPI is the
 * kick: a CPU in guest mode takes it only after #VMEXIT, IRQs on again,
 * and each later entry, checking with IRQs off, finds AMD-V off and stops
 * its vCPU (KHYP_INTERNAL_HOST_REBOOT).
 */
static int khyp_reboot(struct notifier_block *nb, unsigned long code,
		       void *unused)
{
	WRITE_ONCE(khyp_rebooting, true);
	on_each_cpu(hw_disable_this_cpu, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block khyp_reboot_nb = {
	.notifier_call = khyp_reboot,
	.priority = 0,
};

/*
 * Suspend to RAM and hibernation: the other CPUs go through the cpuhp
 * callbacks; this one (the last, IRQs off, every vCPU thread frozen)
 * wakes with EFER as the firmware left it.  hw_users cannot change while
 * every task is frozen.  Suspend to idle keeps AMD-V on and skips these.
 */
static int hw_syscore_suspend(void)
{
	if (READ_ONCE(hw_users))
		khyp_arch_call(cpu_disable)();
	return 0;
}

static void hw_syscore_resume(void)
{
	if (READ_ONCE(hw_users) && khyp_arch_call(cpu_enable)())
		pr_err("CPU %d: AMD-V not re-enabled after resume\n",
		       smp_processor_id());
}

KHYP_SYSCORE(khyp_syscore, hw_syscore_suspend, hw_syscore_resume);

static long dev_get_supported_cpuid(void __user *uarg)
{
	struct khyp_cpuid hdr;
	struct khyp_cpuid_entry *e;
	long r = 0;
	int n;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	e = kcalloc(KHYP_MAX_CPUID_ENTRIES, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = khyp_cpuid_supported(e, KHYP_MAX_CPUID_ENTRIES);
	if (hdr.nent < n)
		r = -E2BIG;
	hdr.nent = n;
	if (copy_to_user(uarg, &hdr, sizeof(hdr)) ||
	    (!r && copy_to_user(uarg + sizeof(hdr), e, n * sizeof(*e))))
		r = -EFAULT;
	kfree(e);
	return r;
}

static long dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KHYP_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return KHYP_API_VERSION;
	case KHYP_CREATE_VM: {
		struct khyp_vm_config cfg;
		struct khyp_vm *vm;

		if (copy_from_user(&cfg, uarg, sizeof(cfg)))
			return -EFAULT;
		vm = khyp_vm_create(&cfg);
		if (IS_ERR(vm))
			return PTR_ERR(vm);
		return khyp_vm_fd_install(vm);
	}
	case KHYP_GET_SUPPORTED_CPUID:
		return dev_get_supported_cpuid(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations khyp_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "vms %ld\nvcpus %ld\npages %ld\n",
			  atomic_long_read(&khyp_stats.vms),
			  atomic_long_read(&khyp_stats.vcpus),
			  atomic_long_read(&khyp_stats.pages));
}
static DEVICE_ATTR_RO(stats);

static struct attribute *khyp_dev_attrs[] = {
	&dev_attr_stats.attr,
	NULL
};
ATTRIBUTE_GROUPS(khyp_dev);

static struct miscdevice khyp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KHYP_DEVICE_NAME,
	.fops = &khyp_dev_fops,
	.groups = khyp_dev_groups,
	.mode = 0600,
};

static int __init khyp_init(void)
{
	int r;

	r = khyp_arch_register(&khyp_svm_ops);
	if (r)
		return r;
	r = khyp_arch_call(probe)();
	if (r)
		return r;
	khyp_fpu_size = cpuid_ecx(0xd);	/* XSAVE area for all features */
	r = khyp_arch_call(setup)();
	if (r)
		return r;
	r = register_reboot_notifier(&khyp_reboot_nb);
	if (r)
		goto fail_setup;
	r = register_module_notifier(&khyp_module_nb);
	khyp_register_syscore(khyp_syscore);
	if (r)
		goto fail_reboot;
	mutex_lock(&hw_lock);
	hw_kvm_loaded |= kvm_vendor_present();
	mutex_unlock(&hw_lock);
	r = misc_register(&khyp_misc);
	if (r)
		goto fail_modnb;
	r = khyp_genl_init();
	if (r)
		goto fail_misc;
	khyp_debugfs_init();
	pr_info("loaded (%s backend, API %d)\n", khyp_svm_ops.name,
		KHYP_API_VERSION);
	return 0;

fail_misc:
	misc_deregister(&khyp_misc);
fail_modnb:
	unregister_module_notifier(&khyp_module_nb);
fail_reboot:
	khyp_unregister_syscore(khyp_syscore);
	unregister_reboot_notifier(&khyp_reboot_nb);
fail_setup:
	khyp_arch_call(teardown)();
	return r;
}

static void __exit khyp_exit(void)
{
	khyp_debugfs_exit();
	khyp_genl_exit();
	misc_deregister(&khyp_misc);
	unregister_module_notifier(&khyp_module_nb);
	khyp_unregister_syscore(khyp_syscore);
	unregister_reboot_notifier(&khyp_reboot_nb);
	khyp_arch_call(teardown)();
}

module_init(khyp_init);
module_exit(khyp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("khyp: kernel-resident VMM with QMP-driven vCPU hotplug");
