/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest-to-host call, after KVM selftests' ucall: the guest fills a
 * struct ucall and writes its guest-physical address to TEST_PORT_UCALL
 * with OUTL; the host reads the struct from guest memory while the vCPU
 * waits in the exit.  Shared by guest code (guest.h) and the host
 * (khyp_test.h).  Pointers in it are guest addresses (the C guests run
 * identity-mapped).
 */
#ifndef KHYP_UCALL_H
#define KHYP_UCALL_H

#include <stdint.h>
#include "test_abi.h"

enum ucall_cmd {
	UCALL_NONE,	/* host side: the exit was not a ucall */
	UCALL_SYNC,	/* args[] for the host to check; the guest goes on */
	UCALL_PRINT,	/* text, for the log */
	UCALL_ABORT,	/* a GUEST_ASSERT failed: text, file, line, args */
	UCALL_DONE,	/* the guest program returned */
};

#define UCALL_MAX_ARGS	4

struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_MAX_ARGS];
	uint64_t text;		/* GPA of a NUL-terminated string, or 0 */
	uint64_t file;		/* GPA of __FILE__ (UCALL_ABORT) */
	uint64_t line;
};

#endif
