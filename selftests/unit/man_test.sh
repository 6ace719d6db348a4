#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# man_test.sh - the man pages in Documentation/man against the programs.
#
# Every page lints clean with Debian's mandoc (-T lint -W warning: any
# message fails).  The options each program's usage text lists and the
# options its page documents (the .It lines of its OPTIONS section) are
# the same set, both ways; so are khypctl's commands and its COMMANDS
# section.  Output is TAP.

set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MAN=$TOP/Documentation/man
BIN=$TOP/userspace/bin
PAGES=(khyp.4 khyp-run.1 khyp-qmpd.8 khypctl.8)

echo "TAP version 13"
echo "1..$((${#PAGES[@]} + 8))"
n=0
failed=0

# check NAME DIAG STATUS: one TAP line, DIAG as comments on failure.
check() {
	n=$((n + 1))
	if (($3 == 0)); then
		echo "ok $n - $1"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[[ -n $2 ]] && sed 's/^/# /' <<<"$2"
}

# help_set MODE: the options (MODE opt) or the commands (MODE cmd) a
# usage text on stdin lists.  An option line is indented and starts with
# "-"; its synopsis, before the first run of two spaces, may name several
# options, comma-separated ("-h, -help, -version").  A command line is
# indented and starts with a letter.  A "usage:" line gives options too.
help_set() {
	/usr/bin/python3 -c '
import re, sys
mode = sys.argv[1]
out = set()
for line in sys.stdin:
    if line.startswith("usage:"):
        if mode == "opt":
            out |= set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))
        continue
    m = re.match(r"  +(\S.*)", line.rstrip())
    if not m:
        continue
    synopsis = re.split(r"\s{2,}", m.group(1))[0]
    if mode == "opt" and synopsis.startswith("-"):
        for item in synopsis.split(", "):
            out.add(item.split()[0])
    elif mode == "cmd" and synopsis[0].isalpha():
        out.add(synopsis.split()[0])
print("\n".join(sorted(out)))' "$1"
}

# man_set PAGE SECTION: what the .It lines of SECTION document: options
# ("Fl Fl json" is --json) in OPTIONS, the first Cm in COMMANDS.
man_set() {
	/usr/bin/python3 -c '
import sys
page, section = sys.argv[1], sys.argv[2]
out, inside = set(), False
for line in open(page):
    words = line.split()
    if words[:1] == [".Sh"]:
        inside = words[1:] == [section]
        continue
    if not inside or words[:1] != [".It"]:
        continue
    if section == "COMMANDS":
        if words[1:2] == ["Cm"]:
            out.add(words[2])
        continue
    dashes = 0
    for w in words[1:]:
        if w == "Fl":
            dashes += 1
        elif dashes:
            out.add("-" * dashes + w)
            dashes = 0
print("\n".join(sorted(out)))' "$1" "$2"
}

# same NAME HELP-SET MAN-SET: two TAP lines, one for each direction.
same() {
	local extra

	extra=$(comm -23 <(echo "$2") <(echo "$3"))
	check "$1: every one in the usage text is in the man page" \
		"missing from the page: $extra" "$([[ -z $extra ]]; echo $?)"
	extra=$(comm -13 <(echo "$2") <(echo "$3"))
	check "$1: every one in the man page is in the usage text" \
		"not in the usage text: $extra" "$([[ -z $extra ]]; echo $?)"
}

for p in "${PAGES[@]}"; do
	if [[ ! -f $MAN/$p ]]; then
		check "$p lints clean" "missing" 1
		continue
	fi
	out=$(mandoc -T lint -W warning "$MAN/$p" 2>&1)
	rc=$?
	check "$p lints clean (mandoc -T lint -W warning)" "$out" \
		"$([[ $rc == 0 && -z $out ]]; echo $?)"
done

for p in khyp-run khypctl khyp-qmpd; do
	[[ -x $BIN/$p ]] || echo "# $BIN/$p missing: make userspace"
done
run_help=$("$BIN/khyp-run" --help 2>/dev/null)
ctl_help=$("$BIN/khypctl" --help 2>/dev/null)
# khyp-qmpd has no --help: its usage comes with status 2.
qmpd_help=$("$BIN/khyp-qmpd" --no-such-option 2>&1)

same "khyp-run options" "$(help_set opt <<<"$run_help")" \
	"$(man_set "$MAN/khyp-run.1" OPTIONS)"
same "khypctl options" "$(help_set opt <<<"$ctl_help")" \
	"$(man_set "$MAN/khypctl.8" OPTIONS)"
same "khypctl commands" "$(help_set cmd <<<"$ctl_help")" \
	"$(man_set "$MAN/khypctl.8" COMMANDS)"
same "khyp-qmpd options" "$(help_set opt <<<"$qmpd_help")" \
	"$(man_set "$MAN/khyp-qmpd.8" OPTIONS)"

echo "# $n tests, $failed failed"
((failed == 0))
