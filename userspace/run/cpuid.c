// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid.c - launcher policy for the guest's CPUID table.
 *
 * khyp.ko presents the host's CPUID filtered to what it virtualizes
 * (KHYP_GET_SUPPORTED_CPUID).  -cpu narrows it:
 *
 * - The model: host and max keep everything; qemu64, Opteron_G1, EPYC
 *   and EPYC-Rome keep the features QEMU's model of that name has
 *   (target/i386/cpu.c), with x2APIC on as QEMU does under KVM; any other
 *   name keeps everything too and is only the type name QMP reports.
 *   Vendor, family and model stay the host's.
 * - +feat / feat=on adds a feature the model lacks; -feat / feat=off
 *   takes one away.  A feature asked for that khyp.ko cannot offer on
 *   this host is dropped with QEMU's warning for an accelerator that
 *   lacks it (check=off silences it), or refused with enforce.  A model's
 *   own features khyp lacks (MCE, MCA) go silently.
 * - vendor= is accepted if it is the host's: the guest sees that anyway.
 *   AMD-V runs the guest on the host's own instruction set, and khyp does
 *   not emulate another vendor's differences (SYSENTER in long mode, the
 *   MSRs): cross-vendor is refused.
 *
 * And the package topology of -smp: an AMD guest finds its cores per
 * package in CPUID 0x80000008 ECX (NC and ApicIdCoreIdSize) and splits
 * the APIC ID there, so sockets show up as packages.  Threads and dies
 * come from CPUID 0x8000001E, which khyp.ko fills per vCPU from the
 * topology (KHYP_SET_TOPOLOGY) and the APIC ID.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "khyp_compiler.h"
#include "cpuid.h"
#include "topology.h"

#define EXT_ADDR_SIZES	0x80000008u

enum { EAX, EBX, ECX, EDX };

static const struct {
	uint32_t leaf;
	int reg;
} words[CPU_NR_WORDS] = {
	[CPU_1_EDX] = { 1, EDX },
	[CPU_1_ECX] = { 1, ECX },
	[CPU_7_EBX] = { 7, EBX },
	[CPU_7_ECX] = { 7, ECX },
	[CPU_E1_EDX] = { 0x80000001, EDX },
	[CPU_E1_ECX] = { 0x80000001, ECX },
};

/* QEMU's feature names; '_' and '.' compare equal to '-'. */
static const struct {
	const char *name;
	enum cpu_word word;
	unsigned int bit;
} features[] = {
	{ "fpu", CPU_1_EDX, 0 }, { "vme", CPU_1_EDX, 1 },
	{ "de", CPU_1_EDX, 2 }, { "pse", CPU_1_EDX, 3 },
	{ "tsc", CPU_1_EDX, 4 }, { "msr", CPU_1_EDX, 5 },
	{ "pae", CPU_1_EDX, 6 }, { "mce", CPU_1_EDX, 7 },
	{ "cx8", CPU_1_EDX, 8 }, { "apic", CPU_1_EDX, 9 },
	{ "sep", CPU_1_EDX, 11 }, { "mtrr", CPU_1_EDX, 12 },
	{ "pge", CPU_1_EDX, 13 }, { "mca", CPU_1_EDX, 14 },
	{ "cmov", CPU_1_EDX, 15 }, { "pat", CPU_1_EDX, 16 },
	{ "pse36", CPU_1_EDX, 17 }, { "pn", CPU_1_EDX, 18 },
	{ "clflush", CPU_1_EDX, 19 }, { "ds", CPU_1_EDX, 21 },
	{ "acpi", CPU_1_EDX, 22 }, { "mmx", CPU_1_EDX, 23 },
	{ "fxsr", CPU_1_EDX, 24 }, { "sse", CPU_1_EDX, 25 },
	{ "sse2", CPU_1_EDX, 26 }, { "ss", CPU_1_EDX, 27 },
	{ "ht", CPU_1_EDX, 28 }, { "tm", CPU_1_EDX, 29 },
	{ "pbe", CPU_1_EDX, 31 },

	{ "pni", CPU_1_ECX, 0 }, { "sse3", CPU_1_ECX, 0 },
	{ "pclmulqdq", CPU_1_ECX, 1 }, { "pclmuldq", CPU_1_ECX, 1 },
	{ "dtes64", CPU_1_ECX, 2 }, { "monitor", CPU_1_ECX, 3 },
	{ "ds-cpl", CPU_1_ECX, 4 }, { "vmx", CPU_1_ECX, 5 },
	{ "smx", CPU_1_ECX, 6 }, { "est", CPU_1_ECX, 7 },
	{ "tm2", CPU_1_ECX, 8 }, { "ssse3", CPU_1_ECX, 9 },
	{ "cid", CPU_1_ECX, 10 }, { "fma", CPU_1_ECX, 12 },
	{ "cx16", CPU_1_ECX, 13 }, { "xtpr", CPU_1_ECX, 14 },
	{ "pdcm", CPU_1_ECX, 15 }, { "pcid", CPU_1_ECX, 17 },
	{ "dca", CPU_1_ECX, 18 }, { "sse4.1", CPU_1_ECX, 19 },
	{ "sse4.2", CPU_1_ECX, 20 }, { "x2apic", CPU_1_ECX, 21 },
	{ "movbe", CPU_1_ECX, 22 }, { "popcnt", CPU_1_ECX, 23 },
	{ "tsc-deadline", CPU_1_ECX, 24 }, { "aes", CPU_1_ECX, 25 },
	{ "xsave", CPU_1_ECX, 26 }, { "osxsave", CPU_1_ECX, 27 },
	{ "avx", CPU_1_ECX, 28 }, { "f16c", CPU_1_ECX, 29 },
	{ "rdrand", CPU_1_ECX, 30 }, { "hypervisor", CPU_1_ECX, 31 },

	{ "fsgsbase", CPU_7_EBX, 0 }, { "tsc-adjust", CPU_7_EBX, 1 },
	{ "sgx", CPU_7_EBX, 2 }, { "bmi1", CPU_7_EBX, 3 },
	{ "hle", CPU_7_EBX, 4 }, { "avx2", CPU_7_EBX, 5 },
	{ "smep", CPU_7_EBX, 7 }, { "bmi2", CPU_7_EBX, 8 },
	{ "erms", CPU_7_EBX, 9 }, { "invpcid", CPU_7_EBX, 10 },
	{ "rtm", CPU_7_EBX, 11 }, { "mpx", CPU_7_EBX, 14 },
	{ "avx512f", CPU_7_EBX, 16 }, { "avx512dq", CPU_7_EBX, 17 },
	{ "rdseed", CPU_7_EBX, 18 }, { "adx", CPU_7_EBX, 19 },
	{ "smap", CPU_7_EBX, 20 }, { "avx512ifma", CPU_7_EBX, 21 },
	{ "clflushopt", CPU_7_EBX, 23 }, { "clwb", CPU_7_EBX, 24 },
	{ "intel-pt", CPU_7_EBX, 25 }, { "avx512pf", CPU_7_EBX, 26 },
	{ "avx512er", CPU_7_EBX, 27 }, { "avx512cd", CPU_7_EBX, 28 },
	{ "sha-ni", CPU_7_EBX, 29 }, { "avx512bw", CPU_7_EBX, 30 },
	{ "avx512vl", CPU_7_EBX, 31 },

	{ "avx512vbmi", CPU_7_ECX, 1 }, { "umip", CPU_7_ECX, 2 },
	{ "pku", CPU_7_ECX, 3 }, { "waitpkg", CPU_7_ECX, 5 },
	{ "avx512vbmi2", CPU_7_ECX, 6 }, { "gfni", CPU_7_ECX, 8 },
	{ "vaes", CPU_7_ECX, 9 }, { "vpclmulqdq", CPU_7_ECX, 10 },
	{ "avx512vnni", CPU_7_ECX, 11 }, { "avx512bitalg", CPU_7_ECX, 12 },
	{ "avx512-vpopcntdq", CPU_7_ECX, 14 }, { "la57", CPU_7_ECX, 16 },
	{ "rdpid", CPU_7_ECX, 22 },

	{ "syscall", CPU_E1_EDX, 11 }, { "nx", CPU_E1_EDX, 20 },
	{ "mmxext", CPU_E1_EDX, 22 }, { "fxsr-opt", CPU_E1_EDX, 25 },
	{ "pdpe1gb", CPU_E1_EDX, 26 }, { "rdtscp", CPU_E1_EDX, 27 },
	{ "lm", CPU_E1_EDX, 29 }, { "3dnowext", CPU_E1_EDX, 30 },
	{ "3dnow", CPU_E1_EDX, 31 },

	{ "lahf-lm", CPU_E1_ECX, 0 }, { "cmp-legacy", CPU_E1_ECX, 1 },
	{ "svm", CPU_E1_ECX, 2 }, { "extapic", CPU_E1_ECX, 3 },
	{ "cr8legacy", CPU_E1_ECX, 4 }, { "abm", CPU_E1_ECX, 5 },
	{ "sse4a", CPU_E1_ECX, 6 }, { "misalignsse", CPU_E1_ECX, 7 },
	{ "3dnowprefetch", CPU_E1_ECX, 8 }, { "osvw", CPU_E1_ECX, 9 },
	{ "ibs", CPU_E1_ECX, 10 }, { "xop", CPU_E1_ECX, 11 },
	{ "skinit", CPU_E1_ECX, 12 }, { "wdt", CPU_E1_ECX, 13 },
	{ "lwp", CPU_E1_ECX, 15 }, { "fma4", CPU_E1_ECX, 16 },
	{ "tce", CPU_E1_ECX, 17 }, { "nodeid-msr", CPU_E1_ECX, 19 },
	{ "tbm", CPU_E1_ECX, 21 }, { "topoext", CPU_E1_ECX, 22 },
	{ "perfctr-core", CPU_E1_ECX, 23 }, { "perfctr-nb", CPU_E1_ECX, 24 },
};

/*
 * AMD repeats these leaf-1 EDX bits in 0x80000001 EDX: a model's or a
 * -feat's change to one applies to both.
 */
#define AMD_EDX_ALIASES	0x0183f3ffu

/* QEMU's models, each word the bits it has (x2APIC and hypervisor on). */
static const struct {
	const char *name;
	uint32_t has[CPU_NR_WORDS];
} models[] = {
	{ "qemu64", {
		[CPU_1_EDX] = 0x078bfbfd,	/* PPro features, MTRR... */
		[CPU_1_ECX] = 0x80202001,	/* SSE3 CX16 */
		[CPU_E1_EDX] = 0x20100800,	/* SYSCALL NX LM */
		[CPU_E1_ECX] = 0x00000001,	/* LAHF */
	} },
	{ "Opteron_G1", {
		[CPU_1_EDX] = 0x078bfbff,	/* ... MCA CMOV PAT ... SSE2 */
		[CPU_1_ECX] = 0x80200001,	/* SSE3 */
		[CPU_E1_EDX] = 0x20100800,	/* SYSCALL NX LM */
	} },
	{ "EPYC", {
		[CPU_1_EDX] = 0x078bfbff,
		[CPU_1_ECX] = 0xf6f83203,	/* ... AVX F16C RDRAND */
		[CPU_7_EBX] = 0x209c01a9,	/* ... CLFLUSHOPT SHA */
		[CPU_E1_EDX] = 0x2e500800,	/* ... PDPE1GB RDTSCP LM */
		[CPU_E1_ECX] = 0x000003f3,	/* ... 3DNOWPREFETCH OSVW */
	} },
	{ "EPYC-Rome", {
		[CPU_1_EDX] = 0x078bfbff,
		[CPU_1_ECX] = 0xf6f83203,
		[CPU_7_EBX] = 0x219c01a9,	/* EPYC's, CLWB */
		[CPU_7_ECX] = 0x00400004,	/* UMIP RDPID */
		[CPU_E1_EDX] = 0x2e500800,
		[CPU_E1_ECX] = 0x00c003f3,	/* EPYC's, TOPOEXT PERFCTR_CORE */
	} },
};

/* Equal as QEMU's feature names are: '_' and '.' are '-'. */
static bool name_eq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen && b[i]; i++) {
		char x = a[i] == '_' || a[i] == '.' ? '-' : a[i];
		char y = b[i] == '_' || b[i] == '.' ? '-' : b[i];

		if (x != y)
			return false;
	}
	return i == alen && !b[i];
}

static int find_feature(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(features); i++)
		if (name_eq(name, len, features[i].name))
			return i;
	return -1;
}

/* Properties that change nothing on khyp, with the values that say so. */
static bool harmless_property(const char *name, size_t len, const char *val)
{
	/* host-phys-bits: khyp gives the host's address sizes anyway. */
	if (name_eq(name, len, "host-phys-bits"))
		return !val || !strcmp(val, "on") || !strcmp(val, "true");
	/* Nothing in khyp migrates. */
	if (name_eq(name, len, "migratable"))
		return val && (!strcmp(val, "on") || !strcmp(val, "off") ||
			       !strcmp(val, "yes") || !strcmp(val, "no"));
	return false;
}

static __printf(3, 4) int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* QEMU's boolean spellings; a bare property name is on. */
static int prop_bool(const char *val, bool *out)
{
	static const char * const words[] = {
		"off", "on", "no", "yes", "false", "true", "n", "y",
	};
	size_t i;

	if (!val) {
		*out = true;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(val, words[i])) {
			*out = i & 1;
			return 0;
		}
	return -1;
}

/* check, enforce and vendor: 1 if @name is one of them, -1 if bad. */
static int cpu_property(const char *name, size_t len, const char *val,
			struct run_config *cfg, char *err, size_t errlen)
{
	bool b;

	if (name_eq(name, len, "vendor")) {
		if (!val || strlen(val) != sizeof(cfg->cpu_vendor) - 1)
			return fail(err, errlen,
				    "-cpu %s: Property '.vendor' doesn't take value '%s'",
				    cfg->cpu_arg, val ? val : "");
		strcpy(cfg->cpu_vendor, val);
		return 1;
	}
	if (!name_eq(name, len, "check") && !name_eq(name, len, "enforce"))
		return 0;
	if (prop_bool(val, &b))
		return fail(err, errlen, "-cpu %s: invalid %.*s value '%s'",
			    cfg->cpu_arg, (int)len, name, val);
	if (name_eq(name, len, "check"))
		cfg->cpu_nocheck = !b;
	else
		cfg->cpu_enforce = b;
	return 1;
}

int cpuid_parse_features(const char *props, struct run_config *cfg,
			 char *err, size_t errlen)
{
	const char *p = props, *end, *eq, *val;
	size_t len;
	bool on;
	int f;

	for (; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ',');
		len = end - p;
		eq = memchr(p, '=', len);
		val = NULL;
		if (*p == '+' || *p == '-') {
			on = *p++ == '+';
			len--;
		} else if (eq) {
			val = eq + 1;
			len = eq - p;
			on = !strncmp(val, "on", end - val) && end - val == 2;
		} else {
			on = true;
		}
		f = find_feature(p, len);
		if (f < 0) {
			char v[32] = "";
			int r;

			if (val)
				snprintf(v, sizeof(v), "%.*s",
					 (int)(end - val), val);
			r = cpu_property(p, len, val ? v : NULL, cfg, err,
					 errlen);
			if (r < 0)
				return -1;
			if (r || harmless_property(p, len, val ? v : NULL))
				continue;
			return fail(err, errlen,
				    "-cpu %s: unknown or unsupported CPU property '%.*s'",
				    cfg->cpu_arg, (int)len, p);
		}
		if (val && !on && (end - val != 3 || strncmp(val, "off", 3)))
			return fail(err, errlen,
				    "-cpu %s: feature '%.*s' takes on or off, not '%.*s'",
				    cfg->cpu_arg, (int)len, p,
				    (int)(end - val), val);
		if (on) {
			cfg->cpu_on[features[f].word] |= 1u << features[f].bit;
			cfg->cpu_off[features[f].word] &= ~(1u << features[f].bit);
		} else {
			cfg->cpu_off[features[f].word] |= 1u << features[f].bit;
			cfg->cpu_on[features[f].word] &= ~(1u << features[f].bit);
		}
	}
	return 0;
}

static uint32_t *reg_of(struct khyp_cpuid_entry *e, int reg)
{
	switch (reg) {
	case EAX:
		return &e->eax;
	case EBX:
		return &e->ebx;
	case ECX:
		return &e->ecx;
	default:
		return &e->edx;
	}
}

static struct khyp_cpuid_entry *entry(struct khyp_cpuid *c, uint32_t leaf)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == leaf && !c->entries[i].index)
			return &c->entries[i];
	return NULL;
}

static const char *feature_name(enum cpu_word w, unsigned int bit)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(features); i++)
		if (features[i].word == w && features[i].bit == bit)
			return features[i].name;
	return "?";
}

/* QEMU's name of a feature word: "CPUID.07H:EBX". */
static void word_name(enum cpu_word w, char *buf, size_t len)
{
	static const char regs[][4] = { "EAX", "EBX", "ECX", "EDX" };

	snprintf(buf, len, "CPUID.%02XH:%s", words[w].leaf, regs[words[w].reg]);
}

/* The host's vendor string, from leaf 0 of the supported table. */
static void host_vendor(struct khyp_cpuid *c, char out[13])
{
	struct khyp_cpuid_entry *e = entry(c, 0);

	memset(out, 0, 13);
	if (!e)
		return;
	memcpy(out, &e->ebx, 4);
	memcpy(out + 4, &e->edx, 4);
	memcpy(out + 8, &e->ecx, 4);
}

/* Apply the model and the +/- features to the supported table. */
static int apply_features(struct khyp_cpuid *c, const struct run_config *cfg,
			  cpuid_warn_fn *warn, char *err, size_t errlen)
{
	uint32_t on[CPU_NR_WORDS], off[CPU_NR_WORDS], keep, *r, have, missing;
	bool verbose = !cfg->cpu_nocheck || cfg->cpu_enforce, filtered = false;
	const uint32_t *model = NULL;
	struct khyp_cpuid_entry *e;
	char wname[24];
	unsigned int w, bit;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(models); i++)
		if (!strcmp(cfg->cpu_model, models[i].name))
			model = models[i].has;
	memcpy(on, cfg->cpu_on, sizeof(on));
	memcpy(off, cfg->cpu_off, sizeof(off));
	/* Leaf 1 names the aliases: -fpu clears both, +fpu checks leaf 1. */
	off[CPU_E1_EDX] |= off[CPU_1_EDX] & AMD_EDX_ALIASES;
	for (w = 0; w < CPU_NR_WORDS; w++) {
		e = entry(c, words[w].leaf);
		have = e ? *reg_of(e, words[w].reg) : 0;
		missing = on[w] & ~have;
		filtered |= missing;
		word_name(w, wname, sizeof(wname));
		for (bit = 0; verbose && bit < 32; bit++)
			if (missing & (1u << bit))
				warn("host doesn't support requested feature: %s.%s [bit %u]",
				     wname, feature_name(w, bit), bit);
		if (!e)
			continue;
		keep = model ? model[w] | on[w] : ~0u;
		if (model && w == CPU_E1_EDX)
			keep |= (model[CPU_1_EDX] | on[CPU_1_EDX]) &
				AMD_EDX_ALIASES;
		r = reg_of(e, words[w].reg);
		*r &= keep & ~off[w];
	}
	if (filtered && cfg->cpu_enforce)
		return fail(err, errlen, "Host doesn't support requested features");
	return 0;
}

/* vendor= must be the host's: AMD-V cannot make the CPU another's. */
static int check_vendor(struct khyp_cpuid *c, const struct run_config *cfg,
			char *err, size_t errlen)
{
	char host[13];

	host_vendor(c, host);
	if (!cfg->cpu_vendor[0] || !strcmp(cfg->cpu_vendor, host))
		return 0;
	return fail(err, errlen,
		    "-cpu %s: the host CPU is %s; khyp does not present another vendor's CPU (cross-vendor is not supported on AMD-V, by design)",
		    cfg->cpu_arg, host);
}

int cpuid_filter(struct khyp_cpuid *c, unsigned int cap,
		 const struct run_config *cfg, cpuid_warn_fn *warn,
		 char *err, size_t errlen)
{
	const struct smp_topology *t = &cfg->smp;
	unsigned int per_pkg = t->dies * t->cores * t->threads;
	unsigned int bits = topo_field_width(t->dies) +
			    topo_field_width(t->cores) +
			    topo_field_width(t->threads);
	unsigned int i;

	(void)cap;
	if (!per_pkg || per_pkg > 256)
		return fail(err, errlen, "-smp: %u CPUs per package", per_pkg);
	if (check_vendor(c, cfg, err, errlen) ||
	    apply_features(c, cfg, warn, err, errlen))
		return -1;
	for (i = 0; i < c->nent; i++) {
		struct khyp_cpuid_entry *e = &c->entries[i];

		if (e->function != EXT_ADDR_SIZES)
			continue;
		/* NC = logical CPUs per package - 1; bits 15:12 the ID width */
		e->ecx = (e->ecx & ~0xf0ffu) | (bits << 12) | (per_pkg - 1);
	}
	return 0;
}
