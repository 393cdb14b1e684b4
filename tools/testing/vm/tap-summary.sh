#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the top-level results of a TAP/KTAP file (kselftest harness output).
#
#   tap-summary.sh SUITE@ENV TAP_FILE
#
# Prints exactly "SUITE@ENV: N passed, M failed, K skipped" and exits 1 when
# M > 0.  Only lines starting in column 0 with "ok"/"not ok" count (nested
# "# ok ..." or indented subtest lines do not).  "# SKIP" counts as skipped,
# "# TODO" on "not ok" as passed, a plan "1..0" (whole suite skipped) as one
# skipped.  A missing file, a missing plan, fewer
# results than planned and "Bail out!" count as failures (explained on
# stderr).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 SUITE@ENV TAP_FILE" >&2; exit 2; }
name=$1
tap=$2

if [ ! -e "$tap" ]; then
	echo "$name: no TAP output ($tap missing)" >&2
	echo "$name: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

awk -v name="$name" -v file="$tap" '
function problem(msg) { printf "%s: %s (%s)\n", name, msg, file > "/dev/stderr" }
/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; has_plan = 1; next }
/^Bail out!/ { bail = 1; problem($0); next }
/^(not )?ok([ \t]|$)/ {
	n++
	directive = ""
	if (match($0, /[ \t]#[ \t]*[A-Za-z]+/)) {
		directive = toupper(substr($0, RSTART, RLENGTH))
		sub(/^[ \t]*#[ \t]*/, "", directive)
	}
	if (directive ~ /^SKIP/)
		skipped++
	else if ($1 == "ok" || directive ~ /^TODO/)
		passed++
	else
		failed++
}
END {
	if (!has_plan) {
		problem("no TAP plan (1..N): output missing or truncated")
		failed++
	} else if (n < plan) {
		problem(sprintf("%d of %d planned results missing", plan - n, plan))
		failed += plan - n
	} else if (n > plan) {
		problem(sprintf("%d results, %d planned", n, plan))
		failed++
	} else if (bail) {
		failed++
	} else if (plan == 0) {
		skipped++	# "1..0 # SKIP reason": the whole suite skipped
	}
	printf "%s: %d passed, %d failed, %d skipped\n", name, passed, failed, skipped
	exit failed > 0
}' "$tap"
