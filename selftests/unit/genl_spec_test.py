#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""genl_spec_test.py - the netlink spec against the code, without a kernel.

Documentation/netlink/specs/khyp.yaml is the source of the khyp family.
This reads it and fails on any drift from it in uapi/linux/khyp_genl.h
(names and numbers of commands, attributes, constants, the family and
its group) or in the module (the genl_ops: commands, doit/dumpit, admin
permission; the request policies: attributes, types, lengths; the
multicast group and its permission; the type of every attribute the
module puts; the module's alias), and that the generated files are what scripts/genl-gen.py
makes of the spec now.  It also validates the spec with YNL's own schema, from the
kernel tree that `make -C selftests` extracts into build/ynl.  Prints TAP.
"""
import importlib.util
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "selftests", "lib"))
from tap import Tap  # noqa: E402

# The generator's reading of the spec (names, numbers); what it writes is
# checked here by parsing the files, not by trusting it.
_gen = importlib.util.spec_from_file_location(
    "genl_gen", os.path.join(REPO, "scripts", "genl-gen.py"))
genl_gen = importlib.util.module_from_spec(_gen)
_gen.loader.exec_module(genl_gen)

SPEC = os.path.join(REPO, "Documentation", "netlink", "specs", "khyp.yaml")
HEADER = os.path.join(REPO, "uapi", "linux", "khyp_genl.h")
KMOD = os.path.join(REPO, "kmod")
YNL = os.environ.get("KHYP_YNL", os.path.join(REPO, "build", "ynl"))

# spec type -> (nla_policy type, the nla_put_* the module uses for it)
TYPES = {
    "u32": ("NLA_U32", "nla_put_u32"),
    "string": ("NLA_NUL_STRING", "nla_put_string"),
    "flag": ("NLA_FLAG", "nla_put_flag"),
    "nest": ("NLA_NESTED", "nla_nest_start"),
}


def c_upper(name):
    return name.upper().replace("-", "_")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def expand_macros(text):
    """Substitute the object-like macros a C file defines for itself."""
    text = text.replace("\\\n", " ")
    for name, body in re.findall(r"^#define\s+(\w+)[ \t]+(.*)$", text,
                                 flags=re.M):
        text = re.sub(r"^#define\s+%s\b.*$" % name, "", text, flags=re.M)
        text = re.sub(r"\b%s\b" % name, body, text)
    return text


def parse_header(path):
    """#define NAME VALUE and the members of every named enum."""
    text = strip_comments(open(path).read())
    defines = dict(re.findall(r"^#define[ \t]+(\w+)[ \t]+(\S.*?)[ \t]*$", text,
                              flags=re.M))
    enums = {}
    for name, body in re.findall(r"enum\s+(\w+)\s*\{(.*?)\}", text, re.S):
        members, value = {}, -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            m = re.match(r"(\w+)(?:\s*=\s*(.+))?$", item)
            key, expr = m.group(1), m.group(2)
            if expr is None:
                value += 1
            else:
                m = re.match(r"\(?(\w+)\s*([-+])\s*(\d+)\)?$", expr)
                if m:
                    value = members[m.group(1)] + \
                        (1 if m.group(2) == "+" else -1) * int(m.group(3))
                else:
                    value = int(expr, 0)
            members[key] = value
        enums[name] = members
    return defines, enums


def c_eval(expr, defines):
    """The value of a constant C expression of numbers, defines, + and -."""
    expr = re.sub(r"\b[A-Z_]\w*\b", lambda m: defines.get(m.group(0), "?"),
                  expr)
    if not re.fullmatch(r"[\d\s+\-()]+", expr):
        return expr
    return eval(expr)


def initializers(text, ctype):
    """{name: body} of every `static const? struct ctype name[...] = {}`."""
    out = {}
    for m in re.finditer(r"struct\s+%s\s+(\w+)\s*\[([^\]]*)\]\s*"
                         r"(?:__\w+\s*)*=\s*\{" % ctype, text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out[m.group(1)] = (m.group(2).strip(), text[m.end():i - 1])
    return out


def fields(body):
    """The .field = value pairs of one brace level."""
    return dict((k, v.strip()) for k, v in
                re.findall(r"\.(\w+)\s*=\s*([^,{}]+)", body))


def entries(body):
    """The top-level { ... } entries of an array initializer, with the
    designator before each ("[X] = {...}" or "{...}")."""
    out, depth, start, desig = [], 0, 0, ""
    for i, c in enumerate(body):
        if c == "{":
            if depth == 0:
                start = i + 1
                m = re.search(r"\[(\w+)\]\s*=\s*$", body[:i])
                desig = m.group(1) if m else ""
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                out.append((desig, body[start:i]))
    return out


def kmod_sources():
    text = ""
    for name in sorted(os.listdir(KMOD)):
        if name.startswith("genl") and name.endswith((".c", ".h")):
            text += expand_macros(strip_comments(
                open(os.path.join(KMOD, name)).read())) + "\n"
    return text


def main():
    spec = yaml.safe_load(open(SPEC))
    defines, enums = parse_header(HEADER)
    uapi_defines = dict(defines)
    uapi_defines.update(parse_header(os.path.join(REPO, "uapi", "linux",
                                                  "khyp.h"))[0])
    kmod = kmod_sources()
    tap = Tap(11)

    # The spec as the generator reads it: C names and numbers.
    fam = genl_gen.Family(spec)
    sets, ops = fam.sets, fam.ops
    attr_c = {a["c"]: a for aset in sets.values() for a in aset["attributes"]}

    # 1: YNL's schema for the spec's protocol, as YNL itself picks it.
    schema = os.path.join(YNL, "Documentation", "netlink",
                          spec["protocol"] + ".yaml")
    try:
        import jsonschema
        jsonschema.validate(yaml.safe_load(open(SPEC)),
                            yaml.safe_load(open(schema)))
        tap.ok(True, "spec valid under YNL's %s schema" % spec["protocol"])
    except Exception as e:  # missing schema or module, or invalid spec
        where = "/".join(str(p) for p in getattr(e, "absolute_path", []))
        tap.ok(False, "spec valid under YNL's %s schema" %
                   spec["protocol"], "%s: %s at %s" %
                   (type(e).__name__, getattr(e, "message", e), where))

    # 2-4: the uapi header.
    bad = []
    want = {fam.c_name: '"%s"' % spec["name"], fam.c_version: "1"}
    for g in fam.groups:
        want[g["c"]] = '"%s"' % g["name"]
    for d in spec.get("definitions", []):
        if d["type"] == "const":
            want[c_upper(d.get("name-prefix", spec["name"] + "-") +
                         d["name"])] = str(d["value"])
    for name, v in want.items():
        if defines.get(name) != v:
            bad.append("#define %s: header %r, spec %r" %
                       (name, defines.get(name), v))
    for name in set(defines) - set(want):
        if not name.startswith("_UAPI_"):
            bad.append("#define %s: in the header only" % name)
    tap.ok(not bad, "header defines: family, version, group, constants",
               "\n".join(bad))

    def check_enum(members, want, last):
        bad = []
        got = {k: v for k, v in members.items()
               if not k.startswith("__") and not k.endswith("_UNSPEC") and
               k != last}
        for k, v in want.items():
            if got.get(k) != v:
                bad.append("%s: header %s, spec %s" % (k, got.get(k), v))
        for k in set(got) - set(want):
            bad.append("%s: in the header only" % k)
        if members.get(last) != max(want.values()):
            bad.append("%s: header %s, spec %s" %
                       (last, members.get(last), max(want.values())))
        return bad

    bad = []
    for aset in sets.values():
        enum = next((m for m in enums.values() if aset["max"] in m), {})
        bad += check_enum(enum, {a["c"]: a["nr"] for a in aset["attributes"]},
                          aset["max"])
    tap.ok(not bad, "header attribute enums: names and numbers",
               "\n".join(bad))
    enum = next((m for m in enums.values() if fam.cmd_max in m), {})
    bad = check_enum(enum, {op["c"]: op["nr"] for op in ops}, fam.cmd_max)
    tap.ok(not bad, "header command enum: names and numbers",
               "\n".join(bad))

    # 5: the genl_ops, one per request op, with the spec's handlers and
    # permission; none for an event.
    genl_ops = initializers(kmod, "genl_ops")
    bad = []
    if len(genl_ops) != 1:
        bad.append("want one genl_ops array, found %s" % list(genl_ops))
    table = [fields(body) for _, body in
             entries(next(iter(genl_ops.values()), ("", ""))[1])]
    by_cmd = {e.get("cmd"): e for e in table}
    if len(by_cmd) != len(table):
        bad.append("a command appears twice in genl_ops")
    for op in ops:
        e = by_cmd.pop(op["c"], None)
        if "event" in op:
            if e:
                bad.append("%s: an event, but in genl_ops" % op["name"])
            continue
        if not e:
            bad.append("%s: not in genl_ops" % op["name"])
            continue
        for mode, member in (("do", "doit"), ("dump", "dumpit")):
            if (mode in op) != (member in e):
                bad.append("%s: spec %s %s, genl_ops .%s %s" %
                           (op["name"], "has" if mode in op else "lacks",
                            mode, member, e.get(member)))
        perm = "admin-perm" in op.get("flags", [])
        if perm != ("GENL_ADMIN_PERM" in e.get("flags", "")):
            bad.append("%s: spec admin-perm %s, genl_ops .flags %r" %
                       (op["name"], perm, e.get("flags")))
        op["_genl"] = e
    for cmd in by_cmd:
        bad.append("%s: in genl_ops, not in the spec" % cmd)
    tap.ok(not bad, "genl_ops: commands, doit/dumpit, GENL_ADMIN_PERM",
               "\n".join(bad))

    # 6: each op's policy accepts exactly the spec's request attributes,
    # with the spec's types and lengths, and its maxattr covers them.
    policies = initializers(kmod, "nla_policy")
    bad = []
    for op in ops:
        e = op.get("_genl")
        if not e:
            continue
        want = []
        for mode in ("do", "dump"):
            want += op.get(mode, {}).get("request", {}).get("attributes", [])
        aset = sets[op["attribute-set"]]
        want = [a for a in aset["attributes"] if a["name"] in want]
        size, body = policies.get(e.get("policy"), (None, ""))
        if size is None:
            bad.append("%s: policy %r not found" % (op["name"], e.get("policy")))
            continue
        got = {d: fields(b) for d, b in entries(body)}
        for a in want:
            p = got.pop(a["c"], None)
            if p is None:
                bad.append("%s: %s missing from %s" %
                           (op["name"], a["name"], e["policy"]))
                continue
            if p.get("type") != TYPES[a["type"]][0]:
                bad.append("%s: %s is %s, spec %s" % (op["name"], a["name"],
                                                      p.get("type"), a["type"]))
            mlen = a.get("checks", {}).get("max-len")
            if "len" in p:
                p["len"] = c_eval(p["len"], uapi_defines)
            if mlen is not None and p.get("len") != mlen:
                bad.append("%s: %s .len %s, spec max-len %s" %
                           (op["name"], a["name"], p.get("len"), mlen))
            if mlen is None and "len" in p:
                bad.append("%s: %s .len %s, spec has no max-len" %
                           (op["name"], a["name"], p["len"]))
        for d in got:
            bad.append("%s: policy accepts %s, not in the spec request" %
                       (op["name"], d))
        top = max([a["nr"] for a in want], default=0)
        if size not in (str(top + 1), want and want[-1]["c"] + " + 1"):
            bad.append("%s: policy sized [%s], spec needs %d" %
                       (op["name"], size, top + 1))
        if e.get("maxattr") not in ("ARRAY_SIZE(%s) - 1" % e["policy"],
                                    str(top)):
            bad.append("%s: .maxattr %s" % (op["name"], e.get("maxattr")))
    tap.ok(not bad, "request policies: attributes, types, max-len",
               "\n".join(bad))

    # 7: the family.
    m = re.search(r"struct\s+genl_family\s+\w+\s*(?:__\w+\s*)*=\s*\{(.*?)\};",
                  kmod, re.S)
    got = fields(m.group(1)) if m else {}
    want = {"name": fam.c_name, "version": fam.c_version,
            "maxattr": sets[ops[0]["attribute-set"]]["max"]}
    bad = ["genl_family .%s = %s, spec wants %s" % (k, got.get(k), v)
           for k, v in want.items() if got.get(k) != v]
    tap.ok(m is not None and not bad,
               "genl_family: name, version, maxattr", "\n".join(bad))

    # 8: the multicast groups, by name, with the spec's permission.
    grps = initializers(kmod, "genl_multicast_group")
    bad = []
    table = [fields(b) for _, b in entries(next(iter(grps.values()),
                                                ("", ""))[1])]
    names = [g["c"] for g in fam.groups]
    if [g.get("name") for g in table] != names:
        bad.append("groups %s, spec %s" %
                   ([g.get("name") for g in table], names))
    for g, s in zip(table, fam.groups):
        perm = "admin-perm" in s.get("flags", [])
        if perm != ("GENL_MCAST_CAP_NET_ADMIN" in g.get("flags", "")):
            bad.append("%s: spec admin-perm %s, .flags %r" %
                       (s["name"], perm, g.get("flags")))
    tap.ok(not bad, "multicast groups: names, permission",
               "\n".join(bad))

    # 9: what the module puts has the spec's type.
    bad = []
    for fn, attr in re.findall(r"\b(nla_put_\w+|nla_nest_start\w*)\s*\(\s*"
                               r"\w+\s*,\s*(KHYP_\w+)", kmod):
        a = attr_c.get(attr)
        if a is None:
            bad.append("%s(%s): no such attribute in the spec" % (fn, attr))
        elif TYPES[a["type"]][1] != fn.replace("_noflag", ""):
            bad.append("%s(%s): spec type %s" % (fn, attr, a["type"]))
    tap.ok(not bad, "attributes put with the spec's types",
               "\n".join(bad))

    # 10: the module autoloads when a client resolves the family.
    ko = os.path.join(KMOD, "khyp.ko")
    alias = "net-pf-16-proto-16-family-" + spec["name"]
    r = subprocess.run(["/sbin/modinfo", "-F", "alias", ko],
                       capture_output=True, text=True)
    tap.ok(alias in r.stdout.split(), "khyp.ko carries the alias %s "
               "(MODULE_ALIAS_GENL_FAMILY)" % alias,
               r.stdout + r.stderr + "(make module first)")

    # 11: the committed output is what the generator makes of the spec.
    r = subprocess.run([sys.executable,
                        os.path.join(REPO, "scripts", "genl-gen.py"),
                        "--check"], capture_output=True, text=True)
    tap.ok(r.returncode == 0, "generated header and tables up to date "
               "(make genl)", r.stdout + r.stderr)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
