// SPDX-License-Identifier: GPL-2.0
/* The IDT of C guest programs (guest.h): 64-bit interrupt gates. */
#include "guest.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

void idt_set(uint8_t vector, void (*handler)(void))
{
	uint64_t a = (uintptr_t)handler;

	idt[vector] = (struct idt_gate) {
		.offset_lo = a,
		.selector = 0x08,	/* tvcpu_set_long_mode()'s code segment */
		.type = 0x8e,		/* present, DPL 0, interrupt gate */
		.offset_mid = a >> 16,
		.offset_hi = a >> 32,
	};
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) d = { sizeof(idt) - 1, (uintptr_t)idt };

	asm volatile("lidt %0" : : "m"(d));
}
