/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid.h - the CPUID table khyp-run gives the VM.
 */
#ifndef KHYP_RUN_CPUID_H
#define KHYP_RUN_CPUID_H

#include <stddef.h>

#include <linux/khyp.h>

#include "khyp_compiler.h"

#include "cmdline.h"

/*
 * The properties after -cpu's model (@props, "" if none): set
 * @cfg->cpu_on and cpu_off.  0, or -1 with a one-line message in @err
 * (an unknown feature or property; cfg->cpu_arg names the option).
 */
int cpuid_parse_features(const char *props, struct run_config *cfg,
			 char *err, size_t errlen);

/* One line of warning, without the program's name or a newline. */
typedef __printf(1, 2) void cpuid_warn_fn(const char *fmt, ...);

/*
 * Adjust the table KHYP_GET_SUPPORTED_CPUID returned before it goes to
 * KHYP_SET_CPUID: -cpu's model, features and vendor, -smp's package
 * topology.  @cap is the capacity of @c->entries.  A feature asked for
 * that khyp cannot offer is dropped with QEMU's warning through @warn
 * (unless check=off).  0, or -1 with a one-line message in @err (such a
 * feature with enforce, another vendor than the host's).
 */
int cpuid_filter(struct khyp_cpuid *c, unsigned int cap,
		 const struct run_config *cfg, cpuid_warn_fn *warn,
		 char *err, size_t errlen);

#endif /* KHYP_RUN_CPUID_H */
