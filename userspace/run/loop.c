// SPDX-License-Identifier: GPL-2.0
/*
 * The loop that waits on one running VM: its console, its runner
 * threads' reports, its state, and the signals that end khyp-run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "run.h"

#define STATE_POLL_MS		100

atomic_int quit_signal;		/* lock-free: async-signal-safe */
static atomic_int quit_sender;	/* pid that sent it */
static int signal_pipe[2] = { -1, -1 };

/* ---- signals ---- */

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

int setup_signals(void)
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

/* ---- the loop ---- */

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

enum run_result run_loop(struct vm *vm, const struct run_config *cfg,
				int *code)
{
	struct pollfd pfd[5];
	struct khyp_vm_state st;
	struct vcpu_event ev;
	enum run_result res;
	struct console con;
	int n, in_i, mon_i, timeout;

	console_init(&con, vm->fd, cfg->serial, qmpd_monitor_fd);
	for (;;) {
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = vm->fd,
					    .events = POLLIN | POLLPRI };
		pfd[n++] = (struct pollfd){ .fd = vm->event_pipe[0],
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = signal_pipe[0],
					    .events = POLLIN };
		in_i = console_wants_stdin(&con) ? n++ : -1;
		if (in_i >= 0)
			pfd[in_i] = (struct pollfd){ .fd = STDIN_FILENO,
						     .events = POLLIN };
		mon_i = con.mon_fd >= 0 ? n++ : -1;
		if (mon_i >= 0)
			pfd[mon_i] = (struct pollfd){ .fd = con.mon_fd,
						      .events = POLLIN };
		/* Pending console input is retried on a short timer. */
		timeout = console_input_pending(&con) ? 10 : STATE_POLL_MS;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			error("poll: %s", strerror(errno));
			*code = 1;
			return RUN_EXIT;
		}

		if (quit_signal) {
			console_drain(&con);
			/* QMP "quit" (khyp-qmpd's SIGTERM) ends quietly. */
			if (quit_sender != qmpd_pid || qmpd_pid <= 0)
				error("terminating on signal %d",
				      (int)quit_signal);
			*code = 0;
			return RUN_EXIT;
		}

		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			console_drain(&con);

		if (mon_i >= 0 && pfd[mon_i].revents)
			console_read_monitor(&con);
		/* stdin -> guest console (or the monitor) */
		if (in_i >= 0 && (pfd[in_i].revents & (POLLIN | POLLHUP)))
			console_read_stdin(&con);
		if (con.exit_req) {
			console_drain(&con);
			*code = 0;
			return RUN_EXIT;
		}
		console_write_guest(&con);

		/* A runner thread saw its vCPU stop. */
		while (read(vm->event_pipe[0], &ev, sizeof(ev)) ==
		       sizeof(ev)) {
			if (ev.reason == KHYP_EXIT_SYSTEM_EVENT ||
			    ev.reason == KHYP_EXIT_SHUTDOWN)
				continue;	/* the VM state tells */
			console_drain(&con);
			if (ev.debug_exit) {
				*code = ev.debug_exit;
				return RUN_EXIT;
			}
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
			console_drain(&con);
			return res;
		}
	}
}
