// SPDX-License-Identifier: GPL-2.0
/*
 * KVM side of `make bench`, the same guests as khyp_bench.  cpuid: N
 * CPUIDs in real mode, then an OUT that ends KVM_RUN.  vmexit:
 * vmexit_guest.c on a two-vCPU VM with KVM's in-kernel irqchip; the PM
 * timer is answered here in userspace, as QEMU does.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/khyp_platform.h>
#include "khyp_test.h"
#include "bench_main.h"
#include "vmexit_guest.h"

GUEST_SNIPPET(vmexit_guest);

#define MEM_SIZE	(4 << 20)

struct kvm_vm {
	int kvm, fd;
	unsigned char *mem;
	int run_size;
};

static int vm_create(struct kvm_vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = MEM_SIZE,
	};

	vm->kvm = open("/dev/kvm", O_RDWR);
	if (vm->kvm < 0) {
		perror("kvm_bench: /dev/kvm");
		return -1;
	}
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	vm->run_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->fd < 0 || vm->mem == MAP_FAILED) {
		perror("kvm_bench: VM");
		return -1;
	}
	region.userspace_addr = (unsigned long)vm->mem;
	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region);
}

static int cpuid_exit(unsigned int n)
{
	/* 1: xor eax,eax; cpuid; dec esi; jnz 1b; out al,0x11 */
	static const unsigned char code[] = {
		0x66, 0x31, 0xc0, 0x0f, 0xa2, 0x66, 0x4e, 0x75, 0xf7,
		0xe6, 0x11,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2, .rsi = n };
	struct kvm_run *run;
	struct kvm_vm vm;
	int vcpu;
	double t;

	if (vm_create(&vm))
		return 1;
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	vcpu = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("kvm_bench: vCPU");
		return 1;
	}
	run = mmap(NULL, vm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu, 0);
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	ioctl(vcpu, KVM_SET_REGS, &regs);
	t = now_sec();
	if (ioctl(vcpu, KVM_RUN, 0) || run->exit_reason != KVM_EXIT_IO) {
		fprintf(stderr, "kvm_bench: unexpected exit %u\n",
			run->exit_reason);
		return 1;
	}
	t = now_sec() - t;
	printf("cpuid-exit %.2f us\n", t / n * 1e6);
	return 0;
}

static void lm_seg(struct kvm_segment *s, uint16_t sel, int code)
{
	*s = (struct kvm_segment) {
		.limit = 0xffffffff, .selector = sel, .type = code ? 0xb : 3,
		.present = 1, .s = 1, .l = code, .db = !code, .g = 1,
	};
}

struct kvm_vcpu {
	int fd;
	struct kvm_run *run;
};

/* A vCPU as tvcpu_set_long_mode() sets khyp's up. */
static int vcpu_create(struct kvm_vm *vm, struct kvm_vcpu *v, int id,
		       struct kvm_cpuid2 *cpuid, uint64_t arg, uint64_t rsp)
{
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	struct kvm_regs regs = { .rip = TEST_GUEST_BASE, .rflags = 2,
				 .rsp = rsp, .rdi = arg };
	struct kvm_sregs s;

	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0 || ioctl(v->fd, KVM_SET_CPUID2, cpuid) ||
	    ioctl(v->fd, KVM_GET_SREGS, &s))
		return -1;
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	lm_seg(&s.cs, 0x08, 1);
	lm_seg(&s.ds, 0x10, 0);
	TEST_LM_SREGS(&s);
	/* An AP would wait for INIT/SIPI: start it as khyp's is started. */
	return v->run == MAP_FAILED || ioctl(v->fd, KVM_SET_SREGS, &s) ||
	       ioctl(v->fd, KVM_SET_REGS, &regs) ||
	       ioctl(v->fd, KVM_SET_MP_STATE, &mp) ? -1 : 0;
}

/* The ACPI PM timer's 3.579545 MHz count, as QEMU computes it. */
static uint32_t pm_timer(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((ts.tv_sec * 1000000000ULL + ts.tv_nsec) *
			  3579545ULL / 1000000000ULL) & 0xffffff;
}

/* Run @v to the guest's S5 write, answering the PM timer: 0 or -1. */
static int vcpu_loop(struct kvm_vcpu *v)
{
	struct kvm_run *r = v->run;
	uint8_t *data;

	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) || r->exit_reason != KVM_EXIT_IO)
			return -1;
		data = (uint8_t *)r + r->io.data_offset;
		if (r->io.port == KHYP_PM1A_CNT_PORT &&
		    r->io.direction == KVM_EXIT_IO_OUT)
			return 0;
		if (r->io.port == KHYP_PM_TMR_PORT &&
		    r->io.direction == KVM_EXIT_IO_IN && r->io.size == 4) {
			uint32_t t = pm_timer();

			memcpy(data, &t, 4);
		}
	}
}

static void *ap_thread(void *v)
{
	vcpu_loop(v);
	return NULL;
}

static int run_vmexit(unsigned int n)
{
	struct kvm_cpuid2 *cpuid;
	struct kvm_vcpu bsp, ap;
	struct vmexit_bench *b;
	struct kvm_vm vm;
	pthread_t t;
	int k;

	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	cpuid->nent = 256;
	if (vm_create(&vm) || ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0) ||
	    ioctl(vm.kvm, KVM_GET_SUPPORTED_CPUID, cpuid)) {
		perror("kvm_bench: VM with irqchip");
		return 1;
	}
	/* As QEMU does for +tsc-deadline: KVM has it if it has the cap. */
	for (k = 0; k < (int)cpuid->nent; k++)
		if (cpuid->entries[k].function == 1 &&
		    ioctl(vm.kvm, KVM_CHECK_EXTENSION,
			  KVM_CAP_TSC_DEADLINE_TIMER) > 0)
			cpuid->entries[k].ecx |= 1U << 24;
	tvm_write_long_mode_tables(vm.mem);
	memcpy(vm.mem + TEST_GUEST_BASE, vmexit_guest_start,
	       SNIPPET_LEN(vmexit_guest));
	b = (struct vmexit_bench *)(vm.mem + VMEXIT_GPA);
	b->iterations = n;
	b->pm_timer_port = KHYP_PM_TMR_PORT;
	if (vcpu_create(&vm, &bsp, 0, cpuid, VMEXIT_BSP, TEST_LM_STACK) ||
	    vcpu_create(&vm, &ap, 1, cpuid, VMEXIT_AP, VMEXIT_AP_STACK) ||
	    pthread_create(&t, NULL, ap_thread, &ap)) {
		perror("kvm_bench: vCPUs");
		return 1;
	}
	if (vcpu_loop(&bsp) || !b->done) {
		fprintf(stderr, "kvm_bench: guest did not finish (exit %u)\n",
			bsp.run->exit_reason);
		return 1;
	}
	for (k = 0; k < VMEXIT_NR; k++)
		if (b->cycles[k])
			printf("vmexit-%s %llu cycles\n", vmexit_name(k),
			       (unsigned long long)b->cycles[k]);
	/* The AP is halted in KVM_RUN: exiting frees the VM with it. */
	return 0;
}

int main(int argc, char **argv)
{
	return bench_main(argc, argv, cpuid_exit, run_vmexit);
}
