# SPDX-License-Identifier: GPL-2.0
#
# TAP results for the test scripts (sourced): ok STATUS DESCRIPTION
# [DIAGNOSTIC] prints "ok N DESCRIPTION" when STATUS is 0, else "not ok N
# DESCRIPTION" and "# DIAGNOSTIC"; $n counts the results, $failed the
# failures.  The script prints its plan ("1..N") itself.
# shellcheck shell=bash

n=0 failed=0

ok() { # ok STATUS DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		[ -z "${3:-}" ] || echo "# $3"
		failed=$((failed + 1))
	fi
}
