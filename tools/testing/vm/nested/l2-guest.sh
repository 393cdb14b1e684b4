#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script of the nested guest (L2), booted in the test VM by
# nested/run-l2.sh: loads the guest driver, runs the cDMA suite on the
# vhost-vdpa-device-pci device of rdma_zcopy, unloads the driver.
#
# The same steps as guest/check.sh, without its module checks (depmod,
# modinfo: those of L1 and of the stock environment, on the same .ko files):
# L2 is TCG inside TCG, where every new program costs seconds of
# translation, so this script runs busybox applets only (static, one
# binary), and one dynamic program, the suite.
#
# Environment (run-vm.sh --setenv): VRR_DEVICE_ID, the virtio device ID of
# rdma_zcopy in L1; SUITE_TIMEOUT, seconds for the suite (default 600);
# CDMA_TIMEOUT_SCALE, for the suite's per-test timeouts; CDMA_LADDER_MAX,
# the largest buffer of the suite's data_ladder test (default here 256M).
# Results in $RESULTS: modules.tap (one result per insmod and rmmod, plus
# "no module left"), cdma-guest.tap (the suite's TAP, "Bail out!" added on
# an abnormal end), cdma-guest.stderr, cdma-guest.times (each TAP line
# prefixed with L2's uptime when it was printed: the time of every test),
# dmesg.log.  Exit status 1 when anything failed.

# busybox ash; shellcheck knows bash, closest to it (pipefail).
# shellcheck shell=bash disable=SC2016
BB=/bin/busybox
: "${REPO:?}" "${RESULTS:?}" "${VRR_DEVICE_ID:?}"
KO_DIR=${KO_DIR:-$REPO}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-600}
export CDMA_TIMEOUT_SCALE="${CDMA_TIMEOUT_SCALE:-10}"
export CDMA_LADDER_MAX="${CDMA_LADDER_MAX:-256M}"
MODS="cdma_core virtio_rdma_remote"
rc=0

uptime() {
	$BB cut -d ' ' -f 1 /proc/uptime
}

n=0
tap() { # tap STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2" >>"$RESULTS/modules.tap"
	else
		echo "not ok $n $2" >>"$RESULTS/modules.tap"
		rc=1
	fi
}

step() { # step DESCRIPTION COMMAND...
	desc=$1
	shift
	echo "+ $* (uptime $(uptime)s)"
	"$@"
	st=$?
	tap "$st" "$desc"
	return "$st"
}

# A distribution guest (L2_ETC set): the package's /etc files in place,
# systemd-udevd started, the virtio devices present since boot announced
# again (udevadm trigger): udev loads the drivers by modalias from the
# module tree (Debian's, with the package installed).  distro.tap: the
# device is bound to virtio_rdma_remote, by udev alone, and to no other
# driver; virtio_crypto came after it (softdep).
dn=0
dtap=$RESULTS/distro.tap
dres() { # dres STATUS DESCRIPTION: one result of distro.tap
	dn=$((dn + 1))
	if [ "$1" -eq 0 ]; then echo "ok $dn $2"; else echo "not ok $dn $2"; fi >>"$dtap"
	[ "$1" -eq 0 ] || rc=1
}

distro_load() {
	echo "TAP version 13" >"$dtap"
	$BB mkdir -p /etc/modprobe.d &&
		$BB cp "$L2_ETC"/modprobe.d/* /etc/modprobe.d/
	dres $? "the package's modprobe.d file in /etc/modprobe.d"
	[ ! -e /sys/module/virtio_rdma_remote ] && [ ! -e /sys/module/cdma_core ]
	dres $? "no project module loaded before udev"
	echo "+ systemd-udevd (uptime $(uptime)s)"
	/lib/systemd/systemd-udevd --daemon --resolve-names=never
	/bin/udevadm trigger --action=add --subsystem-match=virtio &&
		/bin/udevadm settle --timeout=300
	dres $? "systemd-udevd ran, virtio devices triggered and settled"
	echo "+ settled (uptime $(uptime)s)"
	dev="" drv=none
	for d in /sys/bus/virtio/devices/*; do
		[ "$($BB printf %d "$($BB cat "$d/device")")" -eq "$VRR_DEVICE_ID" ] ||
			continue
		dev=$d
		[ ! -e "$d/driver" ] || drv=$($BB basename "$($BB readlink "$d/driver")")
	done
	echo "device ${dev:-none}: driver $drv; modules: $($BB cut -d ' ' -f 1 /proc/modules | $BB tr '\n' ' ')"
	[ "$drv" = virtio_rdma_remote ]
	dres $? "udev loaded virtio_rdma_remote for the device and it bound it (driver: $drv)"
	[ -e /sys/module/virtio_crypto ] && [ "$drv" != virtio_crypto ]
	dres $? "virtio_crypto was loaded after it and did not take the device"
	echo "1..$dn" >>"$dtap"
	$BB kill "$($BB pidof systemd-udevd)" 2>/dev/null
	[ "$drv" = virtio_rdma_remote ]
}

echo "TAP version 13" >"$RESULTS/modules.tap"
loaded=""
ok=1
if [ -n "${L2_ETC:-}" ]; then
	distro_load || ok=0
	loaded="virtio_crypto virtio_rdma_remote cdma_core"
else
	for m in $MODS; do
		args=""
		[ "$m" != virtio_rdma_remote ] || args="device_id=$VRR_DEVICE_ID"
		# shellcheck disable=SC2086 # no parameter or one
		if step "insmod $m $args" $BB insmod "$KO_DIR/drivers/$m/$m.ko" $args; then
			loaded="$m $loaded"
		else
			ok=0
			break
		fi
	done
fi

# The device as the admin guide's -device presents it: its ID, F_IDENTITY
# (bit 63) and, with iommu_platform=on, VIRTIO_F_ACCESS_PLATFORM (bit 33)
# negotiated (sysfs "features": one character a bit, bit 0 first).
for d in /sys/bus/virtio/drivers/virtio_rdma_remote/virtio*; do
	[ -e "$d/features" ] || continue
	f=$($BB cat "$d/features")
	id=$($BB cat "$d/device")
	echo "device $d: id $id, features $f"
	[ "$($BB printf %d "$id")" -eq "$VRR_DEVICE_ID" ]
	tap $? "the driver bound the device of ID $VRR_DEVICE_ID (id $id)"
	[ "$(echo "$f" | $BB cut -c64)" = 1 ]
	tap $? "VIRTIO_RDMA_REMOTE_F_IDENTITY negotiated"
	[ "$(echo "$f" | $BB cut -c34)" = 1 ]
	tap $? "VIRTIO_F_ACCESS_PLATFORM negotiated (iommu_platform=on)"
done

tap_file=$RESULTS/cdma-guest.tap
if [ "$ok" -eq 0 ]; then
	echo "Bail out! cdma-guest: not run, modules failed to load" >"$tap_file"
	rc=1
elif [ ! -c /dev/cdma0 ]; then
	echo "Bail out! cdma-guest: no /dev/cdma0 (the driver did not bind)" >"$tap_file"
	rc=1
else
	echo "=== suite cdma-guest (timeout ${SUITE_TIMEOUT}s, uptime $(uptime)s)"
	set -o pipefail
	(cd "$REPO" && exec $BB timeout -s KILL "$SUITE_TIMEOUT" \
		tools/testing/selftests/cdma/cdma_test -d /dev/cdma0) \
		2>"$RESULTS/cdma-guest.stderr" |
		$BB awk -v times="$RESULTS/cdma-guest.times" '{
			print; fflush()
			getline up <"/proc/uptime"; close("/proc/uptime")
			split(up, u, " "); print u[1], $0 >times; fflush(times)
		}' >"$tap_file"
	st=$?
	set +o pipefail
	why=""
	case $st in
	0 | 1 | 4) ;;
	124 | 137 | 143) why="timed out after ${SUITE_TIMEOUT}s" ;;
	126 | 127) why="cannot run cdma_test (status $st)" ;;
	*) why="exit status $st" ;;
	esac
	[ -z "$why" ] || echo "Bail out! cdma-guest: $why" >>"$tap_file"
	[ "$st" -eq 0 ] || rc=1
	echo "=== suite cdma-guest: status $st${why:+ ($why)} (uptime $(uptime)s)"
	$BB tail -n 20 "$RESULTS/cdma-guest.stderr"
fi

for m in $loaded; do
	step "rmmod $m" $BB rmmod "$m"
done
left=""
for m in $MODS; do
	[ ! -e "/sys/module/$m" ] || left="$left $m"
done
[ -z "$left" ] || echo "still loaded:$left"
[ -z "$left" ]
tap $? "no project module left loaded"
echo "1..$n" >>"$RESULTS/modules.tap"

$BB dmesg >"$RESULTS/dmesg.log"
echo "done (uptime $(uptime)s), status $rc"
exit "$rc"
