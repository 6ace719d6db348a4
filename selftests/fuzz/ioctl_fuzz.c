// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_fuzz: random sequences of /dev/khyp, VM and vCPU ioctls, mmap,
 * read and write with random and boundary arguments, and of "khyp"
 * netlink commands with random attributes against the live VMs, from two
 * threads sharing one table of fds, so that fds are closed and VMs
 * destroyed while the other thread is using them.  A third thread
 * interrupts both every few milliseconds (KHYP_VCPU_RUN waits) and is the
 * watchdog.  Passes when the host survives (the test host's console
 * check), no call hangs past the deadline, and the module's VMs, vCPUs,
 * pages and threads are back where they were.  Usage: fuzz.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/khyp.h>
#include <linux/khyp_genl.h>
#include "kselftest.h"
#include "fuzz.h"
#include "genl.h"
#include "khyp_test.h"

#define MAX_OBJS	48
#define MAX_VMS		6
#define MAX_MAPS	8
#define PAGE		4096

enum kind { DEV, VM, VCPU };

struct obj {
	int fd;
	enum kind kind;
	uint32_t vm_id;
};

static struct {
	pthread_mutex_t lock;
	struct obj objs[MAX_OBJS];
	int n, vms;
	uint32_t vm_ids[MAX_VMS * 4];	/* ids seen: netlink targets */
	unsigned int nr_ids;
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER };

static volatile int stop;
/* Where a touch of a mapping that turned out short comes back to. */
static __thread sigjmp_buf touch_jb;
static __thread volatile int touching;

struct worker {
	pthread_t thread;
	uint64_t rng;
	uint64_t calls, refused;	/* what the module turned down */
	struct tgenl nl;
	struct { void *addr; size_t len; } maps[MAX_MAPS];
	int nr_maps;
	/* a buffer that ends at a PROT_NONE page, for short user copies */
	uint8_t *edge;
	uint8_t buf[2 * PAGE];
};

static void add_obj(int fd, enum kind kind, uint32_t vm_id)
{
	pthread_mutex_lock(&tab.lock);
	if (tab.n < MAX_OBJS) {
		tab.objs[tab.n++] = (struct obj){ fd, kind, vm_id };
		if (kind == VM) {
			tab.vms++;
			tab.vm_ids[tab.nr_ids++ % ARRAY_SIZE(tab.vm_ids)] = vm_id;
		}
		fd = -1;
	}
	pthread_mutex_unlock(&tab.lock);
	if (fd >= 0)
		close(fd);
}

/* A random object of @kind (any kind if < 0): its fd, or -1. */
static int pick(struct worker *w, int kind, struct obj *out)
{
	int i, n = 0, idx[MAX_OBJS];

	pthread_mutex_lock(&tab.lock);
	for (i = 0; i < tab.n; i++)
		if (kind < 0 || tab.objs[i].kind == (enum kind)kind)
			idx[n++] = i;
	if (n)
		*out = tab.objs[idx[fuzz_below(&w->rng, n)]];
	pthread_mutex_unlock(&tab.lock);
	return n ? out->fd : -1;
}

/* Take a random object out of the table and close it. */
static void close_one(struct worker *w)
{
	int i, fd = -1;

	pthread_mutex_lock(&tab.lock);
	if (tab.n) {
		i = fuzz_below(&w->rng, tab.n);
		fd = tab.objs[i].fd;
		if (tab.objs[i].kind == VM)
			tab.vms--;
		tab.objs[i] = tab.objs[--tab.n];
	}
	pthread_mutex_unlock(&tab.lock);
	if (fd >= 0)
		close(fd);
}

/* Boundary values and random ones in @w's buffer. */
static void fill(struct worker *w)
{
	size_t i;

	for (i = 0; i < sizeof(w->buf); i += 8) {
		uint64_t v = fuzz_value(&w->rng);

		memcpy(w->buf + i, &v, 8);
	}
}

/* An argument pointer: mostly a random buffer, sometimes a bad one. */
static void *arg_ptr(struct worker *w, size_t len)
{
	fill(w);
	switch (fuzz_below(&w->rng, 16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return (void *)0xffff888000000000ULL;	/* the kernel's */
	case 3:
		/* the argument's end runs into the PROT_NONE page */
		return w->edge + PAGE - (len ? fuzz_below(&w->rng, len) : 0);
	default:
		return w->buf;
	}
}

static void count(struct worker *w, long r)
{
	w->calls++;
	if (r < 0)
		w->refused++;
}

static const unsigned long dev_cmds[] = {
	KHYP_GET_API_VERSION, KHYP_CREATE_VM, KHYP_GET_SUPPORTED_CPUID,
};
static const unsigned long vm_cmds[] = {
	KHYP_GET_VM_INFO, KHYP_SET_CPUID, KHYP_GET_CPUID, KHYP_CREATE_VCPU,
	KHYP_GET_VM_STATE, KHYP_SET_TOPOLOGY, KHYP_GET_TOPOLOGY,
};
static const unsigned long vcpu_cmds[] = {
	KHYP_GET_REGS, KHYP_SET_REGS, KHYP_GET_SREGS, KHYP_SET_SREGS,
	KHYP_VCPU_RUN, KHYP_VCPU_START, KHYP_VCPU_STOP, KHYP_VCPU_GET_STATE,
	KHYP_VCPU_GET_STATS,
};

/* A command of @cmds, or now and then any khyp-looking number. */
static unsigned long rnd_cmd(struct worker *w, const unsigned long *cmds,
			     size_t n)
{
	if (fuzz_below(&w->rng, 8))
		return cmds[fuzz_below(&w->rng, n)];
	return _IOC(fuzz_below(&w->rng, 4), fuzz_below(&w->rng, 8) ? KHYPIO :
		    fuzz_below(&w->rng, 256), fuzz_below(&w->rng, 0x40),
		    fuzz_below(&w->rng, 8) ? fuzz_below(&w->rng, 512) :
					     fuzz_below(&w->rng, 1 << 14));
}

static void op_create_vm(struct worker *w)
{
	static const uint64_t sizes[] = { 0, 1, PAGE, (1 << 20) - PAGE,
					  1 << 20, (1 << 20) + 1, 2 << 20,
					  16 << 20, 64ULL << 30, ~0ULL };
	struct khyp_vm_config cfg;
	struct khyp_vm_info info;
	struct obj dev;
	int fd;

	if (pick(w, DEV, &dev) < 0 || tab.vms >= MAX_VMS)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.mem_size = fuzz_below(&w->rng, 4) ? (fuzz_below(&w->rng, 16) + 1) << 20 :
		       sizes[fuzz_below(&w->rng, ARRAY_SIZE(sizes))];
	cfg.flags = fuzz_below(&w->rng, 4) ? fuzz_below(&w->rng, 2) :
		    fuzz_value(&w->rng);
	cfg.max_vcpus = fuzz_below(&w->rng, 4) ? 1 + fuzz_below(&w->rng, 8) :
			fuzz_value(&w->rng);
	if (fuzz_below(&w->rng, 4))
		snprintf(cfg.name, sizeof(cfg.name), "fz%u",
			 fuzz_below(&w->rng, 1000));
	else
		memset(cfg.name, 'a' + fuzz_below(&w->rng, 26),
		       sizeof(cfg.name));	/* no NUL */
	if (!fuzz_below(&w->rng, 8))
		cfg.reserved[fuzz_below(&w->rng, 4)] = fuzz_value(&w->rng);
	fd = ioctl(dev.fd, KHYP_CREATE_VM, &cfg);
	count(w, fd);
	if (fd < 0)
		return;
	info.id = 0;
	ioctl(fd, KHYP_GET_VM_INFO, &info);
	add_obj(fd, VM, info.id);
}

static void op_create_vcpu(struct worker *w)
{
	struct khyp_vcpu_config cfg = {};
	struct obj vm;
	int fd;

	if (pick(w, VM, &vm) < 0)
		return;
	cfg.id = fuzz_below(&w->rng, 4) ? fuzz_below(&w->rng, 8) :
		 fuzz_value(&w->rng);
	cfg.apic_id = fuzz_below(&w->rng, 2) ? cfg.id : fuzz_value(&w->rng);
	cfg.flags = fuzz_below(&w->rng, 2) ? fuzz_below(&w->rng, 2) :
		    fuzz_value(&w->rng);
	if (!fuzz_below(&w->rng, 8))
		cfg.reserved[fuzz_below(&w->rng, 2)] = fuzz_value(&w->rng);
	fd = ioctl(vm.fd, KHYP_CREATE_VCPU, &cfg);
	count(w, fd);
	if (fd >= 0)
		add_obj(fd, VCPU, vm.vm_id);
}

static void op_ioctl(struct worker *w, int kind)
{
	static const struct { const unsigned long *cmds; size_t n; } sets[] = {
		[DEV] = { dev_cmds, ARRAY_SIZE(dev_cmds) },
		[VM] = { vm_cmds, ARRAY_SIZE(vm_cmds) },
		[VCPU] = { vcpu_cmds, ARRAY_SIZE(vcpu_cmds) },
	};
	/* nent: in bounds, at the limit, past it, absurd */
	static const uint32_t nents[] = { 0, 1, 7, KHYP_MAX_CPUID_ENTRIES,
					  KHYP_MAX_CPUID_ENTRIES + 1, ~0U };
	unsigned long cmd = rnd_cmd(w, sets[kind].cmds, sets[kind].n);
	struct khyp_cpuid *cpuid;
	struct obj o;
	void *arg;

	if (pick(w, kind, &o) < 0)
		return;
	/* Objects are made by op_create_*, where they are counted. */
	if (cmd == KHYP_CREATE_VM || cmd == KHYP_CREATE_VCPU)
		return;
	arg = arg_ptr(w, _IOC_SIZE(cmd));
	if (arg == w->buf && (cmd == KHYP_SET_CPUID || cmd == KHYP_GET_CPUID ||
			      cmd == KHYP_GET_SUPPORTED_CPUID)) {
		cpuid = arg;
		cpuid->nent = nents[fuzz_below(&w->rng, ARRAY_SIZE(nents))];
		if (cpuid->nent * sizeof(cpuid->entries[0]) + sizeof(*cpuid) >
		    sizeof(w->buf))
			arg = w->edge + PAGE - sizeof(*cpuid) -
			      fuzz_below(&w->rng, 4) * sizeof(cpuid->entries[0]);
		memcpy(arg, cpuid, sizeof(*cpuid));
	}
	count(w, ioctl(o.fd, cmd, arg));
}

/* mmap a VM's memory (random length, offset, protection) and touch it. */
static void op_mmap(struct worker *w)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_NONE, PROT_EXEC };
	size_t len = (fuzz_below(&w->rng, 8) ? fuzz_below(&w->rng, 64) + 1 :
		      fuzz_below(&w->rng, 1 << 16) + 1) * PAGE;
	off_t off = fuzz_below(&w->rng, 4) ? 0 : (off_t)fuzz_value(&w->rng) & ~(PAGE - 1);
	int prot = prots[fuzz_below(&w->rng, 4)];
	struct obj vm;
	uint8_t *p;
	size_t i;

	if (pick(w, VM, &vm) < 0)
		return;
	p = mmap(NULL, len, prot, fuzz_below(&w->rng, 4) ? MAP_SHARED :
		 MAP_PRIVATE, vm.fd, off);
	count(w, p == MAP_FAILED ? -1 : 0);
	if (p == MAP_FAILED)
		return;
	/* Beyond the VM's memory is SIGBUS, rightly: on_fault ends it. */
	if (prot & PROT_WRITE && !sigsetjmp(touch_jb, 1)) {
		touching = 1;
		for (i = 0; i < len && i < (1 << 20); i += PAGE)
			p[i + fuzz_below(&w->rng, PAGE)] = fuzz_rnd(&w->rng);
	}
	touching = 0;
	if (w->nr_maps == MAX_MAPS || fuzz_below(&w->rng, 2)) {
		munmap(p, len);
		return;
	}
	/* Kept: the VM outlives its fd until this goes. */
	w->maps[w->nr_maps].addr = p;
	w->maps[w->nr_maps++].len = len;
}

static void op_munmap(struct worker *w)
{
	int i;

	if (!w->nr_maps)
		return;
	i = fuzz_below(&w->rng, w->nr_maps);
	munmap(w->maps[i].addr, w->maps[i].len);
	w->maps[i] = w->maps[--w->nr_maps];
}

/* The console: read and write with odd sizes, non-blocking. */
static void op_console(struct worker *w)
{
	size_t len = fuzz_below(&w->rng, 2) ? fuzz_below(&w->rng, 64) :
		     fuzz_below(&w->rng, sizeof(w->buf));
	struct obj vm;

	if (pick(w, VM, &vm) < 0)
		return;
	fcntl(vm.fd, F_SETFL, O_NONBLOCK);
	if (fuzz_below(&w->rng, 2))
		count(w, read(vm.fd, arg_ptr(w, len), len));
	else
		count(w, write(vm.fd, arg_ptr(w, len), len));
}

/* A "khyp" netlink command with random attributes, maybe a live VM's. */
static void op_netlink(struct worker *w)
{
	struct tgenl_msg m;
	uint8_t cmd;
	uint32_t vm_id;
	char str[40];
	int i, n;

	cmd = fuzz_below(&w->rng, 8) ? 1 + fuzz_below(&w->rng, KHYP_CMD_MAX) :
	      fuzz_below(&w->rng, 256);
	tgenl_start(&w->nl, &m, cmd, fuzz_below(&w->rng, 3) ? 0 : NLM_F_DUMP);
	pthread_mutex_lock(&tab.lock);
	vm_id = tab.nr_ids ? tab.vm_ids[fuzz_below(&w->rng, tab.nr_ids <
			ARRAY_SIZE(tab.vm_ids) ? tab.nr_ids :
			ARRAY_SIZE(tab.vm_ids))] : 0;
	pthread_mutex_unlock(&tab.lock);
	if (fuzz_below(&w->rng, 4))
		tgenl_put_u32(&m, KHYP_A_VM_ID, fuzz_below(&w->rng, 8) ?
			      vm_id : fuzz_value(&w->rng));
	for (n = fuzz_below(&w->rng, 6); n; n--) {
		uint16_t type = fuzz_below(&w->rng, 8) ?
				1 + fuzz_below(&w->rng, KHYP_A_MAX) :
				fuzz_below(&w->rng, 1 << 16);

		switch (fuzz_below(&w->rng, 5)) {
		case 0:	/* a u32 that is a boundary */
			tgenl_put_u32(&m, type, fuzz_value(&w->rng));
			break;
		case 1:	/* a device id, valid-looking or not */
			snprintf(str, sizeof(str), "%s%u",
				 fuzz_below(&w->rng, 2) ? "cpu" : "-",
				 fuzz_below(&w->rng, 8));
			tgenl_put_str(&m, type, str);
			break;
		case 2:	/* a string without its NUL, or too long */
			i = fuzz_below(&w->rng, sizeof(str));
			memset(str, 'x', i);
			tgenl_put(&m, type, str, i);
			break;
		case 3:	/* a nest with garbage inside */
			fill(w);
			tgenl_put(&m, type | NLA_F_NESTED, w->buf,
				  fuzz_below(&w->rng, 64));
			break;
		default: /* any length */
			tgenl_put(&m, type, w->buf, fuzz_below(&w->rng, 16));
			break;
		}
	}
	count(w, tgenl_call(&w->nl, &m));
}

static void op_open(struct worker *w)
{
	int fd = khyp_open();

	count(w, fd);
	if (fd >= 0)
		add_obj(fd, DEV, 0);
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		switch (fuzz_below(&w->rng, 24)) {
		case 0:
			op_open(w);
			break;
		case 1:
		case 2:
			op_create_vm(w);
			break;
		case 3:
		case 4:
			op_create_vcpu(w);
			break;
		case 5:
			close_one(w);
			break;
		case 6:
			op_ioctl(w, DEV);
			break;
		case 7:
		case 8:
		case 9:
			op_ioctl(w, VM);
			break;
		case 10:
		case 11:
		case 12:
		case 13:
		case 14:
			op_ioctl(w, VCPU);
			break;
		case 15:
			op_mmap(w);
			break;
		case 16:
			op_munmap(w);
			break;
		case 17:
			op_console(w);
			break;
		default:
			op_netlink(w);
			break;
		}
	}
	return NULL;
}

static void on_signal(int sig)
{
}

static void on_fault(int sig)
{
	if (!touching) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	siglongjmp(touch_jb, 1);
}

static bool fuzz_seed(uint64_t seed, double seconds, uint64_t *calls,
		      uint64_t *refused)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no restart */
	struct worker w[2];
	double start = now_sec(), end = start + seconds;
	bool ok = true;
	int i;

	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_fault;
	sigaction(SIGBUS, &sa, NULL);
	stop = 0;
	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].rng = seed + i;
		w[i].edge = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w[i].edge == MAP_FAILED ||
		    mprotect(w[i].edge + PAGE, PAGE, PROT_NONE) ||
		    tgenl_open(&w[i].nl)) {
			ksft_print_msg("worker setup: %s\n", strerror(errno));
			return false;
		}
		pthread_create(&w[i].thread, NULL, worker_fn, &w[i]);
	}
	/* Interrupt the waits; after the deadline, give the calls 20 s. */
	while (now_sec() < end + 20) {
		if (now_sec() >= end)
			stop = 1;
		for (i = 0; i < 2; i++)
			if (w[i].thread)
				pthread_kill(w[i].thread, SIGUSR1);
		usleep(5000);
		for (i = 0; i < 2 && stop; i++)
			if (w[i].thread && !pthread_tryjoin_np(w[i].thread, NULL))
				w[i].thread = 0;
		if (stop && !w[0].thread && !w[1].thread)
			break;
	}
	for (i = 0; i < 2; i++) {
		if (w[i].thread) {
			ksft_print_msg("worker %d hung in a call\n", i);
			return false;	/* its fds stay: the baseline fails */
		}
		while (w[i].nr_maps)
			op_munmap(&w[i]);
		tgenl_close(&w[i].nl);
		munmap(w[i].edge, 2 * PAGE);
		*calls += w[i].calls;
		*refused += w[i].refused;
	}
	while (tab.n)
		close_one(&w[0]);
	ksft_print_msg("seed %#llx: %.0f s, %llu calls, %llu refused\n",
		       (unsigned long long)seed, now_sec() - start,
		       (unsigned long long)(w[0].calls + w[1].calls),
		       (unsigned long long)(w[0].refused + w[1].refused));
	return ok;
}

int main(int argc, char **argv)
{
	uint64_t seeds[FUZZ_MAX_SEEDS], calls = 0, refused = 0;
	int n = fuzz_seeds(argc, argv, seeds), i;
	double seconds = fuzz_seconds(), start = now_sec();
	struct fuzz_baseline base;

	ksft_print_header();
	ksft_set_plan(n + 1);
	if (fuzz_baseline(&base))
		ksft_exit_fail_msg("no khyp module stats\n");
	for (i = 0; i < n; i++)
		ksft_test_result(fuzz_seed(seeds[i], seconds, &calls, &refused),
				 "ioctl_fuzz seed %#llx\n",
				 (unsigned long long)seeds[i]);
	ksft_test_result(fuzz_back_to(&base, 10000),
			 "module back to its baseline\n");
	ksft_print_msg("ioctl_fuzz: %llu calls (%llu refused) in %.0f s\n",
		       (unsigned long long)calls, (unsigned long long)refused,
		       now_sec() - start);
	ksft_finished();
}
