#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn the KTAP that a KUnit test module printed at load time into flat TAP
# result lines, one per test case (one per parameter of a parameterised
# case), for tap-summary.sh.
#
#   kunit-tap.sh MODULE INSMOD_STATUS KTAP_FILE SUITE...
#
# KTAP_FILE: the kernel log lines of the module's load (timestamps allowed).
# SUITE...: the suites the module must run; one that did not end (module
# crashed or hung, suite missing) is a failed result, and so is a failed
# insmod (INSMOD_STATUS != 0).  Prints "ok NAME", "not ok NAME" or
# "ok NAME # SKIP ..." lines, NAME being SUITE.CASE[.PARAMETER]; no plan
# and no numbers (the caller numbers them).
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 MODULE INSMOD_STATUS KTAP_FILE SUITE..." >&2; exit 2; }
module=$1 status=$2 ktap=$3
shift 3
[ -e "$ktap" ] || ktap=/dev/null

awk -v module="$module" -v status="$status" -v expected="$*" '
function emit(res, name, directive) {
	print res " " name (directive != "" ? " # " directive : "")
	if (res == "not ok")
		suite_failed[suite]++
	suite_results[suite]++
}
# Split a result line: res, num, name, directive.
function result(text,    m) {
	res = (text ~ /^not ok /) ? "not ok" : "ok"
	sub(/^(not )?ok [0-9]+ ?/, "", text)
	directive = ""
	if (match(text, / # /)) {
		directive = substr(text, RSTART + 3)
		text = substr(text, 1, RSTART - 1)
	}
	name = text
}
{
	sub(/\r$/, "")
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "")	# dmesg timestamp
	match($0, /^ */)
	level = int(RLENGTH / 4)
	text = substr($0, RLENGTH + 1)
}
level == 1 && text ~ /^# Subtest: / {
	suite = substr(text, 12)
	started[suite] = 1
	param_parent = ""
	next
}
level == 2 && text ~ /^# Subtest: / {
	param_parent = substr(text, 12)
	param_failed = 0
	param_count = 0
	next
}
text !~ /^(not )?ok [0-9]+/ { next }
level == 2 && suite != "" {
	result(text)
	emit(res, suite "." param_parent "." name, directive)
	param_count++
	if (res == "not ok")
		param_failed++
	next
}
level == 1 && suite != "" {
	result(text)
	if (param_parent != "" && param_parent == name && param_count) {
		# counted by its parameters, unless it failed on its own
		if (res == "not ok" && !param_failed)
			emit("not ok", suite "." name, "failed outside its parameters")
	} else {
		emit(res, suite "." name, directive)
	}
	param_parent = ""
	next
}
level == 0 {
	result(text)
	if (!(name in started))
		next
	ended[name] = 1
	if (!suite_results[name]) {
		# nothing ran: a skipped or failed suite (init failed)
		suite = name
		if (directive ~ /^SKIP/)
			emit("ok", name, directive)
		else
			emit(res, name, res == "ok" ? "" : "suite failed, no test ran")
	} else if (res == "not ok" && !suite_failed[name]) {
		suite = name
		emit("not ok", name, "suite failed")
	}
	suite = ""
}
END {
	suite = ""
	if (status != 0)
		emit("not ok", "insmod " module, "exit status " status)
	n = split(expected, want, " ")
	for (i = 1; i <= n; i++) {
		if (ended[want[i]])
			continue
		suite = want[i]
		why = "suite missing from " module " output"
		if (started[want[i]])
			why = "suite did not finish (crash or hang?)"
		emit("not ok", want[i], why)
	}
}' "$ktap"
