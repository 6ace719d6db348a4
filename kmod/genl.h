/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "khyp" generic netlink family (uapi/linux/khyp_genl.h,
 * Documentation/netlink/specs/khyp.yaml): QMP-shaped CPU hotplug commands
 * for khyp-qmpd and the "events" multicast group.  The event senders are
 * declared in cpuhp.h, next to their only caller.
 */
#ifndef KHYP_GENL_H
#define KHYP_GENL_H

int khyp_genl_init(void);
void khyp_genl_exit(void);

#endif /* KHYP_GENL_H */
