#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make demo`: load the modules; run cdma-demo on the native
# device (/dev/cdma0), then on the guest device of a loopback
# virtio-rdma-remote device (guest/rdma-loopback.sh 1: virtio_rdma_remote
# on rdma_zcopy through virtio_vdpa, /dev/cdma1), then print their rates
# side by side, with the ratio and the $CLOCK line (demo.sh: which clock
# timed them); unload the modules.  Output also in $RESULTS/demo.out.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

demo=$REPO/tools/cdma/cdma-demo
[ -x "$demo" ] || { echo "no $demo" >&2; exit 1; }
out=$RESULTS/demo.out
# The loopback's bus driver, loaded while the kernel's whole module tree is
# still visible (as guest/bench.sh does).
modprobe virtio_vdpa || echo "demo: modprobe virtio_vdpa failed"
load_modules
rc=0
echo "== native program on /dev/cdma0 (the engine's own device)"
stdbuf -oL -eL "$demo" -d /dev/cdma0 -l native | tee "$out" || rc=1
echo
echo "== guest program on /dev/cdma1 (virtio-rdma-remote device, loopback)"
"$(dirname "$0")/rdma-loopback.sh" 1 stdbuf -oL -eL "$demo" -d /dev/cdma1 \
	-l guest | tee -a "$out" || rc=1
echo
unload_modules
echo "== transfer rate by size, guest against native (MB per second of the clock below; higher is better)"
awk '$1 == "RATE" {
	if (!(($3) in seen)) { seen[$3] = 1; order[n++] = $3 }
	rate[$2, $3] = $4
}
END {
	printf "%12s %12s %12s %14s\n", "size", "native", "guest", "guest/native"
	for (i = 0; i < n; i++) {
		s = order[i]; a = rate["native", s]; b = rate["guest", s]
		printf "%12s %12s %12s %14s\n", s, a == "" ? "-" : a,
		       b == "" ? "-" : b,
		       (a > 0 && b != "") ? sprintf("%.3f", b / a) : "-"
	}
}' "$out"
echo "${CLOCK:-clock: unknown}"
exit "$rc"
