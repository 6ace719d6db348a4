/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide object counters, shown in /sys/class/misc/khyp/stats.
 * The per-vCPU exit counters (enum khyp_stat) are in struct khyp_vcpu;
 * an exit kind's counter is named once, in KHYP_EXIT_KINDS (khyp.h).
 */
#ifndef KHYP_STATS_H
#define KHYP_STATS_H

#include <linux/atomic.h>

struct khyp_stats {
	atomic_long_t vms;
	atomic_long_t vcpus;
	atomic_long_t pages;	/* guest RAM pages held */
};

extern struct khyp_stats khyp_stats;

#endif
