#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make check` (run by run-vm.sh inside the test VM).
# Loads the modules and runs the suites listed in check-$ENV.conf (or
# check.conf), writing $RESULTS/modules.tap (one result per insmod and per
# rmmod) and $RESULTS/SUITE.tap for each suite.  Exits 1 if anything failed.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

conf=$(dirname "$0")/check-$ENV.conf
[ -e "$conf" ] || conf=$(dirname "$0")/check.conf

mapfile -t modules < <(conf_lines "$conf" module)
mapfile -t suites < <(conf_lines "$conf" suite)
rc=0
mods_ok=1
loaded=()

tap_begin "$RESULTS/modules.tap"
for line in "${modules[@]}"; do
	read -ra words <<<"$line"
	ko=${words[0]}
	if tap_run "insmod $ko" insmod "$REPO/$ko" "${words[@]:1}"; then
		loaded+=("$(basename "$ko" .ko)")
	else
		rc=1 mods_ok=0
		break
	fi
done

for line in "${suites[@]}"; do
	read -ra words <<<"$line"
	name=${words[0]}
	if [ "$mods_ok" -eq 0 ]; then
		echo "Bail out! $name: not run, modules failed to load" \
			>"$RESULTS/$name.tap"
		continue
	fi
	run_suite "$name" "${words[1]}" "${words[@]:2}" || rc=1
done

for ((i = ${#loaded[@]} - 1; i >= 0; i--)); do
	tap_run "rmmod ${loaded[i]}" rmmod "${loaded[i]}" || rc=1
done
tap_end

dmesg >"$RESULTS/dmesg.log"
exit "$rc"
