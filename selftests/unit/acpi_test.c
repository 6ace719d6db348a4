// SPDX-License-Identifier: GPL-2.0
/*
 * acpi_test.c - the AML emitter and the ACPI tables, checked byte by byte
 * (acpi_tables_test.sh checks them with iasl).  The platform's addresses
 * and ports are expected as <linux/khyp_platform.h> gives them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "khyp_platform.h"
#include "acpi.h"
#include "aml.h"

#define AREA_SIZE (KHYP_ACPI_AREA_END - KHYP_ACPI_AREA_START)

TEST(aml_pkglength)
{
	static const struct { size_t body; size_t enc; uint8_t lead; } c[] = {
		{ 0, 1, 0x01 }, { 62, 1, 0x3f }, { 63, 2, 0x41 },
		{ 4093, 2, 0x4f }, { 4094, 3, 0x81 }, { 1048572, 3, 0x8f }, { 1048573, 4, 0xc1 },
		{ 1048574, 4, 0xc2 },
	};
	struct aml_buf b;
	unsigned int i;
	size_t total;
	size_t m;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		aml_init(&b);
		aml_byte(&b, 0x10);
		m = b.len;
		while (b.len - m < c[i].body)
			aml_byte(&b, 0xaa);
		aml_end(&b, m);
		ASSERT_EQ(0, b.error);
		ASSERT_EQ(1 + c[i].enc + c[i].body, b.len);
		ASSERT_EQ(c[i].lead, b.data[1]);
		/* decode it back */
		total = b.data[1] & (c[i].enc == 1 ? 0x3f : 0x0f);
		if (c[i].enc > 1) {
			unsigned int k;

			for (k = 1; k < c[i].enc; k++)
				total |= (size_t)b.data[1 + k] << (4 + 8 * (k - 1));
		}
		ASSERT_EQ(c[i].enc + c[i].body, total);
		ASSERT_EQ(c[i].body ? 0xaa : c[i].lead, b.data[b.len - 1]);
		aml_free(&b);
	}
}

TEST(aml_names_and_data)
{
	static const uint8_t want[] = {
		0x5c, 0x2e, '_', 'S', 'B', '_', 'C', 'P', 'U', 'S',	/* \_SB.CPUS */
		0x5c, 0x2f, 3, '_', 'S', 'B', '_', 'C', 'P', 'U', 'S',
		'C', '0', '1', 'F',					/* \_SB.CPUS.C01F */
		0x5e, 'R', 'T', 'C', '_',				/* ^RTC */
		0x00, 0x01, 0x0a, 0x0f, 0x0b, 0x34, 0x12,
		0x0c, 0x78, 0x56, 0x34, 0x12,
		0x0e, 1, 0, 0, 0, 1, 0, 0, 0,
		0x0d, 'h', 'i', 0,
		0x0c, 0x41, 0xd0, 0x05, 0x01,				/* PNP0501 */
	};
	struct aml_buf b;

	aml_init(&b);
	aml_name(&b, "\\_SB.CPUS");
	aml_name(&b, "\\_SB.CPUS.C01F");
	aml_name(&b, "^RTC");
	aml_integer(&b, 0);
	aml_integer(&b, 1);
	aml_integer(&b, 15);
	aml_integer(&b, 0x1234);
	aml_integer(&b, 0x12345678);
	aml_integer(&b, 0x100000001ULL);
	aml_string(&b, "hi");
	aml_eisaid(&b, "PNP0501");
	ASSERT_EQ(0, b.error);
	ASSERT_EQ(sizeof(want), b.len);
	ASSERT_EQ(0, memcmp(want, b.data, b.len));
	ASSERT_EQ(0x0105d041, aml_eisaid_value("PNP0501"));
	ASSERT_EQ(0x000bd041, aml_eisaid_value("PNP0B00"));
	aml_free(&b);

	aml_init(&b);
	aml_name(&b, "TOOLONG");
	ASSERT_EQ(-EINVAL, b.error);
	aml_free(&b);
	aml_init(&b);
	aml_name(&b, "a.b");
	ASSERT_EQ(-EINVAL, b.error);
	aml_free(&b);
}

static const struct acpi_table_header *find(const uint8_t *area,
					    const struct acpi_layout *l,
					    const char *name)
{
	unsigned int i;

	for (i = 0; i < l->ntables; i++)
		if (!strcmp(l->tables[i].name, name))
			return (const void *)(area + l->tables[i].addr -
					      KHYP_ACPI_AREA_START);
	return NULL;
}

static int build_sta(uint8_t *area, struct smp_topology *t,
		     struct acpi_layout *l, enum acpi_cpu_sta sta)
{
	struct acpi_config c = { .topo = t, .cpu_sta = sta };
	char err[256];

	if (smp_complete(t, err, sizeof(err)))
		return -1;
	memset(area, 0, AREA_SIZE);
	return acpi_build(area, KHYP_ACPI_AREA_START, AREA_SIZE, &c, l, err,
			  sizeof(err));
}

static int build(uint8_t *area, struct smp_topology *t,
		 struct acpi_layout *l)
{
	return build_sta(area, t, l, ACPI_CPU_STA_STATIC);
}

/* Count occurrences of a byte pattern. */
static unsigned int count(const uint8_t *p, size_t len, const void *pat,
			  size_t plen)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i + plen <= len; i++)
		if (!memcmp(p + i, pat, plen))
			n++;
	return n;
}

FIXTURE(tables) {
	uint8_t *area;
	struct acpi_layout l;
};

FIXTURE_SETUP(tables)
{
	self->area = calloc(1, AREA_SIZE);
	ASSERT_NE(NULL, self->area);
}

FIXTURE_TEARDOWN(tables)
{
	free(self->area);
}

TEST_F(tables, rsdp_xsdt_checksums)
{
	struct smp_topology t = { .cpus = 1, .maxcpus = 8 };
	const struct acpi_table_header *xsdt;
	const struct acpi_rsdp *rsdp;
	const uint64_t *e;
	unsigned int i;

	ASSERT_EQ(0, build(self->area, &t, &self->l));
	ASSERT_EQ(KHYP_RSDP_ADDR, self->l.rsdp);
	ASSERT_LE(self->l.end, KHYP_ACPI_AREA_END);
	rsdp = (const void *)self->area;
	ASSERT_EQ(0, memcmp(rsdp->signature, "RSD PTR ", 8));
	ASSERT_EQ(2, rsdp->revision);
	ASSERT_EQ(36, rsdp->length);
	ASSERT_EQ(0, acpi_checksum(rsdp, 20));
	ASSERT_EQ(0, acpi_checksum(rsdp, 36));
	ASSERT_EQ(0, KHYP_RSDP_ADDR & 15);	/* 16-byte aligned */

	xsdt = find(self->area, &self->l, "XSDT");
	ASSERT_NE(NULL, xsdt);
	ASSERT_EQ(rsdp->xsdt_address,
		  (uint8_t *)xsdt - self->area + KHYP_ACPI_AREA_START);
	e = (const uint64_t *)(xsdt + 1);
	ASSERT_EQ(sizeof(*xsdt) + 16, xsdt->length);
	ASSERT_EQ(0, memcmp(self->area + e[0] - KHYP_ACPI_AREA_START, "FACP",
			    4));
	ASSERT_EQ(0, memcmp(self->area + e[1] - KHYP_ACPI_AREA_START, "APIC",
			    4));

	for (i = 0; i < self->l.ntables; i++) {
		const struct acpi_table_header *h =
			find(self->area, &self->l, self->l.tables[i].name);

		if (!strcmp(self->l.tables[i].name, "RSDP") ||
		    !strcmp(self->l.tables[i].name, "FACS"))
			continue;
		ASSERT_EQ(self->l.tables[i].len, h->length);
		ASSERT_EQ(0, acpi_checksum(h, h->length)) {
			TH_LOG("%s checksum", self->l.tables[i].name);
		}
	}
}

TEST_F(tables, fadt)
{
	struct smp_topology t = { .cpus = 1 };
	const struct acpi_fadt *f;

	ASSERT_EQ(0, build(self->area, &t, &self->l));
	f = (const void *)find(self->area, &self->l, "FACP");
	ASSERT_EQ(276, f->h.length);
	ASSERT_EQ(6, f->h.revision);
	ASSERT_EQ(3, f->minor_revision);
	ASSERT_EQ(KHYP_GSI_SCI, f->sci_int);
	ASSERT_EQ(0, f->smi_cmd);
	ASSERT_EQ(KHYP_PM1A_EVT_PORT, f->pm1a_evt_blk);
	ASSERT_EQ(KHYP_PM1A_EVT_LEN, f->pm1_evt_len);
	ASSERT_EQ(KHYP_PM1A_CNT_PORT, f->pm1a_cnt_blk);
	ASSERT_EQ(KHYP_PM1A_CNT_LEN, f->pm1_cnt_len);
	ASSERT_EQ(KHYP_PM_TMR_PORT, f->pm_tmr_blk);
	ASSERT_EQ(KHYP_PM_TMR_LEN, f->pm_tmr_len);
	ASSERT_EQ(KHYP_GPE0_PORT, f->gpe0_blk);
	ASSERT_EQ(KHYP_GPE0_LEN, f->gpe0_blk_len);
	ASSERT_EQ(0, f->flags & ACPI_FADT_TMR_VAL_EXT);
	ASSERT_EQ(0, f->flags & ACPI_FADT_HW_REDUCED);
	ASSERT_NE(0, f->flags & ACPI_FADT_RESET_REG_SUP);
	ASSERT_NE(0, f->flags & ACPI_FADT_WBINVD);
	ASSERT_NE(0, f->flags & ACPI_FADT_SLP_BUTTON);
	ASSERT_EQ(ACPI_AS_IO, f->reset_reg.space_id);
	ASSERT_EQ(KHYP_RESET_PORT, f->reset_reg.address);
	ASSERT_EQ(8, f->reset_reg.bit_width);
	ASSERT_EQ(KHYP_RESET_VALUE, f->reset_value);
	ASSERT_EQ(0, f->iapc_boot_arch & ACPI_IAPC_8042);
	ASSERT_NE(0, f->iapc_boot_arch & ACPI_IAPC_NO_VGA);
	ASSERT_EQ(0, f->iapc_boot_arch & ACPI_IAPC_NO_CMOS_RTC);
	ASSERT_EQ(f->dsdt, f->x_dsdt);
	ASSERT_EQ(0, memcmp(self->area + f->dsdt - KHYP_ACPI_AREA_START,
			    "DSDT", 4));
	ASSERT_EQ(0, memcmp(self->area + f->firmware_ctrl -
			    KHYP_ACPI_AREA_START, "FACS", 4));
	ASSERT_EQ(0, f->firmware_ctrl & 63);
	ASSERT_EQ(KHYP_PM1A_EVT_PORT, f->x_pm1a_evt_blk.address);
	ASSERT_EQ(8 * KHYP_PM1A_EVT_LEN, f->x_pm1a_evt_blk.bit_width);
	ASSERT_EQ(KHYP_PM1A_CNT_PORT, f->x_pm1a_cnt_blk.address);
	ASSERT_EQ(8 * KHYP_PM1A_CNT_LEN, f->x_pm1a_cnt_blk.bit_width);
	ASSERT_EQ(KHYP_PM_TMR_PORT, f->x_pm_tmr_blk.address);
	ASSERT_EQ(8 * KHYP_PM_TMR_LEN, f->x_pm_tmr_blk.bit_width);
	ASSERT_EQ(KHYP_GPE0_PORT, f->x_gpe0_blk.address);
	ASSERT_EQ(8 * KHYP_GPE0_LEN, f->x_gpe0_blk.bit_width);
}

static void check_madt(struct __test_metadata *_metadata, const uint8_t *area,
		       const struct acpi_layout *l,
		       const struct smp_topology *t)
{
	const struct acpi_madt *m = (const void *)find(area, l, "APIC");
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->h.length;
	unsigned int lapics = 0, ioapics = 0, isos = 0, nmis = 0;
	const struct acpi_madt_lapic *la;
	const struct acpi_madt_iso *iso;

	ASSERT_EQ(5, m->h.revision);
	ASSERT_EQ(KHYP_LAPIC_BASE, m->lapic_address);
	ASSERT_EQ(ACPI_MADT_PCAT_COMPAT, m->flags);
	while (p < end) {
		ASSERT_GE(p[1], 2);
		switch (p[0]) {
		case ACPI_MADT_TYPE_LAPIC:
			la = (const void *)p;
			ASSERT_EQ(8, la->length);
			ASSERT_EQ(lapics, la->processor_uid);
			ASSERT_EQ(topo_apic_id(t, lapics), la->apic_id);
			ASSERT_EQ(lapics < t->cpus ? ACPI_MADT_ENABLED :
				  ACPI_MADT_ONLINE_CAPABLE, la->flags);
			lapics++;
			break;
		case ACPI_MADT_TYPE_IOAPIC:
			ASSERT_EQ(KHYP_IOAPIC_BASE,
				  ((const struct acpi_madt_ioapic *)p)->address);
			ioapics++;
			break;
		case ACPI_MADT_TYPE_ISO:
			iso = (const void *)p;
			if (iso->source == 0) {
				ASSERT_EQ(KHYP_GSI_PIT, iso->gsi);
			} else {
				ASSERT_EQ(KHYP_GSI_SCI, iso->source);
				ASSERT_EQ(KHYP_GSI_SCI, iso->gsi);
				ASSERT_EQ(0xd, iso->flags);
			}
			isos++;
			break;
		case ACPI_MADT_TYPE_LAPIC_NMI:
			ASSERT_EQ(0xff, p[2]);
			ASSERT_EQ(1, p[5]);
			nmis++;
			break;
		default:
			ASSERT_TRUE(0);
		}
		p += p[1];
	}
	ASSERT_EQ(end, p);
	ASSERT_EQ(t->maxcpus, lapics);
	ASSERT_EQ(1, ioapics);
	ASSERT_EQ(2, isos);
	ASSERT_EQ(1, nmis);
}

TEST_F(tables, madt_and_dsdt_cpus)
{
	static const struct smp_topology topos[] = {
		{ .cpus = 1, .maxcpus = 1 },
		{ .cpus = 2, .maxcpus = 8 },
		{ .cpus = 1, .maxcpus = 255 },
		{ .cpus = 3, .sockets = 2, .cores = 3, .threads = 2,
		  .maxcpus = 12 },
	};
	const struct acpi_table_header *dsdt;
	struct smp_topology t;
	unsigned int i, k;
	uint8_t mat[13];
	char name[16];

	for (k = 0; k < ARRAY_SIZE(topos); k++) {
		t = topos[k];
		ASSERT_EQ(0, build(self->area, &t, &self->l));
		check_madt(_metadata, self->area, &self->l, &t);

		dsdt = find(self->area, &self->l, "DSDT");
		ASSERT_EQ(2, dsdt->revision);
		/* one Device Cxxx per possible CPU, with _MAT enabled */
		ASSERT_EQ(t.maxcpus, count((const uint8_t *)dsdt,
					   dsdt->length, "ACPI0007", 9));
		for (i = 0; i < t.maxcpus; i++) {
			snprintf(name, sizeof(name), "C%03X", i);
			ASSERT_EQ(1, count((const uint8_t *)dsdt,
					   dsdt->length, name, 4));
			/* Name(_MAT, Buffer(8) {0, 8, uid, apic, 1, 0, 0, 0}) */
			memcpy(mat, "\x08_MAT\x11\x0b\x0a\x08\x00\x08", 11);
			mat[11] = i;
			mat[12] = topo_apic_id(&t, i);
			ASSERT_EQ(1, count((const uint8_t *)dsdt,
					   dsdt->length, mat, 13));
		}
		/* every CPU has a _STA method */
		ASSERT_EQ(t.maxcpus, count((const uint8_t *)dsdt,
					   dsdt->length, "\x14\x09_STA", 6) +
			  count((const uint8_t *)dsdt, dsdt->length,
				"\x14\x08_STA", 6));
	}
}

/* How often the AML in @want occurs in @t (-1: @want is bad); frees it. */
static int occurrences(const struct acpi_table_header *t, struct aml_buf *want)
{
	int n = want->error ? -1 : (int)count((const uint8_t *)t, t->length,
					      want->data, want->len);

	aml_free(want);
	return n;
}

/* Store(@v, \_SB.PRES.@reg), as the hotplug methods write a register */
static void store_reg(struct aml_buf *b, uint64_t v, const char *reg)
{
	char path[16];

	snprintf(path, sizeof(path), "\\_SB.PRES.%s", reg);
	aml_op(b, AML_OP_STORE);
	aml_integer(b, v);
	aml_name(b, path);
}

/*
 * The hotplug AML talks to the register block of the header: its port,
 * its length, and the command values COST and CSCN write.
 */
TEST_F(tables, dsdt_cpuhp_abi)
{
	struct smp_topology t = { .cpus = 2, .maxcpus = 8 };
	const struct acpi_table_header *dsdt;
	struct aml_buf want;
	char gpe[5];

	ASSERT_EQ(0, build_sta(self->area, &t, &self->l,
			       ACPI_CPU_STA_HOTPLUG));
	dsdt = find(self->area, &self->l, "DSDT");
	ASSERT_NE(NULL, dsdt);

	aml_init(&want);
	aml_opregion(&want, "PRST", AML_SPACE_SYSTEM_IO, KHYP_CPUHP_BASE,
		     KHYP_CPUHP_LEN);
	EXPECT_EQ(1, occurrences(dsdt, &want));

	/* COST: _OST event, then status, each through its command */
	aml_init(&want);
	store_reg(&want, KHYP_CPUHP_CMD_OST_EVENT, "CCMD");
	aml_op(&want, AML_OP_STORE);
	aml_arg(&want, 1);
	aml_name(&want, "\\_SB.PRES.CDAT");
	store_reg(&want, KHYP_CPUHP_CMD_OST_STATUS, "CCMD");
	EXPECT_EQ(1, occurrences(dsdt, &want));

	/* CSCN: the selector moves on through NEXT_EVENT */
	aml_init(&want);
	store_reg(&want, KHYP_CPUHP_CMD_NEXT_EVENT, "CCMD");
	EXPECT_EQ(1, occurrences(dsdt, &want));

	/* the GPE handler for the hotplug bit */
	snprintf(gpe, sizeof(gpe), "_E%02X", KHYP_GPE_CPU_HOTPLUG);
	EXPECT_EQ(1, count((const uint8_t *)dsdt, dsdt->length, gpe, 4));
}

TEST_F(tables, does_not_fit)
{
	struct smp_topology t = { .cpus = 1, .maxcpus = 255 };
	struct acpi_config c = { .topo = &t };
	char err[256];

	ASSERT_EQ(0, smp_complete(&t, err, sizeof(err)));
	ASSERT_EQ(-1, acpi_build(self->area, KHYP_ACPI_AREA_START, 4096, &c,
				 &self->l, err, sizeof(err)));
	ASSERT_STREQ("ACPI: the tables do not fit in 4096 bytes at 0xe0000",
		     err);
}

TEST_HARNESS_MAIN
