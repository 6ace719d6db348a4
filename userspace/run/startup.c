// SPDX-License-Identifier: GPL-2.0
/*
 * khyp-run's start-up, before the first VM: --dump-acpi, the kernel and
 * initrd read once for every reboot, and /dev/khyp opened and checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "acpi.h"
#include "multiboot.h"
#include "tsc.h"
#include "run.h"

#define KHYP_DEV		"/dev/" KHYP_DEVICE_NAME

int dump_acpi(const struct run_config *cfg)
{
	struct acpi_config ac = { .topo = &cfg->smp,
				  .cpu_sta = ACPI_CPU_STA_HOTPLUG };
	size_t size = KHYP_ACPI_AREA_END - KHYP_ACPI_AREA_START;
	struct acpi_layout l;
	char err[512];
	uint8_t *area;
	int r;

	area = calloc(1, size);
	if (!area) {
		error("out of memory");
		return 1;
	}
	r = acpi_build(area, KHYP_ACPI_AREA_START, size, &ac, &l, err,
		       sizeof(err));
	if (!r)
		r = acpi_dump(area, KHYP_ACPI_AREA_START, &l, cfg->dump_acpi_dir,
			      err, sizeof(err));
	free(area);
	if (r) {
		error("%s", err);
		return 1;
	}
	return 0;
}

int load_files(struct launch *ln)
{
	const struct run_config *cfg = &ln->cfg;
	struct mb_image img;
	const char *how = NULL;
	char err[512];
	uint32_t khz;

	if (file_read(cfg->kernel, &ln->kernel, err, sizeof(err))) {
		/*
		 * QEMU's words: kvm-unit-tests' runner starts QEMU with a
		 * missing kernel and reads this as "the options are fine".
		 * @err is "PATH: reason".
		 */
		error("could not load kernel '%s': %s", cfg->kernel,
		      err + strlen(cfg->kernel) + 2);
		return -1;
	}
	/* As QEMU: what is not a bzImage but has a Multiboot header. */
	ln->multiboot = bzimage_check(cfg->kernel, ln->kernel.data,
				      ln->kernel.size, err, sizeof(err)) &&
			multiboot_find(ln->kernel.data, ln->kernel.size) >= 0;
	if ((ln->multiboot ?
	     multiboot_parse(cfg->kernel, ln->kernel.data, ln->kernel.size,
			     &img, err, sizeof(err)) :
	     bzimage_check(cfg->kernel, ln->kernel.data, ln->kernel.size, err,
			   sizeof(err))) ||
	    (cfg->initrd &&
	     file_read(cfg->initrd, &ln->initrd, err, sizeof(err)))) {
		error("%s", err);
		return -1;
	}
	if (ln->multiboot) {
		if (multiboot_cmdline(cfg->kernel, cfg->append, ln->cmdline,
				      sizeof(ln->cmdline))) {
			error("kernel command line too long");
			return -1;
		}
		return 0;
	}
	khz = host_tsc_khz(&how);
	if (!khz)
		error("warning: host TSC frequency unknown; the guest will calibrate");
	if (boot_cmdline_compose(cfg->append, khz, ln->cmdline,
				 sizeof(ln->cmdline))) {
		error("kernel command line too long");
		return -1;
	}
	return 0;
}

int open_khyp(void)
{
	int fd, v;

	fd = open(KHYP_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		error("%s: %s%s", KHYP_DEV, strerror(errno),
		      errno == ENOENT ? " (is khyp.ko loaded?)" : "");
		return -1;
	}
	v = ioctl(fd, KHYP_GET_API_VERSION);
	if (v != KHYP_API_VERSION) {
		error("%s: API version %d, khyp-run needs %d", KHYP_DEV, v,
		      KHYP_API_VERSION);
		close(fd);
		return -1;
	}
	return fd;
}
