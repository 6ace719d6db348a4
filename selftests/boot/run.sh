#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests/boot/run.sh: khyp-run boot tests (selftests/boot/boot_test.py).
# Runs inside the test host (khyp.ko loaded), prints TAP, exits non-zero
# on a failure:
#
#   make all
#   selftests/testhost/run --mem 3072 --timeout 1200 selftests/boot/run.sh [GROUP...]
#
# GROUP: smp, generic, reboot, triple, bad (default: all).  Needs the cloud kernel
# (/boot/vmlinuz-*-cloud-amd64), busybox-static and userspace/bin/khyp-run.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [[ ! -x $repo/userspace/bin/khyp-run ]]; then
	echo "1..1"
	echo "not ok 1 - $repo/userspace/bin/khyp-run missing (make all)"
	exit 1
fi
export PATH=$repo/userspace/bin:/usr/bin:/bin:/usr/sbin:/sbin:$PATH
exec /usr/bin/python3 "$here/boot_test.py" "$@"
