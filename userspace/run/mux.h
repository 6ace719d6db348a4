/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mux.h - -serial mon:stdio: one terminal shared by the guest's serial
 * console and the HMP monitor, switched with QEMU's escape, Ctrl-A.
 * Pure state machines; console.c does the I/O.
 */
#ifndef KHYP_RUN_MUX_H
#define KHYP_RUN_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MUX_ESCAPE	0x01	/* C-a, QEMU's default -echr */

enum mux_action {
	MUX_PASS,	/* the byte is for the side in focus */
	MUX_NONE,	/* taken: C-a, C-a s or t, an unknown escape */
	MUX_HELP,	/* C-a h or C-a ?: print mux_help_text */
	MUX_EXIT,	/* C-a x: print mux_exit_text and end */
	MUX_SWITCH,	/* C-a c: the focus moved */
	MUX_BREAK,	/* C-a b: a break for the side in focus */
};

struct mux {
	bool escape;		/* the last byte was C-a */
	bool monitor;		/* the focus: the monitor, else the console */
	bool timestamps;	/* C-a t: output lines stamped */
	bool line_start;	/* the next output byte starts a line */
	int64_t stamp_start;	/* ms of the first stamp, -1 before it */
};

extern const char *const mux_help_text;
extern const char *const mux_exit_text;

/* As QEMU starts: the console in focus. */
void mux_init(struct mux *m);

/* One byte typed at the terminal. */
enum mux_action mux_input(struct mux *m, uint8_t c);

/* "[hh:mm:ss.mmm] " and its NUL */
#define MUX_STAMP_MAX	32

/*
 * C-a t: the stamp due before the next output byte, at @now_ms, into
 * @buf; its length, 0 if none is due.
 */
size_t mux_stamp(struct mux *m, int64_t now_ms, char *buf);

/* How many of @p's @n output bytes to write before the next stamp. */
size_t mux_span(struct mux *m, const char *p, size_t n);

/*
 * The monitor's line as the terminal (raw, for the console's sake)
 * delivers it: what the tty's line discipline does for -monitor stdio,
 * i.e. echo, backspace and Enter; other control bytes and terminal
 * escape sequences (arrow keys) are dropped.
 */
#define MUX_LINE_MAX	1024
#define MUX_ECHO_MAX	4

struct mux_line {
	char buf[MUX_LINE_MAX];	/* NUL-terminated when done */
	size_t len;
	int esc;		/* 1: after ESC; 2: in ESC [ or ESC O */
};

/*
 * One byte typed at the monitor: its echo into @echo, and its length;
 * *@done when it ended the line in l->buf (the caller then empties it).
 */
size_t mux_line_input(struct mux_line *l, uint8_t c, char *echo,
		      bool *done);

#endif /* KHYP_RUN_MUX_H */
