// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline_test.c - khyp-run's QEMU-style command line parser.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "cmdline.h"

#define MAXARGS 32

/* Parse a NULL-terminated list of arguments (argv[0] is supplied). */
static int parse(struct run_config *cfg, char *err, size_t errlen, ...)
{
	char *argv[MAXARGS] = { "khyp-run" };
	int argc = 1;
	va_list ap;

	va_start(ap, errlen);
	while (argc < MAXARGS - 1 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return cmdline_parse(argc, argv, cfg, err, errlen);
}

#define PARSE_OK(...) do {						\
	err[0] = '\0';							\
	if (parse(&cfg, err, sizeof(err), __VA_ARGS__, NULL))		\
		TH_LOG("unexpected error: %s", err);			\
	ASSERT_EQ(0, parse(&cfg, err, sizeof(err), __VA_ARGS__, NULL));	\
} while (0)

#define PARSE_ERR(msg, ...) do {					\
	ASSERT_EQ(-1, parse(&cfg, err, sizeof(err), __VA_ARGS__, NULL));	\
	ASSERT_STREQ(msg, err);						\
} while (0)

#define K "-kernel", "/vmlinuz"

TEST(defaults)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK(K);
	ASSERT_EQ(128ULL << 20, cfg.mem_size);
	ASSERT_EQ(1, cfg.smp.cpus);
	ASSERT_EQ(1, cfg.smp.maxcpus);
	ASSERT_STREQ("host", cfg.cpu_model);
	ASSERT_STREQ("/vmlinuz", cfg.kernel);
	ASSERT_EQ(NULL, cfg.initrd);
	ASSERT_EQ(NULL, cfg.append);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_FALSE(cfg.no_reboot);
	ASSERT_STREQ("", cfg.qmp_path);
	ASSERT_STREQ("", cfg.name);
}

/* The command line of the user's walkthrough, with -kernel added. */
TEST(seed_command_line)
{
	struct run_config cfg;
	char err[256], type[80];

	PARSE_OK("-display", "none", "-no-user-config", "-m", "2048",
		 "-nodefaults", "-monitor", "stdio",
		 "-machine", "pc,accel=kvm,usb=off",
		 "-smp", "1,maxcpus=2", "-cpu", "IvyBridge-IBRS",
		 "-qmp", "unix:/tmp/qmp-sock,server=on,wait=off", K);
	ASSERT_EQ(2048ULL << 20, cfg.mem_size);
	ASSERT_EQ(1, cfg.smp.cpus);
	ASSERT_EQ(2, cfg.smp.maxcpus);
	ASSERT_EQ(1, cfg.smp.sockets);
	ASSERT_EQ(2, cfg.smp.cores);
	ASSERT_EQ(1, cfg.smp.threads);
	ASSERT_STREQ("IvyBridge-IBRS", cfg.cpu_model);
	ASSERT_EQ(0, cmdline_cpu_type(&cfg, type, sizeof(type)));
	ASSERT_STREQ("IvyBridge-IBRS-x86_64-cpu", type);
	ASSERT_STREQ("/tmp/qmp-sock", cfg.qmp_path);
	ASSERT_EQ(MONITOR_STDIO, cfg.monitor);
	ASSERT_TRUE(cfg.nodefaults);
	ASSERT_TRUE(cfg.no_user_config);
	ASSERT_EQ(SERIAL_NONE, cfg.serial);	/* -nodefaults */
}

/* The HMP monitor, and stdio between it and the serial port, as QEMU. */
TEST(monitor)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("-monitor", "unix:/run/m.sock,server=on,wait=off", K);
	ASSERT_EQ(MONITOR_UNIX, cfg.monitor);
	ASSERT_STREQ("/run/m.sock", cfg.monitor_path);
	ASSERT_STREQ("", cfg.qmp_path);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	PARSE_OK("-monitor", "unix:/run/m.sock,server,nowait", "-qmp",
		 "unix:/run/q.sock,server=on,wait=off", K);
	ASSERT_STREQ("/run/m.sock", cfg.monitor_path);
	ASSERT_STREQ("/run/q.sock", cfg.qmp_path);
	/* QEMU's default serial is then a vc, nowhere with -display none */
	PARSE_OK("-monitor", "stdio", K);
	ASSERT_EQ(MONITOR_STDIO, cfg.monitor);
	ASSERT_EQ(SERIAL_NONE, cfg.serial);
	PARSE_OK("-monitor", "stdio", "-monitor", "none", K);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	PARSE_OK("-monitor", "stdio", "-serial", "none", K);
	ASSERT_EQ(SERIAL_NONE, cfg.serial);
	/* the console elsewhere, QEMU's file backend */
	PARSE_OK("-nodefaults", "-monitor", "stdio", "-serial",
		 "file:/tmp/console.log", K);
	ASSERT_EQ(SERIAL_FILE, cfg.serial);
	ASSERT_STREQ("/tmp/console.log", cfg.serial_path);

	PARSE_ERR("-serial stdio: cannot use stdio by multiple character devices",
		  "-monitor", "stdio", "-serial", "stdio", K);
	PARSE_ERR("-serial stdio: cannot use stdio by multiple character devices",
		  "-serial", "stdio", "-nodefaults", "-monitor", "stdio", K);
	PARSE_ERR("-serial mon:stdio: cannot use stdio by multiple character devices",
		  "-serial", "mon:stdio", "-monitor", "stdio", K);
	PARSE_ERR("-serial mon:stdio: cannot use stdio by multiple character devices",
		  "-nographic", "-serial", "mon:stdio", "-monitor", "stdio", K);
	PARSE_ERR("-serial: unsupported backend 'mon:unix:/tmp/s,server=on,wait=off' (stdio, mon:stdio, file:PATH or none)",
		  "-serial", "mon:unix:/tmp/s,server=on,wait=off", K);
	PARSE_ERR("-monitor: only wait=off is supported",
		  "-monitor", "unix:/tmp/m,server=on", K);
	PARSE_ERR("-monitor: empty socket path", "-monitor", "unix:", K);
}

/* -serial mon:stdio: the console and the monitor share the terminal. */
TEST(serial_mon_stdio)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("-nodefaults", "-serial", "mon:stdio", K);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_TRUE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	/* with a monitor on a socket too, as QEMU allows */
	PARSE_OK("-serial", "mon:stdio", "-monitor",
		 "unix:/run/m.sock,server=on,wait=off", K);
	ASSERT_TRUE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_UNIX, cfg.monitor);
	/* a later -serial replaces it */
	PARSE_OK("-serial", "mon:stdio", "-serial", "stdio", K);
	ASSERT_FALSE(cfg.serial_mon);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
}

/*
 * -nographic: QEMU's default serial and monitor on stdio, multiplexed
 * when neither is given; -serial, -monitor and -qmp each drop a default,
 * -nodefaults both.
 */
TEST(nographic)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("-nographic", K);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_TRUE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	PARSE_OK("-nographic", "-serial", "file:/tmp/c", K);
	ASSERT_EQ(SERIAL_FILE, cfg.serial);
	ASSERT_FALSE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_STDIO, cfg.monitor);
	PARSE_OK("-monitor", "unix:/run/m.sock,server=on,wait=off",
		 "-nographic", K);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_FALSE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_UNIX, cfg.monitor);
	PARSE_OK("-nographic", "-monitor", "none", K);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_FALSE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	PARSE_OK("-nographic", "-qmp", "unix:/run/q.sock,server=on,wait=off",
		 K);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_FALSE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	PARSE_OK("-nographic", "-serial", "mon:stdio", K);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_TRUE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	PARSE_OK("-nographic", "-nodefaults", K);
	ASSERT_EQ(SERIAL_NONE, cfg.serial);
	ASSERT_FALSE(cfg.serial_mon);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	PARSE_ERR("-serial stdio: cannot use stdio by multiple character devices",
		  "-nographic", "-serial", "stdio", K);
	/* the default serial is then on stdio too, not a vc */
	PARSE_ERR("cannot use stdio by multiple character devices",
		  "-nographic", "-monitor", "stdio", K);
	PARSE_OK("-nographic", "-monitor", "stdio", "-nodefaults", K);
	ASSERT_EQ(SERIAL_NONE, cfg.serial);
	ASSERT_EQ(MONITOR_STDIO, cfg.monitor);
}

TEST(memory_sizes)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("-m", "512", K);
	ASSERT_EQ(512ULL << 20, cfg.mem_size);
	PARSE_OK("-m", "512M", K);
	ASSERT_EQ(512ULL << 20, cfg.mem_size);
	PARSE_OK("-m", "2G", K);
	ASSERT_EQ(2ULL << 30, cfg.mem_size);
	PARSE_OK("-m", "1.5G", K);
	ASSERT_EQ(3ULL << 29, cfg.mem_size);
	PARSE_OK("-m", "size=4g", K);
	ASSERT_EQ(4ULL << 30, cfg.mem_size);
	PARSE_OK("-m", "1025k", K);		/* rounded up to 8 KiB */
	ASSERT_EQ(1032ULL << 10, cfg.mem_size);
	PARSE_OK("--m", "64", K);		/* two dashes work too */
	ASSERT_EQ(64ULL << 20, cfg.mem_size);
	PARSE_ERR("-m: invalid size 'lots'", "-m", "lots", K);
	PARSE_ERR("-m: invalid size '12Q'", "-m", "12Q", K);
	PARSE_ERR("-m: invalid size '-1'", "-m", "-1", K);
	PARSE_ERR("-m: invalid size '1.G'", "-m", "1.G", K);
	PARSE_ERR("-m: 524288 bytes is too small (at least 1M)",
		  "-m", "512K", K);
	PARSE_ERR("-m: 65536M is more than khyp supports (64512M)",
		  "-m", "64G", K);
	PARSE_ERR("-m: memory hotplug (maxmem=4G) is not supported",
		  "-m", "1G,maxmem=4G", K);
	PARSE_ERR("-m: missing size", "-m", "", K);
}

TEST(smp)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("-smp", "4", K);
	ASSERT_EQ(4, cfg.smp.cpus);
	ASSERT_EQ(4, cfg.smp.maxcpus);
	ASSERT_EQ(1, cfg.smp.sockets);
	ASSERT_EQ(4, cfg.smp.cores);
	ASSERT_EQ(1, cfg.smp.threads);

	PARSE_OK("-smp", "cpus=2,maxcpus=8,sockets=2,threads=2", K);
	ASSERT_EQ(2, cfg.smp.cpus);
	ASSERT_EQ(8, cfg.smp.maxcpus);
	ASSERT_EQ(2, cfg.smp.sockets);
	ASSERT_EQ(2, cfg.smp.cores);
	ASSERT_EQ(2, cfg.smp.threads);

	/* cores given, sockets missing: sockets are computed */
	PARSE_OK("-smp", "8,cores=2", K);
	ASSERT_EQ(4, cfg.smp.sockets);
	ASSERT_EQ(2, cfg.smp.cores);

	/* sockets and cores given: threads computed */
	PARSE_OK("-smp", "8,sockets=2,cores=2", K);
	ASSERT_EQ(2, cfg.smp.threads);

	/* only the topology: cpus = maxcpus = the product */
	PARSE_OK("-smp", "sockets=2,dies=2,cores=2,threads=2", K);
	ASSERT_EQ(16, cfg.smp.cpus);
	ASSERT_EQ(16, cfg.smp.maxcpus);
	ASSERT_EQ(2, cfg.smp.dies);

	PARSE_OK("-smp", "1,maxcpus=255", K);
	ASSERT_EQ(255, cfg.smp.maxcpus);

	PARSE_ERR("-smp: maxcpus (1) must be >= cpus (2)",
		  "-smp", "2,maxcpus=1", K);
	PARSE_ERR("-smp: sockets (2) * dies (1) * cores (1) * threads (1) != maxcpus (3)",
		  "-smp", "3,sockets=2", K);
	PARSE_ERR("-smp: sockets (2) * dies (1) * cores (2) * threads (1) != maxcpus (8)",
		  "-smp", "8,sockets=2,cores=2,threads=1", K);
	PARSE_ERR("-smp: maxcpus (256) is more than the machine supports (255)",
		  "-smp", "1,maxcpus=256", K);
	PARSE_ERR("-smp: cpus must be greater than zero", "-smp", "0", K);
	PARSE_ERR("-smp: cores must be greater than zero",
		  "-smp", "2,cores=0", K);
	PARSE_ERR("-smp: unknown parameter 'books=1'", "-smp", "2,books=1", K);
	PARSE_ERR("-smp: invalid maxcpus 'x'", "-smp", "2,maxcpus=x", K);
	PARSE_ERR("-smp: invalid number of CPUs '2x'", "-smp", "2x", K);
	/* 3 cores need 2 bits, so APIC IDs leave gaps: 85 sockets overflow */
	PARSE_ERR("-smp: this topology needs APIC ID 338, more than 254 (x2APIC is not supported)",
		  "-smp", "sockets=85,cores=3", K);
}

TEST(machine_and_accel)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("-machine", "pc", K);
	PARSE_OK("-machine", "pc,accel=khyp", K);
	PARSE_OK("-M", "type=pc,usb=off,accel=kvm", K);
	PARSE_OK("-accel", "kvm", "-enable-kvm", K);
	PARSE_ERR("-machine: unsupported machine type 'q35' (only 'pc')",
		  "-machine", "q35", K);
	PARSE_ERR("-machine: unsupported accelerator 'tcg' (only khyp, or kvm as its alias)",
		  "-machine", "pc,accel=tcg", K);
	PARSE_ERR("-machine: usb=on is not supported",
		  "-machine", "pc,usb=on", K);
	PARSE_ERR("-machine: unknown parameter 'smm=off'",
		  "-machine", "pc,smm=off", K);
	/* kvm-unit-tests' vmexit_ipi: a PC without its i8254 */
	PARSE_OK("-machine", "pit=off", K);
	EXPECT_TRUE(cfg.no_pit);
	PARSE_OK("-machine", "pc,pit=off", "-M", "pit=on", K);
	EXPECT_FALSE(cfg.no_pit);
	PARSE_OK("-machine", "pit=off", "-machine", "pit=auto", K);
	EXPECT_FALSE(cfg.no_pit);
	PARSE_ERR("-machine: invalid pit value 'no' (on, off or auto)",
		  "-machine", "pit=no", K);
}

TEST(devices_and_misc)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("-serial", "stdio", "-nodefaults", K);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	PARSE_OK("-serial", "none", K);
	ASSERT_EQ(SERIAL_NONE, cfg.serial);
	PARSE_OK("-monitor", "none", "-display", "none", K);
	ASSERT_EQ(MONITOR_NONE, cfg.monitor);
	PARSE_OK("-name", "guest=vm1,debug-threads=on", "-no-reboot", K);
	ASSERT_STREQ("vm1", cfg.name);
	ASSERT_TRUE(cfg.no_reboot);
	PARSE_OK("-name", "web,process=qemu-web", K);
	ASSERT_STREQ("web", cfg.name);
	PARSE_OK("-cpu", "EPYC-v4", K);
	ASSERT_STREQ("EPYC-v4", cfg.cpu_model);
	PARSE_OK(K, "-initrd", "/i.cpio", "-append", "console=ttyS0 quiet");
	ASSERT_STREQ("/i.cpio", cfg.initrd);
	ASSERT_STREQ("console=ttyS0 quiet", cfg.append);
	PARSE_OK("-qmp", "unix:/run/q.sock,server,nowait", K);
	ASSERT_STREQ("/run/q.sock", cfg.qmp_path);

	PARSE_ERR("-serial: unsupported backend 'pty' (stdio, mon:stdio, file:PATH or none)",
		  "-serial", "pty", K);
	PARSE_ERR("-serial: unsupported backend 'file:' (stdio, mon:stdio, file:PATH or none)",
		  "-serial", "file:", K);
	PARSE_ERR("-display: unsupported display 'gtk' (only none)",
		  "-display", "gtk", K);
	PARSE_ERR("-monitor: unsupported backend 'vc' (stdio, unix:PATH,server=on,wait=off or none)",
		  "-monitor", "vc", K);
	PARSE_ERR("-qmp: only wait=off is supported",
		  "-qmp", "unix:/tmp/q,server=on", K);
	PARSE_ERR("-qmp: only server=on is supported",
		  "-qmp", "unix:/tmp/q,wait=off", K);
	PARSE_ERR("-qmp: only 'unix:PATH,server=on,wait=off' is supported, not 'tcp:1:2'",
		  "-qmp", "tcp:1:2", K);
	PARSE_ERR("-cpu: invalid CPU model 'a b'", "-cpu", "a b", K);
	PARSE_ERR("-cpu: CPU model name too long", "-cpu",
		  "A23456789012345678901234567890123456789012345678", K);
	PARSE_ERR("-name: unknown parameter 'foo=1'", "-name", "x,foo=1", K);
}

TEST(errors)
{
	struct run_config cfg;
	char err[256];

	PARSE_ERR("unknown option '-foo'", "-foo", K);
	PARSE_ERR("unknown option '--hda'", "--hda", "x", K);
	PARSE_ERR("option '-m' requires an argument", K, "-m");
	PARSE_ERR("unexpected argument 'disk.img' (a disk image is not supported)",
		  K, "disk.img");
	unsetenv("KHYP_RUN_KERNEL");
	PARSE_ERR("no -kernel given (khyp-run boots a Linux or Multiboot kernel directly; or set KHYP_RUN_KERNEL)",
		  "-m", "1G");
	PARSE_OK("-h");
	ASSERT_TRUE(cfg.help);
	PARSE_OK("--dump-acpi", "/tmp/x", "-smp", "1,maxcpus=4");
	ASSERT_STREQ("/tmp/x", cfg.dump_acpi_dir);
}

/* kvm-unit-tests' x86/run command line, as its runner builds it. */
TEST(kvm_unit_tests_command_line)
{
	struct run_config cfg;
	char err[256];

	PARSE_OK("--no-reboot", "-nodefaults", "-global",
		 "kvm-pit.lost_tick_policy=discard", "-device", "pc-testdev",
		 "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4",
		 "-display", "none", "-serial", "stdio", "-machine",
		 "accel=kvm", "-kernel", "x86/sieve.flat", "-smp", "2",
		 "-append", "a b", "-initrd", "/tmp/env", "-m", "256");
	ASSERT_TRUE(cfg.no_reboot);
	ASSERT_TRUE(cfg.pc_testdev);
	ASSERT_TRUE(cfg.debug_exit);
	ASSERT_EQ(0xf4, cfg.debug_exit_iobase);
	ASSERT_EQ(4, cfg.debug_exit_iosize);
	ASSERT_EQ(SERIAL_STDIO, cfg.serial);
	ASSERT_STREQ("x86/sieve.flat", cfg.kernel);
	ASSERT_STREQ("/tmp/env", cfg.initrd);
	ASSERT_EQ(2, cfg.smp.cpus);
	ASSERT_EQ(256ULL << 20, cfg.mem_size);

	/* No -device: none of the test devices. */
	PARSE_OK(K);
	ASSERT_FALSE(cfg.pc_testdev);
	ASSERT_FALSE(cfg.debug_exit);
	/* QEMU's isa-debug-exit defaults, decimal and octal numbers. */
	PARSE_OK(K, "-device", "isa-debug-exit");
	ASSERT_EQ(0x501, cfg.debug_exit_iobase);
	ASSERT_EQ(2, cfg.debug_exit_iosize);
	PARSE_OK(K, "-device", "isa-debug-exit,iosize=1,iobase=010,id=d");
	ASSERT_EQ(8, cfg.debug_exit_iobase);
	ASSERT_EQ(1, cfg.debug_exit_iosize);
	PARSE_OK(K, "-device", "pc-testdev,id=t");
	ASSERT_TRUE(cfg.pc_testdev);

	/* -device help and '?' list the devices, no -kernel needed. */
	unsetenv("KHYP_RUN_KERNEL");
	PARSE_OK("-device", "help");
	ASSERT_TRUE(cfg.device_help);
	PARSE_OK("-device", "?");
	ASSERT_TRUE(cfg.device_help);
}

TEST(device_and_global_errors)
{
	struct run_config cfg;
	char err[256];

	PARSE_ERR("-device pci-testdev: not supported (khyp's PCI bus has no devices)",
		  K, "-device", "pci-testdev");
	PARSE_ERR("-device e1000: 'e1000' is not a valid device model name",
		  K, "-device", "e1000,netdev=n");
	PARSE_ERR("-device isa-debug-exit: Property 'isa-debug-exit.size' not found",
		  K, "-device", "isa-debug-exit,size=4");
	PARSE_ERR("-device isa-debug-exit: invalid iobase=0x10000", K,
		  "-device", "isa-debug-exit,iobase=0x10000");
	PARSE_ERR("-device isa-debug-exit: invalid iobase=f4", K, "-device",
		  "isa-debug-exit,iobase=f4");
	PARSE_ERR("-device isa-debug-exit: invalid iosize=-1", K, "-device",
		  "isa-debug-exit,iosize=-1");
	PARSE_ERR("-device isa-debug-exit: ports 0xfffe+0x4 are not in 0-0xffff",
		  K, "-device", "isa-debug-exit,iobase=0xfffe,iosize=4");
	PARSE_ERR("-device isa-debug-exit: ports 0xf4+0x0 are not in 0-0xffff",
		  K, "-device", "isa-debug-exit,iobase=0xf4,iosize=0");
	PARSE_ERR("-device isa-debug-exit: khyp-run has only one", K,
		  "-device", "isa-debug-exit", "-device", "isa-debug-exit");
	PARSE_ERR("-device pc-testdev: khyp-run has only one", K,
		  "-device", "pc-testdev", "-device", "pc-testdev");
	PARSE_ERR("-device pc-testdev: Property 'pc-testdev.iobase' not found",
		  K, "-device", "pc-testdev,iobase=1");

	PARSE_ERR("-global kvm-pit.lost_tick_policy=delay: khyp's PIT discards lost ticks (only 'discard')",
		  K, "-global", "kvm-pit.lost_tick_policy=delay");
	PARSE_ERR("can't apply global kvm-pit.foo=1: Property 'kvm-pit.foo' not found",
		  K, "-global", "kvm-pit.foo=1");
	PARSE_ERR("can't apply global e1000.mac=1: Property 'e1000.mac' not found",
		  K, "-global", "e1000.mac=1");
	PARSE_ERR("-global: invalid format 'kvm-pit' (DRIVER.PROPERTY=VALUE)",
		  K, "-global", "kvm-pit");
	PARSE_ERR("-global: invalid format 'a=b.c' (DRIVER.PROPERTY=VALUE)",
		  K, "-global", "a=b.c");
	PARSE_ERR("option '-global' requires an argument", K, "-global");
}

/* QEMU command lines without -kernel boot $KHYP_RUN_KERNEL. */
TEST(kernel_from_environment)
{
	struct run_config cfg;
	char err[256];

	setenv("KHYP_RUN_KERNEL", "/env/bzImage", 1);
	setenv("KHYP_RUN_INITRD", "/env/initrd", 1);
	setenv("KHYP_RUN_APPEND", "quiet", 1);
	PARSE_OK("-m", "1G");
	ASSERT_STREQ("/env/bzImage", cfg.kernel);
	ASSERT_STREQ("/env/initrd", cfg.initrd);
	ASSERT_STREQ("quiet", cfg.append);
	/* the command line wins */
	PARSE_OK("-kernel", "/k", "-append", "x");
	ASSERT_STREQ("/k", cfg.kernel);
	ASSERT_EQ(NULL, cfg.initrd);
	ASSERT_STREQ("x", cfg.append);
	PARSE_OK("-initrd", "/i");
	ASSERT_STREQ("/env/bzImage", cfg.kernel);
	ASSERT_STREQ("/i", cfg.initrd);
	unsetenv("KHYP_RUN_KERNEL");
	unsetenv("KHYP_RUN_INITRD");
	unsetenv("KHYP_RUN_APPEND");
}

TEST_HARNESS_MAIN
