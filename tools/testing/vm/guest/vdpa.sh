# SPDX-License-Identifier: GPL-2.0
# vDPA helpers of guest/rdma-loopback.sh and guest/rdma-vhost.sh (sourced).
# shellcheck shell=bash

VDPA_SYS=/sys/bus/vdpa

# Loaded, or built in (a built-in module without parameters or version
# has no /sys/module entry).
vdpa_is_loaded() { # vdpa_is_loaded MODULE
	[ -e "/sys/module/$1" ] ||
		grep -q "/$1\.ko\$" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null
}

# Create vDPA device NAME of MGMTDEV and bind it to the bus driver DRIVER
# (virtio_vdpa, vhost_vdpa) even when the other one is loaded: automatic
# probing is off while the device is created.  Status: 0; 1 when the
# device was not created; 2 when it was created but not bound.
#
# With FEATURES, the device offers those (vdpa dev add ... device_features,
# which Debian 12's iproute2 lacks: vdpa-dev-add.py).
vdpa_dev_add() { # vdpa_dev_add NAME MGMTDEV DRIVER [FEATURES]
	local name=$1 mgmt=$2 drv=$3 r=0
	local -a add=(vdpa dev add name "$name" mgmtdev "$mgmt")
	[ -z "${4:-}" ] ||
		add=("$(dirname "${BASH_SOURCE[0]}")/vdpa-dev-add.py" "$name" "$mgmt" "$4")
	echo 0 >"$VDPA_SYS/drivers_autoprobe" || return 1
	if ! "${add[@]}"; then
		echo 1 >"$VDPA_SYS/drivers_autoprobe"
		return 1
	fi
	echo "$drv" >"$VDPA_SYS/devices/$name/driver_override" &&
		echo "$name" >"$VDPA_SYS/drivers_probe" || r=2
	echo 1 >"$VDPA_SYS/drivers_autoprobe"
	return "$r"
}

# Print the character device node that FINDER NAME prints, once it exists
# (devtmpfs creates it at probe; no udev here): within 10 s, else fail.
vdpa_wait_node() { # vdpa_wait_node FINDER NAME
	local i node
	for ((i = 0; i < 100; i++)); do
		node=$("$1" "$2") && [ -c "$node" ] && {
			echo "$node"
			return 0
		}
		sleep 0.1
	done
	return 1
}
