/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from Documentation/netlink/specs/khyp.yaml */
/* by scripts/genl-gen.py (make genl). */
/* The khyp family's kernel tables. */

#include "genl-gen.h"

static const struct nla_policy khyp_vm_get_nl_policy[KHYP_A_VM_NAME + 1] = {
	[KHYP_A_VM_ID] = { .type = NLA_U32 },
	[KHYP_A_VM_NAME] = { .type = NLA_NUL_STRING, .len = 31 },
};

static const struct nla_policy khyp_cpu_add_nl_policy[KHYP_A_THREAD_ID + 1] = {
	[KHYP_A_VM_ID] = { .type = NLA_U32 },
	[KHYP_A_VM_NAME] = { .type = NLA_NUL_STRING, .len = 31 },
	[KHYP_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 31 },
	[KHYP_A_DRIVER] = { .type = NLA_NUL_STRING, .len = 127 },
	[KHYP_A_SOCKET_ID] = { .type = NLA_U32 },
	[KHYP_A_DIE_ID] = { .type = NLA_U32 },
	[KHYP_A_CORE_ID] = { .type = NLA_U32 },
	[KHYP_A_THREAD_ID] = { .type = NLA_U32 },
};

static const struct nla_policy khyp_cpu_del_nl_policy[KHYP_A_CPU_INDEX + 1] = {
	[KHYP_A_VM_ID] = { .type = NLA_U32 },
	[KHYP_A_VM_NAME] = { .type = NLA_NUL_STRING, .len = 31 },
	[KHYP_A_DEVICE_ID] = { .type = NLA_NUL_STRING, .len = 31 },
	[KHYP_A_CPU_INDEX] = { .type = NLA_U32 },
};

static const struct genl_ops khyp_nl_ops[] = {
	{
		.cmd = KHYP_CMD_VM_GET,
		.doit = khyp_nl_vm_get_doit,
		.dumpit = khyp_nl_vm_get_dumpit,
		.policy = khyp_vm_get_nl_policy,
		.maxattr = ARRAY_SIZE(khyp_vm_get_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KHYP_CMD_CPU_SLOTS_GET,
		.doit = khyp_nl_cpu_slots_get_doit,
		.policy = khyp_vm_get_nl_policy,
		.maxattr = ARRAY_SIZE(khyp_vm_get_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KHYP_CMD_CPU_ADD,
		.doit = khyp_nl_cpu_add_doit,
		.policy = khyp_cpu_add_nl_policy,
		.maxattr = ARRAY_SIZE(khyp_cpu_add_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KHYP_CMD_CPU_DEL,
		.doit = khyp_nl_cpu_del_doit,
		.policy = khyp_cpu_del_nl_policy,
		.maxattr = ARRAY_SIZE(khyp_cpu_del_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KHYP_CMD_CPUS_GET,
		.doit = khyp_nl_cpus_get_doit,
		.policy = khyp_vm_get_nl_policy,
		.maxattr = ARRAY_SIZE(khyp_vm_get_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KHYP_CMD_VM_POWERDOWN,
		.doit = khyp_nl_vm_powerdown_doit,
		.policy = khyp_vm_get_nl_policy,
		.maxattr = ARRAY_SIZE(khyp_vm_get_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group khyp_nl_mcgrps[] = {
	[KHYP_NLGRP_EVENTS] = {
		.name = KHYP_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family khyp_nl_family __ro_after_init = {
	.name = KHYP_GENL_NAME,
	.version = KHYP_GENL_VERSION,
	.maxattr = KHYP_A_MAX,
	.module = THIS_MODULE,
	.ops = khyp_nl_ops,
	.n_ops = ARRAY_SIZE(khyp_nl_ops),
	/* Strict validation for every command. */
	.resv_start_op = KHYP_CMD_VM_GET,
	.mcgrps = khyp_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(khyp_nl_mcgrps),
};

/* A client resolving the family loads the module. */
MODULE_ALIAS_GENL_FAMILY(KHYP_GENL_NAME);
