#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check a VM's kernel console log for oopses, warnings, lockdep, KASAN,
# UBSAN, kmemleak, hung tasks, lockups and RCU stalls.
#
#   klog-check.sh ENV CONSOLE_LOG [VM_STATUS]
#
# Prints "kernel@ENV: N passed, M failed, 0 skipped" (one test: the log is
# clean; plus one failed test when VM_STATUS, the exit status of run-vm.sh,
# says the VM timed out (124) or stopped early (125, 126)).  Offending lines
# go to stderr.  Exits 1 when anything failed.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 ENV CONSOLE_LOG [VM_STATUS]" >&2; exit 2; }
name=kernel@$1
log=$2
vm_status=${3:-0}

PATTERNS=(
	'Oops' 'BUG:' 'kernel BUG' 'WARNING:' 'Kernel panic'
	'general protection' 'Unable to handle' 'Call Trace'
	'possible circular locking' 'inconsistent lock state'
	'possible recursive locking' 'suspicious RCU usage'
	'UBSAN:' 'unreferenced object' 'hung_task' 'blocked for more than'
	'soft lockup' 'hard LOCKUP' 'self-detected stall' 'detected stalls'
	'rcu: INFO'
)
# The kernel echoes its command line, which may name such strings.
IGNORE='([Cc]ommand line:|Unknown kernel command line)'

passed=0 failed=0
if [ ! -e "$log" ]; then
	echo "$name: no console log $log" >&2
	failed=$((failed + 1))
else
	args=()
	for p in "${PATTERNS[@]}"; do
		args+=(-e "$p")
	done
	bad=$(grep -F -n "${args[@]}" "$log" | grep -Ev "$IGNORE" || true)
	if [ -n "$bad" ]; then
		echo "$name: kernel problems in $log:" >&2
		head -n 60 <<<"$bad" >&2
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
fi

case $vm_status in
124) echo "$name: the VM timed out" >&2; failed=$((failed + 1)) ;;
125) echo "$name: the VM stopped before the guest script ended (panic?)" >&2
	failed=$((failed + 1)) ;;
126) echo "$name: QEMU or run-vm.sh failed" >&2; failed=$((failed + 1)) ;;
esac

echo "$name: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
