// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: waiting for a synchronous transfer.
 *
 * The waiter may give up on a signal while the transfer is still queued,
 * so the wait object is reference counted: one reference for the waiter,
 * one for the completer.
 */

#include <linux/export.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/cdma_core.h>

/**
 * cdma_sync_alloc() - allocate a wait object with two references
 *
 * Return: the object or NULL.
 */
struct cdma_sync *cdma_sync_alloc(void)
{
	struct cdma_sync *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (s) {
		init_completion(&s->done);
		refcount_set(&s->ref, 2);
	}
	return s;
}
EXPORT_SYMBOL_GPL(cdma_sync_alloc);

/**
 * cdma_sync_put() - drop a reference
 * @s: the wait object
 */
void cdma_sync_put(struct cdma_sync *s)
{
	if (refcount_dec_and_test(&s->ref))
		kfree(s);
}
EXPORT_SYMBOL_GPL(cdma_sync_put);

/**
 * cdma_sync_complete() - the transfer ended; drops the completer's reference
 * @s: the wait object
 * @status: the transfer's status
 * @bytes: bytes moved
 */
void cdma_sync_complete(struct cdma_sync *s, int status, u64 bytes)
{
	s->status = status;
	s->bytes = bytes;
	complete(&s->done);
	cdma_sync_put(s);
}
EXPORT_SYMBOL_GPL(cdma_sync_complete);

/**
 * cdma_sync_wait() - wait for the transfer; drops the waiter's reference
 * @s: the wait object
 * @poll: busy-poll (CDMA_MODE_POLL) instead of sleeping
 *
 * Return: the transfer's status, or -EINTR when a signal came first (the
 * transfer then still runs to its end; a restart would submit it twice).
 */
int cdma_sync_wait(struct cdma_sync *s, bool poll)
{
	int ret = 0;

	if (poll) {
		while (!completion_done(&s->done)) {
			if (signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			cond_resched();
		}
	} else {
		ret = wait_for_completion_interruptible(&s->done) ? -EINTR : 0;
	}
	if (!ret)
		ret = s->status;
	cdma_sync_put(s);
	return ret;
}
EXPORT_SYMBOL_GPL(cdma_sync_wait);

/**
 * cdma_sync_wait_cq() - wait for the transfer in the mode of a file
 * @s: the wait object; the waiter's reference is dropped
 * @cq: completion queue of the submitting file: its mode selects sleeping
 *	or busy-polling, its &cdma_cq.ops are called while polling
 *
 * Return: as cdma_sync_wait().
 */
int cdma_sync_wait_cq(struct cdma_sync *s, struct cdma_cq *cq)
{
	const struct cdma_cq_ops *ops = cq->ops;
	bool poll = cdma_cq_polling(cq);

	if (poll && ops) {
		if (ops->poll_begin)
			ops->poll_begin(cq);
		while (!completion_done(&s->done) && !signal_pending(current)) {
			if (ops->poll)
				ops->poll(cq);
			cond_resched();
		}
		if (ops->poll_end)
			ops->poll_end(cq);
	}
	return cdma_sync_wait(s, poll);
}
EXPORT_SYMBOL_GPL(cdma_sync_wait_cq);
