/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU hotplug: the per-VM CPU slots (topology, which vCPUs were plugged at
 * run time, pending unplug requests) and the ACPI CPU hotplug register
 * block the guest's AML talks to.
 *
 * The register block is the interface of QEMU's "modern" ACPI CPU hotplug
 * (QEMU docs/specs/acpi_cpu_hotplug.rst), 12 bytes of port I/O:
 *
 *   0x0 DWORD  write: selector (CPU index).  read: command data 2 (the high
 *              half of the APIC ID after command 3, else 0)
 *   0x4 byte   read: bit0 enabled (present), bit1 insert event, bit2 remove
 *              event.  write (one action per write, in this order): bit1
 *              clears insert, bit2 clears remove, bit3 ejects the CPU
 *   0x5 byte   write: command. 0 select the next CPU with an event (from
 *              the selector, wrapping), 1 next data write is an _OST
 *              event, 2 next data write is an _OST status (reported), 3
 *              make data read the APIC ID
 *   0x8 DWORD  read: the selector after command 0, the APIC ID after 3.
 *              write: _OST event / status after command 1 / 2
 *
 * With an invalid selector (>= max vCPUs) reads return 0 and all writes
 * but the selector's are ignored.  An event sets GPE0 status bit
 * KHYP_GPE_CPU_HOTPLUG (2) and raises the SCI; the launcher's DSDT
 * handles it in \_GPE._E02.
 */
#ifndef KHYP_CPUHP_H
#define KHYP_CPUHP_H

#include <linux/types.h>
#include <linux/netlink.h>
#include "khyp.h"
#include "../uapi/linux/khyp_genl.h"

#define KHYP_CPUHP_BASE		0x0cd8	/* as q35's ICH9 LPC */
#define KHYP_CPUHP_LEN		12

#define KHYP_CPUHP_SEL		0x0
#define KHYP_CPUHP_FLAGS	0x4
#define KHYP_CPUHP_CMD		0x5
#define KHYP_CPUHP_DATA		0x8

#define KHYP_CPUHP_F_ENABLED	BIT(0)
#define KHYP_CPUHP_F_INSERT	BIT(1)
#define KHYP_CPUHP_F_REMOVE	BIT(2)
#define KHYP_CPUHP_F_EJECT	BIT(3)

#define KHYP_CPUHP_CMD_NEXT_EVENT	0
#define KHYP_CPUHP_CMD_OST_EVENT	1
#define KHYP_CPUHP_CMD_OST_STATUS	2
#define KHYP_CPUHP_CMD_ARCH_ID		3

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
