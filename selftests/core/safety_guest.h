/* SPDX-License-Identifier: GPL-2.0 */
/* What safety_test and its guest programs agree on. */
#ifndef SAFETY_GUEST_H
#define SAFETY_GUEST_H

/* The real-mode register check (race_guest.S) reports these on TEST_PORT_REPORT. */
#define RACE_GPRS_MIXED		1
#define RACE_SEGS_MIXED		2

#endif
