/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp_platform.h - khyp-run's layout of guest memory, on top of the
 * platform the module emulates (<linux/khyp_platform.h>: devices, ports,
 * interrupt lines, the CPU hotplug registers).  The module does not know
 * where the launcher puts boot structures and tables; only the launcher
 * and its tests include this.
 *
 * Guest physical memory map (RAM is one block at GPA 0, see khyp.h):
 *
 *   0x00000000 - 0x00007fff  RAM       real-mode IVT/BDA area (left zero
 *                                      for Linux; a BIOS's for Multiboot)
 *     0x00007000               boot_params ("zero page"), 4 KiB
 *   0x00008000 - 0x0000efff  reserved  boot structures, never RAM to Linux
 *     0x00008000               GDT: 0x10 = 64-bit code, 0x18 = data
 *     0x00009000               PML4
 *     0x0000a000               PDPT
 *     0x0000b000 - 0x0000efff  4 page directories, 2 MiB pages:
 *                              identity map of the first 4 GiB
 *   0x0000f000 - 0x0009fbff  RAM
 *     0x00020000               kernel command line (<= 64 KiB)
 *   0x0009fc00 - 0x000fffff  reserved  EBDA, VGA hole, BIOS area
 *     0x000e0000               RSDP, then the other ACPI tables
 *                              (FACS, DSDT, FADT, MADT, XSDT)
 *     0x000ff000               Multiboot: the BIOS's interrupt handlers
 *                              and the boot CPU's first code (multiboot.c)
 *   0x00100000 - low_top     RAM       low_top = min(mem, 3 GiB)
 *     0x01000000 (typically)   kernel (pref_address, aligned to
 *                              kernel_alignment), init_size reserved
 *     below min(low_top, initrd_addr_max)  initrd, page aligned, high
 *   0xc0000000 - 0xffffffff  not RAM: the MMIO hole (guest RAM beyond
 *                              3 GiB is mapped from 4 GiB up instead)
 *     0xfec00000               IOAPIC (4 KiB, reserved in e820)
 *     0xfee00000               local APICs (4 KiB, reserved in e820)
 *   0x100000000 - ...        RAM       the part of mem above 3 GiB, moved
 *                                      up by 1 GiB
 *
 * Note: khyp's memory is a single block at GPA 0.  A VM with more than
 * 3 GiB therefore needs mem_size = requested + 1 GiB: the launcher asks for
 * that and leaves GPA 3 GiB..4 GiB out of e820 (KHYP_MMIO_HOLE_*).
 */
#ifndef KHYP_RUN_PLATFORM_H
#define KHYP_RUN_PLATFORM_H

#include <linux/khyp_platform.h>

/* ---- guest physical memory layout ---- */

#define KHYP_ZERO_PAGE_ADDR	0x7000ULL	/* struct boot_params */
#define KHYP_BOOT_AREA_START	0x8000ULL	/* reserved in e820 */
#define KHYP_GDT_ADDR		0x8000ULL
#define KHYP_PML4_ADDR		0x9000ULL
#define KHYP_PDPT_ADDR		0xa000ULL
#define KHYP_PD_ADDR		0xb000ULL	/* 4 pages: 0xb000-0xefff */
#define KHYP_BOOT_AREA_END	0xf000ULL	/* exclusive */
#define KHYP_CMDLINE_ADDR	0x20000ULL
#define KHYP_CMDLINE_MAX	0x10000ULL	/* bytes incl. the NUL */

#define KHYP_EBDA_START		0x9fc00ULL	/* reserved up to 1 MiB */
#define KHYP_HIGH_MEM_START	0x100000ULL	/* 1 MiB */
#define KHYP_ACPI_AREA_START	0xe0000ULL	/* RSDP first */
#define KHYP_ACPI_AREA_END	0xff000ULL	/* exclusive */
#define KHYP_MB_FW_ADDR		0xff000ULL	/* F000:F000, up to 1 MiB */
#define KHYP_RSDP_ADDR		KHYP_ACPI_AREA_START

#define KHYP_MMIO_HOLE_START	0xc0000000ULL	/* 3 GiB: RAM stops here */
#define KHYP_MMIO_HOLE_END	0x100000000ULL	/* 4 GiB: RAM resumes */

#define KHYP_DEFAULT_KERNEL_ADDR 0x1000000ULL	/* if pref_address is 0 */

/* ---- boot CPU state (64-bit boot protocol) ---- */

#define KHYP_BOOT_CS		0x10	/* __BOOT_CS */
#define KHYP_BOOT_DS		0x18	/* __BOOT_DS */

#endif /* KHYP_RUN_PLATFORM_H */
