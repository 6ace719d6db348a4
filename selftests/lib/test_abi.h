/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What selftest guests and the host agree on: the I/O ports the guests
 * talk to the host on and where C guests are linked.  Included by guest
 * code in assembly or C, the guest linker script and the host (plain
 * numbers: gas and ld read this too).
 */
#ifndef KHYP_TEST_ABI_H
#define KHYP_TEST_ABI_H

#define TEST_PORT_REPORT	0x10	/* OUT: a value for the host to check */
#define TEST_PORT_DONE		0x11	/* OUT: the snippet is done */
#define TEST_PORT_UCALL		0x14	/* OUTL: GPA of a struct ucall */

/* C guests run from 1 MiB: clear of the page tables tvcpu_set_*() write. */
#define TEST_GUEST_BASE		0x100000

#endif
