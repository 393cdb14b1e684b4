# SPDX-License-Identifier: GPL-2.0
# Helpers for guest scripts (sourced inside the test VM, where REPO,
# RESULTS, KVER and ENV are set by the VM's init).
# shellcheck shell=bash

: "${REPO:?}" "${RESULTS:?}"

# Lines "KEYWORD ARGS..." of a config file, comments and blanks dropped.
conf_lines() {
	awk -v k="$2" '$1 == k { $1 = ""; sub(/^ +/, ""); print }' "$1"
}

# Load the modules of the "module" lines of check.conf, in order.
load_modules() {
	local line words
	while read -r line; do
		read -ra words <<<"$line"
		echo "+ insmod ${words[*]}"
		insmod "$REPO/${words[0]}" "${words[@]:1}" || return
	done < <(conf_lines "$(dirname "${BASH_SOURCE[0]}")/check.conf" module)
}

# Unload them in reverse order.
unload_modules() {
	local m
	conf_lines "$(dirname "${BASH_SOURCE[0]}")/check.conf" module |
		awk '{ print $1 }' | tac | while read -r m; do
		m=$(basename "$m" .ko)
		echo "+ rmmod $m"
		rmmod "$m" || return
	done
}

# TAP writer for steps run by the guest script itself (module load/unload).
TAP_FILE="" TAP_N=0
tap_begin() {
	TAP_FILE=$1 TAP_N=0
	echo "TAP version 13" >"$TAP_FILE"
}

tap_result() { # tap_result STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N $2" >>"$TAP_FILE"
	else
		echo "not ok $TAP_N $2" >>"$TAP_FILE"
	fi
	return "$1"
}

tap_end() {
	echo "1..$TAP_N" >>"$TAP_FILE"
}

# Run a step, log its output, record it as a TAP result.
tap_run() { # tap_run DESCRIPTION COMMAND...
	local desc=$1 rc=0
	shift
	echo "+ $*"
	"$@" || rc=$?
	tap_result "$rc" "$desc"
}

# run_suite NAME TIMEOUT COMMAND...: run a TAP-printing program from $REPO
# with a time limit; stdout goes to $RESULTS/NAME.tap, stderr to
# $RESULTS/NAME.stderr.  An abnormal end (timeout, signal, missing program,
# exit status other than 0, 1 = failures or 4 = skipped) is recorded as a
# "Bail out!" line, which tap-summary.sh counts as a failure.
run_suite() {
	local name=$1 secs=$2 rc=0 why
	shift 2
	local tap=$RESULTS/$name.tap
	echo "=== suite $name: $* (timeout ${secs}s)"
	(cd "$REPO" && exec timeout -k 10 "$secs" "$@") \
		>"$tap" 2>"$RESULTS/$name.stderr" || rc=$?
	case $rc in
	0 | 1 | 4) why="" ;;
	124 | 137) why="timed out after ${secs}s" ;;
	126 | 127) why="cannot run $1 (status $rc)" ;;
	*) why="exit status $rc" ;;
	esac
	[ -z "$why" ] || echo "Bail out! $name: $why" >>"$tap"
	echo "=== suite $name: status $rc${why:+ ($why)}"
	tail -n 20 "$RESULTS/$name.stderr"
	return "$rc"
}
