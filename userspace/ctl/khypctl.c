// SPDX-License-Identifier: GPL-2.0
/*
 * khypctl: the "khyp" generic netlink family from the command line, the
 * way devlink or wg drive theirs.  Arguments past the VM are key=value
 * pairs; -j prints the spec's attribute names as JSON keys.  See khypctl(8).
 *
 * Exit status: 0 done, 1 the kernel (or netlink) refused, 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "khyp_nl.h"

#define EXIT_REFUSED	1
#define EXIT_USAGE	2

static bool json_out;
static struct knl nl;
static const char *cmd_name;

struct cmd {
	const char *name;
	const char *args;
	int (*fn)(int argc, char **argv);
};

static const struct cmd cmds[];

static void print_usage(FILE *f)
{
	const struct cmd *c;

	fprintf(f, "usage: khypctl [-j] COMMAND [ARGS]\n"
		"  -j, --json    JSON output\n"
		"  -h, --help    this help\n"
		"commands (VM is a vm-id or a vm-name):\n");
	for (c = cmds; c->name; c++)
		fprintf(f, "  %s%s%s\n", c->name, c->args[0] ? " " : "",
			c->args);
}

static int __attribute__((format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "khypctl: %s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* The kernel's extack message, or strerror when it sent none. */
static int refused(const char *what)
{
	/* every op is GENL_ADMIN_PERM: EPERM means just that */
	fprintf(stderr, "khypctl: %s: %s%s\n", what, nl.errmsg,
		nl.err == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
	return EXIT_REFUSED;
}

static void json_print(json_t *j)
{
	json_dumpf(j, stdout, JSON_PRESERVE_ORDER);
	putchar('\n');
	fflush(stdout);
	json_decref(j);
}

/*
 * Opened once the arguments are known to be good, so that bad usage is
 * status 2 even without the module.  With @fn: join the "events" group.
 */
static int nl_connect(knl_event_fn fn)
{
	return knl_open(&nl, fn, NULL) ? EXIT_REFUSED : 0;
}

/* @arg as a vm-id if it is a number, else as a vm-name. */
static int find_vm(const char *arg, struct knl_vm *vm)
{
	char *end;
	long id = strtol(arg, &end, 10);
	char what[64];

	if (*end || end == arg || id < 0 || id > UINT32_MAX ?
	    knl_vm_get(&nl, -1, arg, vm) : knl_vm_get(&nl, id, NULL, vm)) {
		snprintf(what, sizeof(what), "VM '%s'", arg);
		return refused(what);
	}
	return 0;
}

/* ---- key=value arguments ---- */

struct kv {
	const char *key;
	bool number;
	const char *str;	/* as given, NULL: absent */
	int64_t num;		/* -1: absent */
};

static struct kv *kv_find(struct kv *kv, const char *key, size_t len)
{
	for (; kv->key; kv++)
		if (strlen(kv->key) == len && !strncmp(kv->key, key, len))
			return kv;
	return NULL;
}

static int parse_kv(int argc, char **argv, struct kv *kv)
{
	struct kv *k;
	char *eq, *end;
	int i;

	for (k = kv; k->key; k++)
		k->num = -1;
	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		k = eq ? kv_find(kv, argv[i], eq - argv[i]) : NULL;
		if (!k && !kv->key)
			return bad_usage("unexpected argument '%s'", argv[i]);
		if (!k) {
			fprintf(stderr, "khypctl: %s: unknown argument '%s' (expected",
				cmd_name, argv[i]);
			for (k = kv; k->key; k++)
				fprintf(stderr, " %s=", k->key);
			fprintf(stderr, ")\n");
			return EXIT_USAGE;
		}
		if (k->str)
			return bad_usage("%s= given twice", k->key);
		k->str = eq + 1;
		if (!k->number)
			continue;
		errno = 0;
		k->num = strtoll(k->str, &end, 10);
		if (!*k->str || *end || errno || k->num < 0 ||
		    k->num > UINT32_MAX)
			return bad_usage("%s: not a number from 0 to %u",
					 argv[i], UINT32_MAX);
	}
	return 0;
}

/* A VM argument, then key=value pairs. */
static int vm_kv(int argc, char **argv, struct kv *kv)
{
	if (argc < 1)
		return bad_usage("VM missing");
	return parse_kv(argc - 1, argv + 1, kv);
}

static int open_vm(const char *arg, struct knl_vm *vm)
{
	return nl_connect(NULL) ? EXIT_REFUSED : find_vm(arg, vm);
}

/* ---- list, slots ---- */

static const char *slot_state(const struct knl_slot *s)
{
	if (s->boot)
		return "boot";
	if (s->unplug_pending)
		return "unplugging";
	if (s->present)
		return "plugged";
	return s->id[0] ? "ejecting" : "empty";
}

static json_t *vm_json(const struct knl_vm *vm)
{
	return json_pack("{s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:s}",
			 "vm-id", (json_int_t)vm->id, "vm-name", vm->name,
			 "nr-cpus", (json_int_t)vm->nr_cpus,
			 "max-cpus", (json_int_t)vm->max_cpus,
			 "sockets", (json_int_t)vm->sockets,
			 "dies", (json_int_t)vm->dies,
			 "cores", (json_int_t)vm->cores,
			 "threads", (json_int_t)vm->threads,
			 "cpu-model", vm->model);
}

static int cmd_list(int argc, char **argv)
{
	struct knl_vm *vms;
	unsigned int n, i;
	json_t *j;

	if (argc)
		return bad_usage("takes no arguments");
	if (nl_connect(NULL))
		return EXIT_REFUSED;
	if (knl_vm_list(&nl, &vms, &n))
		return refused("list");
	if (json_out) {
		j = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(j, vm_json(&vms[i]));
		json_print(j);
	} else {
		printf("%-4s %-16s %-9s %-9s %s\n", "ID", "NAME", "VCPUS",
		       "TOPOLOGY", "MODEL");
		for (i = 0; i < n; i++) {
			char cpus[24], topo[48];

			snprintf(cpus, sizeof(cpus), "%u/%u", vms[i].nr_cpus,
				 vms[i].max_cpus);
			snprintf(topo, sizeof(topo), "%ux%ux%ux%u",
				 vms[i].sockets, vms[i].dies, vms[i].cores,
				 vms[i].threads);
			printf("%-4u %-16s %-9s %-9s %s\n", vms[i].id,
			       vms[i].name[0] ? vms[i].name : "-", cpus, topo,
			       vms[i].model);
		}
	}
	free(vms);
	return 0;
}

static json_t *slot_json(const struct knl_slot *s)
{
	json_t *j = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:b}",
			      "cpu-index", (json_int_t)s->index,
			      "socket-id", (json_int_t)s->socket,
			      "die-id", (json_int_t)s->die,
			      "core-id", (json_int_t)s->core,
			      "thread-id", (json_int_t)s->thread,
			      "apic-id", (json_int_t)s->apic_id,
			      "present", s->present, "boot", s->boot,
			      "unplug-pending", s->unplug_pending);

	if (s->id[0])
		json_object_set_new(j, "device-id", json_string(s->id));
	if (s->present)
		json_object_set_new(j, "host-tid", json_integer(s->tid));
	return j;
}

static int cmd_slots(int argc, char **argv)
{
	struct kv kv[] = { { .key = NULL } };
	struct knl_slot *s;
	struct knl_vm vm;
	unsigned int n, i;
	json_t *j, *a;
	int r = vm_kv(argc, argv, kv);

	if (!r)
		r = open_vm(argv[0], &vm);
	if (r)
		return r;
	if (knl_slots(&nl, vm.id, false, &s, &n))
		return refused("slots");
	if (json_out) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, slot_json(&s[i]));
		j = json_pack("{s:i, s:s, s:o}", "vm-id", (json_int_t)vm.id,
			      "vm-name", vm.name, "slots", a);
		json_print(j);
	} else {
		printf("%-5s %-6s %-4s %-5s %-6s %-5s %-10s %-10s %s\n",
		       "SLOT", "SOCKET", "DIE", "CORE", "THREAD", "APIC",
		       "STATE", "ID", "TID");
		for (i = 0; i < n; i++) {
			char tid[16] = "-";

			if (s[i].present)
				snprintf(tid, sizeof(tid), "%d", s[i].tid);
			printf("%-5u %-6u %-4u %-5u %-6u %-5u %-10s %-10s %s\n",
			       s[i].index, s[i].socket, s[i].die, s[i].core,
			       s[i].thread, s[i].apic_id, slot_state(&s[i]),
			       s[i].id[0] ? s[i].id : "-", tid);
		}
	}
	free(s);
	return 0;
}

/* ---- cpu-add, cpu-del, powerdown ---- */

enum { KV_SOCKET, KV_DIE, KV_CORE, KV_THREAD };
#define KV_TOPOLOGY							\
	[KV_SOCKET] = { .key = "socket", .number = true },		\
	[KV_DIE] = { .key = "die", .number = true },			\
	[KV_CORE] = { .key = "core", .number = true },			\
	[KV_THREAD] = { .key = "thread", .number = true }

/* The slot at the given socket/die/core/thread (die may be absent). */
static int find_slot(const struct knl_vm *vm, const struct kv *kv,
		     struct knl_slot *out)
{
	struct knl_slot *s;
	unsigned int n, i;
	int r = -1;

	if (knl_slots(&nl, vm->id, false, &s, &n))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i].socket == kv[KV_SOCKET].num &&
		    (kv[KV_DIE].num < 0 || s[i].die == kv[KV_DIE].num) &&
		    s[i].core == kv[KV_CORE].num &&
		    s[i].thread == kv[KV_THREAD].num) {
			*out = s[i];
			r = 0;
			break;
		}
	}
	free(s);
	return r;
}

static int cmd_cpu_add(int argc, char **argv)
{
	enum { KV_ID = KV_THREAD + 1, KV_DRIVER };
	struct kv kv[] = { KV_TOPOLOGY, [KV_ID] = { .key = "id" },
			   [KV_DRIVER] = { .key = "driver" }, { .key = NULL } };
	struct knl_cpu_add req;
	char id[KHYP_DEVICE_ID_LEN];
	struct knl_slot slot;
	struct knl_vm vm;
	int r = vm_kv(argc, argv, kv);

	if (!r)
		r = open_vm(argv[0], &vm);
	if (r)
		return r;
	req = (struct knl_cpu_add){
		.id = kv[KV_ID].str, .driver = kv[KV_DRIVER].str,
		.socket = kv[KV_SOCKET].num, .die = kv[KV_DIE].num,
		.core = kv[KV_CORE].num, .thread = kv[KV_THREAD].num,
	};
	/*
	 * Without id=, name the CPU after its slot as QEMU users do
	 * ("cpu-2"); coordinates that name no slot still go to the kernel,
	 * whose refusal says which one is wrong.
	 */
	if (!req.id) {
		snprintf(id, sizeof(id), "cpu");
		if (!find_slot(&vm, kv, &slot))
			snprintf(id, sizeof(id), "cpu-%u", slot.index);
		req.id = id;
	}
	if (knl_cpu_add(&nl, vm.id, &req))
		return refused("cpu-add");
	if (json_out)
		json_print(json_pack("{s:i, s:s}", "vm-id", (json_int_t)vm.id,
				     "device-id", req.id));
	return 0;
}

static int cmd_cpu_del(int argc, char **argv)
{
	enum { KV_ID = KV_THREAD + 1, KV_INDEX };
	struct kv kv[] = { KV_TOPOLOGY, [KV_ID] = { .key = "id" },
			   [KV_INDEX] = { .key = "index", .number = true },
			   { .key = NULL } };
	struct knl_slot slot;
	struct knl_vm vm;
	int64_t index;
	bool by_topo;
	int r = vm_kv(argc, argv, kv);

	if (r)
		return r;
	by_topo = kv[KV_SOCKET].str || kv[KV_DIE].str || kv[KV_CORE].str ||
		  kv[KV_THREAD].str;
	if (!!kv[KV_ID].str + !!kv[KV_INDEX].str + by_topo != 1)
		return bad_usage("name the CPU one way: id=ID, index=N or socket= [die=] core= thread=");
	if (by_topo && (!kv[KV_SOCKET].str || !kv[KV_CORE].str ||
			!kv[KV_THREAD].str))
		return bad_usage("socket=, core= and thread= go together");
	r = open_vm(argv[0], &vm);
	if (r)
		return r;
	index = kv[KV_INDEX].num;
	if (by_topo) {
		if (find_slot(&vm, kv, &slot)) {
			if (nl.err)
				return refused("cpu-del");
			fprintf(stderr, "khypctl: cpu-del: VM %u has no CPU slot at socket=%" PRId64 " core=%" PRId64 " thread=%" PRId64 "\n",
				vm.id, kv[KV_SOCKET].num, kv[KV_CORE].num,
				kv[KV_THREAD].num);
			return EXIT_REFUSED;
		}
		index = slot.index;
	}
	if (knl_cpu_del(&nl, vm.id, kv[KV_ID].str, index))
		return refused("cpu-del");
	return 0;
}

static int cmd_powerdown(int argc, char **argv)
{
	struct kv kv[] = { { .key = NULL } };
	struct knl_vm vm;
	int r = vm_kv(argc, argv, kv);

	if (!r)
		r = open_vm(argv[0], &vm);
	if (r)
		return r;
	if (knl_powerdown(&nl, vm.id))
		return refused("powerdown");
	return 0;
}

/* ---- monitor ---- */

static int64_t monitor_vm = -1;

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case KHYP_CMD_EVENT_OST:
		return "ost";
	case KHYP_CMD_EVENT_DEVICE_DELETED:
		return "device-deleted";
	case KHYP_CMD_EVENT_UNPLUG_ERROR:
		return "unplug-error";
	}
	return NULL;
}

static void on_event(const struct knl_event *ev, void *arg)
{
	const char *name = event_name(ev->cmd);
	json_t *j;

	if (!name || (monitor_vm >= 0 && ev->vm_id != monitor_vm))
		return;
	j = json_pack("{s:s, s:i, s:s, s:i}", "event", name,
		      "vm-id", (json_int_t)ev->vm_id, "vm-name", ev->vm_name,
		      "cpu-index", (json_int_t)ev->cpu_index);
	if (ev->id[0])
		json_object_set_new(j, "device-id", json_string(ev->id));
	if (ev->cmd == KHYP_CMD_EVENT_OST) {
		json_object_set_new(j, "ost-source",
				    json_integer(ev->ost_source));
		json_object_set_new(j, "ost-status",
				    json_integer(ev->ost_status));
	} else {
		json_object_set_new(j, "device-path", json_string(ev->path));
	}
	if (ev->message[0])
		json_object_set_new(j, "message", json_string(ev->message));
	if (json_out) {
		json_print(j);
		return;
	}
	/* Text: the event's name, then its attributes as key=value. */
	{
		const char *key;
		json_t *v;

		fputs(name, stdout);
		json_object_foreach(j, key, v) {
			if (!strcmp(key, "event"))
				continue;
			if (json_is_integer(v))
				printf(" %s=%" JSON_INTEGER_FORMAT, key,
				       json_integer_value(v));
			else if (strchr(json_string_value(v), ' '))
				printf(" %s=\"%s\"", key, json_string_value(v));
			else
				printf(" %s=%s", key, json_string_value(v));
		}
		putchar('\n');
		fflush(stdout);
		json_decref(j);
	}
}

static int cmd_monitor(int argc, char **argv)
{
	struct pollfd pfd = { .events = POLLIN };
	struct knl_vm vm;
	int r;

	if (argc > 1)
		return bad_usage("takes at most a VM");
	if (nl_connect(on_event))
		return EXIT_REFUSED;
	pfd.fd = knl_event_fd(&nl);
	if (argc) {
		r = find_vm(argv[0], &vm);
		if (r)
			return r;
		monitor_vm = vm.id;
	}
	for (;;) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			perror("khypctl: monitor: poll");
			return EXIT_REFUSED;
		}
		if (pfd.revents)
			knl_events(&nl);
	}
}

static const struct cmd cmds[] = {
	{ .name = "list", .args = "", .fn = cmd_list },
	{ .name = "slots", .args = "VM", .fn = cmd_slots },
	{ .name = "cpu-add",
	  .args = "VM socket=S [die=D] core=C thread=T [id=ID] [driver=TYPE]",
	  .fn = cmd_cpu_add },
	{ .name = "cpu-del",
	  .args = "VM id=ID | index=N | socket=S [die=D] core=C thread=T",
	  .fn = cmd_cpu_del },
	{ .name = "powerdown", .args = "VM", .fn = cmd_powerdown },
	{ .name = "monitor", .args = "[VM]", .fn = cmd_monitor },
	{ .name = NULL }
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cmd *c;
	int o, r;

	while ((o = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			json_out = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	cmd_name = argv[optind];
	for (c = cmds; c->name && strcmp(c->name, cmd_name); c++)
		;
	if (!c->name) {
		fprintf(stderr, "khypctl: unknown command '%s' (khypctl --help lists them)\n",
			cmd_name);
		return EXIT_USAGE;
	}
	r = c->fn(argc - optind - 1, argv + optind + 1);
	knl_close(&nl);
	return r;
}
