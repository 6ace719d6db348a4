// SPDX-License-Identifier: GPL-2.0
/* libFuzzer's entry into qmp_fuzz.c. */
#include "qmp_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return qmp_fuzz_one(data, size);
}
