// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: transfers and engine channels.
 *
 * Each channel is a kthread worker; a transfer is a memcpy between the
 * physically contiguous runs of two buffers.  Every context has a queue on
 * each channel (struct cdma_chanq), and its transfers go to the channels
 * in turn.  A channel serves the contexts with work round robin, one
 * quantum (CDMA_QUANTUM bytes) of a transfer at a time: a tenant with a
 * deep queue of large transfers delays another's by a quantum per busy
 * context, not by its whole backlog, and a context being destroyed has its
 * queued transfers cancelled on its next turn.  The request's done
 * callback plays the engine's completion interrupt.
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
/* Bytes of one transfer a channel moves before serving the next context. */
#define CDMA_QUANTUM	(4 * CDMA_SLICE)

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

static int cdma_local_range(struct soft_ctx *ctx, u32 handle, u64 offset,
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

static int cdma_resolve(struct soft_ctx *ctx, struct soft_req *sr)
{
	const struct cdma_xfer *x = &sr->req->xfer;
	int ret;

	sr->src = NULL;
	sr->dst = NULL;
	switch (x->dir) {
	case CDMA_XFER_LOCAL:
		ret = cdma_local_range(ctx, x->src_handle, x->src_offset,
				       x->length, &sr->src);
		if (!ret)
			ret = cdma_local_range(ctx, x->dst_handle, x->dst_offset,
					       x->length, &sr->dst);
		sr->src_off = x->src_offset;
		sr->dst_off = x->dst_offset;
		break;
	case CDMA_XFER_TO_GLOBAL:
		ret = cdma_local_range(ctx, x->src_handle, x->src_offset,
				       x->length, &sr->src);
		if (!ret)
			ret = cdma_global_resolve(x->global_addr, x->key,
						  CDMA_ACCESS_WRITE, x->length,
						  &sr->dst, &sr->dst_off);
		sr->src_off = x->src_offset;
		break;
	default:
		ret = cdma_global_resolve(x->global_addr, x->key,
					  CDMA_ACCESS_READ, x->length,
					  &sr->src, &sr->src_off);
		if (!ret)
			ret = cdma_local_range(ctx, x->dst_handle, x->dst_offset,
					       x->length, &sr->dst);
		sr->dst_off = x->dst_offset;
		break;
	}

	/* Overlapping ranges of one buffer have no defined result. */
	if (!ret && sr->src == sr->dst &&
	    sr->src_off < sr->dst_off + x->length &&
	    sr->dst_off < sr->src_off + x->length)
		ret = -EINVAL;
	return ret;
}

static void cdma_req_release(struct soft_req *sr)
{
	if (sr->src)
		cdma_buf_put(sr->src);
	if (sr->dst)
		cdma_buf_put(sr->dst);
	sr->src = NULL;
	sr->dst = NULL;
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

/*
 * Move up to CDMA_QUANTUM more bytes of @sr (from its bytes on): 0 when
 * the transfer is complete, -EAGAIN when bytes are left for its next turn,
 * -ECANCELED when its context is being destroyed.
 */
static int cdma_copy(struct soft_req *sr)
{
	struct cdma_req *req = sr->req;
	const struct cdma_buf *src = sr->src, *dst = sr->dst;
	u64 left = req->xfer.length - req->bytes, soff, doff, slice = 0;
	u64 quantum = CDMA_QUANTUM;
	unsigned int si, di;

	cdma_seek(src, sr->src_off + req->bytes, &si, &soff);
	cdma_seek(dst, sr->dst_off + req->bytes, &di, &doff);
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
		quantum = quantum > n ? quantum - n : 0;
		if (slice >= CDMA_SLICE) {
			slice = 0;
			cond_resched();
			if (READ_ONCE(sr->ctx->dying))
				return -ECANCELED;
		}
		if (!quantum && left)
			return -EAGAIN;
	}
	return 0;
}

/* End @reqs (off every queue) with @status; each one leaves the context. */
static void cdma_reqs_end(struct soft_ctx *ctx, struct list_head *reqs,
			  int status)
{
	struct soft_req *sr, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(sr, tmp, reqs, node) {
		struct cdma_req *req = sr->req;

		list_del(&sr->node);
		req->status = status;
		cdma_req_release(sr);
		req->done(req);
		n++;
	}
	/* Last access to ctx: soft_ctx_destroy() may free it right after. */
	spin_lock(&ctx->lock);
	ctx->inflight -= n;
	if (!ctx->inflight)
		wake_up(&ctx->idle);
	spin_unlock(&ctx->lock);
}

/*
 * A context's turn on a channel: one quantum of its first transfer; then
 * behind the other contexts again while it has work.  A dying context's
 * transfers all end here at once.
 */
static void cdma_chanq_work(struct kthread_work *work)
{
	struct cdma_chanq *q = container_of(work, struct cdma_chanq, work);
	struct soft_ctx *ctx = q->ctx;
	struct soft_req *sr;
	LIST_HEAD(ended);
	bool more;
	int ret;

	spin_lock(&ctx->lock);
	sr = list_first_entry_or_null(&q->reqs, struct soft_req, node);
	if (ctx->dying)
		list_splice_init(&q->reqs, &ended);
	spin_unlock(&ctx->lock);
	if (!sr)
		return;
	if (!list_empty(&ended)) {
		cdma_reqs_end(ctx, &ended, -ECANCELED);
		return;
	}

	ret = cdma_copy(sr);
	spin_lock(&ctx->lock);
	if (ret != -EAGAIN)
		list_move(&sr->node, &ended);
	more = !list_empty(&q->reqs);
	spin_unlock(&ctx->lock);
	/* Work left counts in ctx->inflight: ctx stays until it is done. */
	if (more)
		kthread_queue_work(cdma_workers[q->ch], &q->work);
	if (!list_empty(&ended))
		cdma_reqs_end(ctx, &ended, ret);
}

/**
 * cdma_chanq_init() - set up a new context's channel queues
 * @ctx: the context
 */
void cdma_chanq_init(struct soft_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < cdma_channels; i++) {
		kthread_init_work(&ctx->q[i].work, cdma_chanq_work);
		INIT_LIST_HEAD(&ctx->q[i].reqs);
		ctx->q[i].ctx = ctx;
		ctx->q[i].ch = i;
	}
}

/**
 * cdma_chanq_flush() - make sure no turn of a context is left queued
 * @ctx: an idle context (no transfer in flight), about to be freed
 */
void cdma_chanq_flush(struct soft_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < cdma_channels; i++)
		kthread_cancel_work_sync(&ctx->q[i].work);
}

/*
 * Check, resolve and admit @req on its context: 0, or the errno of
 * soft_submit() with nothing held.  With @qp, queue it on the context's
 * next channel too: *@qp is that channel's queue when its turn must be
 * queued (the queue was empty), else NULL.
 */
static int soft_xfer_start(struct soft_ctx *ctx, struct cdma_req *req,
			   struct cdma_chanq **qp)
{
	struct soft_req *sr = soft_req(req);
	struct cdma_chanq *q;
	int ret;

	ret = cdma_xfer_check(&req->xfer);
	if (ret)
		return ret;
	sr->req = req;
	sr->ctx = ctx;
	req->bytes = 0;
	ret = cdma_resolve(ctx, sr);
	if (ret)
		goto err;

	spin_lock(&ctx->lock);
	if (ctx->dying) {
		ret = -ECANCELED;
	} else if (ctx->inflight >= cdma_max_inflight) {
		ret = -EBUSY;
	} else {
		ctx->inflight++;
		if (qp) {
			q = &ctx->q[ctx->next_ch++ % cdma_channels];
			*qp = list_empty(&q->reqs) ? q : NULL;
			list_add_tail(&sr->node, &q->reqs);
		}
	}
	spin_unlock(&ctx->lock);
	if (!ret)
		return 0;
err:
	cdma_req_release(sr);
	return ret;
}

/**
 * soft_submit() - queue a transfer (&cdma_engine_ops.submit)
 * @c: the context whose handles the transfer uses
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
int soft_submit(struct cdma_ctx *c, struct cdma_req *req)
{
	struct cdma_chanq *q;
	int ret;

	ret = soft_xfer_start(to_soft_ctx(c), req, &q);
	if (ret)
		return ret;
	/* Otherwise the context's turn is queued, or running, and comes again. */
	if (q)
		kthread_queue_work(cdma_workers[q->ch], &q->work);
	return 0;
}

/**
 * soft_run() - move a transfer in the calling thread (&cdma_engine_ops.run)
 * @c: the context whose handles the transfer uses
 * @req: the request; @req->xfer and @req->done must be set
 *
 * The copy runs here, on the caller's account, with no channel worker to
 * wake; it may sleep.  A context being destroyed meanwhile cancels it.
 *
 * Return: as soft_submit(); on success @req->done was called before the
 * return.
 */
int soft_run(struct cdma_ctx *c, struct cdma_req *req)
{
	struct soft_ctx *ctx = to_soft_ctx(c);
	struct soft_req *sr = soft_req(req);
	LIST_HEAD(ended);
	int ret;

	ret = soft_xfer_start(ctx, req, NULL);
	if (ret)
		return ret;
	do {
		ret = cdma_copy(sr);
	} while (ret == -EAGAIN);
	list_add(&sr->node, &ended);
	cdma_reqs_end(ctx, &ended, ret);
	return 0;
}

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
