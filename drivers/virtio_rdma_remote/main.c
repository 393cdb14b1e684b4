// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: guest frontend of the virtio-rdma-remote device.
 *
 * Exposes the host's cDMA engine inside a virtual machine as /dev/cdmaN,
 * with the uAPI of the native device.  This file: module set-up, device
 * probe and removal, configuration.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include "vrr.h"

static unsigned int device_id = VIRTIO_RDMA_REMOTE_STOCK_VMM_ID;
module_param(device_id, uint, 0444);
MODULE_PARM_DESC(device_id, "virtio device ID to drive besides 63, the device's own (default 20, which stock QEMU presents)");

struct workqueue_struct *vrr_wq;

/*
 * The device's own ID, and the one a stock VMM presents it under (the
 * first entry is patched with the device_id parameter before
 * registration).  The module aliases of both: with the modprobe.d file
 * the package installs (tools/modprobe.d/), udev loads this driver, not
 * virtio_crypto, for an ID 20 device, and virtio_crypto after it.
 */
static struct virtio_device_id vrr_id_table[] = {
	{ VIRTIO_RDMA_REMOTE_STOCK_VMM_ID, VIRTIO_DEV_ANY_ID },
	{ VIRTIO_RDMA_REMOTE_DEFAULT_ID, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, vrr_id_table);

static unsigned int vrr_features[] = {
	VIRTIO_RDMA_REMOTE_F_GLOBAL,
	VIRTIO_RDMA_REMOTE_F_SUBMIT_END,
	VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED,
	VIRTIO_RDMA_REMOTE_F_IDENTITY,
};

static void vrr_dev_free(struct work_struct *work)
{
	struct vrr_dev *dev = container_of(work, struct vrr_dev, free_work);

	WARN_ON_ONCE(!xa_empty(&dev->xfers) || !xa_empty(&dev->sessions));
	xa_destroy(&dev->xfers);
	xa_destroy(&dev->sessions);
	kfree(dev->evts);
	put_device(&dev->vdev->dev);
	kfree(dev);
}

static void vrr_dev_release(struct kref *ref)
{
	struct vrr_dev *dev = container_of(ref, struct vrr_dev, ref);

	INIT_WORK(&dev->free_work, vrr_dev_free);
	queue_work(vrr_wq, &dev->free_work);
}

/**
 * vrr_dev_put() - drop a device reference
 * @dev: the device
 *
 * Context: any.
 */
void vrr_dev_put(struct vrr_dev *dev)
{
	kref_put(&dev->ref, vrr_dev_release);
}

/* Read and check the configuration: the device is not trusted. */
static int vrr_config_read(struct vrr_dev *dev)
{
	const u32 known = CDMA_CAP_ASYNC | CDMA_CAP_POLL_MODE |
			  CDMA_CAP_EVENTFD | CDMA_CAP_GLOBAL;
	struct virtio_rdma_remote_config c;
	struct vrr_config *cfg = &dev->cfg;
	u32 version;

	virtio_cread_bytes(dev->vdev, 0, &c, sizeof(c));
	version = le32_to_cpu(c.version);
	cfg->node_id = le32_to_cpu(c.node_id);
	cfg->channels = le32_to_cpu(c.channels);
	cfg->caps = le32_to_cpu(c.caps) & known;
	cfg->max_buffer_size = le64_to_cpu(c.max_buffer_size);
	cfg->max_buffers = le32_to_cpu(c.max_buffers);
	cfg->max_inflight = le32_to_cpu(c.max_inflight);
	cfg->max_sessions = le32_to_cpu(c.max_sessions);
	cfg->max_ranges = le32_to_cpu(c.max_ranges);

	if (version != CDMA_UAPI_VERSION) {
		dev_err(&dev->vdev->dev, "unsupported version %u\n", version);
		return -EINVAL;
	}
	if (cfg->node_id > U16_MAX ||
	    !cfg->channels || cfg->channels > VRR_MAX_CHANNELS ||
	    cfg->max_buffer_size < PAGE_SIZE ||
	    cfg->max_buffer_size > VRR_MAX_BUFFER_SIZE ||
	    !cfg->max_buffers || cfg->max_buffers > VRR_MAX_BUFFERS ||
	    !cfg->max_inflight || cfg->max_inflight > VRR_MAX_INFLIGHT ||
	    !cfg->max_sessions || cfg->max_sessions > VRR_MAX_SESSIONS ||
	    !cfg->max_ranges || cfg->max_ranges > VRR_MAX_RANGES) {
		dev_err(&dev->vdev->dev, "invalid configuration\n");
		return -EINVAL;
	}
	/* Sizes are rounded up to pages: the limit must be a page multiple. */
	cfg->max_buffer_size &= PAGE_MASK;

	dev->global = virtio_has_feature(dev->vdev,
					 VIRTIO_RDMA_REMOTE_F_GLOBAL);
	dev->submit_end = virtio_has_feature(dev->vdev,
					     VIRTIO_RDMA_REMOTE_F_SUBMIT_END);
	dev->alloc_zeroed = virtio_has_feature(dev->vdev,
					       VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED);
	dev->caps = cfg->caps | CDMA_CAP_VIRTUAL;
	if (!dev->global)
		dev->caps &= ~CDMA_CAP_GLOBAL;
	return 0;
}

/*
 * Before FEATURES_OK: a device offered under another type's ID (a stock
 * VMM's) without F_IDENTITY is a device of that type, left to its own
 * driver.  F_ALLOC_ZEROED is declined when this kernel's page allocator
 * clears every page anyway (init_on_alloc, on by default in Debian's
 * kernels): the device would clear them a second time.
 */
static int vrr_validate(struct virtio_device *vdev)
{
	if (vdev->id.device != VIRTIO_RDMA_REMOTE_DEFAULT_ID &&
	    !virtio_has_feature(vdev, VIRTIO_RDMA_REMOTE_F_IDENTITY)) {
		dev_info(&vdev->dev, "virtio ID %u without F_IDENTITY: not a virtio-rdma-remote device\n",
			 vdev->id.device);
		return -ENODEV;
	}
	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "device is not VIRTIO_F_VERSION_1\n");
		return -ENODEV;
	}
	if (!vdev->config->get) {
		dev_err(&vdev->dev, "device has no configuration space\n");
		return -EINVAL;
	}
	if (want_init_on_alloc(GFP_KERNEL))
		__virtio_clear_bit(vdev, VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED);
	return 0;
}

static int vrr_probe(struct virtio_device *vdev)
{
	struct vrr_dev *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->ref);
	/* Messages may name the device after remove(). */
	get_device(&vdev->dev);
	dev->vdev = vdev;
	init_waitqueue_head(&dev->req_wq);
	xa_init_flags(&dev->xfers, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_IRQ);
	xa_init(&dev->sessions);
	spin_lock_init(&dev->files_lock);
	INIT_LIST_HEAD(&dev->files);
	init_rwsem(&dev->dma_sem);
	spin_lock_init(&dev->bufs_lock);
	INIT_LIST_HEAD(&dev->mapped);
	INIT_LIST_HEAD(&dev->leaked);
	vdev->priv = dev;

	ret = vrr_config_read(dev);
	if (ret)
		goto err;
	ret = vrr_queues_init(dev);
	if (ret)
		goto err;
	/* NULL: the device uses guest physical addresses directly. */
	dev->dma_dev = virtqueue_dma_dev(dev->reqq.vq);

	virtio_device_ready(vdev);
	vrr_queues_start(dev);

	ret = vrr_cdev_register(dev);
	if (ret) {
		dev_err(&vdev->dev, "cannot register a cdma device: %d\n", ret);
		goto err_reset;
	}
	dev_info(&vdev->dev,
		 "/dev/%s: node %u, %u channels, caps %#x, %s addresses\n",
		 dev->cdev.name, dev->cfg.node_id, dev->cfg.channels, dev->caps,
		 dev->dma_dev ? "DMA" : "physical");
	return 0;

err_reset:
	WRITE_ONCE(dev->dead, true);
	virtio_reset_device(vdev);
	vrr_queues_kill(dev);
	vdev->config->del_vqs(vdev);
err:
	vdev->priv = NULL;
	vrr_dev_put(dev);
	return ret;
}

/*
 * End the completion queue of every file: sleepers and pollers wake up,
 * read() returns the records left then ENODEV, poll() EPOLLHUP | EPOLLERR.
 * A file opened meanwhile sees @dead itself (vrr_file_open()).
 */
static void vrr_shutdown_files(struct vrr_dev *dev)
{
	struct vrr_file *f;

	spin_lock(&dev->files_lock);
	list_for_each_entry(f, &dev->files, node)
		cdma_cq_shutdown(&f->file.cq);
	spin_unlock(&dev->files_lock);
}

static void vrr_remove(struct virtio_device *vdev)
{
	struct vrr_dev *dev = vdev->priv;

	WRITE_ONCE(dev->dead, true);
	cdma_device_kill(&dev->cdev);
	/* The device stops: no more guest memory access, no interrupt. */
	virtio_reset_device(vdev);
	vrr_queues_kill(dev);
	vrr_xfers_kill(dev);
	vrr_shutdown_files(dev);
	cdma_device_unregister(&dev->cdev);
	vrr_bufs_kill(dev);
	vdev->config->del_vqs(vdev);
	vdev->priv = NULL;
	vrr_dev_put(dev);
}

static struct virtio_driver vrr_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = vrr_id_table,
	.feature_table = vrr_features,
	.feature_table_size = ARRAY_SIZE(vrr_features),
	.validate = vrr_validate,
	.probe = vrr_probe,
	.remove = vrr_remove,
};

static int __init vrr_init(void)
{
	int ret;

	if (!device_id || device_id == VIRTIO_DEV_ANY_ID) {
		pr_err("invalid device_id %u\n", device_id);
		return -EINVAL;
	}
	vrr_id_table[0].device = device_id;

	vrr_wq = alloc_workqueue(KBUILD_MODNAME, 0, 0);
	if (!vrr_wq)
		return -ENOMEM;
	ret = register_virtio_driver(&vrr_driver);
	if (ret)
		destroy_workqueue(vrr_wq);
	return ret;
}

static void __exit vrr_exit(void)
{
	unregister_virtio_driver(&vrr_driver);
	/* Buffers and devices released in atomic context are freed here. */
	destroy_workqueue(vrr_wq);
}

module_init(vrr_init);
module_exit(vrr_exit);

MODULE_DESCRIPTION("virtio-rdma-remote guest driver: cDMA device of a host RDMA engine");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
