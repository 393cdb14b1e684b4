/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel interface of a cDMA engine.
 *
 * An engine (cdma_soft, the software model; a hardware engine's driver)
 * registers a &struct cdma_engine with cdma_core, which gives it its native
 * device, /dev/cdmaN.  Clients (the native device, the vDPA backend
 * rdma_zcopy) take an engine with cdma_engine_get(), create a context in it,
 * allocate buffers and submit transfers through the inline functions below,
 * whichever engine it is.  Handles are local to a context; global addresses
 * are shared by every context of the node, and each context's tenant pays
 * for its exports.  Completions are delivered by calling &struct
 * cdma_req.done, the engine's completion interrupt.
 */
#ifndef _LINUX_CDMA_ENGINE_H
#define _LINUX_CDMA_ENGINE_H

#include <linux/list.h>
#include <linux/string.h>
#include <linux/types.h>
#include <uapi/linux/cdma.h>

struct cdma_device;
struct cdma_engine;
struct cdma_native;
struct cdma_tenant;
struct file;
struct module;
struct page;
struct vm_area_struct;

/**
 * struct cdma_ctx - an engine context, as clients see it
 * @engine: the engine it belongs to
 *
 * Embedded in the engine's own context structure.
 */
struct cdma_ctx {
	struct cdma_engine *engine;
};

/* Words of &struct cdma_req.engine_priv. */
#define CDMA_REQ_ENGINE_WORDS	8

/**
 * struct cdma_req - a transfer handed to the engine
 * @xfer: the transfer, in uAPI layout; checked by the engine
 * @status: out: 0 or a negative errno, valid in @done
 * @bytes: out: bytes moved, valid in @done
 * @done: called exactly once when the transfer ends, in process context
 *	or from a channel's completion; may free the request
 * @priv: for the client
 * @engine_priv: the engine's, from &cdma_engine_ops.submit to @done
 */
struct cdma_req {
	struct cdma_xfer xfer;
	int status;
	u64 bytes;
	void (*done)(struct cdma_req *req);
	void *priv;
	unsigned long engine_priv[CDMA_REQ_ENGINE_WORDS];
};

/**
 * struct cdma_engine_ops - what an engine implements
 * @info: describe the engine (version, node, limits, CDMA_CAP_*) in a
 *	zeroed &struct cdma_info
 * @tenant_create: a new tenant (who pays for exports: a VM), or NULL
 * @tenant_put: drop a reference of @tenant_create
 * @ctx_create: a new context; @tenant NULL means the real user of the
 *	calling process; NULL when out of memory
 * @ctx_destroy: end a context: cancel its transfers (their @done is
 *	called), revoke its exports, release its handles
 * @buf_alloc: allocate a zeroed buffer of @size bytes (rounded up to
 *	pages); 0 and its handle, or a negative errno
 * @buf_import: make a buffer of pages the caller owns; @release(@priv)
 *	is called once the engine no longer uses them
 * @buf_free: release a handle (the buffer lives on while used)
 * @buf_file: a file mapping the buffer's pages (a reference), or an
 *	ERR_PTR()
 * @mmap: map the buffer whose handle is @vma->vm_pgoff into @vma
 * @export: give a buffer a global address and a key
 * @revoke: withdraw an export
 * @submit: queue a transfer; on success @req->done is called exactly
 *	once, later; on failure nothing is queued
 * @run: optional: move a transfer in the calling thread, which may sleep;
 *	as @submit, but on success @req->done has been called, in the
 *	calling thread, when it returns (a client that would wait for the
 *	transfer saves the hop to the engine's worker and back)
 */
struct cdma_engine_ops {
	void (*info)(struct cdma_engine *engine, struct cdma_info *info);
	struct cdma_tenant *(*tenant_create)(struct cdma_engine *engine);
	void (*tenant_put)(struct cdma_tenant *tenant);
	struct cdma_ctx *(*ctx_create)(struct cdma_engine *engine,
				       struct cdma_tenant *tenant);
	void (*ctx_destroy)(struct cdma_ctx *ctx);
	int (*buf_alloc)(struct cdma_ctx *ctx, u64 size, u32 *handle);
	int (*buf_import)(struct cdma_ctx *ctx, struct page **pages,
			  unsigned long npages, void (*release)(void *priv),
			  void *priv, u32 *handle);
	int (*buf_free)(struct cdma_ctx *ctx, u32 handle);
	struct file *(*buf_file)(struct cdma_ctx *ctx, u32 handle);
	int (*mmap)(struct cdma_ctx *ctx, struct vm_area_struct *vma);
	int (*export)(struct cdma_ctx *ctx, u32 handle, u32 access,
		      u64 *global_addr, u64 *key);
	int (*revoke)(struct cdma_ctx *ctx, u32 handle);
	int (*submit)(struct cdma_ctx *ctx, struct cdma_req *req);
	int (*run)(struct cdma_ctx *ctx, struct cdma_req *req);
};

/**
 * struct cdma_engine - a registered engine
 * @ops: its operations
 * @owner: its module, held by every client (cdma_engine_get())
 * @name: its name, for cdma_engine_get()
 * @node: in cdma_core's list of engines
 * @native: cdma_core's native device of the engine, /dev/cdmaN
 */
struct cdma_engine {
	const struct cdma_engine_ops *ops;
	struct module *owner;
	const char *name;
	struct list_head node;
	struct cdma_native *native;
};

int cdma_engine_register(struct cdma_engine *engine);
void cdma_engine_unregister(struct cdma_engine *engine);
struct cdma_engine *cdma_engine_get(const char *name);
void cdma_engine_put(struct cdma_engine *engine);
struct cdma_device *cdma_engine_device(struct cdma_engine *engine);

static inline void cdma_engine_info(struct cdma_engine *engine,
				    struct cdma_info *info)
{
	memset(info, 0, sizeof(*info));
	engine->ops->info(engine, info);
}

static inline struct cdma_tenant *cdma_tenant_create(struct cdma_engine *engine)
{
	return engine->ops->tenant_create(engine);
}

static inline void cdma_tenant_put(struct cdma_engine *engine,
				   struct cdma_tenant *tenant)
{
	engine->ops->tenant_put(tenant);
}

static inline struct cdma_ctx *cdma_ctx_create(struct cdma_engine *engine,
					       struct cdma_tenant *tenant)
{
	return engine->ops->ctx_create(engine, tenant);
}

static inline void cdma_ctx_destroy(struct cdma_ctx *ctx)
{
	ctx->engine->ops->ctx_destroy(ctx);
}

static inline int cdma_buf_alloc(struct cdma_ctx *ctx, u64 size, u32 *handle)
{
	return ctx->engine->ops->buf_alloc(ctx, size, handle);
}

static inline int cdma_buf_import(struct cdma_ctx *ctx, struct page **pages,
				  unsigned long npages,
				  void (*release)(void *priv), void *priv,
				  u32 *handle)
{
	return ctx->engine->ops->buf_import(ctx, pages, npages, release, priv,
					    handle);
}

static inline int cdma_buf_free(struct cdma_ctx *ctx, u32 handle)
{
	return ctx->engine->ops->buf_free(ctx, handle);
}

static inline struct file *cdma_buf_file(struct cdma_ctx *ctx, u32 handle)
{
	return ctx->engine->ops->buf_file(ctx, handle);
}

static inline int cdma_ctx_mmap(struct cdma_ctx *ctx,
				struct vm_area_struct *vma)
{
	return ctx->engine->ops->mmap(ctx, vma);
}

static inline int cdma_export(struct cdma_ctx *ctx, u32 handle, u32 access,
			      u64 *global_addr, u64 *key)
{
	return ctx->engine->ops->export(ctx, handle, access, global_addr, key);
}

static inline int cdma_revoke(struct cdma_ctx *ctx, u32 handle)
{
	return ctx->engine->ops->revoke(ctx, handle);
}

static inline int cdma_submit(struct cdma_ctx *ctx, struct cdma_req *req)
{
	return ctx->engine->ops->submit(ctx, req);
}

/**
 * cdma_runs_here() - does cdma_run() move transfers in the calling thread?
 * @ctx: the context
 *
 * Return: true when the engine has &cdma_engine_ops.run: a cdma_run()
 * that succeeds has called the request's done, in the calling thread,
 * before it returns.
 */
static inline bool cdma_runs_here(struct cdma_ctx *ctx)
{
	return ctx->engine->ops->run;
}

/**
 * cdma_run() - move a transfer in the calling thread, where the engine can
 * @ctx: the context
 * @req: the request, as for cdma_submit()
 *
 * Context: may sleep.
 * Return: as cdma_submit(); @req->done may be called before the return
 * (&cdma_engine_ops.run) or later (an engine without it queues @req).
 */
static inline int cdma_run(struct cdma_ctx *ctx, struct cdma_req *req)
{
	const struct cdma_engine_ops *ops = ctx->engine->ops;

	return ops->run ? ops->run(ctx, req) : ops->submit(ctx, req);
}

#endif /* _LINUX_CDMA_ENGINE_H */
