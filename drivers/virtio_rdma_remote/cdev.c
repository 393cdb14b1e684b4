// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: the cDMA device, /dev/cdmaN, a provider of cdma_core.
 *
 * cdma_core owns the device node, its file operations and the uAPI checks
 * (Documentation/cdma-uapi.rst), the same as the native engine's device;
 * each open file is one session of the virtio device plus one completion
 * queue.  Once the device is removed every ioctl and mmap fails with
 * ENODEV; read() and poll() still return the records left, then ENODEV
 * and EPOLLHUP | EPOLLERR.
 */

#include <linux/mm.h>
#include <linux/module.h>

#include "vrr.h"

static struct cdma_file *vrr_open(struct cdma_device *cdev)
{
	/* cdma_core's open holds misc_mtx: remove() cannot have dropped it. */
	struct vrr_dev *dev = container_of(cdev, struct vrr_dev, cdev);
	struct vrr_file *f;

	f = vrr_file_open(dev);
	return IS_ERR(f) ? ERR_CAST(f) : &f->file;
}

static void vrr_release(struct cdma_file *f)
{
	vrr_file_close(to_vrr(f));
}

static void vrr_info(struct cdma_device *cdev, struct cdma_info *info)
{
	const struct vrr_dev *dev = container_of(cdev, struct vrr_dev, cdev);

	info->version = CDMA_UAPI_VERSION;
	info->node_id = dev->cfg.node_id;
	info->channels = dev->cfg.channels;
	info->caps = dev->caps;
	info->max_buffer_size = dev->cfg.max_buffer_size;
	info->max_buffers = dev->cfg.max_buffers;
	info->max_inflight = dev->cfg.max_inflight;
	info->page_size = PAGE_SIZE;
}

/* A copy of a mapping (fork, split, mremap): one more mapping. */
static void vrr_vm_open(struct vm_area_struct *vma)
{
	struct vrr_file *f = to_vrr(vma->vm_file->private_data);
	struct vrr_buf *buf = vma->vm_private_data;

	refcount_inc(&buf->ref);
	spin_lock(&f->lock);
	buf->maps++;
	spin_unlock(&f->lock);
}

static void vrr_vm_close(struct vm_area_struct *vma)
{
	vrr_buf_unmapped(to_vrr(vma->vm_file->private_data),
			 vma->vm_private_data);
}

/* An mm call took the page out (MADV_DONTNEED...): bring it back. */
static vm_fault_t vrr_vm_fault(struct vm_fault *vmf)
{
	struct vrr_buf *buf = vmf->vma->vm_private_data;

	return cdma_pages_fault(&buf->pg, vmf, buf->handle);
}

static const struct vm_operations_struct vrr_vm_ops = {
	.open = vrr_vm_open,
	.close = vrr_vm_close,
	.fault = vrr_vm_fault,
};

static int vrr_mmap(struct cdma_file *file, struct vm_area_struct *vma)
{
	struct vrr_file *f = to_vrr(file);
	struct vrr_buf *buf;
	int ret;

	buf = vrr_buf_get_mapping(f, vma->vm_pgoff);
	if (!buf)
		return -EINVAL;
	/*
	 * The mapping takes page references and holds the buffer: its FREE
	 * on the device waits for the last unmap (buffer.c).
	 */
	ret = cdma_pages_mmap(&buf->pg, vma);
	if (ret) {
		vrr_buf_unmapped(f, buf);
		return ret;
	}
	vma->vm_private_data = buf;
	vma->vm_ops = &vrr_vm_ops;
	return 0;
}

static const struct cdma_device_ops vrr_cdev_ops = {
	.open = vrr_open,
	.release = vrr_release,
	.info = vrr_info,
	.alloc = vrr_alloc,
	.free = vrr_free,
	.submit = vrr_submit,
	.export = vrr_export,
	.revoke = vrr_revoke,
	.mmap = vrr_mmap,
};

/**
 * vrr_cdev_register() - create the device's /dev/cdmaN
 * @dev: the device, its configuration read
 *
 * N is the lowest index free among every provider of the cDMA device.
 *
 * Return: 0 or a negative errno.
 */
int vrr_cdev_register(struct vrr_dev *dev)
{
	dev->cdev.ops = &vrr_cdev_ops;
	dev->cdev.owner = THIS_MODULE;
	dev->cdev.parent = &dev->vdev->dev;
	dev->cdev.max_buffer_size = dev->cfg.max_buffer_size;
	return cdma_device_register(&dev->cdev);
}
