// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: waiting for completions.
 *
 * In CDMA_MODE_INTERRUPT the event queue's interrupt completes transfers
 * and wakes sleepers, exactly as the native engine's completion does.  In
 * CDMA_MODE_POLL waiters must not depend on the interrupt: they busy-poll
 * the event queue from the waiting thread, with the queue's interrupt
 * disabled while they do.  The completion records themselves stay in
 * cdma_core's queue; these loops only decide how to wait for them.
 *
 * A removed device wakes every sleeper; read() then fails with ENODEV
 * once no record is left.
 */

#include <linux/hrtimer.h>
#include <linux/sched/signal.h>

#include "vrr.h"

/* A record is ready: cdma_cq_poll() without a poll table only checks. */
static bool vrr_cq_ready(struct vrr_file *f)
{
	return cdma_cq_poll(&f->cq, NULL, NULL) & EPOLLIN;
}

/**
 * vrr_sync_wait() - wait for a synchronous transfer
 * @f: the submitting file; its mode selects sleeping or busy-polling
 * @s: the wait object; the waiter's reference is dropped
 *
 * Return: the transfer's status, or -ERESTARTSYS on a signal (the
 * transfer then runs to its end without a waiter).
 */
int vrr_sync_wait(struct vrr_file *f, struct cdma_sync *s)
{
	struct vrr_queue *q = &f->dev->evtq;

	if (!cdma_cq_polling(&f->cq))
		return cdma_sync_wait(s, false);

	vrr_queue_poll_begin(q);
	while (!completion_done(&s->done) && !signal_pending(current)) {
		vrr_queue_poll(q);
		cond_resched();
	}
	vrr_queue_poll_end(q);
	return cdma_sync_wait(s, true);
}

/* Interrupt-mode wait condition: taken, unknown, or now polling. */
static bool vrr_cq_try(struct vrr_file *f, u64 cookie,
		       struct cdma_completion *rec, int *err)
{
	*err = cdma_cq_wait(&f->cq, cookie, 0, rec);
	return *err != -ETIMEDOUT || cdma_cq_polling(&f->cq);
}

/* Sleep until vrr_cq_try() holds; -ETIMEDOUT after @deadline. */
static int vrr_cq_sleep(struct vrr_file *f, u64 cookie, u64 timeout_ns,
			ktime_t deadline, struct cdma_completion *rec,
			int *err)
{
	int ret;

	if (timeout_ns == U64_MAX)
		return wait_event_interruptible(f->cq.wq,
						vrr_cq_try(f, cookie, rec, err));
	ret = wait_event_interruptible_hrtimeout(f->cq.wq,
						 vrr_cq_try(f, cookie, rec, err),
						 ktime_sub(deadline, ktime_get()));
	return ret == -ETIME ? -ETIMEDOUT : ret;
}

/**
 * vrr_cq_wait() - CDMA_IOC_WAIT: wait for one asynchronous transfer
 * @f: the file
 * @cookie: the transfer's cookie
 * @timeout_ns: relative timeout, 0 to check only, U64_MAX for none
 * @rec: out: the completion record, removed from the queue
 *
 * Return: 0, -ENOENT, -ETIMEDOUT or -ERESTARTSYS, as cdma_cq_wait().
 */
int vrr_cq_wait(struct vrr_file *f, u64 cookie, u64 timeout_ns,
		struct cdma_completion *rec)
{
	ktime_t timeout = ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX / 2));
	ktime_t deadline = ktime_add(ktime_get(), timeout);
	struct vrr_queue *q = &f->dev->evtq;
	bool polling = false;
	int ret, err;

	for (;;) {
		if (polling)
			vrr_queue_poll(q);
		ret = cdma_cq_wait(&f->cq, cookie, 0, rec);
		if (ret != -ETIMEDOUT || !timeout_ns)
			break;
		if (timeout_ns != U64_MAX && ktime_after(ktime_get(), deadline))
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (cdma_cq_polling(&f->cq)) {
			if (!polling) {
				vrr_queue_poll_begin(q);
				polling = true;
			}
			cond_resched();
			continue;
		}
		if (polling) {
			vrr_queue_poll_end(q);
			polling = false;
		}
		ret = vrr_cq_sleep(f, cookie, timeout_ns, deadline, rec, &err);
		if (ret)
			break;
		if (err != -ETIMEDOUT) {
			ret = err;
			break;
		}
		/* Switched to polling mode meanwhile. */
	}
	if (polling)
		vrr_queue_poll_end(q);
	return ret;
}

/**
 * vrr_cq_read() - read() completion records
 * @f: the file
 * @buf: user buffer
 * @count: its size; whole records only
 * @nonblock: O_NONBLOCK
 *
 * Return: bytes copied, or -EINVAL, -EAGAIN, -ERESTARTSYS, -EFAULT as
 * cdma_cq_read(), or -ENODEV when the device is removed and no record is
 * left.
 */
ssize_t vrr_cq_read(struct vrr_file *f, char __user *buf, size_t count,
		    bool nonblock)
{
	struct vrr_dev *dev = f->dev;
	struct vrr_queue *q = &dev->evtq;
	bool polling = false;
	ssize_t ret;

	if (cdma_cq_polling(&f->cq))
		vrr_queue_poll(q);
	for (;;) {
		ret = cdma_cq_read(&f->cq, buf, count, true);
		if (ret != -EAGAIN || nonblock)
			break;
		if (READ_ONCE(dev->dead)) {
			ret = -ENODEV;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (cdma_cq_polling(&f->cq)) {
			if (!polling) {
				vrr_queue_poll_begin(q);
				polling = true;
			}
			vrr_queue_poll(q);
			cond_resched();
			continue;
		}
		if (polling) {
			vrr_queue_poll_end(q);
			polling = false;
		}
		ret = wait_event_interruptible(f->cq.wq, vrr_cq_ready(f) ||
					       READ_ONCE(dev->dead) ||
					       cdma_cq_polling(&f->cq));
		if (ret)
			break;
	}
	if (polling)
		vrr_queue_poll_end(q);
	return ret;
}
