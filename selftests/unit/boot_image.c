// SPDX-License-Identifier: GPL-2.0
/*
 * boot_image.c - khyp-run's guest memory image, for QEMU.
 *
 *   boot_image [--qemu-pc] STUB.bin OUTDIR KHYP-RUN-OPTIONS...
 *
 * Parses the options as khyp-run does, lays out guest memory with the
 * launcher's own code (guest_memory_layout: ACPI tables, boot_params,
 * e820, page tables, GDT, kernel, initrd) and writes it as files QEMU can
 * load: bios.bin (ACPI tables at 0xe0000, boot_stub.S at 0xf0000 with
 * the BSP's RIP/RSI/CR3/GDTR from boot_cpu_state()), low.bin (0-640K),
 * kernel.bin and initrd.bin.  Prints the QEMU options that load them.
 * boot_qemu_test.sh boots the result: a real Linux parsing exactly what
 * khyp-run would give it, before khyp itself can run anywhere.
 *
 * Without --qemu-pc the DSDT's _STA are static (QEMU pc has nothing at
 * khyp's CPU hotplug and GPE0 ports).  With it, the DSDT has khyp-run's
 * CPU hotplug AML pointed at QEMU pc's PIIX4 blocks (CPU hotplug 0xaf00,
 * GPE0 0xafe0: the same interface), so QMP device_add/device_del on QEMU
 * exercise that AML in a real guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khyp_platform.h"
#include "bootparams.h"
#include "cmdline.h"
#include "layout.h"
#include "tsc.h"

#define ROM_SIZE		0x20000		/* mapped at 0xe0000 */
#define ROM_ACPI_SIZE		0x10000		/* 0xe0000 - 0xeffff */
#define BOOT_STUB_HANDOFF	0xff00		/* offset in the stub */
#define LOW_SIZE		0xa0000

static int write_file(const char *dir, const char *name, const void *p,
		      size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct acpi_config ac = { .cpu_sta = ACPI_CPU_STA_STATIC };
	struct file_buf stub, kernel, initrd = { 0 };
	static char cmdline[KHYP_CMDLINE_MAX];
	struct run_config cfg;
	struct boot_layout bl;
	struct acpi_layout al;
	struct boot_input in;
	struct khyp_regs regs;
	struct khyp_sregs sregs;
	uint8_t *mem, *rom, *h;
	const char *outdir;
	uint64_t backing;
	char err[512];

	if (argc > 1 && !strcmp(argv[1], "--qemu-pc")) {
		ac.cpu_sta = ACPI_CPU_STA_HOTPLUG;
		ac.cpuhp_port = 0xaf00;
		ac.gpe0_port = 0xafe0;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: boot_image [--qemu-pc] STUB OUTDIR OPTIONS...\n");
		return 2;
	}
	outdir = argv[2];
	argv[2] = argv[0];	/* parse argv[2..] as khyp-run's argv */
	if (cmdline_parse(argc - 2, argv + 2, &cfg, err, sizeof(err)) ||
	    file_read(argv[1], &stub, err, sizeof(err)) ||
	    file_read(cfg.kernel, &kernel, err, sizeof(err)) ||
	    (cfg.initrd && file_read(cfg.initrd, &initrd, err, sizeof(err)))) {
		fprintf(stderr, "boot_image: %s\n", err);
		return 1;
	}
	if (stub.size != 0x10000) {
		fprintf(stderr, "boot_image: %s: not a 64 KiB stub\n", argv[1]);
		return 1;
	}
	if (boot_cmdline_compose(cfg.append, host_tsc_khz(NULL), cmdline,
				 sizeof(cmdline))) {
		fprintf(stderr, "boot_image: command line too long\n");
		return 1;
	}

	backing = guest_backing_size(cfg.mem_size);
	mem = calloc(1, backing);
	if (!mem) {
		perror("calloc");
		return 1;
	}
	ac.topo = &cfg.smp;
	memset(&in, 0, sizeof(in));
	in.kernel_name = cfg.kernel;
	in.kernel = kernel.data;
	in.kernel_size = kernel.size;
	in.initrd_name = cfg.initrd;
	in.initrd = cfg.initrd ? initrd.data : NULL;
	in.initrd_size = initrd.size;
	in.cmdline = cmdline;
	in.ram_size = cfg.mem_size;
	if (guest_memory_layout(mem, backing, &ac, &in, &bl, &al, err,
				sizeof(err))) {
		fprintf(stderr, "boot_image: %s\n", err);
		return 1;
	}
	if (al.end > KHYP_ACPI_AREA_START + ROM_ACPI_SIZE) {
		fprintf(stderr, "boot_image: ACPI tables end at 0x%llx, past the ROM's 64 KiB\n",
			(unsigned long long)al.end);
		return 1;
	}
	boot_cpu_state(&bl, &regs, &sregs);

	rom = calloc(1, ROM_SIZE);
	if (!rom)
		return 1;
	memcpy(rom, mem + KHYP_ACPI_AREA_START, ROM_ACPI_SIZE);
	memcpy(rom + ROM_ACPI_SIZE, stub.data, stub.size);
	h = rom + ROM_ACPI_SIZE + BOOT_STUB_HANDOFF;
	memcpy(h, &regs.rip, 8);
	memcpy(h + 8, &regs.rsi, 8);
	memcpy(h + 16, &sregs.cr3, 8);
	memcpy(h + 24, &sregs.gdt.limit, 2);
	memcpy(h + 26, &sregs.gdt.base, 8);

	if (write_file(outdir, "bios.bin", rom, ROM_SIZE) ||
	    write_file(outdir, "low.bin", mem, LOW_SIZE) ||
	    write_file(outdir, "kernel.bin", mem + bl.kernel,
		       kernel.size - ((size_t)(kernel.data[0x1f1] ?
				       kernel.data[0x1f1] : 4) + 1) * 512) ||
	    (bl.initrd && write_file(outdir, "initrd.bin", mem + bl.initrd,
				     bl.initrd_size)))
		return 1;

	printf("-m %lluM -bios %s/bios.bin", (unsigned long long)(cfg.mem_size >> 20),
	       outdir);
	printf(" -device loader,file=%s/low.bin,addr=0x0,force-raw=on",
	       outdir);
	printf(" -device loader,file=%s/kernel.bin,addr=0x%llx,force-raw=on",
	       outdir, (unsigned long long)bl.kernel);
	if (bl.initrd)
		printf(" -device loader,file=%s/initrd.bin,addr=0x%llx,force-raw=on",
		       outdir, (unsigned long long)bl.initrd);
	printf("\n");
	free(mem);
	free(rom);
	return 0;
}
