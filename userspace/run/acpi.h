/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acpi.h - the ACPI tables of a khyp VM: RSDP, XSDT, FADT, FACS, MADT and
 * a DSDT generated as AML.
 */
#ifndef KHYP_RUN_ACPI_H
#define KHYP_RUN_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "khyp_compiler.h"
#include "topology.h"

/* ---- table layouts (ACPI 6.3, chapter 5) ---- */

struct acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	uint8_t checksum;		/* first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 2 */
	uint32_t rsdt_address;
	uint32_t length;		/* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* all 36 bytes */
	uint8_t reserved[3];
} __packed;

struct acpi_table_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __packed;

/* Generic Address Structure */
struct acpi_gas {
	uint8_t space_id;		/* ACPI_AS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;		/* 0 undefined, 1 byte .. 4 qword */
	uint64_t address;
} __packed;

#define ACPI_AS_MEMORY		0
#define ACPI_AS_IO		1

struct acpi_fadt {
	struct acpi_table_header h;	/* "FACP", revision 6 */
	uint32_t firmware_ctrl;		/* 36 */
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;		/* 46 */
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;		/* 56 */
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;		/* 76 */
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;		/* 88 */
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;		/* 96 */
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;		/* 104 */
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;	/* 109 */
	uint8_t reserved1;
	uint32_t flags;			/* 112 */
	struct acpi_gas reset_reg;	/* 116 */
	uint8_t reset_value;		/* 128 */
	uint16_t arm_boot_arch;
	uint8_t minor_revision;		/* 131 */
	uint64_t x_firmware_ctrl;	/* 132 */
	uint64_t x_dsdt;		/* 140 */
	struct acpi_gas x_pm1a_evt_blk;	/* 148 */
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;	/* 208 */
	struct acpi_gas x_gpe0_blk;	/* 220 */
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control;	/* 244 */
	struct acpi_gas sleep_status;
	uint64_t hypervisor_vendor_id;	/* 268 */
} __packed;

/* FADT flags */
#define ACPI_FADT_WBINVD		(1U << 0)
#define ACPI_FADT_PROC_C1		(1U << 2)
#define ACPI_FADT_PWR_BUTTON		(1U << 4)	/* 1: none fixed */
#define ACPI_FADT_SLP_BUTTON		(1U << 5)	/* 1: none fixed */
#define ACPI_FADT_FIX_RTC		(1U << 6)	/* 1: no RTC_STS */
#define ACPI_FADT_TMR_VAL_EXT		(1U << 8)	/* 1: 32-bit timer */
#define ACPI_FADT_RESET_REG_SUP		(1U << 10)
#define ACPI_FADT_HW_REDUCED		(1U << 20)

/* FADT IA-PC boot architecture flags */
#define ACPI_IAPC_LEGACY_DEVICES	(1U << 0)
#define ACPI_IAPC_8042			(1U << 1)
#define ACPI_IAPC_NO_VGA		(1U << 2)
#define ACPI_IAPC_NO_MSI		(1U << 3)
#define ACPI_IAPC_NO_ASPM		(1U << 4)
#define ACPI_IAPC_NO_CMOS_RTC		(1U << 5)

struct acpi_facs {
	char signature[4];		/* "FACS" */
	uint32_t length;		/* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;		/* 2 */
	uint8_t reserved[3];
	uint32_t ospm_flags;
	uint8_t reserved2[24];
} __packed;

struct acpi_madt {
	struct acpi_table_header h;	/* "APIC", revision 5 */
	uint32_t lapic_address;
	uint32_t flags;
} __packed;

#define ACPI_MADT_PCAT_COMPAT		(1U << 0)

#define ACPI_MADT_TYPE_LAPIC		0
#define ACPI_MADT_TYPE_IOAPIC		1
#define ACPI_MADT_TYPE_ISO		2
#define ACPI_MADT_TYPE_LAPIC_NMI	4

struct acpi_madt_lapic {
	uint8_t type;
	uint8_t length;			/* 8 */
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __packed;

#define ACPI_MADT_ENABLED		(1U << 0)
#define ACPI_MADT_ONLINE_CAPABLE	(1U << 1)

struct acpi_madt_ioapic {
	uint8_t type;
	uint8_t length;			/* 12 */
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

struct acpi_madt_iso {
	uint8_t type;
	uint8_t length;			/* 10 */
	uint8_t bus;			/* 0: ISA */
	uint8_t source;			/* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags */
} __packed;

/* MPS INTI flags: polarity 1:0, trigger mode 3:2 */
#define ACPI_MPS_ACTIVE_HIGH		0x1
#define ACPI_MPS_ACTIVE_LOW		0x3
#define ACPI_MPS_EDGE			(0x1 << 2)
#define ACPI_MPS_LEVEL			(0x3 << 2)

struct acpi_madt_lapic_nmi {
	uint8_t type;
	uint8_t length;			/* 6 */
	uint8_t processor_uid;		/* 0xff: all */
	uint16_t flags;
	uint8_t lint;
} __packed;

/* ---- building ---- */

/*
 * How the DSDT answers _STA for each possible CPU.  STATIC returns a
 * constant from the boot-time topology.  HOTPLUG reads QEMU's "modern"
 * CPU hotplug register block (<linux/khyp_platform.h>) and adds what hot
 * plug and unplug need: \_GPE._E02 scanning for events, Notify, _EJ0 and
 * _OST.
 */
enum acpi_cpu_sta {
	ACPI_CPU_STA_STATIC,
	ACPI_CPU_STA_HOTPLUG,
};

struct acpi_config {
	const struct smp_topology *topo;
	enum acpi_cpu_sta cpu_sta;
	/*
	 * Port blocks the tables point at; 0: khyp's (<linux/khyp_platform.h>).
	 * Tests set QEMU pc's (GPE0 0xafe0, CPU hotplug 0xaf00).
	 */
	uint16_t gpe0_port;
	uint16_t cpuhp_port;
};

#define ACPI_MAX_TABLES	8

struct acpi_table_ref {
	char name[5];			/* "RSDP", "FACP", ... */
	uint64_t addr;			/* guest physical */
	uint32_t len;
};

struct acpi_layout {
	uint64_t rsdp;
	uint64_t end;			/* first byte after the last table */
	unsigned int ntables;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
};

/*
 * Build all tables into @area, which is guest physical memory
 * [@base, @base + @size).  The RSDP goes first, at @base.
 * Returns 0, or -1 with a message in @err.
 */
int acpi_build(uint8_t *area, uint64_t base, size_t size,
	       const struct acpi_config *cfg, struct acpi_layout *out,
	       char *err, size_t errlen);

/* Write every table of @l to DIR/<name lowercase>.dat (for iasl -d). */
int acpi_dump(const uint8_t *area, uint64_t base,
	      const struct acpi_layout *l, const char *dir, char *err,
	      size_t errlen);

/* Sum of @len bytes, mod 256: 0 for a table with a correct checksum. */
uint8_t acpi_checksum(const void *p, size_t len);

#endif /* KHYP_RUN_ACPI_H */
