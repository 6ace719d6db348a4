/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one table between khyp's generic core and a hardware backend
 * (svm/ today, vmx/ later).  Kept small on purpose, as bhyve's vmm_ops:
 * the backend turns native exits into struct khyp_arch_exit and the core
 * does the rest.  The core calls the hooks through static calls
 * (khyp_arch_call()), direct calls once the backend has registered: no
 * indirect branch, hence no retpoline, on the way in and out of the guest.
 */
#ifndef KHYP_ARCH_OPS_H
#define KHYP_ARCH_OPS_H

#include <linux/static_call.h>
#include "khyp.h"

struct seq_file;

struct khyp_arch_ops {
	const char *name;
	/* Module load: 0 if the CPU can run us, else errno + a log line. */
	int (*probe)(void);
	/* Allocate / free per-CPU state for every possible CPU. */
	int (*setup)(void);
	void (*teardown)(void);
	/* Per host CPU, called on that CPU.  -EBUSY if someone owns it. */
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);

	int (*vm_init)(struct khyp_vm *vm);
	void (*vm_destroy)(struct khyp_vm *vm);
	/* Map host pages of one 2 MiB chunk at @gpa into the guest. */
	int (*map_chunk)(struct khyp_vm *vm, u64 gpa,
			 const struct khyp_mem_chunk *chunk);

	int (*vcpu_create)(struct khyp_vcpu *vcpu);
	void (*vcpu_free)(struct khyp_vcpu *vcpu);
	/* Architectural reset (power-on or INIT) state. */
	void (*vcpu_reset)(struct khyp_vcpu *vcpu);
	void (*vcpu_sipi)(struct khyp_vcpu *vcpu, u8 vector);

	/*
	 * Enter the guest once.  Called with preemption and IRQs disabled,
	 * inside kernel_fpu_begin(), the guest's FPU state loaded.  Fills
	 * @exit; GPRs, RIP and RFLAGS in the vcpu are current afterwards.
	 */
	void (*vcpu_run)(struct khyp_vcpu *vcpu, struct khyp_arch_exit *exit);
	/*
	 * Called on the vCPU thread, preemption off, around a stretch of
	 * runs on one host CPU: before the first and after the last.
	 */
	void (*vcpu_load)(struct khyp_vcpu *vcpu, int cpu);
	void (*vcpu_put)(struct khyp_vcpu *vcpu);

	/*
	 * The guest writes CR0 or CR4: 0, or -EPERM for #GP (nothing
	 * changed).  cr0_write_native: a CR0 write khyp does not decode
	 * (LMSW) runs on the CPU, unchecked, up to the next exit.
	 */
	int (*set_cr)(struct khyp_vcpu *vcpu, int cr, u64 val);
	void (*cr0_write_native)(struct khyp_vcpu *vcpu);
	void (*get_sregs)(struct khyp_vcpu *vcpu, struct khyp_sregs *s);
	int (*set_sregs)(struct khyp_vcpu *vcpu, const struct khyp_sregs *s);

	/* Event injection for the next entry. */
	void (*inject_exception)(struct khyp_vcpu *vcpu, u8 vector,
				 bool has_error, u32 error);
	void (*inject_nmi)(struct khyp_vcpu *vcpu);
	bool (*nmi_allowed)(struct khyp_vcpu *vcpu);
	/*
	 * Offer the LAPIC's highest deliverable @vector (-1: none) for the
	 * next entry.  The CPU takes it by itself once the guest's IF and
	 * interrupt shadow allow; irq_taken() then reports it, after the
	 * exit, so the LAPIC can put it in ISR (or back in IRR).
	 */
	void (*offer_irq)(struct khyp_vcpu *vcpu, int vector);
	int (*irq_taken)(struct khyp_vcpu *vcpu);
	/*
	 * The guest's CR8 is the LAPIC TPR's priority class.  set_tpr()
	 * shows @tpr as CR8 at the next entry; with @trap (a vector is
	 * requested), a write to CR8 exits (KHYP_AEXIT_CR8_WRITE), since it
	 * may decide whether the guest can take one.  After an exit,
	 * cr8_written() returns what the guest wrote to CR8 without
	 * exiting, or -1.
	 */
	void (*set_tpr)(struct khyp_vcpu *vcpu, u8 tpr, bool trap);
	int (*cr8_written)(struct khyp_vcpu *vcpu);
	/* An event is already queued for the next entry. */
	bool (*event_pending)(struct khyp_vcpu *vcpu);

	/* The guest TSC is the host's plus @offset from the next entry. */
	void (*set_tsc_offset)(struct khyp_vcpu *vcpu, u64 offset);

	/* MSRs the hardware keeps in the VMCB/VMCS (EFER, PAT, syscall...). */
	bool (*get_msr)(struct khyp_vcpu *vcpu, u32 index, u64 *val);
	int (*set_msr)(struct khyp_vcpu *vcpu, u32 index, u64 val);

	/* debugfs: the backend's view of pending events, one line. */
	void (*debug_show)(struct seq_file *m, struct khyp_vcpu *vcpu);
};

extern const struct khyp_arch_ops khyp_svm_ops;

#define KHYP_ARCH_OP(func)						\
	DECLARE_STATIC_CALL(khyp_arch_##func,				\
			    *(((struct khyp_arch_ops *)0)->func))
#include "arch_ops_list.h"

#define khyp_arch_call(func)	static_call(khyp_arch_##func)

#endif /* KHYP_ARCH_OPS_H */
