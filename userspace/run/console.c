// SPDX-License-Identifier: GPL-2.0
/*
 * -serial stdio: the terminal in raw mode, stdin to the guest's COM1 and
 * COM1 to stdout, through the VM fd's read and write.  -serial file:PATH:
 * COM1 to PATH, created or truncated once, as QEMU's file backend does.
 *
 * -serial mon:stdio: the terminal multiplexed, as QEMU's mux chardev
 * does, between COM1 and the HMP monitor, whose client khyp-run is on
 * qmpd_monitor_fd (mux.c has the escapes and the line editing).  As in
 * QEMU, the console has the focus first; the guest's output is shown
 * whatever has the focus, the monitor's only while it has it (kept
 * until then: the banner appears at the first C-a c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>

#include "mux.h"
#include "run.h"

#define MON_HELD_MAX	65536	/* monitor output kept; beyond, dropped */

static struct termios saved_tty;
static bool tty_raw;
static int out_fd = STDOUT_FILENO;	/* where COM1's output goes */

/* -serial mon:stdio's state, which outlives a guest reset's new VM */
static bool mux_on;
static struct mux mux;
static struct mux_line mon_line;
static bool mon_entered;	/* focused since it connected */
static char mon_held[MON_HELD_MAX];
static size_t mon_held_len;

void tty_restore(void)
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

int console_open(const struct run_config *cfg)
{
	mux_on = cfg->serial_mon;
	mux_init(&mux);
	if (cfg->serial == SERIAL_STDIO)
		tty_make_raw();
	if (cfg->serial != SERIAL_FILE)
		return 0;
	out_fd = open(cfg->serial_path, O_WRONLY | O_CREAT | O_TRUNC |
		      O_CLOEXEC, 0666);
	if (out_fd < 0) {
		error("-serial file:%s: %s", cfg->serial_path, strerror(errno));
		return -1;
	}
	return 0;
}

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

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* To the terminal, with C-a t's stamps if on. */
static int term_write(const void *buf, size_t n)
{
	char stamp[MUX_STAMP_MAX];
	const char *p = buf;
	size_t k;

	while (n) {
		k = mux_stamp(&mux, now_ms(), stamp);
		if (k && write_all(STDOUT_FILENO, (uint8_t *)stamp, k))
			return -1;
		k = mux_span(&mux, p, n);
		if (write_all(STDOUT_FILENO, (const uint8_t *)p, k))
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

static void term_puts(const char *s)
{
	term_write(s, strlen(s));
}

void console_init(struct console *c, int vm_fd, enum serial_mode mode,
		  int mon_fd)
{
	memset(c, 0, sizeof(*c));
	c->vm_fd = vm_fd;
	c->mon_fd = mon_fd;
	c->to_stdout = mode != SERIAL_NONE;
	c->stdin_open = mode == SERIAL_STDIO;
	/* a new VM's khyp-qmpd: a new monitor, its banner to come */
	mon_entered = false;
	mon_held_len = 0;
	memset(&mon_line, 0, sizeof(mon_line));
}

/* Copy what the guest wrote to its console to stdout. */
void console_drain(struct console *c)
{
	uint8_t buf[4096];
	ssize_t r;
	int i;

	for (i = 0; i < 64; i++) {
		r = read(c->vm_fd, buf, sizeof(buf));
		if (r <= 0)
			return;
		if (c->to_stdout && (mux_on ? term_write(buf, r) :
				     write_all(out_fd, buf, r)))
			c->to_stdout = false;
	}
}

bool console_wants_stdin(const struct console *c)
{
	return c->stdin_open && !console_input_pending(c);
}

bool console_input_pending(const struct console *c)
{
	return c->in_off < c->in_len;
}

/* A line for the monitor; "" has it print just its prompt. */
static void monitor_send(struct console *c, const char *line)
{
	if (c->mon_fd < 0)
		return;
	if (write_all(c->mon_fd, (const uint8_t *)line, strlen(line)) ||
	    write_all(c->mon_fd, (const uint8_t *)"\n", 1))
		c->mon_fd = -1;
}

static void monitor_key(struct console *c, uint8_t ch)
{
	char echo[MUX_ECHO_MAX];
	bool done;

	term_write(echo, mux_line_input(&mon_line, ch, echo, &done));
	if (done) {
		monitor_send(c, mon_line.buf);
		mon_line.len = 0;
	}
}

/*
 * C-a c, as QEMU's monitor takes it: leaving, it ends its line; back, it
 * drops the line typed before and prompts again.
 */
static void mux_switched(struct console *c)
{
	if (!mux.monitor) {
		term_puts("\r\n");
		return;
	}
	term_write(mon_held, mon_held_len);
	mon_held_len = 0;
	if (mon_entered) {
		memset(&mon_line, 0, sizeof(mon_line));
		monitor_send(c, "");
	}
	mon_entered = true;
}

/* @n bytes typed, through the mux: the console's left in c->in. */
static size_t mux_filter(struct console *c, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && !c->exit_req; i++) {
		switch (mux_input(&mux, c->in[i])) {
		case MUX_PASS:
			if (mux.monitor)
				monitor_key(c, c->in[i]);
			else
				c->in[k++] = c->in[i];
			break;
		case MUX_NONE:
			break;
		case MUX_HELP:
			term_puts(mux_help_text);
			break;
		case MUX_EXIT:
			term_puts(mux_exit_text);
			c->exit_req = true;
			break;
		case MUX_SWITCH:
			mux_switched(c);
			break;
		case MUX_BREAK:
			/* QEMU's monitor ignores a break */
			if (!mux.monitor)
				error("C-a b: not sent: khyp's serial port cannot receive a break");
			break;
		}
	}
	return k;
}

void console_read_stdin(struct console *c)
{
	ssize_t r = read(STDIN_FILENO, c->in, sizeof(c->in));

	if (r > 0) {
		c->in_len = mux_on ? mux_filter(c, r) : (size_t)r;
		c->in_off = 0;
	} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		c->stdin_open = false;	/* EOF: guest runs on */
	}
}

void console_read_monitor(struct console *c)
{
	char buf[4096];
	ssize_t r = read(c->mon_fd, buf, sizeof(buf));

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		c->mon_fd = -1;		/* khyp-qmpd is gone */
		return;
	}
	if (mux.monitor) {
		term_write(buf, r);
	} else if ((size_t)r <= sizeof(mon_held) - mon_held_len) {
		memcpy(mon_held + mon_held_len, buf, r);
		mon_held_len += r;
	}
}

void console_write_guest(struct console *c)
{
	ssize_t r;

	if (!console_input_pending(c))
		return;
	r = write(c->vm_fd, c->in + c->in_off, c->in_len - c->in_off);
	if (r > 0)
		c->in_off += r;
	else if (r < 0 && errno != EAGAIN && errno != EINTR)
		c->in_off = c->in_len;	/* drop it */
}
