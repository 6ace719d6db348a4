#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host CPUs going away under running vCPUs, in the test host (khyp.ko
# loaded, two host CPUs).  A VM with two busy vCPUs (busy_vm) runs while
#
#   (default)  host CPU 1 goes offline and online again, CYCLES times
#              (env, default 8): both vCPUs keep counting through each
#              step; vCPU 0's thread, bound to CPU 1 (the kernel breaks
#              that binding at offline), is bound there again as soon as
#              the CPU is back and counts there: AMD-V was enabled again
#              on it.  The vCPUs stop cleanly.  Prints TAP.
#   reboot     reboot(2) LINUX_REBOOT_CMD_RESTART
#   kexec      kexec_file_load(2) of the running kernel, then reboot(2)
#              LINUX_REBOOT_CMD_KEXEC
#
# The last two end the test host (testhost/run --expect-reboot; the TAP is
# reboot_test.sh's, outside): this prints "RUNNING C0 C1" before the call,
# and "RETURNED errno" if the call comes back; the console shows info lines.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib/tap.sh
. "$here/../lib/tap.sh"
BUSY_VM=$here/../bin/busy_vm
CPU1=/sys/devices/system/cpu/cpu1/online
mode=${1:-hotplug}

coproc VM { exec "$BUSY_VM"; }
# Copies: bash closes a coproc's own descriptors when it exits.
# shellcheck disable=SC2153 # set by coproc
vm_pid=$VM_PID
exec {vm_out}<&"${VM[0]}" {vm_in}>&"${VM[1]}"
read -r -t 120 ready tid0 tid1 <&"$vm_out"
if [[ ${ready:-} != READY ]]; then
	echo "# busy_vm: ${ready:-nothing} ${tid0:-} ${tid1:-}"
	check "busy_vm runs two vCPUs" false
	tap_end
	exit 1
fi

count() {  # count: C0 C1 now
	local c0 c1
	echo count >&"$vm_in"
	read -r -t 30 c0 c1 <&"$vm_out"
	echo "${c0:-} ${c1:-}"
}

# advance C0 C1: both counters pass the given values (poll, 60 s).
advance() {
	local t=$((SECONDS + 60)) c0 c1
	while ((SECONDS < t)); do
		read -r c0 c1 < <(count)
		[[ $c0 =~ ^[0-9]+$ && $c1 =~ ^[0-9]+$ ]] || break
		((c0 > $1 && c1 > $2)) && return 0
		sleep 0.1
	done
	echo "# counters ${c0:-?} ${c1:-?}, were $1 $2"
	return 1
}

host_reboot() {  # reboot(2) with CMD; prints RETURNED errno if it comes back
	/usr/bin/python3 - "$@" <<'PY'
import ctypes, os, sys, termios
libc = ctypes.CDLL(None, use_errno=True)
if sys.argv[1] == "kexec":
    image = "/boot/vmlinuz-" + os.uname().release
    cmdline = b"console=ttyS0,115200 loglevel=7 panic=-1 khyp-testhost-kexec"
    fd = os.open(image, os.O_RDONLY)
    # kexec_file_load(kernel, initrd, cmdline_len, cmdline, NO_INITRAMFS)
    if libc.syscall(320, fd, -1, len(cmdline) + 1, cmdline, 4):
        print("RETURNED kexec_file_load", ctypes.get_errno(), flush=True)
        sys.exit(1)
    how = 0x45584543     # LINUX_REBOOT_CMD_KEXEC
else:
    how = 0x01234567     # LINUX_REBOOT_CMD_RESTART
print("RUNNING", sys.argv[2], flush=True)
try:                 # out of the serial port before the reset
    termios.tcdrain(sys.stdout.fileno())
except termios.error:
    pass
libc.reboot(how)
print("RETURNED", ctypes.get_errno(), flush=True)
sys.exit(1)
PY
}

case $mode in
reboot|kexec)
	read -r c0 c1 < <(count)
	advance "$c0" "$c1" || exit 1
	read -r c0 c1 < <(count)
	# The console shows khyp's info lines (a vCPU stopped, and why).
	echo 7 >/proc/sys/kernel/printk
	host_reboot "$mode" "$c0,$c1"
	exit 1 ;;
hotplug) ;;
*) echo "usage: $0 [reboot|kexec]" >&2; exit 2 ;;
esac

tap_on_fail() { dmesg | tail -n 20 | sed 's/^/# /'; }
on_cpu() { awk '{ print $39 }' "/proc/$tid0/stat"; }
# counts_on_cpu1: vCPU 0's thread gets to CPU 1 (poll, 60 s), counts
# there, and is still there.
counts_on_cpu1() {
	local t=$((SECONDS + 60)) c0 c1
	until [ "$(on_cpu)" = 1 ]; do
		((SECONDS < t)) || { echo "# vCPU 0 is on CPU $(on_cpu)"; return 1; }
		sleep 0.1
	done
	read -r c0 c1 < <(count)
	advance "$c0" "$c1" && [ "$(on_cpu)" = 1 ]
}
[[ -w $CPU1 ]] || { skip "CPU 1 offline and online" "no $CPU1"; tap_end; exit; }
check "busy_vm runs two vCPUs (threads $tid0 $tid1)" true
echo "chase 1" >&"$vm_in"
read -r -t 30 chasing <&"$vm_out"
check "vCPU 0's thread is kept on CPU 1" [ "${chasing:-}" = "CHASING 1" ]
# set_cpu1 0|1: CPU 1 goes offline or online, and both vCPUs count after.
set_cpu1() {
	local c0 c1
	read -r c0 c1 < <(count)
	echo "$1" >"$CPU1" && [ "$(cat "$CPU1")" = "$1" ] && advance "$c0" "$c1"
}
for ((i = 1; i <= ${CYCLES:-8}; i++)); do
	check "cycle $i: CPU 1 offline, both vCPUs count on CPU 0" set_cpu1 0
	check "cycle $i: CPU 1 online again, both vCPUs count" set_cpu1 1
	check "cycle $i: vCPU 0 counts on CPU 1 (AMD-V enabled there again)" \
		counts_on_cpu1
done
echo stop >&"$vm_in"
read -r -t 60 stopped r0 r1 <&"$vm_out"
check "both vCPUs stop for KHYP_VCPU_STOP (reasons ${r0:-?} ${r1:-?})" \
	[ "${stopped:-} ${r0:-} ${r1:-}" = "STOPPED 3 3" ]
rc=0
wait "$vm_pid" || rc=$?
check "busy_vm exits 0" [ "$rc" = 0 ]
tap_end
