#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Decide whether QEMU's KVM accelerator can boot a kernel on this machine,
# by booting it: print "kvm" or "tcg".
#
#   accel-probe.sh KERNEL
#
# A /dev/kvm that opens is not enough: a pagetable-based KVM (kvm_pvm) runs
# only kernels built for it, and Debian's stops at once with "KVM internal
# error".  The probe boots KERNEL under -accel kvm with a tiny initramfs
# (static busybox, an /init that prints a marker and powers off) and
# answers kvm only when the marker reaches the console within
# ACCEL_PROBE_TIMEOUT seconds (default 45); a KVM internal error ends the
# probe at once.  Without a usable /dev/kvm the answer is tcg, unprobed.
#
# The answer is cached in $CACHE/accel/, keyed by this machine (CPU model
# and flags, the loaded kvm modules, the running kernel, QEMU's version) and
# the kernel image: a broken accelerator costs one probe per machine and
# kernel.  The probe's logs stay beside the cache entry (*.console,
# *.qemu).  A line "accel-probe: ..." on stderr says what was decided.
# KVM_DEV (default /dev/kvm): the device whose access is checked first
# (vm/selftest.sh points it elsewhere).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

[ $# -eq 1 ] || die "usage: $0 KERNEL"
kernel=$1
[ -r "$kernel" ] || die "cannot read $kernel"
MARKER=accel-probe-booted

KVM_DEV=${KVM_DEV:-/dev/kvm}
if [ ! -r "$KVM_DEV" ] || [ ! -w "$KVM_DEV" ]; then
	echo tcg
	exit 0
fi

machine_key() {
	{
		grep -m1 '^model name' /proc/cpuinfo
		grep -m1 '^flags' /proc/cpuinfo
		grep -E '^kvm' /proc/modules 2>/dev/null | awk '{ print $1 }' | sort
		uname -r
		qemu-system-x86_64 --version | head -n 1
		sha256sum <"$kernel"
	} | sha256sum | cut -c1-16
}

dir=$CACHE/accel
mkdir -p "$dir"
key=$(machine_key)
entry=$dir/kvm-$key
if [ -s "$entry" ]; then
	answer=$(cat "$entry")
	note "KVM $( [ "$answer" = kvm ] && echo boots || echo does not boot) $kernel here (probed before: $entry)"
	echo "$answer"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/bin" "$tmp/root/dev"
cp /bin/busybox "$tmp/root/bin/busybox"
printf '%s\n' '#!/bin/busybox sh' "/bin/busybox echo $MARKER >/dev/console" \
	'/bin/busybox poweroff -f' >"$tmp/root/init"
chmod 755 "$tmp/root/init"
[ "$(id -u)" -ne 0 ] || mknod -m 600 "$tmp/root/dev/console" c 5 1
(cd "$tmp/root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd"

con=$entry.console qlog=$entry.qemu
: >"$con"
start=$(date +%s)
qemu-system-x86_64 -accel kvm -cpu host -smp 1 -m 512M -nodefaults \
	-display none -no-reboot -kernel "$kernel" -initrd "$tmp/initrd" \
	-append "console=ttyS0 panic=-1 rdinit=/init" \
	-chardev "file,id=con,path=$con" -serial chardev:con \
	</dev/null >"$qlog" 2>&1 &
qemu=$!
answer="" why=""
while [ -z "$answer" ]; do
	sleep 0.5
	if grep -q "$MARKER" "$con"; then
		answer=kvm why="booted to the marker"
	elif grep -q 'KVM internal error' "$qlog"; then
		answer=tcg why="KVM internal error"
	elif ! kill -0 "$qemu" 2>/dev/null; then
		answer=tcg why="QEMU exited before the marker: $(head -c 300 "$qlog")"
	elif [ $(($(date +%s) - start)) -ge "${ACCEL_PROBE_TIMEOUT:-45}" ]; then
		answer=tcg why="no marker on the console within ${ACCEL_PROBE_TIMEOUT:-45}s"
	fi
done
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
echo "$answer" >"$entry"
note "KVM $( [ "$answer" = kvm ] && echo boots || echo does not boot) $kernel here ($why, $(($(date +%s) - start))s); using $answer (cached: $entry)"
echo "$answer"
