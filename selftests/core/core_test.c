// SPDX-License-Identifier: GPL-2.0
/*
 * khyp core selftests: every exit kind, the ioctl ABI and its refusals,
 * memory seen the same from guest and host, FPU state under contention,
 * several VMs and many vCPUs, and teardown in any order.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cpuid.h>
#include <linux/khyp_platform.h>
#include "kselftest_harness.h"
#include "khyp_test.h"
#include "lm_guest.h"

GUEST_SNIPPET(rm_cpuid);
GUEST_SNIPPET(rm_io);
GUEST_SNIPPET(rm_msr);
GUEST_SNIPPET(rm_hlt);
GUEST_SNIPPET(rm_int3);
GUEST_SNIPPET(rm_ud);
GUEST_SNIPPET(rm_invd);
GUEST_SNIPPET(rm_vmmcall);
GUEST_SNIPPET(rm_pit);
GUEST_SNIPPET(rm_xsetbv);
GUEST_SNIPPET(rm_cpuid_loop);
GUEST_SNIPPET(rm_spin);
GUEST_SNIPPET(rm_mem);
GUEST_SNIPPET(rm_marker_loop);
GUEST_SNIPPET(lm_mmio);
GUEST_SNIPPET(lm_sse);
GUEST_SNIPPET(lm_guest);

#define MEM_4M	(4ULL << 20)
#define CODE	0x1000

#define LOAD(vm, name) tvm_load(vm, CODE, name##_start, SNIPPET_LEN(name))

/*
 * Run until the next exit, answering the previous one with @e's data;
 * expect an OUT to the report port and return its value.
 */
static uint32_t answer_and_report(struct __test_metadata *_metadata,
				  struct tvcpu *vcpu, struct khyp_exit *answer)
{
	struct khyp_exit e = *answer;

	if (tvcpu_run(vcpu, &e)) {
		TH_LOG("RUN failed: %s", strerror(errno));
		return 0xffffffff;
	}
	EXPECT_EQ(KHYP_EXIT_IO, e.reason);
	EXPECT_EQ(TEST_PORT_REPORT, e.io.port);
	EXPECT_TRUE(e.io.is_write);
	return e.io.data;
}

static uint32_t expect_report(struct __test_metadata *_metadata,
			      struct tvcpu *vcpu)
{
	struct khyp_exit none = {};

	return answer_and_report(_metadata, vcpu, &none);
}

static void expect_done(struct __test_metadata *_metadata, struct tvcpu *vcpu)
{
	struct khyp_exit e = {};

	ASSERT_EQ(0, tvcpu_run(vcpu, &e));
	EXPECT_EQ(KHYP_EXIT_IO, e.reason);
	EXPECT_EQ(TEST_PORT_DONE, e.io.port);
}

FIXTURE(vm) {
	struct tvm vm;
	struct tvcpu vcpu;
};

FIXTURE_SETUP(vm)
{
	ASSERT_EQ(0, tvm_create(&self->vm, MEM_4M, 4, 0));
	ASSERT_EQ(0, tvcpu_create(&self->vm, &self->vcpu, 0));
	ASSERT_EQ(0, tvcpu_set_real_mode(&self->vcpu, CODE));
}

FIXTURE_TEARDOWN(vm)
{
	close(self->vcpu.fd);
	tvm_destroy(&self->vm);
}

TEST(api_version)
{
	int dev = khyp_open();

	ASSERT_LE(0, dev);
	EXPECT_EQ(KHYP_API_VERSION, ioctl(dev, KHYP_GET_API_VERSION, 0));
	EXPECT_EQ(-1, ioctl(dev, KHYP_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(dev, _IO(KHYPIO, 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(dev);
}

TEST_F(vm, cpuid_exit)
{
	unsigned int a, b, c, d;
	uint32_t v;

	LOAD(&self->vm, rm_cpuid);
	__cpuid(0, a, b, c, d);
	EXPECT_EQ(b, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(d, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(c, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(0x7079684b, expect_report(_metadata, &self->vcpu));
	v = expect_report(_metadata, &self->vcpu);
	EXPECT_EQ(0, v >> 24);		/* APIC ID of vCPU 0 */
	expect_done(_metadata, &self->vcpu);
}

/*
 * events/khyp/khyp_exit records every exit with its kind and detail: the
 * CPUID guest's CPUID exits and its OUTs to the report port.
 */
TEST_F(vm, exits_reach_the_khyp_exit_tracepoint)
{
	struct khyp_vm_info info;
	char want[128];
	char *trace;

	ASSERT_EQ(0, ioctl(self->vm.fd, KHYP_GET_VM_INFO, &info));
	ASSERT_EQ(0, tracefs_mount());
	ASSERT_EQ(0, tracefs_write("events/khyp/khyp_exit/enable", "1"));
	ASSERT_EQ(0, tracefs_write("trace", ""));

	LOAD(&self->vm, rm_cpuid);
	expect_report(_metadata, &self->vcpu);
	tracefs_write("events/khyp/khyp_exit/enable", "0");

	trace = tracefs_read_trace();
	ASSERT_NE(NULL, trace);
	snprintf(want, sizeof(want), "khyp_exit: vm %u vcpu 0 cpuid detail 0x0",
		 info.id);
	EXPECT_NE(NULL, strstr(trace, want)) TH_LOG("no \"%s\" in:\n%.2000s",
						    want, trace);
	snprintf(want, sizeof(want),
		 "khyp_exit: vm %u vcpu 0 io write detail 0x%x", info.id,
		 TEST_PORT_REPORT);
	EXPECT_NE(NULL, strstr(trace, want)) TH_LOG("no \"%s\" in:\n%.2000s",
						    want, trace);
	free(trace);
	tracefs_write("trace", "");
}

TEST_F(vm, cpuid_table_and_apic_id)
{
	struct khyp_cpuid_entry ent = { .function = 0, .eax = 1,
					.ebx = 0x11111111, .ecx = 0x33333333,
					.edx = 0x22222222 };
	struct {
		struct khyp_cpuid hdr;
		struct khyp_cpuid_entry e[2];
	} t = { .hdr.nent = 1, .e[0] = ent };
	struct tvcpu v7;

	/* The table is frozen once a vCPU exists. */
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_SET_CPUID, &t));
	EXPECT_EQ(EBUSY, errno);
	close(self->vcpu.fd);
	tvm_destroy(&self->vm);

	ASSERT_EQ(0, tvm_create(&self->vm, MEM_4M, 8, 0));
	t.hdr.nent = 2;
	t.e[1] = ent;		/* duplicate leaf */
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_SET_CPUID, &t));
	EXPECT_EQ(EINVAL, errno);
	t.e[1].function = 1;
	t.e[1].ebx = 0;
	t.e[1].reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_SET_CPUID, &t));
	EXPECT_EQ(EINVAL, errno);
	t.e[1].reserved[0] = 0;
	t.hdr.nent = KHYP_MAX_CPUID_ENTRIES + 1;
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_SET_CPUID, &t));
	EXPECT_EQ(E2BIG, errno);
	t.hdr.nent = 2;
	ASSERT_EQ(0, ioctl(self->vm.fd, KHYP_SET_CPUID, &t));
	t.hdr.nent = 1;
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_GET_CPUID, &t));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(2, t.hdr.nent);
	ASSERT_EQ(0, ioctl(self->vm.fd, KHYP_GET_CPUID, &t));
	EXPECT_EQ(0x11111111, t.e[0].ebx);

	ASSERT_EQ(0, tvcpu_create(&self->vm, &v7, 7));
	ASSERT_EQ(0, tvcpu_set_real_mode(&v7, CODE));
	LOAD(&self->vm, rm_cpuid);
	EXPECT_EQ(0x11111111, expect_report(_metadata, &v7));
	EXPECT_EQ(0x22222222, expect_report(_metadata, &v7));
	EXPECT_EQ(0x33333333, expect_report(_metadata, &v7));
	EXPECT_EQ(0, expect_report(_metadata, &v7));	/* not in table */
	EXPECT_EQ(7, expect_report(_metadata, &v7) >> 24);
	expect_done(_metadata, &v7);
	close(v7.fd);
	ASSERT_EQ(0, tvcpu_create(&self->vm, &self->vcpu, 0));
}

/* rm_io's exchange: port reads answered from userspace, writes seen. */
static void rm_io_exchange(struct __test_metadata *_metadata,
			   struct tvcpu *vcpu)
{
	struct khyp_exit e = {};

	ASSERT_EQ(0, tvcpu_run(vcpu, &e));
	ASSERT_EQ(KHYP_EXIT_IO, e.reason);
	EXPECT_EQ(0x12, e.io.port);
	EXPECT_EQ(4, e.io.size);
	EXPECT_FALSE(e.io.is_write);
	e.io.data = 41;
	EXPECT_EQ(42, answer_and_report(_metadata, vcpu, &e));
	ASSERT_EQ(0, tvcpu_run(vcpu, &e));
	EXPECT_EQ(0x1234, e.io.port);
	EXPECT_EQ(2, e.io.size);
	e.io.data = 0xabcd;
	EXPECT_EQ(0xabcd, answer_and_report(_metadata, vcpu, &e) &
			  0xffff);
	ASSERT_EQ(0, tvcpu_run(vcpu, &e));
	EXPECT_EQ(0x13, e.io.port);
	EXPECT_EQ(1, e.io.size);
	e.io.data = 0x1ee;	/* only the low byte counts */
	EXPECT_EQ(0xee, answer_and_report(_metadata, vcpu, &e));
	expect_done(_metadata, vcpu);
}

TEST_F(vm, port_io_in_and_out)
{
	LOAD(&self->vm, rm_io);
	rm_io_exchange(_metadata, &self->vcpu);
}

/*
 * An exit that came while no KHYP_VCPU_RUN waited (here: after
 * KHYP_VCPU_START) is the next RUN's result, not answered unseen.
 */
TEST_F(vm, run_returns_exit_taken_before_it)
{
	struct pollfd pfd = { .fd = self->vcpu.fd, .events = POLLIN };
	struct khyp_vcpu_state st = {};

	LOAD(&self->vm, rm_io);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_VCPU_START));
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_VCPU_GET_STATE, &st));
	ASSERT_EQ(KHYP_VCPU_STATE_USER_EXIT, st.state);
	rm_io_exchange(_metadata, &self->vcpu);
}

/* rm_pit in a platform VM created with @flags: what it reported. */
static void pit_reads(struct __test_metadata *_metadata, uint32_t flags,
		      uint32_t *count, uint32_t *port61)
{
	/* REPORT's OUTs are 4 bytes wide: 0x10-0x13, DONE at 0x11 */
	struct khyp_user_io uio = { .nr = 1, .ranges = {
		{ .base = TEST_PORT_REPORT, .len = 4 } } };
	struct tvm vm;
	struct tvcpu vcpu;

	ASSERT_EQ(0, tvm_create(&vm, MEM_4M, 1, KHYP_VM_PLATFORM | flags));
	ASSERT_EQ(0, ioctl(vm.fd, KHYP_SET_USER_IO, &uio));
	ASSERT_EQ(0, tvcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, tvcpu_set_real_mode(&vcpu, CODE));
	LOAD(&vm, rm_pit);
	*count = expect_report(_metadata, &vcpu);
	*port61 = expect_report(_metadata, &vcpu);
	expect_done(_metadata, &vcpu);
	close(vcpu.fd);
	tvm_destroy(&vm);
}

/*
 * KHYP_VM_NO_PIT (-machine pit=off): no i8254, so ports 0x40-0x43 and
 * 0x61 are empty ISA ports, reading all-ones, as in QEMU without a PIT.
 */
TEST(platform_without_pit)
{
	uint32_t count, port61;
	struct tvm vm;

	pit_reads(_metadata, 0, &count, &port61);
	EXPECT_GE(0x1212, count);		/* counting down */
	EXPECT_NE(0xff, port61);
	pit_reads(_metadata, KHYP_VM_NO_PIT, &count, &port61);
	EXPECT_EQ(0xffff, count);
	EXPECT_EQ(0xff, port61);
	/* Only a platform VM has a PIT to leave out. */
	EXPECT_EQ(-EINVAL, tvm_create(&vm, MEM_4M, 1, KHYP_VM_NO_PIT));
	tvm_destroy(&vm);
}

/* KHYP_SET_USER_IO with @uio but range 1 or the header changed: @err. */
static void expect_user_io_error(struct __test_metadata *_metadata, int fd,
				 struct khyp_user_io uio, int base, int len,
				 int pad, int err)
{
	uio.ranges[1].base = base < 0 ? uio.ranges[1].base : base;
	uio.ranges[1].len = len < 0 ? uio.ranges[1].len : len;
	uio.ranges[1].pad = pad;
	EXPECT_EQ(-1, ioctl(fd, KHYP_SET_USER_IO, &uio));
	EXPECT_EQ(err, errno);
}

/*
 * A platform VM's ports float high unless KHYP_SET_USER_IO hands them to
 * userspace; then they exit as in a bare VM.  KHYP_IRQ_LINE drives a GSI.
 */
TEST(platform_user_io_and_irq_line)
{
	struct khyp_user_io uio = { .nr = 2, .ranges = {
		{ .base = TEST_PORT_REPORT, .len = 8 },	/* 0x10-0x17 */
		{ .base = 0x1234, .len = 2 } } };
	struct khyp_irq_level irq = { .gsi = 14, .level = 1 };
	struct khyp_user_io bad;
	struct tvm vm, busy, bare;
	struct tvcpu vcpu, v2;

	ASSERT_EQ(0, tvm_create(&vm, MEM_4M, 1, KHYP_VM_PLATFORM));
	bad = uio;
	bad.nr = KHYP_MAX_USER_IO + 1;
	expect_user_io_error(_metadata, vm.fd, bad, -1, -1, 0, EINVAL);
	bad = uio;
	bad.pad = 1;
	expect_user_io_error(_metadata, vm.fd, bad, -1, -1, 0, EINVAL);
	expect_user_io_error(_metadata, vm.fd, uio, -1, 0, 0, EINVAL);
	/* past port 0xffff */
	expect_user_io_error(_metadata, vm.fd, uio, 0xffff, -1, 0, EINVAL);
	expect_user_io_error(_metadata, vm.fd, uio, -1, -1, 1, EINVAL);
	/* Overlaps, with each other or a device, undo what was claimed. */
	expect_user_io_error(_metadata, vm.fd, uio, 0x17, 1, 0, EEXIST);
	expect_user_io_error(_metadata, vm.fd, uio, KHYP_UART_PORT + 2, 1, 0,
			     EEXIST);
	EXPECT_EQ(-1, ioctl(vm.fd, KHYP_SET_USER_IO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(vm.fd, KHYP_SET_USER_IO, &uio));
	EXPECT_EQ(-1, ioctl(vm.fd, KHYP_SET_USER_IO, &uio));	/* once */
	EXPECT_EQ(EBUSY, errno);

	irq.gsi = KHYP_IOAPIC_PINS;
	EXPECT_EQ(-1, ioctl(vm.fd, KHYP_IRQ_LINE, &irq));
	EXPECT_EQ(EINVAL, errno);
	irq.gsi = 14;
	irq.level = 2;
	EXPECT_EQ(-1, ioctl(vm.fd, KHYP_IRQ_LINE, &irq));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vm.fd, KHYP_IRQ_LINE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	irq.level = 1;
	EXPECT_EQ(0, ioctl(vm.fd, KHYP_IRQ_LINE, &irq));
	irq.level = 0;
	EXPECT_EQ(0, ioctl(vm.fd, KHYP_IRQ_LINE, &irq));

	ASSERT_EQ(0, tvcpu_create(&vm, &vcpu, 0));
	ASSERT_EQ(0, tvcpu_set_real_mode(&vcpu, CODE));
	LOAD(&vm, rm_io);
	rm_io_exchange(_metadata, &vcpu);
	close(vcpu.fd);
	tvm_destroy(&vm);

	/* Not after the first vCPU; not in a VM without devices. */
	ASSERT_EQ(0, tvm_create(&busy, MEM_4M, 1, KHYP_VM_PLATFORM));
	ASSERT_EQ(0, tvcpu_create(&busy, &v2, 0));
	EXPECT_EQ(-1, ioctl(busy.fd, KHYP_SET_USER_IO, &uio));
	EXPECT_EQ(EBUSY, errno);
	close(v2.fd);
	tvm_destroy(&busy);
	ASSERT_EQ(0, tvm_create(&bare, MEM_4M, 1, 0));
	EXPECT_EQ(-1, ioctl(bare.fd, KHYP_SET_USER_IO, &uio));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(bare.fd, KHYP_IRQ_LINE, &irq));
	EXPECT_EQ(EINVAL, errno);
	tvm_destroy(&bare);
}

TEST_F(vm, mmio_decode_long_mode)
{
	struct khyp_exit e = {};
	struct {
		uint64_t gpa, data;
		int size, write;
	} w[] = {
		{ TEST_MMIO_BASE, 0x12345678, 4, 1 },
		{ TEST_MMIO_BASE + 1, 0xab, 1, 1 },
		{ TEST_MMIO_BASE + 8, 0x1122334455667788ULL, 8, 1 },
		{ TEST_MMIO_BASE + 2, 0xbeef, 2, 1 },
	};
	unsigned int i;

	LOAD(&self->vm, lm_mmio);
	ASSERT_EQ(0, tvcpu_set_long_mode(&self->vcpu, CODE));
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
		ASSERT_EQ(KHYP_EXIT_MMIO, e.reason);
		EXPECT_EQ(w[i].gpa, e.mmio.gpa);
		EXPECT_EQ(w[i].size, e.mmio.size);
		EXPECT_EQ(w[i].write, e.mmio.is_write);
		EXPECT_EQ(w[i].data, e.mmio.data);
	}
	/* mov 0x10(%rbx), %eax */
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	ASSERT_EQ(KHYP_EXIT_MMIO, e.reason);
	EXPECT_EQ(TEST_MMIO_BASE + 0x10, e.mmio.gpa);
	EXPECT_FALSE(e.mmio.is_write);
	e.mmio.data = 0xcafef00d;
	EXPECT_EQ(0xcafef00d, answer_and_report(_metadata, &self->vcpu, &e));
	/* movzbl */
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	EXPECT_EQ(TEST_MMIO_BASE + 0x14, e.mmio.gpa);
	EXPECT_EQ(1, e.mmio.size);
	e.mmio.data = 0x80;
	EXPECT_EQ(0x80, answer_and_report(_metadata, &self->vcpu, &e));
	/* movswq: high half of the sign extension */
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	EXPECT_EQ(2, e.mmio.size);
	e.mmio.data = 0x8001;
	EXPECT_EQ(0xffffffff, answer_and_report(_metadata, &self->vcpu, &e));
	/* movb to %ah */
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	EXPECT_EQ(TEST_MMIO_BASE + 0x20, e.mmio.gpa);
	e.mmio.data = 0x5a;
	EXPECT_EQ(0x11225a44, answer_and_report(_metadata, &self->vcpu, &e));
	/* movabs moffs64 */
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	EXPECT_EQ(TEST_MMIO_BASE + 0x40, e.mmio.gpa);
	EXPECT_EQ(4, e.mmio.size);
	e.mmio.data = 0x600df00d;
	EXPECT_EQ(0x600df00d, answer_and_report(_metadata, &self->vcpu, &e));
	/* SIB with index 0x80 into r11d */
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	EXPECT_EQ(TEST_MMIO_BASE + 0x48 + 0x80, e.mmio.gpa);
	e.mmio.data = 0x77;
	EXPECT_EQ(0x77, answer_and_report(_metadata, &self->vcpu, &e));
	expect_done(_metadata, &self->vcpu);
}

TEST_F(vm, msr_allowlist_and_gp)
{
	uint32_t tsc_delta;

	LOAD(&self->vm, rm_msr);
	EXPECT_EQ(0x806, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(0x6060, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(0x6060, expect_report(_metadata, &self->vcpu));
	tsc_delta = expect_report(_metadata, &self->vcpu);
	EXPECT_GT(tsc_delta, 0);
	EXPECT_LT(tsc_delta, 0x80000000u);
	EXPECT_EQ(0, expect_report(_metadata, &self->vcpu));	/* K7 PMU */
	expect_done(_metadata, &self->vcpu);
}

TEST_F(vm, hlt_sleeps_until_stopped)
{
	struct khyp_vcpu_state st;
	struct khyp_vcpu_stats stats;
	struct khyp_regs r;

	LOAD(&self->vm, rm_hlt);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_VCPU_START));
	ASSERT_EQ(0, tvcpu_wait_state(&self->vcpu, KHYP_VCPU_STATE_HALTED,
				      10000));
	/* Registers cannot change under a vCPU that may run. */
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KHYP_GET_REGS, &r));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_VCPU_STOP));
	ASSERT_EQ(0, tvcpu_state(&self->vcpu, &st));
	EXPECT_EQ(KHYP_VCPU_STATE_STOPPED, st.state);
	EXPECT_EQ(KHYP_EXIT_STOPPED, st.last_exit.reason);
	EXPECT_GT(st.host_tid, 0);
	ASSERT_EQ(0, tvcpu_get_regs(&self->vcpu, &r));
	EXPECT_EQ(CODE + 1, r.rip);
	ASSERT_EQ(0, tvcpu_stats(&self->vcpu, &stats));
	EXPECT_EQ(1, stats.count[KHYP_STAT_HLT]);
}

TEST_F(vm, triple_fault_stops_vcpu)
{
	struct khyp_sregs s;
	struct khyp_exit e = {};
	struct khyp_vm_state vs;

	LOAD(&self->vm, rm_int3);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_GET_SREGS, &s));
	s.idt.limit = 0;
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_SET_SREGS, &s));
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	EXPECT_EQ(KHYP_EXIT_SHUTDOWN, e.reason);
	ASSERT_EQ(0, ioctl(self->vm.fd, KHYP_GET_VM_STATE, &vs));
	EXPECT_EQ(KHYP_VM_SHUTDOWN, vs.state);
	EXPECT_EQ(0, vs.vcpu);
	/* A dead vCPU stays dead and says why. */
	ASSERT_EQ(0, tvcpu_run(&self->vcpu, &e));
	EXPECT_EQ(KHYP_EXIT_SHUTDOWN, e.reason);
}

TEST_F(vm, svm_instructions_raise_ud)
{
	int i;

	LOAD(&self->vm, rm_ud);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0x0606, expect_report(_metadata, &self->vcpu));
	expect_done(_metadata, &self->vcpu);
}

/*
 * rm_vmmcall with RAX = @nr from the vCPU's current mode: RAX after, and
 * RIP past VMMCALL (3 bytes) and the OUT.
 */
static uint64_t vmmcall(struct __test_metadata *_metadata, struct tvcpu *vcpu,
			uint64_t nr)
{
	struct khyp_vcpu_stats st;
	struct khyp_regs r;

	ASSERT_EQ(0, tvcpu_get_regs(vcpu, &r));
	r.rax = nr;
	ASSERT_EQ(0, ioctl(vcpu->fd, KHYP_SET_REGS, &r));
	expect_done(_metadata, vcpu);
	ASSERT_EQ(0, tvcpu_get_regs(vcpu, &r));
	EXPECT_EQ(CODE + 5, r.rip);
	ASSERT_EQ(0, tvcpu_stats(vcpu, &st));
	EXPECT_EQ(1, st.count[KHYP_STAT_VMMCALL]);
	EXPECT_EQ(0, st.count[KHYP_STAT_UD_INJECTED]);
	return r.rax;
}

/* Every number is -KVM_ENOSYS (-1000); outside 64-bit mode, 32 bits. */
TEST_F(vm, vmmcall_returns_enosys)
{
	LOAD(&self->vm, rm_vmmcall);
	EXPECT_EQ(0xfffffc18, vmmcall(_metadata, &self->vcpu,
				      0x123456789abcdef0ULL));
}

TEST_F(vm, vmmcall_in_64_bit_mode)
{
	LOAD(&self->vm, rm_vmmcall);
	ASSERT_EQ(0, tvcpu_set_long_mode(&self->vcpu, CODE));
	EXPECT_EQ(-1000ULL, vmmcall(_metadata, &self->vcpu, 0));
}

/* At CPL 3 (16-bit protected mode, IOPL 3 for the OUT): -KVM_EPERM. */
TEST_F(vm, vmmcall_at_cpl3_returns_eperm)
{
	struct khyp_sregs s;
	struct khyp_regs r;

	LOAD(&self->vm, rm_vmmcall);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_GET_SREGS, &s));
	s.cr0 |= 1;
	s.cs.attrib = 0xfb;
	s.cs.selector = 0x1b;
	s.ds.attrib = 0xf3;
	s.ds.selector = 0x23;
	s.es = s.fs = s.gs = s.ss = s.ds;
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_SET_SREGS, &s));
	ASSERT_EQ(0, tvcpu_get_regs(&self->vcpu, &r));
	r.rflags |= 0x3000;
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_SET_REGS, &r));
	EXPECT_EQ(0xffffffff, vmmcall(_metadata, &self->vcpu, 0));
}

TEST_F(vm, invd_is_harmless)
{
	LOAD(&self->vm, rm_invd);
	EXPECT_EQ(0x1d, expect_report(_metadata, &self->vcpu));
	expect_done(_metadata, &self->vcpu);
}

TEST_F(vm, xsetbv_validated)
{
	struct khyp_sregs s;

	LOAD(&self->vm, rm_xsetbv);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_GET_SREGS, &s));
	s.cr4 |= 0x40000 | 0x600;	/* OSXSAVE, OSFXSR */
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_SET_SREGS, &s));
	EXPECT_EQ(3, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(7, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(832, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(0x6060, expect_report(_metadata, &self->vcpu));
	EXPECT_EQ(0x6060, expect_report(_metadata, &self->vcpu));
	expect_done(_metadata, &self->vcpu);
	{
		struct khyp_vcpu_stats st;

		ASSERT_EQ(0, tvcpu_stats(&self->vcpu, &st));
		TH_LOG("xsetbv exits: %llu", st.count[KHYP_STAT_XSETBV]);
	}
}

TEST_F(vm, guest_and_host_see_same_memory)
{
	uint32_t v;

	LOAD(&self->vm, rm_mem);
	__atomic_store_n((uint32_t *)(self->vm.mem + 0x3000), 0x5eed1234,
			 __ATOMIC_SEQ_CST);
	EXPECT_EQ(0x5eed1234, expect_report(_metadata, &self->vcpu));
	expect_done(_metadata, &self->vcpu);
	v = __atomic_load_n((uint32_t *)(self->vm.mem + 0x3004),
			    __ATOMIC_SEQ_CST);
	EXPECT_EQ((uint32_t)~0x5eed1234, v);
}

/* A C guest (lm_guest.c) from here on; see Documentation/testing.rst. */
FIXTURE(lm) {
	struct tvm vm;
	struct tvcpu vcpu;
	struct ucall uc;
};

FIXTURE_SETUP(lm)
{
	ASSERT_EQ(0, tvm_create(&self->vm, 64ULL << 20, 1, 0));
	ASSERT_EQ(0, tvcpu_create(&self->vm, &self->vcpu, 0));
	tvm_load(&self->vm, TEST_GUEST_BASE, lm_guest_start,
		 SNIPPET_LEN(lm_guest));
	ASSERT_EQ(0, tvcpu_set_long_mode(&self->vcpu, TEST_GUEST_BASE));
}

FIXTURE_TEARDOWN(lm)
{
	close(self->vcpu.fd);
	tvm_destroy(&self->vm);
}

TEST_F(lm, memory_above_2m_long_mode)
{
	unsigned int a, b, c, d;

	*(uint64_t *)(self->vm.mem + LM_HIGH_MEMORY) = 0x0123456789abcdefULL;
	ASSERT_EQ(0, tvcpu_set_arg(&self->vcpu, LM_CPUID_HIGH_MEMORY));
	__cpuid(0, a, b, c, d);
	ASSERT_UCALL(UCALL_SYNC, &self->vcpu, &self->uc);
	EXPECT_EQ(b, self->uc.args[0]);
	ASSERT_UCALL(UCALL_SYNC, &self->vcpu, &self->uc);
	EXPECT_EQ(0x0123456789abcdefULL, self->uc.args[0]);
	ASSERT_UCALL(UCALL_DONE, &self->vcpu, &self->uc);
}

/* The guest's PRINT and failed assertion reach the host intact. */
TEST_F(lm, ucall_print_and_failed_assert)
{
	struct ucall *uc = &self->uc;

	ASSERT_EQ(0, tvcpu_set_arg(&self->vcpu, LM_FAILED_ASSERT));
	ASSERT_UCALL(UCALL_PRINT, &self->vcpu, uc);
	EXPECT_STREQ(LM_PRINT_TEXT, tvm_str(&self->vm, uc->text));
	ASSERT_UCALL(UCALL_ABORT, &self->vcpu, uc);
	EXPECT_STREQ("which == 0", tvm_str(&self->vm, uc->text));
	EXPECT_STREQ("core/lm_guest.c", tvm_str(&self->vm, uc->file));
	EXPECT_GT(uc->line, 0);
	EXPECT_EQ(LM_FAILED_ASSERT, uc->args[0]);
	EXPECT_EQ(0, uc->args[1]);
}

TEST_F(vm, physical_interrupts_exit_and_return)
{
	struct khyp_vcpu_stats st;
	struct khyp_regs r;

	LOAD(&self->vm, rm_spin);
	ASSERT_EQ(0, tvcpu_get_regs(&self->vcpu, &r));
	r.rsi = 20000000;
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_SET_REGS, &r));
	expect_done(_metadata, &self->vcpu);
	ASSERT_EQ(0, tvcpu_stats(&self->vcpu, &st));
	/* Host timer ticks land while the guest spins. */
	EXPECT_GT(st.count[KHYP_STAT_INTR], 0);
	EXPECT_GT(st.guest_ns, 0);
}

/* Host threads that check their own SSE registers while guests run. */
static int host_sse_stop;

static void *host_sse_checker(void *arg)
{
	long bad = 0;

	while (!__atomic_load_n(&host_sse_stop, __ATOMIC_RELAXED)) {
		double x = 1.0, y = 3.0;
		int i;

		for (i = 0; i < 100000; i++) {
			__asm__ volatile("" : "+x"(x), "+x"(y));
			x = x * 1.0000001 + y - 3.0;
		}
		if (x < 1.0 || x > 1.1)
			bad++;
	}
	return (void *)bad;
}

struct sse_guest {
	struct tvm vm;
	struct tvcpu vcpu;
	uint32_t mismatches;
	int rc;
};

static void *run_sse_guest(void *arg)
{
	struct sse_guest *g = arg;
	struct khyp_exit e = {};
	struct khyp_regs r;

	g->rc = -1;
	if (tvcpu_get_regs(&g->vcpu, &r))
		return NULL;
	r.rsi = 20000;
	if (ioctl(g->vcpu.fd, KHYP_SET_REGS, &r) || tvcpu_run(&g->vcpu, &e))
		return NULL;
	if (e.reason != KHYP_EXIT_IO || e.io.port != TEST_PORT_REPORT)
		return NULL;
	g->mismatches = e.io.data;
	g->rc = 0;
	return NULL;
}

TEST(fpu_state_survives_contention)
{
	struct sse_guest g[4];
	pthread_t ht[2], gt[4];
	void *bad;
	long host_bad = 0;
	int i;

	__atomic_store_n(&host_sse_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_create(&ht[i], NULL, host_sse_checker, NULL);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, tvm_create(&g[i].vm, MEM_4M, 1, 0));
		ASSERT_EQ(0, tvcpu_create(&g[i].vm, &g[i].vcpu, 0));
		tvm_load(&g[i].vm, CODE, lm_sse_start, SNIPPET_LEN(lm_sse));
		ASSERT_EQ(0, tvcpu_set_long_mode(&g[i].vcpu, CODE));
		pthread_create(&gt[i], NULL, run_sse_guest, &g[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(gt[i], NULL);
		EXPECT_EQ(0, g[i].rc);
		EXPECT_EQ(0, g[i].mismatches);
	}
	__atomic_store_n(&host_sse_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++) {
		pthread_join(ht[i], &bad);
		host_bad += (long)bad;
	}
	EXPECT_EQ(0, host_bad);
	for (i = 0; i < 4; i++) {
		close(g[i].vcpu.fd);
		tvm_destroy(&g[i].vm);
	}
}

struct loop_vcpu {
	struct tvcpu vcpu;
	int ok;
};

static void *run_cpuid_loop(void *arg)
{
	struct loop_vcpu *l = arg;
	struct khyp_exit e = {};

	l->ok = !tvcpu_run(&l->vcpu, &e) && e.reason == KHYP_EXIT_IO &&
		e.io.port == TEST_PORT_DONE;
	return NULL;
}

TEST(many_vcpus_one_vm)
{
	enum { N = 64 };
	static struct loop_vcpu l[N];
	pthread_t t[N];
	struct tvm vm;
	struct khyp_vm_info info;
	struct khyp_regs r;
	int i;

	ASSERT_EQ(0, tvm_create(&vm, MEM_4M, N, 0));
	tvm_load(&vm, CODE, rm_cpuid_loop_start, SNIPPET_LEN(rm_cpuid_loop));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, tvcpu_create(&vm, &l[i].vcpu, i));
		ASSERT_EQ(0, tvcpu_set_real_mode(&l[i].vcpu, CODE));
		ASSERT_EQ(0, tvcpu_get_regs(&l[i].vcpu, &r));
		r.rsi = 300;
		ASSERT_EQ(0, ioctl(l[i].vcpu.fd, KHYP_SET_REGS, &r));
	}
	ASSERT_EQ(0, ioctl(vm.fd, KHYP_GET_VM_INFO, &info));
	EXPECT_EQ(N, info.nr_vcpus);
	for (i = 0; i < N; i++)
		pthread_create(&t[i], NULL, run_cpuid_loop, &l[i]);
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		EXPECT_TRUE(l[i].ok);
		close(l[i].vcpu.fd);
	}
	tvm_destroy(&vm);
}

/* Burn CPU 0 until told to stop, so vCPU stretches there are cut short. */
static void *spin_on_cpu0(void *arg)
{
	volatile int *stop = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!*stop)
		;
	return NULL;
}

static int write_param(const char *name, const char *val)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), "/sys/module/khyp/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return r;
}

/*
 * Two VMs' vCPUs share host CPU 0 with a busy task, and only two ASIDs
 * (khyp.max_asids=2), so the ASID space wraps on most switches and many
 * stretches end before their first VMRUN.  Every wrap's TLB flush must
 * still come before the next VMRUN on that CPU, whoever's it is: the
 * module WARNs otherwise (the test host fails on it), and a guest that
 * read the other VM's marker through a stale translation reports it.
 */
TEST(asid_wrap_flush_across_vms)
{
	enum { VMS = 2, PER_VM = 2, N = VMS * PER_VM };
	static struct loop_vcpu l[N];
	struct khyp_vcpu_state st;
	struct khyp_regs r;
	struct tvm vm[VMS];
	pthread_t t[N], spin;
	volatile int stop = 0;
	cpu_set_t set;
	int i;

	if (write_param("max_asids", "2"))
		SKIP(return, "khyp.max_asids is not writable");
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	for (i = 0; i < VMS; i++) {
		ASSERT_EQ(0, tvm_create(&vm[i], MEM_4M, PER_VM, 0));
		tvm_load(&vm[i], CODE, rm_marker_loop_start,
			 SNIPPET_LEN(rm_marker_loop));
		*(uint32_t *)(vm[i].mem + 0x3000) = 0xaaaa0000 + i;
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, tvcpu_create(&vm[i / PER_VM], &l[i].vcpu,
					  i % PER_VM));
		ASSERT_EQ(0, tvcpu_set_real_mode(&l[i].vcpu, CODE));
		ASSERT_EQ(0, tvcpu_get_regs(&l[i].vcpu, &r));
		r.rsi = 20000;
		r.rdi = 0xaaaa0000 + i / PER_VM;
		ASSERT_EQ(0, ioctl(l[i].vcpu.fd, KHYP_SET_REGS, &r));
		ASSERT_EQ(0, tvcpu_state(&l[i].vcpu, &st));
		ASSERT_EQ(0, sched_setaffinity(st.host_tid, sizeof(set), &set));
	}
	pthread_create(&spin, NULL, spin_on_cpu0, (void *)&stop);
	for (i = 0; i < N; i++)
		pthread_create(&t[i], NULL, run_cpuid_loop, &l[i]);
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		EXPECT_TRUE(l[i].ok)
			TH_LOG("vCPU %d: saw another VM's marker", i);
		close(l[i].vcpu.fd);
	}
	stop = 1;
	pthread_join(spin, NULL);
	for (i = 0; i < VMS; i++)
		tvm_destroy(&vm[i]);
	EXPECT_EQ(0, write_param("max_asids", "0"));
}

/* /proc's state letter of a thread and its CPU time (utime + stime). */
static int thread_stat(pid_t tid, char *state, unsigned long long *ticks)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	p = ok ? strrchr(buf, ')') : NULL;
	/* state ppid pgrp session tty tpgid flags 4*faults utime stime */
	if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 state, &ut, &st) != 3)
		return -1;
	*ticks = ut + st;
	return 0;
}

/* halt_poll_ns for one test, the old value back after. */
static char old_poll[32];

static int set_halt_poll(const char *val)
{
	int fd = open("/sys/module/khyp/parameters/halt_poll_ns", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, old_poll, sizeof(old_poll) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	old_poll[n] = '\0';
	return write_param("halt_poll_ns", val);
}

/*
 * Start rm_hlt (HLT with IF=0: only a request ends it) and wait until
 * the vCPU is halted and its thread asleep, which a poll window is not.
 */
static void halt_asleep(struct __test_metadata *_metadata, struct tvcpu *v,
			pid_t *tid)
{
	struct khyp_vcpu_state st;
	unsigned long long ticks;
	char state = '?';
	int i;

	ASSERT_EQ(0, ioctl(v->fd, KHYP_VCPU_START));
	ASSERT_EQ(0, tvcpu_wait_state(v, KHYP_VCPU_STATE_HALTED, 10000));
	ASSERT_EQ(0, tvcpu_state(v, &st));
	*tid = st.host_tid;
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, thread_stat(*tid, &state, &ticks));
		if (state == 'S')
			break;
		usleep(10000);
	}
	ASSERT_EQ('S', state);
}

/*
 * A vCPU polls at its first HLT (a new vCPU's window is the maximum),
 * then sleeps: nothing woke it within the window, and it stays asleep,
 * using no CPU, until a request (STOP) comes.
 */
TEST_F(vm, halt_poll_then_sleeps)
{
	unsigned long long t0, t1, exits;
	struct khyp_vcpu_stats stats;
	char state;
	pid_t tid;

	if (set_halt_poll("200000"))
		SKIP(return, "khyp.halt_poll_ns is not writable");
	LOAD(&self->vm, rm_hlt);
	halt_asleep(_metadata, &self->vcpu, &tid);
	ASSERT_EQ(0, tvcpu_stats(&self->vcpu, &stats));
	EXPECT_EQ(1, stats.count[KHYP_STAT_HLT]);
	EXPECT_EQ(1, stats.count[KHYP_STAT_HALT_POLLS]);
	EXPECT_EQ(0, stats.count[KHYP_STAT_HALT_POLL_HITS]);
	/* Idle: no more polls, exits or CPU time while it sleeps. */
	exits = stats.count[KHYP_STAT_EXITS];
	ASSERT_EQ(0, thread_stat(tid, &state, &t0));
	usleep(500000);
	ASSERT_EQ(0, thread_stat(tid, &state, &t1));
	EXPECT_EQ('S', state);
	EXPECT_EQ(t0, t1);
	ASSERT_EQ(0, tvcpu_stats(&self->vcpu, &stats));
	EXPECT_EQ(exits, stats.count[KHYP_STAT_EXITS]);
	EXPECT_EQ(1, stats.count[KHYP_STAT_HALT_POLLS]);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_VCPU_STOP));
	EXPECT_EQ(0, write_param("halt_poll_ns", old_poll));
}

TEST_F(vm, halt_poll_off_sleeps_at_once)
{
	struct khyp_vcpu_stats stats;
	pid_t tid;

	if (set_halt_poll("0"))
		SKIP(return, "khyp.halt_poll_ns is not writable");
	LOAD(&self->vm, rm_hlt);
	halt_asleep(_metadata, &self->vcpu, &tid);
	ASSERT_EQ(0, tvcpu_stats(&self->vcpu, &stats));
	EXPECT_EQ(1, stats.count[KHYP_STAT_HLT]);
	EXPECT_EQ(0, stats.count[KHYP_STAT_HALT_POLLS]);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_VCPU_STOP));
	EXPECT_EQ(0, write_param("halt_poll_ns", old_poll));
}

/* Wakes on CPU 0 every 100 us: a real-time task the poll must yield to. */
static void *rt_ticker_on_cpu0(void *arg)
{
	struct sched_param sp = { .sched_priority = 1 };
	volatile int *stop = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	sched_setscheduler(0, SCHED_FIFO, &sp);
	while (!*stop)
		usleep(100);
	return NULL;
}

/*
 * The longest window (10 ms), and a real-time task on the vCPU thread's
 * CPU that keeps waking: the poll ends when the CPU is wanted (counted
 * as a preemption), and the vCPU sleeps.
 */
TEST_F(vm, halt_poll_ends_on_need_resched)
{
	struct khyp_vcpu_stats stats;
	struct khyp_vcpu_state st;
	volatile int stop = 0;
	pthread_t rt;
	cpu_set_t set;
	pid_t tid;

	if (set_halt_poll("4000000000"))
		SKIP(return, "khyp.halt_poll_ns is not writable");
	LOAD(&self->vm, rm_hlt);
	ASSERT_EQ(0, tvcpu_state(&self->vcpu, &st));
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(st.host_tid, sizeof(set), &set));
	pthread_create(&rt, NULL, rt_ticker_on_cpu0, (void *)&stop);
	halt_asleep(_metadata, &self->vcpu, &tid);
	stop = 1;
	pthread_join(rt, NULL);
	ASSERT_EQ(0, tvcpu_stats(&self->vcpu, &stats));
	EXPECT_EQ(1, stats.count[KHYP_STAT_HALT_POLLS]);
	EXPECT_EQ(0, stats.count[KHYP_STAT_HALT_POLL_HITS]);
	EXPECT_LE(1, stats.count[KHYP_STAT_PREEMPTIONS]);
	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_VCPU_STOP));
	EXPECT_EQ(0, write_param("halt_poll_ns", old_poll));
}

TEST(two_vms_at_once)
{
	struct tvm a, b;
	struct tvcpu va, vb;

	ASSERT_EQ(0, tvm_create(&a, MEM_4M, 1, 0));
	ASSERT_EQ(0, tvm_create(&b, MEM_4M, 1, 0));
	ASSERT_EQ(0, tvcpu_create(&a, &va, 0));
	ASSERT_EQ(0, tvcpu_create(&b, &vb, 0));
	tvm_load(&a, CODE, rm_mem_start, SNIPPET_LEN(rm_mem));
	tvm_load(&b, CODE, rm_mem_start, SNIPPET_LEN(rm_mem));
	*(uint32_t *)(a.mem + 0x3000) = 0xaaaa;
	*(uint32_t *)(b.mem + 0x3000) = 0xbbbb;
	ASSERT_EQ(0, tvcpu_set_real_mode(&va, CODE));
	ASSERT_EQ(0, tvcpu_set_real_mode(&vb, CODE));
	EXPECT_EQ(0xbbbb, expect_report(_metadata, &vb));
	EXPECT_EQ(0xaaaa, expect_report(_metadata, &va));
	expect_done(_metadata, &va);
	expect_done(_metadata, &vb);
	close(va.fd);
	close(vb.fd);
	tvm_destroy(&a);
	tvm_destroy(&b);
}

TEST(create_vm_bad_input)
{
	struct khyp_vm_config cfg = { .mem_size = MEM_4M, .max_vcpus = 1 };
	int dev = khyp_open();

	ASSERT_LE(0, dev);
	cfg.mem_size = 4096;
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	cfg.mem_size = MEM_4M + 1;
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	cfg.mem_size = KHYP_MAX_MEM_SIZE + 4096;
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(E2BIG, errno);
	cfg.mem_size = KHYP_MAX_MEM_SIZE;	/* more than the test host has */
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(ENOMEM, errno);
	cfg.mem_size = MEM_4M;
	cfg.max_vcpus = 0;
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	cfg.max_vcpus = KHYP_MAX_VCPUS + 1;
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	cfg.max_vcpus = 1;
	cfg.flags = 0x80;
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	cfg.flags = 0;
	cfg.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	cfg.reserved[3] = 0;
	memset(cfg.name, 'x', sizeof(cfg.name));
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(dev, KHYP_CREATE_VM, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	close(dev);
}

TEST_F(vm, vm_and_vcpu_bad_input)
{
	struct khyp_vcpu_config c = { .id = 4 };
	struct khyp_sregs s;
	void *p;

	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_CREATE_VCPU, &c));
	EXPECT_EQ(EINVAL, errno);		/* id >= max_vcpus */
	c.id = 0;
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_CREATE_VCPU, &c));
	EXPECT_EQ(EEXIST, errno);		/* slot taken */
	c.id = 1;
	c.apic_id = 0;
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_CREATE_VCPU, &c));
	EXPECT_EQ(EEXIST, errno);		/* APIC ID taken */
	c.apic_id = 0xff;
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_CREATE_VCPU, &c));
	EXPECT_EQ(EINVAL, errno);
	c.apic_id = 1;
	c.flags = 0x10;
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_CREATE_VCPU, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_CREATE_VCPU, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->vm.fd, KHYP_VCPU_RUN, NULL));
	EXPECT_EQ(ENOTTY, errno);		/* a vCPU ioctl on the VM */
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KHYP_CREATE_VCPU, &c));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KHYP_GET_REGS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KHYP_VCPU_RUN, (void *)16));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, ioctl(self->vcpu.fd, KHYP_GET_SREGS, &s));
	s.efer = 0x100000;			/* reserved EFER bit */
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KHYP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s.efer = 0x400;				/* LMA without LME+PG */
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KHYP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s.efer = 0;
	s.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->vcpu.fd, KHYP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);

	/* Beyond guest RAM, or a private copy: refused. */
	p = mmap(NULL, MEM_4M + 4096, PROT_READ, MAP_SHARED, self->vm.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->vm.fd, MEM_4M);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self->vm.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST(close_in_any_order_frees_everything)
{
	long vms, vcpus, pages;
	int order;

	for (order = 0; order < 4; order++) {
		struct tvm vm;
		struct tvcpu v0, v1;

		ASSERT_EQ(0, tvm_create(&vm, MEM_4M, 2, 0));
		ASSERT_EQ(0, tvcpu_create(&vm, &v0, 0));
		ASSERT_EQ(0, tvcpu_create(&vm, &v1, 1));
		tvm_load(&vm, CODE, rm_hlt_start, SNIPPET_LEN(rm_hlt));
		ASSERT_EQ(0, tvcpu_set_real_mode(&v0, CODE));
		ASSERT_EQ(0, ioctl(v0.fd, KHYP_VCPU_START));	/* halts */
		ASSERT_EQ(0, khyp_module_stats(&vms, &vcpus, &pages));
		EXPECT_EQ(1, vms);
		EXPECT_EQ(2, vcpus);
		EXPECT_EQ(1024, pages);
		switch (order) {
		case 0:		/* fds first, mapping last */
			close(v0.fd);
			close(v1.fd);
			close(vm.fd);
			close(vm.dev);
			munmap(vm.mem, vm.mem_size);
			break;
		case 1:		/* VM fd first, vCPUs after */
			close(vm.fd);
			munmap(vm.mem, vm.mem_size);
			close(v1.fd);
			close(v0.fd);
			close(vm.dev);
			break;
		case 2:		/* mapping first */
			munmap(vm.mem, vm.mem_size);
			close(v0.fd);
			close(vm.fd);
			close(v1.fd);
			close(vm.dev);
			break;
		default:	/* the device first */
			close(vm.dev);
			close(v1.fd);
			munmap(vm.mem, vm.mem_size);
			close(vm.fd);
			close(v0.fd);
			break;
		}
		ASSERT_EQ(0, khyp_module_stats_settle(&vms, &vcpus, &pages));
		EXPECT_EQ(0, vms);
		EXPECT_EQ(0, vcpus);
		EXPECT_EQ(0, pages);
	}
}

TEST_HARNESS_MAIN
