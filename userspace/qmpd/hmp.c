// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's human monitor over the QMP commands.  A line is a command name
 * (info's names a subcommand), then the argument its table entry says, as
 * QEMU's monitor/hmp.c parses them: a word or a "quoted string", the rest
 * of the line, or -device's key=value list (QemuOpts: the driver first,
 * ",," for a comma).  Each command runs the QMP command of the same
 * meaning and prints its result in QEMU's format; a QMP error is printed
 * as "Error: DESC".  The texts are QEMU 8.2's (hmp-commands.hx,
 * hmp-commands-info.hx, hw/core/machine-hmp-cmds.c, monitor/hmp-cmds.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "hmp.h"

enum hmp_arg {
	ARG_NONE,
	ARG_WORD,	/* args_type "s" */
	ARG_WORD_OPT,	/* "s?" */
	ARG_REST_OPT,	/* "S?": the rest of the line */
	ARG_OPTS,	/* "O": key=value,... */
};

struct hmp_cmd {
	const char *name;	/* with its aliases: "quit|q" */
	const char *params;
	const char *help;
	enum hmp_arg arg;
	/* @arg: the word or text (NULL if absent); @opts: ARG_OPTS' */
	void (*fn)(struct qmp_vm *q, const char *arg, json_t *opts,
		   FILE *out);
	const struct hmp_cmd *sub;	/* info's subcommands */
};

/* Run QMP command @name; NULL if it failed, which is printed. */
static json_t *qmp(struct qmp_vm *q, const char *name, json_t *args,
		   FILE *out)
{
	struct qmp_error err;
	json_t *ret = qmp_execute_keyval(q, name, args, &err);

	if (!ret)
		fprintf(out, "Error: %s\n", err.desc);
	return ret;
}

static json_int_t int_of(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

void hmp_banner(struct qmp_vm *q, FILE *out)
{
	json_t *v = qmp(q, "query-version", NULL, out);
	json_t *qemu = json_object_get(v, "qemu");

	fprintf(out, "QEMU %lld.%lld.%lld monitor - type 'help' for more information\n",
		int_of(qemu, "major"), int_of(qemu, "minor"),
		int_of(qemu, "micro"));
	json_decref(v);
}

/* ---- the commands ---- */

static void info_status(struct qmp_vm *q, const char *arg, json_t *opts,
			FILE *out)
{
	json_t *st = qmp(q, "query-status", NULL, out);
	const char *status;
	bool running;

	if (!st)
		return;
	running = json_is_true(json_object_get(st, "running"));
	status = json_string_value(json_object_get(st, "status"));
	fprintf(out, "VM status: %s", running ? "running" : "paused");
	if (!running && status && strcmp(status, "paused"))
		fprintf(out, " (%s)", status);
	fputc('\n', out);
	json_decref(st);
}

/*
 * The monitor's current CPU (QEMU's "cpu N", which khyp lacks) is the
 * first one: marked with '*'.
 */
static void info_cpus(struct qmp_vm *q, const char *arg, json_t *opts,
		      FILE *out)
{
	json_t *cpus = qmp(q, "query-cpus-fast", NULL, out), *c;
	size_t i;

	json_array_foreach(cpus, i, c)
		fprintf(out, "%c CPU #%lld: thread_id=%lld\n", i ? ' ' : '*',
			int_of(c, "cpu-index"), int_of(c, "thread-id"));
	json_decref(cpus);
}

static void info_hotpluggable_cpus(struct qmp_vm *q, const char *arg,
				   json_t *opts, FILE *out)
{
	static const char *const props[] = {
		"node-id", "drawer-id", "book-id", "socket-id", "die-id",
		"cluster-id", "module-id", "core-id", "thread-id", NULL
	};
	json_t *slots = qmp(q, "query-hotpluggable-cpus", NULL, out), *s, *p;
	const char *const *name;
	const char *path;
	size_t i;

	if (!slots)
		return;
	fprintf(out, "Hotpluggable CPUs:\n");
	json_array_foreach(slots, i, s) {
		fprintf(out, "  type: \"%s\"\n",
			json_string_value(json_object_get(s, "type")));
		fprintf(out, "  vcpus_count: \"%lld\"\n",
			int_of(s, "vcpus-count"));
		path = json_string_value(json_object_get(s, "qom-path"));
		if (path)
			fprintf(out, "  qom_path: \"%s\"\n", path);
		fprintf(out, "  CPUInstance Properties:\n");
		p = json_object_get(s, "props");
		for (name = props; *name; name++)
			if (json_object_get(p, *name))
				fprintf(out, "    %s: \"%lld\"\n", *name,
					int_of(p, *name));
	}
	json_decref(slots);
}

static void info_name(struct qmp_vm *q, const char *arg, json_t *opts,
		      FILE *out)
{
	json_t *n = qmp(q, "query-name", NULL, out);
	const char *name = json_string_value(json_object_get(n, "name"));

	if (name)
		fprintf(out, "%s\n", name);
	json_decref(n);
}

static void info_version(struct qmp_vm *q, const char *arg, json_t *opts,
			 FILE *out)
{
	json_t *v = qmp(q, "query-version", NULL, out);
	json_t *qemu = json_object_get(v, "qemu");

	if (!v)
		return;
	fprintf(out, "%lld.%lld.%lld%s\n", int_of(qemu, "major"),
		int_of(qemu, "minor"), int_of(qemu, "micro"),
		json_string_value(json_object_get(v, "package")));
	json_decref(v);
}

static void help(struct qmp_vm *q, const char *arg, json_t *opts,
		 FILE *out);

static void info(struct qmp_vm *q, const char *arg, json_t *opts,
		 FILE *out)
{
	help(q, "info", NULL, out);
}

static void device_add(struct qmp_vm *q, const char *arg, json_t *opts,
		       FILE *out)
{
	json_decref(qmp(q, "device_add", opts, out));
}

static void device_del(struct qmp_vm *q, const char *arg, json_t *opts,
		       FILE *out)
{
	json_t *args = json_pack("{ss}", "id", arg);

	json_decref(qmp(q, "device_del", args, out));
	json_decref(args);
}

static void system_powerdown(struct qmp_vm *q, const char *arg,
			     json_t *opts, FILE *out)
{
	json_decref(qmp(q, "system_powerdown", NULL, out));
}

static void quit(struct qmp_vm *q, const char *arg, json_t *opts,
		 FILE *out)
{
	json_decref(qmp(q, "quit", NULL, out));
}

#define CMD(n, p, h, a, f, ...) \
	{ .name = (n), .params = (p), .help = (h), .arg = (a), .fn = (f), \
	  __VA_ARGS__ }

/* In name order, as QEMU's help lists them. */
static const struct hmp_cmd info_cmds[] = {
	CMD("cpus", "", "show infos for each CPU", ARG_NONE, info_cpus),
	CMD("hotpluggable-cpus", "", "Show information about hotpluggable CPUs",
	    ARG_NONE, info_hotpluggable_cpus),
	CMD("name", "", "show the current VM name", ARG_NONE, info_name),
	CMD("status", "", "show the current VM status (running|paused)",
	    ARG_NONE, info_status),
	CMD("version", "", "show the version of QEMU", ARG_NONE,
	    info_version),
	{ NULL }
};

static const struct hmp_cmd hmp_cmds[] = {
	CMD("device_add", "driver[,prop=value][,...]",
	    "add device, like -device on the command line", ARG_OPTS,
	    device_add),
	CMD("device_del", "device", "remove device", ARG_WORD, device_del),
	CMD("help|?", "[cmd]", "show the help", ARG_REST_OPT, help),
	CMD("info", "[subcommand]",
	    "show various information about the system state", ARG_WORD_OPT,
	    info, .sub = info_cmds),
	CMD("quit|q", "", "quit the emulator", ARG_NONE, quit),
	CMD("system_powerdown", "", "send system power down event", ARG_NONE,
	    system_powerdown),
	{ NULL }
};

/* ---- parsing ---- */

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *word_end(const char *p)
{
	while (*p && !isspace((unsigned char)*p))
		p++;
	return p;
}

/* The entry of @t called @name (@len bytes), by any of its aliases. */
static const struct hmp_cmd *find(const struct hmp_cmd *t, const char *name,
				  size_t len)
{
	const char *a, *bar;

	for (; t->name; t++) {
		for (a = t->name; a; a = bar ? bar + 1 : NULL) {
			bar = strchr(a, '|');
			if ((size_t)((bar ? bar : a + strlen(a)) - a) == len &&
			    !strncmp(a, name, len))
				return t;
		}
	}
	return NULL;
}

/*
 * A word, or a "quoted string" with QEMU's backslash escapes (n, r, a
 * backslash, a quote), into @buf (as long as the line): false, with
 * QEMU's complaint if any, if none.
 */
static bool get_str(const char **pp, char *buf, FILE *out)
{
	const char *p = skip_space(*pp);
	char *b = buf;

	if (!*p)
		return false;
	if (*p != '"') {
		while (*p && !isspace((unsigned char)*p))
			*b++ = *p++;
		*b = '\0';
		*pp = p;
		return true;
	}
	for (p++; *p && *p != '"'; p++) {
		if (*p != '\\') {
			*b++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n':
			*b++ = '\n';
			break;
		case 'r':
			*b++ = '\r';
			break;
		case '\\':
		case '\'':
		case '"':
			*b++ = *p;
			break;
		default:
			fprintf(out, "unsupported escape code: '\\%c'\n", *p);
			return false;
		}
	}
	if (*p != '"') {
		fprintf(out, "unterminated string\n");
		return false;
	}
	*b = '\0';
	*pp = p + 1;
	return true;
}

/* A QemuOpts value: up to a lone comma; ",," is a comma. */
static const char *opt_value(const char *p, char *buf)
{
	while (*p) {
		if (*p == ',') {
			if (p[1] != ',')
				break;
			p++;
		}
		*buf++ = *p++;
	}
	*buf = '\0';
	return p;
}

/* QEMU's id_wellformed(). */
static bool id_ok(const char *id)
{
	if (!isalpha((unsigned char)*id))
		return false;
	for (id++; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("-._", *id))
			return false;
	return true;
}

/*
 * -device's "DRIVER,key=value,..." as QEMU's QemuOpts reads it: a first
 * item without '=' is the driver; a later one is a flag, "KEY" being
 * KEY=on and "noKEY" KEY=off.  NULL, complaint printed, if malformed.
 */
static json_t *parse_opts(const char *text, FILE *out)
{
	size_t len = strlen(text) + 1;
	char *key = malloc(len), *val = malloc(len);
	json_t *o = json_object();
	const char *p = text;
	bool first = true;
	size_t n;

	while (o && *p) {
		n = strcspn(p, "=,");
		if (p[n] == '=') {
			memcpy(key, p, n);
			key[n] = '\0';
			p = opt_value(p + n + 1, val);
		} else if (first) {
			strcpy(key, "driver");
			p = opt_value(p, val);
		} else {
			bool no = !strncmp(p, "no", 2);

			memcpy(key, p + (no ? 2 : 0), n - (no ? 2 : 0));
			key[n - (no ? 2 : 0)] = '\0';
			strcpy(val, no ? "off" : "on");
			p += n;
		}
		if (*p == ',')
			p++;
		first = false;
		if (!strcmp(key, "id") && !id_ok(val)) {
			fprintf(out, "Parameter 'id' expects an identifier\n"
				"Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n");
			json_decref(o);
			o = NULL;
			break;
		}
		json_object_set_new(o, key, json_string(val));
	}
	free(key);
	free(val);
	return o;
}

static void help_line(const struct hmp_cmd *parent, const struct hmp_cmd *c,
		      FILE *out)
{
	fprintf(out, "%s%s%s %s -- %s\n", parent ? parent->name : "",
		parent ? " " : "", c->name, c->params, c->help);
}

/*
 * QEMU's help: every command, or the one the words of @arg name ("quit",
 * "info cpus"), or a table ("info").  Words past a command are ignored.
 */
static void help(struct qmp_vm *q, const char *arg, json_t *opts,
		 FILE *out)
{
	const struct hmp_cmd *t = hmp_cmds, *c = NULL, *parent = NULL;
	const char *start = skip_space(arg ? arg : ""), *w = start, *e;

	while (*w) {
		e = word_end(w);
		c = find(t, w, e - w);
		if (!c) {
			fprintf(out, "unknown command: '%.*s'\n",
				(int)(e - start), start);
			return;
		}
		w = skip_space(e);
		if (!c->sub || !*w)
			break;
		parent = c;
		t = c->sub;
	}
	if (c && !c->sub) {
		help_line(parent, c, out);
		return;
	}
	parent = c;
	for (t = c ? c->sub : hmp_cmds; t->name; t++)
		help_line(parent, t, out);
}

void hmp_command(struct qmp_vm *q, const char *line, FILE *out)
{
	const struct hmp_cmd *t = hmp_cmds, *c;
	const char *start = skip_space(line), *p = start, *end;
	char *buf = malloc(strlen(line) + 1), *arg = NULL;
	json_t *opts = NULL;

	if (!*start)
		goto out;
	for (;;) {
		end = word_end(p);
		c = find(t, p, end - p);
		if (!c) {
			fprintf(out, "unknown command: '%.*s'\n",
				(int)(end - start), start);
			goto out;
		}
		p = skip_space(end);
		if (!c->sub || !*p)
			break;
		t = c->sub;
	}
	switch (c->arg) {
	case ARG_NONE:
		break;
	case ARG_WORD:
	case ARG_WORD_OPT:
		if (!*p && c->arg == ARG_WORD_OPT)
			break;
		if (!get_str(&p, buf, out)) {
			fprintf(out, "%s: string expected\n", c->name);
			goto fail;
		}
		arg = buf;
		break;
	case ARG_REST_OPT:
		if (*p)
			arg = strcpy(buf, p);
		p += strlen(p);
		break;
	case ARG_OPTS:
		if (!*p) {
			opts = json_object();
			break;
		}
		if (!get_str(&p, buf, out)) {
			fprintf(out, "%s: string expected\n", c->name);
			goto fail;
		}
		opts = parse_opts(buf, out);
		if (!opts)
			goto fail;
		break;
	}
	if (*skip_space(p)) {
		fprintf(out, "%s: extraneous characters at the end of line\n",
			c->name);
		goto fail;
	}
	c->fn(q, arg, opts, out);
	goto out;
fail:
	fprintf(out, "Try \"help %.*s\" for more information\n",
		(int)(end - start), start);
out:
	json_decref(opts);
	free(buf);
}
