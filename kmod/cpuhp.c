// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug: CPU slots, the ACPI CPU hotplug register block (layout in
 * uapi/linux/khyp_platform.h), plug and unplug requests, and the guest's
 * eject.
 *
 * Slot N holds vCPU id N.  A slot whose vCPU was made through
 * KHYP_CREATE_VCPU holds a boot CPU (no device id, cannot be unplugged);
 * one filled by cpu-add holds a plugged CPU with an id such as "cpu-2".
 * A plugged vCPU's kthread lives from cpu-add (waiting for SIPI) until the
 * guest ejects it.  It is made ahead, as the VM's standby thread, so that
 * cpu-add only binds it: kthread_create() takes milliseconds.
 *
 * Locking: ops_lock (a mutex) serializes what changes slots from process
 * context: cpu-add, cpu-del, the eject worker, the unplug deadline worker
 * and KHYP_SET_TOPOLOGY.  lock (a spinlock) covers the register block and
 * every slot field the guest's accesses read or write; the port handlers
 * run in the vCPU thread with preemption off, so they never sleep: an
 * eject only marks the slot (its _STA reads absent at once) and leaves the
 * teardown of the vCPU to the eject worker.
 */
#include <linux/ctype.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include "compat.h"
#include "cpuhp.h"
#include "platform.h"
#include "trace.h"

static unsigned int unplug_timeout = 5;
module_param(unplug_timeout, uint, 0644);
MODULE_PARM_DESC(unplug_timeout,
		 "seconds a guest has to eject a CPU after device_del before an unplug error is reported (0: never)");

#define DEFAULT_CPU_MODEL	"qemu64"

/*
 * _OST writes multicast per cpu-add or cpu-del of a slot, so that a guest
 * looping _OST cannot flood the listeners (Documentation/cpu-hotplug.rst).
 */
#define OST_REPORTS	4

struct cpuhp_slot {
	/* [ops_lock] to change; [lock] for the port handlers to read */
	char id[KHYP_DEVICE_ID_LEN];	/* plugged CPUs only */
	bool plugged;		/* made by cpu-add, not a boot CPU */
	bool unplug_requested;	/* cpu-del seen; the guest may eject */
	/* [lock] */
	bool inserting;		/* insert event bit */
	bool removing;		/* remove event bit */
	bool ejecting;		/* ejected, the worker frees the vCPU */
	bool unplug_pending;	/* deadline armed */
	unsigned long deadline;	/* jiffies */
	u32 ost_event;
	u8 ost_reports;		/* left for the last operation */
	/* fixed once the topology is set */
	u32 socket, die, core, thread, apic_id;
};

struct khyp_cpuhp {
	struct khyp_vm *vm;
	struct mutex ops_lock;
	spinlock_t lock;
	struct khyp_topology topo;	/* [ops_lock] */
	/* register block, [lock] */
	u32 selector;
	u8 command;
	bool dying;			/* [lock] VM going away */
	bool io_registered;
	struct khyp_io_dev io;
	struct work_struct eject_work;
	struct delayed_work deadline_work;
	struct work_struct standby_work;
	/* [ops_lock] the next cpu-add's thread, made ahead */
	struct khyp_vcpu_thread *standby;
	u32 nr_slots;
	struct cpuhp_slot slots[];
};

static struct khyp_cpuhp *vm_cpuhp(struct khyp_vm *vm)
{
	/* Published last by khyp_cpuhp_vm_init(). */
	return smp_load_acquire(&vm->cpuhp);
}

static unsigned int topo_bits(u32 count)
{
	return count > 1 ? order_base_2(count) : 0;
}

/* Fill each slot's topology ids and APIC ID; -EINVAL if one is >= 0xff. */
static int topo_layout(struct khyp_cpuhp *hp, const struct khyp_topology *t)
{
	unsigned int tb = topo_bits(t->threads), cb = topo_bits(t->cores);
	unsigned int db = topo_bits(t->dies);
	u32 i;

	for (i = 0; i < hp->nr_slots; i++) {
		u32 apic = ((i / t->threads / t->cores / t->dies) <<
			    (tb + cb + db)) |
			   ((i / t->threads / t->cores % t->dies) << (tb + cb)) |
			   ((i / t->threads % t->cores) << tb) |
			   (i % t->threads);

		if (apic >= 0xff)
			return -EINVAL;
	}
	for (i = 0; i < hp->nr_slots; i++) {
		struct cpuhp_slot *s = &hp->slots[i];

		s->thread = i % t->threads;
		s->core = i / t->threads % t->cores;
		s->die = i / t->threads / t->cores % t->dies;
		s->socket = i / t->threads / t->cores / t->dies;
		s->apic_id = (s->socket << (tb + cb + db)) |
			     (s->die << (tb + cb)) | (s->core << tb) |
			     s->thread;
	}
	return 0;
}

/* [lock] held or the slot otherwise stable */
static bool slot_present(struct khyp_cpuhp *hp, u32 i)
{
	return READ_ONCE(hp->vm->vcpus[i]) && !hp->slots[i].ejecting;
}

/* ---- the register block ---- */

static void raise_sci(struct khyp_cpuhp *hp)
{
	khyp_acpi_pm_raise_gpe(hp->vm, KHYP_GPE_CPU_HOTPLUG);
}

static int cpuhp_read(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		      u64 offset, void *val, int len)
{
	struct khyp_cpuhp *hp = container_of(dev, struct khyp_cpuhp, io);
	u8 regs[KHYP_CPUHP_LEN] = {};
	int n = min_t(int, len, KHYP_CPUHP_LEN - offset);

	spin_lock(&hp->lock);
	if (hp->selector < hp->nr_slots) {
		struct cpuhp_slot *s = &hp->slots[hp->selector];
		u32 data = 0;

		regs[KHYP_CPUHP_FLAGS] =
			(slot_present(hp, hp->selector) ?
			 KHYP_CPUHP_F_ENABLED : 0) |
			(s->inserting ? KHYP_CPUHP_F_INSERT : 0) |
			(s->removing ? KHYP_CPUHP_F_REMOVE : 0);
		if (hp->command == KHYP_CPUHP_CMD_NEXT_EVENT)
			data = hp->selector;
		else if (hp->command == KHYP_CPUHP_CMD_ARCH_ID)
			data = s->apic_id;	/* high half (offset 0) is 0 */
		put_unaligned_le32(data, &regs[KHYP_CPUHP_DATA]);
	}
	spin_unlock(&hp->lock);
	memset(val, 0, len);
	if (n > 0)
		memcpy(val, &regs[offset], n);
	return 0;
}

static void next_event(struct khyp_cpuhp *hp)
{
	u32 i = hp->selector;

	do {
		struct cpuhp_slot *s = &hp->slots[i];

		if (s->inserting || s->removing) {
			hp->selector = i;
			return;
		}
		i = i + 1 < hp->nr_slots ? i + 1 : 0;
	} while (i != hp->selector);
}

/* [lock] The guest's _EJ0: only for a CPU it was asked to remove. */
static void eject(struct khyp_cpuhp *hp, u32 i)
{
	struct cpuhp_slot *s = &hp->slots[i];

	if (!slot_present(hp, i) || !s->plugged || !s->unplug_requested ||
	    hp->dying)
		return;
	s->ejecting = true;
	s->inserting = false;
	s->removing = false;
	s->unplug_pending = false;
	trace_khyp_cpuhp(hp->vm->id, i, KHYP_TRACE_CPUHP_EJECT, 0, 0);
	schedule_work(&hp->eject_work);
}

static int cpuhp_write(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		       u64 offset, const void *val, int len)
{
	struct khyp_cpuhp *hp = container_of(dev, struct khyp_cpuhp, io);
	u32 v = khyp_io_get(val, len);
	struct cpuhp_slot *s;
	char id[KHYP_DEVICE_ID_LEN];
	u32 ost_slot, ost_event;
	bool report;

	spin_lock(&hp->lock);
	if (offset == KHYP_CPUHP_SEL) {
		hp->selector = v;
		goto out;
	}
	if (hp->selector >= hp->nr_slots)
		goto out;
	s = &hp->slots[hp->selector];
	switch (offset) {
	case KHYP_CPUHP_FLAGS:
		if (v & KHYP_CPUHP_F_INSERT)
			s->inserting = false;
		else if (v & KHYP_CPUHP_F_REMOVE)
			s->removing = false;
		else if (v & KHYP_CPUHP_F_EJECT)
			eject(hp, hp->selector);
		break;
	case KHYP_CPUHP_CMD:
		if ((u8)v > KHYP_CPUHP_CMD_ARCH_ID)
			break;
		hp->command = v;
		if (hp->command == KHYP_CPUHP_CMD_NEXT_EVENT)
			next_event(hp);
		break;
	case KHYP_CPUHP_DATA:
		if (hp->command == KHYP_CPUHP_CMD_OST_EVENT) {
			s->ost_event = v;
		} else if (hp->command == KHYP_CPUHP_CMD_OST_STATUS &&
			   !hp->dying) {
			ost_slot = hp->selector;
			ost_event = s->ost_event;
			strscpy(id, s->id, sizeof(id));
			report = s->ost_reports;
			if (report)
				s->ost_reports--;
			spin_unlock(&hp->lock);
			trace_khyp_cpuhp(hp->vm->id, ost_slot,
					 KHYP_TRACE_CPUHP_OST, ost_event, v);
			if (report)
				khyp_genl_notify_ost(hp->vm, id, ost_slot,
						     ost_event, v, GFP_ATOMIC);
			return 0;
		}
		break;
	}
out:
	spin_unlock(&hp->lock);
	return 0;
}

static const struct khyp_io_dev_ops cpuhp_ops = {
	.read = cpuhp_read,
	.write = cpuhp_write,
};

/* ---- workers: eject and the unplug deadline ---- */

static void eject_worker(struct work_struct *work)
{
	struct khyp_cpuhp *hp = container_of(work, struct khyp_cpuhp,
					     eject_work);
	struct khyp_vm *vm = hp->vm;
	char id[KHYP_DEVICE_ID_LEN];
	struct khyp_vcpu *vcpu, *detached = NULL;
	u32 i;

	mutex_lock(&hp->ops_lock);
	for (i = 0; i < hp->nr_slots; i++) {
		struct cpuhp_slot *s = &hp->slots[i];

		if (!READ_ONCE(s->ejecting))
			continue;
		mutex_lock(&vm->lock);
		vcpu = vm->vcpus[i];
		mutex_unlock(&vm->lock);
		/*
		 * The vCPU array's reference is ours to drop.  Gone from
		 * the guest and the VM once detached: DEVICE_DELETED need
		 * not wait for the thread's end and the grace period.
		 */
		if (vcpu) {
			khyp_vcpu_detach(vcpu);
			vcpu->next_detached = detached;
			detached = vcpu;
		}
		strscpy(id, s->id, sizeof(id));
		spin_lock(&hp->lock);
		s->ejecting = false;
		s->plugged = false;
		s->unplug_requested = false;
		s->unplug_pending = false;
		s->inserting = false;
		s->removing = false;
		s->id[0] = '\0';
		spin_unlock(&hp->lock);
		trace_khyp_cpuhp(vm->id, i, KHYP_TRACE_CPUHP_DELETED, 0, 0);
		khyp_genl_notify_deleted(vm, id, i, GFP_KERNEL);
	}
	/*
	 * Under ops_lock still: a cpu-add of the slot waits until the old
	 * thread is gone (its name is the new one's).
	 */
	khyp_vcpus_release_detached(detached);
	mutex_unlock(&hp->ops_lock);
	/* A slot is free again: the next cpu-add's thread. */
	if (detached)
		queue_work(system_unbound_wq, &hp->standby_work);
}

/* [lock] Arm the worker for the earliest pending deadline. */
static void deadline_arm(struct khyp_cpuhp *hp)
{
	unsigned long first = 0, now = jiffies;
	bool any = false;
	u32 i;

	for (i = 0; i < hp->nr_slots; i++) {
		struct cpuhp_slot *s = &hp->slots[i];

		if (!s->unplug_pending)
			continue;
		if (!any || time_before(s->deadline, first))
			first = s->deadline;
		any = true;
	}
	if (any && !hp->dying)
		mod_delayed_work(system_wq, &hp->deadline_work,
				 time_after(first, now) ? first - now : 0);
}

static void deadline_worker(struct work_struct *work)
{
	struct khyp_cpuhp *hp = container_of(to_delayed_work(work),
					     struct khyp_cpuhp, deadline_work);
	char id[KHYP_DEVICE_ID_LEN];
	u32 i;

	mutex_lock(&hp->ops_lock);
	for (i = 0; i < hp->nr_slots; i++) {
		struct cpuhp_slot *s = &hp->slots[i];
		bool expired;

		spin_lock(&hp->lock);
		expired = s->unplug_pending &&
			  time_after_eq(jiffies, s->deadline);
		if (expired)
			s->unplug_pending = false;
		strscpy(id, s->id, sizeof(id));
		spin_unlock(&hp->lock);
		if (!expired)
			continue;
		trace_khyp_cpuhp(hp->vm->id, i,
				 KHYP_TRACE_CPUHP_UNPLUG_ERROR, 0, 0);
		khyp_genl_notify_unplug_error(hp->vm, id, i,
			"vcpu unplug request timed out", GFP_KERNEL);
	}
	spin_lock(&hp->lock);
	deadline_arm(hp);
	spin_unlock(&hp->lock);
	mutex_unlock(&hp->ops_lock);
}

/*
 * A standby thread for the next cpu-add, while a slot is free (queued at
 * the VM's creation, after a cpu-add took it and after an eject).  If
 * making it fails, that cpu-add makes its own.  Only this worker sets
 * hp->standby, and it makes the thread without ops_lock, so that a
 * cpu-add or an eject meanwhile need not wait.  None where a bound
 * thread could not take its vCPU's name (compat.h).
 */
static void standby_worker(struct work_struct *work)
{
	struct khyp_cpuhp *hp = container_of(work, struct khyp_cpuhp,
					     standby_work);
	struct khyp_vcpu_thread *t;

	if (!KHYP_KTHREAD_RENAMABLE || READ_ONCE(hp->standby) ||
	    READ_ONCE(hp->vm->nr_vcpus) >= hp->nr_slots)
		return;
	t = khyp_vcpu_thread_create(hp->vm);
	if (IS_ERR(t))
		return;
	mutex_lock(&hp->ops_lock);
	hp->standby = t;
	mutex_unlock(&hp->ops_lock);
}

/* ---- commands ---- */

bool khyp_cpuhp_ready(struct khyp_vm *vm)
{
	return vm_cpuhp(vm) != NULL;
}

void khyp_cpuhp_get_topology(struct khyp_vm *vm, struct khyp_topology *t)
{
	struct khyp_cpuhp *hp = vm_cpuhp(vm);

	mutex_lock(&hp->ops_lock);
	*t = hp->topo;
	mutex_unlock(&hp->ops_lock);
}

void khyp_cpuhp_smt_dies(struct khyp_vm *vm, u32 *threads, u32 *cores,
			 u32 *dies)
{
	const struct khyp_topology *t = &vm_cpuhp(vm)->topo;

	*threads = t->threads;
	*cores = t->cores;
	*dies = t->dies;
}

u32 khyp_cpuhp_nr_slots(struct khyp_vm *vm)
{
	return vm_cpuhp(vm)->nr_slots;
}

void khyp_cpuhp_slot_info(struct khyp_vm *vm, u32 index,
			  struct khyp_cpuhp_slot_info *info)
{
	struct khyp_cpuhp *hp = vm_cpuhp(vm);
	struct cpuhp_slot *s = &hp->slots[index];
	struct khyp_vcpu *vcpu;

	memset(info, 0, sizeof(*info));
	info->index = index;
	mutex_lock(&vm->lock);
	vcpu = vm->vcpus[index];
	if (vcpu)
		info->tid = vcpu->tid;
	spin_lock(&hp->lock);
	info->socket = s->socket;
	info->die = s->die;
	info->core = s->core;
	info->thread = s->thread;
	info->apic_id = s->apic_id;
	info->present = vcpu && !s->ejecting;
	info->boot = vcpu && !s->plugged;
	info->unplug_pending = s->unplug_pending;
	strscpy(info->id, s->id, sizeof(info->id));
	spin_unlock(&hp->lock);
	mutex_unlock(&vm->lock);
}

/* [ops_lock] */
static int find_id(struct khyp_cpuhp *hp, const char *id)
{
	u32 i;

	for (i = 0; i < hp->nr_slots; i++)
		if (hp->slots[i].plugged && !strcmp(hp->slots[i].id, id))
			return i;
	return -1;
}

/* Like QEMU's: a letter, then letters, digits, '-', '.', '_'. */
static bool id_valid(const char *id)
{
	const char *p;

	if (!isalpha(*id))
		return false;
	for (p = id + 1; *p; p++)
		if (!isalnum(*p) && *p != '-' && *p != '.' && *p != '_')
			return false;
	return true;
}

/* Check one topology level as QEMU's x86 pre-plug does. */
static int check_level(s64 val, u32 count, const char *name,
		       struct netlink_ext_ack *extack)
{
	if (val < 0) {
		KHYP_SET_ERR_MSG_FMT(extack, "CPU %s is not set", name);
		return -EINVAL;
	}
	if (val > count - 1) {
		KHYP_SET_ERR_MSG_FMT(extack,
				   "Invalid CPU %s: %lld must be in range 0:%u",
				   name, val, count - 1);
		return -EINVAL;
	}
	return 0;
}

int khyp_cpuhp_add(struct khyp_vm *vm, const struct khyp_cpuhp_add_req *req,
		   struct netlink_ext_ack *extack)
{
	struct khyp_cpuhp *hp = vm_cpuhp(vm);
	struct khyp_topology *t = &hp->topo;
	struct khyp_vcpu_config cfg = {};
	struct khyp_vcpu *vcpu;
	char type[KHYP_CPU_MODEL_LEN + 16];
	s64 die = req->die;
	struct cpuhp_slot *s;
	u32 i;
	int r;

	if (!vm->platform) {
		NL_SET_ERR_MSG(extack,
			       "CPU hotplug not supported without ACPI");
		return -EOPNOTSUPP;
	}
	if (!id_valid(req->id)) {
		NL_SET_ERR_MSG(extack, "Parameter 'id' expects an identifier");
		return -EINVAL;
	}
	mutex_lock(&hp->ops_lock);
	r = -EEXIST;
	if (find_id(hp, req->id) >= 0) {
		KHYP_SET_ERR_MSG_FMT(extack, "Duplicate device ID '%s'", req->id);
		goto out;
	}
	snprintf(type, sizeof(type), "%s-x86_64-cpu", t->model);
	r = -EINVAL;
	if (req->driver && strcmp(req->driver, type)) {
		KHYP_SET_ERR_MSG_FMT(extack,
				   "Invalid CPU type, expected cpu type: '%s'",
				   type);
		goto out;
	}
	/* die-id may be left out when there is one die per socket. */
	if (die < 0 && t->dies == 1)
		die = 0;
	r = check_level(req->socket, t->sockets, "socket-id", extack);
	if (!r)
		r = check_level(die, t->dies, "die-id", extack);
	if (!r)
		r = check_level(req->core, t->cores, "core-id", extack);
	if (!r)
		r = check_level(req->thread, t->threads, "thread-id", extack);
	if (r)
		goto out;
	i = ((req->socket * t->dies + die) * t->cores + req->core) *
	    t->threads + req->thread;
	s = &hp->slots[i];
	r = -EEXIST;
	if (READ_ONCE(vm->vcpus[i]) || s->ejecting) {
		KHYP_SET_ERR_MSG_FMT(extack, "CPU[%u] with APIC ID %u exists",
				   i, s->apic_id);
		goto out;
	}

	spin_lock(&hp->lock);
	strscpy(s->id, req->id, sizeof(s->id));
	s->plugged = true;
	s->unplug_requested = false;
	s->unplug_pending = false;
	s->removing = false;
	spin_unlock(&hp->lock);

	cfg.id = i;
	cfg.apic_id = s->apic_id;
	cfg.flags = KHYP_VCPU_WAIT_SIPI;
	r = khyp_vcpu_create(vm, &cfg, &hp->standby, &vcpu);
	if (r) {
		spin_lock(&hp->lock);
		s->plugged = false;
		s->id[0] = '\0';
		spin_unlock(&hp->lock);
		if (r == -EEXIST)
			KHYP_SET_ERR_MSG_FMT(extack,
					   "CPU[%u] with APIC ID %u exists",
					   i, s->apic_id);
		else
			NL_SET_ERR_MSG(extack, "cannot create the vCPU");
		goto out;
	}
	/* Parked in wait-for-SIPI until the guest onlines it. */
	khyp_vcpu_start_autonomous(vcpu);

	spin_lock(&hp->lock);
	s->inserting = true;
	s->ost_reports = OST_REPORTS;
	spin_unlock(&hp->lock);
	trace_khyp_cpuhp(vm->id, i, KHYP_TRACE_CPUHP_PLUG, 0, 0);
	raise_sci(hp);
	/*
	 * The guest's SIPI comes long after the SCI, and a request made
	 * before the thread starts waits for it: the guest hears of the
	 * CPU before the thread's first scheduling and cgroup migration.
	 */
	khyp_vcpu_run_thread(vcpu);
	khyp_vcpu_put(vcpu);
	if (!hp->standby)
		queue_work(system_unbound_wq, &hp->standby_work);
	r = 0;
out:
	mutex_unlock(&hp->ops_lock);
	return r;
}

int khyp_cpuhp_del(struct khyp_vm *vm, const char *id, s64 index,
		   struct netlink_ext_ack *extack)
{
	struct khyp_cpuhp *hp = vm_cpuhp(vm);
	struct cpuhp_slot *s;
	int i, r = 0;

	mutex_lock(&hp->ops_lock);
	if (id) {
		i = find_id(hp, id);
		if (i < 0) {
			KHYP_SET_ERR_MSG_FMT(extack, "Device '%s' not found", id);
			r = -ENODEV;
			goto out;
		}
	} else {
		i = index;
		if (index < 0 || index >= hp->nr_slots ||
		    !READ_ONCE(vm->vcpus[i])) {
			KHYP_SET_ERR_MSG_FMT(extack,
					   "Device 'CPU[%lld]' not found",
					   index);
			r = -ENODEV;
			goto out;
		}
		if (!hp->slots[i].plugged) {
			NL_SET_ERR_MSG(extack, "Boot CPU is unpluggable");
			r = -EINVAL;
			goto out;
		}
	}
	if (!vm->platform) {
		NL_SET_ERR_MSG(extack,
			       "CPU hot unplug not supported without ACPI");
		r = -EOPNOTSUPP;
		goto out;
	}
	s = &hp->slots[i];
	spin_lock(&hp->lock);
	if (s->ejecting) {
		/* Already on its way out: DEVICE_DELETED follows. */
		spin_unlock(&hp->lock);
		goto out;
	}
	/* A repeated request re-raises the event and restarts the clock. */
	s->unplug_requested = true;
	s->removing = true;
	s->ost_reports = OST_REPORTS;
	if (unplug_timeout) {
		s->unplug_pending = true;
		s->deadline = jiffies + unplug_timeout * HZ;
		deadline_arm(hp);
	}
	spin_unlock(&hp->lock);
	trace_khyp_cpuhp(vm->id, i, KHYP_TRACE_CPUHP_UNPLUG, 0, 0);
	raise_sci(hp);
out:
	mutex_unlock(&hp->ops_lock);
	return r;
}

/* ---- VM life and the topology ioctls ---- */

static int topo_validate(struct khyp_cpuhp *hp, const struct khyp_topology *t)
{
	const char *p;
	u64 n;

	if (t->reserved[0] || t->reserved[1])
		return -EINVAL;
	if (!t->sockets || !t->dies || !t->cores || !t->threads)
		return -EINVAL;
	n = (u64)t->sockets * t->dies * t->cores * t->threads;
	if (n != hp->nr_slots)
		return -EINVAL;
	if (!memchr(t->model, 0, sizeof(t->model)))
		return -EINVAL;
	for (p = t->model; *p; p++)
		if (!isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return -EINVAL;
	return 0;
}

static long set_topology(struct khyp_cpuhp *hp, void __user *uarg)
{
	struct khyp_vm *vm = hp->vm;
	struct khyp_topology t;
	long r;

	if (copy_from_user(&t, uarg, sizeof(t)))
		return -EFAULT;
	r = topo_validate(hp, &t);
	if (r)
		return r;
	if (!t.model[0])
		strscpy(t.model, DEFAULT_CPU_MODEL, sizeof(t.model));
	mutex_lock(&hp->ops_lock);
	mutex_lock(&vm->lock);
	if (vm->nr_vcpus) {
		r = -EBUSY;
	} else {
		spin_lock(&hp->lock);
		r = topo_layout(hp, &t);
		if (!r)
			hp->topo = t;
		spin_unlock(&hp->lock);
	}
	mutex_unlock(&vm->lock);
	mutex_unlock(&hp->ops_lock);
	return r;
}

long khyp_cpuhp_vm_ioctl(struct khyp_vm *vm, unsigned int cmd,
			 void __user *uarg)
{
	struct khyp_cpuhp *hp = vm_cpuhp(vm);
	struct khyp_topology t;

	switch (cmd) {
	case KHYP_SET_TOPOLOGY:
		return set_topology(hp, uarg);
	case KHYP_GET_TOPOLOGY:
		khyp_cpuhp_get_topology(vm, &t);
		return copy_to_user(uarg, &t, sizeof(t)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

int khyp_cpuhp_vm_init(struct khyp_vm *vm)
{
	struct khyp_cpuhp *hp;
	int r;

	hp = kzalloc(struct_size(hp, slots, vm->max_vcpus),
		     GFP_KERNEL_ACCOUNT);
	if (!hp)
		return -ENOMEM;
	hp->vm = vm;
	hp->nr_slots = vm->max_vcpus;
	mutex_init(&hp->ops_lock);
	spin_lock_init(&hp->lock);
	INIT_WORK(&hp->eject_work, eject_worker);
	INIT_DELAYED_WORK(&hp->deadline_work, deadline_worker);
	INIT_WORK(&hp->standby_work, standby_worker);
	hp->topo.sockets = 1;
	hp->topo.dies = 1;
	hp->topo.cores = vm->max_vcpus;
	hp->topo.threads = 1;
	strscpy(hp->topo.model, DEFAULT_CPU_MODEL, sizeof(hp->topo.model));
	r = topo_layout(hp, &hp->topo);	/* <= 255 cores: APIC IDs < 0xff */
	if (r)
		goto fail;
	if (vm->platform) {
		hp->io.base = KHYP_CPUHP_BASE;
		hp->io.len = KHYP_CPUHP_LEN;
		hp->io.ops = &cpuhp_ops;
		hp->io.name = "cpuhp";
		r = khyp_io_bus_register(vm, KHYP_BUS_PIO, &hp->io);
		if (r)
			goto fail;
		hp->io_registered = true;
	}
	/* Pairs with vm_cpuhp(): genl finds the VM on khyp_vms earlier. */
	smp_store_release(&vm->cpuhp, hp);
	if (vm->platform && hp->nr_slots > 1)
		queue_work(system_unbound_wq, &hp->standby_work);
	return 0;
fail:
	kfree(hp);
	return r;
}

void khyp_cpuhp_vm_quiesce(struct khyp_vm *vm)
{
	struct khyp_cpuhp *hp = vm->cpuhp;

	if (!hp)
		return;
	spin_lock(&hp->lock);
	hp->dying = true;
	spin_unlock(&hp->lock);
	cancel_delayed_work_sync(&hp->deadline_work);
	/* An eject already written still frees its vCPU here. */
	flush_work(&hp->eject_work);
	/* Only cpu-add and the VM's creation queue it: no more of either. */
	cancel_work_sync(&hp->standby_work);
	if (hp->standby)
		khyp_vcpu_thread_discard(hp->standby);
	hp->standby = NULL;
}

void khyp_cpuhp_vm_destroy(struct khyp_vm *vm)
{
	struct khyp_cpuhp *hp = vm->cpuhp;

	if (!hp)
		return;
	if (hp->io_registered)
		khyp_io_bus_unregister(vm, KHYP_BUS_PIO, &hp->io);
	vm->cpuhp = NULL;
	kfree(hp);
}
