#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khyp beside KVM, in the test host (khyp.ko loaded, kvm_amd not): each
# order in which kvm_amd and khyp can take AMD-V, with kvm's
# enable_virt_at_load (6.12) both ways.  Whoever owns AMD-V keeps it and
# keeps running its guests; the other side fails cleanly, with a message
# saying why.  Prints TAP.  Documentation/architecture.rst, "Owning AMD-V".
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../bin
# shellcheck source=../lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=../lib/amdv.sh
. "$here/../lib/amdv.sh"

# The guest every khyp check runs: CPUIDs in real mode, then an OUT.
khyp_guest() { "$bin/khyp_bench" cpuid "${1:-2000}" >/dev/null; }
kvm_guest() { "$bin/kvm_bench" cpuid 2000 >/dev/null; }

unload_kvm() {
	rmmod kvm_amd 2>/dev/null
	rmmod kvm 2>/dev/null
	[[ ! -e /sys/module/kvm ]]
}

# log_since MARK: kernel log lines after the line MARK wrote.
log_mark() { echo "$1" >/dev/kmsg; }
log_since() { dmesg | sed -n "/$1/,\$p"; }

# The emergency-virtualization callback slot (Documentation/compat.rst):
# its registrations and unregistrations since the last slot_log, as
# "R:khyp U:khyp R:kvm ..." (who from the caller), from the function
# tracer.  6.12's KVM takes it while it enables AMD-V (at load, or for its
# first VM) and gives it back when it disables AMD-V or fails to enable.
tr=/sys/kernel/tracing
slot_trace() {
	[[ -e $tr/trace ]] || mount -t tracefs nodev "$tr" 2>/dev/null || return 1
	echo 'cpu_emergency_register_virt_callback cpu_emergency_unregister_virt_callback' \
		>"$tr/set_ftrace_filter" && echo function >"$tr/current_tracer" &&
		echo >"$tr/trace"
}
# The tracer names callers when the trace is read: one in a module
# unloaded since (kvm here, never khyp) shows as its address.
slot_log() {
	sed -n 's/.* cpu_emergency_register_virt_callback <-\([0-9A-Za-z_]*\).*/R \1/p
		s/.* cpu_emergency_unregister_virt_callback <-\([0-9A-Za-z_]*\).*/U \1/p' \
		"$tr/trace" | while read -r op fn; do
		who=$fn
		[[ $fn == *kvm* || $fn == 0x* ]] && who=kvm
		[[ $fn == khyp* || $fn == hw_* ]] && who=khyp
		printf '%s:%s ' "$op" "$who"
	done
	echo >"$tr/trace"
}
# check_slot WHAT EXPECTED: the slot's use since the last check.
check_slot() {
	local got
	if ((!have_trace)); then
		skip "callback slot: $1" "no function tracer"
		return
	fi
	got=$(slot_log)
	echo "# emergency-virt callback slot: ${got:-(untouched)}"
	check "callback slot: $1" [ "$got" = "$2" ]
}

modprobe msr
if ! modinfo -p kvm 2>/dev/null | grep -q '^enable_virt_at_load:'; then
	skip "kvm_amd coexistence" "kvm has no enable_virt_at_load (before 6.12)"
	tap_end
	exit
fi
unload_kvm
all_on=$(svme | tr 0 1) all_off=$(svme | tr 1 0)
have_trace=0
slot_trace && have_trace=1

# 1. kvm_amd first, enabling AMD-V at load (6.12's default).
log_mark khyp-coexist-1
modprobe kvm_amd
check "kvm_amd loads with enable_virt_at_load=Y" \
	grep -qx Y /sys/module/kvm/parameters/enable_virt_at_load
check "kvm_amd turned AMD-V on at load, on every CPU" [ "$(svme)" = "$all_on" ]
start_holder khyp
check "creating a khyp VM fails with EBUSY" [ "$HOLDER_SAYS" = EBUSY ]
msg=$(log_since khyp-coexist-1 | grep 'AMD-V is already enabled (EFER.SVME)' | head -n1)
echo "# kernel: ${msg:-(nothing)}"
check "the kernel log names kvm_amd and both ways out" eval \
	'[[ $msg == *kvm_amd* && $msg == *"rmmod kvm_amd"* && $msg == *"enable_virt_at_load=0"* ]]'
khyp-run -m 64 -kernel "/boot/vmlinuz-$(uname -r)" -display none \
	>/tmp/run.out 2>/tmp/run.err </dev/null
rc=$?
sed 's/^/# khyp-run: /' /tmp/run.err
check "khyp-run exits non-zero" [ "$rc" -ne 0 ]
check "khyp-run prints one line naming kvm_amd and the ways out" eval \
	'[[ $(wc -l </tmp/run.err) == 1 && $(</tmp/run.err) == "khyp-run: AMD-V is owned by another hypervisor (kvm_amd?): rmmod kvm_amd, or load kvm with enable_virt_at_load=0" ]]'
check "a KVM VM still runs" kvm_guest
check "rmmod kvm_amd kvm turns AMD-V off" eval 'unload_kvm && [ "$(svme)" = "$all_off" ]'
check "then a khyp VM runs" khyp_guest
check_slot "KVM's while it has AMD-V, khyp's while its VM lives" \
	"R:kvm U:kvm R:khyp U:khyp "

# 2. khyp first, then kvm_amd with enable_virt_at_load=1: KVM cannot load.
start_holder khyp
check "khyp VM created" [ "$HOLDER_SAYS" = ready ]
khyp_guest 400000 & guest=$!
log_mark khyp-coexist-2
modprobe kvm_amd 2>/dev/null
rc=$?
log_since khyp-coexist-2 | grep -i 'kvm\|svm' | sed 's/^/# kernel: /'
check "kvm_amd (enable_virt_at_load=1) fails to load" [ "$rc" -ne 0 ]
check "khyp still owns AMD-V on every CPU" [ "$(svme)" = "$all_on" ]
kill -0 "$guest" 2>/dev/null && echo "# the khyp guest was running throughout"
check "the running khyp guest finishes correctly" wait "$guest"
check "a new khyp VM runs" khyp_guest
unload_kvm
check_slot "handed to the loading kvm_amd and back after its failure" \
	"R:khyp U:khyp R:kvm U:kvm R:khyp "

# 3. khyp first, then kvm_amd with enable_virt_at_load=0: KVM loads, but
#    its VMs fail until khyp lets go.
khyp_vm=$HOLDER_PID
check "kvm (enable_virt_at_load=0) and kvm_amd load" \
	eval 'modprobe kvm enable_virt_at_load=0 && modprobe kvm_amd'
khyp_guest 400000 & guest=$!
start_holder kvm
echo "# KVM_CREATE_VM: $HOLDER_SAYS"
# KVM reports its per-CPU enable failure as EIO (6.12's kvm_main.c).
check "creating a KVM VM fails with EIO" [ "$HOLDER_SAYS" = EIO ]
check "kvm_bench fails cleanly (non-zero exit)" eval '! kvm_guest 2>/dev/null'
check "khyp still owns AMD-V on every CPU" [ "$(svme)" = "$all_on" ]
check "the running khyp guest finishes correctly" wait "$guest"
check "a new khyp VM runs beside the loaded kvm_amd" khyp_guest
HOLDER_PID=$khyp_vm
stop_holder
check "the last khyp VM gone turns AMD-V off" [ "$(svme)" = "$all_off" ]
check_slot "left to kvm_amd while loaded, its failed VMs taking it and giving it back" \
	"U:khyp R:kvm U:kvm R:kvm U:kvm "

# 4. kvm_amd loaded with enable_virt_at_load=0: whoever has a VM owns it.
check "a KVM VM runs once khyp has none" kvm_guest
start_holder kvm
kvm_vm=$HOLDER_PID
check "KVM owns AMD-V while its VM exists" [ "$(svme)" = "$all_on" ]
start_holder khyp
check "khyp's VM is refused meanwhile (EBUSY)" [ "$HOLDER_SAYS" = EBUSY ]
HOLDER_PID=$kvm_vm
stop_holder
check "the KVM VM gone turns AMD-V off" [ "$(svme)" = "$all_off" ]
start_holder khyp
check "then khyp's VMs run" khyp_guest
check "rmmod kvm_amd kvm while khyp owns AMD-V" unload_kvm
check "khyp still owns AMD-V on every CPU" [ "$(svme)" = "$all_on" ]
check "and its VMs still run" khyp_guest
stop_holder
check_slot "KVM's while its VMs live, khyp's from kvm_amd's unload to its last VM" \
	"R:kvm U:kvm R:kvm U:kvm R:khyp U:khyp "
tap_end
