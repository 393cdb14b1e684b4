# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the host-side test scripts (sourced, not executed).
# shellcheck shell=bash

# Repository root: two levels above tools/testing/lib.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unimem-rdma}
KSERIES=${KSERIES:-6.12}

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

note() {
	echo "${0##*/}: $*" >&2
}

# Newest installed Debian headers of $KSERIES (same rule as the Makefile).
detect_kver() {
	local d
	d=$(find /usr/src -maxdepth 1 -name "linux-headers-$KSERIES.*-amd64" \
		-printf '%f\n' 2>/dev/null | sed 's/^linux-headers-//' | sort -V |
		tail -n 1)
	[ -n "$d" ] || die "no /usr/src/linux-headers-$KSERIES.*-amd64; run make deps"
	echo "$d"
}

# Where deps.sh extracts linux-source (keyed by the Debian package version).
linux_source_dir() {
	local v
	v=$(dpkg-query -W -f='${Version}' "linux-source-$KSERIES" 2>/dev/null) ||
		die "linux-source-$KSERIES is not installed; run make deps"
	echo "$CACHE/linux-source-$v"
}

# Print "SUITE: N passed, M failed, K skipped" and return 1 on failure.
suite_line() {
	echo "$1: $2 passed, $3 failed, $4 skipped"
	[ "$3" -eq 0 ]
}

# Build the modules and tools/cdma (make demo, make bench).
build_modules_and_tools() {
	local kver=${KVER:-$(detect_kver)}
	make -C "${KDIR:-/usr/src/linux-headers-$kver}" M="$REPO" modules
	[ -e "$REPO/tools/cdma/Makefile" ] || die "no tools/cdma/Makefile"
	make -C "$REPO/tools/cdma" -f "$REPO/tools/cdma/Makefile"
}

# The accelerator of a VM that measures (make demo, make bench), from
# ACCEL: auto (the default) is KVM where accel-probe.sh has seen it boot
# KERNEL, else icount, QEMU's instruction counter as the clock (TCG's wall
# clock measures nothing: the same copy runs at 185 MB/s or 4 GB/s by
# chance); kvm, tcg and icount are taken as they are.
measure_accel() { # measure_accel KERNEL
	case ${ACCEL:-auto} in
	auto)
		case $("$REPO/tools/testing/vm/accel-probe.sh" "$1") in
		kvm) echo kvm ;;
		*) echo icount ;;
		esac ;;
	*) echo "$ACCEL" ;;
	esac
}

# The "clock:" line of a measurement made under accelerator ACCEL.
clock_line() { # clock_line ACCEL
	case $1 in
	kvm) echo "clock: KVM, wall (the host's time; rates are this machine's)" ;;
	icount) echo "clock: virtual, 1 ns per instruction" ;;
	*) echo "clock: TCG, wall (emulation noise: these figures measure nothing; ACCEL=icount for a clock that does)" ;;
	esac
}

# What the clock of clock_line ACCEL measures, and what it does not.
clock_note() { # clock_note ACCEL
	[ "$1" != icount ] ||
		echo "clock note: QEMU -icount shift=0 counts CPU work, one vCPU at a time; memory bandwidth and parallel cores are not modelled: compare ratios, not rates"
}

# vm_tool NAME GUEST_SCRIPT TIMEOUT [run-vm.sh options]: boot the stock
# kernel running a guest script with its output shown live, then check the
# kernel log.  Results in $REPO/out/NAME/.
vm_tool() {
	local out=$REPO/out/$1 script=$2 secs=$3 rc=0 krc=0
	shift 3
	mkdir -p "$out"
	"$REPO/tools/testing/vm/run-vm.sh" --env stock --script "$script" \
		--results "$out" --timeout "$secs" --follow "$@" || rc=$?
	"$REPO/tools/testing/vm/klog-check.sh" stock "$out/console.log" "$rc" \
		>/dev/null || krc=$?
	if [ "$rc" -ne 0 ] || [ "$krc" -ne 0 ]; then
		note "FAILED (guest status $rc); logs in $out/"
		return 1
	fi
}
