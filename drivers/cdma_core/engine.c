// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: the registered engines, and each engine's native device.
 *
 * An engine registers a &struct cdma_engine (include/linux/cdma_engine.h);
 * cdma_core gives it a native /dev/cdmaN, served here with the engine's
 * operations, whatever the engine is.  Clients such as rdma_zcopy take an
 * engine with cdma_engine_get(), which holds the engine's module.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdma_core.h>
#include <linux/cdma_engine.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

static LIST_HEAD(cdma_engines);
static DEFINE_MUTEX(cdma_engines_lock); /* protects cdma_engines */

/**
 * struct cdma_native - the native device of an engine
 * @dev: the device node (its owner is the engine's module)
 * @engine: the engine
 * @max_inflight: asynchronous transfers per file (the engine's limit)
 */
struct cdma_native {
	struct cdma_device dev;
	struct cdma_engine *engine;
	u32 max_inflight;
};

/**
 * struct cdma_native_file - an open native device
 * @file: cdma_core's part: the completion queue
 * @ctx: the file's engine context: buffers, transfers
 */
struct cdma_native_file {
	struct cdma_file file;
	struct cdma_ctx *ctx;
};

/**
 * struct cdma_native_async - an asynchronous transfer in flight
 * @req: the engine request
 * @cq: queue of the file that submitted it
 * @entry: its completion queue entry
 */
struct cdma_native_async {
	struct cdma_req req;
	struct cdma_cq *cq;
	struct cdma_cq_entry *entry;
};

static struct cdma_ctx *ctx_of(struct cdma_file *f)
{
	return container_of(f, struct cdma_native_file, file)->ctx;
}

static struct cdma_file *cdma_native_open(struct cdma_device *dev)
{
	struct cdma_native *n = container_of(dev, struct cdma_native, dev);
	struct cdma_native_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return ERR_PTR(-ENOMEM);
	/* Its tenant: the real user of the opening process. */
	f->ctx = cdma_ctx_create(n->engine, NULL);
	if (!f->ctx) {
		kfree(f);
		return ERR_PTR(-ENOMEM);
	}
	cdma_cq_init(&f->file.cq, n->max_inflight);
	return &f->file;
}

static void cdma_native_release(struct cdma_file *file)
{
	struct cdma_native_file *f = container_of(file, struct cdma_native_file,
						  file);

	/* Cancels queued transfers, whose completions land in the queue. */
	cdma_ctx_destroy(f->ctx);
	cdma_cq_destroy(&f->file.cq);
	kfree(f);
}

static void cdma_native_info(struct cdma_device *dev, struct cdma_info *info)
{
	cdma_engine_info(container_of(dev, struct cdma_native, dev)->engine,
			 info);
}

static void cdma_native_async_done(struct cdma_req *req)
{
	struct cdma_native_async *a = container_of(req, struct cdma_native_async,
						   req);

	cdma_cq_complete(a->cq, a->entry, req->status, req->bytes);
	kfree(a);
}

static void cdma_native_sync_done(struct cdma_req *req)
{
	cdma_sync_complete(req->priv, req->status, req->bytes);
	kfree(req);
}

static int cdma_native_async(struct cdma_file *f, const struct cdma_xfer *x)
{
	struct cdma_native_async *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->entry = cdma_cq_reserve(&f->cq, x->cookie);
	if (IS_ERR(a->entry)) {
		ret = PTR_ERR(a->entry);
		kfree(a);
		return ret;
	}
	a->cq = &f->cq;
	a->req.xfer = *x;
	a->req.done = cdma_native_async_done;
	ret = cdma_submit(ctx_of(f), &a->req);
	if (ret) {
		cdma_cq_unreserve(&f->cq, a->entry);
		kfree(a);
	}
	return ret;
}

static int cdma_native_sync(struct cdma_file *f, const struct cdma_xfer *x)
{
	struct cdma_req *req;
	struct cdma_sync *s;
	int ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	s = cdma_sync_alloc();
	if (!req || !s) {
		kfree(req);
		kfree(s);
		return -ENOMEM;
	}
	req->xfer = *x;
	req->done = cdma_native_sync_done;
	req->priv = s;
	ret = cdma_submit(ctx_of(f), req);
	if (ret) {
		kfree(req);
		kfree(s);
		return ret;
	}
	return cdma_sync_wait(s, cdma_cq_polling(&f->cq));
}

static int cdma_native_submit(struct cdma_file *f, const struct cdma_xfer *x)
{
	if (x->flags & CDMA_XFER_F_ASYNC)
		return cdma_native_async(f, x);
	return cdma_native_sync(f, x);
}

static int cdma_native_alloc(struct cdma_file *f, u64 size, u32 *handle)
{
	return cdma_buf_alloc(ctx_of(f), size, handle);
}

static int cdma_native_free(struct cdma_file *f, u32 handle)
{
	return cdma_buf_free(ctx_of(f), handle);
}

static int cdma_native_export(struct cdma_file *f, u32 handle, u32 access,
			      u64 *global_addr, u64 *key)
{
	return cdma_export(ctx_of(f), handle, access, global_addr, key);
}

static int cdma_native_revoke(struct cdma_file *f, u32 handle)
{
	return cdma_revoke(ctx_of(f), handle);
}

static int cdma_native_mmap(struct cdma_file *f, struct vm_area_struct *vma)
{
	return cdma_ctx_mmap(ctx_of(f), vma);
}

static const struct cdma_device_ops cdma_native_ops = {
	.open = cdma_native_open,
	.release = cdma_native_release,
	.info = cdma_native_info,
	.alloc = cdma_native_alloc,
	.free = cdma_native_free,
	.submit = cdma_native_submit,
	.export = cdma_native_export,
	.revoke = cdma_native_revoke,
	.mmap = cdma_native_mmap,
};

/**
 * cdma_engine_register() - make an engine available, with its native device
 * @engine: the engine: @ops, @owner and @name set
 *
 * Return: 0, -EEXIST when an engine of that name is registered, or an
 * error of the device's registration.
 */
int cdma_engine_register(struct cdma_engine *engine)
{
	struct cdma_engine *e;
	struct cdma_native *n;
	struct cdma_info info;
	int ret;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	cdma_engine_info(engine, &info);
	n->engine = engine;
	n->max_inflight = info.max_inflight;
	n->dev.ops = &cdma_native_ops;
	n->dev.owner = engine->owner;
	n->dev.max_buffer_size = info.max_buffer_size;

	mutex_lock(&cdma_engines_lock);
	list_for_each_entry(e, &cdma_engines, node) {
		if (!strcmp(e->name, engine->name)) {
			ret = -EEXIST;
			goto err;
		}
	}
	ret = cdma_device_register(&n->dev);
	if (ret)
		goto err;
	engine->native = n;
	list_add_tail(&engine->node, &cdma_engines);
	mutex_unlock(&cdma_engines_lock);
	pr_info("engine %s: native device /dev/%s\n", engine->name,
		n->dev.name);
	return 0;

err:
	mutex_unlock(&cdma_engines_lock);
	kfree(n);
	return ret;
}
EXPORT_SYMBOL_GPL(cdma_engine_register);

/**
 * cdma_engine_unregister() - withdraw an engine and its native device
 * @engine: a registered engine
 *
 * Called from the engine's module exit: no client holds the engine then
 * (each holds its module), and no native file is open.
 */
void cdma_engine_unregister(struct cdma_engine *engine)
{
	mutex_lock(&cdma_engines_lock);
	list_del(&engine->node);
	mutex_unlock(&cdma_engines_lock);
	cdma_device_unregister(&engine->native->dev);
	kfree(engine->native);
	engine->native = NULL;
}
EXPORT_SYMBOL_GPL(cdma_engine_unregister);

/**
 * cdma_engine_get() - take an engine
 * @name: the engine's name, or NULL for the first one registered
 *
 * Return: the engine, its module held, or NULL when there is none.
 */
struct cdma_engine *cdma_engine_get(const char *name)
{
	struct cdma_engine *e, *found = NULL;

	mutex_lock(&cdma_engines_lock);
	list_for_each_entry(e, &cdma_engines, node) {
		if (name && strcmp(e->name, name))
			continue;
		if (try_module_get(e->owner))
			found = e;
		break;
	}
	mutex_unlock(&cdma_engines_lock);
	return found;
}
EXPORT_SYMBOL_GPL(cdma_engine_get);

/**
 * cdma_engine_put() - release an engine of cdma_engine_get()
 * @engine: the engine
 */
void cdma_engine_put(struct cdma_engine *engine)
{
	module_put(engine->owner);
}
EXPORT_SYMBOL_GPL(cdma_engine_put);

/**
 * cdma_engine_device() - the native device of a registered engine
 * @engine: the engine
 *
 * Return: its device, /dev/cdmaN (&cdma_device.name).
 */
struct cdma_device *cdma_engine_device(struct cdma_engine *engine)
{
	return &engine->native->dev;
}
EXPORT_SYMBOL_GPL(cdma_engine_device);
