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

/* ---- statements (for method bodies) ---- */
void aml_return(struct aml_buf *b);	/* ReturnOp: emit the value next */

/* ---- resource templates: build into @r, then aml_resource_end() ---- */
void aml_res_io(struct aml_buf *r, uint16_t min, uint16_t max,
		uint8_t align, uint8_t len);
void aml_res_irq_noflags(struct aml_buf *r, unsigned int irq);
/* Append the end tag and emit @r as a Buffer into @b; frees @r. */
void aml_resource_template(struct aml_buf *b, struct aml_buf *r);

#endif /* KHYP_RUN_AML_H */
