#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: build checks on the host, then the VM suites.
#
#   check.sh
#
# Prints one line per suite, "SUITE@ENV: N passed, M failed, K skipped",
# then "total: ...".  Exits 1 if anything failed or a suite is missing.
# Logs go to $REPO/out/check/ (printed on failure).
# Environment: KVER, KDIR, CACHE (as in the Makefile), CHECK_TIMEOUT (VM
# time limit, default 900 s), VERBOSE=1 (echo the VM console).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# A parent make's jobserver flags would make sub-makes print warnings.
unset MAKEFLAGS MFLAGS MAKELEVEL
KVER=${KVER:-$(detect_kver)}
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
VM=$REPO/tools/testing/vm
OUT=$REPO/out/check
SELFTESTS=$REPO/tools/testing/selftests/cdma
export KVER

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$REPO"

TOTAL_P=0 TOTAL_F=0 TOTAL_S=0 FAILED_LOGS=()

# Print a summary line and add it to the totals.
account() { # account LINE
	local p f s
	echo "$1"
	read -r _ p _ f _ s _ <<<"$1"
	TOTAL_P=$((TOTAL_P + p)) TOTAL_F=$((TOTAL_F + f)) TOTAL_S=$((TOTAL_S + s))
}

# --- build@host ------------------------------------------------------------
B_P=0 B_F=0 B_S=0

# build_test NAME LOG BAD_REGEX COMMAND...: passes when COMMAND succeeds and
# its output has no line matching BAD_REGEX (extended, case-insensitive).
build_test() {
	local name=$1 log=$OUT/$2 bad=$3 rc=0
	shift 3
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ] && ! grep -qiE "$bad" "$log"; then
		B_P=$((B_P + 1))
		return 0
	fi
	B_F=$((B_F + 1))
	FAILED_LOGS+=("$log")
	{
		echo "build@host: FAILED: $name (status $rc), $log:"
		if grep -iE "$bad" "$log"; then :; else tail -n 30 "$log"; fi |
			head -n 60
	} >&2
}

kmake() {
	make -C "$KDIR" M="$REPO" -j"$(nproc)" "$@"
}

# Kbuild skips up-to-date objects: clean so that every warning shows.
kmake clean >/dev/null 2>&1 || true
build_test "modules, W=1" build-w1.log 'warning:' kmake W=1 modules
# Nothing left to compile: this run only runs sparse (CHECK) on every file.
build_test "sparse (C=2)" build-sparse.log 'warning:|error:' \
	kmake W=1 C=2 modules

checkpatch() {
	local cp files
	cp=$(linux_source_dir)/scripts/checkpatch.pl
	[ -e "$cp" ] || { echo "no $cp: run make deps"; return 1; }
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		mapfile -t files < <(git ls-files -co --exclude-standard \
			'drivers/*.[ch]' 'include/*.[ch]')
	else
		mapfile -t files < <(find drivers include -name '*.[ch]' \
			! -name '*.mod.c' | sort)
	fi
	[ ${#files[@]} -gt 0 ] || { echo "no C files"; return 0; }
	echo "checkpatch: ${#files[@]} files"
	perl "$cp" --strict --no-tree --terse --show-types --no-summary \
		-f "${files[@]}"
}
build_test "checkpatch --strict" checkpatch.log ': (ERROR|WARNING|CHECK):' \
	checkpatch

if [ -e "$SELFTESTS/Makefile" ]; then
	build_test "selftests build" build-selftests.log 'warning:' \
		make -B -C "$SELFTESTS"
else
	echo "build@host: skipped: no $SELFTESTS/Makefile" >&2
	B_S=$((B_S + 1))
fi
account "build@host: $B_P passed, $B_F failed, $B_S skipped"

# --- VM suites ---------------------------------------------------------------

# vm_env ENV [run-vm.sh options]: boot once, run guest/check.sh, summarise.
vm_env() {
	local env=$1 res=$OUT/$1 rc=0 conf suite line
	shift
	"$VM/run-vm.sh" --env "$env" --script "$VM/guest/check.sh" \
		--results "$res" --timeout "${CHECK_TIMEOUT:-900}" "$@" || rc=$?
	conf=$VM/guest/check-$env.conf
	[ -e "$conf" ] || conf=$VM/guest/check.conf
	for suite in modules $(awk '$1 == "suite" { print $2 }' "$conf"); do
		line=$("$VM/tap-summary.sh" "$suite@$env" "$res/$suite.tap") ||
			FAILED_LOGS+=("$res/$suite.tap" "$res/guest.log")
		account "$line"
	done
	line=$("$VM/klog-check.sh" "$env" "$res/console.log" "$rc") ||
		FAILED_LOGS+=("$res/console.log")
	account "$line"
}

vm_env stock

echo "total: $TOTAL_P passed, $TOTAL_F failed, $TOTAL_S skipped"
if [ "$TOTAL_F" -ne 0 ]; then
	echo "check FAILED; logs:" >&2
	printf '  %s\n' "${FAILED_LOGS[@]}" | awk '!seen[$0]++' >&2
	exit 1
fi
