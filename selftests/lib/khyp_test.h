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

/* The port guest code reports on, and the one where it says "done". */
#define TEST_PORT_REPORT	0x10
#define TEST_PORT_DONE		0x11
#define TEST_MMIO_BASE		0xd0000000ULL

int khyp_open(void);
int tvm_create(struct tvm *vm, uint64_t mem_size, uint32_t max_vcpus,
	       uint32_t flags);
void tvm_destroy(struct tvm *vm);
int tvcpu_create(struct tvm *vm, struct tvcpu *vcpu, uint32_t id);
/* Real mode, CS=0, IP=@rip, SP=0x7000. */
int tvcpu_set_real_mode(struct tvcpu *vcpu, uint64_t rip);
/* 64-bit mode with identity-mapped 1 GiB (page tables at 0x10000). */
int tvcpu_set_long_mode(struct tvcpu *vcpu, uint64_t rip);
void tvm_load(struct tvm *vm, uint64_t gpa, const void *code, size_t len);
int tvcpu_run(struct tvcpu *vcpu, struct khyp_exit *exit);
int tvcpu_get_regs(struct tvcpu *vcpu, struct khyp_regs *regs);
int tvcpu_state(struct tvcpu *vcpu, struct khyp_vcpu_state *st);
int tvcpu_stats(struct tvcpu *vcpu, struct khyp_vcpu_stats *st);
/* Wait (poll, deadline @ms) until the vCPU reports @state. */
int tvcpu_wait_state(struct tvcpu *vcpu, uint32_t state, int ms);
/* Reads /sys/class/misc/khyp/stats: vms, vcpus, pages. */
int khyp_module_stats(long *vms, long *vcpus, long *pages);
double now_sec(void);

/* tracefs at /sys/kernel/tracing, mounted there if it is not yet. */
int tracefs_mount(void);
/* Write @text to tracefs file @name ("trace" with "" empties the buffer). */
int tracefs_write(const char *name, const char *text);
/* The trace buffer as a NUL-terminated string to free(), or NULL. */
char *tracefs_read_trace(void);

#endif
