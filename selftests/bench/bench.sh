#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test host with khyp.ko loaded.  Each side is measured
# while the other has no VM (they cannot both own AMD-V); the median of
# several runs is reported.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../bin
runs=${KHYP_BENCH_RUNS:-5}
n=${KHYP_BENCH_CPUID_N:-100000}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

measure() {	# measure PROGRAM: prints the median us/exit
	local i
	for ((i = 0; i < runs; i++)); do
		"$bin/$1" cpuid "$n" | awk '/^cpuid-exit/ { print $2 }'
	done | median
}

khyp=$(measure khyp_bench)
modprobe kvm_amd
kvm=$(measure kvm_bench)
rmmod kvm_amd kvm 2>/dev/null || true
awk -v k="$khyp" -v q="$kvm" 'BEGIN {
	printf "BENCH cpuid-exit khyp=%.2f kvm=%.2f unit=us ratio=%.2f\n", k, q, k / q }'

for extra in "$here"/bench-*.sh; do
	[[ -x $extra ]] && "$extra"
done
exit 0
