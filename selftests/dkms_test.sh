#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests/dkms_test.sh (make check-dkms): dkms add, build and install of
# dkms.conf for the Debian 6.1 and 6.12 kernels installed here, each module's
# vermagic checked with modinfo.  TAP on stdout.
#
# Leaves no state on the machine: the sources (make dkms-src), dkms's tree,
# the install tree and the signing key all live in a temporary directory
# (dkms --sourcetree, --dkmstree, --installtree), removed at the end after
# dkms remove --all.  A kernel whose headers reject khyp's sources (the
# compiler, not dkms, fails) is skipped with the first error as the reason.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=selftests/lib/tap.sh
. "$top/selftests/lib/tap.sh"
tmp=$(mktemp -d /var/tmp/khyp-dkms-test.XXXXXX)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
trees=(--sourcetree "$tmp/usr/src" --dkmstree "$tmp/dkms" --installtree "$tmp/modules")
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub
mkdir -p "$tmp/dkms" "$tmp/modules"
# What the machine's own dkms trees hold of khyp, to show it unchanged.
machine() { ls -d /var/lib/dkms/khyp* /usr/src/khyp* /lib/modules/*/updates/dkms/khyp* 2>/dev/null; }
before=$(machine)

dk() {  # dk ACTION ARG...: dkms on the temporary trees, log in $tmp/dkms.log
	dkms "$@" "${trees[@]}" >"$tmp/dkms.log" 2>&1 ||
		{ sed 's/^/# /' "$tmp/dkms.log" | tail -n 30; return 1; }
}

cleanup() {
	dkms remove -m khyp -v "$version" --all "${trees[@]}" >/dev/null 2>&1
	rm -rf -- "$tmp"
}
trap cleanup EXIT

vermagic_is() {  # vermagic_is KO KVER
	local v
	v=$(modinfo -F vermagic -- "$1" 2>/dev/null)
	[[ ${v%% *} == "$2" ]] || { echo "# $1: vermagic '$v', want $2"; return 1; }
}

built_ko() {  # the module dkms built for KVER (maybe compressed)
	find "$tmp/dkms/khyp/$version/$1" -path '*/module/khyp.ko*' -print -quit 2>/dev/null
}

installed_ko() {
	find "$tmp/modules/$1" -name 'khyp.ko*' -print -quit 2>/dev/null
}

under() { [[ $1 == "$2"* ]] || { echo "# installed as '$1'"; return 1; }; }

dkms_src() {
	make -s -C "$top" --no-print-directory dkms-src DESTDIR="$tmp" >"$tmp/src.log" 2>&1 &&
		test -f "$tmp/usr/src/khyp-$version/dkms.conf"
}

none_left() {
	local left
	left=$(find "$tmp/dkms" "$tmp/modules" -name 'khyp*') && [[ -z $left ]]
}

machine_unchanged() { [[ $(machine) == "$before" ]]; }

for_kernel() {  # for_kernel SERIES
	local k ko err
	k=$("$top/scripts/kver" "$1") || { skip "dkms build for $1" "no $1 kernel installed (make deps)"; return; }
	if ! dkms build -m khyp -v "$version" -k "$k" "${trees[@]}" >"$tmp/build-$k.log" 2>&1; then
		err=$(grep -h -m1 -E '^[^ ]*kmod/[^ ]*: (fatal )?error: ' "$tmp/build-$k.log" \
			"$tmp/dkms/khyp/$version/build/make.log" 2>/dev/null | head -n 1)
		if [[ -n $err ]]; then
			skip "dkms build for $k" "khyp does not build for $1 yet: ${err##*/}"
			return
		fi
		check "dkms build for $k" false
		sed 's/^/# /' "$tmp/build-$k.log" | tail -n 30
		return
	fi
	check "dkms build for $k" true
	ko=$(built_ko "$k")
	check "built module's vermagic is $k" vermagic_is "$ko" "$k"
	mkdir -p "$tmp/modules/$k"
	check "dkms install for $k" dk install -m khyp -v "$version" -k "$k" --no-depmod
	ko=$(installed_ko "$k")
	check "installed under $k's updates/" under "$ko" "$tmp/modules/$k/updates/"
	check "installed module's vermagic is $k" vermagic_is "$ko" "$k"
}

check "make dkms-src puts the sources in a sourcetree" dkms_src
check "dkms add" dk add -m khyp -v "$version"
for_kernel 6.1
for_kernel 6.12
check "dkms remove --all" dk remove -m khyp -v "$version" --all
check "nothing of khyp left in the trees" none_left
check "the machine's dkms tree, /usr/src and /lib/modules are untouched" machine_unchanged
tap_end
