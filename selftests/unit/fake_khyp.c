// SPDX-License-Identifier: GPL-2.0
/*
 * fake_khyp.c - an LD_PRELOAD stand-in for /dev/khyp, to test khyp-run's
 * main loop where khyp.ko cannot run.
 *
 * open("/dev/khyp") gets a descriptor of /dev/null; KHYP_CREATE_VM a
 * socketpair end, so khyp-run's read/write/poll on the VM fd work for
 * real, with a "guest" thread on the other end; its memory is an
 * anonymous shared mapping.  vCPU fds are eventfds: KHYP_VCPU_RUN blocks
 * in poll() (EINTR on a signal) until KHYP_VCPU_STOP.  Every call is
 * logged to $FAKE_KHYP_LOG, with a look into guest memory when vCPU 0's
 * registers are set (boot_params, command line).
 *
 * The guest prints "FAKE-GUEST-UP boot=N" and answers console lines:
 *   poweroff / reset   set that VM state
 *   triple             SHUTDOWN by vCPU 1
 *   anything else      echoed back as "got:<line>"
 * and powers off by itself after $FAKE_KHYP_POWEROFF seconds if set.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/khyp.h>

#define MAX_FDS 1024

static int dev_fd = -1, vm_fd = -1, guest_fd = -1;
static int vcpu_id_of_fd[MAX_FDS];
static unsigned int boots;
static struct khyp_vm_state state;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *mem;
static size_t mem_size;

static void logf_(const char *fmt, ...)
{
	const char *path = getenv("FAKE_KHYP_LOG");
	va_list ap;
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static int real_open(const char *path, int flags, mode_t mode)
{
	static int (*fn)(const char *, int, ...);

	if (!fn)
		fn = dlsym(RTLD_NEXT, "open");
	return fn(path, flags, mode);
}

static void set_state(uint32_t s, uint32_t vcpu)
{
	pthread_mutex_lock(&lock);
	state.state = s;
	state.vcpu = vcpu;
	pthread_mutex_unlock(&lock);
}

static void *auto_poweroff(void *arg)
{
	usleep(atof(getenv("FAKE_KHYP_POWEROFF")) * 1e6);
	set_state(KHYP_VM_POWEROFF, 0);
	return arg;
}

static void *guest(void *arg)
{
	int fd = (int)(long)arg;
	char line[256], out[300];
	size_t len = 0;
	ssize_t r;
	char c;

	if (getenv("FAKE_KHYP_POWEROFF")) {
		pthread_t t;

		pthread_create(&t, NULL, auto_poweroff, NULL);
		pthread_detach(t);
	}
	snprintf(out, sizeof(out), "FAKE-GUEST-UP boot=%u\r\n", boots);
	if (write(fd, out, strlen(out)) < 0)
		return NULL;
	while ((r = read(fd, &c, 1)) == 1) {
		if (c != '\n' && c != '\r') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (!strcmp(line, "poweroff")) {
			set_state(KHYP_VM_POWEROFF, 0);
		} else if (!strcmp(line, "reset")) {
			set_state(KHYP_VM_RESET, 0);
		} else if (!strcmp(line, "triple")) {
			set_state(KHYP_VM_SHUTDOWN, 1);
		} else if (line[0]) {
			snprintf(out, sizeof(out), "got:%s\r\n", line);
			if (write(fd, out, strlen(out)) < 0)
				break;
		}
	}
	close(fd);
	return NULL;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!strcmp(path, "/dev/khyp")) {
		dev_fd = real_open("/dev/null", O_RDWR | O_CLOEXEC, 0);
		logf_("%s /dev/khyp", __func__);
		return dev_fd;
	}
	return real_open(path, flags, mode);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*fn)(void *, size_t, int, int, int, off_t);

	if (!fn)
		fn = dlsym(RTLD_NEXT, "mmap");
	if (fd >= 0 && fd == vm_fd) {
		mem = fn(NULL, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		mem_size = len;
		logf_("%s len=%zu off=%lld", __func__, len, (long long)off);
		return mem;
	}
	return fn(addr, len, prot, flags, fd, off);
}

static int dev_ioctl(unsigned long req, void *arg)
{
	struct khyp_vm_config *vc = arg;
	struct khyp_cpuid *c = arg;
	pthread_t t;
	int sv[2];

	switch (req) {
	case KHYP_GET_API_VERSION:
		return KHYP_API_VERSION;
	case KHYP_GET_SUPPORTED_CPUID:
		logf_("GET_SUPPORTED_CPUID cap=%u", c->nent);
		c->nent = 1;
		memset(&c->entries[0], 0, sizeof(c->entries[0]));
		c->entries[0].eax = 0xd;
		return 0;
	case KHYP_CREATE_VM:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return -1;
		boots++;
		vm_fd = sv[0];
		guest_fd = sv[1];
		set_state(KHYP_VM_RUNNING, 0);
		logf_("CREATE_VM mem=%llu flags=%u max_vcpus=%u name=%.32s",
		      (unsigned long long)vc->mem_size, vc->flags,
		      vc->max_vcpus, vc->name);
		pthread_create(&t, NULL, guest, (void *)(long)guest_fd);
		pthread_detach(t);
		return vm_fd;
	}
	errno = ENOTTY;
	return -1;
}

static int vm_ioctl(unsigned long req, void *arg)
{
	struct khyp_vcpu_config *vc = arg;
	struct khyp_vm_info *info = arg;
	struct khyp_cpuid *c = arg;
	int fd;

	switch (req) {
	case KHYP_SET_CPUID:
		logf_("SET_CPUID nent=%u", c->nent);
		return 0;
	case KHYP_SET_TOPOLOGY: {
		struct khyp_topology *t = arg;

		logf_("SET_TOPOLOGY %u/%u/%u/%u model=%.48s", t->sockets,
		      t->dies, t->cores, t->threads, t->model);
		return 0;
	}
	case KHYP_SET_USER_IO: {
		struct khyp_user_io *u = arg;
		unsigned int i;

		for (i = 0; i < u->nr; i++)
			logf_("SET_USER_IO 0x%x+%u", u->ranges[i].base,
			      u->ranges[i].len);
		return 0;
	}
	case KHYP_GET_VM_INFO:
		memset(info, 0, sizeof(*info));
		info->id = 7;
		return 0;
	case KHYP_GET_VM_STATE:
		pthread_mutex_lock(&lock);
		memcpy(arg, &state, sizeof(state));
		pthread_mutex_unlock(&lock);
		return 0;
	case KHYP_CREATE_VCPU:
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0 || fd >= MAX_FDS)
			return -1;
		vcpu_id_of_fd[fd] = vc->id + 1;
		logf_("CREATE_VCPU id=%u apic=%u flags=%u", vc->id, vc->apic_id,
		      vc->flags);
		return fd;
	}
	errno = ENOTTY;
	return -1;
}

static int vcpu_ioctl(int fd, unsigned long req, void *arg)
{
	unsigned int id = vcpu_id_of_fd[fd] - 1;
	struct khyp_sregs *sr = arg;
	struct khyp_regs *r = arg;
	struct khyp_exit *e = arg;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t v = 1;
	uint32_t cmd;

	switch (req) {
	case KHYP_SET_REGS:
		logf_("SET_REGS vcpu=%u rip=0x%llx rsi=0x%llx rflags=0x%llx",
		      id, (unsigned long long)r->rip,
		      (unsigned long long)r->rsi,
		      (unsigned long long)r->rflags);
		if (mem && r->rsi + 4096 <= mem_size) {
			memcpy(&cmd, mem + r->rsi + 0x228, 4);
			logf_("bootparams HdrS=%d loader=0x%x cmdline=%s",
			      !memcmp(mem + r->rsi + 0x202, "HdrS", 4),
			      mem[r->rsi + 0x210], (char *)mem + cmd);
		}
		return 0;
	case KHYP_SET_SREGS:
		logf_("SET_SREGS vcpu=%u cs=0x%x ds=0x%x cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx",
		      id, sr->cs.selector, sr->ds.selector,
		      (unsigned long long)sr->cr0,
		      (unsigned long long)sr->cr3,
		      (unsigned long long)sr->cr4,
		      (unsigned long long)sr->efer);
		return 0;
	case KHYP_VCPU_START:
		logf_("START vcpu=%u", id);
		return 0;
	case KHYP_VCPU_STOP:
		logf_("STOP vcpu=%u", id);
		return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
	case KHYP_VCPU_RUN:
		if (poll(&pfd, 1, -1) < 0)
			return -1;	/* EINTR */
		memset(e, 0, sizeof(*e));
		e->reason = KHYP_EXIT_STOPPED;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*fn)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fn)
		fn = dlsym(RTLD_NEXT, "ioctl");
	if (fd >= 0 && fd == dev_fd)
		return dev_ioctl(req, arg);
	if (fd >= 0 && fd == vm_fd)
		return vm_ioctl(req, arg);
	if (fd >= 0 && fd < MAX_FDS && vcpu_id_of_fd[fd])
		return vcpu_ioctl(fd, req, arg);
	return fn(fd, req, arg);
}

int close(int fd)
{
	static int (*fn)(int);

	if (!fn)
		fn = dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd < MAX_FDS && vcpu_id_of_fd[fd]) {
		logf_("%s vcpu=%u", __func__, vcpu_id_of_fd[fd] - 1);
		vcpu_id_of_fd[fd] = 0;
	}
	if (fd >= 0 && fd == vm_fd) {
		logf_("%s vm", __func__);
		vm_fd = -1;
	}
	return fn(fd);
}
