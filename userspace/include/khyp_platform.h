/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * khyp_platform.h - the guest-visible PC platform of a khyp VM.
 *
 * One place for every address, port and magic value that the launcher
 * (khyp-run: e820, boot_params, ACPI tables, AML) and the device model
 * (khyp.ko: devices, cpuhp) must agree on.  Plain #defines, no types, so
 * kernel and userspace code can both include it.  Names and spellings of
 * the values kmod/platform.h also defines are token-identical to it, so
 * both may be included together (and one may later replace the other).
 *
 * Guest physical memory map (RAM is one block at GPA 0, see khyp.h):
 *
 *   0x00000000 - 0x00007fff  RAM       real-mode IVT/BDA area (left zero)
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
 *                              (FACS, DSDT, FADT, MADT, XSDT) up to 1 MiB
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
#ifndef KHYP_PLATFORM_ABI_H
#define KHYP_PLATFORM_ABI_H

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
#define KHYP_ACPI_AREA_END	0x100000ULL	/* exclusive */
#define KHYP_RSDP_ADDR		KHYP_ACPI_AREA_START

#define KHYP_MMIO_HOLE_START	0xc0000000ULL	/* 3 GiB: RAM stops here */
#define KHYP_MMIO_HOLE_END	0x100000000ULL	/* 4 GiB: RAM resumes */

#define KHYP_DEFAULT_KERNEL_ADDR 0x1000000ULL	/* if pref_address is 0 */

/* ---- boot CPU state (64-bit boot protocol) ---- */

#define KHYP_BOOT_CS		0x10	/* __BOOT_CS */
#define KHYP_BOOT_DS		0x18	/* __BOOT_DS */

/* ---- interrupt controllers ---- */

#define KHYP_LAPIC_BASE		0xfee00000ULL
#define KHYP_LAPIC_SIZE		0x1000
#define KHYP_IOAPIC_BASE	0xfec00000ULL
#define KHYP_IOAPIC_SIZE	0x1000
#define KHYP_IOAPIC_PINS	24
/*
 * IOAPIC ID 0, as on QEMU's pc machine.  IOAPIC and local APIC IDs are
 * separate name spaces on every APIC since the xAPIC (no shared APIC bus),
 * and a 64-bit Linux only needs IOAPIC IDs unique among IOAPICs.  A fixed
 * value also means the device model need not know the VM's topology to
 * answer the IOAPIC ID register the same way as the MADT.
 */
#define KHYP_IOAPIC_ID		0
#define KHYP_IOAPIC_GSI_BASE	0

/* ---- legacy ISA devices (port I/O) and their GSIs ---- */

#define KHYP_UART_PORT		0x3f8	/* 8 ports, COM1 */
#define KHYP_RTC_PORT		0x70	/* 2 ports: index, data */
#define KHYP_RTC_CENTURY_REG	0x32	/* CMOS index, FADT.CENTURY */
#define KHYP_GSI_PIT		2	/* MADT interrupt source override 0->2 */
#define KHYP_GSI_UART		4
#define KHYP_GSI_RTC		8
#define KHYP_GSI_SCI		9	/* level, active high */

/* Reset control register 0xcf9: RST_CPU with SYS_RST is a reset. */
#define KHYP_RESET_PORT		0xcf9
#define KHYP_RESET_VALUE	0x06

/* ---- ACPI fixed hardware (port I/O; not hardware-reduced) ---- */

#define KHYP_PM1A_EVT_PORT	0x600	/* 4: status 0-1, enable 2-3 */
#define KHYP_PM1A_CNT_PORT	0x604	/* 2 */
#define KHYP_PM_TMR_PORT	0x608	/* 4, 24-bit counter */
#define KHYP_GPE0_PORT		0x620	/* 4: status 0-1, enable 2-3 */
#define KHYP_PM1A_EVT_LEN	4
#define KHYP_PM1A_CNT_LEN	2
#define KHYP_PM_TMR_LEN		4
#define KHYP_GPE0_LEN		4
#define KHYP_PM_TMR_HZ		3579545

/*
 * Sleep types, as the DSDT's \_S0_ and \_S5_ packages give them to the OS.
 * Writing PM1_CNT with SLP_EN set and SLP_TYP == KHYP_SLP_TYP_S5 powers
 * the VM off (KHYP_VM_POWEROFF).  No other sleep state is offered.
 */
#define KHYP_SLP_TYP_S0		0
#define KHYP_SLP_TYP_S5		5

/*
 * The FADT declares a fixed-feature power button (PM1 PWRBTN_STS/EN: QMP
 * system_powerdown) and no sleep button.
 */

/* GPE0 status bits the launcher's DSDT handles (\_GPE._Exx). */
#define KHYP_GPE_CPU_HOTPLUG	2

/*
 * CPU hotplug register block: QEMU's "modern" ACPI CPU hotplug interface
 * (docs/specs/acpi_cpu_hotplug.rst), at the port of q35's ICH9 (as
 * kmod/cpuhp.h).  Events set GPE0 status bit KHYP_GPE_CPU_HOTPLUG.
 */
#define KHYP_CPUHP_BASE		0x0cd8	/* as q35's ICH9 LPC */
#define KHYP_CPUHP_LEN		12

#endif /* KHYP_PLATFORM_ABI_H */
