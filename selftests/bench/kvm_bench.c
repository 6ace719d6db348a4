// SPDX-License-Identifier: GPL-2.0
/*
 * KVM side of `make bench`, the same guest as khyp_bench: N CPUIDs in real
 * mode, then an OUT that ends KVM_RUN.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	/* 1: xor eax,eax; cpuid; dec esi; jnz 1b; out al,0x11 */
	static const unsigned char code[] = {
		0x66, 0x31, 0xc0, 0x0f, 0xa2, 0x66, 0x4e, 0x75, 0xf7,
		0xe6, 0x11,
	};
	unsigned int n = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
	struct kvm_userspace_memory_region region = {
		.memory_size = 1 << 20,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2, .rsi = n };
	struct kvm_run *run;
	int kvm, vm, vcpu;
	unsigned char *mem;
	double t;

	if (argc < 2 || strcmp(argv[1], "cpuid")) {
		fprintf(stderr, "usage: kvm_bench cpuid [N]\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		perror("kvm_bench: /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	mem = mmap(NULL, region.memory_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED) {
		perror("kvm_bench: VM");
		return 1;
	}
	memcpy(mem + 0x1000, code, sizeof(code));
	region.userspace_addr = (unsigned long)mem;
	vcpu = ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("kvm_bench: vCPU");
		return 1;
	}
	run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	ioctl(vcpu, KVM_SET_REGS, &regs);
	t = now();
	if (ioctl(vcpu, KVM_RUN, 0) || run->exit_reason != KVM_EXIT_IO) {
		fprintf(stderr, "kvm_bench: unexpected exit %u\n",
			run->exit_reason);
		return 1;
	}
	t = now() - t;
	printf("cpuid-exit %.2f us\n", t / n * 1e6);
	return 0;
}
