// SPDX-License-Identifier: GPL-2.0
/*
 * khyp side of `make bench`.  cpuid: the cost of one CPUID exit handled
 * in the kernel; a real-mode guest runs N CPUIDs then writes to a port,
 * and the time of that one KHYP_VCPU_RUN divided by N is the per-exit
 * cost.  vmexit: vmexit_guest.c on a two-vCPU platform VM, N iterations
 * of each test, in guest TSC cycles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/khyp_platform.h>
#include "khyp_test.h"
#include "bench_main.h"
#include "vmexit_guest.h"

GUEST_SNIPPET(rm_cpuid_loop);
GUEST_SNIPPET(vmexit_guest);

static int cpuid_exit(unsigned int n)
{
	struct tvm vm;
	struct tvcpu vcpu;
	struct khyp_regs r;
	struct khyp_exit e = {};
	double t;

	if (tvm_create(&vm, 1 << 20, 1, 0) || tvcpu_create(&vm, &vcpu, 0) ||
	    tvcpu_set_real_mode(&vcpu, 0x1000)) {
		perror("khyp_bench: setup");
		return 1;
	}
	tvm_load(&vm, 0x1000, rm_cpuid_loop_start, SNIPPET_LEN(rm_cpuid_loop));
	tvcpu_get_regs(&vcpu, &r);
	r.rsi = n;
	ioctl(vcpu.fd, KHYP_SET_REGS, &r);
	t = now_sec();
	if (tvcpu_run(&vcpu, &e) || e.reason != KHYP_EXIT_IO) {
		fprintf(stderr, "khyp_bench: guest did not finish (%u)\n",
			e.reason);
		return 1;
	}
	t = now_sec() - t;
	printf("cpuid-exit %.2f us\n", t / n * 1e6);
	close(vcpu.fd);
	tvm_destroy(&vm);
	return 0;
}

static int run_vmexit(unsigned int n)
{
	struct vmexit_bench *b;
	struct tvcpu bsp, ap;
	struct tvm vm;
	uint32_t state;
	int k;

	if (tvm_create(&vm, 4 << 20, 2, KHYP_VM_PLATFORM) ||
	    tvm_set_cpuid(&vm, 0)) {
		perror("khyp_bench: platform VM");
		return 1;
	}
	tvm_load(&vm, TEST_GUEST_BASE, vmexit_guest_start,
		 SNIPPET_LEN(vmexit_guest));
	b = (struct vmexit_bench *)(vm.mem + VMEXIT_GPA);
	b->iterations = n;
	b->pm_timer_port = KHYP_PM_TMR_PORT;
	if (tvcpu_start_long_mode(&vm, &bsp, 0, 0, VMEXIT_BSP, 0) ||
	    tvcpu_start_long_mode(&vm, &ap, 1, 1, VMEXIT_AP,
				  VMEXIT_AP_STACK)) {
		perror("khyp_bench: vCPUs");
		return 1;
	}
	state = tvm_wait_stopped(&vm, 300000);
	if (state != KHYP_VM_POWEROFF || !b->done) {
		fprintf(stderr, "khyp_bench: guest did not finish (state %u)\n",
			state);
		return 1;
	}
	for (k = 0; k < VMEXIT_NR; k++)
		if (b->cycles[k])
			printf("vmexit-%s %llu cycles\n", vmexit_name(k),
			       (unsigned long long)b->cycles[k]);
	ioctl(bsp.fd, KHYP_VCPU_STOP);
	ioctl(ap.fd, KHYP_VCPU_STOP);
	close(bsp.fd);
	close(ap.fd);
	tvm_destroy(&vm);
	return 0;
}

int main(int argc, char **argv)
{
	return bench_main(argc, argv, cpuid_exit, run_vmexit);
}
