/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdma_soft internals shared by the engine's source files.
 */
#ifndef _CDMA_SOFT_H
#define _CDMA_SOFT_H

#include <linux/cdma_core.h>
#include <linux/cdma_engine.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/mm_types.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

/* Module parameters (engine.c) */
extern unsigned int cdma_node_id;
extern unsigned int cdma_channels;
extern unsigned long long cdma_max_buffer_size;
extern unsigned int cdma_max_buffers;
extern unsigned int cdma_max_inflight;
extern unsigned int cdma_max_exports;

/**
 * struct cdma_tenant - who pays for the node's shared resources (tenant.c)
 * @ref: its contexts and their exports hold one each
 * @exports: the segments its contexts export
 * @uid: a user's tenant: the user id, its key in the users' table; a
 *	tenant created by a client: U64_MAX
 */
struct cdma_tenant {
	refcount_t ref;
	atomic_t exports;
	u64 uid;
};

/**
 * struct cdma_buf - a DMA buffer
 * @ref: references: the owning handle, transfers, the export
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @pg: the pages
 * @release: for imported pages: tells the owner the engine is done
 * @release_priv: argument of @release
 * @export: segment number while exported, 0 otherwise (under ctx->lock)
 * @handle: its handle in the owning context (the page offset at which the
 *	context's file maps it)
 */
struct cdma_buf {
	struct kref ref;
	u64 size;
	struct cdma_pages pg;
	void (*release)(void *priv);
	void *release_priv;
	u32 export;
	u32 handle;
};

/**
 * struct soft_ctx - an engine client
 * @base: what clients see of it (&struct cdma_ctx)
 * @bufs: handle -> &struct cdma_buf (holding a reference)
 * @lock: protects @inflight, @dying and buffer exports
 * @inflight: transfers submitted and not yet completed
 * @dying: set by soft_ctx_destroy(); queued transfers are cancelled
 * @idle: woken when @inflight drops to zero
 * @next_ch: the channel of the next transfer (under @lock)
 * @q: the context's queue on each channel (cdma_channels of them)
 * @tenant: who pays for its exports
 */
struct soft_ctx {
	struct cdma_ctx base;
	struct xarray bufs;
	spinlock_t lock; /* see above */
	unsigned int inflight;
	bool dying;
	wait_queue_head_t idle;
	unsigned int next_ch;
	struct cdma_chanq *q;
	struct cdma_tenant *tenant;
};

/**
 * struct cdma_chanq - a context's transfers queued on one channel
 * @work: queued on the channel's worker while @reqs is not empty; it runs
 *	one slice of the first transfer and queues itself again behind the
 *	other contexts' (round robin between contexts, slice by slice)
 * @reqs: the transfers, in order (under the context's lock)
 * @ctx: the context
 * @ch: the channel
 */
struct cdma_chanq {
	struct kthread_work work;
	struct list_head reqs;
	struct soft_ctx *ctx;
	unsigned int ch;
};

static inline struct soft_ctx *to_soft_ctx(struct cdma_ctx *ctx)
{
	return container_of(ctx, struct soft_ctx, base);
}

/**
 * struct soft_req - the engine's state of a transfer, in its request's
 *	&cdma_req.engine_priv
 * @req: the request
 * @ctx: the submitting context
 * @src: source buffer (a reference) while queued
 * @dst: destination buffer (a reference) while queued
 * @src_off: first source byte
 * @dst_off: first destination byte
 * @node: in the context's queue on a channel (&struct cdma_chanq)
 */
struct soft_req {
	struct cdma_req *req;
	struct soft_ctx *ctx;
	struct cdma_buf *src;
	struct cdma_buf *dst;
	u64 src_off;
	u64 dst_off;
	struct list_head node;
};

static inline struct soft_req *soft_req(struct cdma_req *req)
{
	BUILD_BUG_ON(sizeof(struct soft_req) > sizeof(req->engine_priv));
	return (struct soft_req *)req->engine_priv;
}

/* engine.c */
extern struct cdma_engine soft_engine;
void soft_engine_info(struct cdma_engine *engine, struct cdma_info *info);
struct cdma_ctx *soft_ctx_create(struct cdma_engine *engine,
				 struct cdma_tenant *tenant);
void soft_ctx_destroy(struct cdma_ctx *ctx);

/* buffer.c */
struct cdma_buf *cdma_buf_create(u64 size);
int soft_buf_alloc(struct soft_ctx *ctx, u64 size, u32 *handle);
int soft_buf_import(struct soft_ctx *ctx, struct page **pages,
		    unsigned long npages, void (*release)(void *priv),
		    void *priv, u32 *handle);
int soft_buf_free(struct soft_ctx *ctx, u32 handle);
struct cdma_buf *cdma_buf_get(struct soft_ctx *ctx, u32 handle);
void cdma_buf_put(struct cdma_buf *buf);
u64 cdma_buf_size(const struct cdma_buf *buf);
int cdma_buf_mmap(struct cdma_buf *buf, struct vm_area_struct *vma);
struct file *soft_buf_file(struct soft_ctx *ctx, u32 handle);

/* global.c */
int soft_export(struct soft_ctx *ctx, u32 handle, u32 access,
		u64 *global_addr, u64 *key);
int soft_revoke(struct soft_ctx *ctx, u32 handle);
bool soft_unexport(struct soft_ctx *ctx, struct cdma_buf *buf);
int cdma_global_resolve(u64 global_addr, u64 key, u32 access, u64 length,
			struct cdma_buf **buf, u64 *offset);
void cdma_global_remove(u32 segment);
void cdma_global_exit(void);

/* tenant.c */
struct cdma_tenant *soft_tenant_create(struct cdma_engine *engine);
void soft_tenant_put(struct cdma_tenant *t);
struct cdma_tenant *cdma_tenant_of_user(void);
struct cdma_tenant *cdma_tenant_get(struct cdma_tenant *t);
int cdma_tenant_charge_export(struct cdma_tenant *t);
void cdma_tenant_uncharge_export(struct cdma_tenant *t);
void cdma_tenants_exit(void);

/* xfer.c */
void cdma_chanq_init(struct soft_ctx *ctx);
void cdma_chanq_flush(struct soft_ctx *ctx);
int soft_submit(struct cdma_ctx *ctx, struct cdma_req *req);
int soft_run(struct cdma_ctx *ctx, struct cdma_req *req);
int cdma_channels_init(void);
void cdma_channels_exit(void);

/* ops.c */
int soft_engine_register(void);

#endif /* _CDMA_SOFT_H */
