// SPDX-License-Identifier: GPL-2.0
/*
 * -qmp: khyp-run starts khyp-qmpd for each VM it creates, as a child in
 * its own process group, and stops it with the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "run.h"

pid_t qmpd_pid = -1;

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
	if (qmpd_pid <= 0)
		return;
	/* Our unreaped child: its PID cannot be reused before the waitpid. */
	kill(qmpd_pid, SIGTERM);
	while (waitpid(qmpd_pid, NULL, 0) < 0 && errno == EINTR)
		;
	qmpd_pid = -1;
}

/*
 * Start khyp-qmpd for this VM and wait until it listens, so that, as with
 * QEMU, the socket exists before the guest runs.
 */
int qmpd_start(struct vm *vm, const struct run_config *cfg)
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
