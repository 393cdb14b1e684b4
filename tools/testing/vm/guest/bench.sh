#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench`: load the modules and run cdma-bench -o
# $RESULTS, with the words of $RESULTS/bench.args as extra arguments,
# inside guest/rdma-loopback.sh 1 (the guest device: virtio_rdma_remote on
# rdma_zcopy through virtio_vdpa, /dev/cdma1 beside the native /dev/cdma0);
# then, for zero-copy in VA mode (rdma_zcopy's in-place swap), the
# allocation times of selftests/cdma/vmm_alloc_bench, which plays a VMM
# over a vhost-vdpa device of rdma_zcopy (guest/rdma-vhost.sh), appended
# to bench.out and in $RESULTS/zcopy-alloc.out; then unload the modules.
#
# cdma-bench finds the native device (no CDMA_CAP_VIRTUAL) and the guest
# device (CDMA_CAP_VIRTUAL) by itself.  When the loopback set-up fails (or
# $BENCH_LOOPBACK, default guest/rdma-loopback.sh, is missing), cdma-bench
# runs on the native device alone, reports the guest device MISSING and
# exits with status 3, and so does this script.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

bench=$REPO/tools/cdma/cdma-bench
[ -x "$bench" ] || { echo "no $bench" >&2; exit 1; }
args=()
[ ! -e "$RESULTS/bench.args" ] || read -ra args <"$RESULTS/bench.args"
loopback=${BENCH_LOOPBACK:-$(dirname "$0")/rdma-loopback.sh}
out=$RESULTS/bench.out
: >"$out"
# The loopback's bus driver, loaded while the kernel's whole module tree is
# still visible: load_modules then keeps it in the reduced tree it mounts
# (modules already loaded are kept) whether or not check.conf names it.
modprobe virtio_vdpa || echo "bench: modprobe virtio_vdpa failed"
load_modules
rc=0
if [ -x "$loopback" ]; then
	echo "+ $loopback 1 cdma-bench -o $RESULTS ${args[*]}"
	"$loopback" 1 stdbuf -oL -eL "$bench" -o "$RESULTS" "${args[@]}" |
		tee "$out" || rc=$?
else
	echo "bench: no guest device set-up ($loopback)"
fi
if ! grep -q '^# cdma-bench:' "$out"; then
	# The set-up failed before cdma-bench ran: the native part alone.
	echo "bench: the guest device could not be set up; native device only"
	rc=0
	stdbuf -oL -eL "$bench" -o "$RESULTS" "${args[@]}" || rc=$?
fi
zc=$REPO/tools/testing/selftests/cdma/vmm_alloc_bench
if [ -x "$zc" ]; then
	echo "+ rdma-vhost.sh vmm_alloc_bench"
	st=0
	# The module as a user loads it: no payload counting (a lookup per
	# guest memory access).
	ZCOPY_PARAMS="max_ranges=1024 max_buffers=256 max_pieces=4096" \
		"$(dirname "$0")/rdma-vhost.sh" stdbuf -oL -eL "$zc" |
		tee "$RESULTS/zcopy-alloc.out" || st=$?
	cat "$RESULTS/zcopy-alloc.out" >>"$out"
	[ "$st" -eq 0 ] || { echo "bench: vmm_alloc_bench failed ($st)"; rc=1; }
else
	echo "bench: no $zc"
fi
unload_modules
exit "$rc"
