// SPDX-License-Identifier: GPL-2.0
/*
 * -qmp and -monitor: khyp-run starts khyp-qmpd for each VM it creates,
 * as a child, and stops it with the VM.  khyp-qmpd serves both QMP and
 * the HMP monitor (which calls the QMP commands), so one process holds
 * the command layer and its netlink link, and khyp-run needs neither.
 * -serial mon:stdio: khyp-run keeps the terminal and is the monitor's
 * client on a socketpair (console.c multiplexes the two).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "run.h"

pid_t qmpd_pid = -1;
int qmpd_monitor_fd = -1;

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

void qmpd_stop(void)
{
	if (qmpd_monitor_fd >= 0)
		close(qmpd_monitor_fd);
	qmpd_monitor_fd = -1;
	if (qmpd_pid <= 0)
		return;
	/* Our unreaped child: its PID cannot be reused before the waitpid. */
	kill(qmpd_pid, SIGTERM);
	while (waitpid(qmpd_pid, NULL, 0) < 0 && errno == EINTR)
		;
	qmpd_pid = -1;
}

/* A UNIX socket left by an earlier run: QEMU replaces it too. */
static void unlink_stale(const char *path)
{
	struct stat st;

	if (path && !lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
}

static bool is_socket(const char *path)
{
	struct stat st;

	return !path || (!stat(path, &st) && S_ISSOCK(st.st_mode));
}

/*
 * The child: khyp-qmpd with the sockets, and with the terminal if the
 * monitor is on stdio.  Then SIGINT stays with the terminal's process
 * group (khyp-qmpd ignores it), since a read from another group would
 * stop it (SIGTTIN); otherwise its own group keeps ^C from it.
 */
static void qmpd_exec(const char *prog, const char *id, const char *ppid,
		      const char *qmp, const char *mon, bool mon_stdio,
		      int mon_fd)
{
	const char *argv[14];
	char fd_arg[16];
	int n = 0, devnull;

	if (!mon_stdio) {
		setpgid(0, 0);
		devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	argv[n++] = "khyp-qmpd";
	argv[n++] = "--vm";
	argv[n++] = id;
	if (qmp) {
		argv[n++] = "--socket";
		argv[n++] = qmp;
	}
	if (mon) {
		argv[n++] = "--monitor-socket";
		argv[n++] = mon;
	}
	if (mon_stdio)
		argv[n++] = "--monitor-stdio";
	if (mon_fd >= 0) {
		fcntl(mon_fd, F_SETFD, 0);	/* inherited across exec */
		snprintf(fd_arg, sizeof(fd_arg), "%d", mon_fd);
		argv[n++] = "--monitor-fd";
		argv[n++] = fd_arg;
	}
	argv[n++] = "--pid";
	argv[n++] = ppid;
	argv[n] = NULL;
	execvp(prog, (char **)argv);
}

/*
 * Start khyp-qmpd for this VM if -qmp or -monitor asks for it, and wait
 * until it listens, so that, as with QEMU, the sockets exist before the
 * guest runs.
 */
int qmpd_start(struct vm *vm, const struct run_config *cfg)
{
	const char *qmp = cfg->qmp_path[0] ? cfg->qmp_path : NULL;
	const char *mon = cfg->monitor == MONITOR_UNIX ? cfg->monitor_path :
							 NULL;
	const char *what = qmp ? "-qmp" : cfg->serial_mon ?
			   "-serial mon:stdio" : "-monitor";
	char prog_buf[PATH_MAX], id[16], ppid[16];
	const char *prog = qmpd_program(prog_buf, sizeof(prog_buf));
	struct khyp_vm_info info;
	int pfd[2], sv[2] = { -1, -1 }, err = 0, i;
	ssize_t r;
	pid_t pid;

	if (!qmp && cfg->monitor == MONITOR_NONE && !cfg->serial_mon)
		return 0;
	if (ioctl(vm->fd, KHYP_GET_VM_INFO, &info) < 0) {
		error("KHYP_GET_VM_INFO: %s", strerror(errno));
		return -1;
	}
	snprintf(id, sizeof(id), "%u", info.id);
	snprintf(ppid, sizeof(ppid), "%d", (int)getpid());
	unlink_stale(qmp);
	unlink_stale(mon);
	if (cfg->serial_mon &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
		       sv)) {
		error("socketpair: %s", strerror(errno));
		return -1;
	}
	qmpd_monitor_fd = sv[0];
	if (pipe2(pfd, O_CLOEXEC)) {
		error("pipe: %s", strerror(errno));
		if (sv[1] >= 0)
			close(sv[1]);
		qmpd_stop();
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		error("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		if (sv[1] >= 0)
			close(sv[1]);
		qmpd_stop();
		return -1;
	}
	if (pid == 0) {
		qmpd_exec(prog, id, ppid, qmp, mon,
			  cfg->monitor == MONITOR_STDIO, sv[1]);
		err = errno;
		pipe_notify(pfd[1], &err, sizeof(err));
		_exit(127);
	}
	close(pfd[1]);
	if (sv[1] >= 0)
		close(sv[1]);
	do {
		r = read(pfd[0], &err, sizeof(err));
	} while (r < 0 && errno == EINTR);
	close(pfd[0]);
	qmpd_pid = pid;
	if (r == sizeof(err)) {
		error("%s: cannot run %s: %s", what, prog, strerror(err));
		qmpd_stop();
		return -1;
	}
	for (i = 0; i < 500; i++) {
		if (is_socket(qmp) && is_socket(mon))
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			qmpd_pid = -1;
			error("%s: %s exited", what, prog);
			return -1;
		}
		usleep(10000);
	}
	error("%s: %s did not create %s", what, prog,
	      is_socket(qmp) ? mon : qmp);
	qmpd_stop();
	return -1;
}
