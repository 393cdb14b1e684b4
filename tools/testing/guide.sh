#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What Documentation/admin-guide.rst tells a user to run, read from the
# guide itself, so that the tests run what the guide says.
# Usage: usage(), below (the script prints it when called without its
# arguments).
set -euo pipefail

usage() {
	cat >&2 <<'EOF'
  guide.sh qemu-args     the QEMU command of "Starting a VM", one
                         argument a line
  guide.sh qemu-opt OPTION PREFIX
                         the value of the first OPTION (-device...) of
                         that command that starts with PREFIX
  guide.sh libvirt-xml   the libvirt domain of "Starting a VM"
  guide.sh check         TAP: the domain is valid (virt-xml-validate),
                         its <qemu:commandline> -device is the QEMU
                         command's, and that device's properties are
                         those QEMU's vhost-vdpa-device-pci has
EOF
}

GUIDE=${GUIDE:-$(cd "$(dirname "$0")/../.." && pwd)/Documentation/admin-guide.rst}
QEMU=${QEMU:-qemu-system-x86_64}

# The literal block (indented by 4) whose first line starts with $1.
literal() { # literal FIRST_WORDS
	awk -v first="    $1" '
		!on && index($0, first) == 1 { on = 1 }
		on && /^    / { print substr($0, 5); next }
		on && /^$/ { blank = 1; next }
		on { exit }
	' "$GUIDE"
}

qemu_args() {
	literal qemu-system-x86_64 | sed 's/\\$//' | tr -s ' \t' '\n' |
		sed '/^$/d' | tail -n +2
}

# The value following the first "$1" argument of the QEMU command.
qemu_opt() { # qemu_opt OPTION PREFIX
	qemu_args | awk -v o="$1" -v p="$2" \
		'prev == o && index($0, p) == 1 { print; exit } { prev = $0 }'
}

# shellcheck source-path=SCRIPTDIR source=lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

check() {
	local xml dev xdev props p missing=""
	xml=$(mktemp --suffix=.xml)
	trap 'rm -f "$xml"' RETURN
	literal "<domain " >"$xml"
	echo "1..4"
	[ -s "$xml" ] && [ -n "$(qemu_args)" ]
	ok $? "the guide has a QEMU command and a libvirt domain"
	virt-xml-validate "$xml" domain >&2
	ok $? "the libvirt domain is valid (virt-xml-validate)"
	dev=$(qemu_opt -device vhost-vdpa-device-pci)
	xdev=$(sed -n "s/.*<qemu:arg value='\(vhost-vdpa-device-pci,[^']*\)'.*/\1/p" "$xml")
	echo "# QEMU command: -device $dev" >&2
	echo "# libvirt domain: -device $xdev" >&2
	[ -n "$dev" ] && [ "$dev" = "$xdev" ]
	ok $? "the domain's <qemu:commandline> -device is the QEMU command's"
	props=$("$QEMU" -device vhost-vdpa-device-pci,help 2>&1) || true
	for p in $(tr ',' '\n' <<<"${dev#*,}" | cut -d= -f1); do
		grep -q "^ *$p=" <<<"$props" || missing="$missing $p"
	done
	[ -n "$dev" ] && [ -z "$missing" ]
	ok $? "QEMU's vhost-vdpa-device-pci has the properties the guide sets${missing:+ (not:$missing)}"
	[ "$failed" -eq 0 ]
}

case ${1:-} in
qemu-args) qemu_args ;;
qemu-opt) qemu_opt "${2:?OPTION}" "${3:?PREFIX}" ;;
libvirt-xml) literal "<domain " ;;
check) check ;;
*) usage; exit 2 ;;
esac
