/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp-run's binary, apart from libkhyprun.a: what its parts (main.c,
 * startup.c, vm.c, qmpd_child.c, console.c, loop.c) share.  They need
 * /dev/khyp; selftests/unit runs them against fake_khyp.so.
 */
#ifndef KHYP_RUN_H
#define KHYP_RUN_H

#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/khyp.h>

#include "khyp_compiler.h"
#include "khyp_platform.h"
#include "bootparams.h"
#include "cmdline.h"
#include "userdev.h"

/* What a vCPU runner thread tells the main loop. */
struct vcpu_event {
	uint32_t vcpu;
	uint32_t reason;	/* enum khyp_exit_reason, or 0 for an error */
	int err;		/* errno of a failed KHYP_VCPU_RUN */
	int debug_exit;		/* isa-debug-exit's status to leave with, or 0 */
	struct khyp_exit exit;
};

struct vcpu {
	struct vm *vm;
	uint32_t id;
	int fd;
	pthread_t thread;
	bool thread_started;
	atomic_bool done;
};

struct vm {
	int dev_fd;
	int fd;
	uint8_t *mem;
	uint64_t mem_size;
	unsigned int nr_vcpus;
	struct vcpu vcpus[KHYP_MAX_VCPUS];
	atomic_bool stopping;
	int event_pipe[2];	/* runner threads -> main loop */
	struct userdev dev;	/* the ports the runner threads serve */
	bool dev_ready;		/* dev initialised */
};

/* Everything that survives a guest reset. */
struct launch {
	struct run_config cfg;
	struct file_buf kernel;
	struct file_buf initrd;
	bool multiboot;		/* else a bzImage */
	char cmdline[KHYP_CMDLINE_MAX];
};

enum run_result {
	RUN_EXIT,	/* leave with exit_code */
	RUN_REBOOT,	/* tear down and boot again */
};

/* "khyp-run: " and the message on stderr (main.c). */
__printf(1, 2) void error(const char *fmt, ...);
/* "khyp-run: warning: ..." on stderr, as QEMU's warn_report(). */
__printf(1, 2) void warn_report(const char *fmt, ...);

/* Write to a non-blocking pipe; a full pipe is fine (already woken). */
static inline void pipe_notify(int fd, const void *p, size_t n)
{
	ssize_t r = write(fd, p, n);

	(void)r;
}

/* startup.c: before the first VM */
int dump_acpi(const struct run_config *cfg);
int load_files(struct launch *ln);
int open_khyp(void);

/* vm.c: one VM's life, from KHYP_CREATE_VM to its vCPUs' runners */
int vm_boot(struct vm *vm, struct launch *ln);
void vm_destroy(struct vm *vm);

/* qmpd_child.c: khyp-qmpd serves -qmp's socket and -monitor for the VM */
extern pid_t qmpd_pid;
extern int qmpd_monitor_fd;	/* -serial mon:stdio's monitor, or -1 */
int qmpd_start(struct vm *vm, const struct run_config *cfg);
void qmpd_stop(void);

/*
 * console.c: the terminal, and COM1 between stdio and the VM (and the
 * monitor, for -serial mon:stdio)
 */
struct console {
	int vm_fd;
	int mon_fd;		/* -serial mon:stdio's monitor, or -1 */
	bool exit_req;		/* C-a x */
	bool to_stdout;		/* false once stdout failed */
	bool stdin_open;	/* until EOF */
	uint8_t in[256];	/* read from stdin, not yet taken by COM1 */
	size_t in_len, in_off;
};

/*
 * Once, before the first VM: the terminal in raw mode for -serial stdio,
 * or -serial file:'s file created; -1 with the error reported.
 */
int console_open(const struct run_config *cfg);
void tty_restore(void);
void console_init(struct console *c, int vm_fd, enum serial_mode mode,
		  int mon_fd);
/* Whether to poll stdin now: open, and the last input passed on. */
bool console_wants_stdin(const struct console *c);
bool console_input_pending(const struct console *c);
void console_read_stdin(struct console *c);
void console_write_guest(struct console *c);
/* -serial mon:stdio: the monitor's output, to stdout or kept. */
void console_read_monitor(struct console *c);
/* What the guest wrote to COM1, to stdout. */
void console_drain(struct console *c);

/* loop.c: signals and the loop that waits on one running VM */
extern atomic_int quit_signal;
int setup_signals(void);
enum run_result run_loop(struct vm *vm, const struct run_config *cfg,
			 int *code);

#endif /* KHYP_RUN_H */
