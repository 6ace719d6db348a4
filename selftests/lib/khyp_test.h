/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small library for khyp selftests, in the spirit of KVM's selftests:
 * make a VM, put guest code in its memory, run a vCPU, look at the exit.
 */
#ifndef KHYP_TEST_H
#define KHYP_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <linux/khyp.h>
#include "test_abi.h"
#include "ucall.h"

struct tvm {
	int dev;		/* /dev/khyp */
	int fd;			/* VM fd */
	uint8_t *mem;		/* guest RAM mapped at GPA 0 */
	uint64_t mem_size;
};

struct tvcpu {
	struct tvm *vm;
	int fd;
	uint32_t id;
};

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Guest code snippets assembled from guest_code.S. */
#define GUEST_SNIPPET(name)						\
	extern const uint8_t name##_start[], name##_end[]
#define SNIPPET_LEN(name)	((size_t)(name##_end - name##_start))

#define TEST_MMIO_BASE		0xd0000000ULL

int khyp_open(void);
int tvm_create(struct tvm *vm, uint64_t mem_size, uint32_t max_vcpus,
	       uint32_t flags);
void tvm_destroy(struct tvm *vm);
/*
 * The VM's CPUID: what khyp supports, less @leaf1_ecx_clear in leaf 1
 * ECX (as khyp-run would set it).  Before the first vCPU.
 */
int tvm_set_cpuid(struct tvm *vm, uint32_t leaf1_ecx_clear);
int tvcpu_create(struct tvm *vm, struct tvcpu *vcpu, uint32_t id);
/* Real mode, CS=0, IP=@rip, SP=0x7000. */
int tvcpu_set_real_mode(struct tvcpu *vcpu, uint64_t rip);
/*
 * 64-bit mode with identity-mapped 1 GiB plus the MMIO hole, as
 * tvm_write_long_mode_tables() writes it (also for kvm_bench's VM).
 */
#define TEST_PT_BASE		0x10000ULL
#define TEST_GDT_BASE		0x9000ULL
#define TEST_LM_STACK		0x80000ULL
#define TEST_LM_CR0		0x80050033ULL	/* PG WP NE ET MP PE */
#define TEST_LM_CR4		0x620ULL	/* PAE OSFXSR OSXMMEXCPT */
#define TEST_LM_EFER		0x500ULL	/* LME LMA */
void tvm_write_long_mode_tables(uint8_t *mem);
/* The system registers of that mode, in khyp's or KVM's struct sregs. */
#define TEST_LM_SREGS(s)						\
	do {								\
		(s)->es = (s)->fs = (s)->gs = (s)->ss = (s)->ds;	\
		(s)->gdt.base = TEST_GDT_BASE;				\
		(s)->gdt.limit = 23;					\
		(s)->cr0 = TEST_LM_CR0;					\
		(s)->cr3 = TEST_PT_BASE;				\
		(s)->cr4 = TEST_LM_CR4;					\
		(s)->efer = TEST_LM_EFER;				\
	} while (0)
int tvcpu_set_long_mode(struct tvcpu *vcpu, uint64_t rip);
/*
 * A platform VM's vCPU: create it with @apic_id, 64-bit at
 * TEST_GUEST_BASE with RDI @arg (and RSP @rsp unless 0), and start it.
 */
int tvcpu_start_long_mode(struct tvm *vm, struct tvcpu *vcpu, uint32_t id,
			  uint32_t apic_id, uint64_t arg, uint64_t rsp);
/* Poll until the VM is no longer RUNNING (or @ms pass): its state. */
uint32_t tvm_wait_stopped(struct tvm *vm, int ms);
void tvm_load(struct tvm *vm, uint64_t gpa, const void *code, size_t len);
int tvcpu_run(struct tvcpu *vcpu, struct khyp_exit *exit);
int tvcpu_get_regs(struct tvcpu *vcpu, struct khyp_regs *regs);
/* Set RDI: a C guest's guest_main() argument. */
int tvcpu_set_arg(struct tvcpu *vcpu, uint64_t arg);
/*
 * Run to the vCPU's next ucall (ucall.h) and copy it to @uc: its command,
 * or UCALL_NONE with the exit reason in args[0] if it stopped otherwise.
 */
int tvcpu_ucall(struct tvcpu *vcpu, struct ucall *uc);
/* A string at guest address @gpa ("" if it does not fit in memory). */
const char *tvm_str(struct tvm *vm, uint64_t gpa);

/*
 * In a harness test: run to the next ucall, which must be @cmd; a guest
 * assertion that failed instead is logged with its file and line.
 */
#define ASSERT_UCALL(cmd, vcpu, uc)					\
	do {								\
		int __cmd = tvcpu_ucall(vcpu, uc);			\
		struct tvm *__vm = (vcpu)->vm;				\
									\
		if (__cmd == UCALL_ABORT && (cmd) != UCALL_ABORT)	\
			TH_LOG("guest %s:%llu: %s failed (%#llx, %#llx)",\
			       tvm_str(__vm, (uc)->file),		\
			       (unsigned long long)(uc)->line,		\
			       tvm_str(__vm, (uc)->text),		\
			       (unsigned long long)(uc)->args[0],	\
			       (unsigned long long)(uc)->args[1]);	\
		ASSERT_EQ(cmd, __cmd);					\
	} while (0)
int tvcpu_state(struct tvcpu *vcpu, struct khyp_vcpu_state *st);
int tvcpu_stats(struct tvcpu *vcpu, struct khyp_vcpu_stats *st);
/* Wait (poll, deadline @ms) until the vCPU reports @state. */
int tvcpu_wait_state(struct tvcpu *vcpu, uint32_t state, int ms);
/* Reads /sys/class/misc/khyp/stats: vms, vcpus, pages. */
int khyp_module_stats(long *vms, long *vcpus, long *pages);
/* How many vCPU kthreads ("khyp/VM/VCPU") exist, or -errno. */
int khyp_threads(void);
/* The same, polled (10 s deadline) until all three are 0; -1 if unreadable. */
int khyp_module_stats_settle(long *vms, long *vcpus, long *pages);
double now_sec(void);

/* tracefs at /sys/kernel/tracing, mounted there if it is not yet. */
int tracefs_mount(void);
/* Write @text to tracefs file @name ("trace" with "" empties the buffer). */
int tracefs_write(const char *name, const char *text);
/* The trace buffer as a NUL-terminated string to free(), or NULL. */
char *tracefs_read_trace(void);

#endif
