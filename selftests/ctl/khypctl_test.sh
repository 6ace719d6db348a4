#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests/ctl/khypctl_test.sh: khypctl against a live VM, in the test host
# (khyp.ko loaded).  The VM is hp_vm's (selftests/hotplug): its guest answers
# an insert with _OST and ejects a CPU it is asked to remove.  Prints TAP.
#
#   selftests/testhost/run selftests/ctl/khypctl_test.sh
#
# Waits are polls with a deadline, never fixed sleeps.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
CTL=$repo/userspace/bin/khypctl
HP_VM=$repo/selftests/bin/hp_vm
MODEL=IvyBridge-IBRS

echo "1..29"
for f in "$CTL" "$HP_VM"; do
	if [[ ! -x $f ]]; then
		echo "not ok 1 - $f missing (make)"
		exit 1
	fi
done
work=$(mktemp -d /tmp/khypctl-test.XXXXXX)
pids=()
cleanup() {
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf -- "$work"
}
trap cleanup EXIT

# shellcheck source=selftests/lib/tap.sh
. "$repo/selftests/lib/tap.sh"
# After a failed check: khypctl's last output.
tap_on_fail() {
	sed 's/^/# out: /' "$work/out" "$work/events.json" 2>/dev/null | tail -20
	sed 's/^/# err: /' "$work/err" 2>/dev/null
}

# ctl ARGS...: run khypctl, output in $work/out and $work/err, status in $rc.
ctl() {
	"$CTL" "$@" >"$work/out" 2>"$work/err"
	rc=$?
}

# json EXPR [FILE]: python's verdict on EXPR, d being FILE's JSON ($work/out).
json() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
sys.exit(0 if eval("(" + sys.argv[1] + ")") else 1)' "$1" "${2:-$work/out}"
}

# events_have EXPR: some line of the JSON monitor's output satisfies EXPR (e).
events_have() {
	/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[2]):
    e = json.loads(line)
    if eval("(" + sys.argv[1] + ")"):
        sys.exit(0)
sys.exit(1)' "$1" "$work/events.json"
}

# until_ok CMD...: poll CMD for up to 10 s.
until_ok() {
	local end=$((SECONDS + 10))

	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.05
	done
}

# joined PID: PID has a generic netlink socket in a multicast group.
joined() {
	local fd ino

	for fd in /proc/"$1"/fd/*; do
		ino=$(readlink "$fd") || continue
		[[ $ino == socket:* ]] || continue
		ino=${ino#socket:[}
		ino=${ino%]}
		awk -v ino="$ino" '$2 == 16 && $4 != "00000000" && $10 == ino \
			{ found = 1 } END { exit !found }' /proc/net/netlink &&
			return 0
	done
	return 1
}

expect_fail() { # expect_fail STATUS TEXT: $rc and stderr as expected
	[[ $rc == "$1" ]] && grep -qF -- "$2" "$work/err"
}

# ---- the VM: 2 sockets x 2 cores, one boot CPU ----
coproc HP { exec "$HP_VM" --name ctl --max 4 --sockets 2 --cores 2 \
	--model "$MODEL" --boot 1; }
pids+=("$HP_PID")
read -r -t 60 ready vm <&"${HP[0]}"
if [[ $ready != READY ]]; then
	echo "not ok 1 - hp_vm did not start"
	exit 1
fi

ctl list
check "list (text) shows the VM" \
	grep -qE "^$vm +ctl +1/4 +2x1x2x1 +$MODEL\$" "$work/out"
ctl -j list
check "list -j: vm-id, vm-name, vCPUs, topology, model" json \
	"[v for v in d if v['vm-id'] == $vm and v['vm-name'] == 'ctl' and
	  v['nr-cpus'] == 1 and v['max-cpus'] == 4 and v['sockets'] == 2 and
	  v['dies'] == 1 and v['cores'] == 2 and v['threads'] == 1 and
	  v['cpu-model'] == '$MODEL']"

ctl slots ctl
slots_text_ok() {
	[[ $(grep -cE '^[0-3] ' "$work/out") == 4 ]] &&
		grep -qE '^0 +0 +0 +0 +0 +0 +boot +- +[0-9]+$' "$work/out" &&
		grep -qE '^1 +0 +0 +1 +0 +1 +empty +- +-$' "$work/out"
}
check "slots (text, VM by name): four slots, slot 0 boot" slots_text_ok
ctl -j slots "$vm"
check "slots -j: slot order, ids, boot and present flags" json \
	"d['vm-id'] == $vm and [s['cpu-index'] for s in d['slots']] ==
	 [0, 1, 2, 3] and [(s['socket-id'], s['core-id'])
	 for s in d['slots']] == [(0, 0), (0, 1), (1, 0), (1, 1)] and
	 d['slots'][0]['boot'] and d['slots'][0]['present'] and
	 d['slots'][0]['host-tid'] > 0 and not d['slots'][1]['present'] and
	 'host-tid' not in d['slots'][1]"

# ---- reads need CAP_NET_ADMIN too (khyp(4) "Permissions") ----
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" "$@" \
		>"$work/out" 2>"$work/err"
	rc=$?
}
nobody list
check "list as an unprivileged user: refused, names CAP_NET_ADMIN" \
	expect_fail 1 "khypctl: list: Operation not permitted (needs CAP_NET_ADMIN)"
nobody slots "$vm"
check "slots as an unprivileged user: refused, names CAP_NET_ADMIN" \
	expect_fail 1 "khypctl: VM '$vm': Operation not permitted (needs CAP_NET_ADMIN)"

# ---- monitor, then plug ----
"$CTL" -j monitor "$vm" >"$work/events.json" 2>"$work/monitor-j.err" &
pids+=($!)
mon_json=$!
"$CTL" monitor >"$work/events.txt" 2>"$work/monitor.err" &
pids+=($!)
mon_text=$!
monitors_joined() {
	joined "$mon_json" && joined "$mon_text"
}
check "both monitors joined the events group" until_ok monitors_joined

ctl -j cpu-add "$vm" socket=0 core=1 thread=0
check "cpu-add without id= names the CPU after its slot (cpu-1)" \
	json "d == {'vm-id': $vm, 'device-id': 'cpu-1'}"
check "monitor -j: the guest's insert _OST for cpu-1" until_ok events_have \
	"e == {'event': 'ost', 'vm-id': $vm, 'vm-name': 'ctl',
	       'cpu-index': 1, 'device-id': 'cpu-1', 'ost-source': 1,
	       'ost-status': 0}"
check "monitor (text): ost line with key=value attributes" until_ok \
	grep -qx "ost vm-id=$vm vm-name=ctl cpu-index=1 device-id=cpu-1 ost-source=1 ost-status=0" \
	"$work/events.txt"
ctl -j slots "$vm"
check "slots: slot 1 plugged as cpu-1 with a vCPU thread" json \
	"d['slots'][1]['present'] and not d['slots'][1]['boot'] and
	 d['slots'][1]['device-id'] == 'cpu-1' and
	 d['slots'][1]['host-tid'] > 0"
ctl -j list
check "list: nr-cpus is 2" json \
	"[v for v in d if v['vm-id'] == $vm and v['nr-cpus'] == 2]"
ctl cpu-add ctl socket=1 core=0 thread=0 id=extra "driver=$MODEL-x86_64-cpu"
check "cpu-add with id= and driver=" test "$rc" = 0

# ---- refusals: the kernel's extack, status 1 ----
ctl cpu-add "$vm" socket=0 core=5 thread=0
check "cpu-add out of range: extack message, status 1" \
	expect_fail 1 "khypctl: cpu-add: Invalid CPU core-id: 5 must be in range 0:1"
ctl cpu-add "$vm" socket=0 core=1 thread=0 id=again
check "cpu-add on a taken slot: extack message" \
	expect_fail 1 "khypctl: cpu-add: CPU[1] with APIC ID 1 exists"
ctl cpu-add "$vm" socket=1 core=1 thread=0 id=cpu-1
check "cpu-add with a duplicate id: extack message" \
	expect_fail 1 "khypctl: cpu-add: Duplicate device ID 'cpu-1'"
ctl cpu-del "$vm" index=0
check "cpu-del of the boot CPU: extack message" \
	expect_fail 1 "khypctl: cpu-del: Boot CPU is unpluggable"
ctl cpu-del "$vm" id=nosuch
check "cpu-del of an unknown id: extack message" \
	expect_fail 1 "khypctl: cpu-del: Device 'nosuch' not found"
ctl cpu-del "$vm" socket=0 core=7 thread=0
check "cpu-del at coordinates of no slot: says so, status 1" \
	expect_fail 1 "khypctl: cpu-del: VM $vm has no CPU slot at socket=0 core=7 thread=0"
ctl slots 4242
check "bad VM id: 'No such VM', status 1" \
	expect_fail 1 "khypctl: VM '4242': No such VM"
ctl cpu-del nosuchvm id=cpu-1
check "bad VM name: 'No such VM', status 1" \
	expect_fail 1 "khypctl: VM 'nosuchvm': No such VM"

# ---- bad usage: khypctl's own message, status 2 ----
ctl cpu-add "$vm" socket=0 core=x thread=0
check "non-numeric argument: status 2, names it" \
	expect_fail 2 "khypctl: cpu-add: core=x: not a number"
ctl cpu-add "$vm" socket=0 cpu=1 thread=0
check "unknown key: status 2, lists the keys" \
	expect_fail 2 "khypctl: cpu-add: unknown argument 'cpu=1' (expected socket= die= core= thread= id= driver=)"
ctl cpu-del "$vm" id=cpu-1 index=1
check "cpu-del naming the CPU two ways: status 2" \
	expect_fail 2 "khypctl: cpu-del: name the CPU one way"
ctl frobnicate
check "unknown command: status 2" \
	expect_fail 2 "khypctl: unknown command 'frobnicate'"

# ---- unplug ----
ctl cpu-del "$vm" socket=0 core=1 thread=0
check "cpu-del by socket/core/thread" test "$rc" = 0
check "monitor -j: device-deleted for cpu-1" until_ok events_have \
	"e == {'event': 'device-deleted', 'vm-id': $vm, 'vm-name': 'ctl',
	       'cpu-index': 1, 'device-id': 'cpu-1',
	       'device-path': '/machine/peripheral/cpu-1'}"
slot1_empty() {
	ctl -j slots "$vm" && json "not d['slots'][1]['present'] and
				   'device-id' not in d['slots'][1]"
}
check "slots: slot 1 empty again" until_ok slot1_empty
ctl powerdown ctl
check "powerdown" test "$rc" = 0

echo "# $tap_n tests, $tap_failed failed"
((tap_failed == 0))
