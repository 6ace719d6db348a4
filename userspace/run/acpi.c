// SPDX-License-Identifier: GPL-2.0
/*
 * acpi.c - ACPI tables for a khyp VM, generated at start-up.
 *
 * Layout in guest memory (a reserved e820 range, khyp_platform.h):
 *   KHYP_RSDP_ADDR  RSDP (revision 2: XSDT only, RsdtAddress 0)
 *   then, 64-byte aligned: FACS, DSDT, FADT, MADT, XSDT
 *
 * FADT 6.3, not hardware-reduced: PM1a event/control, the PM timer and
 * GPE0 are the port blocks the device model emulates; SMI_CMD is 0 so the
 * OS finds the machine already in ACPI mode.  The MADT (revision 5) lists
 * every possible CPU: Enabled for those present at boot, Online Capable
 * for the others, which Linux >= 6.x needs to count them as hot-pluggable.
 * The DSDT has a processor device (ACPI0007) with _UID, _STA and _MAT for
 * each possible CPU, \_S5, COM1 and the RTC; with ACPI_CPU_STA_HOTPLUG,
 * also the AML for QEMU's modern CPU hotplug registers (\_SB.PRES, the
 * \_SB.CPUS methods, _EJ0/_OST per CPU, \_GPE._E02 -> CSCN), following
 * QEMU's docs/specs/acpi_cpu_hotplug.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "khyp_platform.h"
#include "aml.h"
#include "acpi.h"

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
_Static_assert(sizeof(struct acpi_table_header) == 36, "header size");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT 6.3 size");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "SCI_INT");
_Static_assert(offsetof(struct acpi_fadt, pm1a_evt_blk) == 56, "PM1a_EVT");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "PM_TMR");
_Static_assert(offsetof(struct acpi_fadt, pm1_evt_len) == 88, "PM1_EVT_LEN");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "IAPC");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "flags");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "RESET_REG");
_Static_assert(offsetof(struct acpi_fadt, minor_revision) == 131, "minor");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "X_PM_TMR");
_Static_assert(offsetof(struct acpi_fadt, x_gpe0_blk) == 220, "X_GPE0");
_Static_assert(offsetof(struct acpi_fadt, sleep_control) == 244, "SLEEP");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor_id) == 268,
	       "HV id");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS size");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT size");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "LAPIC entry");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "IOAPIC entry");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "ISO entry");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "NMI entry");

#define ACPI_OEM_ID		"KHYP  "
#define ACPI_OEM_TABLE_ID	"KHYPPC  "
#define ACPI_CREATOR_ID		"KHYP"
#define ACPI_TABLE_ALIGN	64

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static void header_init(struct acpi_table_header *h, const char *sig,
			uint32_t len, uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = 1;
}

static void table_finish(struct acpi_table_header *h)
{
	h->checksum = 0;
	h->checksum = -acpi_checksum(h, h->length);
}

static struct acpi_gas gas_io(uint16_t port, uint8_t bits, uint8_t access)
{
	struct acpi_gas g = {
		.space_id = ACPI_AS_IO,
		.bit_width = bits,
		.access_size = access,
		.address = port,
	};

	return g;
}

/* An allocator over the table area. */
struct acpi_area {
	uint8_t *mem;
	uint64_t base;
	size_t size;
	size_t used;
	struct acpi_layout *l;
};

static void *area_alloc(struct acpi_area *a, const char *name, size_t len,
			uint64_t *gpa)
{
	size_t off = (a->used + ACPI_TABLE_ALIGN - 1) &
		     ~(size_t)(ACPI_TABLE_ALIGN - 1);
	struct acpi_table_ref *t;

	if (a->used == 0)
		off = 0;	/* the RSDP, at the area's start */
	if (off + len > a->size || a->l->ntables == ACPI_MAX_TABLES)
		return NULL;
	a->used = off + len;
	*gpa = a->base + off;
	t = &a->l->tables[a->l->ntables++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->addr = *gpa;
	t->len = len;
	memset(a->mem + off, 0, len);
	return a->mem + off;
}

/* ---- DSDT ---- */

#define CPUHP_LOCK	"\\_SB.PRES.CPLK"
#define CPUHP_REG(r)	"\\_SB.PRES." r
#define CPUS_METHOD(m)	"\\_SB.CPUS." m

static uint16_t cpuhp_port(const struct acpi_config *cfg)
{
	return cfg->cpuhp_port ? cfg->cpuhp_port : KHYP_CPUHP_BASE;
}

static uint16_t gpe0_port(const struct acpi_config *cfg)
{
	return cfg->gpe0_port ? cfg->gpe0_port : KHYP_GPE0_PORT;
}

static void dsdt_cpu_sta(struct aml_buf *b, const struct acpi_config *cfg,
			 unsigned int idx)
{
	size_t m = aml_method_begin(b, "_STA", 0, 0);

	aml_return(b);
	switch (cfg->cpu_sta) {
	case ACPI_CPU_STA_STATIC:
		/* present, enabled, shown, functioning, or nothing */
		aml_integer(b, idx < cfg->topo->cpus ? 0x0f : 0);
		break;
	case ACPI_CPU_STA_HOTPLUG:
		aml_name(b, CPUS_METHOD("CSTA"));
		aml_integer(b, idx);
		break;
	}
	aml_end(b, m);
}

/*
 * \_SB.PRES: the CPU hotplug register block (QEMU's "modern" interface,
 * <linux/khyp_platform.h>): a selector, a flags byte, a command byte and a
 * data word.  The byte fields name the flags one bit each, in the order of
 * their bits.
 */
_Static_assert(KHYP_CPUHP_F_ENABLED == 1 << 0 && KHYP_CPUHP_F_INSERT == 1 << 1 &&
	       KHYP_CPUHP_F_REMOVE == 1 << 2 && KHYP_CPUHP_F_EJECT == 1 << 3,
	       "CPEN, CINS, CRMV, CEJ0 are flag bits 0 to 3");
_Static_assert(KHYP_CPUHP_SEL == 0, "CSEL opens the dword fields");

static void dsdt_cpuhp_regs(struct aml_buf *b, const struct acpi_config *cfg)
{
	uint16_t port = cpuhp_port(cfg);
	struct aml_buf res;
	size_t dev, f, m;

	dev = aml_device_begin(b, "PRES");
	aml_name_decl(b, "_HID");
	aml_eisaid(b, "PNP0A06");	/* generic container: claims ports */
	aml_name_decl(b, "_UID");
	aml_string(b, "CPU Hotplug resources");
	aml_init(&res);
	aml_res_io(&res, port, port, 1, KHYP_CPUHP_LEN);
	aml_name_decl(b, "_CRS");
	aml_resource_template(b, &res);
	aml_mutex(b, "CPLK", 0);
	aml_opregion(b, "PRST", AML_SPACE_SYSTEM_IO, port, KHYP_CPUHP_LEN);

	f = aml_field_begin(b, "PRST", AML_FIELD_BYTE_ACC | AML_FIELD_NOLOCK |
			    AML_FIELD_WRITE_ZEROS);
	aml_field_reserved(b, KHYP_CPUHP_FLAGS * 8);	/* SEL, as bytes */
	aml_field_named(b, "CPEN", 1);	/* read: enabled (present) */
	aml_field_named(b, "CINS", 1);	/* insert event; write 1: clear */
	aml_field_named(b, "CRMV", 1);	/* remove event; write 1: clear */
	aml_field_named(b, "CEJ0", 1);	/* write 1: eject */
	aml_field_reserved(b, (KHYP_CPUHP_CMD - KHYP_CPUHP_FLAGS) * 8 - 4);
	aml_field_named(b, "CCMD", 8);	/* command */
	aml_end(b, f);

	f = aml_field_begin(b, "PRST", AML_FIELD_DWORD_ACC | AML_FIELD_NOLOCK |
			    AML_FIELD_PRESERVE);
	aml_field_named(b, "CSEL", 32);	/* selector: CPU index */
	aml_field_reserved(b, (KHYP_CPUHP_DATA - KHYP_CPUHP_SEL - 4) * 8);
	aml_field_named(b, "CDAT", 32);	/* command data */
	aml_end(b, f);

	/* Select CPU 0 (on QEMU this also leaves the legacy interface). */
	m = aml_method_begin(b, "_INI", 0, 0);
	aml_op(b, AML_OP_STORE);
	aml_integer(b, 0);
	aml_name(b, "CSEL");
	aml_end(b, m);
	aml_end(b, dev);
}

/* Store(@value emitted by the caller...) helpers for the methods below */
static void store_arg(struct aml_buf *b, unsigned int arg, const char *to)
{
	aml_op(b, AML_OP_STORE);
	aml_arg(b, arg);
	aml_name(b, to);
}

static void store_int(struct aml_buf *b, uint64_t v, const char *to)
{
	aml_op(b, AML_OP_STORE);
	aml_integer(b, v);
	aml_name(b, to);
}

/*
 * The methods of \_SB.CPUS for hotplug: CSTA(i) (_STA), CEJ0(i) (_EJ0),
 * COST(i, event, status, buffer) (_OST), CTFY(i, code) (Notify Cxxx) and
 * CSCN (the GPE handler: Notify every CPU with a pending event).
 */
static void dsdt_cpuhp_methods(struct aml_buf *b,
			       const struct acpi_config *cfg)
{
	unsigned int i;
	size_t m, w, c, e;
	char name[16];

	/* CSTA(i): 0xf if CPU i is present, else 0 */
	m = aml_method_begin(b, "CSTA", 1, 1);
	aml_acquire(b, CPUHP_LOCK);
	store_arg(b, 0, CPUHP_REG("CSEL"));
	aml_op(b, AML_OP_STORE);
	aml_integer(b, 0);
	aml_local(b, 0);
	c = aml_if_begin(b);
	aml_op(b, AML_OP_LEQUAL);
	aml_name(b, CPUHP_REG("CPEN"));
	aml_integer(b, 1);
	aml_op(b, AML_OP_STORE);
	aml_integer(b, 0x0f);
	aml_local(b, 0);
	aml_end(b, c);
	aml_release(b, CPUHP_LOCK);
	aml_return(b);
	aml_local(b, 0);
	aml_end(b, m);

	/* CEJ0(i): eject CPU i */
	m = aml_method_begin(b, "CEJ0", 1, 1);
	aml_acquire(b, CPUHP_LOCK);
	store_arg(b, 0, CPUHP_REG("CSEL"));
	store_int(b, 1, CPUHP_REG("CEJ0"));
	aml_release(b, CPUHP_LOCK);
	aml_end(b, m);

	/* COST(i, event, status, buffer): _OST through two commands */
	m = aml_method_begin(b, "COST", 4, 1);
	aml_acquire(b, CPUHP_LOCK);
	store_arg(b, 0, CPUHP_REG("CSEL"));
	store_int(b, KHYP_CPUHP_CMD_OST_EVENT, CPUHP_REG("CCMD"));
	store_arg(b, 1, CPUHP_REG("CDAT"));
	store_int(b, KHYP_CPUHP_CMD_OST_STATUS, CPUHP_REG("CCMD"));
	store_arg(b, 2, CPUHP_REG("CDAT"));
	aml_release(b, CPUHP_LOCK);
	aml_end(b, m);

	/* CTFY(i, code): Notify(C<i>, code) */
	m = aml_method_begin(b, "CTFY", 2, 0);
	for (i = 0; i < cfg->topo->maxcpus; i++) {
		c = aml_if_begin(b);
		aml_op(b, AML_OP_LEQUAL);
		aml_arg(b, 0);
		aml_integer(b, i);
		snprintf(name, sizeof(name), "C%03X", i);
		aml_op(b, AML_OP_NOTIFY);
		aml_name(b, name);
		aml_arg(b, 1);
		aml_end(b, c);
	}
	aml_end(b, m);

	/*
	 * CSCN: from CPU 0 up, let NEXT_EVENT move the selector to the next
	 * CPU with an event; notify it (1: device check for an insert, 3:
	 * eject request for a remove) and clear the event.  Stop when the
	 * search wraps below where it started or finds no event.
	 */
	m = aml_method_begin(b, "CSCN", 0, 1);
	aml_acquire(b, CPUHP_LOCK);
	aml_op(b, AML_OP_STORE);
	aml_integer(b, 0);
	aml_local(b, 0);
	w = aml_while_begin(b);
	aml_op(b, AML_OP_LLESS);
	aml_local(b, 0);
	aml_integer(b, cfg->topo->maxcpus);
	{
		aml_op(b, AML_OP_STORE);
		aml_local(b, 0);
		aml_name(b, CPUHP_REG("CSEL"));
		store_int(b, KHYP_CPUHP_CMD_NEXT_EVENT, CPUHP_REG("CCMD"));
		aml_op(b, AML_OP_STORE);
		aml_name(b, CPUHP_REG("CDAT"));
		aml_local(b, 1);

		c = aml_if_begin(b);		/* wrapped around: done */
		aml_op(b, AML_OP_LLESS);
		aml_local(b, 1);
		aml_local(b, 0);
		aml_op(b, AML_OP_BREAK);
		aml_end(b, c);

		c = aml_if_begin(b);		/* insert */
		aml_op(b, AML_OP_LEQUAL);
		aml_name(b, CPUHP_REG("CINS"));
		aml_integer(b, 1);
		aml_name(b, CPUS_METHOD("CTFY"));
		aml_local(b, 1);
		aml_integer(b, 1);
		store_int(b, 1, CPUHP_REG("CINS"));
		aml_end(b, c);
		e = aml_else_begin(b);
		c = aml_if_begin(b);		/* remove */
		aml_op(b, AML_OP_LEQUAL);
		aml_name(b, CPUHP_REG("CRMV"));
		aml_integer(b, 1);
		aml_name(b, CPUS_METHOD("CTFY"));
		aml_local(b, 1);
		aml_integer(b, 3);
		store_int(b, 1, CPUHP_REG("CRMV"));
		aml_end(b, c);
		{
			size_t e2 = aml_else_begin(b);	/* no event left */

			aml_op(b, AML_OP_BREAK);
			aml_end(b, e2);
		}
		aml_end(b, e);

		aml_op(b, AML_OP_ADD);
		aml_local(b, 1);
		aml_integer(b, 1);
		aml_local(b, 0);
	}
	aml_end(b, w);
	aml_release(b, CPUHP_LOCK);
	aml_end(b, m);
}

/* The MADT entry of CPU index @idx, as the MADT and _MAT give it. */
static void madt_lapic_entry(const struct smp_topology *t, unsigned int idx,
			     int enabled, struct acpi_madt_lapic *e)
{
	e->type = ACPI_MADT_TYPE_LAPIC;
	e->length = sizeof(*e);
	e->processor_uid = idx;
	e->apic_id = topo_apic_id(t, idx);
	e->flags = enabled ? ACPI_MADT_ENABLED : ACPI_MADT_ONLINE_CAPABLE;
}

/* _EJ0 (not for the boot CPU) and _OST of CPU @i, through \_SB.CPUS */
static void dsdt_cpu_hotplug_methods(struct aml_buf *b, unsigned int i)
{
	size_t m;

	if (i) {
		m = aml_method_begin(b, "_EJ0", 1, 0);
		aml_name(b, CPUS_METHOD("CEJ0"));
		aml_integer(b, i);
		aml_end(b, m);
	}
	m = aml_method_begin(b, "_OST", 3, 0);
	aml_name(b, CPUS_METHOD("COST"));
	aml_integer(b, i);
	aml_arg(b, 0);
	aml_arg(b, 1);
	aml_arg(b, 2);
	aml_end(b, m);
}

/*
 * \_SB.CPUS: a processor container with a Device (ACPI0007) per possible
 * CPU, named C000, C001, ... (CPU index in hex, as QEMU names them).
 */
static void dsdt_cpus(struct aml_buf *b, const struct acpi_config *cfg)
{
	const struct smp_topology *t = cfg->topo;
	struct acpi_madt_lapic mat;
	size_t dev, cpu;
	unsigned int i;
	char name[16];

	dev = aml_device_begin(b, "CPUS");
	aml_name_decl(b, "_HID");
	aml_string(b, "ACPI0010");	/* processor container */
	aml_name_decl(b, "_CID");
	aml_eisaid(b, "PNP0A05");
	if (cfg->cpu_sta == ACPI_CPU_STA_HOTPLUG)
		dsdt_cpuhp_methods(b, cfg);

	for (i = 0; i < t->maxcpus; i++) {
		snprintf(name, sizeof(name), "C%03X", i);
		cpu = aml_device_begin(b, name);
		aml_name_decl(b, "_HID");
		aml_string(b, "ACPI0007");
		aml_name_decl(b, "_UID");
		aml_integer(b, i);
		dsdt_cpu_sta(b, cfg, i);
		/* _MAT: this CPU's MADT entry, enabled (for hot-add) */
		madt_lapic_entry(t, i, 1, &mat);
		aml_name_decl(b, "_MAT");
		aml_buffer(b, &mat, sizeof(mat));
		if (cfg->cpu_sta == ACPI_CPU_STA_HOTPLUG)
			dsdt_cpu_hotplug_methods(b, i);
		aml_end(b, cpu);
	}
	aml_end(b, dev);
}

/* A device with a fixed I/O range and an ISA IRQ. */
static void dsdt_isa_device(struct aml_buf *b, const char *name,
			    const char *hid, int uid, uint16_t port,
			    uint8_t len, unsigned int irq)
{
	struct aml_buf res;
	size_t dev;

	dev = aml_device_begin(b, name);
	aml_name_decl(b, "_HID");
	aml_eisaid(b, hid);
	if (uid >= 0) {
		aml_name_decl(b, "_UID");
		aml_integer(b, uid);
	}
	aml_init(&res);
	aml_res_io(&res, port, port, 1, len);
	aml_res_irq_noflags(&res, irq);
	aml_name_decl(b, "_CRS");
	aml_resource_template(b, &res);
	aml_end(b, dev);
}

static void dsdt_sleep_state(struct aml_buf *b, const char *name,
			     unsigned int slp_typ)
{
	size_t pkg;

	/* Package { PM1a SLP_TYP, PM1b SLP_TYP, reserved, reserved } */
	aml_name_decl(b, name);
	pkg = aml_package_begin(b, 4);
	aml_integer(b, slp_typ);
	aml_integer(b, slp_typ);
	aml_integer(b, 0);
	aml_integer(b, 0);
	aml_end(b, pkg);
}

static int dsdt_build(struct aml_buf *b, const struct acpi_config *cfg)
{
	char gpe_method[5];
	size_t scope, m;

	dsdt_sleep_state(b, "\\_S0", KHYP_SLP_TYP_S0);
	dsdt_sleep_state(b, "\\_S5", KHYP_SLP_TYP_S5);

	scope = aml_scope_begin(b, "\\_SB");
	dsdt_isa_device(b, "COM1", "PNP0501", 1, KHYP_UART_PORT, 8,
			KHYP_GSI_UART);
	dsdt_isa_device(b, "RTC", "PNP0B00", -1, KHYP_RTC_PORT, 2,
			KHYP_GSI_RTC);
	if (cfg->cpu_sta == ACPI_CPU_STA_HOTPLUG)
		dsdt_cpuhp_regs(b, cfg);
	dsdt_cpus(b, cfg);
	aml_end(b, scope);

	/* CPU hotplug events (an empty method without hotplug) */
	snprintf(gpe_method, sizeof(gpe_method), "_E%02X",
		 KHYP_GPE_CPU_HOTPLUG);
	scope = aml_scope_begin(b, "\\_GPE");
	m = aml_method_begin(b, gpe_method, 0, 0);
	if (cfg->cpu_sta == ACPI_CPU_STA_HOTPLUG)
		aml_name(b, CPUS_METHOD("CSCN"));
	aml_end(b, m);
	aml_end(b, scope);
	return b->error;
}

/* ---- the tables ---- */

static void fadt_fill(struct acpi_fadt *f, uint64_t facs, uint64_t dsdt,
		      uint16_t gpe0)
{
	header_init(&f->h, "FACP", sizeof(*f), 6);
	f->minor_revision = 3;
	f->firmware_ctrl = facs;	/* below 4 GiB: X_FIRMWARE_CTRL 0 */
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	f->preferred_pm_profile = 0;	/* unspecified */
	f->sci_int = KHYP_GSI_SCI;
	f->smi_cmd = 0;			/* no SMM: always in ACPI mode */

	f->pm1a_evt_blk = KHYP_PM1A_EVT_PORT;
	f->pm1_evt_len = KHYP_PM1A_EVT_LEN;
	f->x_pm1a_evt_blk = gas_io(KHYP_PM1A_EVT_PORT, 8 * KHYP_PM1A_EVT_LEN,
				   2);
	f->pm1a_cnt_blk = KHYP_PM1A_CNT_PORT;
	f->pm1_cnt_len = KHYP_PM1A_CNT_LEN;
	f->x_pm1a_cnt_blk = gas_io(KHYP_PM1A_CNT_PORT, 8 * KHYP_PM1A_CNT_LEN,
				   2);
	f->pm_tmr_blk = KHYP_PM_TMR_PORT;
	f->pm_tmr_len = KHYP_PM_TMR_LEN;
	f->x_pm_tmr_blk = gas_io(KHYP_PM_TMR_PORT, 8 * KHYP_PM_TMR_LEN, 3);
	f->gpe0_blk = gpe0;
	f->gpe0_blk_len = KHYP_GPE0_LEN;
	f->x_gpe0_blk = gas_io(gpe0, 8 * KHYP_GPE0_LEN, 1);

	f->p_lvl2_lat = 101;		/* > 100: no C2 */
	f->p_lvl3_lat = 1001;		/* > 1000: no C3 */
	f->century = KHYP_RTC_CENTURY_REG;
	/* ISA devices (COM1, RTC), no 8042, no VGA, no PCI MSI; CMOS RTC */
	f->iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_NO_VGA |
			    ACPI_IAPC_NO_MSI;
	/*
	 * A fixed power button (PWR_BUTTON clear: QMP system_powerdown sets
	 * PWRBTN_STS), no sleep button, no RTC wake status, 24-bit PM timer.
	 */
	f->flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 |
		   ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC |
		   ACPI_FADT_RESET_REG_SUP;
	f->reset_reg = gas_io(KHYP_RESET_PORT, 8, 1);
	f->reset_value = KHYP_RESET_VALUE;
	table_finish(&f->h);
}

static void madt_fill(uint8_t *p, size_t len, const struct smp_topology *t)
{
	struct acpi_madt *m = (struct acpi_madt *)p;
	struct acpi_madt_ioapic *io;
	struct acpi_madt_iso *iso;
	struct acpi_madt_lapic_nmi *nmi;
	size_t off = sizeof(*m);
	unsigned int i;

	header_init(&m->h, "APIC", len, 5);
	m->lapic_address = KHYP_LAPIC_BASE;
	m->flags = ACPI_MADT_PCAT_COMPAT;

	for (i = 0; i < t->maxcpus; i++) {
		madt_lapic_entry(t, i, i < t->cpus,
				 (struct acpi_madt_lapic *)(p + off));
		off += sizeof(struct acpi_madt_lapic);
	}

	io = (struct acpi_madt_ioapic *)(p + off);
	io->type = ACPI_MADT_TYPE_IOAPIC;
	io->length = sizeof(*io);
	io->ioapic_id = KHYP_IOAPIC_ID;
	io->address = KHYP_IOAPIC_BASE;
	io->gsi_base = KHYP_IOAPIC_GSI_BASE;
	off += sizeof(*io);

	/* ISA IRQ0 (PIT) arrives on GSI 2, with ISA's edge/high default */
	iso = (struct acpi_madt_iso *)(p + off);
	iso->type = ACPI_MADT_TYPE_ISO;
	iso->length = sizeof(*iso);
	iso->bus = 0;
	iso->source = 0;
	iso->gsi = KHYP_GSI_PIT;
	iso->flags = 0;
	off += sizeof(*iso);

	/* The SCI: ISA IRQ9 = GSI 9, level triggered, active high */
	iso = (struct acpi_madt_iso *)(p + off);
	iso->type = ACPI_MADT_TYPE_ISO;
	iso->length = sizeof(*iso);
	iso->bus = 0;
	iso->source = KHYP_GSI_SCI;
	iso->gsi = KHYP_GSI_SCI;
	iso->flags = ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_LEVEL;
	off += sizeof(*iso);

	/* NMI on LINT1 of every processor */
	nmi = (struct acpi_madt_lapic_nmi *)(p + off);
	nmi->type = ACPI_MADT_TYPE_LAPIC_NMI;
	nmi->length = sizeof(*nmi);
	nmi->processor_uid = 0xff;
	nmi->flags = 0;
	nmi->lint = 1;
	off += sizeof(*nmi);

	table_finish(&m->h);
}

static size_t madt_size(const struct smp_topology *t)
{
	return sizeof(struct acpi_madt) +
	       t->maxcpus * sizeof(struct acpi_madt_lapic) +
	       sizeof(struct acpi_madt_ioapic) +
	       2 * sizeof(struct acpi_madt_iso) +
	       sizeof(struct acpi_madt_lapic_nmi);
}

int acpi_build(uint8_t *area, uint64_t base, size_t size,
	       const struct acpi_config *cfg, struct acpi_layout *out,
	       char *err, size_t errlen)
{
	struct acpi_area a = {
		.mem = area, .base = base, .size = size, .l = out,
	};
	uint64_t rsdp_gpa, facs_gpa, dsdt_gpa, fadt_gpa, madt_gpa, xsdt_gpa;
	struct acpi_table_header *dsdt, *xsdt;
	struct acpi_facs *facs;
	struct acpi_rsdp *rsdp;
	struct acpi_fadt *fadt;
	struct aml_buf aml;
	uint64_t *entries;
	uint8_t *madt;

	memset(out, 0, sizeof(*out));
	if (!cfg->topo->maxcpus || cfg->topo->maxcpus > 255) {
		snprintf(err, errlen, "ACPI: %u CPUs do not fit xAPIC tables",
			 cfg->topo->maxcpus);
		return -1;
	}
	aml_init(&aml);
	if (dsdt_build(&aml, cfg)) {
		snprintf(err, errlen, "ACPI: DSDT generation failed: %s",
			 strerror(-aml.error));
		aml_free(&aml);
		return -1;
	}

	rsdp = area_alloc(&a, "RSDP", sizeof(*rsdp), &rsdp_gpa);
	facs = area_alloc(&a, "FACS", sizeof(*facs), &facs_gpa);
	dsdt = area_alloc(&a, "DSDT", sizeof(*dsdt) + aml.len, &dsdt_gpa);
	fadt = area_alloc(&a, "FACP", sizeof(*fadt), &fadt_gpa);
	madt = area_alloc(&a, "APIC", madt_size(cfg->topo), &madt_gpa);
	xsdt = area_alloc(&a, "XSDT", sizeof(*xsdt) + 2 * sizeof(uint64_t),
			  &xsdt_gpa);
	if (!rsdp || !facs || !dsdt || !fadt || !madt || !xsdt) {
		snprintf(err, errlen,
			 "ACPI: the tables do not fit in %zu bytes at 0x%llx",
			 size, (unsigned long long)base);
		aml_free(&aml);
		return -1;
	}

	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 2;

	header_init(dsdt, "DSDT", sizeof(*dsdt) + aml.len, 2);
	memcpy(dsdt + 1, aml.data, aml.len);
	table_finish(dsdt);
	aml_free(&aml);

	fadt_fill(fadt, facs_gpa, dsdt_gpa, gpe0_port(cfg));
	madt_fill(madt, madt_size(cfg->topo), cfg->topo);

	/* XSDT: FADT and MADT (the DSDT and FACS hang off the FADT) */
	header_init(xsdt, "XSDT", sizeof(*xsdt) + 2 * sizeof(uint64_t), 1);
	entries = (uint64_t *)(xsdt + 1);
	entries[0] = fadt_gpa;
	entries[1] = madt_gpa;
	table_finish(xsdt);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, ACPI_OEM_ID, 6);
	rsdp->revision = 2;
	rsdp->rsdt_address = 0;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = xsdt_gpa;
	rsdp->checksum = -acpi_checksum(rsdp, 20);
	rsdp->extended_checksum = -acpi_checksum(rsdp, sizeof(*rsdp));

	out->rsdp = rsdp_gpa;
	out->end = base + a.used;
	return 0;
}

int acpi_dump(const uint8_t *area, uint64_t base,
	      const struct acpi_layout *l, const char *dir, char *err,
	      size_t errlen)
{
	char path[4096], lower[5];
	unsigned int i, j;
	ssize_t w;
	int fd;

	for (i = 0; i < l->ntables; i++) {
		for (j = 0; j < 5; j++)
			lower[j] = l->tables[i].name[j] >= 'A' &&
				   l->tables[i].name[j] <= 'Z' ?
				   l->tables[i].name[j] + 32 :
				   l->tables[i].name[j];
		snprintf(path, sizeof(path), "%s/%s.dat", dir, lower);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		w = write(fd, area + (l->tables[i].addr - base),
			  l->tables[i].len);
		close(fd);
		if (w != (ssize_t)l->tables[i].len) {
			snprintf(err, errlen, "%s: short write", path);
			return -1;
		}
	}
	return 0;
}
