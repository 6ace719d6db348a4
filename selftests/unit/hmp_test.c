// SPDX-License-Identifier: GPL-2.0
/*
 * hmp_test.c - khyp-qmpd's HMP monitor without a socket or the kernel:
 * command lines in, QEMU's text out, through the QMP commands and
 * fake_knl.c's VM (the one qmp_test.c uses).  The expected texts are
 * QEMU 8.2's (checked against qemu-system-x86_64 7.2, which prints the
 * same for these commands).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "fake_knl.h"
#include "hmp.h"

FIXTURE(hmp) {
	struct knl nl;
	struct qmp_vm q;
	char *out;
};

FIXTURE_SETUP(hmp)
{
	fake_knl_setup(&self->q, &self->nl);
	self->out = NULL;
}

FIXTURE_TEARDOWN(hmp)
{
	free(self->out);
	qmp_vm_fini(&self->q);
}

/* What the monitor prints for @line (valid until the next call). */
static const char *run(struct qmp_vm *q, char **buf, const char *line)
{
	size_t len;
	FILE *f;

	free(*buf);
	*buf = NULL;
	f = open_memstream(buf, &len);
	if (line)
		hmp_command(q, line, f);
	else
		hmp_banner(q, f);
	fclose(f);
	return *buf;
}

#define HMP(line)	run(&self->q, &self->out, line)

#define TRY(cmd)	"Try \"help " cmd "\" for more information\n"

TEST_F(hmp, banner_has_query_version)
{
	EXPECT_STREQ("QEMU 8.2.0 monitor - type 'help' for more information\n",
		     HMP(NULL));
}

TEST_F(hmp, info_status)
{
	EXPECT_STREQ("VM status: running\n", HMP("info status"));
	EXPECT_STREQ("VM status: running\n", HMP("   info   status  "));
}

TEST_F(hmp, info_cpus_marks_the_current_cpu)
{
	EXPECT_STREQ("* CPU #0: thread_id=1000\n"
		     "  CPU #1: thread_id=1001\n", HMP("info cpus"));
}

TEST_F(hmp, info_hotpluggable_cpus_last_slot_first)
{
	EXPECT_STREQ("Hotpluggable CPUs:\n"
		     "  type: \"qemu64-x86_64-cpu\"\n"
		     "  vcpus_count: \"1\"\n"
		     "  CPUInstance Properties:\n"
		     "    socket-id: \"1\"\n"
		     "    core-id: \"1\"\n"
		     "    thread-id: \"0\"\n"
		     "  type: \"qemu64-x86_64-cpu\"\n"
		     "  vcpus_count: \"1\"\n"
		     "  CPUInstance Properties:\n"
		     "    socket-id: \"1\"\n"
		     "    core-id: \"0\"\n"
		     "    thread-id: \"0\"\n"
		     "  type: \"qemu64-x86_64-cpu\"\n"
		     "  vcpus_count: \"1\"\n"
		     "  qom_path: \"/machine/peripheral/cpu-1\"\n"
		     "  CPUInstance Properties:\n"
		     "    socket-id: \"0\"\n"
		     "    core-id: \"1\"\n"
		     "    thread-id: \"0\"\n"
		     "  type: \"qemu64-x86_64-cpu\"\n"
		     "  vcpus_count: \"1\"\n"
		     "  qom_path: \"/machine/unattached/device[0]\"\n"
		     "  CPUInstance Properties:\n"
		     "    socket-id: \"0\"\n"
		     "    core-id: \"0\"\n"
		     "    thread-id: \"0\"\n",
		     HMP("info hotpluggable-cpus"));
}

TEST_F(hmp, info_hotpluggable_cpus_die_id_with_dies)
{
	fake.vm.dies = 2;
	fake.nr_slots = 1;
	EXPECT_STREQ("Hotpluggable CPUs:\n"
		     "  type: \"qemu64-x86_64-cpu\"\n"
		     "  vcpus_count: \"1\"\n"
		     "  qom_path: \"/machine/unattached/device[0]\"\n"
		     "  CPUInstance Properties:\n"
		     "    socket-id: \"0\"\n"
		     "    die-id: \"0\"\n"
		     "    core-id: \"0\"\n"
		     "    thread-id: \"0\"\n",
		     HMP("info hotpluggable-cpus"));
}

TEST_F(hmp, info_name_and_version)
{
	EXPECT_STREQ("vm0\n", HMP("info name"));
	EXPECT_STREQ("8.2.0khyp\n", HMP("info version"));
}

TEST_F(hmp, query_errors_are_printed)
{
	fake_fail_after(0, -EIO, "khyp: the VM is gone");
	EXPECT_STREQ("Error: khyp: the VM is gone\n", HMP("info cpus"));
	fake_fail_after(0, -EIO, "khyp: the VM is gone");
	EXPECT_STREQ("Error: khyp: the VM is gone\n",
		     HMP("info hotpluggable-cpus"));
}

TEST_F(hmp, device_add_comma_syntax)
{
	EXPECT_STREQ("", HMP("device_add qemu64-x86_64-cpu,id=cpu-2,socket-id=1,core-id=0x1,thread-id=0"));
	EXPECT_EQ(1, fake.adds);
	EXPECT_STREQ("qemu64-x86_64-cpu", fake.add_driver);
	EXPECT_STREQ("cpu-2", fake.add_id);
	EXPECT_EQ(1, fake.add.socket);
	EXPECT_EQ(-1, fake.add.die);
	EXPECT_EQ(1, fake.add.core);
	EXPECT_EQ(0, fake.add.thread);
	/* driver= may come anywhere; the last of a key wins */
	EXPECT_STREQ("", HMP("device_add id=cpu-3,core-id=0,driver=qemu64-x86_64-cpu,core-id=1"));
	EXPECT_STREQ("qemu64-x86_64-cpu", fake.add_driver);
	EXPECT_EQ(1, fake.add.core);
	/* one word, or a quoted string */
	EXPECT_STREQ("", HMP("device_add \"qemu64-x86_64-cpu,id=cpu-4\""));
	EXPECT_STREQ("cpu-4", fake.add_id);
}

TEST_F(hmp, device_add_errors)
{
	EXPECT_STREQ("Error: Parameter 'driver' is missing\n",
		     HMP("device_add"));
	EXPECT_STREQ("Error: Parameter 'id' is missing\n",
		     HMP("device_add qemu64-x86_64-cpu"));
	EXPECT_STREQ("Error: Property 'qemu64-x86_64-cpu.bogus' not found\n",
		     HMP("device_add qemu64-x86_64-cpu,id=x,bogus=1"));
	EXPECT_STREQ("Error: Parameter 'socket-id' expects integer\n",
		     HMP("device_add qemu64-x86_64-cpu,id=x,socket-id=abc"));
	EXPECT_STREQ("Error: Parameter 'core-id' expects integer\n",
		     HMP("device_add qemu64-x86_64-cpu,id=x,core-id"));
	EXPECT_STREQ("Error: Parameter 'core-id' expects int32\n",
		     HMP("device_add qemu64-x86_64-cpu,id=x,core-id=4294967296"));
	/* ",," is a comma in a value, which an id cannot have */
	EXPECT_STREQ("Parameter 'id' expects an identifier\n"
		     "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n"
		     TRY("device_add"),
		     HMP("device_add qemu64-x86_64-cpu,id=y,,core-id=1"));
	EXPECT_STREQ("device_add: extraneous characters at the end of line\n"
		     TRY("device_add"),
		     HMP("device_add qemu64-x86_64-cpu,id=x y"));
	EXPECT_STREQ("unterminated string\n"
		     "device_add: string expected\n" TRY("device_add"),
		     HMP("device_add \"qemu64"));
	EXPECT_EQ(0, fake.adds);

	fake_fail_after(0, -EINVAL, "'foo' is not a valid device model name");
	EXPECT_STREQ("Error: 'foo' is not a valid device model name\n",
		     HMP("device_add foo,id=x"));
	EXPECT_STREQ("foo", fake.add_driver);
}

TEST_F(hmp, device_del)
{
	EXPECT_STREQ("", HMP("device_del cpu-1"));
	EXPECT_EQ(1, fake.dels);
	EXPECT_STREQ("cpu-1", fake.del_id);
	EXPECT_STREQ("", HMP("device_del /machine/unattached/device[0]"));
	EXPECT_EQ(0, fake.del_index);

	fake_fail_after(0, -ENODEV, "khyp: no such CPU");
	EXPECT_STREQ("Error: Device 'nope' not found\n",
		     HMP("device_del nope"));
	EXPECT_STREQ("device_del: string expected\n" TRY("device_del"),
		     HMP("device_del"));
	EXPECT_STREQ("device_del: extraneous characters at the end of line\n"
		     TRY("device_del"), HMP("device_del cpu-1 extra"));
	EXPECT_EQ(3, fake.dels);
}

TEST_F(hmp, unknown_commands_and_extra_words)
{
	EXPECT_STREQ("", HMP(""));
	EXPECT_STREQ("", HMP("   "));
	EXPECT_STREQ("unknown command: 'foo'\n", HMP("foo bar"));
	EXPECT_STREQ("unknown command: 'info foo'\n", HMP("info foo"));
	EXPECT_STREQ("status: extraneous characters at the end of line\n"
		     TRY("info status"), HMP("info status x"));
	EXPECT_STREQ("system_powerdown: extraneous characters at the end of line\n"
		     TRY("system_powerdown"), HMP("system_powerdown now"));
}

TEST_F(hmp, help)
{
	const char *info =
		"info cpus  -- show infos for each CPU\n"
		"info hotpluggable-cpus  -- Show information about hotpluggable CPUs\n"
		"info name  -- show the current VM name\n"
		"info status  -- show the current VM status (running|paused)\n"
		"info version  -- show the version of QEMU\n";
	char *all;

	EXPECT_STREQ("device_add driver[,prop=value][,...] -- add device, like -device on the command line\n"
		     "device_del device -- remove device\n"
		     "help|? [cmd] -- show the help\n"
		     "info [subcommand] -- show various information about the system state\n"
		     "quit|q  -- quit the emulator\n"
		     "system_powerdown  -- send system power down event\n",
		     HMP("help"));
	all = strdup(HMP("help"));
	EXPECT_STREQ(all, HMP("?"));
	free(all);
	EXPECT_STREQ(info, HMP("help info"));
	EXPECT_STREQ(info, HMP("info"));
	EXPECT_STREQ("info cpus  -- show infos for each CPU\n",
		     HMP("help info cpus"));
	EXPECT_STREQ("quit|q  -- quit the emulator\n", HMP("help q"));
	EXPECT_STREQ("unknown command: 'nope'\n", HMP("help nope"));
	EXPECT_STREQ("unknown command: 'info nope'\n", HMP("help info nope"));
}

TEST_F(hmp, system_powerdown_and_quit)
{
	EXPECT_STREQ("", HMP("system_powerdown"));
	EXPECT_EQ(1, fake.powerdowns);
	/* the QMP event it raised, for QMP clients */
	EXPECT_EQ(1, json_array_size(self->q.events));
	EXPECT_STREQ("Error: quit is not supported: khyp-qmpd runs without --pid\n",
		     HMP("quit"));
	EXPECT_STREQ("Error: quit is not supported: khyp-qmpd runs without --pid\n",
		     HMP("q"));
}

TEST_HARNESS_MAIN
