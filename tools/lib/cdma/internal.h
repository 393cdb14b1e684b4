/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libcdma internals shared by the library's source files.
 */
#ifndef LIBCDMA_INTERNAL_H
#define LIBCDMA_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "libcdma.h"

/* Exported from the shared library; everything else is hidden. */
#define CDMA_API __attribute__((visibility("default")))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * One slot per asynchronous transfer whose callback is due.  A cookie is
 * (generation << 32) | slot index, so a stale cookie never matches a
 * reused slot.
 */
struct cdma_slot {
	cdma_done_fn done;
	void *arg;
	uint32_t gen;		/* generation of the transfer in the slot */
	uint32_t next_free;	/* free list link */
	int busy;
};

/* Buffers of a device, so that cdma_dev_close() frees them. */
struct cdma_buf_node {
	struct cdma_buf buf;	/* first: the user's pointer */
	struct cdma_buf_node *prev, *next;
};

struct cdma_dev {
	int fd;
	int efd;		/* eventfd, -1 when disabled */
	uint32_t mode;
	struct cdma_info info;
	char *path;

	struct cdma_slot *slots;
	uint32_t nslots;
	uint32_t free_head;	/* UINT32_MAX when none */
	uint32_t inflight;

	struct cdma_buf_node *bufs;
	struct cdma_loop *loop;	/* NULL when in no loop */
	int loop_fd;		/* descriptor registered with the loop */
	struct cdma_dev *loop_prev, *loop_next;
};

struct cdma_loop {
	int epfd;
	int stop;
	struct cdma_dev *devs;
};

/* xfer.c */
int cdma_slots_init(struct cdma_dev *dev);
void cdma_slots_fini(struct cdma_dev *dev);
int cdma_complete(struct cdma_dev *dev, const struct cdma_completion *c);

/* event.c */
int cdma_loop_update(struct cdma_dev *dev);

/* Monotonic clock in nanoseconds. */
static inline int64_t cdma_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif /* LIBCDMA_INTERNAL_H */
