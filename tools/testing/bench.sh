#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build the modules and tools/cdma, boot the stock kernel in a
# VM, load cdma_soft and run cdma-bench $BENCH_ARGS (default "-d /dev/cdma0";
# output shown live and kept in $REPO/out/bench/guest.log).
#
#   BENCH_ARGS="..." bench.sh
#
# BENCH_ARGS is split on blanks (no quoting).  Environment as for demo.sh;
# BENCH_TIMEOUT (default 1800 s).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

build_modules_and_tools
[ -x "$REPO/tools/cdma/cdma-bench" ] ||
	die "tools/cdma/cdma-bench was not built"
mkdir -p "$REPO/out/bench"
echo "${BENCH_ARGS--d /dev/cdma0}" >"$REPO/out/bench/bench.args"
vm_tool bench "$REPO/tools/testing/vm/guest/bench.sh" "${BENCH_TIMEOUT:-1800}"
