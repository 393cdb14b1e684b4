#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An rdma_zcopy vDPA device bound to vhost_vdpa, in the test VM, for a
# program that plays the VMM over /dev/vhost-vdpa-N (the swap path of
# Documentation/virtio-rdma-remote.rst, "Host: rdma_zcopy").
#
# Usage: usage(), below (the script prints it when called without its
# arguments).
set -uo pipefail

usage() {
	cat >&2 <<'EOF'
  rdma-vhost.sh COMMAND [ARG...]
	Load vdpa, vhost_vdpa and rdma_zcopy (those not loaded yet), create
	the vDPA device rdmaz bound to vhost_vdpa, run COMMAND from $REPO
	with ZCOPY_DEV=/dev/vhost-vdpa-N and ZCOPY_VDPA=rdmaz in its
	environment, then delete the device and unload what was loaded
	here.  COMMAND's stdout is left alone (TAP); the set-up's messages
	go to stderr.  Exit status: COMMAND's, or 1 when the set-up or the
	tear-down failed (a "Bail out!" line is then printed on stdout).

cdma_core and cdma_soft must be loaded (guest/check.sh loads them).
rdma_zcopy is loaded with modprobe when guest/check.sh installed it,
else from $KO_DIR (default $REPO), like rdma-loopback.sh, with the
parameters $ZCOPY_PARAMS (default "max_ranges=1024 max_buffers=256
max_pieces=4096 payload_stats=1": the tests of the limits make that many
mappings, which takes minutes on a debug kernel under TCG at the
defaults, and the zero-copy tests read payload_copied_bytes).  An
rdma_zcopy already loaded is used as it is: the tests read the limits
from the config space.
EOF
}

REPO=${REPO:-$(cd "$(dirname "$0")/../../../.." && pwd)}
KO_DIR=${KO_DIR:-$REPO}
MGMT=rdma_zcopy
NAME=${ZCOPY_VDPA:-rdmaz}

# shellcheck source-path=SCRIPTDIR source=vdpa.sh
. "$(dirname "$0")/vdpa.sh"

log() { echo "rdma-vhost: $*" >&2; }

case ${1:-} in
'' | -h | --help)
	usage
	exit 2 ;;
esac

loaded_mods=() made_dev="" rc=0

bail() {
	echo "Bail out! rdma-vhost: $*"
	log "$*"
	rc=1
}

# modprobe NAME; remember it for the tear-down if it is a loadable module.
load() { # load NAME
	modprobe "$1" || return
	[ ! -e "/sys/module/$1/initstate" ] || loaded_mods+=("$1")
}

# The /dev/vhost-vdpa-N node of vDPA device NAME (empty while there is none).
# shellcheck disable=SC2317 # called through vdpa_wait_node
vhost_node() { # vhost_node NAME
	local d
	for d in "$VDPA_SYS/devices/$1"/vhost-vdpa-*; do
		[ -e "$d" ] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}

# Create vDPA device NAME bound to vhost_vdpa (even when virtio_vdpa is
# loaded too); set ZCOPY_DEV to its node.
dev_add() { # dev_add NAME
	local st=0
	vdpa_dev_add "$1" "$MGMT" vhost_vdpa || st=$?
	[ "$st" -eq 1 ] || made_dev=$1
	[ "$st" -eq 0 ] || return 1
	ZCOPY_DEV=$(vdpa_wait_node vhost_node "$1") || {
		log "$1: no /dev/vhost-vdpa-N after probing"
		return 1
	}
	log "$1: $ZCOPY_DEV"
}

setup() {
	local m params
	for m in vdpa vhost_iotlb vhost vhost_vdpa; do
		vdpa_is_loaded "$m" && continue
		load "$m" || { bail "modprobe $m failed"; return 1; }
	done
	if [ ! -e /sys/module/rdma_zcopy ]; then
		read -ra params <<<"${ZCOPY_PARAMS-max_ranges=1024 max_buffers=256 max_pieces=4096 payload_stats=1}"
		if modinfo rdma_zcopy >/dev/null 2>&1; then
			modprobe rdma_zcopy "${params[@]}"
		else
			insmod "$KO_DIR/drivers/rdma_zcopy/rdma_zcopy.ko" \
				"${params[@]}"
		fi || { bail "loading rdma_zcopy failed"; return 1; }
		loaded_mods+=(rdma_zcopy)
	fi
	vdpa mgmtdev show | grep -q "^$MGMT:" ||
		{ bail "no vDPA management device $MGMT"; return 1; }
	if [ -e "$VDPA_SYS/devices/$NAME" ]; then
		bail "vDPA device $NAME exists already"
		return 1
	fi
	dev_add "$NAME" ||
		{ bail "cannot create $NAME bound to vhost_vdpa"; return 1; }
	export ZCOPY_DEV ZCOPY_VDPA=$NAME
}

teardown() {
	local i
	if [ -n "$made_dev" ] && [ -e "$VDPA_SYS/devices/$made_dev" ]; then
		vdpa dev del "$made_dev" || bail "vdpa dev del $made_dev failed"
	fi
	for ((i = ${#loaded_mods[@]} - 1; i >= 0; i--)); do
		rmmod "${loaded_mods[i]}" || bail "rmmod ${loaded_mods[i]} failed"
	done
}

if setup; then
	(cd "$REPO" && exec "$@") || rc=$?
fi
teardown
exit "$rc"
