// SPDX-License-Identifier: GPL-2.0
/*
 * khyp host-safety selftests: what a hostile guest or a careless VMM
 * must not do to the host.
 *
 *  - every allocation and creation step of a VM and a vCPU failed in turn
 *    (debugfs fail_nth): a precise errno, and nothing left behind;
 *  - a guest storming INIT, NMI and STARTUP at vCPUs being created;
 *  - SET_REGS/SET_SREGS racing START from another thread: the guest
 *    never runs on a half-written register set.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "khyp_test.h"
#include "safety_guest.h"

GUEST_SNIPPET(ipi_storm_guest);
GUEST_SNIPPET(race_guest);

#define MEM_16M		(16ULL << 20)
#define FAIL_NTH	"/sys/kernel/debug/khyp/fail_nth"

static int fail_nth_write(unsigned int n)
{
	char buf[16];
	int fd = open(FAIL_NTH, O_WRONLY), len, r;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%u\n", n);
	r = write(fd, buf, len) == len ? 0 : -errno;
	close(fd);
	return r;
}

static long fail_nth_read(void)
{
	char buf[16] = "";
	int fd = open(FAIL_NTH, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/*
 * Create a VM with two vCPUs, the Nth failpoint armed, for N = 1, 2, ...
 * until everything succeeds: each failure must be -ENOMEM (what every
 * failpoint fakes) and leave no VM, vCPU, page, thread or fd behind.
 */
static void fail_each_step(struct __test_metadata *_metadata, uint32_t flags,
			   unsigned int *injected)
{
	int threads = khyp_threads(), dev = khyp_open();
	long vms, vcpus, pages;
	unsigned int n;

	ASSERT_LE(0, dev);
	ASSERT_LE(0, threads);
	for (n = 1; n < 1000; n++) {
		struct khyp_vm_config cfg = {
			.mem_size = MEM_16M, .max_vcpus = 2, .flags = flags,
			.name = "failnth",
		};
		struct khyp_vcpu_config vc = {};
		int vm, v0 = -1, v1 = -1, err = 0;
		long left;

		ASSERT_EQ(0, fail_nth_write(n));
		vm = ioctl(dev, KHYP_CREATE_VM, &cfg);
		if (vm < 0) {
			err = errno;
		} else {
			v0 = ioctl(vm, KHYP_CREATE_VCPU, &vc);
			vc.id = vc.apic_id = 1;
			if (v0 >= 0)
				v1 = ioctl(vm, KHYP_CREATE_VCPU, &vc);
			if (v0 < 0 || v1 < 0)
				err = errno;
		}
		left = fail_nth_read();
		ASSERT_EQ(0, fail_nth_write(0));
		if (v1 >= 0)
			close(v1);
		if (v0 >= 0)
			close(v0);
		if (vm >= 0)
			close(vm);
		if (left) {
			/* Fewer failpoints than n: it all worked. */
			ASSERT_EQ(0, err);
			break;
		}
		(*injected)++;
		EXPECT_EQ(ENOMEM, err) TH_LOG("failpoint %u: %s", n,
					      strerror(err));
		ASSERT_EQ(0, khyp_module_stats_settle(&vms, &vcpus, &pages));
		EXPECT_EQ(0, vms) TH_LOG("failpoint %u", n);
		EXPECT_EQ(0, vcpus) TH_LOG("failpoint %u", n);
		EXPECT_EQ(0, pages) TH_LOG("failpoint %u", n);
		EXPECT_EQ(threads, khyp_threads()) TH_LOG("failpoint %u",
							       n);
	}
	ASSERT_GT(n, 1);
	ASSERT_LT(n, 1000);
	close(dev);
}

TEST(fail_every_creation_step)
{
	unsigned int bare = 0, platform = 0;

	if (access(FAIL_NTH, F_OK))
		SKIP(return, FAIL_NTH " missing");
	fail_each_step(_metadata, 0, &bare);
	fail_each_step(_metadata, KHYP_VM_PLATFORM, &platform);
	TH_LOG("faults injected: %u (bare VM) + %u (platform VM)", bare,
	       platform);
}

struct regs_race {
	struct tvcpu *vcpu;
	struct khyp_sregs sregs;	/* the real-mode set to vary */
	volatile int stop;
	long regs_set, sregs_set;
	int error;			/* an errno other than EBUSY */
};

/* Two patterns, written whole each time: GPRs and ES/FS/GS. */
static void *regs_writer(void *arg)
{
	struct regs_race *r = arg;
	unsigned long i;

	for (i = 0; !r->stop && !r->error; i++) {
		uint64_t k = i & 1 ? 0x5a5a5a5aa5a5a5a5ULL : 0x1234567887654321ULL;
		uint16_t sel = i & 1 ? 0x100 : 0x200;
		struct khyp_regs regs = {
			.rax = k, .rbx = k, .rcx = k, .rdx = k, .rsi = k,
			.rdi = k, .rbp = k, .rsp = 0x7000, .r8 = k, .r9 = k,
			.r10 = k, .r11 = k, .r12 = k, .r13 = k, .r14 = k,
			.r15 = k, .rip = 0x1000, .rflags = 2,
		};
		struct khyp_sregs s = r->sregs;

		s.es.selector = s.fs.selector = s.gs.selector = sel;
		s.es.base = s.fs.base = s.gs.base = sel << 4;
		if (!ioctl(r->vcpu->fd, KHYP_SET_REGS, &regs))
			r->regs_set++;
		else if (errno != EBUSY)
			r->error = errno;
		if (!ioctl(r->vcpu->fd, KHYP_SET_SREGS, &s))
			r->sregs_set++;
		else if (errno != EBUSY)
			r->error = errno;
	}
	return NULL;
}

/*
 * One thread loops SET_REGS/SET_SREGS, this one START/STOP: every run of
 * the guest must start from one whole pattern of each.
 */
TEST(start_never_runs_half_written_registers)
{
	struct regs_race r = {};
	long consistent = 0, mixed = 0, runs = 0;
	struct khyp_vcpu_state st;
	struct tvcpu vcpu;
	struct tvm vm;
	pthread_t t;
	double end;

	ASSERT_EQ(0, tvm_create(&vm, MEM_16M, 1, 0));
	ASSERT_EQ(0, tvcpu_create(&vm, &vcpu, 0));
	tvm_load(&vm, 0x1000, race_guest_start, SNIPPET_LEN(race_guest));
	ASSERT_EQ(0, tvcpu_set_real_mode(&vcpu, 0x1000));
	ASSERT_EQ(0, ioctl(vcpu.fd, KHYP_GET_SREGS, &r.sregs));
	r.vcpu = &vcpu;
	ASSERT_EQ(0, pthread_create(&t, NULL, regs_writer, &r));
	end = now_sec() + 15;
	while (now_sec() < end && !r.error) {
		if (ioctl(vcpu.fd, KHYP_VCPU_START)) {
			EXPECT_EQ(EBUSY, errno);
			continue;
		}
		ASSERT_EQ(0, ioctl(vcpu.fd, KHYP_VCPU_STOP));
		ASSERT_EQ(0, tvcpu_state(&vcpu, &st));
		runs++;
		if (st.last_exit.reason != KHYP_EXIT_IO)
			continue;
		if (st.last_exit.io.port == TEST_PORT_DONE) {
			consistent++;
		} else {
			mixed++;
			TH_LOG("guest saw mixed %s (report %#llx)",
			       st.last_exit.io.data == RACE_GPRS_MIXED ?
			       "GPRs" : "segments",
			       (unsigned long long)st.last_exit.io.data);
		}
	}
	r.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%ld starts, %ld consistent runs, %ld mixed; %ld SET_REGS, %ld SET_SREGS",
	       runs, consistent, mixed, r.regs_set, r.sregs_set);
	EXPECT_EQ(0, r.error);
	EXPECT_EQ(0, mixed);
	EXPECT_LT(0, consistent);
	EXPECT_LT(0, r.regs_set);
	EXPECT_LT(0, r.sregs_set);
	close(vcpu.fd);
	tvm_destroy(&vm);
}

/*
 * vCPU 0 sends INIT, NMI and STARTUP to every other APIC ID and to all
 * but itself while the host creates the vCPUs with those IDs, over and
 * over: a vCPU reachable before it is fully built oopses the host.
 */
TEST(ipi_storm_while_vcpus_are_created)
{
	const unsigned int max = 4, rounds = 4;
	struct khyp_vcpu_stats before, after;
	unsigned int round, i;

	for (round = 0; round < rounds; round++) {
		struct tvcpu v[4];
		struct tvm vm;
		double end;

		ASSERT_EQ(0, tvm_create(&vm, MEM_16M, max, KHYP_VM_PLATFORM));
		ASSERT_EQ(0, tvcpu_create(&vm, &v[0], 0));
		tvm_load(&vm, TEST_GUEST_BASE, ipi_storm_guest_start,
			 SNIPPET_LEN(ipi_storm_guest));
		ASSERT_EQ(0, tvcpu_set_long_mode(&v[0], TEST_GUEST_BASE));
		ASSERT_EQ(0, tvcpu_set_arg(&v[0], max));
		ASSERT_EQ(0, ioctl(v[0].fd, KHYP_VCPU_START));
		/* Storming: a hundred LAPIC writes done. */
		end = now_sec() + 10;
		do {
			ASSERT_EQ(0, tvcpu_stats(&v[0], &before));
		} while (before.count[KHYP_STAT_MMIO] < 100 &&
			 now_sec() < end);
		ASSERT_LE(100, before.count[KHYP_STAT_MMIO]);
		for (i = 1; i < max; i++)
			ASSERT_EQ(0, tvcpu_create(&vm, &v[i], i));
		/*
		 * Still storming, now at every vCPU.  (Single-threaded TCG
		 * may not have run vCPU 0 at all while the host created
		 * them: hence a poll, not one look.)
		 */
		end = now_sec() + 10;
		do {
			ASSERT_EQ(0, tvcpu_stats(&v[0], &after));
		} while (after.count[KHYP_STAT_MMIO] <
			 before.count[KHYP_STAT_MMIO] + 100 && now_sec() < end);
		EXPECT_LE(before.count[KHYP_STAT_MMIO] + 100,
			  after.count[KHYP_STAT_MMIO]);
		for (i = 0; i < max; i++)
			close(v[i].fd);
		tvm_destroy(&vm);
	}
}

TEST_HARNESS_MAIN
