// SPDX-License-Identifier: GPL-2.0
/*
 * Platform devices of a KHYP_VM_PLATFORM VM, exercised by a 64-bit guest
 * (devices_guest.S) that reports one letter per check on COM1 and then
 * powers off through ACPI S5.  vCPU 1 starts in wait-for-SIPI and is
 * brought up twice by the guest with INIT/SIPI/SIPI.  The guest runs once,
 * before the harness starts; each check is a test on what it left.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "khyp_test.h"
#include "kselftest_harness.h"

GUEST_SNIPPET(dev_guest);

/* What the guest left: its console, the VM's last state, the trace. */
static struct {
	const char *failed;	/* the setup step that failed, or NULL */
	int err;
	uint32_t state;
	char out[256];
	size_t len;
	int tracing;		/* tracefs worked */
	char want[96];		/* the trace line the UART interrupt leaves */
	char *trace;
} run;

static void run_guest(void)
{
	struct khyp_vcpu_config apcfg = { .id = 1, .apic_id = 1,
					  .flags = KHYP_VCPU_WAIT_SIPI };
	struct khyp_vm_state st = { 0 };
	struct khyp_vm_info info = { 0 };
	struct tvm vm;
	struct tvcpu bsp;
	int ap, sent = 0;
	double end;

	if (tvm_create(&vm, 4 << 20, 2, KHYP_VM_PLATFORM) ||
	    tvm_set_cpuid(&vm, 0) || tvcpu_create(&vm, &bsp, 0)) {
		run.failed = "platform VM";
		run.err = errno;
		return;
	}
	/* Interrupts the guest takes reach events/khyp/khyp_irq_taken. */
	run.tracing = !tracefs_mount() &&
		      !tracefs_write("events/khyp/khyp_irq_taken/enable", "1") &&
		      !tracefs_write("trace", "");
	ap = ioctl(vm.fd, KHYP_CREATE_VCPU, &apcfg);
	tvm_load(&vm, 0x100000, dev_guest_start, SNIPPET_LEN(dev_guest));
	if (ap < 0 || ioctl(ap, KHYP_VCPU_START) ||
	    tvcpu_set_long_mode(&bsp, 0x100000) ||
	    ioctl(bsp.fd, KHYP_VCPU_START)) {
		run.failed = "vCPU setup";
		run.err = errno;
		return;
	}
	fcntl(vm.fd, F_SETFL, O_NONBLOCK);
	end = now_sec() + 60;
	while (now_sec() < end && st.state == KHYP_VM_RUNNING) {
		struct pollfd p = { .fd = vm.fd, .events = POLLIN | POLLPRI };
		ssize_t n;

		poll(&p, 1, 1000);
		n = read(vm.fd, run.out + run.len,
			 sizeof(run.out) - 1 - run.len);
		if (n > 0)
			run.len += n;
		run.out[run.len] = 0;
		/* The guest waits for a byte of input after 'W'. */
		if (!sent && strchr(run.out, 'W'))
			sent = write(vm.fd, "k", 1) == 1;
		ioctl(vm.fd, KHYP_GET_VM_STATE, &st);
	}
	ioctl(bsp.fd, KHYP_VCPU_STOP);
	ioctl(ap, KHYP_VCPU_STOP);
	run.state = st.state;
	if (run.tracing) {
		tracefs_write("events/khyp/khyp_irq_taken/enable", "0");
		run.trace = tracefs_read_trace();
		tracefs_write("trace", "");
	}
	ioctl(vm.fd, KHYP_GET_VM_INFO, &info);
	/* 0x45: the UART's THRE interrupt through IOAPIC pin 4. */
	snprintf(run.want, sizeof(run.want),
		 "khyp_irq_taken: vm %u vcpu 0 vector 69", info.id);
	printf("# console: %s\n", run.out);
	close(ap);
	close(bsp.fd);
	tvm_destroy(&vm);
}

static void assert_guest_ran(struct __test_metadata *_metadata)
{
	ASSERT_EQ(NULL, run.failed)
		TH_LOG("%s: %s", run.failed, strerror(run.err));
}

TEST(vm_powered_off)
{
	assert_guest_ran(_metadata);
	EXPECT_EQ(KHYP_VM_POWEROFF, run.state);
}

/*
 * One test per check of the guest, which prints the letter when the check
 * passes; each letter also lands in section pass_letters, the set of
 * letters that mean "passed".
 */
FIXTURE(check) {};
FIXTURE_VARIANT(check) {
	char pass;
	const char *what;
};
FIXTURE_SETUP(check) {}
FIXTURE_TEARDOWN(check) {}

#define CHECK(letter, name, text)					\
	FIXTURE_VARIANT_ADD(check, name) { .pass = letter, .what = text }; \
	static const char name##_letter					\
		__attribute__((section("pass_letters"), used)) = letter

CHECK('A', long_mode_on_platform_vm,
	"guest started in 64-bit mode on a platform VM");
CHECK('T', lapic_timer_oneshot, "LAPIC timer, one-shot");
CHECK('I', lapic_self_ipi, "LAPIC self-IPI");
CHECK('D', lapic_timer_tsc_deadline, "LAPIC timer, TSC-deadline");
CHECK('R', lapic_timer_periodic, "LAPIC timer, periodic");
CHECK('U', uart_thre_irq_ioapic_pin4,
	"UART THRE interrupt through IOAPIC pin 4");
CHECK('Z', pit_ch0_irq_gsi2, "PIT channel 0 interrupt on GSI 2");
CHECK('M', acpi_pm_timer_advances, "ACPI PM timer advances");
CHECK('Q', rtc_regb_and_century, "CMOS RTC register B and century");
CHECK('K', pit_ch2_out2_port61, "PIT channel 2 OUT2 in port 0x61");
CHECK('B', pci_cfg_latch_and_float,
	"PCI config ports: address latches, data floats");
CHECK('L', uart_loopback_autoconfig,
	"UART loopback as Linux autoconfig probes it");
CHECK('W', ioapic_level_redelivered_after_eoi,
	"IOAPIC level pin redelivered after EOI");
CHECK('k', console_input_rda_irq,
	"console input reaches the guest (RDA interrupt)");
CHECK('a', ap_init_sipi_sipi, "AP started by INIT/SIPI/SIPI");
CHECK('b', ap_second_init, "AP started again after a second INIT");
CHECK('S', timers_running_into_teardown, "timers left running into teardown");
CHECK('P', s5_through_pm1a_cnt, "S5 through PM1a_CNT");

/* The linker's bounds of a section named like a C identifier. */
#define SECTION_BOUNDS(name)						\
	extern const char __start_##name[], __stop_##name[]
SECTION_BOUNDS(pass_letters);

TEST_F(check, passed)
{
	assert_guest_ran(_metadata);
	EXPECT_NE(NULL, memchr(run.out, variant->pass, run.len))
		TH_LOG("%s: no '%c' on the console", variant->what,
		       variant->pass);
}

/* Any other letter is a failure the guest reported. */
TEST(no_failed_subcheck)
{
	size_t i;

	assert_guest_ran(_metadata);
	for (i = 0; i < run.len && run.out[i] != '\n'; i++) {
		EXPECT_NE(NULL, memchr(__start_pass_letters, run.out[i],
				       __stop_pass_letters - __start_pass_letters))
			TH_LOG("the guest reported '%c'", run.out[i]);
	}
}

TEST(tracepoint_irq_taken)
{
	assert_guest_ran(_metadata);
	ASSERT_TRUE(run.tracing) TH_LOG("no tracefs");
	ASSERT_NE(NULL, run.trace);
	EXPECT_NE(NULL, strstr(run.trace, run.want))
		TH_LOG("no \"%s\" in the trace", run.want);
}

/* The guest runs once, before the harness forks a child per test. */
#define main harness_main
TEST_HARNESS_MAIN
#undef main

int main(int argc, char **argv)
{
	run_guest();
	return harness_main(argc, argv);
}
