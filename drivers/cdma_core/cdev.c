// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: the cDMA character device, /dev/cdmaN, of every provider.
 *
 * The file operations, the ioctl switch and every copy-in check of the uAPI
 * (Documentation/cdma-uapi.rst) live here once; a provider (the native
 * engine's device, a guest frontend) registers a &struct cdma_device and
 * serves checked requests through its &struct cdma_device_ops.  So the
 * native and the guest device behave the same by construction.
 */

#include <linux/cdma_core.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>

/* N of the /dev/cdmaN names of every provider. */
static DEFINE_IDA(cdma_index_ida);

static int cdma_open(struct inode *inode, struct file *file)
{
	/* misc_open() holds misc_mtx: the device is still registered. */
	struct cdma_device *dev = container_of(file->private_data,
					       struct cdma_device, misc);
	struct cdma_file *f;

	if (READ_ONCE(dev->dead))
		return -ENODEV;
	/* The provider's code serves the file: keep its module loaded. */
	if (!try_module_get(dev->owner))
		return -ENODEV;
	f = dev->ops->open(dev);
	if (IS_ERR(f)) {
		module_put(dev->owner);
		return PTR_ERR(f);
	}
	f->dev = dev;
	file->private_data = f;
	return 0;
}

static int cdma_release(struct inode *inode, struct file *file)
{
	struct cdma_file *f = file->private_data;
	struct module *owner = f->dev->owner;

	/* May free @f and, after a removal, the device. */
	f->dev->ops->release(f);
	module_put(owner);
	return 0;
}

static int cdma_run_info(struct cdma_file *f, void *arg)
{
	f->dev->ops->info(f->dev, arg);
	return 0;
}

static int cdma_run_alloc(struct cdma_file *f, void *arg)
{
	struct cdma_alloc *a = arg;
	int ret;

	ret = cdma_alloc_check(a, f->dev->max_buffer_size);
	if (ret)
		return ret;
	ret = f->dev->ops->alloc(f, a->size, &a->handle);
	a->mmap_offset = (u64)a->handle << PAGE_SHIFT;
	return ret;
}

static void cdma_undo_alloc(struct cdma_file *f, void *arg)
{
	const struct cdma_alloc *a = arg;

	f->dev->ops->free(f, a->handle);
}

static int cdma_run_free(struct cdma_file *f, void *arg)
{
	const struct cdma_free *a = arg;

	return cdma_free_check(a) ?: f->dev->ops->free(f, a->handle);
}

static int cdma_run_submit(struct cdma_file *f, void *arg)
{
	return cdma_xfer_check(arg) ?: f->dev->ops->submit(f, arg);
}

static int cdma_run_wait(struct cdma_file *f, void *arg)
{
	struct cdma_wait *w = arg;

	return cdma_cq_wait(&f->cq, w->cookie, w->timeout_ns, &w->completion);
}

static int cdma_run_set_mode(struct cdma_file *f, void *arg)
{
	return cdma_mode_check(arg) ?: cdma_cq_set_mode(&f->cq, arg);
}

static int cdma_run_export(struct cdma_file *f, void *arg)
{
	struct cdma_export *e = arg;

	return cdma_export_check(e) ?:
	       f->dev->ops->export(f, e->handle, e->access, &e->global_addr,
				   &e->key);
}

static void cdma_undo_export(struct cdma_file *f, void *arg)
{
	const struct cdma_export *e = arg;

	f->dev->ops->revoke(f, e->handle);
}

static int cdma_run_revoke(struct cdma_file *f, void *arg)
{
	const struct cdma_revoke *r = arg;

	return cdma_revoke_check(r) ?: f->dev->ops->revoke(f, r->handle);
}

/**
 * struct cdma_ioctl_desc - one ioctl of the device, as drm_ioctl() has them
 * @cmd: the command; _IOC_SIZE() is its argument's size, and _IOC_DIR()
 *	says whether the argument is read in (_IOC_WRITE) and written back
 *	(_IOC_READ): cdma_ioctl() does both
 * @run: check the argument and serve it
 * @undo: withdraw what @run did, when its result cannot be written back;
 *	%NULL where nothing needs to (nothing written back) or nothing can
 *	be withdrawn (a consumed completion): an argument read and written
 *	back (_IOWR) is then first checked to be writable, so that no
 *	result is lost to a bad pointer
 */
struct cdma_ioctl_desc {
	unsigned int cmd;
	int (*run)(struct cdma_file *f, void *arg);
	void (*undo)(struct cdma_file *f, void *arg);
};

static const struct cdma_ioctl_desc cdma_ioctls[] = {
	{ CDMA_IOC_INFO, cdma_run_info, NULL },
	{ CDMA_IOC_ALLOC, cdma_run_alloc, cdma_undo_alloc },
	{ CDMA_IOC_FREE, cdma_run_free, NULL },
	{ CDMA_IOC_SUBMIT, cdma_run_submit, NULL },
	{ CDMA_IOC_WAIT, cdma_run_wait, NULL },
	{ CDMA_IOC_SET_MODE, cdma_run_set_mode, NULL },
	{ CDMA_IOC_EXPORT, cdma_run_export, cdma_undo_export },
	{ CDMA_IOC_REVOKE, cdma_run_revoke, NULL },
};

/* Large enough for the argument of every command of cdma_ioctls[]. */
union cdma_ioctl_arg {
	struct cdma_info info;
	struct cdma_alloc alloc;
	struct cdma_free free;
	struct cdma_xfer xfer;
	struct cdma_wait wait;
	struct cdma_mode mode;
	struct cdma_export export;
	struct cdma_revoke revoke;
};

static long cdma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct cdma_file *f = file->private_data;
	void __user *argp = (void __user *)arg;
	const struct cdma_ioctl_desc *d = cdma_ioctls;
	union cdma_ioctl_arg a;
	size_t size = _IOC_SIZE(cmd);
	bool out = _IOC_DIR(cmd) & _IOC_READ;
	int ret;

	if (READ_ONCE(f->dev->dead))
		return -ENODEV;
	while (d->cmd != cmd)
		if (++d == cdma_ioctls + ARRAY_SIZE(cdma_ioctls))
			return -ENOTTY;

	if (!(_IOC_DIR(cmd) & _IOC_WRITE))
		memset(&a, 0, size);
	else if (copy_from_user(&a, argp, size))
		return -EFAULT;
	if (out && !d->undo && (_IOC_DIR(cmd) & _IOC_WRITE) &&
	    copy_to_user(argp, &a, size))
		return -EFAULT;
	ret = d->run(f, &a);
	if (ret || !out)
		return ret;
	if (copy_to_user(argp, &a, size)) {
		if (d->undo)
			d->undo(f, &a);
		return -EFAULT;
	}
	return 0;
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

	if (READ_ONCE(f->dev->dead))
		return -ENODEV;
	/* The offset is a buffer handle (CDMA_IOC_ALLOC's mmap_offset). */
	if (vma->vm_pgoff > U32_MAX)
		return -EINVAL;
	return f->dev->ops->mmap(f, vma);
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

/**
 * cdma_device_register() - create the device node of a provider
 * @dev: the device: @ops, @owner, @max_buffer_size and @parent set
 *
 * The node is /dev/cdmaN, N the lowest index free among every provider's
 * devices, so that names never collide.  Files may be opened as soon as
 * this returns.
 *
 * Return: 0 or a negative errno.
 */
int cdma_device_register(struct cdma_device *dev)
{
	int ret;

	dev->dead = false;
	dev->index = ida_alloc(&cdma_index_ida, GFP_KERNEL);
	if (dev->index < 0)
		return dev->index;
	snprintf(dev->name, sizeof(dev->name), "cdma%d", dev->index);
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->name;
	dev->misc.fops = &cdma_fops;
	dev->misc.parent = dev->parent;
	dev->misc.mode = 0660;
	ret = misc_register(&dev->misc);
	if (ret) {
		ida_free(&cdma_index_ida, dev->index);
		dev->index = -1;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(cdma_device_register);

/**
 * cdma_device_kill() - fail every further call on the device's files
 * @dev: a registered device
 *
 * From now on open(), every ioctl and mmap() fail with -ENODEV; read()
 * and poll() go on with what the files' completion queues hold (the
 * provider ends them with cdma_cq_shutdown()).  The node stays until
 * cdma_device_unregister().
 */
void cdma_device_kill(struct cdma_device *dev)
{
	WRITE_ONCE(dev->dead, true);
}
EXPORT_SYMBOL_GPL(cdma_device_kill);

/**
 * cdma_device_unregister() - remove the device node of a provider
 * @dev: a registered device
 *
 * Files still open keep calling the provider's operations (each open file
 * holds the provider's module); kill the device first where the provider
 * can no longer serve them.
 */
void cdma_device_unregister(struct cdma_device *dev)
{
	misc_deregister(&dev->misc);
	ida_free(&cdma_index_ida, dev->index);
	dev->index = -1;
}
EXPORT_SYMBOL_GPL(cdma_device_unregister);
