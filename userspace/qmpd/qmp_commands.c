// SPDX-License-Identifier: GPL-2.0
/*
 * The QMP commands khyp-qmpd implements, their table, and the QMP events
 * made from the kernel's.  Each command gets arguments the dispatcher
 * (qmp_dispatch.c) checked against the table, and returns a result or
 * fills @err; a kernel refusal keeps the kernel's extack message.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include "qmp.h"

#define PEER_PATH	"/machine/peripheral/"
#define BOOT_PATH	"/machine/unattached/device["

/* The kernel said no: QEMU's class for it, the extack message as desc. */
static json_t *nl_error(struct qmp_vm *q, struct qmp_error *err)
{
	qmp_error_set(err, q->nl->err == -ENODEV ? QMP_ERR_DEVICE_NOT_FOUND :
		      QMP_ERR_GENERIC, "%s", q->nl->errmsg);
	return NULL;
}

static void queue_event(struct qmp_vm *q, const char *name, json_t *data)
{
	json_t *o = json_pack("{ss}", "event", name);

	if (data)
		json_object_set_new(o, "data", data);
	json_array_append_new(q->events, o);
}

json_t *qmp_qmp_capabilities(struct qmp_vm *q, json_t *args,
			     struct qmp_error *err)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(args, "enable"), i, v) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "Capability '%s' not available",
			      json_is_string(v) ? json_string_value(v) : "?");
		return NULL;
	}
	return json_object();
}

static json_t *version_obj(void)
{
	return json_pack("{s{sisisi}ss}", "qemu", "micro", 0, "minor", 2,
			 "major", 8, "package", "khyp");
}

json_t *qmp_greeting(void)
{
	return json_pack("{s{s o s[]}}", "QMP", "version", version_obj(),
			 "capabilities");
}

json_t *qmp_query_version(struct qmp_vm *q, json_t *args,
			  struct qmp_error *err)
{
	return version_obj();
}

json_t *qmp_query_commands(struct qmp_vm *q, json_t *args,
			   struct qmp_error *err)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < qmp_nr_commands; i++)
		json_array_append_new(list, json_pack("{ss}", "name",
						      qmp_commands[i].name));
	return list;
}

json_t *qmp_query_status(struct qmp_vm *q, json_t *args,
			 struct qmp_error *err)
{
	return json_pack("{sssb}", "status", "running", "running", 1);
}

json_t *qmp_query_name(struct qmp_vm *q, json_t *args,
		       struct qmp_error *err)
{
	json_t *o = json_object();

	if (q->vm.name[0])
		json_object_set_new(o, "name", json_string(q->vm.name));
	return o;
}

/* Topology may change until the first vCPU exists: ask each time. */
static bool refresh_vm(struct qmp_vm *q, struct qmp_error *err)
{
	if (knl_vm_get(q->nl, q->vm.id, NULL, &q->vm)) {
		nl_error(q, err);
		return false;
	}
	return true;
}

static json_t *props_obj(const struct qmp_vm *q, const struct knl_slot *s)
{
	json_t *p = json_object();

	json_object_set_new(p, "socket-id", json_integer(s->socket));
	if (q->vm.dies > 1)
		json_object_set_new(p, "die-id", json_integer(s->die));
	json_object_set_new(p, "core-id", json_integer(s->core));
	json_object_set_new(p, "thread-id", json_integer(s->thread));
	return p;
}

static json_t *qom_path(const struct knl_slot *s)
{
	char buf[128];

	if (s->id[0])
		snprintf(buf, sizeof(buf), PEER_PATH "%s", s->id);
	else
		snprintf(buf, sizeof(buf), BOOT_PATH "%u]", s->index);
	return json_string(buf);
}

json_t *qmp_query_hotpluggable_cpus(struct qmp_vm *q, json_t *args,
				    struct qmp_error *err)
{
	struct knl_slot *slots;
	unsigned int n, i;
	char type[KHYP_CPU_MODEL_LEN + 16];
	json_t *list;

	if (!refresh_vm(q, err))
		return NULL;
	if (knl_slots(q->nl, q->vm.id, false, &slots, &n))
		return nl_error(q, err);
	snprintf(type, sizeof(type), "%s-x86_64-cpu", q->vm.model);
	list = json_array();
	/* QEMU lists the slots last first. */
	for (i = n; i-- > 0;) {
		json_t *o = json_object();

		json_object_set_new(o, "type", json_string(type));
		json_object_set_new(o, "vcpus-count", json_integer(1));
		json_object_set_new(o, "props", props_obj(q, &slots[i]));
		if (slots[i].present)
			json_object_set_new(o, "qom-path", qom_path(&slots[i]));
		json_array_append_new(list, o);
	}
	free(slots);
	return list;
}

json_t *qmp_query_cpus_fast(struct qmp_vm *q, json_t *args,
			    struct qmp_error *err)
{
	struct knl_slot *slots;
	unsigned int n, i;
	json_t *list;

	if (!refresh_vm(q, err))
		return NULL;
	if (knl_slots(q->nl, q->vm.id, true, &slots, &n))
		return nl_error(q, err);
	list = json_array();
	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "cpu-index",
				    json_integer(slots[i].index));
		json_object_set_new(o, "qom-path", qom_path(&slots[i]));
		json_object_set_new(o, "thread-id",
				    json_integer(slots[i].tid));
		json_object_set_new(o, "props", props_obj(q, &slots[i]));
		json_object_set_new(o, "target", json_string("x86_64"));
		json_array_append_new(list, o);
	}
	free(slots);
	return list;
}

static const char *const cpu_props[] = {
	"socket-id", "die-id", "core-id", "thread-id", NULL
};

/*
 * A property's integer: a JSON integer from QMP, or, @from_json false,
 * HMP's key=value text, read as QEMU's keyval parser reads integers.
 */
static bool prop_int(const char *key, json_t *v, bool from_json,
		     int64_t *out, struct qmp_error *err)
{
	const char *s;
	char *end;

	if (from_json) {
		if (!json_is_integer(v)) {
			qmp_error_set(err, QMP_ERR_GENERIC,
				      "Invalid parameter type for '%s', expected: integer",
				      key);
			return false;
		}
		*out = json_integer_value(v);
		return true;
	}
	s = json_string_value(v);
	errno = 0;
	*out = s ? strtoll(s, &end, 0) : 0;
	if (!s || !*s || *end || errno) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "Parameter '%s' expects integer", key);
		return false;
	}
	return true;
}

/* A CPU's properties: the arguments the table does not name. */
static json_t *device_add(struct qmp_vm *q, json_t *args, bool from_json,
			  struct qmp_error *err)
{
	struct knl_cpu_add req = {
		.driver = json_string_value(json_object_get(args, "driver")),
		.id = json_string_value(json_object_get(args, "id")),
		.socket = -1, .die = -1, .core = -1, .thread = -1,
	};
	int64_t *vals[] = { &req.socket, &req.die, &req.core, &req.thread };
	const char *key;
	int64_t val;
	json_t *v;
	int i;

	json_object_foreach(args, key, v) {
		if (!strcmp(key, "driver") || !strcmp(key, "id"))
			continue;
		for (i = 0; cpu_props[i]; i++)
			if (!strcmp(key, cpu_props[i]))
				break;
		if (!cpu_props[i]) {
			qmp_error_set(err, QMP_ERR_GENERIC,
				      "Property '%s.%s' not found", req.driver,
				      key);
			return NULL;
		}
		if (!prop_int(key, v, from_json, &val, err))
			return NULL;
		if (val > INT32_MAX || val < INT32_MIN) {
			qmp_error_set(err, QMP_ERR_GENERIC,
				      "Parameter '%s' expects int32", key);
			return NULL;
		}
		/* -1 is QEMU's "not set" */
		*vals[i] = val < 0 ? -1 : val;
	}
	if (strlen(req.id) >= KHYP_DEVICE_ID_LEN) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "Parameter 'id' expects an identifier");
		return NULL;
	}
	if (knl_cpu_add(q->nl, q->vm.id, &req))
		return nl_error(q, err);
	qmp_vm_sync(q);
	return json_object();
}

json_t *qmp_device_add(struct qmp_vm *q, json_t *args,
		       struct qmp_error *err)
{
	return device_add(q, args, true, err);
}

json_t *qmp_device_add_keyval(struct qmp_vm *q, json_t *args,
			      struct qmp_error *err)
{
	return device_add(q, args, false, err);
}

json_t *qmp_device_del(struct qmp_vm *q, json_t *args,
		       struct qmp_error *err)
{
	const char *dev = json_string_value(json_object_get(args, "id"));
	const char *name = dev;
	int64_t index = -1;
	unsigned int n;
	char end;

	/* An id, or a QOM path: /machine/peripheral/ID or a boot CPU's. */
	if (!strncmp(dev, PEER_PATH, strlen(PEER_PATH))) {
		name = dev + strlen(PEER_PATH);
	} else if (sscanf(dev, BOOT_PATH "%u%c", &n, &end) == 2 &&
		   end == ']') {
		name = NULL;
		index = n;
	}
	if (name && (!*name || strlen(name) >= KHYP_DEVICE_ID_LEN))
		goto not_found;
	if (knl_cpu_del(q->nl, q->vm.id, name, index)) {
		if (q->nl->err != -ENODEV)
			return nl_error(q, err);
		goto not_found;
	}
	qmp_vm_sync(q);
	return json_object();
not_found:
	qmp_error_set(err, QMP_ERR_DEVICE_NOT_FOUND, "Device '%s' not found",
		      dev);
	return NULL;
}

json_t *qmp_system_powerdown(struct qmp_vm *q, json_t *args,
			     struct qmp_error *err)
{
	if (knl_powerdown(q->nl, q->vm.id))
		return nl_error(q, err);
	queue_event(q, "POWERDOWN", NULL);
	return json_object();
}

json_t *qmp_quit(struct qmp_vm *q, json_t *args, struct qmp_error *err)
{
	if (q->launcher < 0) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "quit is not supported: khyp-qmpd runs without --pid");
		return NULL;
	}
	if (pidfd_send_signal(q->launcher, SIGTERM, NULL, 0)) {
		qmp_error_set(err, QMP_ERR_GENERIC, "cannot stop the VM: %s",
			      strerror(errno));
		return NULL;
	}
	queue_event(q, "SHUTDOWN", json_pack("{sbss}", "guest", 0, "reason",
					     "host-qmp-quit"));
	return json_object();
}

#define CMD(n, f, ...)	{ .name = (n), .fn = (f), __VA_ARGS__ }
#define ARGS(...)	.args = (const struct qmp_arg[]){ __VA_ARGS__, { NULL } }
#define NO_ARGS		.args = (const struct qmp_arg[]){ { NULL } }

const struct qmp_command qmp_commands[] = {
	CMD("qmp_capabilities", qmp_qmp_capabilities,
	    ARGS({ "enable", QMP_ARRAY, false }), .negotiation = true),
	CMD("query-version", qmp_query_version, NO_ARGS),
	CMD("query-commands", qmp_query_commands, NO_ARGS),
	CMD("query-status", qmp_query_status, NO_ARGS),
	CMD("query-name", qmp_query_name, NO_ARGS),
	CMD("query-hotpluggable-cpus", qmp_query_hotpluggable_cpus, NO_ARGS),
	CMD("query-cpus-fast", qmp_query_cpus_fast, NO_ARGS),
	CMD("device_add", qmp_device_add,
	    ARGS({ "driver", QMP_STR, true }, { "id", QMP_STR, true }),
	    .open_args = true, .keyval_fn = qmp_device_add_keyval),
	CMD("device_del", qmp_device_del, ARGS({ "id", QMP_STR, true })),
	CMD("system_powerdown", qmp_system_powerdown, NO_ARGS),
	CMD("quit", qmp_quit, NO_ARGS),
};

const size_t qmp_nr_commands = ARRAY_SIZE(qmp_commands);

void qmp_vm_sync(struct qmp_vm *q)
{
	struct knl_slot *slots;
	unsigned int n;

	if (knl_slots(q->nl, q->vm.id, false, &slots, &n))
		return;
	free(q->known);
	q->known = slots;
	q->nr_known = n;
}

static struct knl_slot *known_slot(struct qmp_vm *q, uint32_t index)
{
	unsigned int i;

	for (i = 0; i < q->nr_known; i++)
		if (q->known[i].index == index)
			return &q->known[i];
	return NULL;
}

/* DEVICE_DELETED or DEVICE_UNPLUG_GUEST_ERROR (@deleted false) for @id. */
static void lifecycle_event(struct qmp_vm *q, bool deleted, const char *id)
{
	json_t *data = json_object();

	json_object_set_new(data, "device", json_string(id));
	json_object_set_new(data, "path",
			    json_sprintf(PEER_PATH "%s", id));
	queue_event(q, deleted ? "DEVICE_DELETED" : "DEVICE_UNPLUG_GUEST_ERROR",
		    data);
}

/*
 * Events were lost: compare the slots now with the last known ones and
 * report the deletions and unplug errors that happened in between.
 */
static void resync(struct qmp_vm *q)
{
	struct knl_slot *was = q->known, *now;
	unsigned int n_was = q->nr_known, i;

	fprintf(stderr, "khyp-qmpd: kernel events lost (socket full): reading the slots again\n");
	q->known = NULL;
	q->nr_known = 0;
	qmp_vm_sync(q);
	for (i = 0; was && q->known && i < n_was; i++) {
		if (!was[i].present || !was[i].id[0])
			continue;
		now = known_slot(q, was[i].index);
		if (!now || !now->present || strcmp(now->id, was[i].id))
			lifecycle_event(q, true, was[i].id);
		else if (was[i].unplug_pending && !now->unplug_pending)
			lifecycle_event(q, false, was[i].id);
	}
	if (!q->known) {
		fprintf(stderr, "khyp-qmpd: cannot read the slots: %s\n",
			q->nl->errmsg);
		q->known = was;
		q->nr_known = n_was;
		return;
	}
	free(was);
}

void qmp_kernel_event(struct qmp_vm *q, const struct knl_event *ev)
{
	struct knl_slot *known;
	json_t *data, *info;
	char slot[16];

	if (ev->cmd == KNL_EVENTS_LOST) {
		resync(q);
		return;
	}
	if (ev->vm_id != q->vm.id)
		return;
	switch (ev->cmd) {
	case KHYP_CMD_EVENT_OST:
		snprintf(slot, sizeof(slot), "%u", ev->cpu_index);
		info = json_object();
		if (ev->id[0])
			json_object_set_new(info, "device",
					    json_string(ev->id));
		json_object_set_new(info, "slot", json_string(slot));
		json_object_set_new(info, "slot-type", json_string("CPU"));
		json_object_set_new(info, "source",
				    json_integer(ev->ost_source));
		json_object_set_new(info, "status",
				    json_integer(ev->ost_status));
		data = json_object();
		json_object_set_new(data, "info", info);
		queue_event(q, "ACPI_DEVICE_OST", data);
		break;
	case KHYP_CMD_EVENT_DEVICE_DELETED:
	case KHYP_CMD_EVENT_UNPLUG_ERROR:
		data = json_object();
		json_object_set_new(data, "device", json_string(ev->id));
		json_object_set_new(data, "path", json_string(ev->path));
		queue_event(q, ev->cmd == KHYP_CMD_EVENT_DEVICE_DELETED ?
			    "DEVICE_DELETED" : "DEVICE_UNPLUG_GUEST_ERROR",
			    data);
		if (ev->cmd == KHYP_CMD_EVENT_UNPLUG_ERROR)
			fprintf(stderr, "khyp-qmpd: %s: %s\n", ev->id,
				ev->message);
		/* heard: a later resync must not report it again */
		known = known_slot(q, ev->cpu_index);
		if (known) {
			known->unplug_pending = false;
			if (ev->cmd == KHYP_CMD_EVENT_DEVICE_DELETED)
				known->present = false;
		}
		break;
	}
}
