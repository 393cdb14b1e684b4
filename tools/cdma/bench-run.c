// SPDX-License-Identifier: GPL-2.0
/*
 * cdma-bench: the measurements.  Each function takes one sample: it runs
 * its operation for the time budget of a sample (and at least min_ops
 * times) and returns the rate, latency or time it measured with
 * CLOCK_MONOTONIC around the real operations.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "pattern.h"

const char *const bench_lat_modes[] = {
	"sync", "sync-poll", "irq", "eventfd", "poll", NULL
};

int64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t budget_ns(const struct bench_opts *o)
{
	return (int64_t)(o->sample_secs * 1e9);
}

/* Keep the compiler from dropping a copy nobody reads. */
static inline void clobber(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static double mbps(uint64_t bytes, int64_t ns)
{
	return ns > 0 ? (double)bytes / ((double)ns / 1e9) / 1e6 : NAN;
}

/**
 * bench_rate() - synchronous transfer rate, one transfer at a time
 * @d: the device
 * @o: options
 * @size: bytes per transfer
 * @verify: fill the source with a fresh pattern first and check that the
 *	transfers copied it
 * @err: receives a positive errno on failure
 *
 * Return: MB/s (10^6 bytes per second), NaN on failure.
 */
double bench_rate(struct bench_dev *d, const struct bench_opts *o,
		  uint64_t size, int verify, int *err)
{
	int64_t t0, t, budget = budget_ns(o);
	uint64_t ops = 0;
	int r;

	/* A fresh pattern the timed transfers must have copied. */
	if (verify) {
		cdma_pattern_fill(CDMA_PATTERN_XORSHIFT, size ^ d->target,
				  d->src->addr, size, 0);
		memset(d->dst->addr, 0, size);
	}
	/* Warm-up, untimed, where one transfer is short. */
	r = size < MiB ? cdma_copy(d->dst, 0, d->src, 0, size) : 0;
	t0 = bench_now();
	do {
		if (!r)
			r = cdma_copy(d->dst, 0, d->src, 0, size);
		if (r) {
			*err = -r;
			return NAN;
		}
		ops++;
		t = bench_now() - t0;
	} while (t < budget || ops < o->min_ops);
	if (verify && memcmp(d->src->addr, d->dst->addr, size)) {
		d->verified_failed = 1;
		*err = EIO;
		return NAN;
	}
	return mbps(size * ops, t);
}

/**
 * bench_memcpy() - user-space memcpy rate on this core
 * @d: the T_CPU target (its anonymous buffers)
 * @o: options
 * @size: bytes per copy
 * @err: unused (memcpy does not fail)
 *
 * Return: MB/s.
 */
double bench_memcpy(struct bench_dev *d, const struct bench_opts *o,
		    uint64_t size, int *err)
{
	int64_t t0, t, budget = budget_ns(o);
	uint64_t ops = 0;

	(void)err;
	memcpy(d->cdst, d->csrc, size);
	clobber(d->cdst);
	t0 = bench_now();
	do {
		memcpy(d->cdst, d->csrc, size);
		clobber(d->cdst);
		ops++;
		t = bench_now() - t0;
	} while (t < budget || ops < o->min_ops);
	return mbps(size * ops, t);
}

/* State of an asynchronous rate sample, shared with its callback. */
struct async_run {
	struct bench_dev *d;
	uint64_t size, slots, next;
	uint64_t submitted, completed;
	int64_t t0, budget, t_last;
	unsigned int min_ops;
	int err, stop;
};

static void async_done(struct cdma_dev *dev, const struct cdma_completion *c,
		       void *arg);

static int async_submit(struct async_run *a)
{
	uint64_t off = (a->next++ % a->slots) * a->size;
	int r;

	r = cdma_copy_async(a->d->dst, off, a->d->src, off, a->size,
			    async_done, a, NULL);
	if (r)
		a->err = -r;
	else
		a->submitted++;
	return r;
}

static void async_done(struct cdma_dev *dev, const struct cdma_completion *c,
		       void *arg)
{
	struct async_run *a = arg;

	(void)dev;
	a->t_last = bench_now();
	if (c->status || c->bytes != a->size) {
		a->err = c->status ? -c->status : EIO;
		a->stop = 1;
		return;
	}
	a->completed++;
	if (a->t_last - a->t0 >= a->budget && a->completed >= a->min_ops)
		a->stop = 1;
	if (!a->stop)
		async_submit(a);
}

/* Keep @qd transfers in flight until the budget is spent; 0 or -errno. */
static int async_round(struct async_run *a, unsigned int qd)
{
	unsigned int i;
	int r = 0;

	a->t0 = bench_now();
	for (i = 0; i < qd && !r; i++)
		r = async_submit(a);
	if (r)
		a->stop = 1;
	r = cdma_drain(a->d->dev, -1);
	return r ? r : (a->err ? -a->err : 0);
}

/**
 * bench_async() - asynchronous transfer rate at a queue depth
 * @d: the device (interrupt mode)
 * @o: options
 * @size: bytes per transfer
 * @qd: transfers kept in flight; each completion's callback submits the
 *	next one (to the next slot of the buffers, so that the transfers in
 *	flight use distinct ranges where the buffers are large enough)
 * @err: receives a positive errno on failure
 *
 * Return: MB/s from the first submission to the last completion, NaN on
 * failure.
 */
double bench_async(struct bench_dev *d, const struct bench_opts *o,
		   uint64_t size, unsigned int qd, int *err)
{
	struct async_run a = {
		.d = d, .size = size, .slots = d->buf_size / size,
		.min_ops = 1,
	};
	int r;

	/* Warm-up: one round of qd transfers, where that is short. */
	a.stop = 1;
	r = size * qd <= MiB ? async_round(&a, qd) : 0;
	if (!r) {
		memset(&a, 0, sizeof(a));
		a.d = d;
		a.size = size;
		a.slots = d->buf_size / size;
		a.budget = budget_ns(o);
		a.min_ops = o->min_ops;
		r = async_round(&a, qd);
	}
	if (r) {
		*err = -r;
		return NAN;
	}
	return mbps(size * a.completed, a.t_last - a.t0);
}

/* ------------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * One operation of a latency mode; its latency in ns or -errno.  The
 * asynchronous one is a round of one transfer with no time budget: its
 * completion stops it.
 */
static int64_t lat_op(struct bench_dev *d, struct cdma_loop *loop,
		      int sync, uint64_t size)
{
	struct async_run a = { .d = d, .size = size, .slots = 1, .min_ops = 1 };
	int r;

	a.t0 = bench_now();
	if (sync) {
		r = cdma_copy(d->dst, 0, d->src, 0, size);
		return r ? r : bench_now() - a.t0;
	}
	r = async_submit(&a);
	while (!r && !a.stop)
		r = loop ? cdma_loop_run_once(loop, -1)
			 : cdma_progress(d->dev, -1);
	if (r < 0)
		return r;
	return a.err ? -a.err : a.t_last - a.t0;
}

/**
 * bench_latency() - completion latency of a small transfer
 * @d: the device
 * @o: options (lat_size: bytes per transfer)
 * @mode: "sync" (synchronous ioctl, interrupt mode), "sync-poll" (the
 *	same in polling mode), "irq" (asynchronous, the event loop sleeping
 *	in epoll on the device), "eventfd" (the same on the device's
 *	eventfd), "poll" (asynchronous, polling mode, busy-polling)
 * @err: receives a positive errno on failure
 *
 * Measures submission to callback (or to the return of the synchronous
 * ioctl), one transfer at a time.
 *
 * Return: the median latency of the sample's transfers in microseconds,
 * NaN on failure.
 */
double bench_latency(struct bench_dev *d, const struct bench_opts *o,
		     const char *mode, int *err)
{
	int sync = !strncmp(mode, "sync", 4);
	int poll = !strcmp(mode, "poll") || !strcmp(mode, "sync-poll");
	int64_t t0, budget = budget_ns(o), *lat = NULL, v;
	size_t n = 0, cap = 0;
	struct cdma_loop *loop = NULL;
	double res = NAN;
	int r = 0;

	if (poll)
		r = cdma_dev_set_mode(d->dev, CDMA_MODE_POLL);
	if (!r && !strcmp(mode, "eventfd")) {
		r = cdma_dev_enable_eventfd(d->dev);
		r = r < 0 ? r : 0;
	}
	if (!r && (!strcmp(mode, "irq") || !strcmp(mode, "eventfd"))) {
		r = cdma_loop_create(&loop);
		if (!r)
			r = cdma_loop_add(loop, d->dev);
	}
	/* Warm-up. */
	if (!r) {
		v = lat_op(d, loop, sync, o->lat_size);
		r = v < 0 ? (int)v : 0;
	}
	t0 = bench_now();
	while (!r && (bench_now() - t0 < budget || n < o->min_ops)) {
		v = lat_op(d, loop, sync, o->lat_size);
		if (v < 0) {
			r = (int)v;
			break;
		}
		if (n == cap) {
			int64_t *p = realloc(lat, (cap = cap ? 2 * cap : 1024) *
					     sizeof(*lat));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			lat = p;
		}
		lat[n++] = v;
	}
	if (!r && n) {
		qsort(lat, n, sizeof(*lat), cmp_i64);
		res = (n % 2 ? (double)lat[n / 2] :
		       (lat[n / 2 - 1] + lat[n / 2]) / 2.0) / 1e3;
	}
	if (r)
		*err = -r;
	free(lat);
	cdma_loop_destroy(loop);
	cdma_dev_disable_eventfd(d->dev);
	if (poll)
		cdma_dev_set_mode(d->dev, CDMA_MODE_INTERRUPT);
	return res;
}

/* ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/**
 * bench_alloc() - buffer allocation and freeing time
 * @d: the device
 * @o: options
 * @size: buffer size
 * @alloc_us: receives the median CDMA_IOC_ALLOC time (microseconds)
 * @free_us: receives the median CDMA_IOC_FREE time (microseconds)
 *
 * Allocates (without mapping) and frees a buffer repeatedly for the time
 * budget of a sample, at least once.
 *
 * Return: 0 or -errno of the failed allocation.
 */
int bench_alloc(struct bench_dev *d, const struct bench_opts *o,
		uint64_t size, double *alloc_us, double *free_us)
{
	int64_t t0, t1, t2, start, budget = budget_ns(o);
	size_t n = 0, cap = 64;
	double *a = malloc(cap * sizeof(*a)), *f = malloc(cap * sizeof(*f));
	struct cdma_buf *b;
	int r = a && f ? 0 : -ENOMEM;

	start = bench_now();
	while (!r && (!n || bench_now() - start < budget)) {
		t0 = bench_now();
		r = cdma_buf_alloc(d->dev, size, CDMA_BUF_NOMAP, &b);
		t1 = bench_now();
		if (r)
			break;
		r = cdma_buf_free(b);
		t2 = bench_now();
		if (n == cap) {
			double *pa = realloc(a, 2 * cap * sizeof(*a));
			double *pf = pa ? realloc(f, 2 * cap * sizeof(*f)) : NULL;

			if (pa)
				a = pa;
			if (!pf) {
				r = -ENOMEM;
				break;
			}
			f = pf;
			cap *= 2;
		}
		a[n] = (t1 - t0) / 1e3;
		f[n] = (t2 - t1) / 1e3;
		n++;
	}
	if (!r) {
		*alloc_us = median_of(a, n);
		*free_us = median_of(f, n);
	}
	free(a);
	free(f);
	return r;
}
