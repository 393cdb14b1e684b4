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

static long cdma_ioctl_info(struct cdma_file *f, void __user *argp)
{
	struct cdma_info info;

	memset(&info, 0, sizeof(info));
	f->dev->ops->info(f->dev, &info);
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long cdma_ioctl_alloc(struct cdma_file *f, void __user *argp)
{
	const struct cdma_device_ops *ops = f->dev->ops;
	struct cdma_alloc a;
	int ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	ret = cdma_alloc_check(&a, f->dev->max_buffer_size);
	if (ret)
		return ret;
	ret = ops->alloc(f, a.size, &a.handle);
	if (ret)
		return ret;
	a.mmap_offset = (u64)a.handle << PAGE_SHIFT;
	if (copy_to_user(argp, &a, sizeof(a))) {
		ops->free(f, a.handle);
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
	return ret ?: f->dev->ops->free(f, a.handle);
}

static long cdma_ioctl_submit(struct cdma_file *f, void __user *argp)
{
	struct cdma_xfer x;
	int ret;

	if (copy_from_user(&x, argp, sizeof(x)))
		return -EFAULT;
	ret = cdma_xfer_check(&x);
	return ret ?: f->dev->ops->submit(f, &x);
}

static long cdma_ioctl_export(struct cdma_file *f, void __user *argp)
{
	const struct cdma_device_ops *ops = f->dev->ops;
	struct cdma_export e;
	int ret;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	ret = cdma_export_check(&e);
	if (ret)
		return ret;
	ret = ops->export(f, e.handle, e.access, &e.global_addr, &e.key);
	if (ret)
		return ret;
	if (copy_to_user(argp, &e, sizeof(e))) {
		ops->revoke(f, e.handle);
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
	return ret ?: f->dev->ops->revoke(f, r.handle);
}

static long cdma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct cdma_file *f = file->private_data;
	void __user *argp = (void __user *)arg;

	if (READ_ONCE(f->dev->dead))
		return -ENODEV;

	switch (cmd) {
	case CDMA_IOC_INFO:
		return cdma_ioctl_info(f, argp);
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
