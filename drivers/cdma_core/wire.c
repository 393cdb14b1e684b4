// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: virtio-rdma-remote status codes <-> errno.
 *
 * Used by the device (host backend) to encode and by the driver (guest
 * frontend) to decode; the table is the one of
 * Documentation/virtio-rdma-remote.rst.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/cdma_core.h>
#include <uapi/linux/virtio_rdma_remote.h>

static const int vrr_errnos[] = {
	[VIRTIO_RDMA_REMOTE_S_OK] = 0,
	[VIRTIO_RDMA_REMOTE_S_INVAL] = -EINVAL,
	[VIRTIO_RDMA_REMOTE_S_FBIG] = -EFBIG,
	[VIRTIO_RDMA_REMOTE_S_NOSPC] = -ENOSPC,
	[VIRTIO_RDMA_REMOTE_S_NOMEM] = -ENOMEM,
	[VIRTIO_RDMA_REMOTE_S_NOENT] = -ENOENT,
	[VIRTIO_RDMA_REMOTE_S_RANGE] = -ERANGE,
	[VIRTIO_RDMA_REMOTE_S_BUSY] = -EBUSY,
	[VIRTIO_RDMA_REMOTE_S_EXIST] = -EEXIST,
	[VIRTIO_RDMA_REMOTE_S_NXIO] = -ENXIO,
	[VIRTIO_RDMA_REMOTE_S_HOSTUNREACH] = -EHOSTUNREACH,
	[VIRTIO_RDMA_REMOTE_S_ACCES] = -EACCES,
	[VIRTIO_RDMA_REMOTE_S_CANCELED] = -ECANCELED,
	[VIRTIO_RDMA_REMOTE_S_IO] = -EIO,
	[VIRTIO_RDMA_REMOTE_S_UNSUPP] = -EOPNOTSUPP,
	[VIRTIO_RDMA_REMOTE_S_FAULT] = -EFAULT,
};

/**
 * vrr_status_to_errno() - decode a device status
 * @status: VIRTIO_RDMA_REMOTE_S_*, as read from the device (untrusted)
 *
 * Return: 0 or a negative errno; -EIO for a status the driver does not know.
 */
int vrr_status_to_errno(u32 status)
{
	if (status >= ARRAY_SIZE(vrr_errnos))
		return -EIO;
	return vrr_errnos[status];
}
EXPORT_SYMBOL_GPL(vrr_status_to_errno);

/**
 * vrr_errno_to_status() - encode an error for the driver
 * @err: 0 or a negative errno
 *
 * Return: the status; VIRTIO_RDMA_REMOTE_S_IO for an errno without code.
 */
u32 vrr_errno_to_status(int err)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(vrr_errnos); i++)
		if (vrr_errnos[i] == err)
			return i;
	return VIRTIO_RDMA_REMOTE_S_IO;
}
EXPORT_SYMBOL_GPL(vrr_errno_to_status);
