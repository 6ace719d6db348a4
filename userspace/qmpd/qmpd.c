// SPDX-License-Identifier: GPL-2.0
/*
 * khyp-qmpd: QMP for one khyp VM on a UNIX socket, so that QEMU's own
 * clients (qmp-shell, qemu.qmp) drive khyp's vCPU hotplug unchanged.
 *
 *   khyp-qmpd --vm NAME|ID --socket PATH [--pid LAUNCHER_PID]
 *
 * Speaks the QMP wire protocol (docs/interop/qmp-spec.rst in QEMU): a
 * greeting, capabilities negotiation, one JSON object per command with
 * an optional "id" echoed back, events with timestamps, CRLF after each
 * object.  Commands become requests on the "khyp" generic netlink family;
 * its "events" multicast group becomes QMP events.  Several clients at
 * once; bad input gets an error, never the daemon's end.
 *
 * --pid: the launcher; "quit" sends it SIGTERM, and the daemon exits when
 * it is gone.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>
#include "khyp_nl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_CLIENTS	16
#define MAX_INPUT	(1 << 20)	/* bytes without a complete object */
#define MAX_OUTPUT	(16 << 20)	/* a client that never reads */
#define PEER_PATH	"/machine/peripheral/"
#define BOOT_PATH	"/machine/unattached/device["

struct client {
	int fd;
	bool negotiated;
	bool skip_line;		/* dropping bad input up to a newline */
	char *in;
	size_t in_len;
	char *out;
	size_t out_len;
};

static struct {
	struct knl nl;
	struct knl_vm vm;
	int listen_fd;
	const char *socket_path;
	pid_t launcher;
	struct client clients[MAX_CLIENTS];
	volatile sig_atomic_t stop;
} d;

/* ---- output ---- */

static void client_close(struct client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void client_flush(struct client *c)
{
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			client_close(c);
			return;
		}
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
}

/* Queue @obj (reference stolen) and CRLF for @c. */
static void client_send(struct client *c, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t len;
	char *out;

	json_decref(obj);
	if (!s)
		return;
	len = strlen(s);
	if (c->out_len + len + 2 > MAX_OUTPUT) {
		free(s);
		client_close(c);
		return;
	}
	out = realloc(c->out, c->out_len + len + 2);
	if (!out) {
		free(s);
		return;
	}
	memcpy(out + c->out_len, s, len);
	memcpy(out + c->out_len + len, "\r\n", 2);
	c->out = out;
	c->out_len += len + 2;
	free(s);
	client_flush(c);
}

static void send_return(struct client *c, json_t *ret, json_t *id)
{
	json_t *o = json_object();

	json_object_set_new(o, "return", ret);
	if (id)
		json_object_set(o, "id", id);
	client_send(c, o);
}

static void send_error(struct client *c, json_t *id, const char *class,
		       const char *fmt, ...)
{
	json_t *o = json_object(), *e = json_object();
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	json_object_set_new(e, "class", json_string(class));
	json_object_set_new(e, "desc", json_string(desc));
	json_object_set_new(o, "error", e);
	if (id)
		json_object_set(o, "id", id);
	client_send(c, o);
}

/* An event to every client past negotiation (reference stolen). */
static void broadcast_event(const char *name, json_t *data)
{
	struct timeval tv;
	int i;

	gettimeofday(&tv, NULL);
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d.clients[i];
		json_t *o;

		if (c->fd < 0 || !c->negotiated)
			continue;
		o = json_object();
		json_object_set_new(o, "event", json_string(name));
		if (data)
			json_object_set(o, "data", data);
		json_object_set_new(o, "timestamp",
				    json_pack("{sI sI}", "seconds",
					      (json_int_t)tv.tv_sec,
					      "microseconds",
					      (json_int_t)tv.tv_usec));
		client_send(c, o);
	}
	json_decref(data);
}

/* ---- events from the kernel ---- */

static void on_event(const struct knl_event *ev, void *arg)
{
	json_t *data, *info;
	char slot[16];

	if (ev->vm_id != d.vm.id)
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
		broadcast_event("ACPI_DEVICE_OST", data);
		break;
	case KHYP_CMD_EVENT_DEVICE_DELETED:
	case KHYP_CMD_EVENT_UNPLUG_ERROR:
		data = json_object();
		json_object_set_new(data, "device", json_string(ev->id));
		json_object_set_new(data, "path", json_string(ev->path));
		broadcast_event(ev->cmd == KHYP_CMD_EVENT_DEVICE_DELETED ?
				"DEVICE_DELETED" : "DEVICE_UNPLUG_GUEST_ERROR",
				data);
		if (ev->cmd == KHYP_CMD_EVENT_UNPLUG_ERROR)
			fprintf(stderr, "khyp-qmpd: %s: %s\n", ev->id,
				ev->message);
		break;
	}
}

/* ---- commands ---- */

enum arg_type { ARG_INT, ARG_STR, ARG_BOOL, ARG_ARRAY, ARG_ANY };

struct arg_spec {
	const char *name;
	enum arg_type type;
	bool required;
};

struct command {
	const char *name;
	/* NULL-terminated; NULL: any arguments (checked by the handler) */
	const struct arg_spec *args;
	json_t *(*fn)(struct client *c, json_t *args, json_t *id);
};

static const char *type_name(enum arg_type t)
{
	switch (t) {
	case ARG_INT:
		return "integer";
	case ARG_STR:
		return "string";
	case ARG_BOOL:
		return "boolean";
	case ARG_ARRAY:
		return "array";
	default:
		return "any";
	}
}

static bool type_ok(json_t *v, enum arg_type t)
{
	switch (t) {
	case ARG_INT:
		return json_is_integer(v);
	case ARG_STR:
		return json_is_string(v);
	case ARG_BOOL:
		return json_is_boolean(v);
	case ARG_ARRAY:
		return json_is_array(v);
	default:
		return true;
	}
}

/* QEMU's checks, in QEMU's words.  Sends the error; false if bad. */
static bool check_args(struct client *c, json_t *id, json_t *args,
		       const struct arg_spec *spec)
{
	const struct arg_spec *s;
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v) {
		for (s = spec; s->name; s++)
			if (!strcmp(s->name, key))
				break;
		if (!s->name) {
			send_error(c, id, "GenericError",
				   "Parameter '%s' is unexpected", key);
			return false;
		}
		if (!type_ok(v, s->type)) {
			send_error(c, id, "GenericError",
				   "Invalid parameter type for '%s', expected: %s",
				   key, type_name(s->type));
			return false;
		}
	}
	for (s = spec; s->name; s++) {
		if (s->required && !json_object_get(args, s->name)) {
			send_error(c, id, "GenericError",
				   "Parameter '%s' is missing", s->name);
			return false;
		}
	}
	return true;
}

/* The kernel said no: QEMU's class for it, the extack message as desc. */
static json_t *nl_error(struct client *c, json_t *id)
{
	send_error(c, id, d.nl.err == -ENODEV ? "DeviceNotFound" :
		   "GenericError", "%s", d.nl.errmsg);
	return NULL;
}

static json_t *cmd_qmp_capabilities(struct client *c, json_t *args,
				    json_t *id)
{
	json_t *en = json_object_get(args, "enable");
	size_t i;
	json_t *v;

	if (c->negotiated) {
		send_error(c, id, "CommandNotFound",
			   "Capabilities negotiation is already complete, command ignored");
		return NULL;
	}
	json_array_foreach(en, i, v) {
		send_error(c, id, "GenericError",
			   "Capability '%s' not available",
			   json_is_string(v) ? json_string_value(v) : "?");
		return NULL;
	}
	c->negotiated = true;
	return json_object();
}

static json_t *version_obj(void)
{
	return json_pack("{s{sisisi}ss}", "qemu", "micro", 0, "minor", 2,
			 "major", 8, "package", "khyp");
}

static json_t *cmd_query_version(struct client *c, json_t *args, json_t *id)
{
	return version_obj();
}

static json_t *cmd_query_commands(struct client *c, json_t *args,
				  json_t *id);

static json_t *cmd_query_status(struct client *c, json_t *args, json_t *id)
{
	return json_pack("{sssb}", "status", "running", "running", 1);
}

static json_t *cmd_query_name(struct client *c, json_t *args, json_t *id)
{
	json_t *o = json_object();

	if (d.vm.name[0])
		json_object_set_new(o, "name", json_string(d.vm.name));
	return o;
}

/* Topology may change until the first vCPU exists: ask each time. */
static bool refresh_vm(struct client *c, json_t *id)
{
	if (knl_vm_get(&d.nl, d.vm.id, NULL, &d.vm)) {
		nl_error(c, id);
		return false;
	}
	return true;
}

static json_t *props_obj(const struct knl_slot *s)
{
	json_t *p = json_object();

	json_object_set_new(p, "socket-id", json_integer(s->socket));
	if (d.vm.dies > 1)
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

static json_t *cmd_query_hotpluggable_cpus(struct client *c, json_t *args,
					   json_t *id)
{
	struct knl_slot *slots;
	unsigned int n, i;
	char type[KHYP_CPU_MODEL_LEN + 16];
	json_t *list;

	if (!refresh_vm(c, id))
		return NULL;
	if (knl_slots(&d.nl, d.vm.id, false, &slots, &n))
		return nl_error(c, id);
	snprintf(type, sizeof(type), "%s-x86_64-cpu", d.vm.model);
	list = json_array();
	/* QEMU lists the slots last first. */
	for (i = n; i-- > 0;) {
		json_t *o = json_object();

		json_object_set_new(o, "type", json_string(type));
		json_object_set_new(o, "vcpus-count", json_integer(1));
		json_object_set_new(o, "props", props_obj(&slots[i]));
		if (slots[i].present)
			json_object_set_new(o, "qom-path", qom_path(&slots[i]));
		json_array_append_new(list, o);
	}
	free(slots);
	return list;
}

static json_t *cmd_query_cpus_fast(struct client *c, json_t *args,
				   json_t *id)
{
	struct knl_slot *slots;
	unsigned int n, i;
	json_t *list;

	if (!refresh_vm(c, id))
		return NULL;
	if (knl_slots(&d.nl, d.vm.id, true, &slots, &n))
		return nl_error(c, id);
	list = json_array();
	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "cpu-index",
				    json_integer(slots[i].index));
		json_object_set_new(o, "qom-path", qom_path(&slots[i]));
		json_object_set_new(o, "thread-id",
				    json_integer(slots[i].tid));
		json_object_set_new(o, "props", props_obj(&slots[i]));
		json_object_set_new(o, "target", json_string("x86_64"));
		json_array_append_new(list, o);
	}
	free(slots);
	return list;
}

static const char *const cpu_props[] = {
	"socket-id", "die-id", "core-id", "thread-id", NULL
};

static json_t *cmd_device_add(struct client *c, json_t *args, json_t *id)
{
	struct knl_cpu_add req = { .socket = -1, .die = -1, .core = -1,
				   .thread = -1 };
	int64_t *vals[] = { &req.socket, &req.die, &req.core, &req.thread };
	json_t *drv = json_object_get(args, "driver");
	json_t *did = json_object_get(args, "id");
	const char *key;
	json_t *v;
	int i;

	if (!drv) {
		send_error(c, id, "GenericError",
			   "Parameter 'driver' is missing");
		return NULL;
	}
	if (!json_is_string(drv)) {
		send_error(c, id, "GenericError",
			   "Invalid parameter type for 'driver', expected: string");
		return NULL;
	}
	req.driver = json_string_value(drv);
	json_object_foreach(args, key, v) {
		if (!strcmp(key, "driver"))
			continue;
		if (!strcmp(key, "id")) {
			if (!json_is_string(v)) {
				send_error(c, id, "GenericError",
					   "Invalid parameter type for 'id', expected: string");
				return NULL;
			}
			continue;
		}
		for (i = 0; cpu_props[i]; i++)
			if (!strcmp(key, cpu_props[i]))
				break;
		if (!cpu_props[i]) {
			send_error(c, id, "GenericError",
				   "Property '%s.%s' not found", req.driver,
				   key);
			return NULL;
		}
		if (!json_is_integer(v)) {
			send_error(c, id, "GenericError",
				   "Invalid parameter type for '%s', expected: integer",
				   key);
			return NULL;
		}
		if (json_integer_value(v) > INT32_MAX ||
		    json_integer_value(v) < INT32_MIN) {
			send_error(c, id, "GenericError",
				   "Parameter '%s' expects int32", key);
			return NULL;
		}
		/* -1 is QEMU's "not set" */
		*vals[i] = json_integer_value(v) < 0 ? -1 :
			   json_integer_value(v);
	}
	if (!did) {
		send_error(c, id, "GenericError", "Parameter 'id' is missing");
		return NULL;
	}
	req.id = json_string_value(did);
	if (strlen(req.id) >= KHYP_DEVICE_ID_LEN) {
		send_error(c, id, "GenericError",
			   "Parameter 'id' expects an identifier");
		return NULL;
	}
	if (knl_cpu_add(&d.nl, d.vm.id, &req))
		return nl_error(c, id);
	return json_object();
}

static json_t *cmd_device_del(struct client *c, json_t *args, json_t *id)
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
	if (name && (!*name || strlen(name) >= KHYP_DEVICE_ID_LEN)) {
		send_error(c, id, "DeviceNotFound", "Device '%s' not found",
			   dev);
		return NULL;
	}
	if (knl_cpu_del(&d.nl, d.vm.id, name, index)) {
		if (d.nl.err == -ENODEV)
			send_error(c, id, "DeviceNotFound",
				   "Device '%s' not found", dev);
		else
			nl_error(c, id);
		return NULL;
	}
	return json_object();
}

static json_t *cmd_system_powerdown(struct client *c, json_t *args,
				    json_t *id)
{
	if (knl_powerdown(&d.nl, d.vm.id))
		return nl_error(c, id);
	broadcast_event("POWERDOWN", NULL);
	return json_object();
}

static json_t *cmd_quit(struct client *c, json_t *args, json_t *id)
{
	if (d.launcher <= 0) {
		send_error(c, id, "GenericError",
			   "quit is not supported: khyp-qmpd runs without --pid");
		return NULL;
	}
	if (kill(d.launcher, SIGTERM)) {
		send_error(c, id, "GenericError", "cannot stop the VM: %s",
			   strerror(errno));
		return NULL;
	}
	send_return(c, json_object(), id);
	broadcast_event("SHUTDOWN", json_pack("{sbss}", "guest", 0, "reason",
					      "host-qmp-quit"));
	return NULL;
}

static const struct arg_spec no_args[] = { { NULL } };
static const struct arg_spec caps_args[] = {
	{ "enable", ARG_ARRAY, false }, { NULL }
};
static const struct arg_spec del_args[] = {
	{ "id", ARG_STR, true }, { NULL }
};

static const struct command commands[] = {
	{ "qmp_capabilities", caps_args, cmd_qmp_capabilities },
	{ "query-version", no_args, cmd_query_version },
	{ "query-commands", no_args, cmd_query_commands },
	{ "query-status", no_args, cmd_query_status },
	{ "query-name", no_args, cmd_query_name },
	{ "query-hotpluggable-cpus", no_args, cmd_query_hotpluggable_cpus },
	{ "query-cpus-fast", no_args, cmd_query_cpus_fast },
	{ "device_add", NULL, cmd_device_add },
	{ "device_del", del_args, cmd_device_del },
	{ "system_powerdown", no_args, cmd_system_powerdown },
	{ "quit", no_args, cmd_quit },
};

static json_t *cmd_query_commands(struct client *c, json_t *args,
				  json_t *id)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		json_array_append_new(list, json_pack("{ss}", "name",
						      commands[i].name));
	return list;
}

/* One complete JSON value from a client. */
static void dispatch(struct client *c, json_t *req)
{
	json_t *id = NULL, *exec = NULL, *args = NULL, *ret;
	const struct command *cmd = NULL;
	const char *key, *name;
	json_t *v;
	size_t i;

	if (!json_is_object(req)) {
		send_error(c, NULL, "GenericError",
			   "QMP input must be a JSON object");
		return;
	}
	id = json_object_get(req, "id");
	json_object_foreach(req, key, v) {
		if (!strcmp(key, "execute")) {
			exec = v;
		} else if (!strcmp(key, "arguments")) {
			args = v;
		} else if (strcmp(key, "id")) {
			send_error(c, id, "GenericError",
				   "QMP input member '%s' is unexpected", key);
			return;
		}
	}
	if (!exec) {
		send_error(c, id, "GenericError",
			   "QMP input lacks member 'execute'");
		return;
	}
	if (!json_is_string(exec)) {
		send_error(c, id, "GenericError",
			   "QMP input member 'execute' must be a string");
		return;
	}
	if (args && !json_is_object(args)) {
		send_error(c, id, "GenericError",
			   "QMP input member 'arguments' must be an object");
		return;
	}
	name = json_string_value(exec);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			cmd = &commands[i];
	if (!c->negotiated && (!cmd || cmd->fn != cmd_qmp_capabilities)) {
		send_error(c, id, "CommandNotFound",
			   "Expecting capabilities negotiation with 'qmp_capabilities'");
		return;
	}
	if (!cmd) {
		send_error(c, id, "CommandNotFound",
			   "The command %s has not been found", name);
		return;
	}
	if (!args)
		args = json_object();
	else
		json_incref(args);
	if (!cmd->args || check_args(c, id, args, cmd->args)) {
		ret = cmd->fn(c, args, id);
		if (ret)
			send_return(c, ret, id);
	}
	json_decref(args);
}

/* ---- input framing ---- */

/*
 * Length of the first complete JSON object or array in @buf (after
 * leading whitespace, counted in), 0 if incomplete, -1 if what starts
 * there is no object or array.
 */
static ssize_t frame_len(const char *buf, size_t len)
{
	bool in_str = false, esc = false;
	int depth = 0;
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	if (i == len)
		return 0;
	if (buf[i] != '{' && buf[i] != '[')
		return -1;
	for (; i < len; i++) {
		char ch = buf[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"')
			in_str = true;
		else if (ch == '{' || ch == '[')
			depth++;
		else if ((ch == '}' || ch == ']') && --depth == 0)
			return i + 1;
	}
	return 0;
}

static void consume(struct client *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

static void client_input(struct client *c)
{
	while (c->fd >= 0 && c->in_len) {
		ssize_t n = frame_len(c->in, c->in_len);
		json_error_t err;
		json_t *req;
		char *nl;

		if (c->skip_line) {
			nl = memchr(c->in, '\n', c->in_len);
			consume(c, nl ? (size_t)(nl - c->in) + 1 : c->in_len);
			c->skip_line = !nl;
			continue;
		}
		if (n == 0) {
			size_t i = 0;

			while (i < c->in_len && strchr(" \t\r\n", c->in[i]))
				i++;
			consume(c, i);
			if (c->in_len > MAX_INPUT) {
				send_error(c, NULL, "GenericError",
					   "JSON parse error, input too long without a complete object");
				c->in_len = 0;
				c->skip_line = true;
			}
			return;
		}
		if (n < 0) {
			/* Not an object: report it, skip to the next line. */
			send_error(c, NULL, "GenericError",
				   "JSON parse error, invalid token");
			c->skip_line = true;
			continue;
		}
		req = json_loadb(c->in, n, JSON_DISABLE_EOF_CHECK |
				 JSON_DECODE_ANY, &err);
		consume(c, n);
		if (!req) {
			send_error(c, NULL, "GenericError",
				   "JSON parse error, %s", err.text);
			continue;
		}
		dispatch(c, req);
		json_decref(req);
	}
}

static void client_read(struct client *c)
{
	char buf[65536];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	char *in;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	in = realloc(c->in, c->in_len + n);
	if (!in) {
		client_close(c);
		return;
	}
	memcpy(in + c->in_len, buf, n);
	c->in = in;
	c->in_len += n;
	client_input(c);
}

static void client_accept(void)
{
	json_t *greeting;
	int fd, i;

	fd = accept4(d.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (d.clients[i].fd < 0)
			break;
	if (i == MAX_CLIENTS) {
		close(fd);
		return;
	}
	d.clients[i].fd = fd;
	greeting = json_pack("{s{s o s[]}}", "QMP", "version", version_obj(),
			     "capabilities");
	client_send(&d.clients[i], greeting);
}

/* ---- setup and the loop ---- */

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "khyp-qmpd: socket path too long\n");
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* A socket left by an earlier instance: replace it. */
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 8)) {
		fprintf(stderr, "khyp-qmpd: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void on_signal(int sig)
{
	d.stop = 1;
}

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: khyp-qmpd --vm NAME|ID --socket PATH [--pid LAUNCHER_PID]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "socket", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pollfd pfd[MAX_CLIENTS + 2];
	const char *vm_arg = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char *end;
	long id;
	int o, i, r;

	while ((o = getopt_long(argc, argv, "v:s:p:h", opts, NULL)) != -1) {
		switch (o) {
		case 'v':
			vm_arg = optarg;
			break;
		case 's':
			d.socket_path = optarg;
			break;
		case 'p':
			d.launcher = strtol(optarg, &end, 10);
			if (*end || d.launcher <= 0)
				bad_usage();
			break;
		default:
			bad_usage();
		}
	}
	if (!vm_arg || !d.socket_path || optind != argc)
		bad_usage();
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < MAX_CLIENTS; i++)
		d.clients[i].fd = -1;

	if (knl_open(&d.nl, on_event, NULL))
		return 1;
	id = strtol(vm_arg, &end, 10);
	r = *end || end == vm_arg ? knl_vm_get(&d.nl, -1, vm_arg, &d.vm) :
				     knl_vm_get(&d.nl, id, NULL, &d.vm);
	if (r) {
		fprintf(stderr, "khyp-qmpd: VM %s: %s\n", vm_arg,
			d.nl.errmsg);
		return 1;
	}
	d.listen_fd = listen_on(d.socket_path);
	if (d.listen_fd < 0)
		return 1;

	while (!d.stop) {
		int n = 0;

		pfd[n].fd = d.listen_fd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = knl_event_fd(&d.nl);
		pfd[n++].events = POLLIN;
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &d.clients[i];

			pfd[n].fd = c->fd;
			pfd[n++].events = c->fd < 0 ? 0 :
				POLLIN | (c->out_len ? POLLOUT : 0);
		}
		r = poll(pfd, n, 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (d.launcher > 0 && kill(d.launcher, 0) && errno == ESRCH)
			break;
		if (r <= 0)
			continue;
		if (pfd[1].revents)
			knl_events(&d.nl);
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &d.clients[i];
			short re = pfd[i + 2].revents;

			if (c->fd < 0 || !re)
				continue;
			if (re & POLLOUT)
				client_flush(c);
			if (c->fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR)))
				client_read(c);
		}
		if (pfd[0].revents & POLLIN)
			client_accept();
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		if (d.clients[i].fd >= 0)
			client_close(&d.clients[i]);
	close(d.listen_fd);
	unlink(d.socket_path);
	knl_close(&d.nl);
	return 0;
}
