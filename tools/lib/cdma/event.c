// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libcdma: completion processing - reading completion records and running
 * callbacks, waiting on one device, and the event loop over several.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "internal.h"

/* Records read per read() */
#define CDMA_READ_BATCH	32

static void cdma_ts(struct timespec *ts, int64_t ns)
{
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

/* Nanoseconds left before @deadline (negative deadline: forever = -1). */
static int64_t cdma_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - cdma_now_ns();
	return left > 0 ? left : 0;
}

static int64_t cdma_deadline(int64_t timeout_ns)
{
	return timeout_ns < 0 ? -1 : cdma_now_ns() + timeout_ns;
}

CDMA_API int cdma_process(struct cdma_dev *dev)
{
	struct cdma_completion recs[CDMA_READ_BATCH];
	int done = 0;

	if (dev->efd >= 0) {
		uint64_t v;

		/* Clear first: a later completion signals it again. */
		if (read(dev->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -errno;
	}
	for (;;) {
		ssize_t r = read(dev->fd, recs, sizeof(recs));
		size_t n, i;

		if (r < 0) {
			if (errno == EAGAIN || (errno == EINTR && done))
				break;
			return done ? done : -errno;
		}
		n = (size_t)r / sizeof(recs[0]);
		for (i = 0; i < n; i++)
			if (!cdma_complete(dev, &recs[i]))
				done++;
		/* A short read emptied the queue. */
		if (n < CDMA_READ_BATCH)
			break;
	}
	return done;
}

CDMA_API int cdma_progress(struct cdma_dev *dev, int64_t timeout_ns)
{
	int64_t deadline = cdma_deadline(timeout_ns);
	int n;

	for (;;) {
		struct pollfd pfd = { .fd = cdma_dev_event_fd(dev),
				      .events = POLLIN };
		struct timespec ts;
		int64_t left;

		n = cdma_process(dev);
		if (n || !dev->inflight)
			return n;
		left = cdma_left(deadline);
		if (!left)
			return 0;
		if (dev->mode == CDMA_MODE_POLL)
			continue;
		if (left > 0)
			cdma_ts(&ts, left);
		if (ppoll(&pfd, 1, left < 0 ? NULL : &ts, NULL) < 0)
			return -errno;
		if (pfd.revents & (POLLERR | POLLNVAL)) {
			n = cdma_process(dev);
			return n ? n : -ENODEV;
		}
	}
}

/* ------------------------------------------------------------------ */

CDMA_API int cdma_loop_create(struct cdma_loop **loopp)
{
	struct cdma_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int ret = -errno;

		free(loop);
		return ret;
	}
	*loopp = loop;
	return 0;
}

CDMA_API void cdma_loop_destroy(struct cdma_loop *loop)
{
	if (!loop)
		return;
	while (loop->devs)
		cdma_loop_remove(loop->devs);
	close(loop->epfd);
	free(loop);
}

static int cdma_loop_watch(struct cdma_dev *dev)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = dev };
	int fd = cdma_dev_event_fd(dev);

	if (epoll_ctl(dev->loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	dev->loop_fd = fd;
	return 0;
}

CDMA_API int cdma_loop_add(struct cdma_loop *loop, struct cdma_dev *dev)
{
	int ret;

	if (dev->loop)
		return -EBUSY;
	dev->loop = loop;
	ret = cdma_loop_watch(dev);
	if (ret) {
		dev->loop = NULL;
		return ret;
	}
	dev->loop_prev = NULL;
	dev->loop_next = loop->devs;
	if (loop->devs)
		loop->devs->loop_prev = dev;
	loop->devs = dev;
	return 0;
}

CDMA_API void cdma_loop_remove(struct cdma_dev *dev)
{
	struct cdma_loop *loop = dev->loop;

	if (!loop)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, dev->loop_fd, NULL);
	if (dev->loop_prev)
		dev->loop_prev->loop_next = dev->loop_next;
	else
		loop->devs = dev->loop_next;
	if (dev->loop_next)
		dev->loop_next->loop_prev = dev->loop_prev;
	dev->loop = NULL;
	dev->loop_fd = -1;
	dev->loop_prev = NULL;
	dev->loop_next = NULL;
}

/**
 * cdma_loop_update() - follow a change of the descriptor to wait on
 * @dev: the device (eventfd enabled or disabled)
 *
 * Return: 0 or the error of epoll_ctl().
 */
int cdma_loop_update(struct cdma_dev *dev)
{
	if (!dev->loop || dev->loop_fd == cdma_dev_event_fd(dev))
		return 0;
	epoll_ctl(dev->loop->epfd, EPOLL_CTL_DEL, dev->loop_fd, NULL);
	return cdma_loop_watch(dev);
}

CDMA_API int cdma_loop_fd(const struct cdma_loop *loop)
{
	return loop->epfd;
}

/* epoll_wait() with a nanosecond timeout where the kernel has it. */
static int cdma_epoll_wait(int epfd, struct epoll_event *evs, int max,
			   int64_t timeout_ns)
{
	static int no_pwait2;
	struct timespec ts;
	int r;

	if (!no_pwait2) {
		if (timeout_ns >= 0)
			cdma_ts(&ts, timeout_ns);
		r = epoll_pwait2(epfd, evs, max, timeout_ns < 0 ? NULL : &ts,
				 NULL);
		if (r >= 0 || errno != ENOSYS)
			return r;
		no_pwait2 = 1;
	}
	return epoll_wait(epfd, evs, max,
			  timeout_ns < 0 ? -1 :
			  (int)((timeout_ns + 999999) / 1000000));
}

/* Process the devices epoll reports ready, and the polling ones. */
static int cdma_loop_pass(struct cdma_loop *loop, int64_t timeout_ns,
			  int *polling)
{
	struct epoll_event evs[16];
	struct cdma_dev *dev;
	int n, i, done = 0;

	*polling = 0;
	for (dev = loop->devs; dev; dev = dev->loop_next)
		if (dev->mode == CDMA_MODE_POLL && dev->inflight)
			*polling = 1;
	n = cdma_epoll_wait(loop->epfd, evs, 16, *polling ? 0 : timeout_ns);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		int r = cdma_process(evs[i].data.ptr);

		if (r < 0)
			return done ? done : r;
		done += r;
	}
	if (*polling)
		for (dev = loop->devs; dev; dev = dev->loop_next) {
			int r;

			if (dev->mode != CDMA_MODE_POLL || !dev->inflight)
				continue;
			r = cdma_process(dev);
			if (r < 0)
				return done ? done : r;
			done += r;
		}
	return done;
}

CDMA_API int cdma_loop_run_once(struct cdma_loop *loop, int64_t timeout_ns)
{
	int64_t deadline = cdma_deadline(timeout_ns);
	int polling, r;

	for (;;) {
		r = cdma_loop_pass(loop, cdma_left(deadline), &polling);
		/* Nothing yet (spurious wake-up, or polling): again. */
		if (r || !cdma_left(deadline))
			return r;
	}
}

static int cdma_loop_busy(const struct cdma_loop *loop)
{
	const struct cdma_dev *dev;

	for (dev = loop->devs; dev; dev = dev->loop_next)
		if (dev->inflight)
			return 1;
	return 0;
}

/*
 * Process completions until none is due, with a timeout: of @dev alone,
 * or (@loop not NULL) of the devices of @loop until it is stopped.
 */
static int cdma_run(struct cdma_dev *dev, struct cdma_loop *loop,
		    int64_t timeout_ns)
{
	int64_t deadline = cdma_deadline(timeout_ns);

	while (loop ? !loop->stop && cdma_loop_busy(loop) : dev->inflight) {
		int64_t left = cdma_left(deadline);
		int r;

		if (!left)
			return -ETIMEDOUT;
		r = loop ? cdma_loop_run_once(loop, left) :
			   cdma_progress(dev, left);
		if (r < 0)
			return r;
	}
	return 0;
}

CDMA_API int cdma_drain(struct cdma_dev *dev, int64_t timeout_ns)
{
	return cdma_run(dev, NULL, timeout_ns);
}

CDMA_API int cdma_loop_run(struct cdma_loop *loop, int64_t timeout_ns)
{
	loop->stop = 0;
	return cdma_run(NULL, loop, timeout_ns);
}

CDMA_API void cdma_loop_stop(struct cdma_loop *loop)
{
	loop->stop = 1;
}
