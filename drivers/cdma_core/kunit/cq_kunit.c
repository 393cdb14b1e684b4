// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cdma_core's completion queue (cq.c): reservation (EEXIST,
 * EBUSY at the limit, unreserve), completion, CDMA_IOC_WAIT (timeout 0,
 * timeouts in both modes, wake-up), read() order, batches and faults
 * through a real user mapping of the test thread, poll() state and mode
 * changes.
 */

#include <kunit/test.h>
#include <linux/cdma_core.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#define REC	sizeof(struct cdma_completion)

KUNIT_DEFINE_ACTION_WRAPPER(cq_destroy_action, cdma_cq_destroy,
			    struct cdma_cq *);

static struct cdma_cq *new_cq(struct kunit *test, unsigned int limit)
{
	struct cdma_cq *cq = kunit_kzalloc(test, sizeof(*cq), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cq);
	cdma_cq_init(cq, limit);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cq_destroy_action,
							cq), 0);
	return cq;
}

static struct cdma_cq_entry *reserve(struct kunit *test, struct cdma_cq *cq,
				     u64 cookie)
{
	struct cdma_cq_entry *e = cdma_cq_reserve(cq, cookie);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(e), "cookie %llu: error %d", cookie,
			       PTR_ERR_OR_ZERO(e));
	KUNIT_EXPECT_EQ(test, e->rec.cookie, cookie);
	KUNIT_EXPECT_FALSE(test, e->done);
	return e;
}

static void set_mode(struct kunit *test, struct cdma_cq *cq, u32 mode)
{
	struct cdma_mode m = { .mode = mode, .eventfd = -1 };

	KUNIT_ASSERT_EQ(test, cdma_cq_set_mode(cq, &m), 0);
	KUNIT_EXPECT_EQ(test, cdma_cq_polling(cq), mode == CDMA_MODE_POLL);
}

static void cq_reserve_test(struct kunit *test)
{
	struct cdma_cq *cq = new_cq(test, 3);
	struct cdma_cq_entry *e1, *e2, *e3, *e4;
	struct cdma_completion rec;

	e1 = reserve(test, cq, 1);
	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(cq, 1), ERR_PTR(-EEXIST));
	e2 = reserve(test, cq, 2);
	e3 = reserve(test, cq, 3);
	KUNIT_EXPECT_EQ(test, cq->count, 3U);
	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(cq, 4), ERR_PTR(-EBUSY));
	/* A known cookie is reported before the limit. */
	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(cq, 2), ERR_PTR(-EEXIST));

	cdma_cq_unreserve(cq, e2);
	KUNIT_EXPECT_EQ(test, cq->count, 2U);
	e2 = reserve(test, cq, 2);
	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(cq, 4), ERR_PTR(-EBUSY));

	/* Completed records not yet read still count against the limit. */
	cdma_cq_complete(cq, e1, 0, 1);
	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(cq, 4), ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(cq, 1), ERR_PTR(-EEXIST));
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 1, 0, &rec), 0);
	KUNIT_EXPECT_EQ(test, cq->count, 2U);
	e4 = reserve(test, cq, 4);

	cdma_cq_unreserve(cq, e2);
	cdma_cq_unreserve(cq, e3);
	cdma_cq_unreserve(cq, e4);
	KUNIT_EXPECT_EQ(test, cq->count, 0U);
}

static void cq_reserve_edge_test(struct kunit *test)
{
	struct cdma_cq *none = new_cq(test, 0);
	struct cdma_cq *cq = new_cq(test, 2);
	struct cdma_cq_entry *e0, *emax;

	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(none, 0), ERR_PTR(-EBUSY));
	KUNIT_EXPECT_EQ(test, none->count, 0U);

	e0 = reserve(test, cq, 0);
	emax = reserve(test, cq, U64_MAX);
	/* The extreme cookies are ordinary ones. */
	cdma_cq_complete(cq, emax, -EIO, 0);
	cdma_cq_unreserve(cq, e0);
	KUNIT_EXPECT_EQ(test, cq->count, 1U);
	/* The completed entry is freed by cdma_cq_destroy() (kmemleak). */
}

static void cq_wait_test(struct kunit *test)
{
	struct cdma_cq *cq = new_cq(test, 8);
	struct cdma_completion rec;
	struct cdma_cq_entry *e;

	e = reserve(test, cq, 42);
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 42, 0, &rec), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 43, 0, &rec), -ENOENT);
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 43, U64_MAX, &rec), -ENOENT);

	cdma_cq_complete(cq, e, -ECANCELED, 4096);
	KUNIT_EXPECT_TRUE(test, e->done);
	memset(&rec, 0xa5, sizeof(rec));
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 42, 0, &rec), 0);
	KUNIT_EXPECT_EQ(test, rec.cookie, 42ULL);
	KUNIT_EXPECT_EQ(test, rec.status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, rec.bytes, 4096ULL);
	KUNIT_EXPECT_EQ(test, rec.flags, 0U);
	KUNIT_EXPECT_EQ(test, rec.reserved, 0ULL);
	KUNIT_EXPECT_EQ(test, cq->count, 0U);
	/* Consumed: gone. */
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 42, 0, &rec), -ENOENT);

	/* Already complete: no sleep even without a timeout, either mode. */
	e = reserve(test, cq, 7);
	cdma_cq_complete(cq, e, 0, 1);
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 7, U64_MAX, &rec), 0);
	set_mode(test, cq, CDMA_MODE_POLL);
	e = reserve(test, cq, 8);
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 8, 0, &rec), -ETIMEDOUT);
	cdma_cq_complete(cq, e, 0, 2);
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 8, U64_MAX, &rec), 0);
	KUNIT_EXPECT_EQ(test, rec.bytes, 2ULL);
}

/*
 * CDMA_IOC_WAIT in a thread of its own, so that a wait that never ends
 * fails the test in WAIT_LIMIT instead of hanging it: the thread is then
 * killed (the wait is interruptible).
 */
#define WAIT_LIMIT	(20 * HZ)
#define WAIT_HUNG	1	/* not an errno: the wait did not return */

struct waiter {
	struct cdma_cq *cq;
	u64 cookie;
	u64 timeout_ns;
	struct completion started;
	struct completion done;
	int ret;
	s64 ns;			/* time the wait took */
};

static int waiter_fn(void *data)
{
	struct waiter *w = data;
	struct cdma_completion rec;
	ktime_t t0;

	allow_signal(SIGKILL);
	complete(&w->started);
	t0 = ktime_get();
	w->ret = cdma_cq_wait(w->cq, w->cookie, w->timeout_ns, &rec);
	w->ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	complete(&w->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * cdma_cq_wait(cq, cookie, timeout_ns) from another thread; with
 * @hold_lock_ms, the caller holds the queue's lock for that long once the
 * thread runs, so that the wait starts late, its deadline (taken before
 * the lock) in the past.  Returns the wait's result or WAIT_HUNG.
 */
static int wait_in_thread(struct kunit *test, struct cdma_cq *cq, u64 cookie,
			  u64 timeout_ns, unsigned int hold_lock_ms, s64 *ns)
{
	struct waiter w = { .cq = cq, .cookie = cookie,
			    .timeout_ns = timeout_ns };
	struct task_struct *task;
	unsigned int i;
	int ret;

	init_completion(&w.started);
	init_completion(&w.done);
	task = kthread_create(waiter_fn, &w, "cdma-kunit-wait");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	get_task_struct(task);
	if (hold_lock_ms) {
		spin_lock_irq(&cq->lock);
		wake_up_process(task);
		/* The thread takes its deadline, then spins on the lock. */
		for (i = 0; i < 1000 && !completion_done(&w.started); i++)
			mdelay(1);
		mdelay(hold_lock_ms);
		spin_unlock_irq(&cq->lock);
	} else {
		wake_up_process(task);
	}
	if (wait_for_completion_timeout(&w.done, WAIT_LIMIT)) {
		ret = w.ret;
	} else {
		send_sig(SIGKILL, task, 1);
		wait_for_completion(&w.done);
		ret = WAIT_HUNG;
	}
	kthread_stop(task);
	put_task_struct(task);
	if (ns)
		*ns = w.ns;
	return ret;
}

static void cq_wait_timeout_test(struct kunit *test)
{
	struct cdma_cq *cq = new_cq(test, 8);
	struct cdma_cq_entry *e;
	s64 ns = 0;

	e = reserve(test, cq, 1);
	KUNIT_EXPECT_EQ(test, wait_in_thread(test, cq, 1, 2 * NSEC_PER_MSEC, 0,
					     &ns), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ns, 2 * NSEC_PER_MSEC);

	set_mode(test, cq, CDMA_MODE_POLL);
	KUNIT_EXPECT_EQ(test, wait_in_thread(test, cq, 1, 2 * NSEC_PER_MSEC, 0,
					     &ns), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, ns, 2 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, wait_in_thread(test, cq, 2, NSEC_PER_SEC, 0, NULL),
			-ENOENT);

	cdma_cq_unreserve(cq, e);
}

/*
 * A wait whose deadline has passed by the time it would sleep (a busy
 * system) still times out, in both modes, and at once.
 */
static void cq_wait_late_test(struct kunit *test)
{
	static const u32 modes[] = { CDMA_MODE_INTERRUPT, CDMA_MODE_POLL };
	static const u64 timeouts[] = { 1, 1000, NSEC_PER_MSEC };
	struct cdma_cq *cq = new_cq(test, 8);
	struct cdma_cq_entry *e;
	unsigned int m, t;
	int ret;

	e = reserve(test, cq, 1);
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		set_mode(test, cq, modes[m]);
		for (t = 0; t < ARRAY_SIZE(timeouts); t++) {
			ret = wait_in_thread(test, cq, 1, timeouts[t], 10, NULL);
			KUNIT_EXPECT_EQ_MSG(test, ret, -ETIMEDOUT,
					    "mode %u, timeout %llu ns, deadline passed before the wait%s",
					    modes[m], timeouts[t],
					    ret == WAIT_HUNG ? ": never returned" : "");
		}
	}
	cdma_cq_unreserve(cq, e);
}

struct late_complete {
	struct delayed_work work;
	struct cdma_cq *cq;
	struct cdma_cq_entry *e;
};

static void late_complete_fn(struct work_struct *work)
{
	struct late_complete *lc = container_of(to_delayed_work(work),
						struct late_complete, work);

	cdma_cq_complete(lc->cq, lc->e, 0, 123);
}

/* A waiter sleeping (interrupt mode) or spinning (poll mode) sees a
 * completion made by another thread.
 */
static void cq_wait_wakeup_test(struct kunit *test)
{
	static const u32 modes[] = { CDMA_MODE_INTERRUPT, CDMA_MODE_POLL };
	struct cdma_cq *cq = new_cq(test, 8);
	struct late_complete lc = { .cq = cq };
	struct cdma_completion rec;
	unsigned int i;

	INIT_DELAYED_WORK(&lc.work, late_complete_fn);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		set_mode(test, cq, modes[i]);
		lc.e = reserve(test, cq, 100 + i);
		schedule_delayed_work(&lc.work, msecs_to_jiffies(20));
		KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 100 + i,
						   30 * NSEC_PER_SEC, &rec), 0);
		/* Whatever happened, the work must not outlive lc. */
		flush_delayed_work(&lc.work);
		KUNIT_EXPECT_EQ(test, rec.cookie, 100ULL + i);
		KUNIT_EXPECT_EQ(test, rec.bytes, 123ULL);
	}
}

/* A user buffer of @pages pages in the test thread's own mm. */
static char __user *user_buf(struct kunit *test, unsigned long pages)
{
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, pages * PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);

	KUNIT_ASSERT_NE_MSG(test, addr, 0UL, "kunit_vm_mmap failed");
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return (char __user *)addr;
}

/* Read records from @ubuf (after cdma_cq_read() put @n there). */
static void user_recs(struct kunit *test, const char __user *ubuf,
		      struct cdma_completion *recs, unsigned int n)
{
	KUNIT_ASSERT_EQ(test, copy_from_user(recs, ubuf, n * REC), 0UL);
}

static void cq_read_test(struct kunit *test)
{
	struct cdma_cq *cq = new_cq(test, 8);
	char __user *ubuf = user_buf(test, 1);
	struct cdma_cq_entry *e1, *e2, *e3;
	struct cdma_completion recs[4];

	e1 = reserve(test, cq, 1);
	e2 = reserve(test, cq, 2);
	e3 = reserve(test, cq, 3);
	KUNIT_EXPECT_EQ(test, cdma_cq_poll(cq, NULL, NULL), 0U);
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, 4 * REC, true), -EAGAIN);

	/* Records come in completion order, not cookie order. */
	cdma_cq_complete(cq, e3, 0, 30);
	cdma_cq_complete(cq, e1, -EIO, 10);
	KUNIT_EXPECT_EQ(test, cdma_cq_poll(cq, NULL, NULL),
			EPOLLIN | EPOLLRDNORM);
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, REC - 1, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, 0, false), -EINVAL);
	/* Whole records only: 1.5 records' room gives one. */
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, REC + REC / 2, true),
			(ssize_t)REC);
	user_recs(test, ubuf, recs, 1);
	KUNIT_EXPECT_EQ(test, recs[0].cookie, 3ULL);
	KUNIT_EXPECT_EQ(test, recs[0].status, 0);
	KUNIT_EXPECT_EQ(test, recs[0].bytes, 30ULL);
	KUNIT_EXPECT_EQ(test, cq->count, 2U);

	/* Room for 4, one ready: one, without blocking. */
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, 4 * REC, false),
			(ssize_t)REC);
	user_recs(test, ubuf, recs, 1);
	KUNIT_EXPECT_EQ(test, recs[0].cookie, 1ULL);
	KUNIT_EXPECT_EQ(test, recs[0].status, -EIO);
	KUNIT_EXPECT_EQ(test, recs[0].bytes, 10ULL);

	KUNIT_EXPECT_EQ(test, cdma_cq_poll(cq, NULL, NULL), 0U);
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, 4 * REC, true), -EAGAIN);
	/* Read records are no longer known to CDMA_IOC_WAIT. */
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 1, 0, recs), -ENOENT);
	KUNIT_EXPECT_EQ(test, cdma_cq_wait(cq, 2, 0, recs), -ETIMEDOUT);

	/* poll() reports ready records in polling mode too. */
	set_mode(test, cq, CDMA_MODE_POLL);
	cdma_cq_complete(cq, e2, 0, 20);
	KUNIT_EXPECT_EQ(test, cdma_cq_poll(cq, NULL, NULL),
			EPOLLIN | EPOLLRDNORM);
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, 4 * REC, false),
			(ssize_t)REC);
	user_recs(test, ubuf, recs, 1);
	KUNIT_EXPECT_EQ(test, recs[0].cookie, 2ULL);
	KUNIT_EXPECT_EQ(test, cq->count, 0U);
	KUNIT_EXPECT_EQ(test, cdma_cq_poll(cq, NULL, NULL), 0U);
}

#define NBATCH	40	/* more than two batches of cq.c's 16 */

static void cq_read_batch_test(struct kunit *test)
{
	struct cdma_cq *cq = new_cq(test, NBATCH);
	char __user *ubuf = user_buf(test, 1);
	struct cdma_cq_entry *e[NBATCH];
	struct cdma_completion *recs;
	unsigned int i;

	recs = kunit_kcalloc(test, NBATCH, REC, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, recs);
	for (i = 0; i < NBATCH; i++)
		e[i] = reserve(test, cq, 1000 + i);
	KUNIT_EXPECT_PTR_EQ(test, cdma_cq_reserve(cq, 0), ERR_PTR(-EBUSY));
	for (i = 0; i < NBATCH; i++)
		cdma_cq_complete(cq, e[NBATCH - 1 - i], i, i);

	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, NBATCH * REC, true),
			(ssize_t)(NBATCH * REC));
	user_recs(test, ubuf, recs, NBATCH);
	for (i = 0; i < NBATCH; i++) {
		KUNIT_EXPECT_EQ(test, recs[i].cookie, 1000ULL + NBATCH - 1 - i);
		KUNIT_EXPECT_EQ(test, recs[i].status, (int)i);
		KUNIT_EXPECT_EQ(test, recs[i].bytes, (u64)i);
	}
	KUNIT_EXPECT_EQ(test, cq->count, 0U);
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, REC, true), -EAGAIN);
}

/* A fault keeps the records not copied, in order, for the next read. */
static void cq_read_fault_test(struct kunit *test)
{
	struct cdma_cq *cq = new_cq(test, 24);
	char __user *ubuf = user_buf(test, 2);
	struct cdma_cq_entry *e[20];
	struct cdma_completion recs[20];
	char __user *edge;
	unsigned int i;

	for (i = 0; i < 20; i++) {
		e[i] = reserve(test, cq, i);
		cdma_cq_complete(cq, e[i], 0, i);
	}

	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, (char __user *)16, 4 * REC,
					   true), -EFAULT);
	KUNIT_EXPECT_EQ(test, cq->count, 20U);

	/* The first batch (16) fits before an unmapped page, the rest not. */
	KUNIT_ASSERT_EQ(test, vm_munmap((unsigned long)ubuf + PAGE_SIZE,
					PAGE_SIZE), 0);
	edge = ubuf + PAGE_SIZE - 16 * REC;
	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, edge, 20 * REC, true),
			(ssize_t)(16 * REC));
	user_recs(test, edge, recs, 16);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, recs[i].cookie, (u64)i);
	KUNIT_EXPECT_EQ(test, cq->count, 4U);

	KUNIT_EXPECT_EQ(test, cdma_cq_read(cq, ubuf, 20 * REC, true),
			(ssize_t)(4 * REC));
	user_recs(test, ubuf, recs, 4);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, recs[i].cookie, 16ULL + i);
	KUNIT_EXPECT_EQ(test, cq->count, 0U);
}

static void cq_mode_test(struct kunit *test)
{
	struct cdma_cq *cq = new_cq(test, 1);
	struct cdma_mode bad = { .mode = CDMA_MODE_POLL, .eventfd = INT_MAX };

	KUNIT_EXPECT_EQ(test, cq->mode, (u32)CDMA_MODE_INTERRUPT);
	KUNIT_EXPECT_FALSE(test, cdma_cq_polling(cq));
	set_mode(test, cq, CDMA_MODE_POLL);
	set_mode(test, cq, CDMA_MODE_INTERRUPT);
	/* Not an open file: EBADF, and the mode does not change. */
	KUNIT_EXPECT_EQ(test, cdma_cq_set_mode(cq, &bad), -EBADF);
	KUNIT_EXPECT_FALSE(test, cdma_cq_polling(cq));
	KUNIT_EXPECT_NULL(test, cq->eventfd);
}

static struct kunit_case cdma_cq_cases[] = {
	KUNIT_CASE(cq_reserve_test),
	KUNIT_CASE(cq_reserve_edge_test),
	KUNIT_CASE(cq_wait_test),
	KUNIT_CASE(cq_wait_timeout_test),
	KUNIT_CASE(cq_wait_late_test),
	KUNIT_CASE(cq_wait_wakeup_test),
	KUNIT_CASE(cq_read_test),
	KUNIT_CASE(cq_read_batch_test),
	KUNIT_CASE(cq_read_fault_test),
	KUNIT_CASE(cq_mode_test),
	{}
};

static struct kunit_suite cdma_cq_suite = {
	.name = "cdma_core_cq",
	.test_cases = cdma_cq_cases,
};

kunit_test_suite(cdma_cq_suite);
