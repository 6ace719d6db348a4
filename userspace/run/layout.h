/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layout.h - fill a guest's memory for a direct Linux boot: ACPI tables
 * and everything bootparams.c lays out.
 */
#ifndef KHYP_RUN_LAYOUT_H
#define KHYP_RUN_LAYOUT_H

#include "acpi.h"
#include "bootparams.h"
#include "multiboot.h"

/*
 * @mem is the guest's memory from GPA 0, @mem_size bytes (the backing
 * size, guest_backing_size(in->ram_size)), zero-filled.  in->rsdp_addr is
 * set here.  On success @bl and @al describe what went where.
 */
int guest_memory_layout(uint8_t *mem, uint64_t mem_size,
			const struct acpi_config *acfg, struct boot_input *in,
			struct boot_layout *bl, struct acpi_layout *al,
			char *err, size_t errlen);

/* The same for a Multiboot kernel (multiboot_setup()). */
int guest_memory_layout_multiboot(uint8_t *mem, uint64_t mem_size,
				  const struct acpi_config *acfg,
				  const struct boot_input *in,
				  struct mb_layout *ml, struct acpi_layout *al,
				  char *err, size_t errlen);

#endif /* KHYP_RUN_LAYOUT_H */
