#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: build the modules and tools/cdma, boot the stock kernel in a
# VM and run cdma-demo natively and on a guest device (loopback
# virtio-rdma-remote), then compare their rates (guest/demo.sh; the tables
# are shown live).  The VM runs under KVM where it is proven to work (see
# vm/accel-probe.sh), else under QEMU's instruction counter (icount): the
# rates are then per virtual second, and the guest/native ratios are what
# they measure.  The table ends with the "clock:" line saying which.
#
#   demo.sh
#
# Environment: KVER, KDIR, CACHE (as in the Makefile), ACCEL (auto, kvm,
# tcg, icount: see vm/run-vm.sh; auto means kvm, else icount here),
# DEMO_TIMEOUT (VM time limit, default 900 s), VERBOSE=1 (echo the VM
# console instead).  Logs: $REPO/out/demo/.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

build_modules_and_tools
[ -x "$REPO/tools/cdma/cdma-demo" ] || die "tools/cdma/cdma-demo was not built"
accel=$(measure_accel "/boot/vmlinuz-${KVER:-$(detect_kver)}")
clock=$(clock_line "$accel")
echo "$clock"
clock_note "$accel"
vm_tool demo "$REPO/tools/testing/vm/guest/demo.sh" "${DEMO_TIMEOUT:-900}" \
	--accel "$accel" --setenv "CLOCK=$clock"
clock_note "$accel"
