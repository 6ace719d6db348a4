#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""genl-gen.py - the khyp netlink family's C from its YNL spec.

  scripts/genl-gen.py [--check]

Documentation/netlink/specs/khyp.yaml is the source.  This writes the
uapi header it names (uapi/<uapi-header>: commands, attributes,
constants, family and group names) and the module's tables
(kmod/genl-gen.[ch]: request policies, genl_ops, multicast groups, the
genl_family and its module alias) in the shape both 6.1's and 6.12's genl API take: one
genl_ops per command with its own policy.  The outputs are committed, as
the kernel commits its YNL output, so that neither kbuild, DKMS nor the
userspace builds need python3-yaml; --check compares instead of writing,
prints a diff and exits 1 on drift (selftests/unit/genl_spec_test.py).
"""
import difflib
import os
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SPEC = "Documentation/netlink/specs/khyp.yaml"
KERNEL_H = "kmod/genl-gen.h"
KERNEL_C = "kmod/genl-gen.c"

POLICY_TYPES = {"u32": "NLA_U32", "string": "NLA_NUL_STRING",
                "flag": "NLA_FLAG", "nest": "NLA_NESTED"}


def c_upper(name):
    return name.upper().replace("-", "_")


def c_lower(name):
    return name.lower().replace("-", "_")


def banner(license_id, what):
    return ["/* SPDX-License-Identifier: %s */" % license_id,
            "/* Do not edit: generated from %s */" % SPEC,
            "/* by scripts/genl-gen.py (make genl). */",
            "/* %s */" % what, ""]


def block_comment(text, indent=""):
    lines = [indent + "/*"]
    lines += [(indent + " * " + ln).rstrip() for ln in text.strip().split("\n")]
    return lines + [indent + " */"]


def define(name, value):
    name = "#define " + name
    return name + "\t" * max(1, (32 - len(name) + 7) // 8) + str(value)


class Family:
    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]
        # YNL's names unless the spec (genetlink-c) overrides them.
        self.c_name = c_upper(spec.get("c-family-name",
                                       self.name + "-family-name"))
        self.c_version = c_upper(spec.get("c-version-name",
                                          self.name + "-family-version"))
        self.sets = {}
        for aset in spec["attribute-sets"]:
            prefix = c_upper(aset["name-prefix"])
            value = 0
            for a in aset["attributes"]:
                value = a.get("value", value + 1)
                a["c"], a["nr"] = prefix + c_upper(a["name"]), value
            aset["max"] = prefix + "MAX"
            self.sets[aset["name"]] = aset
        self.ops = spec["operations"]["list"]
        prefix = c_upper(spec["operations"]["name-prefix"])
        value = 0
        for op in self.ops:
            value = op.get("value", value + 1)
            op["c"], op["nr"] = prefix + c_upper(op["name"]), value
        self.cmd_max = prefix + "MAX"
        self.groups = spec["mcast-groups"]["list"]
        for g in self.groups:
            g["c"] = c_upper(g.get("c-define-name",
                                   self.name + "-mcgrp-" + g["name"]))
            g["idx"] = c_upper(self.name + "-nlgrp-" + g["name"])
        self.requests = [op for op in self.ops if "event" not in op]
        self.policies = []
        for op in self.requests:
            names = []
            for mode in ("do", "dump"):
                req = op.get(mode, {}).get("request", {})
                names += req.get("attributes", [])
            aset = self.sets[op["attribute-set"]]
            attrs = [a for a in aset["attributes"] if a["name"] in names]
            # Ops that take the same attributes share one policy.
            for p in self.policies:
                if p["attrs"] == attrs:
                    break
            else:
                p = {"name": "%s_%s_nl_policy" % (self.name,
                                                  c_lower(op["name"])),
                     "attrs": attrs}
                self.policies.append(p)
            op["policy"] = p

    def handler(self, op, mode):
        return "%s_nl_%s_%s" % (self.name, c_lower(op["name"]),
                                {"do": "doit", "dump": "dumpit"}[mode])

    def uapi(self):
        guard = "_UAPI_" + c_upper(self.spec["uapi-header"].replace("/", "_")
                                   .replace(".", "_"))
        out = banner("GPL-2.0 WITH Linux-syscall-note",
                     "The %s generic netlink family; the spec documents "
                     "it." % self.name)
        out += block_comment(self.spec["doc"])
        out += ["#ifndef " + guard, "#define " + guard, "",
                define(self.c_name, '"%s"' % self.name),
                define(self.c_version, 1)]
        out += [define(g["c"], '"%s"' % g["name"]) for g in self.groups]
        out.append("")
        for d in self.spec.get("definitions", []):
            if "doc" in d:
                out.append("/* %s */" % d["doc"].strip())
            out.append(define(c_upper(d.get("name-prefix", self.name + "-") +
                                      d["name"]), d["value"]))
        out.append("")
        for aset in self.sets.values():
            out += self.enum(aset["enum-name"], aset["attributes"],
                             aset["max"])
        out += self.enum(self.spec["operations"]["enum-name"], self.ops,
                         self.cmd_max)
        out.append("#endif /* %s */" % guard)
        return out

    @staticmethod
    def enum(name, members, last):
        out = ["enum %s {" % c_lower(name)]
        prev = -1
        for m in members:
            out.append("\t%s%s," % (m["c"], "" if m["nr"] == prev + 1
                                    else " = %d" % m["nr"]))
            prev = m["nr"]
        return out + ["", "\t__%s," % last,
                      "\t%s = (__%s - 1)" % (last, last), "};", ""]

    def kernel_h(self):
        guard = "_KHYP_GENL_GEN_H"
        out = banner("GPL-2.0", "The %s family's kernel tables." % self.name)
        out += ["#ifndef " + guard, "#define " + guard, "",
                "#include <net/genetlink.h>",
                '#include "../uapi/%s"' % self.spec["uapi-header"], "",
                "extern struct genl_family %s_nl_family;" % self.name, "",
                "enum {"]
        out += ["\t%s," % g["idx"] for g in self.groups]
        out += ["};", ""]
        for op in self.requests:
            if "do" in op:
                out.append("int %s(struct sk_buff *skb, struct genl_info "
                           "*info);" % self.handler(op, "do"))
            if "dump" in op:
                out.append("int %s(struct sk_buff *skb, struct "
                           "netlink_callback *cb);" % self.handler(op, "dump"))
        return out + ["", "#endif /* %s */" % guard]

    def kernel_c(self):
        out = banner("GPL-2.0", "The %s family's kernel tables." % self.name)
        out += ['#include "genl-gen.h"', ""]
        for p in self.policies:
            top = p["attrs"][-1]["c"] + " + 1" if p["attrs"] else "1"
            out.append("static const struct nla_policy %s[%s] = {" %
                       (p["name"], top))
            for a in p["attrs"]:
                mlen = a.get("checks", {}).get("max-len")
                out.append("\t[%s] = { .type = %s%s }," %
                           (a["c"], POLICY_TYPES[a["type"]],
                            "" if mlen is None else ", .len = %d" % mlen))
            out += ["};", ""]
        out.append("static const struct genl_ops %s_nl_ops[] = {" % self.name)
        for op in self.requests:
            p = op["policy"]["name"]
            out += ["\t{", "\t\t.cmd = %s," % op["c"]]
            out += ["\t\t.%s = %s," % ({"do": "doit", "dump": "dumpit"}[m],
                                        self.handler(op, m))
                    for m in ("do", "dump") if m in op]
            out += ["\t\t.policy = %s," % p,
                    "\t\t.maxattr = ARRAY_SIZE(%s) - 1," % p]
            if "admin-perm" in op.get("flags", []):
                out.append("\t\t.flags = GENL_ADMIN_PERM,")
            out.append("\t},")
        out += ["};", "",
                "static const struct genl_multicast_group %s_nl_mcgrps[] = {"
                % self.name]
        for g in self.groups:
            out += ["\t[%s] = {" % g["idx"], "\t\t.name = %s," % g["c"]]
            if "admin-perm" in g.get("flags", []):
                out.append("\t\t.flags = GENL_MCAST_CAP_NET_ADMIN,")
            out.append("\t},")
        first_set = self.sets[self.ops[0]["attribute-set"]]
        out += ["};", "",
                "struct genl_family %s_nl_family __ro_after_init = {" %
                self.name,
                "\t.name = %s," % self.c_name,
                "\t.version = %s," % self.c_version,
                "\t.maxattr = %s," % first_set["max"],
                "\t.module = THIS_MODULE,",
                "\t.ops = %s_nl_ops," % self.name,
                "\t.n_ops = ARRAY_SIZE(%s_nl_ops)," % self.name,
                "\t/* Strict validation for every command. */",
                "\t.resv_start_op = %s," % self.ops[0]["c"],
                "\t.mcgrps = %s_nl_mcgrps," % self.name,
                "\t.n_mcgrps = ARRAY_SIZE(%s_nl_mcgrps)," % self.name,
                "};", "",
                "/* A client resolving the family loads the module. */",
                "MODULE_ALIAS_GENL_FAMILY(%s);" % self.c_name]
        return out


def outputs(spec_path=None):
    """{path relative to the repo: text} of every generated file."""
    spec = yaml.safe_load(open(spec_path or os.path.join(REPO, SPEC)))
    fam = Family(spec)
    return {os.path.join("uapi", spec["uapi-header"]): fam.uapi(),
            KERNEL_H: fam.kernel_h(), KERNEL_C: fam.kernel_c()}


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__.split("\n\n")[1])
    rc = 0
    for rel, lines in outputs().items():
        path = os.path.join(REPO, rel)
        text = "\n".join(lines) + "\n"
        old = open(path).read() if os.path.exists(path) else ""
        if old == text:
            continue
        if check:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                "a/" + rel, "b/" + rel))
            rc = 1
        else:
            with open(path, "w") as f:
                f.write(text)
    return rc


if __name__ == "__main__":
    sys.exit(main())
