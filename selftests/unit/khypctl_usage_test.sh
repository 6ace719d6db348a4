#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# khypctl_usage_test.sh - khypctl's usage checks, which come before any
# netlink (status 2 with or without khyp.ko), and its message when the
# family is missing (status 1; this machine cannot load khyp.ko).  The live
# tests are selftests/ctl/khypctl_test.sh.  Output is TAP.

set -u
CTL=$(cd "$(dirname "$0")/../.." && pwd)/userspace/bin/khypctl

# NAME STATUS STDERR-TEXT ARGS...
cases=(
	"help on stdout, status 0|0||--help"
	"no command|2|usage: khypctl|"
	"unknown option|2|usage: khypctl|-x list"
	"unknown command|2|khypctl: unknown command 'start'|start"
	"VM missing|2|khypctl: slots: VM missing|slots"
	"argument after the VM of slots|2|khypctl: slots: unexpected argument 'x'|slots 0 x"
	"key without =|2|khypctl: cpu-add: unknown argument 'core'|cpu-add 0 core"
	"negative number|2|khypctl: cpu-add: core=-1: not a number|cpu-add 0 core=-1"
	"number too large|2|khypctl: cpu-add: core=4294967296: not a number|cpu-add 0 core=4294967296"
	"key given twice|2|khypctl: cpu-add: core= given twice|cpu-add 0 core=1 core=2"
	"cpu-del without a CPU|2|khypctl: cpu-del: name the CPU one way|cpu-del 0"
	"cpu-del with part of a slot|2|khypctl: cpu-del: socket=, core= and thread= go together|cpu-del 0 socket=0 core=1"
	"monitor with two VMs|2|khypctl: monitor: takes at most a VM|monitor 0 1"
)
if [[ -e /sys/module/khyp ]]; then
	echo "1..${#cases[@]}"
else
	echo "1..$((${#cases[@]} + 1))"
fi
n=0
failed=0
# expect NAME STATUS TEXT ARGS: khypctl ARGS exits STATUS, TEXT on stderr.
expect() {
	local err rc

	n=$((n + 1))
	# shellcheck disable=SC2086 # $4 is a word list
	err=$("$CTL" $4 2>&1 >/dev/null)
	rc=$?
	if [[ $rc == "$2" && $err == *"$3"* ]]; then
		echo "ok $n - $1"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n - $1"
	echo "# status $rc, stderr: $err"
}

for c in "${cases[@]}"; do
	IFS='|' read -r name status text args <<<"$c"
	expect "$name" "$status" "$text" "$args"
done
[[ -e /sys/module/khyp ]] ||
	expect "without khyp.ko: status 1, says so" 1 \
		'family "khyp" not found (is khyp.ko loaded?)' list
((failed == 0))
