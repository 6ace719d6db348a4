#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-boot.sh: boot-to-init, khyp-run against QEMU+KVM.  Run by bench.sh
# inside the test host (khyp.ko loaded, kvm_amd not loaded).
#
# The time from starting the VMM to the test guest's "KHYP-GUEST-UP"
# marker on its console: Debian's cloud kernel and the test initramfs
# (selftests/guest/mkinitramfs.sh), -smp 1 -m 512.  The guest then powers
# itself off (khyp.test=poweroff, after the marker).  The median of
# $KHYP_BENCH_BOOT_RUNS (3) runs each, for the sides in $KHYP_BENCH_SIDES.
# KVM runs only while khyp has no VM and the other way round.  Prints:
#
#   FIGURE khyp|kvm boot-to-init <s> s
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${KHYP_BENCH_BOOT_RUNS:-3}
timeout=${KHYP_BENCH_BOOT_TIMEOUT:-300}
stats=/sys/class/misc/khyp/stats

kernel=$(printf "%s\n" /boot/vmlinuz-*-cloud-amd64 | sort -V | tail -1)
[[ -e $kernel ]] || kernel=""
if [[ -z $kernel ]]; then
	echo "bench-boot: no /boot/vmlinuz-*-cloud-amd64" >&2
	exit 1
fi
work=$(mktemp -d /tmp/khyp-bench-boot.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
initrd=$work/guest.cpio.gz
"$repo/selftests/guest/mkinitramfs.sh" "$initrd"
append='console=ttyS0 khyp.test=poweroff'

# boot_to_init VMM-ARGV...: seconds from exec to the marker.  Fails if the
# marker does not come within $timeout s or the VMM does not exit 0.
boot_to_init() {
	/usr/bin/python3 - "$timeout" "$@" <<'PY'
import os, select, subprocess, sys, time
timeout = float(sys.argv[1])
argv = sys.argv[2:]
t0 = time.monotonic()
p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
buf, took = b'', None
end = t0 + timeout
while took is None and time.monotonic() < end:
    r, _, _ = select.select([p.stdout], [], [], 0.5)
    if r:
        data = os.read(p.stdout.fileno(), 65536)
        if not data:
            break
        buf += data
        if b'KHYP-GUEST-UP' in buf:
            took = time.monotonic() - t0
while took is not None:          # drain until the guest powers off
    r, _, _ = select.select([p.stdout], [], [], max(0, end - time.monotonic()))
    if not r or not os.read(p.stdout.fileno(), 65536):
        break
try:
    rc = p.wait(max(1, end - time.monotonic()))
except subprocess.TimeoutExpired:
    p.kill()
    rc = p.wait()
if took is None or rc != 0:
    sys.stderr.write('bench-boot: %s: marker %s, exit %s\n%s\n' % (
        argv[0], 'seen' if took else 'not seen', rc,
        buf[-3000:].decode(errors='replace')))
    sys.exit(1)
print('%.3f' % took)
PY
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

measure() {	# measure VMM-ARGV...: one time per line, fails on any run
	local i t
	for ((i = 0; i < runs; i++)); do
		t=$(boot_to_init "$@") || return 1
		echo "$t"
	done
}

khyp_idle() {	# vms 0 and vcpus 0
	awk '$1 == "vms" || $1 == "vcpus" { n += $2 } END { exit n != 0 }' "$stats"
}

common=(-m 512 -smp 1 -kernel "$kernel" -initrd "$initrd" -append "$append"
	-nodefaults -serial stdio -display none -no-reboot)

sides=" ${KHYP_BENCH_SIDES:-khyp kvm} "
failed=0

if [[ $sides == *" khyp "* ]]; then
	if lsmod | grep -q '^kvm_amd '; then
		echo "bench-boot: kvm_amd is loaded; khyp cannot own AMD-V" >&2
		exit 1
	fi
	khyp_idle || { echo "bench-boot: khyp has a VM before the run:" >&2; cat "$stats" >&2; exit 1; }
	# A khyp guest that died still leaves the KVM side to measure.
	if t=$(measure "$repo/userspace/bin/khyp-run" "${common[@]}"); then
		echo "# boot-to-init khyp runs: $(tr "\n" " " <<<"$t")" >&2
		echo "FIGURE khyp boot-to-init $(median <<<"$t") s"
	else
		failed=1
	fi
fi

if [[ $sides == *" kvm "* ]]; then
	khyp_idle || { echo "bench-boot: khyp still has a VM:" >&2; cat "$stats" >&2; exit 1; }
	modprobe kvm_amd
	if ! t=$(measure qemu-system-x86_64 -accel kvm -cpu host "${common[@]}"); then
		rmmod kvm_amd kvm 2>/dev/null || true
		exit 1
	fi
	rmmod kvm_amd kvm 2>/dev/null || true
	echo "# boot-to-init kvm runs: $(tr "\n" " " <<<"$t")" >&2
	echo "FIGURE kvm boot-to-init $(median <<<"$t") s"
fi
exit $failed
