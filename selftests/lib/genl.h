/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the C selftests: the "khyp" family without
 * libnl, so that a test can also send what no library would build
 * (the netlink fuzzer's malformed messages).
 */
#ifndef KHYP_TEST_GENL_H
#define KHYP_TEST_GENL_H

#include <stddef.h>
#include <stdint.h>

struct tgenl {
	int fd;
	uint16_t family;	/* the "khyp" family's id */
	uint32_t seq;
};

/* A message being built: netlink and genetlink headers, then attributes. */
struct tgenl_msg {
	size_t len;
	uint8_t buf[4096];
};

/* Open a socket and resolve the "khyp" family: 0 or -errno. */
int tgenl_open(struct tgenl *g);
void tgenl_close(struct tgenl *g);
/* Start a request for @cmd (NLM_F_REQUEST | NLM_F_ACK | @flags). */
void tgenl_start(struct tgenl *g, struct tgenl_msg *m, uint8_t cmd,
		 uint16_t flags);
/* Append attribute @type with @len bytes of @data (truncated if full). */
void tgenl_put(struct tgenl_msg *m, uint16_t type, const void *data,
	       size_t len);
void tgenl_put_u32(struct tgenl_msg *m, uint16_t type, uint32_t v);
void tgenl_put_str(struct tgenl_msg *m, uint16_t type, const char *s);
/*
 * Send @m and read the answers up to its ack or NLMSG_DONE: 0 or the
 * kernel's -errno (-EIO for a broken reply, -ETIMEDOUT after 10 s).
 */
int tgenl_call(struct tgenl *g, struct tgenl_msg *m);

#endif
