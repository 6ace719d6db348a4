// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/khyp_genl.h>
#include "genl.h"

static struct nlmsghdr *hdr(struct tgenl_msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

void tgenl_start(struct tgenl *g, struct tgenl_msg *m, uint8_t cmd,
		 uint16_t flags)
{
	struct genlmsghdr *gh;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	hdr(m)->nlmsg_type = g->family;
	hdr(m)->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	hdr(m)->nlmsg_seq = ++g->seq;
	gh = NLMSG_DATA(hdr(m));
	gh->cmd = cmd;
	gh->version = KHYP_GENL_VERSION;
}

void tgenl_put(struct tgenl_msg *m, uint16_t type, const void *data,
	       size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
}

void tgenl_put_u32(struct tgenl_msg *m, uint16_t type, uint32_t v)
{
	tgenl_put(m, type, &v, sizeof(v));
}

void tgenl_put_str(struct tgenl_msg *m, uint16_t type, const char *s)
{
	tgenl_put(m, type, s, strlen(s) + 1);
}

int tgenl_call(struct tgenl *g, struct tgenl_msg *m)
{
	uint32_t seq = hdr(m)->nlmsg_seq;
	struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
	uint8_t buf[32768];
	struct nlmsghdr *h;
	ssize_t n;

	hdr(m)->nlmsg_len = m->len;
	if (send(g->fd, m->buf, m->len, 0) < 0)
		return -errno;
	for (;;) {
		if (poll(&pfd, 1, 10000) != 1)
			return -ETIMEDOUT;
		n = recv(g->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == ENOBUFS ? -ENOBUFS : -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ?
					-EIO : e->error;
			}
		}
	}
}

static int resolve(struct tgenl *g)
{
	struct tgenl_msg m;
	uint8_t buf[8192];
	struct nlmsghdr *h;
	struct nlattr *a;
	size_t off;
	ssize_t n;

	g->family = GENL_ID_CTRL;
	tgenl_start(g, &m, CTRL_CMD_GETFAMILY, 0);
	hdr(&m)->nlmsg_flags = NLM_F_REQUEST;
	tgenl_put_str(&m, CTRL_ATTR_FAMILY_NAME, KHYP_GENL_NAME);
	hdr(&m)->nlmsg_len = m.len;
	if (send(g->fd, m.buf, m.len, 0) < 0)
		return -errno;
	n = recv(g->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, n))
		return -EIO;
	if (h->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error ?: -EIO;
	for (off = NLMSG_HDRLEN + GENL_HDRLEN; off + NLA_HDRLEN <= h->nlmsg_len;
	     off += NLA_ALIGN(a->nla_len)) {
		a = (struct nlattr *)((uint8_t *)h + off);
		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID) {
			memcpy(&g->family, (uint8_t *)a + NLA_HDRLEN, 2);
			return 0;
		}
	}
	return -ENOENT;
}

int tgenl_open(struct tgenl *g)
{
	int err;

	g->seq = 0;
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -errno;
	err = resolve(g);
	if (err)
		tgenl_close(g);
	return err;
}

void tgenl_close(struct tgenl *g)
{
	close(g->fd);
	g->fd = -1;
}
