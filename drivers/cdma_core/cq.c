// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: per-file completion queue.
 *
 * Every asynchronous transfer reserves an entry under its cookie when it is
 * submitted.  Completion moves the entry to the ready list and, in interrupt
 * mode, wakes sleepers and signals the eventfd.  read() and CDMA_IOC_WAIT
 * consume entries; in polling mode they busy-poll instead of sleeping,
 * through the provider's &struct cdma_cq_ops when it has some.  Sleepers
 * re-check on a mode change, so that none sleeps in polling mode.
 */

#include <linux/eventfd.h>
#include <linux/export.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/cdma_compat.h>
#include <linux/cdma_core.h>

/* Records copied to user space per batch of read(). */
#define CDMA_CQ_BATCH	16

/**
 * cdma_cq_init() - initialise a completion queue
 * @cq: the queue
 * @limit: most entries (transfers in flight plus records not yet read)
 */
void cdma_cq_init(struct cdma_cq *cq, unsigned int limit)
{
	spin_lock_init(&cq->lock);
	INIT_LIST_HEAD(&cq->ready);
	hash_init(cq->cookies);
	cq->count = 0;
	cq->limit = limit;
	init_waitqueue_head(&cq->wq);
	cq->mode = CDMA_MODE_INTERRUPT;
	cq->eventfd = NULL;
	cq->shutdown = false;
	cq->ops = NULL;
}
EXPORT_SYMBOL_GPL(cdma_cq_init);

/**
 * cdma_cq_destroy() - free a completion queue's entries and eventfd
 * @cq: the queue; no transfer may still complete into it
 */
void cdma_cq_destroy(struct cdma_cq *cq)
{
	struct cdma_cq_entry *e;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(cq->cookies, bkt, tmp, e, node) {
		WARN_ON_ONCE(!e->done);
		hash_del(&e->node);
		kfree(e);
	}
	if (cq->eventfd)
		eventfd_ctx_put(cq->eventfd);
	cq->eventfd = NULL;
}
EXPORT_SYMBOL_GPL(cdma_cq_destroy);

static struct cdma_cq_entry *cdma_cq_find(struct cdma_cq *cq, u64 cookie)
{
	struct cdma_cq_entry *e;

	hash_for_each_possible(cq->cookies, e, node, cookie)
		if (e->rec.cookie == cookie)
			return e;
	return NULL;
}

/**
 * cdma_cq_reserve() - reserve the entry of a transfer about to be submitted
 * @cq: the queue
 * @cookie: the transfer's cookie
 *
 * Return: the entry, or ERR_PTR(-EEXIST) when @cookie is in use,
 * ERR_PTR(-EBUSY) at the limit, ERR_PTR(-ENOMEM).
 */
struct cdma_cq_entry *cdma_cq_reserve(struct cdma_cq *cq, u64 cookie)
{
	struct cdma_cq_entry *e = kzalloc(sizeof(*e), GFP_KERNEL);
	int ret = 0;

	if (!e)
		return ERR_PTR(-ENOMEM);
	e->rec.cookie = cookie;
	INIT_LIST_HEAD(&e->link);

	spin_lock_irq(&cq->lock);
	if (cdma_cq_find(cq, cookie)) {
		ret = -EEXIST;
	} else if (cq->count >= cq->limit) {
		ret = -EBUSY;
	} else {
		hash_add(cq->cookies, &e->node, cookie);
		cq->count++;
	}
	spin_unlock_irq(&cq->lock);

	if (ret) {
		kfree(e);
		return ERR_PTR(ret);
	}
	return e;
}
EXPORT_SYMBOL_GPL(cdma_cq_reserve);

/**
 * cdma_cq_unreserve() - give back an entry whose transfer was not submitted
 * @cq: the queue
 * @e: the entry, not completed
 */
void cdma_cq_unreserve(struct cdma_cq *cq, struct cdma_cq_entry *e)
{
	spin_lock_irq(&cq->lock);
	hash_del(&e->node);
	cq->count--;
	spin_unlock_irq(&cq->lock);
	kfree(e);
	/* A CDMA_IOC_WAIT on the cookie now gets ENOENT. */
	wake_up_all(&cq->wq);
}
EXPORT_SYMBOL_GPL(cdma_cq_unreserve);

/**
 * cdma_cq_complete() - record the completion of a transfer
 * @cq: the queue
 * @e: the transfer's entry
 * @status: 0 or a negative errno
 * @bytes: bytes moved
 *
 * Context: any; takes the queue's lock with interrupts disabled.
 */
void cdma_cq_complete(struct cdma_cq *cq, struct cdma_cq_entry *e,
		      int status, u64 bytes)
{
	unsigned long flags;

	spin_lock_irqsave(&cq->lock, flags);
	e->rec.status = status;
	e->rec.bytes = bytes;
	e->done = true;
	list_add_tail(&e->link, &cq->ready);
	if (cq->mode == CDMA_MODE_INTERRUPT) {
		wake_up_all(&cq->wq);
		if (cq->eventfd)
			eventfd_signal(cq->eventfd);
	}
	spin_unlock_irqrestore(&cq->lock, flags);
}
EXPORT_SYMBOL_GPL(cdma_cq_complete);

/* Detach an entry from the queue; caller holds the lock. */
static void cdma_cq_unlink(struct cdma_cq *cq, struct cdma_cq_entry *e)
{
	list_del(&e->link);
	hash_del(&e->node);
	cq->count--;
}

/**
 * cdma_cq_ready() - are completion records queued?
 * @cq: the queue
 *
 * Return: true while read() would return at least one record.
 */
bool cdma_cq_ready(struct cdma_cq *cq)
{
	bool ready;

	spin_lock_irq(&cq->lock);
	ready = !list_empty(&cq->ready);
	spin_unlock_irq(&cq->lock);
	return ready;
}
EXPORT_SYMBOL_GPL(cdma_cq_ready);

static bool cdma_cq_gone(struct cdma_cq *cq)
{
	return READ_ONCE(cq->shutdown);
}

static void cdma_cq_poll_begin(struct cdma_cq *cq)
{
	if (cq->ops && cq->ops->poll_begin)
		cq->ops->poll_begin(cq);
}

static void cdma_cq_poll_once(struct cdma_cq *cq)
{
	if (cq->ops && cq->ops->poll)
		cq->ops->poll(cq);
}

static void cdma_cq_poll_end(struct cdma_cq *cq)
{
	if (cq->ops && cq->ops->poll_end)
		cq->ops->poll_end(cq);
}

/* read() sleeper's wake-up: records, shutdown, or now polling. */
static bool cdma_cq_read_wake(struct cdma_cq *cq)
{
	return cdma_cq_ready(cq) || cdma_cq_gone(cq) || cdma_cq_polling(cq);
}

/* read() poller's stop: records, shutdown, or back to interrupt mode. */
static bool cdma_cq_read_stop(struct cdma_cq *cq)
{
	return cdma_cq_ready(cq) || cdma_cq_gone(cq) || !cdma_cq_polling(cq);
}

/* Busy-poll until @cond(cq) or a signal (polling mode). */
static int cdma_cq_spin(struct cdma_cq *cq, bool (*cond)(struct cdma_cq *))
{
	int ret = 0;

	cdma_cq_poll_begin(cq);
	while (!cond(cq)) {
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		cdma_cq_poll_once(cq);
		cond_resched();
	}
	cdma_cq_poll_end(cq);
	return ret;
}

/**
 * cdma_cq_read() - read() completion records
 * @cq: the queue
 * @buf: user buffer
 * @count: its size; whole records only
 * @nonblock: O_NONBLOCK
 *
 * Return: bytes copied (a multiple of the record size), -EINVAL for a
 * buffer smaller than a record, -EAGAIN, -ERESTARTSYS, -EFAULT, or
 * -ENODEV after cdma_cq_shutdown() once no record is left.
 */
ssize_t cdma_cq_read(struct cdma_cq *cq, char __user *buf, size_t count,
		     bool nonblock)
{
	struct cdma_completion recs[CDMA_CQ_BATCH];
	struct cdma_cq_entry *e, *tmp;
	size_t want = count / sizeof(recs[0]);
	ssize_t copied = 0;
	unsigned int n;
	int ret;

	if (!want)
		return -EINVAL;
	if (cdma_cq_polling(cq))
		cdma_cq_poll_once(cq);
	while (!cdma_cq_ready(cq)) {
		if (cdma_cq_gone(cq))
			return -ENODEV;
		if (nonblock)
			return -EAGAIN;
		if (cdma_cq_polling(cq))
			ret = cdma_cq_spin(cq, cdma_cq_read_stop);
		else
			ret = wait_event_interruptible(cq->wq,
						       cdma_cq_read_wake(cq));
		if (ret)
			return ret;
	}

	while (want) {
		LIST_HEAD(batch);

		n = 0;
		spin_lock_irq(&cq->lock);
		list_for_each_entry_safe(e, tmp, &cq->ready, link) {
			if (n == min_t(size_t, want, CDMA_CQ_BATCH))
				break;
			list_move_tail(&e->link, &batch);
			e->reading = true;
			recs[n++] = e->rec;
		}
		spin_unlock_irq(&cq->lock);
		if (!n)
			break;

		if (copy_to_user(buf + copied, recs, n * sizeof(recs[0]))) {
			/* Keep the records for the next read. */
			spin_lock_irq(&cq->lock);
			list_for_each_entry(e, &batch, link)
				e->reading = false;
			list_splice(&batch, &cq->ready);
			spin_unlock_irq(&cq->lock);
			return copied ? copied : -EFAULT;
		}
		/* Off the table; still on @batch, which nobody else sees. */
		spin_lock_irq(&cq->lock);
		list_for_each_entry(e, &batch, link) {
			hash_del(&e->node);
			cq->count--;
		}
		spin_unlock_irq(&cq->lock);
		list_for_each_entry_safe(e, tmp, &batch, link)
			kfree(e);
		copied += n * sizeof(recs[0]);
		want -= n;
	}
	return copied;
}
EXPORT_SYMBOL_GPL(cdma_cq_read);

/*
 * Take the record of @cookie if it is ready: 0 when taken, -EAGAIN while the
 * transfer is in flight, -ENOENT when the cookie is unknown or its record
 * is being delivered by read() (a record is delivered once).
 */
static int cdma_cq_take(struct cdma_cq *cq, u64 cookie,
			struct cdma_completion *rec)
{
	struct cdma_cq_entry *e;
	int ret;

	spin_lock_irq(&cq->lock);
	e = cdma_cq_find(cq, cookie);
	if (!e || e->reading) {
		ret = -ENOENT;
	} else if (!e->done) {
		ret = -EAGAIN;
	} else {
		*rec = e->rec;
		cdma_cq_unlink(cq, e);
		ret = 0;
	}
	spin_unlock_irq(&cq->lock);
	if (!ret)
		kfree(e);
	return ret;
}

/* Wait condition: the record was taken, will never come, or now polling. */
static bool cdma_cq_try(struct cdma_cq *cq, u64 cookie,
			struct cdma_completion *rec, int *err)
{
	*err = cdma_cq_take(cq, cookie, rec);
	return *err != -EAGAIN || cdma_cq_polling(cq);
}

/* Busy-poll for @cookie; -EAGAIN when back in interrupt mode. */
static int cdma_cq_wait_poll(struct cdma_cq *cq, u64 cookie, u64 timeout_ns,
			     ktime_t deadline, struct cdma_completion *rec)
{
	int ret;

	cdma_cq_poll_begin(cq);
	while ((ret = cdma_cq_take(cq, cookie, rec)) == -EAGAIN) {
		if (!cdma_cq_polling(cq))
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (timeout_ns != U64_MAX && ktime_after(ktime_get(), deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
		cdma_cq_poll_once(cq);
		cond_resched();
	}
	cdma_cq_poll_end(cq);
	return ret;
}

/* Sleep for @cookie; -EAGAIN when switched to polling mode. */
static int cdma_cq_wait_sleep(struct cdma_cq *cq, u64 cookie, u64 timeout_ns,
			      ktime_t deadline, struct cdma_completion *rec)
{
	int ret, err;

	if (timeout_ns == U64_MAX)
		ret = wait_event_interruptible(cq->wq,
					       cdma_cq_try(cq, cookie, rec, &err));
	else
		/* A passed deadline must not become an expiry that never fires. */
		ret = wait_event_interruptible_hrtimeout(cq->wq,
							 cdma_cq_try(cq, cookie, rec, &err),
							 max_t(ktime_t, 0,
							       ktime_sub(deadline, ktime_get())));
	if (ret == -ETIME)
		return -ETIMEDOUT;
	return ret ?: err;
}

/**
 * cdma_cq_wait() - wait for the completion of one transfer (CDMA_IOC_WAIT)
 * @cq: the queue
 * @cookie: the transfer's cookie
 * @timeout_ns: relative timeout, 0 to check only, U64_MAX for none
 * @rec: out: the completion record, removed from the queue
 *
 * Return: 0, -ENOENT, -ETIMEDOUT or -ERESTARTSYS.
 */
int cdma_cq_wait(struct cdma_cq *cq, u64 cookie, u64 timeout_ns,
		 struct cdma_completion *rec)
{
	ktime_t timeout = ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX / 2));
	ktime_t deadline = ktime_add(ktime_get(), timeout);
	int ret;

	ret = cdma_cq_take(cq, cookie, rec);
	if (ret != -EAGAIN)
		return ret;
	if (!timeout_ns)
		return -ETIMEDOUT;

	do {
		if (cdma_cq_polling(cq))
			ret = cdma_cq_wait_poll(cq, cookie, timeout_ns, deadline,
						rec);
		else
			ret = cdma_cq_wait_sleep(cq, cookie, timeout_ns,
						 deadline, rec);
	} while (ret == -EAGAIN);
	return ret;
}
EXPORT_SYMBOL_GPL(cdma_cq_wait);

/**
 * cdma_cq_poll() - poll() support
 * @cq: the queue
 * @file: the file being polled
 * @wait: poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM while records are ready, EPOLLHUP |
 * EPOLLERR after cdma_cq_shutdown().
 */
__poll_t cdma_cq_poll(struct cdma_cq *cq, struct file *file, poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &cq->wq, wait);
	if (cdma_cq_ready(cq))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (cdma_cq_gone(cq))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}
EXPORT_SYMBOL_GPL(cdma_cq_poll);

/**
 * cdma_cq_set_mode() - CDMA_IOC_SET_MODE
 * @cq: the queue
 * @m: the argument, checked with cdma_mode_check()
 *
 * Return: 0 or -EBADF when @m->eventfd is not an eventfd.
 */
int cdma_cq_set_mode(struct cdma_cq *cq, const struct cdma_mode *m)
{
	struct eventfd_ctx *efd = NULL, *old;

	if (m->eventfd >= 0) {
		efd = eventfd_ctx_fdget(m->eventfd);
		if (IS_ERR(efd))
			return -EBADF;
	}
	spin_lock_irq(&cq->lock);
	old = cq->eventfd;
	cq->eventfd = efd;
	cq->mode = m->mode;
	spin_unlock_irq(&cq->lock);
	if (old)
		eventfd_ctx_put(old);
	/* Sleepers of the old mode re-check under the new one. */
	wake_up_all(&cq->wq);
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_cq_set_mode);

/**
 * cdma_cq_polling() - is the queue in polling mode?
 * @cq: the queue
 *
 * Return: true in CDMA_MODE_POLL.
 */
bool cdma_cq_polling(struct cdma_cq *cq)
{
	return READ_ONCE(cq->mode) == CDMA_MODE_POLL;
}
EXPORT_SYMBOL_GPL(cdma_cq_polling);

/**
 * cdma_cq_shutdown() - the device behind the queue is gone
 * @cq: the queue
 *
 * Sleepers and pollers wake up; read() returns the records left, then
 * -ENODEV; poll() reports EPOLLHUP | EPOLLERR.  Transfers in flight must
 * still be completed by the provider (with -ENODEV).
 *
 * Context: any.
 */
void cdma_cq_shutdown(struct cdma_cq *cq)
{
	unsigned long flags;

	spin_lock_irqsave(&cq->lock, flags);
	WRITE_ONCE(cq->shutdown, true);
	spin_unlock_irqrestore(&cq->lock, flags);
	wake_up_all(&cq->wq);
}
EXPORT_SYMBOL_GPL(cdma_cq_shutdown);
