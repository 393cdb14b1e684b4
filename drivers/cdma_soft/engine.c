// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: software model of the cDMA RDMA engine.
 *
 * Module set-up, limits and engine contexts.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "cdma_soft.h"

unsigned int cdma_node_id = 1;
module_param_named(node_id, cdma_node_id, uint, 0444);
MODULE_PARM_DESC(node_id, "Unimem node id of this engine, 0..65535 (default 1)");

unsigned int cdma_channels = 2;
module_param_named(channels, cdma_channels, uint, 0444);
MODULE_PARM_DESC(channels, "Engine channels (worker threads), 1..64 (default 2)");

unsigned long long cdma_max_buffer_size = 1ULL << 30;
module_param_named(max_buffer_size, cdma_max_buffer_size, ullong, 0444);
MODULE_PARM_DESC(max_buffer_size, "Largest buffer in bytes, up to 4 GiB (default 1 GiB)");

unsigned int cdma_max_buffers = 1024;
module_param_named(max_buffers, cdma_max_buffers, uint, 0444);
MODULE_PARM_DESC(max_buffers, "Buffers per context (open file), 1..1048576 (default 1024)");

unsigned int cdma_max_inflight = 256;
module_param_named(max_inflight, cdma_max_inflight, uint, 0444);
MODULE_PARM_DESC(max_inflight, "Transfers in flight per context, 1..65536 (default 256)");

unsigned int cdma_max_exports = 4096;
module_param_named(max_exports, cdma_max_exports, uint, 0444);
MODULE_PARM_DESC(max_exports, "Exports per tenant (a user's open files, or a VM), 1..65535 (default 4096)");

/**
 * soft_engine_info() - describe the engine (&cdma_engine_ops.info)
 * @engine: the engine
 * @info: filled with the engine's version, limits and capabilities
 */
void soft_engine_info(struct cdma_engine *engine, struct cdma_info *info)
{
	info->version = CDMA_UAPI_VERSION;
	info->node_id = cdma_node_id;
	info->channels = cdma_channels;
	info->caps = CDMA_CAP_ASYNC | CDMA_CAP_POLL_MODE | CDMA_CAP_EVENTFD |
		     CDMA_CAP_GLOBAL;
	info->max_buffer_size = cdma_max_buffer_size;
	info->max_buffers = cdma_max_buffers;
	info->max_inflight = cdma_max_inflight;
	info->page_size = PAGE_SIZE;
}

/**
 * soft_ctx_create() - create an engine context (&cdma_engine_ops.ctx_create)
 * @engine: the engine
 * @tenant: who pays for its exports (the context takes a reference), or
 *	NULL for the real user of the calling process
 *
 * Return: the context or NULL when out of memory.
 */
struct cdma_ctx *soft_ctx_create(struct cdma_engine *engine,
				 struct cdma_tenant *tenant)
{
	struct soft_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);

	if (!ctx)
		return NULL;
	ctx->q = kcalloc(cdma_channels, sizeof(*ctx->q), GFP_KERNEL_ACCOUNT);
	ctx->tenant = tenant ? cdma_tenant_get(tenant) : cdma_tenant_of_user();
	if (!ctx->q || !ctx->tenant) {
		if (ctx->tenant)
			soft_tenant_put(ctx->tenant);
		kfree(ctx->q);
		kfree(ctx);
		return NULL;
	}
	ctx->base.engine = engine;
	xa_init_flags(&ctx->bufs, XA_FLAGS_ALLOC1);
	spin_lock_init(&ctx->lock);
	init_waitqueue_head(&ctx->idle);
	cdma_chanq_init(ctx);
	return &ctx->base;
}

static bool cdma_ctx_idle(struct soft_ctx *ctx)
{
	bool idle;

	spin_lock(&ctx->lock);
	idle = !ctx->inflight;
	spin_unlock(&ctx->lock);
	return idle;
}

/**
 * soft_ctx_destroy() - end a context (&cdma_engine_ops.ctx_destroy)
 * @c: the context
 *
 * Transfers still queued complete with -ECANCELED, running ones end at
 * their next slice; the wait is bounded by one slice of each other
 * context with work on the channels (they are served in turn).  Exports
 * are revoked and every buffer handle is released.  Mappings of the
 * buffers keep their pages until unmapped.
 */
void soft_ctx_destroy(struct cdma_ctx *c)
{
	struct soft_ctx *ctx = to_soft_ctx(c);
	unsigned long handle;
	struct cdma_buf *buf;

	spin_lock(&ctx->lock);
	ctx->dying = true;
	spin_unlock(&ctx->lock);
	wait_event(ctx->idle, cdma_ctx_idle(ctx));
	cdma_chanq_flush(ctx);

	xa_for_each(&ctx->bufs, handle, buf)
		soft_buf_free(ctx, handle);
	xa_destroy(&ctx->bufs);
	soft_tenant_put(ctx->tenant);
	kfree(ctx->q);
	kfree(ctx);
}

static int __init cdma_soft_init(void)
{
	int ret;

	if (cdma_node_id > U16_MAX || !cdma_channels || cdma_channels > 64 ||
	    cdma_max_buffer_size < PAGE_SIZE ||
	    cdma_max_buffer_size > CDMA_GADDR_OFFSET_MASK + 1 ||
	    !cdma_max_buffers || cdma_max_buffers > (1U << 20) ||
	    !cdma_max_inflight || cdma_max_inflight > (1U << 16) ||
	    !cdma_max_exports || cdma_max_exports > U16_MAX) {
		pr_err("module parameter out of range\n");
		return -EINVAL;
	}

	ret = cdma_channels_init();
	if (ret)
		return ret;
	ret = soft_engine_register();
	if (ret)
		cdma_channels_exit();
	return ret;
}

static void __exit cdma_soft_exit(void)
{
	cdma_engine_unregister(&soft_engine);
	cdma_channels_exit();
	cdma_global_exit();
	cdma_tenants_exit();
}

module_init(cdma_soft_init);
module_exit(cdma_soft_exit);

MODULE_DESCRIPTION("Software model of the cDMA Unimem RDMA engine");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
