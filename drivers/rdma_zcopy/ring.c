// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: device side of a split virtqueue (virtio 1.x, 2.7).
 *
 * The device offers neither VIRTIO_RING_F_INDIRECT_DESC nor
 * VIRTIO_RING_F_EVENT_IDX nor VIRTIO_F_RING_PACKED, so this is the plain
 * split ring.  Debian's kernels do not build vringh (CONFIG_VHOST_RING is
 * only selected by the vDPA simulators), hence this small implementation
 * over the device's IOTLB accessors.
 *
 * Everything in the rings is untrusted: indexes, descriptor ids, lengths,
 * addresses and chain links are checked before use.  A malformed ring
 * marks the queue broken and sets DEVICE_NEEDS_RESET (virtio 1.x, 2.1.2).
 * All functions run in the worker with rz->lock held.
 */

#include <linux/log2.h>
#include <linux/overflow.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>

#include "rdma_zcopy.h"

/**
 * struct rz_desc - split ring descriptor, little-endian
 * @addr: buffer address
 * @len: buffer length
 * @flags: VRING_DESC_F_*
 * @next: next descriptor when VRING_DESC_F_NEXT
 */
struct rz_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

/**
 * struct rz_used_elem - used ring element, little-endian
 * @id: head of the chain
 * @len: bytes written into the chain's device-writable part
 */
struct rz_used_elem {
	__le32 id;
	__le32 len;
};

/* Sizes of the three areas (split ring, no event index fields used) */
static u64 rz_desc_size(u32 num)
{
	return (u64)num * sizeof(struct rz_desc);
}

static u64 rz_avail_size(u32 num)
{
	return 6 + 2 * (u64)num;
}

static u64 rz_used_size(u32 num)
{
	return 6 + (u64)num * sizeof(struct rz_used_elem);
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
static int rz_chain_add(struct rz_chain *c, const struct rz_desc *d)
{
	u16 flags = le16_to_cpu(d->flags);
	struct rz_seg seg = {
		.addr = le64_to_cpu(d->addr),
		.len = le32_to_cpu(d->len),
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
 * rz_vq_pop() - take the next available descriptor chain
 * @rz: the device
 * @vq: the queue
 * @c: out: the chain
 *
 * Return: 0, -ENOENT when the queue is empty, not ready or broken, or -EIO
 * when the ring is malformed (the queue is then broken).
 */
int rz_vq_pop(struct rz_dev *rz, struct rz_vq *vq, struct rz_chain *c)
{
	unsigned int count = 0;
	u16 avail_idx, head, i;
	struct rz_desc d;

	if (!vq->ready || vq->broken)
		return -ENOENT;
	if (!rz_vq_sane(vq) ||
	    rz_mem_read16(rz, vq->driver_addr + 2, &avail_idx))
		goto broken;
	if (avail_idx == vq->last_avail_idx)
		return -ENOENT;
	if ((u16)(avail_idx - vq->last_avail_idx) > vq->num)
		goto broken;
	/* Read the ring entry and descriptors after the index (virtio_rmb). */
	smp_rmb();
	if (rz_mem_read16(rz, vq->driver_addr + 4 +
			  2 * (u64)(vq->last_avail_idx & (vq->num - 1)),
			  &head) || head >= vq->num)
		goto broken;

	c->head = head;
	c->nout = 0;
	c->nin = 0;
	c->out_len = 0;
	c->in_len = 0;
	for (i = head;; i = le16_to_cpu(d.next)) {
		/* More descriptors than the ring holds: a loop. */
		if (i >= vq->num || ++count > vq->num)
			goto broken;
		if (rz_mem_read(rz, vq->desc_addr + (u64)i * sizeof(d), &d,
				sizeof(d)) ||
		    rz_chain_add(c, &d))
			goto broken;
		if (!(le16_to_cpu(d.flags) & VRING_DESC_F_NEXT))
			break;
	}
	vq->last_avail_idx++;
	return 0;

broken:
	rz_vq_break(rz, vq);
	return -EIO;
}

/**
 * rz_vq_push() - return a chain to the driver through the used ring
 * @rz: the device
 * @vq: the queue
 * @head: the chain's head
 * @len: bytes written into its device-writable part
 */
void rz_vq_push(struct rz_dev *rz, struct rz_vq *vq, u16 head, u32 len)
{
	struct rz_used_elem e = {
		.id = cpu_to_le32(head),
		.len = cpu_to_le32(len),
	};

	if (vq->broken)
		return;
	if (rz_mem_write(rz, vq->device_addr + 4 + sizeof(e) *
			 (u64)(vq->used_idx & (vq->num - 1)), &e, sizeof(e)))
		goto broken;
	/* The element before the index that publishes it (virtio_wmb). */
	smp_wmb();
	if (rz_mem_write16(rz, vq->device_addr + 2, vq->used_idx + 1))
		goto broken;
	vq->used_idx++;
	return;

broken:
	rz_vq_break(rz, vq);
}

/**
 * rz_vq_notify() - signal used buffers unless the driver suppressed it
 * @rz: the device
 * @vq: the queue
 */
void rz_vq_notify(struct rz_dev *rz, struct rz_vq *vq)
{
	u16 flags;

	if (vq->broken || !vq->cb.callback)
		return;
	/* Used index visible before the driver's flag is read (virtio_mb). */
	smp_mb();
	if (!rz_mem_read16(rz, vq->driver_addr, &flags) &&
	    (flags & VRING_AVAIL_F_NO_INTERRUPT))
		return;
	vq->cb.callback(vq->cb.private);
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
