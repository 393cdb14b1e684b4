// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: waiting for completions.
 *
 * In CDMA_MODE_INTERRUPT the event queue's callback completes transfers
 * and wakes sleepers, exactly as the native engine's completion does.  In
 * CDMA_MODE_POLL cdma_core busy-polls (read(), CDMA_IOC_WAIT, synchronous
 * transfers) and calls these hooks: the waiting thread drains the event
 * queue itself, with the queue's callback disabled while it does.
 */

#include "vrr.h"

static struct vrr_queue *vrr_cq_queue(struct cdma_cq *cq)
{
	return &container_of(cq, struct vrr_file, file.cq)->dev->evtq;
}

static void vrr_cq_poll_begin(struct cdma_cq *cq)
{
	vrr_queue_poll_begin(vrr_cq_queue(cq));
}

static void vrr_cq_poll(struct cdma_cq *cq)
{
	vrr_queue_poll(vrr_cq_queue(cq));
}

static void vrr_cq_poll_end(struct cdma_cq *cq)
{
	vrr_queue_poll_end(vrr_cq_queue(cq));
}

const struct cdma_cq_ops vrr_cq_ops = {
	.poll_begin = vrr_cq_poll_begin,
	.poll = vrr_cq_poll,
	.poll_end = vrr_cq_poll_end,
};
