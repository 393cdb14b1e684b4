#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: build the modules and tools/cdma, boot the stock kernel in a
# VM and run cdma-demo natively and on a guest device (loopback
# virtio-rdma-remote), then compare their rates (guest/demo.sh; the tables
# are shown live).
#
#   demo.sh
#
# Environment: KVER, KDIR, CACHE (as in the Makefile), DEMO_TIMEOUT (VM time
# limit, default 900 s), VERBOSE=1 (echo the VM console instead).
# Logs: $REPO/out/demo/.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

build_modules_and_tools
[ -x "$REPO/tools/cdma/cdma-demo" ] || die "tools/cdma/cdma-demo was not built"
vm_tool demo "$REPO/tools/testing/vm/guest/demo.sh" "${DEMO_TIMEOUT:-900}"
