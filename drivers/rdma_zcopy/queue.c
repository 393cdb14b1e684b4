// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: the request queue.
 *
 * Each request is one descriptor chain: a device-readable part holding
 * struct virtio_rdma_remote_req_hdr, the opcode's body and (ALLOC) the
 * ranges, followed by a device-writable part of at least
 * sizeof(struct virtio_rdma_remote_resp).  Every field is checked here or
 * by the engine; the exact length of the readable part is part of the
 * format.  Requests complete in order, each before the next is taken.
 */

#include <linux/build_bug.h>
#include <linux/cdma_core.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <uapi/linux/cdma.h>

#include "rdma_zcopy.h"

/* The wire format is fixed; catch any accidental change of the header. */
static_assert(sizeof(struct virtio_rdma_remote_config) == 40);
static_assert(sizeof(struct virtio_rdma_remote_req_hdr) == 8);
static_assert(sizeof(struct virtio_rdma_remote_alloc) == 16);
static_assert(sizeof(struct virtio_rdma_remote_range) == 16);
static_assert(sizeof(struct virtio_rdma_remote_handle) == 8);
static_assert(sizeof(struct virtio_rdma_remote_submit) == 64);
static_assert(sizeof(struct virtio_rdma_remote_resp) == 24);
static_assert(sizeof(struct virtio_rdma_remote_event) == 32);

#define RZ_HDR	sizeof(struct virtio_rdma_remote_req_hdr)

/**
 * struct rz_req - the request being handled
 * @c: its descriptor chain
 * @pos: bytes of the readable part consumed so far
 * @session: session id from the header
 * @resp: the response being built
 */
struct rz_req {
	const struct rz_chain *c;
	u64 pos;
	u32 session;
	struct virtio_rdma_remote_resp resp;
};

/* Read the next @len bytes of the request: S_FAULT if unreadable. */
static int rz_pull(struct rz_dev *rz, struct rz_req *r, void *buf, size_t len)
{
	return rz_chain_pull(rz, r->c, &r->pos, buf, len);
}

static u32 rz_op_session_open(struct rz_dev *rz, struct rz_req *r)
{
	u32 id, st;

	if (r->c->out_len != RZ_HDR || r->session)
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	st = rz_session_open(rz, &id);
	if (st == VIRTIO_RDMA_REMOTE_S_OK)
		r->resp.id = cpu_to_le32(id);
	return st;
}

static u32 rz_op_session_close(struct rz_dev *rz, struct rz_req *r)
{
	struct rz_session *s;

	if (r->c->out_len != RZ_HDR)
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	s = rz_session_find(rz, r->session);
	if (!s)
		return VIRTIO_RDMA_REMOTE_S_NOENT;
	rz_session_close(rz, s);
	return VIRTIO_RDMA_REMOTE_S_OK;
}

static u32 rz_op_alloc(struct rz_dev *rz, struct rz_req *r)
{
	struct virtio_rdma_remote_range *ranges;
	struct virtio_rdma_remote_alloc a;
	struct rz_session *s;
	u32 nr, handle, st;
	u64 size;

	if (r->c->out_len < RZ_HDR + sizeof(a))
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	if (rz_pull(rz, r, &a, sizeof(a)))
		return VIRTIO_RDMA_REMOTE_S_FAULT;
	size = le64_to_cpu(a.size);
	nr = le32_to_cpu(a.nr_ranges);
	if (a.flags || !nr || nr > rz->limits.max_ranges ||
	    r->c->out_len != RZ_HDR + sizeof(a) + (u64)nr * sizeof(*ranges) ||
	    !size || !IS_ALIGNED(size, RZ_WIRE_PAGE))
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	if (size > rz->limits.max_buffer_size)
		return VIRTIO_RDMA_REMOTE_S_FBIG;
	s = rz_session_find(rz, r->session);
	if (!s)
		return VIRTIO_RDMA_REMOTE_S_NOENT;

	ranges = kvmalloc_array(nr, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return VIRTIO_RDMA_REMOTE_S_NOMEM;
	if (rz_pull(rz, r, ranges, nr * sizeof(*ranges))) {
		st = VIRTIO_RDMA_REMOTE_S_FAULT;
	} else {
		st = rz_buf_alloc(rz, s, size, ranges, nr, &handle);
		if (st == VIRTIO_RDMA_REMOTE_S_OK)
			r->resp.id = cpu_to_le32(handle);
	}
	kvfree(ranges);
	return st;
}

/* FREE, EXPORT, REVOKE */
static u32 rz_op_handle(struct rz_dev *rz, struct rz_req *r, u32 op)
{
	struct virtio_rdma_remote_handle h;
	struct rz_session *s;
	u32 handle, access;
	u64 gaddr, key;
	int ret;

	if (r->c->out_len != RZ_HDR + sizeof(h))
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	if (rz_pull(rz, r, &h, sizeof(h)))
		return VIRTIO_RDMA_REMOTE_S_FAULT;
	handle = le32_to_cpu(h.handle);
	access = le32_to_cpu(h.access);
	if (op != VIRTIO_RDMA_REMOTE_OP_EXPORT && access)
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	if (op != VIRTIO_RDMA_REMOTE_OP_FREE &&
	    !rz_has_feature(rz, VIRTIO_RDMA_REMOTE_F_GLOBAL))
		return VIRTIO_RDMA_REMOTE_S_UNSUPP;
	s = rz_session_find(rz, r->session);
	if (!s)
		return VIRTIO_RDMA_REMOTE_S_NOENT;
	if (op == VIRTIO_RDMA_REMOTE_OP_FREE)
		return rz_buf_free(rz, s, handle);
	if (!xa_load(&s->bufs, handle))
		return VIRTIO_RDMA_REMOTE_S_NOENT;

	if (op == VIRTIO_RDMA_REMOTE_OP_REVOKE)
		return vrr_errno_to_status(cdma_revoke(s->ctx, handle));
	ret = cdma_export(s->ctx, handle, access, &gaddr, &key);
	if (ret)
		return vrr_errno_to_status(ret);
	r->resp.global_addr = cpu_to_le64(gaddr);
	r->resp.key = cpu_to_le64(key);
	return VIRTIO_RDMA_REMOTE_S_OK;
}

/* The engine request of SUBMIT body @w, for session @s. */
static void rz_xfer_init(struct rz_xfer *x, struct rz_dev *rz,
			 struct rz_session *s,
			 const struct virtio_rdma_remote_submit *w)
{
	x->rz = rz;
	x->session = s;
	x->tag = le64_to_cpu(w->tag);
	x->req.done = rz_xfer_done;
	/* Always asynchronous: the cookie carries the tag, checked nowhere. */
	x->req.xfer.dir = le32_to_cpu(w->dir);
	x->req.xfer.flags = CDMA_XFER_F_ASYNC;
	x->req.xfer.src_handle = le32_to_cpu(w->src_handle);
	x->req.xfer.dst_handle = le32_to_cpu(w->dst_handle);
	x->req.xfer.src_offset = le64_to_cpu(w->src_offset);
	x->req.xfer.dst_offset = le64_to_cpu(w->dst_offset);
	x->req.xfer.length = le64_to_cpu(w->length);
	x->req.xfer.global_addr = le64_to_cpu(w->global_addr);
	x->req.xfer.key = le64_to_cpu(w->key);
	x->req.xfer.cookie = x->tag;
}

/*
 * Move @x in this run (cdma_run()); with F_SUBMIT_END its end may be
 * reported by the response (@x->ended).
 */
static int rz_xfer_run_here(struct rz_dev *rz, struct rz_xfer *x)
{
	int ret;

	rz->here_bytes += x->req.xfer.length;
	WRITE_ONCE(x->end_here,
		   rz_has_feature(rz, VIRTIO_RDMA_REMOTE_F_SUBMIT_END));
	ret = cdma_run(x->session->ctx, &x->req);
	/* A later done() is a channel's, or a cancellation's. */
	WRITE_ONCE(x->end_here, false);
	return ret;
}

static u32 rz_op_submit(struct rz_dev *rz, struct rz_req *r)
{
	struct virtio_rdma_remote_submit w;
	struct rz_xfer *x, onstack;
	struct rz_session *s;
	bool here;
	u32 dir;
	int ret;

	if (r->c->out_len != RZ_HDR + sizeof(w))
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	if (rz_pull(rz, r, &w, sizeof(w)))
		return VIRTIO_RDMA_REMOTE_S_FAULT;
	if (w.flags)
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	dir = le32_to_cpu(w.dir);
	if ((dir == CDMA_XFER_TO_GLOBAL || dir == CDMA_XFER_FROM_GLOBAL) &&
	    !rz_has_feature(rz, VIRTIO_RDMA_REMOTE_F_GLOBAL))
		return VIRTIO_RDMA_REMOTE_S_UNSUPP;
	s = rz_session_find(rz, r->session);
	if (!s)
		return VIRTIO_RDMA_REMOTE_S_NOENT;
	/* Bounds the events waiting for event buffers, too. */
	if (s->inflight >= rz->limits.max_inflight)
		return VIRTIO_RDMA_REMOTE_S_BUSY;

	here = le64_to_cpu(w.length) <= RZ_HERE_BYTES - rz->here_bytes;
	/*
	 * Moved here by an engine that can, its end in the response: the
	 * transfer is over when cdma_run() returns, and needs no memory.
	 */
	if (here && rz_has_feature(rz, VIRTIO_RDMA_REMOTE_F_SUBMIT_END) &&
	    cdma_runs_here(s->ctx)) {
		x = &onstack;
		memset(x, 0, sizeof(*x));
	} else {
		x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);
		if (!x)
			return VIRTIO_RDMA_REMOTE_S_NOMEM;
	}
	rz_xfer_init(x, rz, s, &w);

	/* The event is delivered by this worker, under rz->lock: no race. */
	s->inflight++;
	ret = here ? rz_xfer_run_here(rz, x) : cdma_submit(s->ctx, &x->req);
	if (!ret && !x->ended) {
		/* Queued, or ended with an event to deliver. */
		if (!WARN_ON_ONCE(x == &onstack))
			return VIRTIO_RDMA_REMOTE_S_OK;
		/* An engine that broke the run contract: @x must not stay. */
		spin_lock(&rz->ev_lock);
		if (x->link.next)
			list_del(&x->link);
		spin_unlock(&rz->ev_lock);
		ret = -EIO;
	}
	if (!ret) {
		r->resp.id = cpu_to_le32(VIRTIO_RDMA_REMOTE_SUBMIT_ENDED);
		r->resp.end.status = cpu_to_le32(rz_event_status(x->req.status));
		r->resp.end.bytes = cpu_to_le64(x->req.bytes);
	}
	s->inflight--;
	if (x != &onstack)
		kfree(x);
	return vrr_errno_to_status(ret);
}

static u32 rz_dispatch(struct rz_dev *rz, struct rz_req *r)
{
	struct virtio_rdma_remote_req_hdr hdr;
	u32 op;

	if (r->c->out_len < sizeof(hdr))
		return VIRTIO_RDMA_REMOTE_S_INVAL;
	if (rz_pull(rz, r, &hdr, sizeof(hdr)))
		return VIRTIO_RDMA_REMOTE_S_FAULT;
	op = le32_to_cpu(hdr.opcode);
	r->session = le32_to_cpu(hdr.session);

	switch (op) {
	case VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN:
		return rz_op_session_open(rz, r);
	case VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE:
		return rz_op_session_close(rz, r);
	case VIRTIO_RDMA_REMOTE_OP_ALLOC:
		return rz_op_alloc(rz, r);
	case VIRTIO_RDMA_REMOTE_OP_FREE:
	case VIRTIO_RDMA_REMOTE_OP_EXPORT:
	case VIRTIO_RDMA_REMOTE_OP_REVOKE:
		return rz_op_handle(rz, r, op);
	case VIRTIO_RDMA_REMOTE_OP_SUBMIT:
		return rz_op_submit(rz, r);
	default:
		return VIRTIO_RDMA_REMOTE_S_UNSUPP;
	}
}

/*
 * Handle one request.  Return: bytes written into the chain, for the used
 * ring: the response's size, or 0 when there was no room for a response
 * (the request is then not executed).
 */
static u32 rz_request(struct rz_dev *rz, const struct rz_chain *c)
{
	struct rz_req r = { .c = c };
	u32 st;

	/* Prove the response can be written before acting on the request. */
	if (rz_chain_push(rz, c, &r.resp, sizeof(r.resp)))
		return 0;
	st = rz_dispatch(rz, &r);
	r.resp.status = cpu_to_le32(st);
	if (rz_chain_push(rz, c, &r.resp, sizeof(r.resp)))
		return 0;
	return sizeof(r.resp);
}

/**
 * rz_process_requests() - handle requests from the request queue
 * @rz: the device, in the worker with rz->lock held
 * @budget: most requests to handle
 *
 * Return: true when @budget was used up (more may be waiting).
 */
bool rz_process_requests(struct rz_dev *rz, unsigned int budget)
{
	struct rz_vq *vq = &rz->vqs[VIRTIO_RDMA_REMOTE_VQ_REQ];
	struct rz_chain *c = &rz->chain;
	unsigned int n;

	lockdep_assert_held(&rz->lock);

	rz->here_bytes = 0;
	for (n = 0; n < budget; n++) {
		if (rz_vq_getdesc(rz, vq, c))
			break;
		rz_vq_complete(rz, vq, c->head, rz_request(rz, c));
	}
	if (n)
		rz_vq_notify(rz, vq);
	return n == budget;
}
