#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests/hotplug/run.sh: the vCPU hotplug tests.  Runs inside the test
# host (khyp.ko loaded), prints TAP, exits non-zero on a failure:
#
#   make all
#   selftests/testhost/run selftests/hotplug/run.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib/suite.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
need "make all" selftests/bin/hp_vm selftests/bin/topology_test \
	userspace/bin/khyp-qmpd
KHYP_HP_WORKDIR=$work /usr/bin/python3 "$repo/selftests/hotplug/test_qmp.py"
