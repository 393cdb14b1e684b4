#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench`: load the modules, run cdma-bench with the words
# of $RESULTS/bench.args as arguments (default: -d /dev/cdma0), unload them.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

bench=$REPO/tools/cdma/cdma-bench
[ -x "$bench" ] || { echo "no $bench" >&2; exit 1; }
args=(-d /dev/cdma0)
[ ! -e "$RESULTS/bench.args" ] || read -ra args <"$RESULTS/bench.args"
load_modules
stdbuf -oL -eL "$bench" "${args[@]}"
unload_modules
