/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel interface of the cDMA engine (cdma_soft).
 *
 * Clients (the native character device, the vDPA backend) create a context,
 * allocate buffers in it and submit transfers.  Handles are local to a
 * context; global addresses are shared by every context of the node, and
 * each context's tenant pays for its exports (at most max_exports each).
 * Completions are delivered by calling &struct cdma_req.done from an engine
 * channel worker, the software model of the engine's completion interrupt.
 */
#ifndef _LINUX_CDMA_ENGINE_H
#define _LINUX_CDMA_ENGINE_H

#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/cdma.h>

struct cdma_ctx;
struct cdma_tenant;
struct cdma_buf;
struct file;
struct page;
struct vm_area_struct;

/**
 * struct cdma_req - a transfer handed to the engine
 * @xfer: the transfer, in uAPI layout; checked by cdma_submit()
 * @status: out: 0 or a negative errno, valid in @done
 * @bytes: out: bytes moved, valid in @done
 * @done: called exactly once when the transfer ends, from a channel
 *	worker (process context); may free the request
 * @priv: for the client
 * @ctx: private to the engine
 * @src: private to the engine
 * @dst: private to the engine
 * @src_off: private to the engine
 * @dst_off: private to the engine
 * @node: private to the engine
 */
struct cdma_req {
	struct cdma_xfer xfer;
	int status;
	u64 bytes;
	void (*done)(struct cdma_req *req);
	void *priv;

	struct cdma_ctx *ctx;
	struct cdma_buf *src;
	struct cdma_buf *dst;
	u64 src_off;
	u64 dst_off;
	struct list_head node;
};

void cdma_engine_info(struct cdma_info *info);

struct cdma_tenant *cdma_tenant_create(void);
void cdma_tenant_put(struct cdma_tenant *t);

struct cdma_ctx *cdma_ctx_create(struct cdma_tenant *tenant);
void cdma_ctx_destroy(struct cdma_ctx *ctx);

int cdma_buf_alloc(struct cdma_ctx *ctx, u64 size, u32 *handle);
int cdma_buf_import(struct cdma_ctx *ctx, struct page **pages,
		    unsigned long npages, void (*release)(void *priv),
		    void *priv, u32 *handle);
int cdma_buf_free(struct cdma_ctx *ctx, u32 handle);
struct cdma_buf *cdma_buf_get(struct cdma_ctx *ctx, u32 handle);
void cdma_buf_put(struct cdma_buf *buf);
u64 cdma_buf_size(const struct cdma_buf *buf);
int cdma_buf_mmap(struct cdma_buf *buf, struct vm_area_struct *vma);
struct file *cdma_buf_file(struct cdma_ctx *ctx, u32 handle);

int cdma_export(struct cdma_ctx *ctx, u32 handle, u32 access,
		u64 *global_addr, u64 *key);
int cdma_revoke(struct cdma_ctx *ctx, u32 handle);

int cdma_submit(struct cdma_ctx *ctx, struct cdma_req *req);

#endif /* _LINUX_CDMA_ENGINE_H */
