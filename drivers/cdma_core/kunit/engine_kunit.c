// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cdma_core's engine interface (engine.c) with an engine of
 * their own: a fake that keeps buffers in kernel memory and completes a
 * transfer from a work item.  It registers like cdma_soft does; clients
 * reach it through include/linux/cdma_engine.h (as rdma_zcopy does), and
 * its native device, served by cdma_core, moves its data: nothing there
 * knows which engine it drives.
 */

#include <kunit/test.h>
#include <linux/cdma_core.h>
#include <linux/cdma_engine.h>
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#define FAKE_MAX_BUF	(64 * 1024)

/* The fake's tenant: nothing is accounted. */
struct cdma_tenant {
	int unused;
};

static struct cdma_tenant fake_tenant;

struct fake_ctx {
	struct cdma_ctx base;
	struct xarray bufs;
};

struct fake_buf {
	u64 size;
	u8 *data;
};

/* A transfer being run by the fake (a work item is too large, with
 * lockdep, for &cdma_req.engine_priv: the fake allocates it).
 */
struct fake_req {
	struct work_struct work;
	struct cdma_req *req;
	struct fake_ctx *ctx;
};

static struct fake_ctx *to_fake(struct cdma_ctx *ctx)
{
	return container_of(ctx, struct fake_ctx, base);
}

static void fake_info(struct cdma_engine *e, struct cdma_info *info)
{
	info->version = CDMA_UAPI_VERSION;
	info->node_id = 7;
	info->channels = 1;
	info->caps = CDMA_CAP_ASYNC;
	info->max_buffer_size = FAKE_MAX_BUF;
	info->max_buffers = 16;
	info->max_inflight = 4;
	info->page_size = PAGE_SIZE;
}

static struct cdma_tenant *fake_tenant_create(struct cdma_engine *e)
{
	return &fake_tenant;
}

static void fake_tenant_put(struct cdma_tenant *t)
{
}

static struct cdma_ctx *fake_ctx_create(struct cdma_engine *e,
					struct cdma_tenant *t)
{
	struct fake_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return NULL;
	ctx->base.engine = e;
	xa_init_flags(&ctx->bufs, XA_FLAGS_ALLOC1);
	return &ctx->base;
}

static int fake_buf_free(struct cdma_ctx *c, u32 handle)
{
	struct fake_buf *b = xa_erase(&to_fake(c)->bufs, handle);

	if (!b)
		return -ENOENT;
	kfree(b->data);
	kfree(b);
	return 0;
}

/* The tests wait for every transfer they submit: none is left here. */
static void fake_ctx_destroy(struct cdma_ctx *c)
{
	struct fake_ctx *ctx = to_fake(c);
	unsigned long h;
	void *b;

	xa_for_each(&ctx->bufs, h, b)
		fake_buf_free(c, h);
	xa_destroy(&ctx->bufs);
	kfree(ctx);
}

static int fake_buf_alloc(struct cdma_ctx *c, u64 size, u32 *handle)
{
	struct fake_buf *b = kzalloc(sizeof(*b), GFP_KERNEL);
	int ret;

	if (!b)
		return -ENOMEM;
	b->size = PAGE_ALIGN(size);
	b->data = kzalloc(b->size, GFP_KERNEL);
	if (!b->data) {
		kfree(b);
		return -ENOMEM;
	}
	ret = xa_alloc(&to_fake(c)->bufs, handle, b, XA_LIMIT(1, 16),
		       GFP_KERNEL);
	if (ret) {
		kfree(b->data);
		kfree(b);
	}
	return ret == -EBUSY ? -ENOSPC : ret;
}

static int fake_buf_import(struct cdma_ctx *c, struct page **pages,
			   unsigned long npages, void (*release)(void *priv),
			   void *priv, u32 *handle)
{
	return -EOPNOTSUPP;
}

static struct file *fake_buf_file(struct cdma_ctx *c, u32 handle)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static int fake_mmap(struct cdma_ctx *c, struct vm_area_struct *vma)
{
	return -EOPNOTSUPP;
}

static int fake_export(struct cdma_ctx *c, u32 handle, u32 access,
		       u64 *global_addr, u64 *key)
{
	return -EOPNOTSUPP;
}

static int fake_revoke(struct cdma_ctx *c, u32 handle)
{
	return -EOPNOTSUPP;
}

static void fake_xfer_work(struct work_struct *work)
{
	struct fake_req *fr = container_of(work, struct fake_req, work);
	struct cdma_req *req = fr->req;
	const struct cdma_xfer *x = &req->xfer;
	struct fake_buf *s = xa_load(&fr->ctx->bufs, x->src_handle);
	struct fake_buf *d = xa_load(&fr->ctx->bufs, x->dst_handle);

	memcpy(d->data + x->dst_offset, s->data + x->src_offset, x->length);
	kfree(fr);
	req->status = 0;
	req->bytes = x->length;
	req->done(req);
}

/* Local transfers only, checked here; the copy runs in a work item. */
static int fake_submit(struct cdma_ctx *c, struct cdma_req *req)
{
	const struct cdma_xfer *x = &req->xfer;
	struct fake_ctx *ctx = to_fake(c);
	struct fake_buf *s, *d;
	struct fake_req *fr;

	if (x->dir != CDMA_XFER_LOCAL)
		return -EOPNOTSUPP;
	s = xa_load(&ctx->bufs, x->src_handle);
	d = xa_load(&ctx->bufs, x->dst_handle);
	if (!s || !d)
		return -ENOENT;
	if (x->src_offset > s->size || x->length > s->size - x->src_offset ||
	    x->dst_offset > d->size || x->length > d->size - x->dst_offset)
		return -ERANGE;
	fr = kzalloc(sizeof(*fr), GFP_KERNEL);
	if (!fr)
		return -ENOMEM;
	fr->req = req;
	fr->ctx = ctx;
	INIT_WORK(&fr->work, fake_xfer_work);
	schedule_work(&fr->work);
	return 0;
}

static const struct cdma_engine_ops fake_ops = {
	.info = fake_info,
	.tenant_create = fake_tenant_create,
	.tenant_put = fake_tenant_put,
	.ctx_create = fake_ctx_create,
	.ctx_destroy = fake_ctx_destroy,
	.buf_alloc = fake_buf_alloc,
	.buf_import = fake_buf_import,
	.buf_free = fake_buf_free,
	.buf_file = fake_buf_file,
	.mmap = fake_mmap,
	.export = fake_export,
	.revoke = fake_revoke,
	.submit = fake_submit,
};

static struct cdma_engine fake_engine = {
	.ops = &fake_ops,
	.owner = THIS_MODULE,
	.name = "kunit_fake",
};

KUNIT_DEFINE_ACTION_WRAPPER(unregister_action, cdma_engine_unregister,
			    struct cdma_engine *);
KUNIT_DEFINE_ACTION_WRAPPER(put_action, cdma_engine_put,
			    struct cdma_engine *);
KUNIT_DEFINE_ACTION_WRAPPER(ctx_destroy_action, cdma_ctx_destroy,
			    struct cdma_ctx *);

/* Register the fake and take it by name, as a client does. */
static struct cdma_engine *fake_get(struct kunit *test)
{
	struct cdma_engine *e;

	KUNIT_ASSERT_EQ(test, cdma_engine_register(&fake_engine), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_action,
							&fake_engine), 0);
	e = cdma_engine_get("kunit_fake");
	KUNIT_ASSERT_PTR_EQ(test, e, &fake_engine);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action, e),
			0);
	return e;
}

static u8 *fake_data(struct cdma_ctx *ctx, u32 handle)
{
	struct fake_buf *b = xa_load(&to_fake(ctx)->bufs, handle);

	return b ? b->data : NULL;
}

static void done_complete(struct cdma_req *req)
{
	complete(req->priv);
}

/* Registration: one engine per name; an unknown name gets none. */
static void engine_register_test(struct kunit *test)
{
	struct cdma_device *dev;

	fake_get(test);
	KUNIT_EXPECT_EQ(test, cdma_engine_register(&fake_engine), -EEXIST);
	KUNIT_EXPECT_NULL(test, cdma_engine_get("no such engine"));
	dev = cdma_engine_device(&fake_engine);
	KUNIT_EXPECT_GE(test, dev->index, 0);
	KUNIT_EXPECT_EQ(test, dev->max_buffer_size, (u64)FAKE_MAX_BUF);
	KUNIT_EXPECT_PTR_EQ(test, dev->owner, THIS_MODULE);
}

/* A client on the fake, through the interface only (as rdma_zcopy). */
static void engine_client_test(struct kunit *test)
{
	struct cdma_engine *e = fake_get(test);
	DECLARE_COMPLETION_ONSTACK(done);
	struct cdma_req req = {};
	struct cdma_info info = {};
	struct cdma_tenant *t;
	struct cdma_ctx *ctx;
	u32 a = 0, b = 0;

	cdma_engine_info(e, &info);
	KUNIT_EXPECT_EQ(test, info.node_id, 7U);
	t = cdma_tenant_create(e);
	KUNIT_ASSERT_NOT_NULL(test, t);
	ctx = cdma_ctx_create(e, t);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							ctx_destroy_action,
							ctx), 0);
	KUNIT_ASSERT_EQ(test, cdma_buf_alloc(ctx, 100, &a), 0);
	KUNIT_ASSERT_EQ(test, cdma_buf_alloc(ctx, PAGE_SIZE, &b), 0);
	memset(fake_data(ctx, a), 0x5a, 100);

	req.xfer.dir = CDMA_XFER_LOCAL;
	req.xfer.src_handle = a;
	req.xfer.dst_handle = b;
	req.xfer.dst_offset = 8;
	req.xfer.length = 100;
	req.done = done_complete;
	req.priv = &done;
	KUNIT_ASSERT_EQ(test, cdma_submit(ctx, &req), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&done, 10 * HZ), 0UL);
	KUNIT_EXPECT_EQ(test, req.status, 0);
	KUNIT_EXPECT_EQ(test, req.bytes, 100ULL);
	KUNIT_EXPECT_EQ(test, fake_data(ctx, b)[7], 0);
	KUNIT_EXPECT_EQ(test, fake_data(ctx, b)[8], 0x5a);
	KUNIT_EXPECT_EQ(test, fake_data(ctx, b)[107], 0x5a);
	KUNIT_EXPECT_EQ(test, fake_data(ctx, b)[108], 0);

	req.xfer.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, cdma_submit(ctx, &req), -ERANGE);
	KUNIT_EXPECT_EQ(test, cdma_buf_free(ctx, a), 0);
	KUNIT_EXPECT_EQ(test, cdma_buf_free(ctx, a), -ENOENT);
	cdma_tenant_put(e, t);
}

/*
 * The fake's native device: cdma_core's operations of /dev/cdmaN (what
 * its ioctls call once the arguments are copied in and checked) run on
 * the fake as they run on cdma_soft.
 */
static void engine_native_device_test(struct kunit *test)
{
	struct cdma_device *dev;
	struct cdma_xfer x = {};
	struct cdma_info info = {};
	struct cdma_file *f;
	u32 a = 0, b = 0;

	fake_get(test);
	dev = cdma_engine_device(&fake_engine);
	f = dev->ops->open(dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	f->dev = dev;
	dev->ops->info(dev, &info);
	KUNIT_EXPECT_EQ(test, info.node_id, 7U);
	KUNIT_EXPECT_EQ(test, dev->ops->alloc(f, PAGE_SIZE, &a), 0);
	KUNIT_EXPECT_EQ(test, dev->ops->alloc(f, PAGE_SIZE, &b), 0);
	/* A synchronous transfer: the fake's work item completes it. */
	x.dir = CDMA_XFER_LOCAL;
	x.src_handle = a;
	x.dst_handle = b;
	x.length = 64;
	KUNIT_EXPECT_EQ(test, dev->ops->submit(f, &x), 0);
	x.length = PAGE_SIZE + 1;
	KUNIT_EXPECT_EQ(test, dev->ops->submit(f, &x), -ERANGE);
	x.src_handle = 99;
	KUNIT_EXPECT_EQ(test, dev->ops->submit(f, &x), -ENOENT);
	KUNIT_EXPECT_EQ(test, dev->ops->export(f, a, CDMA_ACCESS_READ, NULL,
					       NULL), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, dev->ops->free(f, b), 0);
	KUNIT_EXPECT_EQ(test, dev->ops->free(f, b), -ENOENT);
	dev->ops->release(f);
}

static struct kunit_case cdma_engine_cases[] = {
	KUNIT_CASE(engine_register_test),
	KUNIT_CASE(engine_client_test),
	KUNIT_CASE(engine_native_device_test),
	{}
};

static struct kunit_suite cdma_engine_suite = {
	.name = "cdma_core_engine",
	.test_cases = cdma_engine_cases,
};

kunit_test_suite(cdma_engine_suite);
