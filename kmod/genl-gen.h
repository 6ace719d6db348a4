/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from Documentation/netlink/specs/khyp.yaml */
/* by scripts/genl-gen.py (make genl). */
/* The khyp family's kernel tables. */

#ifndef _KHYP_GENL_GEN_H
#define _KHYP_GENL_GEN_H

#include <net/genetlink.h>
#include "../uapi/linux/khyp_genl.h"

extern struct genl_family khyp_nl_family;

enum {
	KHYP_NLGRP_EVENTS,
};

int khyp_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info);
int khyp_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int khyp_nl_cpu_slots_get_doit(struct sk_buff *skb, struct genl_info *info);
int khyp_nl_cpu_add_doit(struct sk_buff *skb, struct genl_info *info);
int khyp_nl_cpu_del_doit(struct sk_buff *skb, struct genl_info *info);
int khyp_nl_cpus_get_doit(struct sk_buff *skb, struct genl_info *info);
int khyp_nl_vm_powerdown_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _KHYP_GENL_GEN_H */
