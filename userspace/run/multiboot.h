/* SPDX-License-Identifier: GPL-2.0 */
/*
 * multiboot.h - booting a Multiboot (version 1) kernel: an ELF32 image or
 * one with the a.out kludge, entered in 32-bit protected mode with the
 * Multiboot information structure, as the Multiboot Specification 0.6.96
 * describes.  kvm-unit-tests' x86 tests are such kernels.
 */
#ifndef KHYP_RUN_MULTIBOOT_H
#define KHYP_RUN_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/khyp.h>

#include "khyp_compiler.h"
#include "bootparams.h"

#define MB_HEADER_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002	/* EAX at the entry point */
#define MB_SEARCH_LEN		8192	/* the header is in the first 8 KiB */

/* Header flags: 0-15 are requirements a loader must meet or refuse. */
#define MB_HF_PAGE_ALIGN	(1U << 0)	/* modules on 4 KiB boundaries */
#define MB_HF_MEMORY_INFO	(1U << 1)	/* mem_lower/upper and mmap */
#define MB_HF_VIDEO_MODE	(1U << 2)	/* a video mode table */
#define MB_HF_AOUT_KLUDGE	(1U << 16)	/* load from the header's addresses */

struct mb_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;	/* magic + flags + checksum == 0 */
	/* with MB_HF_AOUT_KLUDGE */
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr;	/* 0: to the end of the file */
	uint32_t bss_end_addr;	/* 0: no bss */
	uint32_t entry_addr;
} __packed;

/* Information structure flags: which fields are valid. */
#define MB_INFO_MEMORY		(1U << 0)
#define MB_INFO_CMDLINE		(1U << 2)
#define MB_INFO_MODS		(1U << 3)
#define MB_INFO_MMAP		(1U << 6)
#define MB_INFO_LOADER_NAME	(1U << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB from 0 */
	uint32_t mem_upper;	/* KiB from 1 MiB, up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;	/* bytes */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4];
} __packed;

struct mb_mmap_entry {
	uint32_t size;		/* of the rest of the entry: 20 */
	uint64_t addr;
	uint64_t len;
	uint32_t type;		/* 1 RAM, 2 reserved */
} __packed;

struct mb_module {
	uint32_t mod_start;
	uint32_t mod_end;	/* exclusive */
	uint32_t string;	/* the module's command line */
	uint32_t reserved;
} __packed;

#define MB_MAX_SEGMENTS		16

struct mb_segment {
	uint32_t addr;		/* guest physical */
	uint32_t filesz;	/* bytes from the file; the rest is zeroed */
	uint32_t memsz;
	size_t offset;		/* in the file */
};

/* What multiboot_parse() found in an image. */
struct mb_image {
	uint32_t header_flags;
	size_t header_offset;
	uint32_t entry;
	unsigned int nr_segments;
	struct mb_segment seg[MB_MAX_SEGMENTS];
	uint64_t start, end;	/* lowest and past the highest byte loaded */
};

/* Where multiboot_setup() put things; all guest physical. */
struct mb_layout {
	uint32_t entry;
	uint32_t info;		/* struct mb_info, EBX at the entry */
	uint32_t cmdline;
	uint32_t mmap;
	uint32_t mmap_len;
	uint32_t module;	/* 0: none */
	uint32_t module_size;
	uint64_t kernel_start, kernel_end;
	uint64_t end;		/* past everything above */
};

/* Offset of a valid Multiboot header in @k's first 8 KiB, or -1. */
long multiboot_find(const uint8_t *k, size_t size);

/*
 * Check that @k (@name, for the messages) is a Multiboot kernel this
 * loader can start and describe what to load.  0, or -1 with a message.
 */
int multiboot_parse(const char *name, const uint8_t *k, size_t size,
		    struct mb_image *img, char *err, size_t errlen);

/*
 * The command line a Multiboot kernel gets: the kernel's file name, then
 * the user's -append, as QEMU passes it (kvm-unit-tests takes the first
 * word as argv[0]).  0, or -1 if @len is too small.
 */
int multiboot_cmdline(const char *kernel, const char *append, char *out,
		      size_t len);

/*
 * Load in->kernel into guest memory @mem (@mem_size bytes of backing, the
 * RAM zero-filled), in->initrd as module 0, and after the kernel the
 * information structure (memory sizes, memory map, in->cmdline, the
 * module); below 1 MiB, a BIOS's IVT, BDA fields and handlers.  0, or -1
 * with a message in @err.
 */
int multiboot_setup(uint8_t *mem, uint64_t mem_size,
		    const struct boot_input *in, struct mb_layout *out,
		    char *err, size_t errlen);

/*
 * The boot CPU at the entry point: 32-bit protected mode, flat 4 GiB code
 * and data segments, paging and interrupts off, EAX = MB_BOOT_MAGIC,
 * EBX = the information structure.  It gets there through the BIOS
 * state multiboot_setup() lays out: its first code (at KHYP_MB_FW_ADDR,
 * the entry point in ESI) sets the PICs, the PIT and the LAPIC as
 * SeaBIOS leaves them, then sets EAX and jumps.
 */
void multiboot_cpu_state(const struct mb_layout *l, struct khyp_regs *regs,
			 struct khyp_sregs *sregs);

#endif /* KHYP_RUN_MULTIBOOT_H */
