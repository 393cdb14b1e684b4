// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: completion forwarding.
 *
 * The engine ends a transfer by calling rz_xfer_done() from one of its
 * channel workers (the model of the engine's completion interrupt), or
 * from the device's own run for a transfer the run moved itself
 * (cdma_run()).  The callback only queues the transfer on the device's
 * event list, under rz->ev_lock, and wakes the device's worker (or, from
 * the run, leaves the event to that run, or to the SUBMIT response with
 * F_SUBMIT_END).  It must not take rz->lock:
 * the worker holds rz->lock while cdma_ctx_destroy() waits for the
 * callbacks of the session being closed.
 *
 * The worker writes one struct virtio_rdma_remote_event per completed
 * transfer into a buffer the driver posted on the event queue, returns it
 * through the used ring and notifies the driver (its virtqueue interrupt).
 * Events wait on the list while the driver has no event buffer posted; a
 * session has at most max_inflight transfers whose event is not yet
 * delivered, which bounds the list.  The driver is asked to kick the event
 * queue only then (VRING_USED_F_NO_NOTIFY otherwise): reposting a buffer
 * per event costs it no notification, and the worker no run.
 */

#include <linux/cdma_core.h>
#include <linux/slab.h>

#include "rdma_zcopy.h"

/**
 * rz_xfer_done() - engine completion callback (&cdma_req.done)
 * @req: the finished request, embedded in a &struct rz_xfer
 *
 * Runs in an engine channel worker, or in the device's own run for a
 * transfer it moved itself (cdma_run()): that run then delivers the event
 * after its requests, or leaves it queued for the next run (no event
 * buffer, or its budget used).  Takes rz->ev_lock, and rz_schedule()'s
 * rz->task_lock; never rz->lock.
 */
void rz_xfer_done(struct cdma_req *req)
{
	struct rz_xfer *x = container_of(req, struct rz_xfer, req);
	struct rz_dev *rz = x->rz;

	/* Within its SUBMIT's cdma_run(): the response reports the end. */
	if (READ_ONCE(x->end_here) && READ_ONCE(rz->runner) == current) {
		x->ended = true;
		return;
	}
	spin_lock(&rz->ev_lock);
	list_add_tail(&x->link, &rz->events);
	spin_unlock(&rz->ev_lock);
	/*
	 * @x may be gone already; @rz is not: the device ends its sessions,
	 * and so waits for this callback to return, before it is freed.
	 */
	if (READ_ONCE(rz->runner) != current)
		rz_schedule(rz);
}

/**
 * rz_event_status() - the status of a transfer's end, as an event says it
 * @err: the engine's status of the transfer
 *
 * Return: success, cancellation, or an error of the engine (S_IO).
 */
u32 rz_event_status(int err)
{
	u32 st = vrr_errno_to_status(err);

	if (st != VIRTIO_RDMA_REMOTE_S_OK && st != VIRTIO_RDMA_REMOTE_S_CANCELED)
		st = VIRTIO_RDMA_REMOTE_S_IO;
	return st;
}

static struct rz_xfer *rz_events_first(struct rz_dev *rz)
{
	struct rz_xfer *x;

	spin_lock(&rz->ev_lock);
	x = list_first_entry_or_null(&rz->events, struct rz_xfer, link);
	spin_unlock(&rz->ev_lock);
	return x;
}

/*
 * Write the event of @x into the chain @c.  Return: bytes written; 0 when
 * the buffer cannot take an event (it is returned empty and dropped).
 */
static u32 rz_event_write(struct rz_dev *rz, const struct rz_chain *c,
			  const struct rz_xfer *x)
{
	struct virtio_rdma_remote_event ev = {
		.type = cpu_to_le32(VIRTIO_RDMA_REMOTE_EV_COMPLETION),
		.session = cpu_to_le32(x->session->id),
		.tag = cpu_to_le64(x->tag),
		.status = cpu_to_le32(rz_event_status(x->req.status)),
		.bytes = cpu_to_le64(x->req.bytes),
	};

	/* Event buffers are device-writable only. */
	if (c->nout || rz_chain_push(rz, c, &ev, sizeof(ev)))
		return 0;
	return sizeof(ev);
}

/**
 * rz_deliver_events() - move completed transfers to the event queue
 * @rz: the device, in the worker with rz->lock held
 * @budget: most event buffers to use
 *
 * Only this function and rz_events_drop() remove entries, both under
 * rz->lock, so the first entry stays put while its event is written.
 *
 * Return: true when @budget was used up (more may be waiting).
 */
bool rz_deliver_events(struct rz_dev *rz, unsigned int budget)
{
	struct rz_vq *vq = &rz->vqs[VIRTIO_RDMA_REMOTE_VQ_EVENT];
	struct rz_chain *c = &rz->chain;
	bool starved = false;
	struct rz_xfer *x;
	unsigned int n;
	u32 len;

	lockdep_assert_held(&rz->lock);

	for (n = 0; n < budget; n++) {
		x = rz_events_first(rz);
		if (!x)
			break;
		/*
		 * Out of event buffers: the driver kicks when it posts more;
		 * one it posted before it saw the kicks on is taken now.
		 */
		if (rz_vq_getdesc(rz, vq, c)) {
			rz_vq_notify_enable(rz, vq);
			if (rz_vq_getdesc(rz, vq, c)) {
				starved = true;
				break;
			}
		}
		len = rz_event_write(rz, c, x);
		rz_vq_complete(rz, vq, c->head, len);
		if (!len)
			continue;

		spin_lock(&rz->ev_lock);
		list_del(&x->link);
		spin_unlock(&rz->ev_lock);
		x->session->inflight--;
		kfree(x);
	}
	if (n)
		rz_vq_notify(rz, vq);
	/* Buffers were there when needed: no kick per buffer posted. */
	if (!starved)
		rz_vq_notify_disable(rz, vq);
	return n == budget;
}

/**
 * rz_events_drop() - forget undelivered events
 * @rz: the device, rz->lock held
 * @s: the session whose events to drop, after cdma_ctx_destroy() of its
 *	context (no more can arrive); NULL for every event
 */
void rz_events_drop(struct rz_dev *rz, struct rz_session *s)
{
	struct rz_xfer *x, *tmp;
	LIST_HEAD(drop);

	lockdep_assert_held(&rz->lock);

	spin_lock(&rz->ev_lock);
	list_for_each_entry_safe(x, tmp, &rz->events, link)
		if (!s || x->session == s)
			list_move_tail(&x->link, &drop);
	spin_unlock(&rz->ev_lock);

	list_for_each_entry_safe(x, tmp, &drop, link)
		kfree(x);
}
