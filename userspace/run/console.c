// SPDX-License-Identifier: GPL-2.0
/*
 * -serial stdio: the terminal in raw mode, stdin to the guest's COM1 and
 * COM1 to stdout, through the VM fd's read and write.  -serial file:PATH:
 * COM1 to PATH, created or truncated once, as QEMU's file backend does.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "run.h"

static struct termios saved_tty;
static bool tty_raw;
static int out_fd = STDOUT_FILENO;	/* where COM1's output goes */

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

void console_init(struct console *c, int vm_fd, enum serial_mode mode)
{
	memset(c, 0, sizeof(*c));
	c->vm_fd = vm_fd;
	c->to_stdout = mode != SERIAL_NONE;
	c->stdin_open = mode == SERIAL_STDIO;
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
		if (c->to_stdout && write_all(out_fd, buf, r))
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

void console_read_stdin(struct console *c)
{
	ssize_t r = read(STDIN_FILENO, c->in, sizeof(c->in));

	if (r > 0) {
		c->in_len = r;
		c->in_off = 0;
	} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		c->stdin_open = false;	/* EOF: guest runs on */
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
