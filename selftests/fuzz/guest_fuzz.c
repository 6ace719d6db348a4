// SPDX-License-Identifier: GPL-2.0
/*
 * The hostile guest: forever, random values of random sizes to the
 * platform's ports and MMIO registers, random instructions with their
 * memory operand on MMIO, random MSRs and CPUID leaves, and IPIs to random
 * APIC IDs, all from one xorshift PRNG seeded by the host.  It counts
 * its ops in struct fuzz_params; the host decides when it is over.
 *
 * A fault (a #GP from a refused MSR, a #UD, a #PF from a wild address) is
 * survived the way a setjmp survives: every op runs under fuzz_try(), and
 * every exception vector jumps back to it with the vector.  NMIs and
 * interrupts return.  What would only kill the guest itself (power off,
 * reset, INIT or SIPI to itself, control transfers to random addresses,
 * reloading GDT, IDT or CR3) is left out: the host's side of those has its
 * own tests, and here it would end a run early.  An instruction khyp
 * will not emulate on MMIO ends the guest (khyp's policy: the vCPU is
 * dead, the exit KHYP_EXIT_INTERNAL_ERROR), so those are rarer.
 */
#include <linux/khyp_platform.h>
#include <stdbool.h>
#include "guest.h"
#include "guest_fuzz.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- faults: fuzz_try() and the vectors (see the comment above) ---- */

/* fuzz_try's saved state: rsp, rbx, rbp, r12-r15, return address. */
uint64_t fuzz_jb[8];
uint64_t fuzz_exec_target;


struct gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};

struct tss {
	uint32_t rsvd0;
	uint64_t rsp[3], rsvd1, ist[7], rsvd2;
	uint16_t rsvd3, iomap;
} __attribute__((packed));

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
/* null, code 0x08, data 0x10 (as tvcpu_set_long_mode's), TSS 0x18 */
static uint64_t gdt[5] = { 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL };
static uint8_t fault_stack[4096] __attribute__((aligned(16)));

/*
 * Every vector on IST 1: a generated instruction may leave RSP anywhere,
 * and the fault it then takes must still find a stack.
 */
static void fuzz_idt_load(void)
{
	struct dtr idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	struct dtr gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	uint64_t t = (uintptr_t)&tss;
	int i;

	tss.ist[0] = (uintptr_t)fault_stack + sizeof(fault_stack);
	tss.iomap = sizeof(tss);
	gdt[3] = (sizeof(tss) - 1) | (t & 0xffffff) << 16 | 0x89ULL << 40 |
		 (t >> 24 & 0xff) << 56;
	gdt[4] = t >> 32;
	asm volatile("lgdt %0; ltr %w1" : : "m"(gdtr), "r"(0x18));
	for (i = 0; i < 256; i++) {
		uint64_t a = (uintptr_t)fuzz_vectors + 16 * i;

		idt[i] = (struct gate){ .off0 = a, .sel = 0x08, .ist = 1,
					.type = 0x8e, .off1 = a >> 16,
					.off2 = a >> 32 };
	}
	asm volatile("lidt %0" : : "m"(idtr));
}

/* ---- randomness ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(uint32_t n)
{
	return (rnd() >> 32) % n;
}

static volatile struct fuzz_params *params;

/* ---- ports ---- */

static const struct { uint16_t base, len; } ports[] = {
	{ KHYP_PIC_MASTER_PORT, 2 }, { KHYP_PIC_SLAVE_PORT, 2 },
	{ KHYP_ELCR_PORT, 2 }, { KHYP_PIT_PORT, 4 }, { KHYP_PORT61, 1 },
	{ KHYP_RTC_PORT, 2 }, { KHYP_UART_PORT, 8 },
	{ KHYP_PCI_CFG_PORT, 8 }, { KHYP_POST_PORT, 1 },
	{ KHYP_PM1A_EVT_PORT, KHYP_PM1A_EVT_LEN },
	{ KHYP_PM1A_CNT_PORT, KHYP_PM1A_CNT_LEN },
	{ KHYP_PM_TMR_PORT, KHYP_PM_TMR_LEN },
	{ KHYP_GPE0_PORT, KHYP_GPE0_LEN },
	{ KHYP_CPUHP_BASE, KHYP_CPUHP_LEN },
};

static uint16_t rnd_port(void)
{
	uint16_t p;
	int i;

	if (!below(16)) {
		/* Anything but the ports the guest talks to the host on. */
		do
			p = rnd();
		while (p >= TEST_PORT_REPORT && p <= TEST_PORT_UCALL);
		return p;
	}
	i = below(ARRAY_SIZE(ports));
	return ports[i].base + below(ports[i].len);
}

/* Clear the bits of @val that would power off or reset the VM. */
static uint32_t harmless(uint16_t port, int size, uint32_t val)
{
	int i;

	for (i = 0; i < size; i++) {
		uint16_t p = port + i;

		if (p == KHYP_RESET_PORT)
			val &= ~(0x04U << 8 * i);	/* RST_CPU */
		if (p == KHYP_PM1A_CNT_PORT + 1)
			val &= ~(0x20U << 8 * i);	/* SLP_EN */
	}
	return val;
}

static void op_pio(uint64_t r)
{
	uint16_t port = rnd_port();
	uint32_t val = harmless(port, 4, r);

	switch (below(6)) {
	case 0:
		asm volatile("outb %b0, %w1" : : "a"(val), "Nd"(port));
		break;
	case 1:
		asm volatile("outw %w0, %w1" : : "a"(val), "Nd"(port));
		break;
	case 2:
		asm volatile("outl %0, %w1" : : "a"(val), "Nd"(port));
		break;
	case 3:
		asm volatile("inb %w1, %b0" : "=a"(val) : "Nd"(port));
		break;
	case 4:
		asm volatile("inw %w1, %w0" : "=a"(val) : "Nd"(port));
		break;
	default:
		asm volatile("inl %w1, %0" : "=a"(val) : "Nd"(port));
		break;
	}
}

/* ---- MMIO ---- */

#define LAPIC_ID	0x20
#define LAPIC_ICR	0x300
#define LAPIC_ICR_HI	0x310

static uint64_t rnd_mmio(void)
{
	uint32_t off = below(8) ? below(0x400) & ~3U : below(KHYP_LAPIC_SIZE);

	switch (below(8)) {
	case 0:
	case 1:
	case 2:
		/* IOAPIC: IOREGSEL, IOWIN, EOI, and the rest of the page. */
		if (below(4))
			off = below(3) ? below(2) * 0x10 : 0x40;
		return KHYP_IOAPIC_BASE + off;
	case 3:
		/* Beside the devices: the host's MMIO exits. */
		return KHYP_IOAPIC_BASE + KHYP_IOAPIC_SIZE + below(0x2000);
	default:
		/* The ID and ICR only through op_ipi: they could end us. */
		if (off >= LAPIC_ID && off < LAPIC_ID + 0x10)
			off += 0x10;
		if (off >= LAPIC_ICR && off < LAPIC_ICR + 0x10)
			off += 0x10;
		return KHYP_LAPIC_BASE + off;
	}
}

static void op_mmio(uint64_t r)
{
	volatile void *p = (volatile void *)(uintptr_t)rnd_mmio();

	switch (below(8)) {
	case 0:
		*(volatile uint8_t *)p = r;
		break;
	case 1:
		*(volatile uint16_t *)p = r;
		break;
	case 2:
		*(volatile uint32_t *)p = r;
		break;
	case 3:
		*(volatile uint64_t *)p = r;
		break;
	case 4:
		(void)*(volatile uint8_t *)p;
		break;
	case 5:
		(void)*(volatile uint16_t *)p;
		break;
	case 6:
		(void)*(volatile uint32_t *)p;
		break;
	default:
		(void)*(volatile uint64_t *)p;
		break;
	}
}

/* ---- random instructions with a memory operand on MMIO ---- */

/*
 * The instruction sits among int3s: whatever it does not consume of them
 * traps, and a short jump lands on one.
 */
static uint8_t insn[384] __attribute__((aligned(16)));

struct exec_regs {
	uint64_t gpr[16];	/* rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8.. */
};

static struct exec_regs xregs;

static bool one_byte_ok(uint8_t op)
{
	/*
	 * Jumps, calls, returns, IRET, POPF (TF), HLT leave the sandbox; IN
	 * and OUT with an immediate port could hit the ucall port (op_pio
	 * covers port I/O).
	 */
	if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe7))
		return false;
	switch (op) {
	case 0x0f: case 0x9a: case 0x9d: case 0xc2: case 0xc3: case 0xca:
	case 0xcb: case 0xcf: case 0xe8: case 0xe9: case 0xea: case 0xeb:
	case 0xf4:
		return false;
	}
	return true;
}

static bool two_byte_ok(uint8_t op)
{
	/*
	 * System instructions that reload GDT/IDT/CR3 (0f 01, mov to CR or
	 * DR), SYSCALL and friends, Jcc rel32.
	 */
	if (op >= 0x80 && op <= 0x8f)
		return false;
	switch (op) {
	case 0x01: case 0x05: case 0x07: case 0x22: case 0x23: case 0x34:
	case 0x35:
		return false;
	}
	return true;
}

static void op_insn(uint64_t r)
{
	/* 0f 01 forms without memory: VMRUN..INVLPGA, RDTSCP, XGETBV, XSETBV */
	static const uint8_t sys[] = { 0xd0, 0xd1, 0xd8, 0xd9, 0xda, 0xdb,
				       0xdc, 0xdd, 0xde, 0xdf, 0xf9 };
	static const uint8_t prefixes[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3,
					    0x2e, 0x3e, 0x26, 0x64, 0x65 };
	static const uint8_t bases[] = { 3, 6, 7 };	/* rbx, rsi, rdi */
	static const uint8_t imm_sizes[] = { 0, 1, 2, 4 };
	uint8_t *p = insn + 128, op, mod, reg, rm;
	int i, n;

	for (i = 0; i < (int)sizeof(insn); i++)
		insn[i] = 0xcc;
	for (n = below(3); n; n--)
		*p++ = prefixes[below(sizeof(prefixes))];
	if (below(2))
		*p++ = 0x40 | below(16);	/* REX */
	switch (below(8)) {
	case 0:
		*p++ = 0x0f;
		*p++ = 0x01;
		*p++ = sys[below(sizeof(sys))];
		goto run;
	case 1:
	case 2:
		do
			op = rnd();
		while (!two_byte_ok(op));
		*p++ = 0x0f;
		*p++ = op;
		if (op == 0x38 || op == 0x3a)
			*p++ = rnd();
		break;
	default:
		do
			op = rnd();
		while (!one_byte_ok(op));
		*p++ = op;
		break;
	}
	/* ModRM: [rbx], [rsi], [rdi] or any register, with a displacement. */
	mod = below(8) ? below(3) : 3;
	rm = below(4) ? bases[below(sizeof(bases))] : below(8);
	if (mod == 0 && rm == 5)	/* RIP-relative: into our own code */
		rm = 3;
	reg = below(8);
	if (op == 0xff && reg >= 2 && reg <= 5)	/* indirect call, jmp */
		reg = 0;
	*p++ = mod << 6 | reg << 3 | rm;
	if (rm == 4 && mod != 3)
		*p++ = (below(4) << 6) | (1 << 3) | 3;	/* [rbx + rcx*s] */
	if (mod == 1)
		*p++ = below(64);
	if (mod == 2)
		for (i = 0; i < 4; i++)
			*p++ = i ? 0 : below(256);
	/* An immediate of 0, 1, 2 or 4 random bytes. */
	n = imm_sizes[below(sizeof(imm_sizes))];
	for (i = 0; i < n; i++)
		*p++ = rnd();
run:
	for (i = 0; i < 16; i++)
		xregs.gpr[i] = rnd_mmio();
	xregs.gpr[0] = r;
	xregs.gpr[1] = below(8);			/* rcx: counts, index */
	xregs.gpr[2] = rnd_port();			/* rdx: a port */
	xregs.gpr[4] = FUZZ_SCRATCH_STACK;
	if (below(8))
		xregs.gpr[5] = FUZZ_SCRATCH_STACK - 0x100;
	fuzz_exec_target = (uintptr_t)(insn + 128);
	fuzz_exec((uintptr_t)&xregs);
}

/* ---- MSRs, CPUID ---- */

#define MSR_EFER	0xc0000080
#define EFER_KEEP	0x0500		/* LME, LMA: we run in long mode */

static uint32_t rnd_msr(void)
{
	switch (below(6)) {
	case 0:
		return below(0x200);
	case 1:
		return 0x800 + below(0x100);	/* x2APIC */
	case 2:
		return 0xc0000000 + below(0x200);
	case 3:
		return 0xc0010000 + below(0x200);
	case 4:
		return 0x40000000 + below(0x200);
	default:
		return rnd();
	}
}

static void op_msr(uint64_t r)
{
	uint32_t msr = rnd_msr(), lo, hi;

	if (below(2)) {
		asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
		return;
	}
	if (msr == MSR_EFER)
		r = (uint32_t)r | EFER_KEEP;
	asm volatile("wrmsr" : : "a"((uint32_t)r), "d"((uint32_t)(r >> 32)),
		     "c"(msr));
}

static void op_cpuid(uint64_t r)
{
	static const uint32_t bases[] = { 0, 0x40000000, 0x80000000,
					  0xc0000000 };
	uint32_t leaf = below(8) ? bases[below(4)] + below(0x24) : rnd();
	uint32_t a, b, c, d;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
		     : "a"(leaf), "c"((uint32_t)r & (below(2) ? 7 : ~0U)));
}

/* ---- IPIs ---- */

#define ICR_INIT	(5 << 8)
#define ICR_SIPI	(6 << 8)
#define ICR_LEVEL_ASSERT (1 << 14)
#define ICR_SELF	(1 << 18)
#define ICR_ALL		(2 << 18)
#define ICR_OTHERS	(3 << 18)

static void op_ipi(uint64_t r)
{
	volatile uint32_t *icr = (volatile uint32_t *)(KHYP_LAPIC_BASE +
						       LAPIC_ICR);
	volatile uint32_t *icr_hi = (volatile uint32_t *)(KHYP_LAPIC_BASE +
							  LAPIC_ICR_HI);
	/* fixed, lowest priority, SMI, NMI, INIT, SIPI; ExtINT is reserved */
	static const uint32_t modes[] = { 0 << 8, 1 << 8, 2 << 8, 4 << 8,
					  ICR_INIT, ICR_SIPI };
	uint32_t mode = modes[below(ARRAY_SIZE(modes))];
	uint32_t dest = below(16) ? below(params->max_vcpus + 2) : 0xff;
	uint32_t shorthand = below(4) << 18, low;

	if (mode == ICR_INIT || mode == ICR_SIPI) {
		/* Not to ourselves; SIPIs to the page that parks a vCPU. */
		if (shorthand == ICR_SELF || shorthand == ICR_ALL)
			shorthand = ICR_OTHERS;
		if (!shorthand && (dest == 0 || dest == 0xff))
			dest = 1;
		low = mode | shorthand | ICR_LEVEL_ASSERT |
		      (mode == ICR_SIPI ? FUZZ_AP_PAGE >> 12 : 0);
	} else {
		low = mode | shorthand | (r & 0xff) | (r & (1 << 11)) |
		      ICR_LEVEL_ASSERT;
	}
	*icr_hi = dest << 24;
	*icr = low;
}

/* ---- unplug requests: what the DSDT's \_GPE._E02 does ---- */

static void op_eject(uint64_t r)
{
	uint32_t n, i = r % params->max_vcpus;
	uint8_t flags;

	/* From a random slot on: the order slots are answered in varies. */
	for (n = 0; n < params->max_vcpus; n++, i = (i + 1) % params->max_vcpus) {
		asm volatile("outl %0, %w1" : : "a"(i),
			     "Nd"((uint16_t)(KHYP_CPUHP_BASE + KHYP_CPUHP_SEL)));
		asm volatile("inb %w1, %b0" : "=a"(flags) :
			     "Nd"((uint16_t)(KHYP_CPUHP_BASE + KHYP_CPUHP_FLAGS)));
		if (flags & KHYP_CPUHP_F_INSERT)
			flags = KHYP_CPUHP_F_INSERT;
		else if (flags & KHYP_CPUHP_F_REMOVE)
			flags = KHYP_CPUHP_F_EJECT;
		else
			continue;
		asm volatile("outb %b0, %w1" : : "a"(flags),
			     "Nd"((uint16_t)(KHYP_CPUHP_BASE + KHYP_CPUHP_FLAGS)));
	}
}

static const struct {
	uint32_t class;
	void (*fn)(uint64_t r);
	unsigned int weight;
} ops[] = {
	{ FUZZ_PIO, op_pio, 6 },
	{ FUZZ_MMIO, op_mmio, 6 },
	{ FUZZ_INSN, op_insn, 1 },
	{ FUZZ_MSR, op_msr, 3 },
	{ FUZZ_CPUID, op_cpuid, 1 },
	{ FUZZ_IPI, op_ipi, 2 },
	{ FUZZ_EJECT, op_eject, 1 },
};

void guest_main(uint64_t arg)
{
	unsigned int total = 0, i, w;

	params = (volatile struct fuzz_params *)(uintptr_t)arg;
	rng = params->seed | 1;
	fuzz_idt_load();
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;
	for (;;) {
		w = below(total);
		for (i = 0; w >= ops[i].weight; i++)
			w -= ops[i].weight;
		if (!(params->disable & ops[i].class) &&
		    fuzz_try(ops[i].fn, rnd()))
			params->faults++;
		params->ops++;
	}
}
