// SPDX-License-Identifier: GPL-2.0
/*
 * khyp-qmpd's transport: the QMP wire protocol (docs/interop/qmp-spec.rst
 * in QEMU) on a UNIX socket.  A greeting, one JSON object per request,
 * CRLF after each object sent, events with timestamps to the clients past
 * negotiation.  Several clients at once; bad input gets an error, never
 * the daemon's end.  HMP clients (a UNIX socket's, stdin/stdout) get
 * QEMU's banner and prompt, one command a line, and its text with CRLF
 * line ends as QEMU's monitor writes them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "hmp.h"
#include "qmpd_server.h"

#define MAX_CLIENTS	16
#define MAX_INPUT	(1 << 20)	/* bytes without a complete object */
#define MAX_OUTPUT	(16 << 20)	/* a client that never reads */

struct client {
	int fd;
	int out_fd;		/* fd, or stdout for the stdio monitor */
	bool hmp;
	struct qmp_session session;
	bool skip_line;		/* dropping bad input up to a newline */
	char *in;
	size_t in_len;
	char *out;
	size_t out_len;
};

static struct client clients[MAX_CLIENTS];

/* ---- output ---- */

static void client_close(struct client *c)
{
	if (c->fd != STDIN_FILENO)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void client_flush(struct client *c)
{
	while (c->out_len) {
		/* SIGPIPE is ignored; a socket client's fd is non-blocking */
		ssize_t n = write(c->out_fd, c->out, c->out_len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			client_close(c);
			return;
		}
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
}

/* Queue @len bytes of @s for @c, each \n as CRLF if @crlf. */
static void client_write(struct client *c, const char *s, size_t len,
			 bool crlf)
{
	size_t i, n = len;
	char *out;

	for (i = 0; crlf && i < len; i++)
		n += s[i] == '\n';
	if (c->out_len + n > MAX_OUTPUT) {
		client_close(c);
		return;
	}
	out = realloc(c->out, c->out_len + n);
	if (!out)
		return;
	c->out = out;
	for (i = 0; i < len; i++) {
		if (crlf && s[i] == '\n')
			out[c->out_len++] = '\r';
		out[c->out_len++] = s[i];
	}
	client_flush(c);
}

/* Queue @obj (reference stolen) and CRLF for @c. */
static void client_send(struct client *c, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER), *t;
	size_t len;

	json_decref(obj);
	if (!s)
		return;
	len = strlen(s);
	t = realloc(s, len + 3);
	if (!t) {
		free(s);
		return;
	}
	memcpy(t + len, "\r\n", 3);
	client_write(c, t, len + 2, false);
	free(t);
}

/* HMP: @line's output (the banner's if NULL), then the prompt. */
static void hmp_send(struct client *c, struct qmp_vm *q, const char *line)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (line)
		hmp_command(q, line, f);
	else
		hmp_banner(q, f);
	fputs(HMP_PROMPT, f);
	fclose(f);
	client_write(c, buf, len, true);
	free(buf);
}

static void send_parse_error(struct client *c, const char *desc)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "JSON parse error, %s", desc);
	client_send(c, qmp_error_reply(QMP_ERR_GENERIC, buf, NULL));
}

/* The events @q queued, to every client past negotiation. */
static void broadcast_events(struct qmp_vm *q)
{
	json_t *events = qmp_take_events(q), *ev;
	struct timeval tv;
	size_t e;
	int i;

	gettimeofday(&tv, NULL);
	json_array_foreach(events, e, ev) {
		json_object_set_new(ev, "timestamp",
				    json_pack("{sI sI}", "seconds",
					      (json_int_t)tv.tv_sec,
					      "microseconds",
					      (json_int_t)tv.tv_usec));
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 && !clients[i].hmp &&
			    clients[i].session.negotiated)
				client_send(&clients[i], json_incref(ev));
	}
	json_decref(events);
}

void qmpd_kernel_event(const struct knl_event *ev, void *arg)
{
	qmp_kernel_event(arg, ev);
	broadcast_events(arg);
}

/* ---- input framing ---- */

/*
 * Length of the first complete JSON object or array in @buf (after
 * leading whitespace, counted in), 0 if incomplete, -1 if what starts
 * there is no object or array.
 */
static ssize_t frame_len(const char *buf, size_t len)
{
	bool in_str = false, esc = false;
	int depth = 0;
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	if (i == len)
		return 0;
	if (buf[i] != '{' && buf[i] != '[')
		return -1;
	for (; i < len; i++) {
		char ch = buf[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"')
			in_str = true;
		else if (ch == '{' || ch == '[')
			depth++;
		else if ((ch == '}' || ch == ']') && --depth == 0)
			return i + 1;
	}
	return 0;
}

static void consume(struct client *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

/* HMP: each complete line is a command. */
static void hmp_input(struct qmp_vm *q, struct client *c)
{
	char *nl;

	while (c->fd >= 0 && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t n = nl - c->in + 1;

		*nl = '\0';
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = '\0';
		hmp_send(c, q, c->in);
		broadcast_events(q);
		if (c->fd >= 0)
			consume(c, n);
	}
	if (c->fd >= 0 && c->in_len > MAX_INPUT)
		c->in_len = 0;	/* no line that long: drop it */
}

static void client_input(struct qmp_vm *q, struct client *c)
{
	while (c->fd >= 0 && c->in_len) {
		ssize_t n = frame_len(c->in, c->in_len);
		json_error_t err;
		json_t *req;
		char *nl;

		if (c->skip_line) {
			nl = memchr(c->in, '\n', c->in_len);
			consume(c, nl ? (size_t)(nl - c->in) + 1 : c->in_len);
			c->skip_line = !nl;
			continue;
		}
		if (n == 0) {
			size_t i = 0;

			while (i < c->in_len && strchr(" \t\r\n", c->in[i]))
				i++;
			consume(c, i);
			/* State first: a failed send closes and wipes @c. */
			if (c->in_len > MAX_INPUT) {
				c->in_len = 0;
				c->skip_line = true;
				send_parse_error(c, "input too long without a complete object");
			}
			return;
		}
		if (n < 0) {
			/* Not an object: skip to the next line, report it. */
			c->skip_line = true;
			send_parse_error(c, "invalid token");
			continue;
		}
		req = json_loadb(c->in, n, JSON_DISABLE_EOF_CHECK |
				 JSON_DECODE_ANY, &err);
		consume(c, n);
		if (!req) {
			send_parse_error(c, err.text);
			continue;
		}
		client_send(c, qmp_dispatch(q, &c->session, req));
		json_decref(req);
		broadcast_events(q);
	}
}

static void client_read(struct qmp_vm *q, struct client *c)
{
	char buf[65536];
	ssize_t n = read(c->fd, buf, sizeof(buf));
	char *in;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	in = realloc(c->in, c->in_len + n);
	if (!in) {
		client_close(c);
		return;
	}
	memcpy(in + c->in_len, buf, n);
	c->in = in;
	c->in_len += n;
	if (c->hmp)
		hmp_input(q, c);
	else
		client_input(q, c);
}

/*
 * Only root and the daemon's own user may drive the VM, whatever the
 * socket's mode or directory allow.
 */
static bool client_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		fprintf(stderr, "khyp-qmpd: refused a client: SO_PEERCRED: %s\n",
			strerror(errno));
		return false;
	}
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	fprintf(stderr,
		"khyp-qmpd: refused a client with uid %u (pid %d): only root and uid %u may connect\n",
		cred.uid, cred.pid, geteuid());
	return false;
}

/* A new client on @in_fd/@out_fd: the greeting, or the banner. */
static void client_open(struct qmp_vm *q, int in_fd, int out_fd, bool hmp)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd < 0)
			break;
	if (i == MAX_CLIENTS) {
		close(in_fd);
		return;
	}
	/* all of it: nothing of the slot's last client survives */
	clients[i] = (struct client){ .fd = in_fd, .out_fd = out_fd,
				      .hmp = hmp };
	if (hmp)
		hmp_send(&clients[i], q, NULL);
	else
		client_send(&clients[i], qmp_greeting());
}

static void client_accept(struct qmp_vm *q, int listen_fd, bool hmp)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (!client_allowed(fd)) {
		close(fd);
		return;
	}
	client_open(q, fd, fd, hmp);
}

/* ---- the socket and the loop ---- */

int qmpd_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t umask_was;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "khyp-qmpd: socket path too long\n");
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* A socket left by an earlier instance: replace it. */
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* bind() creates the socket file: 0600, not what the umask leaves */
	umask_was = umask(0177);
	r = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(umask_was);
	if (r || listen(fd, 8)) {
		fprintf(stderr, "khyp-qmpd: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void qmpd_serve(struct qmp_vm *q, const struct qmpd_fds *fds,
		const volatile sig_atomic_t *stop)
{
	/* the listeners, the kernel's events, the clients, the launcher */
	struct pollfd pfd[MAX_CLIENTS + 4];
	int i, r;

	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	if (fds->hmp_stdio)
		client_open(q, STDIN_FILENO, STDOUT_FILENO, true);
	if (fds->hmp_fd >= 0)
		client_open(q, fds->hmp_fd, fds->hmp_fd, true);
	while (!*stop) {
		int n = 0;

		/* poll() skips negative fds: a listener not asked for */
		pfd[n].fd = fds->qmp;
		pfd[n++].events = POLLIN;
		pfd[n].fd = fds->hmp;
		pfd[n++].events = POLLIN;
		pfd[n].fd = knl_event_fd(q->nl);
		pfd[n++].events = POLLIN;
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];

			pfd[n].fd = c->fd;
			pfd[n++].events = c->fd < 0 ? 0 :
				POLLIN | (c->out_len ? POLLOUT : 0);
		}
		/* a pidfd polls readable once its process has exited */
		pfd[n].fd = q->launcher;
		pfd[n++].events = POLLIN;
		r = poll(pfd, n, 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (pfd[MAX_CLIENTS + 3].revents)
			break;
		if (pfd[2].revents)
			knl_events(q->nl);
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];
			short re = pfd[i + 3].revents;

			if (c->fd < 0 || !re)
				continue;
			if (re & POLLOUT)
				client_flush(c);
			if (c->fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR)))
				client_read(q, c);
		}
		if (pfd[0].revents & POLLIN)
			client_accept(q, fds->qmp, false);
		if (pfd[1].revents & POLLIN)
			client_accept(q, fds->hmp, true);
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	if (fds->qmp >= 0)
		close(fds->qmp);
	if (fds->hmp >= 0)
		close(fds->hmp);
}
