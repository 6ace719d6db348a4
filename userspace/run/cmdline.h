/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmdline.h - khyp-run's QEMU-compatible command line.
 */
#ifndef KHYP_RUN_CMDLINE_H
#define KHYP_RUN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/khyp.h>

#include "topology.h"

#define RUN_DEFAULT_MEM_SIZE	(128ULL << 20)	/* QEMU's default -m */

/* The CPUID feature words -cpu switches (cpuid.c names their bits). */
enum cpu_word {
	CPU_1_EDX,
	CPU_1_ECX,
	CPU_7_EBX,
	CPU_7_ECX,
	CPU_E1_EDX,		/* 0x80000001 */
	CPU_E1_ECX,
	CPU_NR_WORDS,
};

enum serial_mode {
	SERIAL_NONE,
	SERIAL_STDIO,
	SERIAL_FILE,		/* file:PATH, output only */
};

/* -monitor: QEMU's HMP monitor, which khyp-qmpd serves */
enum monitor_mode {
	MONITOR_NONE,
	MONITOR_STDIO,
	MONITOR_UNIX,		/* unix:PATH,server=on,wait=off */
};

/*
 * Everything the command line says.  File names and -append point into
 * argv; the struct owns no memory.
 */
struct run_config {
	uint64_t mem_size;		/* bytes the guest sees as RAM */
	struct smp_topology smp;
	char cpu_model[KHYP_CPU_MODEL_LEN];		/* "host" or a QEMU model name */
	const char *cpu_arg;		/* -cpu as given, NULL if none */
	uint32_t cpu_on[CPU_NR_WORDS];	/* +feat, feat=on */
	uint32_t cpu_off[CPU_NR_WORDS];	/* -feat, feat=off */
	char cpu_vendor[13];		/* vendor=, "" if none */
	bool cpu_nocheck;		/* check=off: no warnings */
	bool cpu_enforce;		/* enforce: a missing +feat is an error */
	const char *kernel;
	const char *initrd;
	const char *append;
	enum serial_mode serial;
	bool serial_given;		/* -serial was on the command line */
	bool serial_mon;		/* mon:stdio: with the HMP monitor */
	const char *serial_path;	/* SERIAL_FILE's PATH */
	bool nodefaults;
	bool nographic;
	bool no_user_config;
	bool no_reboot;
	bool no_pit;			/* -machine pit=off */
	enum monitor_mode monitor;
	char monitor_path[108];		/* MONITOR_UNIX's PATH */
	char name[256];			/* -name, "" if none */
	char qmp_path[108];		/* -qmp unix:PATH, "" if none */
	const char *dump_acpi_dir;	/* --dump-acpi DIR (hidden) */
	bool pc_testdev;		/* -device pc-testdev */
	bool debug_exit;		/* -device isa-debug-exit */
	uint16_t debug_exit_iobase, debug_exit_iosize;
	bool device_help;		/* -device help: list them and exit */
	bool help;
	bool version;
};

/*
 * Parse argv[1..argc-1] into @cfg (which is reset to the defaults first).
 * Returns 0, or -1 with a one-line message (no "khyp-run: " prefix, no
 * newline) in @err.
 */
int cmdline_parse(int argc, char **argv, struct run_config *cfg,
		  char *err, size_t errlen);

/* Parse a QEMU size (-m syntax: default unit MiB).  0 or -1. */
int cmdline_parse_size(const char *s, uint64_t *out);

/* The QOM type name QMP reports for the CPUs, e.g. "host-x86_64-cpu". */
int cmdline_cpu_type(const struct run_config *cfg, char *buf, size_t len);

void cmdline_usage(FILE *f);

/* -device help: the devices -device takes, in QEMU's format. */
void cmdline_device_list(FILE *f);

#endif /* KHYP_RUN_CMDLINE_H */
