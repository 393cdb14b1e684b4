// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_rdma: the RDMA devices (an ib_client).
 *
 * Keeps the list of RDMA devices for debugfs, and tears down the
 * connections on a device being removed (rdma link delete, rmmod
 * rdma_rxe, a NIC unplugged) before rdma_cm removes it: the client
 * registered after rdma_cm's is removed first.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "cdma_rdma.h"

/**
 * struct cdma_rdma_dev - an RDMA device this node may use
 * @link: in cdma_rdma_devs
 * @ibdev: the device
 */
struct cdma_rdma_dev {
	struct list_head link;
	struct ib_device *ibdev;
};

static LIST_HEAD(cdma_rdma_devs);
static DEFINE_MUTEX(cdma_rdma_devs_lock);	/* protects cdma_rdma_devs */

static struct ib_client cdma_rdma_client;

static int cdma_rdma_add_one(struct ib_device *ibdev)
{
	struct cdma_rdma_dev *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (!dev)
		return -ENOMEM;
	dev->ibdev = ibdev;
	mutex_lock(&cdma_rdma_devs_lock);
	list_add_tail(&dev->link, &cdma_rdma_devs);
	mutex_unlock(&cdma_rdma_devs_lock);
	ib_set_client_data(ibdev, &cdma_rdma_client, dev);
	pr_debug("RDMA device %s\n", dev_name(&ibdev->dev));
	return 0;
}

static void cdma_rdma_remove_one(struct ib_device *ibdev, void *client_data)
{
	struct cdma_rdma_dev *dev = client_data;

	cdma_rdma_conns_close(ibdev);
	mutex_lock(&cdma_rdma_devs_lock);
	list_del(&dev->link);
	mutex_unlock(&cdma_rdma_devs_lock);
	kfree(dev);
}

static struct ib_client cdma_rdma_client = {
	.name = "cdma_rdma",
	.add = cdma_rdma_add_one,
	.remove = cdma_rdma_remove_one,
};

/**
 * cdma_rdma_devices_init() - register the ib_client
 *
 * Its add() runs for every device present, and for those added later.
 *
 * Return: 0 or a negative errno.
 */
int cdma_rdma_devices_init(void)
{
	return ib_register_client(&cdma_rdma_client);
}

/**
 * cdma_rdma_devices_exit() - unregister the ib_client
 */
void cdma_rdma_devices_exit(void)
{
	ib_unregister_client(&cdma_rdma_client);
}

/**
 * cdma_rdma_devices_show() - list the devices (debugfs)
 * @m: where to; one line each, "device NAME"
 */
void cdma_rdma_devices_show(struct seq_file *m)
{
	struct cdma_rdma_dev *dev;

	mutex_lock(&cdma_rdma_devs_lock);
	list_for_each_entry(dev, &cdma_rdma_devs, link)
		seq_printf(m, "device %s\n", dev_name(&dev->ibdev->dev));
	mutex_unlock(&cdma_rdma_devs_lock);
}
