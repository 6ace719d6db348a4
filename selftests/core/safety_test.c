// SPDX-License-Identifier: GPL-2.0
/*
 * khyp host-safety selftests: what a hostile guest or a careless VMM
 * must not do to the host.
 *
 *  - every allocation and creation step of a VM and a vCPU failed in turn
 *    (debugfs fail_nth): a precise errno, and nothing left behind;
 *  - a guest storming INIT, NMI and STARTUP at vCPUs being created;
 *  - SET_REGS/SET_SREGS racing START from another thread: the guest
 *    never runs on a half-written register set;
 *  - SET_SREGS held mid-write (khyp_park.ko) while RUN comes in: RUN
 *    waits, and the guest starts from what was written;
 *  - a guest (intercept_guest.c) trying WBINVD, RDPMC, the debug
 *    registers, TSC_AUX and invalid EFER/CR0/CR4/CR3 writes, and
 *    SET_SREGS with what VMRUN would refuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include "kselftest_harness.h"
#include "khyp_test.h"
#include "safety_guest.h"

GUEST_SNIPPET(ipi_storm_guest);
GUEST_SNIPPET(race_guest);
GUEST_SNIPPET(es_report_guest);
GUEST_SNIPPET(intercept_guest);

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
 * The race window opened on purpose: selftests/kmod/khyp_park.ko holds a
 * task of ours at a khyp function's entry until we let it go.  It does
 * so in any version of the module that has the function, so these tests
 * fail on the code before the fix.
 */
#define PARK_DIR	"/sys/kernel/debug/khyp_park/0/"

static int park_write(const char *file, long val)
{
	char path[128], buf[24];
	int fd, len, r;

	snprintf(path, sizeof(path), PARK_DIR "%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", val);
	r = write(fd, buf, len) == len ? 0 : -errno;
	close(fd);
	return r;
}

static long park_read(const char *file)
{
	char path[128], buf[24] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARK_DIR "%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static void park_unload(void)
{
	syscall(SYS_delete_module, "khyp_park", O_NONBLOCK);
}

/* 0, or -errno; $KHYP_PARK_MODULE, or selftests/kmod beside our bin/. */
static int park_load(const char *symbol)
{
	char path[PATH_MAX], params[128];
	const char *env = getenv("KHYP_PARK_MODULE");
	ssize_t n;
	int fd, r;

	if (env) {
		snprintf(path, sizeof(path), "%s", env);
	} else {
		n = readlink("/proc/self/exe", path, sizeof(path) - 32);
		if (n < 0)
			return -errno;
		path[n] = 0;
		*strrchr(path, '/') = 0;
		strcat(path, "/../kmod/khyp_park.ko");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	park_unload();
	snprintf(params, sizeof(params), "symbols=%s", symbol);
	r = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return r;
}

/* Until a task is parked, up to @ms. */
static bool park_wait_parked(int ms)
{
	double end = now_sec() + ms / 1000.0;

	while (park_read("parked") != 1) {
		if (now_sec() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* Whether thread @tid sleeps inside an ioctl(2). */
static bool blocked_in_ioctl(pid_t tid)
{
	char path[64], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return !strncmp(buf, "16 ", 3);	/* __NR_ioctl on x86-64 */
}

struct parked_call {
	int fd;
	unsigned long cmd;
	void *arg;
	int ret, err;
	pid_t tid;
	volatile int done;
};

static void *parked_call_thread(void *arg)
{
	struct parked_call *c = arg;

	c->tid = syscall(SYS_gettid);
	c->ret = ioctl(c->fd, c->cmd, c->arg);
	c->err = c->ret ? errno : 0;
	c->done = 1;
	return NULL;
}

/*
 * SET_SREGS held inside the backend's write (svm_set_sregs), after its
 * check that the vCPU is stopped, while RUN comes in from another
 * thread.  The write returned 0, so the run must start from it: RUN
 * waits for the write, and the guest reports the new ES.  (Before the
 * fix, RUN went ahead and the guest ran on the old ES while the write
 * still went on, into a running vCPU.)
 */
TEST(run_waits_for_a_register_write_in_flight)
{
	struct parked_call set = {}, run = {};
	struct khyp_sregs old, new;
	struct khyp_exit exit = {};
	pthread_t ts, tr;
	struct tvcpu vcpu;
	struct tvm vm;
	double end;
	int r;

	ASSERT_EQ(0, tvm_create(&vm, MEM_16M, 1, 0));
	ASSERT_EQ(0, tvcpu_create(&vm, &vcpu, 0));
	tvm_load(&vm, 0x1000, es_report_guest_start,
		 SNIPPET_LEN(es_report_guest));
	ASSERT_EQ(0, tvcpu_set_real_mode(&vcpu, 0x1000));
	ASSERT_EQ(0, ioctl(vcpu.fd, KHYP_GET_SREGS, &old));
	old.es.selector = 0x100;
	old.es.base = 0x1000;
	ASSERT_EQ(0, ioctl(vcpu.fd, KHYP_SET_SREGS, &old));
	new = old;
	new.es.selector = 0x200;
	new.es.base = 0x2000;

	r = park_load("svm_set_sregs");
	if (r == -EOPNOTSUPP || r == -ENOENT) {
		close(vcpu.fd);
		tvm_destroy(&vm);
		/* A kernel without kprobes (the debug test host's), or unbuilt. */
		SKIP(return, "khyp_park.ko: %s", strerror(-r));
	}
	ASSERT_EQ(0, r) TH_LOG("khyp_park.ko: %s", strerror(-r));
	ASSERT_EQ(0, park_write("arm", getpid()));
	set = (struct parked_call){ .fd = vcpu.fd, .cmd = KHYP_SET_SREGS,
				    .arg = &new };
	ASSERT_EQ(0, pthread_create(&ts, NULL, parked_call_thread, &set));
	EXPECT_TRUE(park_wait_parked(10000));

	run = (struct parked_call){ .fd = vcpu.fd, .cmd = KHYP_VCPU_RUN,
				    .arg = &exit };
	ASSERT_EQ(0, pthread_create(&tr, NULL, parked_call_thread, &run));
	/* RUN asleep in the kernel: then give it a second to (wrongly) run. */
	end = now_sec() + 10;
	while (!run.done && !(run.tid && blocked_in_ioctl(run.tid)) &&
	       now_sec() < end)
		usleep(1000);
	end = now_sec() + 1;
	while (!run.done && now_sec() < end)
		usleep(1000);
	TH_LOG("RUN %s while SET_SREGS was held",
	       run.done ? "returned" : "waited");
	ASSERT_EQ(0, park_write("release", 1));
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	EXPECT_EQ(0, park_read("timeouts"));
	park_unload();

	EXPECT_EQ(0, set.ret) TH_LOG("SET_SREGS: %s", strerror(set.err));
	ASSERT_EQ(0, run.ret) TH_LOG("RUN: %s", strerror(run.err));
	ASSERT_EQ(KHYP_EXIT_IO, exit.reason);
	EXPECT_EQ(TEST_PORT_REPORT, exit.io.port);
	EXPECT_EQ(0x200, exit.io.data)
		TH_LOG("the guest ran on ES %#x, not the 0x200 just written",
		       exit.io.data);
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

/* intercept_guest.c on a bare VM, its vCPU thread on host CPU @cpu. */
struct ic_guest {
	struct tvm vm;
	struct tvcpu vcpu;
	struct ucall uc;
};

static void ic_start(struct __test_metadata *_metadata, struct ic_guest *g,
		     uint64_t which, int cpu)
{
	struct khyp_vcpu_state st;
	cpu_set_t set;

	ASSERT_EQ(0, tvm_create(&g->vm, MEM_16M, 1, 0));
	ASSERT_EQ(0, tvcpu_create(&g->vm, &g->vcpu, 0));
	tvm_load(&g->vm, TEST_GUEST_BASE, intercept_guest_start,
		 SNIPPET_LEN(intercept_guest));
	ASSERT_EQ(0, tvcpu_set_long_mode(&g->vcpu, TEST_GUEST_BASE));
	ASSERT_EQ(0, tvcpu_set_arg(&g->vcpu, which));
	ASSERT_EQ(0, tvcpu_state(&g->vcpu, &st));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(st.host_tid, sizeof(set), &set));
}

static void ic_end(struct ic_guest *g)
{
	close(g->vcpu.fd);
	tvm_destroy(&g->vm);
}

/* The last CPU: not CPU 0, whose TSC_AUX (its number) is 0 too. */
static int ic_cpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 1 ? n - 1 : 0;
}

/* Case @which run to its end: the vCPU's exit counters in @st. */
static void ic_run_stats(struct __test_metadata *_metadata, uint64_t which,
			 struct khyp_vcpu_stats *st)
{
	struct ic_guest g;

	ic_start(_metadata, &g, which, ic_cpu());
	ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	ASSERT_EQ(0, tvcpu_stats(&g.vcpu, st));
	ic_end(&g);
}

/* WBINVD and WBNOINVD return at once, each counted as an exit. */
TEST(guest_wbinvd_is_a_counted_no_op)
{
	struct khyp_vcpu_stats st;

	ic_run_stats(_metadata, IC_WBINVD, &st);
	EXPECT_EQ(2 * IC_LOOPS, st.count[KHYP_STAT_WBINVD]);
}

/* No PMU: CPUID says so, and RDPMC gets #GP, as with KVM's PMU off. */
TEST(guest_rdpmc_gets_gp)
{
	struct ic_guest g;

	ic_start(_metadata, &g, IC_RDPMC, ic_cpu());
	ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	ic_end(&g);
}

static uint64_t bp_targets[4];	/* never written: the host's breakpoints */

/* A write breakpoint on @addr for every task on @cpu: it is in DRn there. */
static int host_breakpoint(int cpu, void *addr)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W, .bp_addr = (uintptr_t)addr,
		.bp_len = HW_BREAKPOINT_LEN_8, .sample_period = 1,
		.exclude_kernel = 1,
	};

	return syscall(SYS_perf_event_open, &a, -1, cpu, -1, 0);
}

/*
 * A guest reads its own debug registers: neither what another VM wrote
 * on the same host CPU before it nor the host's breakpoints there.  The
 * writer reads its own back after exits.
 */
TEST(guest_debug_registers_are_its_own)
{
	int cpu = ic_cpu(), fd[4], i, nbp = 0;
	struct ic_guest w, r;

	ic_start(_metadata, &w, IC_DR_WRITE, cpu);
	ASSERT_UCALL(UCALL_SYNC, &w.vcpu, &w.uc);
	ASSERT_UCALL(UCALL_DONE, &w.vcpu, &w.uc);
	for (i = 0; i < 4; i++) {
		fd[i] = host_breakpoint(cpu, &bp_targets[i]);
		nbp += fd[i] >= 0;
	}
	TH_LOG("%d host breakpoints on CPU %d%s", nbp, cpu,
	       nbp ? "" : " (perf_event_open failed)");
	ic_start(_metadata, &r, IC_DR_READ, cpu);
	for (i = 0; i < 2; i++) {
		ASSERT_UCALL(UCALL_SYNC, &r.vcpu, &r.uc);
		EXPECT_EQ(0, r.uc.args[0]) TH_LOG("DR%d", 2 * i);
		EXPECT_EQ(0, r.uc.args[1]) TH_LOG("DR%d", 2 * i + 1);
	}
	ASSERT_UCALL(UCALL_SYNC, &r.vcpu, &r.uc);
	EXPECT_EQ(0xffff0ff0, r.uc.args[0]);	/* DR6 after reset */
	EXPECT_EQ(0x400, r.uc.args[1]);		/* DR7 after reset */
	ASSERT_UCALL(UCALL_DONE, &r.vcpu, &r.uc);
	for (i = 0; i < 4; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	ic_end(&r);
	ic_end(&w);
}

static int host_cpu_flag(const char *flag)
{
	char line[4096], word[64];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	if (!f)
		return -1;
	snprintf(word, sizeof(word), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, "flags", 5))
			continue;
		p = strstr(line, word);
		found = p && (p[strlen(word)] == ' ' || p[strlen(word)] == '\n');
		break;
	}
	fclose(f);
	return found;
}

/*
 * RDTSCP (and RDPID where the host has it) read the guest's TSC_AUX,
 * not the number of the host CPU the vCPU runs on.
 */
TEST(guest_tsc_aux_is_its_own)
{
	int rdtscp = host_cpu_flag("rdtscp"), rdpid = host_cpu_flag("rdpid");
	struct ic_guest g;

	ASSERT_LE(0, rdtscp);
	ic_start(_metadata, &g, IC_TSC_AUX, ic_cpu());
	ASSERT_UCALL(UCALL_SYNC, &g.vcpu, &g.uc);
	EXPECT_EQ(rdtscp, g.uc.args[0]) TH_LOG("CPUID offers RDTSCP");
	EXPECT_EQ(rdpid, g.uc.args[1]) TH_LOG("CPUID offers RDPID");
	if (!rdpid)
		TH_LOG("the host has no RDPID: only RDTSCP tried");
	if (g.uc.args[0] || g.uc.args[1])
		ASSERT_UCALL(UCALL_SYNC, &g.vcpu, &g.uc);
	ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	ic_end(&g);
}

/* IA32_TSC_ADJUST per the SDM, kept while the vCPU is out (its thread). */
TEST(guest_tsc_adjust)
{
	struct ic_guest g;

	ic_start(_metadata, &g, IC_TSC_ADJUST, ic_cpu());
	ASSERT_UCALL(UCALL_SYNC, &g.vcpu, &g.uc);
	ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	ic_end(&g);
}

/*
 * VMMCALL is khyp's hypercall: it completes, RAX = -KVM_ENOSYS, counted
 * (the guest makes 7); at the canonical edge the next fetch gets #GP.
 */
TEST(guest_vmmcall_returns_enosys)
{
	struct khyp_vcpu_stats st;

	ic_run_stats(_metadata, IC_VMMCALL, &st);
	EXPECT_EQ(7, st.count[KHYP_STAT_VMMCALL]);
	EXPECT_EQ(0, st.count[KHYP_STAT_UD_INJECTED]);
}

static const char *const ic_cr_steps[IC_CR_STEPS] = {
	[IC_CR_EFER_RESERVED] = "EFER reserved bit",
	[IC_CR_EFER_SVME] = "EFER.SVME",
	[IC_CR_EFER_LME_OFF] = "EFER.LME off with paging",
	[IC_CR_CR4_PAE_OFF] = "CR4.PAE off in long mode",
	[IC_CR_CR4_RESERVED] = "CR4 reserved bit",
	[IC_CR_CR0_PG_OFF] = "CR0.PG off in 64-bit mode",
	[IC_CR_CR0_PE_OFF] = "CR0.PG without PE",
	[IC_CR_CR0_NW] = "CR0.NW without CD",
	[IC_CR_CR0_HIGH] = "CR0 bit 32",
};

/* What the vCPU stopped on instead of a ucall, for the log. */
static void ic_log_stop(struct __test_metadata *_metadata, struct ic_guest *g)
{
	struct khyp_vcpu_state st;

	ASSERT_EQ(0, tvcpu_state(&g->vcpu, &st));
	TH_LOG("vCPU state %u, exit reason %u, exit code %#llx", st.state,
	       st.last_exit.reason,
	       (unsigned long long)st.last_exit.internal.exit_code);
}

/* Invalid EFER, CR0 and CR4 writes get #GP and change nothing. */
TEST(guest_invalid_control_register_writes_get_gp)
{
	const char *th = getenv("KHYP_TESTHOST");
	bool tcg = th && !strcmp(th, "qemu");
	struct ic_guest g;
	int step, cmd;

	ic_start(_metadata, &g, IC_CONTROL_REGS, ic_cpu());
	for (step = 0; step < IC_CR_STEPS; step++) {
		cmd = tvcpu_ucall(&g.vcpu, &g.uc);
		if (cmd != UCALL_SYNC) {
			TH_LOG("%s: no #GP reported (ucall %d)",
			       ic_cr_steps[step], cmd);
			ic_log_stop(_metadata, &g);
			ASSERT_EQ(UCALL_SYNC, cmd);
		}
		EXPECT_EQ(step, g.uc.args[0]);
		/*
		 * QEMU's emulated SVM drops CR0 bits 63:32 without an exit
		 * (the guest checks that CR0 stayed as it was).
		 */
		if (step == IC_CR_CR0_HIGH && g.uc.args[1] == IC_NO_FAULT &&
		    tcg) {
			TH_LOG("%s: ignored, no #GP (QEMU's emulated SVM)",
			       ic_cr_steps[step]);
			continue;
		}
		EXPECT_EQ(13, g.uc.args[1]) TH_LOG("%s", ic_cr_steps[step]);
	}
	ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	ic_end(&g);
}

/*
 * A fault pushes RFLAGS with RF set (the SDM's "fault" class), whether
 * the CPU delivers it (ud2; khyp reflects #UD, since QEMU's emulated SVM
 * leaves RF out) or khyp injects it (#GP for CR4, #UD for VMLOAD).
 * kvm-unit-tests' idt_test checks the first two.
 */
TEST(guest_faults_push_rf)
{
	static const char *const what[IC_RF_STEPS] = {
		[IC_RF_UD2] = "ud2", [IC_RF_CR4] = "CR4 reserved bit",
		[IC_RF_VMLOAD] = "VMLOAD",
	};
	static const uint64_t vector[IC_RF_STEPS] = {
		[IC_RF_UD2] = 6, [IC_RF_CR4] = 13, [IC_RF_VMLOAD] = 6,
	};
	struct ic_guest g;
	int step;

	ic_start(_metadata, &g, IC_FAULT_RF, ic_cpu());
	for (step = 0; step < IC_RF_STEPS; step++) {
		ASSERT_UCALL(UCALL_SYNC, &g.vcpu, &g.uc);
		EXPECT_EQ(vector[step], g.uc.args[0]) TH_LOG("%s", what[step]);
		EXPECT_EQ(1, g.uc.args[1]) TH_LOG("%s: RF pushed", what[step]);
	}
	ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	ic_end(&g);
}

/*
 * CR3 writes are not intercepted: the CPU checks them.  Hardware gives
 * #GP for bits above the physical address width; QEMU's emulated SVM
 * fails the guest's state with VMEXIT_INVALID instead, which must stop
 * the vCPU for good with KHYP_EXIT_FAIL_ENTRY, no oops, no loop.
 */
TEST(guest_cr3_reserved_bits_gp_or_failed_entry)
{
	struct khyp_vm_state vs;
	struct khyp_vcpu_state st;
	struct khyp_exit e = {};
	struct ic_guest g;
	int cmd;

	ic_start(_metadata, &g, IC_CR3_RESERVED, ic_cpu());
	cmd = tvcpu_ucall(&g.vcpu, &g.uc);
	if (cmd == UCALL_SYNC) {
		EXPECT_EQ(13, g.uc.args[1]);
		ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	} else {
		ASSERT_EQ(UCALL_NONE, cmd);
		ASSERT_EQ(0, tvcpu_state(&g.vcpu, &st));
		EXPECT_EQ(KHYP_VCPU_STATE_DEAD, st.state);
		EXPECT_EQ(KHYP_EXIT_FAIL_ENTRY, st.last_exit.reason);
		ASSERT_EQ(0, ioctl(g.vm.fd, KHYP_GET_VM_STATE, &vs));
		EXPECT_EQ(KHYP_VM_SHUTDOWN, vs.state);
		/* Dead stays dead: running again does not re-enter. */
		tvcpu_run(&g.vcpu, &e);
		ASSERT_EQ(0, tvcpu_state(&g.vcpu, &st));
		EXPECT_EQ(KHYP_VCPU_STATE_DEAD, st.state);
		TH_LOG("VMEXIT_INVALID (the emulator's answer), vCPU dead");
	}
	ic_end(&g);
}

/*
 * SET_SREGS refuses what VMRUN's consistency checks would refuse, so no
 * register set from userspace ends in a failed entry; the vCPU runs on
 * its last valid set afterwards.
 */
TEST(set_sregs_refuses_invalid_control_registers)
{
	struct khyp_sregs s, bad;
	struct ic_guest g;
	unsigned int i;
	struct {
		const char *what;
		uint64_t cr0_set, cr0_clear, cr4_clear, efer_clear;
		uint32_t cs_set;
	} cases[] = {
		{ "LME and PG without PAE", .cr4_clear = 0x20,
		  .efer_clear = 0x400 },
		{ "LME and PG without LMA", .efer_clear = 0x400 },
		{ "CR0.NW without CD", .cr0_set = 1ULL << 29,
		  .cr0_clear = 1ULL << 30 },
		{ "64-bit CS with D set", .cs_set = KHYP_SEG_DB },
	};

	ic_start(_metadata, &g, IC_RDPMC, ic_cpu());
	ASSERT_EQ(0, ioctl(g.vcpu.fd, KHYP_GET_SREGS, &s));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bad = s;
		bad.cr0 = (bad.cr0 | cases[i].cr0_set) & ~cases[i].cr0_clear;
		bad.cr4 &= ~cases[i].cr4_clear;
		bad.efer &= ~cases[i].efer_clear;
		bad.cs.attrib |= cases[i].cs_set;
		EXPECT_EQ(-1, ioctl(g.vcpu.fd, KHYP_SET_SREGS, &bad))
			TH_LOG("%s", cases[i].what);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", cases[i].what);
	}
	ASSERT_EQ(0, ioctl(g.vcpu.fd, KHYP_SET_SREGS, &s));
	ASSERT_UCALL(UCALL_DONE, &g.vcpu, &g.uc);
	ic_end(&g);
}

TEST_HARNESS_MAIN
