// SPDX-License-Identifier: GPL-2.0
/*
 * qmp_test.c - khyp-qmpd's QMP commands and dispatcher without a socket
 * or the kernel: khyp_nl.h's requests are answered by a fake VM
 * (fake_knl.c), which records what the commands asked for and fails when
 * told to.  The transport (qmpd_server.c) is served by a child on a
 * socket in a temporary directory, against the same fake.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "fake_knl.h"
#include "qmpd_server.h"

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

static pid_t child_that_waits(void)
{
	pid_t pid = fork();

	if (!pid) {
		pause();
		_exit(0);
	}
	return pid;
}

/* quit: SIGTERM to the launcher, then SHUTDOWN. */
TEST_F(qmpd, quit_signals_the_launcher)
{
	int status;
	pid_t pid = child_that_waits();

	ASSERT_LE(0, pid);
	self->q.launcher = pidfd_open(pid, 0);
	ASSERT_LE(0, self->q.launcher);
	EXPECT_TRUE(same(ASK("{'execute': 'quit'}"), OK));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	EXPECT_TRUE(same(qmp_take_events(&self->q),
			 "[{'event': 'SHUTDOWN', 'data': {'guest': false, 'reason': 'host-qmp-quit'}}]"));
	/* reaped: the launcher is gone */
	EXPECT_TRUE(is_error(ASK("{'execute': 'quit'}"), "GenericError",
			     "cannot stop the VM: No such process"));
	close(self->q.launcher);
}

/*
 * The launcher's PID, once it is reaped, can name another process: quit
 * must not signal that one.  The PID is handed out again through
 * ns_last_pid (root only; skipped when another process takes it first).
 */
TEST_F(qmpd, quit_never_signals_a_reused_pid)
{
	pid_t pid = child_that_waits(), again;
	int status;
	FILE *f;

	ASSERT_LE(0, pid);
	self->q.launcher = pidfd_open(pid, 0);
	ASSERT_LE(0, self->q.launcher);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	if (!f) {
		close(self->q.launcher);
		SKIP(return, "ns_last_pid: %s", strerror(errno));
	}
	fprintf(f, "%d", pid - 1);
	fclose(f);
	again = child_that_waits();
	ASSERT_LE(0, again);
	if (again != pid) {
		kill(again, SIGKILL);
		waitpid(again, NULL, 0);
		close(self->q.launcher);
		SKIP(return, "PID %d was taken by another process", pid);
	}
	EXPECT_TRUE(is_error(ASK("{'execute': 'quit'}"), "GenericError",
			     "cannot stop the VM: No such process"));
	/* the new process got no SIGTERM: SIGKILL is what ends it */
	kill(again, SIGKILL);
	ASSERT_EQ(again, waitpid(again, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(self->q.launcher);
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

/*
 * ENOBUFS: the kernel dropped events.  The slots are read again, and what
 * changed since the last look becomes DEVICE_DELETED or
 * DEVICE_UNPLUG_GUEST_ERROR, once.
 */
TEST_F(qmpd, lost_events_are_resynchronised)
{
	static const char *const want[] = {
		"{'event': 'DEVICE_DELETED', 'data': {'device': 'cpu-1', 'path': '/machine/peripheral/cpu-1'}}",
		"{'event': 'DEVICE_UNPLUG_GUEST_ERROR', 'data': {'device': 'cpu-3', 'path': '/machine/peripheral/cpu-3'}}",
		NULL
	};
	struct knl_event lost = { .cmd = KNL_EVENTS_LOST };
	struct knl_event del = { .cmd = KHYP_CMD_EVENT_DEVICE_DELETED,
				 .vm_id = 3, .cpu_index = 2, .id = "cpu-2",
				 .path = "/machine/peripheral/cpu-2" };

	/* cpu-2 and cpu-3 plugged, cpu-3's unplug pending */
	fake.slots[2] = slot(2, 1, 0, true, "cpu-2");
	fake.slots[3] = slot(3, 1, 1, true, "cpu-3");
	ASSERT_TRUE(same(ASK("{'execute': 'device_add', 'arguments': {'id': 'cpu-3', 'driver': 'qemu64-x86_64-cpu', 'socket-id': 1, 'core-id': 1, 'thread-id': 0}}"),
			 OK));
	fake.slots[3].unplug_pending = true;
	ASSERT_TRUE(same(ASK("{'execute': 'device_del', 'arguments': {'id': 'cpu-3'}}"),
			 OK));
	/* cpu-2's deletion is heard */
	fake.slots[2] = slot(2, 1, 0, false, "");
	qmp_kernel_event(&self->q, &del);
	EXPECT_TRUE(same(qmp_take_events(&self->q),
			 "[{'event': 'DEVICE_DELETED', 'data': {'device': 'cpu-2', 'path': '/machine/peripheral/cpu-2'}}]"));
	/* cpu-1 goes and cpu-3's deadline passes, unheard */
	fake.slots[1] = slot(1, 0, 1, false, "");
	fake.slots[3].unplug_pending = false;
	qmp_kernel_event(&self->q, &lost);
	EXPECT_TRUE(same_list(qmp_take_events(&self->q), want));
	/* nothing new since: nothing again */
	qmp_kernel_event(&self->q, &lost);
	EXPECT_TRUE(same(qmp_take_events(&self->q), "[]"));
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

/* ---- the transport, served by a child on a socket ---- */

FIXTURE(server) {
	char dir[32], path[64], log[64];
	pid_t pid;
};

FIXTURE_SETUP(server)
{
	static volatile sig_atomic_t stop;
	struct timespec delay = { 0, 10 * 1000 * 1000 };
	struct stat st;
	int i;

	strcpy(self->dir, "/tmp/qmp_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/qmp.sock", self->dir);
	snprintf(self->log, sizeof(self->log), "%s/log", self->dir);
	/* The socket's mode must not come from the umask. */
	umask(0);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		struct knl nl = {};
		struct qmp_vm q;
		int fd;

		if (!freopen(self->log, "w", stderr))
			_exit(1);
		setvbuf(stderr, NULL, _IONBF, 0);
		memset(&fake, 0, sizeof(fake));
		signal(SIGPIPE, SIG_IGN);	/* as khyp-qmpd's main() does */
		qmp_vm_init(&q, &nl, -1);
		fd = qmpd_listen(self->path);
		if (fd < 0)
			_exit(1);
		qmpd_serve(&q, &(struct qmpd_fds){ .qmp = fd, .hmp = -1,
						   .hmp_fd = -1 }, &stop);
		_exit(0);
	}
	umask(022);
	for (i = 0; i < 500 && stat(self->path, &st); i++)
		nanosleep(&delay, NULL);
	ASSERT_EQ(0, stat(self->path, &st));
}

FIXTURE_TEARDOWN(server)
{
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	unlink(self->path);
	unlink(self->log);
	rmdir(self->dir);
}

static int qmp_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One CRLF-terminated line from @fd into @buf (without the CRLF) within
 * 5 s; false on end of file or the deadline.
 */
static bool read_line(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	while (n + 1 < len) {
		if (poll(&p, 1, 5000) != 1 || read(fd, buf + n, 1) != 1)
			return false;
		if (n && buf[n - 1] == '\r' && buf[n] == '\n') {
			buf[n - 1] = '\0';
			return true;
		}
		n++;
	}
	return false;
}

static bool file_has(const char *path, const char *text)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text);
}

TEST_F(server, socket_is_0600_whatever_the_umask)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
}

/*
 * A client closed for an error (its reply could not be sent) leaves a
 * clean slot: the next client there gets its first request answered.
 */
TEST_F(server, client_after_an_error_close_is_answered)
{
	char line[4096];
	int a, b;

	a = qmp_connect(self->path);
	ASSERT_LE(0, a);
	ASSERT_TRUE(read_line(a, line, sizeof(line)));
	/* invalid input, and gone before the error reply can be sent */
	ASSERT_EQ(0, kill(self->pid, SIGSTOP));
	ASSERT_EQ(2, write(a, "x\n", 2));
	close(a);
	ASSERT_EQ(0, kill(self->pid, SIGCONT));

	b = qmp_connect(self->path);
	ASSERT_LE(0, b);
	ASSERT_TRUE(read_line(b, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"QMP\""));
	ASSERT_EQ(33, write(b, "{\"execute\": \"qmp_capabilities\"}\n", 33));
	ASSERT_TRUE(read_line(b, line, sizeof(line)));
	EXPECT_STREQ("{\"return\":{}}", line);
	close(b);
}

/* SO_PEERCRED: neither root nor the daemon's uid: no greeting, a log line. */
TEST_F(server, other_users_are_refused)
{
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to connect as another user");
	/* as if the directory and a chmod let others reach the socket */
	ASSERT_EQ(0, chmod(self->dir, 0711));
	ASSERT_EQ(0, chmod(self->path, 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char c;
		int fd;

		alarm(5);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = qmp_connect(self->path);
		if (fd < 0)
			_exit(3);
		/* end of file, and no greeting before it */
		_exit(read(fd, &c, 1) == 0 ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_TRUE(file_has(self->log,
			     "khyp-qmpd: refused a client with uid 65534"));
}

/* The launcher's end, even before anyone reaps it, ends the daemon. */
TEST(daemon_exits_with_its_launcher)
{
	static volatile sig_atomic_t stop;
	struct timespec delay = { 0, 10 * 1000 * 1000 };
	char dir[] = "/tmp/qmp_test.XXXXXX", path[64];
	pid_t launcher, daemon;
	int i, status, pidfd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	launcher = child_that_waits();
	ASSERT_LE(0, launcher);
	pidfd = pidfd_open(launcher, 0);
	ASSERT_LE(0, pidfd);
	daemon = fork();
	ASSERT_LE(0, daemon);
	if (!daemon) {
		struct knl nl = {};
		struct qmp_vm q;
		int fd;

		qmp_vm_init(&q, &nl, pidfd);
		fd = qmpd_listen(path);
		if (fd < 0)
			_exit(1);
		qmpd_serve(&q, &(struct qmpd_fds){ .qmp = fd, .hmp = -1,
						   .hmp_fd = -1 }, &stop);
		_exit(0);
	}
	/* a zombie until the end of the test: kill(pid, 0) still finds it */
	kill(launcher, SIGKILL);
	for (i = 0; i < 500 && waitpid(daemon, &status, WNOHANG) != daemon; i++)
		nanosleep(&delay, NULL);
	if (i == 500) {
		kill(daemon, SIGKILL);
		waitpid(daemon, &status, 0);
	}
	EXPECT_LT(i, 500);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	waitpid(launcher, NULL, 0);
	close(pidfd);
	unlink(path);
	rmdir(dir);
}

/*
 * --monitor-fd: an HMP client connected from the start (khyp-run's, for
 * -serial mon:stdio) gets the banner and prompt at once, and CRLF text.
 */
TEST(hmp_client_on_a_connected_fd)
{
	static volatile sig_atomic_t stop;
	char line[512];
	pid_t pid;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* the test as its launcher: it ends with the test, whatever */
		int launcher = pidfd_open(getppid(), 0);
		struct knl nl = {};
		struct qmp_vm q;

		close(sv[0]);
		memset(&fake, 0, sizeof(fake));
		signal(SIGPIPE, SIG_IGN);
		qmp_vm_init(&q, &nl, launcher);
		qmpd_serve(&q, &(struct qmpd_fds){ .qmp = -1, .hmp = -1,
						   .hmp_fd = sv[1] }, &stop);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_TRUE(read_line(sv[0], line, sizeof(line)));
	EXPECT_EQ(0, strncmp(line, "QEMU ", 5));
	EXPECT_NE(NULL, strstr(line, " monitor - type 'help' for more information"));
	ASSERT_EQ(12, write(sv[0], "info status\n", 12));
	ASSERT_TRUE(read_line(sv[0], line, sizeof(line)));
	EXPECT_STREQ("(qemu) VM status: running", line);
	/* an empty line: just the prompt, as khyp-run asks on C-a c */
	ASSERT_EQ(13, write(sv[0], "\ninfo status\n", 13));
	ASSERT_TRUE(read_line(sv[0], line, sizeof(line)));
	EXPECT_STREQ("(qemu) (qemu) VM status: running", line);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sv[0]);
}

TEST_HARNESS_MAIN
