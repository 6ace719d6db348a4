/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host sides of the fuzzers share: the seeds and time budget
 * they are given, their PRNG, and the check that the module is back to
 * where it was once their VMs are gone.
 *
 *   FUZZER [SEED...]   one TAP test per seed (default: $FUZZ_SEED, else
 *                      the time), each for $FUZZ_SECONDS (default 15)
 */
#ifndef KHYP_FUZZ_H
#define KHYP_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#define FUZZ_MAX_SEEDS	16

/* The seeds from the command line or the environment; how many. */
int fuzz_seeds(int argc, char **argv, uint64_t *seeds);
/* Seconds per seed. */
double fuzz_seconds(void);
/* splitmix64: the next value of the sequence in *@s. */
uint64_t fuzz_rnd(uint64_t *s);
/* A value in [0, @n). */
uint32_t fuzz_below(uint64_t *s, uint32_t n);
/* A boundary value (0, 1, -1, powers of two and their neighbours) or not. */
uint64_t fuzz_value(uint64_t *s);

/* The module's VMs, vCPUs, pages and vCPU threads. */
struct fuzz_baseline {
	long vms, vcpus, pages;
	int threads;
};

int fuzz_baseline(struct fuzz_baseline *b);
/* Whether the module is back at @b within @ms; prints what is not. */
bool fuzz_back_to(const struct fuzz_baseline *b, int ms);

#endif
