#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# main_fake_test.sh - khyp-run's main loop against a fake /dev/khyp.
#
# fake_khyp.so (LD_PRELOAD) answers khyp-run's ioctls, gives the VM fd a
# "guest" on a socketpair and logs every call (fake_khyp.c); fake_qmpd.py
# stands in for khyp-qmpd.  Checks the VM set-up sequence, console both
# ways, poweroff, reset (reboot, -no-reboot), triple fault, SIGTERM,
# the QMP daemon's life cycle, and -serial mon:stdio's Ctrl-A escapes
# between the console and the (fake) monitor.  Output is TAP.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
KHYP_RUN=${KHYP_RUN:-$HERE/../../userspace/bin/khyp-run}
FAKE=$HERE/fake_khyp.so
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
KERNEL=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -1)

echo "TAP version 13"
if [ ! -x "$KHYP_RUN" ] || [ ! -e "$FAKE" ] || [ -z "$KERNEL" ]; then
	echo "1..0 # SKIP needs khyp-run, fake_khyp.so and a cloud kernel"
	exit 0
fi
echo "1..14"
echo initrd > "$TMP/initrd"
export FAKE_KHYP_LOG=$TMP/log FAKE_QMPD_LOG=$TMP/qmpd.log
n=0
failed=0

# run NAME INPUT-SCRIPT KHYP-RUN-ARGS...: output in $out, status in $rc
run() {
	local input=$1
	shift
	rm -f "$FAKE_KHYP_LOG" "$FAKE_QMPD_LOG"
	out=$(bash -c "$input" | LD_PRELOAD=$FAKE timeout 20 "$KHYP_RUN" \
		-kernel "$KERNEL" -initrd "$TMP/initrd" "$@" 2>&1)
	rc=$?
	log=$(cat "$FAKE_KHYP_LOG" 2>/dev/null)
}

check() {	# check DESCRIPTION CONDITION...
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		echo "# rc=$rc"
		echo "$out" | sed 's/^/#   out| /'
		echo "$log" | sed 's/^/#   log| /'
		failed=$((failed + 1))
	fi
}

has() { grep -qE -- "$1" <<<"$2"; }
count() { grep -cE -- "$1" <<<"$2"; }

run 'echo hello; sleep 0.3; echo poweroff' -m 256 -smp 2,maxcpus=4 \
	-append quiet -name vm1 -serial stdio -cpu IvyBridge-IBRS
check "set-up: VM, CPUID, topology, vCPUs, BSP registers, boot_params" eval '
	has "^CREATE_VM mem=268435456 flags=1 max_vcpus=4 name=vm1$" "$log" &&
	has "^SET_CPUID nent=1$" "$log" &&
	has "^SET_TOPOLOGY 1/1/4/1 model=IvyBridge-IBRS$" "$log" &&
	has "^CREATE_VCPU id=0 apic=0 flags=0$" "$log" &&
	has "^CREATE_VCPU id=1 apic=1 flags=1$" "$log" &&
	! has "CREATE_VCPU id=2" "$log" &&
	has "^SET_REGS vcpu=0 rip=0x1000200 rsi=0x7000 rflags=0x2$" "$log" &&
	has "^SET_SREGS vcpu=0 cs=0x10 ds=0x18 cr0=0x80000031 cr3=0x9000 cr4=0x20 efer=0x500$" "$log" &&
	has "^bootparams HdrS=1 loader=0xff cmdline=console=ttyS0 tsc_early_khz=[0-9]+ quiet$" "$log" &&
	has "^START vcpu=0$" "$log" && has "^START vcpu=1$" "$log"'
check "console both ways, poweroff exits 0, vCPUs stopped and closed" eval '
	[ $rc -eq 0 ] && has "FAKE-GUEST-UP boot=1" "$out" &&
	has "got:hello" "$out" && has "^STOP vcpu=1$" "$log" &&
	has "^close vcpu=1$" "$log" && has "^close vm$" "$log"'

run 'echo reset; sleep 1; echo poweroff' -serial stdio
check "guest reset: a new VM boots, then poweroff exits 0" eval '
	[ $rc -eq 0 ] && has "FAKE-GUEST-UP boot=2" "$out" &&
	[ $(count "^CREATE_VM" "$log") -eq 2 ]'

run 'echo reset; sleep 1; echo poweroff' -serial stdio -no-reboot
check "guest reset with -no-reboot: exit 0, no second VM" eval '
	[ $rc -eq 0 ] && [ $(count "^CREATE_VM" "$log") -eq 1 ]'

run 'echo triple; sleep 1' -serial stdio -smp 2 -no-reboot
check "triple fault: reported, exit 0 with -no-reboot (as QEMU)" eval '
	[ $rc -eq 0 ] &&
	has "^khyp-run: guest vCPU 1 shut down \(triple fault\)$" "$out"'

FAKE_KHYP_POWEROFF=0.3 run 'echo hidden' -serial none
check "-serial none: the console is not shown" eval '
	[ $rc -eq 0 ] && ! has "FAKE-GUEST-UP" "$out"'

# SIGTERM while the guest runs (stdin: a FIFO held open, never EOF)
rm -f "$FAKE_KHYP_LOG"
mkfifo "$TMP/in"
LD_PRELOAD=$FAKE "$KHYP_RUN" -kernel "$KERNEL" -serial stdio \
	<"$TMP/in" >"$TMP/out" 2>&1 &
pid=$!
exec 3>"$TMP/in"
sleep 0.5
kill -TERM $pid
wait $pid
rc=$?
exec 3>&-
out=$(cat "$TMP/out")
log=$(cat "$FAKE_KHYP_LOG")
check "SIGTERM: clean exit 0 with a message, VM torn down" eval '
	[ $rc -eq 0 ] && has "^khyp-run: terminating on signal 15$" "$out" &&
	has "^close vm$" "$log"'

export KHYP_QMPD=$HERE/fake_qmpd.py
run 'sleep 0.5; echo poweroff' -serial stdio \
	-qmp "unix:$TMP/qmp.sock,server=on,wait=off"
qlog=$(cat "$FAKE_QMPD_LOG" 2>/dev/null)
check "-qmp: khyp-qmpd started for the VM, stopped at exit" eval '
	[ $rc -eq 0 ] &&
	has "^--vm 7 --socket $TMP/qmp.sock --pid [0-9]+$" "$qlog" &&
	has "^terminated$" "$qlog" && [ ! -e "$TMP/qmp.sock" ]'

FAKE_QMPD_QUIT=0.5 run 'sleep 1.5' -serial stdio \
	-qmp "unix:$TMP/qmp.sock,server=on,wait=off"
check "QMP quit (SIGTERM from khyp-qmpd): quiet exit 0" eval '
	[ $rc -eq 0 ] && ! has "terminating" "$out" && has "^close vm$" "$log"'

# -serial mon:stdio: the console first; C-a c to the monitor (its banner
# kept until then), a line edited there, C-a c back (the line typed
# before dropped when the monitor comes back), C-a x.
run 'sleep 0.5; printf "abc\001c"; sleep 0.3; printf "info stax\177tus\r"
	sleep 0.3; printf "par\001c"; echo hello; sleep 0.3
	printf "\001c"; sleep 0.3; printf "\001c\001\001z\r"; sleep 0.3
	printf "\001x"' -nodefaults -serial mon:stdio
qlog=$(cat "$FAKE_QMPD_LOG" 2>/dev/null)
check "-serial mon:stdio: console, C-a c to the monitor and back, C-a x exits 0" eval '
	[ $rc -eq 0 ] &&
	has "^--vm 7 --monitor-fd [0-9]+ --pid [0-9]+$" "$qlog" &&
	[ "$(grep "^line:" <<<"$qlog")" = "$(printf "%s\n" \
		"line: '\''info status'\''" "line: '\'''\''")" ] &&
	[ "$out" = "$(printf "%b" "FAKE-GUEST-UP boot=1\r\n" \
		"FAKE monitor banner\r\n(qemu) info stax\b \btus\r\n" \
		"did: info status\r\n(qemu) par\r\n" \
		"got:abchello\r\n(qemu) \r\n" \
		"got:\001z\r\nQEMU: Terminated\n\r")" ] &&
	has "^terminated$" "$qlog"'

run 'sleep 0.5; printf "\001h\001b\001s\001x"' -nographic
qlog=$(cat "$FAKE_QMPD_LOG" 2>/dev/null)
check "-nographic is -serial mon:stdio: C-a h prints QEMU's help, C-a b is refused" eval '
	[ $rc -eq 0 ] && has "^--vm 7 --monitor-fd [0-9]+ --pid [0-9]+$" "$qlog" &&
	has "^.C-a h    print this help$" "$out" &&
	has "^.C-a C-a  sends C-a$" "$out" &&
	has "khyp-run: C-a b: not sent: khyp.s serial port cannot receive a break$" "$out" &&
	has "QEMU: Terminated" "$out" && ! has "FAKE monitor" "$out"'

run 'sleep 0.5; printf "\001t"; echo one; sleep 0.3; echo two; sleep 0.3
	printf "\001t"; echo three; sleep 0.3; echo poweroff' \
	-serial mon:stdio
check "C-a t: the console lines stamped, as QEMU's, until C-a t again" eval '
	[ $rc -eq 0 ] && has "^got:one.$" "$out" &&
	has "^\[00:00:00\.000\] got:two.$" "$out" &&
	has "^got:three.$" "$out"'

FAKE_KHYP_POWEROFF=0.3 run '' -serial none -machine pit=off -cpu qemu64,+pcid
check "-machine pit=off: KHYP_VM_NO_PIT; -cpu +pcid lacking: QEMU's warning" eval '
	[ $rc -eq 0 ] &&
	has "^CREATE_VM mem=[0-9]+ flags=3 " "$log" &&
	has "^khyp-run: warning: host doesn.t support requested feature: CPUID.01H:ECX.pcid \[bit 17\]$" "$out" &&
	has "^START vcpu=0$" "$log"'

run '' -serial none -cpu qemu64,+pcid,+x2apic,enforce
check "-cpu ...,enforce: the warnings, QEMU's error, exit 1 before any vCPU" eval '
	[ $rc -eq 1 ] &&
	has "^khyp-run: warning: .*CPUID.01H:ECX.pcid \[bit 17\]$" "$out" &&
	has "^khyp-run: warning: .*CPUID.01H:ECX.x2apic \[bit 21\]$" "$out" &&
	has "^khyp-run: Host doesn.t support requested features$" "$out" &&
	! has "CREATE_VCPU" "$log"'

[ $failed -eq 0 ] && echo "# PASSED: $n of $n" || echo "# FAILED: $failed of $n"
[ $failed -eq 0 ]
