/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khyp_compiler.h - the kernel's spelling of a few compiler attributes and
 * helpers, for khyp's userspace code (which follows kernel style).
 */
#ifndef KHYP_COMPILER_H
#define KHYP_COMPILER_H

#ifndef __packed
#define __packed		__attribute__((packed))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))
#endif

#endif /* KHYP_COMPILER_H */
