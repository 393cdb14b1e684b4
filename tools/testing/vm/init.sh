#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM's initramfs, run by busybox sh as PID 1.
#
# Stage 1 (initramfs): load the 9p and overlay modules, mount the host's
# root (9p tag "hostroot", read-only) under a tmpfs-backed overlay, the
# module directory (tag "moddir", when vm.moddir=share) on
# /lib/modules/$(uname -r), and switch_root into it running this script
# again as stage 2.
# Stage 2 (host root): mount the results share (tag "results") on /results,
# read /results/vm-boot (lines SCRIPT=PATH, REPO=PATH, SHARE=TAG PATH),
# mount each SHARE read-only under a tmpfs-backed overlay at its PATH (the
# repository and the cache: anywhere on the host, /tmp included), run the
# guest script, store its exit status in /results/vm-status and power off.
#
# Kernel command line parameters (run-vm.sh sets them): vm.env=NAME,
# vm.moddir=share.  Paths come through /results/vm-boot: they may hold
# blanks.
# shellcheck shell=sh

P9OPTS=trans=virtio,version=9p2000.L,msize=512000
BB=/bin/busybox

log() {
	echo "vm-init: $*"
}

fail() {
	log "FATAL: $*"
	sync
	$BB poweroff -f
}

cmdline_params() {
	read -r cmdline </proc/cmdline
	for w in $cmdline; do
		case $w in
		vm.env=*) VM_ENV=${w#vm.env=} ;;
		vm.moddir=*) VM_MODDIR=${w#vm.moddir=} ;;
		esac
	done
}

# mkdir_path PATH: make PATH a directory.  A component may be a symbolic
# link on the host (make's link to a checkout with blanks, say) whose
# target the guest does not see: a directory replaces it.
mkdir_path() {
	p="" rest=${1#/}
	while [ -n "$rest" ]; do
		c=${rest%%/*}
		if [ "$c" = "$rest" ]; then rest=""; else rest=${rest#*/}; fi
		p=$p/$c
		if [ -L "$p" ] && [ ! -d "$p" ]; then
			rm -f "$p" || return
		fi
		[ -d "$p" ] || mkdir "$p" || return
	done
}

# share TAG PATH: 9p share TAG, read-only, under a tmpfs overlay at PATH.
share() {
	lower=/run/vm/share/$1 rw=/run/vm/share-rw/$1
	mkdir -p "$lower" "$rw/upper" "$rw/work" || return
	mkdir_path "$2" || return
	mount -t 9p -o "$P9OPTS,ro,cache=loose" "$1" "$lower" || return
	mount -t overlay -o "lowerdir=$lower,upperdir=$rw/upper,workdir=$rw/work" \
		"share-$1" "$2"
}

stage1() {
	export PATH=/bin
	$BB --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	exec </dev/console >/dev/console 2>&1
	cmdline_params
	kver=$(uname -r)

	for m in /modules/*.ko; do
		[ -e "$m" ] || continue
		insmod "$m" || fail "insmod $m"
	done

	mkdir -p /lower /rw /newroot
	mount -t 9p -o "$P9OPTS,ro,cache=loose" hostroot /lower ||
		fail "mount host root over 9p"
	mount -t tmpfs -o mode=755 rw /rw
	mkdir -p /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
		root /newroot || fail "mount overlay"

	# Kernel modules: the host's /lib/modules, or another directory.
	if [ "${VM_MODDIR:-}" = share ]; then
		mkdir -p "/newroot/lib/modules/$kver"
		mount -t 9p -o "$P9OPTS,ro,cache=loose" moddir \
			"/newroot/lib/modules/$kver" || fail "mount the modules"
	fi
	[ -e "/newroot/lib/modules/$kver/modules.dep" ] ||
		fail "no /lib/modules/$kver/modules.dep in the guest root"

	mount -t tmpfs -o mode=755 run /newroot/run
	mkdir -p /newroot/run/vm
	cp /bin/busybox /init /newroot/run/vm/
	for d in proc sys dev; do
		mount --move "/$d" "/newroot/$d"
	done
	exec switch_root /newroot /run/vm/busybox sh /run/vm/init stage2
}

stage2() {
	BB=/run/vm/busybox
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	cmdline_params
	mount -t tmpfs -o mode=1777 tmp /tmp
	mkdir -p /dev/pts /dev/shm /results
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	mount -t tmpfs -o mode=1777 shm /dev/shm
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t 9p -o "$P9OPTS" results /results || fail "mount results"
	$BB hostname "vm-${VM_ENV:-test}"
	VM_SCRIPT="" VM_REPO=""
	while IFS= read -r line; do
		case $line in
		SCRIPT=*) VM_SCRIPT=${line#SCRIPT=} ;;
		REPO=*) VM_REPO=${line#REPO=} ;;
		SHARE=*)
			line=${line#SHARE=}
			share "${line%% *}" "${line#* }" ||
				fail "mount share ${line%% *} on ${line#* }" ;;
		esac
	done </results/vm-boot || fail "no /results/vm-boot"
	# NAME=VALUE lines of run-vm.sh --setenv.
	if [ -r /results/vm-env ]; then
		while read -r kv; do
			# shellcheck disable=SC2163 # exports NAME=VALUE
			case $kv in
			[A-Za-z_]*=*) export "$kv" ;;
			esac
		done </results/vm-env
	fi

	KVER=$(uname -r)
	export REPO="$VM_REPO" RESULTS=/results KVER ENV="$VM_ENV"
	export HOME=/root TERM=dumb LC_ALL=C.UTF-8
	read -r up _ </proc/uptime
	log "running $VM_SCRIPT (env $VM_ENV, uptime ${up}s)"
	cd "${REPO:-/}" || fail "cd $REPO"
	if [ -x "$VM_SCRIPT" ]; then
		"$VM_SCRIPT" </dev/null >/results/guest.log 2>&1
	else
		/bin/bash "$VM_SCRIPT" </dev/null >/results/guest.log 2>&1
	fi
	rc=$?
	read -r up _ </proc/uptime
	log "guest script exited with status $rc (uptime ${up}s)"
	echo "$rc" >/results/vm-status
	sync
	$BB umount /results
	$BB poweroff -f
}

case ${1:-} in
stage2) stage2 ;;
*) stage1 ;;
esac
fail "init fell through"
