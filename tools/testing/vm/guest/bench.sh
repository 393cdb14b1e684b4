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
# The guest driver's page allocation, part of a guest's ALLOC, is not in
# vmm_alloc_bench, which plays the guest in user space.  It is measured
# here in the loopback guest, in a pass of its own after the main one (the
# tracing costs every transfer about 200 instructions): a kprobe pair on
# cdma_pages_alloc() while cdma-bench allocates on the guest device alone,
# whose returns not into cdma_soft are the guest driver's (clearing its
# pages, or not with VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED); the median time
# per page count goes to $RESULTS/guest-pages.txt and from there to
# vmm_alloc_bench -g.
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

tracing=/sys/kernel/tracing

# Record the entries and returns of cdma_pages_alloc(npages, ...).
probe_start() {
	mountpoint -q "$tracing" ||
		mount -t tracefs nodev "$tracing" 2>/dev/null || return 1
	echo 0 >"$tracing/tracing_on" &&
		echo 8192 >"$tracing/buffer_size_kb" &&
		echo >"$tracing/trace" &&
		echo 'p:cdma_bench/pa cdma_pages_alloc npages=%si:u64' \
			>"$tracing/kprobe_events" &&
		echo 'r:cdma_bench/par cdma_pages_alloc' \
			>>"$tracing/kprobe_events" &&
		echo 1 >"$tracing/events/cdma_bench/enable" &&
		echo 1 >"$tracing/tracing_on"
}

# Print "npages median_us calls" for the guest driver's calls; clean up.
probe_stop() {
	echo 0 >"$tracing/tracing_on"
	awk '
	match($0, /-[0-9]+ +\[/) {
		pid = substr($0, RSTART + 1, RLENGTH - 1) + 0
		if (!match($0, /[0-9]+\.[0-9]+: (pa|par):/))
			next
		split(substr($0, RSTART, RLENGTH), f, ": ")
		t = f[1] * 1e6
		if (f[2] == "pa:") {
			delete start[pid]
			if (match($0, /npages=[0-9]+/))
				start[pid] = t " " substr($0, RSTART + 7, RLENGTH - 7)
			next
		}
		# Its callers: cdma_soft (native) and the guest driver, whose
		# return address may show unresolved.
		if ((pid in start) && $0 !~ /\[cdma_soft\]/) {
			split(start[pid], s, " ")
			n[s[2]]++
			d[s[2], n[s[2]]] = t - s[1]
		}
		delete start[pid]
	}
	END {
		for (k in n) {
			m = n[k]
			for (i = 1; i <= m; i++)
				v[i] = d[k, i]
			for (i = 2; i <= m; i++)
				for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
					x = v[j]; v[j] = v[j - 1]; v[j - 1] = x
				}
			med = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
			printf "%d %.1f %d\n", k, med, m
		}
	}' "$tracing/trace" | sort -n
	echo 0 >"$tracing/events/cdma_bench/enable"
	echo >"$tracing/kprobe_events"
	echo >"$tracing/trace"
}

rc=0
pages=$RESULTS/guest-pages.txt
: >"$pages"
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
if [ -x "$zc" ] && [ -x "$loopback" ]; then
	echo "+ $loopback 1 cdma-bench -n none -T alloc (kprobe on cdma_pages_alloc)"
	if probe_start; then
		probe_out=$(mktemp -d)
		"$loopback" 1 "$bench" -n none -T alloc -A 4K:32M -t 0.01 -r 3 \
			-o "$probe_out" >/dev/null ||
			echo "bench: the guest allocation pass failed"
		probe_stop >"$pages"
		rm -rf "$probe_out"
	else
		echo "bench: no kprobe on cdma_pages_alloc; guest page allocation not measured"
	fi
fi
if [ -x "$zc" ]; then
	echo "+ rdma-vhost.sh vmm_alloc_bench"
	st=0
	# The module as a user loads it: no payload counting (a lookup per
	# guest memory access).
	ZCOPY_PARAMS="max_ranges=1024 max_buffers=256 max_pieces=4096" \
		"$(dirname "$0")/rdma-vhost.sh" stdbuf -oL -eL "$zc" -g "$pages" |
		tee "$RESULTS/zcopy-alloc.out" || st=$?
	cat "$RESULTS/zcopy-alloc.out" >>"$out"
	[ "$st" -eq 0 ] || { echo "bench: vmm_alloc_bench failed ($st)"; rc=1; }
else
	echo "bench: no $zc"
fi
unload_modules
exit "$rc"
