// SPDX-License-Identifier: GPL-2.0
/*
 * -serial mon:stdio's multiplexer, as QEMU 7.2's: C-a h help, x exit,
 * s save (no disks: nothing), t timestamps, b break, c console/monitor,
 * C-a C-a a literal C-a; any other escape is dropped with its C-a.
 */
#include <stdio.h>
#include <string.h>

#include "mux.h"

/* QEMU's texts, its "%" being the escape's name */
const char *const mux_help_text =
	"\n\r"
	"C-a h    print this help\n\r"
	"C-a x    exit emulator\n\r"
	"C-a s    save disk data back to file (if -snapshot)\n\r"
	"C-a t    toggle console timestamps\n\r"
	"C-a b    send break (magic sysrq)\n\r"
	"C-a c    switch between console and monitor\n\r"
	"C-a C-a  sends C-a\n\r";
const char *const mux_exit_text = "QEMU: Terminated\n\r";

void mux_init(struct mux *m)
{
	memset(m, 0, sizeof(*m));
	m->stamp_start = -1;
}

enum mux_action mux_input(struct mux *m, uint8_t c)
{
	if (!m->escape) {
		m->escape = c == MUX_ESCAPE;
		return m->escape ? MUX_NONE : MUX_PASS;
	}
	m->escape = false;
	switch (c) {
	case MUX_ESCAPE:
		return MUX_PASS;
	case 'h':
	case '?':
		return MUX_HELP;
	case 'x':
		return MUX_EXIT;
	case 'b':
		return MUX_BREAK;
	case 'c':
		m->monitor = !m->monitor;
		return MUX_SWITCH;
	case 't':
		/* as QEMU: the stamps start after the next newline */
		m->timestamps = !m->timestamps;
		m->stamp_start = -1;
		m->line_start = false;
		return MUX_NONE;
	default:
		return MUX_NONE;
	}
}

size_t mux_stamp(struct mux *m, int64_t now_ms, char *buf)
{
	int64_t t;
	int s;

	if (!m->timestamps || !m->line_start)
		return 0;
	if (m->stamp_start < 0)
		m->stamp_start = now_ms;
	t = now_ms - m->stamp_start;
	s = t / 1000;
	m->line_start = false;
	return snprintf(buf, MUX_STAMP_MAX, "[%02d:%02d:%02d.%03d] ",
			s / 3600, s / 60 % 60, s % 60, (int)(t % 1000));
}

size_t mux_span(struct mux *m, const char *p, size_t n)
{
	const char *nl;

	if (!m->timestamps)
		return n;
	nl = memchr(p, '\n', n);
	if (!nl)
		return n;
	m->line_start = true;
	return nl - p + 1;
}

size_t mux_line_input(struct mux_line *l, uint8_t c, char *echo,
		      bool *done)
{
	*done = false;
	if (l->esc == 1) {
		l->esc = (c == '[' || c == 'O') ? 2 : 0;
		return 0;
	}
	if (l->esc == 2) {
		/* parameters until the final byte, 0x40..0x7e */
		if (c >= 0x40 && c <= 0x7e)
			l->esc = 0;
		return 0;
	}
	switch (c) {
	case '\033':
		l->esc = 1;
		return 0;
	case '\r':
	case '\n':
		l->buf[l->len] = '\0';
		*done = true;
		memcpy(echo, "\r\n", 2);
		return 2;
	case '\b':
	case 0x7f:
		if (!l->len)
			return 0;
		l->len--;
		memcpy(echo, "\b \b", 3);
		return 3;
	}
	if (c < 0x20 || l->len >= sizeof(l->buf) - 1)
		return 0;
	l->buf[l->len++] = c;
	echo[0] = c;
	return 1;
}
