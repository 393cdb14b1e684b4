#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the build and the VM tests need (Debian 12), idempotently.
# Quiet and fast (dpkg-query only) when everything is already present.
#
#   deps.sh            install missing packages, fill $CACHE
#
# Environment: CACHE (default ~/.cache/unimem-rdma), KSERIES (default 6.12).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

PKGS=(
	"linux-headers-$KSERIES-amd64" "linux-image-$KSERIES-amd64"
	"linux-source-$KSERIES" busybox-static sparse kmod iproute2 cpio
	xz-utils gcc make libc6-dev
	# The compile matrix (build@6.1: bookworm's own linux-headers-amd64
	# is the 6.1 series) and the DKMS check of build@6.12.
	linux-headers-amd64 dkms
	# The debug kernel (build-debug-kernel.sh).
	flex bison bc libelf-dev
	# make bench: the plots (tools/cdma/cdma-bench-plot).
	gnuplot-nox
	# guide@host: the admin guide's libvirt domain (tools/testing/guide.sh).
	libvirt-clients libxml2-utils
)
QEMU_PKGS=(qemu-system-x86 qemu-utils)
QEMU_MIN=1:10.0

# shellcheck source=/dev/null
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
BACKPORTS=""
[ "$CODENAME" = bookworm ] && BACKPORTS=bookworm-backports

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)

# Print those of the packages "$@" that are not installed (one dpkg-query).
not_installed() {
	local ok p
	ok=$(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' "$@" 2>/dev/null |
		sed -n 's/^ii //p' || true)
	for p; do
		grep -qxF -- "$p" <<<"$ok" || echo "$p"
	done
}

qemu_ok() {
	local v
	[ -z "$(not_installed "${QEMU_PKGS[@]}")" ] || return 1
	for v in $(dpkg-query -W -f='${Version}\n' "${QEMU_PKGS[@]}"); do
		dpkg --compare-versions "$v" ge "$QEMU_MIN" || return 1
	done
}

add_backports() {
	grep -qrs -- "$BACKPORTS" /etc/apt/sources.list /etc/apt/sources.list.d/ &&
		return 0
	printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' \
		"Suites: $BACKPORTS" 'Components: main' \
		'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
		"${SUDO[@]}" tee /etc/apt/sources.list.d/backports.sources >/dev/null
}

# Run apt-get quietly; show its log only when it fails.
run_apt() {
	local log
	log=$(mktemp)
	if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q "$@" \
		>"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		die "apt-get $* failed"
	fi
	rm -f "$log"
}

apt_install() {
	run_apt install -y --no-install-recommends "$@"
}

install_packages() {
	local missing updated=""
	mapfile -t missing < <(not_installed "${PKGS[@]}")
	if [ ${#missing[@]} -gt 0 ]; then
		note "installing ${missing[*]}"
		[ -n "$BACKPORTS" ] && add_backports
		run_apt update
		updated=1
		apt_install "${missing[@]}"
	fi
	qemu_ok && return 0
	note "installing ${QEMU_PKGS[*]} (>= $QEMU_MIN)${BACKPORTS:+ from $BACKPORTS}"
	if [ -z "$updated" ]; then
		[ -n "$BACKPORTS" ] && add_backports
		run_apt update
	fi
	apt_install ${BACKPORTS:+-t "$BACKPORTS"} "${QEMU_PKGS[@]}"
	qemu_ok || die "could not install ${QEMU_PKGS[*]} >= $QEMU_MIN"
}

# The VMs boot /boot/vmlinuz-KVER of the newest installed headers: when the
# image is older (security update in between), upgrade both meta packages.
check_image() {
	local kver metas=("linux-headers-$KSERIES-amd64" "linux-image-$KSERIES-amd64")
	kver=$(detect_kver)
	[ -e "/boot/vmlinuz-$kver" ] && [ -d "/lib/modules/$kver/kernel" ] &&
		return 0
	note "no /boot/vmlinuz-$kver: upgrading ${metas[*]}"
	run_apt update
	apt_install "${metas[@]}"
	kver=$(detect_kver)
	[ -e "/boot/vmlinuz-$kver" ] || die "headers $kver have no matching image"
}

# Files taken from Debian's linux-source tarball into $CACHE/linux-source-V/
# (V: the package version): checkpatch.pl and its data, and the kselftest
# headers (kselftest_harness.h) for the user-space selftests.
SOURCE_FILES=(
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
)

extract_source_files() {
	local dir tarball tmp members=() f
	dir=$(linux_source_dir)
	[ "$(cat "$dir/.files" 2>/dev/null)" = "${SOURCE_FILES[*]}" ] && return 0
	tarball=$(find /usr/src -maxdepth 1 -name "linux-source-$KSERIES.tar.*" |
		head -n 1)
	[ -n "$tarball" ] || die "no /usr/src/linux-source-$KSERIES.tar.*"
	for f in "${SOURCE_FILES[@]}"; do
		members+=("linux-source-$KSERIES/$f")
	done
	note "extracting checkpatch.pl and kselftest headers into $dir"
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
	tar -xf "$tarball" -C "$tmp" "${members[@]}"
	for f in "${SOURCE_FILES[@]}"; do
		mkdir -p "$dir/$(dirname "$f")"
		mv -f "$tmp/linux-source-$KSERIES/$f" "$dir/$f"
	done
	rm -rf "$tmp"
	echo "${SOURCE_FILES[*]}" >"$dir/.files"
}

install_packages
check_image
extract_source_files
