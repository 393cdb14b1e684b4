// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: the native cDMA character device, /dev/cdmaN.
 *
 * N is the lowest index free among every cDMA device provider (cdma_core),
 * so /dev/cdma0 when the engine loads first.  Each open file is one engine
 * context plus one completion queue.
 */

#include <linux/cdma_core.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cdma_soft.h"

/**
 * struct cdma_file - an open native device
 * @ctx: engine context: buffers, transfers
 * @cq: completions of asynchronous transfers
 */
struct cdma_file {
	struct cdma_ctx *ctx;
	struct cdma_cq cq;
};

/**
 * struct cdma_async - an asynchronous transfer in flight
 * @req: the engine request
 * @cq: queue of the file that submitted it
 * @entry: its completion queue entry
 */
struct cdma_async {
	struct cdma_req req;
	struct cdma_cq *cq;
	struct cdma_cq_entry *entry;
};

static int cdma_open(struct inode *inode, struct file *file)
{
	struct cdma_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->ctx = cdma_ctx_create(NULL);
	if (!f->ctx) {
		kfree(f);
		return -ENOMEM;
	}
	cdma_cq_init(&f->cq, cdma_max_inflight);
	file->private_data = f;
	return 0;
}

static int cdma_release(struct inode *inode, struct file *file)
{
	struct cdma_file *f = file->private_data;

	/* Cancels queued transfers, whose completions land in f->cq. */
	cdma_ctx_destroy(f->ctx);
	cdma_cq_destroy(&f->cq);
	kfree(f);
	return 0;
}

static void cdma_async_done(struct cdma_req *req)
{
	struct cdma_async *a = container_of(req, struct cdma_async, req);

	cdma_cq_complete(a->cq, a->entry, req->status, req->bytes);
	kfree(a);
}

static void cdma_sync_done(struct cdma_req *req)
{
	cdma_sync_complete(req->priv, req->status, req->bytes);
	kfree(req);
}

static int cdma_submit_async(struct cdma_file *f, const struct cdma_xfer *x)
{
	struct cdma_async *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->entry = cdma_cq_reserve(&f->cq, x->cookie);
	if (IS_ERR(a->entry)) {
		ret = PTR_ERR(a->entry);
		kfree(a);
		return ret;
	}
	a->cq = &f->cq;
	a->req.xfer = *x;
	a->req.done = cdma_async_done;
	ret = cdma_submit(f->ctx, &a->req);
	if (ret) {
		cdma_cq_unreserve(&f->cq, a->entry);
		kfree(a);
	}
	return ret;
}

static int cdma_submit_sync(struct cdma_file *f, const struct cdma_xfer *x)
{
	struct cdma_req *req;
	struct cdma_sync *s;
	int ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	s = cdma_sync_alloc();
	if (!req || !s) {
		kfree(req);
		kfree(s);
		return -ENOMEM;
	}
	req->xfer = *x;
	req->done = cdma_sync_done;
	req->priv = s;
	ret = cdma_submit(f->ctx, req);
	if (ret) {
		kfree(req);
		kfree(s);
		return ret;
	}
	return cdma_sync_wait(s, cdma_cq_polling(&f->cq));
}

static long cdma_ioctl_submit(struct cdma_file *f, void __user *argp)
{
	struct cdma_xfer x;
	int ret;

	if (copy_from_user(&x, argp, sizeof(x)))
		return -EFAULT;
	ret = cdma_xfer_check(&x);
	if (ret)
		return ret;
	if (x.flags & CDMA_XFER_F_ASYNC)
		return cdma_submit_async(f, &x);
	return cdma_submit_sync(f, &x);
}

static long cdma_ioctl_alloc(struct cdma_file *f, void __user *argp)
{
	struct cdma_alloc a;
	int ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	ret = cdma_alloc_check(&a, cdma_max_buffer_size);
	if (ret)
		return ret;
	ret = cdma_buf_alloc(f->ctx, a.size, &a.handle);
	if (ret)
		return ret;
	a.mmap_offset = (u64)a.handle << PAGE_SHIFT;
	if (copy_to_user(argp, &a, sizeof(a))) {
		cdma_buf_free(f->ctx, a.handle);
		return -EFAULT;
	}
	return 0;
}

static long cdma_ioctl_free(struct cdma_file *f, void __user *argp)
{
	struct cdma_free a;
	int ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	ret = cdma_free_check(&a);
	return ret ?: cdma_buf_free(f->ctx, a.handle);
}

static long cdma_ioctl_export(struct cdma_file *f, void __user *argp)
{
	struct cdma_export e;
	int ret;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	ret = cdma_export_check(&e);
	if (ret)
		return ret;
	ret = cdma_export(f->ctx, e.handle, e.access, &e.global_addr, &e.key);
	if (ret)
		return ret;
	if (copy_to_user(argp, &e, sizeof(e))) {
		cdma_revoke(f->ctx, e.handle);
		return -EFAULT;
	}
	return 0;
}

static long cdma_ioctl_revoke(struct cdma_file *f, void __user *argp)
{
	struct cdma_revoke r;
	int ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	ret = cdma_revoke_check(&r);
	return ret ?: cdma_revoke(f->ctx, r.handle);
}

static long cdma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct cdma_file *f = file->private_data;
	void __user *argp = (void __user *)arg;
	struct cdma_info info;

	switch (cmd) {
	case CDMA_IOC_INFO:
		cdma_engine_info(&info);
		return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
	case CDMA_IOC_ALLOC:
		return cdma_ioctl_alloc(f, argp);
	case CDMA_IOC_FREE:
		return cdma_ioctl_free(f, argp);
	case CDMA_IOC_SUBMIT:
		return cdma_ioctl_submit(f, argp);
	case CDMA_IOC_WAIT:
		return cdma_cq_ioctl_wait(&f->cq, argp);
	case CDMA_IOC_SET_MODE:
		return cdma_cq_ioctl_set_mode(&f->cq, argp);
	case CDMA_IOC_EXPORT:
		return cdma_ioctl_export(f, argp);
	case CDMA_IOC_REVOKE:
		return cdma_ioctl_revoke(f, argp);
	default:
		return -ENOTTY;
	}
}

static ssize_t cdma_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct cdma_file *f = file->private_data;

	return cdma_cq_read(&f->cq, buf, count, file->f_flags & O_NONBLOCK);
}

static __poll_t cdma_poll(struct file *file, poll_table *wait)
{
	struct cdma_file *f = file->private_data;

	return cdma_cq_poll(&f->cq, file, wait);
}

static int cdma_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct cdma_file *f = file->private_data;
	struct cdma_buf *buf;
	int ret;

	if (vma->vm_pgoff > U32_MAX)
		return -EINVAL;
	buf = cdma_buf_get(f->ctx, vma->vm_pgoff);
	if (!buf)
		return -EINVAL;
	ret = cdma_buf_mmap(buf, vma);
	cdma_buf_put(buf);
	return ret;
}

static const struct file_operations cdma_fops = {
	.owner = THIS_MODULE,
	.open = cdma_open,
	.release = cdma_release,
	.unlocked_ioctl = cdma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read = cdma_read,
	.poll = cdma_poll,
	.mmap = cdma_mmap,
	.llseek = noop_llseek,
};

static int cdma_index;

static struct miscdevice cdma_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.fops = &cdma_fops,
	.mode = 0660,
};

/**
 * cdma_cdev_init() - register the native device
 *
 * Return: 0 or a negative errno.
 */
int cdma_cdev_init(void)
{
	int ret;

	cdma_index = cdma_index_alloc(-1);
	if (cdma_index < 0)
		return cdma_index;
	cdma_misc.name = kasprintf(GFP_KERNEL, "cdma%d", cdma_index);
	if (!cdma_misc.name) {
		ret = -ENOMEM;
		goto err_index;
	}
	ret = misc_register(&cdma_misc);
	if (ret)
		goto err_name;
	return 0;

err_name:
	kfree(cdma_misc.name);
err_index:
	cdma_index_free(cdma_index);
	return ret;
}

/**
 * cdma_cdev_exit() - unregister the native device
 */
void cdma_cdev_exit(void)
{
	misc_deregister(&cdma_misc);
	kfree(cdma_misc.name);
	cdma_index_free(cdma_index);
}
