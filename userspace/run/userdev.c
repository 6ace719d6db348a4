// SPDX-License-Identifier: GPL-2.0
/*
 * userdev.c - fw_cfg, pc-testdev and isa-debug-exit, the behaviour as
 * QEMU's hw/nvram/fw_cfg.c, hw/misc/pc-testdev.c and hw/misc/debugexit.c
 * show it to a guest.
 */
#include <errno.h>
#include <string.h>

#include "khyp_platform.h"
#include "userdev.h"

void userdev_init(struct userdev *d, const struct run_config *cfg,
		  userdev_irq_fn irq_line, void *opaque)
{
	memset(d, 0, sizeof(*d));
	d->pc_testdev = cfg->pc_testdev;
	d->debug_exit = cfg->debug_exit;
	d->debug_exit_base = cfg->debug_exit_iobase;
	d->debug_exit_len = cfg->debug_exit_iosize;
	d->ram_size = cfg->mem_size;
	d->nb_cpus = cfg->smp.cpus;
	d->max_cpus = cfg->smp.maxcpus;
	d->irq_line = irq_line;
	d->irq_opaque = opaque;
	pthread_mutex_init(&d->lock, NULL);
}

void userdev_destroy(struct userdev *d)
{
	pthread_mutex_destroy(&d->lock);
}

static void add_range(struct khyp_user_io *uio, uint16_t base, uint16_t len)
{
	uio->ranges[uio->nr].base = base;
	uio->ranges[uio->nr].len = len;
	uio->nr++;
}

void userdev_ranges(const struct userdev *d, struct khyp_user_io *uio)
{
	memset(uio, 0, sizeof(*uio));
	add_range(uio, FW_CFG_PORT_SEL, 2);
	if (d->pc_testdev) {
		add_range(uio, TESTDEV_PORT_DATA, TESTDEV_PORTS_LEN);
		add_range(uio, TESTDEV_PORT_IRQ, TESTDEV_IRQ_LINES);
	}
	if (d->debug_exit)
		add_range(uio, d->debug_exit_base, d->debug_exit_len);
}

/* Byte @off of the selected fw_cfg item; 0 past its end or if unknown. */
static uint8_t fw_cfg_byte(const struct userdev *d, uint32_t off)
{
	uint64_t v;
	unsigned int len;

	switch (d->fw_cfg_key) {
	case FW_CFG_SIGNATURE:
		return off < 4 ? "QEMU"[off] : 0;
	case FW_CFG_ID:
		v = 1;
		len = 4;
		break;
	case FW_CFG_RAM_SIZE:
		v = d->ram_size;
		len = 8;
		break;
	case FW_CFG_NB_CPUS:
		v = d->nb_cpus;
		len = 2;
		break;
	case FW_CFG_MAX_CPUS:
		v = d->max_cpus;
		len = 2;
		break;
	default:
		return 0;
	}
	return off < len ? (uint8_t)(v >> (off * 8)) : 0;	/* little endian */
}

static void fw_cfg_io(struct userdev *d, uint16_t port, uint8_t size,
		      bool is_write, uint32_t *data)
{
	if (port == FW_CFG_PORT_SEL && size == 2) {
		if (is_write) {
			d->fw_cfg_key = *data;
			d->fw_cfg_off = 0;
		} else {
			*data = 0;
		}
	} else if (port == FW_CFG_PORT_DATA && size == 1 && !is_write) {
		*data = fw_cfg_byte(d, d->fw_cfg_off);
		if (d->fw_cfg_off < UINT32_MAX)
			d->fw_cfg_off++;
	}
	/* Other sizes are not valid accesses; writes to data are ignored. */
}

static void testdev_reg(struct userdev *d, unsigned int lane, uint8_t size,
			bool is_write, uint32_t *data)
{
	unsigned int shift = lane * 8;
	uint32_t mask;

	if (lane + size > 4)
		size = 4 - lane;
	mask = (size == 4 ? ~0U : (1U << (size * 8)) - 1) << shift;
	if (is_write)
		d->testdev_data = (d->testdev_data & ~mask) |
				  ((*data << shift) & mask);
	else
		*data = (d->testdev_data & mask) >> shift;
}

static int testdev_io(struct userdev *d, uint16_t port, uint8_t size,
		      bool is_write, uint32_t *data)
{
	unsigned int line, gsi;

	if (port >= TESTDEV_PORT_IRQ) {
		if (!is_write || size != 1)
			return 0;
		/* ISA IRQ 0 arrives on GSI 2, the others 1:1 (the MADT). */
		line = port - TESTDEV_PORT_IRQ;
		gsi = line ? line : KHYP_GSI_PIT;
		return d->irq_line(d->irq_opaque, gsi, !!*data);
	}
	if (port >= TESTDEV_PORT_DATA_BYTE)
		testdev_reg(d, port - TESTDEV_PORT_DATA_BYTE, size, is_write,
			    data);
	else if (port < TESTDEV_PORT_FLUSH)
		testdev_reg(d, port - TESTDEV_PORT_DATA, size, is_write, data);
	/*
	 * "Flush page": QEMU write-protects and restores the page so that
	 * KVM drops its mapping.  khyp maps guest RAM once and never drops
	 * it, so there is nothing to do.
	 */
	return 0;
}

int userdev_io(struct userdev *d, uint16_t port, uint8_t size,
	       bool is_write, uint32_t *data)
{
	int r = 0;

	if (!is_write)
		*data = ~0U;
	if (d->debug_exit && port >= d->debug_exit_base &&
	    port - d->debug_exit_base < d->debug_exit_len) {
		if (!is_write)
			return 0;
		/* QEMU: exit((val << 1) | 1), so a guest cannot exit with 0. */
		return ((*data << 1) | 1) & 0xff;
	}
	pthread_mutex_lock(&d->lock);
	if (port == FW_CFG_PORT_SEL || port == FW_CFG_PORT_DATA)
		fw_cfg_io(d, port, size, is_write, data);
	else if (d->pc_testdev &&
		 ((port >= TESTDEV_PORT_DATA &&
		   port < TESTDEV_PORT_DATA + TESTDEV_PORTS_LEN) ||
		  (port >= TESTDEV_PORT_IRQ &&
		   port < TESTDEV_PORT_IRQ + TESTDEV_IRQ_LINES)))
		r = testdev_io(d, port, size, is_write, data);
	pthread_mutex_unlock(&d->lock);
	return r < 0 ? r : 0;
}
