// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include "khyp_test.h"

double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int khyp_open(void)
{
	return open("/dev/khyp", O_RDWR | O_CLOEXEC);
}

int tvm_create(struct tvm *vm, uint64_t mem_size, uint32_t max_vcpus,
	       uint32_t flags)
{
	struct khyp_vm_config cfg = {
		.mem_size = mem_size,
		.max_vcpus = max_vcpus,
		.flags = flags,
		.name = "selftest",
	};

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->dev = khyp_open();
	if (vm->dev < 0)
		return -errno;
	vm->fd = ioctl(vm->dev, KHYP_CREATE_VM, &cfg);
	if (vm->fd < 0)
		return -errno;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		return -errno;
	}
	vm->mem_size = mem_size;
	return 0;
}

int tvm_set_cpuid(struct tvm *vm, uint32_t leaf1_ecx_clear)
{
	struct khyp_cpuid *c;
	uint32_t i;
	int err = 0;

	c = calloc(1, sizeof(*c) +
		   KHYP_MAX_CPUID_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = KHYP_MAX_CPUID_ENTRIES;
	if (ioctl(vm->dev, KHYP_GET_SUPPORTED_CPUID, c))
		err = -errno;
	for (i = 0; !err && i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx &= ~leaf1_ecx_clear;
	if (!err && ioctl(vm->fd, KHYP_SET_CPUID, c))
		err = -errno;
	free(c);
	return err;
}

void tvm_destroy(struct tvm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->dev >= 0)
		close(vm->dev);
	vm->mem = NULL;
	vm->fd = vm->dev = -1;
}

int tvcpu_create(struct tvm *vm, struct tvcpu *vcpu, uint32_t id)
{
	struct khyp_vcpu_config cfg = { .id = id, .apic_id = id };

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KHYP_CREATE_VCPU, &cfg);
	return vcpu->fd < 0 ? -errno : 0;
}

static void seg(struct khyp_segment *s, uint16_t sel, uint64_t base,
		uint32_t limit, uint16_t attrib)
{
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->attrib = attrib;
}

int tvcpu_set_real_mode(struct tvcpu *vcpu, uint64_t rip)
{
	struct khyp_sregs s;
	struct khyp_regs r = { .rip = rip, .rflags = 2, .rsp = 0x7000 };

	if (ioctl(vcpu->fd, KHYP_GET_SREGS, &s))
		return -errno;
	seg(&s.cs, 0, 0, 0xffff, 0x9b);
	seg(&s.ds, 0, 0, 0xffff, 0x93);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.idt.base = 0;
	s.idt.limit = 0x3ff;
	if (ioctl(vcpu->fd, KHYP_SET_SREGS, &s) ||
	    ioctl(vcpu->fd, KHYP_SET_REGS, &r))
		return -errno;
	return 0;
}

void tvm_write_long_mode_tables(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + TEST_PT_BASE);
	uint64_t *pdpt = (uint64_t *)(mem + TEST_PT_BASE + 0x1000);
	uint64_t *gdt = (uint64_t *)(mem + TEST_GDT_BASE);

	/* One 1 GiB page: identity map [0, 1 GiB) plus MMIO at 3.25 GiB. */
	pml4[0] = (TEST_PT_BASE + 0x1000) | 3;
	pdpt[0] = 0x83;
	pdpt[3] = (3ULL << 30) | 0x83 | 0x18;	/* uncached */
	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL;		/* 64-bit code, 0x08 */
	gdt[2] = 0x00cf93000000ffffULL;		/* data, 0x10 */
}

int tvcpu_set_long_mode(struct tvcpu *vcpu, uint64_t rip)
{
	struct khyp_sregs s;
	struct khyp_regs r = { .rip = rip, .rflags = 2,
			       .rsp = TEST_LM_STACK };

	tvm_write_long_mode_tables(vcpu->vm->mem);
	if (ioctl(vcpu->fd, KHYP_GET_SREGS, &s))
		return -errno;
	seg(&s.cs, 0x08, 0, 0xffffffff, 0xa9b);
	seg(&s.ds, 0x10, 0, 0xffffffff, 0xc93);
	TEST_LM_SREGS(&s);
	if (ioctl(vcpu->fd, KHYP_SET_SREGS, &s) ||
	    ioctl(vcpu->fd, KHYP_SET_REGS, &r))
		return -errno;
	return 0;
}

int tvcpu_start_long_mode(struct tvm *vm, struct tvcpu *vcpu, uint32_t id,
			  uint32_t apic_id, uint64_t arg, uint64_t rsp)
{
	struct khyp_vcpu_config cfg = { .id = id, .apic_id = apic_id };
	struct khyp_regs r;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KHYP_CREATE_VCPU, &cfg);
	if (vcpu->fd < 0 || tvcpu_set_long_mode(vcpu, TEST_GUEST_BASE) ||
	    tvcpu_get_regs(vcpu, &r))
		return -1;
	r.rdi = arg;
	if (rsp)
		r.rsp = rsp;
	return ioctl(vcpu->fd, KHYP_SET_REGS, &r) ||
	       ioctl(vcpu->fd, KHYP_VCPU_START) ? -1 : 0;
}

uint32_t tvm_wait_stopped(struct tvm *vm, int ms)
{
	struct khyp_vm_state st = { 0 };
	double end = now_sec() + ms / 1000.0;

	do {
		usleep(10000);
		if (ioctl(vm->fd, KHYP_GET_VM_STATE, &st))
			return KHYP_VM_RUNNING;
	} while (st.state == KHYP_VM_RUNNING && now_sec() < end);
	return st.state;
}

void tvm_load(struct tvm *vm, uint64_t gpa, const void *code, size_t len)
{
	memcpy(vm->mem + gpa, code, len);
}

int tvcpu_run(struct tvcpu *vcpu, struct khyp_exit *exit)
{
	return ioctl(vcpu->fd, KHYP_VCPU_RUN, exit) ? -errno : 0;
}

int tvcpu_get_regs(struct tvcpu *vcpu, struct khyp_regs *regs)
{
	return ioctl(vcpu->fd, KHYP_GET_REGS, regs) ? -errno : 0;
}

int tvcpu_set_arg(struct tvcpu *vcpu, uint64_t arg)
{
	struct khyp_regs r;
	int err = tvcpu_get_regs(vcpu, &r);

	if (err)
		return err;
	r.rdi = arg;
	return ioctl(vcpu->fd, KHYP_SET_REGS, &r) ? -errno : 0;
}

int tvcpu_ucall(struct tvcpu *vcpu, struct ucall *uc)
{
	struct khyp_exit e = {};
	uint64_t gpa;

	memset(uc, 0, sizeof(*uc));
	if (tvcpu_run(vcpu, &e))
		return UCALL_NONE;
	gpa = e.io.data;
	if (e.reason != KHYP_EXIT_IO || e.io.port != TEST_PORT_UCALL ||
	    !e.io.is_write || e.io.size != 4 ||
	    gpa > vcpu->vm->mem_size - sizeof(*uc)) {
		uc->args[0] = e.reason;
		return UCALL_NONE;
	}
	memcpy(uc, vcpu->vm->mem + gpa, sizeof(*uc));
	return uc->cmd;
}

const char *tvm_str(struct tvm *vm, uint64_t gpa)
{
	if (gpa >= vm->mem_size ||
	    !memchr(vm->mem + gpa, 0, vm->mem_size - gpa))
		return "";
	return (const char *)vm->mem + gpa;
}

int tvcpu_state(struct tvcpu *vcpu, struct khyp_vcpu_state *st)
{
	return ioctl(vcpu->fd, KHYP_VCPU_GET_STATE, st) ? -errno : 0;
}

int tvcpu_stats(struct tvcpu *vcpu, struct khyp_vcpu_stats *st)
{
	return ioctl(vcpu->fd, KHYP_VCPU_GET_STATS, st) ? -errno : 0;
}

int tvcpu_wait_state(struct tvcpu *vcpu, uint32_t state, int ms)
{
	double end = now_sec() + ms / 1000.0;
	struct khyp_vcpu_state st;

	do {
		if (tvcpu_state(vcpu, &st))
			return -errno;
		if (st.state == state)
			return 0;
		usleep(1000);
	} while (now_sec() < end);
	return -ETIMEDOUT;
}

int khyp_module_stats(long *vms, long *vcpus, long *pages)
{
	FILE *f = fopen("/sys/class/misc/khyp/stats", "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "vms %ld\nvcpus %ld\npages %ld", vms, vcpus, pages);
	fclose(f);
	return n == 3 ? 0 : -EINVAL;
}

int khyp_module_stats_settle(long *vms, long *vcpus, long *pages)
{
	double end = now_sec() + 10;

	do {
		if (khyp_module_stats(vms, vcpus, pages))
			return -1;
		if (!*vms && !*vcpus && !*pages)
			return 0;
		usleep(10000);
	} while (now_sec() < end);
	return 0;
}

#define TRACEFS "/sys/kernel/tracing"

int tracefs_mount(void)
{
	if (access(TRACEFS "/events", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return -1;
	return access(TRACEFS "/events/khyp", F_OK);
}

int tracefs_write(const char *name, const char *text)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

char *tracefs_read_trace(void)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *bigger;
	ssize_t n;
	int fd;

	fd = open(TRACEFS "/trace", O_RDONLY);
	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len > 4096)
			continue;
		bigger = realloc(buf, cap * 2);
		if (!bigger)
			break;
		buf = bigger;
		cap *= 2;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

int khyp_threads(void)
{
	char path[300], comm[32];
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc");
	FILE *f;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "khyp/", 5))
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}
