/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aml.h - an ACPI Machine Language (AML) byte-code emitter.
 *
 * Encodings follow the ACPI specification, chapter 20 ("ACPI Machine
 * Language Specification").  Objects with a PkgLength (Scope, Device,
 * Method, If, Buffer, Package, ...) are opened with aml_*_begin(), which
 * returns a mark (an offset into the buffer), and closed with
 * aml_end(b, mark), which inserts the PkgLength once the body's size is
 * known.
 *
 * Errors (allocation failure, bad names) are sticky: b->error is set and
 * later calls do nothing, so a generator checks once at the end.
 */
#ifndef KHYP_RUN_AML_H
#define KHYP_RUN_AML_H

#include <stddef.h>
#include <stdint.h>

#include "khyp_compiler.h"

struct aml_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int error;		/* -errno: ENOMEM, EINVAL */
};

void aml_init(struct aml_buf *b);
void aml_free(struct aml_buf *b);

/* ---- raw bytes ---- */
void aml_byte(struct aml_buf *b, uint8_t v);
void aml_bytes(struct aml_buf *b, const void *p, size_t n);

/* ---- names ---- */

/*
 * A NameString: "\\_SB.CPUS.C000", "^FOO", "_STA", "C01F".  Segments
 * shorter than 4 characters are padded with '_'.
 */
void aml_name(struct aml_buf *b, const char *path);
/* Printf-like NameString, for generated names ("C%03X"). */
__printf(2, 3) void aml_namef(struct aml_buf *b, const char *fmt, ...);

/* ---- data objects ---- */
void aml_integer(struct aml_buf *b, uint64_t v);	/* smallest form */
void aml_string(struct aml_buf *b, const char *s);
/* A compressed EISA ID ("PNP0501") as a DWordConst. */
void aml_eisaid(struct aml_buf *b, const char *id);
uint32_t aml_eisaid_value(const char *id);
/* Buffer(n) { bytes } */
void aml_buffer(struct aml_buf *b, const void *p, size_t n);

/* ---- named objects and scopes ---- */
size_t aml_scope_begin(struct aml_buf *b, const char *name);
size_t aml_device_begin(struct aml_buf *b, const char *name);
/* Method(name, nargs, serialized) */
size_t aml_method_begin(struct aml_buf *b, const char *name,
			  unsigned int nargs, int serialized);
/* Package(n) { ... }: the caller emits @n elements. */
size_t aml_package_begin(struct aml_buf *b, unsigned int n);
/* Name(name, <data object the caller emits next>) */
void aml_name_decl(struct aml_buf *b, const char *name);
/* Close the object opened at @mark. */
void aml_end(struct aml_buf *b, size_t mark);

/* Mutex(name, sync level) */
void aml_mutex(struct aml_buf *b, const char *name, unsigned int sync);

#define AML_SPACE_SYSTEM_IO	0x01
/* OperationRegion(name, space, offset, length) */
void aml_opregion(struct aml_buf *b, const char *name, uint8_t space,
		  uint64_t offset, uint64_t len);

/* Field flags: access type 3:0, lock rule 4, update rule 6:5 */
#define AML_FIELD_BYTE_ACC	0x01
#define AML_FIELD_DWORD_ACC	0x03
#define AML_FIELD_NOLOCK	0x00
#define AML_FIELD_PRESERVE	(0 << 5)
#define AML_FIELD_WRITE_ZEROS	(2 << 5)
/* Field(region, flags) { ... } with named and reserved elements */
size_t aml_field_begin(struct aml_buf *b, const char *region, uint8_t flags);
void aml_field_named(struct aml_buf *b, const char *seg, unsigned int bits);
void aml_field_reserved(struct aml_buf *b, unsigned int bits);

/* ---- statements and expressions (for method bodies) ---- */

/*
 * Operators are emitted prefix-first: the opcode, then each operand in
 * order (a name, an integer, a local, or a nested operator).
 */
#define AML_OP_STORE		0x70	/* Store(src, target) */
#define AML_OP_ADD		0x72	/* Add(a, b, target) */
#define AML_OP_NOTIFY		0x86	/* Notify(object, value) */
#define AML_OP_LNOT		0x92	/* LNot(a) */
#define AML_OP_LEQUAL		0x93	/* LEqual(a, b) */
#define AML_OP_LGREATER		0x94
#define AML_OP_LLESS		0x95
#define AML_OP_BREAK		0xa5

void aml_op(struct aml_buf *b, uint8_t op);
void aml_return(struct aml_buf *b);	/* ReturnOp: emit the value next */
void aml_local(struct aml_buf *b, unsigned int n);	/* Local0-7 */
void aml_arg(struct aml_buf *b, unsigned int n);	/* Arg0-6 */
void aml_null_target(struct aml_buf *b);		/* no Target */
/* If (predicate) { ... }: emit the predicate, the body, then aml_end */
size_t aml_if_begin(struct aml_buf *b);
/* Else { ... } right after an If's aml_end */
size_t aml_else_begin(struct aml_buf *b);
/* While (predicate) { ... } */
size_t aml_while_begin(struct aml_buf *b);
/* Acquire(mutex, 0xffff) and Release(mutex) */
void aml_acquire(struct aml_buf *b, const char *mutex);
void aml_release(struct aml_buf *b, const char *mutex);

/* ---- resource templates: build into @r, then aml_resource_end() ---- */
void aml_res_io(struct aml_buf *r, uint16_t min, uint16_t max,
		uint8_t align, uint8_t len);
void aml_res_irq_noflags(struct aml_buf *r, unsigned int irq);
/* Append the end tag and emit @r as a Buffer into @b; frees @r. */
void aml_resource_template(struct aml_buf *b, struct aml_buf *r);

#endif /* KHYP_RUN_AML_H */
