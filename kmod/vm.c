// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object: guest memory, the nested page tables (through the
 * backend), the vCPU array, the CPUID table, the device buses and the
 * serial console buffer, and the VM file descriptor.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "arch_ops.h"
#include "compat.h"
#include "cpuhp.h"
#include "khyp.h"
#include "stats.h"

DEFINE_MUTEX(khyp_vms_lock);
LIST_HEAD(khyp_vms);
static DEFINE_IDA(khyp_vm_ida);

static bool huge_chunks = true;
module_param(huge_chunks, bool, 0644);
MODULE_PARM_DESC(huge_chunks, "back guest RAM with 2 MiB blocks when possible (default on)");

/* Guest memory: 2 MiB chunks, each one order-9 block when we can get it. */
static void mem_free(struct khyp_mem *mem)
{
	unsigned long c;
	unsigned int i;

	if (!mem->chunks)
		return;
	for (c = 0; c < mem->nr_chunks; c++) {
		struct khyp_mem_chunk *chunk = mem->chunks[c];

		if (!chunk)
			continue;
		for (i = 0; i < KHYP_PAGES_PER_CHUNK; i++) {
			if (chunk->pages[i]) {
				__free_page(chunk->pages[i]);
				atomic_long_dec(&khyp_stats.pages);
			}
		}
		kfree(chunk);
	}
	kvfree(mem->chunks);
	mem->chunks = NULL;
}

static int mem_alloc_chunk(struct khyp_mem_chunk *chunk, unsigned int npages)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO;
	struct page *block = NULL;
	unsigned int i;

	if (npages == KHYP_PAGES_PER_CHUNK && READ_ONCE(huge_chunks))
		block = alloc_pages(gfp | __GFP_NOWARN | __GFP_NORETRY,
				    KHYP_CHUNK_SHIFT - PAGE_SHIFT);
	if (block) {
		/* Split so each page can be mapped and refcounted alone. */
		split_page(block, KHYP_CHUNK_SHIFT - PAGE_SHIFT);
		for (i = 0; i < KHYP_PAGES_PER_CHUNK; i++)
			chunk->pages[i] = block + i;
		chunk->contiguous = true;
		atomic_long_add(KHYP_PAGES_PER_CHUNK, &khyp_stats.pages);
		return 0;
	}
	for (i = 0; i < npages; i++) {
		chunk->pages[i] = alloc_page(gfp);
		if (!chunk->pages[i])
			return -ENOMEM;
		atomic_long_inc(&khyp_stats.pages);
	}
	return 0;
}

static int mem_alloc(struct khyp_vm *vm, u64 size)
{
	struct khyp_mem *mem = &vm->mem;
	unsigned long c;
	int r;

	mem->size = size;
	mem->nr_chunks = DIV_ROUND_UP(size, KHYP_CHUNK_SIZE);
	mem->chunks = KHYP_FAILPOINT(kvcalloc(mem->nr_chunks,
						sizeof(*mem->chunks),
						GFP_KERNEL_ACCOUNT), NULL);
	if (!mem->chunks)
		return -ENOMEM;
	for (c = 0; c < mem->nr_chunks; c++) {
		u64 left = size - ((u64)c << KHYP_CHUNK_SHIFT);
		unsigned int npages = min_t(u64, left, KHYP_CHUNK_SIZE) >>
				      PAGE_SHIFT;

		mem->chunks[c] = KHYP_FAILPOINT(kzalloc(sizeof(*mem->chunks[c]),
							GFP_KERNEL_ACCOUNT),
						NULL);
		if (!mem->chunks[c])
			return -ENOMEM;
		r = KHYP_FAILPOINT(mem_alloc_chunk(mem->chunks[c], npages),
				   -ENOMEM);
		if (r)
			return r;
		r = KHYP_FAILPOINT(khyp_arch_call(map_chunk)(vm,
					(u64)c << KHYP_CHUNK_SHIFT,
					mem->chunks[c]), -ENOMEM);
		if (r)
			return r;
		cond_resched();
	}
	return 0;
}

static struct page *gpa_page(struct khyp_vm *vm, u64 gpa)
{
	if (gpa >= vm->mem.size)
		return NULL;
	return vm->mem.chunks[gpa >> KHYP_CHUNK_SHIFT]->pages
		[(gpa & (KHYP_CHUNK_SIZE - 1)) >> PAGE_SHIFT];
}

void *khyp_gpa_to_hva(struct khyp_vm *vm, u64 gpa)
{
	struct page *page = gpa_page(vm, gpa);

	return page ? page_address(page) + offset_in_page(gpa) : NULL;
}

static int gpa_copy(struct khyp_vm *vm, u64 gpa, void *buf, size_t len,
		    bool to_guest)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gpa));
		void *hva = khyp_gpa_to_hva(vm, gpa);

		if (!hva)
			return -EFAULT;
		if (to_guest)
			memcpy(hva, buf, n);
		else
			memcpy(buf, hva, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int khyp_read_gpa(struct khyp_vm *vm, u64 gpa, void *buf, size_t len)
{
	return gpa_copy(vm, gpa, buf, len, false);
}

int khyp_write_gpa(struct khyp_vm *vm, u64 gpa, const void *buf, size_t len)
{
	return gpa_copy(vm, gpa, (void *)buf, len, true);
}

/* ---- serial console buffer ---- */

void khyp_console_put(struct khyp_vm *vm, const u8 *buf, size_t len)
{
	struct khyp_console *con = &vm->console;
	unsigned long flags;
	size_t i;

	spin_lock_irqsave(&con->lock, flags);
	for (i = 0; i < len; i++) {
		unsigned int next = (con->out_head + 1) % KHYP_CONSOLE_BUF;

		if (next == con->out_tail) {
			/* Full: drop the oldest byte, keep the newest output. */
			con->out_tail = (con->out_tail + 1) % KHYP_CONSOLE_BUF;
			con->out_dropped++;
		}
		con->out[con->out_head] = buf[i];
		con->out_head = next;
	}
	spin_unlock_irqrestore(&con->lock, flags);
	wake_up_interruptible(&con->wq);
}

int khyp_console_get_input(struct khyp_vm *vm, u8 *c)
{
	struct khyp_console *con = &vm->console;
	unsigned long flags;
	int r = -EAGAIN;

	spin_lock_irqsave(&con->lock, flags);
	if (con->in_head != con->in_tail) {
		*c = con->in[con->in_tail];
		con->in_tail = (con->in_tail + 1) % sizeof(con->in);
		r = 0;
	}
	spin_unlock_irqrestore(&con->lock, flags);
	if (!r)
		wake_up_interruptible(&con->wq);
	return r;
}

static bool console_readable(struct khyp_console *con)
{
	return READ_ONCE(con->out_head) != READ_ONCE(con->out_tail);
}

static ssize_t vm_fd_read(struct file *file, char __user *ubuf, size_t len,
		       loff_t *ppos)
{
	struct khyp_vm *vm = file->private_data;
	struct khyp_console *con = &vm->console;
	u8 tmp[256];
	size_t n = 0;

	while (!console_readable(con)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(con->wq, console_readable(con)))
			return -ERESTARTSYS;
	}
	len = min(len, sizeof(tmp));
	spin_lock_irq(&con->lock);
	while (n < len && con->out_tail != con->out_head) {
		tmp[n++] = con->out[con->out_tail];
		con->out_tail = (con->out_tail + 1) % KHYP_CONSOLE_BUF;
	}
	spin_unlock_irq(&con->lock);
	if (copy_to_user(ubuf, tmp, n))
		return -EFAULT;
	return n;
}

static ssize_t vm_fd_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	struct khyp_vm *vm = file->private_data;
	struct khyp_console *con = &vm->console;
	u8 tmp[64];
	size_t n, i, done = 0;

	len = min(len, sizeof(tmp));
	if (copy_from_user(tmp, ubuf, len))
		return -EFAULT;
	spin_lock_irq(&con->lock);
	for (i = 0; i < len; i++) {
		n = (con->in_head + 1) % sizeof(con->in);
		if (n == con->in_tail)
			break;
		con->in[con->in_head] = tmp[i];
		con->in_head = n;
		done++;
	}
	spin_unlock_irq(&con->lock);
	if (!done)
		return -EAGAIN;
	khyp_uart_input_ready(vm);
	return done;
}

static __poll_t vm_fd_poll(struct file *file, poll_table *wait)
{
	struct khyp_vm *vm = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &vm->console.wq, wait);
	poll_wait(file, &vm->state_wq, wait);
	if (console_readable(&vm->console))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(vm->console.in_head) + 1 != READ_ONCE(vm->console.in_tail))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (READ_ONCE(vm->state.state) != KHYP_VM_RUNNING)
		mask |= EPOLLPRI;
	return mask;
}

void khyp_vm_set_state(struct khyp_vm *vm, u32 state, u32 vcpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->state_lock, flags);
	/* The first event wins: a poweroff is not undone by a later fault. */
	if (vm->state.state == KHYP_VM_RUNNING) {
		vm->state.state = state;
		vm->state.vcpu = vcpu;
	}
	spin_unlock_irqrestore(&vm->state_lock, flags);
	wake_up_interruptible(&vm->state_wq);
}

/* ---- lifetime ---- */

void khyp_vm_get(struct khyp_vm *vm)
{
	kref_get(&vm->ref);
}

static void vm_release(struct kref *ref)
{
	struct khyp_vm *vm = container_of(ref, struct khyp_vm, ref);
	struct khyp_vcpu *vcpu, *detached = NULL;
	u32 i;

	khyp_debugfs_vm_remove(vm);
	mutex_lock(&khyp_vms_lock);
	list_del(&vm->node);
	mutex_unlock(&khyp_vms_lock);

	/* No eject or unplug deadline may race the teardown below. */
	khyp_cpuhp_vm_quiesce(vm);
	/*
	 * vCPU threads first: nothing may touch memory or devices after.
	 * A VM whose creation failed may have no vCPU array.
	 */
	for (i = 0; vm->vcpus && i < vm->max_vcpus; i++) {
		vcpu = vm->vcpus[i];
		if (!vcpu)
			continue;
		khyp_vcpu_detach(vcpu);
		vcpu->next_detached = detached;
		detached = vcpu;
	}
	khyp_vcpus_release_detached(detached);
	khyp_cpuhp_vm_destroy(vm);
	khyp_user_io_destroy(vm);
	khyp_platform_destroy(vm);
	khyp_arch_call(vm_destroy)(vm);
	mem_free(&vm->mem);
	kfree(vm->vcpus);
	kfree(vm->cpuid);
	vfree(vm->console.out);
	ida_free(&khyp_vm_ida, vm->id);
	put_task_struct(vm->owner);
	kfree(vm);
	atomic_long_dec(&khyp_stats.vms);
	khyp_hw_put();
}

void khyp_vm_put(struct khyp_vm *vm)
{
	kref_put(&vm->ref, vm_release);
}

static int vm_validate_config(const struct khyp_vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg->reserved); i++)
		if (cfg->reserved[i])
			return -EINVAL;
	if (cfg->flags & ~(KHYP_VM_PLATFORM | KHYP_VM_NO_PIT))
		return -EINVAL;
	/* A VM without devices has no PIT to leave out. */
	if ((cfg->flags & KHYP_VM_NO_PIT) && !(cfg->flags & KHYP_VM_PLATFORM))
		return -EINVAL;
	if (!cfg->max_vcpus || cfg->max_vcpus > KHYP_MAX_VCPUS)
		return -EINVAL;
	if (cfg->mem_size < KHYP_MIN_MEM_SIZE || !PAGE_ALIGNED(cfg->mem_size))
		return -EINVAL;
	if (cfg->mem_size > KHYP_MAX_MEM_SIZE)
		return -E2BIG;
	if (!memchr(cfg->name, 0, sizeof(cfg->name)))
		return -EINVAL;
	return 0;
}

struct khyp_vm *khyp_vm_create(const struct khyp_vm_config *cfg)
{
	struct khyp_vm *vm;
	int r;

	r = vm_validate_config(cfg);
	if (r)
		return ERR_PTR(r);
	/* Refuse early what cannot fit, rather than OOM the host. */
	if ((cfg->mem_size >> PAGE_SHIFT) > totalram_pages() / 2)
		return ERR_PTR(-ENOMEM);

	r = khyp_hw_get();
	if (r)
		return ERR_PTR(r);
	vm = KHYP_FAILPOINT(kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT), NULL);
	if (!vm) {
		khyp_hw_put();
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->state_lock);
	init_waitqueue_head(&vm->state_wq);
	spin_lock_init(&vm->console.lock);
	init_waitqueue_head(&vm->console.wq);
	khyp_io_bus_init(&vm->buses[KHYP_BUS_PIO]);
	khyp_io_bus_init(&vm->buses[KHYP_BUS_MMIO]);
	INIT_LIST_HEAD(&vm->node);
	memcpy(vm->name, cfg->name, sizeof(vm->name));
	vm->flags = cfg->flags;
	vm->max_vcpus = cfg->max_vcpus;
	/* The guest's TSC starts near zero; one offset for every vCPU. */
	vm->tsc_offset = -rdtsc();
	vm->owner = get_task_struct(current);
	atomic_long_inc(&khyp_stats.vms);

	r = KHYP_FAILPOINT(ida_alloc(&khyp_vm_ida, GFP_KERNEL), -ENOMEM);
	if (r < 0) {
		vm->id = -1;
		goto fail_early;
	}
	vm->id = r;
	mutex_lock(&khyp_vms_lock);
	list_add_tail(&vm->node, &khyp_vms);
	mutex_unlock(&khyp_vms_lock);

	r = -ENOMEM;
	vm->vcpus = KHYP_FAILPOINT(kcalloc(vm->max_vcpus, sizeof(*vm->vcpus),
					   GFP_KERNEL_ACCOUNT), NULL);
	vm->console.out = KHYP_FAILPOINT(vmalloc(KHYP_CONSOLE_BUF), NULL);
	if (!vm->vcpus || !vm->console.out)
		goto fail;
	vm->cpuid = KHYP_FAILPOINT(kcalloc(KHYP_MAX_CPUID_ENTRIES,
					   sizeof(*vm->cpuid),
					   GFP_KERNEL_ACCOUNT), NULL);
	if (!vm->cpuid)
		goto fail;
	/* Until userspace narrows it, a VM sees all khyp can offer. */
	vm->cpuid_nent = khyp_cpuid_supported(vm->cpuid,
					      KHYP_MAX_CPUID_ENTRIES);
	r = KHYP_FAILPOINT(khyp_arch_call(vm_init)(vm), -ENOMEM);
	if (r)
		goto fail;
	r = mem_alloc(vm, cfg->mem_size);
	if (r)
		goto fail;
	if (vm->flags & KHYP_VM_PLATFORM) {
		r = KHYP_FAILPOINT(khyp_platform_create(vm), -ENOMEM);
		if (r)
			goto fail;
	}
	r = KHYP_FAILPOINT(khyp_cpuhp_vm_init(vm), -ENOMEM);
	if (r)
		goto fail;
	khyp_debugfs_vm_add(vm);
	return vm;
fail:
	khyp_vm_put(vm);
	return ERR_PTR(r);
fail_early:
	put_task_struct(vm->owner);
	kfree(vm);
	atomic_long_dec(&khyp_stats.vms);
	khyp_hw_put();
	return ERR_PTR(r);
}

/* ---- the VM fd ---- */

static int vm_release_fd(struct inode *inode, struct file *file)
{
	khyp_vm_put(file->private_data);
	return 0;
}

static int vm_fd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct khyp_vm *vm = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long addr;
	int r;

	/* Guest memory is shared by nature: a private copy would lie. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= vm->mem.size || len > vm->mem.size - off)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		/* Each mapped page holds its own reference. */
		r = vm_insert_page(vma, addr, gpa_page(vm, off));
		if (r)
			return r;
		off += PAGE_SIZE;
		if (!(addr & (KHYP_CHUNK_SIZE - 1)))
			cond_resched();
	}
	return 0;
}

static long vm_ioctl_set_cpuid(struct khyp_vm *vm, void __user *arg,
			       bool get)
{
	struct khyp_cpuid hdr;
	struct khyp_cpuid_entry *e;
	long r;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (get) {
		mutex_lock(&vm->lock);
		if (hdr.nent < vm->cpuid_nent) {
			hdr.nent = vm->cpuid_nent;
			r = copy_to_user(arg, &hdr, sizeof(hdr)) ? -EFAULT :
								  -E2BIG;
		} else {
			hdr.nent = vm->cpuid_nent;
			r = 0;
			if (copy_to_user(arg, &hdr, sizeof(hdr)) ||
			    copy_to_user(arg + sizeof(hdr), vm->cpuid,
					 hdr.nent * sizeof(*e)))
				r = -EFAULT;
		}
		mutex_unlock(&vm->lock);
		return r;
	}
	if (hdr.pad)
		return -EINVAL;
	if (hdr.nent > KHYP_MAX_CPUID_ENTRIES)
		return -E2BIG;
	e = memdup_user(arg + sizeof(hdr), hdr.nent * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	r = khyp_cpuid_set(vm, e, hdr.nent);
	kfree(e);
	return r;
}

static long vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct khyp_vm *vm = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KHYP_GET_VM_INFO: {
		struct khyp_vm_info info = {};

		info.id = vm->id;
		info.max_vcpus = vm->max_vcpus;
		info.mem_size = vm->mem.size;
		info.flags = vm->flags;
		mutex_lock(&vm->lock);
		info.nr_vcpus = vm->nr_vcpus;
		mutex_unlock(&vm->lock);
		memcpy(info.name, vm->name, sizeof(info.name));
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	}
	case KHYP_GET_VM_STATE: {
		struct khyp_vm_state st;

		spin_lock_irq(&vm->state_lock);
		st = vm->state;
		spin_unlock_irq(&vm->state_lock);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case KHYP_SET_CPUID:
		return vm_ioctl_set_cpuid(vm, uarg, false);
	case KHYP_GET_CPUID:
		return vm_ioctl_set_cpuid(vm, uarg, true);
	case KHYP_CREATE_VCPU: {
		struct khyp_vcpu_config cfg;
		struct khyp_vcpu *vcpu;
		int r;

		if (copy_from_user(&cfg, uarg, sizeof(cfg)))
			return -EFAULT;
		r = khyp_vcpu_create(vm, &cfg, NULL, &vcpu);
		if (r)
			return r;
		khyp_vcpu_run_thread(vcpu);
		r = khyp_vcpu_fd_install(vcpu);
		/* The VM keeps the vCPU even if the fd could not be made. */
		khyp_vcpu_put(vcpu);
		return r;
	}
	case KHYP_SET_TOPOLOGY:
	case KHYP_GET_TOPOLOGY:
		return khyp_cpuhp_vm_ioctl(vm, cmd, uarg);
	case KHYP_SET_USER_IO:
		return khyp_user_io_set(vm, uarg);
	case KHYP_IRQ_LINE:
		return khyp_user_irq_line(vm, uarg);
	}
	return -ENOTTY;
}

static const struct file_operations khyp_vm_fops = {
	.owner = THIS_MODULE,
	.release = vm_release_fd,
	.unlocked_ioctl = vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vm_fd_mmap,
	.read = vm_fd_read,
	.write = vm_fd_write,
	.poll = vm_fd_poll,
	.llseek = noop_llseek,
};

int khyp_vm_fd_install(struct khyp_vm *vm)
{
	int fd = KHYP_FAILPOINT(anon_inode_getfd("khyp-vm", &khyp_vm_fops, vm,
						 O_RDWR | O_CLOEXEC), -ENOMEM);

	if (fd < 0)
		khyp_vm_put(vm);
	return fd;
}
