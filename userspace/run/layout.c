// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - a guest's memory image for a direct Linux boot.  The same
 * code serves khyp-run (into the VM's mmap'ed memory) and the tests (into
 * a plain buffer, or a ROM image for QEMU).
 */
#include <stdio.h>

#include "khyp_platform.h"
#include "layout.h"

/* The ACPI tables at 0xe0000, where a guest without boot_params finds them. */
static int acpi_place(uint8_t *mem, uint64_t mem_size,
		      const struct acpi_config *acfg, struct acpi_layout *al,
		      char *err, size_t errlen)
{
	if (mem_size < KHYP_ACPI_AREA_END) {
		snprintf(err, errlen, "guest memory too small");
		return -1;
	}
	return acpi_build(mem + KHYP_ACPI_AREA_START, KHYP_ACPI_AREA_START,
			  KHYP_ACPI_AREA_END - KHYP_ACPI_AREA_START, acfg, al,
			  err, errlen);
}

int guest_memory_layout(uint8_t *mem, uint64_t mem_size,
			const struct acpi_config *acfg, struct boot_input *in,
			struct boot_layout *bl, struct acpi_layout *al,
			char *err, size_t errlen)
{
	if (acpi_place(mem, mem_size, acfg, al, err, errlen))
		return -1;
	in->rsdp_addr = al->rsdp;
	return boot_setup(mem, mem_size, in, bl, err, errlen);
}

int guest_memory_layout_multiboot(uint8_t *mem, uint64_t mem_size,
				  const struct acpi_config *acfg,
				  const struct boot_input *in,
				  struct mb_layout *ml, struct acpi_layout *al,
				  char *err, size_t errlen)
{
	if (acpi_place(mem, mem_size, acfg, al, err, errlen))
		return -1;
	return multiboot_setup(mem, mem_size, in, ml, err, errlen);
}
