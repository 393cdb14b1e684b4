// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libcdma: DMA buffers - allocation, mapping, freeing - and Unimem export
 * and import.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "internal.h"

static struct cdma_buf_node *cdma_node(struct cdma_buf *buf)
{
	return (struct cdma_buf_node *)buf;
}

CDMA_API int cdma_buf_alloc(struct cdma_dev *dev, uint64_t size,
			    unsigned int flags, struct cdma_buf **bufp)
{
	struct cdma_alloc a = { .size = size };
	struct cdma_buf_node *n;
	uint64_t page = dev->info.page_size;
	int ret;

	if (flags & ~CDMA_BUF_NOMAP)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (ioctl(dev->fd, CDMA_IOC_ALLOC, &a) < 0) {
		ret = -errno;
		free(n);
		return ret;
	}
	n->buf.dev = dev;
	n->buf.handle = a.handle;
	n->buf.size = (size + page - 1) / page * page;
	n->buf.mmap_offset = a.mmap_offset;
	n->next = dev->bufs;
	if (dev->bufs)
		dev->bufs->prev = n;
	dev->bufs = n;
	if (!(flags & CDMA_BUF_NOMAP)) {
		ret = cdma_buf_map(&n->buf);
		if (ret) {
			cdma_buf_free(&n->buf);
			return ret;
		}
	}
	*bufp = &n->buf;
	return 0;
}

CDMA_API int cdma_buf_map(struct cdma_buf *buf)
{
	void *p;

	if (buf->addr)
		return 0;
	p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 buf->dev->fd, (off_t)buf->mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	buf->addr = p;
	return 0;
}

CDMA_API void cdma_buf_unmap(struct cdma_buf *buf)
{
	if (buf->addr)
		munmap(buf->addr, buf->size);
	buf->addr = NULL;
}

CDMA_API int cdma_buf_free(struct cdma_buf *buf)
{
	struct cdma_buf_node *n;
	struct cdma_dev *dev;
	struct cdma_free f;
	int ret = 0;

	if (!buf)
		return 0;
	n = cdma_node(buf);
	dev = buf->dev;
	cdma_buf_unmap(buf);
	memset(&f, 0, sizeof(f));
	f.handle = buf->handle;
	if (ioctl(dev->fd, CDMA_IOC_FREE, &f) < 0)
		ret = -errno;
	if (n->prev)
		n->prev->next = n->next;
	else
		dev->bufs = n->next;
	if (n->next)
		n->next->prev = n->prev;
	free(n);
	return ret;
}

CDMA_API int cdma_buf_export(struct cdma_buf *buf, uint32_t access,
			     struct cdma_remote *remote)
{
	struct cdma_export e = { .handle = buf->handle, .access = access };

	if (ioctl(buf->dev->fd, CDMA_IOC_EXPORT, &e) < 0)
		return -errno;
	buf->exported = 1;
	memset(remote, 0, sizeof(*remote));
	remote->global_addr = e.global_addr;
	remote->key = e.key;
	remote->size = buf->size;
	remote->access = access;
	return 0;
}

CDMA_API int cdma_buf_revoke(struct cdma_buf *buf)
{
	struct cdma_revoke r = { .handle = buf->handle };

	if (ioctl(buf->dev->fd, CDMA_IOC_REVOKE, &r) < 0)
		return -errno;
	buf->exported = 0;
	return 0;
}

#define CDMA_REMOTE_PREFIX "cdma1:"

CDMA_API int cdma_remote_format(const struct cdma_remote *remote, char *str,
				size_t len)
{
	int n = snprintf(str, len, CDMA_REMOTE_PREFIX "%016llx:%016llx:%llx:%x",
			 (unsigned long long)remote->global_addr,
			 (unsigned long long)remote->key,
			 (unsigned long long)remote->size, remote->access);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Parse one hex field ending at @stop; advance *@s past the separator. */
static int cdma_hex(const char **s, char stop, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int digits = 0;

	for (; *p && *p != stop; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if (digits == 16)
			return -EINVAL;
		x = x << 4 | (uint64_t)d;
	}
	if (!digits || *p != stop)
		return -EINVAL;
	*v = x;
	*s = stop ? p + 1 : p;
	return 0;
}

CDMA_API int cdma_remote_import(const char *str, struct cdma_remote *remote)
{
	uint64_t ga, key, size, access;
	const char *s = str;

	if (strncmp(s, CDMA_REMOTE_PREFIX, strlen(CDMA_REMOTE_PREFIX)))
		return -EINVAL;
	s += strlen(CDMA_REMOTE_PREFIX);
	if (cdma_hex(&s, ':', &ga) || cdma_hex(&s, ':', &key) ||
	    cdma_hex(&s, ':', &size) || cdma_hex(&s, '\0', &access) ||
	    access > UINT32_MAX)
		return -EINVAL;
	memset(remote, 0, sizeof(*remote));
	remote->global_addr = ga;
	remote->key = key;
	remote->size = size;
	remote->access = (uint32_t)access;
	return 0;
}
