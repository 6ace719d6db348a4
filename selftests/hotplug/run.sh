#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests/hotplug/run.sh: the vCPU hotplug tests.  Runs inside the test
# host (khyp.ko loaded), prints TAP, exits non-zero on a failure:
#
#   make module && make -C selftests/hotplug && make -C userspace/qmpd
#   selftests/testhost/run selftests/hotplug/run.sh
#
# Needs selftests/bin/hp_vm, userspace/bin/khyp-qmpd and python3.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
for f in "$repo/selftests/bin/hp_vm" "$repo/userspace/bin/khyp-qmpd"; do
	if [[ ! -x $f ]]; then
		echo "not ok 1 - $f missing (make -C selftests/hotplug; make -C userspace/qmpd)"
		exit 1
	fi
done
work=$(mktemp -d /tmp/khyp-hotplug.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
KHYP_HP_WORKDIR=$work python3 "$here/test_qmp.py"
