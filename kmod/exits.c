// SPDX-License-Identifier: GPL-2.0
/*
 * Exit handlers: what the generic core does with each kind of exit the
 * backend reports (struct khyp_arch_exit).  The run loop that enters the
 * guest and calls khyp_handle_exit() is in vcpu.c.
 *
 * khyp_handle_exit() switches over the kind without a default label and
 * this file is built with -Werror=switch: a kind added to
 * KHYP_EXIT_KINDS without a handler does not build.
 */
#include <linux/ratelimit.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/traps.h>
#include "arch_ops.h"
#include "khyp.h"
#include "trace.h"

/* In the order of enum khyp_arch_exit_kind: the same list builds both. */
#define KHYP_AEXIT_STAT(kind, name, stat)	stat,
#define KHYP_AEXIT_NAME(kind, name, stat)	name,

static const u8 exit_kind_stat[] = {
	KHYP_EXIT_KINDS(KHYP_AEXIT_STAT, KHYP_AEXIT_STAT)
};

static const char *const exit_kind_name[] = {
	KHYP_EXIT_KINDS(KHYP_AEXIT_NAME, KHYP_AEXIT_NAME)
};

static void vcpu_fail(struct khyp_vcpu *vcpu, u32 reason, u32 suberror,
		      const struct khyp_arch_exit *e)
{
	memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
	vcpu->last_exit.reason = reason;
	if (e) {
		vcpu->last_exit.internal.exit_code = e->code;
		vcpu->last_exit.internal.info1 = e->info1;
		vcpu->last_exit.internal.info2 = e->info2;
	}
	vcpu->last_exit.internal.suberror = suberror;
	pr_info_ratelimited("VM %u vCPU %u stopped: reason %u/%u exit %#llx rip %#llx\n",
			    vcpu->vm->id, vcpu->id, reason, suberror,
			    e ? e->code : 0, vcpu->rip);
	khyp_vm_set_state(vcpu->vm, KHYP_VM_SHUTDOWN, vcpu->id);
	khyp_vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_DEAD, true);
}

/*
 * A guest's fatal state for the host log: its last exits, a software walk
 * of its page tables to RIP and the IDT, and its registers.  One limit
 * for the whole report: a guest that faults again after every reset must
 * not flood the log.
 */
static void khyp_vcpu_dump(struct khyp_vcpu *vcpu, const char *what,
			   const struct khyp_arch_exit *e)
{
	static DEFINE_RATELIMIT_STATE(dump_rs, 5 * HZ, 2);
	u64 rip_gpa = 0, idt_gpa = 0, pml4e = 0;
	struct khyp_sregs s;
	unsigned int i, n;
	int r_rip, r_idt;

	if (!__ratelimit(&dump_rs))
		return;
	khyp_arch_call(get_sregs)(vcpu, &s);
	for (i = 0; i < ARRAY_SIZE(vcpu->trace); i++) {
		n = (vcpu->trace_pos + i) % ARRAY_SIZE(vcpu->trace);
		pr_warn("VM %u vCPU %u: exit -%u: cpu %u%s code %#llx rip %#llx rflags %#llx info %#llx %#llx injected %#x cut-short %#x int_ctl %#x\n",
			vcpu->vm->id, vcpu->id,
			(unsigned int)ARRAY_SIZE(vcpu->trace) - i,
			vcpu->trace[n].cpu,
			vcpu->trace[n].first ? " new-stretch" : "",
			vcpu->trace[n].code, vcpu->trace[n].rip,
			vcpu->trace[n].rflags, vcpu->trace[n].info1,
			vcpu->trace[n].info2, vcpu->trace[n].injected,
			vcpu->trace[n].int_info, vcpu->trace[n].int_ctl);
	}
	r_rip = khyp_gva_to_gpa(vcpu, vcpu->rip, &rip_gpa);
	r_idt = khyp_gva_to_gpa(vcpu, s.idt.base, &idt_gpa);
	khyp_read_gpa(vcpu->vm, (s.cr3 & ~0xfffULL) +
		      ((vcpu->rip >> 39) & 511) * 8, &pml4e, 8);
	pr_warn("VM %u vCPU %u: walk rip -> %d %#llx, idt %#llx -> %d %#llx, pml4e %#llx\n",
		vcpu->vm->id, vcpu->id, r_rip, rip_gpa, s.idt.base, r_idt,
		idt_gpa, pml4e);
	pr_warn("VM %u vCPU %u: %s: rip %#llx rsp %#llx rflags %#llx cs %#x/%#llx cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx exit %#llx %#llx %#llx\n",
		vcpu->vm->id, vcpu->id, what, vcpu->rip,
		vcpu->regs[KHYP_RSP], vcpu->rflags, s.cs.selector,
		s.cs.base, s.cr0, s.cr2, s.cr3, s.cr4, s.efer,
		e->code, e->info1, e->info2);
}

/*
 * An exception for the next entry.  A fault pushes RFLAGS with RF set, so
 * that the handler's IRET does not re-trigger an instruction breakpoint;
 * injection does not do it by itself (KVM sets RF the same way).  #DB,
 * trap or fault, leaves RF alone, as do the traps #BP and #OF.
 */
static void inject_exception(struct khyp_vcpu *vcpu, u8 vector,
			     bool has_error, u32 error)
{
	if (vector != X86_TRAP_DB && vector != X86_TRAP_BP &&
	    vector != X86_TRAP_OF && vector != X86_TRAP_DF &&
	    vector != X86_TRAP_MC)
		vcpu->rflags |= X86_EFLAGS_RF;
	khyp_arch_call(inject_exception)(vcpu, vector, has_error, error);
}

static void inject_gp(struct khyp_vcpu *vcpu)
{
	vcpu->stats.count[KHYP_STAT_GP_INJECTED]++;
	inject_exception(vcpu, X86_TRAP_GP, true, 0);
}

static enum khyp_exit_action handle_cpuid(struct khyp_vcpu *vcpu)
{
	u32 a, b, c, d;

	khyp_cpuid_lookup(vcpu, vcpu->regs[KHYP_RAX], vcpu->regs[KHYP_RCX],
			  &a, &b, &c, &d);
	vcpu->regs[KHYP_RAX] = a;
	vcpu->regs[KHYP_RBX] = b;
	vcpu->regs[KHYP_RCX] = c;
	vcpu->regs[KHYP_RDX] = d;
	vcpu->rip += 2;
	return KHYP_RESUME;
}

/* khyp's hypercall ABI (abi.rst): none defined, as KVM's answers. */
static enum khyp_exit_action handle_vmmcall(struct khyp_vcpu *vcpu,
					    const struct khyp_arch_exit *e)
{
	u64 ret = e->hc.cpl ? -KHYP_HC_EPERM : -KHYP_HC_ENOSYS;

	vcpu->regs[KHYP_RAX] = e->hc.op64 ? ret : (u32)ret;
	vcpu->rip += 3;
	return KHYP_RESUME;
}

static u64 size_mask(int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static enum khyp_exit_action handle_io(struct khyp_vcpu *vcpu,
				       const struct khyp_arch_exit *e)
{
	bool platform = vcpu->vm->platform;
	u32 val = 0;
	int r;

	if (e->io.string) {
		/* Nothing on our buses needs INS/OUTS; say so rather than guess. */
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_EMULATION, e);
		return KHYP_LEAVE;
	}
	vcpu->rip = e->io.next_rip;
	if (e->io.in) {
		r = khyp_io_bus_read(vcpu, KHYP_BUS_PIO, e->io.port, &val,
				     e->io.size);
		if (r == -ENODEV && platform)
			val = ~0U;	/* an empty ISA bus floats high */
		else if (r == -ENODEV || r == KHYP_IO_USER)
			goto to_user;
		else if (r)
			goto fail;
		vcpu->regs[KHYP_RAX] = (vcpu->regs[KHYP_RAX] &
					~size_mask(e->io.size)) |
				       (val & size_mask(e->io.size));
		return KHYP_RESUME;
	}
	val = vcpu->regs[KHYP_RAX] & size_mask(e->io.size);
	r = khyp_io_bus_write(vcpu, KHYP_BUS_PIO, e->io.port, &val,
			      e->io.size);
	if ((r == -ENODEV && !platform) || r == KHYP_IO_USER)
		goto to_user;
	if (r && r != -ENODEV)
		goto fail;
	return KHYP_RESUME;

to_user:
	memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
	vcpu->last_exit.reason = KHYP_EXIT_IO;
	vcpu->last_exit.io.port = e->io.port;
	vcpu->last_exit.io.size = e->io.size;
	vcpu->last_exit.io.is_write = !e->io.in;
	vcpu->last_exit.io.data = val;
	vcpu->complete_io = e->io.in;
	khyp_vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_USER_EXIT, false);
	return KHYP_LEAVE;
fail:
	vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR, KHYP_INTERNAL_EMULATION, e);
	return KHYP_LEAVE;
}

static enum khyp_exit_action handle_npf(struct khyp_vcpu *vcpu,
					const struct khyp_arch_exit *e)
{
	int r;

	if (e->npf.gpa < vcpu->vm->mem.size) {
		/* RAM is always mapped: a fault on it is our bug. */
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_UNHANDLED_EXIT, e);
		return KHYP_LEAVE;
	}
	vcpu->stats.count[KHYP_STAT_MMIO]++;
	r = khyp_emulate_mmio(vcpu, e->npf.gpa);
	if (r == 0)
		return KHYP_RESUME;
	if (r == 1) {
		khyp_vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_USER_EXIT, false);
		return KHYP_LEAVE;
	}
	vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR, KHYP_INTERNAL_EMULATION, e);
	return KHYP_LEAVE;
}

static enum khyp_exit_action handle_msr(struct khyp_vcpu *vcpu,
					const struct khyp_arch_exit *e)
{
	u32 index = e->msr.index;
	u64 val;

	if (e->msr.write) {
		vcpu->stats.count[KHYP_STAT_MSR_WRITE]++;
		val = (vcpu->regs[KHYP_RAX] & 0xffffffffULL) |
		      (vcpu->regs[KHYP_RDX] << 32);
		if (khyp_msr_write(vcpu, index, val)) {
			inject_gp(vcpu);
			return KHYP_RESUME;
		}
	} else {
		vcpu->stats.count[KHYP_STAT_MSR_READ]++;
		if (khyp_msr_read(vcpu, index, &val)) {
			inject_gp(vcpu);
			return KHYP_RESUME;
		}
		vcpu->regs[KHYP_RAX] = (u32)val;
		vcpu->regs[KHYP_RDX] = val >> 32;
	}
	vcpu->rip += 2;
	return KHYP_RESUME;
}

static enum khyp_exit_action handle_hlt(struct khyp_vcpu *vcpu)
{
	vcpu->rip += 1;
	if (khyp_vcpu_wakeup_pending(vcpu))
		return KHYP_RESUME;
	vcpu->halted = true;
	return KHYP_LEAVE;
}

static enum khyp_exit_action handle_cr8_write(struct khyp_vcpu *vcpu,
					      const struct khyp_arch_exit *e)
{
	u64 val;
	int len = khyp_emulate_mov_to_cr8(vcpu, &val);

	if (len < 0) {
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_EMULATION, e);
		return KHYP_LEAVE;
	}
	if (val > 15) {
		inject_gp(vcpu);
		return KHYP_RESUME;
	}
	khyp_lapic_set_cr8(vcpu, val);
	vcpu->rip += len;
	return KHYP_RESUME;
}

static enum khyp_exit_action handle_shutdown(struct khyp_vcpu *vcpu,
					     const struct khyp_arch_exit *e)
{
	memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
	vcpu->last_exit.reason = KHYP_EXIT_SHUTDOWN;
	khyp_vcpu_dump(vcpu, "shutdown (triple fault)", e);
	khyp_vm_set_state(vcpu->vm, KHYP_VM_SHUTDOWN, vcpu->id);
	khyp_vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_DEAD, true);
	return KHYP_LEAVE;
}

static enum khyp_exit_action handle_xsetbv(struct khyp_vcpu *vcpu)
{
	u64 supported = xgetbv(XCR_XFEATURE_ENABLED_MASK) &
			(XFEATURE_MASK_FP | XFEATURE_MASK_SSE |
			 XFEATURE_MASK_YMM);
	u64 val = (vcpu->regs[KHYP_RAX] & 0xffffffffULL) |
		  (vcpu->regs[KHYP_RDX] << 32);

	if ((u32)vcpu->regs[KHYP_RCX] != 0 || !(val & XFEATURE_MASK_FP) ||
	    (val & ~supported) ||
	    ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))) {
		inject_gp(vcpu);
		return KHYP_RESUME;
	}
	vcpu->xcr0 = val;
	vcpu->rip += 3;
	return KHYP_RESUME;
}

/*
 * INVD would drop the host's cached writes too, and WBINVD or WBNOINVD
 * in a loop stall every core sharing the caches: all three are no-ops
 * (guest memory is write-back cached, so none is needed).
 */
static enum khyp_exit_action handle_cache_flush(struct khyp_vcpu *vcpu,
						const struct khyp_arch_exit *e)
{
	if (khyp_skip_cache_flush(vcpu)) {
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_EMULATION, e);
		return KHYP_LEAVE;
	}
	return KHYP_RESUME;
}

/*
 * CR0 and CR4 writes are checked here, not only by the CPU: QEMU's
 * emulated SVM lets invalid CR0 values through and fails the guest's
 * state (VMEXIT_INVALID) on CR4 reserved bits, where hardware gives #GP.
 */
static enum khyp_exit_action handle_cr_write(struct khyp_vcpu *vcpu,
					     const struct khyp_arch_exit *e)
{
	u64 rip = vcpu->rip, val;

	if (khyp_decode_mov_to_cr(vcpu, e->cr.index, &val)) {
		if (e->cr.index == 0) {
			khyp_arch_call(cr0_write_native)(vcpu);
			return KHYP_RESUME;
		}
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_EMULATION, e);
		return KHYP_LEAVE;
	}
	if (khyp_arch_call(set_cr)(vcpu, e->cr.index, val)) {
		vcpu->rip = rip;
		inject_gp(vcpu);
	}
	return KHYP_RESUME;
}

/*
 * A kind the backend could not name (or a kind out of range) stops the
 * guest with an internal error carrying the native code, and a log line
 * that says which kind it was.
 */
static enum khyp_exit_action handle_unhandled(struct khyp_vcpu *vcpu,
					      const struct khyp_arch_exit *e)
{
	pr_warn_ratelimited("VM %u vCPU %u: no handler for exit kind %u (%s), native code %#llx info %#llx %#llx rip %#llx\n",
			    vcpu->vm->id, vcpu->id, e->kind,
			    e->kind < ARRAY_SIZE(exit_kind_name) ?
			    exit_kind_name[e->kind] : "out of range",
			    e->code, e->info1, e->info2, vcpu->rip);
	vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
		  KHYP_INTERNAL_UNHANDLED_EXIT, e);
	return KHYP_LEAVE;
}

static void record_exit(struct khyp_vcpu *vcpu, const struct khyp_arch_exit *e)
{
	unsigned int t = vcpu->trace_pos++ % ARRAY_SIZE(vcpu->trace);

	vcpu->trace[t].code = e->code;
	vcpu->trace[t].rip = vcpu->rip;
	vcpu->trace[t].info1 = e->info1;
	vcpu->trace[t].info2 = e->info2;
	vcpu->trace[t].injected = e->injected;
	vcpu->trace[t].int_info = e->int_info;
	vcpu->trace[t].int_ctl = e->int_ctl;
	vcpu->trace[t].rflags = vcpu->rflags;
	vcpu->trace[t].cpu = smp_processor_id();
	vcpu->trace[t].first = vcpu->stretch_start;
	vcpu->stretch_start = false;
	trace_khyp_exit(vcpu, e);
}

enum khyp_exit_action khyp_handle_exit(struct khyp_vcpu *vcpu,
				       const struct khyp_arch_exit *e)
{
	record_exit(vcpu, e);
	vcpu->stats.count[KHYP_STAT_EXITS]++;
	if (e->kind >= ARRAY_SIZE(exit_kind_stat))
		return handle_unhandled(vcpu, e);
	if (exit_kind_stat[e->kind])
		vcpu->stats.count[exit_kind_stat[e->kind]]++;

	switch (e->kind) {
	case KHYP_AEXIT_CPUID:
		return handle_cpuid(vcpu);
	case KHYP_AEXIT_IO:
		return handle_io(vcpu, e);
	case KHYP_AEXIT_NPF:
		return handle_npf(vcpu, e);
	case KHYP_AEXIT_MSR:
		return handle_msr(vcpu, e);
	case KHYP_AEXIT_HLT:
		return handle_hlt(vcpu);
	case KHYP_AEXIT_INTR:
		/* The host takes the interrupt when IRQs are re-enabled. */
	case KHYP_AEXIT_NMI:
		/* Likewise the host's NMI, taken at STGI. */
	case KHYP_AEXIT_PAUSE:
		/* A spinning guest: re-entering lets the host reschedule. */
	case KHYP_AEXIT_IRET:
		/* The next entry injects a waiting NMI (backend's window). */
		return KHYP_RESUME;
	case KHYP_AEXIT_CR8_WRITE:
		return handle_cr8_write(vcpu, e);
	case KHYP_AEXIT_SHUTDOWN:
		return handle_shutdown(vcpu, e);
	case KHYP_AEXIT_UD:
		inject_exception(vcpu, X86_TRAP_UD, false, 0);
		return KHYP_RESUME;
	case KHYP_AEXIT_INVD:
	case KHYP_AEXIT_WBINVD:
		return handle_cache_flush(vcpu, e);
	case KHYP_AEXIT_GP:
		inject_gp(vcpu);
		return KHYP_RESUME;
	case KHYP_AEXIT_DR:
		/* The backend handed the guest its DRs: run it again. */
	case KHYP_AEXIT_MCE:
		/* The backend called the host's #MC handler. */
		return KHYP_RESUME;
	case KHYP_AEXIT_CR_WRITE:
		return handle_cr_write(vcpu, e);
	case KHYP_AEXIT_XSETBV:
		return handle_xsetbv(vcpu);
	case KHYP_AEXIT_VMMCALL:
		return handle_vmmcall(vcpu, e);
	case KHYP_AEXIT_EXCEPTION:
		/* Intercepted to be reflected: see the backend's list. */
		inject_exception(vcpu, e->exc.vector, e->exc.has_error,
				 e->exc.error);
		return KHYP_RESUME;
	case KHYP_AEXIT_FAIL_ENTRY:
		vcpu_fail(vcpu, KHYP_EXIT_FAIL_ENTRY, 0, e);
		return KHYP_LEAVE;
	case KHYP_AEXIT_HOST_OFF:
		/* For good if rebooting, else until cpuhp enables it (vcpu.c). */
		if (READ_ONCE(khyp_rebooting))
			vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
				  KHYP_INTERNAL_HOST_REBOOT, e);
		return KHYP_LEAVE;
	case KHYP_AEXIT_NONE:
	case KHYP_AEXIT_UNKNOWN:
		break;
	}
	return handle_unhandled(vcpu, e);
}

/* Userspace answered the exit it was given: finish the instruction. */
void khyp_complete_user_exit(struct khyp_vcpu *vcpu)
{
	if (vcpu->complete_io) {
		u64 mask = size_mask(vcpu->last_exit.io.size);

		vcpu->regs[KHYP_RAX] = (vcpu->regs[KHYP_RAX] & ~mask) |
				       (vcpu->last_exit.io.data & mask);
		vcpu->complete_io = false;
	}
	if (vcpu->complete_mmio) {
		khyp_emulate_mmio_complete(vcpu);
		vcpu->complete_mmio = false;
	}
}
