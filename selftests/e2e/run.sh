#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests/e2e/run.sh: vCPU hotplug end to end with a Linux guest on
# khyp-run (e2e_test.py has the test list).  Runs inside the test host,
# with khyp.ko loaded; prints TAP, exits non-zero on a failure:
#
#   make all
#   selftests/testhost/run --mem 4096 --timeout 1500 selftests/e2e/run.sh
#
# Needs userspace/bin/khyp-run and khyp-qmpd, /boot/vmlinuz-*-cloud-amd64
# and busybox-static (for the test initramfs).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
for f in "$repo/userspace/bin/khyp-run" "$repo/userspace/bin/khyp-qmpd"; do
	if [[ ! -x $f ]]; then
		echo "not ok 1 - $f missing (make all)"
		exit 1
	fi
done
work=$(mktemp -d /tmp/khyp-e2e.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
E2E_WORKDIR=$work /usr/bin/python3 "$here/e2e_test.py"
