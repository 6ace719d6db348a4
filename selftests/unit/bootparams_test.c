// SPDX-License-Identifier: GPL-2.0
/*
 * bootparams_test.c - the x86 boot protocol loader, against the real
 * Debian cloud kernel in /boot and against broken files.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "khyp_platform.h"
#include "bootparams.h"

#define MEM (128ULL << 20)

static int find_kernel(char *path, size_t len)
{
	glob_t g;
	int r = -1;

	if (!glob("/boot/vmlinuz-*-cloud-amd64", 0, NULL, &g) &&
	    g.gl_pathc) {
		snprintf(path, len, "%s", g.gl_pathv[0]);
		r = 0;
	}
	globfree(&g);
	return r;
}

/* Walk the guest's page tables (4-level, 2 MiB leaves) for @va. */
static int translate(const uint8_t *mem, uint64_t cr3, uint64_t va,
		     uint64_t *pa)
{
	const uint64_t mask = 0x000ffffffffff000ULL;
	uint64_t e;

	e = ((const uint64_t *)(mem + cr3))[(va >> 39) & 511];
	if (!(e & 1))
		return -1;
	e = ((const uint64_t *)(mem + (e & mask)))[(va >> 30) & 511];
	if (!(e & 1) || (e & 0x80))
		return -1;
	e = ((const uint64_t *)(mem + (e & mask)))[(va >> 21) & 511];
	if (!(e & 1) || !(e & 0x80) || !(e & 2))
		return -1;
	*pa = (e & 0x000fffffffe00000ULL) | (va & 0x1fffff);
	return 0;
}

FIXTURE(cloud) {
	char path[256];
	struct file_buf kernel;
	uint8_t *mem;
	uint8_t initrd[40000];
	char err[256];
};

FIXTURE_SETUP(cloud)
{
	unsigned int i;

	if (find_kernel(self->path, sizeof(self->path)))
		SKIP(return, "no /boot/vmlinuz-*-cloud-amd64");
	ASSERT_EQ(0, file_read(self->path, &self->kernel, self->err,
			       sizeof(self->err))) {
		TH_LOG("%s", self->err);
	}
	self->mem = calloc(1, MEM);
	ASSERT_NE(NULL, self->mem);
	for (i = 0; i < sizeof(self->initrd); i++)
		self->initrd[i] = i * 7 + 3;
}

FIXTURE_TEARDOWN(cloud)
{
	file_free(&self->kernel);
	free(self->mem);
}

TEST_F(cloud, layout)
{
	struct boot_input in = {
		.kernel_name = self->path,
		.kernel = self->kernel.data,
		.kernel_size = self->kernel.size,
		.initrd_name = "initrd",
		.initrd = self->initrd,
		.initrd_size = sizeof(self->initrd),
		.cmdline = "console=ttyS0 khyp.test=poweroff",
		.ram_size = MEM,
		.rsdp_addr = KHYP_RSDP_ADDR,
	};
	const struct setup_header *kh =
		(const void *)(self->kernel.data + BOOT_HDR_OFFSET);
	struct boot_layout l;
	struct boot_params *bp;
	struct khyp_regs regs;
	struct khyp_sregs sregs;
	const uint64_t *gdt;
	uint64_t pa, off;
	unsigned int i;

	ASSERT_EQ(0, boot_setup(self->mem, MEM, &in, &l, self->err,
				sizeof(self->err))) {
		TH_LOG("%s", self->err);
	}
	bp = (struct boot_params *)(self->mem + KHYP_ZERO_PAGE_ADDR);

	/* the setup header is copied, the loader fields filled */
	ASSERT_EQ(BOOT_HDRS_MAGIC, bp->hdr.header);
	ASSERT_EQ(kh->version, bp->hdr.version);
	ASSERT_EQ(kh->init_size, bp->hdr.init_size);
	ASSERT_EQ(kh->kernel_alignment, bp->hdr.kernel_alignment);
	ASSERT_EQ(0xff, bp->hdr.type_of_loader);
	ASSERT_EQ(0, bp->sentinel);
	ASSERT_EQ(KHYP_RSDP_ADDR, bp->acpi_rsdp_addr);

	/* command line */
	ASSERT_EQ(KHYP_CMDLINE_ADDR, bp->hdr.cmd_line_ptr);
	ASSERT_STREQ(in.cmdline, (char *)self->mem + bp->hdr.cmd_line_ptr);

	/* kernel payload at pref_address (16 MiB), aligned */
	ASSERT_EQ(0x1000000, l.kernel);
	ASSERT_EQ(0, l.kernel % kh->kernel_alignment);
	ASSERT_EQ(l.kernel + 0x200, l.entry);
	off = (kh->setup_sects + 1) * 512;
	ASSERT_EQ(0, memcmp(self->mem + l.kernel, self->kernel.data + off,
			    self->kernel.size - off));
	ASSERT_EQ(l.kernel + kh->init_size, l.kernel_end);

	/* initrd: high, page aligned, above the kernel's init_size */
	ASSERT_EQ(l.initrd, bp->hdr.ramdisk_image);
	ASSERT_EQ(0, bp->ext_ramdisk_image);
	ASSERT_EQ(sizeof(self->initrd), bp->hdr.ramdisk_size);
	ASSERT_EQ(0, l.initrd & 0xfff);
	ASSERT_GE(l.initrd, l.kernel_end);
	ASSERT_LE(l.initrd + sizeof(self->initrd), MEM);
	ASSERT_GT(l.initrd + sizeof(self->initrd), MEM - 0x1000);
	ASSERT_LE(l.initrd + sizeof(self->initrd) - 1, kh->initrd_addr_max);
	ASSERT_EQ(0, memcmp(self->mem + l.initrd, self->initrd,
			    sizeof(self->initrd)));

	/* e820: the platform map */
	ASSERT_EQ(7, bp->e820_entries);
	ASSERT_EQ(0, bp->e820_table[0].addr);
	ASSERT_EQ(KHYP_BOOT_AREA_START, bp->e820_table[0].size);
	ASSERT_EQ(E820_TYPE_RAM, bp->e820_table[0].type);
	ASSERT_EQ(KHYP_BOOT_AREA_START, bp->e820_table[1].addr);
	ASSERT_EQ(E820_TYPE_RESERVED, bp->e820_table[1].type);
	ASSERT_EQ(KHYP_BOOT_AREA_END, bp->e820_table[2].addr);
	ASSERT_EQ(0x9fc00, bp->e820_table[2].addr + bp->e820_table[2].size);
	ASSERT_EQ(E820_TYPE_RAM, bp->e820_table[2].type);
	ASSERT_EQ(0x9fc00, bp->e820_table[3].addr);
	ASSERT_EQ(0x100000 - 0x9fc00, bp->e820_table[3].size);
	ASSERT_EQ(E820_TYPE_RESERVED, bp->e820_table[3].type);
	ASSERT_EQ(0x100000, bp->e820_table[4].addr);
	ASSERT_EQ(MEM - 0x100000, bp->e820_table[4].size);
	ASSERT_EQ(E820_TYPE_RAM, bp->e820_table[4].type);
	ASSERT_EQ(KHYP_IOAPIC_BASE, bp->e820_table[5].addr);
	ASSERT_EQ(E820_TYPE_RESERVED, bp->e820_table[5].type);
	ASSERT_EQ(KHYP_LAPIC_BASE, bp->e820_table[6].addr);
	ASSERT_EQ(E820_TYPE_RESERVED, bp->e820_table[6].type);
	/* the boot structures and RSDP sit in reserved ranges */
	ASSERT_GE(KHYP_PML4_ADDR, bp->e820_table[1].addr);
	ASSERT_LE(KHYP_PD_ADDR + 0x4000, KHYP_BOOT_AREA_END);
	ASSERT_GE(KHYP_RSDP_ADDR, bp->e820_table[3].addr);

	/* CPU state: long mode at the 64-bit entry */
	boot_cpu_state(&l, &regs, &sregs);
	ASSERT_EQ(0x1000200, regs.rip);
	ASSERT_EQ(KHYP_ZERO_PAGE_ADDR, regs.rsi);
	ASSERT_EQ(0, regs.rflags & (1 << 9));	/* IF */
	ASSERT_EQ(2, regs.rflags);
	ASSERT_EQ(0x10, sregs.cs.selector);
	ASSERT_EQ(0x18, sregs.ds.selector);
	ASSERT_EQ(0x18, sregs.es.selector);
	ASSERT_EQ(0x18, sregs.ss.selector);
	ASSERT_EQ(0x200, sregs.cs.attrib & 0x600);	/* L=1, D=0 */
	ASSERT_EQ(0x9b, sregs.cs.attrib & 0xff);
	ASSERT_EQ(0x93, sregs.ds.attrib & 0xff);
	ASSERT_EQ(0x8b, sregs.tr.attrib);
	ASSERT_EQ(0x80000000, sregs.cr0 & 0x80000001 & 0x80000000);
	ASSERT_EQ(1, sregs.cr0 & 1);
	ASSERT_EQ(0x20, sregs.cr4 & 0x20);
	ASSERT_EQ(0x500, sregs.efer);
	ASSERT_EQ(KHYP_PML4_ADDR, sregs.cr3);

	/* GDT: descriptors behind the selectors */
	ASSERT_EQ(KHYP_GDT_ADDR, sregs.gdt.base);
	ASSERT_GE(sregs.gdt.limit, 0x1f);
	gdt = (const uint64_t *)(self->mem + sregs.gdt.base);
	ASSERT_EQ(0, gdt[0]);
	/* code: present, DPL0, exec/read, L=1 D=0, flat */
	ASSERT_EQ(0x9b, (gdt[2] >> 40) & 0xff);
	ASSERT_EQ(0x1, (gdt[2] >> 53) & 0x3);	/* L=1, D=0 */
	ASSERT_EQ(0x93, (gdt[3] >> 40) & 0xff);
	ASSERT_EQ(0xc, (gdt[3] >> 52) & 0xf);
	/* the VMCB attrib format matches the descriptors */
	ASSERT_EQ(sregs.cs.attrib, ((gdt[2] >> 40) & 0xff) |
		  (((gdt[2] >> 52) & 0xf) << 8));
	ASSERT_EQ(sregs.ds.attrib, ((gdt[3] >> 40) & 0xff) |
		  (((gdt[3] >> 52) & 0xf) << 8));

	/* identity map of 4 GiB, reaching everything the kernel touches */
	for (i = 0; i < 7; i++) {
		static const uint64_t va[] = {
			0, 0x1000200, KHYP_ZERO_PAGE_ADDR, KHYP_CMDLINE_ADDR,
			KHYP_LAPIC_BASE, KHYP_IOAPIC_BASE, 0xffffffff,
		};

		ASSERT_EQ(0, translate(self->mem, sregs.cr3, va[i], &pa));
		ASSERT_EQ(va[i], pa);
	}
	ASSERT_EQ(0, translate(self->mem, sregs.cr3, l.kernel_end, &pa));
	ASSERT_EQ(0, translate(self->mem, sregs.cr3, l.initrd, &pa));
	ASSERT_EQ(-1, translate(self->mem, sregs.cr3, 0x100000000ULL, &pa));
}

TEST_F(cloud, too_little_memory)
{
	struct boot_input in = {
		.kernel_name = "vmlinuz",
		.kernel = self->kernel.data,
		.kernel_size = self->kernel.size,
		.cmdline = "",
		.ram_size = 32 << 20,
	};
	struct boot_layout l;

	ASSERT_EQ(-1, boot_setup(self->mem, MEM, &in, &l, self->err,
				 sizeof(self->err)));
	ASSERT_EQ(0, strncmp(self->err, "vmlinuz: needs ", 15)) {
		TH_LOG("%s", self->err);
	}
	ASSERT_NE(NULL, strstr(self->err, "-m 32M is too small"));
}

TEST_F(cloud, initrd_does_not_fit)
{
	struct boot_input in = {
		.kernel_name = "vmlinuz",
		.kernel = self->kernel.data,
		.kernel_size = self->kernel.size,
		.initrd_name = "big.cpio",
		.initrd = self->mem,	/* contents do not matter */
		.initrd_size = 100 << 20,
		.cmdline = "",
		.ram_size = MEM,
	};
	struct boot_layout l;

	ASSERT_EQ(-1, boot_setup(self->mem, MEM, &in, &l, self->err,
				 sizeof(self->err)));
	ASSERT_EQ(0, strncmp(self->err, "big.cpio: 100 MiB initrd does not fit",
			     37)) {
		TH_LOG("%s", self->err);
	}
}

TEST_F(cloud, cmdline_too_long)
{
	static char longline[5000];
	struct boot_input in = {
		.kernel_name = "vmlinuz",
		.kernel = self->kernel.data,
		.kernel_size = self->kernel.size,
		.cmdline = longline,
		.ram_size = MEM,
	};
	struct boot_layout l;

	memset(longline, 'x', sizeof(longline) - 1);
	ASSERT_EQ(-1, boot_setup(self->mem, MEM, &in, &l, self->err,
				 sizeof(self->err)));
	ASSERT_STREQ("kernel command line too long (4999 bytes, vmlinuz allows 2047)",
		     self->err);
}

TEST_F(cloud, broken_images)
{
	uint8_t *copy = malloc(self->kernel.size);
	struct setup_header *h = (void *)(copy + BOOT_HDR_OFFSET);

	ASSERT_NE(NULL, copy);
	ASSERT_EQ(0, bzimage_check("k", self->kernel.data, self->kernel.size,
				   self->err, sizeof(self->err)));

	/* truncated: only the first MiB */
	ASSERT_EQ(-1, bzimage_check("/k", self->kernel.data, 1 << 20,
				    self->err, sizeof(self->err)));
	ASSERT_EQ(0, strncmp(self->err,
			     "/k: truncated bzImage (1048576 bytes, the header says ",
			     54)) {
		TH_LOG("%s", self->err);
	}
	/* shorter than the setup header */
	ASSERT_EQ(-1, bzimage_check("/k", self->kernel.data, 0x210,
				    self->err, sizeof(self->err)));
	ASSERT_STREQ("/k: not a bzImage (no HdrS signature)", self->err);

	memcpy(copy, self->kernel.data, self->kernel.size);
	h->xloadflags &= ~XLF_KERNEL_64;
	ASSERT_EQ(-1, bzimage_check("/k", copy, self->kernel.size, self->err,
				    sizeof(self->err)));
	ASSERT_STREQ("/k: no 64-bit entry point (XLF_KERNEL_64 clear): not a 64-bit kernel",
		     self->err);

	memcpy(copy, self->kernel.data, self->kernel.size);
	h->version = 0x020b;
	ASSERT_EQ(-1, bzimage_check("/k", copy, self->kernel.size, self->err,
				    sizeof(self->err)));
	ASSERT_STREQ("/k: boot protocol 2.11 is too old (need 2.12 or later)",
		     self->err);
	free(copy);
}

TEST(garbage_and_missing_files)
{
	static uint8_t junk[64 << 10];
	struct file_buf f;
	char err[256];
	unsigned int i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (i * 2654435761U) >> 24;
	ASSERT_EQ(-1, bzimage_check("/x", junk, sizeof(junk), err,
				    sizeof(err)));
	ASSERT_STREQ("/x: not a bzImage (no HdrS signature)", err);
	ASSERT_EQ(-1, bzimage_check("/x", junk, 0, err, sizeof(err)));
	ASSERT_STREQ("/x: not a bzImage (no HdrS signature)", err);

	ASSERT_EQ(-1, file_read("/nonexistent/vmlinuz", &f, err,
				sizeof(err)));
	ASSERT_STREQ("/nonexistent/vmlinuz: No such file or directory", err);
	ASSERT_EQ(-1, file_read("/boot", &f, err, sizeof(err)));
	ASSERT_STREQ("/boot: is a directory", err);
}

TEST(e820_above_4g)
{
	struct boot_e820_entry t[16];
	unsigned int n, i;
	uint64_t ram = 0;

	ASSERT_EQ(3ULL << 30, guest_backing_size(3ULL << 30));
	ASSERT_EQ(5ULL << 30, guest_backing_size(4ULL << 30));
	n = e820_build(4ULL << 30, t, 16);
	ASSERT_EQ(8, n);
	ASSERT_EQ(0x100000, t[4].addr);
	ASSERT_EQ(KHYP_MMIO_HOLE_START, t[4].addr + t[4].size);
	ASSERT_EQ(0x100000000ULL, t[7].addr);
	ASSERT_EQ(1ULL << 30, t[7].size);
	ASSERT_EQ(E820_TYPE_RAM, t[7].type);
	/* RAM adds up to what was asked for, minus the low reserved areas */
	for (i = 0; i < n; i++)
		if (t[i].type == E820_TYPE_RAM)
			ram += t[i].size;
	ASSERT_EQ((4ULL << 30) - (KHYP_BOOT_AREA_END - KHYP_BOOT_AREA_START) -
		  (0x100000 - 0x9fc00), ram);
}

TEST(kernel_command_line)
{
	char out[256];

	ASSERT_EQ(0, boot_cmdline_compose("quiet", 2994000, out, sizeof(out)));
	ASSERT_STREQ("console=ttyS0 tsc_early_khz=2994000 quiet", out);
	ASSERT_EQ(0, boot_cmdline_compose(NULL, 1000, out, sizeof(out)));
	ASSERT_STREQ("console=ttyS0 tsc_early_khz=1000", out);
	/* the user's settings win */
	ASSERT_EQ(0, boot_cmdline_compose("console=hvc0 tsc_early_khz=5", 1000,
					  out, sizeof(out)));
	ASSERT_STREQ("console=hvc0 tsc_early_khz=5", out);
	ASSERT_EQ(0, boot_cmdline_compose("a console=ttyS1", 0, out,
					  sizeof(out)));
	ASSERT_STREQ("a console=ttyS1", out);
	/* "xconsole=" is another parameter; after "--" it is init's */
	ASSERT_EQ(0, boot_cmdline_compose("xconsole=1 -- console=x", 7, out,
					  sizeof(out)));
	ASSERT_STREQ("console=ttyS0 tsc_early_khz=7 xconsole=1 -- console=x",
		     out);
	ASSERT_EQ(-1, boot_cmdline_compose("quiet", 1, out, 20));
	ASSERT_TRUE(boot_cmdline_has("ro quiet", "quiet"));
	ASSERT_FALSE(boot_cmdline_has("ro quiet=1", "quiet"));
}

TEST_HARNESS_MAIN
