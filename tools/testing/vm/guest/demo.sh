#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make demo`: load the modules, run cdma-demo, unload them.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

demo=$REPO/tools/cdma/cdma-demo
[ -x "$demo" ] || { echo "no $demo" >&2; exit 1; }
load_modules
stdbuf -oL -eL "$demo" -d /dev/cdma0
unload_modules
