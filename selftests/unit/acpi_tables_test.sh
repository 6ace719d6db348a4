#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# acpi_tables_test.sh - khyp-run's ACPI tables through ACPICA's iasl.
#
# For several -smp configurations: dump the tables (khyp-run --dump-acpi),
# disassemble each with "iasl -d" (which reports bad checksums), recompile
# the disassembly with "iasl -oa" (no errors, no warnings) and compare the
# result with the original byte for byte (except the checksum and the
# compiler ID, which iasl rewrites), then check the content: MADT entries
# and flags, FADT 6.3 fields, one processor device per possible CPU with
# _STA, _MAT, _EJ0 and _OST and the CPU hotplug AML in the DSDT.  The RSDP is checked by acpi_test (this iasl
# cannot disassemble a binary RSDP).  Addresses, ports and register layouts
# are expected as uapi/linux/khyp_platform.h gives them.  Output is TAP.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
KHYP_RUN=${KHYP_RUN:-$HERE/../../userspace/bin/khyp-run}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! command -v iasl >/dev/null; then
	echo "1..0 # SKIP iasl not installed (acpica-tools)"
	exit 0
fi
if [ ! -x "$KHYP_RUN" ]; then
	echo "1..0 # SKIP $KHYP_RUN not built"
	exit 0
fi

# abi NAME: the value of a macro of uapi/linux/khyp_platform.h, evaluated
abi() {
	local v
	v=$(printf '#include <linux/khyp_platform.h>\n%s\n' "$1" |
		cpp -P -I"$HERE/../../uapi" | tr -d '[:space:]')
	echo $((v))
}
# hex WIDTH NAME: as iasl prints it (upper case, zero-padded, no 0x)
hex() {
	printf "%0${1}X" "$(abi "$2")"
}
# aml_int NAME: an AML integer constant as iasl disassembles it
aml_int() {
	case $(abi "$1") in
	0) echo Zero ;;
	1) echo One ;;
	*) printf '0x%02X' "$(abi "$1")" ;;
	esac
}

# smp argument, present CPUs, possible CPUs
CONFIGS=(
	"1 1 1"
	"2,maxcpus=8 2 8"
	"1,maxcpus=255 1 255"
	"3,maxcpus=8,sockets=2,cores=2,threads=2 3 8"
)

n=0
failed=0
echo "TAP version 13"
echo "1..$(( ${#CONFIGS[@]} * 5 ))"

result() {	# result OK|FAIL description [details]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

# count PATTERN FILE: lines matching an extended regex
count() {
	grep -cE "$1" "$2"
}

# expect NAME ACTUAL WANTED: collect mismatches in $bad
expect() {
	[ "$2" = "$3" ] || bad="$bad$1: got '$2', want '$3'"$'\n'
}

for cfg in "${CONFIGS[@]}"; do
	read -r smp cpus maxcpus <<<"$cfg"
	dir=$TMP/$smp
	mkdir -p "$dir"
	name="-smp $smp"

	# 1. dump
	if ! out=$("$KHYP_RUN" --dump-acpi "$dir" -smp "$smp" 2>&1); then
		result FAIL "$name: --dump-acpi" "$out"
		n=$((n + 4))
		failed=$((failed + 4))
		continue
	fi
	tables=$(cd "$dir" && ls *.dat | grep -v rsdp.dat)
	result OK "$name: --dump-acpi wrote $(echo $tables)"

	# 2. disassemble: no checksum or parse complaints
	bad=""
	for t in $tables; do
		log=$(cd "$dir" && iasl -d "$t" 2>&1)
		if [ $? -ne 0 ] || echo "$log" | grep -qiE "checksum|error|warning"; then
			bad="$bad$t: $log"$'\n'
		fi
		dsl="$dir/${t%.dat}.dsl"
		if [ -f "$dsl" ] && grep -qi "incorrect checksum" "$dsl"; then
			bad="$bad$t: incorrect checksum"$'\n'
		fi
	done
	[ -z "$bad" ] && result OK "$name: iasl -d, checksums valid" ||
		result FAIL "$name: iasl -d" "$bad"

	# 3. recompile and compare with the original
	bad=""
	for t in $tables; do
		base=${t%.dat}
		log=$(cd "$dir" && iasl -oa -p "re_$base" "$base.dsl" 2>&1)
		if [ $? -ne 0 ] || ! echo "$log" |
		   grep -q "Compilation successful. 0 Errors, 0 Warnings"; then
			bad="$bad$base.dsl: $log"$'\n'
			continue
		fi
		# cmp -l: 1-based offsets; 10 = checksum, 29-36 = creator
		diffs=$(cmp -l "$dir/$t" "$dir/re_$base.aml" 2>&1 |
			awk '$1 != 10 && ($1 < 29 || $1 > 36)')
		[ "$(stat -c %s "$dir/$t")" = "$(stat -c %s "$dir/re_$base.aml")" ] ||
			diffs="size differs: $diffs"
		[ -n "$diffs" ] && bad="$bad$base: recompiled differs: $diffs"$'\n'
	done
	[ -z "$bad" ] && result OK "$name: iasl recompiles every table identically" ||
		result FAIL "$name: iasl recompile" "$bad"

	# 4. MADT and FADT content
	bad=""
	apic=$dir/apic.dsl
	facp=$dir/facp.dsl
	expect "MADT revision" "$(grep -m1 -E ' Revision : ' "$apic" | awk '{print $NF}')" 05
	expect "Local APIC entries" "$(count 'Subtable Type : 00 \[Processor Local APIC\]' "$apic")" "$maxcpus"
	expect "enabled CPUs" "$(count 'Processor Enabled : 1' "$apic")" "$cpus"
	expect "online-capable CPUs" "$(count 'Runtime Online Capable : 1' "$apic")" "$((maxcpus - cpus))"
	expect "IOAPIC" "$(count 'Subtable Type : 01 \[I/O APIC\]' "$apic")" 1
	expect "LAPIC address" "$(count "Local Apic Address : $(hex 8 KHYP_LAPIC_BASE)" "$apic")" 1
	expect "IOAPIC address" "$(count "Address : $(hex 8 KHYP_IOAPIC_BASE)" "$apic")" 1
	expect "IRQ 0 -> PIT GSI" "$(grep -A4 'Source : 00' "$apic" | count "Interrupt : $(hex 8 KHYP_GSI_PIT)" -)" 1
	expect "SCI GSI" "$(grep -A4 "Source : $(hex 2 KHYP_GSI_SCI)" "$apic" | count "Interrupt : $(hex 8 KHYP_GSI_SCI)" -)" 1
	expect "overrides" "$(count 'Subtable Type : 02 \[Interrupt Source Override\]' "$apic")" 2
	expect "LAPIC NMI" "$(count 'Subtable Type : 04 \[Local APIC NMI\]' "$apic")" 1
	expect "PCAT_COMPAT" "$(count 'PC-AT Compatibility : 1' "$apic")" 1
	expect "FADT revision" "$(grep -m1 -E ' Revision : ' "$facp" | awk '{print $NF}')" 06
	expect "FADT minor" "$(grep -E 'FADT Minor Revision' "$facp" | awk '{print $NF}')" 03
	expect "SCI" "$(grep -E 'SCI Interrupt' "$facp" | awk '{print $NF}')" "$(hex 4 KHYP_GSI_SCI)"
	expect "SMI_CMD" "$(grep -E 'SMI Command Port' "$facp" | awk '{print $NF}')" 00000000
	expect "PM1a_EVT" "$(grep -E 'PM1A Event Block Address' "$facp" | awk '{print $NF}')" "$(hex 8 KHYP_PM1A_EVT_PORT)"
	expect "PM1a_CNT" "$(grep -E 'PM1A Control Block Address' "$facp" | awk '{print $NF}')" "$(hex 8 KHYP_PM1A_CNT_PORT)"
	expect "PM_TMR" "$(grep -E 'PM Timer Block Address' "$facp" | awk '{print $NF}')" "$(hex 8 KHYP_PM_TMR_PORT)"
	expect "GPE0" "$(grep -E 'GPE0 Block Address' "$facp" | awk '{print $NF}')" "$(hex 8 KHYP_GPE0_PORT)"
	expect "GPE0 length" "$(grep -E 'GPE0 Block Length' "$facp" | awk '{print $NF}')" "$(hex 2 KHYP_GPE0_LEN)"
	expect "24-bit PM timer" "$(grep -E '32-bit PM Timer' "$facp" | awk '{print $NF}')" 0
	expect "reset supported" "$(grep -E 'Reset Register Supported' "$facp" | awk '{print $NF}')" 1
	expect "reset value" "$(grep -E 'Value to cause reset' "$facp" | awk '{print $NF}')" "$(hex 2 KHYP_RESET_VALUE)"
	expect "reset port" "$(count "Address : $(hex 16 KHYP_RESET_PORT)" "$facp")" 1
	expect "8042" "$(grep -E '8042 Present' "$facp" | awk '{print $NF}')" 0
	expect "no VGA" "$(grep -E 'VGA Not Present' "$facp" | awk '{print $NF}')" 1
	expect "CMOS RTC present" "$(grep -E 'CMOS RTC Not Present' "$facp" | awk '{print $NF}')" 0
	expect "hardware reduced" "$(grep -E 'Hardware Reduced' "$facp" | awk '{print $NF}')" 0
	[ -z "$bad" ] && result OK "$name: MADT ($maxcpus LAPICs, $cpus enabled) and FADT 6.3 content" ||
		result FAIL "$name: MADT/FADT content" "$bad"

	# 5. DSDT: a processor device per possible CPU with the hotplug
	# methods of QEMU's modern interface, \_S5, COM1, RTC
	bad=""
	dsdt=$dir/dsdt.dsl
	expect "processor devices" "$(count 'Device \(C[0-9A-F]{3}\)' "$dsdt")" "$maxcpus"
	expect "ACPI0007 _HID" "$(count 'Name \(_HID, "ACPI0007"' "$dsdt")" "$maxcpus"
	expect "_UID" "$(count 'Name \(_UID, ' "$dsdt")" "$((maxcpus + 2))"
	expect "_STA methods" "$(count 'Method \(_STA, 0' "$dsdt")" "$maxcpus"
	expect "_STA from CSTA" "$(count 'Return \(\\_SB.CPUS.CSTA \(' "$dsdt")" "$maxcpus"
	expect "_MAT" "$(count 'Name \(_MAT, Buffer \(0x08\)' "$dsdt")" "$maxcpus"
	expect "_EJ0 (not CPU 0)" "$(count 'Method \(_EJ0, 1' "$dsdt")" "$((maxcpus - 1))"
	expect "_OST" "$(count 'Method \(_OST, 3' "$dsdt")" "$maxcpus"
	expect "CTFY notifies" "$(count 'Notify \(C[0-9A-F]{3}, Arg1\)' "$dsdt")" "$maxcpus"
	expect "hotplug registers" "$(count "OperationRegion \\(PRST, SystemIO, 0x$(hex 4 KHYP_CPUHP_BASE), 0x$(hex 2 KHYP_CPUHP_LEN)\\)" "$dsdt")" 1
	expect "hotplug flags" "$(grep -A4 "Offset (0x$(hex 2 KHYP_CPUHP_FLAGS))," "$dsdt" | tr -d ' \n')" "Offset(0x$(hex 2 KHYP_CPUHP_FLAGS)),CPEN,1,CINS,1,CRMV,1,CEJ0,1,"
	expect "hotplug command" "$(grep -A1 "Offset (0x$(hex 2 KHYP_CPUHP_CMD))," "$dsdt" | count 'CCMD, +8' -)" 1
	expect "hotplug selector at 0" "$(grep -A2 'Field (PRST, DWordAcc' "$dsdt" | count 'CSEL, +32' -)" 1
	expect "hotplug data" "$(grep -A1 "Offset (0x$(hex 2 KHYP_CPUHP_DATA))," "$dsdt" | count 'CDAT, +32' -)" 1
	expect "_OST commands" "$(grep -A8 'Method (COST, 4' "$dsdt" | grep -F '\_SB.PRES.CCMD = ' | awk '{print $NF}' | tr '\n' ' ')" \
		"$(aml_int KHYP_CPUHP_CMD_OST_EVENT) $(aml_int KHYP_CPUHP_CMD_OST_STATUS) "
	expect "scan command" "$(grep -A40 'Method (CSCN, 0' "$dsdt" | grep -F '\_SB.PRES.CCMD = ' | awk '{print $NF}')" \
		"$(aml_int KHYP_CPUHP_CMD_NEXT_EVENT)"
	expect "CPLK mutex" "$(count 'Mutex \(CPLK, 0x00\)' "$dsdt")" 1
	gpe=_E$(hex 2 KHYP_GPE_CPU_HOTPLUG)
	expect "$gpe -> CSCN" "$(grep -A3 "Method ($gpe, 0" "$dsdt" | grep -c 'CSCN ()')" 1
	expect "last CPU" "$(count "Device \\(C$(printf '%03X' $((maxcpus - 1)))\\)" "$dsdt")" 1
	expect "_S5" "$(grep -A3 'Name (\\_S5' "$dsdt" | grep -c "$(aml_int KHYP_SLP_TYP_S5)")" 2
	expect "COM1 port, IRQ" "$(grep -A12 'Name (_HID, EisaId ("PNP0501")' "$dsdt" | tr -d ' \n' | grep -oE 'IO\(Decode16,0x[0-9A-F]{4}|\{[0-9]+\}' | tr '\n' ' ')" \
		"IO(Decode16,0x$(hex 4 KHYP_UART_PORT) {$(abi KHYP_GSI_UART)} "
	expect "COM1" "$(count 'EisaId \("PNP0501"\)' "$dsdt")" 1
	expect "RTC" "$(count 'EisaId \("PNP0B00"\)' "$dsdt")" 1
	expect "CPU container" "$(count 'Name \(_HID, "ACPI0010"' "$dsdt")" 1
	[ -z "$bad" ] && result OK "$name: DSDT has $maxcpus processor devices with _STA and _MAT" ||
		result FAIL "$name: DSDT content" "$bad"
done

if [ $failed -ne 0 ]; then
	echo "# FAILED: $failed of $n"
	exit 1
fi
echo "# PASSED: $n of $n"
exit 0
