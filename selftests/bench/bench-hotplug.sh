#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-hotplug.sh: vCPU hotplug latency seen by a Linux guest, khyp-run
# against QEMU+KVM, with the same cloud kernel and test initramfs
# (selftests/guest/mkinitramfs.sh), -m 512 -smp 1,maxcpus=2:
#
#   plug-to-online  QMP device_add sent -> guest prints KHYP-GUEST-CPU-ONLINE
#   unplug-to-gone  QMP device_del sent -> guest prints KHYP-GUEST-CPU-GONE
#   first-plug-to-online  the first cycle's plug-to-online alone: the
#                   guest also switches to SMP code then (the anchors'
#                   one-plug-per-boot figure)
#
# Median of $KHYP_BENCH_HP_CYCLES (9) cycles each; the measuring is
# selftests/e2e/hotplug_bench.py.  Run by selftests/bench/bench.sh inside
# the test host, with khyp.ko loaded and kvm_amd not: khyp is measured
# first, then kvm_amd is loaded for QEMU and unloaded again, so that the
# two never own AMD-V at once (khyp has no VM while KVM runs).  For the
# sides in $KHYP_BENCH_SIDES, prints
#
#   FIGURE khyp|kvm plug-to-online <s> s
#   FIGURE khyp|kvm unplug-to-gone <s> s
#   FIGURE khyp|kvm first-plug-to-online <s> s
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cycles=${KHYP_BENCH_HP_CYCLES:-9}
drv=$repo/selftests/e2e/hotplug_bench.py

kernel=${KERNEL:-$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -1)}
if [[ -z $kernel ]]; then
	echo "# bench-hotplug: no /boot/vmlinuz-*-cloud-amd64, skipped"
	exit 0
fi
work=$(mktemp -d /tmp/bench-hotplug.XXXXXX)
cleanup() {
	rm -rf -- "$work"
	rmmod kvm_amd kvm 2>/dev/null || true
}
trap cleanup EXIT
"$repo/selftests/guest/mkinitramfs.sh" "$work/initrd.gz"

# value NAME FILE: the median the driver printed for NAME
value() { awk -v n="$1" '$1 == n { print $2 }' "$2"; }

sides=" ${KHYP_BENCH_SIDES:-khyp kvm} "
failed=0
for side in khyp kvm; do
	[[ $sides == *" $side "* ]] || continue
	[[ $side == kvm ]] && modprobe kvm_amd
	rc=0
	/usr/bin/python3 "$drv" "$side" "$kernel" "$work/initrd.gz" "$cycles" |
		tee "$work/$side" || rc=$?
	[[ $side == kvm ]] && rmmod kvm_amd kvm
	# A guest that died costs only its own side's figures.
	if ((rc != 0)); then
		failed=1
		continue
	fi
	for name in plug-to-online unplug-to-gone first-plug-to-online; do
		echo "FIGURE $side $name $(value "$name" "$work/$side") s"
	done
done
exit $failed
