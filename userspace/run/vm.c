// SPDX-License-Identifier: GPL-2.0
/*
 * One VM's life: KHYP_CREATE_VM, guest memory, CPUID and topology, the
 * boot image, the vCPUs and their runner threads, and the teardown.  A
 * guest reset makes a new VM the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "acpi.h"
#include "cpuid.h"
#include "layout.h"
#include "multiboot.h"
#include "run.h"

/* ---- vCPU runner threads ---- */

/*
 * Every vCPU runs on its own in the kernel (KHYP_VCPU_START).  A runner
 * thread per vCPU still waits in KHYP_VCPU_RUN, to serve the ports the VM
 * hands to userspace (userdev.c), to answer MMIO no device claims (reads
 * return all ones, writes are dropped, as on a PC bus) and to report a
 * vCPU that stopped for good.
 */
static void *vcpu_runner(void *arg)
{
	struct vcpu *v = arg;
	struct vcpu_event ev;
	struct khyp_exit exit;
	bool report;
	int r;

	memset(&exit, 0, sizeof(exit));
	while (!v->vm->stopping) {
		/*
		 * Answer every MMIO read with all ones, whatever its size
		 * (the module masks it): an answer left over from an earlier
		 * exit is then also right for a later one, even after an
		 * EINTR.  A port read keeps userdev_io()'s answer.
		 */
		exit.mmio.data = ~0ULL;
		if (ioctl(v->fd, KHYP_VCPU_RUN, &exit) < 0) {
			if (errno == EINTR)
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.vcpu = v->id;
			ev.err = errno;
			pipe_notify(v->vm->event_pipe[1], &ev, sizeof(ev));
			break;
		}
		switch (exit.reason) {
		case KHYP_EXIT_IO:
			r = userdev_io(&v->vm->dev, exit.io.port, exit.io.size,
				       exit.io.is_write, &exit.io.data);
			if (!r)
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.vcpu = v->id;
			if (r > 0)
				ev.debug_exit = r;
			else
				ev.err = -r;
			pipe_notify(v->vm->event_pipe[1], &ev, sizeof(ev));
			v->done = true;
			return NULL;
		case KHYP_EXIT_MMIO:	/* answered above */
		case KHYP_EXIT_NONE:
			continue;
		case KHYP_EXIT_STOPPED:	/* by us, or the VM is going away */
			report = false;
			break;
		default:	/* shutdown, entry failure, system event */
			report = true;
			break;
		}
		if (report) {
			memset(&ev, 0, sizeof(ev));
			ev.vcpu = v->id;
			ev.reason = exit.reason;
			ev.exit = exit;
			pipe_notify(v->vm->event_pipe[1], &ev, sizeof(ev));
		}
		break;
	}
	v->done = true;
	return NULL;
}

/* ---- VM life cycle ---- */

void vm_destroy(struct vm *vm)
{
	unsigned int i, tries;
	bool all;

	vm->stopping = true;
	/* Kick runners out of KHYP_VCPU_RUN until all have returned. */
	for (tries = 0; tries < 500; tries++) {
		all = true;
		for (i = 0; i < vm->nr_vcpus; i++) {
			if (!vm->vcpus[i].thread_started || vm->vcpus[i].done)
				continue;
			all = false;
			pthread_kill(vm->vcpus[i].thread, SIGUSR1);
		}
		if (all)
			break;
		usleep(10000);
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->fd >= 0)
			ioctl(v->fd, KHYP_VCPU_STOP);
		if (v->thread_started && v->done)
			pthread_join(v->thread, NULL);
		else if (v->thread_started)
			pthread_detach(v->thread);	/* stuck: leave it */
		if (v->fd >= 0 && (!v->thread_started || v->done))
			close(v->fd);
		v->fd = -1;
		v->thread_started = false;
	}
	vm->nr_vcpus = 0;
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	if (vm->dev_ready)
		userdev_destroy(&vm->dev);
	vm->dev_ready = false;
	if (vm->event_pipe[0] >= 0) {
		close(vm->event_pipe[0]);
		close(vm->event_pipe[1]);
	}
	vm->event_pipe[0] = vm->event_pipe[1] = -1;
}

static int vm_set_cpuid(struct vm *vm, const struct run_config *cfg)
{
	const unsigned int cap = KHYP_MAX_CPUID_ENTRIES;
	struct khyp_cpuid *c;
	char msg[512];

	c = calloc(1, sizeof(*c) + cap * sizeof(c->entries[0]));
	if (!c) {
		error("out of memory");
		return -1;
	}
	c->nent = cap;
	if (ioctl(vm->dev_fd, KHYP_GET_SUPPORTED_CPUID, c) < 0) {
		error("KHYP_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		return -1;
	}
	if (cpuid_filter(c, cap, cfg, warn_report, msg, sizeof(msg))) {
		error("%s", msg);
		free(c);
		return -1;
	}
	if (ioctl(vm->fd, KHYP_SET_CPUID, c) < 0) {
		error("KHYP_SET_CPUID: %s", strerror(errno));
		free(c);
		return -1;
	}
	free(c);
	return 0;
}

/* The -smp topology and -cpu name, for the hotplug slots and QMP. */
static int vm_set_topology(struct vm *vm, const struct run_config *cfg)
{
	struct khyp_topology t;

	memset(&t, 0, sizeof(t));
	t.sockets = cfg->smp.sockets;
	t.dies = cfg->smp.dies;
	t.cores = cfg->smp.cores;
	t.threads = cfg->smp.threads;
	snprintf(t.model, sizeof(t.model), "%s", cfg->cpu_model);
	if (ioctl(vm->fd, KHYP_SET_TOPOLOGY, &t) < 0) {
		error("KHYP_SET_TOPOLOGY (%u sockets, %u dies, %u cores, %u threads, %s): %s",
		      t.sockets, t.dies, t.cores, t.threads, t.model,
		      strerror(errno));
		return -1;
	}
	return 0;
}

static int vm_create_vcpus(struct vm *vm, const struct run_config *cfg,
			   const struct khyp_regs *regs,
			   const struct khyp_sregs *sregs)
{
	struct khyp_vcpu_config vc;
	unsigned int i;
	struct vcpu *v;

	for (i = 0; i < cfg->smp.cpus; i++) {
		v = &vm->vcpus[i];
		memset(&vc, 0, sizeof(vc));
		vc.id = i;
		vc.apic_id = topo_apic_id(&cfg->smp, i);
		vc.flags = i ? KHYP_VCPU_WAIT_SIPI : 0;
		v->vm = vm;
		v->id = i;
		v->done = false;
		v->fd = ioctl(vm->fd, KHYP_CREATE_VCPU, &vc);
		if (v->fd < 0) {
			error("KHYP_CREATE_VCPU %u: %s", i, strerror(errno));
			return -1;
		}
		fcntl(v->fd, F_SETFD, FD_CLOEXEC);
		vm->nr_vcpus = i + 1;
		if (i)
			continue;
		if (ioctl(v->fd, KHYP_SET_REGS, regs) < 0 ||
		    ioctl(v->fd, KHYP_SET_SREGS, sregs) < 0) {
			error("vCPU 0: setting the boot registers: %s",
			      strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int vm_start(struct vm *vm)
{
	unsigned int i;
	int r;

	/* The BSP first; the others stay parked until the guest's SIPI. */
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (ioctl(v->fd, KHYP_VCPU_START) < 0) {
			error("KHYP_VCPU_START %u: %s", i, strerror(errno));
			return -1;
		}
		r = pthread_create(&v->thread, NULL, vcpu_runner, v);
		if (r) {
			error("vCPU %u thread: %s", i, strerror(r));
			return -1;
		}
		v->thread_started = true;
	}
	return 0;
}

static int vm_irq_line(void *opaque, unsigned int gsi, int level)
{
	struct vm *vm = opaque;
	struct khyp_irq_level irq = { .gsi = gsi, .level = level };

	return ioctl(vm->fd, KHYP_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

/* The ports userdev.c serves, handed to userspace before any vCPU. */
static int vm_set_user_io(struct vm *vm)
{
	struct khyp_user_io uio;
	char ranges[256];
	unsigned int i;
	size_t n = 0;

	userdev_ranges(&vm->dev, &uio);
	if (!ioctl(vm->fd, KHYP_SET_USER_IO, &uio))
		return 0;
	for (i = 0; i < uio.nr && n < sizeof(ranges); i++)
		n += snprintf(ranges + n, sizeof(ranges) - n, " 0x%x-0x%x",
			      uio.ranges[i].base,
			      uio.ranges[i].base + uio.ranges[i].len - 1);
	error("KHYP_SET_USER_IO (ports%s): %s%s", ranges, strerror(errno),
	      errno == EEXIST ? " (a device of the module has one)" : "");
	return -1;
}

/* Guest memory for the kernel's boot protocol, and the BSP at its entry. */
static int vm_layout(struct vm *vm, struct launch *ln,
		     struct khyp_regs *regs, struct khyp_sregs *sregs)
{
	const struct run_config *cfg = &ln->cfg;
	struct acpi_config ac = { .topo = &cfg->smp,
				  .cpu_sta = ACPI_CPU_STA_HOTPLUG };
	struct acpi_layout al;
	struct boot_input in;
	struct boot_layout bl;
	struct mb_layout ml;
	char err[512];
	int r;

	memset(&in, 0, sizeof(in));
	in.kernel_name = cfg->kernel;
	in.kernel = ln->kernel.data;
	in.kernel_size = ln->kernel.size;
	in.initrd_name = cfg->initrd;
	in.initrd = cfg->initrd ? ln->initrd.data : NULL;
	in.initrd_size = ln->initrd.size;
	in.cmdline = ln->cmdline;
	in.ram_size = cfg->mem_size;
	if (ln->multiboot) {
		r = guest_memory_layout_multiboot(vm->mem, vm->mem_size, &ac,
						  &in, &ml, &al, err,
						  sizeof(err));
		if (!r)
			multiboot_cpu_state(&ml, regs, sregs);
	} else {
		r = guest_memory_layout(vm->mem, vm->mem_size, &ac, &in, &bl,
					&al, err, sizeof(err));
		if (!r)
			boot_cpu_state(&bl, regs, sregs);
	}
	if (r)
		error("%s", err);
	return r;
}

int vm_boot(struct vm *vm, struct launch *ln)
{
	const struct run_config *cfg = &ln->cfg;
	struct khyp_vm_config vc;
	struct khyp_sregs sregs;
	struct khyp_regs regs;
	int flags;

	memset(&vc, 0, sizeof(vc));
	vc.mem_size = guest_backing_size(cfg->mem_size);
	vc.flags = KHYP_VM_PLATFORM | (cfg->no_pit ? KHYP_VM_NO_PIT : 0);
	vc.max_vcpus = cfg->smp.maxcpus;
	memcpy(vc.name, cfg->name, strnlen(cfg->name, sizeof(vc.name) - 1));

	if (pipe2(vm->event_pipe, O_CLOEXEC | O_NONBLOCK)) {
		error("pipe: %s", strerror(errno));
		return -1;
	}
	vm->fd = ioctl(vm->dev_fd, KHYP_CREATE_VM, &vc);
	if (vm->fd < 0 && errno == EBUSY) {
		/* The module found EFER.SVME set (its log names the CPU). */
		error("AMD-V is owned by another hypervisor (kvm_amd?): rmmod kvm_amd, or load kvm with enable_virt_at_load=0");
		return -1;
	}
	if (vm->fd < 0) {
		error("KHYP_CREATE_VM (%llu MiB, %u vCPUs): %s",
		      (unsigned long long)(vc.mem_size >> 20), vc.max_vcpus,
		      strerror(errno));
		return -1;
	}
	fcntl(vm->fd, F_SETFD, FD_CLOEXEC);
	userdev_init(&vm->dev, cfg, vm_irq_line, vm);
	vm->dev_ready = true;
	flags = fcntl(vm->fd, F_GETFL);
	fcntl(vm->fd, F_SETFL, flags | O_NONBLOCK);

	vm->mem_size = vc.mem_size;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		error("mmap of guest memory: %s", strerror(errno));
		return -1;
	}

	if (vm_set_cpuid(vm, cfg) || vm_set_topology(vm, cfg) ||
	    vm_set_user_io(vm) || vm_layout(vm, ln, &regs, &sregs) ||
	    vm_create_vcpus(vm, cfg, &regs, &sregs))
		return -1;
	if (qmpd_start(vm, cfg))
		return -1;
	return vm_start(vm);
}
