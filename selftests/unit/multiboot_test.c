// SPDX-License-Identifier: GPL-2.0
/*
 * multiboot_test.c - the Multiboot v1 loader: finding the header, ELF32
 * and a.out-kludge images built here, where everything is placed, the
 * information structure and the boot CPU's state.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "khyp_platform.h"
#include "multiboot.h"

#define RAM (64ULL << 20)
#define IMG_SIZE 0x6000

/* An ELF32 image: the Multiboot header at @hdr_off, up to 2 PT_LOADs. */
struct elf_img {
	uint8_t b[IMG_SIZE];
};

static void put_header(uint8_t *b, size_t off, uint32_t flags)
{
	struct mb_header h = { .magic = MB_HEADER_MAGIC, .flags = flags };

	h.checksum = -(h.magic + h.flags);
	memcpy(b + off, &h, sizeof(h));
}

static void make_elf(struct elf_img *img, uint32_t entry, unsigned int nph,
		     const Elf32_Phdr *ph)
{
	Elf32_Ehdr eh;

	memset(img, 0, sizeof(*img));
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_386;
	eh.e_version = EV_CURRENT;
	eh.e_entry = entry;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf32_Phdr);
	eh.e_phnum = nph;
	memcpy(img->b, &eh, sizeof(eh));
	memcpy(img->b + sizeof(eh), ph, nph * sizeof(*ph));
}

/* Text at 0x400000 from file offset 0x1000 (header first), data + bss. */
static void make_flat(struct elf_img *img)
{
	Elf32_Phdr ph[3] = {
		{ .p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = 0x400000,
		  .p_paddr = 0x400000, .p_filesz = 0x2000, .p_memsz = 0x2000 },
		{ .p_type = PT_NOTE, .p_offset = 0, .p_filesz = 4 },
		{ .p_type = PT_LOAD, .p_offset = 0x3000, .p_vaddr = 0x403000,
		  .p_paddr = 0x403000, .p_filesz = 0x1000, .p_memsz = 0x5800 },
	};

	make_elf(img, 0x400010, 3, ph);
	put_header(img->b, 0x1000, MB_HF_PAGE_ALIGN);
	memset(img->b + 0x1100, 0xc3, 0x10);	/* text */
	memset(img->b + 0x3000, 0xda, 0x1000);	/* data */
}

TEST(find_header)
{
	uint8_t b[0x4000] = { 0 };

	ASSERT_EQ(-1, multiboot_find(b, sizeof(b)));
	put_header(b, 0x1ff4, 0);	/* the last place in 8 KiB */
	ASSERT_EQ(0x1ff4, multiboot_find(b, sizeof(b)));
	ASSERT_EQ(-1, multiboot_find(b, 0x1ff4 + 11));	/* cut short */
	memset(b, 0, sizeof(b));
	put_header(b, 0x2000, 0);	/* past the first 8 KiB */
	ASSERT_EQ(-1, multiboot_find(b, sizeof(b)));
	memset(b, 0, sizeof(b));
	put_header(b, 0x102, 0);	/* not 32-bit aligned */
	ASSERT_EQ(-1, multiboot_find(b, sizeof(b)));
	memset(b, 0, sizeof(b));
	put_header(b, 0x100, 0);
	b[0x108]++;			/* bad checksum */
	ASSERT_EQ(-1, multiboot_find(b, sizeof(b)));
}

TEST(parse_elf)
{
	static struct elf_img img;
	struct mb_image mi;
	char err[256];

	make_flat(&img);
	ASSERT_EQ(0, multiboot_parse("k", img.b, sizeof(img.b), &mi, err,
				     sizeof(err)));
	ASSERT_EQ(0x1000, mi.header_offset);
	ASSERT_EQ(0x400010, mi.entry);
	ASSERT_EQ(2, mi.nr_segments);
	ASSERT_EQ(0x400000, mi.start);
	ASSERT_EQ(0x408800, mi.end);
	ASSERT_EQ(0x3000, mi.seg[1].offset);
	ASSERT_EQ(0x1000, mi.seg[1].filesz);
	ASSERT_EQ(0x5800, mi.seg[1].memsz);
}

TEST(parse_errors)
{
	static struct elf_img img;
	struct mb_image mi;
	Elf32_Phdr ph;
	char err[256];

	memset(&img, 0, sizeof(img));
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: no Multiboot header in the first 8 KiB", err);

	put_header(img.b, 0x40, 0);
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: Multiboot kernel is not ELF and has no a.out kludge (header flag 16)",
		     err);

	make_flat(&img);
	img.b[EI_CLASS] = ELFCLASS64;
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: Cannot load x86-64 image, give a 32bit one.", err);

	make_flat(&img);
	img.b[offsetof(Elf32_Ehdr, e_machine)] = EM_ARM;
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: not a 32-bit x86 ELF executable", err);

	/* A requirement this loader does not know (bit 3). */
	make_flat(&img);
	put_header(img.b, 0x1000, 1U << 3 | MB_HF_MEMORY_INFO);
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: Multiboot header requires features 0x8 this loader does not know",
		     err);
	/* Bits 16-31 other than the kludge are optional: ignored. */
	put_header(img.b, 0x1000, 1U << 20);
	ASSERT_EQ(0, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				     sizeof(err)));

	/* A segment past the end of the file, or with filesz > memsz. */
	make_flat(&img);
	ph = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0x5000,
			   .p_paddr = 0x500000, .p_filesz = 0x2000,
			   .p_memsz = 0x2000 };
	make_elf(&img, 0x500000, 1, &ph);
	put_header(img.b, 0x1000, 0);
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: segment at 0x500000: 8192 bytes at file offset 0x5000 do not fit its 8192 bytes or the 24576-byte file",
		     err);
	ph.p_offset = 0x1000;
	ph.p_memsz = 0x1000;
	make_elf(&img, 0x500000, 1, &ph);
	put_header(img.b, 0x1000, 0);
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));

	/* Overlapping segments; a segment ending above 4 GiB. */
	{
		Elf32_Phdr two[2] = {
			{ .p_type = PT_LOAD, .p_offset = 0x1000,
			  .p_paddr = 0x400000, .p_filesz = 0x1000,
			  .p_memsz = 0x3000 },
			{ .p_type = PT_LOAD, .p_offset = 0x2000,
			  .p_paddr = 0x402000, .p_filesz = 0x1000,
			  .p_memsz = 0x1000 },
		};

		make_elf(&img, 0x400000, 2, two);
		put_header(img.b, 0x1000, 0);
		ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi,
					      err, sizeof(err)));
		ASSERT_STREQ("/k: segments at 0x400000 and 0x402000 overlap",
			     err);
		two[1].p_paddr = 0xfffff000;
		two[1].p_memsz = 0x2000;
		make_elf(&img, 0x400000, 2, two);
		put_header(img.b, 0x1000, 0);
		ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi,
					      err, sizeof(err)));
		ASSERT_STREQ("/k: segment at 0xfffff000 (8192 bytes) ends above 4 GiB",
			     err);
	}

	/* No PT_LOAD at all. */
	ph.p_type = PT_NOTE;
	make_elf(&img, 0x500000, 1, &ph);
	put_header(img.b, 0x1000, 0);
	ASSERT_EQ(-1, multiboot_parse("/k", img.b, sizeof(img.b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: no loadable ELF segment", err);
}

/* The a.out kludge: a flat binary that says where it goes. */
static void make_kludge(uint8_t *b, size_t size, uint32_t load_end,
			uint32_t bss_end)
{
	struct mb_header h = {
		.magic = MB_HEADER_MAGIC, .flags = MB_HF_AOUT_KLUDGE,
		.header_addr = 0x100040, .load_addr = 0x100000,
		.load_end_addr = load_end, .bss_end_addr = bss_end,
		.entry_addr = 0x100080,
	};

	h.checksum = -(h.magic + h.flags);
	memset(b, 0x90, size);
	memcpy(b + 0x40, &h, sizeof(h));
}

TEST(parse_aout_kludge)
{
	struct mb_image mi;
	uint8_t b[0x3000];
	char err[256];

	make_kludge(b, sizeof(b), 0, 0);
	ASSERT_EQ(0, multiboot_parse("k", b, sizeof(b), &mi, err, sizeof(err)));
	ASSERT_EQ(0x100080, mi.entry);
	ASSERT_EQ(1, mi.nr_segments);
	ASSERT_EQ(0, mi.seg[0].offset);
	ASSERT_EQ(0x100000, mi.seg[0].addr);
	ASSERT_EQ(sizeof(b), mi.seg[0].filesz);	/* to the end of the file */
	ASSERT_EQ(sizeof(b), mi.seg[0].memsz);

	make_kludge(b, sizeof(b), 0x101000, 0x108000);
	ASSERT_EQ(0, multiboot_parse("k", b, sizeof(b), &mi, err, sizeof(err)));
	ASSERT_EQ(0x1000, mi.seg[0].filesz);
	ASSERT_EQ(0x8000, mi.seg[0].memsz);
	ASSERT_EQ(0x108000, mi.end);

	/* The header would be before the file's start. */
	make_kludge(b, sizeof(b), 0, 0);
	((struct mb_header *)(b + 0x40))->load_addr = 0xf0000;
	((struct mb_header *)(b + 0x40))->checksum =
		-(MB_HEADER_MAGIC + MB_HF_AOUT_KLUDGE);
	ASSERT_EQ(-1, multiboot_parse("/k", b, sizeof(b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: Multiboot header_addr 0x100040 and load_addr 0xf0000 do not match the header's file offset 0x40",
		     err);
	/* Past the end of the file; bss before the end of the load. */
	make_kludge(b, sizeof(b), 0x104000, 0);
	ASSERT_EQ(-1, multiboot_parse("/k", b, sizeof(b), &mi, err,
				      sizeof(err)));
	make_kludge(b, sizeof(b), 0x101000, 0x100800);
	ASSERT_EQ(-1, multiboot_parse("/k", b, sizeof(b), &mi, err,
				      sizeof(err)));
	ASSERT_STREQ("/k: Multiboot load_end_addr 0x101000 / bss_end_addr 0x100800 below load_addr 0x100000",
		     err);
}

TEST(command_line)
{
	char out[32];

	ASSERT_EQ(0, multiboot_cmdline("x86/sieve.flat", NULL, out,
				       sizeof(out)));
	ASSERT_STREQ("x86/sieve.flat", out);
	ASSERT_EQ(0, multiboot_cmdline("x86/sieve.flat", "", out,
				       sizeof(out)));
	ASSERT_STREQ("x86/sieve.flat", out);
	ASSERT_EQ(0, multiboot_cmdline("k", "a  b", out, sizeof(out)));
	ASSERT_STREQ("k a  b", out);
	ASSERT_EQ(-1, multiboot_cmdline("k", "0123456789012345678901234567890",
					out, sizeof(out)));
}

FIXTURE(setup) {
	uint8_t *mem;
	struct elf_img img;
	struct boot_input in;
	struct mb_layout l;
	char err[256];
};

FIXTURE_SETUP(setup)
{
	self->mem = calloc(1, RAM);
	ASSERT_NE(NULL, self->mem);
	make_flat(&self->img);
	memset(&self->in, 0, sizeof(self->in));
	self->in.kernel_name = "x86/test.flat";
	self->in.kernel = self->img.b;
	self->in.kernel_size = sizeof(self->img.b);
	self->in.initrd_name = "/tmp/env";
	self->in.initrd = (const uint8_t *)"NR_CPUS=2\n";
	self->in.initrd_size = 10;
	self->in.cmdline = "x86/test.flat -v arg";
	self->in.ram_size = RAM;
	memset(self->mem + 0x408000, 0x55, 0x800);	/* bss must be zeroed */
}

FIXTURE_TEARDOWN(setup)
{
	free(self->mem);
}

TEST_F(setup, placement_and_info)
{
	const struct mb_mmap_entry *m;
	const struct mb_module *mod;
	struct mb_info info;
	unsigned int i;

	ASSERT_EQ(0, multiboot_setup(self->mem, RAM, &self->in, &self->l,
				     self->err, sizeof(self->err)));
	/* The segments, their bss zeroed. */
	ASSERT_EQ(0, memcmp(self->mem + 0x400000, self->img.b + 0x1000,
			    0x2000));
	ASSERT_EQ(0xda, self->mem[0x403fff]);
	for (i = 0x404000; i < 0x408800; i++)
		ASSERT_EQ(0, self->mem[i]);
	ASSERT_EQ(0x400010, self->l.entry);

	/* The information structure: the page after the kernel. */
	ASSERT_EQ(0x409000, self->l.info);
	memcpy(&info, self->mem + self->l.info, sizeof(info));
	ASSERT_EQ(MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
		  MB_INFO_MMAP | MB_INFO_LOADER_NAME, info.flags);
	ASSERT_EQ(639, info.mem_lower);
	ASSERT_EQ((RAM >> 10) - 1024, info.mem_upper);
	ASSERT_STREQ("x86/test.flat -v arg",
		     (char *)self->mem + info.cmdline);
	ASSERT_STREQ("khyp-run", (char *)self->mem + info.boot_loader_name);

	/* Module 0: the -initrd, page aligned, its name as its string. */
	ASSERT_EQ(1, info.mods_count);
	mod = (const struct mb_module *)(self->mem + info.mods_addr);
	ASSERT_EQ(0, mod->mod_start & 0xfff);
	ASSERT_EQ(self->l.module, mod->mod_start);
	ASSERT_EQ(mod->mod_start + 10, mod->mod_end);
	ASSERT_EQ(0, memcmp(self->mem + mod->mod_start, "NR_CPUS=2\n", 10));
	ASSERT_STREQ("/tmp/env", (char *)self->mem + mod->string);
	ASSERT_EQ(mod->mod_end, self->l.end);

	/*
	 * The memory map: RAM to the EBDA (bootparams.c's boot area is
	 * RAM here), the BIOS area reserved (the ACPI tables are in it),
	 * RAM from 1 MiB, the IOAPIC and LAPIC pages reserved.
	 */
	ASSERT_EQ(5 * sizeof(*m), info.mmap_length);
	ASSERT_EQ(self->l.mmap, info.mmap_addr);
	m = (const struct mb_mmap_entry *)(self->mem + info.mmap_addr);
	ASSERT_EQ(20, m[0].size);
	ASSERT_EQ(0, m[0].addr);
	ASSERT_EQ(KHYP_EBDA_START, m[0].len);
	ASSERT_EQ(1, m[0].type);
	ASSERT_EQ(KHYP_EBDA_START, m[1].addr);
	ASSERT_EQ(KHYP_HIGH_MEM_START - KHYP_EBDA_START, m[1].len);
	ASSERT_EQ(2, m[1].type);
	ASSERT_EQ(KHYP_HIGH_MEM_START, m[2].addr);
	ASSERT_EQ(RAM - KHYP_HIGH_MEM_START, m[2].len);
	ASSERT_EQ(1, m[2].type);
	ASSERT_EQ(KHYP_IOAPIC_BASE, m[3].addr);
	ASSERT_EQ(2, m[3].type);
	ASSERT_EQ(KHYP_LAPIC_BASE, m[4].addr);
	ASSERT_EQ(2, m[4].type);

	/*
	 * Nothing written outside the kernel and what follows it, but for
	 * the BIOS's IVT and BDA (page 0) and handlers (bios_state).
	 */
	for (i = 4096; i < 0x400000; i += 4096)
		if (i != KHYP_MB_FW_ADDR)
			ASSERT_EQ(0, self->mem[i]);
}

static uint32_t ivt(const uint8_t *mem, unsigned int v)
{
	uint16_t off, seg;

	memcpy(&off, mem + v * 4, 2);
	memcpy(&seg, mem + v * 4 + 2, 2);
	return seg * 16 + off;
}

/*
 * As SeaBIOS leaves it: every real-mode vector returns, the PICs' after
 * an EOI to the master (0x08-0x0f) or to both (0x70-0x77); the BDA has
 * the EBDA segment and the KiB below it; the boot CPU's first code ends
 * by setting EAX to the Multiboot magic and jumping to ESI.
 */
TEST_F(setup, bios_state)
{
	static const uint8_t eoi_m[] = { 0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58,
					 0xcf };
	static const uint8_t eoi_s[] = { 0x50, 0xb0, 0x20, 0xe6, 0xa0, 0xe6,
					 0x20, 0x58, 0xcf };
	static const uint8_t enter[] = { 0xb8, 0x02, 0xb0, 0xad, 0x2b, 0xff,
					 0xe6 };
	struct khyp_sregs s;
	struct khyp_regs r;
	const uint8_t *fw = self->mem + KHYP_MB_FW_ADDR;
	unsigned int v, i;
	uint16_t w;

	ASSERT_EQ(0, multiboot_setup(self->mem, RAM, &self->in, &self->l,
				     self->err, sizeof(self->err)));
	for (v = 0; v < 256; v++) {
		uint32_t a = ivt(self->mem, v);

		ASSERT_LE(KHYP_MB_FW_ADDR, a) TH_LOG("vector %#x", v);
		ASSERT_GT(0x100000, a) TH_LOG("vector %#x", v);
		if (v >= 0x08 && v < 0x10) {
			ASSERT_EQ(0, memcmp(self->mem + a, eoi_m,
					    sizeof(eoi_m)));
		} else if (v >= 0x70 && v < 0x78) {
			ASSERT_EQ(0, memcmp(self->mem + a, eoi_s,
					    sizeof(eoi_s)));
		} else {
			ASSERT_EQ(0xcf, self->mem[a]) TH_LOG("vector %#x", v);
		}
	}
	memcpy(&w, self->mem + 0x40e, 2);
	ASSERT_EQ(KHYP_EBDA_START >> 4, w);
	memcpy(&w, self->mem + 0x413, 2);
	ASSERT_EQ(639, w);

	multiboot_cpu_state(&self->l, &r, &s);
	ASSERT_LE(KHYP_MB_FW_ADDR, r.rip);
	for (i = r.rip - KHYP_MB_FW_ADDR; i + sizeof(enter) < 4096; i++)
		if (!memcmp(fw + i, enter, sizeof(enter)))
			break;
	ASSERT_GT(4096, i + sizeof(enter)) TH_LOG("no jump to the kernel");
}

TEST_F(setup, no_module)
{
	struct mb_info info;

	self->in.initrd = NULL;
	ASSERT_EQ(0, multiboot_setup(self->mem, RAM, &self->in, &self->l,
				     self->err, sizeof(self->err)));
	memcpy(&info, self->mem + self->l.info, sizeof(info));
	ASSERT_EQ(0, info.flags & MB_INFO_MODS);
	ASSERT_EQ(0, info.mods_count);
	ASSERT_EQ(0, self->l.module);
}

/* A kernel linked low (kvm-unit-tests' realmode test: 32 KiB). */
TEST_F(setup, low_kernel)
{
	Elf32_Phdr ph = { .p_type = PT_LOAD, .p_offset = 0x1000,
			  .p_paddr = 0x8000, .p_filesz = 0x3000,
			  .p_memsz = 0x5a30 };

	make_elf(&self->img, 0x8018, 1, &ph);
	put_header(self->img.b, 0x1000, 0);
	ASSERT_EQ(0, multiboot_setup(self->mem, RAM, &self->in, &self->l,
				     self->err, sizeof(self->err)));
	ASSERT_EQ(0xe000, self->l.info);
	ASSERT_GT(KHYP_EBDA_START, self->l.end);

	/* A module that does not fit below the EBDA is refused. */
	self->in.initrd = self->mem + (1 << 20);
	self->in.initrd_size = 0x91000;
	ASSERT_EQ(-1, multiboot_setup(self->mem, RAM, &self->in, &self->l,
				      self->err, sizeof(self->err)));
	ASSERT_STREQ("x86/test.flat: no room for the Multiboot information and the -initrd module between 0xda30 and 0x9fc00; use a larger -m",
		     self->err);
}

TEST_F(setup, segments_outside_ram)
{
	Elf32_Phdr ph = { .p_type = PT_LOAD, .p_offset = 0x1000,
			  .p_paddr = 0xe0000, .p_filesz = 0x1000,
			  .p_memsz = 0x1000 };

	/* Over the BIOS area, where the ACPI tables are. */
	make_elf(&self->img, 0xe0000, 1, &ph);
	put_header(self->img.b, 0x1000, 0);
	ASSERT_EQ(-1, multiboot_setup(self->mem, RAM, &self->in, &self->l,
				      self->err, sizeof(self->err)));
	ASSERT_STREQ("x86/test.flat: segment 0xe0000-0xe1000 is not in guest RAM (below 0x9fc00, or 0x100000-0x4000000 with -m 64M)",
		     self->err);
	/* Beyond -m. */
	ph.p_paddr = RAM - 0x800;
	make_elf(&self->img, 0xe0000, 1, &ph);
	put_header(self->img.b, 0x1000, 0);
	ASSERT_EQ(-1, multiboot_setup(self->mem, RAM, &self->in, &self->l,
				      self->err, sizeof(self->err)));
}

TEST(cpu_state)
{
	struct mb_layout l = { .entry = 0x400010, .info = 0x409000 };
	struct khyp_sregs s;
	struct khyp_regs r;

	multiboot_cpu_state(&l, &r, &s);
	/* Through the BIOS's code (bios_state), which sets EAX. */
	ASSERT_LE(KHYP_MB_FW_ADDR, r.rip);
	ASSERT_GT(0x100000, r.rip);
	ASSERT_EQ(0x400010, r.rsi);
	ASSERT_EQ(0x409000, r.rbx);
	ASSERT_EQ(0, r.rflags & (1 << 9));		/* IF */
	ASSERT_EQ(0, r.rflags & (1 << 17));		/* VM */
	ASSERT_EQ(X86_CR0_PE, s.cr0 & (X86_CR0_PE | X86_CR0_PG));
	ASSERT_EQ(0, s.cr4);
	ASSERT_EQ(0, s.efer);
	/* Flat 32-bit code (D/B set, L clear) and data. */
	ASSERT_EQ(0, s.cs.base);
	ASSERT_EQ(0xffffffff, s.cs.limit);
	ASSERT_EQ(KHYP_SEG_DB, s.cs.attrib & (KHYP_SEG_DB | KHYP_SEG_L));
	ASSERT_EQ(0xb, s.cs.attrib & KHYP_SEG_TYPE_MASK);
	ASSERT_TRUE(s.cs.attrib & KHYP_SEG_P);
	ASSERT_EQ(0, s.ds.base);
	ASSERT_EQ(0xffffffff, s.ss.limit);
	ASSERT_EQ(3, s.ss.attrib & KHYP_SEG_TYPE_MASK);
	ASSERT_TRUE(s.es.attrib & KHYP_SEG_DB);
}

TEST_HARNESS_MAIN
