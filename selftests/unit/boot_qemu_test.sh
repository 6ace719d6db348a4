#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot_qemu_test.sh - boot a real Linux on exactly what khyp-run lays out.
#
# khyp.ko cannot run here, but QEMU can: boot_image builds khyp-run's guest
# memory image (boot_params, e820, page tables, GDT, kernel, initrd, ACPI
# tables) from khyp-run options, boot_stub.S brings QEMU's CPU into the
# 64-bit state khyp-run gives vCPU 0, and the cloud kernel then has to
# boot from it: parse the e820 map, the command line, the MADT (possible
# CPUs, APIC IDs for AP start-up), the FADT (PM timer, S5 poweroff through
# SLP_TYP 5, reset through 0xcf9) and the DSDT (AML loads, COM1 and RTC
# found by PnP).  QEMU's GPE block is not at our GPE0 address, so the
# "No handler or method for GPE" errors are expected here; any other ACPI
# error fails the test.  Last, the DSDT's CPU hotplug AML drives QEMU pc's
# (identical) CPU hotplug registers: selftests/guest/guest_test.py through
# qemu_khyp_run.sh, with QMP device_add/device_del.  Output is TAP.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
KERNEL=${KERNEL:-$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -1)}
QEMU=${QEMU:-qemu-system-x86_64}

# name | khyp-run options | expected marker | extra checks (regexes, ';')
CASES=(
	"poweroff, 1 of 4 CPUs|-m 256 -smp 1,maxcpus=4 -append khyp.test=poweroff|KHYP-GUEST-UP cpus=1 possible=4|smpboot: Allowing 4 CPUs, 3 hotplug CPUs;ACPI: PM: \(supports S0 S5\);pnp: PnP ACPI: found 2 devices;ttyS0 at I/O 0x3f8 \(irq = 4;rtc_cmos 00:01: registered;clocksource: acpi_pm: mask: 0xffffff ;Command line: console=ttyS0 tsc_early_khz=[0-9]+ khyp.test=poweroff;BIOS-e820: \[mem 0x0000000000008000-0x000000000000efff\] reserved;BIOS-e820: \[mem 0x0000000000100000-0x000000000fffffff\] usable;ACPI: RSDP 0x00000000000E0000;reboot: Power down"
	"two CPUs started by SIPI|-m 256 -smp 2 -append khyp.test=poweroff|KHYP-GUEST-UP cpus=2 possible=2|smp: Brought up 1 node, 2 CPUs;reboot: Power down"
	"2 sockets x 2 cores x 2 threads|-m 256 -smp 8,sockets=2,cores=2,threads=2 -append khyp.test=poweroff|KHYP-GUEST-UP cpus=8 possible=8|smp: Brought up 1 node, 8 CPUs;reboot: Power down"
	"255 possible CPUs|-m 512 -smp 2,maxcpus=255 -append khyp.test=poweroff|KHYP-GUEST-UP cpus=2 possible=255|smpboot: Allowing 255 CPUs, 253 hotplug CPUs;reboot: Power down"
	"reset through the FADT reset register|-m 256 -smp 1 -no-reboot -append khyp.test=reboot|KHYP-GUEST-REBOOT|reboot: Restarting system"
)

echo "TAP version 13"
if [ -z "$KERNEL" ] || ! command -v "$QEMU" >/dev/null; then
	echo "1..0 # SKIP needs $QEMU and /boot/vmlinuz-*-cloud-amd64"
	exit 0
fi
for f in boot_image boot_stub.bin; do
	if [ ! -e "$HERE/$f" ]; then
		echo "1..0 # SKIP $f not built (make -C selftests/unit)"
		exit 0
	fi
done
echo "1..$(( ${#CASES[@]} + 1 ))"

"$HERE/../guest/mkinitramfs.sh" "$TMP/guest.cpio.gz" || exit 1

n=0
failed=0
for c in "${CASES[@]}"; do
	IFS='|' read -r name opts marker checks <<<"$c"
	n=$((n + 1))
	dir=$TMP/$n
	mkdir -p "$dir"
	# khyp-run options: split on spaces (none of ours contain spaces)
	read -r -a argv <<<"$opts"
	smp=$(echo "$opts" | sed -n 's/.*-smp \([^ ]*\).*/\1/p')
	qargs=$("$HERE/boot_image" "$HERE/boot_stub.bin" "$dir" "${argv[@]}" \
		-kernel "$KERNEL" -initrd "$TMP/guest.cpio.gz" 2>"$dir/err")
	if [ $? -ne 0 ]; then
		echo "not ok $n - $name: boot_image failed"
		sed 's/^/# /' "$dir/err"
		failed=$((failed + 1))
		continue
	fi
	noreboot=
	case " $opts " in *" -no-reboot "*) noreboot=-no-reboot ;; esac
	# single-threaded TCG: see qemu_khyp_run.sh
	# shellcheck disable=SC2086
	timeout 120 "$QEMU" -accel tcg,thread=single -machine pc -cpu qemu64 $qargs \
		-smp "$smp" -global PIIX4_PM.s4_val=5 -display none \
		-nodefaults -serial stdio -monitor none $noreboot \
		</dev/null >"$dir/log" 2>&1
	rc=$?
	bad=""
	[ $rc -eq 0 ] || bad="${bad}QEMU exited $rc"$'\n'
	grep -q "$marker" "$dir/log" || bad="${bad}no '$marker'"$'\n'
	IFS=';' read -r -a rx <<<"$checks"
	for r in "${rx[@]}"; do
		grep -qE "$r" "$dir/log" || bad="${bad}no /$r/"$'\n'
	done
	errs=$(grep -E "ACPI (BIOS )?(Error|Warning)|ACPI: .*(failed|error)|Firmware Bug|FW_BUG|panic|BUG:|Oops" "$dir/log" |
	       grep -v "No handler or method for GPE")
	[ -z "$errs" ] || bad="${bad}${errs}"$'\n'
	if [ -z "$bad" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "$bad" | sed 's/^/# /'
		tail -25 "$dir/log" | sed 's/^/#   | /'
		failed=$((failed + 1))
	fi
done
# The CPU hotplug AML, on QEMU pc's register blocks (boot_image --qemu-pc):
# the test guest through QMP device_add/device_del, console, poweroff.
n=$((n + 1))
# (TCG shares the CPUs with whatever else runs: a loose sleep check)
if out=$(VMM=$HERE/qemu_khyp_run.sh SLEEP_SLACK=1.5 timeout 300 \
	/usr/bin/python3 "$HERE/../guest/guest_test.py" 2>&1); then
	echo "ok $n - hotplug AML: guest_test.py on khyp-run's image (QEMU pc)"
else
	echo "not ok $n - hotplug AML: guest_test.py on khyp-run's image (QEMU pc)"
	echo "$out" | sed 's/^/#   | /'
	failed=$((failed + 1))
fi

[ $failed -eq 0 ] && echo "# PASSED: $n of $n" || echo "# FAILED: $failed of $n"
[ $failed -eq 0 ]
