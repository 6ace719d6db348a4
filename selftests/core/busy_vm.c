// SPDX-License-Identifier: GPL-2.0
/*
 * busy_vm: a VM with two vCPUs that never stop on their own (each counts
 * in its own dword of guest memory and exits for CPUID), driven over
 * stdin/stdout by host_cpu_test.sh:
 *
 *   start:        prints "READY TID0 TID1" (the vCPU kthreads) once both
 *                 counters moved, or "FAIL why" and exits 1
 *   "count":      prints "C0 C1"
 *   "chase CPU":  from now on, keep vCPU 0's thread bound to CPU, binding
 *                 it again as soon as it can after an offline broke the
 *                 binding
 *   "stop", EOF:  stops both vCPUs; prints "STOPPED R0 R1" (their exit
 *                 reasons); exit 0 if both stopped for KHYP_VCPU_STOP
 *
 * A vCPU that leaves KHYP_VCPU_RUN otherwise is reported at once as
 * "EXIT ID REASON SUBERROR" (e.g. when the host reboots under it).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "khyp_test.h"

#define CODE		0x1000
#define COUNTERS	0x3000

GUEST_SNIPPET(busy_loop);

static struct tvm vm;
static struct tvcpu vcpu[2];
static struct khyp_exit last[2];
static pid_t tid[2];
static pthread_t runner[2];
static volatile int chase_cpu = -1;

static volatile uint32_t *counter(int i)
{
	return (volatile uint32_t *)(vm.mem + COUNTERS + 4 * i);
}

static void *run_vcpu(void *arg)
{
	int i = (long)arg;

	if (tvcpu_run(&vcpu[i], &last[i]))
		last[i].reason = ~0u;
	if (last[i].reason != KHYP_EXIT_STOPPED) {
		printf("EXIT %d %u %u\n", i, last[i].reason,
		       last[i].internal.suberror);
		fflush(stdout);
	}
	return NULL;
}

/* Poll: bind vCPU 0's thread to chase_cpu whenever it is not. */
static void *chase(void *arg)
{
	cpu_set_t want, have;

	for (;;) {
		int cpu = chase_cpu;

		CPU_ZERO(&want);
		CPU_SET(cpu, &want);
		if (sched_getaffinity(tid[0], sizeof(have), &have) ||
		    !CPU_EQUAL(&want, &have))
			sched_setaffinity(tid[0], sizeof(want), &want);
		sched_yield();
	}
	return NULL;
}

static int start(void)
{
	struct khyp_vcpu_state st;
	struct khyp_regs r;
	double t0;
	int i;

	if (tvm_create(&vm, 4 << 20, 2, 0))
		return printf("FAIL create VM: %s\n", strerror(errno)), -1;
	tvm_load(&vm, CODE, busy_loop_start, SNIPPET_LEN(busy_loop));
	for (i = 0; i < 2; i++) {
		if (tvcpu_create(&vm, &vcpu[i], i) ||
		    tvcpu_set_real_mode(&vcpu[i], CODE) ||
		    tvcpu_get_regs(&vcpu[i], &r))
			return printf("FAIL vCPU %d: %s\n", i,
				      strerror(errno)), -1;
		r.rdi = COUNTERS + 4 * i;
		if (ioctl(vcpu[i].fd, KHYP_SET_REGS, &r) ||
		    tvcpu_state(&vcpu[i], &st))
			return printf("FAIL vCPU %d regs: %s\n", i,
				      strerror(errno)), -1;
		tid[i] = st.host_tid;
		pthread_create(&runner[i], NULL, run_vcpu, (void *)(long)i);
	}
	t0 = now_sec();
	while (!*counter(0) || !*counter(1)) {
		if (now_sec() - t0 > 60)
			return printf("FAIL counters %u %u after 60 s\n",
				      *counter(0), *counter(1)), -1;
		usleep(10000);
	}
	printf("READY %d %d\n", tid[0], tid[1]);
	return 0;
}

int main(void)
{
	char line[64];
	pthread_t t;
	int i, cpu, ok = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (start())
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		if (!strcmp(line, "stop\n"))
			break;
		if (!strcmp(line, "count\n")) {
			printf("%u %u\n", *counter(0), *counter(1));
		} else if (sscanf(line, "chase %d", &cpu) == 1) {
			if (chase_cpu < 0) {
				chase_cpu = cpu;
				pthread_create(&t, NULL, chase, NULL);
			}
			chase_cpu = cpu;
			printf("CHASING %d\n", cpu);
		} else {
			printf("FAIL unknown command %s", line);
		}
	}
	for (i = 0; i < 2; i++) {
		if (ioctl(vcpu[i].fd, KHYP_VCPU_STOP))
			ok = 0;
		pthread_join(runner[i], NULL);
	}
	printf("STOPPED %u %u\n", last[0].reason, last[1].reason);
	for (i = 0; i < 2; i++)
		ok &= last[i].reason == KHYP_EXIT_STOPPED;
	return !ok;
}
