#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu_khyp_run.sh KHYP-RUN-OPTIONS...
#
# "khyp-run on QEMU": lays out the guest exactly as khyp-run does
# (boot_image --qemu-pc: boot_params, e820, page tables, ACPI tables with
# the CPU hotplug AML) and boots it on qemu-system-x86_64 with TCG, which
# stands in for khyp.ko.  Options QEMU must also see (-smp, -qmp, -serial,
# -display, -nodefaults, -no-reboot, -name) are passed on; -monitor is
# not (QEMU gets -monitor none).  Lets tests written for khyp-run (e.g.
# VMM=.../qemu_khyp_run.sh selftests/guest/guest_test.py) run here.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
tmp=$(mktemp -d)
qemu_pid=

cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid"
	rm -rf "$tmp"
}
trap 'cleanup; exit 0' TERM INT
trap 'rm -rf "$tmp"' EXIT

args=("$@")
qargs=()
# Single-threaded TCG, as in the test host: under MTTCG a -smp 2 guest
# once stopped mid-boot in CI (2026-12-01), and MTTCG is known to kill
# SMP guests now and then (Documentation/testing.rst).  But QEMU 7.2's
# single-threaded TCG aborts on a CPU unplug ("qemu_thread_join: Resource
# deadlock avoided"), so a guest with free hotplug slots gets MTTCG.
tcg_thread=single
for ((i = 0; i < ${#args[@]}; i++)); do
	case ${args[i]} in
	-smp)
		smp=${args[i + 1]}
		cpus=${smp%%,*}
		cpus=${cpus#cpus=}
		max=$(sed -n 's/.*maxcpus=\([0-9]*\).*/\1/p' <<<"$smp")
		[[ -n $max && $max != "$cpus" ]] && tcg_thread=multi
		qargs+=("${args[i]}" "${args[i + 1]}")
		i=$((i + 1))
		;;
	-qmp | -serial | -display | -name)
		qargs+=("${args[i]}" "${args[i + 1]}")
		i=$((i + 1))
		;;
	-nodefaults | -no-reboot)
		qargs+=("${args[i]}")
		;;
	esac
done

image=$("$HERE/boot_image" --qemu-pc "$HERE/boot_stub.bin" "$tmp" "$@") ||
	exit 1
# shellcheck disable=SC2086
# (explicit <&0: a background job would otherwise get /dev/null)
"$QEMU" -accel "tcg,thread=$tcg_thread" -machine pc -cpu qemu64 $image "${qargs[@]}" \
	-global PIIX4_PM.s4_val=5 -monitor none <&0 &
qemu_pid=$!
wait "$qemu_pid"
rc=$?
qemu_pid=
exit $rc
