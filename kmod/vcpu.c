// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: one kthread each ("khyp/VM/VCPU") that enters the guest and
 * hands its exits to the handlers in exits.c, and the vCPU file
 * descriptor.
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
#include <linux/cgroup.h>
#include <linux/file.h>
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include "arch_ops.h"
#include "khyp.h"
#include "stats.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

unsigned int khyp_fpu_size;

/* Bounds a poll whatever the parameter says: the CPU stays taken meanwhile. */
#define HALT_POLL_MAX_NS	(10 * NSEC_PER_MSEC)

static unsigned int halt_poll_ns = 200 * NSEC_PER_USEC;
module_param(halt_poll_ns, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns,
		 "longest a halted vCPU polls for its wakeup before it sleeps, in ns (0: never; at most 10 ms)");

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

static u64 ns_to_tsc(u64 ns)
{
	return mul_u64_u32_div(ns, tsc_khz, NSEC_PER_MSEC);
}

u64 khyp_vcpu_read_tsc(struct khyp_vcpu *vcpu)
{
	return rdtsc() + khyp_vcpu_tsc_offset(vcpu);
}

/*
 * Make the vCPU notice a request posted before a full barrier: wake it if
 * it sleeps, or force a #VMEXIT if it is in guest mode.  Otherwise (it
 * handles an exit, polls in HLT or is between stretches) it reads the
 * requests before its next entry and needs neither, so neither costs an
 * IPI then.
 */
static void vcpu_kick(struct khyp_vcpu *vcpu)
{
	/* The barrier orders the request before this (waitqueue_active()). */
	if (waitqueue_active(&vcpu->wq))
		wake_up(&vcpu->wq);
	/* A vCPU in guest mode on another CPU leaves it on the IPI. */
	if (READ_ONCE(vcpu->in_guest))
		kick_process(vcpu->thread);
}

void khyp_vcpu_request(struct khyp_vcpu *vcpu, int req)
{
	set_bit(req, &vcpu->requests);
	/* Pairs with the barrier after vcpu_run_stretch() sets in_guest. */
	smp_mb__after_atomic();
	vcpu_kick(vcpu);
}

void khyp_vcpu_stop_for_user(struct khyp_vcpu *vcpu, u32 state, bool dead)
{
	spin_lock_irq(&vcpu->state_lock);
	vcpu->state = state;
	vcpu->run_wanted = false;
	vcpu->exit_ready = true;
	/* A stop was asked for: its caller knows, RUN may resume at once. */
	vcpu->exit_seen = state == KHYP_VCPU_STATE_STOPPED;
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

bool khyp_vcpu_wakeup_pending(struct khyp_vcpu *vcpu)
{
	if (vcpu->nmi_pending)
		return true;
	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       khyp_lapic_pending_irq(vcpu) >= 0;
}

/* Called with IRQs off right before entry. */
static void inject_events(struct khyp_vcpu *vcpu)
{
	bool requested;
	int vector;
	u8 tpr;

	if (vcpu->nmi_pending && !khyp_arch_call(event_pending)(vcpu) &&
	    khyp_arch_call(nmi_allowed)(vcpu)) {
		vcpu->nmi_pending = false;
		khyp_arch_call(inject_nmi)(vcpu);
	}
	if (!vcpu->vm->platform)
		return;
	/* Re-offered at every entry: the LAPIC's priorities may have moved. */
	vector = khyp_lapic_offer_irq(vcpu, &tpr, &requested);
	khyp_arch_call(set_tpr)(vcpu, tpr, requested);
	khyp_arch_call(offer_irq)(vcpu, vector);
}

/*
 * Called right after an exit, before anything can EOI: the CR8 the guest
 * wrote and whether it took the offered vector go to the LAPIC.
 */
static void account_taken_irq(struct khyp_vcpu *vcpu)
{
	int vector, cr8;

	if (!vcpu->vm->platform)
		return;
	cr8 = khyp_arch_call(cr8_written)(vcpu);
	if (cr8 >= 0)
		khyp_lapic_set_cr8(vcpu, cr8);
	vector = khyp_lapic_offer_done(vcpu,
				       khyp_arch_call(irq_taken)(vcpu) >= 0);
	if (vector < 0)
		return;
	vcpu->stats.count[KHYP_STAT_INJECTED_IRQS]++;
	trace_khyp_irq_taken(vcpu, vector);
}

#define REQ_LEAVE_MASK	(~BIT(KHYP_REQ_EVENT))

static bool vcpu_must_leave(struct khyp_vcpu *vcpu)
{
	return need_resched() || kthread_should_stop() || freezing(current) ||
	       (READ_ONCE(vcpu->requests) & REQ_LEAVE_MASK);
}

/*
 * Halt polling, in the stretch right after an HLT exit: a wakeup that
 * comes within the vCPU's window costs neither the sleep, the scheduler's
 * wakeup (an IPI if the sender is on another CPU) nor the FPU switch of a
 * new stretch.  Senders need not kick a poller (vcpu_kick()): it reads the
 * request bits.  It stops early, and the vCPU sleeps, when the CPU is
 * wanted or a request other than an interrupt comes.  True if a wakeup
 * came: the vCPU runs on in this stretch.
 */
static bool vcpu_halt_poll(struct khyp_vcpu *vcpu)
{
	u64 window = min_t(u64, min(vcpu->halt_poll_ns, READ_ONCE(halt_poll_ns)),
			   HALT_POLL_MAX_NS);
	u64 end;

	/* The TSC, not a clocksource read: that may be an emulated device. */
	vcpu->halt_start = rdtsc();
	if (!window)
		return false;
	vcpu->stats.count[KHYP_STAT_HALT_POLLS]++;
	end = vcpu->halt_start + ns_to_tsc(window);
	do {
		if (vcpu_must_leave(vcpu)) {
			if (need_resched())
				vcpu->stats.count[KHYP_STAT_PREEMPTIONS]++;
			return false;
		}
		/* An interrupt was posted: is it one that ends the HLT? */
		if (test_bit(KHYP_REQ_EVENT, &vcpu->requests)) {
			clear_bit(KHYP_REQ_EVENT, &vcpu->requests);
			if (khyp_vcpu_wakeup_pending(vcpu)) {
				vcpu->stats.count[KHYP_STAT_HALT_POLL_HITS]++;
				vcpu->halted = false;
				return true;
			}
		}
		cpu_relax();
	} while (rdtsc() < end);
	return false;
}

/*
 * After a halt that did not end in its poll: a window that would have
 * caught it grows (doubling, from an eighth of the maximum); a halt
 * longer than the maximum ends polling until a short one comes, so an
 * idle vCPU, woken only by a periodic tick, does not poll at all.  A new
 * vCPU starts at the maximum.
 */
static void vcpu_halt_poll_adapt(struct khyp_vcpu *vcpu)
{
	u32 max = min_t(u32, READ_ONCE(halt_poll_ns), HALT_POLL_MAX_NS);
	u32 w = min(vcpu->halt_poll_ns, max);

	if (rdtsc() - vcpu->halt_start > ns_to_tsc(max))
		w = 0;
	else
		w = w ? min(2 * w, max) : max / 8;
	vcpu->halt_poll_ns = w;
}

/* False if the backend could not enter: AMD-V is off on this CPU. */
static bool vcpu_run_stretch(struct khyp_vcpu *vcpu)
{
	struct khyp_arch_exit exit = { .kind = KHYP_AEXIT_NONE };

	kernel_fpu_begin();
	fpu_restore(vcpu);
	khyp_arch_call(vcpu_load)(vcpu, smp_processor_id());
	vcpu->stretch_start = true;
	for (;;) {
		local_irq_disable();
		/* Pairs with khyp_vcpu_request(): it kicks, or we see its bit. */
		smp_store_mb(vcpu->in_guest, true);
		if (vcpu_must_leave(vcpu)) {
			WRITE_ONCE(vcpu->in_guest, false);
			local_irq_enable();
			if (need_resched())
				vcpu->stats.count[KHYP_STAT_PREEMPTIONS]++;
			break;
		}
		clear_bit(KHYP_REQ_EVENT, &vcpu->requests);
		inject_events(vcpu);
		khyp_arch_call(vcpu_run)(vcpu, &exit);
		WRITE_ONCE(vcpu->in_guest, false);
		account_taken_irq(vcpu);
		local_irq_enable();
		if (khyp_handle_exit(vcpu, &exit) == KHYP_LEAVE &&
		    !(vcpu->halted && vcpu_halt_poll(vcpu)))
			break;
	}
	khyp_arch_call(vcpu_put)(vcpu);
	fpu_save(vcpu);
	kernel_fpu_end();
	return exit.kind != KHYP_AEXIT_HOST_OFF;
}

static void vcpu_init_signal(struct khyp_vcpu *vcpu)
{
	khyp_arch_call(vcpu_reset)(vcpu);
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
		khyp_arch_call(vcpu_sipi)(vcpu, READ_ONCE(vcpu->sipi_vector));
		vcpu->wait_sipi = false;
	}
	if (test_and_clear_bit(KHYP_REQ_NMI, &vcpu->requests))
		vcpu->nmi_pending = true;
	if (test_and_clear_bit(KHYP_REQ_STOP, &vcpu->requests) &&
	    READ_ONCE(vcpu->run_wanted)) {
		memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
		vcpu->last_exit.reason = KHYP_EXIT_STOPPED;
		khyp_vcpu_stop_for_user(vcpu, KHYP_VCPU_STATE_STOPPED, false);
	}
	clear_bit(KHYP_REQ_EVENT, &vcpu->requests);
}

/* Ejected: only kthread_stop() is left to wait for. */
static bool vcpu_can_run(struct khyp_vcpu *vcpu)
{
	return READ_ONCE(vcpu->run_wanted) && !READ_ONCE(vcpu->dead) &&
	       !test_bit(KHYP_REQ_EJECT, &vcpu->requests);
}

static bool vcpu_should_wake(struct khyp_vcpu *vcpu)
{
	return kthread_should_stop() ||
	       (READ_ONCE(vcpu->requests) & ~BIT(KHYP_REQ_EJECT));
}

/* For good: its fd's waiters see the end, KHYP_EXIT_STOPPED. */
static void vcpu_mark_dead(struct khyp_vcpu *vcpu)
{
	spin_lock_irq(&vcpu->state_lock);
	vcpu->dead = true;
	vcpu->state = KHYP_VCPU_STATE_DEAD;
	vcpu->exit_ready = true;
	vcpu->last_exit.reason = KHYP_EXIT_STOPPED;
	spin_unlock_irq(&vcpu->state_lock);
	wake_up_interruptible_all(&vcpu->user_wq);
}

/*
 * A vCPU thread's start: the task and what it runs.  A thread made with
 * its vCPU is first woken once bound; a standby one
 * (khyp_vcpu_thread_create()) runs ahead, joins its cgroups and waits
 * until a vCPU is bound to it.
 */
struct khyp_vcpu_thread {
	struct task_struct *task;	/* held until kthread_stop() */
	struct khyp_vm *vm;
	struct khyp_vcpu *vcpu;		/* set once bound */
};

static void vcpu_run_loop(struct khyp_vcpu *vcpu)
{
	/* Suspend and hibernation stop the guest here, out of guest mode. */
	set_freezable();
	while (!kthread_should_stop()) {
		try_to_freeze();
		if (READ_ONCE(vcpu->requests)) {
			/* INIT and STARTUP write what a frozen ioctl may. */
			mutex_lock(&vcpu->ioctl_lock);
			vcpu_process_requests(vcpu);
			mutex_unlock(&vcpu->ioctl_lock);
		}
		if (!vcpu_can_run(vcpu)) {
			wait_event_freezable(vcpu->wq,
				vcpu_should_wake(vcpu) || vcpu_can_run(vcpu));
			continue;
		}
		khyp_complete_user_exit(vcpu);
		if (vcpu->wait_sipi) {
			vcpu_set_state(vcpu, KHYP_VCPU_STATE_WAIT_SIPI);
			wait_event_freezable(vcpu->wq, vcpu_should_wake(vcpu));
			continue;
		}
		if (vcpu->halted) {
			if (!khyp_vcpu_wakeup_pending(vcpu)) {
				vcpu_set_state(vcpu, KHYP_VCPU_STATE_HALTED);
				wait_event_freezable(vcpu->wq,
					vcpu_should_wake(vcpu) ||
					khyp_vcpu_wakeup_pending(vcpu));
				continue;
			}
			vcpu->halted = false;
			vcpu_halt_poll_adapt(vcpu);
		}
		vcpu_set_state(vcpu, KHYP_VCPU_STATE_RUNNING);
		/*
		 * The scheduler allows kthreads on a CPU coming online before
		 * its cpuhp callback has enabled AMD-V: give that callback (or
		 * a migration) a tick.
		 */
		if (!vcpu_run_stretch(vcpu))
			schedule_timeout_idle(1);
		cond_resched();
	}
}

/*
 * As vhost does: the guest's CPU time counts against the limits of the
 * VM creator's cgroups.  The thread joins them itself, before any guest
 * instruction (a standby one before it has a vCPU), so that the migration
 * (a synchronize_rcu() deep in the cgroup core) is off the path of
 * KHYP_CREATE_VCPU and device_add.  A thread that cannot join never runs
 * its guest.
 */
static int vcpu_thread(void *data)
{
	struct khyp_vcpu_thread *t = data;
	int r = cgroup_attach_task_all(t->vm->owner, current);
	struct khyp_vcpu *vcpu;

	for (;;) {
		set_current_state(TASK_IDLE);
		/* Pairs with khyp_vcpu_run_thread(). */
		vcpu = smp_load_acquire(&t->vcpu);
		/* Unbound, @t is its maker's to free; bound, ours. */
		if (vcpu || kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	if (!vcpu)
		return 0;
	kfree(t);
	if (r) {
		pr_err_ratelimited("khyp: vm %u vcpu %u: cannot join the creator's cgroups (%d); it never runs\n",
				   vcpu->vm->id, vcpu->id, r);
		vcpu_mark_dead(vcpu);
		return 0;
	}
	/* Its end is kthread_stop()'s; the task is held until then. */
	vcpu_run_loop(vcpu);
	return 0;
}

static struct khyp_vcpu_thread *vcpu_thread_new(struct khyp_vm *vm,
						const char *name)
{
	struct khyp_vcpu_thread *t;
	struct task_struct *task;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->vm = vm;
	task = kthread_create(vcpu_thread, t, "%s", name);
	if (IS_ERR(task)) {
		kfree(t);
		return ERR_CAST(task);
	}
	t->task = get_task_struct(task);
	return t;
}

/* No failpoint: it runs in a worker, apart from what the failpoints count. */
struct khyp_vcpu_thread *khyp_vcpu_thread_create(struct khyp_vm *vm)
{
	char name[TASK_COMM_LEN];
	struct khyp_vcpu_thread *t;

	snprintf(name, sizeof(name), "khyp-spare/%u", vm->id);
	t = vcpu_thread_new(vm, name);
	if (!IS_ERR(t))
		wake_up_process(t->task);
	return t;
}

/* An unbound thread, woken or not: kthread_stop() ends it. */
void khyp_vcpu_thread_discard(struct khyp_vcpu_thread *t)
{
	kthread_stop(t->task);
	put_task_struct(t->task);
	kfree(t);
}

/*
 * A standby thread takes its vCPU's name.  __set_task_comm() is not
 * exported: as it does, under task_lock(), for readers that take none.
 */
static void vcpu_thread_rename(struct task_struct *task, const char *name)
{
	task_lock(task);
	strscpy_pad(task->comm, name, sizeof(task->comm));
	task_unlock(task);
}

/* ---- creation and teardown ---- */

static void vcpu_release(struct kref *ref)
{
	struct khyp_vcpu *vcpu = container_of(ref, struct khyp_vcpu, ref);

	khyp_platform_vcpu_destroy(vcpu);
	khyp_arch_call(vcpu_free)(vcpu);
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
void khyp_vcpu_detach(struct khyp_vcpu *vcpu)
{
	struct khyp_vm *vm = vcpu->vm;

	set_bit(KHYP_REQ_EJECT, &vcpu->requests);
	/* Seen by the vCPU before its next VMRUN; the IPI covers the rest. */
	smp_mb__after_atomic();
	kick_process(vcpu->thread);
	/*
	 * Nothing new may reach this vCPU (IPIs, the IOAPIC): take its
	 * LAPIC off the bus.  Out of the array in the same vm->lock
	 * section: the debugfs reader walks the array and its LAPICs under
	 * that lock, so it cannot reach the LAPIC freed later.  The thread
	 * leaves guest mode for good (KHYP_REQ_EJECT) without either.
	 */
	mutex_lock(&vm->lock);
	if (vm->vcpus[vcpu->id] == vcpu) {
		vm->vcpus[vcpu->id] = NULL;
		vm->nr_vcpus--;
	}
	khyp_platform_vcpu_unpublish(vcpu);
	mutex_unlock(&vm->lock);
}

void khyp_vcpus_release_detached(struct khyp_vcpu *list)
{
	struct khyp_vcpu *vcpu, *next;

	if (!list)
		return;
	for (vcpu = list; vcpu; vcpu = vcpu->next_detached) {
		/*
		 * -EINTR: stopped before its first run, so vcpu_thread() never
		 * took its binding (an eject right after the plug).  Unbound,
		 * the binding was never the thread's.
		 */
		if (kthread_stop(vcpu->thread) == -EINTR || !vcpu->thread_bound)
			kfree(vcpu->start);
		vcpu->start = NULL;
		vcpu_mark_dead(vcpu);
	}
	/* Routing that held a LAPIC before the detach may still kick. */
	synchronize_rcu();
	for (vcpu = list; vcpu; vcpu = next) {
		next = vcpu->next_detached;
		khyp_platform_vcpu_destroy(vcpu);
		put_task_struct(vcpu->thread);
		khyp_vcpu_put(vcpu);
	}
}

void khyp_vcpu_destroy(struct khyp_vcpu *vcpu)
{
	khyp_vcpu_detach(vcpu);
	vcpu->next_detached = NULL;
	khyp_vcpus_release_detached(vcpu);
}

int khyp_vcpu_create(struct khyp_vm *vm, const struct khyp_vcpu_config *cfg,
		     struct khyp_vcpu_thread **standby, struct khyp_vcpu **out)
{
	char name[TASK_COMM_LEN];
	struct khyp_vcpu_thread *t;
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

	vcpu = KHYP_FAILPOINT(kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT), NULL);
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
	vcpu->halt_poll_ns = HALT_POLL_MAX_NS;
	atomic_long_inc(&khyp_stats.vcpus);

	vcpu->fpu = KHYP_FAILPOINT((void *)__get_free_pages(GFP_KERNEL_ACCOUNT,
					get_order(khyp_fpu_size)), NULL);
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
	r = KHYP_FAILPOINT(khyp_arch_call(vcpu_create)(vcpu), -ENOMEM);
	if (r)
		goto fail_unlock;
	if (cfg->flags & KHYP_VCPU_WAIT_SIPI)
		vcpu->wait_sipi = true;

	/*
	 * Not run before khyp_vcpu_run_thread() (a standby thread waits):
	 * requests until then just wait.
	 */
	snprintf(name, sizeof(name), "khyp/%u/%u", vm->id, vcpu->id);
	t = standby && *standby ? *standby :
	    KHYP_FAILPOINT(vcpu_thread_new(vm, name), ERR_PTR(-ENOMEM));
	if (IS_ERR(t)) {
		r = PTR_ERR(t);
		goto fail_arch;
	}
	vcpu->thread = t->task;
	vcpu->tid = task_pid_nr(vcpu->thread);
	/*
	 * Publishing the LAPIC makes the vCPU reachable by interrupt routing
	 * (IPIs, the IOAPIC, from hard IRQs too), which kicks vcpu->thread:
	 * only now that it is set.  The publication (rcu_assign_pointer)
	 * orders the stores above before it.
	 */
	r = KHYP_FAILPOINT(khyp_platform_vcpu_init(vcpu), -ENOMEM);
	if (r)
		goto fail_thread;
	if (standby && t == *standby) {
		vcpu_thread_rename(t->task, name);
		*standby = NULL;
	}
	vcpu->start = t;
	vm->vcpus[cfg->id] = vcpu;
	vm->nr_vcpus++;
	kref_get(&vcpu->ref);	/* the VM's array */
	mutex_unlock(&vm->lock);
	*out = vcpu;
	return 0;

fail_thread:
	/* A standby thread stays the caller's, unbound. */
	if (!standby || t != *standby)
		khyp_vcpu_thread_discard(t);
fail_arch:
	khyp_arch_call(vcpu_free)(vcpu);
fail_unlock:
	mutex_unlock(&vm->lock);
	free_pages((unsigned long)vcpu->fpu, get_order(khyp_fpu_size));
fail_free:
	kfree(vcpu);
	atomic_long_dec(&khyp_stats.vcpus);
	return r;
}

void khyp_vcpu_run_thread(struct khyp_vcpu *vcpu)
{
	vcpu->thread_bound = true;
	/* The thread frees vcpu->start once it has read this. */
	smp_store_release(&vcpu->start->vcpu, vcpu);
	wake_up_process(vcpu->thread);
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

/*
 * Frozen (bhyve's VCPU_FROZEN): a register ioctl owns the vCPU's state.
 * Only a stopped vCPU freezes, and vcpu_resume() waits for the thaw, so
 * the thread never enters the guest on a half-written state.  ioctl_lock
 * serializes the freezers and the thread's own request processing.
 */
static int vcpu_freeze(struct khyp_vcpu *vcpu)
{
	int r = 0;

	mutex_lock(&vcpu->ioctl_lock);
	spin_lock_irq(&vcpu->state_lock);
	if (vcpu->run_wanted)
		r = -EBUSY;
	else
		vcpu->frozen = true;
	spin_unlock_irq(&vcpu->state_lock);
	if (r)
		mutex_unlock(&vcpu->ioctl_lock);
	return r;
}

static void vcpu_thaw(struct khyp_vcpu *vcpu)
{
	spin_lock_irq(&vcpu->state_lock);
	vcpu->frozen = false;
	spin_unlock_irq(&vcpu->state_lock);
	mutex_unlock(&vcpu->ioctl_lock);
	wake_up_interruptible_all(&vcpu->user_wq);
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

/*
 * Resume the thread; userspace's answer to the last exit goes with it.
 * With @answer (KHYP_VCPU_RUN), an exit no RUN has returned yet (it came
 * after KHYP_VCPU_START, or while an interrupted RUN was not waiting) is
 * not answered but returned: 1, the vCPU left stopped.
 */
static int vcpu_resume(struct khyp_vcpu *vcpu, const struct khyp_exit *answer)
{
	spin_lock_irq(&vcpu->state_lock);
	while (vcpu->frozen) {
		spin_unlock_irq(&vcpu->state_lock);
		if (wait_event_interruptible(vcpu->user_wq,
					     !READ_ONCE(vcpu->frozen)))
			return -EINTR;
		spin_lock_irq(&vcpu->state_lock);
	}
	if (vcpu->dead) {
		spin_unlock_irq(&vcpu->state_lock);
		return -ESHUTDOWN;
	}
	if (vcpu->exit_ready && answer && !vcpu->exit_seen) {
		spin_unlock_irq(&vcpu->state_lock);
		return 1;
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

/* What a vCPU ioctl handler reads and writes: the dispatcher copies it. */
union vcpu_ioctl_arg {
	struct khyp_exit exit;
	struct khyp_regs regs;
	struct khyp_sregs sregs;
	struct khyp_vcpu_state state;
	struct khyp_vcpu_stats stats;
};

static long vcpu_ioctl_run(struct khyp_vcpu *vcpu, union vcpu_ioctl_arg *arg)
{
	int r = vcpu_resume(vcpu, &arg->exit);

	if (r < 0 && r != -ESHUTDOWN)
		return r;
	if (wait_event_interruptible(vcpu->user_wq, vcpu_exit_ready(vcpu)))
		return -EINTR;
	spin_lock_irq(&vcpu->state_lock);
	arg->exit = vcpu->last_exit;
	vcpu->exit_seen = true;
	spin_unlock_irq(&vcpu->state_lock);
	return 0;
}

static long vcpu_ioctl_stop(struct khyp_vcpu *vcpu, union vcpu_ioctl_arg *arg)
{
	if (!READ_ONCE(vcpu->run_wanted))
		return 0;
	khyp_vcpu_request(vcpu, KHYP_REQ_STOP);
	if (wait_event_interruptible(vcpu->user_wq,
				     !READ_ONCE(vcpu->run_wanted)))
		return -EINTR;
	return 0;
}

static long vcpu_ioctl_start(struct khyp_vcpu *vcpu,
			     union vcpu_ioctl_arg *arg)
{
	return vcpu_resume(vcpu, NULL);
}

static long vcpu_ioctl_get_state(struct khyp_vcpu *vcpu,
				 union vcpu_ioctl_arg *arg)
{
	struct khyp_vcpu_state *st = &arg->state;

	spin_lock_irq(&vcpu->state_lock);
	st->state = vcpu->state;
	st->last_exit = vcpu->last_exit;
	spin_unlock_irq(&vcpu->state_lock);
	st->id = vcpu->id;
	st->apic_id = vcpu->apic_id;
	st->host_tid = vcpu->tid;
	return 0;
}

static long vcpu_ioctl_get_stats(struct khyp_vcpu *vcpu,
				 union vcpu_ioctl_arg *arg)
{
	struct khyp_vcpu_stats *st = &arg->stats;

	memcpy(st, &vcpu->stats, sizeof(*st));
	st->guest_ns = tsc_khz ? mul_u64_u32_div(st->guest_ns, 1000000,
						 tsc_khz) : 0;
	return 0;
}

static long vcpu_ioctl_get_regs(struct khyp_vcpu *vcpu,
				union vcpu_ioctl_arg *arg)
{
	regs_to_user(vcpu, &arg->regs);
	return 0;
}

static long vcpu_ioctl_set_regs(struct khyp_vcpu *vcpu,
				union vcpu_ioctl_arg *arg)
{
	regs_from_user(vcpu, &arg->regs);
	return 0;
}

static long vcpu_ioctl_get_sregs(struct khyp_vcpu *vcpu,
				 union vcpu_ioctl_arg *arg)
{
	khyp_arch_call(get_sregs)(vcpu, &arg->sregs);
	return 0;
}

static long vcpu_ioctl_set_sregs(struct khyp_vcpu *vcpu,
				 union vcpu_ioctl_arg *arg)
{
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(arg->sregs.reserved); i++)
		if (arg->sregs.reserved[i])
			return -EINVAL;
	r = khyp_arch_call(set_sregs)(vcpu, &arg->sregs);
	if (!r)
		vcpu->wait_sipi = false;
	return r;
}

/* The handler needs the vCPU frozen (stopped, START held off). */
#define VCPU_IOC_FROZEN		BIT(0)

/* An entry; its argument must fit the union the dispatcher copies into. */
#define VCPU_IOCTL(_cmd, _flags, _fn)					\
	{ .cmd = (_cmd) + BUILD_BUG_ON_ZERO(_IOC_SIZE(_cmd) >		\
					    sizeof(union vcpu_ioctl_arg)), \
	  .flags = (_flags), .fn = (_fn) }

/*
 * Every vCPU ioctl with what it needs, as bhyve's vmmdev_ioctls[] does.
 * The others need nothing: RUN and STOP wait without locks, so that
 * STATE and STOP get through meanwhile.  None needs the VM's lock: what
 * they read of the VM is fixed when it is created.  The argument is
 * copied in before and out after, never while the vCPU is frozen.
 */
static const struct vcpu_ioctl_desc {
	unsigned int cmd;
	unsigned int flags;
	long (*fn)(struct khyp_vcpu *vcpu, union vcpu_ioctl_arg *arg);
} vcpu_ioctls[] = {
	VCPU_IOCTL(KHYP_VCPU_RUN,	0,		vcpu_ioctl_run),
	VCPU_IOCTL(KHYP_VCPU_STOP,	0,		vcpu_ioctl_stop),
	VCPU_IOCTL(KHYP_VCPU_START,	0,		vcpu_ioctl_start),
	VCPU_IOCTL(KHYP_VCPU_GET_STATE,	0,		vcpu_ioctl_get_state),
	VCPU_IOCTL(KHYP_VCPU_GET_STATS,	0,		vcpu_ioctl_get_stats),
	VCPU_IOCTL(KHYP_GET_REGS,	VCPU_IOC_FROZEN, vcpu_ioctl_get_regs),
	VCPU_IOCTL(KHYP_SET_REGS,	VCPU_IOC_FROZEN, vcpu_ioctl_set_regs),
	VCPU_IOCTL(KHYP_GET_SREGS,	VCPU_IOC_FROZEN, vcpu_ioctl_get_sregs),
	VCPU_IOCTL(KHYP_SET_SREGS,	VCPU_IOC_FROZEN, vcpu_ioctl_set_sregs),
};

static const struct vcpu_ioctl_desc *vcpu_ioctl_find(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcpu_ioctls); i++)
		if (vcpu_ioctls[i].cmd == cmd)
			return &vcpu_ioctls[i];
	return NULL;
}

static long vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct vcpu_ioctl_desc *ioc = vcpu_ioctl_find(cmd);
	struct khyp_vcpu *vcpu = file->private_data;
	void __user *uarg = (void __user *)arg;
	unsigned int size = _IOC_SIZE(cmd);
	union vcpu_ioctl_arg buf;
	long r;

	if (!ioc)
		return -ENOTTY;
	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		if (copy_from_user(&buf, uarg, size))
			return -EFAULT;
	} else {
		memset(&buf, 0, size);
	}
	if (ioc->flags & VCPU_IOC_FROZEN) {
		r = vcpu_freeze(vcpu);
		if (r)
			return r;
		r = ioc->fn(vcpu, &buf);
		vcpu_thaw(vcpu);
	} else {
		r = ioc->fn(vcpu, &buf);
	}
	if (!r && (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, &buf, size))
		r = -EFAULT;
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
	fd = KHYP_FAILPOINT(anon_inode_getfd("khyp-vcpu", &khyp_vcpu_fops,
					     vcpu, O_RDWR | O_CLOEXEC),
			    -ENOMEM);
	if (fd < 0) {
		khyp_vm_put(vcpu->vm);
		khyp_vcpu_put(vcpu);
		khyp_vcpu_destroy(vcpu);
	}
	return fd;
}
