#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio.gz [BUSYBOX]
#
# Build the khyp test guest's initramfs: a static busybox (default
# /bin/busybox, Debian's busybox-static) and an /init that
#
#   - mounts proc, sysfs and devtmpfs;
#   - prints "KHYP-GUEST-UP cpus=<online> possible=<possible>";
#   - onlines every CPU that appears later, as udev would
#     ("KHYP-GUEST-CPU-ONLINE N"), and reports CPUs that go away
#     ("KHYP-GUEST-CPU-GONE N"), from kernel uevents (busybox "uevent");
#   - runs the tests named by khyp.test= on the kernel command line,
#     comma separated:
#       poweroff  print "KHYP-GUEST-POWEROFF", then poweroff -f
#       reboot    print "KHYP-GUEST-REBOOT", then reboot -f
#       sleep1    print "KHYP-GUEST-SLEEP-BEGIN uptime=<s>", sleep 1,
#                 print "KHYP-GUEST-SLEEP-END uptime=<s>" (the host times
#                 the two lines against its own clock)
#   - then runs a shell on the console, forever (respawned if it exits).
#
# No root needed: /dev/console is written into the archive directly.
set -euo pipefail

out=${1:?usage: mkinitramfs.sh OUT.cpio.gz [BUSYBOX]}
busybox=${2:-/bin/busybox}

if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	echo "mkinitramfs.sh: $busybox is not a static busybox (apt install busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,root,run}
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
done

cat > "$stage/init" <<'INIT'
#!/bin/sh
# /init of the khyp test guest (selftests/guest/mkinitramfs.sh).
export PATH=/bin:/sbin HOME=/root PS1='khyp# '

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp

# Number of CPUs in a sysfs CPU list such as "0-3,6".
count_cpus() {
	local n=0 r a b
	for r in $(echo "$1" | tr ',' ' '); do
		a=${r%-*}
		b=${r#*-}
		n=$((n + b - a + 1))
	done
	echo $n
}

# CPU hotplug: what udev's rule does.  /etc/cpu-event runs for every
# kernel uevent; an added CPU is onlined, a removed one reported.
uevent /etc/cpu-event >/dev/null 2>&1 &

echo "KHYP-GUEST-UP cpus=$(count_cpus "$(cat /sys/devices/system/cpu/online)") possible=$(count_cpus "$(cat /sys/devices/system/cpu/possible)")"

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

tests=
for arg in $(cat /proc/cmdline); do
	case $arg in
	khyp.test=*) tests=${arg#khyp.test=} ;;
	esac
done
for t in $(echo "$tests" | tr ',' ' '); do
	case $t in
	poweroff)
		echo "KHYP-GUEST-POWEROFF"
		poweroff -f
		;;
	reboot)
		echo "KHYP-GUEST-REBOOT"
		reboot -f
		;;
	sleep1)
		echo "KHYP-GUEST-SLEEP-BEGIN uptime=$(uptime_s)"
		sleep 1
		echo "KHYP-GUEST-SLEEP-END uptime=$(uptime_s)"
		;;
	*)
		echo "KHYP-GUEST-UNKNOWN-TEST $t"
		;;
	esac
done

# A shell on the console, with job control (cttyhack finds the real tty).
while :; do
	setsid cttyhack sh
	sleep 0.1
done
INIT

cat > "$stage/etc/cpu-event" <<'EVENT'
#!/bin/sh
# Run by busybox "uevent" for every kernel uevent (env: ACTION, DEVPATH,
# SUBSYSTEM, ...).  Only CPU add/remove matter here.
[ "$SUBSYSTEM" = cpu ] || exit 0
case $DEVPATH in
*/cpu[0-9]*) n=${DEVPATH##*/cpu} ;;
*) exit 0 ;;
esac
case $ACTION in
add)
	if [ "$(cat "/sys$DEVPATH/online" 2>/dev/null)" = 0 ] &&
	   echo 1 > "/sys$DEVPATH/online"; then
		echo "KHYP-GUEST-CPU-ONLINE $n" > /dev/console
	fi
	;;
remove)
	echo "KHYP-GUEST-CPU-GONE $n" > /dev/console
	;;
esac
EVENT
chmod 755 "$stage/init" "$stage/etc/cpu-event"

# newc header for a character device node, then the trailer: cpio cannot
# archive a device node it cannot create, and creating one needs root.
newc_chardev() {	# name mode major minor
	local name=$1 namesize=$((${#1} + 1)) pad
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1000 $((0x2000 | $2)) 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\0' "$name"
	pad=$(( (4 - (110 + namesize) % 4) % 4 ))
	head -c $pad /dev/zero
}

{
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0)
	newc_chardev dev/console $((8#600)) 5 1
	newc_trailer_name='TRAILER!!!'
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 $((${#newc_trailer_name} + 1)) 0
	printf '%s\0' "$newc_trailer_name"
	head -c $(( (4 - (110 + ${#newc_trailer_name} + 1) % 4) % 4 )) /dev/zero
} | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
