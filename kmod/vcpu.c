// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: one kthread each ("khyp/VM/VCPU") that enters the guest and
 * handles its exits in the kernel, and the vCPU file descriptor.
 *
 * The thread runs the guest in stretches: preemption off, inside
 * kernel_fpu_begin() with the guest's XSAVE state loaded, it loops
 * VMRUN -> handle exit -> VMRUN as long as exits can be handled without
 * sleeping.  It leaves the stretch (saving the guest FPU state, since a
 * kthread's FPU registers are not preserved across a context switch) to
 * reschedule, to sleep in HLT or wait-for-SIPI, to process requests from
 * other threads, or to stop for userspace.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/ratelimit.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/traps.h>
#include "arch_ops.h"
#include "khyp.h"
#include "stats.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

unsigned int khyp_fpu_size;

enum exit_action {
	EXIT_CONTINUE,		/* re-enter the guest at once */
	EXIT_LEAVE,		/* leave the stretch; the outer loop decides */
};

static void fpu_save(struct khyp_vcpu *vcpu)
{
	asm volatile("xsave64 (%0)" :: "r"(vcpu->fpu), "a"(-1), "d"(-1)
		     : "memory");
}

static void fpu_restore(struct khyp_vcpu *vcpu)
{
	asm volatile("xrstor64 (%0)" :: "r"(vcpu->fpu), "a"(-1), "d"(-1)
		     : "memory");
}

static void fpu_init_guest(struct khyp_vcpu *vcpu)
{
	struct fxregs_state *fx = vcpu->fpu;

	memset(vcpu->fpu, 0, khyp_fpu_size);
	/* XSTATE_BV = 0 means "init state", but MXCSR is always loaded. */
	fx->cwd = 0x37f;
	fx->mxcsr = 0x1f80;
}

u64 khyp_vcpu_read_tsc(struct khyp_vcpu *vcpu)
{
	return rdtsc() + vcpu->vm->tsc_offset;
}

void khyp_vcpu_kick(struct khyp_vcpu *vcpu)
{
	wake_up(&vcpu->wq);
	/* A vCPU in guest mode on another CPU leaves it on the IPI. */
	kick_process(vcpu->thread);
}

void khyp_vcpu_request(struct khyp_vcpu *vcpu, int req)
{
	set_bit(req, &vcpu->requests);
	/* Pairs with the vCPU reading requests with IRQs off before VMRUN. */
	smp_mb__after_atomic();
	khyp_vcpu_kick(vcpu);
}

/* Stop for userspace: last_exit is filled; @state says where we rest. */
static void vcpu_stop_for_user(struct khyp_vcpu *vcpu, u32 state, bool dead)
{
	spin_lock_irq(&vcpu->state_lock);
	vcpu->state = state;
	vcpu->run_wanted = false;
	vcpu->exit_ready = true;
	if (dead)
		vcpu->dead = true;
	spin_unlock_irq(&vcpu->state_lock);
	vcpu->stats.count[KHYP_STAT_USER_EXITS]++;
	wake_up_interruptible(&vcpu->user_wq);
}

static void vcpu_set_state(struct khyp_vcpu *vcpu, u32 state)
{
	if (READ_ONCE(vcpu->state) == state)
		return;
	spin_lock_irq(&vcpu->state_lock);
	vcpu->state = state;
	spin_unlock_irq(&vcpu->state_lock);
}

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
	vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_DEAD, true);
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
	khyp_arch->get_sregs(vcpu, &s);
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

static void inject_gp(struct khyp_vcpu *vcpu)
{
	vcpu->stats.count[KHYP_STAT_GP_INJECTED]++;
	khyp_arch->inject_exception(vcpu, X86_TRAP_GP, true, 0);
}

static void inject_ud(struct khyp_vcpu *vcpu)
{
	vcpu->stats.count[KHYP_STAT_UD_INJECTED]++;
	khyp_arch->inject_exception(vcpu, X86_TRAP_UD, false, 0);
}

static enum exit_action handle_cpuid(struct khyp_vcpu *vcpu)
{
	u32 a, b, c, d;

	khyp_cpuid_lookup(vcpu, vcpu->regs[KHYP_RAX], vcpu->regs[KHYP_RCX],
			  &a, &b, &c, &d);
	vcpu->regs[KHYP_RAX] = a;
	vcpu->regs[KHYP_RBX] = b;
	vcpu->regs[KHYP_RCX] = c;
	vcpu->regs[KHYP_RDX] = d;
	vcpu->rip += 2;
	return EXIT_CONTINUE;
}

static u64 size_mask(int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static enum exit_action handle_io(struct khyp_vcpu *vcpu,
				  const struct khyp_arch_exit *e)
{
	bool platform = vcpu->vm->platform;
	u32 val = 0;
	int r;

	if (e->io.string) {
		/* Nothing on our buses needs INS/OUTS; say so rather than guess. */
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_EMULATION, e);
		return EXIT_LEAVE;
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
		return EXIT_CONTINUE;
	}
	val = vcpu->regs[KHYP_RAX] & size_mask(e->io.size);
	r = khyp_io_bus_write(vcpu, KHYP_BUS_PIO, e->io.port, &val,
			      e->io.size);
	if ((r == -ENODEV && !platform) || r == KHYP_IO_USER)
		goto to_user;
	if (r && r != -ENODEV)
		goto fail;
	return EXIT_CONTINUE;

to_user:
	memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
	vcpu->last_exit.reason = KHYP_EXIT_IO;
	vcpu->last_exit.io.port = e->io.port;
	vcpu->last_exit.io.size = e->io.size;
	vcpu->last_exit.io.is_write = !e->io.in;
	vcpu->last_exit.io.data = val;
	vcpu->complete_io = e->io.in;
	vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_USER_EXIT, false);
	return EXIT_LEAVE;
fail:
	vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR, KHYP_INTERNAL_EMULATION, e);
	return EXIT_LEAVE;
}

static enum exit_action handle_npf(struct khyp_vcpu *vcpu,
				   const struct khyp_arch_exit *e)
{
	int r;

	if (e->npf.gpa < vcpu->vm->mem.size) {
		/* RAM is always mapped: a fault on it is our bug. */
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_UNHANDLED_EXIT, e);
		return EXIT_LEAVE;
	}
	vcpu->stats.count[KHYP_STAT_MMIO]++;
	r = khyp_emulate_mmio(vcpu, e->npf.gpa);
	if (r == 0)
		return EXIT_CONTINUE;
	if (r == 1) {
		vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_USER_EXIT, false);
		return EXIT_LEAVE;
	}
	vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR, KHYP_INTERNAL_EMULATION, e);
	return EXIT_LEAVE;
}

static enum exit_action handle_msr(struct khyp_vcpu *vcpu,
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
			return EXIT_CONTINUE;
		}
	} else {
		vcpu->stats.count[KHYP_STAT_MSR_READ]++;
		if (khyp_msr_read(vcpu, index, &val)) {
			inject_gp(vcpu);
			return EXIT_CONTINUE;
		}
		vcpu->regs[KHYP_RAX] = (u32)val;
		vcpu->regs[KHYP_RDX] = val >> 32;
	}
	vcpu->rip += 2;
	return EXIT_CONTINUE;
}

static enum exit_action handle_xsetbv(struct khyp_vcpu *vcpu)
{
	u64 supported = xgetbv(XCR_XFEATURE_ENABLED_MASK) &
			(XFEATURE_MASK_FP | XFEATURE_MASK_SSE |
			 XFEATURE_MASK_YMM);
	u64 val = (vcpu->regs[KHYP_RAX] & 0xffffffffULL) |
		  (vcpu->regs[KHYP_RDX] << 32);

	vcpu->stats.count[KHYP_STAT_XSETBV]++;
	if ((u32)vcpu->regs[KHYP_RCX] != 0 || !(val & XFEATURE_MASK_FP) ||
	    (val & ~supported) ||
	    ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))) {
		inject_gp(vcpu);
		return EXIT_CONTINUE;
	}
	vcpu->xcr0 = val;
	vcpu->rip += 3;
	return EXIT_CONTINUE;
}

static bool vcpu_wakeup_pending(struct khyp_vcpu *vcpu)
{
	if (vcpu->nmi_pending)
		return true;
	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       khyp_lapic_pending_irq(vcpu) >= 0;
}

static enum exit_action handle_exit(struct khyp_vcpu *vcpu,
				    const struct khyp_arch_exit *e)
{
	u64 *count = vcpu->stats.count;
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
	count[KHYP_STAT_EXITS]++;
	trace_khyp_exit(vcpu, e);
	switch (e->kind) {
	case KHYP_AEXIT_CPUID:
		count[KHYP_STAT_CPUID]++;
		return handle_cpuid(vcpu);
	case KHYP_AEXIT_IO:
		count[KHYP_STAT_IO]++;
		return handle_io(vcpu, e);
	case KHYP_AEXIT_NPF:
		count[KHYP_STAT_NPF]++;
		return handle_npf(vcpu, e);
	case KHYP_AEXIT_MSR:
		return handle_msr(vcpu, e);
	case KHYP_AEXIT_HLT:
		count[KHYP_STAT_HLT]++;
		vcpu->rip += 1;
		if (vcpu_wakeup_pending(vcpu))
			return EXIT_CONTINUE;
		vcpu->halted = true;
		return EXIT_LEAVE;
	case KHYP_AEXIT_INTR:
		/* The host takes the interrupt when IRQs are re-enabled. */
		count[KHYP_STAT_INTR]++;
		return EXIT_CONTINUE;
	case KHYP_AEXIT_NMI:
		count[KHYP_STAT_NMI]++;
		return EXIT_CONTINUE;
	case KHYP_AEXIT_SHUTDOWN:
		count[KHYP_STAT_SHUTDOWN]++;
		memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
		vcpu->last_exit.reason = KHYP_EXIT_SHUTDOWN;
		khyp_vcpu_dump(vcpu, "shutdown (triple fault)", e);
		khyp_vm_set_state(vcpu->vm, KHYP_VM_SHUTDOWN, vcpu->id);
		vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_DEAD, true);
		return EXIT_LEAVE;
	case KHYP_AEXIT_UD:
		inject_ud(vcpu);
		return EXIT_CONTINUE;
	case KHYP_AEXIT_INVD:
		/* Dropping the caches' contents would hurt the host. */
		count[KHYP_STAT_INVD]++;
		vcpu->rip += 2;
		return EXIT_CONTINUE;
	case KHYP_AEXIT_XSETBV:
		return handle_xsetbv(vcpu);
	case KHYP_AEXIT_EXCEPTION:
		/* Intercepted only so a guest cannot wedge a host CPU. */
		khyp_arch->inject_exception(vcpu, e->exc.vector,
					    e->exc.has_error, e->exc.error);
		return EXIT_CONTINUE;
	case KHYP_AEXIT_PAUSE:
		return EXIT_CONTINUE;
	case KHYP_AEXIT_FAIL_ENTRY:
		vcpu_fail(vcpu, KHYP_EXIT_FAIL_ENTRY, 0, e);
		return EXIT_LEAVE;
	default:
		count[KHYP_STAT_OTHER]++;
		vcpu_fail(vcpu, KHYP_EXIT_INTERNAL_ERROR,
			  KHYP_INTERNAL_UNHANDLED_EXIT, e);
		return EXIT_LEAVE;
	}
}

/* Called with IRQs off right before entry. */
static void inject_events(struct khyp_vcpu *vcpu)
{
	int vector;

	if (vcpu->nmi_pending && !khyp_arch->event_pending(vcpu) &&
	    khyp_arch->nmi_allowed(vcpu)) {
		vcpu->nmi_pending = false;
		khyp_arch->inject_nmi(vcpu);
	}
	if (!vcpu->vm->platform)
		return;
	/* Re-offered at every entry: the LAPIC's priorities may have moved. */
	vector = khyp_lapic_pending_irq(vcpu);
	khyp_arch->offer_irq(vcpu, vector);
}

/* Called right after an exit, before anything can EOI. */
static void account_taken_irq(struct khyp_vcpu *vcpu)
{
	int vector = khyp_arch->irq_taken(vcpu);

	if (vector < 0)
		return;
	khyp_lapic_ack_irq(vcpu, vector);
	vcpu->stats.count[KHYP_STAT_INJECTED_IRQS]++;
	trace_khyp_irq_taken(vcpu, vector);
}

#define REQ_LEAVE_MASK	(~BIT(KHYP_REQ_EVENT))

static void vcpu_run_stretch(struct khyp_vcpu *vcpu)
{
	struct khyp_arch_exit exit;
	enum exit_action action;

	kernel_fpu_begin();
	fpu_restore(vcpu);
	khyp_arch->vcpu_load(vcpu, smp_processor_id());
	vcpu->stretch_start = true;
	for (;;) {
		local_irq_disable();
		if (need_resched() || kthread_should_stop() ||
		    (READ_ONCE(vcpu->requests) & REQ_LEAVE_MASK)) {
			local_irq_enable();
			if (need_resched())
				vcpu->stats.count[KHYP_STAT_PREEMPTIONS]++;
			break;
		}
		clear_bit(KHYP_REQ_EVENT, &vcpu->requests);
		inject_events(vcpu);
		khyp_arch->vcpu_run(vcpu, &exit);
		account_taken_irq(vcpu);
		local_irq_enable();
		action = handle_exit(vcpu, &exit);
		if (action == EXIT_LEAVE)
			break;
	}
	fpu_save(vcpu);
	kernel_fpu_end();
}

static void vcpu_init_signal(struct khyp_vcpu *vcpu)
{
	khyp_arch->vcpu_reset(vcpu);
	khyp_lapic_reset(vcpu);
	fpu_init_guest(vcpu);
	vcpu->halted = false;
	vcpu->wait_sipi = true;
}

static void vcpu_process_requests(struct khyp_vcpu *vcpu)
{
	if (test_and_clear_bit(KHYP_REQ_INIT, &vcpu->requests))
		vcpu_init_signal(vcpu);
	if (test_and_clear_bit(KHYP_REQ_SIPI, &vcpu->requests) &&
	    vcpu->wait_sipi) {
		khyp_arch->vcpu_sipi(vcpu, READ_ONCE(vcpu->sipi_vector));
		vcpu->wait_sipi = false;
	}
	if (test_and_clear_bit(KHYP_REQ_NMI, &vcpu->requests))
		vcpu->nmi_pending = true;
	if (test_and_clear_bit(KHYP_REQ_STOP, &vcpu->requests) &&
	    READ_ONCE(vcpu->run_wanted)) {
		memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
		vcpu->last_exit.reason = KHYP_EXIT_STOPPED;
		vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_STOPPED, false);
	}
	clear_bit(KHYP_REQ_EVENT, &vcpu->requests);
}

static void vcpu_complete_user_exit(struct khyp_vcpu *vcpu)
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

static bool vcpu_can_run(struct khyp_vcpu *vcpu)
{
	return READ_ONCE(vcpu->run_wanted) && !READ_ONCE(vcpu->dead);
}

static bool vcpu_should_wake(struct khyp_vcpu *vcpu)
{
	return kthread_should_stop() || READ_ONCE(vcpu->requests);
}

static int vcpu_thread(void *data)
{
	struct khyp_vcpu *vcpu = data;

	while (!kthread_should_stop()) {
		vcpu_process_requests(vcpu);
		if (!vcpu_can_run(vcpu)) {
			wait_event_interruptible(vcpu->wq,
				vcpu_should_wake(vcpu) || vcpu_can_run(vcpu));
			continue;
		}
		vcpu_complete_user_exit(vcpu);
		if (vcpu->wait_sipi) {
			vcpu_set_state(vcpu, KHYP_VCPU_STATE_WAIT_SIPI);
			wait_event_interruptible(vcpu->wq,
						 vcpu_should_wake(vcpu));
			continue;
		}
		if (vcpu->halted) {
			if (!vcpu_wakeup_pending(vcpu)) {
				vcpu_set_state(vcpu, KHYP_VCPU_STATE_HALTED);
				wait_event_interruptible(vcpu->wq,
					vcpu_should_wake(vcpu) ||
					vcpu_wakeup_pending(vcpu));
				continue;
			}
			vcpu->halted = false;
		}
		vcpu_set_state(vcpu, KHYP_VCPU_STATE_RUNNING);
		vcpu_run_stretch(vcpu);
		cond_resched();
	}
	return 0;
}

/* ---- creation and teardown ---- */

static void vcpu_release(struct kref *ref)
{
	struct khyp_vcpu *vcpu = container_of(ref, struct khyp_vcpu, ref);

	khyp_platform_vcpu_destroy(vcpu);
	khyp_arch->vcpu_free(vcpu);
	free_pages((unsigned long)vcpu->fpu, get_order(khyp_fpu_size));
	kfree(vcpu);
	atomic_long_dec(&khyp_stats.vcpus);
}

void khyp_vcpu_put(struct khyp_vcpu *vcpu)
{
	kref_put(&vcpu->ref, vcpu_release);
}

/*
 * Stop the vCPU's thread for good and take it out of its VM.  Called with
 * the VM going away or the vCPU ejected; an open fd keeps the object (and
 * answers -ENODEV) until closed.
 */
void khyp_vcpu_destroy(struct khyp_vcpu *vcpu)
{
	struct khyp_vm *vm = vcpu->vm;

	set_bit(KHYP_REQ_EJECT, &vcpu->requests);
	/* Seen by the vCPU before its next VMRUN; the IPI covers the rest. */
	smp_mb__after_atomic();
	kick_process(vcpu->thread);
	kthread_stop(vcpu->thread);
	/*
	 * Nothing may reach this vCPU (IPIs, the IOAPIC, its own timer)
	 * once its thread is gone: take its LAPIC off the bus first.
	 */
	khyp_platform_vcpu_destroy(vcpu);
	put_task_struct(vcpu->thread);

	spin_lock_irq(&vcpu->state_lock);
	vcpu->dead = true;
	vcpu->state = KHYP_VCPU_STATE_DEAD;
	vcpu->exit_ready = true;
	vcpu->last_exit.reason = KHYP_EXIT_STOPPED;
	spin_unlock_irq(&vcpu->state_lock);
	wake_up_interruptible_all(&vcpu->user_wq);

	mutex_lock(&vm->lock);
	if (vm->vcpus[vcpu->id] == vcpu) {
		vm->vcpus[vcpu->id] = NULL;
		vm->nr_vcpus--;
	}
	mutex_unlock(&vm->lock);
	khyp_vcpu_put(vcpu);
}

int khyp_vcpu_create(struct khyp_vm *vm, const struct khyp_vcpu_config *cfg,
		     struct khyp_vcpu **out)
{
	struct khyp_vcpu *vcpu;
	u32 i;
	int r;

	if (cfg->reserved[0] || cfg->reserved[1] || cfg->pad ||
	    cfg->flags & ~KHYP_VCPU_WAIT_SIPI)
		return -EINVAL;
	if (cfg->id >= vm->max_vcpus)
		return -EINVAL;
	/* xAPIC IDs are 8 bits; 0xff is the broadcast address. */
	if (cfg->apic_id >= 0xff)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	kref_init(&vcpu->ref);
	vcpu->vm = vm;
	vcpu->id = cfg->id;
	vcpu->apic_id = cfg->apic_id;
	spin_lock_init(&vcpu->state_lock);
	mutex_init(&vcpu->ioctl_lock);
	init_waitqueue_head(&vcpu->wq);
	init_waitqueue_head(&vcpu->user_wq);
	vcpu->mtrr_def_type = 0x806;	/* MTRRs on, default write-back */
	vcpu->hwcr = BIT_ULL(24);	/* TscFreqSel: the TSC runs at P0 */
	atomic_long_inc(&khyp_stats.vcpus);

	vcpu->fpu = (void *)__get_free_pages(GFP_KERNEL_ACCOUNT,
					     get_order(khyp_fpu_size));
	if (!vcpu->fpu) {
		r = -ENOMEM;
		goto fail_free;
	}
	fpu_init_guest(vcpu);

	mutex_lock(&vm->lock);
	if (vm->vcpus[cfg->id]) {
		r = -EEXIST;
		goto fail_unlock;
	}
	for (i = 0; i < vm->max_vcpus; i++) {
		if (vm->vcpus[i] && vm->vcpus[i]->apic_id == cfg->apic_id) {
			r = -EEXIST;
			goto fail_unlock;
		}
	}
	r = khyp_arch->vcpu_create(vcpu);
	if (r)
		goto fail_unlock;
	r = khyp_platform_vcpu_init(vcpu);
	if (r)
		goto fail_arch;
	if (cfg->flags & KHYP_VCPU_WAIT_SIPI)
		vcpu->wait_sipi = true;

	vcpu->thread = kthread_create(vcpu_thread, vcpu, "khyp/%u/%u",
				      vm->id, vcpu->id);
	if (IS_ERR(vcpu->thread)) {
		r = PTR_ERR(vcpu->thread);
		goto fail_platform;
	}
	get_task_struct(vcpu->thread);
	vcpu->tid = task_pid_nr(vcpu->thread);
	vm->vcpus[cfg->id] = vcpu;
	vm->nr_vcpus++;
	kref_get(&vcpu->ref);	/* the VM's array */
	mutex_unlock(&vm->lock);
	wake_up_process(vcpu->thread);
	*out = vcpu;
	return 0;

fail_platform:
	khyp_platform_vcpu_destroy(vcpu);
fail_arch:
	khyp_arch->vcpu_free(vcpu);
fail_unlock:
	mutex_unlock(&vm->lock);
	free_pages((unsigned long)vcpu->fpu, get_order(khyp_fpu_size));
fail_free:
	kfree(vcpu);
	atomic_long_dec(&khyp_stats.vcpus);
	return r;
}

void khyp_vcpu_start_autonomous(struct khyp_vcpu *vcpu)
{
	spin_lock_irq(&vcpu->state_lock);
	vcpu->run_wanted = true;
	vcpu->exit_ready = false;
	spin_unlock_irq(&vcpu->state_lock);
	wake_up(&vcpu->wq);
}

/* ---- the vCPU fd ---- */

static int vcpu_release_fd(struct inode *inode, struct file *file)
{
	struct khyp_vcpu *vcpu = file->private_data;
	struct khyp_vm *vm = vcpu->vm;

	khyp_vcpu_put(vcpu);
	khyp_vm_put(vm);
	return 0;
}

/* Register access needs the thread parked outside guest mode. */
static int vcpu_check_stopped(struct khyp_vcpu *vcpu)
{
	int r = 0;

	spin_lock_irq(&vcpu->state_lock);
	if (vcpu->run_wanted)
		r = -EBUSY;
	spin_unlock_irq(&vcpu->state_lock);
	return r;
}

static void regs_to_user(struct khyp_vcpu *vcpu, struct khyp_regs *r)
{
	r->rax = vcpu->regs[KHYP_RAX];
	r->rbx = vcpu->regs[KHYP_RBX];
	r->rcx = vcpu->regs[KHYP_RCX];
	r->rdx = vcpu->regs[KHYP_RDX];
	r->rsi = vcpu->regs[KHYP_RSI];
	r->rdi = vcpu->regs[KHYP_RDI];
	r->rsp = vcpu->regs[KHYP_RSP];
	r->rbp = vcpu->regs[KHYP_RBP];
	r->r8 = vcpu->regs[KHYP_R8];
	r->r9 = vcpu->regs[KHYP_R9];
	r->r10 = vcpu->regs[KHYP_R10];
	r->r11 = vcpu->regs[KHYP_R11];
	r->r12 = vcpu->regs[KHYP_R12];
	r->r13 = vcpu->regs[KHYP_R13];
	r->r14 = vcpu->regs[KHYP_R14];
	r->r15 = vcpu->regs[KHYP_R15];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

static void regs_from_user(struct khyp_vcpu *vcpu, const struct khyp_regs *r)
{
	vcpu->regs[KHYP_RAX] = r->rax;
	vcpu->regs[KHYP_RBX] = r->rbx;
	vcpu->regs[KHYP_RCX] = r->rcx;
	vcpu->regs[KHYP_RDX] = r->rdx;
	vcpu->regs[KHYP_RSI] = r->rsi;
	vcpu->regs[KHYP_RDI] = r->rdi;
	vcpu->regs[KHYP_RSP] = r->rsp;
	vcpu->regs[KHYP_RBP] = r->rbp;
	vcpu->regs[KHYP_R8] = r->r8;
	vcpu->regs[KHYP_R9] = r->r9;
	vcpu->regs[KHYP_R10] = r->r10;
	vcpu->regs[KHYP_R11] = r->r11;
	vcpu->regs[KHYP_R12] = r->r12;
	vcpu->regs[KHYP_R13] = r->r13;
	vcpu->regs[KHYP_R14] = r->r14;
	vcpu->regs[KHYP_R15] = r->r15;
	vcpu->rip = r->rip;
	/* Bit 1 is always set; reserved bits stay clear. */
	vcpu->rflags = (r->rflags & 0x3f7fd7) | X86_EFLAGS_FIXED;
}

/* Resume the thread; userspace's answer to the last exit goes with it. */
static int vcpu_resume(struct khyp_vcpu *vcpu, const struct khyp_exit *answer)
{
	spin_lock_irq(&vcpu->state_lock);
	if (vcpu->dead) {
		spin_unlock_irq(&vcpu->state_lock);
		return -ESHUTDOWN;
	}
	if (vcpu->exit_ready && answer) {
		if (vcpu->last_exit.reason == KHYP_EXIT_IO &&
		    !vcpu->last_exit.io.is_write)
			vcpu->last_exit.io.data = answer->io.data;
		if (vcpu->last_exit.reason == KHYP_EXIT_MMIO &&
		    !vcpu->last_exit.mmio.is_write)
			vcpu->last_exit.mmio.data = answer->mmio.data;
	}
	vcpu->exit_ready = false;
	vcpu->run_wanted = true;
	spin_unlock_irq(&vcpu->state_lock);
	wake_up(&vcpu->wq);
	return 0;
}

static bool vcpu_exit_ready(struct khyp_vcpu *vcpu)
{
	return READ_ONCE(vcpu->exit_ready);
}

static long vcpu_ioctl_run(struct khyp_vcpu *vcpu, void __user *uarg)
{
	struct khyp_exit answer;
	int r;

	if (copy_from_user(&answer, uarg, sizeof(answer)))
		return -EFAULT;
	r = vcpu_resume(vcpu, &answer);
	if (r && r != -ESHUTDOWN)
		return r;
	if (wait_event_interruptible(vcpu->user_wq, vcpu_exit_ready(vcpu)))
		return -EINTR;
	return copy_to_user(uarg, &vcpu->last_exit, sizeof(vcpu->last_exit)) ?
	       -EFAULT : 0;
}

static long vcpu_ioctl_stop(struct khyp_vcpu *vcpu)
{
	if (!READ_ONCE(vcpu->run_wanted))
		return 0;
	khyp_vcpu_request(vcpu, KHYP_REQ_STOP);
	if (wait_event_interruptible(vcpu->user_wq,
				     !READ_ONCE(vcpu->run_wanted)))
		return -EINTR;
	return 0;
}

static long vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct khyp_vcpu *vcpu = file->private_data;
	void __user *uarg = (void __user *)arg;
	long r;

	/* RUN and STOP wait without the lock so STATE and STOP get through. */
	switch (cmd) {
	case KHYP_VCPU_RUN:
		return vcpu_ioctl_run(vcpu, uarg);
	case KHYP_VCPU_STOP:
		return vcpu_ioctl_stop(vcpu);
	case KHYP_VCPU_START:
		return vcpu_resume(vcpu, NULL);
	case KHYP_VCPU_GET_STATE: {
		struct khyp_vcpu_state st = {};

		spin_lock_irq(&vcpu->state_lock);
		st.state = vcpu->state;
		st.last_exit = vcpu->last_exit;
		spin_unlock_irq(&vcpu->state_lock);
		st.id = vcpu->id;
		st.apic_id = vcpu->apic_id;
		st.host_tid = vcpu->tid;
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case KHYP_VCPU_GET_STATS: {
		struct khyp_vcpu_stats st;

		memcpy(&st, &vcpu->stats, sizeof(st));
		st.guest_ns = tsc_khz ? mul_u64_u32_div(st.guest_ns, 1000000,
							tsc_khz) : 0;
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	}

	mutex_lock(&vcpu->ioctl_lock);
	switch (cmd) {
	case KHYP_GET_REGS: {
		struct khyp_regs regs;

		r = vcpu_check_stopped(vcpu);
		if (r)
			break;
		regs_to_user(vcpu, &regs);
		r = copy_to_user(uarg, &regs, sizeof(regs)) ? -EFAULT : 0;
		break;
	}
	case KHYP_SET_REGS: {
		struct khyp_regs regs;

		r = -EFAULT;
		if (copy_from_user(&regs, uarg, sizeof(regs)))
			break;
		r = vcpu_check_stopped(vcpu);
		if (!r)
			regs_from_user(vcpu, &regs);
		break;
	}
	case KHYP_GET_SREGS: {
		struct khyp_sregs sregs = {};

		r = vcpu_check_stopped(vcpu);
		if (r)
			break;
		khyp_arch->get_sregs(vcpu, &sregs);
		r = copy_to_user(uarg, &sregs, sizeof(sregs)) ? -EFAULT : 0;
		break;
	}
	case KHYP_SET_SREGS: {
		struct khyp_sregs sregs;
		unsigned int i;

		r = -EFAULT;
		if (copy_from_user(&sregs, uarg, sizeof(sregs)))
			break;
		r = -EINVAL;
		for (i = 0; i < ARRAY_SIZE(sregs.reserved); i++)
			if (sregs.reserved[i])
				goto out;
		r = vcpu_check_stopped(vcpu);
		if (!r)
			r = khyp_arch->set_sregs(vcpu, &sregs);
		if (!r)
			vcpu->wait_sipi = false;
		break;
	}
	default:
		r = -ENOTTY;
	}
out:
	mutex_unlock(&vcpu->ioctl_lock);
	return r;
}

static __poll_t vcpu_poll(struct file *file, poll_table *wait)
{
	struct khyp_vcpu *vcpu = file->private_data;

	poll_wait(file, &vcpu->user_wq, wait);
	return vcpu_exit_ready(vcpu) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations khyp_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vcpu_release_fd,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = vcpu_poll,
	.llseek = noop_llseek,
};

/* On failure the vCPU is taken out of the VM again: nothing half-made. */
int khyp_vcpu_fd_install(struct khyp_vcpu *vcpu)
{
	int fd;

	kref_get(&vcpu->ref);
	khyp_vm_get(vcpu->vm);
	fd = anon_inode_getfd("khyp-vcpu", &khyp_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		khyp_vm_put(vcpu->vm);
		khyp_vcpu_put(vcpu);
		khyp_vcpu_destroy(vcpu);
	}
	return fd;
}
