/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio_rdma_remote: internals shared by the guest frontend's files.
 *
 * Objects and lifetime
 *
 *   vrr_dev   one per virtio device; kref held by probe (dropped in remove),
 *             by every open file and by every buffer.
 *   vrr_file  one per open(); refcount held by the open file and by every
 *             transfer in flight, so that a completion that races with
 *             release() never touches freed memory.
 *   vrr_buf   one per buffer; refcount held by its handle (or by the file's
 *             orphan list), by every transfer using it and by every user
 *             mapping of it, so that pages and DMA mappings outlive
 *             CDMA_IOC_FREE while the device may still move data into
 *             them.  A buffer freed while mapped is freed on the device
 *             (FREE) only when its last mapping goes: with zero-copy in
 *             VA mode the host gives the guest range its original memory
 *             back at FREE, and a mapping must keep the buffer's data.
 *   vrr_xfer  one per transfer the device was (or is about to be) told of,
 *             found by its tag (the index in &vrr_dev.xfers, never a
 *             pointer); owned by whoever erases it from the array.
 *   vrr_req   one per request; refcount held by the waiter and the queue.
 *
 * Device removal
 *
 *   remove() sets &vrr_dev.dead, resets the device (it stops touching guest
 *   memory), fails every pending request and every transfer with -ENODEV,
 *   ends every file's completion queue (cdma_cq_shutdown()), deregisters
 *   cDMA device (cdma_device_unregister()), unmaps every buffer's DMA mapping under
 *   &vrr_dev.dma_sem held for writing and deletes the queues.  Queue users
 *   check @dead under the queue's lock; DMA mapping users check it under
 *   @dma_sem held for reading.
 *
 * Lock order (outermost first)
 *
 *   vrr_file.handles (rwsem) > vrr_dev.dma_sem (rwsem) >
 *   vrr_queue.lock > vrr_dev.xfers xa_lock, vrr_dev.sessions xa_lock >
 *   cdma_cq.lock, completion lock;
 *   vrr_file.bufs xa_lock > vrr_file.lock;
 *   vrr_dev.bufs_lock and vrr_file.lock are leaves.
 *   A mapping's close (mmap lock held) sends a request but takes no
 *   vrr_file.handles.
 */
#ifndef _VIRTIO_RDMA_REMOTE_VRR_H
#define _VIRTIO_RDMA_REMOTE_VRR_H

#include <linux/cdma_core.h>
#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/virtio_rdma_remote.h>

#include <linux/cdma_compat.h>

struct device;
struct virtio_device;
struct virtqueue;
struct vrr_dev;

/* Sanity bounds of the device's configuration (never trust the device). */
#define VRR_MAX_CHANNELS	4096U
#define VRR_MAX_BUFFERS		BIT(20)
#define VRR_MAX_INFLIGHT	BIT(16)
#define VRR_MAX_SESSIONS	BIT(16)
#define VRR_MAX_RANGES		BIT(16)
#define VRR_MAX_BUFFER_SIZE	(CDMA_GADDR_OFFSET_MASK + 1)

/* Event buffers kept posted on the event queue, at most. */
#define VRR_MAX_EVENTS		256U

/* Granule of the wire's guest memory ranges. */
#define VRR_RANGE_ALIGN		4096U

/* The workqueue that frees buffers released in atomic context (main.c). */
extern struct workqueue_struct *vrr_wq;

/**
 * struct vrr_config - validated device configuration, CPU byte order
 * @node_id: Unimem node id of the engine
 * @channels: engine channels
 * @caps: CDMA_CAP_* of the engine, unknown bits cleared
 * @max_buffer_size: largest buffer, a multiple of PAGE_SIZE
 * @max_buffers: buffers per session
 * @max_inflight: asynchronous transfers per session
 * @max_sessions: sessions of the device
 * @max_ranges: ranges in one ALLOC request
 */
struct vrr_config {
	u32 node_id;
	u32 channels;
	u32 caps;
	u64 max_buffer_size;
	u32 max_buffers;
	u32 max_inflight;
	u32 max_sessions;
	u32 max_ranges;
};

/**
 * struct vrr_queue - a virtqueue and its polling state
 * @vq: the virtqueue
 * @dev: the device owning it
 * @lock: serialises every operation on @vq and @pollers
 * @pollers: threads busy-polling @vq; its callback stays disabled meanwhile
 * @drain: consumes the used buffers of @vq; called with @lock held
 */
struct vrr_queue {
	struct virtqueue *vq;
	struct vrr_dev *dev;
	spinlock_t lock; /* see above */
	unsigned int pollers;
	void (*drain)(struct vrr_queue *q);
};

/**
 * struct vrr_evt - one event buffer, alone in its cache line
 * @ev: written by the device
 */
struct vrr_evt {
	struct virtio_rdma_remote_event ev;
} ____cacheline_aligned;

/**
 * struct vrr_dev - one virtio-rdma-remote device
 * @ref: see the top of this file
 * @vdev: the virtio device; not used once @dead
 * @cfg: validated configuration
 * @caps: CDMA_CAP_* reported by CDMA_IOC_INFO
 * @global: VIRTIO_RDMA_REMOTE_F_GLOBAL was negotiated
 * @submit_end: VIRTIO_RDMA_REMOTE_F_SUBMIT_END was negotiated
 * @alloc_zeroed: VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED was negotiated: buffer
 *	pages are not cleared by the driver
 * @dead: the device is being or was removed; written once
 * @reqq: request queue
 * @req_wq: woken when request queue slots free up, and on removal
 * @req_gen: incremented (under @reqq.lock) whenever slots free up
 * @evtq: event queue
 * @evts: event buffers
 * @nr_evts: number of @evts
 * @xfers: tag -> &struct vrr_xfer of the transfers in flight
 * @next_tag: cyclic tag allocation cursor (under the @xfers lock)
 * @sessions: session id -> &struct vrr_file of the open sessions
 * @files_lock: protects @files
 * @files: every open &struct vrr_file (those without a session too)
 * @dma_dev: device that maps buffers for DMA, or NULL when the device uses
 *	guest physical addresses
 * @dma_sem: read: DMA mapping in progress; write: remove() unmapping
 * @bufs_lock: protects @mapped, @leaked and &vrr_buf.mapped
 * @mapped: buffers whose pages are DMA mapped
 * @leaked: released buffers the device may still use; freed on removal
 * @cdev: the cDMA device node, /dev/cdmaN (cdma_core)
 * @free_work: frees the structure after the last reference, in process
 *	context (the last reference may go in an interrupt handler)
 */
struct vrr_dev {
	struct kref ref;
	struct virtio_device *vdev;
	struct vrr_config cfg;
	u32 caps;
	bool global;
	bool submit_end;
	bool alloc_zeroed;
	bool dead;

	struct vrr_queue reqq;
	wait_queue_head_t req_wq;
	unsigned long req_gen;

	struct vrr_queue evtq;
	struct vrr_evt *evts;
	unsigned int nr_evts;

	struct xarray xfers;
	u32 next_tag;
	struct xarray sessions;
	spinlock_t files_lock; /* see above */
	struct list_head files;

	struct device *dma_dev;
	struct rw_semaphore dma_sem;
	spinlock_t bufs_lock; /* see above */
	struct list_head mapped;
	struct list_head leaked;

	struct cdma_device cdev;
	struct work_struct free_work;
};

/**
 * struct vrr_file - an open device: one session of the device
 * @ref: see the top of this file
 * @dev: the device (a reference)
 * @session: session id given by the device; 0 until the first ALLOC
 *	opens the session (vrr_file_session()), under @session_lock
 * @session_lock: serialises the opening of the session
 * @node: in &vrr_dev.files
 * @file: cdma_core's part of the file: its completion queue, @file.cq,
 *	of asynchronous transfers
 * @bufs: local handle -> &struct vrr_buf (a reference)
 * @handles: read: a device handle is in use by a request; write: FREE, so
 *	that a handle the device reuses is never mistaken for the old one
 * @lock: protects @orphans and the buffers' &vrr_buf.maps, &vrr_buf.freed
 * @orphans: buffers whose device state is unknown; released after the
 *	session is closed
 */
struct vrr_file {
	refcount_t ref;
	struct vrr_dev *dev;
	u32 session;
	struct mutex session_lock; /* see above */
	struct list_head node;
	struct cdma_file file;
	struct xarray bufs;
	struct rw_semaphore handles;
	spinlock_t lock; /* see above */
	struct list_head orphans;
};

/**
 * struct vrr_buf - a DMA buffer: guest pages shared with the device
 * @ref: see the top of this file
 * @dev: the device (a reference)
 * @size: bytes, a multiple of PAGE_SIZE
 * @dev_handle: the device's handle, 0 until the device allocated it
 * @handle: the file's handle (the page offset at which the file maps it)
 * @pg: the pages
 * @dma: DMA address of each run of @pg, when @dev->dma_dev
 * @mapped: @dma is mapped (under &vrr_dev.bufs_lock)
 * @leak: the device may still use the pages: never free them while the
 *	device lives
 * @maps: user mappings of the buffer (under its file's &vrr_file.lock)
 * @freed: the handle is gone, FREE waits for the last mapping (idem)
 * @node: in &vrr_dev.mapped while @mapped
 * @link: in &vrr_file.orphans or &vrr_dev.leaked
 * @work: frees the buffer after a release in atomic context
 */
struct vrr_buf {
	refcount_t ref;
	struct vrr_dev *dev;
	u64 size;
	u32 dev_handle;
	u32 handle;
	struct cdma_pages pg;
	dma_addr_t *dma;
	bool mapped;
	bool leak;
	unsigned int maps;
	bool freed;
	struct list_head node;
	struct list_head link;
	struct work_struct work;
};

/**
 * struct vrr_xfer - a transfer the device knows of, by its tag
 * @session: session of @file
 * @length: bytes to move
 * @file: the submitting file (a reference)
 * @src: source buffer (a reference) or NULL
 * @dst: destination buffer (a reference) or NULL
 * @entry: completion queue entry of an asynchronous transfer
 * @sync: wait object of a synchronous transfer (the completer's reference)
 * @link: in a private list while being finished in bulk
 */
struct vrr_xfer {
	u32 session;
	u64 length;
	struct vrr_file *file;
	struct vrr_buf *src;
	struct vrr_buf *dst;
	struct cdma_cq_entry *entry;
	struct cdma_sync *sync;
	struct list_head link;
};

/* How a thread waits for a response. */
enum vrr_wait {
	VRR_WAIT_KILLABLE,	/* sleep; a fatal signal abandons the wait */
	VRR_WAIT_UNINTERRUPTIBLE, /* sleep until answered or removed */
	VRR_WAIT_POLL,		/* busy-poll the request queue (killable) */
};

/* What is known of the device's state after a request. */
enum vrr_outcome {
	VRR_REQ_NOT_SENT,	/* never reached the device */
	VRR_REQ_ANSWERED,	/* the device answered: its status is known */
	VRR_REQ_LOST,		/* the device was reset before answering */
	VRR_REQ_UNKNOWN,	/* no usable answer: the device may act on it */
};

/**
 * struct vrr_req_out - device-readable part of a request
 * @hdr: request header
 * @body: opcode-specific body; &vrr_req.body_len bytes of it are sent
 * @body.alloc: ALLOC
 * @body.handle: FREE, EXPORT, REVOKE
 * @body.submit: SUBMIT
 */
struct vrr_req_out {
	struct virtio_rdma_remote_req_hdr hdr;
	union {
		struct virtio_rdma_remote_alloc alloc;
		struct virtio_rdma_remote_handle handle;
		struct virtio_rdma_remote_submit submit;
	} body;
};

/**
 * struct vrr_req - a request and its response
 * @ref: the waiter's and, while queued, the queue's reference
 * @done: completed when answered or failed
 * @status: 0 or a negative errno, valid once @done
 * @outcome: &enum vrr_outcome as seen by the completer, valid once @done
 * @body_len: bytes of @out.body sent
 * @ranges: ALLOC: guest memory ranges, sent after @out; freed with the request
 * @nr_ranges: entries of @ranges
 * @out: device-readable header and body
 * @resp: device-writable response
 */
struct vrr_req {
	refcount_t ref;
	struct completion done;
	int status;
	enum vrr_outcome outcome;
	size_t body_len;
	struct virtio_rdma_remote_range *ranges;
	unsigned int nr_ranges;
	struct vrr_req_out out;
	struct virtio_rdma_remote_resp resp;
};

/* main.c */
void vrr_dev_put(struct vrr_dev *dev);

/* vq.c */
int vrr_queues_init(struct vrr_dev *dev);
void vrr_queues_start(struct vrr_dev *dev);
void vrr_queues_kill(struct vrr_dev *dev);
struct vrr_req *vrr_req_alloc(u32 opcode, u32 session, size_t body_len);
void vrr_req_put(struct vrr_req *req);
int vrr_request(struct vrr_dev *dev, struct vrr_req *req, enum vrr_wait how,
		enum vrr_outcome *outcome);
void vrr_queue_poll_begin(struct vrr_queue *q);
void vrr_queue_poll(struct vrr_queue *q);
void vrr_queue_poll_end(struct vrr_queue *q);

/* The provider's file of cdma_core's. */
static inline struct vrr_file *to_vrr(struct cdma_file *file)
{
	return container_of(file, struct vrr_file, file);
}

/* session.c */
struct vrr_file *vrr_file_open(struct vrr_dev *dev);
int vrr_file_session(struct vrr_file *f);
void vrr_file_close(struct vrr_file *f);
void vrr_file_put(struct vrr_file *f);

/* buffer.c */
int vrr_alloc(struct cdma_file *file, u64 size, u32 *handlep);
int vrr_free(struct cdma_file *file, u32 handle);
struct vrr_buf *vrr_buf_get(struct vrr_file *f, u32 handle);
struct vrr_buf *vrr_buf_get_mapping(struct vrr_file *f, u32 handle);
void vrr_buf_unmapped(struct vrr_file *f, struct vrr_buf *buf);
void vrr_buf_put(struct vrr_buf *buf);
void vrr_buf_put_deferred(struct vrr_buf *buf);
void vrr_buf_orphan(struct vrr_file *f, struct vrr_buf *buf);
void vrr_bufs_release(struct vrr_file *f, bool leak);
void vrr_bufs_kill(struct vrr_dev *dev);

/* xfer.c */
int vrr_submit(struct cdma_file *file, const struct cdma_xfer *xu);
void vrr_xfer_answered(struct vrr_dev *dev, const struct vrr_req *req);
void vrr_xfer_event(struct vrr_dev *dev,
		    const struct virtio_rdma_remote_event *ev);
void vrr_xfers_cancel(struct vrr_dev *dev, struct vrr_file *f, bool leak);
void vrr_xfers_kill(struct vrr_dev *dev);

/* global.c */
int vrr_buf_unexport(struct vrr_file *f, struct vrr_buf *buf);
int vrr_export(struct cdma_file *file, u32 handle, u32 access,
	       u64 *global_addr, u64 *key);
int vrr_revoke(struct cdma_file *file, u32 handle);

/* wait.c */
extern const struct cdma_cq_ops vrr_cq_ops;

/* cdev.c */
int vrr_cdev_register(struct vrr_dev *dev);

#endif /* _VIRTIO_RDMA_REMOTE_VRR_H */
