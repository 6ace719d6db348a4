/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * khyp_platform.h - the guest-visible PC of a platform VM (KHYP_VM_PLATFORM).
 *
 * The addresses, ports, interrupt lines and register layouts that khyp.ko
 * emulates and that the launcher describes to the guest (e820, MADT, FADT,
 * DSDT and its AML), in one place for both.  Plain integers without types
 * or suffixes, so that C (kernel and user space) and assembler (the
 * selftests' guests) can include it.
 */
#ifndef _UAPI_LINUX_KHYP_PLATFORM_H
#define _UAPI_LINUX_KHYP_PLATFORM_H

/* ---- interrupt controllers (MMIO, in the hole below 4 GiB) ---- */

#define KHYP_LAPIC_BASE		0xfee00000	/* one page, all LAPICs */
#define KHYP_LAPIC_SIZE		0x1000
#define KHYP_IOAPIC_BASE	0xfec00000
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

/* ---- legacy devices (port I/O) ---- */

#define KHYP_PIC_MASTER_PORT	0x20	/* 2 ports */
#define KHYP_PIC_SLAVE_PORT	0xa0	/* 2 ports */
#define KHYP_ELCR_PORT		0x4d0	/* 2 ports: master, slave */
#define KHYP_PIT_PORT		0x40	/* 4 ports: 3 counters + control */
#define KHYP_PORT61		0x61	/* NMI status and control (port B) */
#define KHYP_RTC_PORT		0x70	/* 2 ports: index, data */
#define KHYP_RTC_CENTURY_REG	0x32	/* CMOS index, FADT.CENTURY */
#define KHYP_UART_PORT		0x3f8	/* 8 ports, COM1 */
#define KHYP_PCI_CFG_PORT	0xcf8	/* 8 ports: address, 0xcf9, data */
#define KHYP_POST_PORT		0x80	/* POST codes and Linux's io_delay */

/* Reset control register 0xcf9: RST_CPU with SYS_RST is a reset. */
#define KHYP_RESET_PORT		0xcf9
#define KHYP_RESET_VALUE	0x06

/* Global system interrupts (IOAPIC pins); ISA IRQ 0 arrives on GSI 2. */
#define KHYP_GSI_PIT		2	/* MADT interrupt source override 0->2 */
#define KHYP_GSI_UART		4
#define KHYP_GSI_RTC		8
#define KHYP_GSI_SCI		9	/* level, active high */

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
 * the VM off (KHYP_VM_POWEROFF).  No other sleep state is offered.  The
 * FADT declares a fixed-feature power button (PM1 PWRBTN_STS/EN: QMP
 * system_powerdown) and no sleep button.
 */
#define KHYP_SLP_TYP_S0		0
#define KHYP_SLP_TYP_S5		5

/* GPE0 status bits the launcher's DSDT handles (\_GPE._Exx). */
#define KHYP_GPE_CPU_HOTPLUG	2

/*
 * ---- the CPU hotplug register block ----
 *
 * QEMU's "modern" ACPI CPU hotplug interface (QEMU docs/specs/
 * acpi_cpu_hotplug.rst), 12 bytes of port I/O, little endian:
 *
 *   SEL   0x0 DWORD  write: selector (CPU index).  read: command data 2
 *                    (the high half of the APIC ID after command 3, else 0)
 *   FLAGS 0x4 byte   read: KHYP_CPUHP_F_ENABLED (present), _INSERT and
 *                    _REMOVE (events).  write, one action per write in this
 *                    order: _INSERT clears insert, _REMOVE clears remove,
 *                    _EJECT ejects the CPU
 *   CMD   0x5 byte   write: a KHYP_CPUHP_CMD_* command
 *   DATA  0x8 DWORD  read: the selector after NEXT_EVENT, the APIC ID after
 *                    ARCH_ID.  write: the _OST event / status after
 *                    OST_EVENT / OST_STATUS
 *
 * With an invalid selector (>= max vCPUs) reads return 0 and all writes
 * but the selector's are ignored.  An event sets GPE0 status bit
 * KHYP_GPE_CPU_HOTPLUG and raises the SCI; the launcher's DSDT handles it
 * in \_GPE._E02.
 */
#define KHYP_CPUHP_BASE		0x0cd8	/* as q35's ICH9 LPC */
#define KHYP_CPUHP_LEN		12

#define KHYP_CPUHP_SEL		0x0
#define KHYP_CPUHP_FLAGS	0x4
#define KHYP_CPUHP_CMD		0x5
#define KHYP_CPUHP_DATA		0x8

#define KHYP_CPUHP_F_ENABLED	(1 << 0)
#define KHYP_CPUHP_F_INSERT	(1 << 1)
#define KHYP_CPUHP_F_REMOVE	(1 << 2)
#define KHYP_CPUHP_F_EJECT	(1 << 3)

/* Select the next CPU with an event, from the selector up, wrapping. */
#define KHYP_CPUHP_CMD_NEXT_EVENT	0
#define KHYP_CPUHP_CMD_OST_EVENT	1	/* next DATA write: _OST event */
#define KHYP_CPUHP_CMD_OST_STATUS	2	/* next DATA write: _OST status */
#define KHYP_CPUHP_CMD_ARCH_ID		3	/* DATA reads the APIC ID */

#endif /* _UAPI_LINUX_KHYP_PLATFORM_H */
