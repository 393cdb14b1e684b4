// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: request and event queue plumbing.
 *
 * Requests are synchronous request/response pairs on the request queue:
 * a device-readable header and body (and, for ALLOC, the guest memory
 * ranges) followed by a device-writable response.  Any number of threads
 * may have requests queued; each sleeps (or busy-polls) on its own
 * completion, which the queue's callback completes.
 *
 * The event queue holds device-writable event buffers; the device writes
 * one completion event per transfer.  Each used buffer is copied, posted
 * again and dispatched to the transfer it names.
 *
 * Polling: a thread that waits in CDMA_MODE_POLL drains a queue itself and
 * keeps the queue's callback disabled while it does, so that polled
 * completions cost no interrupt.
 */

#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include "vrr.h"

/* Descriptors of the largest request: header+body, ranges, response. */
#define VRR_REQ_MAX_SG	3

/**
 * vrr_req_alloc() - allocate a request
 * @opcode: VIRTIO_RDMA_REMOTE_OP_*
 * @session: session id, 0 for SESSION_OPEN
 * @body_len: bytes of &vrr_req_out.body to send
 *
 * Return: the request with the caller's reference, or NULL.
 */
struct vrr_req *vrr_req_alloc(u32 opcode, u32 session, size_t body_len)
{
	struct vrr_req *req = kzalloc(sizeof(*req), GFP_KERNEL);

	if (!req)
		return NULL;
	refcount_set(&req->ref, 1);
	init_completion(&req->done);
	req->body_len = body_len;
	req->out.hdr.opcode = cpu_to_le32(opcode);
	req->out.hdr.session = cpu_to_le32(session);
	return req;
}

/**
 * vrr_req_put() - drop a request reference
 * @req: the request
 *
 * Context: any.
 */
void vrr_req_put(struct vrr_req *req)
{
	if (refcount_dec_and_test(&req->ref)) {
		kfree(req->ranges);
		kfree(req);
	}
}

/* Finish a request; drops the queue's reference. */
static void vrr_req_finish(struct vrr_req *req, int status,
			   enum vrr_outcome outcome)
{
	req->status = status;
	req->outcome = outcome;
	complete(&req->done);
	vrr_req_put(req);
}

/* A used request buffer: @len bytes were written into the response. */
static void vrr_req_answered(struct vrr_dev *dev, struct vrr_req *req,
			     unsigned int len)
{
	if (len < sizeof(req->resp)) {
		dev_warn_ratelimited(&dev->vdev->dev,
				     "short response (%u bytes)\n", len);
		vrr_req_finish(req, -EIO, VRR_REQ_UNKNOWN);
		return;
	}
	vrr_xfer_answered(dev, req);
	vrr_req_finish(req, vrr_status_to_errno(le32_to_cpu(req->resp.status)),
		       VRR_REQ_ANSWERED);
}

static void vrr_req_drain(struct vrr_queue *q)
{
	struct vrr_dev *dev = q->dev;
	struct vrr_req *req;
	unsigned int len;
	bool freed = false;

	while ((req = virtqueue_get_buf(q->vq, &len))) {
		vrr_req_answered(dev, req, len);
		freed = true;
	}
	if (freed) {
		WRITE_ONCE(dev->req_gen, dev->req_gen + 1);
		wake_up_all(&dev->req_wq);
	}
}

static int vrr_evt_post(struct vrr_queue *q, struct vrr_evt *e)
{
	struct scatterlist sg;

	sg_init_one(&sg, &e->ev, sizeof(e->ev));
	return virtqueue_add_inbuf(q->vq, &sg, 1, e, GFP_ATOMIC);
}

/* Take one used event buffer: copy the event out; false when none. */
static bool vrr_evt_take(struct vrr_queue *q, bool repost,
			 struct virtio_rdma_remote_event *ev, bool *valid,
			 bool *posted)
{
	struct vrr_evt *e;
	unsigned int len;

	e = virtqueue_get_buf(q->vq, &len);
	if (!e)
		return false;
	memcpy(ev, &e->ev, sizeof(*ev));
	*valid = len >= sizeof(*ev);
	if (!*valid)
		dev_warn_ratelimited(&q->dev->vdev->dev,
				     "short event (%u bytes)\n", len);
	if (repost) {
		if (vrr_evt_post(q, e))
			dev_warn_ratelimited(&q->dev->vdev->dev,
					     "cannot post an event buffer again\n");
		else
			*posted = true;
	}
	return true;
}

static void vrr_evt_drain(struct vrr_queue *q)
{
	struct virtio_rdma_remote_event ev;
	bool valid, posted = false;

	while (vrr_evt_take(q, true, &ev, &valid, &posted))
		if (valid)
			vrr_xfer_event(q->dev, &ev);
	if (posted)
		virtqueue_kick(q->vq);
}

/* Enable the callback again; drain whatever arrived meanwhile. */
static void vrr_queue_rearm(struct vrr_queue *q)
{
	while (!virtqueue_enable_cb(q->vq)) {
		virtqueue_disable_cb(q->vq);
		q->drain(q);
	}
}

static void vrr_queue_callback(struct vrr_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (!READ_ONCE(q->dev->dead)) {
		virtqueue_disable_cb(q->vq);
		q->drain(q);
		if (!q->pollers)
			vrr_queue_rearm(q);
	}
	spin_unlock_irqrestore(&q->lock, flags);
}

static void vrr_req_callback(struct virtqueue *vq)
{
	struct vrr_dev *dev = vq->vdev->priv;

	vrr_queue_callback(&dev->reqq);
}

static void vrr_evt_callback(struct virtqueue *vq)
{
	struct vrr_dev *dev = vq->vdev->priv;

	vrr_queue_callback(&dev->evtq);
}

/**
 * vrr_queue_poll_begin() - a thread starts busy-polling a queue
 * @q: the queue
 *
 * The queue's callback stays disabled until the last poller ends.
 */
void vrr_queue_poll_begin(struct vrr_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (!q->pollers++ && !READ_ONCE(q->dev->dead))
		virtqueue_disable_cb(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * vrr_queue_poll() - consume a queue's used buffers from the calling thread
 * @q: the queue
 */
void vrr_queue_poll(struct vrr_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (!READ_ONCE(q->dev->dead))
		q->drain(q);
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * vrr_queue_poll_end() - a thread stops busy-polling a queue
 * @q: the queue
 */
void vrr_queue_poll_end(struct vrr_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (!--q->pollers && !READ_ONCE(q->dev->dead))
		vrr_queue_rearm(q);
	spin_unlock_irqrestore(&q->lock, flags);
}

/* Queue a request, waiting for free descriptors if need be. */
static int vrr_req_queue(struct vrr_dev *dev, struct vrr_req *req,
			 enum vrr_wait how)
{
	struct scatterlist out, ranges, in, *sgs[VRR_REQ_MAX_SG];
	unsigned int nout = 0;
	unsigned long gen;
	int ret;

	sg_init_one(&out, &req->out, sizeof(req->out.hdr) + req->body_len);
	sgs[nout++] = &out;
	if (req->nr_ranges) {
		sg_init_one(&ranges, req->ranges,
			    req->nr_ranges * sizeof(*req->ranges));
		sgs[nout++] = &ranges;
	}
	sg_init_one(&in, &req->resp, sizeof(req->resp));
	sgs[nout] = &in;

	for (;;) {
		spin_lock_irq(&dev->reqq.lock);
		if (READ_ONCE(dev->dead)) {
			ret = -ENODEV;
		} else {
			ret = virtqueue_add_sgs(dev->reqq.vq, sgs, nout, 1, req,
						GFP_ATOMIC);
			if (!ret)
				virtqueue_kick(dev->reqq.vq);
		}
		gen = dev->req_gen;
		spin_unlock_irq(&dev->reqq.lock);
		if (ret != -ENOSPC)
			return ret;

		/* Full: wait for a response to free descriptors. */
		if (how == VRR_WAIT_UNINTERRUPTIBLE)
			wait_event(dev->req_wq, READ_ONCE(dev->req_gen) != gen ||
				   READ_ONCE(dev->dead));
		else if (wait_event_killable(dev->req_wq,
					     READ_ONCE(dev->req_gen) != gen ||
					     READ_ONCE(dev->dead)))
			return -EINTR;
	}
}

/* Busy-poll the request queue until @req is answered; false if killed. */
static bool vrr_req_poll(struct vrr_dev *dev, struct vrr_req *req)
{
	bool done;

	vrr_queue_poll_begin(&dev->reqq);
	while (!(done = completion_done(&req->done))) {
		if (fatal_signal_pending(current))
			break;
		vrr_queue_poll(&dev->reqq);
		cond_resched();
	}
	vrr_queue_poll_end(&dev->reqq);
	return done;
}

/**
 * vrr_request() - send a request and wait for its response
 * @dev: the device
 * @req: the request; its response is in @req->resp on success
 * @how: how to wait
 * @outcome: out: what is known of the device's state afterwards
 *
 * Return: 0, the device's status as a negative errno, -EIO for a malformed
 * response or a broken queue, -ENODEV when the device is removed, -ENOMEM,
 * or -EINTR when a fatal signal ended a killable wait.
 */
int vrr_request(struct vrr_dev *dev, struct vrr_req *req, enum vrr_wait how,
		enum vrr_outcome *outcome)
{
	bool done;
	int ret;

	/* The queue's reference, dropped when answered or failed. */
	refcount_inc(&req->ref);
	ret = vrr_req_queue(dev, req, how);
	if (ret) {
		refcount_dec(&req->ref);
		*outcome = VRR_REQ_NOT_SENT;
		return ret;
	}

	switch (how) {
	case VRR_WAIT_UNINTERRUPTIBLE:
		wait_for_completion(&req->done);
		done = true;
		break;
	case VRR_WAIT_POLL:
		done = vrr_req_poll(dev, req);
		break;
	default:
		done = !wait_for_completion_killable(&req->done);
		break;
	}
	if (!done) {
		*outcome = VRR_REQ_UNKNOWN;
		return -EINTR;
	}
	*outcome = req->outcome;
	return req->status;
}

/**
 * vrr_queues_init() - find the queues and post the event buffers
 * @dev: the device
 *
 * Return: 0 or a negative errno; on failure nothing is left to undo.
 */
int vrr_queues_init(struct vrr_dev *dev)
{
	struct virtqueue_info info[VIRTIO_RDMA_REMOTE_NUM_VQS] = {
		[VIRTIO_RDMA_REMOTE_VQ_REQ] = { "request", vrr_req_callback },
		[VIRTIO_RDMA_REMOTE_VQ_EVENT] = { "event", vrr_evt_callback },
	};
	struct virtqueue *vqs[VIRTIO_RDMA_REMOTE_NUM_VQS];
	struct virtio_device *vdev = dev->vdev;
	unsigned int i;
	int ret;

	spin_lock_init(&dev->reqq.lock);
	dev->reqq.dev = dev;
	dev->reqq.drain = vrr_req_drain;
	spin_lock_init(&dev->evtq.lock);
	dev->evtq.dev = dev;
	dev->evtq.drain = vrr_evt_drain;

	ret = virtio_find_vqs(vdev, VIRTIO_RDMA_REMOTE_NUM_VQS, vqs, info,
			      NULL);
	if (ret)
		return ret;
	dev->reqq.vq = vqs[VIRTIO_RDMA_REMOTE_VQ_REQ];
	dev->evtq.vq = vqs[VIRTIO_RDMA_REMOTE_VQ_EVENT];

	if (virtqueue_get_vring_size(dev->reqq.vq) < VRR_REQ_MAX_SG ||
	    !virtqueue_get_vring_size(dev->evtq.vq)) {
		dev_err(&vdev->dev, "queues too small\n");
		ret = -EINVAL;
		goto err;
	}

	dev->nr_evts = min(virtqueue_get_vring_size(dev->evtq.vq),
			   VRR_MAX_EVENTS);
	dev->evts = kcalloc(dev->nr_evts, sizeof(*dev->evts), GFP_KERNEL);
	if (!dev->evts) {
		ret = -ENOMEM;
		goto err;
	}
	/* Not running yet: no callback can race with the posting. */
	for (i = 0; i < dev->nr_evts; i++) {
		ret = vrr_evt_post(&dev->evtq, &dev->evts[i]);
		if (ret)
			goto err_detach;
	}
	return 0;

err_detach:
	while (virtqueue_detach_unused_buf(dev->evtq.vq))
		;
	kfree(dev->evts);
	dev->evts = NULL;
err:
	vdev->config->del_vqs(vdev);
	return ret;
}

/**
 * vrr_queues_start() - let the device use the event buffers
 * @dev: the device, DRIVER_OK set
 */
void vrr_queues_start(struct vrr_dev *dev)
{
	spin_lock_irq(&dev->evtq.lock);
	virtqueue_kick(dev->evtq.vq);
	spin_unlock_irq(&dev->evtq.lock);
}

/**
 * vrr_queues_kill() - fail every request, drop every event buffer
 * @dev: the device, dead and reset: it no longer touches the buffers
 *
 * Answers and events the device wrote before the reset still count;
 * whatever it did not answer fails with -ENODEV.
 */
void vrr_queues_kill(struct vrr_dev *dev)
{
	struct virtio_rdma_remote_event ev;
	struct vrr_req *req;
	unsigned int len;
	bool valid, posted;

	spin_lock_irq(&dev->reqq.lock);
	while ((req = virtqueue_get_buf(dev->reqq.vq, &len)))
		vrr_req_answered(dev, req, len);
	while ((req = virtqueue_detach_unused_buf(dev->reqq.vq)))
		vrr_req_finish(req, -ENODEV, VRR_REQ_LOST);
	WRITE_ONCE(dev->req_gen, dev->req_gen + 1);
	spin_unlock_irq(&dev->reqq.lock);
	wake_up_all(&dev->req_wq);

	spin_lock_irq(&dev->evtq.lock);
	while (vrr_evt_take(&dev->evtq, false, &ev, &valid, &posted))
		if (valid)
			vrr_xfer_event(dev, &ev);
	while (virtqueue_detach_unused_buf(dev->evtq.vq))
		;
	spin_unlock_irq(&dev->evtq.lock);
}
