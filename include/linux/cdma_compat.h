/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API compatibility for the kernels the modules support: Debian 12's
 * 6.1 and 6.12 series (Documentation/admin-guide.rst, "Supported kernels").
 *
 * The sources are written against the newest API (6.12); this header
 * supplies that API on older kernels under the same names, so a file that
 * includes it compiles unchanged on both.  Include it after the kernel
 * headers.  An API that cannot be emulated is not provided here: the feature
 * that needs it is compiled out instead (see CDMA_HAVE_* below) and the
 * module refuses it at run time.
 */
#ifndef _LINUX_CDMA_COMPAT_H
#define _LINUX_CDMA_COMPAT_H

#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/vdpa.h>
#include <linux/version.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <uapi/linux/vhost.h>
#include <xen/xen.h>

/*
 * MAX_PAGE_ORDER (6.8): the largest order the page allocator gives, which
 * 6.4 to 6.7 called MAX_ORDER.  Before 6.4, MAX_ORDER was the number of
 * orders: the largest order is MAX_ORDER - 1.
 */
#ifndef MAX_PAGE_ORDER
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define MAX_PAGE_ORDER	(MAX_ORDER - 1)
#else
#define MAX_PAGE_ORDER	MAX_ORDER
#endif
#endif

/*
 * eventfd_signal(ctx) (6.8) adds 1 to the counter; before, the increment
 * was a second argument.  The macro's own expansion is not expanded again,
 * so it calls the two-argument function.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define eventfd_signal(ctx)	eventfd_signal((ctx), 1)
#endif

/*
 * vm_flags_set() (6.3): vma->vm_flags became read-only for everyone else
 * when the per-VMA lock arrived.  The caller holds the mmap lock for
 * writing (->mmap() does), as 6.3+ asserts.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	mmap_assert_write_locked(vma->vm_mm);
	vma->vm_flags |= flags;
}
#endif

/*
 * virtqueue_dma_dev() (6.6): the device the driver maps its buffers for, or
 * NULL when the device takes guest physical addresses.  Before 6.6 the
 * virtqueue used the DMA API when the device has VIRTIO_F_ACCESS_PLATFORM
 * (or on Xen), with the transport's device, the virtio device's parent
 * (virtio_vdpa makes that the vDPA device's DMA device).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
static inline struct device *virtqueue_dma_dev(struct virtqueue *vq)
{
	struct virtio_device *vdev = vq->vdev;

	if (!virtio_has_dma_quirk(vdev) || xen_domain())
		return vdev->dev.parent;
	return NULL;
}
#endif

/*
 * struct virtqueue_info and virtio_find_vqs() taking an array of them
 * (6.11).  Before, find_vqs() took arrays of names, callbacks and ctx.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
struct virtqueue_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};

static inline int cdma_virtio_find_vqs(struct virtio_device *vdev,
				       unsigned int nvqs,
				       struct virtqueue *vqs[],
				       struct virtqueue_info vqs_info[],
				       struct irq_affinity *desc)
{
	vq_callback_t **callbacks;
	const char **names;
	unsigned int i;
	bool *ctx;
	int ret = -ENOMEM;

	callbacks = kmalloc_array(nvqs, sizeof(*callbacks), GFP_KERNEL);
	names = kmalloc_array(nvqs, sizeof(*names), GFP_KERNEL);
	ctx = kmalloc_array(nvqs, sizeof(*ctx), GFP_KERNEL);
	if (callbacks && names && ctx) {
		for (i = 0; i < nvqs; i++) {
			callbacks[i] = vqs_info[i].callback;
			names[i] = vqs_info[i].name;
			ctx[i] = vqs_info[i].ctx;
		}
		ret = vdev->config->find_vqs(vdev, nvqs, vqs, callbacks, names,
					     ctx, desc);
	}
	kfree(ctx);
	kfree(names);
	kfree(callbacks);
	return ret;
}

#define virtio_find_vqs(vdev, nvqs, vqs, vqs_info, desc) \
	cdma_virtio_find_vqs((vdev), (nvqs), (vqs), (vqs_info), (desc))
#endif

/*
 * Features compiled out on older kernels (1 when the kernel has them).
 * Where a vDPA operation came with a uAPI or vdpa.h constant, the constant
 * is tested rather than the version.
 *
 * CDMA_HAVE_VDPA_BIND_MM: vdpa_config_ops.bind_mm()/unbind_mm() (6.4), by
 * which vhost_vdpa hands a "use_va" device the VMM's mm.  Without it the
 * vDPA backend cannot reach the VMM's address space, so there is no
 * in-place page swap: the backend refuses every driver but virtio_vdpa
 * when it negotiates features (documented in
 * Documentation/admin-guide.rst, "Supported kernels").
 */
#define CDMA_HAVE_VDPA_BIND_MM	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0))

/*
 * CDMA_HAVE_VHOST_TASK: vhost_task_create() with a SIGKILL handler (6.11),
 * a worker thread that is a copy of its creator (its mm, credentials,
 * rlimits and cgroups).  Without it the vDPA backend serves a VMM from a
 * kthread that adopts the VMM's mm and memory cgroup for each run.
 */
#define CDMA_HAVE_VHOST_TASK	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0) && \
				 IS_ENABLED(CONFIG_VHOST_TASK))

/*
 * CDMA_HAVE_VDPA_RESUME: vdpa_config_ops.resume() (6.3, with
 * VHOST_BACKEND_F_RESUME).  Without it a suspended device stays suspended
 * until reset, which is all vhost_vdpa then offers.
 */
#ifdef VHOST_BACKEND_F_RESUME
#define CDMA_HAVE_VDPA_RESUME	1
#else
#define CDMA_HAVE_VDPA_RESUME	0
#endif

/*
 * CDMA_HAVE_VDPA_BACKEND_FEATURES: vdpa_config_ops.get_backend_features(),
 * which came with VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK.  Without it
 * vhost_vdpa offers no backend feature of the device's own.
 */
#ifdef VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK
#define CDMA_HAVE_VDPA_BACKEND_FEATURES	1
#else
#define CDMA_HAVE_VDPA_BACKEND_FEATURES	0
#endif

/*
 * CDMA_HAVE_VDPA_RESET_MAP: vdpa_config_ops.reset_map() and compat_reset()
 * (6.7, with VDPA_RESET_F_CLEAN_MAP), by which the IOTLB outlives a device
 * reset.  Before, every reset restored the default mapping, as in-tree
 * parents did: the flag is defined here for the reset op to pass it.
 */
#ifdef VDPA_RESET_F_CLEAN_MAP
#define CDMA_HAVE_VDPA_RESET_MAP	1
#else
#define CDMA_HAVE_VDPA_RESET_MAP	0
#define VDPA_RESET_F_CLEAN_MAP		1
#endif

/*
 * CDMA_HAVE_VDPA_GET_VQ_SIZE: vdpa_config_ops.get_vq_size(), which came
 * with VHOST_VDPA_GET_VRING_SIZE.  Without it the vDPA drivers only know
 * the largest size, get_vq_num_max().
 */
#ifdef VHOST_VDPA_GET_VRING_SIZE
#define CDMA_HAVE_VDPA_GET_VQ_SIZE	1
#else
#define CDMA_HAVE_VDPA_GET_VQ_SIZE	0
#endif

#endif /* _LINUX_CDMA_COMPAT_H */
