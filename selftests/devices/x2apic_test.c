// SPDX-License-Identifier: GPL-2.0
/*
 * x2APIC and TSC-deadline on platform VMs, driven by the C guest
 * x2apic_guest.c: a two-vCPU VM whose CPUID offers both (run with halt
 * polling at its default, and again with it off: IPIs and timers end
 * HLTs either way), a one-vCPU VM whose CPUID offers neither, and a
 * one-vCPU VM that takes the 8259s' interrupts through LINT0 (ExtINT).
 * The guests run once, before the harness; each test checks one field
 * of what they left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "khyp_test.h"
#include "kselftest_harness.h"
#include "../devices/x2apic_guest.h"

GUEST_SNIPPET(x2apic_guest);

#define CPUID_X2APIC		(1U << 21)
#define CPUID_TSC_DEADLINE	(1U << 24)

struct run {
	const char *failed;	/* the setup step that failed, or NULL */
	int err;
	uint32_t state;		/* the VM's at the end */
	struct x2apic_results res;
	struct khyp_vcpu_stats bsp, ap;	/* their counters */
};

static struct run full, nopoll, bare, extint;

/*
 * Until the VM stops (or 60 s pass): with X2_EXTINT, be the device on
 * GSI 11 the guest asks for through its mailbox.
 */
static uint32_t serve_guest(struct tvm *vm, uint64_t arg)
{
	volatile uint64_t *mb = (volatile uint64_t *)(vm->mem +
						      X2_MAILBOX_GPA);
	struct khyp_irq_level line = { .gsi = 11 };
	struct khyp_vm_state st = { 0 };
	double end = now_sec() + 60;
	bool raised = false;

	if (arg != X2_EXTINT)
		return tvm_wait_stopped(vm, 60000);
	do {
		if (!raised && *mb == X2_MB_RAISE) {
			line.level = 1;
			raised = !ioctl(vm->fd, KHYP_IRQ_LINE, &line);
		}
		if (*mb == X2_MB_LOWER) {
			line.level = 0;
			ioctl(vm->fd, KHYP_IRQ_LINE, &line);
			*mb = X2_MB_LOWERED;
		}
		usleep(1000);
		if (ioctl(vm->fd, KHYP_GET_VM_STATE, &st))
			return KHYP_VM_RUNNING;
	} while (st.state == KHYP_VM_RUNNING && now_sec() < end);
	return st.state;
}

/* Run the guest on @nr vCPUs (the first with @arg) until it powers off. */
static void run_guest(struct run *run, uint32_t cpuid_clear, uint64_t arg,
		      int nr)
{
	struct tvcpu v[2];
	struct tvm vm;
	int i;

	if (tvm_create(&vm, 4 << 20, nr, KHYP_VM_PLATFORM) ||
	    tvm_set_cpuid(&vm, cpuid_clear)) {
		run->failed = "platform VM";
		run->err = errno;
		return;
	}
	tvm_load(&vm, TEST_GUEST_BASE, x2apic_guest_start,
		 SNIPPET_LEN(x2apic_guest));
	if (tvcpu_start_long_mode(&vm, &v[0], 0, 0, arg, 0) ||
	    (nr > 1 && tvcpu_start_long_mode(&vm, &v[1], 1, X2_AP_APIC_ID,
					     X2_AP, X2_AP_STACK))) {
		run->failed = "vCPU setup";
		run->err = errno;
		return;
	}
	run->state = serve_guest(&vm, arg);
	memcpy(&run->res, vm.mem + X2_RESULTS_GPA, sizeof(run->res));
	if (tvcpu_stats(&v[0], &run->bsp) ||
	    (nr > 1 && tvcpu_stats(&v[1], &run->ap))) {
		run->failed = "vCPU stats";
		run->err = errno;
	}
	for (i = 0; i < nr; i++) {
		ioctl(v[i].fd, KHYP_VCPU_STOP);
		close(v[i].fd);
	}
	tvm_destroy(&vm);
}

/* One check: a field of what a run left, masked, against a value. */
FIXTURE(check) {};
FIXTURE_VARIANT(check) {
	const struct run *run;
	size_t field;		/* offset in struct x2apic_results */
	uint64_t mask, want;
};
FIXTURE_SETUP(check) {}
FIXTURE_TEARDOWN(check) {}

/* Each check's field also lands in section x2_fields (every_field_checked). */
#define CHECK_BITS(name, r, f, m, w)					\
	FIXTURE_VARIANT_ADD(check, name) {				\
		.run = &(r), .field = offsetof(struct x2apic_results, f), \
		.mask = (m), .want = (w),				\
	};								\
	static const size_t name##_field				\
		__attribute__((section("x2_fields"), used)) =		\
		offsetof(struct x2apic_results, f)
#define CHECK(name, r, f, w)	CHECK_BITS(name, r, f, ~0ULL, w)

CHECK_BITS(cpuid_offers_x2apic, full, cpuid_ecx, CPUID_X2APIC,
	   CPUID_X2APIC);
CHECK_BITS(cpuid_offers_tsc_deadline, full, cpuid_ecx, CPUID_TSC_DEADLINE,
	   CPUID_TSC_DEADLINE);
CHECK(x2apic_msrs_gp_in_xapic_mode, full, gp_x2msr_in_xapic, 1);
CHECK(apicbase_extd_without_enable_gp, full, gp_extd_without_en, 1);
CHECK_BITS(apicbase_xapic_to_x2apic, full, apicbase_x2, 0xc00, 0xc00);
CHECK(x2apic_id_bsp, full, id, 0);
CHECK(x2apic_ldr_bsp, full, ldr, 0x1);
CHECK(x2apic_id_ap, full, ap_id, X2_AP_APIC_ID);
CHECK(x2apic_ldr_from_id, full, ap_ldr, 0x10004);
/* ID, LDR, PPR, version */
CHECK(x2apic_read_only_registers_gp, full, gp_read_only, 4);
/* DFR, ICR2, EOI, SELF_IPI */
CHECK(x2apic_absent_and_write_only_registers_gp, full, gp_absent, 4);
/* TPR bit 32, EOI 1, SELF_IPI bit 8 */
CHECK(x2apic_reserved_bits_gp, full, gp_reserved, 3);
CHECK(x2apic_mode_disables_mmio, full, mmio_version, 0xffffffff);
CHECK(x2apic_self_ipi, full, self_ipis, 1);
CHECK(x2apic_ipi_physical, full, phys_ipis, 1);
CHECK(x2apic_ipi_logical_cluster, full, logical_ipis, 1);
CHECK(x2apic_ipi_broadcast_reaches_both, full, broadcasts, 2);
CHECK(tsc_deadline_fires_once, full, tscdl_fired, 1);
CHECK(tsc_deadline_not_early, full, tscdl_early, 0);
CHECK(tsc_deadline_msr_clear_after_firing, full, tscdl_after, 0);
CHECK(apicbase_x2apic_to_xapic_gp, full, gp_x2apic_to_xapic, 1);
CHECK(apicbase_disabled_to_x2apic_gp, full, gp_disabled_to_x2apic, 1);
CHECK_BITS(apicbase_x2apic_disabled_xapic, full, apicbase_xapic, 0xc00,
	   0x800);
CHECK_BITS(xapic_mmio_back_after_x2apic, full, mmio_version_xapic, 0xff,
	   0x14);
CHECK(ipis_wake_halted_ap, full, halt_ipis, X2_HALT_IPIS);
CHECK(ipis_wake_halted_ap_spaced, full, halt_ipis_spaced, X2_HALT_IPIS);
CHECK(ipis_wake_halted_ap_no_halt_poll, nopoll, halt_ipis, X2_HALT_IPIS);
CHECK(ipis_wake_halted_ap_spaced_no_halt_poll, nopoll, halt_ipis_spaced,
	  X2_HALT_IPIS);
CHECK(cr8_write_sets_tpr, full, tpr_from_cr8, 0x50);
CHECK(cr8_masks_lower_class, full, cr8_masked, 0);
CHECK(cr8_lowered_delivers_at_once, full, cr8_unmasked, 1);
CHECK(cr8_raised_masks_offered_irq, full, cr8_masks_offered, 0);
CHECK(cr8_lowered_delivers_offered_irq, full, cr8_offered_unmasked, 1);
CHECK(tpr_write_sets_cr8, full, cr8_from_tpr, 6);
CHECK(tpr_masks_lower_class, full, tpr_masked, 0);
CHECK(cr8_lowers_tpr_set_by_msr, full, tpr_unmasked_by_cr8, 1);
CHECK(pic_lint0_masked_takes_nothing, extint, pic_lint0_masked_irqs, 0);
CHECK_BITS(pic_pit_request_latched, extint, pic_pit_irr, 1, 1);
CHECK(pic_extint_wakes_hlt_once, extint, pic_pit_irqs, 1);
CHECK(pic_extint_vector_from_icw2, extint, pic_pit_vector, 0x20);
CHECK(pic_extint_acknowledged_in_isr, extint, pic_pit_isr, 0x01);
CHECK(pic_eoi_clears_isr, extint, pic_pit_isr_eoi, 0);
CHECK(pic_slave_vector_through_cascade, extint, pic_slave_vector, 0x2b);
/* slave IRQ 3, master IRQ 2 (the cascade) */
CHECK(pic_slave_and_cascade_in_service, extint, pic_slave_isr, 0x0408);
CHECK(pic_level_request_stays_while_high, extint, pic_slave_irr, 0x08);
CHECK(pic_level_request_goes_with_line, extint, pic_slave_irr_low, 0);
CHECK(pic_slave_eois_clear_both_isrs, extint, pic_slave_isr_eoi, 0);
CHECK(pic_level_lowered_no_second_irq, extint, pic_slave_irqs, 1);
CHECK(pic_apic_disabled_int_is_intr, extint, pic_apic_off_irqs, 1);
CHECK(cpuid_without_x2apic_extd_gp, bare, gp_extd_not_offered, 1);
CHECK(cpuid_without_tsc_deadline_msr_gp, bare, gp_tscdl_not_offered, 1);

TEST_F(check, passed)
{
	const struct run *r = variant->run;
	uint64_t v;

	ASSERT_EQ(NULL, r->failed) TH_LOG("%s: %s", r->failed,
					   strerror(r->err));
	ASSERT_EQ(KHYP_VM_POWEROFF, r->state);
	ASSERT_EQ(1, r->res.done);
	memcpy(&v, (const char *)&r->res + variant->field, sizeof(v));
	EXPECT_EQ(variant->want, v & variant->mask);
}

CHECK(timer_ends_halts, full, timer_halts, X2_TIMER_HALTS);
CHECK(timer_ends_halts_no_halt_poll, nopoll, timer_halts, X2_TIMER_HALTS);

/*
 * The BSP halts until a timer due within the poll window: some of those
 * come while it polls, whatever the other vCPU does.
 */
TEST(timer_halts_end_in_poll)
{
	ASSERT_EQ(NULL, full.failed);
	EXPECT_LT(0, full.bsp.count[KHYP_STAT_HALT_POLL_HITS]);
	EXPECT_LE(full.bsp.count[KHYP_STAT_HALT_POLL_HITS],
		  full.bsp.count[KHYP_STAT_HALT_POLLS]);
}

/*
 * halt_poll_ns=0: the vCPUs halt, and never poll.  (Not every IPI meets
 * a HLT exit: one may come before the AP halts again.)
 */
TEST(halts_without_poll)
{
	ASSERT_EQ(NULL, nopoll.failed);
	EXPECT_LT(0, nopoll.bsp.count[KHYP_STAT_HLT]);
	EXPECT_LT(0, nopoll.ap.count[KHYP_STAT_HLT]);
	EXPECT_EQ(0, nopoll.bsp.count[KHYP_STAT_HALT_POLLS]);
	EXPECT_EQ(0, nopoll.ap.count[KHYP_STAT_HALT_POLLS]);
}

extern const size_t __start_x2_fields[], __stop_x2_fields[];

/* No result of the guest's goes unchecked. */
TEST(every_field_checked)
{
	size_t f, i;
	bool found;

	for (f = 0; f < offsetof(struct x2apic_results, done); f += 8) {
		found = false;
		for (i = 0; i < __stop_x2_fields - __start_x2_fields; i++)
			found |= __start_x2_fields[i] == f;
		EXPECT_TRUE(found) TH_LOG("field at %zu has no check", f);
	}
}

/* The guests run once, before the harness forks a child per test. */
#define main harness_main
TEST_HARNESS_MAIN
#undef main

/* khyp.halt_poll_ns: 0 on success; @old (if set) receives the old value. */
static int halt_poll_param(const char *val, char *old, size_t len)
{
	const char *path = "/sys/module/khyp/parameters/halt_poll_ns";
	ssize_t n = 0;
	int fd;

	if (old) {
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, old, len - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return -1;
		old[n] = '\0';
	}
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

int main(int argc, char **argv)
{
	char old[32];

	run_guest(&full, 0, X2_BSP, 2);
	if (halt_poll_param("0", old, sizeof(old))) {
		nopoll.failed = "halt_poll_ns=0";
		nopoll.err = errno;
	} else {
		run_guest(&nopoll, 0, X2_BSP, 2);
		halt_poll_param(old, NULL, 0);
	}
	run_guest(&bare, CPUID_X2APIC | CPUID_TSC_DEADLINE, X2_NOT_OFFERED, 1);
	run_guest(&extint, 0, X2_EXTINT, 1);
	return harness_main(argc, argv);
}
