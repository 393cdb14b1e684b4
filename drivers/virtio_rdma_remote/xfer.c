// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: transfers.
 *
 * The device runs every transfer asynchronously: a SUBMIT response says
 * queued, one completion event carries the end; or, with F_SUBMIT_END, the
 * response itself carries the end of a transfer the device moved before
 * answering, and no event follows.  Each transfer gets a tag, a small
 * integer allocated in the device-wide &vrr_dev.xfers (never a kernel
 * pointer), and is published there before the SUBMIT is sent, since its
 * event may overtake the response.  Whoever erases a tag from the array -
 * the event, the response that reports the end, a failed SUBMIT,
 * release() or remove() - owns the transfer and ends it: an asynchronous
 * transfer completes its completion queue entry, a synchronous one its
 * waiter.
 *
 * A transfer holds references on its file and buffers, so that pages and
 * DMA mappings stay while the device may move data into them.
 */

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>

#include "vrr.h"

/* Free a transfer nobody can reach any more.  Context: any. */
static void vrr_xfer_free(struct vrr_xfer *x)
{
	if (x->src)
		vrr_buf_put_deferred(x->src);
	if (x->dst)
		vrr_buf_put_deferred(x->dst);
	vrr_file_put(x->file);
	kfree(x);
}

/* End a transfer taken out of the array.  Context: any. */
static void vrr_xfer_finish(struct vrr_xfer *x, int status, u64 bytes)
{
	if (x->entry)
		cdma_cq_complete(&x->file->file.cq, x->entry, status, bytes);
	else
		cdma_sync_complete(x->sync, status, bytes);
	vrr_xfer_free(x);
}

/* Drop a transfer the device never queued, without any completion. */
static void vrr_xfer_discard(struct vrr_xfer *x)
{
	if (x->entry)
		cdma_cq_unreserve(&x->file->file.cq, x->entry);
	else
		cdma_sync_put(x->sync);
	vrr_xfer_free(x);
}

/*
 * Take a transfer published under @tag out of the array; false if someone
 * else did (and may have freed it: @x is only compared, not used).
 */
static bool vrr_xfer_take(struct vrr_dev *dev, u32 tag, struct vrr_xfer *x)
{
	bool taken;

	xa_lock_irq(&dev->xfers);
	taken = xa_load(&dev->xfers, tag) == x;
	if (taken)
		__xa_erase(&dev->xfers, tag);
	xa_unlock_irq(&dev->xfers);
	return taken;
}

/* Status of a completion event: only OK, CANCELED and IO are valid. */
static int vrr_event_status(struct vrr_dev *dev, u32 status)
{
	switch (status) {
	case VIRTIO_RDMA_REMOTE_S_OK:
		return 0;
	case VIRTIO_RDMA_REMOTE_S_CANCELED:
		return -ECANCELED;
	case VIRTIO_RDMA_REMOTE_S_IO:
		return -EIO;
	default:
		dev_warn_ratelimited(&dev->vdev->dev,
				     "invalid completion status %u\n", status);
		return -EIO;
	}
}

/*
 * End a transfer taken out of the array as the device reports it (an
 * event, or a SUBMIT response under F_SUBMIT_END).  Context: any.
 */
static void vrr_xfer_end(struct vrr_dev *dev, struct vrr_xfer *x, u64 tag,
			 u32 dev_status, u64 bytes)
{
	int status = vrr_event_status(dev, dev_status);

	if (bytes > x->length || (!status && bytes != x->length)) {
		dev_warn_ratelimited(&dev->vdev->dev,
				     "transfer %llu: %llu bytes moved of %llu\n",
				     tag, bytes, x->length);
		status = -EIO;
		bytes = 0;
	}
	vrr_xfer_finish(x, status, bytes);
}

/* Take the transfer of @tag of @session out of the array; NULL if none. */
static struct vrr_xfer *vrr_xfer_take_tag(struct vrr_dev *dev, u64 tag,
					  u32 session)
{
	struct vrr_xfer *x = NULL;
	unsigned long flags;

	xa_lock_irqsave(&dev->xfers, flags);
	if (tag <= U32_MAX)
		x = xa_load(&dev->xfers, tag);
	if (x && x->session == session)
		__xa_erase(&dev->xfers, tag);
	else
		x = NULL;
	xa_unlock_irqrestore(&dev->xfers, flags);
	return x;
}

/**
 * vrr_xfer_answered() - a SUBMIT response that reports the transfer's end
 * @dev: the device
 * @req: an answered request
 *
 * With F_SUBMIT_END, a response SUBMIT_ENDED stands for the event: the
 * transfer ends here, whether its submitter still waits or not (a fatal
 * signal, remove()).
 *
 * Context: any; called with the request queue's lock held.
 */
void vrr_xfer_answered(struct vrr_dev *dev, const struct vrr_req *req)
{
	u64 tag = le64_to_cpu(req->out.body.submit.tag);
	u32 id = le32_to_cpu(req->resp.id);
	struct vrr_xfer *x;

	if (!dev->submit_end ||
	    le32_to_cpu(req->out.hdr.opcode) != VIRTIO_RDMA_REMOTE_OP_SUBMIT ||
	    le32_to_cpu(req->resp.status) != VIRTIO_RDMA_REMOTE_S_OK ||
	    id == VIRTIO_RDMA_REMOTE_SUBMIT_QUEUED)
		return;
	if (id != VIRTIO_RDMA_REMOTE_SUBMIT_ENDED) {
		/* Not a known answer: the event may still come. */
		dev_warn_ratelimited(&dev->vdev->dev,
				     "SUBMIT answered with unknown id %u\n", id);
		return;
	}
	x = vrr_xfer_take_tag(dev, tag, le32_to_cpu(req->out.hdr.session));
	if (x)
		vrr_xfer_end(dev, x, tag, le32_to_cpu(req->resp.end.status),
			     le64_to_cpu(req->resp.end.bytes));
}

/**
 * vrr_xfer_event() - handle an event from the event queue
 * @dev: the device
 * @ev: a copy of the event
 *
 * Events of unknown transfers are dropped: those of a closed session
 * silently (the device may still report the transfers it cancelled),
 * others with a warning.
 *
 * Context: any; called with the event queue's lock held.
 */
void vrr_xfer_event(struct vrr_dev *dev,
		    const struct virtio_rdma_remote_event *ev)
{
	u32 session = le32_to_cpu(ev->session);
	u64 bytes = le64_to_cpu(ev->bytes);
	u64 tag = le64_to_cpu(ev->tag);
	struct vrr_xfer *x;

	if (le32_to_cpu(ev->type) != VIRTIO_RDMA_REMOTE_EV_COMPLETION) {
		dev_warn_ratelimited(&dev->vdev->dev, "unknown event type %u\n",
				     le32_to_cpu(ev->type));
		return;
	}

	x = vrr_xfer_take_tag(dev, tag, session);
	if (!x) {
		if (xa_load(&dev->sessions, session))
			dev_warn_ratelimited(&dev->vdev->dev,
					     "event for unknown transfer %llu of session %u\n",
					     tag, session);
		return;
	}

	vrr_xfer_end(dev, x, tag, le32_to_cpu(ev->status), bytes);
}

/* End the transfers of @f (every transfer if NULL) with @status. */
static void vrr_xfers_end(struct vrr_dev *dev, struct vrr_file *f,
			  int status, bool leak)
{
	struct vrr_xfer *x, *tmp;
	unsigned long tag;
	LIST_HEAD(list);

	xa_lock_irq(&dev->xfers);
	xa_for_each(&dev->xfers, tag, x) {
		if (f && x->file != f)
			continue;
		__xa_erase(&dev->xfers, tag);
		list_add_tail(&x->link, &list);
	}
	xa_unlock_irq(&dev->xfers);

	list_for_each_entry_safe(x, tmp, &list, link) {
		list_del(&x->link);
		if (leak && x->src)
			x->src->leak = true;
		if (leak && x->dst)
			x->dst->leak = true;
		vrr_xfer_finish(x, status, 0);
	}
}

/**
 * vrr_xfers_cancel() - end the transfers of a closed session
 * @dev: the device
 * @f: the file whose session was closed
 * @leak: the device did not confirm the close: keep the buffers' pages
 *
 * Completion records of the cancelled transfers carry -ECANCELED.
 */
void vrr_xfers_cancel(struct vrr_dev *dev, struct vrr_file *f, bool leak)
{
	vrr_xfers_end(dev, f, -ECANCELED, leak);
}

/**
 * vrr_xfers_kill() - end every transfer of a removed device with -ENODEV
 * @dev: the device, dead and reset
 */
void vrr_xfers_kill(struct vrr_dev *dev)
{
	vrr_xfers_end(dev, NULL, -ENODEV, false);
}

/* Look the transfer's buffers up; unknown handles fail with -ENOENT. */
static int vrr_xfer_bufs(struct vrr_file *f, struct vrr_xfer *x,
			 const struct cdma_xfer *xu)
{
	if (xu->dir != CDMA_XFER_FROM_GLOBAL) {
		x->src = vrr_buf_get(f, xu->src_handle);
		if (!x->src)
			return -ENOENT;
	}
	if (xu->dir != CDMA_XFER_TO_GLOBAL) {
		x->dst = vrr_buf_get(f, xu->dst_handle);
		if (!x->dst)
			return -ENOENT;
	}
	return 0;
}

static struct vrr_req *vrr_xfer_req(struct vrr_file *f, struct vrr_xfer *x,
				    const struct cdma_xfer *xu)
{
	struct virtio_rdma_remote_submit *b;
	struct vrr_req *req;

	req = vrr_req_alloc(VIRTIO_RDMA_REMOTE_OP_SUBMIT, f->session,
			    sizeof(req->out.body.submit));
	if (!req)
		return NULL;
	b = &req->out.body.submit;
	b->dir = cpu_to_le32(xu->dir);
	b->src_handle = cpu_to_le32(x->src ? x->src->dev_handle : 0);
	b->dst_handle = cpu_to_le32(x->dst ? x->dst->dev_handle : 0);
	b->src_offset = cpu_to_le64(xu->src_offset);
	b->dst_offset = cpu_to_le64(xu->dst_offset);
	b->length = cpu_to_le64(xu->length);
	b->global_addr = cpu_to_le64(xu->global_addr);
	b->key = cpu_to_le64(xu->key);
	return req;
}

/*
 * Resolve, publish and send.  *@tag: the tag, or 0 when not published.
 * Once published, the transfer may end at any time (an event, even a
 * forged one, or remove()): it is not touched any more.
 */
static int vrr_xfer_send(struct vrr_file *f, struct vrr_xfer *x,
			 const struct cdma_xfer *xu, u32 *tag,
			 enum vrr_outcome *outcome)
{
	struct vrr_dev *dev = f->dev;
	struct vrr_req *req;
	int ret;

	*tag = 0;
	*outcome = VRR_REQ_NOT_SENT;
	ret = vrr_xfer_bufs(f, x, xu);
	if (ret)
		return ret;
	req = vrr_xfer_req(f, x, xu);
	if (!req)
		return -ENOMEM;
	/* Published before it is sent: the event may beat the response. */
	ret = xa_alloc_cyclic_irq(&dev->xfers, tag, x, XA_LIMIT(1, U32_MAX),
				  &dev->next_tag, GFP_KERNEL);
	if (ret < 0) {
		*tag = 0;
		goto out;
	}
	req->out.body.submit.tag = cpu_to_le64(*tag);
	ret = vrr_request(dev, req, cdma_cq_polling(&f->file.cq) ?
			  VRR_WAIT_POLL : VRR_WAIT_KILLABLE, outcome);
out:
	vrr_req_put(req);
	return ret;
}

/**
 * vrr_submit() - CDMA_IOC_SUBMIT (&cdma_device_ops.submit)
 * @file: the file
 * @xu: the transfer (checked by cdma_core)
 *
 * Return: 0 or the errno of Documentation/cdma-uapi.rst; a synchronous
 * transfer returns its own status.
 */
int vrr_submit(struct cdma_file *file, const struct cdma_xfer *xu)
{
	struct vrr_file *f = to_vrr(file);
	struct vrr_dev *dev = f->dev;
	enum vrr_outcome outcome;
	struct cdma_sync *s = NULL;
	struct vrr_xfer *x;
	u32 tag;
	int ret;

	if (xu->dir != CDMA_XFER_LOCAL && !dev->global)
		return -EOPNOTSUPP;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	if (xu->flags & CDMA_XFER_F_ASYNC) {
		x->entry = cdma_cq_reserve(&f->file.cq, xu->cookie);
		if (IS_ERR(x->entry)) {
			ret = PTR_ERR(x->entry);
			kfree(x);
			return ret;
		}
	} else {
		s = cdma_sync_alloc();
		if (!s) {
			kfree(x);
			return -ENOMEM;
		}
		x->sync = s;
	}
	refcount_inc(&f->ref);
	x->file = f;
	x->session = f->session;
	x->length = xu->length;

	ret = down_read_killable(&f->handles);
	if (ret) {
		vrr_xfer_discard(x);
		goto out_sync;
	}
	ret = vrr_xfer_send(f, x, xu, &tag, &outcome);
	up_read(&f->handles);
	if (ret) {
		/* Not queued: end it, unless an event or remove() did. */
		if (outcome != VRR_REQ_UNKNOWN &&
		    (!tag || vrr_xfer_take(dev, tag, x)))
			vrr_xfer_discard(x);
		goto out_sync;
	}
	return s ? cdma_sync_wait_cq(s, &f->file.cq) : 0;

out_sync:
	if (s)
		cdma_sync_put(s);
	return ret;
}
