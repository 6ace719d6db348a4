/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's human monitor (HMP) over khyp-qmpd's QMP commands: a line of
 * text in, the text QEMU would print out.  As in QEMU, each HMP command
 * calls the QMP command (qmp_execute()) and formats its result, so the
 * two monitors cannot disagree.  No I/O here: the transport
 * (qmpd_server.c) reads the lines and writes the text.
 */
#ifndef HMP_H
#define HMP_H

#include <stdio.h>
#include "qmp.h"

#define HMP_PROMPT	"(qemu) "

/* "QEMU 8.2.0 monitor - type 'help' for more information\n" */
void hmp_banner(struct qmp_vm *q, FILE *out);

/* Parse and run one command line (no newline), its output to @out. */
void hmp_command(struct qmp_vm *q, const char *line, FILE *out);

#endif /* HMP_H */
