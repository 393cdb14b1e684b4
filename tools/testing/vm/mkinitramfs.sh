#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the test VM's initramfs and print its path.
#
#   mkinitramfs.sh KVER [MODDIR]
#
# Contents: static busybox, init.sh as /init, and the modules needed to mount
# the host root (9p over virtio, overlay) with their dependencies, taken from
# MODDIR (default /lib/modules/KVER) and stored uncompressed.  Cached in
# $CACHE/initramfs/, keyed by KVER and a hash of the inputs.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

MODULES=(9p 9pnet_virtio overlay)
# Loaded when they are modules (built into Debian's 6.12 and the debug
# kernel, modules of Debian's 6.1): the transport of the 9p device.
OPTIONAL=(virtio_pci)

[ $# -ge 1 ] || die "usage: $0 KVER [MODDIR]"
kver=$1
moddir=${2:-/lib/modules/$kver}
here=$(dirname "$0")
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing; run make deps"
[ -e "$moddir/modules.dep" ] || die "no $moddir/modules.dep"

# Module files in load order ("builtin" lines are skipped).
module_files() {
	local m base=${moddir%/lib/modules/"$kver"} opt=()
	[ "$base/lib/modules/$kver" = "$moddir" ] ||
		die "MODDIR must end in /lib/modules/$kver"
	[ -z "$base" ] || opt=(-d "$base")
	{
		for m in "${OPTIONAL[@]}"; do
			modprobe "${opt[@]}" -S "$kver" --show-depends "$m" \
				2>/dev/null || true
		done
		for m in "${MODULES[@]}"; do
			modprobe "${opt[@]}" -S "$kver" --show-depends "$m"
		done
	} | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

mapfile -t files < <(module_files)
key=$(cat "$here/init.sh" "$0" "$busybox" "${files[@]}" | sha256sum |
	cut -c1-16)
out=$CACHE/initramfs/initramfs-$kver-$key.cpio
if [ -e "$out" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$CACHE/initramfs"
tmp=$(mktemp -d "$CACHE/initramfs/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$here/init.sh" "$root/init"
# The kernel opens /dev/console before /init runs; init copes without it.
[ "$(id -u)" -ne 0 ] || mknod -m 600 "$root/dev/console" c 5 1

i=10
for f in "${files[@]}"; do
	name=$(basename "$f")
	name=$i-${name%%.ko*}.ko
	case $f in
	*.ko.xz) xz -dc "$f" >"$root/modules/$name" ;;
	*.ko.zst) zstd -qdc "$f" >"$root/modules/$name" ;;
	*.ko.gz) gzip -dc "$f" >"$root/modules/$name" ;;
	*) cp "$f" "$root/modules/$name" ;;
	esac
	i=$((i + 1))
done

(cd "$root" && find . -print0 | sort -z |
	cpio -o -0 -H newc -R 0:0 --quiet) >"$tmp/initramfs.cpio"
mv -f "$tmp/initramfs.cpio" "$out"
echo "$out"
