// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: DMA buffers.
 *
 * Engine buffers are page sets (cdma_core) with a reference count: the
 * owning handle, each transfer using the buffer and its export hold one.
 * A buffer either owns its pages or imports pages of a client (guest
 * memory pinned by the vDPA backend), released through a callback.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <linux/cdma_core.h>

#include "cdma_soft.h"

static void cdma_buf_release(struct kref *ref)
{
	struct cdma_buf *buf = container_of(ref, struct cdma_buf, ref);

	cdma_pages_free(&buf->pg);
	if (buf->release)
		buf->release(buf->release_priv);
	kfree(buf);
}

/**
 * cdma_buf_create() - allocate a zeroed buffer with one reference
 * @size: size in bytes, a non-zero multiple of PAGE_SIZE
 *
 * Return: the buffer or an ERR_PTR (-ENOMEM, -EINTR on a fatal signal).
 */
struct cdma_buf *cdma_buf_create(u64 size)
{
	struct cdma_buf *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->ref);
	buf->size = size;
	ret = cdma_pages_alloc(&buf->pg, size >> PAGE_SHIFT, true);
	if (ret) {
		kfree(buf);
		return ERR_PTR(ret);
	}
	return buf;
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
struct cdma_buf *cdma_buf_get(struct soft_ctx *ctx, u32 handle)
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

/* Reserve a handle first: a full context must not allocate. */
static int cdma_handle_reserve(struct soft_ctx *ctx, u32 *handle)
{
	int ret = xa_alloc(&ctx->bufs, handle, NULL,
			   XA_LIMIT(1, cdma_max_buffers), GFP_KERNEL);

	return ret == -EBUSY ? -ENOSPC : ret;
}

/**
 * soft_buf_alloc() - allocate a buffer in a context
 * @ctx: the context
 * @size: size in bytes, 1 .. max_buffer_size, rounded up to PAGE_SIZE
 * @handle: out: the new handle
 *
 * Return: 0, -EINVAL for a zero size, -EFBIG above the limit, -ENOSPC when
 * the context holds max_buffers buffers, -ENOMEM or -EINTR.
 */
int soft_buf_alloc(struct soft_ctx *ctx, u64 size, u32 *handle)
{
	struct cdma_buf *buf;
	int ret;

	if (!size)
		return -EINVAL;
	if (size > cdma_max_buffer_size)
		return -EFBIG;
	ret = cdma_handle_reserve(ctx, handle);
	if (ret)
		return ret;

	buf = cdma_buf_create(PAGE_ALIGN(size));
	if (IS_ERR(buf)) {
		xa_erase(&ctx->bufs, *handle);
		return PTR_ERR(buf);
	}
	buf->handle = *handle;
	xa_store(&ctx->bufs, *handle, buf, GFP_KERNEL);
	return 0;
}

/**
 * soft_buf_import() - make a buffer of pages the caller owns
 * @ctx: the context
 * @pages: the pages, in buffer order (the array is copied)
 * @npages: number of pages, 1 .. max_buffer_size / PAGE_SIZE
 * @release: called with @priv once the engine no longer uses the pages
 *	(handle freed, transfers and export gone); not called on failure.
 *	Called in process context and may sleep: from a channel worker, or
 *	from soft_buf_free(), soft_ctx_destroy() or a failing soft_submit()
 *	of any context (one that resolved the buffer's export); possibly
 *	after soft_buf_free() of the handle has returned.
 * @priv: argument of @release
 * @handle: out: the new handle
 *
 * The engine reads and writes the pages in place: no copy.
 *
 * Return: 0, -EINVAL, -EFBIG, -ENOSPC or -ENOMEM.
 */
int soft_buf_import(struct soft_ctx *ctx, struct page **pages,
		    unsigned long npages, void (*release)(void *priv),
		    void *priv, u32 *handle)
{
	struct cdma_buf *buf;
	int ret;

	if (!npages)
		return -EINVAL;
	if (npages > cdma_max_buffer_size >> PAGE_SHIFT)
		return -EFBIG;
	ret = cdma_handle_reserve(ctx, handle);
	if (ret)
		return ret;
	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		goto err;
	kref_init(&buf->ref);
	buf->size = (u64)npages << PAGE_SHIFT;
	if (cdma_pages_import(&buf->pg, pages, npages))
		goto err;
	buf->release = release;
	buf->release_priv = priv;
	buf->handle = *handle;
	xa_store(&ctx->bufs, *handle, buf, GFP_KERNEL);
	return 0;

err:
	kfree(buf);
	xa_erase(&ctx->bufs, *handle);
	return -ENOMEM;
}

/**
 * soft_buf_free() - release a handle
 * @ctx: the context
 * @handle: buffer handle
 *
 * Revokes the buffer's export.  The memory is freed when the last transfer
 * and mapping using it are gone.
 *
 * Return: 0 or -ENOENT for an unknown handle.
 */
int soft_buf_free(struct soft_ctx *ctx, u32 handle)
{
	struct cdma_buf *buf;

	/*
	 * Only a stored buffer: xa_erase() of a handle an ALLOC or import
	 * has reserved, and not stored yet, would release the reservation
	 * for another ALLOC to take.
	 */
	xa_lock(&ctx->bufs);
	buf = xa_load(&ctx->bufs, handle);
	if (buf)
		__xa_erase(&ctx->bufs, handle);
	xa_unlock(&ctx->bufs);
	if (!buf)
		return -ENOENT;
	soft_unexport(ctx, buf);
	cdma_buf_put(buf);
	return 0;
}

/* A copy of a context's mapping (fork, split, mremap): one more reference. */
static void cdma_buf_vm_open(struct vm_area_struct *vma)
{
	struct cdma_buf *buf = vma->vm_private_data;

	kref_get(&buf->ref);
}

static void cdma_buf_vm_close(struct vm_area_struct *vma)
{
	cdma_buf_put(vma->vm_private_data);
}

static vm_fault_t cdma_buf_vm_fault(struct vm_fault *vmf)
{
	struct cdma_buf *buf = vmf->vma->vm_private_data;

	return cdma_pages_fault(&buf->pg, vmf, buf->handle);
}

static const struct vm_operations_struct cdma_buf_vm_ops = {
	.open = cdma_buf_vm_open,
	.close = cdma_buf_vm_close,
	.fault = cdma_buf_vm_fault,
};

/**
 * cdma_buf_mmap() - map a buffer into a shared mapping of its context
 * @buf: the buffer
 * @vma: a VM_SHARED mapping of at most the buffer's size, being set up,
 *	at the page offset of the buffer's handle
 *
 * The mapping holds references on the pages it maps, and one on @buf
 * (memory-management calls may take pages out of the mapping: they come
 * back on the next access).
 *
 * Return: 0, -EINVAL for a private or too large mapping, or the error of
 * vm_insert_pages().
 */
int cdma_buf_mmap(struct cdma_buf *buf, struct vm_area_struct *vma)
{
	int ret = cdma_pages_mmap(&buf->pg, vma);

	if (ret)
		return ret;
	kref_get(&buf->ref);
	vma->vm_private_data = buf;
	vma->vm_ops = &cdma_buf_vm_ops;
	return 0;
}

/* The buffer file's mappings: its file holds the buffer. */
static vm_fault_t cdma_buf_file_fault(struct vm_fault *vmf)
{
	struct cdma_buf *buf = vmf->vma->vm_file->private_data;

	return cdma_pages_fault(&buf->pg, vmf, 0);
}

static const struct vm_operations_struct cdma_buf_file_vm_ops = {
	.fault = cdma_buf_file_fault,
};

static int cdma_buf_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct cdma_buf *buf = file->private_data;
	int ret = cdma_pages_mmap_range(&buf->pg, vma, vma->vm_pgoff);

	if (!ret)
		vma->vm_ops = &cdma_buf_file_vm_ops;
	return ret;
}

static int cdma_buf_file_release(struct inode *inode, struct file *file)
{
	cdma_buf_put(file->private_data);
	return 0;
}

static const struct file_operations cdma_buf_fops = {
	.owner = THIS_MODULE,
	.mmap = cdma_buf_file_mmap,
	.release = cdma_buf_file_release,
	.llseek = noop_llseek,
};

/**
 * soft_buf_file() - a file that maps a buffer
 * @ctx: context owning @handle
 * @handle: buffer handle
 *
 * mmap() of the file with MAP_SHARED maps the buffer's pages from the page
 * at the mmap offset; each mapping holds references on the pages it maps.
 * This is how a client puts an engine buffer into another address space
 * (the vDPA backend: into the VMM's guest RAM, in place).  The file holds
 * a buffer reference until its last user is gone.
 *
 * Return: the file, ERR_PTR(-ENOENT) for an unknown handle, or another
 * ERR_PTR.
 */
struct file *soft_buf_file(struct soft_ctx *ctx, u32 handle)
{
	struct cdma_buf *buf = cdma_buf_get(ctx, handle);
	struct file *file;

	if (!buf)
		return ERR_PTR(-ENOENT);
	file = anon_inode_getfile("[cdma_buf]", &cdma_buf_fops, buf, O_RDWR);
	if (IS_ERR(file))
		cdma_buf_put(buf);
	return file;
}
