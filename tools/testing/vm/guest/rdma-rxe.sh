#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unimem nodes over Soft-RoCE in the test VM: one rxe device on a veth
# pair in the initial network namespace (rxe's sockets exist there only),
# and cdma_rdma with a node table whose nodes connect to this node's own
# address (rxe's loopback): Documentation/admin-guide.rst, "Nodes (Unimem
# across machines)", the same commands.
#
#   rdma-rxe.sh COMMAND [ARG...]
#
# Set-up: modprobe rdma_rxe, veth pair cr0/cr1 (both up; 10.77.0.1/24 on cr0, cr1 without an
# address), "rdma link add rxe0 type rxe netdev cr0", wait until its port
# is ACTIVE, modprobe cdma_rdma nodes=$RXE_NODES; then COMMAND runs from
# $REPO with RXE_DEV, RXE_NETDEV, RXE_ADDR, RXE_NODES and RXE_SELF in its
# environment; then the tear-down (rmmod cdma_rdma, rdma link delete,
# ip link del, modprobe -r rdma_rxe), whatever COMMAND left.  COMMAND's
# stdout is left alone (TAP); the set-up's messages go to stderr.  Exit
# status: COMMAND's, or 1 when the set-up or the tear-down failed (a
# "Bail out!" line is then printed on stdout).
#
# The node table: this node (cdma_soft's node_id) at 10.77.0.1; node 5 at
# 10.77.0.2, cr1's side, where nobody answers; node 6 at 10.77.0.1, a
# deliberate mistake: this node, which answers the HELLO as node_id, not 6
# (and whose listener takes the request, from node_id, for a reconnect).
set -uo pipefail

REPO=${REPO:-$(cd "$(dirname "$0")/../../../.." && pwd)}
KO_DIR=${KO_DIR:-$REPO}
export RXE_DEV=rxe0 RXE_NETDEV=cr0 RXE_PEER=cr1 RXE_ADDR=10.77.0.1
RXE_SELF=$(cat /sys/module/cdma_soft/parameters/node_id 2>/dev/null) ||
	RXE_SELF=1
export RXE_SELF
export RXE_NODES=${RXE_NODES:-$RXE_SELF=$RXE_ADDR,5=10.77.0.2,6=$RXE_ADDR}

log() { echo "rdma-rxe: $*" >&2; }

[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

rc=0
bail() {
	echo "Bail out! rdma-rxe: $*"
	log "$*"
	rc=1
}

# rxe_wait_active DEV: wait (20 s at most) until port 1 of DEV is ACTIVE.
rxe_wait_active() {
	local i
	for ((i = 0; i < 200; i++)); do
		rdma link show "$1/1" 2>/dev/null | grep -q 'state ACTIVE' &&
			return 0
		sleep 0.1
	done
	rdma link show >&2
	return 1
}
export -f rxe_wait_active

# cdma_rdma_load [PARAM=VALUE...]: the installed module (guest/check.sh),
# else the one built in $KO_DIR.
cdma_rdma_load() {
	if modinfo cdma_rdma >/dev/null 2>&1; then
		modprobe cdma_rdma "$@"
	else
		insmod "$KO_DIR/drivers/cdma_rdma/cdma_rdma.ko" "$@"
	fi
}
export -f cdma_rdma_load
export KO_DIR

setup() {
	local t0
	t0=$(cut -d ' ' -f 1 /proc/uptime)
	modprobe rdma_rxe || { bail "modprobe rdma_rxe failed"; return 1; }
	ip link add "$RXE_NETDEV" type veth peer name "$RXE_PEER" ||
		{ bail "ip link add $RXE_NETDEV type veth failed"; return 1; }
	if ! { ip addr add "$RXE_ADDR/24" dev "$RXE_NETDEV" &&
		ip link set "$RXE_NETDEV" up && ip link set "$RXE_PEER" up; }; then
		bail "cannot configure $RXE_NETDEV"
		return 1
	fi
	rdma link add "$RXE_DEV" type rxe netdev "$RXE_NETDEV" ||
		{ bail "rdma link add $RXE_DEV type rxe netdev $RXE_NETDEV failed"; return 1; }
	rxe_wait_active "$RXE_DEV" ||
		{ bail "$RXE_DEV: port not ACTIVE"; return 1; }
	cdma_rdma_load "nodes=$RXE_NODES" ||
		{ bail "loading cdma_rdma nodes=$RXE_NODES failed"; return 1; }
	log "$RXE_DEV on $RXE_NETDEV ($RXE_ADDR) ACTIVE, cdma_rdma nodes=$RXE_NODES, in $(awk -v t0="$t0" '{ print $1 - t0 }' /proc/uptime)s"
}

teardown() {
	if [ -e /sys/module/cdma_rdma/initstate ]; then
		rmmod cdma_rdma || bail "rmmod cdma_rdma failed"
	fi
	if rdma link show "$RXE_DEV/1" >/dev/null 2>&1; then
		rdma link delete "$RXE_DEV" || bail "rdma link delete $RXE_DEV failed"
	fi
	if ip link show "$RXE_NETDEV" >/dev/null 2>&1; then
		ip link del "$RXE_NETDEV" || bail "ip link del $RXE_NETDEV failed"
	fi
	if [ -e /sys/module/rdma_rxe/initstate ]; then
		modprobe -r rdma_rxe || bail "modprobe -r rdma_rxe failed"
	fi
}

if setup; then
	(cd "$REPO" && exec "$@") || rc=$?
fi
teardown
exit "$rc"
