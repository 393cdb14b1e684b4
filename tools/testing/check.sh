#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build checks on the host, then the VM suites.
#
#   check.sh
#
# Prints one line per suite, "SUITE@ENV: N passed, M failed, K skipped",
# then "total: ...".  Exits 1 if anything failed or a suite is missing.
# Logs go to $REPO/out/check/ (printed on failure).
# harness@host: the VM harness's own tests (vm/selftest.sh); guide@host: the
# admin guide's QEMU command and libvirt domain (guide.sh).
# Environments: "stock" (Debian's kernel), "6.1" (Debian 12's own 6.1
# kernel, downloaded by vm/fetch-kernel.sh, with the modules of build@6.1),
# "debug" (the kernel of vm/debug.config, built by vm/build-debug-kernel.sh
# into $CACHE when missing: 10-30 min once; the modules and the KUnit test
# modules are built against it in $CACHE/debug-modules/, outside the
# repository), and
# "nested" (a QEMU guest inside the stock test VM, given a vDPA device of
# rdma_zcopy through vhost_vdpa: vm/nested/README.md).
# Environment: KVER, KDIR, CACHE (as in the Makefile), ACCEL (auto, kvm,
# tcg or icount: vm/run-vm.sh; auto, the default, uses KVM where
# vm/accel-probe.sh has seen it boot the kernel, else multi-threaded TCG),
# CHECK_TIMEOUT (VM time limit, default 900 s; CHECK_DEBUG_TIMEOUT for
# the debug VM, default 1800 s), CHECK_ENVS (default "stock 6.1 debug nested"),
# VERBOSE=1 (echo the VM console).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# A parent make's jobserver flags would make sub-makes print warnings.
unset MAKEFLAGS MFLAGS MAKELEVEL
KVER=${KVER:-$(detect_kver)}
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
VM=$REPO/tools/testing/vm
OUT=$REPO/out/check
SELFTESTS=$REPO/tools/testing/selftests/cdma
export KVER

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$REPO"

TOTAL_P=0 TOTAL_F=0 TOTAL_S=0 FAILED_LOGS=()

# Print a summary line and add it to the totals.
account() { # account LINE
	local p f s
	echo "$1"
	read -r _ p _ f _ s _ <<<"$1"
	TOTAL_P=$((TOTAL_P + p)) TOTAL_F=$((TOTAL_F + f)) TOTAL_S=$((TOTAL_S + s))
}

# shellcheck source-path=SCRIPTDIR source=lib/check-build.sh
. "$REPO/tools/testing/lib/check-build.sh"
# shellcheck source-path=SCRIPTDIR source=lib/check-vm.sh
. "$REPO/tools/testing/lib/check-vm.sh"

for env in ${CHECK_ENVS:-stock 6.1 debug nested}; do
	case $env in
	stock) vm_env stock ;;
	6.1) env_6_1 ;;
	debug) debug_env ;;
	nested | nested-viommu) nested_env "$env" ;;
	*) die "unknown environment $env (CHECK_ENVS)" ;;
	esac
done

echo "total: $TOTAL_P passed, $TOTAL_F failed, $TOTAL_S skipped"
if [ "$TOTAL_F" -ne 0 ]; then
	echo "check FAILED; logs:" >&2
	printf '  %s\n' "${FAILED_LOGS[@]}" | awk '!seen[$0]++' >&2
	exit 1
fi
