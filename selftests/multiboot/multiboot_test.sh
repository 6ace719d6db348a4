#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# multiboot_test.sh - khyp-run boots Multiboot kernels (mb_guest.S, as ELF32
# and as an a.out-kludge binary) with kvm-unit-tests' QEMU command line,
# serves fw_cfg, pc-testdev and isa-debug-exit, and ends with the status
# isa-debug-exit asks for, (V << 1) | 1.  Runs in the test host:
#   selftests/testhost/run --timeout 600 selftests/multiboot/multiboot_test.sh
# VMM=qemu-system-x86_64 ACCEL=tcg runs the same guests on QEMU (no module
# needed), which is how the guest itself is checked.  Output is TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=$top/selftests/bin
vmm=${VMM:-$top/userspace/bin/khyp-run}
accel=${ACCEL:-kvm}
# shellcheck source=selftests/lib/tap.sh
. "$top/selftests/lib/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'khyp-mb!' >"$tmp/module"

# boot KERNEL APPEND [EXTRA...]: $out, $err and $rc hold the result.
boot() {
	local kernel=$1 append=$2
	shift 2
	rc=0
	timeout 120 "$vmm" --no-reboot -nodefaults \
		-global kvm-pit.lost_tick_policy=discard "$@" \
		-display none -serial stdio -machine accel="$accel" \
		-kernel "$kernel" -smp 2,maxcpus=3 -append "$append" \
		-initrd "$tmp/module" -m 96 </dev/null >"$tmp/out" 2>"$tmp/err" ||
		rc=$?
	out=$(tr -d '\r' <"$tmp/out")
	err=$(cat "$tmp/err")
}

devices=(-device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4)

# expect NAME STATUS: the exit status, and every check's letter.
expect() {
	check "$1" test "$rc" -eq "$2" -a "$out" = abcdefghij
	diag
}

diag() {
	[[ $tap_failed -gt ${diag_seen:-0} ]] || return 0
	diag_seen=$tap_failed
	echo "# status $rc, output '$out', stderr:"
	sed 's/^/#   /' <<<"$err"
}

boot "$bin/mb_guest.elf" code=0 "${devices[@]}"
expect "ELF32 kernel: every check passes, code 0 exits with status 1" 1
boot "$bin/mb_guest.elf" "-x code=5 y" "${devices[@]}"
expect "isa-debug-exit: code 5 exits with status 11" 11
boot "$bin/mb_guest_aout.bin" code=3 "${devices[@]}"
expect "a.out kludge kernel: every check passes, code 3 is status 7" 7

# Without pc-testdev, check 8 reads all ones: 0x48 -> (0x48 << 1 | 1) & 0xff.
boot "$bin/mb_guest.elf" code=0 -device isa-debug-exit,iobase=0xf4,iosize=4
check "no -device pc-testdev: its ports float (status 145)" \
	test "$rc" -eq 145 -a "$out" = abcdefg
diag

if [[ $vmm == */khyp-run ]]; then
	# isa-debug-exit over COM1: the module's UART has those ports.
	boot "$bin/mb_guest.elf" code=0 -device isa-debug-exit,iobase=0x3f8
	check "isa-debug-exit over COM1 is refused (status 1)" eval \
		'[[ $rc -eq 1 && $err == *"KHYP_SET_USER_IO"*"File exists (a device of the module has one)"* ]]'
	diag
fi
tap_end
