// SPDX-License-Identifier: GPL-2.0
/*
 * KHYP_SET_TOPOLOGY's validation and KHYP_GET_TOPOLOGY, on a fresh
 * 8-vCPU platform VM per test.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "khyp_test.h"
#include "kselftest_harness.h"

static int set_topo(int vm, unsigned int s, unsigned int d, unsigned int c,
		    unsigned int t, const char *model)
{
	struct khyp_topology topo = {
		.sockets = s, .dies = d, .cores = c, .threads = t,
	};

	snprintf(topo.model, sizeof(topo.model), "%s", model);
	return ioctl(vm, KHYP_SET_TOPOLOGY, &topo) ? -errno : 0;
}

FIXTURE(topo) {
	struct tvm vm;
};

FIXTURE_SETUP(topo)
{
	ASSERT_EQ(0, tvm_create(&self->vm, 16 << 20, 8, KHYP_VM_PLATFORM));
}

FIXTURE_TEARDOWN(topo)
{
	tvm_destroy(&self->vm);
}

TEST_F(topo, default_1x1x8x1_qemu64)
{
	struct khyp_topology t = {};

	ASSERT_EQ(0, ioctl(self->vm.fd, KHYP_GET_TOPOLOGY, &t));
	EXPECT_EQ(1, t.sockets);
	EXPECT_EQ(1, t.dies);
	EXPECT_EQ(8, t.cores);
	EXPECT_EQ(1, t.threads);
	EXPECT_STREQ("qemu64", t.model);
}

TEST_F(topo, product_not_max_vcpus_refused)
{
	EXPECT_EQ(-EINVAL, set_topo(self->vm.fd, 2, 1, 2, 1, ""));
}

TEST_F(topo, zero_count_refused)
{
	EXPECT_EQ(-EINVAL, set_topo(self->vm.fd, 0, 1, 8, 1, ""));
}

TEST_F(topo, model_with_odd_characters_refused)
{
	EXPECT_EQ(-EINVAL, set_topo(self->vm.fd, 2, 1, 4, 1, "bad model!"));
}

TEST_F(topo, reserved_field_refused)
{
	struct khyp_topology t = { .sockets = 2, .dies = 1, .cores = 4,
				   .threads = 1, .reserved = { 1 } };

	EXPECT_NE(0, ioctl(self->vm.fd, KHYP_SET_TOPOLOGY, &t));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(topo, smt_2x2x2_accepted_and_reads_back)
{
	struct khyp_topology t = {};

	ASSERT_EQ(0, set_topo(self->vm.fd, 2, 1, 2, 2, "IvyBridge-IBRS"));
	ASSERT_EQ(0, ioctl(self->vm.fd, KHYP_GET_TOPOLOGY, &t));
	EXPECT_EQ(2, t.sockets);
	EXPECT_EQ(2, t.cores);
	EXPECT_EQ(2, t.threads);
	EXPECT_STREQ("IvyBridge-IBRS", t.model);
}

TEST_F(topo, busy_once_a_vcpu_exists)
{
	struct tvcpu vcpu;

	ASSERT_EQ(0, tvcpu_create(&self->vm, &vcpu, 0));
	EXPECT_EQ(-EBUSY, set_topo(self->vm.fd, 1, 1, 8, 1, ""));
	close(vcpu.fd);
}

TEST_HARNESS_MAIN
