// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction emulation.  QEMU's emulated SVM (and old parts) give no
 * decode assists, so on a nested page fault outside RAM we fetch the
 * instruction through the guest's own page tables and decode the forms
 * compilers emit for device access: MOV to and from memory (88, 89, 8A,
 * 8B, C6, C7, A0-A3), MOVZX and MOVSX (0F B6/B7/BE/BF), with operand-size,
 * address-size, segment and REX prefixes.  The fault gives us the
 * physical address; the decoder only needs direction, size, the register
 * or immediate, and the length to advance RIP.  MOV to CR8, intercepted
 * while a vector is requested, is decoded the same way.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include "arch_ops.h"
#include "khyp.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

struct guest_mode {
	bool paging, pae, long_mode, pse;
	u64 cr3;
	u64 cs_base;
	int def_size;		/* 2, 4 or 8: code segment default */
};

static void guest_mode_get(struct khyp_vcpu *vcpu, struct guest_mode *m)
{
	struct khyp_sregs s;

	khyp_arch_call(get_sregs)(vcpu, &s);
	m->paging = (s.cr0 & X86_CR0_PG) && (s.cr0 & X86_CR0_PE);
	m->pae = s.cr4 & X86_CR4_PAE;
	m->pse = s.cr4 & X86_CR4_PSE;
	m->long_mode = s.efer & EFER_LMA;
	m->cr3 = s.cr3;
	if (m->long_mode && (s.cs.attrib & KHYP_SEG_L)) {
		m->def_size = 8;
		m->cs_base = 0;
	} else {
		m->def_size = (s.cs.attrib & KHYP_SEG_DB) && (s.cr0 & X86_CR0_PE)
			      ? 4 : 2;
		m->cs_base = s.cs.base;
	}
}

static int read_pte(struct khyp_vcpu *vcpu, u64 gpa, u64 *pte, int size)
{
	u32 v32;
	int r;

	if (size == 8)
		return khyp_read_gpa(vcpu->vm, gpa, pte, 8);
	r = khyp_read_gpa(vcpu->vm, gpa, &v32, 4);
	*pte = v32;
	return r;
}

static int walk(struct khyp_vcpu *vcpu, const struct guest_mode *m, u64 gva,
		u64 *gpa)
{
	u64 pte;
	int level, r;

	if (!m->paging) {
		*gpa = gva & 0xffffffffULL;
		return 0;
	}
	if (m->long_mode) {
		u64 table = m->cr3 & PTE_ADDR;

		for (level = 4; level >= 1; level--) {
			unsigned int idx = (gva >> (12 + 9 * (level - 1))) & 511;

			r = read_pte(vcpu, table + idx * 8, &pte, 8);
			if (r || !(pte & PTE_P))
				return -EFAULT;
			if (level <= 3 && level > 1 && (pte & PTE_PS)) {
				u64 span = 1ULL << (12 + 9 * (level - 1));

				*gpa = (pte & PTE_ADDR & ~(span - 1)) |
				       (gva & (span - 1));
				return 0;
			}
			table = pte & PTE_ADDR;
		}
		*gpa = table | (gva & 0xfff);
		return 0;
	}
	if (m->pae) {
		r = read_pte(vcpu, (m->cr3 & 0xffffffe0) + ((gva >> 30) & 3) * 8,
			     &pte, 8);
		if (r || !(pte & PTE_P))
			return -EFAULT;
		r = read_pte(vcpu, (pte & PTE_ADDR) + ((gva >> 21) & 511) * 8,
			     &pte, 8);
		if (r || !(pte & PTE_P))
			return -EFAULT;
		if (pte & PTE_PS) {
			*gpa = (pte & PTE_ADDR & ~0x1fffffULL) | (gva & 0x1fffff);
			return 0;
		}
		r = read_pte(vcpu, (pte & PTE_ADDR) + ((gva >> 12) & 511) * 8,
			     &pte, 8);
		if (r || !(pte & PTE_P))
			return -EFAULT;
		*gpa = (pte & PTE_ADDR) | (gva & 0xfff);
		return 0;
	}
	r = read_pte(vcpu, (m->cr3 & 0xfffff000) + ((gva >> 22) & 1023) * 4,
		     &pte, 4);
	if (r || !(pte & PTE_P))
		return -EFAULT;
	if ((pte & PTE_PS) && m->pse) {
		*gpa = (pte & 0xffc00000) | (gva & 0x3fffff);
		return 0;
	}
	r = read_pte(vcpu, (pte & 0xfffff000) + ((gva >> 12) & 1023) * 4,
		     &pte, 4);
	if (r || !(pte & PTE_P))
		return -EFAULT;
	*gpa = (pte & 0xfffff000) | (gva & 0xfff);
	return 0;
}

int khyp_gva_to_gpa(struct khyp_vcpu *vcpu, u64 gva, u64 *gpa)
{
	struct guest_mode m;

	guest_mode_get(vcpu, &m);
	return walk(vcpu, &m, gva, gpa);
}

/* Fetch up to 15 bytes at CS:RIP, page by page. */
static int fetch(struct khyp_vcpu *vcpu, const struct guest_mode *m,
		 u8 *buf, int *len)
{
	u64 lin = m->cs_base + vcpu->rip;
	int got = 0;

	if (m->def_size != 8)
		lin &= 0xffffffffULL;
	while (got < 15) {
		u64 gpa;
		int n = min_t(int, 15 - got, PAGE_SIZE - offset_in_page(lin));

		if (walk(vcpu, m, lin, &gpa))
			break;
		if (khyp_read_gpa(vcpu->vm, gpa, buf + got, n))
			break;
		got += n;
		lin += n;
	}
	*len = got;
	return got ? 0 : -EFAULT;
}

struct insn {
	int len;
	bool write;
	int size;		/* bytes accessed in memory */
	int dst_size;		/* register width for reads */
	bool sign_extend;
	bool has_imm;
	u64 imm;
	u8 reg;			/* GPR number (ModRM.reg + REX.R) */
	bool high_byte;		/* AH, CH, DH, BH */
};

static int modrm_length(const u8 *p, int avail, int addr_size, int *used)
{
	u8 modrm, mod, rm;
	int n = 1;

	if (avail < 1)
		return -EINVAL;
	modrm = p[0];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -EINVAL;	/* register operand: not a memory access */
	if (addr_size == 2) {
		if (mod == 0 && rm == 6)
			n += 2;
		else if (mod == 1)
			n += 1;
		else if (mod == 2)
			n += 2;
	} else {
		if (rm == 4) {
			if (avail < 2)
				return -EINVAL;
			n++;
			if ((p[1] & 7) == 5 && mod == 0)
				n += 4;
		}
		if (mod == 0 && rm == 5)
			n += 4;
		else if (mod == 1)
			n += 1;
		else if (mod == 2)
			n += 4;
	}
	if (n > avail)
		return -EINVAL;
	*used = n;
	return 0;
}

static u64 read_imm(const u8 *p, int size)
{
	u64 v = 0;
	int i;

	for (i = 0; i < size; i++)
		v |= (u64)p[i] << (i * 8);
	return v;
}

/* Segment, LOCK and REP prefixes: nothing the decoders need from them. */
static bool plain_prefix(u8 b)
{
	return b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 ||
	       b == 0x64 || b == 0x65 || b == 0xf0 || b == 0xf2 || b == 0xf3;
}

static int decode(const u8 *buf, int avail, const struct guest_mode *m,
		  struct insn *in)
{
	int opsize = m->def_size == 8 ? 4 : m->def_size;
	int addr_size = m->def_size;
	bool rex = false, rex_w = false, rex_r = false;
	int i = 0, used, r;
	u8 op;

	memset(in, 0, sizeof(*in));
	for (; i < avail; i++) {
		u8 b = buf[i];

		if (b == 0x66)
			opsize = opsize == 2 ? 4 : 2;
		else if (b == 0x67)
			addr_size = m->def_size == 8 ? 4 :
				    (m->def_size == 4 ? 2 : 4);
		else if (plain_prefix(b))
			continue;
		else
			break;
	}
	if (i < avail && m->def_size == 8 && (buf[i] & 0xf0) == 0x40) {
		rex = true;
		rex_w = buf[i] & 8;
		rex_r = buf[i] & 4;
		i++;
	}
	if (rex_w)
		opsize = 8;
	if (i >= avail)
		return -EINVAL;
	op = buf[i++];

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		in->write = op <= 0x89;
		in->size = (op & 1) ? opsize : 1;
		in->dst_size = in->size;
		if (i >= avail)
			return -EINVAL;
		in->reg = ((buf[i] >> 3) & 7) | (rex_r ? 8 : 0);
		r = modrm_length(buf + i, avail - i, addr_size, &used);
		if (r)
			return r;
		i += used;
		break;
	case 0xc6: case 0xc7:
		in->write = true;
		in->size = op == 0xc6 ? 1 : opsize;
		if (i >= avail || ((buf[i] >> 3) & 7) != 0)
			return -EINVAL;
		r = modrm_length(buf + i, avail - i, addr_size, &used);
		if (r)
			return r;
		i += used;
		{
			int isz = in->size == 8 ? 4 : in->size;

			if (i + isz > avail)
				return -EINVAL;
			in->imm = read_imm(buf + i, isz);
			if (in->size == 8)
				in->imm = (s64)(s32)in->imm;
			in->has_imm = true;
			i += isz;
		}
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		in->write = op >= 0xa2;
		in->size = (op & 1) ? opsize : 1;
		in->dst_size = in->size;
		in->reg = KHYP_RAX;
		if (i + addr_size > avail)
			return -EINVAL;
		i += addr_size;
		break;
	case 0x0f: {
		u8 op2;

		if (i >= avail)
			return -EINVAL;
		op2 = buf[i++];
		if (op2 != 0xb6 && op2 != 0xb7 && op2 != 0xbe && op2 != 0xbf)
			return -EINVAL;
		in->size = (op2 & 1) ? 2 : 1;
		in->dst_size = opsize;
		in->sign_extend = op2 >= 0xbe;
		if (i >= avail)
			return -EINVAL;
		in->reg = ((buf[i] >> 3) & 7) | (rex_r ? 8 : 0);
		r = modrm_length(buf + i, avail - i, addr_size, &used);
		if (r)
			return r;
		i += used;
		break;
	}
	default:
		return -EINVAL;
	}
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	if (in->size == 1 && in->reg >= 4 && in->reg < 8 && !rex &&
	    (op == 0x88 || op == 0x8a)) {
		in->high_byte = true;
		in->reg -= 4;
	}
	in->len = i;
	return 0;
}

static u64 mask_of(int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void write_reg(struct khyp_vcpu *vcpu, u8 reg, bool high_byte,
		      int size, int dst_size, bool sign_extend, u64 val)
{
	u64 *r = &vcpu->regs[reg];

	val &= mask_of(size);
	if (sign_extend) {
		int shift = 64 - size * 8;

		val = (u64)(((s64)(val << shift)) >> shift);
	}
	val &= mask_of(dst_size);
	if (high_byte)
		*r = (*r & ~0xff00ULL) | (val << 8);
	else if (dst_size == 4)
		*r = val;	/* 32-bit writes zero the upper half */
	else
		*r = (*r & ~mask_of(dst_size)) | val;
}

/*
 * Step RIP over INVD, WBINVD or WBNOINVD (0F 08, 0F 09, F3 0F 09) and
 * their prefixes, for exits that give no next RIP; which of them it is
 * does not matter (QEMU's emulated SVM reports INVD as WBINVD).
 * -EINVAL if something else is there.
 */
int khyp_skip_cache_flush(struct khyp_vcpu *vcpu)
{
	struct guest_mode m;
	u8 buf[15];
	int avail, i;

	guest_mode_get(vcpu, &m);
	if (fetch(vcpu, &m, buf, &avail))
		return -EFAULT;
	for (i = 0; i + 1 < avail; i++) {
		if (buf[i] == 0x0f && (buf[i + 1] == 0x08 || buf[i + 1] == 0x09)) {
			vcpu->rip += i + 2;
			return 0;
		}
		if (buf[i] != 0x66 && buf[i] != 0x67 && !plain_prefix(buf[i]) &&
		    !(m.def_size == 8 && (buf[i] & 0xf0) == 0x40))
			break;
	}
	return -EINVAL;
}

/*
 * MOV to CR@cr (0F 22 /r) at RIP: the value it writes, and RIP stepped
 * past it.  -EINVAL if something else is there.
 */
int khyp_decode_mov_to_cr(struct khyp_vcpu *vcpu, int cr, u64 *val)
{
	struct guest_mode m;
	bool rex_b = false, rex_r = false;
	u8 buf[15], modrm;
	int avail, i = 0;

	guest_mode_get(vcpu, &m);
	if (fetch(vcpu, &m, buf, &avail))
		return -EFAULT;
	while (i < avail && (buf[i] == 0x66 || buf[i] == 0x67 ||
			     plain_prefix(buf[i])))
		i++;
	if (i < avail && m.def_size == 8 && (buf[i] & 0xf0) == 0x40) {
		rex_b = buf[i] & 1;
		rex_r = buf[i] & 4;
		i++;
	}
	if (i + 3 > avail || buf[i] != 0x0f || buf[i + 1] != 0x22)
		return -EINVAL;
	modrm = buf[i + 2];
	if (((modrm >> 3) & 7) + (rex_r ? 8 : 0) != cr)
		return -EINVAL;
	/* The operand is always a register, whatever ModRM.mod says. */
	*val = vcpu->regs[(modrm & 7) + (rex_b ? 8 : 0)];
	if (m.def_size != 8)
		*val = (u32)*val;
	vcpu->rip += i + 3;
	return 0;
}

int khyp_emulate_mmio(struct khyp_vcpu *vcpu, u64 gpa)
{
	struct guest_mode m;
	struct insn in;
	u8 buf[15];
	u64 val = 0;
	int avail, r;

	guest_mode_get(vcpu, &m);
	if (fetch(vcpu, &m, buf, &avail) || decode(buf, avail, &m, &in)) {
		pr_info_ratelimited("VM %u vCPU %u: cannot emulate MMIO at %#llx, rip %#llx: %*ph\n",
				    vcpu->vm->id, vcpu->id, gpa, vcpu->rip,
				    min(avail, 15), buf);
		return -EINVAL;
	}
	vcpu->rip += in.len;
	if (in.write) {
		if (in.has_imm) {
			val = in.imm;
		} else {
			val = vcpu->regs[in.reg];
			if (in.high_byte)
				val >>= 8;
		}
		val &= mask_of(in.size);
		r = khyp_io_bus_write(vcpu, KHYP_BUS_MMIO, gpa, &val, in.size);
	} else {
		r = khyp_io_bus_read(vcpu, KHYP_BUS_MMIO, gpa, &val, in.size);
		if (r == -ENODEV && vcpu->vm->platform) {
			val = ~0ULL;	/* nothing there: the bus floats */
			r = 0;
		}
		if (!r)
			write_reg(vcpu, in.reg, in.high_byte, in.size,
				  in.dst_size, in.sign_extend, val);
	}
	if (r == -ENODEV && vcpu->vm->platform)
		return 0;	/* writes to nowhere vanish */
	if (r == -ENODEV) {
		memset(&vcpu->last_exit, 0, sizeof(vcpu->last_exit));
		vcpu->last_exit.reason = KHYP_EXIT_MMIO;
		vcpu->last_exit.mmio.gpa = gpa;
		vcpu->last_exit.mmio.size = in.size;
		vcpu->last_exit.mmio.is_write = in.write;
		vcpu->last_exit.mmio.data = in.write ? val : 0;
		if (!in.write) {
			vcpu->mmio_read.reg = in.reg;
			vcpu->mmio_read.size = in.size;
			vcpu->mmio_read.dst_size = in.dst_size;
			vcpu->mmio_read.high_byte = in.high_byte;
			vcpu->mmio_read.sign_extend = in.sign_extend;
			vcpu->complete_mmio = true;
		}
		return 1;
	}
	return r;
}

void khyp_emulate_mmio_complete(struct khyp_vcpu *vcpu)
{
	write_reg(vcpu, vcpu->mmio_read.reg, vcpu->mmio_read.high_byte,
		  vcpu->mmio_read.size, vcpu->mmio_read.dst_size,
		  vcpu->mmio_read.sign_extend, vcpu->last_exit.mmio.data);
}

/*
 * MOV to CR8: REX.R 0F 22 /r in 64-bit code, or AMD's LOCK 0F 22 /r (CR0
 * with LOCK names CR8) in any mode.  The source is ModRM.rm, mod ignored.
 */
int khyp_emulate_mov_to_cr8(struct khyp_vcpu *vcpu, u64 *val)
{
	bool lock = false, rex_r = false, rex_b = false;
	struct guest_mode m;
	int avail, i, cr;
	u8 buf[15], modrm;

	guest_mode_get(vcpu, &m);
	if (fetch(vcpu, &m, buf, &avail))
		return -EFAULT;
	for (i = 0; i < avail; i++) {
		if (buf[i] == 0xf0) {
			lock = true;
		} else if (m.def_size == 8 && (buf[i] & 0xf0) == 0x40) {
			rex_r = buf[i] & 4;
			rex_b = buf[i] & 1;
		} else if (buf[i] != 0x66 && buf[i] != 0x67) {
			break;
		}
	}
	if (i + 3 > avail || buf[i] != 0x0f || buf[i + 1] != 0x22)
		return -EINVAL;
	modrm = buf[i + 2];
	cr = ((modrm >> 3) & 7) | (rex_r ? 8 : 0);
	if (cr != (lock ? 0 : 8))
		return -EINVAL;
	*val = vcpu->regs[(modrm & 7) | (rex_b ? 8 : 0)];
	if (m.def_size != 8)
		*val &= 0xffffffffULL;
	return i + 3;
}
