/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp internal interfaces, shared by the generic core (main, vm, vcpu,
 * iobus, emulate, msr, cpuid), the devices and the arch backend.
 * Common code never includes a backend's private header: everything arch
 * specific goes through the backend hooks (arch_ops.h).
 */
#ifndef KHYP_H
#define KHYP_H

#include <linux/jump_label.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/list.h>
#include "../uapi/linux/khyp.h"

struct khyp_vm;
struct khyp_vcpu;
struct khyp_vcpu_thread;
struct khyp_lapic;
struct khyp_platform;
struct khyp_cpuhp;

/* ---- I/O bus: devices claim port or MMIO ranges of one VM ---- */

enum khyp_bus_kind {
	KHYP_BUS_PIO,
	KHYP_BUS_MMIO,
	KHYP_NR_BUSES
};

struct khyp_io_dev;

struct khyp_io_dev_ops {
	/*
	 * @offset is relative to the range's base.  @len is 1, 2, 4 or 8.
	 * Return 0, or a negative errno to make the access fail (the vCPU
	 * then stops with KHYP_EXIT_INTERNAL_ERROR).  Called from the vCPU
	 * kthread, may sleep only if the device says so (none do).
	 */
	int (*read)(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		    u64 offset, void *val, int len);
	int (*write)(struct khyp_io_dev *dev, struct khyp_vcpu *vcpu,
		     u64 offset, const void *val, int len);
};

/* What a range userspace serves returns: stop for KHYP_EXIT_IO (user_io.c). */
#define KHYP_IO_USER	1

struct khyp_io_dev {
	u64 base;
	u64 len;
	const struct khyp_io_dev_ops *ops;
	const char *name;
	struct list_head node;	/* [bus lock] sorted by base */
};

struct khyp_io_bus {
	struct list_head devs;	/* sorted, non-overlapping */
	/* Taken by (un)registration and by the lookup of every access. */
	spinlock_t lock;
};

int khyp_io_bus_register(struct khyp_vm *vm, enum khyp_bus_kind kind,
			 struct khyp_io_dev *dev);
void khyp_io_bus_unregister(struct khyp_vm *vm, enum khyp_bus_kind kind,
			    struct khyp_io_dev *dev);

/*
 * A range as a device declares it, in a static table: @dev_offset is
 * where the struct khyp_io_dev that claims it sits in the device's state.
 */
struct khyp_io_range {
	size_t dev_offset;
	u64 base;
	u64 len;
	const char *name;
	struct khyp_io_dev_ops ops;
};

#define KHYP_IO_RANGE(type, member, _base, _len, _name, _read, _write)	\
	{ .dev_offset = offsetof(type, member),				\
	  .base = (_base), .len = (_len),				\
	  .name = (_name), .ops = { .read = (_read), .write = (_write) } }

/*
 * Claim the @n ranges of the device whose state is @state: all of them,
 * or none (on failure those already claimed are released again).
 */
int khyp_io_bus_register_ranges(struct khyp_vm *vm, enum khyp_bus_kind kind,
				void *state, const struct khyp_io_range *r,
				unsigned int n);
void khyp_io_bus_unregister_ranges(struct khyp_vm *vm,
				   enum khyp_bus_kind kind, void *state,
				   const struct khyp_io_range *r,
				   unsigned int n);
/* Returns -ENODEV when no device claims the address. */
int khyp_io_bus_read(struct khyp_vcpu *vcpu, enum khyp_bus_kind kind,
		     u64 addr, void *val, int len);
int khyp_io_bus_write(struct khyp_vcpu *vcpu, enum khyp_bus_kind kind,
		      u64 addr, const void *val, int len);
void khyp_io_bus_init(struct khyp_io_bus *bus);

/* ---- guest memory ---- */

#define KHYP_CHUNK_SHIFT	21	/* 2 MiB: a huge NPT page when possible */
#define KHYP_CHUNK_SIZE		(1UL << KHYP_CHUNK_SHIFT)
#define KHYP_PAGES_PER_CHUNK	(KHYP_CHUNK_SIZE >> PAGE_SHIFT)

struct khyp_mem_chunk {
	struct page *pages[KHYP_PAGES_PER_CHUNK];	/* split, refcounted */
	bool contiguous;	/* one order-9 block: map as a 2 MiB page */
};

struct khyp_mem {
	u64 size;
	unsigned long nr_chunks;
	struct khyp_mem_chunk **chunks;
};

/* Host kernel address of guest physical @gpa, or NULL outside RAM. */
void *khyp_gpa_to_hva(struct khyp_vm *vm, u64 gpa);
/* Copy to/from guest physical memory; -EFAULT when any byte is not RAM. */
int khyp_read_gpa(struct khyp_vm *vm, u64 gpa, void *buf, size_t len);
int khyp_write_gpa(struct khyp_vm *vm, u64 gpa, const void *buf, size_t len);

/* ---- VM ---- */

#define KHYP_CONSOLE_BUF	(64 * 1024)

struct khyp_console {
	spinlock_t lock;
	u8 *out;		/* guest -> host ring */
	unsigned int out_head, out_tail;
	u64 out_dropped;
	u8 in[256];		/* host -> guest */
	unsigned int in_head, in_tail;
	wait_queue_head_t wq;	/* readers of the VM fd */
};

struct khyp_vm {
	struct kref ref;	/* fds, vCPUs, mmaps */
	u32 id;
	char name[KHYP_VM_NAME_LEN];
	u32 flags;
	u32 max_vcpus;
	struct mutex lock;	/* vCPU array, CPUID table, devices */
	struct khyp_mem mem;
	void *arch;		/* backend VM state (nested page tables) */

	struct khyp_vcpu **vcpus;	/* [lock] indexed by id */
	u32 nr_vcpus;			/* [lock] */

	struct khyp_cpuid_entry *cpuid;	/* [lock] RCU-free: replaced only */
	u32 cpuid_nent;			/* while every vCPU is stopped */

	struct khyp_io_bus buses[KHYP_NR_BUSES];
	struct khyp_platform *platform;	/* NULL unless KHYP_VM_PLATFORM */
	struct khyp_cpuhp *cpuhp;	/* CPU slots, hotplug (cpuhp.c) */
	struct khyp_io_dev *user_io;	/* [lock] KHYP_SET_USER_IO's ranges */
	u32 nr_user_io;
	struct khyp_console console;

	u64 tsc_offset;		/* every vCPU's, set at creation; + TSC_ADJUST */
	/* The creator: its cgroups are the vCPU threads' (CPU accounting). */
	struct task_struct *owner;

	spinlock_t state_lock;
	struct khyp_vm_state state;	/* [state_lock] */
	wait_queue_head_t state_wq;

	struct list_head node;	/* khyp_vms, [khyp_vms_lock] */
	struct dentry *debugfs;	/* vm<ID>/ (debugfs.c) */
};

extern struct mutex khyp_vms_lock;
extern struct list_head khyp_vms;

struct khyp_vm *khyp_vm_create(const struct khyp_vm_config *cfg);
void khyp_vm_get(struct khyp_vm *vm);
void khyp_vm_put(struct khyp_vm *vm);
/* Record a VM-wide event (poweroff, reset, shutdown) and wake watchers. */
void khyp_vm_set_state(struct khyp_vm *vm, u32 state, u32 vcpu);
int khyp_vm_fd_install(struct khyp_vm *vm);
/* user_io.c: KHYP_SET_USER_IO and KHYP_IRQ_LINE */
int khyp_user_io_set(struct khyp_vm *vm, const void __user *uarg);
void khyp_user_io_destroy(struct khyp_vm *vm);
int khyp_user_irq_line(struct khyp_vm *vm, const void __user *uarg);
/* Console: a device (the UART) pushes guest output here. */
void khyp_console_put(struct khyp_vm *vm, const u8 *buf, size_t len);
int khyp_console_get_input(struct khyp_vm *vm, u8 *c);

/* ---- vCPU ---- */

enum khyp_reg {
	KHYP_RAX, KHYP_RCX, KHYP_RDX, KHYP_RBX,
	KHYP_RSP, KHYP_RBP, KHYP_RSI, KHYP_RDI,
	KHYP_R8, KHYP_R9, KHYP_R10, KHYP_R11,
	KHYP_R12, KHYP_R13, KHYP_R14, KHYP_R15,
	KHYP_NR_GPRS
};

/* Requests: set by anyone, consumed by the vCPU thread before entry. */
#define KHYP_REQ_STOP		0	/* park until started again */
#define KHYP_REQ_INIT		1	/* INIT signal from a LAPIC */
#define KHYP_REQ_SIPI		2	/* STARTUP with vcpu->sipi_vector */
#define KHYP_REQ_NMI		3
#define KHYP_REQ_EVENT		4	/* re-evaluate interrupts */
#define KHYP_REQ_EJECT		5	/* hot-unplugged: leave for good */

/*
 * The generic exit kinds, once: X(kind, name, stat) for each but the last,
 * LAST() for the last, so that a consumer can build a list without a
 * trailing comma (the tracepoint's symbols).  name is what the khyp_exit
 * tracepoint prints; stat the counter exits.c counts the kind in, or 0
 * (KHYP_STAT_EXITS, counted for every exit) when it has none of its own
 * or its handler picks one.
 */
#define KHYP_EXIT_KINDS(X, LAST) KHYP_EXPAND(				\
	X(NONE, "none", KHYP_STAT_OTHER)	/* backend filled nothing */ \
	X(CPUID, "cpuid", KHYP_STAT_CPUID)				\
	X(IO, "io", KHYP_STAT_IO)					\
	X(NPF, "npf", KHYP_STAT_NPF)					\
	X(MSR, "msr", 0)			/* MSR_READ or MSR_WRITE */ \
	X(HLT, "hlt", KHYP_STAT_HLT)					\
	X(INTR, "intr", KHYP_STAT_INTR)					\
	X(NMI, "nmi", KHYP_STAT_NMI)					\
	X(SHUTDOWN, "shutdown", KHYP_STAT_SHUTDOWN)			\
	X(UD, "ud", KHYP_STAT_UD_INJECTED)	/* refused: inject #UD */ \
	X(INVD, "invd", KHYP_STAT_INVD)					\
	X(WBINVD, "wbinvd", KHYP_STAT_WBINVD)	/* and WBNOINVD */	\
	X(GP, "gp", 0)				/* refused: inject #GP */ \
	X(DR, "dr", 0)		/* the guest took its debug registers */ \
	X(MCE, "mce", 0)	/* a machine check, handed to the host */ \
	X(CR_WRITE, "cr_write", 0)	/* to CR0 or CR4, checked */	\
	X(XSETBV, "xsetbv", KHYP_STAT_XSETBV)				\
	X(FAIL_ENTRY, "fail_entry", 0)					\
	X(EXCEPTION, "exception", 0)		/* intercepted #AC, #DB, #UD */ \
	X(PAUSE, "pause", 0)						\
	X(IRET, "iret", 0)			/* the NMI handler is done */ \
	X(HOST_OFF, "host_off", 0)		/* not entered: AMD-V off */ \
	X(CR8_WRITE, "cr8_write", 0)		/* while a vector waits */ \
	X(VMMCALL, "vmmcall", KHYP_STAT_VMMCALL)	/* a hypercall */ \
	LAST(UNKNOWN, "unknown", KHYP_STAT_OTHER)) /* no generic kind */

/* One macro call around a list: checkpatch reads bare calls as complex. */
#define KHYP_EXPAND(...)	__VA_ARGS__

#define KHYP_AEXIT_ENUM(kind, name, stat)	KHYP_AEXIT_##kind,

/* Generic exit record, filled by the backend after each #VMEXIT. */
enum khyp_arch_exit_kind {
	KHYP_EXIT_KINDS(KHYP_AEXIT_ENUM, KHYP_AEXIT_ENUM)
};

struct khyp_arch_exit {
	enum khyp_arch_exit_kind kind;
	u64 code;		/* native exit code, for reports */
	u64 info1, info2;
	u32 injected;		/* event injected at this entry (native) */
	u32 int_info;		/* event cut short by this exit (native) */
	u32 int_ctl;		/* virtual interrupt control at entry */
	union {
		struct {
			u16 port;
			u8 size;
			bool in;
			bool string;
			u64 next_rip;
		} io;
		struct {
			u64 gpa;
			u64 error;
		} npf;
		struct {
			u32 index;
			bool write;
		} msr;
		struct {
			u8 vector;
			bool has_error;
			u32 error;
		} exc;
		struct {
			u8 index;	/* 0 or 4 */
		} cr;
		struct {
			u8 cpl;
			bool op64;	/* in 64-bit mode: RAX is 64 bits */
		} hc;
	};
};

struct khyp_vcpu {
	struct khyp_vm *vm;
	u32 id;
	u32 apic_id;
	void *arch;		/* backend vCPU state (VMCB) */
	struct task_struct *thread;
	pid_t tid;
	/*
	 * The thread's binding: ours until khyp_vcpu_run_thread() hands it
	 * over (thread_bound), then the thread's, which frees it once it has
	 * read it, unless it is stopped before it ever runs.
	 */
	struct khyp_vcpu_thread *start;
	bool thread_bound;
	/* A teardown's list from khyp_vcpu_detach() to the release. */
	struct khyp_vcpu *next_detached;

	u64 regs[KHYP_NR_GPRS];	/* RAX and RSP synced by the backend */
	u64 rip;
	u64 rflags;
	u64 xcr0;
	void *fpu;		/* guest XSAVE area, 64-byte aligned */

	unsigned long requests;	/* KHYP_REQ_* bits */
	/* From the last request check before VMRUN to the #VMEXIT. */
	bool in_guest;
	u8 sipi_vector;

	/* Run state, as userspace sees it. */
	spinlock_t state_lock;
	u32 state;		/* [state_lock] enum khyp_vcpu_run_state */
	bool run_wanted;	/* [state_lock] userspace started it */
	bool exit_ready;	/* [state_lock] last_exit awaits userspace */
	bool exit_seen;		/* [state_lock] KHYP_VCPU_RUN returned it */
	bool dead;		/* [state_lock] shut down or failed for good */
	bool frozen;		/* [state_lock] a register ioctl owns it */
	struct khyp_exit last_exit;
	/* Serializes the freezing ioctls and the thread's requests. */
	struct mutex ioctl_lock;

	/* Owned by the vCPU thread. */
	bool halted;		/* in HLT, waiting for an event */
	u32 halt_poll_ns;	/* the poll window (vcpu_halt_poll_adapt()) */
	u64 halt_start;		/* host TSC at the last HLT exit */
	bool wait_sipi;		/* after INIT, waiting for STARTUP */
	bool complete_io;	/* an IN answered by userspace */
	bool complete_mmio;	/* an MMIO read answered by userspace */
	struct {
		u8 reg;		/* destination GPR */
		u8 size;	/* bytes read from the device */
		u8 dst_size;	/* bytes written to the register */
		bool high_byte;	/* AH/CH/DH/BH */
		bool sign_extend;
	} mmio_read;
	u64 mtrr_def_type;
	u64 hwcr;
	u64 de_cfg;
	u64 nb_cfg;
	/* IA32_TSC_ADJUST: this vCPU's TSC runs that far from the VM's. */
	u64 tsc_adjust;
	wait_queue_head_t wq;	/* the vCPU thread sleeps here */
	wait_queue_head_t user_wq;	/* KHYP_VCPU_RUN/STOP waiters */

	struct khyp_lapic *lapic;	/* platform VMs only */
	bool nmi_pending;

	struct khyp_vcpu_stats stats;	/* guest_ns holds TSC cycles */
	/* The last exits, reported when a guest dies (triple fault). */
	struct {
		u64 code, rip, info1, info2, rflags;
		u32 injected, int_info, int_ctl;
		u16 cpu;
		bool first;	/* first exit of a stretch */
	} trace[16];
	bool stretch_start;
	unsigned int trace_pos;
	struct kref ref;	/* fd + VM array */
};

/*
 * A vCPU thread made ahead (cpuhp.c keeps one for cpu-add): it joins the
 * VM owner's cgroups and sleeps until khyp_vcpu_create() binds it, or
 * khyp_vcpu_thread_discard() ends it.
 */
struct khyp_vcpu_thread *khyp_vcpu_thread_create(struct khyp_vm *vm);
void khyp_vcpu_thread_discard(struct khyp_vcpu_thread *t);
/*
 * With *@standby, the vCPU takes that thread (and *@standby becomes NULL)
 * on success; on failure it stays the caller's.  Otherwise, or without
 * one, it makes its own.
 */
int khyp_vcpu_create(struct khyp_vm *vm, const struct khyp_vcpu_config *cfg,
		     struct khyp_vcpu_thread **standby, struct khyp_vcpu **out);
int khyp_vcpu_fd_install(struct khyp_vcpu *vcpu);
void khyp_vcpu_put(struct khyp_vcpu *vcpu);
/*
 * Start the thread of a vCPU khyp_vcpu_create() made (it does not run the
 * vCPU before): must follow every successful khyp_vcpu_create().
 */
void khyp_vcpu_run_thread(struct khyp_vcpu *vcpu);
/*
 * Stop the thread for good and drop the VM's reference (teardown, eject):
 * khyp_vcpu_detach() takes the vCPU off interrupt routing and out of the
 * VM and makes it leave guest mode for good, without waiting;
 * khyp_vcpus_release_detached() stops the threads of a list of detached
 * vCPUs (linked by next_detached) and, after one grace period for all,
 * frees what routing may still hold.  khyp_vcpu_destroy() does both.
 */
void khyp_vcpu_detach(struct khyp_vcpu *vcpu);
void khyp_vcpus_release_detached(struct khyp_vcpu *list);
void khyp_vcpu_destroy(struct khyp_vcpu *vcpu);
/* Post a KHYP_REQ_* and make the vCPU notice: wake it or force a #VMEXIT. */
void khyp_vcpu_request(struct khyp_vcpu *vcpu, int req);
/* Let a parked (wait-for-SIPI) vCPU of a platform VM run on its own. */
void khyp_vcpu_start_autonomous(struct khyp_vcpu *vcpu);
u64 khyp_vcpu_read_tsc(struct khyp_vcpu *vcpu);

/* Guest TSC minus host TSC, what the backend adds on the CPU. */
static inline u64 khyp_vcpu_tsc_offset(const struct khyp_vcpu *vcpu)
{
	return vcpu->vm->tsc_offset + vcpu->tsc_adjust;
}

/* Stop for userspace: last_exit is filled; @state says where we rest. */
void khyp_vcpu_stop_for_user(struct khyp_vcpu *vcpu, u32 state, bool dead);
/* An NMI, or an interrupt the guest's IF lets in, should end a HLT. */
bool khyp_vcpu_wakeup_pending(struct khyp_vcpu *vcpu);

/* ---- exit handlers (exits.c), called by the run loop in vcpu.c ---- */

enum khyp_exit_action {
	KHYP_RESUME,		/* re-enter the guest at once */
	KHYP_LEAVE,		/* leave the stretch; the outer loop decides */
};

/* IRQs on, preemption off (inside kernel_fpu_begin()): must not sleep. */
enum khyp_exit_action khyp_handle_exit(struct khyp_vcpu *vcpu,
				       const struct khyp_arch_exit *e);
/* Before re-entry after a stop for userspace: apply its answer. */
void khyp_complete_user_exit(struct khyp_vcpu *vcpu);

/* ---- exit handling helpers (emulate.c, msr.c, cpuid.c) ---- */

/*
 * Decode the MMIO-accessing instruction at the guest's RIP and perform it
 * on @gpa through the MMIO bus.  Returns 0 (RIP advanced), 1 when the access
 * must go to userspace (vcpu->last_exit filled), or a negative errno.
 */
int khyp_emulate_mmio(struct khyp_vcpu *vcpu, u64 gpa);
int khyp_skip_cache_flush(struct khyp_vcpu *vcpu);
int khyp_decode_mov_to_cr(struct khyp_vcpu *vcpu, int cr, u64 *val);
/* Finish an MMIO read userspace answered (data in last_exit). */
void khyp_emulate_mmio_complete(struct khyp_vcpu *vcpu);
/* Decode the MOV to CR8 at RIP: its length and its source's value. */
int khyp_emulate_mov_to_cr8(struct khyp_vcpu *vcpu, u64 *val);
/* Translate a guest virtual address with the guest's paging mode. */
int khyp_gva_to_gpa(struct khyp_vcpu *vcpu, u64 gva, u64 *gpa);

/* 0 handled; -EPERM: inject #GP. */
int khyp_msr_read(struct khyp_vcpu *vcpu, u32 index, u64 *val);
int khyp_msr_write(struct khyp_vcpu *vcpu, u32 index, u64 val);

void khyp_cpuid_lookup(struct khyp_vcpu *vcpu, u32 fn, u32 idx,
		       u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);
int khyp_cpuid_supported(struct khyp_cpuid_entry *out, u32 max);
int khyp_cpuid_set(struct khyp_vm *vm, const struct khyp_cpuid_entry *e,
		   u32 nent);
/* What the VM's CPUID offers the LAPIC (fixed once a vCPU exists). */
bool khyp_cpuid_has_x2apic(const struct khyp_vm *vm);
bool khyp_cpuid_has_tsc_deadline(const struct khyp_vm *vm);
bool khyp_cpuid_has_tsc_adjust(const struct khyp_vm *vm);

/* ---- interrupt controller hooks used by the vCPU loop ---- */

/*
 * Platform VMs (KHYP_VM_PLATFORM) have a LAPIC per vCPU and the PC
 * devices (devices/); the hooks below are no-ops for bare VMs.
 */
int khyp_platform_create(struct khyp_vm *vm);
void khyp_platform_destroy(struct khyp_vm *vm);
int khyp_platform_vcpu_init(struct khyp_vcpu *vcpu);
/* Take the LAPIC off interrupt routing; a grace period later, destroy. */
void khyp_platform_vcpu_unpublish(struct khyp_vcpu *vcpu);
void khyp_platform_vcpu_destroy(struct khyp_vcpu *vcpu);
/* Highest vector ready for delivery, or -1. */
int khyp_lapic_pending_irq(struct khyp_vcpu *vcpu);
/*
 * Right before an entry: the vector to offer (-1: none), out of IRR
 * until khyp_lapic_offer_done(); the TPR for the guest's CR8, and
 * whether any vector is requested (offered or held back).
 */
int khyp_lapic_offer_irq(struct khyp_vcpu *vcpu, u8 *tpr, bool *requested);
/* After the exit: the offered vector to ISR if @taken (and returned), else to IRR. */
int khyp_lapic_offer_done(struct khyp_vcpu *vcpu, bool taken);
/* The guest wrote CR8 (0-15): the TPR's priority class. */
void khyp_lapic_set_cr8(struct khyp_vcpu *vcpu, u8 cr8);
/* INIT received: everything but the ID and the APIC base MSR resets. */
void khyp_lapic_reset(struct khyp_vcpu *vcpu);
/*
 * The LAPIC's MSRs (APIC base, TSC deadline, the x2APIC registers at
 * 0x800-0x8ff): -ENOENT for others, -EPERM for #GP.
 */
int khyp_lapic_msr_read(struct khyp_vcpu *vcpu, u32 index, u64 *val);
int khyp_lapic_msr_write(struct khyp_vcpu *vcpu, u32 index, u64 val);
/* Userspace wrote console input: let the UART raise its interrupt. */
void khyp_uart_input_ready(struct khyp_vm *vm);

/* debugfs.c: vm<ID>/state, a snapshot of the interrupt path. */
void khyp_debugfs_init(void);
void khyp_debugfs_exit(void);
void khyp_debugfs_vm_add(struct khyp_vm *vm);
void khyp_debugfs_vm_remove(struct khyp_vm *vm);

/*
 * Fault injection for the tests of the creation paths (debugfs fail_nth,
 * debugfs.c): once armed with N, the Nth failpoint reached fails.  A
 * static key keeps the failpoints free while nothing is armed.
 */
DECLARE_STATIC_KEY_FALSE(khyp_fail_armed);
bool __khyp_should_fail(void);

static inline bool khyp_should_fail(void)
{
	return static_branch_unlikely(&khyp_fail_armed) &&
	       __khyp_should_fail();
}

/* A failpoint: @expr, or @fail without evaluating @expr when it is due. */
#define KHYP_FAILPOINT(expr, fail)	(khyp_should_fail() ? (fail) : (expr))

/* ---- module-wide ---- */

int khyp_hw_get(void);	/* enable SVM on every host CPU (first VM) */
void khyp_hw_put(void);	/* disable when the last VM is gone */

extern unsigned int khyp_fpu_size;
/* Set by the reboot notifier: SVM instructions may then fault. */
extern bool khyp_rebooting;

#endif /* KHYP_H */
