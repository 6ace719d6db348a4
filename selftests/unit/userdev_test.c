// SPDX-License-Identifier: GPL-2.0
/*
 * userdev_test.c - khyp-run's own devices: fw_cfg, pc-testdev and
 * isa-debug-exit, through the port accesses the vCPU runners pass on.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "khyp_platform.h"
#include "userdev.h"

static struct {
	unsigned int calls, gsi;
	int level, ret;
	void *opaque;
} irq;

static int fake_irq_line(void *opaque, unsigned int gsi, int level)
{
	irq.opaque = opaque;
	irq.calls++;
	irq.gsi = gsi;
	irq.level = level;
	return irq.ret;
}

FIXTURE(dev) {
	struct run_config cfg;
	struct userdev d;
};

FIXTURE_SETUP(dev)
{
	memset(&self->cfg, 0, sizeof(self->cfg));
	self->cfg.mem_size = 384ULL << 20;
	self->cfg.smp.cpus = 3;
	self->cfg.smp.maxcpus = 8;
	self->cfg.pc_testdev = true;
	self->cfg.debug_exit = true;
	self->cfg.debug_exit_iobase = 0xf4;
	self->cfg.debug_exit_iosize = 4;
	memset(&irq, 0, sizeof(irq));
	userdev_init(&self->d, &self->cfg, fake_irq_line, &irq);
}

FIXTURE_TEARDOWN(dev)
{
	userdev_destroy(&self->d);
}

static uint32_t in(struct userdev *d, uint16_t port, uint8_t size)
{
	uint32_t v = 0x5a5a5a5a;

	if (userdev_io(d, port, size, false, &v))
		return 0xdeadbeef;
	return v;
}

static int out(struct userdev *d, uint16_t port, uint8_t size, uint32_t v)
{
	return userdev_io(d, port, size, true, &v);
}

/* fw_cfg item @key, @len bytes, little endian, read a byte at a time. */
static uint64_t fw_cfg(struct userdev *d, uint16_t key, unsigned int len)
{
	uint64_t v = 0;
	unsigned int i;

	out(d, FW_CFG_PORT_SEL, 2, key);
	for (i = 0; i < len; i++)
		v |= (uint64_t)in(d, FW_CFG_PORT_DATA, 1) << (i * 8);
	return v;
}

TEST_F(dev, ranges)
{
	struct khyp_user_io uio;

	userdev_ranges(&self->d, &uio);
	ASSERT_EQ(4, uio.nr);
	ASSERT_EQ(0x510, uio.ranges[0].base);
	ASSERT_EQ(2, uio.ranges[0].len);
	ASSERT_EQ(0xe0, uio.ranges[1].base);
	ASSERT_EQ(12, uio.ranges[1].len);
	ASSERT_EQ(0x2000, uio.ranges[2].base);
	ASSERT_EQ(24, uio.ranges[2].len);
	ASSERT_EQ(0xf4, uio.ranges[3].base);
	ASSERT_EQ(4, uio.ranges[3].len);

	/* Without -device: fw_cfg alone, as on QEMU's pc. */
	userdev_destroy(&self->d);
	self->cfg.pc_testdev = false;
	self->cfg.debug_exit = false;
	userdev_init(&self->d, &self->cfg, fake_irq_line, &irq);
	userdev_ranges(&self->d, &uio);
	ASSERT_EQ(1, uio.nr);
	ASSERT_EQ(0x510, uio.ranges[0].base);
	ASSERT_EQ(0xffffffff, in(&self->d, 0xe0, 4));
	ASSERT_EQ(0, out(&self->d, 0xf4, 1, 3));
}

TEST_F(dev, fw_cfg_items)
{
	ASSERT_EQ(0x554d4551, fw_cfg(&self->d, FW_CFG_SIGNATURE, 4)); /* QEMU */
	ASSERT_EQ(0, fw_cfg(&self->d, FW_CFG_SIGNATURE, 5) >> 32);
	ASSERT_EQ(1, fw_cfg(&self->d, FW_CFG_ID, 4));
	ASSERT_EQ(384ULL << 20, fw_cfg(&self->d, FW_CFG_RAM_SIZE, 8));
	ASSERT_EQ(3, fw_cfg(&self->d, FW_CFG_NB_CPUS, 2));
	ASSERT_EQ(8, fw_cfg(&self->d, FW_CFG_MAX_CPUS, 2));
	/* Past an item's end and unknown items read 0. */
	ASSERT_EQ(3, fw_cfg(&self->d, FW_CFG_NB_CPUS, 8));
	ASSERT_EQ(0, fw_cfg(&self->d, 0x11, 8));
	ASSERT_EQ(0, fw_cfg(&self->d, 0x4000, 4));
}

TEST_F(dev, fw_cfg_access_rules)
{
	/* Selecting again starts the item over. */
	out(&self->d, FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
	ASSERT_EQ('Q', in(&self->d, FW_CFG_PORT_DATA, 1));
	ASSERT_EQ('E', in(&self->d, FW_CFG_PORT_DATA, 1));
	out(&self->d, FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
	ASSERT_EQ('Q', in(&self->d, FW_CFG_PORT_DATA, 1));
	/* A byte write is no selector write; data writes are ignored. */
	out(&self->d, FW_CFG_PORT_SEL, 1, FW_CFG_NB_CPUS);
	out(&self->d, FW_CFG_PORT_DATA, 1, 0x77);
	ASSERT_EQ('E', in(&self->d, FW_CFG_PORT_DATA, 1));
	/* The selector port reads 0; wider data reads are not valid. */
	ASSERT_EQ(0, in(&self->d, FW_CFG_PORT_SEL, 2));
	ASSERT_EQ(0xffffffff, in(&self->d, FW_CFG_PORT_DATA, 4));
	ASSERT_EQ('M', in(&self->d, FW_CFG_PORT_DATA, 1));
}

TEST_F(dev, testdev_register)
{
	ASSERT_EQ(0, in(&self->d, 0xe0, 4));
	out(&self->d, 0xe0, 4, 0x12345678);
	ASSERT_EQ(0x12345678, in(&self->d, 0xe0, 4));
	ASSERT_EQ(0x56, in(&self->d, 0xe1, 1));
	ASSERT_EQ(0x1234, in(&self->d, 0xe2, 2));
	out(&self->d, 0xe3, 1, 0xab);
	ASSERT_EQ(0xab345678, in(&self->d, 0xe0, 4));
	/* 0xe8-0xeb: the same register, byte lanes alike. */
	ASSERT_EQ(0x78, in(&self->d, 0xe8, 1));
	out(&self->d, 0xe9, 2, 0xcdef);
	ASSERT_EQ(0xabcdef78, in(&self->d, 0xe0, 4));
	/* Flush page: accepted, changes nothing. */
	ASSERT_EQ(0, out(&self->d, 0xe4, 4, 0x400000));
	ASSERT_EQ(0xabcdef78, in(&self->d, 0xe0, 4));
}

TEST_F(dev, testdev_irq_lines)
{
	ASSERT_EQ(0, out(&self->d, 0x200e, 1, 1));
	ASSERT_EQ(1, irq.calls);
	ASSERT_EQ(14, irq.gsi);
	ASSERT_EQ(1, irq.level);
	ASSERT_EQ((void *)&irq, irq.opaque);
	ASSERT_EQ(0, out(&self->d, 0x200e, 1, 0));
	ASSERT_EQ(0, irq.level);
	ASSERT_EQ(0, out(&self->d, 0x2017, 1, 0x80));	/* non-zero: high */
	ASSERT_EQ(23, irq.gsi);
	ASSERT_EQ(1, irq.level);
	/* ISA IRQ 0 is GSI 2, as the MADT's override says. */
	ASSERT_EQ(0, out(&self->d, 0x2000, 1, 1));
	ASSERT_EQ(KHYP_GSI_PIT, irq.gsi);
	/* Only byte writes drive a line; reads float. */
	ASSERT_EQ(0, out(&self->d, 0x2001, 2, 1));
	ASSERT_EQ(0xffffffff, in(&self->d, 0x2001, 1));
	ASSERT_EQ(4, irq.calls);
	/* The ioctl's error reaches the runner. */
	irq.ret = -EINVAL;
	ASSERT_EQ(-EINVAL, out(&self->d, 0x2005, 1, 1));
}

TEST_F(dev, debug_exit)
{
	/* QEMU: exit((value << 1) | 1), any size, any port of the range. */
	ASSERT_EQ(1, out(&self->d, 0xf4, 4, 0));
	ASSERT_EQ(3, out(&self->d, 0xf4, 1, 1));
	ASSERT_EQ(11, out(&self->d, 0xf6, 2, 5));
	ASSERT_EQ(0xff, out(&self->d, 0xf7, 1, 0x7f));
	/* The exit status keeps 8 bits: (0x80 << 1) | 1 is 1. */
	ASSERT_EQ(1, out(&self->d, 0xf4, 4, 0x80));
	ASSERT_EQ(0xffffffff, in(&self->d, 0xf4, 4));
}

TEST_HARNESS_MAIN
