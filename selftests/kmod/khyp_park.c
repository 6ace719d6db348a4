// SPDX-License-Identifier: GPL-2.0
/*
 * khyp_park: a test-only module that holds a task at the entry of a
 * kernel function until the test lets it go, to open a race window on
 * purpose.  The window is the same in any version of khyp.ko that has
 * the function, so a test built on it fails on the code before a fix.
 *
 *   insmod khyp_park.ko symbols=svm_set_sregs[,OTHER]
 * then for each symbol N (0, 1), in /sys/kernel/debug/khyp_park/N/:
 *   skip      hits to let through before the one that parks (default 0)
 *   arm       a TGID: the next hit by one of its tasks parks; 0: by any
 *   parked    1 while a task is held there
 *   pid       the last task held
 *   release   write 1 to let it go
 *   timeouts  holds that ended at park_max_ms instead
 *
 * The probes sit on the functions' ftrace entries, so a held task spins
 * with preemption off but interrupts on; it lets itself go after
 * park_max_ms in any case, and rmmod releases it first.
 */
#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>

#define PARK_SLOTS	2

static char *symbols[PARK_SLOTS];
static int nr_symbols;
module_param_array(symbols, charp, &nr_symbols, 0444);
MODULE_PARM_DESC(symbols, "the functions to park a task at (1 or 2)");

static unsigned int park_max_ms = 5000;
module_param(park_max_ms, uint, 0444);
MODULE_PARM_DESC(park_max_ms, "the longest a task is held (ms)");

struct park_slot {
	struct kprobe probe;
	atomic_t armed;
	int tgid;		/* 0: any task */
	atomic_t skip;
	atomic_t parked;
	atomic_t released;
	atomic_t timeouts;
	atomic_t pid;
};

static struct park_slot slots[PARK_SLOTS];
static struct dentry *park_dir;

static int park_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct park_slot *s = container_of(p, struct park_slot, probe);
	ktime_t end;

	if (!atomic_read(&s->armed))
		return 0;
	if (s->tgid && task_tgid_nr(current) != s->tgid)
		return 0;
	if (atomic_dec_if_positive(&s->skip) >= 0)
		return 0;
	if (atomic_cmpxchg(&s->armed, 1, 0) != 1)
		return 0;
	atomic_set(&s->pid, task_pid_nr(current));
	end = ktime_add_ms(ktime_get(), park_max_ms);
	atomic_set(&s->parked, 1);
	while (!atomic_read(&s->released)) {
		if (ktime_after(ktime_get(), end)) {
			atomic_inc(&s->timeouts);
			break;
		}
		cpu_relax();
	}
	atomic_set(&s->parked, 0);
	return 0;
}

static int arm_set(void *data, u64 val)
{
	struct park_slot *s = data;

	if (val > PID_MAX_LIMIT)
		return -EINVAL;
	atomic_set(&s->armed, 0);
	s->tgid = val;
	atomic_set(&s->released, 0);
	atomic_set(&s->armed, 1);
	return 0;
}

static int skip_set(void *data, u64 val)
{
	struct park_slot *s = data;

	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&s->skip, val);
	return 0;
}

static int release_set(void *data, u64 val)
{
	struct park_slot *s = data;

	atomic_set(&s->released, 1);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(release_fops, NULL, release_set, "%llu\n");

/* A file that reads one atomic_t of a slot; @set writes it, or NULL. */
#define PARK_ATOMIC_FILE(field, set)					\
static int field##_get(void *data, u64 *val)				\
{									\
	*val = atomic_read(&((struct park_slot *)data)->field);		\
	return 0;							\
}									\
DEFINE_DEBUGFS_ATTRIBUTE(field##_fops, field##_get, set, "%llu\n")

PARK_ATOMIC_FILE(armed, arm_set);
PARK_ATOMIC_FILE(skip, skip_set);
PARK_ATOMIC_FILE(parked, NULL);
PARK_ATOMIC_FILE(pid, NULL);
PARK_ATOMIC_FILE(timeouts, NULL);

static void park_slot_files(struct park_slot *s, unsigned int n)
{
	struct dentry *d;
	char name[4];

	snprintf(name, sizeof(name), "%u", n);
	d = debugfs_create_dir(name, park_dir);
	debugfs_create_file_unsafe("arm", 0600, d, s, &armed_fops);
	debugfs_create_file_unsafe("skip", 0600, d, s, &skip_fops);
	debugfs_create_file_unsafe("parked", 0400, d, s, &parked_fops);
	debugfs_create_file_unsafe("pid", 0400, d, s, &pid_fops);
	debugfs_create_file_unsafe("release", 0200, d, s, &release_fops);
	debugfs_create_file_unsafe("timeouts", 0400, d, s, &timeouts_fops);
}

static void park_release_all(int n)
{
	while (n--) {
		atomic_set(&slots[n].armed, 0);
		atomic_set(&slots[n].released, 1);
		/* Waits for a handler still running. */
		unregister_kprobe(&slots[n].probe);
	}
}

static int __init park_init(void)
{
	int i, r;

	if (!nr_symbols)
		return -EINVAL;
	for (i = 0; i < nr_symbols; i++) {
		slots[i].probe.symbol_name = symbols[i];
		slots[i].probe.pre_handler = park_pre;
		r = register_kprobe(&slots[i].probe);
		if (r) {
			pr_err("khyp_park: cannot probe %s (%d)\n", symbols[i],
			       r);
			park_release_all(i);
			return r;
		}
	}
	park_dir = debugfs_create_dir("khyp_park", NULL);
	for (i = 0; i < nr_symbols; i++)
		park_slot_files(&slots[i], i);
	return 0;
}

static void __exit park_exit(void)
{
	debugfs_remove_recursive(park_dir);
	park_release_all(nr_symbols);
}

module_init(park_init);
module_exit(park_exit);
MODULE_DESCRIPTION("khyp selftests: hold a task at a function's entry");
MODULE_LICENSE("GPL");
