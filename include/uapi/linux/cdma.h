/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cDMA character-device uAPI, version 1.
 *
 * One ABI served by the native engine device (cdma_soft) and by the guest
 * virtio driver (virtio_rdma_remote): a program built against this header
 * runs unchanged on the host and inside a virtual machine.
 *
 * All structures have a fixed size, explicit padding and the same layout
 * for 32-bit and 64-bit user space.  Every field named "reserved" or "pad"
 * and every field that an operation does not use must be zero, otherwise
 * the ioctl fails with EINVAL.  See Documentation/cdma-uapi.rst for the
 * errno of every bad input.
 */
#ifndef _UAPI_LINUX_CDMA_H
#define _UAPI_LINUX_CDMA_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** CDMA_UAPI_VERSION - version of this interface reported by CDMA_IOC_INFO */
#define CDMA_UAPI_VERSION	1

/* Capability bits reported in &struct cdma_info.caps */
#define CDMA_CAP_ASYNC		(1U << 0)	/* asynchronous transfers */
#define CDMA_CAP_POLL_MODE	(1U << 1)	/* polling completion mode */
#define CDMA_CAP_EVENTFD	(1U << 2)	/* eventfd completion signal */
#define CDMA_CAP_GLOBAL		(1U << 3)	/* Unimem export and transfers */
#define CDMA_CAP_VIRTUAL	(1U << 4)	/* device is a paravirtual frontend */

/**
 * struct cdma_info - device information (CDMA_IOC_INFO, read only)
 * @version: CDMA_UAPI_VERSION implemented by the device
 * @node_id: Unimem node id of the engine, 0..0xffff (bits 63..48 of global
 *	addresses)
 * @channels: number of engine channels executing transfers concurrently
 * @caps: CDMA_CAP_* bits
 * @max_buffer_size: largest buffer CDMA_IOC_ALLOC accepts, in bytes
 * @max_buffers: largest number of buffers one open file may hold
 * @max_inflight: largest number of asynchronous transfers one open file may
 *	have in flight or completed and not yet read
 * @page_size: granularity of buffer sizes and of mmap
 * @reserved: zero
 */
struct cdma_info {
	__u32 version;
	__u32 node_id;
	__u32 channels;
	__u32 caps;
	__u64 max_buffer_size;
	__u32 max_buffers;
	__u32 max_inflight;
	__u32 page_size;
	__u32 reserved0;
	__u64 reserved[4];
};

/**
 * struct cdma_alloc - allocate a DMA buffer (CDMA_IOC_ALLOC)
 * @size: in: size in bytes, 1 .. max_buffer_size; rounded up to page_size
 * @flags: in: must be 0
 * @handle: out: buffer handle, valid only on the file that allocated it
 * @mmap_offset: out: offset to pass to mmap() to map the whole buffer
 * @reserved: zero
 *
 * The buffer is zero-filled.  It stays allocated until CDMA_IOC_FREE or the
 * file is closed; existing mappings keep its memory alive after that.
 */
struct cdma_alloc {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 mmap_offset;
	__u64 reserved[2];
};

/**
 * struct cdma_free - free a DMA buffer (CDMA_IOC_FREE)
 * @handle: buffer handle
 * @flags: must be 0
 * @reserved: zero
 *
 * Frees the handle and revokes its export, if any.  Transfers in flight
 * that use the buffer complete normally.
 */
struct cdma_free {
	__u32 handle;
	__u32 flags;
	__u64 reserved[2];
};

/* Transfer directions, &struct cdma_xfer.dir */
#define CDMA_XFER_LOCAL		0	/* local buffer -> local buffer */
#define CDMA_XFER_TO_GLOBAL	1	/* local buffer -> global address */
#define CDMA_XFER_FROM_GLOBAL	2	/* global address -> local buffer */

/* Transfer flags, &struct cdma_xfer.flags */
#define CDMA_XFER_F_ASYNC	(1U << 0)	/* return at once, complete later */

/**
 * struct cdma_xfer - submit a transfer (CDMA_IOC_SUBMIT)
 * @dir: CDMA_XFER_LOCAL, CDMA_XFER_TO_GLOBAL or CDMA_XFER_FROM_GLOBAL
 * @flags: CDMA_XFER_F_* bits
 * @src_handle: source buffer (LOCAL, TO_GLOBAL); zero otherwise
 * @dst_handle: destination buffer (LOCAL, FROM_GLOBAL); zero otherwise
 * @src_offset: byte offset in the source buffer (LOCAL, TO_GLOBAL)
 * @dst_offset: byte offset in the destination buffer (LOCAL, FROM_GLOBAL)
 * @length: bytes to move, at least 1
 * @global_addr: Unimem global address (TO_GLOBAL, FROM_GLOBAL), as returned
 *	by CDMA_IOC_EXPORT plus a byte offset; zero for LOCAL
 * @key: access key of the exported segment (TO_GLOBAL, FROM_GLOBAL)
 * @cookie: user value returned in the completion record (ASYNC only;
 *	must be unique among this file's transfers in flight)
 * @reserved: zero
 *
 * Without CDMA_XFER_F_ASYNC the ioctl returns when the data has moved.
 * With it, the ioctl returns once the transfer is queued and a
 * &struct cdma_completion with @cookie is delivered when it ends.
 * Offsets need no alignment; the source and destination ranges must not
 * overlap when they are in the same buffer.
 */
struct cdma_xfer {
	__u32 dir;
	__u32 flags;
	__u32 src_handle;
	__u32 dst_handle;
	__u64 src_offset;
	__u64 dst_offset;
	__u64 length;
	__u64 global_addr;
	__u64 key;
	__u64 cookie;
	__u64 reserved[2];
};

/**
 * struct cdma_completion - completion record, read() from the device
 * @cookie: the cookie of the transfer
 * @status: 0, or a negative errno (-ECANCELED, -EIO, -ENODEV, ...)
 * @flags: zero
 * @bytes: bytes moved
 * @reserved: zero
 *
 * read() returns whole records only; a buffer shorter than one record
 * fails with EINVAL.  poll() reports EPOLLIN while records are queued.
 */
struct cdma_completion {
	__u64 cookie;
	__s32 status;
	__u32 flags;
	__u64 bytes;
	__u64 reserved;
};

/**
 * struct cdma_wait - wait for one asynchronous transfer (CDMA_IOC_WAIT)
 * @cookie: in: cookie of a transfer in flight or completed and not yet read
 * @timeout_ns: in: relative timeout; 0 checks without sleeping; U64_MAX waits
 *	forever
 * @completion: out: the transfer's completion record, removed from the queue
 *
 * Fails with ETIMEDOUT when the transfer has not completed in time, ENOENT
 * when no transfer with @cookie is known.
 */
struct cdma_wait {
	__u64 cookie;
	__u64 timeout_ns;
	struct cdma_completion completion;
};

/* Completion modes, &struct cdma_mode.mode */
#define CDMA_MODE_INTERRUPT	0	/* completions wake sleepers, eventfd */
#define CDMA_MODE_POLL		1	/* waiters busy-poll, no wake-ups */

/**
 * struct cdma_mode - completion mode and eventfd (CDMA_IOC_SET_MODE)
 * @mode: CDMA_MODE_INTERRUPT or CDMA_MODE_POLL
 * @eventfd: eventfd signalled once per completion in interrupt mode;
 *	-1 for none
 * @reserved: zero
 */
struct cdma_mode {
	__u32 mode;
	__s32 eventfd;
	__u64 reserved[2];
};

/* Access rights of an export, &struct cdma_export.access */
#define CDMA_ACCESS_READ	(1U << 0)	/* FROM_GLOBAL may read it */
#define CDMA_ACCESS_WRITE	(1U << 1)	/* TO_GLOBAL may write it */

/*
 * Global address layout: node id in bits 63..48, segment in bits 47..32,
 * byte offset in bits 31..0.
 */
#define CDMA_GADDR_NODE_SHIFT		48
#define CDMA_GADDR_SEGMENT_SHIFT	32
#define CDMA_GADDR_OFFSET_MASK		0xffffffffULL

/**
 * struct cdma_export - export a buffer at a global address (CDMA_IOC_EXPORT)
 * @handle: in: buffer handle
 * @access: in: CDMA_ACCESS_* bits, at least one
 * @global_addr: out: global address of the buffer's first byte
 * @key: out: random access key required by transfers to @global_addr
 * @reserved: zero
 */
struct cdma_export {
	__u32 handle;
	__u32 access;
	__u64 global_addr;
	__u64 key;
	__u64 reserved[2];
};

/**
 * struct cdma_revoke - withdraw an export (CDMA_IOC_REVOKE)
 * @handle: buffer handle
 * @flags: must be 0
 * @reserved: zero
 */
struct cdma_revoke {
	__u32 handle;
	__u32 flags;
	__u64 reserved[2];
};

#define CDMA_IOC_MAGIC	0xCD

#define CDMA_IOC_INFO		_IOR(CDMA_IOC_MAGIC, 0x40, struct cdma_info)
#define CDMA_IOC_ALLOC		_IOWR(CDMA_IOC_MAGIC, 0x41, struct cdma_alloc)
#define CDMA_IOC_FREE		_IOW(CDMA_IOC_MAGIC, 0x42, struct cdma_free)
#define CDMA_IOC_SUBMIT		_IOW(CDMA_IOC_MAGIC, 0x43, struct cdma_xfer)
#define CDMA_IOC_WAIT		_IOWR(CDMA_IOC_MAGIC, 0x44, struct cdma_wait)
#define CDMA_IOC_SET_MODE	_IOW(CDMA_IOC_MAGIC, 0x45, struct cdma_mode)
#define CDMA_IOC_EXPORT		_IOWR(CDMA_IOC_MAGIC, 0x46, struct cdma_export)
#define CDMA_IOC_REVOKE		_IOW(CDMA_IOC_MAGIC, 0x47, struct cdma_revoke)

#endif /* _UAPI_LINUX_CDMA_H */
