// SPDX-License-Identifier: GPL-2.0
/*
 * Guest MSR accesses.  Everything is intercepted (except the MSRs VMLOAD
 * and VMSAVE switch) and answered from an allow-list; anything else gets
 * #GP, which Linux expects for MSRs a CPU lacks (rdmsr_safe probes).
 */
#include <asm/msr-index.h>
#include "arch_ops.h"
#include "khyp.h"

/* Fixed-range MTRRs are not offered (MTRRcap.FIX = 0), nor variable ones. */
#define MTRR_CAP	0

int khyp_msr_read(struct khyp_vcpu *vcpu, u32 index, u64 *val)
{
	int r;

	if (khyp_arch_call(get_msr)(vcpu, index, val))
		return 0;
	r = khyp_lapic_msr_read(vcpu, index, val);
	if (r != -ENOENT)
		return r ? -EPERM : 0;

	switch (index) {
	case MSR_K7_EVNTSEL0 ... MSR_K7_PERFCTR3:
		/*
		 * AMD's four legacy performance counters exist on every AMD
		 * CPU, so guests use them unprobed (kvm-unit-tests' start-up
		 * clears them).  khyp has no PMU: they read 0 and writes are
		 * dropped, as with KVM's PMU off.
		 */
		*val = 0;
		return 0;
	case MSR_IA32_TSC:
		*val = khyp_vcpu_read_tsc(vcpu);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		if (!khyp_cpuid_has_tsc_adjust(vcpu->vm))
			return -EPERM;
		*val = vcpu->tsc_adjust;
		return 0;
	case MSR_MTRRcap:
		*val = MTRR_CAP;
		return 0;
	case MSR_MTRRdefType:
		*val = vcpu->mtrr_def_type;
		return 0;
	case MSR_K7_HWCR:
		*val = vcpu->hwcr;
		return 0;
	case MSR_AMD64_DE_CFG:
		*val = vcpu->de_cfg;
		return 0;
	case MSR_AMD64_NB_CFG:	/* Linux sets the CF8 extended-config bit */
		*val = vcpu->nb_cfg;
		return 0;
	case MSR_AMD64_PATCH_LEVEL:	/* also IA32_UCODE_REV */
	case MSR_IA32_DEBUGCTLMSR:
	case MSR_IA32_MISC_ENABLE:
	case MSR_AMD64_SYSCFG:
		*val = 0;
		return 0;
	}
	return -EPERM;
}

/* IA32_TSC_ADJUST moves this vCPU's TSC by its change. */
static void set_tsc_adjust(struct khyp_vcpu *vcpu, u64 val)
{
	vcpu->tsc_adjust = val;
	khyp_arch_call(set_tsc_offset)(vcpu, khyp_vcpu_tsc_offset(vcpu));
}

int khyp_msr_write(struct khyp_vcpu *vcpu, u32 index, u64 val)
{
	int r;

	r = khyp_arch_call(set_msr)(vcpu, index, val);
	if (r != -ENOENT)
		return r;
	r = khyp_lapic_msr_write(vcpu, index, val);
	if (r != -ENOENT)
		return r ? -EPERM : 0;

	switch (index) {
	case MSR_IA32_TSC:
		/* SDM vol. 3, 18.17.3: TSC_ADJUST follows the TSC's change. */
		set_tsc_adjust(vcpu, vcpu->tsc_adjust + val -
			       khyp_vcpu_read_tsc(vcpu));
		return 0;
	case MSR_IA32_TSC_ADJUST:
		if (!khyp_cpuid_has_tsc_adjust(vcpu->vm))
			return -EPERM;
		set_tsc_adjust(vcpu, val);
		return 0;
	case MSR_K7_EVNTSEL0 ... MSR_K7_PERFCTR3:
		/* No PMU: see khyp_msr_read(). */
		return 0;
	case MSR_MTRRdefType:
		/* E, FE and the type; FE without fixed MTRRs is refused. */
		if (val & ~0xcffULL || (val & 0x400))
			return -EPERM;
		vcpu->mtrr_def_type = val;
		return 0;
	case MSR_K7_HWCR:
		vcpu->hwcr = val;
		return 0;
	case MSR_AMD64_DE_CFG:
		vcpu->de_cfg = val;
		return 0;
	case MSR_AMD64_NB_CFG:
		vcpu->nb_cfg = val;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBR or BTF for guests: only zero is accepted. */
		return val ? -EPERM : 0;
	case MSR_AMD64_PATCH_LEVEL:
	case 0x79:			/* IA32_BIOS_UPDT_TRIG */
		return 0;
	}
	return -EPERM;
}
