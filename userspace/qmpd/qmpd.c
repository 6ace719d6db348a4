// SPDX-License-Identifier: GPL-2.0
/*
 * khyp-qmpd: QMP for one khyp VM on a UNIX socket, so that QEMU's own
 * clients (qmp-shell, qemu.qmp) drive khyp's vCPU hotplug unchanged, and
 * QEMU's human monitor (HMP) on stdio or a UNIX socket.
 *
 *   khyp-qmpd --vm NAME|ID [--socket PATH] [--monitor-socket PATH]
 *             [--monitor-stdio] [--monitor-fd FD] [--pid LAUNCHER_PID]
 *
 * Commands (qmp_commands.c, through qmp_dispatch.c) become requests on
 * the "khyp" generic netlink family (khyp_nl.c); its "events" multicast
 * group becomes QMP events; qmpd_server.c speaks the wire protocol.  HMP
 * commands (hmp.c) are the same QMP commands, formatted as QEMU does.
 *
 * --pid: the launcher; "quit" sends it SIGTERM, and the daemon exits when
 * it is gone.  Both go through a pidfd, opened first thing: a PID alone
 * can name another process once the launcher has been reaped.
 * --monitor-stdio: the terminal's ^C is the launcher's, so SIGINT is
 * ignored.  --monitor-fd: a connected socket, a monitor client from the
 * start: khyp-run's for -serial mon:stdio, which shares the terminal
 * between the guest's console and this monitor.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>
#include "qmpd_server.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: khyp-qmpd --vm NAME|ID [--socket PATH] [--monitor-socket PATH] [--monitor-stdio] [--monitor-fd FD] [--pid LAUNCHER_PID]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "socket", required_argument, NULL, 's' },
		{ "monitor-socket", required_argument, NULL, 'm' },
		{ "monitor-stdio", no_argument, NULL, 'M' },
		{ "monitor-fd", required_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *vm_arg = NULL, *socket_path = NULL, *monitor_path = NULL;
	struct qmpd_fds fds = { .qmp = -1, .hmp = -1, .hmp_fd = -1 };
	int launcher_fd = -1;
	pid_t launcher = 0;
	struct qmp_vm q;
	struct knl nl;
	int o, r;
	char *end;
	long id;

	while ((o = getopt_long(argc, argv, "v:s:p:h", opts, NULL)) != -1) {
		switch (o) {
		case 'v':
			vm_arg = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'm':
			monitor_path = optarg;
			break;
		case 'M':
			fds.hmp_stdio = true;
			break;
		case 'f':
			fds.hmp_fd = strtol(optarg, &end, 10);
			if (*end || fds.hmp_fd < 0 ||
			    fcntl(fds.hmp_fd, F_SETFL, O_NONBLOCK))
				bad_usage();
			break;
		case 'p':
			launcher = strtol(optarg, &end, 10);
			if (*end || launcher <= 0)
				bad_usage();
			break;
		default:
			bad_usage();
		}
	}
	if (!vm_arg || optind != argc ||
	    (!socket_path && !monitor_path && !fds.hmp_stdio &&
	     fds.hmp_fd < 0))
		bad_usage();
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	if (fds.hmp_stdio)
		signal(SIGINT, SIG_IGN);
	else
		sigaction(SIGINT, &sa, NULL);

	if (launcher) {
		launcher_fd = pidfd_open(launcher, 0);
		if (launcher_fd < 0) {
			fprintf(stderr, "khyp-qmpd: --pid %d: %s\n",
				(int)launcher, strerror(errno));
			return 1;
		}
	}
	qmp_vm_init(&q, &nl, launcher_fd);
	if (knl_open(&nl, qmpd_kernel_event, &q))
		return 1;
	id = strtol(vm_arg, &end, 10);
	r = *end || end == vm_arg ? knl_vm_get(&nl, -1, vm_arg, &q.vm) :
				     knl_vm_get(&nl, id, NULL, &q.vm);
	if (r) {
		fprintf(stderr, "khyp-qmpd: VM %s: %s\n", vm_arg, nl.errmsg);
		return 1;
	}
	qmp_vm_sync(&q);
	if (socket_path) {
		fds.qmp = qmpd_listen(socket_path);
		if (fds.qmp < 0)
			return 1;
	}
	if (monitor_path) {
		fds.hmp = qmpd_listen(monitor_path);
		if (fds.hmp < 0)
			return 1;
	}
	qmpd_serve(&q, &fds, &stop);
	if (socket_path)
		unlink(socket_path);
	if (monitor_path)
		unlink(monitor_path);
	knl_close(&nl);
	qmp_vm_fini(&q);
	return 0;
}
