/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_knl.c: khyp_nl.h's requests answered by a fake VM, for the tests
 * of khyp-qmpd's QMP commands (qmp_test.c) and of the HMP monitor over
 * them (hmp_test.c).  It records what the commands asked for and fails
 * when told to.
 */
#ifndef FAKE_KNL_H
#define FAKE_KNL_H

#include "qmp.h"

struct fake_knl {
	struct knl_vm vm;
	struct knl_slot slots[4];
	unsigned int nr_slots;
	/* after @fail_skip requests, one fails with this errno, message */
	int fail_skip, fail_err;
	const char *fail_msg;
	/* what the commands asked for */
	struct knl_cpu_add add;
	char add_id[64], add_driver[64];
	char del_id[64];
	int64_t del_index;
	int adds, dels, powerdowns;
};

extern struct fake_knl fake;

/* The @skip+1th request from now fails with @err and message @msg. */
void fail_after(int skip, int err, const char *msg);

/* A slot: a present one has thread id 1000 + @index. */
struct knl_slot slot(unsigned int index, unsigned int socket,
		     unsigned int core, bool present, const char *id);

/*
 * -smp 2,sockets=2,cores=2,maxcpus=4 with model qemu64: boot CPU 0 and
 * "cpu-1" plugged; @q serves it over @nl, without a launcher.
 */
void fake_knl_setup(struct qmp_vm *q, struct knl *nl);

#endif /* FAKE_KNL_H */
