/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp-qmpd's transport: the listening sockets, their clients, QMP's
 * framing and greeting, and the events broadcast to negotiated clients;
 * the HMP monitor's lines, banner and prompt.  Requests go to
 * qmp_dispatch(), monitor lines to hmp_command().
 */
#ifndef QMPD_SERVER_H
#define QMPD_SERVER_H

#include <signal.h>
#include "qmp.h"

/* A listening UNIX socket at @path (one left behind is replaced), or -1. */
int qmpd_listen(const char *path);

/* knl_open()'s event callback; @arg is the struct qmp_vm. */
void qmpd_kernel_event(const struct knl_event *ev, void *arg);

/* What to serve; -1 for a socket not asked for. */
struct qmpd_fds {
	int qmp;		/* listening: QMP */
	int hmp;		/* listening: the HMP monitor */
	bool hmp_stdio;		/* the HMP monitor on stdin/stdout */
	int hmp_fd;		/* an HMP client connected: mon:stdio's */
};

/*
 * Serve @fds (the listeners closed on return) and @q's kernel events
 * until @stop is set or @q's launcher is gone.
 */
void qmpd_serve(struct qmp_vm *q, const struct qmpd_fds *fds,
		const volatile sig_atomic_t *stop);

#endif /* QMPD_SERVER_H */
