// SPDX-License-Identifier: GPL-2.0
/*
 * aml.c - an ACPI Machine Language byte-code emitter.
 *
 * Written from the ACPI 6.3 specification, chapter 20 (AML grammar) and
 * section 6.4 (resource data types).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khyp_compiler.h"
#include "aml.h"

/* Opcodes (ACPI 6.3, 20.2) */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_METHOD_OP		0x14
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_PREFIX		0x5b
#define AML_ROOT_CHAR		0x5c
#define AML_PARENT_CHAR		0x5e
#define AML_RETURN_OP		0xa4
#define AML_LOCAL0_OP		0x60
#define AML_ARG0_OP		0x68
#define AML_IF_OP		0xa0
#define AML_ELSE_OP		0xa1
#define AML_WHILE_OP		0xa2
#define AML_EXT_MUTEX_OP	0x01
#define AML_EXT_ACQUIRE_OP	0x23
#define AML_EXT_RELEASE_OP	0x27
#define AML_EXT_REGION_OP	0x80
#define AML_EXT_FIELD_OP	0x81
#define AML_EXT_DEVICE_OP	0x82

/* Small resource items (6.4.2) */
#define RES_IRQ_NOFLAGS		0x22	/* tag 4, length 2 */
#define RES_IO			0x47	/* tag 8, length 7 */
#define RES_END_TAG		0x79	/* tag 0xf, length 1 */

void aml_init(struct aml_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void aml_free(struct aml_buf *b)
{
	free(b->data);
	aml_init(b);
}

static int aml_reserve(struct aml_buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->error)
		return -1;
	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->error = -ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void aml_byte(struct aml_buf *b, uint8_t v)
{
	if (aml_reserve(b, 1))
		return;
	b->data[b->len++] = v;
}

void aml_bytes(struct aml_buf *b, const void *p, size_t n)
{
	if (aml_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void aml_le(struct aml_buf *b, uint64_t v, unsigned int n)
{
	while (n--) {
		aml_byte(b, v & 0xff);
		v >>= 8;
	}
}

/* ---- PkgLength (20.2.4) ---- */

static size_t aml_pkg_begin(struct aml_buf *b)
{
	return b->len;
}

/*
 * The PkgLength counts itself: one byte holds up to 63; otherwise the lead
 * byte's bits 7:6 give the number (1-3) of following bytes, its bits 3:0
 * the low nibble, and the following bytes the rest, 8 bits each.
 */
void aml_end(struct aml_buf *b, size_t mark)
{
	size_t body = b->len - mark, total;
	unsigned int nbytes, i;
	uint8_t enc[4];

	if (b->error)
		return;
	if (body + 1 <= 0x3f)
		nbytes = 1;
	else if (body + 2 <= 0xfff)
		nbytes = 2;
	else if (body + 3 <= 0xfffff)
		nbytes = 3;
	else if (body + 4 <= 0xfffffff)
		nbytes = 4;
	else {
		b->error = -EINVAL;
		return;
	}
	total = body + nbytes;
	if (nbytes == 1) {
		enc[0] = total;
	} else {
		enc[0] = ((nbytes - 1) << 6) | (total & 0xf);
		for (i = 1; i < nbytes; i++)
			enc[i] = (total >> (4 + 8 * (i - 1))) & 0xff;
	}
	if (aml_reserve(b, nbytes))
		return;
	memmove(b->data + mark + nbytes, b->data + mark, body);
	memcpy(b->data + mark, enc, nbytes);
	b->len += nbytes;
}

/* ---- names (20.2.2) ---- */

static int name_char_ok(char c, int first)
{
	if ((c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	return !first && c >= '0' && c <= '9';
}

void aml_name(struct aml_buf *b, const char *path)
{
	const char *p = path, *seg;
	unsigned int nseg = 0, i, len;
	uint8_t segs[255][4];

	if (*p == '\\') {
		aml_byte(b, AML_ROOT_CHAR);
		p++;
	} else {
		while (*p == '^') {
			aml_byte(b, AML_PARENT_CHAR);
			p++;
		}
	}
	while (*p) {
		seg = p;
		while (*p && *p != '.')
			p++;
		len = p - seg;
		if (!len || len > 4 || nseg == 255) {
			b->error = -EINVAL;
			return;
		}
		for (i = 0; i < 4; i++) {
			char c = i < len ? seg[i] : '_';

			if (!name_char_ok(c, i == 0)) {
				b->error = -EINVAL;
				return;
			}
			segs[nseg][i] = c;
		}
		nseg++;
		if (*p == '.') {
			p++;
			if (!*p) {
				b->error = -EINVAL;
				return;
			}
		}
	}
	if (nseg == 0) {
		aml_byte(b, AML_ZERO_OP);	/* NullName */
		return;
	}
	if (nseg == 2) {
		aml_byte(b, AML_DUAL_NAME_PREFIX);
	} else if (nseg > 2) {
		aml_byte(b, AML_MULTI_NAME_PREFIX);
		aml_byte(b, nseg);
	}
	aml_bytes(b, segs, nseg * 4);
}

void aml_namef(struct aml_buf *b, const char *fmt, ...)
{
	char name[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(name)) {
		b->error = -EINVAL;
		return;
	}
	aml_name(b, name);
}

/* ---- data (20.2.3) ---- */

void aml_integer(struct aml_buf *b, uint64_t v)
{
	if (v == 0) {
		aml_byte(b, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(b, AML_ONE_OP);
	} else if (v <= 0xff) {
		aml_byte(b, AML_BYTE_PREFIX);
		aml_le(b, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(b, AML_WORD_PREFIX);
		aml_le(b, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(b, AML_DWORD_PREFIX);
		aml_le(b, v, 4);
	} else {
		aml_byte(b, AML_QWORD_PREFIX);
		aml_le(b, v, 8);
	}
}

void aml_string(struct aml_buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p > 0x7f) {	/* AsciiCharList: 0x01-0x7f */
			b->error = -EINVAL;
			return;
		}
	}
	aml_byte(b, AML_STRING_PREFIX);
	aml_bytes(b, s, strlen(s) + 1);
}

/*
 * EISA ID: three letters of 5 bits each ('A' = 1) and four hex digits,
 * stored big-endian in a DWORD (so PNP0501 reads 0x0105d041).
 */
uint32_t aml_eisaid_value(const char *id)
{
	uint32_t v = 0;
	unsigned int i;

	if (strlen(id) != 7)
		return 0;
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;
		v = (v << 5) | (id[i] - 0x40);
	}
	for (i = 3; i < 7; i++) {
		char c = id[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		v = (v << 4) | d;
	}
	return __builtin_bswap32(v);
}

void aml_eisaid(struct aml_buf *b, const char *id)
{
	uint32_t v = aml_eisaid_value(id);

	if (!v) {
		b->error = -EINVAL;
		return;
	}
	aml_byte(b, AML_DWORD_PREFIX);
	aml_le(b, v, 4);
}

void aml_buffer(struct aml_buf *b, const void *p, size_t n)
{
	size_t m;

	aml_byte(b, AML_BUFFER_OP);
	m = aml_pkg_begin(b);
	aml_integer(b, n);
	aml_bytes(b, p, n);
	aml_end(b, m);
}

/* ---- named objects ---- */

size_t aml_scope_begin(struct aml_buf *b, const char *name)
{
	size_t m;

	aml_byte(b, AML_SCOPE_OP);
	m = aml_pkg_begin(b);
	aml_name(b, name);
	return m;
}

size_t aml_device_begin(struct aml_buf *b, const char *name)
{
	size_t m;

	aml_byte(b, AML_EXT_PREFIX);
	aml_byte(b, AML_EXT_DEVICE_OP);
	m = aml_pkg_begin(b);
	aml_name(b, name);
	return m;
}

size_t aml_method_begin(struct aml_buf *b, const char *name,
			  unsigned int nargs, int serialized)
{
	size_t m;

	if (nargs > 7)
		b->error = -EINVAL;
	aml_byte(b, AML_METHOD_OP);
	m = aml_pkg_begin(b);
	aml_name(b, name);
	/* MethodFlags: ArgCount 2:0, SerializeFlag 3, SyncLevel 7:4 */
	aml_byte(b, (nargs & 7) | (serialized ? 1 << 3 : 0));
	return m;
}

size_t aml_package_begin(struct aml_buf *b, unsigned int n)
{
	size_t m;

	if (n > 255)
		b->error = -EINVAL;
	aml_byte(b, AML_PACKAGE_OP);
	m = aml_pkg_begin(b);
	aml_byte(b, n);
	return m;
}

void aml_name_decl(struct aml_buf *b, const char *name)
{
	aml_byte(b, AML_NAME_OP);
	aml_name(b, name);
}

void aml_return(struct aml_buf *b)
{
	aml_byte(b, AML_RETURN_OP);
}

void aml_mutex(struct aml_buf *b, const char *name, unsigned int sync)
{
	if (sync > 15)
		b->error = -EINVAL;
	aml_byte(b, AML_EXT_PREFIX);
	aml_byte(b, AML_EXT_MUTEX_OP);
	aml_name(b, name);
	aml_byte(b, sync & 15);
}

void aml_opregion(struct aml_buf *b, const char *name, uint8_t space,
		  uint64_t offset, uint64_t len)
{
	aml_byte(b, AML_EXT_PREFIX);
	aml_byte(b, AML_EXT_REGION_OP);
	aml_name(b, name);
	aml_byte(b, space);
	aml_integer(b, offset);
	aml_integer(b, len);
}

size_t aml_field_begin(struct aml_buf *b, const char *region, uint8_t flags)
{
	size_t m;

	aml_byte(b, AML_EXT_PREFIX);
	aml_byte(b, AML_EXT_FIELD_OP);
	m = aml_pkg_begin(b);
	aml_name(b, region);
	aml_byte(b, flags);
	return m;
}

/* A field element's width is a PkgLength that does not count itself. */
static void aml_field_width(struct aml_buf *b, unsigned int bits)
{
	if (bits <= 0x3f) {
		aml_byte(b, bits);
	} else if (bits <= 0xfff) {
		aml_byte(b, 0x40 | (bits & 0xf));
		aml_byte(b, bits >> 4);
	} else if (bits <= 0xfffff) {
		aml_byte(b, 0x80 | (bits & 0xf));
		aml_byte(b, (bits >> 4) & 0xff);
		aml_byte(b, bits >> 12);
	} else {
		b->error = -EINVAL;
	}
}

void aml_field_named(struct aml_buf *b, const char *seg, unsigned int bits)
{
	size_t len = strlen(seg);

	if (!len || len > 4 || strchr(seg, '.') || strchr(seg, '\\')) {
		b->error = -EINVAL;
		return;
	}
	aml_name(b, seg);	/* a single NameSeg */
	aml_field_width(b, bits);
}

void aml_field_reserved(struct aml_buf *b, unsigned int bits)
{
	aml_byte(b, 0x00);	/* ReservedField */
	aml_field_width(b, bits);
}

void aml_op(struct aml_buf *b, uint8_t op)
{
	aml_byte(b, op);
}

void aml_local(struct aml_buf *b, unsigned int n)
{
	if (n > 7)
		b->error = -EINVAL;
	aml_byte(b, AML_LOCAL0_OP + (n & 7));
}

void aml_arg(struct aml_buf *b, unsigned int n)
{
	if (n > 6)
		b->error = -EINVAL;
	aml_byte(b, AML_ARG0_OP + (n % 7));
}

void aml_null_target(struct aml_buf *b)
{
	aml_byte(b, 0x00);	/* NullName */
}

size_t aml_if_begin(struct aml_buf *b)
{
	aml_byte(b, AML_IF_OP);
	return aml_pkg_begin(b);
}

size_t aml_else_begin(struct aml_buf *b)
{
	aml_byte(b, AML_ELSE_OP);
	return aml_pkg_begin(b);
}

size_t aml_while_begin(struct aml_buf *b)
{
	aml_byte(b, AML_WHILE_OP);
	return aml_pkg_begin(b);
}

void aml_acquire(struct aml_buf *b, const char *mutex)
{
	aml_byte(b, AML_EXT_PREFIX);
	aml_byte(b, AML_EXT_ACQUIRE_OP);
	aml_name(b, mutex);
	aml_le(b, 0xffff, 2);	/* wait forever */
}

void aml_release(struct aml_buf *b, const char *mutex)
{
	aml_byte(b, AML_EXT_PREFIX);
	aml_byte(b, AML_EXT_RELEASE_OP);
	aml_name(b, mutex);
}

/* ---- resources (6.4) ---- */

void aml_res_io(struct aml_buf *r, uint16_t min, uint16_t max,
		uint8_t align, uint8_t len)
{
	aml_byte(r, RES_IO);
	aml_byte(r, 1);		/* decodes 16-bit addresses */
	aml_le(r, min, 2);
	aml_le(r, max, 2);
	aml_byte(r, align);
	aml_byte(r, len);
}

void aml_res_irq_noflags(struct aml_buf *r, unsigned int irq)
{
	if (irq > 15)
		r->error = -EINVAL;
	aml_byte(r, RES_IRQ_NOFLAGS);
	aml_le(r, 1U << (irq & 15), 2);
}

void aml_resource_template(struct aml_buf *b, struct aml_buf *r)
{
	aml_byte(r, RES_END_TAG);
	aml_byte(r, 0);		/* checksum 0: "treat as correct" */
	if (r->error)
		b->error = r->error;
	else
		aml_buffer(b, r->data, r->len);
	aml_free(r);
}
