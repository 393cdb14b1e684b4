// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: vDPA configuration operations: virtqueues, features, status,
 * reset and the configuration space.  The IOTLB and address-space
 * operations are in iotlb.c.
 *
 * Operations that change state take rz->lock, which the worker holds for a
 * whole run, so that a run never sees half of a change.  kick_vq, the
 * getters of status and readiness stay lock-free: a driver may kick from
 * the virtqueue callback the worker calls with rz->lock held.
 */

#include <linux/string.h>
#include <uapi/linux/vhost_types.h>
#include <uapi/linux/virtio_config.h>

#include "rdma_zcopy.h"

#define RZ_VQ_ALIGN	PAGE_SIZE

/**
 * rz_device_reset() - return a device to its initial state
 * @rz: the device; rz->lock held
 *
 * Ends every session (queued transfers are cancelled, running ones waited
 * for, every buffer's pages released), drops undelivered events and resets
 * the virtqueues.  The driver's callbacks are forgotten: every driver
 * resets the device when it lets it go, and sets its callbacks again
 * before DRIVER_OK.  The IOTLB and the bound mm are kept.
 */
void rz_device_reset(struct rz_dev *rz)
{
	unsigned int i;

	lockdep_assert_held(&rz->lock);

	rz_sessions_destroy(rz);
	rz_events_drop(rz, NULL);
	for (i = 0; i < ARRAY_SIZE(rz->vqs); i++)
		rz_vq_reset(&rz->vqs[i]);
	memset(&rz->config_cb, 0, sizeof(rz->config_cb));
	rz->running = false;
	rz->mode = RZ_MODE_NONE;
	rz->rings_by_kernel = false;
	rz->features = 0;
	WRITE_ONCE(rz->status, 0);
	WRITE_ONCE(rz->generation, rz->generation + 1);
}

static struct rz_vq *rz_vq(struct vdpa_device *vdpa, u16 idx)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	if (idx >= ARRAY_SIZE(rz->vqs))
		return NULL;
	return &rz->vqs[idx];
}

static int rz_set_vq_address(struct vdpa_device *vdpa, u16 idx,
			     u64 desc_area, u64 driver_area, u64 device_area)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (!vq)
		return -EINVAL;
	mutex_lock(&rz->lock);
	vq->desc_addr = desc_area;
	vq->driver_addr = driver_area;
	vq->device_addr = device_area;
	mutex_unlock(&rz->lock);
	return 0;
}

static void rz_set_vq_num(struct vdpa_device *vdpa, u16 idx, u32 num)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (!vq)
		return;
	mutex_lock(&rz->lock);
	WRITE_ONCE(vq->num, num);
	mutex_unlock(&rz->lock);
}

static void rz_kick_vq(struct vdpa_device *vdpa, u16 idx)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (vq && READ_ONCE(vq->ready))
		rz_schedule(rz);
}

static void rz_set_vq_cb(struct vdpa_device *vdpa, u16 idx,
			 struct vdpa_callback *cb)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (!vq)
		return;
	mutex_lock(&rz->lock);
	vq->cb = *cb;
	mutex_unlock(&rz->lock);
}

static void rz_set_vq_ready(struct vdpa_device *vdpa, u16 idx, bool ready)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (!vq)
		return;
	mutex_lock(&rz->lock);
	if (ready && !vq->ready)
		rz_vq_start(vq);
	WRITE_ONCE(vq->ready, ready);
	/* Enabled after DRIVER_OK: look at what is already there. */
	if (ready && rz->running)
		rz_schedule(rz);
	mutex_unlock(&rz->lock);
}

static bool rz_get_vq_ready(struct vdpa_device *vdpa, u16 idx)
{
	struct rz_vq *vq = rz_vq(vdpa, idx);

	return vq && READ_ONCE(vq->ready);
}

static int rz_set_vq_state(struct vdpa_device *vdpa, u16 idx,
			   const struct vdpa_vq_state *state)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (!vq)
		return -EINVAL;
	mutex_lock(&rz->lock);
	/* Requests complete in order: nothing is in flight in the ring. */
	vq->last_avail_idx = state->split.avail_index;
	vq->used_idx = state->split.avail_index;
	mutex_unlock(&rz->lock);
	return 0;
}

static int rz_get_vq_state(struct vdpa_device *vdpa, u16 idx,
			   struct vdpa_vq_state *state)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (!vq)
		return -EINVAL;
	mutex_lock(&rz->lock);
	state->split.avail_index = vq->last_avail_idx;
	mutex_unlock(&rz->lock);
	return 0;
}

#if CDMA_HAVE_VDPA_GET_VQ_SIZE
static u16 rz_get_vq_size(struct vdpa_device *vdpa, u16 idx)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct rz_vq *vq = rz_vq(vdpa, idx);

	if (vq && (READ_ONCE(rz->status) & VIRTIO_CONFIG_S_DRIVER_OK))
		return READ_ONCE(vq->num);
	return RZ_QUEUE_MAX;
}
#endif

/*
 * Only a driver that allocates the rings itself asks: a virtio driver of
 * this kernel through virtio_vdpa's find_vqs(), never vhost_vdpa, whose
 * user gives ring addresses of its own.  rz_pick_mode() relies on it.
 */
static u32 rz_get_vq_align(struct vdpa_device *vdpa)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	mutex_lock(&rz->lock);
	rz->rings_by_kernel = true;
	mutex_unlock(&rz->lock);
	return RZ_VQ_ALIGN;
}

static u64 rz_get_device_features(struct vdpa_device *vdpa)
{
	return vdpa_to_rz(vdpa)->offered;
}

#if CDMA_HAVE_VDPA_BACKEND_FEATURES
static u64 rz_get_backend_features(const struct vdpa_device *vdpa)
{
	return BIT_ULL(VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK);
}
#endif

static int rz_set_driver_features(struct vdpa_device *vdpa, u64 features)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	int ret = 0;

	mutex_lock(&rz->lock);
	if (rz->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		ret = -EBUSY;
	} else if (!(features & BIT_ULL(VIRTIO_F_VERSION_1)) ||
		   !(features & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM))) {
		/* No legacy interface; memory is reached through the IOTLB. */
		rz->features = 0;
		ret = -EINVAL;
	} else {
		rz->features = features & rz->offered;
	}
	mutex_unlock(&rz->lock);
	return ret;
}

static u64 rz_get_driver_features(struct vdpa_device *vdpa)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	u64 features;

	mutex_lock(&rz->lock);
	features = rz->features;
	mutex_unlock(&rz->lock);
	return features;
}

static void rz_set_config_cb(struct vdpa_device *vdpa,
			     struct vdpa_callback *cb)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	mutex_lock(&rz->lock);
	rz->config_cb = *cb;
	mutex_unlock(&rz->lock);
}

static u16 rz_get_vq_num_max(struct vdpa_device *vdpa)
{
	return RZ_QUEUE_MAX;
}

static u32 rz_get_device_id(struct vdpa_device *vdpa)
{
	return vdpa_to_rz(vdpa)->device_id;
}

static u32 rz_get_vendor_id(struct vdpa_device *vdpa)
{
	return 0;
}

static u8 rz_get_status(struct vdpa_device *vdpa)
{
	return READ_ONCE(vdpa_to_rz(vdpa)->status);
}

/*
 * How the device interprets IOTLB translations, decided by its state when
 * the driver starts it.  With a bound mm (vhost_vdpa's owner, 6.4+) they
 * are VMM virtual addresses.  Physical addresses are only honoured when a
 * driver of this kernel allocated the rings (@rings_by_kernel): a
 * vhost-vdpa user without a bound mm (a kernel before 6.4) must not reach
 * host physical memory through the default identity mapping.
 */
static enum rz_mode rz_pick_mode(struct rz_dev *rz)
{
	if (rz->mm)
		return RZ_MODE_VA;
	if (rz->rings_by_kernel)
		return RZ_MODE_PA;
	dev_warn(&rz->vdpa.dev,
		 "no address space bound and no in-kernel driver: queues are not processed\n");
	return RZ_MODE_NONE;
}

static void rz_set_status(struct vdpa_device *vdpa, u8 status)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	u8 old;

	mutex_lock(&rz->lock);
	if (!status) {
		rz_device_reset(rz);
		goto unlock;
	}
	old = rz->status;
	/* FEATURES_OK does not stick without an acceptable feature set. */
	if (!(rz->features & BIT_ULL(VIRTIO_F_VERSION_1)))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	/* Only a reset clears NEEDS_RESET. */
	status |= old & VIRTIO_CONFIG_S_NEEDS_RESET;
	WRITE_ONCE(rz->status, status);

	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    (status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		if (!(old & VIRTIO_CONFIG_S_DRIVER_OK))
			rz->mode = rz_pick_mode(rz);
		rz->running = true;
		rz_schedule(rz);
	} else {
		rz->running = false;
	}
unlock:
	mutex_unlock(&rz->lock);
}

static int rz_compat_reset(struct vdpa_device *vdpa, u32 flags)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	int ret = 0;

	mutex_lock(&rz->lock);
	rz_device_reset(rz);
	if (flags & VDPA_RESET_F_CLEAN_MAP) {
		spin_lock(&rz->iommu_lock);
		ret = rz_iotlb_init_pt(rz);
		spin_unlock(&rz->iommu_lock);
	}
	mutex_unlock(&rz->lock);
	return ret;
}

/*
 * The IOTLB outlives a reset, except on a kernel without reset_map
 * (CDMA_HAVE_VDPA_RESET_MAP), whose vhost_vdpa cannot ask for the default
 * mapping back: there every reset restores it, as the parents of such
 * kernels do, so that virtio_vdpa finds it after vhost_vdpa.
 */
static int rz_reset(struct vdpa_device *vdpa)
{
	return rz_compat_reset(vdpa, CDMA_HAVE_VDPA_RESET_MAP ? 0 :
				     VDPA_RESET_F_CLEAN_MAP);
}

static int rz_suspend(struct vdpa_device *vdpa)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	/* Taking the lock waits for a run in progress to end. */
	mutex_lock(&rz->lock);
	rz->running = false;
	mutex_unlock(&rz->lock);
	return 0;
}

#if CDMA_HAVE_VDPA_RESUME
static int rz_resume(struct vdpa_device *vdpa)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	mutex_lock(&rz->lock);
	rz->running = (rz->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		      (rz->status & VIRTIO_CONFIG_S_FEATURES_OK);
	if (rz->running)
		rz_schedule(rz);
	mutex_unlock(&rz->lock);
	return 0;
}
#endif

static size_t rz_get_config_size(struct vdpa_device *vdpa)
{
	return sizeof(struct virtio_rdma_remote_config);
}

static void rz_get_config(struct vdpa_device *vdpa, unsigned int offset,
			  void *buf, unsigned int len)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	/* Constant after creation: no lock. */
	if (offset > sizeof(rz->config) || len > sizeof(rz->config) - offset)
		return;
	memcpy(buf, (u8 *)&rz->config + offset, len);
}

static void rz_set_config(struct vdpa_device *vdpa, unsigned int offset,
			  const void *buf, unsigned int len)
{
	/* The configuration space is read-only. */
}

static u32 rz_get_generation(struct vdpa_device *vdpa)
{
	return READ_ONCE(vdpa_to_rz(vdpa)->generation);
}

static struct vdpa_iova_range rz_get_iova_range(struct vdpa_device *vdpa)
{
	struct vdpa_iova_range range = {
		.first = 0,
		.last = U64_MAX,
	};

	return range;
}

const struct vdpa_config_ops rz_config_ops = {
	.set_vq_address		= rz_set_vq_address,
	.set_vq_num		= rz_set_vq_num,
	.kick_vq		= rz_kick_vq,
	.set_vq_cb		= rz_set_vq_cb,
	.set_vq_ready		= rz_set_vq_ready,
	.get_vq_ready		= rz_get_vq_ready,
	.set_vq_state		= rz_set_vq_state,
	.get_vq_state		= rz_get_vq_state,
#if CDMA_HAVE_VDPA_GET_VQ_SIZE
	.get_vq_size		= rz_get_vq_size,
#endif
	.get_vq_align		= rz_get_vq_align,
	.get_device_features	= rz_get_device_features,
#if CDMA_HAVE_VDPA_BACKEND_FEATURES
	.get_backend_features	= rz_get_backend_features,
#endif
	.set_driver_features	= rz_set_driver_features,
	.get_driver_features	= rz_get_driver_features,
	.set_config_cb		= rz_set_config_cb,
	.get_vq_num_max		= rz_get_vq_num_max,
	.get_device_id		= rz_get_device_id,
	.get_vendor_id		= rz_get_vendor_id,
	.get_status		= rz_get_status,
	.set_status		= rz_set_status,
	.reset			= rz_reset,
#if CDMA_HAVE_VDPA_RESET_MAP
	.compat_reset		= rz_compat_reset,
#endif
	.suspend		= rz_suspend,
#if CDMA_HAVE_VDPA_RESUME
	.resume			= rz_resume,
#endif
	.get_config_size	= rz_get_config_size,
	.get_config		= rz_get_config,
	.set_config		= rz_set_config,
	.get_generation		= rz_get_generation,
	.get_iova_range		= rz_get_iova_range,
	.set_map		= rz_set_map,
	.dma_map		= rz_dma_map,
	.dma_unmap		= rz_dma_unmap,
#if CDMA_HAVE_VDPA_RESET_MAP
	.reset_map		= rz_reset_map,
#endif
#if CDMA_HAVE_VDPA_BIND_MM
	.bind_mm		= rz_bind_mm,
	.unbind_mm		= rz_unbind_mm,
#endif
	.free			= rz_free,
};
