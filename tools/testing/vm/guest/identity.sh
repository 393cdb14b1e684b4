#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The device's identity (Documentation/virtio-rdma-remote.rst, "Device
# ID"), in loopback: run by rdma-loopback.sh 0, which loads rdma_zcopy and
# virtio_rdma_remote.  TAP on stdout.
#
#  1. the default device (ID 20, VIRTIO_RDMA_REMOTE_F_IDENTITY offered) is
#     bound to virtio_rdma_remote and has its /dev/cdmaN;
#  2. a device of ID 20 without F_IDENTITY (vdpa dev add ...
#     device_features) is what a real virtio-crypto device looks like: the
#     driver refuses it before FEATURES_OK, and says so;
#  3. device_features beyond those offered: vdpa dev add fails (EINVAL).
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=vdpa.sh
. "$(dirname "$0")/vdpa.sh"

MGMT=rdma_zcopy
VERSION_1=$((1 << 32)) ACCESS_PLATFORM=$((1 << 33)) F_GLOBAL=1 F_IDENTITY=$((1 << 63))
# shellcheck source-path=SCRIPTDIR source=../../lib/tap.sh
. "$(dirname "$0")/../../lib/tap.sh"

# The virtio device of vDPA device $1, and its driver's name (or "none").
virtio_of() { compgen -G "$VDPA_SYS/devices/$1/virtio*" | head -n 1; }
driver_of() {
	local d
	d=$(virtio_of "$1")
	if [ -n "$d" ] && [ -e "$d/driver" ]; then
		basename "$(readlink "$d/driver")"
	else
		echo none
	fi
}

echo "1..3"

vdpa_dev_add idyes "$MGMT" virtio_vdpa
d=$(virtio_of idyes) drv=$(driver_of idyes)
alias=$(cat "$d/modalias" 2>/dev/null)
[ "$drv" = virtio_rdma_remote ] && [ "${alias:0:17}" = virtio:d00000014v ] &&
	compgen -G "$d/misc/cdma*" >/dev/null
ok $? "default device: ID 20 with F_IDENTITY, bound to virtio_rdma_remote" \
	"driver $drv, modalias $alias"
vdpa dev del idyes

printf -v feat '%#x' $((VERSION_1 | ACCESS_PLATFORM | F_GLOBAL))
dmesg -C
vdpa_dev_add idno "$MGMT" virtio_vdpa "$feat"
drv=$(driver_of idno)
log=$(dmesg | grep -c 'without F_IDENTITY: not a virtio-rdma-remote device')
[ "$drv" = none ] && [ "$log" -eq 1 ]
ok $? "ID 20 without F_IDENTITY ($feat): refused by virtio_rdma_remote" \
	"driver $drv, $log refusal messages"
vdpa dev del idno

printf -v feat '%#x' $((VERSION_1 | ACCESS_PLATFORM | F_IDENTITY | (1 << 5)))
"$(dirname "$0")/vdpa-dev-add.py" idbad "$MGMT" "$feat"
r=$((! $?))
[ ! -e "$VDPA_SYS/devices/idbad" ] || vdpa dev del idbad
ok "$r" "device_features beyond those offered ($feat): refused"

[ "$failed" -eq 0 ]
