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
	make -C "$REPO/tools/cdma"
}

# vm_tool NAME GUEST_SCRIPT TIMEOUT: boot the stock kernel running a guest
# script with its output shown live, then check the kernel log.  Results in
# $REPO/out/NAME/.
vm_tool() {
	local out=$REPO/out/$1 rc=0 krc=0
	mkdir -p "$out"
	"$REPO/tools/testing/vm/run-vm.sh" --env stock --script "$2" \
		--results "$out" --timeout "$3" --follow || rc=$?
	"$REPO/tools/testing/vm/klog-check.sh" stock "$out/console.log" "$rc" \
		>/dev/null || krc=$?
	if [ "$rc" -ne 0 ] || [ "$krc" -ne 0 ]; then
		note "FAILED (guest status $rc); logs in $out/"
		return 1
	fi
}
