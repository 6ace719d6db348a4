#!/bin/bash
# selftests/testhost/selftest.sh: check selftests/testhost/run itself.
#
# Usage: selftests/testhost/selftest.sh [--debug]
#
# Builds tiny modules (hello, WARN on load, failing init, NULL-deref on load,
# no exit function) in a temp dir under /var/tmp against the test host kernel's
# headers, boots the test host a few times (~1.5 min; 6.1, and 6.12 for
# --kernel), runs it from a checkout under /tmp, and prints TAP lines
# "ok N - name" / "not ok N - name". Exits non-zero if any check failed.
# Env: KHYP_TESTHOST_SELFTEST_MAXSECS (default 15): limit for a trivial run.
# --debug (scripts/check --debug, which sets KHYP_TESTHOST_KERNEL_IMAGE and
# the rest): instead, that each detector of the debug kernel fails a run:
# KASAN, lockdep, UBSAN, sleeping in atomic context, and kmemleak.
# shellcheck disable=SC2016 # CMD strings expand inside the test host
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly here
readonly run=$here/run
readonly max_secs=${KHYP_TESTHOST_SELFTEST_MAXSECS:-15}

tmp=""
# shellcheck source=selftests/lib/tap.sh
. "$here/../lib/tap.sh"

cleanup() { [[ -n $tmp && -d $tmp ]] && rm -rf -- "$tmp"; return 0; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

diag() { sed 's/^/# /' "$@"; }

# Run the test host; $tmp/out, $tmp/err, $rc, $ms hold the result.
th() { th_in "$here" "$run" "$@"; }

th_in() {  # th_in DIR RUN ARG...: RUN (a testhost/run) from DIR
	local t0 dir=$1 runner=$2
	shift 2
	t0=$(now_ms)
	rc=0
	(cd "$dir" && "$runner" "$@") >"$tmp/out" 2>"$tmp/err" || rc=$?
	ms=$(($(now_ms) - t0))
}

err_has() { grep -q -F -- "$1" "$tmp/err"; }
out_is() { printf '%s' "$1" | cmp -s - "$tmp/out" || { diag "$tmp/out"; return 1; }; }
rc_is() { [[ $rc == "$1" ]] || { echo "# exit status $rc, want $1"; diag "$tmp/err" | tail -n 20; return 1; }; }

build_modules() {
	local kver m
	kver=$("$here/../../scripts/kver")
	mkdir -p "$tmp/mod"
	write_mod hello 'pr_info("hello: loaded\n"); return 0;' 'pr_info("hello: unloaded\n");'
	write_mod warn 'WARN_ON(1); return 0;' ''
	write_mod fail 'pr_err("fail: refusing to load\n"); return -ENODEV;' ''
	write_mod oops '*(volatile int *)16 = 1; return 0;' ''
	write_mod noexit 'return 0;' '-'
	for m in hello warn fail oops noexit; do echo "obj-m += $m.o"; done >"$tmp/mod/Makefile"
	make -s -C "/lib/modules/$kver/build" M="$tmp/mod" modules >"$tmp/build.log" 2>&1
}

write_mod() {  # write_mod NAME INIT-BODY EXIT-BODY ('-': no exit function)
	{
		echo '#include <linux/module.h>'
		echo '#include <linux/mutex.h>'
		echo '#include <linux/slab.h>'
		echo "static int __init m_init(void) { $2 }"
		echo 'module_init(m_init);'
		if [[ $3 != - ]]; then
			echo "static void __exit m_exit(void) { $3 }"
			echo 'module_exit(m_exit);'
		fi
		echo 'MODULE_LICENSE("GPL");'
	} >"$tmp/mod/$1.c"
}

# Timestamp each stdout line of a run, to see output arrive while CMD runs.
timed_lines() {
	local line
	while IFS= read -r line; do printf '%s %s\n' "$(now_ms)" "$line"; done
}

# A checkout under /tmp (just what testhost/run needs, and a script) runs
# CMD from its own directory although the test host mounts a tmpfs on /tmp.
clone_in_tmp() {
	local c
	c=$(mktemp -d /tmp/khyp-testhost-clone.XXXXXX)
	mkdir -p "$c/selftests/testhost" "$c/scripts" "$c/sub"
	cp "$run" "$c/selftests/testhost/"
	cp "$here/../../scripts/kver" "$c/scripts/"
	echo 'echo "clone: $(pwd -P)"' >"$c/sub/hello.sh"
	th_in "$c/sub" "$c/selftests/testhost/run" --no-module sh -c 'sh hello.sh && echo w >/tmp/w && cat /tmp/w'
	check "a checkout under /tmp runs CMD in its cwd" eval 'rc_is 0 && out_is "clone: $c/sub
w
"'
	th_in /tmp "$c/selftests/testhost/run" --no-module true
	check "cwd under /tmp outside the checkout is refused (120)" \
		eval 'rc_is 120 && err_has "outside the checkout"'
	rm -rf -- "$c"
}

build_debug_modules() { make -s -C "$1" M="$tmp/mod" modules >"$tmp/build.log" 2>&1; }

# Each detector of the debug kernel, set off by a module's init, fails the
# run (125) and names itself on stderr; a clean module passes.  (A module
# may not be named after built-in code with parameters, such as lockdep.)
debug_main() {
	local kdir=${KHYP_TESTHOST_KERNEL_IMAGE%/arch/x86/boot/bzImage}
	[[ -f $kdir/.config ]] || { echo "selftest.sh --debug: run it through make check-debug" >&2; exit 2; }
	tmp=$(mktemp -d /var/tmp/khyp-testhost-selftest.XXXXXX)
	trap cleanup EXIT
	mkdir -p "$tmp/mod"
	write_mod clean 'return 0;' ''
	write_mod kasan 'char *p = kmalloc(8, GFP_KERNEL); OPTIMIZER_HIDE_VAR(p); pr_info("%d\n", READ_ONCE(p[8])); kfree(p); return 0;' ''
	write_mod abba 'static DEFINE_MUTEX(a); static DEFINE_MUTEX(b);
		mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a);
		mutex_lock(&b); mutex_lock(&a); mutex_unlock(&a); mutex_unlock(&b); return 0;' ''
	write_mod ubsan 'volatile int s = 40; pr_info("%d\n", 1 << s); return 0;' ''
	write_mod atomic 'static DEFINE_SPINLOCK(l); static DEFINE_MUTEX(m);
		spin_lock(&l); mutex_lock(&m); mutex_unlock(&m); spin_unlock(&l); return 0;' ''
	write_mod leak 'void *p = kmalloc(64, GFP_KERNEL); OPTIMIZER_HIDE_VAR(p); return 0;' ''
	for m in clean kasan abba ubsan atomic leak; do echo "obj-m += $m.o"; done >"$tmp/mod/Makefile"
	check "test modules build against the debug kernel" build_debug_modules "$kdir" ||
		{ diag "$tmp/build.log"; exit 1; }

	th --module "$tmp/mod/clean.ko" true
	check "a clean module passes, kmemleak on" rc_is 0
	th --module "$tmp/mod/kasan.ko" true
	check "KASAN: an out-of-bounds read fails the run" eval 'rc_is 125 && err_has "BUG: KASAN: slab-out-of-bounds"'
	th --module "$tmp/mod/abba.ko" true
	check "lockdep: an AB-BA order fails the run" \
		eval 'rc_is 125 && err_has "WARNING: possible circular locking dependency detected"'
	th --module "$tmp/mod/ubsan.ko" true
	check "UBSAN: a shift out of bounds fails the run" eval 'rc_is 125 && err_has "UBSAN: shift-out-of-bounds"'
	th --module "$tmp/mod/atomic.ko" true
	check "sleeping under a spinlock fails the run" \
		eval 'rc_is 125 && err_has "BUG: sleeping function called from invalid context"'
	th --module "$tmp/mod/leak.ko" true
	check "kmemleak: a leak found after rmmod fails the run" \
		eval 'rc_is 125 && err_has "1 leaks of the module'"'"'s seen by kmemleak (after rmmod)"'
	tap_end
}

main() {
	local mod t_a t_b
	tmp=$(mktemp -d /var/tmp/khyp-testhost-selftest.XXXXXX)
	trap cleanup EXIT
	mod=$tmp/mod

	check "test modules build" build_modules || { diag "$tmp/build.log"; exit 1; }

	th --module "$mod/hello.ko" true
	check "trivial run exits 0" rc_is 0
	check "trivial run takes < ${max_secs}s (took $((ms / 1000)).$((ms % 1000 / 100))s)" \
		test "$ms" -lt $((max_secs * 1000))

	KHYP_SELFTEST_VAR='a b$c' th --module "$mod/hello.ko" bash -c '
		pwd -P; echo "$KHYP_SELFTEST_VAR"; echo "$HOME $TERM $KHYP_TESTHOST"
		echo data >/tmp/f && cat /tmp/f
		lsmod | grep -c "^hello "
		printf "x\ty\001z\n\n"
		echo to-stderr >&2
		exit 3'
	check "exit status propagates (3)" rc_is 3
	check "stdout is CMD's stdout, byte for byte" out_is "$here
a b\$c
/tmp dumb qemu
data
1
$(printf 'x\ty\001z')

"
	check "stderr is CMD's stderr" err_has to-stderr

	(cd "$here" && "$run" --no-module sh -c 'echo a; sleep 3; echo b') 2>/dev/null |
		timed_lines >"$tmp/timed"
	t_a=$(awk '$2 == "a" { print $1 }' "$tmp/timed")
	t_b=$(awk '$2 == "b" { print $1 }' "$tmp/timed")
	check "output streams live (a, 3 s, b)" test $((${t_b:-0} - ${t_a:-0})) -gt 2000

	th --module "$mod/warn.ko" true
	check "WARN on load fails the run (125)" rc_is 125
	check "WARN is reported with the console tail" \
		eval 'err_has "testhost: kernel oops/WARN detected" && err_has "WARNING: CPU:"'

	th --module "$mod/oops.ko" true
	check "oops on load fails the run (125)" rc_is 125

	th --module "$mod/fail.ko" true
	check "failed insmod fails the run (121)" rc_is 121
	check "failed insmod shows the error" err_has "could not insert module"

	th --module "$mod/noexit.ko" true
	check "failed rmmod after CMD fails the run (121)" rc_is 121

	th --no-module --timeout 20 sleep 1000
	check "hang past --timeout fails with 124" rc_is 124

	local restart='import ctypes; ctypes.CDLL(None).reboot(0x01234567)'
	th --no-module --expect-reboot /usr/bin/python3 -c "$restart"
	check "--expect-reboot: reboot(2) RESTART passes (0)" rc_is 0
	th --module "$mod/warn.ko" --expect-reboot /usr/bin/python3 -c "$restart"
	check "--expect-reboot: a WARN before the restart fails (125)" rc_is 125
	th --no-module --expect-reboot true
	check "--expect-reboot: a CMD that finishes fails (1)" \
		eval 'rc_is 1 && err_has "without restarting"'

	th --module "$tmp/missing.ko" true
	check "missing module fails clearly (120)" eval 'rc_is 120 && err_has "does not exist"'

	th --no-module --kernel 6.12 uname -r
	check "--kernel 6.12 boots the newest 6.12" out_is "$("$here/../../scripts/kver" 6.12)
"
	th --module "$mod/hello.ko" --kernel 6.12 true
	check "a module built for another kernel fails clearly (120)" \
		eval 'rc_is 120 && err_has "was built for"'

	th --module "$mod/hello.ko" --kernel-image "/boot/vmlinuz-$("$here/../../scripts/kver" 6.12)" true
	check "--kernel-image reads the release of the image: a module for another fails (120)" \
		eval 'rc_is 120 && err_has "the test host kernel is $("$here/../../scripts/kver" 6.12)"'
	th --no-module --kernel-image "$mod/hello.ko" true
	check "--kernel-image of a file not a bzImage fails clearly (120)" \
		eval 'rc_is 120 && err_has "is not a bzImage"'
	th --no-module --kernel-modules /lib/modules true
	check "--kernel-modules without --kernel-image is a usage error (2)" rc_is 2

	clone_in_tmp
	th_in /proc "$run" --no-module true
	check "cwd under /proc is refused (120)" eval 'rc_is 120 && err_has "is shadowed"'

	tap_end
}

if [[ ${1:-} == --debug ]]; then
	debug_main
else
	main "$@"
fi
