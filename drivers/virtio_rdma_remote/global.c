// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: Unimem exports.
 *
 * EXPORT and REVOKE are forwarded to the device, which owns the node's
 * segment table.  Without VIRTIO_RDMA_REMOTE_F_GLOBAL they fail with
 * EOPNOTSUPP and CDMA_CAP_GLOBAL is not reported.
 */

#include <linux/uaccess.h>

#include "vrr.h"

/* Send a request about @buf; the response goes to @resp if set. */
static int vrr_buf_request(struct vrr_file *f, struct vrr_buf *buf,
			   u32 opcode, u32 access,
			   struct virtio_rdma_remote_resp *resp)
{
	enum vrr_outcome outcome;
	struct vrr_req *req;
	int ret;

	req = vrr_req_alloc(opcode, f->session, sizeof(req->out.body.handle));
	if (!req)
		return -ENOMEM;
	req->out.body.handle.handle = cpu_to_le32(buf->dev_handle);
	req->out.body.handle.access = cpu_to_le32(access);
	ret = vrr_request(f->dev, req, VRR_WAIT_KILLABLE, &outcome);
	if (!ret && resp)
		*resp = req->resp;
	vrr_req_put(req);
	return ret;
}

/* Send a request about the buffer of a local handle. */
static int vrr_handle_request(struct vrr_file *f, u32 opcode, u32 handle,
			      u32 access, struct virtio_rdma_remote_resp *resp)
{
	struct vrr_buf *buf;
	int ret;

	ret = down_read_killable(&f->handles);
	if (ret)
		return ret;
	buf = vrr_buf_get(f, handle);
	if (buf) {
		ret = vrr_buf_request(f, buf, opcode, access, resp);
		vrr_buf_put(buf);
	} else {
		ret = -ENOENT;
	}
	up_read(&f->handles);
	return ret;
}

/**
 * vrr_buf_unexport() - revoke a buffer's export, if any, on the device
 * @f: the file owning the buffer, &vrr_file.handles held
 * @buf: the buffer
 *
 * For a FREE that waits for the last unmap: FREE revokes at once.
 *
 * Return: 0 (also when the buffer was not exported) or an errno.
 */
int vrr_buf_unexport(struct vrr_file *f, struct vrr_buf *buf)
{
	int ret;

	if (!f->dev->global)
		return 0;
	ret = vrr_buf_request(f, buf, VIRTIO_RDMA_REMOTE_OP_REVOKE, 0, NULL);
	return ret == -ENOENT ? 0 : ret;
}

/**
 * vrr_ioctl_export() - CDMA_IOC_EXPORT
 * @f: the file
 * @argp: user's &struct cdma_export
 *
 * Return: 0 or the errno of Documentation/cdma-uapi.rst; -EOPNOTSUPP
 * without VIRTIO_RDMA_REMOTE_F_GLOBAL.
 */
long vrr_ioctl_export(struct vrr_file *f, void __user *argp)
{
	struct virtio_rdma_remote_resp resp;
	struct cdma_export e;
	int ret;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	ret = cdma_export_check(&e);
	if (ret)
		return ret;
	if (!f->dev->global)
		return -EOPNOTSUPP;
	ret = vrr_handle_request(f, VIRTIO_RDMA_REMOTE_OP_EXPORT, e.handle,
				 e.access, &resp);
	if (ret)
		return ret;
	e.global_addr = le64_to_cpu(resp.global_addr);
	e.key = le64_to_cpu(resp.key);
	if (copy_to_user(argp, &e, sizeof(e))) {
		vrr_handle_request(f, VIRTIO_RDMA_REMOTE_OP_REVOKE, e.handle,
				   0, NULL);
		return -EFAULT;
	}
	return 0;
}

/**
 * vrr_ioctl_revoke() - CDMA_IOC_REVOKE
 * @f: the file
 * @argp: user's &struct cdma_revoke
 *
 * Return: 0 or the errno of Documentation/cdma-uapi.rst; -EOPNOTSUPP
 * without VIRTIO_RDMA_REMOTE_F_GLOBAL.
 */
long vrr_ioctl_revoke(struct vrr_file *f, void __user *argp)
{
	struct cdma_revoke r;
	int ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	ret = cdma_revoke_check(&r);
	if (ret)
		return ret;
	if (!f->dev->global)
		return -EOPNOTSUPP;
	return vrr_handle_request(f, VIRTIO_RDMA_REMOTE_OP_REVOKE, r.handle, 0,
				  NULL);
}
