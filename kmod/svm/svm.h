/* SPDX-License-Identifier: GPL-2.0 */
/* Private to the SVM backend: nothing outside kmod/svm/ includes this. */
#ifndef KHYP_SVM_H
#define KHYP_SVM_H

#include <asm/svm.h>
#include "../khyp.h"

struct khyp_svm_cpu {
	struct page *hsave;	/* VM_HSAVE_PA: VMRUN's own host save */
	struct page *host_save;	/* VMSAVE/VMLOAD of hidden host state */
	u64 asid_gen;
	u32 next_asid;
	bool flush_pending;	/* ASIDs wrapped, no VMRUN has flushed yet */
	bool enabled;
};

struct khyp_npt {
	u64 *root;		/* PML4, host-physical addresses below */
	unsigned long nr_tables;
};

struct khyp_svm_vm {
	struct khyp_npt npt;
};

struct khyp_svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_gen;
	int last_cpu;
	u32 asid;
	int virq;		/* vector offered through V_IRQ, or -1 */
	u8 v_tpr;		/* V_TPR (CR8) as set_tpr() left it */
	u64 db[4];		/* guest DR0-3; DR6 and DR7 are in the VMCB */
	bool dr_live;		/* DR accesses not intercepted this run */
	bool cr0_native;	/* CR0 writes not intercepted this run */
	bool tsc_aux_loaded;	/* the CPU holds tsc_aux (inside a stretch) */
	u32 tsc_aux;
	u32 host_tsc_aux;	/* to restore at the stretch's end */
};

static inline struct khyp_svm_vcpu *to_svm(struct khyp_vcpu *vcpu)
{
	return vcpu->arch;
}

int khyp_npt_init(struct khyp_npt *npt);
void khyp_npt_destroy(struct khyp_npt *npt);
int khyp_npt_map_chunk(struct khyp_npt *npt, u64 gpa,
		       const struct khyp_mem_chunk *chunk);

void khyp_svm_enter(u64 vmcb_pa, u64 *regs, u64 host_save_pa);
/* False if the instruction faulted (#UD: AMD-V is off on this CPU). */
bool khyp_svm_clgi(void);
bool khyp_svm_stgi(void);
bool khyp_svm_vmsave(u64 pa);

#endif /* KHYP_SVM_H */
