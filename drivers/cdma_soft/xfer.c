// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: transfers and engine channels.
 *
 * Each channel is a kthread worker; a transfer is a memcpy between the
 * physically contiguous runs of two buffers, done in slices so that a
 * context being destroyed cancels it quickly.  The request's done callback
 * plays the engine's completion interrupt.
 */

#include <linux/atomic.h>
#include <linux/highmem.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <linux/cdma_core.h>

#include "cdma_soft.h"

#define CDMA_SLICE	SZ_1M

static bool cdma_copy_words = true;
module_param_named(copy_words, cdma_copy_words, bool, 0644);
MODULE_PARM_DESC(copy_words, "Copy with 8-byte moves instead of the kernel's memcpy (default Y)");

static struct kthread_worker **cdma_workers;

/*
 * The kernel's memcpy is "rep movsb" on CPUs that advertise fast string
 * moves; emulated CPUs (QEMU TCG, where this engine model is tested) run
 * it an order of magnitude slower than plain moves on large buffers.
 * Eight 8-byte moves per iteration are close to memcpy on real hardware
 * and fast under emulation.
 */
/* One 8-byte move at any alignment: a single mov, no call. */
static __always_inline void cdma_move8(u8 *d, const u8 *s)
{
	u64 v;

	__builtin_memcpy(&v, s, sizeof(v));
	__builtin_memcpy(d, &v, sizeof(v));
}

static void cdma_memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (!READ_ONCE(cdma_copy_words)) {
		memcpy(dst, src, n);
		return;
	}
	for (; n >= 64; n -= 64, d += 64, s += 64) {
		cdma_move8(d, s);
		cdma_move8(d + 8, s + 8);
		cdma_move8(d + 16, s + 16);
		cdma_move8(d + 24, s + 24);
		cdma_move8(d + 32, s + 32);
		cdma_move8(d + 40, s + 40);
		cdma_move8(d + 48, s + 48);
		cdma_move8(d + 56, s + 56);
	}
	memcpy(d, s, n);
}

static atomic_t cdma_next_channel = ATOMIC_INIT(0);

static int cdma_local_range(struct cdma_ctx *ctx, u32 handle, u64 offset,
			    u64 length, struct cdma_buf **buf)
{
	*buf = cdma_buf_get(ctx, handle);
	if (!*buf)
		return -ENOENT;
	if (offset >= (*buf)->size || length > (*buf)->size - offset) {
		cdma_buf_put(*buf);
		*buf = NULL;
		return -ERANGE;
	}
	return 0;
}

static int cdma_resolve(struct cdma_ctx *ctx, struct cdma_req *req)
{
	const struct cdma_xfer *x = &req->xfer;
	int ret;

	req->src = NULL;
	req->dst = NULL;
	switch (x->dir) {
	case CDMA_XFER_LOCAL:
		ret = cdma_local_range(ctx, x->src_handle, x->src_offset,
				       x->length, &req->src);
		if (!ret)
			ret = cdma_local_range(ctx, x->dst_handle, x->dst_offset,
					       x->length, &req->dst);
		req->src_off = x->src_offset;
		req->dst_off = x->dst_offset;
		break;
	case CDMA_XFER_TO_GLOBAL:
		ret = cdma_local_range(ctx, x->src_handle, x->src_offset,
				       x->length, &req->src);
		if (!ret)
			ret = cdma_global_resolve(x->global_addr, x->key,
						  CDMA_ACCESS_WRITE, x->length,
						  &req->dst, &req->dst_off);
		req->src_off = x->src_offset;
		break;
	default:
		ret = cdma_global_resolve(x->global_addr, x->key,
					  CDMA_ACCESS_READ, x->length,
					  &req->src, &req->src_off);
		if (!ret)
			ret = cdma_local_range(ctx, x->dst_handle, x->dst_offset,
					       x->length, &req->dst);
		req->dst_off = x->dst_offset;
		break;
	}

	/* Overlapping ranges of one buffer have no defined result. */
	if (!ret && req->src == req->dst &&
	    req->src_off < req->dst_off + x->length &&
	    req->dst_off < req->src_off + x->length)
		ret = -EINVAL;
	return ret;
}

static void cdma_req_release(struct cdma_req *req)
{
	if (req->src)
		cdma_buf_put(req->src);
	if (req->dst)
		cdma_buf_put(req->dst);
	req->src = NULL;
	req->dst = NULL;
}

/* Locate byte @off of @buf: segment index and offset inside it. */
static void cdma_seek(const struct cdma_buf *buf, u64 off, unsigned int *seg,
		      u64 *segoff)
{
	unsigned int i = 0;

	while (off >= ((u64)buf->pg.segs[i].nr << PAGE_SHIFT)) {
		off -= (u64)buf->pg.segs[i].nr << PAGE_SHIFT;
		i++;
	}
	*seg = i;
	*segoff = off;
}

static int cdma_copy(struct cdma_req *req)
{
	const struct cdma_buf *src = req->src, *dst = req->dst;
	u64 left = req->xfer.length, soff, doff, slice = 0;
	unsigned int si, di;

	cdma_seek(src, req->src_off, &si, &soff);
	cdma_seek(dst, req->dst_off, &di, &doff);
	while (left) {
		u64 savail = ((u64)src->pg.segs[si].nr << PAGE_SHIFT) - soff;
		u64 davail = ((u64)dst->pg.segs[di].nr << PAGE_SHIFT) - doff;
		u64 n = min3(left, savail, davail);

		cdma_memcpy(page_address(dst->pg.segs[di].page) + doff,
			    page_address(src->pg.segs[si].page) + soff, n);
		left -= n;
		req->bytes += n;
		soff += n;
		doff += n;
		if (soff == (u64)src->pg.segs[si].nr << PAGE_SHIFT && left) {
			si++;
			soff = 0;
		}
		if (doff == (u64)dst->pg.segs[di].nr << PAGE_SHIFT && left) {
			di++;
			doff = 0;
		}
		slice += n;
		if (slice >= CDMA_SLICE) {
			slice = 0;
			cond_resched();
			if (READ_ONCE(req->ctx->dying))
				return -ECANCELED;
		}
	}
	return 0;
}

static void cdma_xfer_work(struct kthread_work *work)
{
	struct cdma_req *req = container_of(work, struct cdma_req, work);
	struct cdma_ctx *ctx = req->ctx;

	req->bytes = 0;
	if (READ_ONCE(ctx->dying))
		req->status = -ECANCELED;
	else
		req->status = cdma_copy(req);
	cdma_req_release(req);
	req->done(req);

	/* Last access to ctx: cdma_ctx_destroy() may free it right after. */
	spin_lock(&ctx->lock);
	if (!--ctx->inflight)
		wake_up(&ctx->idle);
	spin_unlock(&ctx->lock);
}

/**
 * cdma_submit() - queue a transfer
 * @ctx: the context whose handles the transfer uses
 * @req: the request; @req->xfer and @req->done must be set
 *
 * On success @req->done is called exactly once, later, from a channel
 * worker; the request must stay valid until then.  On failure nothing is
 * queued and @req->done is not called.
 *
 * Return: 0, -EINVAL (see cdma_xfer_check()), -ENOENT for an unknown
 * handle, -ERANGE out of bounds, -EBUSY when the context has max_inflight
 * transfers queued, -ECANCELED when the context is being destroyed, or an
 * error of the global address lookup.
 */
int cdma_submit(struct cdma_ctx *ctx, struct cdma_req *req)
{
	unsigned int ch;
	int ret;

	ret = cdma_xfer_check(&req->xfer);
	if (ret)
		return ret;
	ret = cdma_resolve(ctx, req);
	if (ret)
		goto err;

	spin_lock(&ctx->lock);
	if (ctx->dying)
		ret = -ECANCELED;
	else if (ctx->inflight >= cdma_max_inflight)
		ret = -EBUSY;
	else
		ctx->inflight++;
	spin_unlock(&ctx->lock);
	if (ret)
		goto err;

	req->ctx = ctx;
	kthread_init_work(&req->work, cdma_xfer_work);
	ch = (unsigned int)atomic_inc_return(&cdma_next_channel) % cdma_channels;
	kthread_queue_work(cdma_workers[ch], &req->work);
	return 0;

err:
	cdma_req_release(req);
	return ret;
}
EXPORT_SYMBOL_GPL(cdma_submit);

/**
 * cdma_channels_init() - start the channel workers
 *
 * Return: 0 or a negative errno.
 */
int cdma_channels_init(void)
{
	unsigned int i;

	cdma_workers = kcalloc(cdma_channels, sizeof(*cdma_workers),
			       GFP_KERNEL);
	if (!cdma_workers)
		return -ENOMEM;
	for (i = 0; i < cdma_channels; i++) {
		cdma_workers[i] = kthread_create_worker(0, "cdma-ch%u", i);
		if (IS_ERR(cdma_workers[i])) {
			int ret = PTR_ERR(cdma_workers[i]);

			cdma_workers[i] = NULL;
			cdma_channels_exit();
			return ret;
		}
	}
	return 0;
}

/**
 * cdma_channels_exit() - stop the channel workers after their queued work
 */
void cdma_channels_exit(void)
{
	unsigned int i;

	for (i = 0; i < cdma_channels; i++)
		if (cdma_workers[i])
			kthread_destroy_worker(cdma_workers[i]);
	kfree(cdma_workers);
	cdma_workers = NULL;
}
