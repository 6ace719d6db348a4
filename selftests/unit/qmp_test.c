// SPDX-License-Identifier: GPL-2.0
/*
 * qmp_test.c - khyp-qmpd's QMP commands and dispatcher without a socket
 * or the kernel: khyp_nl.h's requests are answered by a fake VM
 * (fake_knl.c), which records what the commands asked for and fails when
 * told to.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "fake_knl.h"

/* ---- helpers ---- */

/* @text with ' for " (JSON in C strings without the backslashes). */
static json_t *json(const char *text)
{
	char *s = strdup(text), *p;
	json_error_t e;
	json_t *v;

	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, JSON_DECODE_ANY, &e);
	if (!v)
		fprintf(stderr, "bad test JSON %s: %s\n", text, e.text);
	free(s);
	return v;
}

/* @got equals @want (references stolen); says what differs. */
static bool equal(json_t *got, json_t *want)
{
	bool ok = json_equal(got, want);

	if (!ok) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);

		fprintf(stderr, "got  %s\nwant %s\n", g, w);
		free(g);
		free(w);
	}
	json_decref(got);
	json_decref(want);
	return ok;
}

/* @got (stolen) equals @want in json()'s notation. */
static bool same(json_t *got, const char *want)
{
	return equal(got, json(want));
}

/* @got (stolen) is an array of @want's items (NULL-terminated). */
static bool same_list(json_t *got, const char *const *want)
{
	json_t *w = json_array();

	while (*want)
		json_array_append_new(w, json(*want++));
	return equal(got, w);
}

/* @got (stolen) is the reply: error @class with QEMU's text @desc. */
static bool is_error(json_t *got, const char *class, const char *desc)
{
	return equal(got, json_pack("{s{ssss}}", "error", "class", class,
				    "desc", desc));
}

static json_t *ask(struct qmp_vm *q, struct qmp_session *s,
		   const char *text)
{
	json_t *req = json(text), *reply = qmp_dispatch(q, s, req);

	json_decref(req);
	return reply;
}

/* @reply's "return" member (reply stolen, result a new reference). */
static json_t *ret(json_t *reply)
{
	json_t *r = json_incref(json_object_get(reply, "return"));

	json_decref(reply);
	return r;
}

FIXTURE(qmpd) {
	struct knl nl;
	struct qmp_vm q;
	struct qmp_session s;
};

/* The reply to request @text on the fixture's (negotiated) session. */
#define ASK(text)	ask(&self->q, &self->s, text)
#define OK		"{'return': {}}"

FIXTURE_SETUP(qmpd)
{
	fake_knl_setup(&self->q, &self->nl);
	self->s.negotiated = false;
	ASSERT_TRUE(same(ASK("{'execute': 'qmp_capabilities'}"), OK));
}

FIXTURE_TEARDOWN(qmpd)
{
	qmp_vm_fini(&self->q);
}

/* ---- negotiation and the envelope ---- */

TEST(greeting)
{
	ASSERT_TRUE(same(qmp_greeting(),
			 "{'QMP': {'version': {'qemu': {'micro': 0, 'minor': 2, 'major': 8}, 'package': 'khyp'}, 'capabilities': []}}"));
}

TEST_F(qmpd, commands_wait_for_negotiation)
{
	const char *want = "Expecting capabilities negotiation with 'qmp_capabilities'";
	struct qmp_session s = {};

	EXPECT_TRUE(is_error(ask(&self->q, &s, "{'execute': 'query-status'}"),
			     "CommandNotFound", want));
	EXPECT_TRUE(is_error(ask(&self->q, &s, "{'execute': 'no-such'}"),
			     "CommandNotFound", want));
	EXPECT_FALSE(s.negotiated);
}

TEST_F(qmpd, capabilities)
{
	struct qmp_session s = {};

	EXPECT_TRUE(is_error(ask(&self->q, &s, "{'execute': 'qmp_capabilities', 'arguments': {'enable': ['oob']}}"),
			     "GenericError", "Capability 'oob' not available"));
	EXPECT_TRUE(is_error(ask(&self->q, &s, "{'execute': 'qmp_capabilities', 'arguments': {'enable': 'oob'}}"),
			     "GenericError",
			     "Invalid parameter type for 'enable', expected: array"));
	EXPECT_TRUE(is_error(ask(&self->q, &s, "{'execute': 'qmp_capabilities', 'arguments': {'x': 1}}"),
			     "GenericError", "Parameter 'x' is unexpected"));
	EXPECT_FALSE(s.negotiated);
	EXPECT_TRUE(same(ask(&self->q, &s, "{'execute': 'qmp_capabilities', 'arguments': {'enable': []}, 'id': 'a'}"),
			 "{'return': {}, 'id': 'a'}"));
	EXPECT_TRUE(s.negotiated);
	EXPECT_TRUE(is_error(ask(&self->q, &s, "{'execute': 'qmp_capabilities'}"),
			     "CommandNotFound",
			     "Capabilities negotiation is already complete, command ignored"));
}

TEST_F(qmpd, envelope)
{
	EXPECT_TRUE(is_error(ASK("[1, 2]"), "GenericError",
			     "QMP input must be a JSON object"));
	EXPECT_TRUE(is_error(ASK("{'execute': 'query-status', 'x': 1}"),
			     "GenericError",
			     "QMP input member 'x' is unexpected"));
	EXPECT_TRUE(is_error(ASK("{'arguments': {}}"), "GenericError",
			     "QMP input lacks member 'execute'"));
	EXPECT_TRUE(is_error(ASK("{'execute': 1}"), "GenericError",
			     "QMP input member 'execute' must be a string"));
	EXPECT_TRUE(is_error(ASK("{'execute': 'query-status', 'arguments': []}"),
			     "GenericError",
			     "QMP input member 'arguments' must be an object"));
}

TEST_F(qmpd, id_is_echoed)
{
	EXPECT_TRUE(same(ASK("{'execute': 'query-name', 'id': {'n': [7]}}"),
			 "{'return': {'name': 'vm0'}, 'id': {'n': [7]}}"));
	EXPECT_TRUE(same(ASK("{'execute': 'no-such', 'id': 7}"),
			 "{'error': {'class': 'CommandNotFound', 'desc': 'The command no-such has not been found'}, 'id': 7}"));
}

TEST_F(qmpd, unknown_command)
{
	EXPECT_TRUE(is_error(ASK("{'execute': 'query-kvm'}"),
			     "CommandNotFound",
			     "The command query-kvm has not been found"));
}

TEST_F(qmpd, unexpected_argument)
{
	EXPECT_TRUE(is_error(ASK("{'execute': 'query-status', 'arguments': {'bogus': 1}}"),
			     "GenericError", "Parameter 'bogus' is unexpected"));
}

/* ---- the queries ---- */

TEST_F(qmpd, query_version_status_name)
{
	EXPECT_TRUE(same(ASK("{'execute': 'query-version'}"),
			 "{'return': {'qemu': {'micro': 0, 'minor': 2, 'major': 8}, 'package': 'khyp'}}"));
	EXPECT_TRUE(same(ASK("{'execute': 'query-status', 'arguments': {}}"),
			 "{'return': {'status': 'running', 'running': true}}"));
	EXPECT_TRUE(same(ASK("{'execute': 'query-name'}"),
			 "{'return': {'name': 'vm0'}}"));
	self->q.vm.name[0] = '\0';
	EXPECT_TRUE(same(ASK("{'execute': 'query-name'}"), OK));
}

TEST_F(qmpd, query_commands_lists_the_table)
{
	EXPECT_TRUE(same(ret(ASK("{'execute': 'query-commands'}")),
			 "[{'name': 'qmp_capabilities'}, {'name': 'query-version'}, {'name': 'query-commands'}, {'name': 'query-status'}, {'name': 'query-name'}, {'name': 'query-hotpluggable-cpus'}, {'name': 'query-cpus-fast'}, {'name': 'device_add'}, {'name': 'device_del'}, {'name': 'system_powerdown'}, {'name': 'quit'}]"));
}

/* QEMU's order: the last slot first; a qom-path for plugged ones. */
TEST_F(qmpd, query_hotpluggable_cpus)
{
	static const char *const want[] = {
		"{'type': 'qemu64-x86_64-cpu', 'vcpus-count': 1, 'props': {'socket-id': 1, 'core-id': 1, 'thread-id': 0}}",
		"{'type': 'qemu64-x86_64-cpu', 'vcpus-count': 1, 'props': {'socket-id': 1, 'core-id': 0, 'thread-id': 0}}",
		"{'type': 'qemu64-x86_64-cpu', 'vcpus-count': 1, 'props': {'socket-id': 0, 'core-id': 1, 'thread-id': 0}, 'qom-path': '/machine/peripheral/cpu-1'}",
		"{'type': 'qemu64-x86_64-cpu', 'vcpus-count': 1, 'props': {'socket-id': 0, 'core-id': 0, 'thread-id': 0}, 'qom-path': '/machine/unattached/device[0]'}",
		NULL
	};

	EXPECT_TRUE(same_list(ret(ASK("{'execute': 'query-hotpluggable-cpus'}")), want));
}

/* The topology is asked for each time; die-id appears with dies. */
TEST_F(qmpd, queries_refresh_the_topology)
{
	json_t *cpus;

	fake.vm.dies = 2;
	fake.slots[1].die = 1;
	cpus = ret(ASK("{'execute': 'query-cpus-fast'}"));
	EXPECT_TRUE(same(json_incref(json_object_get(json_array_get(cpus, 1),
						     "props")),
			 "{'socket-id': 0, 'die-id': 1, 'core-id': 1, 'thread-id': 0}"));
	json_decref(cpus);
	EXPECT_EQ(2, self->q.vm.dies);
}

TEST_F(qmpd, query_cpus_fast)
{
	static const char *const want[] = {
		"{'cpu-index': 0, 'qom-path': '/machine/unattached/device[0]', 'thread-id': 1000, 'props': {'socket-id': 0, 'core-id': 0, 'thread-id': 0}, 'target': 'x86_64'}",
		"{'cpu-index': 1, 'qom-path': '/machine/peripheral/cpu-1', 'thread-id': 1001, 'props': {'socket-id': 0, 'core-id': 1, 'thread-id': 0}, 'target': 'x86_64'}",
		NULL
	};

	EXPECT_TRUE(same_list(ret(ASK("{'execute': 'query-cpus-fast'}")), want));
}

/* A kernel refusal: its extack message; DeviceNotFound for ENODEV. */
TEST_F(qmpd, queries_report_kernel_errors)
{
	static const char *const queries[] = {
		"{'execute': 'query-hotpluggable-cpus'}",
		"{'execute': 'query-cpus-fast'}",
	};
	unsigned int i;
	int step;

	for (i = 0; i < 2; i++) {
		/* step 0: the VM's refresh fails, 1: the slot list */
		for (step = 0; step < 2; step++) {
			fake_fail_after(step, -ENOENT, "no VM 3");
			EXPECT_TRUE(is_error(ASK(queries[i]), "GenericError",
					     "no VM 3"));
			fake_fail_after(step, -ENODEV, "gone");
			EXPECT_TRUE(is_error(ASK(queries[i]), "DeviceNotFound",
					     "gone"));
		}
	}
}

/* ---- device_add ---- */

#define ADD(props)	ASK("{'execute': 'device_add', 'arguments': {" props "}}")
#define CPU		"'driver': 'qemu64-x86_64-cpu', "

TEST_F(qmpd, device_add)
{
	EXPECT_TRUE(same(ADD(CPU "'id': 'cpu-2', 'socket-id': 1, 'die-id': 0, 'core-id': 0, 'thread-id': 0"),
			 OK));
	EXPECT_EQ(1, fake.adds);
	EXPECT_STREQ("cpu-2", fake.add_id);
	EXPECT_STREQ("qemu64-x86_64-cpu", fake.add_driver);
	EXPECT_EQ(1, fake.add.socket);
	EXPECT_EQ(0, fake.add.die);
	EXPECT_EQ(0, fake.add.core);
	EXPECT_EQ(0, fake.add.thread);
}

/* Properties not given, or -1 (QEMU's "not set"), go as "not set". */
TEST_F(qmpd, device_add_unset_properties)
{
	EXPECT_TRUE(same(ADD(CPU "'id': 'cpu-2', 'socket-id': -1, 'core-id': -5"),
			 OK));
	EXPECT_EQ(-1, fake.add.socket);
	EXPECT_EQ(-1, fake.add.die);
	EXPECT_EQ(-1, fake.add.core);
	EXPECT_EQ(-1, fake.add.thread);
}

TEST_F(qmpd, device_add_argument_errors)
{
	EXPECT_TRUE(is_error(ADD("'id': 'cpu-2', 'socket-id': 1"),
			     "GenericError", "Parameter 'driver' is missing"));
	EXPECT_TRUE(is_error(ADD("'driver': 5, 'id': 'cpu-2'"), "GenericError",
			     "Invalid parameter type for 'driver', expected: string"));
	EXPECT_TRUE(is_error(ADD(CPU "'socket-id': 1"), "GenericError",
			     "Parameter 'id' is missing"));
	EXPECT_TRUE(is_error(ADD(CPU "'id': 2"), "GenericError",
			     "Invalid parameter type for 'id', expected: string"));
	EXPECT_TRUE(is_error(ADD(CPU "'id': 'cpu-2', 'node-id': 0"),
			     "GenericError",
			     "Property 'qemu64-x86_64-cpu.node-id' not found"));
	EXPECT_TRUE(is_error(ADD(CPU "'id': 'cpu-2', 'core-id': '0'"),
			     "GenericError",
			     "Invalid parameter type for 'core-id', expected: integer"));
	EXPECT_TRUE(is_error(ADD(CPU "'id': 'cpu-2', 'thread-id': 2147483648"),
			     "GenericError", "Parameter 'thread-id' expects int32"));
	EXPECT_TRUE(is_error(ADD(CPU "'id': 'cpu-2', 'die-id': -2147483649"),
			     "GenericError", "Parameter 'die-id' expects int32"));
	EXPECT_TRUE(is_error(ADD(CPU "'id': 'an-id-of-thirty-two-bytes-or-more-is-refused'"),
			     "GenericError",
			     "Parameter 'id' expects an identifier"));
	EXPECT_EQ(0, fake.adds);
}

TEST_F(qmpd, device_add_kernel_errors)
{
	fake_fail_after(0, -EEXIST, "Duplicate device ID 'cpu-1'");
	EXPECT_TRUE(is_error(ADD(CPU "'id': 'cpu-1'"), "GenericError",
			     "Duplicate device ID 'cpu-1'"));
	fake_fail_after(0, -ENODEV, "no such slot");
	EXPECT_TRUE(is_error(ADD(CPU "'id': 'cpu-2'"), "DeviceNotFound",
			     "no such slot"));
	EXPECT_EQ(2, fake.adds);
}

/* ---- device_del ---- */

#define DEL(id)		ASK("{'execute': 'device_del', 'arguments': {'id': '" id "'}}")

TEST_F(qmpd, device_del_by_id_and_path)
{
	EXPECT_TRUE(same(DEL("cpu-1"), OK));
	EXPECT_STREQ("cpu-1", fake.del_id);
	EXPECT_TRUE(same(DEL("/machine/peripheral/cpu-1"), OK));
	EXPECT_STREQ("cpu-1", fake.del_id);
	EXPECT_EQ(-1, fake.del_index);
	EXPECT_TRUE(same(DEL("/machine/unattached/device[0]"), OK));
	EXPECT_STREQ("", fake.del_id);
	EXPECT_EQ(0, fake.del_index);
	EXPECT_EQ(3, fake.dels);
}

/* Names no device can have are refused before the kernel sees them. */
TEST_F(qmpd, device_del_impossible_names)
{
	EXPECT_TRUE(is_error(DEL("/machine/peripheral/"), "DeviceNotFound",
			     "Device '/machine/peripheral/' not found"));
	EXPECT_TRUE(is_error(DEL(""), "DeviceNotFound",
			     "Device '' not found"));
	EXPECT_TRUE(is_error(DEL("an-id-of-thirty-two-bytes-or-more-is-refused"),
			     "DeviceNotFound",
			     "Device 'an-id-of-thirty-two-bytes-or-more-is-refused' not found"));
	EXPECT_EQ(0, fake.dels);
}

TEST_F(qmpd, device_del_errors)
{
	fake_fail_after(0, -ENODEV, "no CPU cpu-9");
	EXPECT_TRUE(is_error(DEL("cpu-9"), "DeviceNotFound",
			     "Device 'cpu-9' not found"));
	fake_fail_after(0, -EINVAL, "Boot CPU is unpluggable");
	EXPECT_TRUE(is_error(DEL("/machine/unattached/device[0]"),
			     "GenericError", "Boot CPU is unpluggable"));
	EXPECT_TRUE(is_error(ASK("{'execute': 'device_del'}"), "GenericError",
			     "Parameter 'id' is missing"));
	EXPECT_TRUE(is_error(ASK("{'execute': 'device_del', 'arguments': {'id': 1}}"),
			     "GenericError",
			     "Invalid parameter type for 'id', expected: string"));
	EXPECT_EQ(2, fake.dels);
}

/* ---- system_powerdown, quit and events ---- */

TEST_F(qmpd, system_powerdown)
{
	EXPECT_TRUE(same(ASK("{'execute': 'system_powerdown'}"), OK));
	EXPECT_EQ(1, fake.powerdowns);
	EXPECT_TRUE(same(qmp_take_events(&self->q),
			 "[{'event': 'POWERDOWN'}]"));
	fake_fail_after(0, -EIO, "netlink send: broken");
	EXPECT_TRUE(is_error(ASK("{'execute': 'system_powerdown'}"),
			     "GenericError", "netlink send: broken"));
	EXPECT_TRUE(same(qmp_take_events(&self->q), "[]"));
}

TEST_F(qmpd, quit_without_launcher)
{
	EXPECT_TRUE(is_error(ASK("{'execute': 'quit'}"), "GenericError",
			     "quit is not supported: khyp-qmpd runs without --pid"));
	EXPECT_TRUE(same(qmp_take_events(&self->q), "[]"));
}

/* quit: SIGTERM to the launcher, then SHUTDOWN. */
TEST_F(qmpd, quit_signals_the_launcher)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		pause();
		_exit(0);
	}
	self->q.launcher = pid;
	EXPECT_TRUE(same(ASK("{'execute': 'quit'}"), OK));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	EXPECT_TRUE(same(qmp_take_events(&self->q),
			 "[{'event': 'SHUTDOWN', 'data': {'guest': false, 'reason': 'host-qmp-quit'}}]"));
	/* reaped: the launcher is gone */
	EXPECT_TRUE(is_error(ASK("{'execute': 'quit'}"), "GenericError",
			     "cannot stop the VM: No such process"));
}

TEST_F(qmpd, kernel_events)
{
	static const char *const want[] = {
		"{'event': 'ACPI_DEVICE_OST', 'data': {'info': {'device': 'cpu-2', 'slot': '2', 'slot-type': 'CPU', 'source': 1, 'status': 0}}}",
		"{'event': 'ACPI_DEVICE_OST', 'data': {'info': {'slot': '2', 'slot-type': 'CPU', 'source': 1, 'status': 0}}}",
		"{'event': 'DEVICE_DELETED', 'data': {'device': 'cpu-2', 'path': '/machine/peripheral/cpu-2'}}",
		"{'event': 'DEVICE_UNPLUG_GUEST_ERROR', 'data': {'device': 'cpu-2', 'path': '/machine/peripheral/cpu-2'}}",
		NULL
	};
	struct knl_event ost = { .cmd = KHYP_CMD_EVENT_OST, .vm_id = 3,
				 .cpu_index = 2, .ost_source = 1,
				 .ost_status = 0, .id = "cpu-2" };
	struct knl_event del = { .cmd = KHYP_CMD_EVENT_DEVICE_DELETED,
				 .vm_id = 3, .id = "cpu-2",
				 .path = "/machine/peripheral/cpu-2",
				 .message = "the guest refused" };
	struct knl_event err = del;
	struct knl_event other = ost;

	err.cmd = KHYP_CMD_EVENT_UNPLUG_ERROR;
	other.vm_id = 4;
	qmp_kernel_event(&self->q, &ost);
	ost.id[0] = '\0';
	qmp_kernel_event(&self->q, &ost);
	qmp_kernel_event(&self->q, &del);
	qmp_kernel_event(&self->q, &err);
	qmp_kernel_event(&self->q, &other);	/* another VM's */
	EXPECT_TRUE(same_list(qmp_take_events(&self->q), want));
}

/* ---- from C, as another monitor calls them ---- */

TEST_F(qmpd, execute_from_c)
{
	struct qmp_error err;
	json_t *args = json("{'id': 'cpu-1'}");

	EXPECT_TRUE(same(qmp_execute(&self->q, "device_del", args, &err),
			 "{}"));
	EXPECT_STREQ("cpu-1", fake.del_id);
	json_decref(args);
	EXPECT_TRUE(same(qmp_execute(&self->q, "query-name", NULL, &err),
			 "{'name': 'vm0'}"));
	EXPECT_EQ(NULL, qmp_execute(&self->q, "device_del", NULL, &err));
	EXPECT_EQ(QMP_ERR_GENERIC, err.class);
	EXPECT_STREQ("Parameter 'id' is missing", err.desc);
	EXPECT_EQ(NULL, qmp_execute(&self->q, "info", NULL, &err));
	EXPECT_EQ(QMP_ERR_COMMAND_NOT_FOUND, err.class);
	EXPECT_STREQ("The command info has not been found", err.desc);
}

TEST_HARNESS_MAIN
