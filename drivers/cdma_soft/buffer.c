// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: DMA buffers.
 *
 * A buffer is built from the largest physically contiguous blocks the page
 * allocator gives (split into order-0 pages so that each page is reference
 * counted on its own): mappings hold page references, so a mapping outlives
 * the buffer safely.
 */

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "cdma_soft.h"

static void cdma_buf_release(struct kref *ref)
{
	struct cdma_buf *buf = container_of(ref, struct cdma_buf, ref);
	unsigned long i;

	for (i = 0; i < buf->npages; i++)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
	kvfree(buf->segs);
	kfree(buf);
}

static struct page *cdma_alloc_block(unsigned long want, unsigned int *order)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN;
	unsigned int o = min_t(unsigned int, ilog2(want), MAX_PAGE_ORDER);
	struct page *page;

	for (;; o--) {
		page = alloc_pages(gfp | (o ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL), o);
		if (page || !o)
			break;
	}
	if (page) {
		split_page(page, o);
		*order = o;
	}
	return page;
}

/**
 * cdma_buf_create() - allocate a zeroed buffer with one reference
 * @size: size in bytes, a non-zero multiple of PAGE_SIZE
 *
 * Return: the buffer or an ERR_PTR (-ENOMEM, -EINTR on a fatal signal).
 */
struct cdma_buf *cdma_buf_create(u64 size)
{
	unsigned long npages = size >> PAGE_SHIFT, done = 0, i;
	unsigned int order, maxsegs;
	struct cdma_buf *buf;
	struct page *page;
	int ret = -ENOMEM;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->ref);
	buf->size = size;
	maxsegs = min_t(unsigned long, npages, UINT_MAX);
	buf->pages = kvmalloc_array(npages, sizeof(*buf->pages),
				    GFP_KERNEL_ACCOUNT);
	buf->segs = kvmalloc_array(maxsegs, sizeof(*buf->segs),
				   GFP_KERNEL_ACCOUNT);
	if (!buf->pages || !buf->segs)
		goto fail;

	while (done < npages) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto fail;
		}
		page = cdma_alloc_block(npages - done, &order);
		if (!page)
			goto fail;
		for (i = 0; i < (1UL << order); i++)
			buf->pages[done + i] = page + i;
		buf->segs[buf->nsegs].page = page;
		buf->segs[buf->nsegs].nr = 1UL << order;
		buf->nsegs++;
		done += 1UL << order;
		buf->npages = done;
		cond_resched();
	}
	return buf;

fail:
	kref_put(&buf->ref, cdma_buf_release);
	return ERR_PTR(ret);
}

/**
 * cdma_buf_put() - drop a buffer reference
 * @buf: the buffer
 */
void cdma_buf_put(struct cdma_buf *buf)
{
	kref_put(&buf->ref, cdma_buf_release);
}
EXPORT_SYMBOL_GPL(cdma_buf_put);

/**
 * cdma_buf_size() - size of a buffer
 * @buf: the buffer
 *
 * Return: the size in bytes, a multiple of PAGE_SIZE.
 */
u64 cdma_buf_size(const struct cdma_buf *buf)
{
	return buf->size;
}
EXPORT_SYMBOL_GPL(cdma_buf_size);

/**
 * cdma_buf_get() - look a handle up and take a buffer reference
 * @ctx: context owning the handle
 * @handle: buffer handle
 *
 * Return: the buffer, or NULL when @ctx has no such handle.
 */
struct cdma_buf *cdma_buf_get(struct cdma_ctx *ctx, u32 handle)
{
	struct cdma_buf *buf;

	xa_lock(&ctx->bufs);
	buf = xa_load(&ctx->bufs, handle);
	if (buf)
		kref_get(&buf->ref);
	xa_unlock(&ctx->bufs);
	return buf;
}
EXPORT_SYMBOL_GPL(cdma_buf_get);

/**
 * cdma_buf_alloc() - allocate a buffer in a context
 * @ctx: the context
 * @size: size in bytes, 1 .. max_buffer_size, rounded up to PAGE_SIZE
 * @handle: out: the new handle
 *
 * Return: 0, -EINVAL for a zero size, -EFBIG above the limit, -ENOSPC when
 * the context holds max_buffers buffers, -ENOMEM or -EINTR.
 */
int cdma_buf_alloc(struct cdma_ctx *ctx, u64 size, u32 *handle)
{
	struct cdma_buf *buf;
	int ret;

	if (!size)
		return -EINVAL;
	if (size > cdma_max_buffer_size)
		return -EFBIG;
	/* Reserve the handle first: a full context must not allocate. */
	ret = xa_alloc(&ctx->bufs, handle, NULL,
		       XA_LIMIT(1, cdma_max_buffers), GFP_KERNEL);
	if (ret)
		return ret == -EBUSY ? -ENOSPC : ret;

	buf = cdma_buf_create(PAGE_ALIGN(size));
	if (IS_ERR(buf)) {
		xa_erase(&ctx->bufs, *handle);
		return PTR_ERR(buf);
	}
	xa_store(&ctx->bufs, *handle, buf, GFP_KERNEL);
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_buf_alloc);

/**
 * cdma_buf_free() - release a handle
 * @ctx: the context
 * @handle: buffer handle
 *
 * Revokes the buffer's export.  The memory is freed when the last transfer
 * and mapping using it are gone.
 *
 * Return: 0 or -ENOENT for an unknown handle.
 */
int cdma_buf_free(struct cdma_ctx *ctx, u32 handle)
{
	struct cdma_buf *buf;
	u32 segment;

	buf = xa_erase(&ctx->bufs, handle);
	if (!buf)
		return -ENOENT;

	spin_lock(&ctx->lock);
	segment = buf->export;
	buf->export = 0;
	spin_unlock(&ctx->lock);
	if (segment)
		cdma_global_remove(segment);
	cdma_buf_put(buf);
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_buf_free);

/**
 * cdma_buf_mmap() - map a buffer into a shared mapping
 * @buf: the buffer
 * @vma: a VM_SHARED mapping of at most the buffer's size, being set up
 *
 * The mapping holds references on the pages it maps.
 *
 * Return: 0, -EINVAL for a private or too large mapping, or the error of
 * vm_insert_pages().
 */
int cdma_buf_mmap(struct cdma_buf *buf, struct vm_area_struct *vma)
{
	unsigned long npages = vma_pages(vma);

	if (!(vma->vm_flags & VM_SHARED) || npages > buf->npages)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_pages(vma, vma->vm_start, buf->pages, &npages);
}
EXPORT_SYMBOL_GPL(cdma_buf_mmap);
