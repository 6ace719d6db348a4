#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host reboot and kexec with a busy VM: boots the test host once per way
# (RUNNER is selftests/testhost/run with its options, as scripts/check
# passes it), has host_cpu_test.sh start a VM with two busy vCPUs there and
# restart the test host under it, and checks from outside, with
# --expect-reboot, that the console shows a vCPU stopped for the reboot
# (KHYP_INTERNAL_HOST_REBOOT), the restart, and no oops, WARN or invalid
# opcode before it.  Prints TAP.
#
#   selftests/core/reboot_test.sh selftests/testhost/run [OPTION...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib/tap.sh
. "$here/../lib/tap.sh"
(($#)) || { echo "usage: $0 RUNNER [OPTION...]" >&2; exit 2; }
out=$(mktemp) err=$(mktemp)
trap 'rm -f -- "$out" "$err"' EXIT
not_in() { ! grep -q -- "$2" "$1"; }
tap_on_fail() { tail -n 40 "$err" | sed 's/^/# /'; }

for way in reboot kexec; do
	rc=0
	"$@" --timeout 300 --expect-reboot "$here/host_cpu_test.sh" "$way" \
		>"$out" 2>"$err" || rc=$?
	sed 's/^/# /' "$out"
	if [[ $way == kexec ]] && grep -q '^RETURNED kexec_file_load' "$out"; then
		skip "kexec with a busy VM" "kexec_file_load failed: $(grep RETURNED "$out")"
		continue
	fi
	check "$way: a busy 2-vCPU guest ran when reboot(2) was called" \
		grep -q '^RUNNING [0-9]*,[0-9]*$' "$out"
	check "$way: reboot(2) did not return" not_in "$out" '^RETURNED'
	# KHYP_EXIT_INTERNAL_ERROR (6) / KHYP_INTERNAL_HOST_REBOOT (4)
	check "$way: a vCPU stopped for the host's reboot before the restart" \
		grep -q 'khyp: VM 0 vCPU [01] stopped: reason 6/4 ' "$err"
	check "$way: the test host restarted, no oops/WARN before (run exit $rc)" \
		[ "$rc" = 0 ]
done
tap_end
