// SPDX-License-Identifier: GPL-2.0
/* The fake kernel of fake_knl.h: khyp_nl.h's requests answered from memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake_knl.h"

struct fake_knl fake;

struct knl_slot slot(unsigned int index, unsigned int socket,
			    unsigned int core, bool present, const char *id)
{
	struct knl_slot s = { .index = index, .socket = socket, .core = core,
			      .present = present, .boot = index == 0,
			      .tid = present ? 1000 + index : 0 };

	snprintf(s.id, sizeof(s.id), "%s", id);
	return s;
}

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.vm = (struct knl_vm){ .id = 3, .name = "vm0", .max_cpus = 4,
				   .nr_cpus = 2, .sockets = 2, .dies = 1,
				   .cores = 2, .threads = 1,
				   .model = "qemu64" };
	fake.slots[0] = slot(0, 0, 0, true, "");
	fake.slots[1] = slot(1, 0, 1, true, "cpu-1");
	fake.slots[2] = slot(2, 1, 0, false, "");
	fake.slots[3] = slot(3, 1, 1, false, "");
	fake.nr_slots = 4;
}

void fake_knl_setup(struct qmp_vm *q, struct knl *nl)
{
	fake_reset();
	memset(nl, 0, sizeof(*nl));
	qmp_vm_init(q, nl, -1);
	q->vm = fake.vm;
}

void fake_fail_after(int skip, int err, const char *msg)
{
	fake.fail_skip = skip;
	fake.fail_err = err;
	fake.fail_msg = msg;
}

/* Whether this request fails, as khyp_nl.c reports it. */
static bool fail(struct knl *k)
{
	k->err = 0;
	k->errmsg[0] = '\0';
	if (!fake.fail_err || fake.fail_skip--)
		return false;
	k->err = fake.fail_err;
	snprintf(k->errmsg, sizeof(k->errmsg), "%s", fake.fail_msg);
	fake.fail_err = 0;
	return true;
}

int knl_vm_get(struct knl *k, int64_t id, const char *name,
	       struct knl_vm *out)
{
	if (fail(k))
		return k->err;
	*out = fake.vm;
	return 0;
}

int knl_slots(struct knl *k, uint32_t vm, bool present_only,
	      struct knl_slot **slots, unsigned int *n)
{
	unsigned int i;

	if (fail(k))
		return k->err;
	*slots = calloc(fake.nr_slots, sizeof(**slots));
	*n = 0;
	for (i = 0; i < fake.nr_slots; i++)
		if (!present_only || fake.slots[i].present)
			(*slots)[(*n)++] = fake.slots[i];
	return 0;
}

int knl_cpu_add(struct knl *k, uint32_t vm, const struct knl_cpu_add *req)
{
	fake.adds++;
	fake.add = *req;
	snprintf(fake.add_id, sizeof(fake.add_id), "%s", req->id);
	snprintf(fake.add_driver, sizeof(fake.add_driver), "%s", req->driver);
	return fail(k) ? k->err : 0;
}

int knl_cpu_del(struct knl *k, uint32_t vm, const char *id, int64_t index)
{
	fake.dels++;
	snprintf(fake.del_id, sizeof(fake.del_id), "%s", id ? id : "");
	fake.del_index = index;
	return fail(k) ? k->err : 0;
}

int knl_powerdown(struct knl *k, uint32_t vm)
{
	if (fail(k))
		return k->err;
	fake.powerdowns++;
	return 0;
}

/* No event socket: the transport's poll() never sees it ready. */
int knl_event_fd(struct knl *k)
{
	return -1;
}

void knl_events(struct knl *k)
{
}
