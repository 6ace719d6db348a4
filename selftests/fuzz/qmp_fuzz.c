// SPDX-License-Identifier: GPL-2.0
/*
 * qmp_fuzz: khyp-qmpd's QMP framing and command dispatch on one input, for
 * libFuzzer (make fuzz) and for the replay of the seed corpus and of past
 * crashes (selftests/unit/qmp_fuzz_test, in make check).
 *
 * The transport is compiled in whole (its framing is static) with one
 * client on a socketpair, the kernel is fake_knl.c's.  The input's first
 * byte steers the run: bits 0-1 split the rest into that many reads plus
 * one, bit 2 makes a request fail inside the fake kernel (after bits 3-4
 * requests), bit 5 hangs up the peer before the last read (so that
 * replies fail and the daemon closes the client while it parses), bit 6
 * starts with negotiation done, bit 7 feeds the last 64 bytes to the
 * daemon as a kernel event instead of as client input.  Besides the
 * sanitizers' findings, a closed client's slot must be clean: the next
 * client gets it.
 */
#include "qmpd_server.c"
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "fake_knl.h"
#include "qmp_fuzz.h"

static pid_t launcher;
static int launcher_fd = -1;	/* its pidfd, what qmp_vm_init() takes */

/* A launcher that survives "quit" (SIGTERM) until the process ends. */
static void launcher_fini(void)
{
	kill(launcher, SIGKILL);
	waitpid(launcher, NULL, 0);
}

static void launcher_init(void)
{
	if (launcher)
		return;
	launcher = fork();
	if (!launcher) {
		/* Nothing of ours open, gone with us even on _exit(). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(0);
		close(1);
		close(2);
		signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	launcher_fd = syscall(SYS_pidfd_open, launcher, 0);
	atexit(launcher_fini);
}

static void drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* The event a kernel could send about VM 3, from @d's bytes. */
static void kernel_event(struct qmp_vm *q, const uint8_t *d)
{
	struct knl_event ev = {
		.cmd = d[0] % (KHYP_CMD_MAX + 2),
		.vm_id = d[1] & 1 ? 3 : d[1],
		.cpu_index = d[2] % 8,
		.ost_source = d[3],
		.ost_status = d[4],
	};

	memcpy(ev.id, d + 8, 16);
	ev.id[d[5] % sizeof(ev.id)] = '\0';
	memcpy(ev.path, d + 24, 16);
	ev.path[d[6] % 17] = '\0';
	memcpy(ev.message, d + 40, 24);
	ev.message[d[7] % 25] = '\0';
	qmpd_kernel_event(&ev, q);
}

int qmp_fuzz_one(const uint8_t *data, size_t size)
{
	static const int errs[] = { -EIO, -ENODEV, -EEXIST, -EINVAL,
				    -ENOENT, -EPERM, -EOPNOTSUPP, -ENOBUFS };
	struct client *c = &clients[0];
	struct knl nl = {};
	struct qmp_vm q;
	size_t chunks, off, len, i;
	uint8_t ctl;
	int sv[2];

	if (!size)
		return 0;
	launcher_init();
	ctl = *data++;
	size--;
	fake_reset();
	if (ctl & 4)
		fake_fail_after(ctl >> 3 & 3, errs[size % ARRAY_SIZE(errs)],
				"fuzzed failure");
	qmp_vm_init(&q, &nl, launcher_fd);
	q.vm = fake.vm;
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		abort();
	c->fd = sv[0];
	c->session.negotiated = ctl & 0x40;
	client_send(c, qmp_greeting());
	if (ctl & 0x80 && size >= 64) {
		size -= 64;
		kernel_event(&q, data + size);
	}
	chunks = (ctl & 3) + 1;
	for (off = 0, i = 0; i < chunks && c->fd >= 0; i++, off += len) {
		len = i + 1 == chunks ? size - off : (size - off) / 2;
		if (i + 1 == chunks && ctl & 0x20) {
			close(sv[1]);
			sv[1] = -1;
		}
		/* as client_read() appends what recv() gave */
		c->in = realloc(c->in, c->in_len + len + 1);
		memcpy(c->in + c->in_len, data + off, len);
		c->in_len += len;
		client_input(&q, c);
		if (sv[1] >= 0)
			drain(sv[1]);
	}
	if (c->fd < 0 && (c->in || c->in_len || c->skip_line || c->out ||
			  c->out_len || c->session.negotiated)) {
		fprintf(stderr, "qmp_fuzz: a closed client's slot is not clean\n");
		abort();
	}
	if (c->fd >= 0)
		client_close(c);
	if (sv[1] >= 0)
		close(sv[1]);
	qmp_vm_fini(&q);
	return 0;
}
