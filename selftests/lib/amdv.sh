# SPDX-License-Identifier: GPL-2.0
# amdv.sh - who owns AMD-V, for the shell suites run in the test host
# (source it; needs the msr module): efer_svme CPU prints 1 if EFER.SVME
# is set on that host CPU, else 0; svme prints that for every CPU (e.g.
# "11"); start_holder khyp|kvm holds a VM open in the background
# (selftests/core/vm_holder.c), setting HOLDER_PID and HOLDER_SAYS to its
# first line ("ready" or an errno name), with a deadline; stop_holder
# ends it.
amdv_bin=$(cd "$(dirname "${BASH_SOURCE[0]}")/../bin" && pwd)

efer_svme() {
	/usr/bin/python3 -c '
import os, sys
fd = os.open("/dev/cpu/%s/msr" % sys.argv[1], os.O_RDONLY)
efer = int.from_bytes(os.pread(fd, 8, 0xc0000080), "little")
print((efer >> 12) & 1)' "$1"
}

svme() {
	local d s=""
	for d in /dev/cpu/[0-9]*; do
		s+=$(efer_svme "${d##*/}")
	done
	echo "$s"
}

start_holder() {
	local fifo
	fifo=$(mktemp -u /tmp/holder.XXXX)
	mkfifo "$fifo"
	"$amdv_bin/vm_holder" "$1" >"$fifo" &
	HOLDER_PID=$!
	# shellcheck disable=SC2034 # for the caller
	HOLDER_SAYS=$(timeout 20 head -n1 "$fifo")
	rm -f "$fifo"
}

stop_holder() {
	kill "$HOLDER_PID" 2>/dev/null
	wait "$HOLDER_PID" 2>/dev/null
}
