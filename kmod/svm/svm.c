// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V backend.  Written for the subset of SVM that QEMU's TCG offers as
 * well as for real parts: no next-RIP save, no decode assists, no
 * FlushByAsid and no clean bits are assumed.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/io.h>
#include <asm/irq_vectors.h>
#include <asm/mce.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include "../arch_ops.h"
#include "svm.h"

#define IOPM_ORDER	2	/* 12 KiB used */
#define MSRPM_ORDER	1	/* 8 KiB */
#define GUEST_PAT_RESET	0x0007040600070406ULL
/* Reads and writes of DR0-DR7 (intercept vector INTERCEPT_DR). */
#define DR_INTERCEPTS	0x00ff00ffU
#define DR7_ENABLES	0xffULL		/* L0, G0 ... L3, G3 */

static DEFINE_PER_CPU(struct khyp_svm_cpu, svm_cpu);
static void *svm_iopm;
static void *svm_msrpm;
static u32 svm_max_asid;

/* A cap on the ASIDs used, so that tests can make the space wrap often. */
static unsigned int max_asids;
module_param(max_asids, uint, 0644);
MODULE_PARM_DESC(max_asids,
		 "use at most this many ASIDs per CPU (0: all the CPU has)");

static u32 svm_asid_limit(void)
{
	u32 cap = READ_ONCE(max_asids);

	return cap && cap < svm_max_asid ? cap : svm_max_asid;
}
static u64 host_xcr0;
/* The CR4 bits khyp's guests may set: those it emulates, if the CPU has them. */
#define CR4_ALLOWED	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			 X86_CR4_FSGSBASE | X86_CR4_OSXSAVE | \
			 X86_CR4_UMIP | X86_CR4_SMEP | X86_CR4_SMAP)
static u64 svm_cr4_valid;
/* TSC_AUX exists: RDTSCP or RDPID read it. */
static bool host_tsc_aux;

/*
 * SVM instructions #UD once EFER.SVME is clear, which under a running
 * vCPU only an emergency disable (crash, NMI shootdown) does, with
 * khyp_rebooting set first; vmenter.S gives each a fixup.  False if the
 * instruction faulted.
 */
static bool svm_faulted(const char *insn)
{
	WARN_ONCE(!READ_ONCE(khyp_rebooting), "%s faulted: AMD-V is off on CPU %d",
		  insn, raw_smp_processor_id());
	return false;
}

static inline bool svm_clgi(void)
{
	return khyp_svm_clgi() || svm_faulted("CLGI");
}

static inline bool svm_stgi(void)
{
	return khyp_svm_stgi() || svm_faulted("STGI");
}

static inline bool svm_vmsave(u64 pa)
{
	return khyp_svm_vmsave(pa) || svm_faulted("VMSAVE");
}

static int svm_probe(void)
{
	u64 vm_cr;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON) {
		pr_err("AMD-V needs an AMD or Hygon CPU\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("the CPU does not have AMD-V (SVM)\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("AMD-V is disabled by the firmware (VM_CR.SVMDIS)\n");
		return -EOPNOTSUPP;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("AMD-V without nested paging is not supported\n");
		return -EOPNOTSUPP;
	}
	if (pgtable_l5_enabled()) {
		pr_err("5-level host paging is not supported yet\n");
		return -EOPNOTSUPP;
	}
	if (!boot_cpu_has(X86_FEATURE_XSAVE) ||
	    !boot_cpu_has(X86_FEATURE_OSXSAVE)) {
		pr_err("the host must use XSAVE\n");
		return -EOPNOTSUPP;
	}
	svm_max_asid = cpuid_ebx(SVM_CPUID_FUNC) - 1;
	if (svm_max_asid < 1) {
		pr_err("no ASIDs available\n");
		return -EOPNOTSUPP;
	}
	host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	svm_cr4_valid = CR4_ALLOWED;
	if (!boot_cpu_has(X86_FEATURE_FSGSBASE))
		svm_cr4_valid &= ~(u64)X86_CR4_FSGSBASE;
	if (!boot_cpu_has(X86_FEATURE_UMIP))
		svm_cr4_valid &= ~(u64)X86_CR4_UMIP;
	if (!boot_cpu_has(X86_FEATURE_SMEP))
		svm_cr4_valid &= ~(u64)X86_CR4_SMEP;
	if (!boot_cpu_has(X86_FEATURE_SMAP))
		svm_cr4_valid &= ~(u64)X86_CR4_SMAP;
	host_tsc_aux = boot_cpu_has(X86_FEATURE_RDTSCP) ||
		       boot_cpu_has(X86_FEATURE_RDPID);
	return 0;
}

/* MSRs whose guest values VMLOAD/VMSAVE switch: the guest owns them. */
static const u32 passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static void msrpm_allow(u8 *msrpm, u32 msr)
{
	u32 base, bit;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800 * 8, msr -= 0xc0000000;
	else if (msr >= 0xc0010000 && msr < 0xc0012000)
		base = 0x1000 * 8, msr -= 0xc0010000;
	else
		return;
	bit = base + msr * 2;
	msrpm[bit / 8] &= ~(3 << (bit % 8));
}

static void svm_teardown(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct khyp_svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = NULL;
		sd->host_save = NULL;
	}
	if (svm_iopm)
		free_pages((unsigned long)svm_iopm, IOPM_ORDER);
	if (svm_msrpm)
		free_pages((unsigned long)svm_msrpm, MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

static int svm_setup(void)
{
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct khyp_svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);

		sd->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		sd->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!sd->hsave || !sd->host_save)
			goto nomem;
	}
	svm_iopm = (void *)__get_free_pages(GFP_KERNEL, IOPM_ORDER);
	svm_msrpm = (void *)__get_free_pages(GFP_KERNEL, MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm)
		goto nomem;
	/* Intercept every port and every MSR but the VMLOAD-switched ones. */
	memset(svm_iopm, 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(svm_msrpm, 0xff, PAGE_SIZE << MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msrpm_allow(svm_msrpm, passthrough_msrs[i]);
	return 0;
nomem:
	svm_teardown();
	return -ENOMEM;
}

static int svm_cpu_enable(void)
{
	struct khyp_svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("CPU %d: AMD-V is already enabled (EFER.SVME) by another hypervisor, e.g. kvm_amd (6.12 enables it at load): rmmod kvm_amd, or load kvm with enable_virt_at_load=0\n",
		       smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/* ASIDs used before (by anyone) may hold stale translations. */
	sd->asid_gen++;
	sd->next_asid = svm_max_asid + 1;
	sd->enabled = true;
	return 0;
}

static void svm_cpu_disable(void)
{
	struct khyp_svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 efer;

	if (!sd->enabled)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	/* Leave GIF=1 so INIT and NMI stay deliverable. */
	svm_stgi();
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->enabled = false;
}

static int svm_vm_init(struct khyp_vm *vm)
{
	struct khyp_svm_vm *svm_vm = kzalloc(sizeof(*svm_vm), GFP_KERNEL_ACCOUNT);
	int r;

	if (!svm_vm)
		return -ENOMEM;
	r = khyp_npt_init(&svm_vm->npt);
	if (r) {
		kfree(svm_vm);
		return r;
	}
	vm->arch = svm_vm;
	return 0;
}

static void svm_vm_destroy(struct khyp_vm *vm)
{
	struct khyp_svm_vm *svm_vm = vm->arch;

	if (!svm_vm)
		return;
	khyp_npt_destroy(&svm_vm->npt);
	kfree(svm_vm);
	vm->arch = NULL;
}

static int svm_map_chunk(struct khyp_vm *vm, u64 gpa,
			 const struct khyp_mem_chunk *chunk)
{
	struct khyp_svm_vm *svm_vm = vm->arch;

	return khyp_npt_map_chunk(&svm_vm->npt, gpa, chunk);
}

static void set_intercept(struct vmcb *vmcb, unsigned int bit, bool on)
{
	if (on)
		vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
	else
		vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

static void seg_set(struct vmcb_seg *s, u16 sel, u64 base, u32 limit,
		    u16 attrib)
{
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->attrib = attrib;
}

/* Power-on / INIT state (APM vol. 2, table 14-1). */
static void svm_vcpu_reset(struct khyp_vcpu *vcpu)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	struct vmcb_control_area *ctl = &to_svm(vcpu)->vmcb->control;

	seg_set(&save->cs, 0xf000, 0xffff0000, 0xffff, 0x9b);
	seg_set(&save->ds, 0, 0, 0xffff, 0x93);
	save->es = save->ds;
	save->ss = save->ds;
	save->fs = save->ds;
	save->gs = save->ds;
	seg_set(&save->gdtr, 0, 0, 0xffff, 0);
	seg_set(&save->idtr, 0, 0, 0xffff, 0);
	seg_set(&save->ldtr, 0, 0, 0xffff, 0x82);
	seg_set(&save->tr, 0, 0, 0xffff, 0x8b);
	save->cpl = 0;
	save->efer = EFER_SVME;
	save->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	save->cr2 = 0;
	save->cr3 = 0;
	save->cr4 = 0;
	save->dr6 = 0xffff0ff0;
	save->dr7 = 0x400;
	save->g_pat = GUEST_PAT_RESET;
	save->star = 0;
	save->lstar = 0;
	save->cstar = 0;
	save->sfmask = 0;
	save->kernel_gs_base = 0;
	save->sysenter_cs = 0;
	save->sysenter_esp = 0;
	save->sysenter_eip = 0;
	ctl->event_inj = 0;
	ctl->int_state = 0;
	ctl->int_ctl = V_INTR_MASKING_MASK;
	ctl->int_vector = 0;
	set_intercept(to_svm(vcpu)->vmcb, INTERCEPT_IRET, false);
	to_svm(vcpu)->virq = -1;
	memset(to_svm(vcpu)->db, 0, sizeof(to_svm(vcpu)->db));
	to_svm(vcpu)->dr_live = false;
	ctl->intercepts[INTERCEPT_DR] = DR_INTERCEPTS;
	to_svm(vcpu)->tsc_aux = 0;	/* INIT runs outside a stretch */
	/*
	 * INIT flushes the TLB, global entries included: a fresh ASID (the
	 * generation 0 never matches) gives the vCPU an empty TLB.
	 */
	to_svm(vcpu)->asid_gen = 0;

	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	/* EDX holds the processor signature after reset. */
	vcpu->regs[KHYP_RDX] = cpuid_eax(1);
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->nmi_pending = false;
}

static void svm_vcpu_sipi(struct khyp_vcpu *vcpu, u8 vector)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	save->cs.selector = vector << 8;
	save->cs.base = (u64)vector << 12;
	vcpu->rip = 0;
}

static int svm_vcpu_create(struct khyp_vcpu *vcpu)
{
	struct khyp_svm_vm *svm_vm = vcpu->vm->arch;
	struct khyp_svm_vcpu *svm;
	struct vmcb *vmcb;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->last_cpu = -1;
	vcpu->arch = svm;
	vmcb = svm->vmcb;

	/* Everything a hypervisor must own, and every exit we handle. */
	/*
	 * #AC and #DB so that a guest cannot wedge a host CPU in a loop of
	 * them; #UD because QEMU's emulated SVM (7.2) pushes a #UD it
	 * delivers itself without RF, and reflected, it gets it (exits.c).
	 * Like KVM, which intercepts #UD for its emulator.
	 */
	set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + AC_VECTOR, true);
	set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + DB_VECTOR, true);
	set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + UD_VECTOR, true);
	set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + MC_VECTOR, true);
	set_intercept(vmcb, INTERCEPT_SELECTIVE_CR0, true);	/* not TS, MP */
	set_intercept(vmcb, INTERCEPT_CR4_WRITE, true);
	set_intercept(vmcb, INTERCEPT_INTR, true);
	set_intercept(vmcb, INTERCEPT_NMI, true);
	set_intercept(vmcb, INTERCEPT_SMI, true);
	set_intercept(vmcb, INTERCEPT_CPUID, true);
	set_intercept(vmcb, INTERCEPT_INVD, true);
	set_intercept(vmcb, INTERCEPT_WBINVD, true);	/* and WBNOINVD */
	set_intercept(vmcb, INTERCEPT_RDPMC, true);
	set_intercept(vmcb, INTERCEPT_HLT, true);
	set_intercept(vmcb, INTERCEPT_INVLPGA, true);
	set_intercept(vmcb, INTERCEPT_IOIO_PROT, true);
	set_intercept(vmcb, INTERCEPT_MSR_PROT, true);
	set_intercept(vmcb, INTERCEPT_SHUTDOWN, true);
	set_intercept(vmcb, INTERCEPT_VMRUN, true);
	set_intercept(vmcb, INTERCEPT_VMMCALL, true);
	set_intercept(vmcb, INTERCEPT_VMLOAD, true);
	set_intercept(vmcb, INTERCEPT_VMSAVE, true);
	set_intercept(vmcb, INTERCEPT_STGI, true);
	set_intercept(vmcb, INTERCEPT_CLGI, true);
	set_intercept(vmcb, INTERCEPT_SKINIT, true);
	set_intercept(vmcb, INTERCEPT_MONITOR, true);
	set_intercept(vmcb, INTERCEPT_MWAIT, true);
	set_intercept(vmcb, INTERCEPT_XSETBV, true);
	set_intercept(vmcb, INTERCEPT_RDPRU, true);

	vmcb->control.iopm_base_pa = __pa(svm_iopm);
	vmcb->control.msrpm_base_pa = __pa(svm_msrpm);
	vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	vmcb->control.nested_cr3 = __pa(svm_vm->npt.root);
	vmcb->control.tsc_offset = khyp_vcpu_tsc_offset(vcpu);
	svm_vcpu_reset(vcpu);
	return 0;
}

static void svm_vcpu_free(struct khyp_vcpu *vcpu)
{
	struct khyp_svm_vcpu *svm = to_svm(vcpu);

	if (!svm)
		return;
	__free_page(virt_to_page(svm->vmcb));
	kfree(svm);
	vcpu->arch = NULL;
}

/*
 * Once per stretch of runs on one host CPU (preemption off): save the
 * host's hidden state that the host VMLOAD restores after each exit.
 * Not on a CPU where AMD-V is off (coming online, or the reboot
 * notifier's IPI, hence IRQs off): it is switched on only outside a
 * stretch (cpuhp, resume), so svm_pre_run() refuses every entry of this
 * one.
 */
static void svm_vcpu_load(struct khyp_vcpu *vcpu, int cpu)
{
	struct khyp_svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);
	struct khyp_svm_vcpu *svm = to_svm(vcpu);
	unsigned long flags;
	u64 aux;

	local_irq_save(flags);
	if (sd->enabled)
		svm_vmsave(page_to_phys(sd->host_save));
	local_irq_restore(flags);
	/*
	 * The guest's TSC_AUX (RDPID cannot be intercepted) for the whole
	 * stretch: no user task runs here meanwhile, and the kernel itself
	 * does not read TSC_AUX (entry code finds the CPU with LSL).
	 */
	if (!host_tsc_aux)
		return;
	rdmsrl(MSR_TSC_AUX, aux);
	svm->host_tsc_aux = aux;
	if (svm->tsc_aux != svm->host_tsc_aux)
		wrmsrl(MSR_TSC_AUX, svm->tsc_aux);
	svm->tsc_aux_loaded = true;
}

static void svm_vcpu_put(struct khyp_vcpu *vcpu)
{
	struct khyp_svm_vcpu *svm = to_svm(vcpu);

	if (!svm->tsc_aux_loaded)
		return;
	if (svm->tsc_aux != svm->host_tsc_aux)
		wrmsrl(MSR_TSC_AUX, svm->host_tsc_aux);
	svm->tsc_aux_loaded = false;
}

/*
 * Right before VMRUN, interrupts off: false if AMD-V is off on this CPU
 * (the scheduler allows kthreads on a CPU coming online before its cpuhp
 * callback has enabled it; the reboot notifier's IPI, taken only out of
 * guest mode, turns it off for good).  Then make sure our ASID is valid
 * on this CPU.  A vCPU that moved CPUs takes a new ASID, as does everyone
 * after the ASID space wraps; the wrap's flush of every ASID rides on the
 * very VMRUN that follows, so no other vCPU (of any VM) can run on this
 * CPU with a reused ASID first.  Doing this at the start of a stretch
 * instead loses the flush when the stretch ends before its first VMRUN.
 */
static bool svm_pre_run(struct khyp_svm_vcpu *svm, struct khyp_svm_cpu *sd,
			int cpu)
{
	if (!sd->enabled)
		return false;
	if (svm->last_cpu == cpu && svm->asid_gen == sd->asid_gen)
		return true;
	if (sd->next_asid > svm_asid_limit()) {
		sd->asid_gen++;
		sd->next_asid = 1;
		sd->flush_pending = true;
	}
	if (sd->flush_pending)
		svm->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	svm->asid = sd->next_asid++;
	svm->asid_gen = sd->asid_gen;
	svm->last_cpu = cpu;
	svm->vmcb->control.asid = svm->asid;
	return true;
}

static void svm_decode_exit(struct khyp_vcpu *vcpu, struct khyp_arch_exit *e)
{
	struct vmcb_control_area *ctl = &to_svm(vcpu)->vmcb->control;
	const struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	u64 code = ctl->exit_code | ((u64)ctl->exit_code_hi << 32);

	e->code = code;
	e->info1 = ctl->exit_info_1;
	e->info2 = ctl->exit_info_2;
	/* QEMU's emulated SVM writes VMEXIT_INVALID's -1 in 32 bits only. */
	if (ctl->exit_code == (u32)SVM_EXIT_ERR) {
		e->kind = KHYP_AEXIT_FAIL_ENTRY;
		return;
	}
	switch (code) {
	case SVM_EXIT_CPUID:
		e->kind = KHYP_AEXIT_CPUID;
		break;
	case SVM_EXIT_IOIO:
		e->kind = KHYP_AEXIT_IO;
		e->io.port = e->info1 >> 16;
		e->io.size = (e->info1 >> SVM_IOIO_SIZE_SHIFT) & 7;
		e->io.size = e->io.size == 4 ? 4 : e->io.size == 2 ? 2 : 1;
		e->io.in = e->info1 & SVM_IOIO_TYPE_MASK;
		e->io.string = e->info1 & SVM_IOIO_STR_MASK;
		e->io.next_rip = e->info2;
		break;
	case SVM_EXIT_NPF:
		e->kind = KHYP_AEXIT_NPF;
		e->npf.gpa = e->info2;
		e->npf.error = e->info1;
		break;
	case SVM_EXIT_MSR:
		e->kind = KHYP_AEXIT_MSR;
		e->msr.index = vcpu->regs[KHYP_RCX];
		e->msr.write = e->info1 == 1;
		break;
	case SVM_EXIT_HLT:
		e->kind = KHYP_AEXIT_HLT;
		break;
	case SVM_EXIT_WRITE_CR8:
		e->kind = KHYP_AEXIT_CR8_WRITE;
		break;
	case SVM_EXIT_INTR:
	case SVM_EXIT_SMI:
		e->kind = KHYP_AEXIT_INTR;
		break;
	case SVM_EXIT_NMI:
		e->kind = KHYP_AEXIT_NMI;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->kind = KHYP_AEXIT_SHUTDOWN;
		break;
	case SVM_EXIT_INVD:
		e->kind = KHYP_AEXIT_INVD;
		break;
	case SVM_EXIT_WBINVD:
		e->kind = KHYP_AEXIT_WBINVD;
		break;
	case SVM_EXIT_RDPMC:
		/* No PMU: #GP, as for a counter that does not exist. */
		e->kind = KHYP_AEXIT_GP;
		break;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7:
		/*
		 * The guest uses its debug registers: give them to it until
		 * the next exit, and run the instruction again on them.
		 */
		to_svm(vcpu)->vmcb->control.intercepts[INTERCEPT_DR] = 0;
		to_svm(vcpu)->dr_live = true;
		e->kind = KHYP_AEXIT_DR;
		break;
	case SVM_EXIT_EXCP_BASE + MC_VECTOR:
		e->kind = KHYP_AEXIT_MCE;
		break;
	case SVM_EXIT_CR0_SEL_WRITE:
	case SVM_EXIT_WRITE_CR4:
		e->kind = KHYP_AEXIT_CR_WRITE;
		e->cr.index = code == SVM_EXIT_WRITE_CR4 ? 4 : 0;
		break;
	case SVM_EXIT_XSETBV:
		e->kind = KHYP_AEXIT_XSETBV;
		break;
	case SVM_EXIT_PAUSE:
		e->kind = KHYP_AEXIT_PAUSE;
		break;
	case SVM_EXIT_IRET:
		/* The NMI handler is returning: NMIs are deliverable again. */
		set_intercept(to_svm(vcpu)->vmcb, INTERCEPT_IRET, false);
		e->kind = KHYP_AEXIT_IRET;
		break;
	case SVM_EXIT_VMMCALL:
		e->kind = KHYP_AEXIT_VMMCALL;
		e->hc.cpl = save->cpl;
		e->hc.op64 = (save->efer & EFER_LMA) &&
			     (save->cs.attrib & SVM_SELECTOR_L_MASK);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_INVLPGA:
		e->kind = KHYP_AEXIT_UD;
		break;
	case SVM_EXIT_EXCP_BASE + AC_VECTOR:
	case SVM_EXIT_EXCP_BASE + DB_VECTOR:
	case SVM_EXIT_EXCP_BASE + UD_VECTOR:
		e->kind = KHYP_AEXIT_EXCEPTION;
		e->exc.vector = code - SVM_EXIT_EXCP_BASE;
		e->exc.has_error = e->exc.vector == AC_VECTOR;
		e->exc.error = e->info1;
		break;
	default:
		e->kind = KHYP_AEXIT_UNKNOWN;
		break;
	}
}

/*
 * EXITINTINFO names an external interrupt whose delivery an exit cut
 * short.  QEMU's emulated SVM reports it with the exception type; no real
 * exception has a vector above 31.
 */
static bool svm_cut_short_irq(u32 info)
{
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;

	if (!(info & SVM_EXITINTINFO_VALID))
		return false;
	return type == SVM_EXITINTINFO_TYPE_INTR ||
	       (type == SVM_EXITINTINFO_TYPE_EXEPT &&
		(info & SVM_EXITINTINFO_VEC_MASK) >= 32);
}

/*
 * The guest's DR0-3 in the CPU, for a run that does not intercept DR
 * accesses or whose DR7 enables breakpoints.  DR6 and DR7 come from
 * the VMCB.
 */
static void svm_load_guest_dr(struct khyp_svm_vcpu *svm)
{
	int i;

	/* No host breakpoint may fire on the guest's addresses meanwhile. */
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	for (i = 0; i < ARRAY_SIZE(svm->db); i++)
		set_debugreg(svm->db[i], i);
}

/* What the guest left in DR0-3 when it had them; intercepted again. */
static void svm_save_guest_dr(struct khyp_svm_vcpu *svm)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(svm->db); i++)
		get_debugreg(svm->db[i], i);
	svm->dr_live = false;
	svm->vmcb->control.intercepts[INTERCEPT_DR] = DR_INTERCEPTS;
}

/*
 * A machine check in guest mode ends in #VMEXIT, not in the host's
 * handler: call it, on a frame that looks like user mode (the guest's
 * code is not the kernel's), as KVM does.
 */
static void svm_machine_check(void)
{
	struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

	if (IS_ENABLED(CONFIG_X86_MCE))
		do_machine_check(&regs);
}

static void svm_vcpu_run(struct khyp_vcpu *vcpu, struct khyp_arch_exit *exit)
{
	struct khyp_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct khyp_svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 t0;

	if (!svm_pre_run(svm, sd, smp_processor_id()))
		goto not_entered;
	/* After a wrap, the first VMRUN here must flush every ASID. */
	WARN_ONCE(sd->flush_pending &&
		  vmcb->control.tlb_ctl != TLB_CONTROL_FLUSH_ALL_ASID,
		  "VMRUN reuses ASID %u on CPU %d before the wrap's flush",
		  vmcb->control.asid, smp_processor_id());
	if (vmcb->control.tlb_ctl == TLB_CONTROL_FLUSH_ALL_ASID)
		sd->flush_pending = false;

	vmcb->save.rax = vcpu->regs[KHYP_RAX];
	vmcb->save.rsp = vcpu->regs[KHYP_RSP];
	/*
	 * RIP moved since the exit: the core completed the instruction
	 * there, so an STI or MOV SS shadow over it is over (as KVM's
	 * skip_emulated_instruction()).  Else the HLT of "sti; hlt"
	 * resumes with the shadow held over the next instruction, and a
	 * wakeup interrupt waits for the following HLT exit, for ever.
	 * QEMU 7.2's emulated SVM ignores int_state at VMRUN (9.1 and
	 * hardware honour it), so the test host cannot show this.
	 */
	if (vmcb->save.rip != vcpu->rip)
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;

	exit->injected = vmcb->control.event_inj;
	exit->int_ctl = vmcb->control.int_ctl;
	if (!svm_clgi())
		goto not_entered;
	if (vcpu->xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	if (svm->dr_live || (vmcb->save.dr7 & DR7_ENABLES))
		svm_load_guest_dr(svm);
	t0 = rdtsc();
	/* Host IF=1 at VMRUN: physical interrupts cause #VMEXIT(INTR). */
	asm volatile("sti" ::: "memory");
	khyp_svm_enter(svm->vmcb_pa, vcpu->regs, page_to_phys(sd->host_save));
	asm volatile("cli" ::: "memory");
	vcpu->stats.guest_ns += rdtsc() - t0;	/* cycles; scaled on read */
	/*
	 * XCR0 is not switched by #VMEXIT.  Read what the guest left there:
	 * QEMU's emulated SVM does not honour the XSETBV intercept, so the
	 * guest may have changed it behind our back.
	 */
	vcpu->xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (vcpu->xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	if (svm->dr_live)
		svm_save_guest_dr(svm);
	if (svm->cr0_native) {
		set_intercept(vmcb, INTERCEPT_SELECTIVE_CR0, true);
		svm->cr0_native = false;
	}
	/* #VMEXIT resets DR7: bring back the host's breakpoints. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	svm_stgi();
	if (vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + MC_VECTOR)
		svm_machine_check();

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vcpu->regs[KHYP_RAX] = vmcb->save.rax;
	vcpu->regs[KHYP_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;

	/*
	 * An event whose delivery was cut short is delivered again; an
	 * external interrupt by being offered again (svm_irq_taken()), an
	 * exception or NMI through EVENTINJ.  A software interrupt is
	 * re-executed.
	 */
	exit->int_info = vmcb->control.exit_int_info;
	vmcb->control.event_inj = 0;
	if ((vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID) &&
	    !svm_cut_short_irq(vmcb->control.exit_int_info) &&
	    (vmcb->control.exit_int_info & SVM_EXITINTINFO_TYPE_MASK) !=
	    SVM_EXITINTINFO_TYPE_SOFT) {
		vmcb->control.event_inj = vmcb->control.exit_int_info;
		vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
	}
	svm_decode_exit(vcpu, exit);
	return;

not_entered:
	memset(exit, 0, sizeof(*exit));
	exit->kind = KHYP_AEXIT_HOST_OFF;
}

static void seg_to_user(struct khyp_segment *u, const struct vmcb_seg *s)
{
	u->base = s->base;
	u->limit = s->limit;
	u->selector = s->selector;
	u->attrib = s->attrib;
}

static void seg_from_user(struct vmcb_seg *s, const struct khyp_segment *u)
{
	s->base = u->base;
	s->limit = u->limit;
	s->selector = u->selector;
	s->attrib = u->attrib;
}

/* No VMCB clean bits are used (see the top): the next VMRUN loads it. */
static void svm_set_tsc_offset(struct khyp_vcpu *vcpu, u64 offset)
{
	to_svm(vcpu)->vmcb->control.tsc_offset = offset;
}

static void svm_get_sregs(struct khyp_vcpu *vcpu, struct khyp_sregs *s)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	seg_to_user(&s->cs, &save->cs);
	seg_to_user(&s->ds, &save->ds);
	seg_to_user(&s->es, &save->es);
	seg_to_user(&s->fs, &save->fs);
	seg_to_user(&s->gs, &save->gs);
	seg_to_user(&s->ss, &save->ss);
	seg_to_user(&s->tr, &save->tr);
	seg_to_user(&s->ldt, &save->ldtr);
	s->gdt.base = save->gdtr.base;
	s->gdt.limit = save->gdtr.limit;
	s->idt.base = save->idtr.base;
	s->idt.limit = save->idtr.limit;
	s->cr0 = save->cr0;
	s->cr2 = save->cr2;
	s->cr3 = save->cr3;
	s->cr4 = save->cr4;
	s->efer = save->efer & ~EFER_SVME;
}

#define EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/*
 * What VMRUN's consistency checks (APM vol. 2, 15.5.1) would refuse, and
 * a long mode that is not what the other bits make it: refused here, so
 * no register set from userspace ends in VMEXIT_INVALID.
 */
static bool svm_sregs_valid(const struct khyp_sregs *s)
{
	bool long_mode = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);

	if (s->efer & ~(u64)EFER_ALLOWED || s->cr4 & ~svm_cr4_valid ||
	    s->cr0 >> 32 || s->cr3 >> 52)
		return false;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return false;
	if ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE))
		return false;
	if (!!(s->efer & EFER_LMA) != long_mode)
		return false;
	return !long_mode || ((s->cr4 & X86_CR4_PAE) &&
			      !((s->cs.attrib & KHYP_SEG_L) &&
				(s->cs.attrib & KHYP_SEG_DB)));
}

/* CR4 bits whose change flushes the TLB, global entries included. */
#define CR4_TLB_BITS	(X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | \
			 X86_CR4_SMEP | X86_CR4_SMAP)
#define CR0_TLB_BITS	(X86_CR0_PE | X86_CR0_WP | X86_CR0_PG)

/* The #GP checks of MOV to CR0 (APM vol. 2, 3.1.1); 0 if it may go. */
static int svm_cr0_check(const struct vmcb_save_area *save, u64 val)
{
	if (val >> 32 || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return -EPERM;
	/* Paging off in 64-bit mode; on in long mode without PAE. */
	if (!(val & X86_CR0_PG) && (save->efer & EFER_LMA) &&
	    (save->cs.attrib & SVM_SELECTOR_L_MASK))
		return -EPERM;
	if ((val & X86_CR0_PG) && !(save->cr0 & X86_CR0_PG) &&
	    (save->efer & EFER_LME) && !(save->cr4 & X86_CR4_PAE))
		return -EPERM;
	return 0;
}

static int svm_set_cr(struct khyp_vcpu *vcpu, int cr, u64 val)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	if (cr == 0) {
		if (svm_cr0_check(save, val))
			return -EPERM;
		val |= X86_CR0_ET;
		/* Long mode comes and goes with paging while LME is set. */
		if ((save->efer & EFER_LME) && (val & X86_CR0_PG))
			save->efer |= EFER_LMA;
		else
			save->efer &= ~(u64)EFER_LMA;
		if ((val ^ save->cr0) & CR0_TLB_BITS)
			to_svm(vcpu)->asid_gen = 0;	/* a fresh, empty TLB */
		save->cr0 = val;
		return 0;
	}
	if (val & ~svm_cr4_valid)
		return -EPERM;
	if ((save->efer & EFER_LMA) && !(val & X86_CR4_PAE))
		return -EPERM;
	if ((val ^ save->cr4) & CR4_TLB_BITS)
		to_svm(vcpu)->asid_gen = 0;
	save->cr4 = val;
	return 0;
}

static void svm_cr0_write_native(struct khyp_vcpu *vcpu)
{
	set_intercept(to_svm(vcpu)->vmcb, INTERCEPT_SELECTIVE_CR0, false);
	to_svm(vcpu)->cr0_native = true;
}

static int svm_set_sregs(struct khyp_vcpu *vcpu, const struct khyp_sregs *s)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	if (!svm_sregs_valid(s))
		return -EINVAL;
	seg_from_user(&save->cs, &s->cs);
	seg_from_user(&save->ds, &s->ds);
	seg_from_user(&save->es, &s->es);
	seg_from_user(&save->fs, &s->fs);
	seg_from_user(&save->gs, &s->gs);
	seg_from_user(&save->ss, &s->ss);
	seg_from_user(&save->tr, &s->tr);
	seg_from_user(&save->ldtr, &s->ldt);
	save->gdtr.base = s->gdt.base;
	save->gdtr.limit = s->gdt.limit;
	save->idtr.base = s->idt.base;
	save->idtr.limit = s->idt.limit;
	save->cr0 = s->cr0;
	save->cr2 = s->cr2;
	save->cr3 = s->cr3;
	save->cr4 = s->cr4;
	save->efer = s->efer | EFER_SVME;
	save->cpl = (s->cs.attrib & SVM_SELECTOR_DPL_MASK) >>
		    SVM_SELECTOR_DPL_SHIFT;
	/* New paging state from outside: drop what the TLB remembers. */
	to_svm(vcpu)->asid_gen = 0;
	return 0;
}

static void svm_inject_exception(struct khyp_vcpu *vcpu, u8 vector,
				 bool has_error, u32 error)
{
	struct vmcb_control_area *ctl = &to_svm(vcpu)->vmcb->control;

	ctl->event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
			 (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	ctl->event_inj_err = error;
}

static void svm_inject_nmi(struct khyp_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	vmcb->control.event_inj = NMI_VECTOR | SVM_EVTINJ_VALID |
				  SVM_EVTINJ_TYPE_NMI;
	/* NMIs stay blocked until the handler's IRET. */
	set_intercept(vmcb, INTERCEPT_IRET, true);
}

static bool svm_event_pending(struct khyp_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.event_inj & SVM_EVTINJ_VALID;
}

static bool svm_nmi_allowed(struct khyp_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	return !(vmcb->control.event_inj & SVM_EVTINJ_VALID) &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK) &&
	       !(vmcb->control.intercepts[INTERCEPT_IRET / 32] &
		 BIT(INTERCEPT_IRET % 32));
}

/*
 * External interrupts go in as a virtual interrupt carrying the real
 * vector (V_IRQ), not through EVENTINJ: the CPU takes it as soon as the
 * guest's IF and interrupt shadow allow, with no interrupt-window exit in
 * between, and clears V_IRQ when it does.  It also keeps clear of QEMU's
 * emulated SVM (the test host), which can deliver an EVENTINJ interrupt a
 * second time, ignoring IF (Documentation/virt/khyp/architecture.rst).
 */
static void svm_offer_irq(struct khyp_vcpu *vcpu, int vector)
{
	struct khyp_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	svm->virq = vector;
	ctl->int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK);
	if (vector < 0)
		return;
	/*
	 * The LAPIC already applied TPR and PPR, and a CR8 write exits
	 * while a vector is offered (svm_set_tpr()): the CPU's own V_TPR
	 * check is not needed.  Nor wanted: QEMU 7.2's emulated SVM aborts
	 * (tcg_handle_interrupt: BQL not held) on a MOV to CR8 that lets a
	 * pending V_IRQ through.
	 */
	ctl->int_vector = vector;
	ctl->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
			((vector >> 4) << V_INTR_PRIO_SHIFT);
}

static int svm_irq_taken(struct khyp_vcpu *vcpu)
{
	struct khyp_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	int vector = svm->virq;

	if (vector < 0 || (ctl->int_ctl & V_IRQ_MASK))
		return -1;
	/* Taken, but the exit came before the guest saw it: back to IRR. */
	if (svm_cut_short_irq(ctl->exit_int_info))
		return -1;
	svm->virq = -1;
	return vector;
}

static void svm_set_tpr(struct khyp_vcpu *vcpu, u8 tpr, bool trap)
{
	struct khyp_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	svm->v_tpr = tpr >> 4;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				svm->v_tpr;
	set_intercept(vmcb, INTERCEPT_CR8_WRITE, trap);
}

static int svm_cr8_written(struct khyp_vcpu *vcpu)
{
	struct khyp_svm_vcpu *svm = to_svm(vcpu);
	u8 v_tpr = svm->vmcb->control.int_ctl & V_TPR_MASK;

	return v_tpr == svm->v_tpr ? -1 : v_tpr;
}

static void svm_debug_show(struct seq_file *m, struct khyp_vcpu *vcpu)
{
	const struct vmcb_control_area *ctl = &to_svm(vcpu)->vmcb->control;

	/* Racy against a running vCPU: a snapshot for humans. */
	seq_printf(m, "  svm: event_inj %#x int_ctl %#x int_vector %#x int_state %#x virq %d\n",
		   READ_ONCE(ctl->event_inj), READ_ONCE(ctl->int_ctl),
		   READ_ONCE(ctl->int_vector), READ_ONCE(ctl->int_state),
		   to_svm(vcpu)->virq);
}

static bool svm_get_msr(struct khyp_vcpu *vcpu, u32 index, u64 *val)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	switch (index) {
	case MSR_EFER:
		*val = save->efer & ~EFER_SVME;
		return true;
	case MSR_IA32_CR_PAT:
		*val = save->g_pat;
		return true;
	case MSR_TSC_AUX:
		*val = to_svm(vcpu)->tsc_aux;
		return host_tsc_aux;
	}
	return false;
}

static bool pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* 0 handled, -EPERM #GP, -ENOENT not ours. */
static int svm_set_msr(struct khyp_vcpu *vcpu, u32 index, u64 val)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	switch (index) {
	case MSR_EFER:
		if (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -EPERM;
		/* LME may change only with paging off. */
		if ((save->cr0 & X86_CR0_PG) && ((val ^ save->efer) & EFER_LME))
			return -EPERM;
		/* LMA is the hardware's to set; SVME stays on, hidden. */
		val = (val & ~(u64)EFER_LMA) | (save->efer & EFER_LMA);
		save->efer = val | EFER_SVME;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(val))
			return -EPERM;
		save->g_pat = val;
		return 0;
	case MSR_TSC_AUX:
		if (!host_tsc_aux)
			return -ENOENT;
		if (val >> 32)
			return -EPERM;
		to_svm(vcpu)->tsc_aux = val;
		if (to_svm(vcpu)->tsc_aux_loaded)
			wrmsrl(MSR_TSC_AUX, val);
		return 0;
	}
	return -ENOENT;
}

const struct khyp_arch_ops khyp_svm_ops = {
	.name = "svm",
	.probe = svm_probe,
	.setup = svm_setup,
	.teardown = svm_teardown,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.map_chunk = svm_map_chunk,
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_reset = svm_vcpu_reset,
	.vcpu_sipi = svm_vcpu_sipi,
	.vcpu_run = svm_vcpu_run,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.set_cr = svm_set_cr,
	.cr0_write_native = svm_cr0_write_native,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.inject_exception = svm_inject_exception,
	.inject_nmi = svm_inject_nmi,
	.nmi_allowed = svm_nmi_allowed,
	.offer_irq = svm_offer_irq,
	.irq_taken = svm_irq_taken,
	.set_tpr = svm_set_tpr,
	.cr8_written = svm_cr8_written,
	.debug_show = svm_debug_show,
	.event_pending = svm_event_pending,
	.set_tsc_offset = svm_set_tsc_offset,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
};
