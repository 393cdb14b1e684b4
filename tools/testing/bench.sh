#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build the modules and tools/cdma, boot the stock kernel in a
# VM (BENCH_MEM, default 6G: the allocation test goes to 1 GiB on each
# device), load the modules and run cdma-bench on the native and the guest
# device (loopback vDPA, guest/bench.sh) in the same run; then render the
# plots on this host (gnuplot) from the CSV the VM wrote, and print the
# targets and the closing lines (closing_lines(), below) with where the
# files are.
#
#   BENCH_ARGS="..." bench.sh
#
# BENCH_ARGS: extra cdma-bench arguments, split on blanks (no quoting), for
# example "-t 0.1 -r 3" or "-T rate,alloc" (see cdma-bench -h); when it is
# not set, "-t 0.05 -r 3" under icount, none otherwise.
# BENCH_TIMEOUT: VM time limit (default 1800 s).  BENCH_MEM: VM memory.
# BENCH_APPEND: extra kernel arguments of the VM, for example
# "init_on_alloc=0" (a guest whose allocator does not clear pages takes
# VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED: see zcopy-alloc.out).
# BENCH_LOOPBACK: the guest device set-up wrapper in the VM (default
# tools/testing/vm/guest/rdma-loopback.sh).  ACCEL (auto, kvm, tcg,
# icount; vm/run-vm.sh): auto, the default, is KVM where it is proven to
# boot the kernel (vm/accel-probe.sh), else icount, QEMU's instruction
# counter as the clock; the run prints a "clock:" line saying which.
# Environment otherwise as for demo.sh.  Output in $REPO/out/bench/:
# guest.log (the whole run), bench.csv, ratios.csv, bench.json, *.png,
# zcopy-alloc.out (allocation in VA mode, vmm_alloc_bench).
# Fails when the VM run fails, when the guest device is missing, or when
# the plots cannot be made.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# The closing lines, in the words other tools read: the clock, the ratios
# (cdma-bench's and vmm_alloc_bench's), and what a guest transfer adds
# (sync latency, guest minus native), in instructions under the virtual
# clock.
closing_lines() { # closing_lines ACCEL CLOCK_LINE GUEST_LOG
	local us

	echo "$2"
	clock_note "$1"
	grep -E '^ratio guest/native (rate|latency|alloc)' "$3" || true
	us=$(sed -n 's/^guest extra time per transfer: \([0-9.-]*\) us$/\1/p' "$3" |
		tail -n 1)
	[ -n "$us" ] || return 0
	if [ "$1" = icount ]; then
		awk -v us="$us" 'BEGIN { printf "guest extra instructions per transfer: %d\n", us * 1000 + (us < 0 ? -0.5 : 0.5) }'
	else
		echo "guest extra time per transfer: $us us"
	fi
}

build_modules_and_tools
make -C "$REPO/tools/testing/selftests/cdma" \
	-f "$REPO/tools/testing/selftests/cdma/Makefile" >/dev/null
[ -x "$REPO/tools/cdma/cdma-bench" ] ||
	die "tools/cdma/cdma-bench was not built"
out=$REPO/out/bench
mkdir -p "$out"
rm -f "$out"/bench.csv "$out"/ratios.csv "$out"/bench.json "$out"/*.png
accel=$(measure_accel "/boot/vmlinuz-${KVER:-$(detect_kver)}")
clock=$(clock_line "$accel")
echo "$clock" | tee "$out/clock"
clock_note "$accel"
# The instruction counter repeats itself: short samples, few of them (the
# whole run would take an hour at cdma-bench's defaults, emulated by one
# thread).
args=${BENCH_ARGS-}
[ -n "${BENCH_ARGS+set}" ] || [ "$accel" != icount ] || args="-t 0.05 -r 3"
echo "$args" >"$out/bench.args"
[ -z "$args" ] || echo "cdma-bench arguments: $args"
setenv=()
[ -z "${BENCH_LOOPBACK:-}" ] ||
	setenv=(--setenv "BENCH_LOOPBACK=$BENCH_LOOPBACK")
[ -z "${BENCH_APPEND:-}" ] || setenv+=(--append "$BENCH_APPEND")
[ -z "${BENCH_APPEND:-}" ] || echo "kernel arguments added: $BENCH_APPEND"

rc=0 krc=0
"$REPO/tools/testing/vm/run-vm.sh" --env stock --accel "$accel" \
	--script "$REPO/tools/testing/vm/guest/bench.sh" --results "$out" \
	--timeout "${BENCH_TIMEOUT:-1800}" --mem "${BENCH_MEM:-6G}" \
	"${setenv[@]}" --follow || rc=$?
"$REPO/tools/testing/vm/klog-check.sh" stock "$out/console.log" "$rc" \
	>/dev/null || krc=$?

prc=0
if [ -s "$out/bench.csv" ]; then
	"$REPO/tools/cdma/cdma-bench-plot" "$out/bench.csv" "$out" || prc=$?
fi
echo
echo "== make bench"
grep -E '^(target |guest device: MISSING|DATA CHECK|fit )' "$out/guest.log" || true
closing_lines "$accel" "$clock" "$out/guest.log"
if [ -s "$out/bench.csv" ]; then
	echo "files: $out/guest.log (tables), bench.csv, ratios.csv, bench.json, zcopy-alloc.out"
	for f in "$out"/*.png; do
		[ ! -e "$f" ] || echo "plot: $f"
	done
fi
case $rc in
0) ;;
3) note "FAILED: the guest device is missing (guest status 3); logs in $out/" ;;
*) note "FAILED (guest status $rc); logs in $out/" ;;
esac
[ "$krc" -eq 0 ] || note "FAILED: kernel log problems (klog-check.sh); see $out/console.log"
[ "$prc" -eq 0 ] || note "FAILED: the plots could not be made"
[ "$rc" -eq 0 ] && [ "$krc" -eq 0 ] && [ "$prc" -eq 0 ]
