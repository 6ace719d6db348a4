# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by a suite's run.sh (after "set -euo pipefail"): $repo is the
# tree, $work a scratch directory removed at exit.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d /tmp/khyp-suite.XXXXXX)
trap 'rm -rf -- "$work"' EXIT

# need HINT FILE...: each FILE must be an executable under $repo, else the
# suite is one failing test that says how to build it.
need() {
	local hint=$1 f
	shift
	for f; do
		if [[ ! -x $repo/$f ]]; then
			echo "1..1"
			echo "not ok 1 - $f missing ($hint)"
			exit 1
		fi
	done
}
