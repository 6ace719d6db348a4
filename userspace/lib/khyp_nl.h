/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "khyp" generic netlink family for khyp-qmpd and khypctl: one socket
 * for requests (replies and extack errors), one subscribed to "events".
 */
#ifndef KHYP_NL_H
#define KHYP_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/khyp.h>
#include <linux/khyp_genl.h>

struct nl_sock;
struct nl_msg;

struct knl_vm {
	uint32_t id;
	char name[KHYP_VM_NAME_LEN];
	uint32_t max_cpus, nr_cpus;
	uint32_t sockets, dies, cores, threads;
	char model[KHYP_CPU_MODEL_LEN];
};

struct knl_slot {
	uint32_t index;
	uint32_t socket, die, core, thread, apic_id;
	bool present, boot, unplug_pending;
	int32_t tid;
	char id[KHYP_DEVICE_ID_LEN];
};

struct knl_event {
	uint8_t cmd;		/* KHYP_CMD_EVENT_* */
	uint32_t vm_id;
	char vm_name[KHYP_VM_NAME_LEN];
	uint32_t cpu_index;
	uint32_t ost_source, ost_status;
	char id[KHYP_DEVICE_ID_LEN];
	char path[128];
	char message[256];
};

typedef void (*knl_event_fn)(const struct knl_event *ev, void *arg);

struct knl {
	struct nl_sock *req;
	struct nl_sock *ev;
	int family;
	knl_event_fn on_event;
	void *event_arg;
	/* the last request's failure */
	int err;			/* negative errno, 0 */
	char errmsg[256];		/* extack message, or strerror */
};

/* Without @fn no event socket is opened (joining "events" needs privilege). */
int knl_open(struct knl *k, knl_event_fn fn, void *arg);
void knl_close(struct knl *k);
/* The event socket's receive buffer, bytes. */
#define KNL_EVENT_RCVBUF	(4 << 20)
/*
 * knl_event.cmd when the kernel dropped events because the socket was
 * full (ENOBUFS): re-query the state that matters.
 */
#define KNL_EVENTS_LOST		0

/* The event socket's fd, for poll(); knl_events() drains it. */
int knl_event_fd(struct knl *k);
void knl_events(struct knl *k);

/* Requests: 0 or a negative errno, k->errmsg says why. */
int knl_vm_get(struct knl *k, int64_t id, const char *name,
	       struct knl_vm *out);
/* Every VM (a vm-get dump), *@vms malloc-ed, *@n entries. */
int knl_vm_list(struct knl *k, struct knl_vm **vms, unsigned int *n);
/* *@slots is malloc-ed, *@n entries; @present_only: cpus-get. */
int knl_slots(struct knl *k, uint32_t vm, bool present_only,
	      struct knl_slot **slots, unsigned int *n);
struct knl_cpu_add {
	const char *id;
	const char *driver;
	int64_t socket, die, core, thread;	/* < 0: not given */
};
int knl_cpu_add(struct knl *k, uint32_t vm, const struct knl_cpu_add *req);
/* By @id, or by cpu @index when @id is NULL. */
int knl_cpu_del(struct knl *k, uint32_t vm, const char *id, int64_t index);
int knl_powerdown(struct knl *k, uint32_t vm);

#endif /* KHYP_NL_H */
