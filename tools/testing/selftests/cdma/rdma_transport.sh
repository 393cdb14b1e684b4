#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cdma_rdma, the transport between Unimem nodes over RDMA (connections
# and their HELLO only: no transfer uses them yet).  Run by
# tools/testing/vm/guest/rdma-rxe.sh, which sets up rxe0 on cr0
# (10.77.0.1) and loads cdma_rdma with the node table RXE_NODES: this node
# RXE_SELF at 10.77.0.1, node 5 at 10.77.0.2 (nobody there), node 6 at
# 10.77.0.1 (this node, which answers as RXE_SELF).  TAP on stdout.
#
#  1. cdma_rdma sees the rxe device (ACTIVE);
#  2. connecting to this node (rxe loopback) succeeds, the connection is
#     up on both sides; a second connect reuses it (same serial);
#  3. node 6: the HELLO answer is node RXE_SELF, not 6: EHOSTUNREACH; its
#     connect request, from node RXE_SELF again, replaced node RXE_SELF's
#     accepted connection: every connection is torn down; connecting to
#     node RXE_SELF again gives one connection each way;
#  4. node 5, an address where no RDMA device answers: fails within
#     seconds (ENETUNREACH); a signal ends such a connect at once;
#  5. a node not in the table: EHOSTUNREACH; not a number: EINVAL;
#  6. rdma link delete with a connection up: the device and its
#     connections are gone; a connect then fails (ENETUNREACH); with the
#     device added again, it succeeds;
#  7. rmmod with a connection up; malformed parameters (and addresses
#     that cannot be a node's) refused at load (EINVAL); a node table without this node: the listener refuses
#     (ECONNREFUSED); loaded again, connecting works;
#  8. rdma_rxe unloaded with a connection up: device and connections gone.
# The kernel log (oops, WARN, lockdep...) is checked by make check
# (kernel@ENV).
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=../../lib/tap.sh
. "$(dirname "$0")/../../lib/tap.sh"

: "${RXE_DEV:?run by rdma-rxe.sh}" "${RXE_NETDEV:?}" "${RXE_NODES:?}"
: "${RXE_SELF:?}"
DBG=/sys/kernel/debug/cdma_rdma
# A connect that fails must fail within this many seconds (cdma_rdma bounds
# a connect at about 10 s; the failures tested here come sooner).
FAST=8

# connect ID: write ID to the connect file; sets r to "OK" or the error
# message of the write (strerror), secs to the seconds it took.
r="" secs=0
connect() {
	local out t0
	t0=$(cut -d ' ' -f 1 /proc/uptime)
	if out=$( { printf '%s' "$1" >"$DBG/connect"; } 2>&1); then
		r=OK
	else
		r=${out##*: }
	fi
	secs=$(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime)
	[ "$r" = OK ]
}

# within SECS: did the last connect take less than SECS seconds?
within() { awk -v s="$secs" -v max="$1" 'BEGIN { exit !(s < max) }'; }

# conns PATTERN: number of lines of the conns file matching PATTERN.
conns() { grep -cE -- "$1" "$DBG/conns"; }

# serial NODE DIR: the serial number of the up connection with NODE in
# direction DIR (out or in), empty when there is none.
serial() {
	sed -n "s/^conn node=$1 .* dir=$2 state=up serial=\([0-9]*\)\$/\1/p" \
		"$DBG/conns"
}

# The conns file on one line (a TAP diagnostic).
dump() { tr '\n' ';' <"$DBG/conns" 2>&1; }

# wait_conns PATTERN N: wait (10 s at most) until N lines match.
wait_conns() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(conns "$1")" -eq "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

echo "1..18"

# 1.
rdma link show "$RXE_DEV/1" | grep -q "state ACTIVE.*netdev $RXE_NETDEV" &&
	[ "$(conns "^device $RXE_DEV\$")" -eq 1 ]
ok $? "cdma_rdma sees $RXE_DEV, ACTIVE on $RXE_NETDEV" "$(dump)"

# 2.
self_up="^conn node=$RXE_SELF addr=10.77.0.1 dir=out state=up serial=[0-9]+\$"
self_in="^conn node=$RXE_SELF addr=10.77.0.1 dir=in state=up serial=[0-9]+\$"
connect "$RXE_SELF"
[ "$r" = OK ] && wait_conns "$self_in" 1 && [ "$(conns "$self_up")" -eq 1 ]
ok $? "connect to node $RXE_SELF (this node, rxe loopback): up both ways, ${secs}s" \
	"connect: $r; $(dump)"
s1=$(serial "$RXE_SELF" out)
connect "$RXE_SELF"
s2=$(serial "$RXE_SELF" out)
[ "$r" = OK ] && [ -n "$s1" ] && [ "$s1" = "$s2" ] &&
	[ "$(conns "^conn ")" -eq 2 ]
ok $? "connect to node $RXE_SELF again: the connection is reused, serial $s1 (${secs}s)" \
	"connect: $r; serial before $s1, after $s2; $(dump)"

# 3.
connect 6
[ "$r" = "No route to host" ] && within "$FAST"
ok $? "node 6 at this node's address answers as node $RXE_SELF: EHOSTUNREACH (${secs}s)" \
	"connect: $r"
# Its connect request claims node RXE_SELF: the listener replaced node
# RXE_SELF's accepted connection with it, which closed both ends.
wait_conns "^conn " 0
ok $? "node 6's request, as node $RXE_SELF, replaced node $RXE_SELF's connection: all torn down" \
	"$(dump)"
connect "$RXE_SELF"
[ "$r" = OK ] && wait_conns "$self_in" 1 && [ "$(conns "$self_up")" -eq 1 ] &&
	[ "$(conns "^conn ")" -eq 2 ]
ok $? "connect to node $RXE_SELF anew: one connection each way (${secs}s)" \
	"connect: $r; $(dump)"

# 4.
connect 5
[ "$r" = "Network is unreachable" ] && within "$FAST"
ok $? "node 5, an address without an RDMA device: ENETUNREACH within ${FAST}s (${secs}s)" \
	"connect: $r"
# The same connect, its writer sent SIGINT after 0.5 s: the wait ends then.
t0=$(cut -d ' ' -f 1 /proc/uptime)
timeout -s INT 0.5 bash -c "printf 5 >$DBG/connect" 2>/dev/null
secs=$(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime)
within 1.5 && wait_conns "node=5" 0
ok $? "node 5, the writer interrupted by SIGINT after 0.5s: returns then (${secs}s)" \
	"$(dump)"

# 5.
connect 9
[ "$r" = "No route to host" ] && within 1
ok $? "node 9, not in the node table: EHOSTUNREACH (${secs}s)" "connect: $r"
connect nine
[ "$r" = "Invalid argument" ]
ok $? "node id 'nine': EINVAL" "connect: $r"

# 6.
rdma link delete "$RXE_DEV" && wait_conns "^(device|conn) " 0
ok $? "rdma link delete $RXE_DEV with a connection up: device and connections gone" \
	"$(dump)"
connect "$RXE_SELF"
[ "$r" = "Network is unreachable" ] && within "$FAST" && wait_conns "^conn " 0
ok $? "connect without an RDMA device: ENETUNREACH (${secs}s)" "connect: $r"
rdma link add "$RXE_DEV" type rxe netdev "$RXE_NETDEV" &&
	rxe_wait_active "$RXE_DEV" && connect "$RXE_SELF" && [ "$r" = OK ] &&
	[ "$(conns "$self_up")" -eq 1 ]
ok $? "$RXE_DEV added again: connect to node $RXE_SELF up (${secs}s)" \
	"connect: $r; $(dump)"

# 7.
rmmod cdma_rdma && [ ! -e /sys/module/cdma_rdma ]
ok $? "rmmod cdma_rdma with connections up"
bad=()
many=1=10.77.0.1
for ((i = 2; i <= 65; i++)); do
	many+=",$i=10.77.1.$i"
done
for p in "nodes=1=10.77.0" "nodes=70000=10.77.0.1" "nodes=x=10.77.0.1" \
	"nodes=1=10.77.0.1,1=10.77.0.2" "nodes=1=10.77.0.1," "nodes=1" \
	"nodes=1=10.77.0.1,,2=10.77.0.2" "nodes=$many" "nodes=1=0.0.0.0" \
	"nodes=1=224.0.0.1" "nodes=1=255.255.255.255" "nodes=1=127.0.0.1" \
	"port=0" "port=65536"; do
	out=$(cdma_rdma_load "$p" 2>&1)
	if [ -e /sys/module/cdma_rdma ]; then
		bad+=("${p:0:40}: loaded")
		rmmod cdma_rdma
	elif ! grep -q "Invalid argument" <<<"$out"; then
		bad+=("${p:0:40}: $out")
	fi
done
[ ${#bad[@]} -eq 0 ]
ok $? "malformed nodes= (65 entries, 0.0.0.0, multicast...) and port= refused at load with EINVAL" \
	"${bad[*]}"
# A table without this node: its listener refuses this node's request.
r="not loaded"
cdma_rdma_load "nodes=7=$RXE_ADDR" && connect 7
[ "$r" = "Connection refused" ] && within "$FAST" && wait_conns "^conn " 0
ok $? "node 7 at this node's address, whose table lacks node $RXE_SELF: ECONNREFUSED (${secs}s)" \
	"connect: $r; $(dump)"
rmmod cdma_rdma
cdma_rdma_load "nodes=$RXE_NODES" && connect "$RXE_SELF" && [ "$r" = OK ] &&
	[ "$(conns "$self_up")" -eq 1 ]
ok $? "cdma_rdma loaded again: connect to node $RXE_SELF up (${secs}s)" \
	"connect: ${r:-not loaded}; $(dump)"

# 8.
modprobe -r rdma_rxe && wait_conns "^(device|conn) " 0
ok $? "modprobe -r rdma_rxe with a connection up: device and connections gone" \
	"$(dump)"

[ "$failed" -eq 0 ]
