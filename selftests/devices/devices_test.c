// SPDX-License-Identifier: GPL-2.0
/*
 * Platform devices of a KHYP_VM_PLATFORM VM, exercised by a 64-bit guest
 * (devices_guest.S) that reports one letter per check on COM1 and then
 * powers off through ACPI S5.  vCPU 1 starts in wait-for-SIPI and is
 * brought up twice by the guest with INIT/SIPI/SIPI.  Prints TAP.
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

GUEST_SNIPPET(dev_guest);

static const struct {
	char pass;
	const char *name;
} checks[] = {
	{ 'A', "guest started in 64-bit mode on a platform VM" },
	{ 'T', "LAPIC timer, one-shot" },
	{ 'I', "LAPIC self-IPI" },
	{ 'D', "LAPIC timer, TSC-deadline" },
	{ 'R', "LAPIC timer, periodic" },
	{ 'U', "UART THRE interrupt through IOAPIC pin 4" },
	{ 'Z', "PIT channel 0 interrupt on GSI 2" },
	{ 'M', "ACPI PM timer advances" },
	{ 'Q', "CMOS RTC register B and century" },
	{ 'K', "PIT channel 2 OUT2 in port 0x61" },
	{ 'B', "PCI config ports: address latches, data floats" },
	{ 'L', "UART loopback as Linux autoconfig probes it" },
	{ 'W', "IOAPIC level pin redelivered after EOI" },
	{ 'k', "console input reaches the guest (RDA interrupt)" },
	{ 'a', "AP started by INIT/SIPI/SIPI" },
	{ 'b', "AP started again after a second INIT" },
	{ 'S', "timers left running into teardown" },
	{ 'P', "S5 through PM1a_CNT" },
};

int main(void)
{
	struct khyp_vcpu_config apcfg = { .id = 1, .apic_id = 1,
					  .flags = KHYP_VCPU_WAIT_SIPI };
	struct khyp_vm_state st = { 0 };
	struct tvm vm;
	struct tvcpu bsp;
	char out[256] = "";
	size_t len = 0, i;
	int ap, failed = 0, sent = 0, tracing, traced;
	struct khyp_vm_info info = { 0 };
	char want[96], *trace = NULL;
	double end;

	printf("1..%zu\n", ARRAY_SIZE(checks) + 3);
	if (tvm_create(&vm, 4 << 20, 2, KHYP_VM_PLATFORM) ||
	    tvcpu_create(&vm, &bsp, 0)) {
		printf("not ok 1 - platform VM: %s\n", strerror(errno));
		return 1;
	}
	/* Interrupts the guest takes reach events/khyp/khyp_irq_taken. */
	tracing = !tracefs_mount() &&
		  !tracefs_write("events/khyp/khyp_irq_taken/enable", "1") &&
		  !tracefs_write("trace", "");
	ap = ioctl(vm.fd, KHYP_CREATE_VCPU, &apcfg);
	tvm_load(&vm, 0x100000, dev_guest_start, SNIPPET_LEN(dev_guest));
	if (ap < 0 || ioctl(ap, KHYP_VCPU_START) ||
	    tvcpu_set_long_mode(&bsp, 0x100000) ||
	    ioctl(bsp.fd, KHYP_VCPU_START)) {
		printf("not ok 1 - vCPU setup: %s\n", strerror(errno));
		return 1;
	}
	fcntl(vm.fd, F_SETFL, O_NONBLOCK);
	end = now_sec() + 60;
	while (now_sec() < end && st.state == KHYP_VM_RUNNING) {
		struct pollfd p = { .fd = vm.fd, .events = POLLIN | POLLPRI };
		ssize_t n;

		poll(&p, 1, 1000);
		n = read(vm.fd, out + len, sizeof(out) - 1 - len);
		if (n > 0)
			len += n;
		out[len] = 0;
		/* The guest waits for a byte of input after 'W'. */
		if (!sent && strchr(out, 'W'))
			sent = write(vm.fd, "k", 1) == 1;
		ioctl(vm.fd, KHYP_GET_VM_STATE, &st);
	}
	ioctl(bsp.fd, KHYP_VCPU_STOP);
	ioctl(ap, KHYP_VCPU_STOP);
	printf("%s VM powered off (state %u)\n",
	       st.state == KHYP_VM_POWEROFF ? "ok 1 -" : "not ok 1 -",
	       st.state);
	failed += st.state != KHYP_VM_POWEROFF;
	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		int ok = memchr(out, checks[i].pass, len) != NULL;

		printf("%s %zu - %s\n", ok ? "ok" : "not ok", i + 2,
		       checks[i].name);
		failed += !ok;
	}
	/* Any other letter is a failure the guest reported (lower case). */
	for (i = 0; i < len && out[i] != '\n'; i++) {
		size_t j;

		for (j = 0; j < ARRAY_SIZE(checks); j++)
			if (out[i] == checks[j].pass)
				break;
		if (j == ARRAY_SIZE(checks))
			break;
	}
	printf("%s %zu - the guest reported no failed sub-check\n",
	       i < len && out[i] != '\n' ? "not ok" : "ok",
	       ARRAY_SIZE(checks) + 2);
	failed += i < len && out[i] != '\n';
	if (tracing) {
		tracefs_write("events/khyp/khyp_irq_taken/enable", "0");
		trace = tracefs_read_trace();
	}
	ioctl(vm.fd, KHYP_GET_VM_INFO, &info);
	/* 0x45: the UART's THRE interrupt through IOAPIC pin 4. */
	snprintf(want, sizeof(want), "khyp_irq_taken: vm %u vcpu 0 vector 69",
		 info.id);
	traced = trace && strstr(trace, want);
	printf("%s %zu - tracepoint khyp_irq_taken: \"%s\"%s\n",
	       traced ? "ok" : "not ok", ARRAY_SIZE(checks) + 3, want,
	       tracing ? "" : " (no tracefs)");
	failed += !traced;
	free(trace);
	tracefs_write("trace", "");
	printf("# console: %s", out);
	close(ap);
	close(bsp.fd);
	tvm_destroy(&vm);
	return failed ? 1 : 0;
}
