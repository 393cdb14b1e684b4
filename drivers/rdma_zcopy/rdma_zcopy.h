/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdma_zcopy: vDPA device backend of virtio-rdma-remote on the cDMA engine.
 *
 * Internals shared by the module's source files.  The device is described
 * in Documentation/virtio-rdma-remote.rst.
 */
#ifndef _RDMA_ZCOPY_H
#define _RDMA_ZCOPY_H

#include <linux/completion.h>
#include <linux/interval_tree.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vdpa.h>
#include <linux/vhost_iotlb.h>
#include <linux/xarray.h>

#include <linux/cdma_compat.h>
#include <linux/cdma_engine.h>
#include <uapi/linux/virtio_rdma_remote.h>

/* Largest virtqueue size offered */
#define RZ_QUEUE_MAX		256
/* Requests and events handled by one run of the worker before it yields */
#define RZ_BATCH		64
/*
 * Bytes of transfers a run moves in its own thread (cdma_run()) rather
 * than on the engine's channels: no hop to a channel worker and back for
 * the transfers a guest waits for, and a request behind them waits no
 * longer than behind one quantum of a channel (its round robin's 4 MiB).
 */
#define RZ_HERE_BYTES		SZ_4M
/* Wire granularity of buffer sizes and ranges */
#define RZ_WIRE_PAGE		4096ULL

/**
 * enum rz_mode - how IOTLB translations are interpreted
 * @RZ_MODE_NONE: the device does not access guest memory
 * @RZ_MODE_PA: translations are host physical addresses (virtio_vdpa)
 * @RZ_MODE_VA: translations are virtual addresses in the bound mm
 *	(vhost_vdpa with bind_mm)
 */
enum rz_mode {
	RZ_MODE_NONE,
	RZ_MODE_PA,
	RZ_MODE_VA,
};

/**
 * struct rz_seg - one descriptor of a chain
 * @addr: guest (bus) address
 * @len: length in bytes
 */
struct vhost_task;

struct rz_seg {
	u64 addr;
	u32 len;
};

/**
 * struct rz_chain - a descriptor chain taken from the available ring
 * @head: index of the first descriptor, returned in the used ring
 * @nout: entries in @out
 * @nin: entries in @in
 * @out_len: total device-readable bytes
 * @in_len: total device-writable bytes
 * @out: device-readable descriptors, in chain order
 * @in: device-writable descriptors, in chain order
 */
struct rz_chain {
	u16 head;
	unsigned int nout;
	unsigned int nin;
	u64 out_len;
	u64 in_len;
	struct rz_seg out[RZ_QUEUE_MAX];
	struct rz_seg in[RZ_QUEUE_MAX];
};

/**
 * struct rz_vq - device side of a split virtqueue
 * @desc_addr: descriptor area
 * @driver_addr: driver (available) area
 * @device_addr: device (used) area
 * @num: queue size
 * @ready: enabled by the driver
 * @broken: malformed by the driver; not processed until reset
 * @last_avail_idx: next available ring entry to take
 * @used_idx: next used ring entry to fill
 * @cb: the driver's notification (interrupt) callback
 */
struct rz_vq {
	u64 desc_addr;
	u64 driver_addr;
	u64 device_addr;
	u32 num;
	bool ready;
	bool broken;
	u16 last_avail_idx;
	u16 used_idx;
	bool no_notify;
	struct vdpa_callback cb;
};

/**
 * struct rz_limits - limits of one device, reported in its config space
 * @max_buffer_size: largest buffer, bytes
 * @max_buffers: buffers per session
 * @max_inflight: transfers per session whose event is not yet delivered
 * @max_sessions: sessions open at the same time
 * @max_ranges: ranges in one ALLOC request
 * @max_pieces: pieces of guest RAM swapped at a time (VA mode), each a
 *	mapping of the VMM
 */
struct rz_limits {
	u64 max_buffer_size;
	u32 max_buffers;
	u32 max_inflight;
	u32 max_sessions;
	u32 max_ranges;
	u32 max_pieces;
};

/**
 * struct rz_tlb - one translation kept for the next guest access
 * @start: first bus address of the mapping it came from
 * @last: last bus address of that mapping
 * @addr: target of @start
 * @perm: VHOST_MAP_* permissions of the mapping
 * @mode: the address mode it was made in
 * @gen: &rz_dev.iotlb_gen when it was made; 0: none
 */
struct rz_tlb {
	u64 start;
	u64 last;
	u64 addr;
	u32 perm;
	enum rz_mode mode;
	u32 gen;
};

/**
 * struct rz_dev - one virtio-rdma-remote vDPA device
 * @vdpa: the vDPA device; must stay first (vdpa_alloc_device())
 * @lock: serialises configuration operations against the worker; held by
 *	the worker for a whole run.  Never taken by engine callbacks.
 * @worker: runs @work: requests, events (worker.c)
 * @work: the device's processing
 * @task_lock: protects @task
 * @task: the bound VMM's thread, which processes the device instead of
 *	@worker (NULL while none)
 * @task_pending: bit 0: a run is due in @task
 * @vqs: request and event queues
 * @config_cb: the driver's configuration change callback
 * @status: virtio device status (written under @lock, read locklessly)
 * @features: negotiated features
 * @generation: configuration generation, bumped on reset
 * @running: DRIVER_OK set and not suspended
 * @mode: address mode, chosen at DRIVER_OK
 * @rings_by_kernel: since the last reset, a driver asked for the rings'
 *	alignment (&vdpa_config_ops.get_vq_align): a virtio driver in the
 *	kernel allocates them (virtio_vdpa); vhost_vdpa never asks
 * @mm: address space bound with bind_mm (holds an mmgrab reference)
 * @iommu_lock: protects @iotlb and @iotlb_pt
 * @iotlb: IOVA -> PA or VA translations
 * @iotlb_pt: @iotlb holds the default identity (passthrough) mapping
 * @iotlb_gen: bumped with every change of @iotlb (under @iommu_lock)
 * @tlb: the last translation of the worker (under @lock), valid while its
 *	generation is @iotlb_gen
 * @config: configuration space, little-endian
 * @offered: features offered
 * @device_id: virtio device ID
 * @limits: limits of this device
 * @sessions: session id -> &struct rz_session
 * @nr_sessions: entries in @sessions
 * @next_session: cursor of cyclic session id allocation
 * @ranges: guest ranges of this device's live buffers (interval tree)
 * @ev_lock: protects @events; taken by engine completion callbacks
 * @events: completed transfers whose event is not yet delivered
 * @chain: descriptor chain being processed (under @lock)
 * @runner: the thread in a run of the device, else NULL (written under
 *	@lock, read by rz_xfer_done() without it)
 * @here_bytes: bytes of transfers this run moved itself (under @lock)
 * @swap_pieces: pieces of guest RAM swapped now (VA mode)
 * @engine: the cDMA engine serving the device (held by the module)
 * @tenant: the VM as a tenant of the engine: its sessions' exports count
 *	against it
 */
struct rz_dev {
	struct vdpa_device vdpa;
	struct mutex lock; /* see above */
	struct kthread_worker *worker;
	struct kthread_work work;
	spinlock_t task_lock; /* see above */
	struct vhost_task *task;
	unsigned long task_pending;
	struct rz_vq vqs[VIRTIO_RDMA_REMOTE_NUM_VQS];
	struct vdpa_callback config_cb;
	u8 status;
	u64 features;
	u32 generation;
	bool running;
	enum rz_mode mode;
	bool rings_by_kernel;
	struct mm_struct *mm;
	spinlock_t iommu_lock; /* see above */
	struct vhost_iotlb iotlb;
	bool iotlb_pt;
	u32 iotlb_gen;
	struct rz_tlb tlb;
	struct virtio_rdma_remote_config config;
	u64 offered;
	u32 device_id;
	struct rz_limits limits;
	struct xarray sessions;
	unsigned int nr_sessions;
	u32 next_session;
	struct rb_root_cached ranges;
	spinlock_t ev_lock; /* see above */
	struct list_head events;
	struct rz_chain chain;
	struct task_struct *runner;
	u64 here_bytes;
	atomic_t swap_pieces;
	struct cdma_engine *engine;
	struct cdma_tenant *tenant;
};

/**
 * struct rz_session - a session: one engine context
 * @id: session id on the wire
 * @ctx: the engine context; owns the buffer handles
 * @bufs: engine handle -> &struct rz_buf
 * @nr_bufs: entries in @bufs
 * @inflight: transfers submitted whose event is not delivered yet
 */
struct rz_session {
	u32 id;
	struct cdma_ctx *ctx;
	struct xarray bufs;
	unsigned int nr_bufs;
	unsigned int inflight;
};

/**
 * struct rz_buf - guest memory imported into the engine as a buffer
 * @pages: the pages, in buffer order; one reference or pin each
 * @npages: entries in @pages
 * @swap: VA mode: the engine buffer swapped in place of the guest ranges
 * @released: completed by the engine's release callback, after which
 *	neither the engine nor the device touches the pages
 * @nr_ranges: entries in @ranges
 * @ranges: the buffer's guest ranges (first and last byte), inserted in
 *	&rz_dev.ranges
 */
struct rz_buf {
	struct page **pages;
	unsigned long npages;
	struct rz_swap *swap;
	struct completion released;
	unsigned int nr_ranges;
	struct interval_tree_node ranges[] __counted_by(nr_ranges);
};

/**
 * struct rz_xfer - a transfer submitted for the driver
 * @req: the engine request; status and bytes valid once done
 * @rz: the device
 * @session: the session that submitted it
 * @tag: the driver's tag, echoed in the event
 * @link: in &rz_dev.events once completed
 * @end_here: its SUBMIT may answer its end (F_SUBMIT_END): set while the
 *	device's run moves it (cdma_run())
 * @ended: it ended within that cdma_run(): no event
 */
struct rz_xfer {
	struct cdma_req req;
	struct rz_dev *rz;
	struct rz_session *session;
	u64 tag;
	struct list_head link;
	bool end_here;
	bool ended;
};

static inline struct rz_dev *vdpa_to_rz(struct vdpa_device *vdpa)
{
	return container_of(vdpa, struct rz_dev, vdpa);
}

static inline bool rz_has_feature(const struct rz_dev *rz, unsigned int bit)
{
	return rz->features & BIT_ULL(bit);
}

/* main.c */
extern const struct vdpa_config_ops rz_config_ops;
void rz_free(struct vdpa_device *vdpa);

/* worker.c */
void rz_schedule(struct rz_dev *rz);
int rz_worker_init(struct rz_dev *rz, const char *name);
int rz_worker_bind(struct rz_dev *rz);
void rz_worker_unbind(struct rz_dev *rz);
void rz_worker_exit(struct rz_dev *rz);

/* vdpa_ops.c */
void rz_device_reset(struct rz_dev *rz);

/* iotlb.c: IOTLB operations and guest memory access */
int rz_set_map(struct vdpa_device *vdpa, unsigned int asid,
	       struct vhost_iotlb *iotlb);
int rz_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
	       u64 size, u64 pa, u32 perm, void *opaque);
int rz_dma_unmap(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		 u64 size);
int rz_reset_map(struct vdpa_device *vdpa, unsigned int asid);
int rz_bind_mm(struct vdpa_device *vdpa, struct mm_struct *mm);
void rz_unbind_mm(struct vdpa_device *vdpa);
int rz_translate(struct rz_dev *rz, u64 iova, u64 len, u32 perm, u64 *addr,
		 u64 *n);
int rz_mem_read(struct rz_dev *rz, u64 iova, void *buf, size_t len);
int rz_mem_write(struct rz_dev *rz, u64 iova, const void *buf, size_t len);
int rz_mem_read16(struct rz_dev *rz, u64 iova, u16 *val);
int rz_mem_write16(struct rz_dev *rz, u64 iova, u16 val);
int rz_iotlb_init_pt(struct rz_dev *rz);

/* ring.c: split virtqueue, device side */
void rz_vq_reset(struct rz_vq *vq);
void rz_vq_start(struct rz_vq *vq);
int rz_vq_getdesc(struct rz_dev *rz, struct rz_vq *vq, struct rz_chain *c);
void rz_vq_complete(struct rz_dev *rz, struct rz_vq *vq, u16 head, u32 len);
void rz_vq_notify(struct rz_dev *rz, struct rz_vq *vq);
void rz_vq_notify_disable(struct rz_dev *rz, struct rz_vq *vq);
void rz_vq_notify_enable(struct rz_dev *rz, struct rz_vq *vq);
void rz_vq_break(struct rz_dev *rz, struct rz_vq *vq);
bool rz_vqs_overlap(const struct rz_dev *rz, u64 start, u64 last);
int rz_chain_pull(struct rz_dev *rz, const struct rz_chain *c, u64 *pos,
		  void *buf, size_t len);
int rz_chain_push(struct rz_dev *rz, const struct rz_chain *c,
		  const void *buf, size_t len);

/* queue.c: request processing */
bool rz_process_requests(struct rz_dev *rz, unsigned int budget);

/* session.c */
struct rz_session *rz_session_find(struct rz_dev *rz, u32 id);
u32 rz_session_open(struct rz_dev *rz, u32 *id);
void rz_session_close(struct rz_dev *rz, struct rz_session *s);
void rz_sessions_destroy(struct rz_dev *rz);

/* buffer.c */
u32 rz_buf_alloc(struct rz_dev *rz, struct rz_session *s, u64 size,
		 const struct virtio_rdma_remote_range *ranges,
		 unsigned int nr, u32 *handle);
u32 rz_buf_free(struct rz_dev *rz, struct rz_session *s, u32 handle);
void rz_buf_finish(struct rz_dev *rz, struct rz_buf *buf);

/* hold.c: guest-page lookup */
int rz_pages_get(struct rz_dev *rz, u64 iova, u64 len, struct page **pages);
void rz_pages_put(struct page **pages, unsigned long npages);
void rz_pages_clear(struct page **pages, unsigned long npages);

/* event.c: completion forwarding */
void rz_xfer_done(struct cdma_req *req);
u32 rz_event_status(int err);
bool rz_deliver_events(struct rz_dev *rz, unsigned int budget);
void rz_events_drop(struct rz_dev *rz, struct rz_session *s);

/* swap.c: in-place swap of guest RAM (VA mode) */

/**
 * struct rz_mm_scope - a kthread in a VMM's address space (rz_mm_enter())
 * @mm: the address space
 * @memcg: its owner's memory cgroup (a reference)
 * @old: the active memory cgroup before
 */
struct rz_mm_scope {
	struct mm_struct *mm;
	struct mem_cgroup *memcg;
	struct mem_cgroup *old;
};

void rz_mm_enter(struct rz_mm_scope *s, struct mm_struct *mm);
void rz_mm_leave(struct rz_mm_scope *s);
#define RZ_SWAP_MAX_PIECES	65536
struct rz_swap;
int rz_swap_in(struct rz_dev *rz, struct cdma_ctx *ctx, u32 handle,
	       const struct interval_tree_node *ranges, unsigned int nr,
	       struct rz_swap **out);
void rz_swap_out(struct rz_swap *sw);
int rz_swap_init(void);
void rz_swap_exit(void);

/* stats.c: debugfs counters */
extern bool rz_payload_stats;

/**
 * struct rz_stats - module-wide counters (debugfs)
 * @payload_copied_bytes: buffer bytes copied by the backend itself
 * @buffers: live buffers
 * @swapped_pages: guest pages replaced by engine pages (VA mode)
 * @swapped_pages_total: guest pages ever replaced since the module loaded
 * @held_pages: guest pages held for the engine (PA mode)
 */
struct rz_stats {
	atomic64_t payload_copied_bytes;
	atomic64_t buffers;
	atomic64_t swapped_pages;
	atomic64_t swapped_pages_total;
	atomic64_t held_pages;
};

extern struct rz_stats rz_stats;
void rz_stats_init(void);
void rz_stats_exit(void);
bool rz_range_is_buffer(struct rz_dev *rz, u64 iova, u64 len);

#endif /* _RDMA_ZCOPY_H */
