#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a guest running udev loads for the device (Documentation/
# admin-guide.rst, "Device identity"), in loopback: with the modprobe.d
# file the package installs (tools/modprobe.d/) in /etc/modprobe.d, and
# neither driver loaded, systemd-udevd sees the virtio device of a new
# rdma_zcopy device (ID 20, bound to virtio_vdpa) and loads by its
# modalias, through kmod, from the test VM's module tree (Debian's
# virtio_crypto among them): virtio_rdma_remote must bind the device and
# give it its /dev/cdmaN; virtio_crypto, loaded after it, must not have
# it.  TAP on stdout; cdma_core and cdma_soft loaded (guest/check.sh).
set -uo pipefail

REPO=${REPO:-$(cd "$(dirname "$0")/../../../.." && pwd)}
# shellcheck source-path=SCRIPTDIR source=vdpa.sh
. "$(dirname "$0")/vdpa.sh"

CONF=/etc/modprobe.d/virtio_rdma_remote.conf
UDEVD=/lib/systemd/systemd-udevd
# shellcheck source-path=SCRIPTDIR source=../../lib/tap.sh
. "$(dirname "$0")/../../lib/tap.sh"
udevd=

cleanup() {
	[ ! -e "$VDPA_SYS/devices/rdma0" ] || vdpa dev del rdma0
	[ -z "$udevd" ] || kill "$udevd" 2>/dev/null
	wait 2>/dev/null
	for m in virtio_crypto crypto_engine virtio_rdma_remote rdma_zcopy \
		virtio_vdpa vdpa vhost_iotlb; do
		[ ! -e "/sys/module/$m/initstate" ] || rmmod "$m"
	done
	rm -f "$CONF"
}
trap cleanup EXIT

echo "1..4"
for m in virtio_rdma_remote virtio_crypto; do
	[ ! -e "/sys/module/$m" ] ||
		{ echo "Bail out! $m loaded before the test"; exit 1; }
done
if ! install -D -m 644 "$REPO/tools/modprobe.d/virtio_rdma_remote.conf" \
	"$CONF" || ! modprobe -a vdpa vhost_iotlb virtio_vdpa rdma_zcopy; then
	echo "Bail out! set-up failed"
	exit 1
fi

"$UDEVD" --resolve-names=never >/dev/null 2>&1 &
udevd=$!
for _ in $(seq 50); do
	udevadm control --ping 2>/dev/null && break
	sleep 0.2
done
udevadm control --ping
ok $? "systemd-udevd runs"

vdpa dev add name rdma0 mgmtdev rdma_zcopy
udevadm settle --timeout=60
d=$(compgen -G "$VDPA_SYS/devices/rdma0/virtio*" | head -n 1)
alias=$(cat "$d/modalias" 2>/dev/null)
drv=none
[ ! -e "$d/driver" ] || drv=$(basename "$(readlink "$d/driver")")
[ "$drv" = virtio_rdma_remote ]
ok $? "udev loaded the driver of $alias: virtio_rdma_remote bound it" \
	"bound to $drv; loaded: $(cut -d ' ' -f 1 /proc/modules | grep virtio | xargs)"

compgen -G "$d/misc/cdma*" >/dev/null
ok $? "the device has its /dev/cdmaN"

if modinfo virtio_crypto >/dev/null 2>&1; then
	[ -e /sys/module/virtio_crypto ] && [ "$drv" != virtio_crypto ]
	ok $? "virtio_crypto was loaded after it (softdep), and left the device alone"
else
	# The debug kernel has no modules but the project's.
	n=$((n + 1))
	echo "ok $n # SKIP virtio_crypto is not a module of this kernel"
fi

[ "$failed" -eq 0 ]
