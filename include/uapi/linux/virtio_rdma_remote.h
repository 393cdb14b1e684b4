/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * virtio-rdma-remote: paravirtual access to a host cDMA engine.
 *
 * The normative description is Documentation/virtio-rdma-remote.rst.
 * All multi-byte fields are little-endian.  Every structure has a fixed
 * size and explicit padding; reserved fields are zero.
 */
#ifndef _UAPI_LINUX_VIRTIO_RDMA_REMOTE_H
#define _UAPI_LINUX_VIRTIO_RDMA_REMOTE_H

#include <linux/types.h>
#include <linux/virtio_types.h>

/*
 * The device's own ID.  Not assigned by the virtio specification (v1.3);
 * the highest ID that virtio-pci (PCI device 0x1040 + ID) can carry.
 * Drivers always accept it.
 */
#define VIRTIO_RDMA_REMOTE_DEFAULT_ID		63

/*
 * The ID a device is offered under by default: a stock VMM's generic vDPA
 * device (QEMU's vhost-vdpa-device-pci) only presents IDs it knows, and
 * of those the virtio-crypto ID is the one guests least often have.  A
 * device offered under another type's ID offers
 * VIRTIO_RDMA_REMOTE_F_IDENTITY; a driver refuses a device of that ID
 * without it (a real device of that type), before FEATURES_OK.  Both
 * sides take the ID as a module parameter.
 */
#define VIRTIO_RDMA_REMOTE_STOCK_VMM_ID		20

/* Feature bits */
#define VIRTIO_RDMA_REMOTE_F_GLOBAL		0	/* EXPORT, REVOKE, global xfers */
#define VIRTIO_RDMA_REMOTE_F_SUBMIT_END		1	/* SUBMIT may answer the end */
#define VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED	2	/* ALLOC'd buffers read 0 */
#define VIRTIO_RDMA_REMOTE_F_IDENTITY		63	/* a virtio-rdma-remote device */

/* Virtqueues */
#define VIRTIO_RDMA_REMOTE_VQ_REQ		0	/* requests, driver -> device */
#define VIRTIO_RDMA_REMOTE_VQ_EVENT		1	/* completions, device -> driver */
#define VIRTIO_RDMA_REMOTE_NUM_VQS		2

/**
 * struct virtio_rdma_remote_config - device configuration space (read only)
 * @version: cDMA uAPI version of the engine (CDMA_UAPI_VERSION)
 * @node_id: Unimem node id of the engine
 * @channels: engine channels
 * @caps: CDMA_CAP_* capabilities of the engine, without CDMA_CAP_VIRTUAL
 * @max_buffer_size: largest buffer, bytes
 * @max_buffers: buffers per session
 * @max_inflight: transfers in flight per session
 * @max_sessions: sessions open at the same time
 * @max_ranges: ranges in one ALLOC request
 */
struct virtio_rdma_remote_config {
	__le32 version;
	__le32 node_id;
	__le32 channels;
	__le32 caps;
	__le64 max_buffer_size;
	__le32 max_buffers;
	__le32 max_inflight;
	__le32 max_sessions;
	__le32 max_ranges;
};

/* Request opcodes */
#define VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN	1
#define VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE	2
#define VIRTIO_RDMA_REMOTE_OP_ALLOC		3
#define VIRTIO_RDMA_REMOTE_OP_FREE		4
#define VIRTIO_RDMA_REMOTE_OP_SUBMIT		5
#define VIRTIO_RDMA_REMOTE_OP_EXPORT		6
#define VIRTIO_RDMA_REMOTE_OP_REVOKE		7

/* Status codes; each maps to one errno of the cDMA uAPI */
#define VIRTIO_RDMA_REMOTE_S_OK			0
#define VIRTIO_RDMA_REMOTE_S_INVAL		1	/* EINVAL */
#define VIRTIO_RDMA_REMOTE_S_FBIG		2	/* EFBIG */
#define VIRTIO_RDMA_REMOTE_S_NOSPC		3	/* ENOSPC */
#define VIRTIO_RDMA_REMOTE_S_NOMEM		4	/* ENOMEM */
#define VIRTIO_RDMA_REMOTE_S_NOENT		5	/* ENOENT */
#define VIRTIO_RDMA_REMOTE_S_RANGE		6	/* ERANGE */
#define VIRTIO_RDMA_REMOTE_S_BUSY		7	/* EBUSY */
#define VIRTIO_RDMA_REMOTE_S_EXIST		8	/* EEXIST */
#define VIRTIO_RDMA_REMOTE_S_NXIO		9	/* ENXIO */
#define VIRTIO_RDMA_REMOTE_S_HOSTUNREACH	10	/* EHOSTUNREACH */
#define VIRTIO_RDMA_REMOTE_S_ACCES		11	/* EACCES */
#define VIRTIO_RDMA_REMOTE_S_CANCELED		12	/* ECANCELED */
#define VIRTIO_RDMA_REMOTE_S_IO			13	/* EIO, anything else */
#define VIRTIO_RDMA_REMOTE_S_UNSUPP		14	/* EOPNOTSUPP */
#define VIRTIO_RDMA_REMOTE_S_FAULT		15	/* EFAULT: bad address */

/**
 * struct virtio_rdma_remote_req_hdr - first bytes of every request
 * @opcode: VIRTIO_RDMA_REMOTE_OP_*
 * @session: session id; zero for SESSION_OPEN
 */
struct virtio_rdma_remote_req_hdr {
	__le32 opcode;
	__le32 session;
};

/**
 * struct virtio_rdma_remote_alloc - ALLOC body
 * @size: buffer size, a non-zero multiple of 4096
 * @nr_ranges: number of &struct virtio_rdma_remote_range following,
 *	1 .. max_ranges
 * @flags: zero
 *
 * The ranges are the guest memory of the buffer, in buffer order; their
 * lengths add up to @size.  With VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED the
 * new buffer reads as zeros whatever that memory held: the driver need
 * not clear it.
 */
struct virtio_rdma_remote_alloc {
	__le64 size;
	__le32 nr_ranges;
	__le32 flags;
};

/**
 * struct virtio_rdma_remote_range - guest memory range
 * @addr: guest (bus) address, multiple of 4096
 * @len: length, non-zero multiple of 4096
 */
struct virtio_rdma_remote_range {
	__le64 addr;
	__le64 len;
};

/**
 * struct virtio_rdma_remote_handle - FREE, REVOKE and EXPORT body
 * @handle: buffer handle in the session
 * @access: EXPORT: CDMA_ACCESS_* bits; zero otherwise
 */
struct virtio_rdma_remote_handle {
	__le32 handle;
	__le32 access;
};

/**
 * struct virtio_rdma_remote_submit - SUBMIT body
 * @dir: CDMA_XFER_LOCAL, CDMA_XFER_TO_GLOBAL or CDMA_XFER_FROM_GLOBAL
 * @flags: zero
 * @src_handle: as &struct cdma_xfer
 * @dst_handle: as &struct cdma_xfer
 * @src_offset: as &struct cdma_xfer
 * @dst_offset: as &struct cdma_xfer
 * @length: as &struct cdma_xfer
 * @global_addr: as &struct cdma_xfer
 * @key: as &struct cdma_xfer
 * @tag: driver value echoed in the completion event
 *
 * Transfers are asynchronous: a successful response means queued, and
 * the end is reported by one event on the event queue.  With
 * VIRTIO_RDMA_REMOTE_F_SUBMIT_END, the response may report the end
 * instead (&virtio_rdma_remote_resp.id VIRTIO_RDMA_REMOTE_SUBMIT_ENDED),
 * and then no event follows.
 */
struct virtio_rdma_remote_submit {
	__le32 dir;
	__le32 flags;
	__le32 src_handle;
	__le32 dst_handle;
	__le64 src_offset;
	__le64 dst_offset;
	__le64 length;
	__le64 global_addr;
	__le64 key;
	__le64 tag;
};

/* &virtio_rdma_remote_resp.id of a SUBMIT answered S_OK */
#define VIRTIO_RDMA_REMOTE_SUBMIT_QUEUED	0	/* its event follows */
#define VIRTIO_RDMA_REMOTE_SUBMIT_ENDED		1	/* @end says; no event */

/**
 * struct virtio_rdma_remote_resp - response, device-writable
 * @status: VIRTIO_RDMA_REMOTE_S_*
 * @id: SESSION_OPEN: the session id; ALLOC: the buffer handle; SUBMIT:
 *	VIRTIO_RDMA_REMOTE_SUBMIT_QUEUED, or VIRTIO_RDMA_REMOTE_SUBMIT_ENDED
 *	(only with VIRTIO_RDMA_REMOTE_F_SUBMIT_END)
 * @global_addr: EXPORT: the global address
 * @key: EXPORT: the access key
 * @end: SUBMIT ended: what its event would have said
 * @end.status: VIRTIO_RDMA_REMOTE_S_OK, _CANCELED or _IO
 * @end.reserved: zero
 * @end.bytes: bytes moved
 */
struct virtio_rdma_remote_resp {
	__le32 status;
	__le32 id;
	union {
		struct {
			__le64 global_addr;
			__le64 key;
		};
		struct {
			__le32 status;
			__le32 reserved;
			__le64 bytes;
		} end;
	};
};

/* Event types */
#define VIRTIO_RDMA_REMOTE_EV_COMPLETION	1

/**
 * struct virtio_rdma_remote_event - event queue element, device-writable
 * @type: VIRTIO_RDMA_REMOTE_EV_*
 * @session: session of the transfer
 * @tag: the SUBMIT tag
 * @status: VIRTIO_RDMA_REMOTE_S_OK, _CANCELED or _IO
 * @reserved: zero
 * @bytes: bytes moved
 */
struct virtio_rdma_remote_event {
	__le32 type;
	__le32 session;
	__le64 tag;
	__le32 status;
	__le32 reserved;
	__le64 bytes;
};

#endif /* _UAPI_LINUX_VIRTIO_RDMA_REMOTE_H */
