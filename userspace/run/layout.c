// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - a guest's memory image for a direct Linux boot.  The same
 * code serves khyp-run (into the VM's mmap'ed memory) and the tests (into
 * a plain buffer, or a ROM image for QEMU).
 */
#include <stdio.h>

#include "khyp_platform.h"
#include "layout.h"

int guest_memory_layout(uint8_t *mem, uint64_t mem_size,
			const struct acpi_config *acfg, struct boot_input *in,
			struct boot_layout *bl, struct acpi_layout *al,
			char *err, size_t errlen)
{
	if (mem_size < KHYP_ACPI_AREA_END) {
		snprintf(err, errlen, "guest memory too small");
		return -1;
	}
	if (acpi_build(mem + KHYP_ACPI_AREA_START, KHYP_ACPI_AREA_START,
		       KHYP_ACPI_AREA_END - KHYP_ACPI_AREA_START, acfg, al,
		       err, errlen))
		return -1;
	in->rsdp_addr = al->rsdp;
	return boot_setup(mem, mem_size, in, bl, err, errlen);
}
