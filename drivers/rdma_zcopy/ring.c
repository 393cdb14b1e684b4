// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: device side of a split virtqueue (virtio 1.x, 2.7).
 *
 * The device offers neither VIRTIO_RING_F_INDIRECT_DESC nor
 * VIRTIO_RING_F_EVENT_IDX nor VIRTIO_F_RING_PACKED, so this is the plain
 * split ring.  Debian's kernels do not build vringh: CONFIG_VHOST_RING is
 * only selected by VDPA_SIM, MLX5_VDPA_NET and CAIF_VIRTIO, none of which
 * Debian enables; hence this small implementation over the device's IOTLB
 * accessors, on the kernel's own ring layout (<uapi/linux/virtio_ring.h>)
 * and with vringh's verbs (getdesc, complete, need_notify), so that moving
 * to vringh_*_iotlb() where CONFIG_VHOST_RING is set is mechanical.
 *
 * Everything in the rings is untrusted: indexes, descriptor ids, lengths,
 * addresses and chain links are checked before use.  A malformed ring
 * marks the queue broken and sets DEVICE_NEEDS_RESET (virtio 1.x, 2.1.2).
 * All functions run in the worker with rz->lock held.
 */

#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/virtio_byteorder.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>

#include "rdma_zcopy.h"

/* VIRTIO_F_VERSION_1 (required): the rings are little-endian. */
#define RZ_LE	true

/*
 * Sizes of the three areas of a split ring of @num entries; the driver and
 * device areas end with the used_event and avail_event fields (2 bytes),
 * unused here (no VIRTIO_RING_F_EVENT_IDX) but part of the areas.
 */
static u64 rz_desc_size(u32 num)
{
	return (u64)num * sizeof(struct vring_desc);
}

static u64 rz_avail_size(u32 num)
{
	return offsetof(struct vring_avail, ring) +
	       (u64)num * sizeof(__virtio16) + sizeof(__virtio16);
}

static u64 rz_used_size(u32 num)
{
	return offsetof(struct vring_used, ring) +
	       (u64)num * sizeof(struct vring_used_elem) + sizeof(__virtio16);
}

/**
 * rz_vq_reset() - forget everything about a virtqueue
 * @vq: the queue
 */
void rz_vq_reset(struct rz_vq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

/**
 * rz_vq_start() - the driver enabled the queue
 * @vq: the queue
 *
 * As vdpa_sim: the used index starts at the available index set with
 * set_vq_state (nothing is in flight in the ring).
 */
void rz_vq_start(struct rz_vq *vq)
{
	vq->used_idx = vq->last_avail_idx;
}

/* Queue size and area placement as the split ring requires. */
static bool rz_vq_sane(const struct rz_vq *vq)
{
	u64 end;

	if (!vq->num || vq->num > RZ_QUEUE_MAX || !is_power_of_2(vq->num))
		return false;
	if (!IS_ALIGNED(vq->desc_addr, 16) || !IS_ALIGNED(vq->driver_addr, 2) ||
	    !IS_ALIGNED(vq->device_addr, 4))
		return false;
	return !check_add_overflow(vq->desc_addr, rz_desc_size(vq->num) - 1,
				   &end) &&
	       !check_add_overflow(vq->driver_addr,
				   rz_avail_size(vq->num) - 1, &end) &&
	       !check_add_overflow(vq->device_addr,
				   rz_used_size(vq->num) - 1, &end);
}

/**
 * rz_vq_break() - the driver broke the ring: stop and ask for a reset
 * @rz: the device
 * @vq: the queue
 */
void rz_vq_break(struct rz_dev *rz, struct rz_vq *vq)
{
	lockdep_assert_held(&rz->lock);

	if (vq->broken)
		return;
	vq->broken = true;
	dev_warn_ratelimited(&rz->vdpa.dev,
			     "virtqueue %td malformed; device needs reset\n",
			     vq - rz->vqs);
	WRITE_ONCE(rz->status, rz->status | VIRTIO_CONFIG_S_NEEDS_RESET);
	if (rz->config_cb.callback)
		rz->config_cb.callback(rz->config_cb.private);
}

/* Record one descriptor; readable ones must precede writable ones. */
static int rz_chain_add(struct rz_chain *c, const struct vring_desc *d)
{
	u16 flags = __virtio16_to_cpu(RZ_LE, d->flags);
	struct rz_seg seg = {
		.addr = __virtio64_to_cpu(RZ_LE, d->addr),
		.len = __virtio32_to_cpu(RZ_LE, d->len),
	};
	u64 end;

	if (flags & VRING_DESC_F_INDIRECT)
		return -EIO;
	if (seg.len && check_add_overflow(seg.addr, (u64)seg.len - 1, &end))
		return -EIO;
	if (flags & VRING_DESC_F_WRITE) {
		c->in[c->nin++] = seg;
		c->in_len += seg.len;
	} else {
		if (c->nin)
			return -EIO;
		c->out[c->nout++] = seg;
		c->out_len += seg.len;
	}
	return 0;
}

/**
 * rz_vq_getdesc() - take the next available descriptor chain (as
 *	vringh_getdesc_iotlb())
 * @rz: the device
 * @vq: the queue
 * @c: out: the chain
 *
 * Return: 0, -ENOENT when the queue is empty, not ready or broken, or -EIO
 * when the ring is malformed (the queue is then broken).
 */
int rz_vq_getdesc(struct rz_dev *rz, struct rz_vq *vq, struct rz_chain *c)
{
	unsigned int count = 0;
	u16 avail_idx, head, i;
	struct vring_desc d;

	lockdep_assert_held(&rz->lock);

	if (!vq->ready || vq->broken)
		return -ENOENT;
	if (!rz_vq_sane(vq) ||
	    rz_mem_read16(rz, vq->driver_addr +
			  offsetof(struct vring_avail, idx), &avail_idx))
		goto broken;
	if (avail_idx == vq->last_avail_idx)
		return -ENOENT;
	if ((u16)(avail_idx - vq->last_avail_idx) > vq->num)
		goto broken;
	/* Read the ring entry and descriptors after the index (virtio_rmb). */
	smp_rmb();
	if (rz_mem_read16(rz, vq->driver_addr +
			  offsetof(struct vring_avail, ring) + sizeof(__virtio16) *
			  (u64)(vq->last_avail_idx & (vq->num - 1)),
			  &head) || head >= vq->num)
		goto broken;

	c->head = head;
	c->nout = 0;
	c->nin = 0;
	c->out_len = 0;
	c->in_len = 0;
	for (i = head;; i = __virtio16_to_cpu(RZ_LE, d.next)) {
		/* More descriptors than the ring holds: a loop. */
		if (i >= vq->num || ++count > vq->num)
			goto broken;
		if (rz_mem_read(rz, vq->desc_addr + (u64)i * sizeof(d), &d,
				sizeof(d)) ||
		    rz_chain_add(c, &d))
			goto broken;
		if (!(__virtio16_to_cpu(RZ_LE, d.flags) & VRING_DESC_F_NEXT))
			break;
	}
	vq->last_avail_idx++;
	return 0;

broken:
	rz_vq_break(rz, vq);
	return -EIO;
}

/**
 * rz_vq_complete() - return a chain to the driver through the used ring
 *	(as vringh_complete_iotlb())
 * @rz: the device
 * @vq: the queue
 * @head: the chain's head
 * @len: bytes written into its device-writable part
 */
void rz_vq_complete(struct rz_dev *rz, struct rz_vq *vq, u16 head, u32 len)
{
	struct vring_used_elem e = {
		.id = __cpu_to_virtio32(RZ_LE, head),
		.len = __cpu_to_virtio32(RZ_LE, len),
	};

	lockdep_assert_held(&rz->lock);
	if (vq->broken)
		return;
	if (rz_mem_write(rz, vq->device_addr +
			 offsetof(struct vring_used, ring) + sizeof(e) *
			 (u64)(vq->used_idx & (vq->num - 1)), &e, sizeof(e)))
		goto broken;
	/* The element before the index that publishes it (virtio_wmb). */
	smp_wmb();
	if (rz_mem_write16(rz, vq->device_addr +
			   offsetof(struct vring_used, idx), vq->used_idx + 1))
		goto broken;
	vq->used_idx++;
	return;

broken:
	rz_vq_break(rz, vq);
}

/* Does the driver want an interrupt (as vringh_need_notify_iotlb())? */
static bool rz_vq_need_notify(struct rz_dev *rz, struct rz_vq *vq)
{
	u16 flags;

	if (vq->broken || !vq->cb.callback)
		return false;
	/* Used index visible before the driver's flag is read (virtio_mb). */
	smp_mb();
	return rz_mem_read16(rz, vq->driver_addr +
			     offsetof(struct vring_avail, flags), &flags) ||
	       !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

/**
 * rz_vq_notify() - signal used buffers unless the driver suppressed it
 *	(as vringh_notify() after vringh_need_notify_iotlb())
 * @rz: the device
 * @vq: the queue
 */
void rz_vq_notify(struct rz_dev *rz, struct rz_vq *vq)
{
	lockdep_assert_held(&rz->lock);

	if (rz_vq_need_notify(rz, vq))
		vq->cb.callback(vq->cb.private);
}

/**
 * rz_vq_notify_disable() - the driver need not kick the queue (as
 *	vringh_notify_disable_iotlb(): VRING_USED_F_NO_NOTIFY)
 * @rz: the device
 * @vq: the queue
 */
void rz_vq_notify_disable(struct rz_dev *rz, struct rz_vq *vq)
{
	lockdep_assert_held(&rz->lock);

	if (vq->no_notify || !vq->ready || vq->broken || !rz_vq_sane(vq))
		return;
	if (rz_mem_write16(rz, vq->device_addr +
			   offsetof(struct vring_used, flags),
			   VRING_USED_F_NO_NOTIFY)) {
		rz_vq_break(rz, vq);
		return;
	}
	vq->no_notify = true;
}

/**
 * rz_vq_notify_enable() - the driver kicks the queue again (as
 *	vringh_notify_enable_iotlb())
 * @rz: the device
 * @vq: the queue
 *
 * Buffers made available while kicks were off have no kick coming: the
 * caller looks at the ring again (rz_vq_getdesc()) after this.
 */
void rz_vq_notify_enable(struct rz_dev *rz, struct rz_vq *vq)
{
	lockdep_assert_held(&rz->lock);

	/* Even when not disabled here: the ring may be older than @vq. */
	if (!vq->ready || vq->broken || !rz_vq_sane(vq))
		return;
	if (rz_mem_write16(rz, vq->device_addr +
			   offsetof(struct vring_used, flags), 0)) {
		rz_vq_break(rz, vq);
		return;
	}
	vq->no_notify = false;
	/* Flag visible before the caller reads the index again (virtio_mb). */
	smp_mb();
}

/* [start, last] against [base, base + size - 1]; size >= 1, no wrap */
static bool rz_overlap(u64 start, u64 last, u64 base, u64 size)
{
	return start <= base + (size - 1) && base <= last;
}

/**
 * rz_vqs_overlap() - does a guest range overlap a ring of the device?
 * @rz: the device
 * @start: first bus address of the range
 * @last: last bus address of the range
 *
 * Return: true if it overlaps a descriptor, driver or device area of an
 * enabled queue.
 */
bool rz_vqs_overlap(const struct rz_dev *rz, u64 start, u64 last)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rz->vqs); i++) {
		const struct rz_vq *vq = &rz->vqs[i];

		if (!vq->ready || !rz_vq_sane(vq))
			continue;
		if (rz_overlap(start, last, vq->desc_addr,
			       rz_desc_size(vq->num)) ||
		    rz_overlap(start, last, vq->driver_addr,
			       rz_avail_size(vq->num)) ||
		    rz_overlap(start, last, vq->device_addr,
			       rz_used_size(vq->num)))
			return true;
	}
	return false;
}

/**
 * rz_chain_pull() - read the device-readable part of a chain
 * @rz: the device
 * @c: the chain
 * @pos: in: offset in the readable part; out: advanced by @len
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, -EINVAL when the readable part ends before @len bytes, or
 * -EFAULT.
 */
int rz_chain_pull(struct rz_dev *rz, const struct rz_chain *c, u64 *pos,
		  void *buf, size_t len)
{
	u64 off = *pos;
	unsigned int i;
	int ret;

	lockdep_assert_held(&rz->lock);

	for (i = 0; i < c->nout && len; i++) {
		size_t n;

		if (off >= c->out[i].len) {
			off -= c->out[i].len;
			continue;
		}
		n = min_t(u64, len, c->out[i].len - off);
		ret = rz_mem_read(rz, c->out[i].addr + off, buf, n);
		if (ret)
			return ret;
		buf += n;
		len -= n;
		*pos += n;
		off = 0;
	}
	return len ? -EINVAL : 0;
}

/**
 * rz_chain_push() - write the start of the device-writable part of a chain
 * @rz: the device
 * @c: the chain
 * @buf: source
 * @len: bytes
 *
 * Return: 0, -EINVAL when the writable part is shorter than @len, or
 * -EFAULT.
 */
int rz_chain_push(struct rz_dev *rz, const struct rz_chain *c,
		  const void *buf, size_t len)
{
	unsigned int i;
	int ret;

	lockdep_assert_held(&rz->lock);

	if (c->in_len < len)
		return -EINVAL;
	for (i = 0; i < c->nin && len; i++) {
		size_t n = min_t(u64, len, c->in[i].len);

		ret = rz_mem_write(rz, c->in[i].addr, buf, n);
		if (ret)
			return ret;
		buf += n;
		len -= n;
	}
	return 0;
}
