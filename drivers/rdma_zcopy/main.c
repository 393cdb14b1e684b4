// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: module set-up, the vDPA management device and the life of a
 * device: creation, the worker that processes its queues, and release.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/virtio_config.h>

#include "rdma_zcopy.h"

/* Upper bounds of the module parameters */
#define RZ_MAX_SESSIONS		65536
#define RZ_MAX_RANGES		65536

static unsigned int device_id = VIRTIO_RDMA_REMOTE_STOCK_VMM_ID;
module_param(device_id, uint, 0444);
MODULE_PARM_DESC(device_id, "Virtio device ID offered, 1..65535 (default 20, which stock QEMU presents; 63 is the device's own)");

static unsigned int max_sessions = 64;
module_param(max_sessions, uint, 0444);
MODULE_PARM_DESC(max_sessions, "Sessions per device, 1..65536 (default 64)");

static unsigned int max_ranges = 4096;
module_param(max_ranges, uint, 0444);
MODULE_PARM_DESC(max_ranges, "Ranges in one ALLOC request, 1..65536 (default 4096)");

/*
 * Each swapped piece of guest RAM is a mapping (VMA) of the VMM: bound
 * them well below vm.max_map_count (65530), leaving QEMU its own.
 */
static unsigned int max_pieces = 16384;
module_param(max_pieces, uint, 0444);
MODULE_PARM_DESC(max_pieces, "Guest RAM pieces swapped into one VMM at a time (each a mapping of the VMM), 1..65536 (default 16384)");

/*
 * A guest behind a virtual IOMMU maps its buffers, and each request, one
 * IOTLB entry at a time: vhost_vdpa's own limit (its max_iotlb_entries,
 * 2048 by default) must be raised too.
 */
static unsigned int max_iotlb_entries = 65536;
module_param(max_iotlb_entries, uint, 0444);
MODULE_PARM_DESC(max_iotlb_entries, "IOTLB entries per device, 16..1048576 (default 65536; a guest with a vIOMMU has one per mapping)");

/* Read by iotlb.c and stats.c. */
bool rz_payload_stats;
module_param_named(payload_stats, rz_payload_stats, bool, 0444);
MODULE_PARM_DESC(payload_stats, "Count the buffer bytes the backend copies itself, debugfs payload_copied_bytes (a lookup per guest memory access: for tests; default N)");

static char *engine;
module_param(engine, charp, 0444);
MODULE_PARM_DESC(engine, "Name of the cDMA engine serving the devices (default: the first one registered)");

/* The engine, held from module load to unload (cdma_engine_get()). */
static struct cdma_engine *rz_engine;

static unsigned int max_buffers;
module_param(max_buffers, uint, 0444);
MODULE_PARM_DESC(max_buffers, "Buffers per session; 0 or above the engine's: the engine's (default 0)");

static unsigned int max_inflight;
module_param(max_inflight, uint, 0444);
MODULE_PARM_DESC(max_inflight, "Transfers in flight per session; 0 or above the engine's: the engine's (default 0)");

/**
 * rz_free() - release a device's resources (&vdpa_config_ops.free)
 * @vdpa: the device, unregistered and without driver
 *
 * Also called for a device whose creation failed half way: every field it
 * looks at is valid from the moment the device is allocated.
 */
void rz_free(struct vdpa_device *vdpa)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	mutex_lock(&rz->lock);
	/* Cancels and waits for every transfer: no engine callback after. */
	rz_device_reset(rz);
	if (rz->mm) {
		mmdrop(rz->mm);
		rz->mm = NULL;
	}
	mutex_unlock(&rz->lock);

	rz_worker_exit(rz);
	vhost_iotlb_reset(&rz->iotlb);
	xa_destroy(&rz->sessions);
	if (rz->tenant)
		cdma_tenant_put(rz->engine, rz->tenant);
	mutex_destroy(&rz->lock);
}

/*
 * Features offered: F_IDENTITY, by which a driver tells this device from
 * one of the type whose ID it may be offered under; F_SUBMIT_END, the end
 * of a transfer moved before the response in the response; F_ALLOC_ZEROED,
 * buffers that read as zeros (an engine buffer, or the driver's pages
 * cleared by the device); F_GLOBAL when
 * the engine has a global address space.
 */
static u64 rz_features(const struct cdma_info *info)
{
	u64 f = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) |
		BIT_ULL(VIRTIO_RDMA_REMOTE_F_IDENTITY) |
		BIT_ULL(VIRTIO_RDMA_REMOTE_F_SUBMIT_END) |
		BIT_ULL(VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED);

	if (info->caps & CDMA_CAP_GLOBAL)
		f |= BIT_ULL(VIRTIO_RDMA_REMOTE_F_GLOBAL);
	return f;
}

static void rz_limits_init(struct rz_dev *rz, const struct cdma_info *info)
{
	struct virtio_rdma_remote_config *cfg = &rz->config;
	struct rz_limits *l = &rz->limits;

	/* Buffers are made of whole 4096-byte pages. */
	l->max_buffer_size = round_down(info->max_buffer_size, RZ_WIRE_PAGE);
	l->max_buffers = max_buffers && max_buffers < info->max_buffers ?
			 max_buffers : info->max_buffers;
	l->max_inflight = max_inflight && max_inflight < info->max_inflight ?
			  max_inflight : info->max_inflight;
	l->max_sessions = max_sessions;
	l->max_ranges = max_ranges;
	l->max_pieces = max_pieces;

	cfg->version = cpu_to_le32(info->version);
	cfg->node_id = cpu_to_le32(info->node_id);
	cfg->channels = cpu_to_le32(info->channels);
	cfg->caps = cpu_to_le32(info->caps & ~CDMA_CAP_VIRTUAL);
	cfg->max_buffer_size = cpu_to_le64(l->max_buffer_size);
	cfg->max_buffers = cpu_to_le32(l->max_buffers);
	cfg->max_inflight = cpu_to_le32(l->max_inflight);
	cfg->max_sessions = cpu_to_le32(l->max_sessions);
	cfg->max_ranges = cpu_to_le32(l->max_ranges);

	rz->offered = rz_features(info);
}

static int rz_dev_add(struct vdpa_mgmt_dev *mdev, const char *name,
		      const struct vdpa_dev_set_config *config)
{
	struct cdma_info info;
	struct rz_dev *rz;
	unsigned int i;
	int ret;

	/*
	 * One virtqueue group, one address space; VA capable (bind_mm).  A
	 * kernel without bind_mm has vhost_vdpa refused when it negotiates
	 * features; use_va spares it pinning a VM's memory first.
	 */
	rz = vdpa_alloc_device(struct rz_dev, vdpa, NULL, &rz_config_ops,
			       1, 1, name, true);
	if (IS_ERR(rz))
		return PTR_ERR(rz);

	/* Everything rz_free() looks at, before anything can fail. */
	mutex_init(&rz->lock);
	spin_lock_init(&rz->iommu_lock);
	spin_lock_init(&rz->ev_lock);
	spin_lock_init(&rz->task_lock);
	INIT_LIST_HEAD(&rz->events);
	xa_init_flags(&rz->sessions, XA_FLAGS_ALLOC1);
	rz->ranges = RB_ROOT_CACHED;
	vhost_iotlb_init(&rz->iotlb, max_iotlb_entries, 0);
	for (i = 0; i < ARRAY_SIZE(rz->vqs); i++)
		rz_vq_reset(&rz->vqs[i]);

	rz->vdpa.mdev = mdev;
	rz->device_id = device_id;
	rz->engine = rz_engine;
	cdma_engine_info(rz->engine, &info);
	rz_limits_init(rz, &info);
	/* `vdpa dev add ... device_features X`: a subset of those offered. */
	ret = -EINVAL;
	if (config->mask & BIT_ULL(VDPA_ATTR_DEV_FEATURES)) {
		if (config->device_features & ~rz->offered)
			goto put;
		rz->offered = config->device_features;
	}

	spin_lock(&rz->iommu_lock);
	ret = rz_iotlb_init_pt(rz);
	spin_unlock(&rz->iommu_lock);
	if (ret)
		goto put;

	ret = -ENOMEM;
	rz->tenant = cdma_tenant_create(rz->engine);
	if (!rz->tenant)
		goto put;

	ret = rz_worker_init(rz, name);
	if (ret)
		goto put;

	rz->vdpa.dev.dma_mask = &rz->vdpa.dev.coherent_dma_mask;
	ret = dma_set_mask_and_coherent(&rz->vdpa.dev, DMA_BIT_MASK(64));
	if (ret)
		goto put;
	rz->vdpa.dma_dev = &rz->vdpa.dev;

	ret = _vdpa_register_device(&rz->vdpa, VIRTIO_RDMA_REMOTE_NUM_VQS);
	if (ret)
		goto put;
	return 0;

put:
	put_device(&rz->vdpa.dev);
	return ret;
}

static void rz_dev_del(struct vdpa_mgmt_dev *mdev, struct vdpa_device *vdpa)
{
	_vdpa_unregister_device(vdpa);
}

static const struct vdpa_mgmtdev_ops rz_mgmt_ops = {
	.dev_add = rz_dev_add,
	.dev_del = rz_dev_del,
};

static void rz_mgmt_release(struct device *dev)
{
}

/* Parent of the management device: `vdpa mgmtdev show` lists its name. */
static struct device rz_mgmt_root = {
	.init_name = "rdma_zcopy",
	.release = rz_mgmt_release,
};

/* The device ID is a module parameter, filled in at load. */
static struct virtio_device_id rz_id_table[] = {
	{ 0, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static struct vdpa_mgmt_dev rz_mgmt = {
	.device = &rz_mgmt_root,
	.id_table = rz_id_table,
	.ops = &rz_mgmt_ops,
	.max_supported_vqs = VIRTIO_RDMA_REMOTE_NUM_VQS,
	.config_attr_mask = BIT_ULL(VDPA_ATTR_DEV_FEATURES),
};

static int __init rz_init(void)
{
	struct cdma_info info;
	int ret;

	if (!device_id || device_id > U16_MAX ||
	    !max_sessions || max_sessions > RZ_MAX_SESSIONS ||
	    !max_ranges || max_ranges > RZ_MAX_RANGES ||
	    !max_pieces || max_pieces > RZ_SWAP_MAX_PIECES ||
	    max_iotlb_entries < 16 || max_iotlb_entries > SZ_1M) {
		pr_err("module parameter out of range\n");
		return -EINVAL;
	}

	rz_engine = cdma_engine_get(engine);
	if (!rz_engine) {
		pr_err("no cDMA engine%s%s registered (load cdma_soft or a hardware engine's driver first)\n",
		       engine ? " " : "", engine ?: "");
		return -ENODEV;
	}
	rz_id_table[0].device = device_id;
	cdma_engine_info(rz_engine, &info);
	rz_mgmt.supported_features = rz_features(&info);

	ret = rz_swap_init();
	if (ret)
		goto err_engine;
	ret = device_register(&rz_mgmt_root);
	if (ret) {
		put_device(&rz_mgmt_root);
		goto err_swap;
	}
	ret = vdpa_mgmtdev_register(&rz_mgmt);
	if (ret) {
		device_unregister(&rz_mgmt_root);
		goto err_swap;
	}
	rz_stats_init();
	return 0;

err_swap:
	rz_swap_exit();
err_engine:
	cdma_engine_put(rz_engine);
	return ret;
}

static void __exit rz_exit(void)
{
	/* Deletes every device: sessions end, buffers are released. */
	vdpa_mgmtdev_unregister(&rz_mgmt);
	device_unregister(&rz_mgmt_root);
	rz_stats_exit();
	rz_swap_exit();
	cdma_engine_put(rz_engine);
}

module_init(rz_init);
module_exit(rz_exit);

/* modprobe loads the software engine first; a hardware engine may stand in. */
MODULE_SOFTDEP("pre: cdma_soft");
MODULE_DESCRIPTION("virtio-rdma-remote vDPA device backend on the cDMA engine");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
