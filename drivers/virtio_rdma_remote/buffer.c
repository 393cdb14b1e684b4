// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: DMA buffers.
 *
 * A buffer is a set of guest pages in large physically contiguous runs
 * (cdma_core page sets), zeroed by the driver or, with
 * VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED, by the device's ALLOC.  Each run is
 * mapped for the device and the device is sent the runs' bus addresses in
 * an ALLOC request: the host engine then reads and writes these very pages
 * (zero-copy); the driver never copies data.  User space maps the pages
 * with mmap(); a mapping holds page references and a buffer reference, and
 * outlives the handle: FREE of a mapped buffer only retires the handle,
 * the device is told at the last unmap (with zero-copy in VA mode the host
 * then gives the guest range its own memory back, so it must not happen
 * under a mapping).
 *
 * The pages and their DMA mappings stay until no transfer uses the buffer
 * any more, and until the device has let go of them: when the device's
 * state is unknown (a request it did not answer), the buffer becomes an
 * orphan of its file and is freed after the session is closed; if even
 * the close fails, the pages are leaked until the device is reset.
 */

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>

#include "vrr.h"

static struct vrr_buf *vrr_buf_create(struct vrr_dev *dev, u64 size)
{
	struct vrr_buf *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	/* With F_ALLOC_ZEROED the device clears them, or replaces them. */
	ret = cdma_pages_alloc(&buf->pg, size >> PAGE_SHIFT,
			       !dev->alloc_zeroed);
	if (ret) {
		kfree(buf);
		return ERR_PTR(ret);
	}
	refcount_set(&buf->ref, 1);
	kref_get(&dev->ref);
	buf->dev = dev;
	buf->size = size;
	INIT_LIST_HEAD(&buf->node);
	INIT_LIST_HEAD(&buf->link);
	return buf;
}

static void vrr_buf_unmap_runs(struct device *dma_dev, struct vrr_buf *buf,
			       unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		dma_unmap_page(dma_dev, buf->dma[i],
			       buf->pg.segs[i].nr << PAGE_SHIFT,
			       DMA_BIDIRECTIONAL);
}

static int vrr_buf_map_runs(struct vrr_dev *dev, struct vrr_buf *buf)
{
	struct device *dma_dev = dev->dma_dev;
	unsigned long i;
	int ret = 0;

	buf->dma = kvcalloc(buf->pg.nsegs, sizeof(*buf->dma),
			    GFP_KERNEL_ACCOUNT);
	if (!buf->dma)
		return -ENOMEM;
	for (i = 0; i < buf->pg.nsegs; i++) {
		buf->dma[i] = dma_map_page(dma_dev, buf->pg.segs[i].page, 0,
					   buf->pg.segs[i].nr << PAGE_SHIFT,
					   DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dma_dev, buf->dma[i])) {
			ret = -ENOMEM;
			break;
		}
		/*
		 * User space and the device share the pages with no sync
		 * point in between: bounce buffering cannot work.
		 */
		if (dma_need_sync(dma_dev, buf->dma[i])) {
			dev_warn_once(&dev->vdev->dev,
				      "DMA needs bounce buffers or syncs; zero-copy buffers impossible\n");
			i++;
			ret = -EIO;
			break;
		}
	}
	if (ret) {
		vrr_buf_unmap_runs(dma_dev, buf, i);
		kvfree(buf->dma);
		buf->dma = NULL;
	}
	return ret;
}

/* Map the buffer for the device unless it is being removed. */
static int vrr_buf_map(struct vrr_dev *dev, struct vrr_buf *buf)
{
	int ret = 0;

	down_read(&dev->dma_sem);
	if (READ_ONCE(dev->dead)) {
		ret = -ENODEV;
	} else if (dev->dma_dev) {
		ret = vrr_buf_map_runs(dev, buf);
		if (!ret) {
			spin_lock(&dev->bufs_lock);
			buf->mapped = true;
			list_add(&buf->node, &dev->mapped);
			spin_unlock(&dev->bufs_lock);
		}
	}
	up_read(&dev->dma_sem);
	return ret;
}

static void vrr_buf_destroy(struct vrr_buf *buf)
{
	struct vrr_dev *dev = buf->dev;
	bool mapped;

	spin_lock(&dev->bufs_lock);
	if (buf->leak && !READ_ONCE(dev->dead)) {
		/* vrr_bufs_kill() frees it once the device is reset. */
		list_add(&buf->link, &dev->leaked);
		spin_unlock(&dev->bufs_lock);
		return;
	}
	spin_unlock(&dev->bufs_lock);

	/* Mapped means remove() has not unmapped it: dma_dev is valid. */
	down_read(&dev->dma_sem);
	spin_lock(&dev->bufs_lock);
	mapped = buf->mapped;
	if (mapped) {
		list_del_init(&buf->node);
		buf->mapped = false;
	}
	spin_unlock(&dev->bufs_lock);
	if (mapped)
		vrr_buf_unmap_runs(dev->dma_dev, buf, buf->pg.nsegs);
	up_read(&dev->dma_sem);

	cdma_pages_free(&buf->pg);
	kvfree(buf->dma);
	kfree(buf);
	vrr_dev_put(dev);
}

static void vrr_buf_destroy_work(struct work_struct *work)
{
	vrr_buf_destroy(container_of(work, struct vrr_buf, work));
}

/**
 * vrr_buf_put() - drop a buffer reference
 * @buf: the buffer
 *
 * Context: process; may sleep.
 */
void vrr_buf_put(struct vrr_buf *buf)
{
	if (refcount_dec_and_test(&buf->ref))
		vrr_buf_destroy(buf);
}

/**
 * vrr_buf_put_deferred() - drop a buffer reference in any context
 * @buf: the buffer
 *
 * The buffer is freed from a workqueue if this was the last reference.
 */
void vrr_buf_put_deferred(struct vrr_buf *buf)
{
	if (refcount_dec_and_test(&buf->ref)) {
		INIT_WORK(&buf->work, vrr_buf_destroy_work);
		queue_work(vrr_wq, &buf->work);
	}
}

/**
 * vrr_buf_get() - look a handle up and take a buffer reference
 * @f: the file owning the handle
 * @handle: local buffer handle
 *
 * Return: the buffer, or NULL for an unknown handle.
 */
struct vrr_buf *vrr_buf_get(struct vrr_file *f, u32 handle)
{
	struct vrr_buf *buf;

	xa_lock(&f->bufs);
	buf = xa_load(&f->bufs, handle);
	if (buf)
		refcount_inc(&buf->ref);
	xa_unlock(&f->bufs);
	return buf;
}

/**
 * vrr_buf_orphan() - keep a buffer until the session is closed
 * @f: the file
 * @buf: the buffer, with the reference that the orphan list takes over
 */
void vrr_buf_orphan(struct vrr_file *f, struct vrr_buf *buf)
{
	spin_lock(&f->lock);
	list_add(&buf->link, &f->orphans);
	spin_unlock(&f->lock);
}

/* Bus address of run @i of the buffer. */
static u64 vrr_buf_run_addr(const struct vrr_buf *buf, unsigned long i)
{
	if (buf->dma)
		return buf->dma[i];
	return page_to_phys(buf->pg.segs[i].page);
}

/* Walk the runs merging those contiguous for the device; fill @r if set. */
static unsigned long vrr_buf_walk(const struct vrr_buf *buf,
				  struct virtio_rdma_remote_range *r)
{
	unsigned long i, n = 0;
	u64 addr, len, end = 0;

	for (i = 0; i < buf->pg.nsegs; i++) {
		addr = vrr_buf_run_addr(buf, i);
		len = (u64)buf->pg.segs[i].nr << PAGE_SHIFT;
		if (n && addr == end) {
			if (r)
				le64_add_cpu(&r[n - 1].len, len);
		} else {
			if (r) {
				r[n].addr = cpu_to_le64(addr);
				r[n].len = cpu_to_le64(len);
			}
			n++;
		}
		end = addr + len;
	}
	return n;
}

/* Build the ALLOC request of a mapped buffer. */
static struct vrr_req *vrr_buf_alloc_req(struct vrr_file *f,
					 struct vrr_buf *buf)
{
	struct vrr_dev *dev = f->dev;
	struct vrr_req *req;
	unsigned long i, n;

	for (i = 0; i < buf->pg.nsegs; i++)
		if (!IS_ALIGNED(vrr_buf_run_addr(buf, i), VRR_RANGE_ALIGN))
			return ERR_PTR(-EIO);
	n = vrr_buf_walk(buf, NULL);
	if (n > dev->cfg.max_ranges)
		return ERR_PTR(-ENOMEM);

	req = vrr_req_alloc(VIRTIO_RDMA_REMOTE_OP_ALLOC, f->session,
			    sizeof(req->out.body.alloc));
	if (!req)
		return ERR_PTR(-ENOMEM);
	/* Device-readable: must be DMA-able memory, not vmalloc. */
	req->ranges = kmalloc_array(n, sizeof(*req->ranges),
				    GFP_KERNEL | __GFP_NOWARN);
	if (!req->ranges) {
		vrr_req_put(req);
		return ERR_PTR(-ENOMEM);
	}
	req->nr_ranges = vrr_buf_walk(buf, req->ranges);
	req->out.body.alloc.size = cpu_to_le64(buf->size);
	req->out.body.alloc.nr_ranges = cpu_to_le32(req->nr_ranges);
	return req;
}

/*
 * Have the device allocate its side of the buffer.  Return: 0, or an
 * errno with *@unknown set when the device may have allocated it anyway.
 */
static int vrr_buf_register(struct vrr_file *f, struct vrr_buf *buf,
			    bool *unknown)
{
	enum vrr_outcome outcome;
	struct vrr_req *req;
	u32 id;
	int ret;

	*unknown = false;
	req = vrr_buf_alloc_req(f, buf);
	if (IS_ERR(req))
		return PTR_ERR(req);
	ret = vrr_request(f->dev, req, VRR_WAIT_KILLABLE, &outcome);
	id = ret ? 0 : le32_to_cpu(req->resp.id);
	vrr_req_put(req);

	if (outcome == VRR_REQ_UNKNOWN)
		*unknown = true;
	if (ret)
		return ret;
	if (!id) {
		dev_warn_ratelimited(&f->dev->vdev->dev,
				     "device gave buffer handle 0\n");
		*unknown = true;
		return -EIO;
	}
	buf->dev_handle = id;
	return 0;
}

/* FREE on the device.  Return: 0 or an errno; *@safe: pages may go. */
static int vrr_buf_unregister(struct vrr_file *f, struct vrr_buf *buf,
			      bool *safe)
{
	enum vrr_outcome outcome;
	struct vrr_req *req;
	int ret;

	*safe = false;
	req = vrr_req_alloc(VIRTIO_RDMA_REMOTE_OP_FREE, f->session,
			    sizeof(req->out.body.handle));
	if (!req)
		return -ENOMEM;
	req->out.body.handle.handle = cpu_to_le32(buf->dev_handle);
	ret = vrr_request(f->dev, req, VRR_WAIT_KILLABLE, &outcome);
	vrr_req_put(req);
	/* Freed, or the device was reset: it no longer uses the pages. */
	*safe = !ret || ret == -ENODEV;
	return ret;
}

/*
 * FREE on the device for a buffer out of the handle table, then drop the
 * table's reference, or keep the buffer as an orphan when the device may
 * still hold it.  Return: 0 or the errno of the request.
 */
static int vrr_buf_retire(struct vrr_file *f, struct vrr_buf *buf)
{
	bool safe;
	int ret;

	ret = vrr_buf_unregister(f, buf, &safe);
	if (safe)
		vrr_buf_put(buf);
	else
		vrr_buf_orphan(f, buf);
	return ret;
}

/*
 * Remove a handle; free the buffer on the device (FREE) now, or at the
 * last unmap when it is mapped (vrr_buf_unmapped()): then revoke its
 * export now, as FREE does.
 */
static int vrr_buf_free_handle(struct vrr_file *f, u32 handle)
{
	struct vrr_buf *buf;
	bool mapped;
	int ret;

	ret = down_write_killable(&f->handles);
	if (ret)
		return ret;
	xa_lock(&f->bufs);
	buf = xa_load(&f->bufs, handle);
	if (buf)
		__xa_erase(&f->bufs, handle);
	xa_unlock(&f->bufs);
	if (!buf) {
		up_write(&f->handles);
		return -ENOENT;
	}
	/* A mapping counted under the xa_lock is seen here. */
	spin_lock(&f->lock);
	mapped = buf->maps;
	buf->freed = mapped;
	spin_unlock(&f->lock);
	ret = mapped ? vrr_buf_unexport(f, buf) : vrr_buf_retire(f, buf);
	up_write(&f->handles);
	return ret;
}

/**
 * vrr_buf_get_mapping() - look a handle up for a new user mapping
 * @f: the file owning the handle
 * @handle: local buffer handle
 *
 * Takes a buffer reference and counts a mapping, both the mapping's until
 * vrr_buf_unmapped().
 *
 * Return: the buffer, or NULL for an unknown handle.
 */
struct vrr_buf *vrr_buf_get_mapping(struct vrr_file *f, u32 handle)
{
	struct vrr_buf *buf;

	xa_lock(&f->bufs);
	buf = xa_load(&f->bufs, handle);
	if (buf) {
		refcount_inc(&buf->ref);
		spin_lock(&f->lock);
		buf->maps++;
		spin_unlock(&f->lock);
	}
	xa_unlock(&f->bufs);
	return buf;
}

/**
 * vrr_buf_unmapped() - a user mapping of a buffer is gone
 * @f: the file owning the buffer
 * @buf: the buffer
 *
 * The last mapping of a buffer whose handle was freed sends the deferred
 * FREE (without &vrr_file.handles: no request can name the buffer any
 * more).  Drops the mapping's reference.
 *
 * Context: process; may sleep (the mmap lock may be held).
 */
void vrr_buf_unmapped(struct vrr_file *f, struct vrr_buf *buf)
{
	bool retire;

	spin_lock(&f->lock);
	retire = !--buf->maps && buf->freed;
	spin_unlock(&f->lock);
	if (retire)
		vrr_buf_retire(f, buf);
	vrr_buf_put(buf);
}

/**
 * vrr_alloc() - CDMA_IOC_ALLOC (&cdma_device_ops.alloc)
 * @file: the file
 * @size: bytes (checked by cdma_core)
 * @handlep: out: the buffer's handle
 *
 * Return: 0 or the errno of Documentation/cdma-uapi.rst.
 */
int vrr_alloc(struct cdma_file *file, u64 size, u32 *handlep)
{
	struct vrr_file *f = to_vrr(file);
	struct vrr_dev *dev = f->dev;
	struct vrr_buf *buf;
	bool unknown;
	u32 handle;
	int ret;

	ret = vrr_file_session(f);
	if (ret)
		return ret;

	/* Reserve the handle first: a full file must not allocate. */
	ret = xa_alloc(&f->bufs, &handle, NULL,
		       XA_LIMIT(1, dev->cfg.max_buffers), GFP_KERNEL);
	if (ret)
		return ret == -EBUSY ? -ENOSPC : ret;

	buf = vrr_buf_create(dev, PAGE_ALIGN(size));
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		goto err_handle;
	}
	ret = vrr_buf_map(dev, buf);
	if (ret)
		goto err_buf;
	ret = vrr_buf_register(f, buf, &unknown);
	if (ret) {
		if (!unknown)
			goto err_buf;
		vrr_buf_orphan(f, buf);
		goto err_handle;
	}

	buf->handle = handle;
	xa_store(&f->bufs, handle, buf, GFP_KERNEL);
	*handlep = handle;
	return 0;

err_buf:
	vrr_buf_put(buf);
err_handle:
	xa_erase(&f->bufs, handle);
	return ret;
}

/**
 * vrr_free() - CDMA_IOC_FREE (&cdma_device_ops.free)
 * @file: the file
 * @handle: the buffer's handle
 *
 * The handle is gone even when the device fails the request; the pages
 * then stay allocated until the session is closed.
 *
 * Return: 0, -ENOENT or the device's error.
 */
int vrr_free(struct cdma_file *file, u32 handle)
{
	return vrr_buf_free_handle(to_vrr(file), handle);
}

/**
 * vrr_bufs_release() - release every buffer of a closed session
 * @f: the file
 * @leak: the device did not confirm the close: keep the pages
 */
void vrr_bufs_release(struct vrr_file *f, bool leak)
{
	struct vrr_buf *buf, *tmp;
	unsigned long handle;
	LIST_HEAD(orphans);

	xa_for_each(&f->bufs, handle, buf) {
		xa_erase(&f->bufs, handle);
		buf->leak |= leak;
		vrr_buf_put(buf);
	}
	spin_lock(&f->lock);
	list_splice_init(&f->orphans, &orphans);
	spin_unlock(&f->lock);
	list_for_each_entry_safe(buf, tmp, &orphans, link) {
		list_del_init(&buf->link);
		buf->leak |= leak;
		vrr_buf_put(buf);
	}
}

/**
 * vrr_bufs_kill() - unmap every buffer of a removed device
 * @dev: the device, dead and reset
 *
 * Buffers stay allocated for their files and mappings; later releases
 * only free the pages.  Leaked buffers are freed now.
 */
void vrr_bufs_kill(struct vrr_dev *dev)
{
	struct vrr_buf *buf, *tmp;
	LIST_HEAD(list);

	/* Waits for mappers and unmappers, who saw the device alive. */
	down_write(&dev->dma_sem);
	spin_lock(&dev->bufs_lock);
	list_splice_init(&dev->mapped, &list);
	list_for_each_entry(buf, &list, node)
		buf->mapped = false;
	spin_unlock(&dev->bufs_lock);
	list_for_each_entry_safe(buf, tmp, &list, node) {
		list_del_init(&buf->node);
		vrr_buf_unmap_runs(dev->dma_dev, buf, buf->pg.nsegs);
	}
	up_write(&dev->dma_sem);

	spin_lock(&dev->bufs_lock);
	list_splice_init(&dev->leaked, &list);
	spin_unlock(&dev->bufs_lock);
	list_for_each_entry_safe(buf, tmp, &list, link) {
		list_del_init(&buf->link);
		buf->leak = false;
		vrr_buf_destroy(buf);
	}
}
