/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hostile guest (guest_fuzz.c) and its host (guest_fuzz_test.c): the
 * parameter block the host writes at FUZZ_PARAMS and the guest reads, and
 * the guest's memory map below its image.
 */
#ifndef KHYP_GUEST_FUZZ_H
#define KHYP_GUEST_FUZZ_H

#include <stdint.h>

/* Real-mode IVT for vCPUs the guest INITs and SIPIs: every vector IRETs. */
#define FUZZ_IVT		0x0
/* Where such a vCPU lands (SIPI vector FUZZ_AP_PAGE >> 12): cli; hlt loop. */
#define FUZZ_AP_PAGE		0x8000
#define FUZZ_AP_IRET		(FUZZ_AP_PAGE + 0x10)
#define FUZZ_PARAMS		0x7000
/* Memory the generated instructions may use as a stack (rbp, rsp). */
#define FUZZ_SCRATCH_STACK	0x60000

/*
 * Input classes (struct fuzz_params.disable): each can be turned off, so a
 * class that hits a known host defect is kept out until its fix lands.
 */
#define FUZZ_PIO		(1U << 0)  /* port writes and reads */
#define FUZZ_MMIO		(1U << 1)  /* LAPIC and IOAPIC registers */
#define FUZZ_INSN		(1U << 2)  /* random instructions on MMIO */
#define FUZZ_MSR		(1U << 3)
#define FUZZ_CPUID		(1U << 4)
#define FUZZ_IPI		(1U << 5)  /* INIT, SIPI, NMI, fixed */
#define FUZZ_EJECT		(1U << 6)  /* answer unplug requests */

/* The guest's assembly (guest_fuzz_asm.S). */
/* 0 if @fn(@arg) returned, else 1 + the vector that ended it. */
uint64_t fuzz_try(void (*fn)(uint64_t), uint64_t arg);
/* Load every GPR from @regs (an array of 16), jump to fuzz_exec_target. */
void fuzz_exec(uint64_t regs);
extern uint64_t fuzz_exec_target;
extern uint64_t fuzz_jb[8];
extern const uint8_t fuzz_vectors[];	/* 256 of 16 bytes: the IDT's */

/*
 * In a platform VM, port writes no device claims vanish (no ucall): the
 * guest counts its progress here and the host reads it from memory.
 */
struct fuzz_params {
	uint64_t seed;
	uint32_t disable;	/* FUZZ_* classes left out */
	uint32_t max_vcpus;	/* APIC IDs 0..max_vcpus-1 exist or may */
	uint64_t ops, faults;	/* written by the guest */
};

#endif
