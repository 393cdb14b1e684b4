#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch (or reuse) a Debian kernel image without installing it, and print
# the directory it was unpacked in.
#
#   fetch-kernel.sh KVER
#
# For the environments that boot a kernel other than the installed one
# (check.sh's "6.1": Debian 12's own series, against which the compile
# matrix builds): apt-get download linux-image-KVER, unpacked with
# dpkg-deb into $CACHE/kernels/KVER/, depmod run there.  Output:
#   DIR/boot/vmlinuz-KVER             (run-vm.sh --kernel)
#   DIR/lib/modules/KVER/             (run-vm.sh --moddir)
# Nothing is installed: /boot and the boot loader are left alone.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

[ $# -eq 1 ] || die "usage: $0 KVER"
kver=$1
dir=$CACHE/kernels/$kver
if [ -e "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
tmp=$(mktemp -d "$CACHE/kernels/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
note "downloading linux-image-$kver"
# As root into root's cache: apt's _apt sandbox user could not write here.
(cd "$tmp" && apt-get -o APT::Sandbox::User=root download \
	"linux-image-$kver" >&2) ||
	die "apt-get download linux-image-$kver failed"
dpkg-deb -x "$tmp"/linux-image-"$kver"_*.deb "$dir" ||
	die "cannot unpack linux-image-$kver"
[ -r "$dir/boot/vmlinuz-$kver" ] || die "no vmlinuz-$kver in the package"
depmod -b "$dir" "$kver" || die "depmod for $kver failed"
touch "$dir/.done"
echo "$dir"
