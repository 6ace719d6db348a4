// SPDX-License-Identifier: GPL-2.0
/* The runtime of C guest programs (guest.h): the entry point and the ucall. */
#include "guest.h"

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

/*
 * First in the image (guest.lds.S): the host starts the vCPU here with
 * RDI as guest_main's argument and RSP 16-byte aligned, which is not what
 * the ABI has on a function's entry, hence the realignment.
 */
__attribute__((section(".text.entry"), force_align_arg_pointer, noreturn))
void guest_entry(uint64_t arg)
{
	guest_main(arg);
	GUEST_DONE();
	for (;;)
		asm volatile("hlt");
}
