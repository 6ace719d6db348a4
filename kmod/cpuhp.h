/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU hotplug: the per-VM CPU slots (topology, which vCPUs were plugged at
 * run time, pending unplug requests) and the ACPI CPU hotplug register
 * block the guest's AML talks to (its layout and commands are ABI with the
 * launcher: uapi/linux/khyp_platform.h).
 */
#ifndef KHYP_CPUHP_H
#define KHYP_CPUHP_H

#include <linux/types.h>
#include <linux/netlink.h>
#include "khyp.h"
#include "../uapi/linux/khyp_genl.h"
#include "../uapi/linux/khyp_platform.h"

/* What genl reports about one slot. */
struct khyp_cpuhp_slot_info {
	u32 index;
	u32 socket, die, core, thread;
	u32 apic_id;
	bool present;
	bool boot;
	bool unplug_pending;
	pid_t tid;
	char id[KHYP_DEVICE_ID_LEN];
};

struct khyp_cpuhp_add_req {
	const char *id;
	const char *driver;	/* NULL: not given */
	s64 socket, die, core, thread;	/* -1: not given */
};

/* vm.c: VM life */
int khyp_cpuhp_vm_init(struct khyp_vm *vm);
/* Before the vCPUs are destroyed: no more ejects, timers or events. */
void khyp_cpuhp_vm_quiesce(struct khyp_vm *vm);
/* After every vCPU thread is gone. */
void khyp_cpuhp_vm_destroy(struct khyp_vm *vm);
/* KHYP_SET_TOPOLOGY / KHYP_GET_TOPOLOGY; -ENOTTY for other commands. */
long khyp_cpuhp_vm_ioctl(struct khyp_vm *vm, unsigned int cmd,
			 void __user *uarg);

/* genl.c: commands */
bool khyp_cpuhp_ready(struct khyp_vm *vm);
void khyp_cpuhp_get_topology(struct khyp_vm *vm, struct khyp_topology *t);
u32 khyp_cpuhp_nr_slots(struct khyp_vm *vm);
/*
 * Threads per core and dies per socket, without a lock: the topology is
 * fixed once a vCPU exists (KHYP_SET_TOPOLOGY is refused then), and only
 * vCPUs ask (CPUID 0x8000001E).
 */
void khyp_cpuhp_smt_dies(struct khyp_vm *vm, u32 *threads, u32 *cores,
			 u32 *dies);
void khyp_cpuhp_slot_info(struct khyp_vm *vm, u32 index,
			  struct khyp_cpuhp_slot_info *info);
int khyp_cpuhp_add(struct khyp_vm *vm, const struct khyp_cpuhp_add_req *req,
		   struct netlink_ext_ack *extack);
/* By @id, or by @index when @id is NULL. */
int khyp_cpuhp_del(struct khyp_vm *vm, const char *id, s64 index,
		   struct netlink_ext_ack *extack);

/*
 * Linux 6.1's extack holds a pointer to a message, not the text: a
 * formatted message goes to a small ring of buffers that outlives the
 * request (the ack is built right after the handler returns).
 */
const char *khyp_genl_fmt(const char *fmt, ...) __printf(1, 2);
#define KHYP_SET_ERR_MSG_FMT(extack, fmt, ...) do {			\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack)							\
		__extack->_msg = khyp_genl_fmt(fmt, ##__VA_ARGS__);	\
} while (0)

/* genl.c: events, any context (gfp says which) */
void khyp_genl_notify_ost(struct khyp_vm *vm, const char *id, u32 slot,
			  u32 source, u32 status, gfp_t gfp);
void khyp_genl_notify_deleted(struct khyp_vm *vm, const char *id, u32 slot,
			      gfp_t gfp);
void khyp_genl_notify_unplug_error(struct khyp_vm *vm, const char *id,
				   u32 slot, const char *msg, gfp_t gfp);

#endif /* KHYP_CPUHP_H */
