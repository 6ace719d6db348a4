/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userdev.h - the devices khyp-run serves itself, on ports a platform VM
 * hands to userspace (KHYP_SET_USER_IO): QEMU's fw_cfg (always, as on
 * QEMU's pc), and with -device, pc-testdev and isa-debug-exit, the test
 * devices kvm-unit-tests drives.  architecture.rst says why they are not
 * in the module.
 */
#ifndef KHYP_RUN_USERDEV_H
#define KHYP_RUN_USERDEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/khyp.h>

#include "cmdline.h"

/* fw_cfg's legacy port interface (no DMA) */
#define FW_CFG_PORT_SEL		0x510	/* 16-bit write: select an item */
#define FW_CFG_PORT_DATA	0x511	/* 8-bit read: the item's next byte */
#define FW_CFG_SIGNATURE	0x00	/* "QEMU" */
#define FW_CFG_ID		0x01	/* u32 features: 1, the port interface */
#define FW_CFG_RAM_SIZE		0x03	/* u64 bytes */
#define FW_CFG_NB_CPUS		0x05	/* u16 CPUs at boot */
#define FW_CFG_MAX_CPUS		0x0f	/* u16 CPUs possible */

/* pc-testdev, at QEMU's ports */
#define TESTDEV_PORT_DATA	0xe0	/* 4 ports: a 32-bit scratch register */
#define TESTDEV_PORT_FLUSH	0xe4	/* 4 ports: "flush page" (32-bit write) */
#define TESTDEV_PORT_DATA_BYTE	0xe8	/* 4 ports: the register again */
#define TESTDEV_PORTS_LEN	12	/* 0xe0-0xeb */
#define TESTDEV_PORT_IRQ	0x2000	/* + line: write 1/0 raises/lowers it */
#define TESTDEV_IRQ_LINES	24

/* Drives an interrupt line (KHYP_IRQ_LINE); 0 or -errno. */
typedef int (*userdev_irq_fn)(void *opaque, unsigned int gsi, int level);

struct userdev {
	bool pc_testdev;
	bool debug_exit;
	uint16_t debug_exit_base, debug_exit_len;
	uint64_t ram_size;
	uint16_t nb_cpus, max_cpus;
	userdev_irq_fn irq_line;
	void *irq_opaque;

	pthread_mutex_t lock;	/* vCPU runner threads share the state */
	uint16_t fw_cfg_key;
	uint32_t fw_cfg_off;
	uint32_t testdev_data;
};

void userdev_init(struct userdev *d, const struct run_config *cfg,
		  userdev_irq_fn irq_line, void *opaque);
void userdev_destroy(struct userdev *d);

/* The port ranges @d serves, for KHYP_SET_USER_IO. */
void userdev_ranges(const struct userdev *d, struct khyp_user_io *uio);

/*
 * One port access that stopped a vCPU with KHYP_EXIT_IO.  A read's value
 * goes to *data (all ones where no device answers).  Returns 0, or the
 * exit status isa-debug-exit asks for ((value << 1) | 1, never 0), or
 * -errno from the interrupt line.
 */
int userdev_io(struct userdev *d, uint16_t port, uint8_t size,
	       bool is_write, uint32_t *data);

#endif /* KHYP_RUN_USERDEV_H */
