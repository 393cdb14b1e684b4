#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vdpa-dev-add.py NAME MGMTDEV FEATURES: `vdpa dev add name NAME mgmtdev
MGMTDEV device_features FEATURES`, for an iproute2 without device_features
(Debian 12's 6.1).  Generic netlink, include/uapi/linux/vdpa.h.  Exit
status 0, or 1 with the kernel's errno on stderr."""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
VDPA_CMD_DEV_NEW = 3
VDPA_ATTR_MGMTDEV_DEV_NAME = 2
VDPA_ATTR_DEV_NAME = 4
VDPA_ATTR_DEV_FEATURES = 20


def attr(kind, data):
    """One netlink attribute, padded to 4 bytes."""
    raw = struct.pack("=HH", 4 + len(data), kind) + data
    return raw + b"\0" * (-len(raw) % 4)


def request(sock, family, cmd, attrs):
    """Send one generic netlink request; return the answers' payloads."""
    body = struct.pack("=BBH", cmd, 1, 0) + b"".join(attrs)
    sock.send(struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body)
    answers = []
    while True:
        # The answers, then the acknowledgement (possibly apart).
        data = sock.recv(65536)
        while data:
            length, kind = struct.unpack_from("=IH", data)
            payload = data[16:length]
            if kind == NLMSG_ERROR:
                err = struct.unpack_from("=i", payload)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return answers
            answers.append(payload)
            data = data[(length + 3) & ~3:]


def family_id(sock, name):
    """The id of generic netlink family NAME."""
    for payload in request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                           [attr(CTRL_ATTR_FAMILY_NAME,
                                 name.encode() + b"\0")]):
        off = 4
        while off < len(payload):
            length, kind = struct.unpack_from("=HH", payload, off)
            if kind == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("=H", payload, off + 4)[0]
            off += (length + 3) & ~3
    raise OSError(errno.ENOENT, "no generic netlink family " + name)


def main():
    """Create the device."""
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    name, mgmt, features = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    try:
        request(sock, family_id(sock, "vdpa"), VDPA_CMD_DEV_NEW, [
            attr(VDPA_ATTR_MGMTDEV_DEV_NAME, mgmt.encode() + b"\0"),
            attr(VDPA_ATTR_DEV_NAME, name.encode() + b"\0"),
            attr(VDPA_ATTR_DEV_FEATURES, struct.pack("=Q", features)),
        ])
    except OSError as e:
        print(f"vdpa dev add {name}: {e.strerror}", file=sys.stderr)
        sys.exit(1)


main()
