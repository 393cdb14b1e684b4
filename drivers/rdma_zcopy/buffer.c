// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: buffers made of guest memory.
 *
 * ALLOC hands the engine the guest's own pages: the ranges are checked,
 * translated and their pages referenced (hold.c), then imported
 * into the session's engine context with cdma_buf_import().  The engine
 * works on them in place; nothing is copied.  The engine calls
 * rz_buf_release() once nothing of it uses the pages any more (handle
 * freed, transfers and export gone), which may be later than FREE when a
 * transfer of another context into an exported buffer is still running.
 * FREE and session end wait for that release, so that the guest may reuse
 * the memory as soon as it has the response.
 *
 * The guest ranges of live buffers are kept in an interval tree: a range
 * may overlap neither a ring nor another live buffer of the device (nor
 * another range of the same buffer).  Everything but the release callback
 * runs with rz->lock held.
 */

#include <linux/cdma_core.h>
#include <linux/interval_tree.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "rdma_zcopy.h"

/*
 * &cdma_buf_import release callback: from an engine channel worker, from
 * cdma_buf_free() or from cdma_ctx_destroy(); process context.
 */
static void rz_buf_release(void *priv)
{
	struct rz_buf *buf = priv;

	rz_pages_put(buf->pages, buf->npages);
	/* The waiter frees @buf: do not touch it after this. */
	complete(&buf->released);
}

static void rz_ranges_unlink(struct rz_dev *rz, struct rz_buf *buf,
			     unsigned int nr)
{
	while (nr--)
		interval_tree_remove(&buf->ranges[nr], &rz->ranges);
}

/*
 * Check every range: non-empty, page aligned, no wrap-around, lengths
 * adding up to @size; then insert them into the device's tree unless one
 * overlaps a ring or a live buffer.
 */
static u32 rz_ranges_link(struct rz_dev *rz, struct rz_buf *buf, u64 size,
			  const struct virtio_rdma_remote_range *ranges)
{
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < buf->nr_ranges; i++) {
		u64 addr = le64_to_cpu(ranges[i].addr);
		u64 len = le64_to_cpu(ranges[i].len);
		u64 last;

		if (!len || !IS_ALIGNED(addr | len, RZ_WIRE_PAGE) ||
		    !PAGE_ALIGNED(addr | len) || len > size - sum ||
		    check_add_overflow(addr, len - 1, &last))
			return VIRTIO_RDMA_REMOTE_S_INVAL;
		sum += len;
		buf->ranges[i].start = addr;
		buf->ranges[i].last = last;
	}
	if (sum != size)
		return VIRTIO_RDMA_REMOTE_S_INVAL;

	for (i = 0; i < buf->nr_ranges; i++) {
		struct interval_tree_node *it = &buf->ranges[i];

		if (rz_vqs_overlap(rz, it->start, it->last) ||
		    interval_tree_iter_first(&rz->ranges, it->start, it->last)) {
			rz_ranges_unlink(rz, buf, i);
			return VIRTIO_RDMA_REMOTE_S_INVAL;
		}
		interval_tree_insert(it, &rz->ranges);
	}
	return VIRTIO_RDMA_REMOTE_S_OK;
}

/* Reference or pin the pages of every range, in buffer order. */
static u32 rz_buf_get_pages(struct rz_dev *rz, struct rz_buf *buf)
{
	unsigned long done = 0;
	unsigned int i;
	int ret;

	buf->pages = kvmalloc_array(buf->npages, sizeof(*buf->pages),
				    GFP_KERNEL_ACCOUNT);
	if (!buf->pages)
		return VIRTIO_RDMA_REMOTE_S_NOMEM;
	for (i = 0; i < buf->nr_ranges; i++) {
		const struct interval_tree_node *it = &buf->ranges[i];
		u64 len = it->last - it->start + 1;

		ret = rz_pages_get(rz, it->start, len, buf->pages + done);
		if (ret) {
			rz_pages_put(buf->pages, done);
			return ret == -ENOMEM ? VIRTIO_RDMA_REMOTE_S_NOMEM :
						VIRTIO_RDMA_REMOTE_S_FAULT;
		}
		done += len >> PAGE_SHIFT;
	}
	return VIRTIO_RDMA_REMOTE_S_OK;
}

static void rz_buf_destroy(struct rz_buf *buf)
{
	kvfree(buf->pages);
	kvfree(buf);
}

/* PA mode (loopback): the engine works on the frontend's pages, held. */
static u32 rz_buf_import(struct rz_dev *rz, struct rz_session *s,
			 struct rz_buf *buf, u32 *handle)
{
	u32 st;
	int ret;

	st = rz_buf_get_pages(rz, buf);
	if (st)
		return st;
	if (rz_has_feature(rz, VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED))
		rz_pages_clear(buf->pages, buf->npages);
	ret = cdma_buf_import(s->ctx, buf->pages, buf->npages, rz_buf_release,
			      buf, handle);
	if (ret) {
		rz_pages_put(buf->pages, buf->npages);
		return vrr_errno_to_status(ret);
	}
	atomic64_add(buf->npages, &rz_stats.held_pages);
	return VIRTIO_RDMA_REMOTE_S_OK;
}

/*
 * VA mode (a VMM): the engine allocates the buffer and its pages replace
 * the guest ranges in the VMM's address space, in place (swap.c).
 */
static u32 rz_buf_swap_in(struct rz_dev *rz, struct rz_session *s,
			  struct rz_buf *buf, u64 size, u32 *handle)
{
	int ret;

	ret = cdma_buf_alloc(s->ctx, size, handle);
	if (ret)
		return vrr_errno_to_status(ret);
	ret = rz_swap_in(rz, s->ctx, *handle, buf->ranges, buf->nr_ranges,
			 &buf->swap);
	if (ret) {
		cdma_buf_free(s->ctx, *handle);
		if (ret == -ENOMEM || ret == -ENOSPC)
			return vrr_errno_to_status(ret);
		return VIRTIO_RDMA_REMOTE_S_FAULT;
	}
	/* Nothing of the guest's is held: no release to wait for. */
	complete(&buf->released);
	atomic64_add(buf->npages, &rz_stats.swapped_pages);
	atomic64_add(buf->npages, &rz_stats.swapped_pages_total);
	return VIRTIO_RDMA_REMOTE_S_OK;
}

/**
 * rz_buf_alloc() - ALLOC: make a buffer of guest memory
 * @rz: the device
 * @s: the session
 * @size: buffer size, a non-zero multiple of 4096, at most max_buffer_size
 * @ranges: the guest ranges, in buffer order, as on the wire
 * @nr: number of @ranges, 1 .. max_ranges
 * @handle: out: the engine handle
 *
 * Return: VIRTIO_RDMA_REMOTE_S_OK; _NOSPC at max_buffers; _INVAL for a bad
 * or overlapping range; _FAULT when a range is not mapped read-write, not
 * RAM, or cannot be swapped in; _NOMEM; or the engine's error.
 */
u32 rz_buf_alloc(struct rz_dev *rz, struct rz_session *s, u64 size,
		 const struct virtio_rdma_remote_range *ranges,
		 unsigned int nr, u32 *handle)
{
	struct rz_buf *buf;
	u32 st;
	int ret;

	if (s->nr_bufs >= rz->limits.max_buffers)
		return VIRTIO_RDMA_REMOTE_S_NOSPC;
	/* VA mode after unbind_mm: there is no address space to pin in. */
	if (rz->mode == RZ_MODE_VA && !rz->mm)
		return VIRTIO_RDMA_REMOTE_S_FAULT;

	buf = kvzalloc(struct_size(buf, ranges, nr), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return VIRTIO_RDMA_REMOTE_S_NOMEM;
	buf->nr_ranges = nr;
	buf->npages = size >> PAGE_SHIFT;
	init_completion(&buf->released);

	st = rz_ranges_link(rz, buf, size, ranges);
	if (st)
		goto err_free;
	if (rz->mode == RZ_MODE_VA)
		st = rz_buf_swap_in(rz, s, buf, size, handle);
	else
		st = rz_buf_import(rz, s, buf, handle);
	if (st)
		goto err_unlink;

	atomic64_inc(&rz_stats.buffers);
	ret = xa_insert(&s->bufs, *handle, buf, GFP_KERNEL_ACCOUNT);
	if (ret) {
		/* The engine releases its buffer; rz_buf_finish() waits. */
		cdma_buf_free(s->ctx, *handle);
		rz_buf_finish(rz, buf);
		return VIRTIO_RDMA_REMOTE_S_NOMEM;
	}
	s->nr_bufs++;
	return VIRTIO_RDMA_REMOTE_S_OK;

err_unlink:
	rz_ranges_unlink(rz, buf, buf->nr_ranges);
err_free:
	rz_buf_destroy(buf);
	return st;
}

/**
 * rz_buf_finish() - wait for the engine to release a buffer, then free it
 * @rz: the device
 * @buf: a buffer whose engine handle is gone
 *
 * The wait is bounded by the transfers still using the buffer.
 */
void rz_buf_finish(struct rz_dev *rz, struct rz_buf *buf)
{
	if (buf->swap) {
		rz_swap_out(buf->swap);
		atomic64_sub(buf->npages, &rz_stats.swapped_pages);
	} else {
		wait_for_completion(&buf->released);
		atomic64_sub(buf->npages, &rz_stats.held_pages);
	}
	atomic64_dec(&rz_stats.buffers);
	rz_ranges_unlink(rz, buf, buf->nr_ranges);
	rz_buf_destroy(buf);
}

/**
 * rz_buf_free() - FREE: release a buffer
 * @rz: the device
 * @s: the session
 * @handle: the buffer's handle
 *
 * Revokes the export.  Returns once the engine no longer uses the pages:
 * transfers using the buffer, of this session or, through its export, of
 * another context, have ended.
 *
 * Return: VIRTIO_RDMA_REMOTE_S_OK or _NOENT.
 */
u32 rz_buf_free(struct rz_dev *rz, struct rz_session *s, u32 handle)
{
	struct rz_buf *buf = xa_load(&s->bufs, handle);
	int ret;

	if (!buf)
		return VIRTIO_RDMA_REMOTE_S_NOENT;
	ret = cdma_buf_free(s->ctx, handle);
	if (WARN_ON_ONCE(ret))
		return vrr_errno_to_status(ret);
	xa_erase(&s->bufs, handle);
	s->nr_bufs--;
	rz_buf_finish(rz, buf);
	return VIRTIO_RDMA_REMOTE_S_OK;
}

/**
 * rz_range_is_buffer() - does a guest range touch a live buffer?
 * @rz: the device, rz->lock held
 * @iova: first bus address
 * @len: bytes, at least 1
 *
 * Return: true when the backend would be copying buffer memory.
 */
bool rz_range_is_buffer(struct rz_dev *rz, u64 iova, u64 len)
{
	lockdep_assert_held(&rz->lock);

	return interval_tree_iter_first(&rz->ranges, iova, iova + len - 1);
}
