#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio-rdma-remote in loopback, in the test VM: the vDPA backend
# (rdma_zcopy) and the guest driver (virtio_rdma_remote) in the same
# kernel, the device bound to virtio_vdpa (Documentation/virtio-rdma-remote.rst,
# "Host: rdma_zcopy").
#
# Usage: usage(), below (the script prints it when called without its
# arguments).
# Device nodes: the lowest /dev/cdmaN free, so with the native /dev/cdma0
# loaded first, rdma0 is /dev/cdma1, rdma1 /dev/cdma2...  rdma_zcopy and
# virtio_rdma_remote are loaded with modprobe when guest/check.sh installed
# them, else from $KO_DIR (default $REPO).
set -uo pipefail

usage() {
	cat >&2 <<'EOF'
  rdma-loopback.sh N COMMAND [ARG...]
	Load the vDPA modules, rdma_zcopy and virtio_rdma_remote (those not
	loaded yet), create the devices rdma0 .. rdma<N-1>, run COMMAND from
	$REPO, then delete the devices and unload what was loaded here.
	COMMAND's stdout is left alone (TAP); the set-up's messages go to
	stderr.  Exit status: COMMAND's, or 1 when the set-up or the tear-down
	failed (a "Bail out!" line is then printed on stdout).
  rdma-loopback.sh --add NAME   create one device bound to virtio_vdpa
  rdma-loopback.sh --del NAME   delete it

cdma_core and cdma_soft must be loaded (guest/check.sh loads them).
EOF
}

REPO=${REPO:-$(cd "$(dirname "$0")/../../../.." && pwd)}
KO_DIR=${KO_DIR:-$REPO}
MGMT=rdma_zcopy

# shellcheck source-path=SCRIPTDIR source=vdpa.sh
. "$(dirname "$0")/vdpa.sh"

log() { echo "rdma-loopback: $*" >&2; }

# The cdmaN node of vDPA device NAME (empty while there is none).
# shellcheck disable=SC2317 # called through vdpa_wait_node
cdma_node() { # cdma_node NAME
	local d
	for d in "$VDPA_SYS/devices/$1"/virtio*/misc/cdma*; do
		[ -e "$d" ] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}

# Create vDPA device NAME bound to virtio_vdpa; wait for its cdmaN node
# (misc_register() at probe).
dev_add() { # dev_add NAME
	local node
	vdpa_dev_add "$1" "$MGMT" virtio_vdpa || return 1
	node=$(vdpa_wait_node cdma_node "$1") || {
		log "$1: no /dev/cdmaN after probing"
		return 1
	}
	log "$1: $node"
}

dev_del() { # dev_del NAME
	vdpa dev del "$1"
}

case ${1:-} in
--add) dev_add "${2:?--add NAME}"; exit ;;
--del) dev_del "${2:?--del NAME}"; exit ;;
'' | *[!0-9]*)
	usage
	exit 2 ;;
esac
ndev=$1
shift
[ $# -gt 0 ] || { echo "rdma-loopback: no COMMAND" >&2; exit 2; }

loaded_mods=() made_devs=() rc=0

bail() {
	echo "Bail out! rdma-loopback: $*"
	log "$*"
	rc=1
}

teardown() {
	local d i
	for d in "${made_devs[@]}"; do
		# A test may have deleted it already.
		[ -e "$VDPA_SYS/devices/$d" ] || continue
		dev_del "$d" || bail "vdpa dev del $d failed"
	done
	for ((i = ${#loaded_mods[@]} - 1; i >= 0; i--)); do
		rmmod "${loaded_mods[i]}" || bail "rmmod ${loaded_mods[i]} failed"
	done
}

setup() {
	local m i
	for m in vdpa vhost_iotlb virtio_vdpa; do
		vdpa_is_loaded "$m" && continue
		modprobe "$m" || { bail "modprobe $m failed"; return 1; }
		loaded_mods+=("$m")
	done
	for m in rdma_zcopy virtio_rdma_remote; do
		vdpa_is_loaded "$m" && continue
		if modinfo "$m" >/dev/null 2>&1; then
			modprobe "$m"
		else
			insmod "$KO_DIR/drivers/$m/$m.ko"
		fi || { bail "loading $m failed"; return 1; }
		loaded_mods+=("$m")
	done
	vdpa mgmtdev show | grep -q "^$MGMT:" ||
		{ bail "no vDPA management device $MGMT"; return 1; }
	for ((i = 0; i < ndev; i++)); do
		dev_add "rdma$i" || { bail "cannot create rdma$i"; return 1; }
		made_devs+=("rdma$i")
	done
}

if setup; then
	(cd "$REPO" && exec "$@") || rc=$?
fi
teardown
exit "$rc"
