// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"
#include "khyp_test.h"

int fuzz_seeds(int argc, char **argv, uint64_t *seeds)
{
	const char *env = getenv("FUZZ_SEED");
	int i, n = 0;

	for (i = 1; i < argc && n < FUZZ_MAX_SEEDS; i++)
		seeds[n++] = strtoull(argv[i], NULL, 0);
	if (!n)
		seeds[n++] = env && *env ? strtoull(env, NULL, 0) :
					   (uint64_t)time(NULL);
	return n;
}

double fuzz_seconds(void)
{
	const char *env = getenv("FUZZ_SECONDS");

	return env && *env ? atof(env) : 15;
}

uint64_t fuzz_rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t fuzz_below(uint64_t *s, uint32_t n)
{
	return (fuzz_rnd(s) >> 32) % n;
}

uint64_t fuzz_value(uint64_t *s)
{
	uint64_t v = 1ULL << fuzz_below(s, 64);

	switch (fuzz_below(s, 8)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return v;
	case 3:
		return v - 1;
	case 4:
		return v + 1;
	case 5:
		return fuzz_below(s, 300);
	default:
		return fuzz_rnd(s);
	}
}

int fuzz_baseline(struct fuzz_baseline *b)
{
	b->threads = khyp_threads();
	if (b->threads < 0)
		return b->threads;
	return khyp_module_stats(&b->vms, &b->vcpus, &b->pages);
}

bool fuzz_back_to(const struct fuzz_baseline *b, int ms)
{
	double end = now_sec() + ms / 1000.0;
	struct fuzz_baseline now;

	for (;;) {
		if (fuzz_baseline(&now))
			return false;
		if (now.vms == b->vms && now.vcpus == b->vcpus &&
		    now.pages == b->pages && now.threads == b->threads)
			return true;
		if (now_sec() > end)
			break;
		usleep(10000);
	}
	printf("# not back to the baseline: vms %ld/%ld vcpus %ld/%ld pages %ld/%ld threads %d/%d\n",
	       now.vms, b->vms, now.vcpus, b->vcpus, now.pages, b->pages,
	       now.threads, b->threads);
	return false;
}
