// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline.c - the subset of QEMU's command line that khyp-run understands.
 *
 * Options may be written with one or two dashes, as QEMU allows.  Later
 * occurrences of an option override earlier ones.  Anything unknown or
 * malformed is an error: better to refuse than to boot a different machine
 * from the one asked for.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/khyp.h>

#include "khyp_compiler.h"
#include "cmdline.h"
#include "cpuid.h"

struct parse_state {
	char *err;
	size_t errlen;
};

static __printf(2, 3) int fail(struct parse_state *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal unsigned integer, the whole string, no sign, <= @max. */
static int parse_uint(const char *s, size_t len, unsigned long max,
		      unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int cmdline_parse_size(const char *s, uint64_t *out)
{
	unsigned long long ipart = 0, scale, frac_num = 0, frac_den = 1;
	const char *p = s;
	double v;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (ipart > (~0ULL - 9) / 10)
			return -1;
		ipart = ipart * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			if (frac_den < 1000000000000ULL) {
				frac_num = frac_num * 10 + (*p - '0');
				frac_den *= 10;
			}
			p++;
		}
	}
	switch (*p) {
	case '\0':
	case 'M':
	case 'm':
		scale = 1ULL << 20;
		break;
	case 'B':
	case 'b':
		scale = 1;
		break;
	case 'K':
	case 'k':
		scale = 1ULL << 10;
		break;
	case 'G':
	case 'g':
		scale = 1ULL << 30;
		break;
	case 'T':
	case 't':
		scale = 1ULL << 40;
		break;
	default:
		return -1;
	}
	if (*p && p[1])
		return -1;
	if (scale == 1 && frac_num)
		return -1;	/* QEMU: no fractional bytes */
	v = (double)ipart * scale +
	    (double)frac_num * scale / frac_den;
	if (v >= 18446744073709551615.0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* Split "a=b,c=d,..." one item at a time: returns the item length. */
static size_t next_item(const char *s)
{
	const char *comma = strchr(s, ',');

	return comma ? (size_t)(comma - s) : strlen(s);
}

/* Does @item (of @len bytes) read "key=..."?  Sets *val to the value. */
static int item_key(const char *item, size_t len, const char *key,
		    const char **val, size_t *vlen)
{
	size_t klen = strlen(key);

	if (len <= klen || strncmp(item, key, klen) || item[klen] != '=')
		return 0;
	*val = item + klen + 1;
	*vlen = len - klen - 1;
	return 1;
}

static int value_is(const char *val, size_t vlen, const char *word)
{
	return strlen(word) == vlen && !strncmp(val, word, vlen);
}

/* "on"/"off" and QEMU's other boolean spellings. */
static int parse_bool(const char *val, size_t vlen, int *out)
{
	if (value_is(val, vlen, "on") || value_is(val, vlen, "yes") ||
	    value_is(val, vlen, "true") || value_is(val, vlen, "y")) {
		*out = 1;
		return 0;
	}
	if (value_is(val, vlen, "off") || value_is(val, vlen, "no") ||
	    value_is(val, vlen, "false") || value_is(val, vlen, "n")) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int parse_mem(struct parse_state *ps, const char *arg,
		     struct run_config *cfg)
{
	const char *start = arg, *val;
	size_t len, vlen;
	bool have = false;
	char num[64];
	uint64_t size;

	for (; *arg; arg += len + (arg[len] == ',')) {
		len = next_item(arg);
		if (arg == start && !memchr(arg, '=', len)) {
			val = arg;
			vlen = len;
		} else if (!item_key(arg, len, "size", &val, &vlen)) {
			if (!strncmp(arg, "slots=", 6) ||
			    !strncmp(arg, "maxmem=", 7))
				return fail(ps, "-m: memory hotplug (%.*s) is not supported",
					    (int)len, arg);
			return fail(ps, "-m: unknown parameter '%.*s'",
				    (int)len, arg);
		}
		if (vlen >= sizeof(num))
			return fail(ps, "-m: invalid size '%.*s'", (int)vlen,
				    val);
		memcpy(num, val, vlen);
		num[vlen] = '\0';
		if (cmdline_parse_size(num, &size))
			return fail(ps, "-m: invalid size '%s'", num);
		have = true;
	}
	if (!have)
		return fail(ps, "-m: missing size");
	/* QEMU rounds RAM up to 8 KiB; khyp needs whole pages. */
	size = (size + 8191) & ~8191ULL;
	if (size < KHYP_MIN_MEM_SIZE)
		return fail(ps, "-m: %llu bytes is too small (at least 1M)",
			    (unsigned long long)size);
	/* The 1 GiB MMIO hole is backed by memory too (khyp_platform.h). */
	if (size > KHYP_MAX_MEM_SIZE - (1ULL << 30))
		return fail(ps, "-m: %lluM is more than khyp supports (%lluM)",
			    (unsigned long long)(size >> 20),
			    (KHYP_MAX_MEM_SIZE - (1ULL << 30)) >> 20);
	cfg->mem_size = size;
	return 0;
}

static int parse_smp(struct parse_state *ps, const char *arg,
		     struct run_config *cfg)
{
	static const char * const keys[] = {
		"cpus", "maxcpus", "sockets", "dies", "cores", "threads",
	};
	struct smp_topology t = { 0 };
	unsigned int *fields[] = {
		&t.cpus, &t.maxcpus, &t.sockets, &t.dies, &t.cores, &t.threads,
	};
	const char *start = arg, *val;
	unsigned long n;
	size_t len, vlen, k;

	if (!*arg)
		return fail(ps, "-smp: missing value");
	for (; *arg; arg += len + (arg[len] == ',')) {
		len = next_item(arg);
		if (arg == start && !memchr(arg, '=', len)) {
			/* a bare first item is the number of CPUs */
			if (parse_uint(arg, len, 100000, &n))
				return fail(ps, "-smp: invalid number of CPUs '%.*s'",
					    (int)len, arg);
			if (!n)
				return fail(ps, "-smp: cpus must be greater than zero");
			t.cpus = n;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(keys); k++)
			if (item_key(arg, len, keys[k], &val, &vlen))
				break;
		if (k == ARRAY_SIZE(keys))
			return fail(ps, "-smp: unknown parameter '%.*s'",
				    (int)len, arg);
		if (parse_uint(val, vlen, 100000, &n))
			return fail(ps, "-smp: invalid %s '%.*s'", keys[k],
				    (int)vlen, val);
		if (!n)
			return fail(ps, "-smp: %s must be greater than zero",
				    keys[k]);
		*fields[k] = n;
	}
	if (smp_complete(&t, ps->err, ps->errlen))
		return -1;
	cfg->smp = t;
	return 0;
}

static int parse_cpu(struct parse_state *ps, const char *arg,
		     struct run_config *cfg)
{
	size_t len = next_item(arg), i;

	if (!len)
		return fail(ps, "-cpu: missing CPU model");
	/* QEMU type names: letters, digits, '-', '_', '.' */
	for (i = 0; i < len; i++) {
		char c = arg[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return fail(ps, "-cpu: invalid CPU model '%.*s'",
				    (int)len, arg);
	}
	if (len >= sizeof(cfg->cpu_model))
		return fail(ps, "-cpu: CPU model name too long");
	memcpy(cfg->cpu_model, arg, len);
	cfg->cpu_model[len] = '\0';
	cfg->cpu_arg = arg;
	memset(cfg->cpu_on, 0, sizeof(cfg->cpu_on));
	memset(cfg->cpu_off, 0, sizeof(cfg->cpu_off));
	cfg->cpu_vendor[0] = '\0';
	cfg->cpu_nocheck = false;
	cfg->cpu_enforce = false;
	return cpuid_parse_features(arg[len] ? arg + len + 1 : "", cfg,
				    ps->err, ps->errlen);
}

static int parse_machine(struct parse_state *ps, const char *arg,
			 struct run_config *cfg)
{
	const char *start = arg, *val;
	size_t len, vlen;
	int b;

	for (; *arg; arg += len + (arg[len] == ',')) {
		len = next_item(arg);
		if ((arg == start && !memchr(arg, '=', len)) ||
		    item_key(arg, len, "type", &val, &vlen)) {
			if (arg == start && !memchr(arg, '=', len)) {
				val = arg;
				vlen = len;
			}
			if (!value_is(val, vlen, "pc"))
				return fail(ps, "-machine: unsupported machine type '%.*s' (only 'pc')",
					    (int)vlen, val);
		} else if (item_key(arg, len, "accel", &val, &vlen)) {
			if (!value_is(val, vlen, "khyp") &&
			    !value_is(val, vlen, "kvm"))
				return fail(ps, "-machine: unsupported accelerator '%.*s' (only khyp, or kvm as its alias)",
					    (int)vlen, val);
		} else if (item_key(arg, len, "usb", &val, &vlen)) {
			if (parse_bool(val, vlen, &b))
				return fail(ps, "-machine: invalid usb value '%.*s'",
					    (int)vlen, val);
			if (b)
				return fail(ps, "-machine: usb=on is not supported");
		} else if (item_key(arg, len, "pit", &val, &vlen)) {
			/* QEMU's OnOffAuto: auto is on (khyp's PIT is in-kernel) */
			if (!value_is(val, vlen, "on") &&
			    !value_is(val, vlen, "off") &&
			    !value_is(val, vlen, "auto"))
				return fail(ps, "-machine: invalid pit value '%.*s' (on, off or auto)",
					    (int)vlen, val);
			cfg->no_pit = value_is(val, vlen, "off");
		} else {
			return fail(ps, "-machine: unknown parameter '%.*s'",
				    (int)len, arg);
		}
	}
	if (!*start)
		return fail(ps, "-machine: missing value");
	return 0;
}

static int parse_accel(struct parse_state *ps, const char *arg)
{
	size_t len = next_item(arg);

	if (!value_is(arg, len, "khyp") && !value_is(arg, len, "kvm"))
		return fail(ps, "-accel: unsupported accelerator '%.*s' (only khyp, or kvm as its alias)",
			    (int)len, arg);
	if (arg[len])
		return fail(ps, "-accel: unknown parameter '%s'", arg + len + 1);
	return 0;
}

static int parse_name(struct parse_state *ps, const char *arg,
		      struct run_config *cfg)
{
	const char *start = arg, *val;
	size_t len, vlen;
	bool have = false;
	int b;

	/* "-name [guest=]NAME[,process=P][,debug-threads=on|off]" */
	for (; *arg; arg += len + (arg[len] == ',')) {
		len = next_item(arg);
		if ((arg == start && !memchr(arg, '=', len)) ||
		    item_key(arg, len, "guest", &val, &vlen)) {
			if (arg == start && !memchr(arg, '=', len)) {
				val = arg;
				vlen = len;
			}
			if (!vlen)
				return fail(ps, "-name: empty name");
			if (vlen >= sizeof(cfg->name))
				return fail(ps, "-name: name too long");
			memcpy(cfg->name, val, vlen);
			cfg->name[vlen] = '\0';
			have = true;
		} else if (item_key(arg, len, "process", &val, &vlen)) {
			continue;
		} else if (item_key(arg, len, "debug-threads", &val, &vlen)) {
			if (parse_bool(val, vlen, &b))
				return fail(ps, "-name: invalid debug-threads value '%.*s'",
					    (int)vlen, val);
		} else {
			return fail(ps, "-name: unknown parameter '%.*s'",
				    (int)len, arg);
		}
	}
	if (!have)
		return fail(ps, "-name: missing name");
	return 0;
}

/* -qmp's or -monitor's unix:PATH,server=on,wait=off into @dst (108). */
static int parse_unix_server(struct parse_state *ps, const char *opt,
			     const char *arg, char *dst)
{
	const char *path, *val;
	size_t len, vlen;
	int server = 0, wait = 1, b;

	if (strncmp(arg, "unix:", 5))
		return fail(ps, "-%s: only 'unix:PATH,server=on,wait=off' is supported, not '%s'",
			    opt, arg);
	path = arg + 5;
	len = next_item(path);
	if (!len)
		return fail(ps, "-%s: empty socket path", opt);
	for (arg = path + len + (path[len] == ','); *arg;
	     arg += len + (arg[len] == ',')) {
		len = next_item(arg);
		if (value_is(arg, len, "server")) {
			server = 1;		/* legacy spelling */
		} else if (value_is(arg, len, "nowait")) {
			wait = 0;		/* legacy spelling */
		} else if (item_key(arg, len, "server", &val, &vlen)) {
			if (parse_bool(val, vlen, &server))
				return fail(ps, "-%s: invalid server value '%.*s'",
					    opt, (int)vlen, val);
		} else if (item_key(arg, len, "wait", &val, &vlen)) {
			if (parse_bool(val, vlen, &b))
				return fail(ps, "-%s: invalid wait value '%.*s'",
					    opt, (int)vlen, val);
			wait = b;
		} else {
			return fail(ps, "-%s: unknown parameter '%.*s'",
				    opt, (int)len, arg);
		}
	}
	if (!server)
		return fail(ps, "-%s: only server=on is supported", opt);
	if (wait)
		return fail(ps, "-%s: only wait=off is supported", opt);
	len = next_item(path);
	if (len >= sizeof(((struct run_config *)0)->qmp_path))
		return fail(ps, "-%s: socket path too long (at most %zu bytes)",
			    opt, sizeof(((struct run_config *)0)->qmp_path) - 1);
	memcpy(dst, path, len);
	dst[len] = '\0';
	return 0;
}

/* A QEMU integer property: decimal, 0x hex or 0 octal, <= @max. */
static int parse_prop_uint(const char *val, size_t vlen, unsigned long max,
			   unsigned long *out)
{
	char buf[32], *end;

	if (!vlen || vlen >= sizeof(buf) || val[0] == '-' || val[0] == '+')
		return -1;
	memcpy(buf, val, vlen);
	buf[vlen] = '\0';
	errno = 0;
	*out = strtoul(buf, &end, 0);
	return (errno || *end || *out > max) ? -1 : 0;
}

/* QEMU's isa-debug-exit defaults. */
#define DEBUG_EXIT_IOBASE	0x501
#define DEBUG_EXIT_IOSIZE	0x02

static int parse_debug_exit(struct parse_state *ps, const char *arg,
			    struct run_config *cfg)
{
	unsigned long base = DEBUG_EXIT_IOBASE, size = DEBUG_EXIT_IOSIZE, *v;
	const char *val;
	size_t len, vlen;

	if (cfg->debug_exit)
		return fail(ps, "-device isa-debug-exit: khyp-run has only one");
	for (; *arg; arg += len + (arg[len] == ',')) {
		len = next_item(arg);
		if (item_key(arg, len, "iobase", &val, &vlen))
			v = &base;
		else if (item_key(arg, len, "iosize", &val, &vlen))
			v = &size;
		else if (item_key(arg, len, "id", &val, &vlen))
			continue;
		else
			return fail(ps, "-device isa-debug-exit: Property 'isa-debug-exit.%.*s' not found",
				    (int)strcspn(arg, "=,"), arg);
		if (parse_prop_uint(val, vlen, 0xffff, v))
			return fail(ps, "-device isa-debug-exit: invalid %.*s",
				    (int)len, arg);
	}
	if (!size || base + size > 0x10000)
		return fail(ps, "-device isa-debug-exit: ports 0x%lx+0x%lx are not in 0-0xffff",
			    base, size);
	cfg->debug_exit = true;
	cfg->debug_exit_iobase = base;
	cfg->debug_exit_iosize = size;
	return 0;
}

/*
 * -device: the test devices kvm-unit-tests uses.  PCI devices are not
 * there: khyp's PCI configuration space is an empty bus.
 */
static int parse_device(struct parse_state *ps, const char *arg,
			struct run_config *cfg)
{
	size_t len = next_item(arg);
	const char *props = arg + len + (arg[len] == ',');

	if (value_is(arg, len, "help") || value_is(arg, len, "?")) {
		cfg->device_help = true;
		return 0;
	}
	if (value_is(arg, len, "isa-debug-exit"))
		return parse_debug_exit(ps, props, cfg);
	if (value_is(arg, len, "pc-testdev")) {
		if (cfg->pc_testdev)
			return fail(ps, "-device pc-testdev: khyp-run has only one");
		if (*props && strncmp(props, "id=", 3))
			return fail(ps, "-device pc-testdev: Property 'pc-testdev.%.*s' not found",
				    (int)strcspn(props, "=,"), props);
		cfg->pc_testdev = true;
		return 0;
	}
	if (value_is(arg, len, "pci-testdev"))
		return fail(ps, "-device pci-testdev: not supported (khyp's PCI bus has no devices)");
	return fail(ps, "-device %.*s: '%.*s' is not a valid device model name",
		    (int)len, arg, (int)len, arg);
}

/* -global DRIVER.PROPERTY=VALUE: only what khyp's devices do anyway. */
static int parse_global(struct parse_state *ps, const char *arg)
{
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');

	if (!dot || !eq || dot > eq || dot == arg || eq == dot + 1)
		return fail(ps, "-global: invalid format '%s' (DRIVER.PROPERTY=VALUE)",
			    arg);
	if (!strncmp(arg, "kvm-pit.lost_tick_policy=", eq + 1 - arg)) {
		/* khyp's PIT raises one edge per expiry and drops the rest. */
		if (strcmp(eq + 1, "discard"))
			return fail(ps, "-global %s: khyp's PIT discards lost ticks (only 'discard')",
				    arg);
		return 0;
	}
	return fail(ps, "can't apply global %s: Property '%.*s' not found", arg,
		    (int)(eq - arg), arg);
}

/* Options with no argument. */
static int flag_option(const char *opt, struct run_config *cfg)
{
	if (!strcmp(opt, "nodefaults"))
		cfg->nodefaults = true;
	else if (!strcmp(opt, "no-user-config"))
		cfg->no_user_config = true;
	else if (!strcmp(opt, "no-reboot"))
		cfg->no_reboot = true;
	else if (!strcmp(opt, "nographic"))
		cfg->nographic = true;
	else if (!strcmp(opt, "enable-kvm"))
		;	/* accepted: khyp is the accelerator */
	else if (!strcmp(opt, "h") || !strcmp(opt, "help"))
		cfg->help = true;
	else if (!strcmp(opt, "version"))
		cfg->version = true;
	else
		return 0;
	return 1;
}

static const char * const arg_options[] = {
	"m", "smp", "cpu", "kernel", "initrd", "append", "serial", "display",
	"machine", "M", "accel", "name", "monitor", "qmp", "dump-acpi",
	"device", "global",
};

int cmdline_parse(int argc, char **argv, struct run_config *cfg,
		  char *err, size_t errlen)
{
	struct parse_state ps = { .err = err, .errlen = errlen };
	bool monitor_given = false;	/* -monitor, -qmp, -serial mon: */
	const char *opt, *arg;
	size_t k;
	int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = RUN_DEFAULT_MEM_SIZE;
	cfg->smp.cpus = 1;
	cfg->smp.maxcpus = 1;
	cfg->smp.sockets = 1;
	cfg->smp.dies = 1;
	cfg->smp.cores = 1;
	cfg->smp.threads = 1;
	strcpy(cfg->cpu_model, "host");
	cfg->serial = SERIAL_STDIO;
	if (errlen)
		err[0] = '\0';

	for (i = 1; i < argc; i++) {
		opt = argv[i];
		if (opt[0] != '-' || !opt[1])
			return fail(&ps, "unexpected argument '%s' (a disk image is not supported)",
				    opt);
		opt += (opt[1] == '-') ? 2 : 1;
		if (flag_option(opt, cfg))
			continue;
		for (k = 0; k < ARRAY_SIZE(arg_options); k++)
			if (!strcmp(opt, arg_options[k]))
				break;
		if (k == ARRAY_SIZE(arg_options))
			return fail(&ps, "unknown option '%s'", argv[i]);
		if (i + 1 >= argc)
			return fail(&ps, "option '%s' requires an argument",
				    argv[i]);
		arg = argv[++i];

		if (!strcmp(opt, "m")) {
			if (parse_mem(&ps, arg, cfg))
				return -1;
		} else if (!strcmp(opt, "smp")) {
			if (parse_smp(&ps, arg, cfg))
				return -1;
		} else if (!strcmp(opt, "cpu")) {
			if (parse_cpu(&ps, arg, cfg))
				return -1;
		} else if (!strcmp(opt, "kernel")) {
			if (!*arg)
				return fail(&ps, "-kernel: empty file name");
			cfg->kernel = arg;
		} else if (!strcmp(opt, "initrd")) {
			if (!*arg)
				return fail(&ps, "-initrd: empty file name");
			cfg->initrd = arg;
		} else if (!strcmp(opt, "append")) {
			cfg->append = arg;
		} else if (!strcmp(opt, "serial")) {
			if (!strcmp(arg, "stdio")) {
				cfg->serial = SERIAL_STDIO;
			} else if (!strcmp(arg, "none")) {
				cfg->serial = SERIAL_NONE;
			} else if (!strncmp(arg, "file:", 5) && arg[5]) {
				cfg->serial = SERIAL_FILE;
				cfg->serial_path = arg + 5;
			} else if (strcmp(arg, "mon:stdio")) {
				return fail(&ps, "-serial: unsupported backend '%s' (stdio, mon:stdio, file:PATH or none)",
					    arg);
			} else {
				cfg->serial = SERIAL_STDIO;
			}
			cfg->serial_mon = !strcmp(arg, "mon:stdio");
			monitor_given |= cfg->serial_mon;
			cfg->serial_given = true;
		} else if (!strcmp(opt, "display")) {
			if (strcmp(arg, "none"))
				return fail(&ps, "-display: unsupported display '%s' (only none)",
					    arg);
		} else if (!strcmp(opt, "machine") || !strcmp(opt, "M")) {
			if (parse_machine(&ps, arg, cfg))
				return -1;
		} else if (!strcmp(opt, "accel")) {
			if (parse_accel(&ps, arg))
				return -1;
		} else if (!strcmp(opt, "name")) {
			if (parse_name(&ps, arg, cfg))
				return -1;
		} else if (!strcmp(opt, "monitor")) {
			monitor_given = true;
			if (!strcmp(arg, "stdio"))
				cfg->monitor = MONITOR_STDIO;
			else if (!strcmp(arg, "none"))
				cfg->monitor = MONITOR_NONE;
			else if (!strncmp(arg, "unix:", 5))
				cfg->monitor = MONITOR_UNIX;
			else
				return fail(&ps, "-monitor: unsupported backend '%s' (stdio, unix:PATH,server=on,wait=off or none)",
					    arg);
			if (cfg->monitor == MONITOR_UNIX &&
			    parse_unix_server(&ps, "monitor", arg,
					      cfg->monitor_path))
				return -1;
		} else if (!strcmp(opt, "qmp")) {
			monitor_given = true;
			if (parse_unix_server(&ps, "qmp", arg, cfg->qmp_path))
				return -1;
		} else if (!strcmp(opt, "dump-acpi")) {
			cfg->dump_acpi_dir = arg;
		} else if (!strcmp(opt, "device")) {
			if (parse_device(&ps, arg, cfg))
				return -1;
		} else if (!strcmp(opt, "global")) {
			if (parse_global(&ps, arg))
				return -1;
		}
	}

	/*
	 * QEMU's defaults: -nographic puts the default serial port and the
	 * default monitor (none once -monitor or -qmp is given) on stdio,
	 * multiplexed if both are; -nodefaults drops both.  Otherwise a
	 * default serial is on stdio; but not with -monitor stdio, QEMU's
	 * default serial being then a "vc", which -display none shows
	 * nowhere.  Two users of stdio are QEMU's error (without a -serial
	 * to name if the serial is the default).
	 */
	if (cfg->nographic && !cfg->nodefaults && !monitor_given) {
		if (!cfg->serial_given)
			cfg->serial_mon = true;
		else
			cfg->monitor = MONITOR_STDIO;
	}
	if ((cfg->nodefaults ||
	     (cfg->monitor == MONITOR_STDIO && !cfg->nographic)) &&
	    !cfg->serial_given)
		cfg->serial = SERIAL_NONE;
	if (cfg->monitor == MONITOR_STDIO && cfg->serial == SERIAL_STDIO &&
	    !cfg->serial_given)
		return fail(&ps, "cannot use stdio by multiple character devices");
	if (cfg->monitor == MONITOR_STDIO && cfg->serial == SERIAL_STDIO)
		return fail(&ps, "-serial %s: cannot use stdio by multiple character devices",
			    cfg->serial_mon ? "mon:stdio" : "stdio");
	/*
	 * QEMU boots firmware when there is no -kernel; khyp-run has none.
	 * So that QEMU command lines without -kernel (like the CPU hotplug
	 * walkthrough's) still start a guest, the environment can name one.
	 */
	if (!cfg->kernel && getenv("KHYP_RUN_KERNEL") &&
	    *getenv("KHYP_RUN_KERNEL")) {
		cfg->kernel = getenv("KHYP_RUN_KERNEL");
		if (!cfg->initrd && getenv("KHYP_RUN_INITRD") &&
		    *getenv("KHYP_RUN_INITRD"))
			cfg->initrd = getenv("KHYP_RUN_INITRD");
		if (!cfg->append && getenv("KHYP_RUN_APPEND"))
			cfg->append = getenv("KHYP_RUN_APPEND");
	}
	if (!cfg->kernel && !cfg->help && !cfg->version &&
	    !cfg->dump_acpi_dir && !cfg->device_help)
		return fail(&ps, "no -kernel given (khyp-run boots a Linux or Multiboot kernel directly; or set KHYP_RUN_KERNEL)");
	if ((cfg->initrd || cfg->append) && !cfg->kernel && !cfg->dump_acpi_dir)
		return fail(&ps, "-initrd and -append need -kernel");
	return 0;
}

void cmdline_device_list(FILE *f)
{
	fputs("Misc devices:\n"
	      "name \"isa-debug-exit\", bus ISA\n"
	      "name \"pc-testdev\", bus ISA\n", f);
}

int cmdline_cpu_type(const struct run_config *cfg, char *buf, size_t len)
{
	int r = snprintf(buf, len, "%s-x86_64-cpu", cfg->cpu_model);

	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

void cmdline_usage(FILE *f)
{
	fputs("usage: khyp-run [options]   (a subset of QEMU's command line)\n"
	      "  -m [size=]SIZE          guest RAM (default 128M; suffixes K M G T, default M)\n"
	      "  -smp [cpus=]N[,maxcpus=M][,sockets=S][,dies=D][,cores=C][,threads=T]\n"
	      "  -cpu MODEL[,+feat|-feat|feat=on|off...][,vendor=V][,check=off][,enforce]\n"
	      "                          host, max, qemu64, Opteron_G1, EPYC, EPYC-Rome (others:\n"
	      "                          host's features); QMP names MODEL-x86_64-cpu\n"
	      "  -kernel FILE            Linux bzImage (64-bit boot protocol) or Multiboot kernel\n"
	      "  -initrd FILE            initial ramdisk (Multiboot: module 0)\n"
	      "  -append STRING          kernel command line\n"
	      "  -device pc-testdev|isa-debug-exit[,iobase=N][,iosize=N]|help\n"
	      "  -global kvm-pit.lost_tick_policy=discard   accepted (khyp's PIT drops lost ticks)\n"
	      "  -serial stdio|mon:stdio|none|file:PATH\n"
	      "                          serial console (default stdio; none with -nodefaults\n"
	      "                          or -monitor stdio); mon:stdio shares stdio with the\n"
	      "                          monitor (Ctrl-A c switches, Ctrl-A h helps)\n"
	      "  -nographic              the default serial and monitor on stdio (mon:stdio)\n"
	      "  -display none           accepted\n"
	      "  -nodefaults, -no-user-config, -enable-kvm   accepted\n"
	      "  -machine pc[,accel=khyp|kvm][,usb=off][,pit=on|off|auto]\n"
	      "  -accel khyp|kvm\n"
	      "  -name NAME\n"
	      "  -no-reboot              exit instead of rebooting\n"
	      "  -monitor stdio|none|unix:PATH,server=on,wait=off\n"
	      "                          QEMU's HMP monitor (khyp-qmpd serves it)\n"
	      "  -qmp unix:PATH,server=on,wait=off\n"
	      "  -h, -help, -version\n", f);
}
