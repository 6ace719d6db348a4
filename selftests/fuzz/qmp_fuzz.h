/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KHYP_QMP_FUZZ_H
#define KHYP_QMP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run khyp-qmpd on one fuzzer input (qmp_fuzz.c says how it is read). */
int qmp_fuzz_one(const uint8_t *data, size_t size);

#endif
