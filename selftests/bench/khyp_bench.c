// SPDX-License-Identifier: GPL-2.0
/*
 * khyp side of `make bench`: the cost of one CPUID exit handled in the
 * kernel.  A real-mode guest runs N CPUIDs then writes to a port; the time
 * of that one KHYP_VCPU_RUN divided by N is the per-exit cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "khyp_test.h"

GUEST_SNIPPET(rm_cpuid_loop);

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

int main(int argc, char **argv)
{
	unsigned int n = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;

	if (argc < 2 || strcmp(argv[1], "cpuid")) {
		fprintf(stderr, "usage: khyp_bench cpuid [N]\n");
		return 2;
	}
	return cpuid_exit(n);
}
