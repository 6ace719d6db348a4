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

static inline uint64_t rdmsr(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t index, uint64_t val)
{
	asm volatile("wrmsr"
		     : : "c"(index), "a"((uint32_t)val), "d"(val >> 32)
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

/* An MMIO read in a MOV form khyp decodes (not MOV moffs). */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void outl(uint16_t port, uint32_t val)
{
	asm volatile("out %0, %1" : : "a"(val), "Nd"(port));
}

static inline void outb(uint16_t port, uint8_t val)
{
	asm volatile("out %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t val)
{
	asm volatile("out %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("in %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * Interrupts and exceptions (lib/guest_idt.c): one IDT for every vCPU,
 * loaded by each with idt_load(); handlers are assembly stubs.
 */
void idt_set(uint8_t vector, void (*handler)(void));
void idt_load(void);

#endif
