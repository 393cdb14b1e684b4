#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "cdma-guest" suite of the nested environment (guest/check-nested.conf),
# run in the test VM (L1) under guest/rdma-vhost.sh, which created a vDPA
# device of rdma_zcopy bound to vhost_vdpa (ZCOPY_DEV=/dev/vhost-vdpa-N).
# Boots a QEMU guest (L2: the same kernel, L1's root over 9p) with that
# device as vhost-vdpa-device-pci and its RAM in a shared memfd, with the
# -object and -device of Documentation/admin-guide.rst's QEMU command (VA mode:
# rdma_zcopy swaps engine pages in place into QEMU's mapping of guest RAM);
# L2 runs nested/l2-guest.sh: the guest driver virtio_rdma_remote and the
# cDMA suite on /dev/cdma0, whose data_ladder test moves buffers of 4 KiB
# to 256 MiB.
#
#   nested/run-l2.sh [--timeout SECS] [--suite-timeout SECS] [--mem SIZE]
#                    [--smp N] [--cpu MODEL] [--viommu]
#
# --viommu: L2 on the guide's machine type (q35) with a virtual IOMMU
# (intel-iommu in caching mode, so that QEMU sees every mapping the guest
# makes, and intel_iommu=on in L2): the device is given IOVAs, which
# QEMU's vhost-vdpa passes to rdma_zcopy as IOTLB updates.
#
# Stdout: the TAP of L2's suite (L2's cdma-guest.tap), then "Bail out!"
# when L2 did not end normally (timeout, panic, QEMU failure).  Everything
# else goes to stderr.  L2's results (console.log, guest.log, qemu.log,
# modules.tap, cdma-guest.tap, dmesg.log...) are in $RESULTS/l2/, the exit
# status of its run-vm.sh in $RESULTS/l2/run-vm.status: the host
# summarises them as modules@nested-l2 and kernel@nested-l2.  Zero-copy
# is checked from rdma_zcopy's debugfs counters read before and after L2,
# in $RESULTS/l2/zcopy.tap (zcopy@nested): pages were swapped in, no
# payload byte was copied by the backend, no buffer and no swapped page
# is left once QEMU has gone.
# L2's accelerator is chosen in L1 as run-vm.sh does (ACCEL, else L1's own
# probe of its /dev/kvm); a silent L2 is stopped after 180 s.
# Defaults: 780 s (L2's QEMU killed after that), 600 s for the suite in L2
# (the rest is for L2's boot), 1G of RAM (room for a pair of 256 MiB
# buffers), 1 CPU, CPU model qemu64 (nested/README.md).
# Exit status: L2's guest script's (0: everything in L2 passed), 1 when L2
# did not end normally.
set -uo pipefail

: "${REPO:?}" "${RESULTS:?}" "${ZCOPY_DEV:?run me under guest/rdma-vhost.sh}"
VM=$REPO/tools/testing/vm
L2RES=$RESULTS/l2

timeout=780 suite_timeout=600 mem=1G smp=1 cpu=qemu64 viommu=""
while [ $# -gt 0 ]; do
	case $1 in
	--viommu) viommu=1 ;;
	--timeout) timeout=${2:?}; shift ;;
	--suite-timeout) suite_timeout=${2:?}; shift ;;
	--mem) mem=${2:?}; shift ;;
	--smp) smp=${2:?}; shift ;;
	--cpu) cpu=${2:?}; shift ;;
	*) echo "Bail out! run-l2.sh: bad arguments (see $0)"
		exit 1 ;;
	esac
	shift
done

log() {
	echo "run-l2: $*" >&2
}

rm -rf "$L2RES"
mkdir -p "$L2RES"
# The guest driver drives the device ID rdma_zcopy offers.
id=$(cat /sys/module/rdma_zcopy/parameters/device_id) || {
	echo "Bail out! nested: no rdma_zcopy device_id parameter"
	exit 1
}
# rdma_zcopy's debugfs counter NAME (empty when unreadable).
DBG=/sys/kernel/debug/rdma_zcopy
counter() { # counter NAME
	cat "$DBG/$1" 2>/dev/null
}

# One TAP line of zcopy.tap: ok when the test command succeeds.
zresult() { # zresult DESCRIPTION COMMAND...
	local desc=$1
	shift
	ZN=$((ZN + 1))
	if "$@" 2>/dev/null; then
		echo "ok $ZN $desc"
	else
		echo "not ok $ZN $desc"
	fi
}

# $L2RES/zcopy.tap, from the counters before L2 and now.
zcopy_tap() { # zcopy_tap TOTAL_BEFORE COPIED_BEFORE
	local total copied bufs swapped
	total=$(counter swapped_pages_total) copied=$(counter payload_copied_bytes)
	bufs=$(counter buffers) swapped=$(counter swapped_pages)
	ZN=0
	{
		echo "TAP version 13"
		# At least data_ladder's pair of 256 MiB buffers (l2-guest.sh).
		zresult "guest buffers were swapped in place ($((${total:-0} - $1)) pages, at least 131072)" \
			test "$((${total:-0} - $1))" -ge 131072
		zresult "the backend copied no payload byte (payload_copied_bytes ${copied:-?}, was $2)" \
			test "${copied:--1}" -eq "$2"
		zresult "no buffer left once L2 has gone (buffers ${bufs:-?})" \
			test "${bufs:--1}" -eq 0
		zresult "no engine page left in a VMM (swapped_pages ${swapped:-?})" \
			test "${swapped:--1}" -eq 0
		echo "1..$ZN"
	} >"$L2RES/zcopy.tap"
}

# The VMM side of the admin guide's QEMU command, as the guide writes it
# (tools/testing/guide.sh): guest RAM in its shared memfd (-object, its
# size made L2's), the machine's memory-backend, and the device (-device,
# /dev/vhost-vdpa-0 made $ZCOPY_DEV).
GUIDE=$REPO/tools/testing/guide.sh
g_obj=$("$GUIDE" qemu-opt -object memory-backend-memfd)
g_machine=$("$GUIDE" qemu-opt -machine q35)
g_dev=$("$GUIDE" qemu-opt -device vhost-vdpa-device-pci)
if [ -z "$g_obj" ] || [ -z "$g_dev" ]; then
	echo "Bail out! nested: no QEMU command in the admin guide"
	exit 1
fi
# shellcheck disable=SC2001 # a pattern, not a string
g_obj=$(sed "s/,size=[^,]*/,size=$mem/" <<<"$g_obj") # size=4G: L2's -m
g_backend=$(tr ',' '\n' <<<"$g_machine" | grep '^memory-backend=')
g_dev=${g_dev//\/dev\/vhost-vdpa-0/$ZCOPY_DEV}
log "the guide's -object $g_obj -machine $g_backend -device $g_dev"
iommu=()
if [ -n "$viommu" ]; then
	iommu=(--qemu-arg -machine --qemu-arg "${g_machine%%,*}"
		--qemu-arg -device --qemu-arg "intel-iommu,caching-mode=on"
		--append "intel_iommu=on iommu.passthrough=0")
	log "with a virtual IOMMU: ${iommu[*]}"
fi

total0=$(counter swapped_pages_total) copied0=$(counter payload_copied_bytes)
log "booting L2 with $ZCOPY_DEV, virtio ID $id (timeout ${timeout}s, $mem, $smp CPU, -cpu $cpu)"
start=$(date +%s)
# tsc=reliable: no clocksource watchdog, which nested TCG's stalls would
# trip (falling back to the HPET makes every clock read an MMIO exit).
# A distribution guest (L2_MODDIR, L2_ETC from check.sh): Debian's module
# tree with the package installed, and its /etc; udev loads the drivers.
distro=()
[ -z "${L2_MODDIR:-}" ] ||
	distro=(--moddir "$L2_MODDIR" --setenv "L2_ETC=${L2_ETC:?}")
KVER=$(uname -r) "$VM/run-vm.sh" --env nested-l2 "${distro[@]}" \
	--script "$VM/nested/l2-guest.sh" --results "$L2RES" \
	--timeout "$timeout" --boot-timeout 180 --mem "$mem" \
	--append tsc=reliable \
	--setenv "VRR_DEVICE_ID=$id" --setenv "SUITE_TIMEOUT=$suite_timeout" \
	--qemu-arg -smp --qemu-arg "$smp" --qemu-arg -cpu --qemu-arg "$cpu" \
	--qemu-arg -object --qemu-arg "$g_obj" \
	--qemu-arg -machine --qemu-arg "$g_backend" \
	"${iommu[@]}" --qemu-arg -device --qemu-arg "$g_dev" >&2
rc=$?
echo "$rc" >"$L2RES/run-vm.status"
log "L2 ended after $(($(date +%s) - start))s, run-vm.sh status $rc"
zcopy_tap "${total0:-0}" "${copied0:-0}"

[ ! -e "$L2RES/cdma-guest.tap" ] || cat "$L2RES/cdma-guest.tap"
case $rc in
124) echo "Bail out! nested: L2 timed out after ${timeout}s" ;;
125) echo "Bail out! nested: L2 stopped before its script ended (panic?)" ;;
126) echo "Bail out! nested: QEMU or run-vm.sh failed (l2/qemu.log)"
	cat "$L2RES/qemu.log" >&2 ;;
*) exit "$rc" ;;
esac
exit 1
