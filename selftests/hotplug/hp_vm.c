// SPDX-License-Identifier: GPL-2.0
/*
 * hp_vm: hold a platform VM for the hotplug tests.
 *
 *   hp_vm --name NAME --max N [--sockets S] [--dies D] [--cores C]
 *         [--threads T] [--model M] [--boot K] [--no-guest] [--ost-flood]
 *
 * Creates a KHYP_VM_PLATFORM VM, sets its topology, creates K boot vCPUs
 * (APIC IDs as the kernel computes them) and runs vCPU 0 on the guest code
 * of hp_guest.S, which answers hotplug events the way the DSDT's AML does
 * (--ost-flood: and loops _OST writes for every slot, as a hostile guest).
 * Prints "READY <vm id>" and keeps the VM until stdin reaches EOF or a
 * SIGTERM arrives.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hp_guest.h"
#include "khyp_test.h"

GUEST_SNIPPET(hp_guest);

static unsigned int bits(unsigned int n)
{
	unsigned int b = 0;

	while ((1U << b) < n)
		b++;
	return b;
}

static unsigned int apic_of(const struct khyp_topology *t, unsigned int i)
{
	unsigned int tb = bits(t->threads), cb = bits(t->cores);
	unsigned int db = bits(t->dies);

	return ((i / t->threads / t->cores / t->dies) << (tb + cb + db)) |
	       ((i / t->threads / t->cores % t->dies) << (tb + cb)) |
	       ((i / t->threads % t->cores) << tb) | (i % t->threads);
}

static int create_vm(int dev, const char *name, unsigned int max)
{
	struct khyp_vm_config cfg = {
		.mem_size = 16 << 20,
		.max_vcpus = max,
		.flags = KHYP_VM_PLATFORM,
	};

	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	return ioctl(dev, KHYP_CREATE_VM, &cfg);
}

static int create_vcpu(int vm, unsigned int id, unsigned int apic)
{
	struct khyp_vcpu_config cfg = { .id = id, .apic_id = apic };

	return ioctl(vm, KHYP_CREATE_VCPU, &cfg);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "max", required_argument, NULL, 'm' },
		{ "sockets", required_argument, NULL, 's' },
		{ "dies", required_argument, NULL, 'd' },
		{ "cores", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "model", required_argument, NULL, 'M' },
		{ "boot", required_argument, NULL, 'b' },
		{ "no-guest", no_argument, NULL, 'G' },
		{ "ost-flood", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	struct khyp_topology topo = { .sockets = 1, .dies = 1, .threads = 1 };
	const char *name = "hotplug";
	unsigned int max = 2, boot = 1, i;
	bool guest = true, cores_set = false, flood = false;
	struct sigaction sa = { .sa_handler = on_term };
	struct tvcpu vcpu0;
	struct tvm tvm = {};
	struct khyp_regs regs;
	char buf[64];
	int o, fd;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			name = optarg;
			break;
		case 'm':
			max = atoi(optarg);
			break;
		case 's':
			topo.sockets = atoi(optarg);
			break;
		case 'd':
			topo.dies = atoi(optarg);
			break;
		case 'c':
			topo.cores = atoi(optarg);
			cores_set = true;
			break;
		case 't':
			topo.threads = atoi(optarg);
			break;
		case 'M':
			snprintf(topo.model, sizeof(topo.model), "%s", optarg);
			break;
		case 'b':
			boot = atoi(optarg);
			break;
		case 'G':
			guest = false;
			break;
		case 'F':
			flood = true;
			break;
		default:
			return 2;
		}
	}
	if (!cores_set)
		topo.cores = max / topo.sockets / topo.dies / topo.threads;
	if (!boot)
		guest = false;

	tvm.dev = khyp_open();
	if (tvm.dev < 0) {
		perror("/dev/khyp");
		return 1;
	}
	tvm.fd = create_vm(tvm.dev, name, max);
	if (tvm.fd < 0) {
		perror("KHYP_CREATE_VM");
		return 1;
	}
	if (ioctl(tvm.fd, KHYP_SET_TOPOLOGY, &topo)) {
		perror("KHYP_SET_TOPOLOGY");
		return 1;
	}
	tvm.mem_size = 16 << 20;
	tvm.mem = mmap(NULL, tvm.mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       tvm.fd, 0);
	if (tvm.mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < boot; i++) {
		fd = create_vcpu(tvm.fd, i, apic_of(&topo, i));
		if (fd < 0) {
			perror("KHYP_CREATE_VCPU");
			return 1;
		}
		if (i == 0) {
			vcpu0.vm = &tvm;
			vcpu0.fd = fd;
			vcpu0.id = 0;
		}
	}
	if (guest) {
		tvm_load(&tvm, 0x1000, hp_guest_start, SNIPPET_LEN(hp_guest));
		tvm.mem[HP_GUEST_FLOOD] = flood;
		if (tvcpu_set_real_mode(&vcpu0, 0x1000) ||
		    tvcpu_get_regs(&vcpu0, &regs)) {
			perror("vCPU 0 setup");
			return 1;
		}
		regs.rsi = max;
		if (ioctl(vcpu0.fd, KHYP_SET_REGS, &regs) ||
		    ioctl(vcpu0.fd, KHYP_VCPU_START)) {
			perror("vCPU 0 start");
			return 1;
		}
	}
	{
		struct khyp_vm_info info;

		if (ioctl(tvm.fd, KHYP_GET_VM_INFO, &info)) {
			perror("KHYP_GET_VM_INFO");
			return 1;
		}
		printf("READY %u\n", info.id);
		fflush(stdout);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop && read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
