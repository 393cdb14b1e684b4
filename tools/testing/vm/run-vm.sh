#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel under QEMU with the host's root as the guest's (read-only
# 9p + tmpfs overlay) and run one guest script in it.
#
#   run-vm.sh --env NAME --script GUEST_SCRIPT --results DIR
#             [--timeout SECS] [--mem SIZE] [--kernel PATH] [--moddir DIR]
#             [--setenv NAME=VALUE]... [--append KERNEL_ARGS] [--follow]
#             [--qemu-arg ARG]...
#
# The guest script runs as root with REPO, RESULTS=/results, KVER and ENV
# set (and those of --setenv, through DIR/vm-env), cwd $REPO,
# stdout+stderr in DIR/guest.log; DIR is the guest's
# /results (read-write).  The guest's root is the host's (changes stay in
# RAM) except /tmp, /run, /dev, /proc, /sys: the script, the repository and
# the modules must not be under those.  The serial console goes to DIR/console.log (echoed
# live when VERBOSE=1); --follow echoes DIR/guest.log live instead.
# --qemu-arg ARG: one more argument for QEMU, after the others (devices,
# memory backends; a later -cpu, -smp or -m overrides the default).
#
# Defaults: kernel /boot/vmlinuz-$KVER (KVER: newest installed headers of
# $KSERIES), modules /lib/modules/<its version>, 4G, 900 s.
# Exit status: the guest script's (0-123; 123 also for higher ones, see
# DIR/vm-status); 124 on timeout; 125 when the VM
# stopped without the script's status (panic, init failure); 126 when QEMU
# or this script failed.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

die() { # 1 would look like the guest script's status
	echo "${0##*/}: $*" >&2
	exit 126
}

usage() {
	sed -n '7,10s/^# //p' "$0" >&2
	exit 126
}

env_name="" script="" results="" timeout=900 mem=4G kernel="" moddir=""
follow="" setenv=() extra_append="" qemu_args=()
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
		[[ ${2:-} =~ ^[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*$ ]] ||
			die "--setenv wants NAME=VALUE without blanks"
		setenv+=("$2")
		shift ;;
	--append) extra_append+=" ${2:?}"; shift ;;
	--follow) follow=1 ;;
	--qemu-arg) qemu_args+=("${2:?}"); shift ;;
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
script=$(realpath "$script")
mkdir -p "$results"
results=$(realpath "$results")
for p in "$script" "$REPO" "$moddir" "$env_name"; do
	case $p in
	*[[:space:]]*) die "no whitespace allowed in '$p'" ;;
	esac
done
[ -e "$script" ] || die "no guest script $script"
# The guest mounts fresh file systems there, hiding the host's files.
for p in "$script" "$REPO" "$moddir"; do
	case $p in
	/tmp/* | /run/* | /dev/* | /proc/* | /sys/*)
		die "$p is not visible in the guest (use e.g. /var/tmp)" ;;
	esac
done

initramfs=$("$(dirname "$0")/mkinitramfs.sh" "$kver" "$moddir") ||
	die "cannot build the initramfs"

accel=(-accel tcg -cpu max)
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	accel=(-accel kvm -cpu host)
fi

append="console=ttyS0,115200 loglevel=7 panic=-1 mitigations=off"
append+=" 8250.nr_uarts=1 rcupdate.rcu_cpu_stall_timeout=60"
append+=" vm.script=$script vm.env=$env_name vm.repo=$REPO vm.moddir=$moddir"
append+=$extra_append

con=$results/console.log
rm -f "$results/vm-status" "$results/vm-env"
[ ${#setenv[@]} -eq 0 ] || printf '%s\n' "${setenv[@]}" >"$results/vm-env"
: >"$con"
: >"$results/guest.log"

p9=security_model=none,multidevs=remap
start=$(date +%s.%N)
timeout -k 10 "$timeout" qemu-system-x86_64 \
	"${accel[@]}" -smp 2 -m "$mem" -nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$initramfs" -append "$append" \
	-chardev "file,id=con,path=$con" -serial chardev:con \
	-fsdev "local,id=hostroot,path=/,readonly=on,$p9" \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev "local,id=results,path=$results,$p9" \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	-device virtio-rng-pci "${qemu_args[@]}" \
	</dev/null >"$results/qemu.log" 2>&1 &
vm=$!
# Background jobs ignore SIGINT: stop QEMU when this script is interrupted.
trap 'kill "$vm" 2>/dev/null; exit 130' INT TERM HUP
if [ "${VERBOSE:-0}" = 1 ]; then
	tail -n +1 -F --pid="$vm" "$con" 2>/dev/null &
elif [ -n "$follow" ]; then
	tail -n +1 -F --pid="$vm" "$results/guest.log" 2>/dev/null &
fi
rc=0
wait "$vm" || rc=$?
wait # for tail, which ends with QEMU
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
