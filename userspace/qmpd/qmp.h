/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp-qmpd's QMP commands and their dispatcher, apart from the transport
 * (qmpd_server.c), as in QEMU: a command takes its arguments as a JSON
 * object and returns a result or an error, and never sees a socket.  The
 * commands reach the kernel only through khyp_nl.h's requests, so that a
 * test can link them against a fake (selftests/unit/qmp_test.c), and a
 * monitor other than QMP can call them with a JSON arguments object.
 */
#ifndef QMP_H
#define QMP_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>
#include "khyp_compiler.h"
#include "khyp_nl.h"

/* QEMU's error classes (qapi/error.json) that khyp-qmpd reports. */
enum qmp_error_class {
	QMP_ERR_GENERIC,		/* GenericError */
	QMP_ERR_COMMAND_NOT_FOUND,	/* CommandNotFound */
	QMP_ERR_DEVICE_NOT_FOUND,	/* DeviceNotFound */
};

struct qmp_error {
	enum qmp_error_class class;
	char desc[512];
};

/* The VM a daemon serves: what the commands act on. */
struct qmp_vm {
	struct knl *nl;
	struct knl_vm vm;
	/* The launcher's pidfd (-1: none): "quit" signals it. */
	int launcher;
	/*
	 * Events raised since the last qmp_take_events(), as {"event",
	 * "data"} objects: the transport sends them after the reply that
	 * raised them, as QEMU's main loop does.
	 */
	json_t *events;
	/*
	 * The slots as last read (at start-up and after device_add and
	 * device_del), kept up to date by the events heard: what a resync
	 * after lost events compares with.
	 */
	struct knl_slot *known;
	unsigned int nr_known;
};

/* Per connection: QMP's capabilities negotiation state. */
struct qmp_session {
	bool negotiated;
};

enum qmp_arg_type { QMP_STR, QMP_ARRAY };

struct qmp_arg {
	const char *name;
	enum qmp_arg_type type;
	bool required;
};

typedef json_t *(*qmp_fn)(struct qmp_vm *q, json_t *args,
			  struct qmp_error *err);

struct qmp_command {
	const char *name;
	qmp_fn fn;
	const struct qmp_arg *args;	/* { NULL }-terminated */
	/* Arguments not in @args go to @fn (device_add's properties). */
	bool open_args;
	/* Before and only before negotiation (qmp_capabilities). */
	bool negotiation;
	/*
	 * @fn for arguments from HMP's key=value text, whose values are all
	 * strings (QEMU's from_json false); NULL: @fn takes them as they are.
	 */
	qmp_fn keyval_fn;
};

extern const struct qmp_command qmp_commands[];
extern const size_t qmp_nr_commands;

void qmp_vm_init(struct qmp_vm *q, struct knl *nl, int launcher);
void qmp_vm_fini(struct qmp_vm *q);

/*
 * One JSON value a client sent: the whole reply, {"return"} or {"error"}
 * with the request's "id".  Never NULL.
 */
json_t *qmp_dispatch(struct qmp_vm *q, struct qmp_session *s, json_t *req);

/* Run command @name with @args (NULL: none), checked as QMP checks them. */
json_t *qmp_execute(struct qmp_vm *q, const char *name, json_t *args,
		    struct qmp_error *err);

/*
 * The same for HMP: @args' values are strings from key=value text, which
 * the command reads as QEMU reads -device's.
 */
json_t *qmp_execute_keyval(struct qmp_vm *q, const char *name, json_t *args,
			   struct qmp_error *err);

/* {"error": ...} for a failure outside a command (framing, JSON). */
json_t *qmp_error_reply(enum qmp_error_class class, const char *desc,
			json_t *id);
__printf(3, 4) void qmp_error_set(struct qmp_error *err,
				 enum qmp_error_class class,
				 const char *fmt, ...);

/* The greeting a new connection gets. */
json_t *qmp_greeting(void);

/* Read the slots again: the baseline for a resync after lost events. */
void qmp_vm_sync(struct qmp_vm *q);
/*
 * Queue the QMP event for a kernel event about this VM, if any; for
 * KNL_EVENTS_LOST, the lifecycle events a resync finds.
 */
void qmp_kernel_event(struct qmp_vm *q, const struct knl_event *ev);
/* The queued events (an array, possibly empty); the queue restarts. */
json_t *qmp_take_events(struct qmp_vm *q);

/* The commands, callable directly (the dispatcher checked @args). */
json_t *qmp_qmp_capabilities(struct qmp_vm *q, json_t *args,
			     struct qmp_error *err);
json_t *qmp_query_version(struct qmp_vm *q, json_t *args,
			  struct qmp_error *err);
json_t *qmp_query_commands(struct qmp_vm *q, json_t *args,
			   struct qmp_error *err);
json_t *qmp_query_status(struct qmp_vm *q, json_t *args,
			 struct qmp_error *err);
json_t *qmp_query_name(struct qmp_vm *q, json_t *args,
		       struct qmp_error *err);
json_t *qmp_query_hotpluggable_cpus(struct qmp_vm *q, json_t *args,
				    struct qmp_error *err);
json_t *qmp_query_cpus_fast(struct qmp_vm *q, json_t *args,
			    struct qmp_error *err);
json_t *qmp_device_add(struct qmp_vm *q, json_t *args,
		       struct qmp_error *err);
json_t *qmp_device_add_keyval(struct qmp_vm *q, json_t *args,
			      struct qmp_error *err);
json_t *qmp_device_del(struct qmp_vm *q, json_t *args,
		       struct qmp_error *err);
json_t *qmp_system_powerdown(struct qmp_vm *q, json_t *args,
			     struct qmp_error *err);
json_t *qmp_quit(struct qmp_vm *q, json_t *args, struct qmp_error *err);

#endif /* QMP_H */
