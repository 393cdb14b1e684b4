/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm_virtio.h - a minimal VMM and virtio driver of the virtio-rdma-remote
 * device (Documentation/virtio-rdma-remote.rst) over /dev/vhost-vdpa-N.
 *
 * The test program plays both QEMU and the guest:
 *
 * - as the VMM it opens the vhost-vdpa device, becomes its owner
 *   (VHOST_SET_OWNER: vhost_vdpa binds the caller's mm to a use_va device,
 *   so IOTLB targets are virtual addresses of this process), negotiates
 *   features, and maps its "guest RAM", a memfd mapped MAP_SHARED, into
 *   the device's IOTLB with VHOST_IOTLB_UPDATE messages;
 * - as the guest driver it lays the split virtqueues out in that RAM,
 *   posts event buffers, sends requests as descriptor chains, kicks the
 *   device through eventfds and waits for its call eventfds.
 *
 * Guest bus addresses (IOVAs), fixed for every test:
 *
 *   [0, ZC_RAM)                       unmapped
 *   ZC_RAM + [0, ZC_RAM0_SIZE)        RAM, region 0: memfd [0, 48 MiB)
 *   ZC_RAM + [48 MiB, 64 MiB)         RAM, region 1: memfd [48, 64 MiB),
 *                                     mapped at a lower, non-adjacent
 *                                     virtual address (as QEMU's split of
 *                                     guest RAM around the PCI hole)
 *   ZC_RAM + [64 MiB, 80 MiB)         unmapped (hole)
 *   ZC_ROM + [0, 1 MiB)               mapped read-only for the device
 *   beyond                            unmapped
 *
 * Inside RAM (offsets from ZC_RAM): the rings of both queues in the first
 * pages, the event buffers, the response and the request area, then the
 * data area where the tests put their buffers.
 *
 * vmm_virtio.c implements it; each program links it.
 */
#ifndef VMM_VIRTIO_H
#define VMM_VIRTIO_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include <linux/cdma.h>
#include <linux/virtio_rdma_remote.h>

#include "../kselftest.h"	/* ARRAY_SIZE(), __printf() */

/* Newer than the libc headers of some hosts */
#ifndef VHOST_BACKEND_F_IOTLB_MSG_V2
#define VHOST_BACKEND_F_IOTLB_MSG_V2	0x1
#endif
#ifndef VHOST_BACKEND_F_IOTLB_BATCH
#define VHOST_BACKEND_F_IOTLB_BATCH	0x2
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef VIRTIO_F_ACCESS_PLATFORM
#define VIRTIO_F_ACCESS_PLATFORM	33
#endif

#define ZC_KiB		(1024ULL)
#define ZC_MiB		(1024ULL * 1024ULL)
#define ZC_PAGE		4096ULL

/* Guest bus address layout (see above) */
#define ZC_RAM		0x40000000ULL		/* 1 GiB */
#define ZC_RAM0_SIZE	(48 * ZC_MiB)
#define ZC_RAM1_SIZE	(16 * ZC_MiB)
#define ZC_RAM_SIZE	(ZC_RAM0_SIZE + ZC_RAM1_SIZE)
#define ZC_RAM_END	(ZC_RAM + ZC_RAM_SIZE)
#define ZC_ROM		(ZC_RAM + 80 * ZC_MiB)
#define ZC_ROM_SIZE	(1 * ZC_MiB)
#define ZC_MEMFD_SIZE	(ZC_RAM_SIZE + ZC_ROM_SIZE)

/* Inside RAM */
#define ZC_QSIZE	256			/* both queues */
#define ZC_VQ_DESC(q)	(ZC_RAM + (q) * 3 * ZC_PAGE)
#define ZC_VQ_AVAIL(q)	(ZC_VQ_DESC(q) + ZC_PAGE)
#define ZC_VQ_USED(q)	(ZC_VQ_DESC(q) + 2 * ZC_PAGE)
#define ZC_RINGS_END	ZC_VQ_DESC(2)
#define ZC_EVBUF	(ZC_RAM + 64 * ZC_KiB)	/* ZC_QSIZE events */
#define ZC_EVBUF_SIZE	((uint64_t)sizeof(struct virtio_rdma_remote_event))
#define ZC_RESP		(ZC_RAM + 128 * ZC_KiB)	/* one page */
#define ZC_REQ		(ZC_RAM + 1 * ZC_MiB)
#define ZC_REQ_SIZE	(2 * ZC_MiB)
#define ZC_DATA		(ZC_RAM + 4 * ZC_MiB)	/* up to ZC_RAM_END */

/* Transport errors (negative); request statuses are >= 0 */
#define ZC_ETIMEDOUT	(-ETIMEDOUT)
#define ZC_EPROTO	(-EPROTO)

/* Time limits, scaled by $CDMA_TIMEOUT_SCALE (slow debug kernels) */
#define ZC_REQ_TIMEOUT_MS	20000
#define ZC_EV_TIMEOUT_MS	30000

/* ------------------------------------------------------------------ */
/* Split virtqueue layout (virtio 1.x, 2.7), little-endian              */

struct zc_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct zc_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct zc_used_elem {
	uint32_t id;
	uint32_t len;
};

struct zc_used {
	uint16_t flags;
	uint16_t idx;
	struct zc_used_elem ring[];
};

/**
 * struct zc_vq - driver side of one split virtqueue
 * @idx: queue index
 * @num: queue size
 * @desc: descriptor table (in guest RAM)
 * @avail: driver area
 * @used: device area
 * @avail_idx: shadow of avail->idx
 * @last_used: used entries consumed
 * @kick: eventfd the driver writes to notify the device
 * @call: eventfd the device signals
 */
struct zc_vq {
	unsigned int idx;
	unsigned int num;
	struct zc_desc *desc;
	struct zc_avail *avail;
	struct zc_used *used;
	uint16_t avail_idx;
	uint16_t last_used;
	int kick;
	int call;
};

/**
 * struct zc_region - guest memory mapped in the device's IOTLB
 * @iova: first bus address
 * @size: bytes
 * @va: where this process maps it
 * @off: offset in the memfd
 * @perm: VHOST_ACCESS_*
 */
struct zc_region {
	uint64_t iova;
	uint64_t size;
	uint8_t *va;
	uint64_t off;
	uint8_t perm;
};

/*
 * Host-endian copy of struct virtio_rdma_remote_event, and the position
 * of its used ring entry (the used index before it).
 */
struct zc_event {
	uint32_t type;
	uint32_t session;
	uint64_t tag;
	uint32_t status;
	uint32_t reserved;
	uint64_t bytes;
	uint16_t pos;
};

#define ZC_NR_REGIONS	3
#define ZC_MAX_EVENTS	1024

/**
 * struct zc_vmm - the VMM and its guest driver
 * @fd: /dev/vhost-vdpa-N
 * @memfd: guest RAM
 * @resv: the virtual address range reserved for the regions
 * @resv_size: its size
 * @reg: RAM region 0, RAM region 1, ROM
 * @backend_features: negotiated vhost backend features
 * @features: negotiated virtio features
 * @device_id: virtio device ID
 * @cfg: configuration space, host endian
 * @vq: request and event queues
 * @ev: events received and not yet taken by a test
 * @nr_ev: entries in @ev
 * @ev_lost: events that did not fit in @ev
 * @ev_bad: event buffers returned with a used length below 32
 * @req_timeout_ms: how long a request may take (ZC_REQ_TIMEOUT_MS, scaled)
 * @identity: guest RAM mapped in this process at VA == IOVA and no IOTLB
 *	update sent: the device keeps its default mapping (a hostile VMM)
 * @err: what failed, for the test log
 */
struct zc_vmm {
	int fd;
	int memfd;
	uint8_t *resv;
	size_t resv_size;
	struct zc_region reg[ZC_NR_REGIONS];
	uint64_t backend_features;
	uint64_t features;
	uint32_t device_id;
	struct {
		uint32_t version, node_id, channels, caps;
		uint64_t max_buffer_size;
		uint32_t max_buffers, max_inflight, max_sessions, max_ranges;
	} cfg;
	struct zc_vq vq[VIRTIO_RDMA_REMOTE_NUM_VQS];
	struct zc_event ev[ZC_MAX_EVENTS];
	unsigned int nr_ev;
	unsigned int ev_lost;
	unsigned int ev_bad;
	int req_timeout_ms;
	bool identity;
	char err[512];
};

/* One device-readable piece of a request, in its own descriptor. */
struct zc_seg {
	const void *p;
	size_t len;
};

/* A range in host byte order */
struct zc_range {
	uint64_t addr;
	uint64_t len;
};

/* A transfer in host byte order */
struct zc_xfer {
	uint32_t dir;
	uint32_t flags;
	uint32_t src;
	uint32_t dst;
	uint64_t src_off;
	uint64_t dst_off;
	uint64_t len;
	uint64_t gaddr;
	uint64_t key;
	uint64_t tag;
};

/* ------------------------------------------------------------------ */
/* Time (vmm_virtio.c has the functions and their comments)            */

unsigned int zc_scale(void);
uint64_t zc_now_ms(void);
int zc_left_ms(uint64_t end);

/* ------------------------------------------------------------------ */
/* Guest memory                                                        */

void *zc_ptr(struct zc_vmm *m, uint64_t iova, uint64_t len);
int zc_gcopy(struct zc_vmm *m, uint64_t iova, void *buf, uint64_t len,
	     bool write);

static inline int zc_gread(struct zc_vmm *m, uint64_t iova, void *buf,
			   uint64_t len)
{
	return zc_gcopy(m, iova, buf, len, false);
}

static inline int zc_gwrite(struct zc_vmm *m, uint64_t iova, const void *buf,
			    uint64_t len)
{
	return zc_gcopy(m, iova, (void *)buf, len, true);
}

/* ------------------------------------------------------------------ */
/* vhost-vdpa: the VMM side                                            */

static inline int zc_get_status(struct zc_vmm *m, uint8_t *status)
{
	return ioctl(m->fd, VHOST_VDPA_GET_STATUS, status) ? -errno : 0;
}

static inline int zc_set_status(struct zc_vmm *m, uint8_t status)
{
	return ioctl(m->fd, VHOST_VDPA_SET_STATUS, &status) ? -errno : 0;
}

int zc_iotlb_remap(struct zc_vmm *m, unsigned int r, unsigned int parts);

/**
 * struct zc_racer - a thread that changes the IOTLB under the requests
 * @m: the VMM
 * @random: RAM region 1 split in 4 entries or gone, at random, then one
 *	    entry again, with random pauses (errors ignored); else split and
 *	    joined back to back until an error
 * @rnd: state of the random changes' generator
 * @stop: ends the thread (zc_racer_stop())
 * @flips: changes made (a split or removal and the join)
 * @err: the error that ended the thread
 * @thread: the thread
 */
struct zc_racer {
	struct zc_vmm *m;
	bool random;
	__u64 rnd;
	int stop;
	unsigned long flips;
	int err;
	pthread_t thread;
};

int zc_racer_start(struct zc_racer *r);
void zc_racer_stop(struct zc_racer *r);
void zc_kick(struct zc_vq *vq);
void zc_vq_publish(struct zc_vq *vq, uint16_t head);
bool zc_vq_get_used(struct zc_vq *vq, struct zc_used_elem *e);
int zc_vq_wait(struct zc_vq *vq, int ms);

/* The device's used index of a queue, now. */
static inline uint16_t zc_vq_used_idx(struct zc_vq *vq)
{
	return le16toh(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE));
}

int zc_wait_event(struct zc_vmm *m, uint64_t tag, struct zc_event *out,
		  int timeout_ms);
void zc_ev_drain(struct zc_vmm *m, int ms);
int zc_vmm_start_opts(struct zc_vmm *m, const char *path, bool identity,
		      uint64_t more);
int zc_vmm_start_wait(struct zc_vmm *m, const char *path);
void zc_vmm_stop(struct zc_vmm *m, bool no_reset);

static inline int zc_vmm_start_mode(struct zc_vmm *m, const char *path,
				    bool identity)
{
	return zc_vmm_start_opts(m, path, identity, 0);
}

static inline int zc_vmm_start(struct zc_vmm *m, const char *path)
{
	return zc_vmm_start_mode(m, path, false);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

int zc_request(struct zc_vmm *m, const struct zc_seg *out, unsigned int nout,
	       uint32_t resp_len, struct virtio_rdma_remote_resp *resp,
	       uint32_t *used_len);
int zc_req1(struct zc_vmm *m, const void *req, size_t len,
	    struct virtio_rdma_remote_resp *resp);
struct virtio_rdma_remote_req_hdr zc_hdr(uint32_t op, uint32_t sid);
int zc_session_open(struct zc_vmm *m, uint32_t *sid);
int zc_session_close(struct zc_vmm *m, uint32_t sid);
int zc_alloc_raw(struct zc_vmm *m, uint32_t sid, uint64_t size,
		 uint32_t nr_field, uint32_t flags,
		 const struct zc_range *ranges, unsigned int nr, bool split,
		 uint32_t *handle);
int zc_alloc(struct zc_vmm *m, uint32_t sid, const struct zc_range *ranges,
	     unsigned int nr, uint32_t *handle);
int zc_handle_op(struct zc_vmm *m, uint32_t op, uint32_t sid, uint32_t handle,
		 uint32_t access, struct virtio_rdma_remote_resp *resp);
int zc_submit(struct zc_vmm *m, uint32_t sid, const struct zc_xfer *x);
int zc_submit_resp(struct zc_vmm *m, uint32_t sid, const struct zc_xfer *x,
		   struct virtio_rdma_remote_resp *resp);
const char *zc_status_name(int st);

static inline int zc_free(struct zc_vmm *m, uint32_t sid, uint32_t handle)
{
	return zc_handle_op(m, VIRTIO_RDMA_REMOTE_OP_FREE, sid, handle, 0,
			    NULL);
}

#endif /* VMM_VIRTIO_H */
