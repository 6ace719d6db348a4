#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-hotplug.sh: vCPU hotplug latency seen by a Linux guest, khyp-run
# against QEMU+KVM, with the same cloud kernel and test initramfs
# (selftests/guest/mkinitramfs.sh), -m 512 -smp 1,maxcpus=2:
#
#   plug-to-online  QMP device_add sent -> guest prints KHYP-GUEST-CPU-ONLINE
#   unplug-to-gone  QMP device_del sent -> guest prints KHYP-GUEST-CPU-GONE
#   first-plug-to-online  each boot's first cycle's plug-to-online: the
#                   guest also switches to SMP code then (the anchors'
#                   one-plug-per-boot figure)
#   plug-vmm        the VMM's own share of a plug: device_add written to
#                   the SCI raised (from the host's trace buffer)
#   unplug-vmm      the VMM's own share of an unplug: the guest's _EJ0
#                   write to the DEVICE_DELETED event's timestamp
#
# Median (with min and max) of $KHYP_BENCH_HP_CYCLES (9) cycles each; a
# guest that dies is booted again and counted (hotplug-died).  The
# measuring is selftests/e2e/hotplug_bench.py.  Run by selftests/bench/bench.sh inside
# the test host, with khyp.ko loaded and kvm_amd not: khyp is measured
# first, then kvm_amd is loaded for QEMU and unloaded again, so that the
# two never own AMD-V at once (khyp has no VM while KVM runs).  For the
# sides in $KHYP_BENCH_SIDES, prints
#
#   FIGURE khyp|kvm plug-to-online <s> s min=<s> max=<s>
#   FIGURE khyp|kvm unplug-to-gone <s> s min=<s> max=<s>
#   FIGURE khyp|kvm first-plug-to-online <s> s min=<s> max=<s>
#   FIGURE khyp|kvm plug-vmm <ms> ms min=<ms> max=<ms>
#   FIGURE khyp|kvm unplug-vmm <ms> ms min=<ms> max=<ms>
#   FIGURE khyp|kvm hotplug-died <n> guests
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

# figure NAME SCALE UNIT FILE: NAME's median, min and max as the driver
# printed them (in s), times SCALE, as a FIGURE line's tail
figure() {
	awk -v n="$1" -v k="$2" -v u="$3" '$1 == n {
		printf "%g %s min=%g max=%g\n", $2 * k, u, $3 * k, $4 * k }' "$4"
}

sides=" ${KHYP_BENCH_SIDES:-khyp kvm} "
failed=0
for side in khyp kvm; do
	[[ $sides == *" $side "* ]] || continue
	[[ $side == kvm ]] && modprobe kvm_amd
	rc=0
	/usr/bin/python3 "$drv" "$side" "$kernel" "$work/initrd.gz" "$cycles" |
		tee "$work/$side" || rc=$?
	[[ $side == kvm ]] && rmmod kvm_amd kvm
	echo "FIGURE $side hotplug-died $(awk '$1 == "died" { print $2 }' \
		"$work/$side") guests"
	# A side whose guests kept dying costs only its own figures.
	if ((rc != 0)); then
		failed=1
		continue
	fi
	for name in plug-to-online unplug-to-gone first-plug-to-online; do
		echo "FIGURE $side $name $(figure "$name" 1 s "$work/$side")"
	done
	for name in plug-vmm unplug-vmm; do
		echo "FIGURE $side $name $(figure "$name" 1000 ms "$work/$side")"
	done
done
exit $failed
