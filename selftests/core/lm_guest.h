/* SPDX-License-Identifier: GPL-2.0 */
/* The programs of lm_guest.c, chosen by guest_main()'s argument. */
#ifndef LM_GUEST_H
#define LM_GUEST_H

enum lm_guest {
	LM_CPUID_HIGH_MEMORY,	/* SYNC CPUID 0's EBX, SYNC the u64 there */
	LM_FAILED_ASSERT,	/* PRINT LM_PRINT_TEXT, then a failing assert */
};

#define LM_HIGH_MEMORY	0x200000	/* above the first 2 MiB */
#define LM_PRINT_TEXT	"about to fail"

#endif
