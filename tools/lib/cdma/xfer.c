// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libcdma: transfers - synchronous and asynchronous submission, the table
 * of asynchronous transfers whose callback is due, and waiting for one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

#define CDMA_NO_SLOT	UINT32_MAX
/* Bound of the slot table when the device allows more in flight. */
#define CDMA_MAX_SLOTS	65536U

int cdma_slots_init(struct cdma_dev *dev)
{
	uint32_t n = dev->info.max_inflight, i;

	if (!n)
		n = 1;
	if (n > CDMA_MAX_SLOTS)
		n = CDMA_MAX_SLOTS;
	dev->slots = calloc(n, sizeof(*dev->slots));
	if (!dev->slots)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		dev->slots[i].next_free = i + 1 < n ? i + 1 : CDMA_NO_SLOT;
		dev->slots[i].gen = 1;
	}
	dev->nslots = n;
	dev->free_head = 0;
	return 0;
}

void cdma_slots_fini(struct cdma_dev *dev)
{
	free(dev->slots);
	dev->slots = NULL;
}

static void cdma_slot_put(struct cdma_dev *dev, uint32_t i)
{
	struct cdma_slot *s = &dev->slots[i];

	s->busy = 0;
	s->done = NULL;
	s->arg = NULL;
	s->gen++;
	if (!s->gen)
		s->gen = 1;
	s->next_free = dev->free_head;
	dev->free_head = i;
	dev->inflight--;
}

/* The busy slot of @cookie, or NULL. */
static struct cdma_slot *cdma_slot_of(struct cdma_dev *dev, uint64_t cookie,
				      uint32_t *index)
{
	uint32_t i = (uint32_t)cookie, gen = (uint32_t)(cookie >> 32);

	if (i >= dev->nslots || !dev->slots[i].busy || dev->slots[i].gen != gen)
		return NULL;
	*index = i;
	return &dev->slots[i];
}

/**
 * cdma_complete() - run the callback of a completion record
 * @dev: the device
 * @c: the record
 *
 * Return: 0, or -ENOENT for a record of no transfer of the library.
 */
int cdma_complete(struct cdma_dev *dev, const struct cdma_completion *c)
{
	struct cdma_slot *s;
	cdma_done_fn done;
	uint32_t i;
	void *arg;

	s = cdma_slot_of(dev, c->cookie, &i);
	if (!s)
		return -ENOENT;
	done = s->done;
	arg = s->arg;
	/* Free first: the callback may submit the next transfer. */
	cdma_slot_put(dev, i);
	if (done)
		done(dev, c, arg);
	return 0;
}

CDMA_API unsigned int cdma_inflight(const struct cdma_dev *dev)
{
	return dev->inflight;
}

CDMA_API int cdma_xfer_sync(struct cdma_dev *dev, const struct cdma_xfer *x)
{
	return ioctl(dev->fd, CDMA_IOC_SUBMIT, x) < 0 ? -errno : 0;
}

CDMA_API int cdma_xfer_async(struct cdma_dev *dev, const struct cdma_xfer *x,
			     cdma_done_fn done, void *arg, uint64_t *cookie)
{
	struct cdma_xfer xa = *x;
	struct cdma_slot *s;
	uint32_t i = dev->free_head;

	if (i == CDMA_NO_SLOT)
		return -EBUSY;
	s = &dev->slots[i];
	xa.flags |= CDMA_XFER_F_ASYNC;
	xa.cookie = (uint64_t)s->gen << 32 | i;
	if (ioctl(dev->fd, CDMA_IOC_SUBMIT, &xa) < 0)
		return -errno;
	dev->free_head = s->next_free;
	s->busy = 1;
	s->done = done;
	s->arg = arg;
	dev->inflight++;
	if (cookie)
		*cookie = xa.cookie;
	return 0;
}

static void cdma_local_xfer(struct cdma_xfer *x, struct cdma_buf *dst,
			    uint64_t dst_off, struct cdma_buf *src,
			    uint64_t src_off, uint64_t len)
{
	memset(x, 0, sizeof(*x));
	x->dir = CDMA_XFER_LOCAL;
	x->src_handle = src->handle;
	x->dst_handle = dst->handle;
	x->src_offset = src_off;
	x->dst_offset = dst_off;
	x->length = len;
}

CDMA_API int cdma_copy(struct cdma_buf *dst, uint64_t dst_off,
		       struct cdma_buf *src, uint64_t src_off, uint64_t len)
{
	struct cdma_xfer x;

	if (dst->dev != src->dev)
		return -EXDEV;
	cdma_local_xfer(&x, dst, dst_off, src, src_off, len);
	return cdma_xfer_sync(dst->dev, &x);
}

CDMA_API int cdma_copy_async(struct cdma_buf *dst, uint64_t dst_off,
			     struct cdma_buf *src, uint64_t src_off,
			     uint64_t len, cdma_done_fn done, void *arg,
			     uint64_t *cookie)
{
	struct cdma_xfer x;

	if (dst->dev != src->dev)
		return -EXDEV;
	cdma_local_xfer(&x, dst, dst_off, src, src_off, len);
	return cdma_xfer_async(dst->dev, &x, done, arg, cookie);
}

/*
 * Submit a global transfer from or to @local, synchronously or (@async)
 * with @done, @arg and @cookie as cdma_xfer_async(); -ERANGE when it
 * passes the remote's known end.
 */
static int cdma_global_xfer(uint32_t dir, struct cdma_buf *local,
			    uint64_t local_off, const struct cdma_remote *r,
			    uint64_t remote_off, uint64_t len, int async,
			    cdma_done_fn done, void *arg, uint64_t *cookie)
{
	struct cdma_xfer x;

	if (r->size && (remote_off > r->size || len > r->size - remote_off))
		return -ERANGE;
	memset(&x, 0, sizeof(x));
	x.dir = dir;
	x.length = len;
	x.global_addr = r->global_addr + remote_off;
	x.key = r->key;
	if (dir == CDMA_XFER_TO_GLOBAL) {
		x.src_handle = local->handle;
		x.src_offset = local_off;
	} else {
		x.dst_handle = local->handle;
		x.dst_offset = local_off;
	}
	if (async)
		return cdma_xfer_async(local->dev, &x, done, arg, cookie);
	return cdma_xfer_sync(local->dev, &x);
}

CDMA_API int cdma_put(const struct cdma_remote *remote, uint64_t remote_off,
		      struct cdma_buf *src, uint64_t src_off, uint64_t len)
{
	return cdma_global_xfer(CDMA_XFER_TO_GLOBAL, src, src_off, remote,
				remote_off, len, 0, NULL, NULL, NULL);
}

CDMA_API int cdma_get(struct cdma_buf *dst, uint64_t dst_off,
		      const struct cdma_remote *remote, uint64_t remote_off,
		      uint64_t len)
{
	return cdma_global_xfer(CDMA_XFER_FROM_GLOBAL, dst, dst_off, remote,
				remote_off, len, 0, NULL, NULL, NULL);
}

CDMA_API int cdma_put_async(const struct cdma_remote *remote,
			    uint64_t remote_off, struct cdma_buf *src,
			    uint64_t src_off, uint64_t len, cdma_done_fn done,
			    void *arg, uint64_t *cookie)
{
	return cdma_global_xfer(CDMA_XFER_TO_GLOBAL, src, src_off, remote,
				remote_off, len, 1, done, arg, cookie);
}

CDMA_API int cdma_get_async(struct cdma_buf *dst, uint64_t dst_off,
			    const struct cdma_remote *remote,
			    uint64_t remote_off, uint64_t len,
			    cdma_done_fn done, void *arg, uint64_t *cookie)
{
	return cdma_global_xfer(CDMA_XFER_FROM_GLOBAL, dst, dst_off, remote,
				remote_off, len, 1, done, arg, cookie);
}

CDMA_API int cdma_wait(struct cdma_dev *dev, uint64_t cookie,
		       int64_t timeout_ns, struct cdma_completion *c)
{
	struct cdma_wait w;
	uint32_t i;

	if (!cdma_slot_of(dev, cookie, &i))
		return -ENOENT;
	memset(&w, 0, sizeof(w));
	w.cookie = cookie;
	w.timeout_ns = timeout_ns < 0 ? UINT64_MAX : (uint64_t)timeout_ns;
	if (ioctl(dev->fd, CDMA_IOC_WAIT, &w) < 0)
		return -errno;
	if (c)
		*c = w.completion;
	cdma_complete(dev, &w.completion);
	return 0;
}
