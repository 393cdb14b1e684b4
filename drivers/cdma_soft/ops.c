// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: the engine as cdma_core knows it, &struct cdma_engine.
 *
 * cdma_core gives the registered engine its native device, /dev/cdmaN;
 * rdma_zcopy takes it with cdma_engine_get().  Neither calls cdma_soft
 * directly: a hardware engine registering the same operations would serve
 * them in its place.
 */

#include <linux/mm.h>
#include <linux/module.h>

#include "cdma_soft.h"

static int soft_op_buf_alloc(struct cdma_ctx *ctx, u64 size, u32 *handle)
{
	return soft_buf_alloc(to_soft_ctx(ctx), size, handle);
}

static int soft_op_buf_import(struct cdma_ctx *ctx, struct page **pages,
			      unsigned long npages,
			      void (*release)(void *priv), void *priv,
			      u32 *handle)
{
	return soft_buf_import(to_soft_ctx(ctx), pages, npages, release, priv,
			       handle);
}

static int soft_op_buf_free(struct cdma_ctx *ctx, u32 handle)
{
	return soft_buf_free(to_soft_ctx(ctx), handle);
}

static struct file *soft_op_buf_file(struct cdma_ctx *ctx, u32 handle)
{
	return soft_buf_file(to_soft_ctx(ctx), handle);
}

/* The buffer whose handle is the mapping's page offset. */
static int soft_op_mmap(struct cdma_ctx *ctx, struct vm_area_struct *vma)
{
	struct cdma_buf *buf;
	int ret;

	buf = cdma_buf_get(to_soft_ctx(ctx), vma->vm_pgoff);
	if (!buf)
		return -EINVAL;
	ret = cdma_buf_mmap(buf, vma);
	cdma_buf_put(buf);
	return ret;
}

static int soft_op_export(struct cdma_ctx *ctx, u32 handle, u32 access,
			  u64 *global_addr, u64 *key)
{
	return soft_export(to_soft_ctx(ctx), handle, access, global_addr, key);
}

static int soft_op_revoke(struct cdma_ctx *ctx, u32 handle)
{
	return soft_revoke(to_soft_ctx(ctx), handle);
}

static const struct cdma_engine_ops soft_engine_ops = {
	.info = soft_engine_info,
	.tenant_create = soft_tenant_create,
	.tenant_put = soft_tenant_put,
	.ctx_create = soft_ctx_create,
	.ctx_destroy = soft_ctx_destroy,
	.buf_alloc = soft_op_buf_alloc,
	.buf_import = soft_op_buf_import,
	.buf_free = soft_op_buf_free,
	.buf_file = soft_op_buf_file,
	.mmap = soft_op_mmap,
	.export = soft_op_export,
	.revoke = soft_op_revoke,
	.submit = soft_submit,
	.run = soft_run,
};

struct cdma_engine soft_engine = {
	.ops = &soft_engine_ops,
	.owner = THIS_MODULE,
	.name = "cdma_soft",
};

/**
 * soft_engine_register() - make the engine available, with its native
 *	device (the first one registered is /dev/cdma0)
 *
 * Return: 0 or a negative errno.
 */
int soft_engine_register(void)
{
	return cdma_engine_register(&soft_engine);
}
