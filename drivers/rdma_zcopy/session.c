// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: sessions.
 *
 * A session is one engine context: its buffer handles and transfers are
 * its own, so one session (and one device) reaches another's buffers only
 * through an exported global address and its key.  Session ids are
 * allocated cyclically so that a stale id does not name a new session
 * soon.  Everything here runs with rz->lock held.
 */

#include <linux/cdma_core.h>
#include <linux/slab.h>

#include "rdma_zcopy.h"

/**
 * rz_session_find() - look a session up
 * @rz: the device
 * @id: session id from the wire
 *
 * Return: the session or NULL.
 */
struct rz_session *rz_session_find(struct rz_dev *rz, u32 id)
{
	lockdep_assert_held(&rz->lock);

	return id ? xa_load(&rz->sessions, id) : NULL;
}

/**
 * rz_session_open() - open a session
 * @rz: the device
 * @id: out: the new session's id
 *
 * Return: VIRTIO_RDMA_REMOTE_S_OK, _NOSPC at max_sessions, or _NOMEM.
 */
u32 rz_session_open(struct rz_dev *rz, u32 *id)
{
	struct rz_session *s;
	int ret;

	lockdep_assert_held(&rz->lock);

	if (rz->nr_sessions >= rz->limits.max_sessions)
		return VIRTIO_RDMA_REMOTE_S_NOSPC;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return VIRTIO_RDMA_REMOTE_S_NOMEM;
	xa_init(&s->bufs);
	s->ctx = cdma_ctx_create(rz->engine, rz->tenant);
	if (!s->ctx)
		goto err_free;
	ret = xa_alloc_cyclic(&rz->sessions, &s->id, s, XA_LIMIT(1, U32_MAX),
			      &rz->next_session, GFP_KERNEL);
	if (ret < 0)
		goto err_ctx;

	rz->nr_sessions++;
	*id = s->id;
	return VIRTIO_RDMA_REMOTE_S_OK;

err_ctx:
	cdma_ctx_destroy(s->ctx);
err_free:
	kfree(s);
	return VIRTIO_RDMA_REMOTE_S_NOMEM;
}

/**
 * rz_session_close() - end a session
 * @rz: the device
 * @s: the session; freed
 *
 * The engine cancels the session's queued transfers, waits for the running
 * ones and their completion callbacks, and releases its buffer handles.
 * Then every buffer's pages are waited for (a transfer of another context
 * into an exported buffer may still hold them) and released, and the
 * session's undelivered events are dropped.  When this returns, neither
 * the engine nor the device touches the session's guest memory.
 */
void rz_session_close(struct rz_dev *rz, struct rz_session *s)
{
	struct rz_buf *buf;
	unsigned long handle;

	lockdep_assert_held(&rz->lock);

	xa_erase(&rz->sessions, s->id);
	rz->nr_sessions--;

	cdma_ctx_destroy(s->ctx);
	xa_for_each(&s->bufs, handle, buf)
		rz_buf_finish(rz, buf);
	xa_destroy(&s->bufs);
	rz_events_drop(rz, s);
	kfree(s);
}

/**
 * rz_sessions_destroy() - end every session of a device
 * @rz: the device
 */
void rz_sessions_destroy(struct rz_dev *rz)
{
	struct rz_session *s;
	unsigned long id;

	lockdep_assert_held(&rz->lock);

	xa_for_each(&rz->sessions, id, s)
		rz_session_close(rz, s);
}
