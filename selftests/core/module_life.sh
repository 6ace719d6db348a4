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

# shellcheck source=../lib/amdv.sh
. "$here/../lib/amdv.sh"

echo "1..13"
modprobe msr
check "AMD-V is off while no VM exists" '[[ $(efer_svme 0)$(efer_svme 1) == 00 ]]'
start_holder khyp
check "khyp VM created" '[[ $HOLDER_SAYS == ready ]]'
check "the first VM turns AMD-V on on every CPU" '[[ $(efer_svme 0)$(efer_svme 1) == 11 ]]'
check "rmmod refused while a VM exists" '! rmmod khyp 2>/dev/null'
echo 0 >/sys/devices/system/cpu/cpu1/online
echo 1 >/sys/devices/system/cpu/cpu1/online
check "a host CPU that comes back online gets AMD-V on" '[[ $(efer_svme 1) == 1 ]]'
# Eight guests at once keep both host CPUs busy with vCPU threads.
many_guests() {
	local pids=() p rc=0
	for p in 1 2 3 4 5 6 7 8; do
		"$bin/khyp_bench" cpuid 20000 >/dev/null & pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	return $rc
}
check "vCPUs run on every host CPU after host CPU hotplug" many_guests
stop_holder
check "the last VM gone turns AMD-V off everywhere" '[[ $(efer_svme 0)$(efer_svme 1) == 00 ]]'
check "rmmod succeeds once the VM is gone" 'rmmod khyp'
check "insmod again" 'insmod "$module"'

# 6.12's kvm turns AMD-V on at load unless told not to (kvm_coexist.sh
# tests that); here KVM owns it only while its VM exists, as on 6.1.
kvm_args=()
modinfo -p kvm 2>/dev/null | grep -q '^enable_virt_at_load:' && kvm_args=(enable_virt_at_load=0)
if ! { modprobe kvm "${kvm_args[@]}" && modprobe kvm_amd; } 2>/dev/null || [[ ! -e /dev/kvm ]]; then
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
check "the refusal is logged" 'dmesg | grep -q "AMD-V is already enabled (EFER.SVME) by another hypervisor, e.g. kvm_amd"'
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
