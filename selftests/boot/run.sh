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
# shellcheck source=SCRIPTDIR/../lib/suite.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
need "make all" userspace/bin/khyp-run
export PATH=$repo/userspace/bin:/usr/bin:/bin:/usr/sbin:/sbin:$PATH
/usr/bin/python3 "$repo/selftests/boot/boot_test.py" "$@"
