// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_rdma_remote: sessions.
 *
 * Every open file is one session of the device: SESSION_OPEN at the
 * file's first ALLOC (every other request names a buffer, so needs one),
 * SESSION_CLOSE at release().  Not at open(): misc_open() holds the misc
 * device mutex of the whole system while ->open() runs, and a device that
 * does not answer would block every misc device's open.  The device
 * cancels the session's transfers and frees its buffers and exports when
 * the session closes; the driver then completes whatever it still tracks
 * and frees the guest pages.
 */

#include <linux/slab.h>
#include <linux/virtio.h>

#include "vrr.h"

/* SESSION_OPEN or SESSION_CLOSE; waits uninterruptibly (see vrr_file_open). */
static int vrr_session_request(struct vrr_dev *dev, u32 opcode, u32 session,
			       u32 *id)
{
	enum vrr_outcome outcome;
	struct vrr_req *req;
	int ret;

	req = vrr_req_alloc(opcode, session, 0);
	if (!req)
		return -ENOMEM;
	ret = vrr_request(dev, req, VRR_WAIT_UNINTERRUPTIBLE, &outcome);
	if (!ret && id)
		*id = le32_to_cpu(req->resp.id);
	vrr_req_put(req);
	return ret;
}

/**
 * vrr_file_open() - the state of a new open file
 * @dev: the device
 *
 * No request: the session is opened by the first ALLOC.
 *
 * Return: the file state with one reference, or ERR_PTR(-ENOMEM).
 */
struct vrr_file *vrr_file_open(struct vrr_dev *dev)
{
	struct vrr_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return ERR_PTR(-ENOMEM);
	refcount_set(&f->ref, 1);
	kref_get(&dev->ref);
	f->dev = dev;
	mutex_init(&f->session_lock);
	cdma_cq_init(&f->file.cq, dev->cfg.max_inflight);
	f->file.cq.ops = &vrr_cq_ops;
	xa_init_flags(&f->bufs, XA_FLAGS_ALLOC1);
	init_rwsem(&f->handles);
	spin_lock_init(&f->lock);
	INIT_LIST_HEAD(&f->orphans);

	spin_lock(&dev->files_lock);
	list_add(&f->node, &dev->files);
	spin_unlock(&dev->files_lock);
	/*
	 * remove() ends the queues of the files it finds in @files after
	 * setting @dead: one it did not find is ended here.
	 */
	if (READ_ONCE(dev->dead))
		cdma_cq_shutdown(&f->file.cq);
	return f;
}

/**
 * vrr_file_session() - make sure the file has its session on the device
 * @f: the file
 *
 * The wait for the device is uninterruptible: a session the driver gave
 * up on would stay open on the device for ever.  Device removal ends it.
 *
 * Return: 0, or the device's status (-ENOSPC when it has max_sessions
 * open), -EIO for an invalid session id, -ENODEV, -ENOMEM, or -EINTR when
 * a fatal signal came while another thread was opening it.
 */
int vrr_file_session(struct vrr_file *f)
{
	struct vrr_dev *dev = f->dev;
	u32 id = 0;
	int ret;

	if (READ_ONCE(f->session))
		return 0;
	if (mutex_lock_killable(&f->session_lock))
		return -EINTR;
	if (f->session) {
		ret = 0;
		goto out;
	}
	ret = vrr_session_request(dev, VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN, 0,
				  &id);
	if (ret)
		goto out;
	if (!id) {
		dev_warn_ratelimited(&dev->vdev->dev, "device gave session id 0\n");
		ret = -EIO;
		goto out;
	}
	ret = xa_insert(&dev->sessions, id, f, GFP_KERNEL);
	if (ret == -EBUSY) {
		/* Another file's session: closing it would end that one. */
		dev_warn_ratelimited(&dev->vdev->dev,
				     "device gave session id %u twice\n", id);
		ret = -EIO;
		goto out;
	}
	if (ret) {
		vrr_session_request(dev, VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE,
				    id, NULL);
		goto out;
	}
	WRITE_ONCE(f->session, id);
out:
	mutex_unlock(&f->session_lock);
	return ret;
}

/**
 * vrr_file_close() - close the session of a file being released
 * @f: the file; no other thread uses it any more
 *
 * Drops the open file's reference.  When the device does not confirm the
 * close, it may still use the session's guest pages: they are leaked until
 * the device is reset rather than given back to the page allocator.
 */
void vrr_file_close(struct vrr_file *f)
{
	struct vrr_dev *dev = f->dev;
	bool leak;
	int ret;

	spin_lock(&dev->files_lock);
	list_del(&f->node);
	spin_unlock(&dev->files_lock);
	if (!f->session) {
		/* No session, so no buffer and no transfer either. */
		vrr_file_put(f);
		return;
	}
	/* The device may give the id to a new session once it is closed. */
	xa_erase(&dev->sessions, f->session);
	ret = vrr_session_request(dev, VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE,
				  f->session, NULL);
	leak = ret && ret != -ENODEV;
	if (leak)
		dev_err_ratelimited(&dev->vdev->dev,
				    "closing session %u failed (%d); its memory is kept until the device is reset\n",
				    f->session, ret);

	/* The device ended the session's transfers; end ours. */
	vrr_xfers_cancel(dev, f, leak);
	vrr_bufs_release(f, leak);
	vrr_file_put(f);
}

/**
 * vrr_file_put() - drop a file reference
 * @f: the file
 *
 * The last reference frees the completion queue and the file state.
 *
 * Context: any.
 */
void vrr_file_put(struct vrr_file *f)
{
	if (!refcount_dec_and_test(&f->ref))
		return;
	cdma_cq_destroy(&f->file.cq);
	xa_destroy(&f->bufs);
	vrr_dev_put(f->dev);
	kfree(f);
}
