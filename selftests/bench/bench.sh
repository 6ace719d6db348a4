#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test host with khyp.ko loaded, for the sides named in
# $KHYP_BENCH_SIDES (default both).  Each side is measured while the other
# has no VM (they cannot both own AMD-V); the median of several runs is
# reported as "FIGURE <side> <name> <value> <unit>", and scripts/bench
# pairs the sides up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../bin
runs=${KHYP_BENCH_RUNS:-5}
n=${KHYP_BENCH_CPUID_N:-100000}

# The TCG mode of this test host, for scripts/bench's pairing.
echo "# bench-host ${KHYP_TESTHOST_TCG_THREAD:-single}"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

one() {	# one PROGRAM: us per exit of one run
	"$bin/$1" cpuid "$n" | awk '/^cpuid-exit/ { print $2 }'
}

# The sides to measure here (scripts/bench may split them over two runs).
sides=" ${KHYP_BENCH_SIDES:-khyp kvm} "
# cpuid-exit needs no Linux guest: both sides can be measured in one host
# whatever the split.  Runs alternate between the sides so that drift in
# the machine's speed hits both alike; KVM owns AMD-V only while its VM
# exists, so kvm_amd can stay loaded.
cpuid_sides=" ${KHYP_BENCH_CPUID_SIDES-$sides} "
if [[ $cpuid_sides == *" kvm "* ]]; then
	modprobe kvm_amd
fi
for ((i = 0; i < runs; i++)); do
	for side in khyp kvm; do
		if [[ $cpuid_sides == *" $side "* ]]; then
			one "${side}_bench" >>"/tmp/cpuid.$side"
		fi
	done
done
for side in khyp kvm; do
	[[ -s /tmp/cpuid.$side ]] || continue
	echo "# cpuid-exit $side runs: $(tr '\n' ' ' </tmp/cpuid.$side)" >&2
	echo "FIGURE $side cpuid-exit $(median </tmp/cpuid.$side) us"
done
rm -f /tmp/cpuid.khyp /tmp/cpuid.kvm

# kvm-unit-tests' vmexit set, the same guest on both sides, taking turns
# like cpuid-exit: guest TSC cycles per iteration, the median of the runs
# with their min and max.  A run that fails or hangs costs its figures.
vn=${KHYP_BENCH_VMEXIT_N:-1000}
for ((i = 0; i < runs; i++)); do
	for side in khyp kvm; do
		if [[ $cpuid_sides == *" $side "* ]]; then
			timeout 300 "$bin/${side}_bench" vmexit "$vn" \
				>>/tmp/vmexit.$side ||
				echo "# vmexit: $side run $i failed" >&2
		fi
	done
done
for side in khyp kvm; do
	[[ -s /tmp/vmexit.$side ]] || continue
	for name in $(awk '{ print $1 }' /tmp/vmexit.$side | sort -u); do
		vals=$(awk -v n="$name" '$1 == n { print $2 }' /tmp/vmexit.$side |
			sort -g | tr '\n' ' ')
		set -- $vals
		echo "# $name $side runs: $vals" >&2
		echo "FIGURE $side $name $(echo "$vals" | tr ' ' '\n' | grep . |
			median) cycles min=$1 max=${!#}"
	done
done
rm -f /tmp/vmexit.khyp /tmp/vmexit.kvm
rmmod kvm_amd kvm 2>/dev/null || true

# KHYP_BENCH_EXITS_ONLY=1: the exit figures above and nothing else.
[[ -z ${KHYP_BENCH_EXITS_ONLY:-} ]] || exit 0

# A part that fails (a guest that died) costs only its own figures.
export KHYP_BENCH_SIDES=$sides
rc=0
for extra in "$here"/bench-*.sh; do
	[[ -x $extra ]] || continue
	"$extra" || { echo "# bench: $(basename "$extra") failed" >&2; rc=1; }
done
exit $rc
