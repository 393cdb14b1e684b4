// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: the cDMA character device, /dev/cdmaN.
 *
 * The same uAPI as the native engine's device (Documentation/cdma-uapi.rst),
 * with the same structure; each open file is one session of the virtio
 * device plus one completion queue.  Once the device is removed
 * every ioctl and mmap fails with ENODEV; read() and poll() still return
 * the records left, then ENODEV and EPOLLHUP | EPOLLERR.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "vrr.h"

static int vrr_open(struct inode *inode, struct file *file)
{
	/* misc_open() holds misc_mtx: remove() cannot have dropped @dev. */
	struct vrr_dev *dev = container_of(file->private_data,
					   struct vrr_dev, misc);
	struct vrr_file *f;

	if (READ_ONCE(dev->dead))
		return -ENODEV;
	f = vrr_file_open(dev);
	if (IS_ERR(f))
		return PTR_ERR(f);
	file->private_data = f;
	return 0;
}

static int vrr_release(struct inode *inode, struct file *file)
{
	vrr_file_close(file->private_data);
	return 0;
}

static void vrr_info(const struct vrr_dev *dev, struct cdma_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = CDMA_UAPI_VERSION;
	info->node_id = dev->cfg.node_id;
	info->channels = dev->cfg.channels;
	info->caps = dev->caps;
	info->max_buffer_size = dev->cfg.max_buffer_size;
	info->max_buffers = dev->cfg.max_buffers;
	info->max_inflight = dev->cfg.max_inflight;
	info->page_size = PAGE_SIZE;
}

static long vrr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vrr_file *f = file->private_data;
	void __user *argp = (void __user *)arg;
	struct cdma_info info;

	if (READ_ONCE(f->dev->dead))
		return -ENODEV;

	switch (cmd) {
	case CDMA_IOC_INFO:
		vrr_info(f->dev, &info);
		return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
	case CDMA_IOC_ALLOC:
		return vrr_ioctl_alloc(f, argp);
	case CDMA_IOC_FREE:
		return vrr_ioctl_free(f, argp);
	case CDMA_IOC_SUBMIT:
		return vrr_ioctl_submit(f, argp);
	case CDMA_IOC_WAIT:
		return cdma_cq_ioctl_wait(&f->cq, argp);
	case CDMA_IOC_SET_MODE:
		return cdma_cq_ioctl_set_mode(&f->cq, argp);
	case CDMA_IOC_EXPORT:
		return vrr_ioctl_export(f, argp);
	case CDMA_IOC_REVOKE:
		return vrr_ioctl_revoke(f, argp);
	default:
		return -ENOTTY;
	}
}

static ssize_t vrr_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct vrr_file *f = file->private_data;

	return cdma_cq_read(&f->cq, buf, count, file->f_flags & O_NONBLOCK);
}

static __poll_t vrr_poll(struct file *file, poll_table *wait)
{
	struct vrr_file *f = file->private_data;

	return cdma_cq_poll(&f->cq, file, wait);
}

/* A copy of a mapping (fork, split, mremap): one more mapping. */
static void vrr_vm_open(struct vm_area_struct *vma)
{
	struct vrr_file *f = vma->vm_file->private_data;
	struct vrr_buf *buf = vma->vm_private_data;

	refcount_inc(&buf->ref);
	spin_lock(&f->lock);
	buf->maps++;
	spin_unlock(&f->lock);
}

static void vrr_vm_close(struct vm_area_struct *vma)
{
	vrr_buf_unmapped(vma->vm_file->private_data, vma->vm_private_data);
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

static int vrr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vrr_file *f = file->private_data;
	struct vrr_buf *buf;
	int ret;

	if (READ_ONCE(f->dev->dead))
		return -ENODEV;
	if (vma->vm_pgoff > U32_MAX)
		return -EINVAL;
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

/* The owner keeps the module loaded while files are open. */
const struct file_operations vrr_fops = {
	.owner = THIS_MODULE,
	.open = vrr_open,
	.release = vrr_release,
	.unlocked_ioctl = vrr_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read = vrr_read,
	.poll = vrr_poll,
	.mmap = vrr_mmap,
	.llseek = noop_llseek,
};
