// SPDX-License-Identifier: GPL-2.0
/*
 * khyp-run - start a Linux guest on khyp, with a QEMU-style command line.
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
 *   -cpu host|MODEL      the CPU type name QMP reports ("MODEL-x86_64-cpu");
 *                        the guest always sees khyp's filtered host CPUID.
 *   -kernel BZIMAGE      direct Linux boot (64-bit protocol).  Without it,
 *                        $KHYP_RUN_KERNEL (with $KHYP_RUN_INITRD and
 *                        $KHYP_RUN_APPEND) is booted, so that QEMU command
 *                        lines without -kernel work; else it is an error.
 *   -initrd FILE         initial ramdisk.
 *   -append STRING       kernel command line.  khyp-run puts
 *                        "console=ttyS0 tsc_early_khz=<host TSC kHz>" in
 *                        front unless STRING sets them already.
 *   -serial stdio|none   COM1 on stdin/stdout (default; raw mode if stdin
 *                        is a terminal, Ctrl-C still ends khyp-run), or
 *                        not connected (the default with -nodefaults).
 *   -display none, -nodefaults, -no-user-config, -enable-kvm: accepted.
 *   -machine pc[,accel=khyp|kvm][,usb=off], -accel khyp|kvm: accepted
 *                        (kvm is an alias, so QEMU command lines work).
 *   -name NAME           VM name (the first 31 bytes go to the module).
 *   -no-reboot           exit (status 0) when the guest resets.
 *   -monitor none|stdio  there is no HMP monitor: stdio prints a note.
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
 * a vCPU that khyp could not run.
 *
 * Events: like QEMU, a guest reset or a triple fault reboots the VM (a
 * new VM is created and the kernel booted again) unless -no-reboot is
 * given; a triple fault is always reported on stderr.  The VM state is
 * read with KHYP_GET_VM_STATE whenever the VM fd signals POLLPRI or a
 * vCPU returns a system event, and every 100 ms in any case (the fallback
 * for a module that does not signal POLLPRI).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/khyp.h>

#include "khyp_platform.h"
#include "acpi.h"
#include "bootparams.h"
#include "cmdline.h"
#include "cpuid.h"
#include "layout.h"
#include "tsc.h"

#define KHYP_DEV		"/dev/" KHYP_DEVICE_NAME
#define STATE_POLL_MS		100

static const char *prog = "khyp-run";

/* What a vCPU runner thread tells the main loop. */
struct vcpu_event {
	uint32_t vcpu;
	uint32_t reason;	/* enum khyp_exit_reason, or 0 for an error */
	int err;		/* errno of a failed KHYP_VCPU_RUN */
	struct khyp_exit exit;
};

struct vcpu {
	struct vm *vm;
	uint32_t id;
	int fd;
	pthread_t thread;
	bool thread_started;
	atomic_bool done;
};

struct vm {
	int dev_fd;
	int fd;
	uint8_t *mem;
	uint64_t mem_size;
	unsigned int nr_vcpus;
	struct vcpu vcpus[KHYP_MAX_VCPUS];
	atomic_bool stopping;
	int event_pipe[2];	/* runner threads -> main loop */
};

/* Everything that survives a guest reset. */
struct launch {
	struct run_config cfg;
	struct file_buf kernel;
	struct file_buf initrd;
	char cmdline[KHYP_CMDLINE_MAX];
};

enum run_result {
	RUN_EXIT,	/* leave with exit_code */
	RUN_REBOOT,	/* tear down and boot again */
};

static atomic_int quit_signal;	/* lock-free: async-signal-safe */
static atomic_int quit_sender;	/* pid that sent it */
static pid_t qmpd_pid = -1;
static int signal_pipe[2] = { -1, -1 };
static struct termios saved_tty;
static bool tty_raw;

static __printf(1, 2) void error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- terminal and signals ---- */

static void tty_restore(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		tty_raw = false;
	}
}

/*
 * Raw-ish input, as QEMU's stdio chardev sets it: no line editing or echo,
 * bytes pass through; ISIG stays so Ctrl-C ends khyp-run; output
 * processing stays on.
 */
static void tty_make_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
		       ICRNL | IXON);
	t.c_oflag |= OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		tty_raw = true;
		atexit(tty_restore);
	}
}

/* Write to a non-blocking pipe; a full pipe is fine (already woken). */
static void pipe_notify(int fd, const void *p, size_t n)
{
	ssize_t r = write(fd, p, n);

	(void)r;
}

static void on_quit_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	char c = sig;

	(void)uc;
	quit_sender = si ? si->si_pid : 0;
	quit_signal = sig;
	pipe_notify(signal_pipe[1], &c, 1);
	errno = saved;
}

static void on_kick_signal(int sig)
{
	(void)sig;	/* only interrupts KHYP_VCPU_RUN */
}

static int setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_quit_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_kick_signal;	/* no SA_RESTART: EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* ---- vCPU runner threads ---- */

/*
 * Every vCPU runs on its own in the kernel (KHYP_VCPU_START).  A runner
 * thread per vCPU still waits in KHYP_VCPU_RUN, to answer the exits that
 * need userspace (port or MMIO accesses no device claims: reads return
 * all ones, writes are dropped, as on a PC bus) and to report a vCPU that
 * stopped for good.
 */
static void *vcpu_runner(void *arg)
{
	struct vcpu *v = arg;
	struct vcpu_event ev;
	struct khyp_exit exit;
	bool report;

	memset(&exit, 0, sizeof(exit));
	while (!v->vm->stopping) {
		/*
		 * Answer every read with all ones, whatever its size (the
		 * module masks it): an answer left over from an earlier exit
		 * is then also right for a later one, even after an EINTR.
		 */
		exit.io.data = 0xffffffff;
		exit.mmio.data = ~0ULL;
		if (ioctl(v->fd, KHYP_VCPU_RUN, &exit) < 0) {
			if (errno == EINTR)
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.vcpu = v->id;
			ev.err = errno;
			pipe_notify(v->vm->event_pipe[1], &ev, sizeof(ev));
			break;
		}
		switch (exit.reason) {
		case KHYP_EXIT_IO:	/* answered above */
		case KHYP_EXIT_MMIO:
		case KHYP_EXIT_NONE:
			continue;
		case KHYP_EXIT_STOPPED:	/* by us, or the VM is going away */
			report = false;
			break;
		default:	/* shutdown, entry failure, system event */
			report = true;
			break;
		}
		if (report) {
			memset(&ev, 0, sizeof(ev));
			ev.vcpu = v->id;
			ev.reason = exit.reason;
			ev.exit = exit;
			pipe_notify(v->vm->event_pipe[1], &ev, sizeof(ev));
		}
		break;
	}
	v->done = true;
	return NULL;
}

/* ---- QMP: khyp-qmpd serves -qmp's socket for the VM ---- */

/* $KHYP_QMPD, else khyp-qmpd next to this binary, else from $PATH. */
static const char *qmpd_program(char *buf, size_t len)
{
	const char *env = getenv("KHYP_QMPD");
	char *slash;
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", buf, len - sizeof("khyp-qmpd"));
	if (n > 0) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash + 1, "khyp-qmpd");
			if (!access(buf, X_OK))
				return buf;
		}
	}
	return "khyp-qmpd";
}

static void qmpd_stop(void)
{
	if (qmpd_pid <= 0)
		return;
	kill(qmpd_pid, SIGTERM);
	while (waitpid(qmpd_pid, NULL, 0) < 0 && errno == EINTR)
		;
	qmpd_pid = -1;
}

/*
 * Start khyp-qmpd for this VM and wait until it listens, so that, as with
 * QEMU, the socket exists before the guest runs.
 */
static int qmpd_start(struct vm *vm, const struct run_config *cfg)
{
	char prog_buf[PATH_MAX], id[16], ppid[16];
	const char *prog = qmpd_program(prog_buf, sizeof(prog_buf));
	struct khyp_vm_info info;
	struct stat st;
	int pfd[2], err = 0, i, devnull;
	ssize_t r;
	pid_t pid;

	if (ioctl(vm->fd, KHYP_GET_VM_INFO, &info) < 0) {
		error("KHYP_GET_VM_INFO: %s", strerror(errno));
		return -1;
	}
	snprintf(id, sizeof(id), "%u", info.id);
	snprintf(ppid, sizeof(ppid), "%d", (int)getpid());
	/* Like QEMU, replace a socket left behind by an earlier run. */
	if (!lstat(cfg->qmp_path, &st) && S_ISSOCK(st.st_mode))
		unlink(cfg->qmp_path);
	if (pipe2(pfd, O_CLOEXEC)) {
		error("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		error("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		/* Own process group: the terminal's ^C is for khyp-run. */
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execlp(prog, "khyp-qmpd", "--vm", id, "--socket",
		       cfg->qmp_path, "--pid", ppid, (char *)NULL);
		err = errno;
		pipe_notify(pfd[1], &err, sizeof(err));
		_exit(127);
	}
	close(pfd[1]);
	do {
		r = read(pfd[0], &err, sizeof(err));
	} while (r < 0 && errno == EINTR);
	close(pfd[0]);
	qmpd_pid = pid;
	if (r == sizeof(err)) {
		error("-qmp: cannot run %s: %s", prog, strerror(err));
		qmpd_stop();
		return -1;
	}
	for (i = 0; i < 500; i++) {
		if (!stat(cfg->qmp_path, &st) && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			qmpd_pid = -1;
			error("-qmp: %s exited", prog);
			return -1;
		}
		usleep(10000);
	}
	error("-qmp: %s did not create %s", prog, cfg->qmp_path);
	qmpd_stop();
	return -1;
}

/* ---- VM life cycle ---- */

static void vm_destroy(struct vm *vm)
{
	unsigned int i, tries;
	bool all;

	vm->stopping = true;
	/* Kick runners out of KHYP_VCPU_RUN until all have returned. */
	for (tries = 0; tries < 500; tries++) {
		all = true;
		for (i = 0; i < vm->nr_vcpus; i++) {
			if (!vm->vcpus[i].thread_started || vm->vcpus[i].done)
				continue;
			all = false;
			pthread_kill(vm->vcpus[i].thread, SIGUSR1);
		}
		if (all)
			break;
		usleep(10000);
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->fd >= 0)
			ioctl(v->fd, KHYP_VCPU_STOP);
		if (v->thread_started && v->done)
			pthread_join(v->thread, NULL);
		else if (v->thread_started)
			pthread_detach(v->thread);	/* stuck: leave it */
		if (v->fd >= 0 && (!v->thread_started || v->done))
			close(v->fd);
		v->fd = -1;
		v->thread_started = false;
	}
	vm->nr_vcpus = 0;
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	if (vm->event_pipe[0] >= 0) {
		close(vm->event_pipe[0]);
		close(vm->event_pipe[1]);
	}
	vm->event_pipe[0] = vm->event_pipe[1] = -1;
}

static int vm_set_cpuid(struct vm *vm, const struct run_config *cfg)
{
	const unsigned int cap = KHYP_MAX_CPUID_ENTRIES;
	struct khyp_cpuid *c;
	int r;

	c = calloc(1, sizeof(*c) + cap * sizeof(c->entries[0]));
	if (!c) {
		error("out of memory");
		return -1;
	}
	c->nent = cap;
	if (ioctl(vm->dev_fd, KHYP_GET_SUPPORTED_CPUID, c) < 0) {
		error("KHYP_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		return -1;
	}
	r = cpuid_filter(c, cap, cfg);
	if (r) {
		error("CPUID: %s", strerror(-r));
		free(c);
		return -1;
	}
	if (ioctl(vm->fd, KHYP_SET_CPUID, c) < 0) {
		error("KHYP_SET_CPUID: %s", strerror(errno));
		free(c);
		return -1;
	}
	free(c);
	return 0;
}

/* The -smp topology and -cpu name, for the hotplug slots and QMP. */
static int vm_set_topology(struct vm *vm, const struct run_config *cfg)
{
	struct khyp_topology t;

	memset(&t, 0, sizeof(t));
	t.sockets = cfg->smp.sockets;
	t.dies = cfg->smp.dies;
	t.cores = cfg->smp.cores;
	t.threads = cfg->smp.threads;
	snprintf(t.model, sizeof(t.model), "%s", cfg->cpu_model);
	if (ioctl(vm->fd, KHYP_SET_TOPOLOGY, &t) < 0) {
		error("KHYP_SET_TOPOLOGY (%u sockets, %u dies, %u cores, %u threads, %s): %s",
		      t.sockets, t.dies, t.cores, t.threads, t.model,
		      strerror(errno));
		return -1;
	}
	return 0;
}

static int vm_create_vcpus(struct vm *vm, const struct run_config *cfg,
			   const struct boot_layout *l)
{
	struct khyp_vcpu_config vc;
	struct khyp_regs regs;
	struct khyp_sregs sregs;
	unsigned int i;
	struct vcpu *v;

	for (i = 0; i < cfg->smp.cpus; i++) {
		v = &vm->vcpus[i];
		memset(&vc, 0, sizeof(vc));
		vc.id = i;
		vc.apic_id = topo_apic_id(&cfg->smp, i);
		vc.flags = i ? KHYP_VCPU_WAIT_SIPI : 0;
		v->vm = vm;
		v->id = i;
		v->done = false;
		v->fd = ioctl(vm->fd, KHYP_CREATE_VCPU, &vc);
		if (v->fd < 0) {
			error("KHYP_CREATE_VCPU %u: %s", i, strerror(errno));
			return -1;
		}
		fcntl(v->fd, F_SETFD, FD_CLOEXEC);
		vm->nr_vcpus = i + 1;
		if (i)
			continue;
		boot_cpu_state(l, &regs, &sregs);
		if (ioctl(v->fd, KHYP_SET_REGS, &regs) < 0 ||
		    ioctl(v->fd, KHYP_SET_SREGS, &sregs) < 0) {
			error("vCPU 0: setting the boot registers: %s",
			      strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int vm_start(struct vm *vm)
{
	unsigned int i;
	int r;

	/* The BSP first; the others stay parked until the guest's SIPI. */
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (ioctl(v->fd, KHYP_VCPU_START) < 0) {
			error("KHYP_VCPU_START %u: %s", i, strerror(errno));
			return -1;
		}
		r = pthread_create(&v->thread, NULL, vcpu_runner, v);
		if (r) {
			error("vCPU %u thread: %s", i, strerror(r));
			return -1;
		}
		v->thread_started = true;
	}
	return 0;
}

static int vm_boot(struct vm *vm, struct launch *ln)
{
	const struct run_config *cfg = &ln->cfg;
	struct acpi_config ac = { .topo = &cfg->smp,
				  .cpu_sta = ACPI_CPU_STA_HOTPLUG };
	struct khyp_vm_config vc;
	struct acpi_layout al;
	struct boot_input in;
	struct boot_layout bl;
	char err[512];
	int flags;

	memset(&vc, 0, sizeof(vc));
	vc.mem_size = guest_backing_size(cfg->mem_size);
	vc.flags = KHYP_VM_PLATFORM;
	vc.max_vcpus = cfg->smp.maxcpus;
	memcpy(vc.name, cfg->name, strnlen(cfg->name, sizeof(vc.name) - 1));

	if (pipe2(vm->event_pipe, O_CLOEXEC | O_NONBLOCK)) {
		error("pipe: %s", strerror(errno));
		return -1;
	}
	vm->fd = ioctl(vm->dev_fd, KHYP_CREATE_VM, &vc);
	if (vm->fd < 0) {
		error("KHYP_CREATE_VM (%llu MiB, %u vCPUs): %s",
		      (unsigned long long)(vc.mem_size >> 20), vc.max_vcpus,
		      strerror(errno));
		return -1;
	}
	fcntl(vm->fd, F_SETFD, FD_CLOEXEC);
	flags = fcntl(vm->fd, F_GETFL);
	fcntl(vm->fd, F_SETFL, flags | O_NONBLOCK);

	vm->mem_size = vc.mem_size;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		error("mmap of guest memory: %s", strerror(errno));
		return -1;
	}

	if (vm_set_cpuid(vm, cfg) || vm_set_topology(vm, cfg))
		return -1;

	memset(&in, 0, sizeof(in));
	in.kernel_name = cfg->kernel;
	in.kernel = ln->kernel.data;
	in.kernel_size = ln->kernel.size;
	in.initrd_name = cfg->initrd;
	in.initrd = cfg->initrd ? ln->initrd.data : NULL;
	in.initrd_size = ln->initrd.size;
	in.cmdline = ln->cmdline;
	in.ram_size = cfg->mem_size;
	if (guest_memory_layout(vm->mem, vm->mem_size, &ac, &in, &bl, &al,
				err, sizeof(err))) {
		error("%s", err);
		return -1;
	}

	if (vm_create_vcpus(vm, cfg, &bl))
		return -1;
	if (cfg->qmp_path[0] && qmpd_start(vm, cfg))
		return -1;
	return vm_start(vm);
}

/* ---- the main loop ---- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			poll(&pf, 1, 100);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* Copy what the guest wrote to its console to stdout. */
static void console_drain(struct vm *vm, const struct run_config *cfg,
			  bool *stdout_ok)
{
	uint8_t buf[4096];
	ssize_t r;
	int i;

	for (i = 0; i < 64; i++) {
		r = read(vm->fd, buf, sizeof(buf));
		if (r <= 0)
			return;
		if (cfg->serial == SERIAL_STDIO && *stdout_ok &&
		    write_all(STDOUT_FILENO, buf, r))
			*stdout_ok = false;
	}
}

static void describe_exit(const struct vcpu_event *ev)
{
	const struct khyp_exit *e = &ev->exit;

	switch (ev->reason) {
	case KHYP_EXIT_FAIL_ENTRY:
		error("guest vCPU %u: VMRUN refused the guest state (exit code 0x%llx)",
		      ev->vcpu, (unsigned long long)e->internal.exit_code);
		break;
	case KHYP_EXIT_INTERNAL_ERROR:
		error("guest vCPU %u: khyp internal error, suberror %u (exit code 0x%llx, info 0x%llx 0x%llx)",
		      ev->vcpu, e->internal.suberror,
		      (unsigned long long)e->internal.exit_code,
		      (unsigned long long)e->internal.info1,
		      (unsigned long long)e->internal.info2);
		break;
	default:
		error("guest vCPU %u: unexpected exit reason %u", ev->vcpu,
		      ev->reason);
		break;
	}
}

/*
 * Act on the VM's state.  Returns 1 when the loop must end (*res and
 * *code set), 0 to keep running.
 */
static int handle_vm_state(const struct khyp_vm_state *st,
			   const struct run_config *cfg,
			   enum run_result *res, int *code)
{
	switch (st->state) {
	case KHYP_VM_RUNNING:
		return 0;
	case KHYP_VM_POWEROFF:
		*res = RUN_EXIT;
		*code = 0;
		return 1;
	case KHYP_VM_RESET:
		*res = cfg->no_reboot ? RUN_EXIT : RUN_REBOOT;
		*code = 0;
		return 1;
	case KHYP_VM_SHUTDOWN:
		error("guest vCPU %u shut down (triple fault)", st->vcpu);
		*res = cfg->no_reboot ? RUN_EXIT : RUN_REBOOT;
		*code = 0;
		return 1;
	default:
		error("unknown VM state %u", st->state);
		*res = RUN_EXIT;
		*code = 1;
		return 1;
	}
}

static enum run_result run_loop(struct vm *vm, const struct run_config *cfg,
				int *code)
{
	bool stdin_open = cfg->serial == SERIAL_STDIO, stdout_ok = true;
	uint8_t inbuf[256];
	size_t inlen = 0, inoff = 0;
	struct pollfd pfd[4];
	struct khyp_vm_state st;
	struct vcpu_event ev;
	enum run_result res;
	int n, timeout;
	ssize_t r;

	for (;;) {
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = vm->fd,
					    .events = POLLIN | POLLPRI };
		pfd[n++] = (struct pollfd){ .fd = vm->event_pipe[0],
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = signal_pipe[0],
					    .events = POLLIN };
		if (stdin_open && inoff == inlen)
			pfd[n++] = (struct pollfd){ .fd = STDIN_FILENO,
						    .events = POLLIN };
		/* Pending console input is retried on a short timer. */
		timeout = inoff < inlen ? 10 : STATE_POLL_MS;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			error("poll: %s", strerror(errno));
			*code = 1;
			return RUN_EXIT;
		}

		if (quit_signal) {
			console_drain(vm, cfg, &stdout_ok);
			/* QMP "quit" (khyp-qmpd's SIGTERM) ends quietly. */
			if (quit_sender != qmpd_pid || qmpd_pid <= 0)
				error("terminating on signal %d",
				      (int)quit_signal);
			*code = 0;
			return RUN_EXIT;
		}

		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			console_drain(vm, cfg, &stdout_ok);

		/* stdin -> guest console */
		if (n > 3 && (pfd[3].revents & (POLLIN | POLLHUP))) {
			r = read(STDIN_FILENO, inbuf, sizeof(inbuf));
			if (r > 0) {
				inlen = r;
				inoff = 0;
			} else if (r == 0 || (errno != EINTR &&
					      errno != EAGAIN)) {
				stdin_open = false;	/* EOF: guest runs on */
			}
		}
		if (inoff < inlen) {
			r = write(vm->fd, inbuf + inoff, inlen - inoff);
			if (r > 0)
				inoff += r;
			else if (r < 0 && errno != EAGAIN && errno != EINTR)
				inoff = inlen;	/* drop it */
		}

		/* A runner thread saw its vCPU stop. */
		while (read(vm->event_pipe[0], &ev, sizeof(ev)) ==
		       sizeof(ev)) {
			if (ev.reason == KHYP_EXIT_SYSTEM_EVENT ||
			    ev.reason == KHYP_EXIT_SHUTDOWN)
				continue;	/* the VM state tells */
			console_drain(vm, cfg, &stdout_ok);
			if (ev.err)
				error("vCPU %u: KHYP_VCPU_RUN: %s", ev.vcpu,
				      strerror(ev.err));
			else
				describe_exit(&ev);
			*code = 1;
			return RUN_EXIT;
		}

		/* The VM state: every wake-up, at least every 100 ms. */
		if (ioctl(vm->fd, KHYP_GET_VM_STATE, &st) < 0) {
			error("KHYP_GET_VM_STATE: %s", strerror(errno));
			*code = 1;
			return RUN_EXIT;
		}
		if (handle_vm_state(&st, cfg, &res, code)) {
			console_drain(vm, cfg, &stdout_ok);
			return res;
		}
	}
}

/* ---- start-up ---- */

static int dump_acpi(const struct run_config *cfg)
{
	struct acpi_config ac = { .topo = &cfg->smp,
				  .cpu_sta = ACPI_CPU_STA_HOTPLUG };
	size_t size = KHYP_ACPI_AREA_END - KHYP_ACPI_AREA_START;
	struct acpi_layout l;
	char err[512];
	uint8_t *area;
	int r;

	area = calloc(1, size);
	if (!area) {
		error("out of memory");
		return 1;
	}
	r = acpi_build(area, KHYP_ACPI_AREA_START, size, &ac, &l, err,
		       sizeof(err));
	if (!r)
		r = acpi_dump(area, KHYP_ACPI_AREA_START, &l, cfg->dump_acpi_dir,
			      err, sizeof(err));
	free(area);
	if (r) {
		error("%s", err);
		return 1;
	}
	return 0;
}

static int load_files(struct launch *ln)
{
	const struct run_config *cfg = &ln->cfg;
	const char *how = NULL;
	char err[512];
	uint32_t khz;

	if (file_read(cfg->kernel, &ln->kernel, err, sizeof(err)) ||
	    bzimage_check(cfg->kernel, ln->kernel.data, ln->kernel.size, err,
			  sizeof(err)) ||
	    (cfg->initrd &&
	     file_read(cfg->initrd, &ln->initrd, err, sizeof(err)))) {
		error("%s", err);
		return -1;
	}
	khz = host_tsc_khz(&how);
	if (!khz)
		error("warning: host TSC frequency unknown; the guest will calibrate");
	if (boot_cmdline_compose(cfg->append, khz, ln->cmdline,
				 sizeof(ln->cmdline))) {
		error("kernel command line too long");
		return -1;
	}
	return 0;
}

static int open_khyp(void)
{
	int fd, v;

	fd = open(KHYP_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		error("%s: %s%s", KHYP_DEV, strerror(errno),
		      errno == ENOENT ? " (is khyp.ko loaded?)" : "");
		return -1;
	}
	v = ioctl(fd, KHYP_GET_API_VERSION);
	if (v != KHYP_API_VERSION) {
		error("%s: API version %d, khyp-run needs %d", KHYP_DEV, v,
		      KHYP_API_VERSION);
		close(fd);
		return -1;
	}
	return fd;
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
	if (ln.cfg.version) {
		printf("khyp-run (khyp API %d), QEMU command line subset\n",
		       KHYP_API_VERSION);
		return 0;
	}
	if (ln.cfg.dump_acpi_dir)
		return dump_acpi(&ln.cfg);
	if (ln.cfg.monitor_stdio)
		error("-monitor stdio: the HMP monitor is not supported, continuing without one (use -qmp)");
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
	if (ln.cfg.serial == SERIAL_STDIO)
		tty_make_raw();

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
