// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime of C guest programs (guest.h): the entry point and the
 * ucall.
 */
#include "guest.h"

/*
 * The host starts the vCPU here with RSP 16-byte aligned; the call leaves
 * it as the ABI expects on entry to guest_main.  RDI passes through.
 */
asm(".section .text.entry, \"ax\"\n"
    ".globl guest_entry\n"
    "guest_entry:\n"
    "	call guest_main\n"
    "	call guest_done\n"
    "1:	hlt\n"
    "	jmp 1b\n"
    ".previous\n");

void guest_done(void);

void ucall(uint64_t cmd, const char *text, const char *file, uint64_t line,
	   uint64_t a0, uint64_t a1)
{
	/* On the stack: the host reads it during the OUT's exit. */
	struct ucall uc = {
		.cmd = cmd,
		.args = { a0, a1 },
		.text = (uintptr_t)text,
		.file = (uintptr_t)file,
		.line = line,
	};

	asm volatile("outl %0, %1"
		     : : "a"((uint32_t)(uintptr_t)&uc), "Nd"(TEST_PORT_UCALL)
		     : "memory");
	/* An abort does not come back to the guest program. */
	while (cmd == UCALL_ABORT)
		asm volatile("hlt");
}

void guest_done(void)
{
	GUEST_DONE();
}
