// SPDX-License-Identifier: GPL-2.0
/*
 * mux_test.c - -serial mon:stdio's multiplexer: QEMU's Ctrl-A escapes,
 * the monitor's line as a person types it, and C-a t's timestamps.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "mux.h"

/* Feed @s to @m; the actions, one letter each, into @acts. */
static void feed(struct mux *m, const char *s, size_t n, char *acts)
{
	static const char letter[] = {
		[MUX_PASS] = 'p', [MUX_NONE] = '-', [MUX_HELP] = 'h',
		[MUX_EXIT] = 'x', [MUX_SWITCH] = 'c', [MUX_BREAK] = 'b',
	};
	size_t i;

	for (i = 0; i < n; i++)
		acts[i] = letter[mux_input(m, (unsigned char)s[i])];
	acts[n] = '\0';
}

#define FEED(m, s, want) do {						\
	char acts[64];							\
	feed(m, s, sizeof(s) - 1, acts);				\
	ASSERT_STREQ(want, acts);					\
} while (0)

/* QEMU starts on the console; bytes pass until C-a. */
TEST(escapes)
{
	struct mux m;

	mux_init(&m);
	ASSERT_FALSE(m.monitor);
	FEED(&m, "ls\r", "ppp");
	FEED(&m, "\001c", "-c");
	ASSERT_TRUE(m.monitor);
	FEED(&m, "\001c", "-c");
	ASSERT_FALSE(m.monitor);
	FEED(&m, "\001h\001?", "-h-h");
	FEED(&m, "\001x", "-x");
	FEED(&m, "\001b", "-b");
	/* C-a C-a: one literal C-a for the side in focus */
	FEED(&m, "\001\001", "-p");
	FEED(&m, "\001\001\001c", "-p-c");
	ASSERT_TRUE(m.monitor);
	/* C-a s: no disks, nothing to commit, as QEMU without any */
	FEED(&m, "\001s", "--");
	/* an unknown escape: both bytes dropped, as QEMU does */
	FEED(&m, "\001z\001C\001 a", "------p");
	ASSERT_TRUE(m.monitor);
	ASSERT_FALSE(m.escape);
	/* an escape split across reads */
	FEED(&m, "\001", "-");
	ASSERT_TRUE(m.escape);
	FEED(&m, "c", "c");
	ASSERT_FALSE(m.monitor);
}

/* C-a h's text, QEMU 7.2's with its escape C-a. */
TEST(help_text)
{
	ASSERT_STREQ("\n\r"
		     "C-a h    print this help\n\r"
		     "C-a x    exit emulator\n\r"
		     "C-a s    save disk data back to file (if -snapshot)\n\r"
		     "C-a t    toggle console timestamps\n\r"
		     "C-a b    send break (magic sysrq)\n\r"
		     "C-a c    switch between console and monitor\n\r"
		     "C-a C-a  sends C-a\n\r", mux_help_text);
	ASSERT_STREQ("QEMU: Terminated\n\r", mux_exit_text);
}

/* C-a t: "[hh:mm:ss.mmm] " from the first stamp, at each line start. */
TEST(timestamps)
{
	const char *out = "one\ntwo\nthr";
	struct mux m;
	char buf[MUX_STAMP_MAX];
	size_t n;

	mux_init(&m);
	ASSERT_EQ(0, mux_stamp(&m, 1000, buf));
	ASSERT_EQ(strlen(out), mux_span(&m, out, strlen(out)));
	FEED(&m, "\001t", "--");
	ASSERT_TRUE(m.timestamps);
	/* toggled mid-line: the first stamp after the next newline */
	ASSERT_EQ(0, mux_stamp(&m, 5000, buf));
	ASSERT_EQ(4, mux_span(&m, out, strlen(out)));
	n = mux_stamp(&m, 5000, buf);
	ASSERT_EQ(15, n);
	buf[n] = '\0';
	ASSERT_STREQ("[00:00:00.000] ", buf);
	ASSERT_EQ(0, mux_stamp(&m, 5001, buf));
	ASSERT_EQ(4, mux_span(&m, out + 4, strlen(out + 4)));
	n = mux_stamp(&m, 5000 + 3723456, buf);
	buf[n] = '\0';
	ASSERT_STREQ("[01:02:03.456] ", buf);
	ASSERT_EQ(3, mux_span(&m, out + 8, strlen(out + 8)));
	ASSERT_EQ(0, mux_stamp(&m, 9000, buf));
	/* off, and on again: the clock restarts */
	FEED(&m, "\001t", "--");
	ASSERT_FALSE(m.timestamps);
	ASSERT_EQ(strlen(out), mux_span(&m, out, strlen(out)));
	ASSERT_EQ(0, mux_stamp(&m, 9000, buf));
	FEED(&m, "\001t", "--");
	ASSERT_EQ(4, mux_span(&m, out, strlen(out)));
	n = mux_stamp(&m, 20000, buf);
	buf[n] = '\0';
	ASSERT_STREQ("[00:00:00.000] ", buf);
}

/* Type @s at @l: the echo, and each completed line after a '|'. */
static void type(struct mux_line *l, const char *s, char *got, size_t len)
{
	char echo[MUX_ECHO_MAX];
	size_t n, used = 0;
	bool done;

	got[0] = '\0';
	for (; *s; s++) {
		n = mux_line_input(l, (unsigned char)*s, echo, &done);
		if (n > MUX_ECHO_MAX)	/* overran @echo: fail the test */
			n = snprintf(echo, sizeof(echo), "!");
		used += snprintf(got + used, len - used, "%.*s%s%s",
				 (int)n, echo, done ? "|" : "",
				 done ? l->buf : "");
		if (done)
			l->len = 0;
	}
}

#define TYPE(l, s, want) do {						\
	char got[512];							\
	type(l, s, got, sizeof(got));					\
	ASSERT_STREQ(want, got);					\
} while (0)

/* The monitor's line: echo, backspace, Enter; no terminal escapes. */
TEST(monitor_line)
{
	char echo[MUX_ECHO_MAX];
	struct mux_line l;
	bool done;
	int i;

	memset(&l, 0, sizeof(l));
	TYPE(&l, "info status\r", "info status\r\n|info status");
	TYPE(&l, "\r", "\r\n|");
	TYPE(&l, "infx\177o cpus\n", "infx\b \bo cpus\r\n|info cpus");
	TYPE(&l, "\b\b\177a\010b\r", "a\b \bb\r\n|b");
	/* arrow keys and other control bytes: not in the line */
	TYPE(&l, "q\033[Au\033OBi\001\tt\r", "quit\r\n|quit");
	/* a line too long: the rest neither kept nor echoed */
	for (i = 0; i < MUX_LINE_MAX + 8; i++)
		ASSERT_EQ(i < MUX_LINE_MAX - 1,
			  mux_line_input(&l, 'a', echo, &done));
	ASSERT_EQ(MUX_LINE_MAX - 1, l.len);
	ASSERT_EQ(2, mux_line_input(&l, '\r', echo, &done));
	ASSERT_TRUE(done);
	ASSERT_EQ(MUX_LINE_MAX - 1, strlen(l.buf));
}

TEST_HARNESS_MAIN
