/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * khyp generic netlink family: QMP-shaped CPU hotplug commands and events.
 * The spec is Documentation/netlink/specs/khyp.yaml; keep both in step.
 *
 * Every command names its VM with KHYP_A_VM_ID or KHYP_A_VM_NAME (vm-get
 * without either dumps all VMs).  Commands that change state need
 * CAP_NET_ADMIN.  Refusals carry an extack message worded like QEMU's.
 */
#ifndef _UAPI_LINUX_KHYP_GENL_H
#define _UAPI_LINUX_KHYP_GENL_H

#define KHYP_GENL_NAME		"khyp"
#define KHYP_GENL_VERSION	1
#define KHYP_GENL_MCGRP_EVENTS	"events"

/* Longest device id ("cpu-2"), with its NUL. */
#define KHYP_DEVICE_ID_LEN	32

enum khyp_genl_cmd {
	KHYP_CMD_UNSPEC,
	KHYP_CMD_VM_GET,	/* do: one VM; dump: every VM */
	KHYP_CMD_CPU_SLOTS_GET,	/* every CPU slot of a VM (KHYP_A_SLOT list) */
	KHYP_CMD_CPU_ADD,	/* plug a CPU: id, socket/die/core/thread, driver */
	KHYP_CMD_CPU_DEL,	/* ask the guest to unplug CPU "id" */
	KHYP_CMD_CPUS_GET,	/* present CPUs only (KHYP_A_SLOT list) */
	/* notifications, multicast on "events" */
	KHYP_CMD_EVENT_OST,		/* the guest ran _OST */
	KHYP_CMD_EVENT_DEVICE_DELETED,	/* the guest ejected a CPU */
	KHYP_CMD_EVENT_UNPLUG_ERROR,	/* no eject before the deadline */
	KHYP_CMD_VM_POWERDOWN,	/* press the ACPI power button */

	__KHYP_CMD_MAX,
	KHYP_CMD_MAX = __KHYP_CMD_MAX - 1
};

enum khyp_genl_attr {
	KHYP_A_UNSPEC,
	KHYP_A_VM_ID,		/* u32 */
	KHYP_A_VM_NAME,		/* string */
	KHYP_A_MAX_CPUS,	/* u32 */
	KHYP_A_NR_CPUS,		/* u32: vCPUs that exist now */
	KHYP_A_SOCKETS,		/* u32: topology */
	KHYP_A_DIES,		/* u32 */
	KHYP_A_CORES,		/* u32 */
	KHYP_A_THREADS,		/* u32 */
	KHYP_A_CPU_MODEL,	/* string: "IvyBridge-IBRS" */
	KHYP_A_DEVICE_ID,	/* string: "cpu-2" */
	KHYP_A_DRIVER,		/* string: "<model>-x86_64-cpu" */
	KHYP_A_SOCKET_ID,	/* u32 */
	KHYP_A_DIE_ID,		/* u32 */
	KHYP_A_CORE_ID,		/* u32 */
	KHYP_A_THREAD_ID,	/* u32 */
	KHYP_A_SLOT,		/* nest: enum khyp_genl_slot_attr, repeated */
	KHYP_A_OST_SLOT,	/* u32: cpu-index the _OST was about */
	KHYP_A_OST_SOURCE,	/* u32: _OST source event */
	KHYP_A_OST_STATUS,	/* u32: _OST status code */
	KHYP_A_DEVICE_PATH,	/* string: "/machine/peripheral/cpu-2" */
	KHYP_A_MESSAGE,		/* string: human-readable */
	KHYP_A_CPU_INDEX,	/* u32: event subject */

	__KHYP_A_MAX,
	KHYP_A_MAX = __KHYP_A_MAX - 1
};

enum khyp_genl_slot_attr {
	KHYP_SLOT_A_UNSPEC,
	KHYP_SLOT_A_CPU_INDEX,	/* u32: vCPU id == slot number */
	KHYP_SLOT_A_SOCKET_ID,	/* u32 */
	KHYP_SLOT_A_DIE_ID,	/* u32 */
	KHYP_SLOT_A_CORE_ID,	/* u32 */
	KHYP_SLOT_A_THREAD_ID,	/* u32 */
	KHYP_SLOT_A_APIC_ID,	/* u32 */
	KHYP_SLOT_A_PRESENT,	/* flag: a vCPU sits in the slot */
	KHYP_SLOT_A_BOOT,	/* flag: created at VM setup, not unpluggable */
	KHYP_SLOT_A_DEVICE_ID,	/* string: plugged CPUs only */
	KHYP_SLOT_A_HOST_TID,	/* u32: the vCPU kthread */
	KHYP_SLOT_A_UNPLUG_PENDING, /* flag: device_del sent, no eject yet */

	__KHYP_SLOT_A_MAX,
	KHYP_SLOT_A_MAX = __KHYP_SLOT_A_MAX - 1
};

#endif /* _UAPI_LINUX_KHYP_GENL_H */
