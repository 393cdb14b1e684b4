/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdma_soft internals shared by the engine's source files.
 */
#ifndef _CDMA_SOFT_H
#define _CDMA_SOFT_H

#include <linux/cdma_core.h>
#include <linux/cdma_engine.h>
#include <linux/kref.h>
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
 * struct cdma_ctx - an engine client
 * @bufs: handle -> &struct cdma_buf (holding a reference)
 * @lock: protects @inflight, @dying and buffer exports
 * @inflight: transfers submitted and not yet completed
 * @dying: set by cdma_ctx_destroy(); queued transfers are cancelled
 * @idle: woken when @inflight drops to zero
 * @next_ch: the channel of the next transfer (under @lock)
 * @q: the context's queue on each channel (cdma_channels of them)
 * @tenant: who pays for its exports
 */
struct cdma_ctx {
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
	struct cdma_ctx *ctx;
	unsigned int ch;
};

/* buffer.c */
struct cdma_buf *cdma_buf_create(u64 size);

/* global.c */
int cdma_global_resolve(u64 global_addr, u64 key, u32 access, u64 length,
			struct cdma_buf **buf, u64 *offset);
void cdma_global_remove(u32 segment);
void cdma_global_exit(void);

/* tenant.c */
struct cdma_tenant *cdma_tenant_of_user(void);
struct cdma_tenant *cdma_tenant_get(struct cdma_tenant *t);
int cdma_tenant_charge_export(struct cdma_tenant *t);
void cdma_tenant_uncharge_export(struct cdma_tenant *t);
void cdma_tenants_exit(void);

/* xfer.c */
void cdma_chanq_init(struct cdma_ctx *ctx);
void cdma_chanq_flush(struct cdma_ctx *ctx);
int cdma_channels_init(void);
void cdma_channels_exit(void);

/* cdev.c */
int cdma_cdev_init(void);
void cdma_cdev_exit(void);

#endif /* _CDMA_SOFT_H */
