/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C guest programs: one flat image at TEST_GUEST_BASE, entry first, bss
 * inside the image (the host copies it as it is).
 */
#include "test_abi.h"

ENTRY(guest_entry)
SECTIONS
{
	. = TEST_GUEST_BASE;
	.guest : {
		*(.text.entry)
		*(.text .text.*)
		*(.rodata .rodata.*)
		*(.data .data.*)
		*(.bss .bss.*) *(COMMON)
	}
	/DISCARD/ : { *(.note*) *(.comment) *(.eh_frame) }
}
