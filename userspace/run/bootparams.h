/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootparams.h - direct Linux boot: the x86 boot protocol (64-bit entry),
 * e820 map, identity page tables and the boot CPU's register state.
 *
 * Layouts are written from Documentation/x86/boot.rst and zero-page.rst.
 */
#ifndef KHYP_RUN_BOOTPARAMS_H
#define KHYP_RUN_BOOTPARAMS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/khyp.h>

#include "khyp_compiler.h"

/* ---- the setup header, at 0x1f1 in the bzImage and in boot_params ---- */

#define BOOT_HDR_OFFSET		0x1f1
#define BOOT_HDRS_MAGIC		0x53726448	/* "HdrS" */
#define BOOT_FLAG_MAGIC		0xaa55
#define BOOT_MIN_VERSION	0x020c		/* 2.12: xloadflags */

/* loadflags */
#define BOOT_LOADED_HIGH	(1U << 0)
/* xloadflags */
#define XLF_KERNEL_64			(1U << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G	(1U << 1)

struct setup_header {
	uint8_t setup_sects;		/* 0x1f1 */
	uint16_t root_flags;
	uint32_t syssize;		/* protected-mode code, 16-byte units */
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;		/* 0x1fe: 0xaa55 */
	uint16_t jump;			/* 0x200 */
	uint32_t header;		/* 0x202: "HdrS" */
	uint16_t version;		/* 0x206 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;		/* 0x210 */
	uint8_t loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;		/* 0x214 */
	uint32_t ramdisk_image;		/* 0x218 */
	uint32_t ramdisk_size;		/* 0x21c */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;		/* 0x228 */
	uint32_t initrd_addr_max;	/* 0x22c: highest byte of the initrd */
	uint32_t kernel_alignment;	/* 0x230 */
	uint8_t relocatable_kernel;
	uint8_t min_alignment;		/* log2 */
	uint16_t xloadflags;		/* 0x236 */
	uint32_t cmdline_size;		/* 0x238: without the NUL */
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;	/* 0x248 */
	uint32_t payload_length;
	uint64_t setup_data;		/* 0x250 */
	uint64_t pref_address;		/* 0x258 */
	uint32_t init_size;		/* 0x260 */
	uint32_t handover_offset;
	uint32_t kernel_info_offset;	/* 0x268 */
} __packed;

#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2
#define E820_TYPE_ACPI		3
#define E820_MAX_ENTRIES_ZEROPAGE 128

struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __packed;

/* struct boot_params, "the zero page": 4 KiB, only what a loader fills. */
struct boot_params {
	uint8_t screen_info[0x40];		/* 0x000 */
	uint8_t apm_bios_info[0x14];		/* 0x040 */
	uint8_t _pad2[4];
	uint64_t tboot_addr;			/* 0x058 */
	uint8_t ist_info[0x10];			/* 0x060 */
	uint64_t acpi_rsdp_addr;		/* 0x070 */
	uint8_t _pad3[8];
	uint8_t hd0_info[16];			/* 0x080 */
	uint8_t hd1_info[16];
	uint8_t sys_desc_table[16];		/* 0x0a0 */
	uint8_t olpc_ofw_header[16];
	uint32_t ext_ramdisk_image;		/* 0x0c0 */
	uint32_t ext_ramdisk_size;		/* 0x0c4 */
	uint32_t ext_cmd_line_ptr;		/* 0x0c8 */
	uint8_t _pad4[112];
	uint32_t cc_blob_address;		/* 0x13c */
	uint8_t edid_info[0x80];		/* 0x140 */
	uint8_t efi_info[0x20];			/* 0x1c0 */
	uint32_t alt_mem_k;			/* 0x1e0 */
	uint32_t scratch;
	uint8_t e820_entries;			/* 0x1e8 */
	uint8_t eddbuf_entries;
	uint8_t edd_mbr_sig_buf_entries;
	uint8_t kbd_status;
	uint8_t secure_boot;			/* 0x1ec */
	uint8_t _pad5[2];
	uint8_t sentinel;			/* 0x1ef */
	uint8_t _pad6[1];
	struct setup_header hdr;		/* 0x1f1 */
	uint8_t _pad7[0x290 - 0x1f1 - sizeof(struct setup_header)];
	uint32_t edd_mbr_sig_buffer[16];	/* 0x290 */
	struct boot_e820_entry e820_table[E820_MAX_ENTRIES_ZEROPAGE]; /* 0x2d0 */
	uint8_t _pad8[48];
	uint8_t eddbuf[0x1ec];			/* 0xd00 */
	uint8_t _pad9[276];
} __packed;

/* ---- guest memory ---- */

/*
 * Bytes of khyp memory (mem_size for KHYP_CREATE_VM) that give the guest
 * @ram bytes of RAM: above 3 GiB the MMIO hole is backed too.
 */
uint64_t guest_backing_size(uint64_t ram);

/* RAM below the MMIO hole. */
uint64_t guest_low_ram_top(uint64_t ram);

/* The e820 map for @ram bytes of guest RAM.  Returns the entry count. */
unsigned int e820_build(uint64_t ram, struct boot_e820_entry *tbl,
			unsigned int max);

/* ---- loading ---- */

struct file_buf {
	uint8_t *data;
	size_t size;
};

/* Read a whole file.  0, or -1 with "PATH: strerror" in @err. */
int file_read(const char *path, struct file_buf *out, char *err,
	      size_t errlen);
void file_free(struct file_buf *f);

/*
 * Check that @k is a bzImage this loader can start: HdrS signature, boot
 * protocol >= 2.12, the 64-bit entry point, the whole payload present.
 * @name (the file name) starts the error message.
 */
int bzimage_check(const char *name, const uint8_t *k, size_t size,
		  char *err, size_t errlen);

struct boot_input {
	const char *kernel_name;	/* for messages */
	const uint8_t *kernel;
	size_t kernel_size;
	const char *initrd_name;
	const uint8_t *initrd;		/* NULL: none */
	size_t initrd_size;
	const char *cmdline;		/* full command line ("" if none) */
	uint64_t ram_size;		/* guest RAM (not backing) */
	uint64_t rsdp_addr;		/* 0: let the guest search */
};

struct boot_layout {
	uint64_t zero_page;
	uint64_t cmdline;
	uint64_t kernel;		/* load address */
	uint64_t kernel_end;		/* kernel + init_size */
	uint64_t initrd;		/* 0: none */
	uint64_t initrd_size;
	uint64_t entry;			/* 64-bit entry: kernel + 0x200 */
	uint64_t pml4;
};

/*
 * Lay out a Linux boot in guest memory @mem (@mem_size bytes, the khyp
 * backing size; zero-filled by the caller): kernel payload, initrd,
 * command line, boot_params with e820, page tables and GDT.
 * Returns 0, or -1 with a message in @err.
 */
int boot_setup(uint8_t *mem, uint64_t mem_size, const struct boot_input *in,
	       struct boot_layout *out, char *err, size_t errlen);

/*
 * The guest kernel command line: what describes the platform, then the
 * user's -append.  "console=ttyS0" and "tsc_early_khz=@tsc_khz" (if not
 * 0) are prepended unless the user's line already sets them.
 * Returns 0, or -1 if @len is too small.
 */
int boot_cmdline_compose(const char *user, uint32_t tsc_khz, char *out,
			 size_t len);

/* Does kernel command line @line set @param ("console=", "quiet")? */
int boot_cmdline_has(const char *line, const char *param);

/* Register state of the boot CPU at the 64-bit entry point. */
void boot_cpu_state(const struct boot_layout *l, struct khyp_regs *regs,
		    struct khyp_sregs *sregs);

/* Segment attributes in the VMCB layout (khyp.h). */
#define SEG_ATTR_CODE64		0x0a9b	/* P S type=0xb(exec/read, acc) L G */
#define SEG_ATTR_CODE32		0x0c9b	/* P S type=0xb DB G */
#define SEG_ATTR_DATA		0x0c93	/* P S type=3(rw, acc) DB G */
#define SEG_ATTR_TSS64_BUSY	0x008b
#define SEG_ATTR_LDT		0x0082

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_EFER_LME		(1ULL << 8)
#define X86_EFER_LMA		(1ULL << 10)
#define X86_RFLAGS_FIXED	(1ULL << 1)

#endif /* KHYP_RUN_BOOTPARAMS_H */
