// SPDX-License-Identifier: GPL-2.0
/*
 * The "khyp" generic netlink family through libnl-3: requests with their
 * extack error messages, and the "events" multicast group.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include "khyp_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* One request in flight on k->req: what its callbacks fill. */
struct req_ctx {
	struct knl *k;
	bool done;
	int (*parse)(struct nl_msg *msg, void *arg);
	void *arg;
};

static void copy_str(char *dst, size_t len, struct nlattr *a)
{
	if (!a) {
		dst[0] = '\0';
		return;
	}
	snprintf(dst, len, "%.*s", nla_len(a), (const char *)nla_data(a));
	dst[strnlen(dst, len)] = '\0';
}

static uint32_t get_u32(struct nlattr *a, uint32_t def)
{
	return a ? nla_get_u32(a) : def;
}

static int req_valid(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;

	if (c->parse)
		return c->parse(msg, c->arg);
	return NL_OK;
}

static int req_ack(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;

	c->done = true;
	return NL_STOP;
}

/* The extack message follows the (capped) request in the error message. */
static int req_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_ctx *c = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
	size_t off = sizeof(*e);

	c->done = true;
	c->k->err = e->error;
	snprintf(c->k->errmsg, sizeof(c->k->errmsg), "%s", strerror(-e->error));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)e + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		copy_str(c->k->errmsg, sizeof(c->k->errmsg),
			 tb[NLMSGERR_ATTR_MSG]);
	return NL_STOP;
}

static int req_finish(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;

	c->done = true;
	return NL_STOP;
}

/* Send @msg (consumed), run the reply through @parse until the ack. */
static int request(struct knl *k, struct nl_msg *msg,
		   int (*parse)(struct nl_msg *, void *), void *arg)
{
	struct req_ctx c = { .k = k, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int r;

	k->err = 0;
	k->errmsg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, req_valid, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, req_ack, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, req_finish, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, req_err, &c);
	r = nl_send_auto(k->req, msg);
	nlmsg_free(msg);
	if (r < 0) {
		k->err = -EIO;
		snprintf(k->errmsg, sizeof(k->errmsg), "netlink send: %s",
			 nl_geterror(r));
		nl_cb_put(cb);
		return k->err;
	}
	while (!c.done) {
		r = nl_recvmsgs(k->req, cb);
		if (r < 0 && !c.done) {
			k->err = -EIO;
			snprintf(k->errmsg, sizeof(k->errmsg),
				 "netlink receive: %s", nl_geterror(r));
			break;
		}
	}
	nl_cb_put(cb);
	return k->err;
}

static struct nl_msg *new_req(struct knl *k, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0,
			 flags | NLM_F_ACK, cmd, KHYP_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* A reply that lists things: a malloc-ed array its parser appends to. */
struct vec {
	void *v;
	unsigned int n, cap;
};

/* A new zeroed entry of @size at the end of @v, or NULL. */
static void *vec_add(struct vec *v, size_t size)
{
	char *e;

	if (v->n == v->cap) {
		unsigned int cap = v->cap ? v->cap * 2 : 16;
		void *nv = realloc(v->v, cap * size);

		if (!nv)
			return NULL;
		v->v = nv;
		v->cap = cap;
	}
	e = (char *)v->v + v->n++ * size;
	memset(e, 0, size);
	return e;
}

/* request() with @parse filling a struct vec, handed out as *@out. */
static int request_vec(struct knl *k, struct nl_msg *msg,
		       int (*parse)(struct nl_msg *, void *),
		       void **out, unsigned int *n)
{
	struct vec v = {};
	int r = request(k, msg, parse, &v);

	if (r) {
		free(v.v);
		return r;
	}
	*out = v.v;
	*n = v.n;
	return 0;
}

static int parse_vm(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KHYP_A_MAX + 1];
	struct knl_vm *vm = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KHYP_A_MAX, NULL))
		return NL_SKIP;
	vm->id = get_u32(tb[KHYP_A_VM_ID], 0);
	copy_str(vm->name, sizeof(vm->name), tb[KHYP_A_VM_NAME]);
	vm->max_cpus = get_u32(tb[KHYP_A_MAX_CPUS], 0);
	vm->nr_cpus = get_u32(tb[KHYP_A_NR_CPUS], 0);
	vm->sockets = get_u32(tb[KHYP_A_SOCKETS], 1);
	vm->dies = get_u32(tb[KHYP_A_DIES], 1);
	vm->cores = get_u32(tb[KHYP_A_CORES], 1);
	vm->threads = get_u32(tb[KHYP_A_THREADS], 1);
	copy_str(vm->model, sizeof(vm->model), tb[KHYP_A_CPU_MODEL]);
	return NL_OK;
}

int knl_vm_get(struct knl *k, int64_t id, const char *name,
	       struct knl_vm *out)
{
	struct nl_msg *msg = new_req(k, KHYP_CMD_VM_GET, 0);

	if (!msg)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if ((id >= 0 && nla_put_u32(msg, KHYP_A_VM_ID, id)) ||
	    (name && nla_put_string(msg, KHYP_A_VM_NAME, name))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(k, msg, parse_vm, out);
}

static int parse_vms(struct nl_msg *msg, void *arg)
{
	struct knl_vm *vm = vec_add(arg, sizeof(*vm));

	if (!vm)
		return NL_STOP;
	return parse_vm(msg, vm);
}

int knl_vm_list(struct knl *k, struct knl_vm **vms, unsigned int *n)
{
	struct nl_msg *msg = new_req(k, KHYP_CMD_VM_GET, NLM_F_DUMP);

	if (!msg)
		return -ENOMEM;
	return request_vec(k, msg, parse_vms, (void **)vms, n);
}

static int parse_slots(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KHYP_A_MAX + 1];
	struct nlattr *st[KHYP_SLOT_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KHYP_A_MAX, NULL))
		return NL_SKIP;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		struct knl_slot *s;

		if (nla_type(a) != KHYP_A_SLOT)
			continue;
		if (nla_parse_nested(st, KHYP_SLOT_A_MAX, a, NULL))
			continue;
		s = vec_add(arg, sizeof(*s));
		if (!s)
			return NL_STOP;
		s->index = get_u32(st[KHYP_SLOT_A_CPU_INDEX], 0);
		s->socket = get_u32(st[KHYP_SLOT_A_SOCKET_ID], 0);
		s->die = get_u32(st[KHYP_SLOT_A_DIE_ID], 0);
		s->core = get_u32(st[KHYP_SLOT_A_CORE_ID], 0);
		s->thread = get_u32(st[KHYP_SLOT_A_THREAD_ID], 0);
		s->apic_id = get_u32(st[KHYP_SLOT_A_APIC_ID], 0);
		s->present = st[KHYP_SLOT_A_PRESENT];
		s->boot = st[KHYP_SLOT_A_BOOT];
		s->unplug_pending = st[KHYP_SLOT_A_UNPLUG_PENDING];
		s->tid = get_u32(st[KHYP_SLOT_A_HOST_TID], 0);
		copy_str(s->id, sizeof(s->id), st[KHYP_SLOT_A_DEVICE_ID]);
	}
	return NL_OK;
}

int knl_slots(struct knl *k, uint32_t vm, bool present_only,
	      struct knl_slot **slots, unsigned int *n)
{
	struct nl_msg *msg = new_req(k, present_only ? KHYP_CMD_CPUS_GET :
					 KHYP_CMD_CPU_SLOTS_GET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KHYP_A_VM_ID, vm)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request_vec(k, msg, parse_slots, (void **)slots, n);
}

static int put_opt_u32(struct nl_msg *msg, int type, int64_t v)
{
	return v < 0 ? 0 : nla_put_u32(msg, type, v);
}

int knl_cpu_add(struct knl *k, uint32_t vm, const struct knl_cpu_add *req)
{
	struct nl_msg *msg = new_req(k, KHYP_CMD_CPU_ADD, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KHYP_A_VM_ID, vm) ||
	    (req->id && nla_put_string(msg, KHYP_A_DEVICE_ID, req->id)) ||
	    (req->driver && nla_put_string(msg, KHYP_A_DRIVER, req->driver)) ||
	    put_opt_u32(msg, KHYP_A_SOCKET_ID, req->socket) ||
	    put_opt_u32(msg, KHYP_A_DIE_ID, req->die) ||
	    put_opt_u32(msg, KHYP_A_CORE_ID, req->core) ||
	    put_opt_u32(msg, KHYP_A_THREAD_ID, req->thread)) {
		nlmsg_free(msg);
		k->err = -EINVAL;
		snprintf(k->errmsg, sizeof(k->errmsg), "request too large");
		return k->err;
	}
	return request(k, msg, NULL, NULL);
}

int knl_cpu_del(struct knl *k, uint32_t vm, const char *id, int64_t index)
{
	struct nl_msg *msg = new_req(k, KHYP_CMD_CPU_DEL, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KHYP_A_VM_ID, vm) ||
	    (id && nla_put_string(msg, KHYP_A_DEVICE_ID, id)) ||
	    (!id && nla_put_u32(msg, KHYP_A_CPU_INDEX, index))) {
		nlmsg_free(msg);
		k->err = -EINVAL;
		snprintf(k->errmsg, sizeof(k->errmsg), "request too large");
		return k->err;
	}
	return request(k, msg, NULL, NULL);
}

int knl_powerdown(struct knl *k, uint32_t vm)
{
	struct nl_msg *msg = new_req(k, KHYP_CMD_VM_POWERDOWN, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KHYP_A_VM_ID, vm)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(k, msg, NULL, NULL);
}

/* ---- events ---- */

static int event_valid(struct nl_msg *msg, void *arg)
{
	struct knl *k = arg;
	struct nlattr *tb[KHYP_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct knl_event ev = {};

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KHYP_A_MAX, NULL))
		return NL_SKIP;
	ev.cmd = gh->cmd;
	ev.vm_id = get_u32(tb[KHYP_A_VM_ID], ~0U);
	copy_str(ev.vm_name, sizeof(ev.vm_name), tb[KHYP_A_VM_NAME]);
	ev.cpu_index = get_u32(tb[KHYP_A_CPU_INDEX], 0);
	ev.ost_source = get_u32(tb[KHYP_A_OST_SOURCE], 0);
	ev.ost_status = get_u32(tb[KHYP_A_OST_STATUS], 0);
	copy_str(ev.id, sizeof(ev.id), tb[KHYP_A_DEVICE_ID]);
	copy_str(ev.path, sizeof(ev.path), tb[KHYP_A_DEVICE_PATH]);
	copy_str(ev.message, sizeof(ev.message), tb[KHYP_A_MESSAGE]);
	if (k->on_event)
		k->on_event(&ev, k->event_arg);
	return NL_OK;
}

int knl_event_fd(struct knl *k)
{
	return nl_socket_get_fd(k->ev);
}

void knl_events(struct knl *k)
{
	struct knl_event lost = { .cmd = KNL_EVENTS_LOST };
	int r;

	/* Non-blocking: returns when the socket is drained. */
	while ((r = nl_recvmsgs_default(k->ev)) >= 0 || r == -NLE_NOMEM)
		/* ENOBUFS: the kernel dropped events for this socket. */
		if (r == -NLE_NOMEM && k->on_event)
			k->on_event(&lost, k->event_arg);
}

int knl_open(struct knl *k, knl_event_fn fn, void *arg)
{
	int one = 1, rcvbuf = KNL_EVENT_RCVBUF, grp;

	memset(k, 0, sizeof(*k));
	k->on_event = fn;
	k->event_arg = arg;
	k->req = nl_socket_alloc();
	if (!k->req || genl_connect(k->req))
		goto fail;
	k->family = genl_ctrl_resolve(k->req, KHYP_GENL_NAME);
	if (k->family < 0) {
		fprintf(stderr, "%s: generic netlink family \"%s\" not found (is khyp.ko loaded?)\n",
			program_invocation_short_name, KHYP_GENL_NAME);
		goto fail;
	}
	/* Large slot lists: peek at the size rather than truncate. */
	nl_socket_enable_msg_peek(k->req);
	nl_socket_set_msg_buf_size(k->req, 65536);
	setsockopt(nl_socket_get_fd(k->req), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(k->req), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	if (!fn)
		return 0;

	grp = genl_ctrl_resolve_grp(k->req, KHYP_GENL_NAME,
				    KHYP_GENL_MCGRP_EVENTS);
	k->ev = nl_socket_alloc();
	if (grp < 0 || !k->ev || genl_connect(k->ev))
		goto fail;
	nl_socket_disable_seq_check(k->ev);
	nl_socket_modify_cb(k->ev, NL_CB_VALID, NL_CB_CUSTOM, event_valid, k);
	if (nl_socket_add_membership(k->ev, grp)) {
		fprintf(stderr, "%s: cannot join the \"%s\" group (needs CAP_NET_ADMIN)\n",
			program_invocation_short_name, KHYP_GENL_MCGRP_EVENTS);
		goto fail;
	}
	nl_socket_set_nonblocking(k->ev);
	/*
	 * Room for bursts: SO_RCVBUF is capped by net.core.rmem_max;
	 * SO_RCVBUFFORCE is not, and needs CAP_NET_ADMIN, which joining the
	 * group took.
	 */
	if (setsockopt(nl_socket_get_fd(k->ev), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		nl_socket_set_buffer_size(k->ev, rcvbuf, 0);
	return 0;
fail:
	knl_close(k);
	return -1;
}

void knl_close(struct knl *k)
{
	if (k->req)
		nl_socket_free(k->req);
	if (k->ev)
		nl_socket_free(k->ev);
	k->req = NULL;
	k->ev = NULL;
}
