#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vCPU threads as host tasks, in the test host (khyp.ko loaded): a VM's CPU
# time is charged to the cgroup of whoever created it (cpu.max bounds the
# guest) and its vCPU threads freeze with the system (suspend to idle is
# not tried: see Documentation/testing.rst).  The VM is hp_vm's: vCPU 0
# spins in its wait loop, so it wants a whole host CPU.  Prints TAP.
#
#   selftests/testhost/run selftests/core/vcpu_host_test.sh
#
# CPU shares are measured over fixed windows: that is what is tested, not
# a wait for something to happen.
set -u
here=$(cd "$(dirname "$0")" && pwd)
HP_VM=$here/../bin/hp_vm
CG=/sys/fs/cgroup
TEST_CG=$CG/khyp-vcpu-host-test
HZ=$(getconf CLK_TCK)

echo "1..5"
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[[ -n ${2:-} ]] && echo "# $2"
}
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }

cleanup() {
	[[ -n ${HP_PID:-} ]] && kill "$HP_PID" 2>/dev/null && wait "$HP_PID"
	[[ -w /sys/power/pm_test ]] && echo none >/sys/power/pm_test
	rmdir "$TEST_CG" 2>/dev/null
}
trap cleanup EXIT

# ---- cgroup2, with the cpu controller, and a cgroup for the launcher ----
if [[ $(stat -f -c %T $CG 2>/dev/null) != cgroup2fs ]]; then
	mount -t cgroup2 none $CG
fi
echo +cpu >$CG/cgroup.subtree_control 2>/dev/null
mkdir -p "$TEST_CG"
check "cgroup2 with the cpu controller" \
	'[[ -e $TEST_CG/cpu.max ]]' "$(cat $CG/cgroup.controllers 2>&1)"

# The launcher (hp_vm) starts inside the test cgroup.
coproc HP { echo $BASHPID >"$TEST_CG/cgroup.procs" &&
	exec "$HP_VM" --name vcpu-host --max 1; }
read -r -t 60 ready vm <&"${HP[0]}"
if [[ ${ready:-} != READY ]]; then
	not_ok "hp_vm started"
	exit 1
fi
tid=
for c in /proc/[0-9]*/comm; do
	if [[ $(cat "$c" 2>/dev/null) == "khyp/$vm/0" ]]; then
		tid=${c#/proc/}
		tid=${tid%/comm}
	fi
done
[[ -n $tid ]] || { not_ok "vCPU thread khyp/$vm/0 found"; exit 1; }

# ticks: the vCPU thread's CPU time so far, in clock ticks.
ticks() {
	local f

	read -ra f <"/proc/$tid/stat"
	# after "pid (comm)": comm has no spaces here; utime, stime = 14, 15
	echo $((f[13] + f[14]))
}

# share SECONDS: the vCPU thread's CPU use over a window, in percent.
share() {
	local t0 t1

	t0=$(ticks)
	sleep "$1"
	t1=$(ticks)
	echo $(((t1 - t0) * 100 / HZ / $1))
}

# The thread joins the cgroup itself, as it starts: poll with a deadline.
want="0::/${TEST_CG#$CG/}"
for ((i = 0; i < 100; i++)); do
	[[ $(cat /proc/$tid/cgroup) == "$want" ]] && break
	sleep 0.1
done
check "the vCPU thread is in the launcher's cgroup" \
	'[[ $(cat /proc/$tid/cgroup) == "$want" ]]' "$(cat /proc/$tid/cgroup)"
busy=$(share 2)
check "unlimited, the guest uses a host CPU (${busy}%)" '((busy >= 60))'
echo "10000 100000" >"$TEST_CG/cpu.max"
limited=$(share 3)
check "cpu.max 10% on the launcher's cgroup bounds the guest (${limited}%)" \
	'((limited <= 20))'
echo max >"$TEST_CG/cpu.max"

# ---- the freezer: frozen for pm_test's 5 s, the vCPU gets no CPU ----
if [[ -w /sys/power/pm_test ]] && grep -qw freeze /sys/power/state; then
	echo freezer >/sys/power/pm_test
	# A wake-up event pending (early after boot) aborts with EBUSY, or
	# ends the freeze before pm_test's 5 s hold: again.
	for try in 1 2 3 4 5; do
		t0=$(ticks) s0=$SECONDS
		echo freeze >/sys/power/state
		rc=$?
		t1=$(ticks) s1=$SECONDS
		((rc == 0 && s1 - s0 >= 5)) && break
	done
	echo none >/sys/power/pm_test
	ran=$(((t1 - t0) / HZ)) wall=$((s1 - s0))
	# pm_test's hold is an mdelay(), whose calibration under TCG can
	# make it last no time at all: then nothing can be measured.
	if ((rc == 0 && wall < 5)); then
		ok "the vCPU thread freezes # SKIP pm_test's 5 s hold lasted ${wall} s in $try tries"
	else
		check "the vCPU thread freezes with the system (rc $rc, try $try, ran ${ran} s of ${wall} s)" \
			'((rc == 0 && ran <= wall - 4))' \
			"$(dmesg | grep -iE 'freez|refus' | tail -5)"
	fi
else
	ok "the vCPU thread freezes # SKIP no pm_test or s2idle"
fi

echo "# $n tests, $failed failed"
((failed == 0))
