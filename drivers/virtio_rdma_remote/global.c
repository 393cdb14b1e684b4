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
 * vrr_export() - CDMA_IOC_EXPORT (&cdma_device_ops.export)
 * @file: the file
 * @handle: the buffer's handle
 * @access: CDMA_ACCESS_* (checked by cdma_core)
 * @global_addr: out: the segment's global address
 * @key: out: the key that opens it
 *
 * Return: 0 or the errno of Documentation/cdma-uapi.rst; -EOPNOTSUPP
 * without VIRTIO_RDMA_REMOTE_F_GLOBAL.
 */
int vrr_export(struct cdma_file *file, u32 handle, u32 access,
	       u64 *global_addr, u64 *key)
{
	struct vrr_file *f = to_vrr(file);
	struct virtio_rdma_remote_resp resp;
	int ret;

	if (!f->dev->global)
		return -EOPNOTSUPP;
	ret = vrr_handle_request(f, VIRTIO_RDMA_REMOTE_OP_EXPORT, handle,
				 access, &resp);
	if (ret)
		return ret;
	*global_addr = le64_to_cpu(resp.global_addr);
	*key = le64_to_cpu(resp.key);
	return 0;
}

/**
 * vrr_revoke() - CDMA_IOC_REVOKE (&cdma_device_ops.revoke)
 * @file: the file
 * @handle: the buffer's handle
 *
 * Return: 0 or the errno of Documentation/cdma-uapi.rst; -EOPNOTSUPP
 * without VIRTIO_RDMA_REMOTE_F_GLOBAL.
 */
int vrr_revoke(struct cdma_file *file, u32 handle)
{
	struct vrr_file *f = to_vrr(file);

	if (!f->dev->global)
		return -EOPNOTSUPP;
	return vrr_handle_request(f, VIRTIO_RDMA_REMOTE_OP_REVOKE, handle, 0,
				  NULL);
}
