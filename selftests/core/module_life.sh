#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module life in the test host: rmmod is refused while a VM exists, and
# khyp and Debian's kvm_amd refuse each other's VMs while one owns AMD-V.
# Prints TAP; needs root, the module loaded, kvm_amd available.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../bin
module=${KHYP_MODULE:-$here/../../kmod/khyp.ko}
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

# start_holder KIND: runs vm_holder in the background, sets HOLDER_PID and
# HOLDER_SAYS to its first line (ready or an errno name), with a deadline.
start_holder() {
	local fifo
	fifo=$(mktemp -u /tmp/holder.XXXX)
	mkfifo "$fifo"
	"$bin/vm_holder" "$1" >"$fifo" &
	HOLDER_PID=$!
	HOLDER_SAYS=$(timeout 20 head -n1 "$fifo")
	rm -f "$fifo"
}

stop_holder() {
	kill "$HOLDER_PID" 2>/dev/null
	wait "$HOLDER_PID" 2>/dev/null
}

echo "1..8"
start_holder khyp
check "khyp VM created" '[[ $HOLDER_SAYS == ready ]]'
check "rmmod refused while a VM exists" '! rmmod khyp 2>/dev/null'
stop_holder
check "rmmod succeeds once the VM is gone" 'rmmod khyp'
check "insmod again" 'insmod "$module"'

if ! modprobe kvm_amd 2>/dev/null || [[ ! -e /dev/kvm ]]; then
	for t in "khyp refuses while KVM owns SVM" "the refusal is logged" \
		 "KVM refuses while khyp owns SVM" "khyp works after KVM is gone"; do
		n=$((n + 1)); echo "ok $n - $t # SKIP kvm_amd unavailable"
	done
	exit 0
fi
start_holder kvm
kvm_pid=$HOLDER_PID
start_holder khyp
check "khyp refuses while KVM owns SVM (EBUSY)" '[[ $HOLDER_SAYS == EBUSY ]]'
check "the refusal is logged" 'dmesg | grep -q "EFER.SVME is already set"'
kill "$kvm_pid"; wait "$kvm_pid" 2>/dev/null
start_holder khyp
khyp_pid=$HOLDER_PID
start_holder kvm
check "KVM refuses while khyp owns SVM" '[[ $HOLDER_SAYS != ready ]]'
stop_holder
kill "$khyp_pid"; wait "$khyp_pid" 2>/dev/null
start_holder khyp
check "khyp works after KVM is gone" '[[ $HOLDER_SAYS == ready ]]'
stop_holder
rmmod kvm_amd kvm 2>/dev/null
exit $((failed > 0))
