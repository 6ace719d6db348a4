/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A C guest's flat image (GUEST_BIN) as GUEST_SNIPPET(GUEST_NAME) for the
 * test that runs it (see the selftests Makefile's c_guest).
 */
#define SYM(n, s)	n ## s
#define START(n)	SYM(n, _start)
#define END(n)		SYM(n, _end)

	.section .rodata
	.globl START(GUEST_NAME), END(GUEST_NAME)
	.balign 16
START(GUEST_NAME):
	.incbin GUEST_BIN
END(GUEST_NAME):

	.section .note.GNU-stack, "", @progbits
