#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests/e2e/run.sh: vCPU hotplug end to end with a Linux guest on
# khyp-run, over QMP (e2e_test.py has the test list), then over the HMP
# monitor on a terminal (monitor_test.py).  Runs inside the test host,
# with khyp.ko loaded; prints TAP, exits non-zero on a failure:
#
#   make all
#   selftests/testhost/run --mem 4096 --timeout 1500 selftests/e2e/run.sh
#
# Needs /boot/vmlinuz-*-cloud-amd64 and busybox-static (for the test
# initramfs).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib/suite.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
need "make all" userspace/bin/khyp-run userspace/bin/khyp-qmpd
rc=0
E2E_WORKDIR=$work /usr/bin/python3 "$repo/selftests/e2e/e2e_test.py" || rc=1
/usr/bin/python3 "$repo/selftests/e2e/monitor_test.py" || rc=1
exit $rc
