/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake kernel behind khyp_nl.h's requests, for khyp-qmpd's commands
 * without the module: one VM, its slots, a record of what the commands
 * asked for, and a failure on demand.  Used by qmp_test.c, hmp_test.c and
 * the QMP fuzzer (selftests/fuzz/qmp_fuzz.c).
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

/*
 * -smp 2,sockets=2,cores=2,maxcpus=4: VM 3 "vm0", boot CPU 0 and "cpu-1"
 * plugged, nothing recorded, no failure pending.
 */
void fake_reset(void);
/* fake_reset(), and @q serving that VM over @nl, without a launcher. */
void fake_knl_setup(struct qmp_vm *q, struct knl *nl);
/* A slot: a present one has thread id 1000 + @index. */
struct knl_slot slot(unsigned int index, unsigned int socket,
		     unsigned int core, bool present, const char *id);
/* After @skip requests, one fails with @err and extack message @msg. */
void fake_fail_after(int skip, int err, const char *msg);

#endif
