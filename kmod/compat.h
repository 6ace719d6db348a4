/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the LTS kernels khyp builds for
 * (6.1 and 6.12), in one place: code elsewhere uses the newer spelling,
 * and this header provides it on the older kernel.  The differences of
 * behaviour that need no version check here (the emergency-virtualization
 * callback, kvm_amd's enable_virt_at_load, FPU, hrtimer, cpuhp, genl) are
 * listed in Documentation/compat.rst.
 */
#ifndef KHYP_COMPAT_H
#define KHYP_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>

/* 6.12 moved the unaligned accessors out of asm/ (commit 5f60d5f6bbc1). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.12's kthreads keep the name they were made with (kthread->full_name,
 * what /proc shows); 6.1's only a name longer than comm.  So only before
 * 6.12 can a thread made ahead take its vCPU's name when bound (cpuhp.c's
 * standby thread).
 */
#define KHYP_KTHREAD_RENAMABLE	(LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0))

/* 6.3 made vma->vm_flags read-only behind vm_flags_set() and friends. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * Syscore callbacks take a data pointer and register through struct
 * syscore since 6.18 (Debian's 6.12 has it too: Kbuild tests the header).
 * KHYP_SYSCORE(name, suspend, resume) defines both spellings' glue;
 * khyp_register_syscore(name) registers it.
 */
#include <linux/syscore_ops.h>
#ifdef KHYP_HAVE_STRUCT_SYSCORE
#define KHYP_SYSCORE(name, sus, res)					\
	static int name##_suspend(void *data) { return sus(); }	\
	static void name##_resume(void *data) { res(); }		\
	static const struct syscore_ops name##_ops = {			\
		.suspend = name##_suspend, .resume = name##_resume };	\
	static struct syscore name = { .ops = &name##_ops }
#define khyp_register_syscore(name)	register_syscore(&(name))
#define khyp_unregister_syscore(name)	unregister_syscore(&(name))
#else
#define KHYP_SYSCORE(name, sus, res)					\
	static struct syscore_ops name = { .suspend = sus, .resume = res }
#define khyp_register_syscore(name)	register_syscore_ops(&(name))
#define khyp_unregister_syscore(name)	unregister_syscore_ops(&(name))
#endif

#endif /* KHYP_COMPAT_H */
