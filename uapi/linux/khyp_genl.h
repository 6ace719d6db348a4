/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Do not edit: generated from Documentation/netlink/specs/khyp.yaml */
/* by scripts/genl-gen.py (make genl). */
/* The khyp generic netlink family; the spec documents it. */

/*
 * khyp, a kernel-resident VMM: QMP-shaped vCPU hotplug.  Every command names
 * its VM by vm-id or vm-name (vm-get without either dumps every VM).
 * Refusals carry an extack message worded as QEMU's device_add/device_del;
 * cpu-del of an unknown id answers ENODEV.  The "events" group carries what
 * the guest did: _OST, eject (device-deleted), and the unplug deadline
 * (module parameter unplug_timeout) passing without an eject.
 */
#ifndef _UAPI_LINUX_KHYP_GENL_H
#define _UAPI_LINUX_KHYP_GENL_H

#define KHYP_GENL_NAME		"khyp"
#define KHYP_GENL_VERSION	1
#define KHYP_GENL_MCGRP_EVENTS	"events"

/* Longest device id ("cpu-2"), with its NUL. */
#define KHYP_DEVICE_ID_LEN	32

enum khyp_genl_attr {
	KHYP_A_VM_ID = 1,
	KHYP_A_VM_NAME,
	KHYP_A_MAX_CPUS,
	KHYP_A_NR_CPUS,
	KHYP_A_SOCKETS,
	KHYP_A_DIES,
	KHYP_A_CORES,
	KHYP_A_THREADS,
	KHYP_A_CPU_MODEL,
	KHYP_A_DEVICE_ID,
	KHYP_A_DRIVER,
	KHYP_A_SOCKET_ID,
	KHYP_A_DIE_ID,
	KHYP_A_CORE_ID,
	KHYP_A_THREAD_ID,
	KHYP_A_SLOT,
	KHYP_A_OST_SLOT,
	KHYP_A_OST_SOURCE,
	KHYP_A_OST_STATUS,
	KHYP_A_DEVICE_PATH,
	KHYP_A_MESSAGE,
	KHYP_A_CPU_INDEX,

	__KHYP_A_MAX,
	KHYP_A_MAX = (__KHYP_A_MAX - 1)
};

enum khyp_genl_slot_attr {
	KHYP_SLOT_A_CPU_INDEX = 1,
	KHYP_SLOT_A_SOCKET_ID,
	KHYP_SLOT_A_DIE_ID,
	KHYP_SLOT_A_CORE_ID,
	KHYP_SLOT_A_THREAD_ID,
	KHYP_SLOT_A_APIC_ID,
	KHYP_SLOT_A_PRESENT,
	KHYP_SLOT_A_BOOT,
	KHYP_SLOT_A_DEVICE_ID,
	KHYP_SLOT_A_HOST_TID,
	KHYP_SLOT_A_UNPLUG_PENDING,

	__KHYP_SLOT_A_MAX,
	KHYP_SLOT_A_MAX = (__KHYP_SLOT_A_MAX - 1)
};

enum khyp_genl_cmd {
	KHYP_CMD_VM_GET = 1,
	KHYP_CMD_CPU_SLOTS_GET,
	KHYP_CMD_CPU_ADD,
	KHYP_CMD_CPU_DEL,
	KHYP_CMD_CPUS_GET,
	KHYP_CMD_EVENT_OST,
	KHYP_CMD_EVENT_DEVICE_DELETED,
	KHYP_CMD_EVENT_UNPLUG_ERROR,
	KHYP_CMD_VM_POWERDOWN,

	__KHYP_CMD_MAX,
	KHYP_CMD_MAX = (__KHYP_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_KHYP_GENL_H */
