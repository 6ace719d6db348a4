# SPDX-License-Identifier: GPL-2.0
# tap.sh - TAP lines for the shell suites (source it): check NAME COMMAND...
# prints "ok N - NAME" or "not ok N - NAME" from COMMAND's status; skip NAME
# REASON prints a skipped test; tap_end prints the plan and fails if any
# check failed.  A suite may define tap_on_fail, run after a failed check
# (its diagnostics, as "# " lines).
tap_n=0 tap_failed=0

check() {
	local name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $name"
		return 0
	fi
	echo "not ok $tap_n - $name"
	tap_failed=$((tap_failed + 1))
	if declare -F tap_on_fail >/dev/null; then
		tap_on_fail
	fi
	return 0
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

tap_end() {
	echo "1..$tap_n"
	((tap_failed == 0)) || { echo "# $tap_failed of $tap_n checks failed"; return 1; }
}
