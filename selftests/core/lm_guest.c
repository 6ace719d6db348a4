// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest programs for core_test, in C (lib/guest.h). */
#include "guest.h"
#include "lm_guest.h"

void guest_main(uint64_t which)
{
	uint32_t a, b, c, d;

	switch (which) {
	case LM_CPUID_HIGH_MEMORY:
		cpuid(0, &a, &b, &c, &d);
		GUEST_SYNC(b);
		GUEST_SYNC(*(volatile uint64_t *)LM_HIGH_MEMORY);
		break;
	case LM_FAILED_ASSERT:
		GUEST_PRINT(LM_PRINT_TEXT);
		GUEST_ASSERT_EQ(which, 0);
		break;
	}
}
