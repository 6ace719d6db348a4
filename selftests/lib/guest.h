/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For guest programs in C: freestanding code linked at TEST_GUEST_BASE
 * and run by tvcpu_set_long_mode() (64-bit, identity-mapped), entered at
 * guest_main(arg) with @arg from the host's RDI.  Talk to the host with
 * the GUEST_* calls below (ucall.h); returning from guest_main is
 * GUEST_DONE().  See Documentation/testing.rst.
 */
#ifndef KHYP_GUEST_H
#define KHYP_GUEST_H

#include <stdint.h>
#include "ucall.h"

void guest_main(uint64_t arg);
void ucall(uint64_t cmd, const char *text, const char *file, uint64_t line,
	   uint64_t a0, uint64_t a1);

/* Hand the host @v (and @w) to check; the guest goes on. */
#define GUEST_SYNC(v)		ucall(UCALL_SYNC, 0, 0, 0, (v), 0)
#define GUEST_SYNC2(v, w)	ucall(UCALL_SYNC, 0, 0, 0, (v), (w))
#define GUEST_PRINT(s)		ucall(UCALL_PRINT, (s), 0, 0, 0, 0)
#define GUEST_DONE()		ucall(UCALL_DONE, 0, 0, 0, 0, 0)

/* A failed assertion stops the guest: the host sees file:line and both. */
#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __a = (a), __b = (b);				\
		if (__a != __b)						\
			ucall(UCALL_ABORT, #a " == " #b, __FILE__,	\
			      __LINE__, __a, __b);			\
	} while (0)

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
}

#endif
