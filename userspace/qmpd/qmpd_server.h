/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp-qmpd's transport: the listening socket, its clients, QMP's framing
 * and greeting, and the events broadcast to negotiated clients.  Requests
 * go to qmp_dispatch().
 */
#ifndef QMPD_SERVER_H
#define QMPD_SERVER_H

#include <signal.h>
#include "qmp.h"

/* A listening UNIX socket at @path (one left behind is replaced), or -1. */
int qmpd_listen(const char *path);

/* knl_open()'s event callback; @arg is the struct qmp_vm. */
void qmpd_kernel_event(const struct knl_event *ev, void *arg);

/*
 * Serve @listen_fd (closed on return) and @q's kernel events until @stop
 * is set or @q's launcher is gone.
 */
void qmpd_serve(struct qmp_vm *q, int listen_fd,
		const volatile sig_atomic_t *stop);

#endif /* QMPD_SERVER_H */
