#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall into a DESTDIR: every file where it belongs
# with its mode, nothing else, the udev rule's group option, PREFIX, and an
# uninstall that removes exactly what install put.  TAP on stdout.
# Needs the build (make) done: install only copies.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# The kernel make install installs for: the one the module was built for.
kver=$(modinfo -F vermagic "$top/kmod/khyp.ko" | cut -d' ' -f1)
tmp=$(mktemp -d /var/tmp/khyp-install-test.XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT
# shellcheck source=selftests/lib/tap.sh
. "$top/selftests/lib/tap.sh"

mk() {  # mk TARGET VAR=...: make quietly, output in $tmp/make.log
	make -s -C "$top" --no-print-directory "$@" >"$tmp/make.log" 2>&1 ||
		{ sed 's/^/# /' "$tmp/make.log"; return 1; }
}

mk_fails() {  # mk_fails MESSAGE TARGET VAR=...: make fails, saying MESSAGE
	local msg=$1
	shift
	if make -s -C "$top" --no-print-directory "$@" >"$tmp/make.log" 2>&1 ||
	   ! grep -qF -- "$msg" "$tmp/make.log"; then
		sed 's/^/# /' "$tmp/make.log"
		return 1
	fi
}

# installed DIR PATH MODE [SRC]: DIR/PATH is a regular file of MODE (and
# SRC's copy).
installed() {
	local f=$1$2 m
	[[ -f $f ]] || { echo "# $2 missing"; return 1; }
	m=$(stat -c %a -- "$f")
	[[ $m == "$3" ]] || { echo "# $2 has mode $m, want $3"; return 1; }
	[[ -z ${4:-} ]] || cmp -s -- "$4" "$f" || { echo "# $2 differs from $4"; return 1; }
}

# The files (with their modes and sources) make install puts under PREFIX.
expected() {  # expected PREFIX
	local t m
	echo "/lib/modules/$kver/updates/khyp.ko 644 $top/kmod/khyp.ko"
	for t in khyp-run khyp-qmpd khypctl; do
		[[ $t == khypctl && ! -e $top/userspace/bin/$t ]] && continue
		echo "$1/bin/$t 755 $top/userspace/bin/$t"
	done
	echo "/etc/udev/rules.d/60-khyp.rules 644"
	for m in "$top"/Documentation/man/*.[0-9]; do
		[[ -f $m ]] && echo "$1/share/man/man${m##*.}/$(basename -- "$m") 644 $m"
	done
	echo "$1/share/khyp/install-manifest 644"
}

all_installed() {  # all_installed DIR PREFIX
	local p m s rc=0
	while read -r p m s; do
		installed "$1" "$p" "$m" "$s" || rc=1
	done < <(expected "$2")
	return $rc
}

only_those() {  # only_those DIR PREFIX [EXTRA...]: no file but the expected
	local want have
	want=$( { expected "$2" | cut -d' ' -f1; shift 2; (($#)) && printf '%s\n' "$@"; } | sort)
	have=$(cd "$1" && find . ! -type d | sed 's/^\.//' | sort)
	[[ $want == "$have" ]] || { diff <(echo "$want") <(echo "$have") | sed 's/^/# /'; return 1; }
}

empty() { [[ -z $(find "$1" -mindepth 1 -print -quit) ]] || { find "$1" -mindepth 1 | sed 's/^/# left: /'; return 1; }; }

rule_is() {  # rule_is DIR RULE-LINE
	grep -v '^#' -- "$1/etc/udev/rules.d/60-khyp.rules" | grep -qxF -- "$2" ||
		{ sed 's/^/# /' "$1/etc/udev/rules.d/60-khyp.rules"; return 1; }
}

manifest_lists_all() {  # every installed file but the manifest is listed in it
	local d=$1 p rc=0
	while read -r p _; do
		[[ $p == */install-manifest ]] && continue
		grep -qxF -- "f $p" "$d$2/share/khyp/install-manifest" || { echo "# $p not in manifest"; rc=1; }
	done < <(expected "$2")
	return $rc
}

d=$tmp/dest
check "make install DESTDIR=... succeeds" mk install DESTDIR="$d"
check "every file installed with its mode and content" all_installed "$d" /usr/local
check "nothing else is installed" only_those "$d" /usr/local
check "udev rule: /dev/khyp root-only 0600 by default" \
	rule_is "$d" 'KERNEL=="khyp", SUBSYSTEM=="misc", OWNER="root", MODE="0600"'
check "the manifest lists every file installed" manifest_lists_all "$d" /usr/local
cp "$d/usr/local/share/khyp/install-manifest" "$tmp/manifest.1"
check "a second install succeeds" mk install DESTDIR="$d"
check "a second install keeps the manifest" \
	cmp -s "$tmp/manifest.1" "$d/usr/local/share/khyp/install-manifest"
check "make uninstall DESTDIR=... succeeds" mk uninstall DESTDIR="$d"
check "uninstall leaves nothing behind" empty "$d"
check "uninstall with nothing installed fails" \
	mk_fails "nothing to uninstall" uninstall DESTDIR="$d"

d=$tmp/group
check "make install KHYP_GROUP=kvm succeeds" mk install DESTDIR="$d" KHYP_GROUP=kvm
check "udev rule: KHYP_GROUP=kvm gives group kvm 0660" \
	rule_is "$d" 'KERNEL=="khyp", SUBSYSTEM=="misc", OWNER="root", GROUP="kvm", MODE="0660"'
check "a bad KHYP_GROUP is refused" \
	mk_fails "bad KHYP_GROUP" install DESTDIR="$tmp/bad" KHYP_GROUP="a b"

# Files that were there before stay, with their directories.
d=$tmp/prefix
mkdir -p "$d/usr/bin" "$d/lib/modules/$kver/updates"
echo other >"$d/usr/bin/other"
echo other >"$d/lib/modules/$kver/updates/other.ko"
check "make install PREFIX=/usr succeeds" mk install DESTDIR="$d" PREFIX=/usr
check "PREFIX=/usr: every file under /usr, with its mode" all_installed "$d" /usr
check "PREFIX=/usr: nothing else is installed" \
	only_those "$d" /usr /usr/bin/other "/lib/modules/$kver/updates/other.ko"
check "uninstall PREFIX=/usr succeeds" mk uninstall DESTDIR="$d" PREFIX=/usr
check "uninstall keeps what install did not put" \
	test "$(cd "$d" && find . | sort | tr '\n' ' ')" = \
	". ./lib ./lib/modules ./lib/modules/$kver ./lib/modules/$kver/updates ./lib/modules/$kver/updates/other.ko ./usr ./usr/bin ./usr/bin/other "

tap_end
