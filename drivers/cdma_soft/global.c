// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: Unimem global address space of this node.
 *
 * An exported buffer is a segment: global address = node id, segment
 * number, byte offset (see include/uapi/linux/cdma.h).  Any context that
 * presents the segment's random key may transfer to or from it.
 *
 * A wrong key gets EACCES whether or not the segment is exported, so that
 * nobody learns which segments are live by probing.  The key of a revoked
 * export is remembered (62 bits of it, until the segment number is used
 * again): its holders get ENXIO, "revoked", as they always did.
 */

#include <linux/random.h>
#include <linux/slab.h>

#include "cdma_soft.h"

/**
 * struct cdma_segment - an exported buffer
 * @buf: the buffer (holds a reference)
 * @key: access key
 * @access: CDMA_ACCESS_* rights
 * @tenant: who pays for it (holds a reference)
 */
struct cdma_segment {
	struct cdma_buf *buf;
	u64 key;
	u32 access;
	struct cdma_tenant *tenant;
};

static DEFINE_XARRAY_ALLOC1(cdma_segments);
/* segment -> xa_mk_value(key >> 2) of its last export, once revoked */
static DEFINE_XARRAY(cdma_revoked);

static u64 cdma_gaddr(u32 segment)
{
	return ((u64)cdma_node_id << CDMA_GADDR_NODE_SHIFT) |
	       ((u64)segment << CDMA_GADDR_SEGMENT_SHIFT);
}

/**
 * soft_export() - export a buffer at a global address
 * @ctx: context owning @handle
 * @handle: buffer handle
 * @access: CDMA_ACCESS_* rights, at least one
 * @global_addr: out: global address of the first byte
 * @key: out: the random access key
 *
 * Return: 0, -EINVAL for bad @access, -ENOENT for an unknown handle,
 * -EEXIST when already exported, -ENOSPC when the context's tenant holds
 * max_exports or the segment table is full, -ENOMEM.
 */
int soft_export(struct soft_ctx *ctx, u32 handle, u32 access,
		u64 *global_addr, u64 *key)
{
	const u32 all = CDMA_ACCESS_READ | CDMA_ACCESS_WRITE;
	struct cdma_segment *seg;
	struct cdma_buf *buf;
	u32 segment;
	int ret;

	if (!access || (access & ~all))
		return -EINVAL;
	buf = cdma_buf_get(ctx, handle);
	if (!buf)
		return -ENOENT;

	seg = kzalloc(sizeof(*seg), GFP_KERNEL);
	if (!seg) {
		cdma_buf_put(buf);
		return -ENOMEM;
	}
	seg->buf = buf;
	seg->access = access;
	seg->tenant = ctx->tenant;
	do {
		seg->key = get_random_u64();
	} while (!seg->key);

	ret = cdma_tenant_charge_export(seg->tenant);
	if (ret)
		goto err_free;
	ret = xa_alloc(&cdma_segments, &segment, NULL, XA_LIMIT(1, U16_MAX),
		       GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_uncharge;
	}

	spin_lock(&ctx->lock);
	if (buf->export || xa_load(&ctx->bufs, handle) != buf) {
		/* Exported meanwhile, or freed meanwhile. */
		ret = buf->export ? -EEXIST : -ENOENT;
		spin_unlock(&ctx->lock);
		xa_erase(&cdma_segments, segment);
		goto err_uncharge;
	}
	cdma_tenant_get(seg->tenant);
	buf->export = segment;
	xa_store(&cdma_segments, segment, seg, GFP_ATOMIC);
	spin_unlock(&ctx->lock);
	xa_erase(&cdma_revoked, segment);

	*global_addr = cdma_gaddr(segment);
	*key = seg->key;
	return 0;

err_uncharge:
	cdma_tenant_uncharge_export(seg->tenant);
err_free:
	kfree(seg);
	cdma_buf_put(buf);
	return ret;
}

/**
 * cdma_global_remove() - drop a segment
 * @segment: segment number
 */
void cdma_global_remove(u32 segment)
{
	struct cdma_segment *seg = xa_erase(&cdma_segments, segment);

	if (seg) {
		/* Without memory for it, the holders get EACCES. */
		xa_store(&cdma_revoked, segment, xa_mk_value(seg->key >> 2),
			 GFP_KERNEL);
		cdma_buf_put(seg->buf);
		cdma_tenant_uncharge_export(seg->tenant);
		soft_tenant_put(seg->tenant);
		kfree(seg);
	}
}

/**
 * soft_revoke() - withdraw the export of a buffer
 * @ctx: context owning @handle
 * @handle: buffer handle
 *
 * Transfers in flight to the segment complete normally; new ones fail with
 * -ENXIO.
 *
 * Return: 0 or -ENOENT for an unknown or not exported handle.
 */
int soft_revoke(struct soft_ctx *ctx, u32 handle)
{
	struct cdma_buf *buf = cdma_buf_get(ctx, handle);
	bool exported;

	if (!buf)
		return -ENOENT;
	exported = soft_unexport(ctx, buf);
	cdma_buf_put(buf);
	return exported ? 0 : -ENOENT;
}

/**
 * soft_unexport() - withdraw a buffer's export, if it has one
 * @ctx: the buffer's context
 * @buf: the buffer
 *
 * Return: true when the buffer was exported.
 */
bool soft_unexport(struct soft_ctx *ctx, struct cdma_buf *buf)
{
	u32 segment;

	spin_lock(&ctx->lock);
	segment = buf->export;
	buf->export = 0;
	spin_unlock(&ctx->lock);
	if (segment)
		cdma_global_remove(segment);
	return segment;
}

/**
 * cdma_global_resolve() - find the buffer behind a global address range
 * @global_addr: global address of the first byte
 * @key: access key presented
 * @access: the right needed, CDMA_ACCESS_READ or CDMA_ACCESS_WRITE
 * @length: bytes, at least 1
 * @buf: out: the buffer, with a reference
 * @offset: out: byte offset in @buf
 *
 * Return: 0, -EHOSTUNREACH for another node, -ENXIO for the key of a
 * revoked export, -EACCES for a wrong key (exported or not) or right,
 * -ERANGE past the segment's end.
 */
int cdma_global_resolve(u64 global_addr, u64 key, u32 access, u64 length,
			struct cdma_buf **buf, u64 *offset)
{
	u32 node = global_addr >> CDMA_GADDR_NODE_SHIFT;
	u32 segment = (global_addr >> CDMA_GADDR_SEGMENT_SHIFT) & U16_MAX;
	u64 off = global_addr & CDMA_GADDR_OFFSET_MASK;
	struct cdma_segment *seg;
	int ret = 0;

	if (node != cdma_node_id)
		return -EHOSTUNREACH;

	xa_lock(&cdma_segments);
	seg = xa_load(&cdma_segments, segment);
	if (!seg)
		ret = xa_load(&cdma_revoked, segment) ==
		      xa_mk_value(key >> 2) ? -ENXIO : -EACCES;
	else if (seg->key != key || !(seg->access & access))
		ret = -EACCES;
	else if (off >= seg->buf->size || length > seg->buf->size - off)
		ret = -ERANGE;
	else
		kref_get(&seg->buf->ref);
	if (!ret) {
		*buf = seg->buf;
		*offset = off;
	}
	xa_unlock(&cdma_segments);
	return ret;
}

/**
 * cdma_global_exit() - check the segment table is empty at unload
 */
void cdma_global_exit(void)
{
	WARN_ON(!xa_empty(&cdma_segments));
	xa_destroy(&cdma_segments);
	xa_destroy(&cdma_revoked);
}
