// SPDX-License-Identifier: GPL-2.0
/*
 * QMP's dispatcher: a request's envelope ("execute", "arguments", "id"),
 * the capabilities negotiation gate, the arguments checked against the
 * command table, and the command's result or error turned into the reply.
 * The checks and their texts are QEMU's (qapi/qmp-dispatch.c and the
 * generated marshallers).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "qmp.h"

static const char *const class_names[] = {
	[QMP_ERR_GENERIC] = "GenericError",
	[QMP_ERR_COMMAND_NOT_FOUND] = "CommandNotFound",
	[QMP_ERR_DEVICE_NOT_FOUND] = "DeviceNotFound",
};

void qmp_error_set(struct qmp_error *err, enum qmp_error_class class,
		   const char *fmt, ...)
{
	va_list ap;

	err->class = class;
	va_start(ap, fmt);
	vsnprintf(err->desc, sizeof(err->desc), fmt, ap);
	va_end(ap);
}

json_t *qmp_error_reply(enum qmp_error_class class, const char *desc,
			json_t *id)
{
	json_t *o = json_pack("{s{ssss}}", "error", "class",
			      class_names[class], "desc", desc);

	if (id)
		json_object_set(o, "id", id);
	return o;
}

void qmp_vm_init(struct qmp_vm *q, struct knl *nl, int launcher)
{
	memset(q, 0, sizeof(*q));
	q->nl = nl;
	q->launcher = launcher;
	q->events = json_array();
}

void qmp_vm_fini(struct qmp_vm *q)
{
	json_decref(q->events);
	q->events = NULL;
	free(q->known);
	q->known = NULL;
}

json_t *qmp_take_events(struct qmp_vm *q)
{
	json_t *ev = q->events;

	q->events = json_array();
	return ev;
}

static const char *const type_names[] = {
	[QMP_STR] = "string",
	[QMP_ARRAY] = "array",
};

static bool type_ok(json_t *v, enum qmp_arg_type t)
{
	switch (t) {
	case QMP_STR:
		return json_is_string(v);
	case QMP_ARRAY:
		return json_is_array(v);
	}
	return false;
}

static bool check_args(const struct qmp_command *cmd, json_t *args,
		       struct qmp_error *err)
{
	const struct qmp_arg *a;
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v) {
		for (a = cmd->args; a->name; a++)
			if (!strcmp(a->name, key))
				break;
		if (!a->name) {
			if (cmd->open_args)
				continue;
			qmp_error_set(err, QMP_ERR_GENERIC,
				      "Parameter '%s' is unexpected", key);
			return false;
		}
		if (!type_ok(v, a->type)) {
			qmp_error_set(err, QMP_ERR_GENERIC,
				      "Invalid parameter type for '%s', expected: %s",
				      key, type_names[a->type]);
			return false;
		}
	}
	for (a = cmd->args; a->name; a++) {
		if (a->required && !json_object_get(args, a->name)) {
			qmp_error_set(err, QMP_ERR_GENERIC,
				      "Parameter '%s' is missing", a->name);
			return false;
		}
	}
	return true;
}

static const struct qmp_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < qmp_nr_commands; i++)
		if (!strcmp(qmp_commands[i].name, name))
			return &qmp_commands[i];
	return NULL;
}

/*
 * @cmd with @args (NULL: none); @s: the QMP session, or NULL for a caller
 * that has no negotiation.
 */
static json_t *run(const struct qmp_command *cmd, struct qmp_vm *q,
		   struct qmp_session *s, json_t *args, bool keyval,
		   struct qmp_error *err)
{
	json_t *none = NULL, *ret = NULL;

	if (!args)
		args = none = json_object();
	if (!check_args(cmd, args, err))
		goto out;
	if (s && cmd->negotiation && s->negotiated) {
		qmp_error_set(err, QMP_ERR_COMMAND_NOT_FOUND,
			      "Capabilities negotiation is already complete, command ignored");
		goto out;
	}
	ret = (keyval && cmd->keyval_fn ? cmd->keyval_fn : cmd->fn)(q, args,
								     err);
	if (ret && s && cmd->negotiation)
		s->negotiated = true;
out:
	json_decref(none);
	return ret;
}

static json_t *not_found(const char *name, struct qmp_error *err)
{
	qmp_error_set(err, QMP_ERR_COMMAND_NOT_FOUND,
		      "The command %s has not been found", name);
	return NULL;
}

json_t *qmp_execute(struct qmp_vm *q, const char *name, json_t *args,
		    struct qmp_error *err)
{
	const struct qmp_command *cmd = find_command(name);

	return cmd ? run(cmd, q, NULL, args, false, err) :
		     not_found(name, err);
}

json_t *qmp_execute_keyval(struct qmp_vm *q, const char *name, json_t *args,
			   struct qmp_error *err)
{
	const struct qmp_command *cmd = find_command(name);

	return cmd ? run(cmd, q, NULL, args, true, err) :
		     not_found(name, err);
}

/* The envelope: false with @err set if it is not a command. */
static bool parse_request(json_t *req, const char **name, json_t **args,
			  struct qmp_error *err)
{
	json_t *exec = NULL, *v;
	const char *key;

	if (!json_is_object(req)) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "QMP input must be a JSON object");
		return false;
	}
	json_object_foreach(req, key, v) {
		if (!strcmp(key, "execute")) {
			exec = v;
		} else if (!strcmp(key, "arguments")) {
			*args = v;
		} else if (strcmp(key, "id")) {
			qmp_error_set(err, QMP_ERR_GENERIC,
				      "QMP input member '%s' is unexpected",
				      key);
			return false;
		}
	}
	if (!exec) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "QMP input lacks member 'execute'");
		return false;
	}
	if (!json_is_string(exec)) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "QMP input member 'execute' must be a string");
		return false;
	}
	if (*args && !json_is_object(*args)) {
		qmp_error_set(err, QMP_ERR_GENERIC,
			      "QMP input member 'arguments' must be an object");
		return false;
	}
	*name = json_string_value(exec);
	return true;
}

static json_t *dispatch(struct qmp_vm *q, struct qmp_session *s,
			json_t *req, struct qmp_error *err)
{
	const struct qmp_command *cmd;
	json_t *args = NULL;
	const char *name;

	if (!parse_request(req, &name, &args, err))
		return NULL;
	cmd = find_command(name);
	if (!s->negotiated && (!cmd || !cmd->negotiation)) {
		qmp_error_set(err, QMP_ERR_COMMAND_NOT_FOUND,
			      "Expecting capabilities negotiation with 'qmp_capabilities'");
		return NULL;
	}
	return cmd ? run(cmd, q, s, args, false, err) : not_found(name, err);
}

json_t *qmp_dispatch(struct qmp_vm *q, struct qmp_session *s, json_t *req)
{
	json_t *id = json_object_get(req, "id");
	struct qmp_error err;
	json_t *ret = dispatch(q, s, req, &err), *o;

	if (!ret)
		return qmp_error_reply(err.class, err.desc, id);
	o = json_pack("{so}", "return", ret);
	if (id)
		json_object_set(o, "id", id);
	return o;
}
