// SPDX-License-Identifier: GPL-2.0
/*
 * khyp-run - start a Linux or Multiboot guest on khyp, with a QEMU-style
 * command line.
 *
 *   khyp-run -m 512M -smp 1,maxcpus=4 -kernel bzImage -initrd initrd.gz \
 *            -append "quiet" -serial stdio -no-reboot
 *
 * Options (a QEMU subset; one or two leading dashes; later ones win):
 *   -m [size=]SIZE       guest RAM; suffixes K, M, G, T (default M);
 *                        default 128M.  Above 3 GiB the RAM continues at
 *                        4 GiB (the MMIO hole is backed too).
 *   -smp [cpus=]N[,maxcpus=M][,sockets=S][,dies=D][,cores=C][,threads=T]
 *                        QEMU's rules: missing values are filled preferring
 *                        cores; sockets*dies*cores*threads == maxcpus,
 *                        cpus <= maxcpus <= 255.  CPUs cpus..maxcpus-1 are
 *                        hot-pluggable slots (QMP device_add).
 *   -cpu MODEL[,+feat|-feat|feat=on|off...][,vendor=V][,check=off][,enforce]
 *                        the CPU type name QMP reports ("MODEL-x86_64-cpu")
 *                        and the guest's CPUID features (cpuid.c).
 *   -kernel FILE         direct Linux boot (64-bit protocol) of a bzImage,
 *                        or a Multiboot v1 kernel (multiboot.c): what is
 *                        not a bzImage but has a Multiboot header.  Without it,
 *                        $KHYP_RUN_KERNEL (with $KHYP_RUN_INITRD and
 *                        $KHYP_RUN_APPEND) is booted, so that QEMU command
 *                        lines without -kernel work; else it is an error.
 *   -initrd FILE         initial ramdisk; Multiboot: module 0.
 *   -append STRING       kernel command line.  For Linux khyp-run puts
 *                        "console=ttyS0 tsc_early_khz=<host TSC kHz>" in
 *                        front unless STRING sets them already; a
 *                        Multiboot kernel gets "FILE STRING", as from QEMU.
 *   -device pc-testdev | isa-debug-exit[,iobase=N][,iosize=N] | help
 *                        QEMU's test devices (userdev.c); help lists them.
 *                        fw_cfg is always there.  pci-testdev is refused.
 *   -global kvm-pit.lost_tick_policy=discard   accepted (what khyp's PIT
 *                        does); any other -global is refused.
 *   -serial stdio|mon:stdio|none|file:PATH
 *                        COM1 on stdin/stdout (default; raw mode if stdin
 *                        is a terminal, Ctrl-C still ends khyp-run), its
 *                        output to PATH, or not connected (the default
 *                        with -nodefaults or -monitor stdio; both on
 *                        stdio is QEMU's error).  mon:stdio: stdio shared
 *                        with the HMP monitor through QEMU's Ctrl-A
 *                        escapes (console.c, mux.c).
 *   -nographic           QEMU's default serial and monitor on stdio:
 *                        -serial mon:stdio if neither is given.
 *   -display none, -nodefaults, -no-user-config, -enable-kvm: accepted.
 *   -machine pc[,accel=khyp|kvm][,usb=off][,pit=off], -accel khyp|kvm:
 *                        accepted (kvm is an alias, so QEMU command lines
 *                        work); pit=off: no i8254 (KHYP_VM_NO_PIT).
 *   -name NAME           VM name (the first 31 bytes go to the module).
 *   -no-reboot           exit (status 0) when the guest resets.
 *   -monitor stdio|none|unix:PATH,server=on,wait=off
 *                        QEMU's HMP monitor, served by khyp-qmpd (as
 *                        -qmp is) through the QMP commands.
 *   -qmp unix:PATH,server=on,wait=off
 *                        QMP on PATH: khyp-run starts khyp-qmpd (found
 *                        in $KHYP_QMPD, next to khyp-run, or in $PATH)
 *                        for the VM, and waits until it listens before
 *                        the guest runs.  QMP "quit" ends khyp-run (0).
 *                        On a guest reboot the VM is new, so is the
 *                        daemon: clients reconnect.
 *   --dump-acpi DIR      (hidden) write the ACPI tables to DIR and exit.
 *
 * Exit status: 0 when the guest powers off or, with -no-reboot, resets or
 * triple-faults; 0 on SIGINT/SIGTERM; 1 on bad options, a failed start or
 * a vCPU that khyp could not run; (V << 1) | 1 when the guest writes V to
 * isa-debug-exit.
 *
 * Events: like QEMU, a guest reset or a triple fault reboots the VM (a
 * new VM is created and the kernel booted again) unless -no-reboot is
 * given; a triple fault is always reported on stderr.  The VM state is
 * read with KHYP_GET_VM_STATE whenever the VM fd signals POLLPRI or a
 * vCPU returns a system event, and every 100 ms in any case (the fallback
 * for a module that does not signal POLLPRI).
 *
 * The parts: startup.c (before the first VM), vm.c (a VM and its vCPU
 * runners), qmpd_child.c (-qmp), console.c (the terminal and COM1,
 * and the monitor for -serial mon:stdio),
 * loop.c (waiting on a running VM, signals); run.h between them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

static const char *prog = "khyp-run";

/* "khyp-run: ", @kind, the message and a newline on stderr. */
static void report(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", prog, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
}

void warn_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

int main(int argc, char **argv)
{
	static struct launch ln;
	static struct vm vm;
	enum run_result res;
	char err[512];
	int code = 1;

	if (cmdline_parse(argc, argv, &ln.cfg, err, sizeof(err))) {
		error("%s", err);
		return 1;
	}
	if (ln.cfg.help) {
		cmdline_usage(stdout);
		return 0;
	}
	if (ln.cfg.device_help) {
		cmdline_device_list(stdout);
		return 0;
	}
	if (ln.cfg.version) {
		printf("khyp-run (khyp API %d), QEMU command line subset\n",
		       KHYP_API_VERSION);
		return 0;
	}
	if (ln.cfg.dump_acpi_dir)
		return dump_acpi(&ln.cfg);
	if (load_files(&ln))
		return 1;
	if (setup_signals()) {
		error("signals: %s", strerror(errno));
		return 1;
	}

	vm.fd = -1;
	vm.event_pipe[0] = vm.event_pipe[1] = -1;
	vm.dev_fd = open_khyp();
	if (vm.dev_fd < 0)
		return 1;
	if (console_open(&ln.cfg))
		return 1;

	for (;;) {
		memset(vm.vcpus, 0, sizeof(vm.vcpus));
		vm.stopping = false;
		if (vm_boot(&vm, &ln)) {
			qmpd_stop();
			vm_destroy(&vm);
			code = 1;
			break;
		}
		res = run_loop(&vm, &ln.cfg, &code);
		qmpd_stop();
		vm_destroy(&vm);
		if (res != RUN_REBOOT || quit_signal)
			break;
	}
	close(vm.dev_fd);
	tty_restore();
	file_free(&ln.kernel);
	file_free(&ln.initrd);
	return code;
}
