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

/* 6.3 made vma->vm_flags read-only behind vm_flags_set() and friends. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#endif /* KHYP_COMPAT_H */
