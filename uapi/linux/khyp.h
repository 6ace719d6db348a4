/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * khyp: a kernel-resident VMM.  The ioctl ABI of /dev/khyp and of the VM and
 * vCPU file descriptors it hands out.
 *
 * /dev/khyp
 *   KHYP_GET_API_VERSION  returns KHYP_API_VERSION.
 *   KHYP_CREATE_VM        struct khyp_vm_config in; returns a VM fd.
 *
 * VM fd
 *   mmap(offset 0, len <= mem_size)  guest physical memory from address 0.
 *   KHYP_GET_VM_INFO      struct khyp_vm_info out.
 *   KHYP_SET_CPUID        struct khyp_cpuid in: the CPUID table every vCPU
 *                         of the VM sees (leaves not listed read as zero).
 *   KHYP_GET_CPUID        struct khyp_cpuid in/out (nent in: capacity).
 *   KHYP_CREATE_VCPU      struct khyp_vcpu_config in; returns a vCPU fd.
 *   KHYP_GET_SUPPORTED_CPUID  what khyp can present (host-filtered).
 *   read()                the guest's serial console output (non-blocking
 *                         with O_NONBLOCK, poll() for POLLIN).
 *   write()               input to the guest's serial console.
 *   KHYP_GET_VM_STATE     struct khyp_vm_state out (running, powered off,
 *                         reset requested, shut down by a vCPU).
 *   KHYP_SET_TOPOLOGY     struct khyp_topology in: the CPU topology the
 *                         hotplug slots follow and the CPU model name QMP
 *                         reports.  Before the first vCPU only (EBUSY after).
 *   KHYP_GET_TOPOLOGY     struct khyp_topology out.
 *   KHYP_SET_USER_IO      struct khyp_user_io in (platform VMs): port
 *                         ranges that userspace serves; their accesses
 *                         stop the vCPU with KHYP_EXIT_IO.  Once, before
 *                         the first vCPU (EBUSY after).
 *   KHYP_IRQ_LINE         struct khyp_irq_level in (platform VMs): drive
 *                         an interrupt line (GSI) high or low, as a device
 *                         in userspace would.
 *
 * vCPU fd
 *   KHYP_GET_REGS / KHYP_SET_REGS     struct khyp_regs
 *   KHYP_GET_SREGS / KHYP_SET_SREGS   struct khyp_sregs
 *   KHYP_VCPU_RUN         resume the vCPU kthread and wait until it stops
 *                         with an exit that needs userspace (struct
 *                         khyp_exit out).  -EINTR on a signal: the vCPU keeps
 *                         running; call again to wait for it.
 *   KHYP_VCPU_START       resume the vCPU without waiting.
 *   KHYP_VCPU_STOP        ask the vCPU to stop and wait until it has.
 *   KHYP_VCPU_GET_STATE   struct khyp_vcpu_state out.
 *   KHYP_VCPU_GET_STATS   struct khyp_vcpu_stats out.
 *
 * Register and CPUID ioctls need the vCPU stopped (EBUSY otherwise).
 */
#ifndef _UAPI_LINUX_KHYP_H
#define _UAPI_LINUX_KHYP_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KHYP_API_VERSION	1
#define KHYP_DEVICE_NAME	"khyp"

#define KHYP_MAX_VCPUS		255
#define KHYP_MAX_CPUID_ENTRIES	128
#define KHYP_VM_NAME_LEN	32
/* Guest memory: at least 1 MiB, at most 64 GiB, a multiple of 4 KiB. */
#define KHYP_MIN_MEM_SIZE	(1ULL << 20)
#define KHYP_MAX_MEM_SIZE	(64ULL << 30)

/* struct khyp_vm_config.flags */
#define KHYP_VM_PLATFORM	(1U << 0) /* in-kernel PC devices (LAPIC, ...) */
#define KHYP_VM_NO_PIT		(1U << 1) /* a platform VM without the i8254 */

struct khyp_vm_config {
	__u64 mem_size;		/* bytes of guest RAM at GPA 0 */
	__u32 flags;		/* KHYP_VM_* */
	__u32 max_vcpus;	/* 1..KHYP_MAX_VCPUS */
	char name[KHYP_VM_NAME_LEN];	/* NUL-terminated, may be empty */
	__u64 reserved[4];	/* must be zero */
};

struct khyp_vm_info {
	__u32 id;		/* system-wide VM number */
	__u32 max_vcpus;
	__u64 mem_size;
	__u32 nr_vcpus;		/* vCPUs currently created */
	__u32 flags;
	char name[KHYP_VM_NAME_LEN];
};

/* struct khyp_vm_state.state */
enum khyp_vm_run_state {
	KHYP_VM_RUNNING = 0,
	KHYP_VM_POWEROFF = 1,	/* guest entered S5 */
	KHYP_VM_RESET = 2,	/* guest asked for a reset */
	KHYP_VM_SHUTDOWN = 3,	/* a vCPU triple-faulted or failed */
};

struct khyp_vm_state {
	__u32 state;		/* enum khyp_vm_run_state */
	__u32 vcpu;		/* for SHUTDOWN: the vCPU that caused it */
	__u64 reserved[2];
};

struct khyp_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;		/* KHYP_CPUID_FLAG_* */
	__u32 eax, ebx, ecx, edx;
	__u32 reserved[3];
};

/* Entry depends on ECX (index); otherwise index is ignored. */
#define KHYP_CPUID_FLAG_INDEXED	(1U << 0)

struct khyp_cpuid {
	__u32 nent;
	__u32 pad;
	struct khyp_cpuid_entry entries[];
};

/* struct khyp_vcpu_config.flags */
#define KHYP_VCPU_WAIT_SIPI	(1U << 0) /* start in wait-for-SIPI */

struct khyp_vcpu_config {
	__u32 id;		/* 0..max_vcpus-1, unique in the VM */
	__u32 apic_id;		/* initial LAPIC ID */
	__u32 flags;		/* KHYP_VCPU_* */
	__u32 pad;
	__u64 reserved[2];
};

struct khyp_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

struct khyp_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	/* attributes in the SVM VMCB layout: type:4 s:1 dpl:2 p:1 avl:1 l:1 db:1 g:1 */
	__u16 attrib;
};

/* khyp_segment.attrib bits */
#define KHYP_SEG_TYPE_MASK	0x000f
#define KHYP_SEG_S		(1U << 4)
#define KHYP_SEG_DPL_SHIFT	5
#define KHYP_SEG_P		(1U << 7)
#define KHYP_SEG_L		(1U << 9)	/* 64-bit code */
#define KHYP_SEG_DB		(1U << 10)	/* 32-bit default size */
#define KHYP_SEG_G		(1U << 11)

struct khyp_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

struct khyp_sregs {
	struct khyp_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct khyp_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, efer;
	__u64 reserved[4];
};

/* struct khyp_exit.reason: why KHYP_VCPU_RUN returned */
enum khyp_exit_reason {
	KHYP_EXIT_NONE = 0,
	KHYP_EXIT_IO = 1,	/* port I/O no device claimed */
	KHYP_EXIT_MMIO = 2,	/* MMIO no device claimed */
	KHYP_EXIT_STOPPED = 3,	/* KHYP_VCPU_STOP or the VM is going away */
	KHYP_EXIT_SHUTDOWN = 4,	/* triple fault */
	KHYP_EXIT_FAIL_ENTRY = 5, /* VMRUN refused the guest state */
	KHYP_EXIT_INTERNAL_ERROR = 6, /* khyp could not emulate something */
	KHYP_EXIT_SYSTEM_EVENT = 7, /* the VM powered off or reset */
};

/* struct khyp_exit.internal.suberror */
enum khyp_internal_error {
	KHYP_INTERNAL_EMULATION = 1,	/* undecodable MMIO instruction */
	KHYP_INTERNAL_UNHANDLED_EXIT = 2, /* an exit code khyp does not know */
	KHYP_INTERNAL_NO_MEMORY = 3,
	KHYP_INTERNAL_HOST_REBOOT = 4,	/* the host is rebooting (or kexec) */
};

struct khyp_exit {
	__u32 reason;		/* enum khyp_exit_reason */
	__u32 pad;
	union {
		struct {
			__u16 port;
			__u8 size;	/* 1, 2 or 4 */
			__u8 is_write;
			/* write: the value; read: userspace's answer */
			__u32 data;
		} io;
		struct {
			__u64 gpa;
			__u64 data;
			__u8 size;	/* 1, 2, 4 or 8 */
			__u8 is_write;
			__u8 pad[6];
		} mmio;
		struct {
			__u64 exit_code;	/* backend's native code */
			__u64 info1, info2;
			__u32 suberror;		/* enum khyp_internal_error */
			__u32 pad;
		} internal;
		struct {
			__u32 state;		/* enum khyp_vm_run_state */
			__u32 pad;
		} system;
		__u64 raw[8];
	};
};

/* struct khyp_vcpu_state.state */
enum khyp_vcpu_run_state {
	KHYP_VCPU_STATE_STOPPED = 0,	/* not scheduled to run */
	KHYP_VCPU_STATE_RUNNING = 1,	/* in or around guest mode */
	KHYP_VCPU_STATE_HALTED = 2,	/* guest HLT, waiting for an event */
	KHYP_VCPU_STATE_WAIT_SIPI = 3,	/* after INIT, waiting for SIPI */
	KHYP_VCPU_STATE_USER_EXIT = 4,	/* stopped at an exit for userspace */
	KHYP_VCPU_STATE_DEAD = 5,	/* shut down or failed: cannot run */
};

struct khyp_vcpu_state {
	__u32 state;		/* enum khyp_vcpu_run_state */
	__u32 id;
	__u32 apic_id;
	__s32 host_tid;		/* pid of the vCPU kthread */
	struct khyp_exit last_exit;
	__u64 reserved[4];
};

/*
 * What VMMCALL leaves in RAX, negated (abi.rst, "Hypercalls"): KVM's
 * values.  No hypercall is defined: every number gets -KHYP_HC_ENOSYS,
 * or -KHYP_HC_EPERM from CPL > 0.
 */
#define KHYP_HC_ENOSYS		1000
#define KHYP_HC_EPERM		1

/* Exit counters, indexed by enum khyp_stat. */
enum khyp_stat {
	KHYP_STAT_EXITS,	/* every #VMEXIT */
	KHYP_STAT_CPUID,
	KHYP_STAT_IO,
	KHYP_STAT_MMIO,
	KHYP_STAT_MSR_READ,
	KHYP_STAT_MSR_WRITE,
	KHYP_STAT_HLT,
	KHYP_STAT_INTR,		/* physical interrupt */
	KHYP_STAT_NMI,
	KHYP_STAT_SHUTDOWN,
	KHYP_STAT_GP_INJECTED,	/* #GP for refused MSRs */
	KHYP_STAT_UD_INJECTED,	/* #UD for VMRUN, VMLOAD, ... */
	KHYP_STAT_USER_EXITS,
	KHYP_STAT_PREEMPTIONS,	/* left guest mode to reschedule */
	KHYP_STAT_NPF,		/* nested page faults (MMIO + other) */
	KHYP_STAT_INVD,
	KHYP_STAT_XSETBV,
	KHYP_STAT_INJECTED_IRQS,
	KHYP_STAT_OTHER,
	KHYP_STAT_WBINVD,	/* WBINVD and WBNOINVD, skipped */
	KHYP_STAT_HALT_POLLS,	/* HLTs that polled for a wakeup */
	KHYP_STAT_HALT_POLL_HITS,	/* ... and got one while polling */
	KHYP_STAT_VMMCALL,	/* hypercalls (abi.rst) */
	KHYP_STAT_NR
};

struct khyp_vcpu_stats {
	__u64 count[32];	/* enum khyp_stat; unused slots are zero */
	__u64 guest_ns;		/* time spent between VMRUN and #VMEXIT */
};

/*
 * CPU topology of a VM (KHYP_SET_TOPOLOGY).  sockets * dies * cores *
 * threads must equal max_vcpus; each count is at least 1.  vCPU id N sits
 * in slot N: thread = N % threads, core = N / threads % cores, and so on
 * outwards; its APIC ID packs the levels the way QEMU does, each level in
 * as many bits as its count needs.  Default: 1 socket of max_vcpus cores.
 */
#define KHYP_CPU_MODEL_LEN	48

struct khyp_topology {
	__u32 sockets;
	__u32 dies;		/* per socket */
	__u32 cores;		/* per die */
	__u32 threads;		/* per core */
	/* NUL-terminated, e.g. "IvyBridge-IBRS"; empty: "qemu64" */
	char model[KHYP_CPU_MODEL_LEN];
	__u64 reserved[2];	/* must be zero */
};

/*
 * Port ranges of a platform VM that exit to userspace (KHYP_SET_USER_IO):
 * each within 0..0xffff, none overlapping another or a port the module's
 * devices claim (EEXIST).
 */
#define KHYP_MAX_USER_IO	8

struct khyp_user_io_range {
	__u16 base;
	__u16 len;		/* at least 1, base + len <= 0x10000 */
	__u32 pad;		/* must be zero */
};

struct khyp_user_io {
	__u32 nr;		/* 0..KHYP_MAX_USER_IO */
	__u32 pad;		/* must be zero */
	struct khyp_user_io_range ranges[KHYP_MAX_USER_IO];
};

/* KHYP_IRQ_LINE: @gsi < KHYP_IOAPIC_PINS (khyp_platform.h), @level 0 or 1. */
struct khyp_irq_level {
	__u32 gsi;
	__u32 level;
};

#define KHYPIO 0xAF

/* /dev/khyp */
#define KHYP_GET_API_VERSION	_IO(KHYPIO, 0x00)
#define KHYP_CREATE_VM		_IOW(KHYPIO, 0x01, struct khyp_vm_config)
#define KHYP_GET_SUPPORTED_CPUID _IOWR(KHYPIO, 0x02, struct khyp_cpuid)

/* VM fd */
#define KHYP_GET_VM_INFO	_IOR(KHYPIO, 0x10, struct khyp_vm_info)
#define KHYP_SET_CPUID		_IOW(KHYPIO, 0x11, struct khyp_cpuid)
#define KHYP_GET_CPUID		_IOWR(KHYPIO, 0x12, struct khyp_cpuid)
#define KHYP_CREATE_VCPU	_IOW(KHYPIO, 0x13, struct khyp_vcpu_config)
#define KHYP_GET_VM_STATE	_IOR(KHYPIO, 0x14, struct khyp_vm_state)
#define KHYP_SET_TOPOLOGY	_IOW(KHYPIO, 0x15, struct khyp_topology)
#define KHYP_GET_TOPOLOGY	_IOR(KHYPIO, 0x16, struct khyp_topology)
#define KHYP_SET_USER_IO	_IOW(KHYPIO, 0x17, struct khyp_user_io)
#define KHYP_IRQ_LINE		_IOW(KHYPIO, 0x18, struct khyp_irq_level)

/* vCPU fd */
#define KHYP_GET_REGS		_IOR(KHYPIO, 0x20, struct khyp_regs)
#define KHYP_SET_REGS		_IOW(KHYPIO, 0x21, struct khyp_regs)
#define KHYP_GET_SREGS		_IOR(KHYPIO, 0x22, struct khyp_sregs)
#define KHYP_SET_SREGS		_IOW(KHYPIO, 0x23, struct khyp_sregs)
#define KHYP_VCPU_RUN		_IOWR(KHYPIO, 0x24, struct khyp_exit)
#define KHYP_VCPU_START		_IO(KHYPIO, 0x25)
#define KHYP_VCPU_STOP		_IO(KHYPIO, 0x26)
#define KHYP_VCPU_GET_STATE	_IOR(KHYPIO, 0x27, struct khyp_vcpu_state)
#define KHYP_VCPU_GET_STATS	_IOR(KHYPIO, 0x28, struct khyp_vcpu_stats)

#endif /* _UAPI_LINUX_KHYP_H */
