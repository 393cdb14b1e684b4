#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel under QEMU with the host's root as the guest's (read-only
# 9p + tmpfs overlay) and run one guest script in it.
#
# Usage: usage(), below (the script prints it when called without its
# arguments).
#
# The guest script runs as root with REPO, RESULTS=/results, KVER and ENV
# set (and those of --setenv, through DIR/vm-env), cwd $REPO,
# stdout+stderr in DIR/guest.log; DIR is the guest's /results (read-write).
# The guest's root is the host's (changes stay in RAM) except /tmp, /run,
# /dev, /proc, /sys, which are the guest's own; the repository ($REPO) and
# $CACHE come on 9p shares of their own, under an overlay, at the same
# paths, so that they may be anywhere (under /tmp, with blanks in their
# names); the guest script must be in one of them or outside those five.
# The serial console goes to DIR/console.log (echoed live when VERBOSE=1);
# --follow echoes DIR/guest.log live instead.
# --qemu-arg ARG: one more argument for QEMU, after the others (devices,
# memory backends; a later -cpu, -smp or -m overrides the default).
#
# --accel (default $ACCEL, else auto): kvm (-accel kvm -cpu host), tcg
# (multi-threaded), icount (single-threaded TCG counting instructions as
# time, 1 ns each: the deterministic clock of make bench and make demo),
# auto (kvm when accel-probe.sh has seen KVM boot this kernel on this
# machine, else tcg).  The choice is written to DIR/vm-accel.
# --boot-timeout (default 60 s): a VM whose console stays empty that long,
# or whose QEMU reports a KVM internal error, is stopped at once (status
# 126, the reason on stderr) instead of being waited on until --timeout.
#
# Defaults: kernel /boot/vmlinuz-$KVER (KVER: newest installed headers of
# $KSERIES), modules /lib/modules/<its version>, 4G, 900 s.
# Exit status: the guest script's (0-123; 123 also for higher ones, see
# DIR/vm-status); 124 on timeout; 125 when the VM
# stopped without the script's status (panic, init failure); 126 when QEMU
# or this script failed, or the VM did not boot (see above).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

die() { # 1 would look like the guest script's status
	echo "${0##*/}: $*" >&2
	exit 126
}

usage() {
	cat >&2 <<'EOF'
  run-vm.sh --env NAME --script GUEST_SCRIPT --results DIR
            [--timeout SECS] [--mem SIZE] [--kernel PATH] [--moddir DIR]
            [--setenv NAME=VALUE]... [--append KERNEL_ARGS] [--follow]
            [--qemu-arg ARG]... [--accel auto|kvm|tcg|icount]
            [--boot-timeout SECS]
EOF
	exit 126
}

env_name="" script="" results="" timeout=900 mem=4G kernel="" moddir=""
follow="" setenv=() extra_append="" qemu_args=() accel_mode=${ACCEL:-auto}
boot_timeout=60
while [ $# -gt 0 ]; do
	case $1 in
	--env) env_name=${2:?}; shift ;;
	--script) script=${2:?}; shift ;;
	--results) results=${2:?}; shift ;;
	--timeout) timeout=${2:?}; shift ;;
	--mem) mem=${2:?}; shift ;;
	--kernel) kernel=${2:?}; shift ;;
	--moddir) moddir=${2:?}; shift ;;
	--setenv)
		[[ ${2:-} =~ ^[A-Za-z_][A-Za-z0-9_]*=[^$'\n']*$ ]] ||
			die "--setenv wants NAME=VALUE on one line"
		setenv+=("$2")
		shift ;;
	--append) extra_append+=" ${2:?}"; shift ;;
	--follow) follow=1 ;;
	--qemu-arg) qemu_args+=("${2:?}"); shift ;;
	--accel) accel_mode=${2:?}; shift ;;
	--boot-timeout) boot_timeout=${2:?}; shift ;;
	*) usage ;;
	esac
	shift
done
if [ -z "$env_name" ] || [ -z "$script" ] || [ -z "$results" ]; then
	usage
fi

# Kernel release string of a bzImage (from its setup header).
kernel_release() {
	local off
	off=$(od -An -tu2 -j 526 -N 2 "$1" | tr -d ' ')
	dd if="$1" bs=1 skip=$((off + 512)) count=200 status=none |
		tr '\0' '\n' | head -n 1 | cut -d ' ' -f 1
}

if [ -z "$kernel" ]; then
	kver=${KVER:-$(detect_kver)}
	kernel=/boot/vmlinuz-$kver
	[ -r "$kernel" ] || die "cannot read $kernel (linux-image-$KSERIES-amd64 installed? root?)"
else
	[ -r "$kernel" ] || die "cannot read $kernel"
	kver=$(kernel_release "$kernel")
	[ -n "$kver" ] || die "cannot read the release of $kernel"
fi
moddir=${moddir:-/lib/modules/$kver}
mkdir -p "$results"
results=$(realpath "$results")
[ -e "$script" ] || die "no guest script $script"
[[ $env_name =~ ^[A-Za-z0-9._-]+$ ]] || die "bad environment name '$env_name'"

# 9p shares besides the root: TAG PATH (the guest mounts PATH from TAG at
# the same path, under an overlay), shallowest first.
shares=("repo $REPO")
[ ! -d "$CACHE" ] || shares+=("cache $(realpath "$CACHE")")
mapfile -t shares < <(printf '%s\n' "${shares[@]}" |
	awk '{ print length($0) - length($1), $0 }' | sort -n | cut -d ' ' -f 2-)
# The script's path as the guest sees it: inside a share, under the
# share's path (which may be a symbolic link to where the script is).
real=$(realpath "$script")
script=$real visible=""
for s in "${shares[@]}"; do
	p=$(realpath "${s#* }")
	case $real in
	"$p"/*) script=${s#* }${real#"$p"} visible=1 ;;
	esac
done
# The guest mounts fresh file systems there, hiding the host's files.
case $script in
/tmp/* | /run/* | /dev/* | /proc/* | /sys/*)
	[ -n "$visible" ] ||
		die "$script is not visible in the guest: put it in $REPO" ;;
esac

initramfs=$("$(dirname "$0")/mkinitramfs.sh" "$kver" "$moddir") ||
	die "cannot build the initramfs"

case $accel_mode in
auto) accel_mode=$("$(dirname "$0")/accel-probe.sh" "$kernel") ||
	die "accel-probe.sh failed" ;;
kvm | tcg | icount) ;;
*) die "--accel/ACCEL: auto, kvm, tcg or icount, not '$accel_mode'" ;;
esac
case $accel_mode in
kvm) accel=(-accel kvm -cpu host) ;;
tcg) accel=(-accel tcg -cpu max) ;;
icount) accel=(-accel "tcg,thread=single" -cpu max -icount "shift=0,sleep=off") ;;
esac

append="console=ttyS0,115200 loglevel=7 panic=-1 mitigations=off"
append+=" 8250.nr_uarts=1 rcupdate.rcu_cpu_stall_timeout=60"
append+=" vm.env=$env_name"
[ "$moddir" = "/lib/modules/$kver" ] || append+=" vm.moddir=share"
append+=$extra_append

con=$results/console.log
rm -f "$results/vm-status" "$results/vm-env" "$results/vm-boot"
[ ${#setenv[@]} -eq 0 ] || printf '%s\n' "${setenv[@]}" >"$results/vm-env"
# What init.sh's stage 2 reads (paths may hold blanks: not on the command line).
{
	echo "SCRIPT=$script"
	echo "REPO=$REPO"
	for s in "${shares[@]}"; do
		echo "SHARE=$s"
	done
} >"$results/vm-boot"
echo "$accel_mode" >"$results/vm-accel"
: >"$con"
: >"$results/guest.log"

p9=security_model=none,multidevs=remap
# -fsdev local,path=P: a comma in P is written twice.
fsdev() { # fsdev TAG PATH [OPTIONS]
	echo "local,id=$1,path=${2//,/,,},$p9${3:+,$3}"
}
p9args=(-fsdev "$(fsdev hostroot / readonly=on)"
	-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
	-fsdev "$(fsdev results "$results")"
	-device "virtio-9p-pci,fsdev=results,mount_tag=results")
for s in "${shares[@]}"; do
	p9args+=(-fsdev "$(fsdev "${s%% *}" "${s#* }" readonly=on)"
		-device "virtio-9p-pci,fsdev=${s%% *},mount_tag=${s%% *}")
done
[ "$moddir" = "/lib/modules/$kver" ] ||
	p9args+=(-fsdev "$(fsdev moddir "$moddir" readonly=on)"
		-device "virtio-9p-pci,fsdev=moddir,mount_tag=moddir")

start=$(date +%s.%N)
timeout -k 10 "$timeout" qemu-system-x86_64 \
	"${accel[@]}" -smp 2 -m "$mem" -nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$initramfs" -append "$append" \
	-chardev "file,id=con,path=$con" -serial chardev:con \
	"${p9args[@]}" -device virtio-rng-pci "${qemu_args[@]}" \
	</dev/null >"$results/qemu.log" 2>&1 &
vm=$!
# Background jobs ignore SIGINT: stop QEMU when this script is interrupted.
trap 'kill "$vm" 2>/dev/null; exit 130' INT TERM HUP
if [ "${VERBOSE:-0}" = 1 ]; then
	tail -n +1 -F --pid="$vm" "$con" 2>/dev/null &
elif [ -n "$follow" ]; then
	tail -n +1 -F --pid="$vm" "$results/guest.log" 2>/dev/null &
fi
# A VM that does not boot is stopped within a minute, not waited on.
boot_watch() {
	local t=0 why=""
	while kill -0 "$vm" 2>/dev/null; do
		if grep -q 'KVM internal error' "$results/qemu.log"; then
			why="KVM internal error (accelerator $accel_mode; see $results/qemu.log; ACCEL=tcg avoids it)"
		elif [ "$t" -ge "$boot_timeout" ] && [ ! -s "$con" ]; then
			why="nothing on the console after ${boot_timeout}s (accelerator $accel_mode)"
		fi
		if [ -n "$why" ]; then
			echo "$why" >"$results/vm-noboot"
			kill "$vm" 2>/dev/null || true
			return
		fi
		# Under KVM, an internal error may come at any time.
		[ "$accel_mode" != kvm ] && [ -s "$con" ] && return
		sleep 1
		t=$((t + 1))
	done
}
rm -f "$results/vm-noboot"
boot_watch &
watch=$!
rc=0
wait "$vm" || rc=$?
kill "$watch" 2>/dev/null || true
wait # for tail, which ends with QEMU
if [ -s "$results/vm-noboot" ]; then
	note "$env_name: the VM did not boot: $(cat "$results/vm-noboot")"
	exit 126
fi
secs=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	note "$env_name: TIMEOUT: VM killed after ${timeout}s (console: $con)"
	exit 124
fi
if [ "$rc" -ne 0 ]; then
	note "$env_name: qemu failed (status $rc):"
	cat "$results/qemu.log" >&2
	exit 126
fi
if [ ! -s "$results/vm-status" ]; then
	note "$env_name: VM stopped after ${secs}s without the guest script's status (panic?); console: $con"
	exit 125
fi
status=$(cat "$results/vm-status")
[ "${VERBOSE:-0}" = 1 ] && note "$env_name: VM ran ${secs}s, guest script status $status"
[ "$status" -le 123 ] || status=123
exit "$status"
