// SPDX-License-Identifier: GPL-2.0
/*
 * bootparams.c - direct Linux boot through the 64-bit boot protocol.
 *
 * The bzImage's protected-mode payload is copied to its preferred address,
 * boot_params (the "zero page") gets a copy of the setup header plus what
 * a boot loader fills in, and the boot CPU starts in long mode at the
 * payload's 64-bit entry point (load address + 0x200) with RSI pointing at
 * boot_params, on identity-mapped page tables and a GDT with __BOOT_CS and
 * __BOOT_DS.  The memory map is in khyp_platform.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "khyp_platform.h"
#include "bootparams.h"

_Static_assert(sizeof(struct setup_header) == 0x26c - 0x1f1,
	       "setup_header size");
_Static_assert(sizeof(struct boot_params) == 4096, "boot_params size");
_Static_assert(offsetof(struct boot_params, acpi_rsdp_addr) == 0x070,
	       "acpi_rsdp_addr");
_Static_assert(offsetof(struct boot_params, ext_ramdisk_image) == 0x0c0,
	       "ext_ramdisk_image");
_Static_assert(offsetof(struct boot_params, cc_blob_address) == 0x13c,
	       "cc_blob_address");
_Static_assert(offsetof(struct boot_params, e820_entries) == 0x1e8,
	       "e820_entries");
_Static_assert(offsetof(struct boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct boot_params, hdr) == 0x1f1, "hdr");
_Static_assert(offsetof(struct boot_params, hdr.header) == 0x202, "header");
_Static_assert(offsetof(struct boot_params, hdr.cmd_line_ptr) == 0x228,
	       "cmd_line_ptr");
_Static_assert(offsetof(struct boot_params, hdr.pref_address) == 0x258,
	       "pref_address");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0,
	       "e820_table");
_Static_assert(offsetof(struct boot_params, eddbuf) == 0xd00, "eddbuf");

#define PAGE_SIZE_4K	0x1000ULL
#define SIZE_2M		0x200000ULL

/* Page table entry bits */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)

/* GDT descriptors: flat 4 GiB, 64-bit code and read/write data. */
#define GDT_CODE64	0x00af9b000000ffffULL
#define GDT_DATA	0x00cf93000000ffffULL
#define GDT_ENTRIES	4

uint64_t guest_low_ram_top(uint64_t ram)
{
	return ram < KHYP_MMIO_HOLE_START ? ram : KHYP_MMIO_HOLE_START;
}

uint64_t guest_backing_size(uint64_t ram)
{
	if (ram <= KHYP_MMIO_HOLE_START)
		return ram;
	return ram + (KHYP_MMIO_HOLE_END - KHYP_MMIO_HOLE_START);
}

static void e820_add(struct boot_e820_entry *tbl, unsigned int *n,
		     unsigned int max, uint64_t start, uint64_t end,
		     uint32_t type)
{
	if (end <= start || *n >= max)
		return;
	tbl[*n].addr = start;
	tbl[*n].size = end - start;
	tbl[*n].type = type;
	(*n)++;
}

unsigned int e820_build(uint64_t ram, struct boot_e820_entry *tbl,
			unsigned int max)
{
	uint64_t low_top = guest_low_ram_top(ram);
	unsigned int n = 0;

	e820_add(tbl, &n, max, 0, KHYP_BOOT_AREA_START, E820_TYPE_RAM);
	e820_add(tbl, &n, max, KHYP_BOOT_AREA_START, KHYP_BOOT_AREA_END,
		 E820_TYPE_RESERVED);
	e820_add(tbl, &n, max, KHYP_BOOT_AREA_END, KHYP_EBDA_START,
		 E820_TYPE_RAM);
	e820_add(tbl, &n, max, KHYP_EBDA_START, KHYP_HIGH_MEM_START,
		 E820_TYPE_RESERVED);
	e820_add(tbl, &n, max, KHYP_HIGH_MEM_START, low_top, E820_TYPE_RAM);
	e820_add(tbl, &n, max, KHYP_IOAPIC_BASE, KHYP_IOAPIC_BASE + KHYP_IOAPIC_SIZE,
		 E820_TYPE_RESERVED);
	e820_add(tbl, &n, max, KHYP_LAPIC_BASE, KHYP_LAPIC_BASE + KHYP_LAPIC_SIZE,
		 E820_TYPE_RESERVED);
	if (ram > low_top)
		e820_add(tbl, &n, max, KHYP_MMIO_HOLE_END,
			 KHYP_MMIO_HOLE_END + (ram - low_top), E820_TYPE_RAM);
	return n;
}

int file_read(const char *path, struct file_buf *out, char *err,
	      size_t errlen)
{
	struct stat st;
	size_t done = 0;
	ssize_t r;
	int fd;

	out->data = NULL;
	out->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path,
			 S_ISDIR(st.st_mode) ? "is a directory" :
			 "not a regular file");
		close(fd);
		return -1;
	}
	out->data = malloc(st.st_size ? st.st_size : 1);
	if (!out->data) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (done < (size_t)st.st_size) {
		r = read(fd, out->data + done, st.st_size - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "%s: %s", path,
				 r < 0 ? strerror(errno) : "file shrank");
			close(fd);
			file_free(out);
			return -1;
		}
		done += r;
	}
	out->size = done;
	close(fd);
	return 0;
}

void file_free(struct file_buf *f)
{
	free(f->data);
	f->data = NULL;
	f->size = 0;
}

static const struct setup_header *hdr_of(const uint8_t *k)
{
	return (const struct setup_header *)(k + BOOT_HDR_OFFSET);
}

static size_t setup_size(const struct setup_header *h)
{
	return ((size_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
}

int bzimage_check(const char *name, const uint8_t *k, size_t size,
		  char *err, size_t errlen)
{
	const struct setup_header *h = hdr_of(k);
	size_t need;

	if (size < BOOT_HDR_OFFSET + sizeof(*h) ||
	    h->header != BOOT_HDRS_MAGIC) {
		snprintf(err, errlen, "%s: not a bzImage (no HdrS signature)",
			 name);
		return -1;
	}
	if (h->version < BOOT_MIN_VERSION) {
		snprintf(err, errlen,
			 "%s: boot protocol %u.%02u is too old (need 2.12 or later)",
			 name, h->version >> 8, h->version & 0xff);
		return -1;
	}
	if (!(h->loadflags & BOOT_LOADED_HIGH)) {
		snprintf(err, errlen,
			 "%s: not a bzImage (zImage, loads below 1 MiB)", name);
		return -1;
	}
	if (!(h->xloadflags & XLF_KERNEL_64)) {
		snprintf(err, errlen,
			 "%s: no 64-bit entry point (XLF_KERNEL_64 clear): not a 64-bit kernel",
			 name);
		return -1;
	}
	need = setup_size(h) + (size_t)h->syssize * 16;
	if (!h->syssize || size < need) {
		snprintf(err, errlen,
			 "%s: truncated bzImage (%zu bytes, the header says %zu)",
			 name, size, need);
		return -1;
	}
	if (!h->init_size || h->init_size < h->syssize * 16) {
		snprintf(err, errlen, "%s: bad init_size 0x%x in the header",
			 name, h->init_size);
		return -1;
	}
	if (h->relocatable_kernel && (!h->kernel_alignment ||
	    (h->kernel_alignment & (h->kernel_alignment - 1)))) {
		snprintf(err, errlen,
			 "%s: bad kernel_alignment 0x%x in the header", name,
			 h->kernel_alignment);
		return -1;
	}
	return 0;
}

static void build_page_tables(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + KHYP_PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)(mem + KHYP_PDPT_ADDR);
	uint64_t *pd = (uint64_t *)(mem + KHYP_PD_ADDR);
	unsigned int i;

	memset(mem + KHYP_PML4_ADDR, 0, KHYP_BOOT_AREA_END - KHYP_PML4_ADDR);
	pml4[0] = KHYP_PDPT_ADDR | PTE_P | PTE_RW | PTE_A;
	for (i = 0; i < 4; i++)
		pdpt[i] = (KHYP_PD_ADDR + i * PAGE_SIZE_4K) | PTE_P | PTE_RW |
			  PTE_A;
	/* 4 page directories of 512 2 MiB pages: 0 .. 4 GiB */
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (uint64_t)i * SIZE_2M | PTE_P | PTE_RW | PTE_A |
			PTE_D | PTE_PS;
}

static void build_gdt(uint8_t *mem)
{
	uint64_t *gdt = (uint64_t *)(mem + KHYP_GDT_ADDR);

	memset(gdt, 0, GDT_ENTRIES * sizeof(*gdt));
	gdt[KHYP_BOOT_CS / 8] = GDT_CODE64;
	gdt[KHYP_BOOT_DS / 8] = GDT_DATA;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int boot_setup(uint8_t *mem, uint64_t mem_size, const struct boot_input *in,
	       struct boot_layout *out, char *err, size_t errlen)
{
	const struct setup_header *kh = hdr_of(in->kernel);
	uint64_t low_top = guest_low_ram_top(in->ram_size);
	uint64_t payload_off, payload_size, load, top;
	struct boot_params *bp;
	size_t hdr_end, cmdlen;

	memset(out, 0, sizeof(*out));
	if (bzimage_check(in->kernel_name, in->kernel, in->kernel_size, err,
			  errlen))
		return -1;
	if (mem_size < guest_backing_size(in->ram_size) ||
	    in->ram_size < KHYP_HIGH_MEM_START) {
		snprintf(err, errlen, "guest memory too small");
		return -1;
	}

	/* The protected-mode kernel: its preferred address, aligned. */
	payload_off = setup_size(kh);
	payload_size = in->kernel_size - payload_off;
	load = kh->pref_address >= KHYP_HIGH_MEM_START ? kh->pref_address :
	       KHYP_DEFAULT_KERNEL_ADDR;
	if (kh->relocatable_kernel)
		load = align_up(load, kh->kernel_alignment);
	out->kernel = load;
	out->kernel_end = load + (kh->init_size > payload_size ?
				  kh->init_size : payload_size);
	out->entry = load + 0x200;
	if (out->kernel_end > low_top) {
		snprintf(err, errlen,
			 "%s: needs %llu MiB of RAM at 0x%llx; -m %lluM is too small",
			 in->kernel_name,
			 (unsigned long long)((out->kernel_end - load) >> 20),
			 (unsigned long long)load,
			 (unsigned long long)(in->ram_size >> 20));
		return -1;
	}
	memcpy(mem + load, in->kernel + payload_off, payload_size);

	/* boot_params: zeroed, the kernel's setup header copied in. */
	bp = (struct boot_params *)(mem + KHYP_ZERO_PAGE_ADDR);
	memset(bp, 0, sizeof(*bp));
	hdr_end = 0x202 + in->kernel[0x201];
	if (hdr_end > offsetof(struct boot_params, edd_mbr_sig_buffer))
		hdr_end = offsetof(struct boot_params, edd_mbr_sig_buffer);
	memcpy((uint8_t *)bp + BOOT_HDR_OFFSET, in->kernel + BOOT_HDR_OFFSET,
	       hdr_end - BOOT_HDR_OFFSET);
	out->zero_page = KHYP_ZERO_PAGE_ADDR;

	bp->hdr.type_of_loader = 0xff;	/* undefined loader */
	bp->hdr.code32_start = load;
	bp->hdr.hardware_subarch = 0;	/* a normal PC */
	bp->hdr.setup_data = 0;

	/* Command line */
	cmdlen = strlen(in->cmdline);
	if (cmdlen > kh->cmdline_size || cmdlen >= KHYP_CMDLINE_MAX) {
		snprintf(err, errlen,
			 "kernel command line too long (%zu bytes, %s allows %u)",
			 cmdlen, in->kernel_name, kh->cmdline_size);
		return -1;
	}
	memcpy(mem + KHYP_CMDLINE_ADDR, in->cmdline, cmdlen + 1);
	bp->hdr.cmd_line_ptr = (uint32_t)KHYP_CMDLINE_ADDR;
	bp->ext_cmd_line_ptr = 0;
	out->cmdline = KHYP_CMDLINE_ADDR;

	/* initrd: as high as allowed, page aligned, above the kernel. */
	if (in->initrd) {
		top = low_top;
		if ((uint64_t)kh->initrd_addr_max + 1 < top)
			top = (uint64_t)kh->initrd_addr_max + 1;
		if (in->initrd_size > top ||
		    ((top - in->initrd_size) & ~(PAGE_SIZE_4K - 1)) <
		    align_up(out->kernel_end, PAGE_SIZE_4K)) {
			snprintf(err, errlen,
				 "%s: %llu MiB initrd does not fit below 0x%llx above the kernel; use a larger -m",
				 in->initrd_name,
				 (unsigned long long)(in->initrd_size >> 20),
				 (unsigned long long)top);
			return -1;
		}
		out->initrd = (top - in->initrd_size) & ~(PAGE_SIZE_4K - 1);
		out->initrd_size = in->initrd_size;
		memcpy(mem + out->initrd, in->initrd, in->initrd_size);
		bp->hdr.ramdisk_image = (uint32_t)out->initrd;
		bp->ext_ramdisk_image = out->initrd >> 32;
		bp->hdr.ramdisk_size = (uint32_t)in->initrd_size;
		bp->ext_ramdisk_size = (uint64_t)in->initrd_size >> 32;
	}

	bp->e820_entries = e820_build(in->ram_size, bp->e820_table,
				      E820_MAX_ENTRIES_ZEROPAGE);
	bp->acpi_rsdp_addr = in->rsdp_addr;

	build_page_tables(mem);
	build_gdt(mem);
	out->pml4 = KHYP_PML4_ADDR;
	return 0;
}

int boot_cmdline_has(const char *line, const char *param)
{
	size_t plen = strlen(param), tlen;
	const char *p = line;

	while (*p) {
		while (*p == ' ')
			p++;
		tlen = strcspn(p, " ");
		if (tlen == 2 && !strncmp(p, "--", 2))
			break;		/* the rest belongs to init */
		if (tlen >= plen && !strncmp(p, param, plen) &&
		    (param[plen - 1] == '=' || tlen == plen))
			return 1;
		p += tlen;
	}
	return 0;
}

int boot_cmdline_compose(const char *user, uint32_t tsc_khz, char *out,
			 size_t len)
{
	size_t n = 0;
	int r;

	if (!user)
		user = "";
	if (!len)
		return -1;
	out[0] = '\0';
	if (!boot_cmdline_has(user, "console=")) {
		r = snprintf(out + n, len - n, "console=ttyS0 ");
		if (r < 0 || (size_t)r >= len - n)
			return -1;
		n += r;
	}
	if (tsc_khz && !boot_cmdline_has(user, "tsc_early_khz=")) {
		r = snprintf(out + n, len - n, "tsc_early_khz=%u ", tsc_khz);
		if (r < 0 || (size_t)r >= len - n)
			return -1;
		n += r;
	}
	r = snprintf(out + n, len - n, "%s", user);
	if (r < 0 || (size_t)r >= len - n)
		return -1;
	n += r;
	while (n && out[n - 1] == ' ')
		out[--n] = '\0';
	return 0;
}

static void set_seg(struct khyp_segment *s, uint16_t sel, uint16_t attrib,
		    uint32_t limit)
{
	s->base = 0;
	s->limit = limit;
	s->selector = sel;
	s->attrib = attrib;
}

void boot_cpu_state(const struct boot_layout *l, struct khyp_regs *regs,
		    struct khyp_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	memset(sregs, 0, sizeof(*sregs));

	regs->rip = l->entry;
	regs->rsi = l->zero_page;
	regs->rflags = X86_RFLAGS_FIXED;	/* IF=0 */
	/* Linux does not use the loader's stack; give it a harmless one. */
	regs->rsp = KHYP_ZERO_PAGE_ADDR;

	set_seg(&sregs->cs, KHYP_BOOT_CS, SEG_ATTR_CODE64, 0xffffffff);
	set_seg(&sregs->ds, KHYP_BOOT_DS, SEG_ATTR_DATA, 0xffffffff);
	sregs->es = sregs->ds;
	sregs->ss = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	set_seg(&sregs->tr, 0, SEG_ATTR_TSS64_BUSY, 0xffff);
	set_seg(&sregs->ldt, 0, SEG_ATTR_LDT, 0xffff);
	sregs->gdt.base = KHYP_GDT_ADDR;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;

	sregs->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	sregs->cr3 = l->pml4;
	sregs->cr4 = X86_CR4_PAE;
	sregs->efer = X86_EFER_LME | X86_EFER_LMA;
}
