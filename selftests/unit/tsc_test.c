// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_test.c - the host TSC frequency khyp-run tells the guest.
 */
#include "kselftest_harness.h"
#include "tsc.h"

TEST(plausible_and_consistent)
{
	const char *how = NULL;
	uint32_t khz = host_tsc_khz(&how);
	uint32_t measured = tsc_measure_khz(100);
	double diff;

	TH_LOG("host TSC %u kHz (%s), measured %u kHz", khz, how, measured);
	ASSERT_NE(NULL, how);
	ASSERT_GT(khz, 100000);		/* > 100 MHz */
	ASSERT_LT(khz, 10000000);	/* < 10 GHz */
	/* whatever the source, it agrees with a measurement within 0.5% */
	diff = (double)khz - measured;
	if (diff < 0)
		diff = -diff;
	ASSERT_LT(diff, khz * 0.005);
}

TEST_HARNESS_MAIN
