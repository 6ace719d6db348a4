// SPDX-License-Identifier: GPL-2.0
/*
 * multiboot.c - Multiboot (version 1) loading, from the Multiboot
 * Specification 0.6.96: the header, ELF32 program headers or the a.out
 * kludge's addresses, the information structure and the machine state
 * at the entry point.
 *
 * The information structure, the command line and the module go after
 * the kernel's last byte, page aligned, as QEMU places them: a kernel
 * linked low (kvm-unit-tests' realmode test, at 32 KiB) keeps them below
 * the EBDA; one linked at 1 MiB or above keeps them below the MMIO hole.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "khyp_platform.h"
#include "multiboot.h"

_Static_assert(sizeof(struct mb_info) == 88, "mb_info size");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "mb_mmap_entry size");

#define PAGE_4K			0x1000ULL
#define MB_LOADER_NAME		"khyp-run"
#define MB_MAX_MMAP		16

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

long multiboot_find(const uint8_t *k, size_t size)
{
	size_t off, end = size < MB_SEARCH_LEN ? size : MB_SEARCH_LEN;

	for (off = 0; off + 12 <= end; off += 4) {
		if (get32(k + off) != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(get32(k + off) + get32(k + off + 4) +
			       get32(k + off + 8)) == 0)
			return off;
	}
	return -1;
}

/* The kernel may go in RAM below the EBDA or from 1 MiB to the hole. */
static int load_range_ok(uint64_t start, uint64_t end, uint64_t low_top)
{
	if (end <= KHYP_EBDA_START)
		return 1;
	return start >= KHYP_HIGH_MEM_START && end <= low_top;
}

static int add_segment(const char *name, struct mb_image *img, size_t fsize,
		       uint32_t addr, size_t offset, uint32_t filesz,
		       uint32_t memsz, char *err, size_t errlen)
{
	struct mb_segment *s;

	if (filesz > memsz || offset > fsize || filesz > fsize - offset) {
		snprintf(err, errlen,
			 "%s: segment at 0x%x: %u bytes at file offset 0x%zx do not fit its %u bytes or the %zu-byte file",
			 name, addr, filesz, offset, memsz, fsize);
		return -1;
	}
	if ((uint64_t)addr + memsz > 0x100000000ULL) {
		snprintf(err, errlen, "%s: segment at 0x%x (%u bytes) ends above 4 GiB",
			 name, addr, memsz);
		return -1;
	}
	if (!memsz)
		return 0;
	if (img->nr_segments == MB_MAX_SEGMENTS) {
		snprintf(err, errlen, "%s: more than %d loadable segments",
			 name, MB_MAX_SEGMENTS);
		return -1;
	}
	s = &img->seg[img->nr_segments++];
	s->addr = addr;
	s->offset = offset;
	s->filesz = filesz;
	s->memsz = memsz;
	if (img->nr_segments == 1 || addr < img->start)
		img->start = addr;
	if ((uint64_t)addr + memsz > img->end)
		img->end = (uint64_t)addr + memsz;
	return 0;
}

static int parse_kludge(const char *name, const uint8_t *k, size_t size,
			struct mb_image *img, char *err, size_t errlen)
{
	const struct mb_header *h;
	uint32_t load_end, bss_end;
	size_t start;

	if (img->header_offset + sizeof(*h) > size) {
		snprintf(err, errlen, "%s: truncated Multiboot header", name);
		return -1;
	}
	h = (const struct mb_header *)(k + img->header_offset);
	if (h->load_addr > h->header_addr ||
	    h->header_addr - h->load_addr > img->header_offset) {
		snprintf(err, errlen,
			 "%s: Multiboot header_addr 0x%x and load_addr 0x%x do not match the header's file offset 0x%zx",
			 name, h->header_addr, h->load_addr, img->header_offset);
		return -1;
	}
	start = img->header_offset - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr :
		   h->load_addr + (uint32_t)(size - start);
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (load_end < h->load_addr || bss_end < load_end) {
		snprintf(err, errlen,
			 "%s: Multiboot load_end_addr 0x%x / bss_end_addr 0x%x below load_addr 0x%x",
			 name, h->load_end_addr, h->bss_end_addr, h->load_addr);
		return -1;
	}
	img->entry = h->entry_addr;
	return add_segment(name, img, size, h->load_addr, start,
			   load_end - h->load_addr, bss_end - h->load_addr,
			   err, errlen);
}

static int parse_elf(const char *name, const uint8_t *k, size_t size,
		     struct mb_image *img, char *err, size_t errlen)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)k;
	Elf32_Phdr ph;
	unsigned int i;

	if (size < EI_NIDENT || memcmp(k, ELFMAG, SELFMAG)) {
		snprintf(err, errlen,
			 "%s: Multiboot kernel is not ELF and has no a.out kludge (header flag 16)",
			 name);
		return -1;
	}
	if (k[EI_CLASS] == ELFCLASS64) {
		/* QEMU's words: a Multiboot v1 loader enters in 32-bit mode. */
		snprintf(err, errlen, "%s: Cannot load x86-64 image, give a 32bit one.",
			 name);
		return -1;
	}
	if (size < sizeof(*eh) || k[EI_CLASS] != ELFCLASS32 ||
	    k[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_386 ||
	    eh->e_type != ET_EXEC) {
		snprintf(err, errlen, "%s: not a 32-bit x86 ELF executable", name);
		return -1;
	}
	if (eh->e_phentsize != sizeof(ph) || !eh->e_phnum ||
	    eh->e_phoff > size ||
	    (size - eh->e_phoff) / sizeof(ph) < eh->e_phnum) {
		snprintf(err, errlen, "%s: bad ELF program header table", name);
		return -1;
	}
	for (i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, k + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (add_segment(name, img, size, ph.p_paddr, ph.p_offset,
				ph.p_filesz, ph.p_memsz, err, errlen))
			return -1;
	}
	if (!img->nr_segments) {
		snprintf(err, errlen, "%s: no loadable ELF segment", name);
		return -1;
	}
	img->entry = eh->e_entry;
	return 0;
}

int multiboot_parse(const char *name, const uint8_t *k, size_t size,
		    struct mb_image *img, char *err, size_t errlen)
{
	const uint32_t known = MB_HF_PAGE_ALIGN | MB_HF_MEMORY_INFO |
			       MB_HF_VIDEO_MODE;
	long off = multiboot_find(k, size);
	unsigned int i, j;

	memset(img, 0, sizeof(*img));
	if (off < 0) {
		snprintf(err, errlen, "%s: no Multiboot header in the first 8 KiB",
			 name);
		return -1;
	}
	img->header_offset = off;
	img->header_flags = get32(k + off + 4);
	/* The spec: refuse a requirement (bits 0-15) not understood. */
	if (img->header_flags & 0xffff & ~known) {
		snprintf(err, errlen,
			 "%s: Multiboot header requires features 0x%x this loader does not know",
			 name, img->header_flags & 0xffff & ~known);
		return -1;
	}
	if ((img->header_flags & MB_HF_AOUT_KLUDGE ?
	     parse_kludge(name, k, size, img, err, errlen) :
	     parse_elf(name, k, size, img, err, errlen)))
		return -1;
	for (i = 0; i < img->nr_segments; i++)
		for (j = 0; j < i; j++)
			if (img->seg[i].addr <
			    (uint64_t)img->seg[j].addr + img->seg[j].memsz &&
			    img->seg[j].addr <
			    (uint64_t)img->seg[i].addr + img->seg[i].memsz) {
				snprintf(err, errlen,
					 "%s: segments at 0x%x and 0x%x overlap",
					 name, img->seg[j].addr,
					 img->seg[i].addr);
				return -1;
			}
	return 0;
}

int multiboot_cmdline(const char *kernel, const char *append, char *out,
		      size_t len)
{
	int r;

	if (append && *append)
		r = snprintf(out, len, "%s %s", kernel, append);
	else
		r = snprintf(out, len, "%s", kernel);
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * The memory map: the e820 map of a Linux boot, but with its boot area
 * (bootparams.c's page tables and GDT, unused here) as RAM.
 */
static unsigned int mmap_build(uint64_t ram, struct mb_mmap_entry *m,
			       unsigned int max)
{
	struct boot_e820_entry e820[MB_MAX_MMAP];
	unsigned int n, i, out = 0;
	uint32_t type;

	n = e820_build(ram, e820, MB_MAX_MMAP);
	for (i = 0; i < n && out < max; i++) {
		type = e820[i].addr == KHYP_BOOT_AREA_START ? E820_TYPE_RAM :
		       e820[i].type;
		if (out && m[out - 1].type == type &&
		    m[out - 1].addr + m[out - 1].len == e820[i].addr) {
			m[out - 1].len += e820[i].size;
			continue;
		}
		m[out].size = sizeof(*m) - sizeof(m->size);
		m[out].addr = e820[i].addr;
		m[out].len = e820[i].size;
		m[out].type = type;
		out++;
	}
	return out;
}

/* Bump allocator in guest memory, from the page after the kernel. */
struct placer {
	uint8_t *mem;
	uint64_t next, limit;
};

static uint64_t place(struct placer *p, const void *data, size_t len,
		      uint64_t align)
{
	uint64_t at = align_up(p->next, align);

	if (at + len > p->limit || at + len < at)
		return 0;
	if (data)
		memcpy(p->mem + at, data, len);
	p->next = at + len;
	return at;
}

/* mb_firmware.S */
extern const uint8_t mb_fw_start[], mb_fw_end[], mb_fw_iret[],
	mb_fw_eoi_master[], mb_fw_eoi_slave[], mb_fw_init[];

#define MB_FW_SEG		(KHYP_MB_FW_ADDR >> 4 & 0xf000)
#define MB_FW_OFF(sym)		(KHYP_MB_FW_ADDR - MB_FW_SEG * 16 + \
				 (sym - mb_fw_start))
#define BDA_EBDA_SEG		0x40e	/* 16 bits */
#define BDA_BASE_MEM_KB		0x413	/* 16 bits */

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * What a Multiboot kernel finds of a BIOS, as SeaBIOS leaves it (the
 * devices are mb_firmware.S's to program): a real-mode IVT whose vectors
 * all return, those of the PICs after an EOI, and the BDA's EBDA
 * segment and base memory size, where kernels look for tables.
 */
static void mb_firmware(uint8_t *mem)
{
	unsigned int v;
	uint16_t off;

	memcpy(mem + KHYP_MB_FW_ADDR, mb_fw_start, mb_fw_end - mb_fw_start);
	for (v = 0; v < 256; v++) {
		if (v >= 0x08 && v < 0x10)
			off = MB_FW_OFF(mb_fw_eoi_master);
		else if (v >= 0x70 && v < 0x78)
			off = MB_FW_OFF(mb_fw_eoi_slave);
		else
			off = MB_FW_OFF(mb_fw_iret);
		put16(mem + v * 4, off);
		put16(mem + v * 4 + 2, MB_FW_SEG);
	}
	put16(mem + BDA_EBDA_SEG, KHYP_EBDA_START >> 4);
	put16(mem + BDA_BASE_MEM_KB, KHYP_EBDA_START >> 10);
}

int multiboot_setup(uint8_t *mem, uint64_t mem_size,
		    const struct boot_input *in, struct mb_layout *out,
		    char *err, size_t errlen)
{
	uint64_t low_top = guest_low_ram_top(in->ram_size);
	struct mb_mmap_entry mmap[MB_MAX_MMAP];
	struct mb_module mod;
	struct mb_info info;
	struct placer p;
	struct mb_image img;
	unsigned int i, n;
	uint64_t at;

	memset(out, 0, sizeof(*out));
	if (mem_size < guest_backing_size(in->ram_size) ||
	    in->ram_size < KHYP_HIGH_MEM_START) {
		snprintf(err, errlen, "guest memory too small");
		return -1;
	}
	if (multiboot_parse(in->kernel_name, in->kernel, in->kernel_size,
			    &img, err, errlen))
		return -1;
	/* First: a kernel loaded over the IVT wins, as over SeaBIOS's. */
	mb_firmware(mem);
	for (i = 0; i < img.nr_segments; i++) {
		const struct mb_segment *s = &img.seg[i];

		if (!load_range_ok(s->addr, (uint64_t)s->addr + s->memsz,
				   low_top)) {
			snprintf(err, errlen,
				 "%s: segment 0x%x-0x%llx is not in guest RAM (below 0x%llx, or 0x%llx-0x%llx with -m %lluM)",
				 in->kernel_name, s->addr,
				 (unsigned long long)s->addr + s->memsz,
				 KHYP_EBDA_START, KHYP_HIGH_MEM_START,
				 (unsigned long long)low_top,
				 (unsigned long long)(in->ram_size >> 20));
			return -1;
		}
		memcpy(mem + s->addr, in->kernel + s->offset, s->filesz);
		memset(mem + s->addr + s->filesz, 0, s->memsz - s->filesz);
	}
	out->entry = img.entry;
	out->kernel_start = img.start;
	out->kernel_end = img.end;

	p.mem = mem;
	p.next = img.end;
	p.limit = img.end <= KHYP_EBDA_START ? KHYP_EBDA_START : low_top;

	memset(&info, 0, sizeof(info));
	info.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MMAP |
		     MB_INFO_LOADER_NAME;
	info.mem_lower = KHYP_EBDA_START >> 10;
	info.mem_upper = (low_top - KHYP_HIGH_MEM_START) >> 10;
	out->info = place(&p, NULL, sizeof(info), PAGE_4K);
	n = mmap_build(in->ram_size, mmap, MB_MAX_MMAP);
	out->mmap_len = n * sizeof(mmap[0]);
	out->mmap = place(&p, mmap, out->mmap_len, 8);
	out->cmdline = place(&p, in->cmdline, strlen(in->cmdline) + 1, 1);
	info.boot_loader_name = place(&p, MB_LOADER_NAME,
				      sizeof(MB_LOADER_NAME), 1);
	if (!out->info || !out->mmap || !out->cmdline ||
	    !info.boot_loader_name)
		goto no_room;
	info.mmap_addr = out->mmap;
	info.mmap_length = out->mmap_len;
	info.cmdline = out->cmdline;
	if (in->initrd) {
		memset(&mod, 0, sizeof(mod));
		mod.string = place(&p, in->initrd_name,
				   strlen(in->initrd_name) + 1, 1);
		at = place(&p, NULL, sizeof(mod), 16);
		out->module = place(&p, in->initrd, in->initrd_size, PAGE_4K);
		if (!mod.string || !at || !out->module)
			goto no_room;
		out->module_size = in->initrd_size;
		mod.mod_start = out->module;
		mod.mod_end = out->module + in->initrd_size;
		memcpy(mem + at, &mod, sizeof(mod));
		info.flags |= MB_INFO_MODS;
		info.mods_count = 1;
		info.mods_addr = at;
	}
	memcpy(mem + out->info, &info, sizeof(info));
	out->end = p.next;
	return 0;

no_room:
	snprintf(err, errlen,
		 "%s: no room for the Multiboot information%s between 0x%llx and 0x%llx; use a larger -m",
		 in->kernel_name, in->initrd ? " and the -initrd module" : "",
		 (unsigned long long)img.end, (unsigned long long)p.limit);
	return -1;
}

static void flat_seg(struct khyp_segment *s, uint16_t sel, uint16_t attrib)
{
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->attrib = attrib;
}

void multiboot_cpu_state(const struct mb_layout *l, struct khyp_regs *regs,
			 struct khyp_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	memset(sregs, 0, sizeof(*sregs));
	/* mb_firmware.S's devices first; it sets EAX and jumps to ESI. */
	regs->rip = KHYP_MB_FW_ADDR + (mb_fw_init - mb_fw_start);
	regs->rsi = l->entry;
	regs->rbx = l->info;
	regs->rflags = X86_RFLAGS_FIXED;	/* IF=0, VM=0 */

	flat_seg(&sregs->cs, KHYP_BOOT_CS, SEG_ATTR_CODE32);
	flat_seg(&sregs->ds, KHYP_BOOT_DS, SEG_ATTR_DATA);
	sregs->es = sregs->ds;
	sregs->ss = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->tr.limit = 0xffff;
	sregs->tr.attrib = SEG_ATTR_TSS64_BUSY;	/* also a busy 32-bit TSS */
	sregs->ldt.limit = 0xffff;
	sregs->ldt.attrib = SEG_ATTR_LDT;
	/* GDTR and IDTR are the kernel's to load (the spec: undefined). */
	sregs->cr0 = X86_CR0_PE | X86_CR0_ET;
}
