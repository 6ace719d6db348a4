// SPDX-License-Identifier: GPL-2.0
/*
 * The "khyp" generic netlink family: list VMs, list CPU slots and CPUs,
 * plug and unplug CPUs, and multicast what the guest did about it.  The
 * semantics (and the refusal messages, sent as extack) follow QEMU's
 * device_add / device_del for x86 CPUs, so that khyp-qmpd only translates.
 *
 * The policies, ops table and family are generated from the spec
 * (genl-gen.c); this file holds the handlers and the event senders.
 *
 * Ops run under genl_mutex (no parallel_ops): a VM found here is pinned
 * with a reference for the duration of the op.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>
#include "cpuhp.h"
#include "genl.h"
#include "genl-gen.h"
#include "platform.h"

/* ---- formatted extack messages ---- */

#define FMT_RING	32
#define FMT_LEN		160

static char fmt_ring[FMT_RING][FMT_LEN];
static unsigned int fmt_next;
static DEFINE_SPINLOCK(fmt_lock);

const char *khyp_genl_fmt(const char *fmt, ...)
{
	va_list ap;
	char *buf;

	spin_lock(&fmt_lock);
	buf = fmt_ring[fmt_next++ % FMT_RING];
	va_start(ap, fmt);
	vsnprintf(buf, FMT_LEN, fmt, ap);
	va_end(ap);
	spin_unlock(&fmt_lock);
	return buf;
}

/* ---- helpers ---- */

/* The VM named by the request, with a reference; ERR_PTR otherwise. */
static struct khyp_vm *vm_lookup(struct genl_info *info)
{
	struct nlattr *id = info->attrs[KHYP_A_VM_ID];
	struct nlattr *name = info->attrs[KHYP_A_VM_NAME];
	struct khyp_vm *vm, *found = NULL;

	if (!id && !name) {
		NL_SET_ERR_MSG(info->extack, "VM not specified (vm-id or vm-name)");
		return ERR_PTR(-EINVAL);
	}
	mutex_lock(&khyp_vms_lock);
	list_for_each_entry(vm, &khyp_vms, node) {
		if (id && vm->id != nla_get_u32(id))
			continue;
		if (name && (!vm->name[0] || strcmp(vm->name, nla_data(name))))
			continue;
		/* A VM whose last reference is gone is being torn down. */
		if (khyp_cpuhp_ready(vm) && kref_get_unless_zero(&vm->ref))
			found = vm;
		break;
	}
	mutex_unlock(&khyp_vms_lock);
	if (!found) {
		NL_SET_ERR_MSG_ATTR(info->extack, id ? id : name,
				    "No such VM");
		return ERR_PTR(-ENOENT);
	}
	return found;
}

static int put_vm(struct sk_buff *skb, struct khyp_vm *vm)
{
	struct khyp_topology t;
	u32 nr;

	khyp_cpuhp_get_topology(vm, &t);
	mutex_lock(&vm->lock);
	nr = vm->nr_vcpus;
	mutex_unlock(&vm->lock);
	if (nla_put_u32(skb, KHYP_A_VM_ID, vm->id) ||
	    nla_put_string(skb, KHYP_A_VM_NAME, vm->name) ||
	    nla_put_u32(skb, KHYP_A_MAX_CPUS, vm->max_vcpus) ||
	    nla_put_u32(skb, KHYP_A_NR_CPUS, nr) ||
	    nla_put_u32(skb, KHYP_A_SOCKETS, t.sockets) ||
	    nla_put_u32(skb, KHYP_A_DIES, t.dies) ||
	    nla_put_u32(skb, KHYP_A_CORES, t.cores) ||
	    nla_put_u32(skb, KHYP_A_THREADS, t.threads) ||
	    nla_put_string(skb, KHYP_A_CPU_MODEL, t.model))
		return -EMSGSIZE;
	return 0;
}

static int put_slot(struct sk_buff *skb, const struct khyp_cpuhp_slot_info *s)
{
	struct nlattr *nest = nla_nest_start(skb, KHYP_A_SLOT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KHYP_SLOT_A_CPU_INDEX, s->index) ||
	    nla_put_u32(skb, KHYP_SLOT_A_SOCKET_ID, s->socket) ||
	    nla_put_u32(skb, KHYP_SLOT_A_DIE_ID, s->die) ||
	    nla_put_u32(skb, KHYP_SLOT_A_CORE_ID, s->core) ||
	    nla_put_u32(skb, KHYP_SLOT_A_THREAD_ID, s->thread) ||
	    nla_put_u32(skb, KHYP_SLOT_A_APIC_ID, s->apic_id) ||
	    (s->present && nla_put_flag(skb, KHYP_SLOT_A_PRESENT)) ||
	    (s->boot && nla_put_flag(skb, KHYP_SLOT_A_BOOT)) ||
	    (s->unplug_pending &&
	     nla_put_flag(skb, KHYP_SLOT_A_UNPLUG_PENDING)) ||
	    (s->id[0] && nla_put_string(skb, KHYP_SLOT_A_DEVICE_ID, s->id)) ||
	    (s->present && nla_put_u32(skb, KHYP_SLOT_A_HOST_TID, s->tid))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* ---- ops ---- */

int khyp_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khyp_vm *vm = vm_lookup(info);
	struct sk_buff *msg;
	void *hdr;
	int r;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &khyp_nl_family, 0,
				KHYP_CMD_VM_GET);
	if (!hdr || put_vm(msg, vm)) {
		nlmsg_free(msg);
		r = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	r = genlmsg_reply(msg, info);
out:
	khyp_vm_put(vm);
	return r;
}

/* cb->args[0]: the id of the next VM to report. */
int khyp_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct khyp_vm *vm, *next;
	void *hdr;
	int r = 0;

	for (;;) {
		next = NULL;
		mutex_lock(&khyp_vms_lock);
		list_for_each_entry(vm, &khyp_vms, node) {
			if (vm->id < cb->args[0] || !khyp_cpuhp_ready(vm))
				continue;
			if (next && vm->id >= next->id)
				continue;
			next = vm;
		}
		if (next && !kref_get_unless_zero(&next->ref)) {
			/* Dying: skip it. */
			cb->args[0] = next->id + 1;
			mutex_unlock(&khyp_vms_lock);
			continue;
		}
		mutex_unlock(&khyp_vms_lock);
		if (!next)
			break;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &khyp_nl_family,
				  NLM_F_MULTI, KHYP_CMD_VM_GET);
		if (!hdr || put_vm(skb, next)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			khyp_vm_put(next);
			r = skb->len ? skb->len : -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = next->id + 1;
		khyp_vm_put(next);
		r = skb->len;
	}
	return r;
}

static int slots_reply(struct genl_info *info, u8 cmd, bool present_only)
{
	struct khyp_vm *vm = vm_lookup(info);
	struct khyp_cpuhp_slot_info *s;
	struct sk_buff *msg;
	void *hdr;
	u32 i, n;
	int r;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = -ENOMEM;
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	n = khyp_cpuhp_nr_slots(vm);
	msg = genlmsg_new(NLMSG_GOODSIZE + n * 160, GFP_KERNEL);
	if (!msg || !s)
		goto out;
	r = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &khyp_nl_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, KHYP_A_VM_ID, vm->id))
		goto out;
	for (i = 0; i < n; i++) {
		khyp_cpuhp_slot_info(vm, i, s);
		if (present_only && !s->present)
			continue;
		if (put_slot(msg, s))
			goto out;
	}
	genlmsg_end(msg, hdr);
	r = genlmsg_reply(msg, info);
	msg = NULL;
out:
	nlmsg_free(msg);
	kfree(s);
	khyp_vm_put(vm);
	return r;
}

int khyp_nl_cpu_slots_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slots_reply(info, KHYP_CMD_CPU_SLOTS_GET, false);
}

int khyp_nl_cpus_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slots_reply(info, KHYP_CMD_CPUS_GET, true);
}

static s64 get_id_attr(struct genl_info *info, int type)
{
	if (!info->attrs[type])
		return -1;
	return nla_get_u32(info->attrs[type]);
}

int khyp_nl_cpu_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khyp_cpuhp_add_req req = {};
	struct khyp_vm *vm;
	int r;

	if (GENL_REQ_ATTR_CHECK(info, KHYP_A_DEVICE_ID)) {
		NL_SET_ERR_MSG(info->extack, "Parameter 'id' is missing");
		return -EINVAL;
	}
	vm = vm_lookup(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	req.id = nla_data(info->attrs[KHYP_A_DEVICE_ID]);
	if (info->attrs[KHYP_A_DRIVER])
		req.driver = nla_data(info->attrs[KHYP_A_DRIVER]);
	req.socket = get_id_attr(info, KHYP_A_SOCKET_ID);
	req.die = get_id_attr(info, KHYP_A_DIE_ID);
	req.core = get_id_attr(info, KHYP_A_CORE_ID);
	req.thread = get_id_attr(info, KHYP_A_THREAD_ID);
	r = khyp_cpuhp_add(vm, &req, info->extack);
	khyp_vm_put(vm);
	return r;
}

int khyp_nl_cpu_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[KHYP_A_DEVICE_ID];
	struct khyp_vm *vm;
	int r;

	if (!id && !info->attrs[KHYP_A_CPU_INDEX]) {
		NL_SET_ERR_MSG(info->extack, "Parameter 'id' is missing");
		return -EINVAL;
	}
	vm = vm_lookup(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = khyp_cpuhp_del(vm, id ? nla_data(id) : NULL,
			   get_id_attr(info, KHYP_A_CPU_INDEX), info->extack);
	khyp_vm_put(vm);
	return r;
}

int khyp_nl_vm_powerdown_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khyp_vm *vm = vm_lookup(info);

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	khyp_acpi_pm_power_button(vm);
	khyp_vm_put(vm);
	return 0;
}

/* ---- events ---- */

static struct sk_buff *event_new(struct khyp_vm *vm, u8 cmd, gfp_t gfp,
				 void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&khyp_nl_family, &init_net,
				KHYP_NLGRP_EVENTS))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &khyp_nl_family, 0, cmd);
	if (!*hdr || nla_put_u32(skb, KHYP_A_VM_ID, vm->id) ||
	    nla_put_string(skb, KHYP_A_VM_NAME, vm->name)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void event_send(struct sk_buff *skb, void *hdr, bool ok, gfp_t gfp)
{
	if (!ok) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&khyp_nl_family, skb, 0, KHYP_NLGRP_EVENTS,
			  gfp);
}

void khyp_genl_notify_ost(struct khyp_vm *vm, const char *id, u32 slot,
			  u32 source, u32 status, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(vm, KHYP_CMD_EVENT_OST, gfp, &hdr);
	if (!skb)
		return;
	event_send(skb, hdr,
		   !(id[0] && nla_put_string(skb, KHYP_A_DEVICE_ID, id)) &&
		   !nla_put_u32(skb, KHYP_A_CPU_INDEX, slot) &&
		   !nla_put_u32(skb, KHYP_A_OST_SLOT, slot) &&
		   !nla_put_u32(skb, KHYP_A_OST_SOURCE, source) &&
		   !nla_put_u32(skb, KHYP_A_OST_STATUS, status), gfp);
}

void khyp_genl_notify_deleted(struct khyp_vm *vm, const char *id, u32 slot,
			      gfp_t gfp)
{
	char path[KHYP_DEVICE_ID_LEN + 24];
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(vm, KHYP_CMD_EVENT_DEVICE_DELETED, gfp, &hdr);
	if (!skb)
		return;
	snprintf(path, sizeof(path), "/machine/peripheral/%s", id);
	event_send(skb, hdr,
		   !nla_put_string(skb, KHYP_A_DEVICE_ID, id) &&
		   !nla_put_u32(skb, KHYP_A_CPU_INDEX, slot) &&
		   !nla_put_string(skb, KHYP_A_DEVICE_PATH, path), gfp);
}

void khyp_genl_notify_unplug_error(struct khyp_vm *vm, const char *id,
				   u32 slot, const char *msg, gfp_t gfp)
{
	char path[KHYP_DEVICE_ID_LEN + 24];
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(vm, KHYP_CMD_EVENT_UNPLUG_ERROR, gfp, &hdr);
	if (!skb)
		return;
	snprintf(path, sizeof(path), "/machine/peripheral/%s", id);
	event_send(skb, hdr,
		   !nla_put_string(skb, KHYP_A_DEVICE_ID, id) &&
		   !nla_put_u32(skb, KHYP_A_CPU_INDEX, slot) &&
		   !nla_put_string(skb, KHYP_A_DEVICE_PATH, path) &&
		   !nla_put_string(skb, KHYP_A_MESSAGE, msg), gfp);
}

int khyp_genl_init(void)
{
	return genl_register_family(&khyp_nl_family);
}

void khyp_genl_exit(void)
{
	genl_unregister_family(&khyp_nl_family);
}
