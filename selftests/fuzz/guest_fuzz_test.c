// SPDX-License-Identifier: GPL-2.0
/*
 * guest_fuzz: the hostile guest (guest_fuzz.c) in platform VMs, while
 * this host plugs and unplugs its vCPUs over netlink (cpu-add, cpu-del).
 * A guest that
 * dies (triple fault, failed entry, hang) is counted and replaced by a new
 * VM until the seed's time is up.  Passes when the host survives (the test
 * host's console check) and the module's VMs, vCPUs, pages and threads are
 * back where they were.  Usage: fuzz.h; classes of input to leave out by
 * name in $FUZZ_DISABLE (comma-separated; none by default).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/khyp_genl.h>
#include "kselftest.h"
#include "fuzz.h"
#include "genl.h"
#include "guest_fuzz.h"
#include "khyp_test.h"

GUEST_SNIPPET(guest_fuzz);

#define MAX_VCPUS	4
#define MEM_SIZE	(16 << 20)
/* No progress report for this long: the guest is dead (INIT, a loop). */
#define HANG_SECONDS	5
#define FUZZ_PLUG	(1U << 31)	/* this host's cpu-add and cpu-del */

static const struct { const char *name; uint32_t bit; } classes[] = {
	{ "pio", FUZZ_PIO }, { "mmio", FUZZ_MMIO }, { "insn", FUZZ_INSN },
	{ "msr", FUZZ_MSR }, { "cpuid", FUZZ_CPUID }, { "ipi", FUZZ_IPI },
	{ "eject", FUZZ_EJECT }, { "plug", FUZZ_PLUG },
};

struct figures {
	uint64_t ops, faults, exits, vms, killed, plugs, unplugs;
	uint64_t refused, hung, other;	/* how guests died */
};

struct run {
	struct tvm vm;
	struct tvcpu vcpu;
	uint32_t vm_id, disable;
	uint64_t rng, host_rng;
	uint64_t ops, faults;		/* this VM's guest, as it reported */
	bool broken;			/* a VM could not be set up */
	double deadline;
	volatile double progress;	/* when the guest last reported */
	volatile int over;
	struct figures *fig;
};

static uint32_t parse_disable(void)
{
	const char *env = getenv("FUZZ_DISABLE");
	char *list = strdup(env ? env : ""), *tok, *save;
	uint32_t mask = 0;
	unsigned int i;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(classes); i++)
			if (!strcmp(tok, classes[i].name))
				mask |= classes[i].bit;
	}
	free(list);
	return mask;
}

/* cpu-add or cpu-del of a random hotpluggable slot. */
static void plug_one(struct run *r, struct tgenl *g)
{
	uint32_t slot = 1 + fuzz_below(&r->host_rng, MAX_VCPUS - 1);
	struct tgenl_msg m;
	char id[16];
	bool add = fuzz_below(&r->host_rng, 2);

	snprintf(id, sizeof(id), "fz%u", slot);
	tgenl_start(g, &m, add ? KHYP_CMD_CPU_ADD : KHYP_CMD_CPU_DEL, 0);
	tgenl_put_u32(&m, KHYP_A_VM_ID, r->vm_id);
	tgenl_put_str(&m, KHYP_A_DEVICE_ID, id);
	if (add) {
		tgenl_put_u32(&m, KHYP_A_SOCKET_ID, 0);
		tgenl_put_u32(&m, KHYP_A_CORE_ID, slot);
		tgenl_put_u32(&m, KHYP_A_THREAD_ID, 0);
	}
	if (!tgenl_call(g, &m)) {
		if (add)
			r->fig->plugs++;
		else
			r->fig->unplugs++;
	}
}

/* Plugs and unplugs while the guest runs. */
static void *host_thread(void *arg)
{
	struct run *r = arg;
	struct tgenl g;

	if (tgenl_open(&g)) {
		ksft_print_msg("no khyp netlink family: not plugging\n");
		return NULL;
	}
	while (!r->over) {
		plug_one(r, &g);
		usleep(1000 * (1 + fuzz_below(&r->host_rng, 30)));
	}
	tgenl_close(&g);
	return NULL;
}

static int setup(struct run *r)
{
	struct fuzz_params *p;
	struct khyp_vm_info info;
	uint32_t *ivt;
	int i, err;

	err = tvm_create(&r->vm, MEM_SIZE, MAX_VCPUS, KHYP_VM_PLATFORM);
	if (!err)
		err = tvcpu_create(&r->vm, &r->vcpu, 0);
	if (err)
		return err;
	if (ioctl(r->vm.fd, KHYP_GET_VM_INFO, &info))
		return -errno;
	r->vm_id = info.id;
	tvm_load(&r->vm, TEST_GUEST_BASE, guest_fuzz_start,
		 SNIPPET_LEN(guest_fuzz));
	/* Parked vCPUs: every real-mode vector IRETs, SIPIs land on hlt. */
	ivt = (uint32_t *)(r->vm.mem + FUZZ_IVT);
	for (i = 0; i < 256; i++)
		ivt[i] = (FUZZ_AP_PAGE >> 4) << 16 | (FUZZ_AP_IRET - FUZZ_AP_PAGE);
	memcpy(r->vm.mem + FUZZ_AP_PAGE, "\xfa\xf4\xeb\xfd", 4);
	r->vm.mem[FUZZ_AP_IRET] = 0xcf;
	p = (struct fuzz_params *)(r->vm.mem + FUZZ_PARAMS);
	p->seed = r->rng;
	p->disable = r->disable;
	p->max_vcpus = MAX_VCPUS;
	err = tvcpu_set_long_mode(&r->vcpu, TEST_GUEST_BASE);
	if (!err)
		err = tvcpu_set_arg(&r->vcpu, FUZZ_PARAMS);
	return err;
}

/*
 * Run the guest until it dies or the time is up: false if it died.  A
 * platform VM has no exits for userspace (unclaimed ports and MMIO
 * vanish or float), so this watches the vCPU's state and the guest's
 * count of ops.
 */
static bool guest_loop(struct run *r)
{
	volatile struct fuzz_params *p = (void *)(r->vm.mem + FUZZ_PARAMS);
	struct figures *f = r->fig;
	struct khyp_vcpu_state st;
	uint64_t last = 0;

	if (ioctl(r->vcpu.fd, KHYP_VCPU_START))
		return false;
	for (;;) {
		usleep(20000);
		r->ops = p->ops;
		r->faults = p->faults;
		if (r->ops != last) {
			last = r->ops;
			r->progress = now_sec();
		}
		if (tvcpu_state(&r->vcpu, &st)) {
			f->other++;
			return false;
		}
		if (st.state == KHYP_VCPU_STATE_DEAD) {
			/* not emulated: the vCPU is dead (khyp's policy) */
			if (st.last_exit.reason == KHYP_EXIT_INTERNAL_ERROR)
				f->refused++;
			else
				f->other++;
			return false;
		}
		if (st.state == KHYP_VCPU_STATE_USER_EXIT) {
			f->exits++;
			ioctl(r->vcpu.fd, KHYP_VCPU_START);
		}
		if (now_sec() > r->deadline) {
			ioctl(r->vcpu.fd, KHYP_VCPU_STOP);
			return true;
		}
		if (now_sec() - r->progress > HANG_SECONDS) {
			f->hung++;
			return false;
		}
	}
}

/* One VM: true if it lived until the deadline. */
static bool one_vm(struct run *r)
{
	pthread_t host;
	bool lived, plug;
	int err;

	r->progress = now_sec();
	r->over = 0;
	r->ops = r->faults = 0;
	err = setup(r);
	if (err) {
		ksft_print_msg("VM setup: %s\n", strerror(-err));
		tvm_destroy(&r->vm);
		r->broken = true;
		return false;
	}
	r->fig->vms++;
	plug = !(r->disable & FUZZ_PLUG) &&
	       !pthread_create(&host, NULL, host_thread, r);
	lived = guest_loop(r);
	r->over = 1;
	if (plug)
		pthread_join(host, NULL);
	close(r->vcpu.fd);
	tvm_destroy(&r->vm);
	r->fig->ops += r->ops;
	r->fig->faults += r->faults;
	return lived;
}

static bool fuzz_seed(uint64_t seed, double seconds, uint32_t disable,
		      struct figures *total)
{
	struct figures f = {};
	struct run r = { .fig = &f, .disable = disable, .host_rng = seed };
	double start = now_sec();

	r.deadline = start + seconds;
	while (now_sec() < r.deadline) {
		r.rng = fuzz_rnd(&r.host_rng);
		if (one_vm(&r))
			continue;
		if (r.broken)
			return false;
		if (f.killed++ < 3)
			ksft_print_msg("guest %llu (seed %#llx) died after %llu ops\n",
				       (unsigned long long)f.vms,
				       (unsigned long long)r.rng,
				       (unsigned long long)r.ops);
	}
	ksft_print_msg("seed %#llx: %.0f s, %llu ops (%llu faulted), %llu user exits, %llu VMs, %llu guests died (%llu not emulated, %llu hung, %llu other), %llu plugs, %llu unplugs\n",
		       (unsigned long long)seed, now_sec() - start,
		       (unsigned long long)f.ops, (unsigned long long)f.faults,
		       (unsigned long long)f.exits,
		       (unsigned long long)f.vms, (unsigned long long)f.killed,
		       (unsigned long long)f.refused,
		       (unsigned long long)f.hung, (unsigned long long)f.other,
		       (unsigned long long)f.plugs,
		       (unsigned long long)f.unplugs);
	total->ops += f.ops;
	total->killed += f.killed;
	total->vms += f.vms;
	return f.ops > 0;
}

int main(int argc, char **argv)
{
	uint64_t seeds[FUZZ_MAX_SEEDS];
	int n = fuzz_seeds(argc, argv, seeds), i;
	double seconds = fuzz_seconds(), start = now_sec();
	uint32_t disable = parse_disable();
	struct fuzz_baseline base;
	struct figures total = {};

	ksft_print_header();
	ksft_set_plan(n + 1);
	if (fuzz_baseline(&base))
		ksft_exit_fail_msg("no khyp module stats\n");
	for (i = 0; i < n; i++)
		ksft_test_result(fuzz_seed(seeds[i], seconds, disable, &total),
				 "guest_fuzz seed %#llx\n",
				 (unsigned long long)seeds[i]);
	ksft_test_result(fuzz_back_to(&base, 10000),
			 "module back to its baseline\n");
	ksft_print_msg("guest_fuzz: %llu bad inputs in %.0f s, %llu VMs, %llu guests killed\n",
		       (unsigned long long)total.ops, now_sec() - start,
		       (unsigned long long)total.vms,
		       (unsigned long long)total.killed);
	ksft_finished();
}
