// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the cdma_soft engine through its exported API (contexts,
 * buffers, exports, cdma_submit() with a done callback): global address
 * encoding and resolution (EHOSTUNREACH, ENXIO, EACCES, ERANGE including
 * overflow), local range checks (ENOENT, ERANGE), overlap (EINVAL) and the
 * data actually moved.  EBUSY at max_inflight is not tested: the channel
 * workers may drain the queue before it fills.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "../cdma_soft.h"

#define NODE_SHIFT	CDMA_GADDR_NODE_SHIFT
#define SEG_SHIFT	CDMA_GADDR_SEGMENT_SHIFT
#define RW		(CDMA_ACCESS_READ | CDMA_ACCESS_WRITE)
#define XFER_TIMEOUT	(60 * HZ)

/* The engine under test, through cdma_core's engine interface. */
static struct cdma_engine *engine;

static int engine_get(struct kunit_suite *suite)
{
	engine = cdma_engine_get("cdma_soft");
	return engine ? 0 : -ENODEV;
}

static void engine_put(struct kunit_suite *suite)
{
	cdma_engine_put(engine);
}

KUNIT_DEFINE_ACTION_WRAPPER(ctx_destroy_action, cdma_ctx_destroy,
			    struct cdma_ctx *);

static struct cdma_ctx *new_ctx(struct kunit *test)
{
	struct cdma_ctx *ctx = cdma_ctx_create(engine, NULL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ctx_destroy_action,
							ctx), 0);
	return ctx;
}

static u32 new_buf(struct kunit *test, struct cdma_ctx *ctx, u64 size)
{
	u32 handle = 0;

	KUNIT_ASSERT_EQ(test, cdma_buf_alloc(ctx, size, &handle), 0);
	KUNIT_EXPECT_NE(test, handle, 0U);
	return handle;
}

/* Copy between a buffer's pages and @data (the test reads and writes the
 * engine's memory directly, like a mapping would).
 */
static void buf_rw(struct kunit *test, struct cdma_ctx *ctx, u32 handle,
		   u64 off, void *data, u64 len, bool write)
{
	struct cdma_buf *buf = cdma_buf_get(to_soft_ctx(ctx), handle);
	char *p = data;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_LE(test, off + len, buf->size);
	while (len) {
		u64 in = off & ~PAGE_MASK;
		u64 n = min_t(u64, len, PAGE_SIZE - in);
		char *page = page_address(buf->pg.pages[off >> PAGE_SHIFT]);

		if (write)
			memcpy(page + in, p, n);
		else
			memcpy(p, page + in, n);
		p += n;
		off += n;
		len -= n;
	}
	cdma_buf_put(buf);
}

static void fill(struct kunit *test, struct cdma_ctx *ctx, u32 handle,
		 u64 size, u8 seed)
{
	u8 *data = kunit_kmalloc(test, size, GFP_KERNEL);
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	for (i = 0; i < size; i++)
		data[i] = seed + i * 7 + (i >> 8);
	buf_rw(test, ctx, handle, 0, data, size, true);
	kunit_kfree(test, data);
}

/* Bytes [doff, doff+len) of @dst equal [soff, soff+len) of @src. */
static void expect_same(struct kunit *test, struct cdma_ctx *sctx, u32 src,
			u64 soff, struct cdma_ctx *dctx, u32 dst, u64 doff,
			u64 len)
{
	u8 *a = kunit_kmalloc(test, len, GFP_KERNEL);
	u8 *b = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	buf_rw(test, sctx, src, soff, a, len, false);
	buf_rw(test, dctx, dst, doff, b, len, false);
	KUNIT_EXPECT_EQ(test, memcmp(a, b, len), 0);
	kunit_kfree(test, a);
	kunit_kfree(test, b);
}

static void expect_zero(struct kunit *test, struct cdma_ctx *ctx, u32 handle,
			u64 off, u64 len)
{
	u8 *a = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	buf_rw(test, ctx, handle, off, a, len, false);
	KUNIT_EXPECT_NULL(test, memchr_inv(a, 0, len));
	kunit_kfree(test, a);
}

struct test_req {
	struct cdma_req req;
	struct completion done;
	atomic_t calls;
};

static void test_req_done(struct cdma_req *req)
{
	struct test_req *t = container_of(req, struct test_req, req);

	atomic_inc(&t->calls);
	complete(&t->done);
}

static void req_init(struct test_req *t, const struct cdma_xfer *x)
{
	memset(t, 0, sizeof(*t));
	t->req.xfer = *x;
	t->req.done = test_req_done;
	init_completion(&t->done);
}

/* Wait for a submitted request; it must stay valid until done. */
static void req_wait(struct kunit *test, struct test_req *t)
{
	if (!wait_for_completion_timeout(&t->done, XFER_TIMEOUT)) {
		KUNIT_FAIL(test, "transfer not done after %d s",
			   XFER_TIMEOUT / HZ);
		wait_for_completion(&t->done);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&t->calls), 1);
}

/*
 * Submit and wait: the error of cdma_submit(), or the status of the done
 * transfer (@bytes: bytes moved, when not NULL).
 */
static int xfer(struct kunit *test, struct cdma_ctx *ctx,
		const struct cdma_xfer *x, u64 *bytes)
{
	struct test_req *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, t);
	req_init(t, x);
	ret = cdma_submit(ctx, &t->req);
	if (ret) {
		/* Nothing queued: done is never called. */
		KUNIT_EXPECT_EQ(test, atomic_read(&t->calls), 0);
		return ret;
	}
	req_wait(test, t);
	if (bytes)
		*bytes = t->req.bytes;
	ret = t->req.status;
	kunit_kfree(test, t);
	return ret;
}

static struct cdma_xfer local(u32 src, u64 soff, u32 dst, u64 doff, u64 len)
{
	return (struct cdma_xfer){
		.dir = CDMA_XFER_LOCAL, .src_handle = src, .src_offset = soff,
		.dst_handle = dst, .dst_offset = doff, .length = len,
	};
}

static struct cdma_xfer to_global(u32 src, u64 soff, u64 ga, u64 key, u64 len)
{
	return (struct cdma_xfer){
		.dir = CDMA_XFER_TO_GLOBAL, .src_handle = src,
		.src_offset = soff, .global_addr = ga, .key = key,
		.length = len,
	};
}

static struct cdma_xfer from_global(u64 ga, u64 key, u32 dst, u64 doff,
				    u64 len)
{
	return (struct cdma_xfer){
		.dir = CDMA_XFER_FROM_GLOBAL, .dst_handle = dst,
		.dst_offset = doff, .global_addr = ga, .key = key,
		.length = len,
	};
}

static int local_xfer(struct kunit *test, struct cdma_ctx *ctx, u32 src,
		      u64 soff, u32 dst, u64 doff, u64 len)
{
	struct cdma_xfer x = local(src, soff, dst, doff, len);

	return xfer(test, ctx, &x, NULL);
}

static int put_global(struct kunit *test, struct cdma_ctx *ctx, u32 src,
		      u64 soff, u64 ga, u64 key, u64 len)
{
	struct cdma_xfer x = to_global(src, soff, ga, key, len);

	return xfer(test, ctx, &x, NULL);
}

static int get_global(struct kunit *test, struct cdma_ctx *ctx, u64 ga,
		      u64 key, u32 dst, u64 doff, u64 len)
{
	struct cdma_xfer x = from_global(ga, key, dst, doff, len);

	return xfer(test, ctx, &x, NULL);
}

static u32 node_id(void)
{
	struct cdma_info info;

	cdma_engine_info(engine, &info);
	return info.node_id;
}

/* --- engine: buffers, local transfers -------------------------------- */

static void soft_buf_alloc_test(struct kunit *test)
{
	struct cdma_ctx *ctx = new_ctx(test);
	struct cdma_info info;
	struct cdma_buf *buf;
	u32 h, h2;

	cdma_engine_info(engine, &info);
	KUNIT_EXPECT_EQ(test, info.version, (u32)CDMA_UAPI_VERSION);
	KUNIT_EXPECT_EQ(test, info.page_size, (u32)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, cdma_buf_alloc(ctx, 0, &h), -EINVAL);
	KUNIT_EXPECT_EQ(test, cdma_buf_alloc(ctx, info.max_buffer_size + 1, &h),
			-EFBIG);
	KUNIT_EXPECT_EQ(test, cdma_buf_alloc(ctx, U64_MAX, &h), -EFBIG);

	h = new_buf(test, ctx, 1);
	h2 = new_buf(test, ctx, PAGE_SIZE + 1);
	KUNIT_EXPECT_NE(test, h, h2);
	buf = cdma_buf_get(to_soft_ctx(ctx), h);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, cdma_buf_size(buf), (u64)PAGE_SIZE);
	cdma_buf_put(buf);
	buf = cdma_buf_get(to_soft_ctx(ctx), h2);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, cdma_buf_size(buf), 2ULL * PAGE_SIZE);
	cdma_buf_put(buf);
	expect_zero(test, ctx, h2, 0, 2 * PAGE_SIZE);

	KUNIT_EXPECT_NULL(test, cdma_buf_get(to_soft_ctx(ctx), 0));
	KUNIT_EXPECT_NULL(test, cdma_buf_get(to_soft_ctx(ctx), h2 + 1));
	KUNIT_EXPECT_EQ(test, cdma_buf_free(ctx, h), 0);
	KUNIT_EXPECT_EQ(test, cdma_buf_free(ctx, h), -ENOENT);
	KUNIT_EXPECT_NULL(test, cdma_buf_get(to_soft_ctx(ctx), h));
	/* h2 is freed by cdma_ctx_destroy() (kmemleak). */
}

static void soft_local_copy_test(struct kunit *test)
{
	const u64 size = 3 * PAGE_SIZE;
	struct cdma_ctx *ctx = new_ctx(test);
	u32 a = new_buf(test, ctx, size), b = new_buf(test, ctx, size);
	struct cdma_xfer x;
	u64 bytes = 0;

	fill(test, ctx, a, size, 1);
	/* Unaligned, across page boundaries on both sides. */
	x = local(a, 100, b, PAGE_SIZE - 3, PAGE_SIZE + 200);
	KUNIT_EXPECT_EQ(test, xfer(test, ctx, &x, &bytes), 0);
	KUNIT_EXPECT_EQ(test, bytes, (u64)PAGE_SIZE + 200);
	expect_same(test, ctx, a, 100, ctx, b, PAGE_SIZE - 3, PAGE_SIZE + 200);
	expect_zero(test, ctx, b, 0, PAGE_SIZE - 3);
	expect_zero(test, ctx, b, 2 * PAGE_SIZE + 197, PAGE_SIZE - 197);

	/* Whole buffer, one byte, last byte. */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, 0, size), 0);
	expect_same(test, ctx, a, 0, ctx, b, 0, size);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, b, size - 1, a, 0, 1), 0);

	/* Same buffer, adjacent ranges do not overlap. */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, a, 100, 100), 0);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 100, a, 0, 100), 0);
	expect_same(test, ctx, a, 0, ctx, a, 100, 100);
}

/*
 * cdma_run(): the copy is done, and done() called once, before it returns;
 * errors are those of cdma_submit(), with no done() call.
 */
static void soft_run_test(struct kunit *test)
{
	const u64 size = 2 * PAGE_SIZE;
	struct cdma_ctx *ctx = new_ctx(test);
	u32 a = new_buf(test, ctx, size), b = new_buf(test, ctx, size);
	struct cdma_xfer x = local(a, 1, b, PAGE_SIZE - 7, PAGE_SIZE);
	struct test_req *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	fill(test, ctx, a, size, 3);
	req_init(t, &x);
	KUNIT_ASSERT_EQ(test, cdma_run(ctx, &t->req), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->calls), 1);
	KUNIT_EXPECT_EQ(test, t->req.status, 0);
	KUNIT_EXPECT_EQ(test, t->req.bytes, (u64)PAGE_SIZE);
	expect_same(test, ctx, a, 1, ctx, b, PAGE_SIZE - 7, PAGE_SIZE);

	x = local(a, 0, b, size, 1);
	req_init(t, &x);
	KUNIT_EXPECT_EQ(test, cdma_run(ctx, &t->req), -ERANGE);
	x = local(a, 0, b + 100, 0, 1);
	req_init(t, &x);
	KUNIT_EXPECT_EQ(test, cdma_run(ctx, &t->req), -ENOENT);
	x.dir = 7;
	req_init(t, &x);
	KUNIT_EXPECT_EQ(test, cdma_run(ctx, &t->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->calls), 0);
}

static void soft_local_errors_test(struct kunit *test)
{
	const u64 size = 2 * PAGE_SIZE;
	struct cdma_ctx *ctx = new_ctx(test);
	u32 a = new_buf(test, ctx, size), b = new_buf(test, ctx, size);
	u32 none = b + 100;
	struct cdma_xfer x;

	/* cdma_xfer_check() first */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, 0, 0), -EINVAL);
	x = local(a, 0, b, 0, 1);
	x.dir = 3;
	KUNIT_EXPECT_EQ(test, xfer(test, ctx, &x, NULL), -EINVAL);
	x = local(a, 0, b, 0, 1);
	x.cookie = 1;
	KUNIT_EXPECT_EQ(test, xfer(test, ctx, &x, NULL), -EINVAL);

	/* unknown handles */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, none, 0, b, 0, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, none, 0, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, 0, 0, b, 0, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, 0, 0, 1), -ENOENT);

	/* ranges */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, size, b, 0, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, size, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, 0, size + 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, size - 1, b, 0, 2),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, size - 1, 2),
			-ERANGE);
	/* offset + length overflows */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 1, b, 0, U64_MAX),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, 1, U64_MAX),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, U64_MAX, b, 0, 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, U64_MAX, 2),
			-ERANGE);
	/* The source is looked up first. */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, size, none, 0, 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, none, 0, b, size, 1),
			-ENOENT);

	/* overlap in one buffer */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, a, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, a, 99, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 99, a, 0, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, a, PAGE_SIZE - 1,
					 PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 10, a, 0, size - 10),
			-EINVAL);
	/* The same offsets in two buffers are fine. */
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, 0, size), 0);

	/* A freed handle is unknown. */
	KUNIT_EXPECT_EQ(test, cdma_buf_free(ctx, b), 0);
	KUNIT_EXPECT_EQ(test, local_xfer(test, ctx, a, 0, b, 0, 1), -ENOENT);
}

#define NASYNC	32

/* Many transfers queued at once on every channel, each done once. */
static void soft_async_test(struct kunit *test)
{
	const u64 size = NASYNC * 256;
	struct cdma_ctx *ctx = new_ctx(test);
	u32 a = new_buf(test, ctx, size), b = new_buf(test, ctx, size);
	struct test_req *t;
	unsigned int i;
	int ret;

	t = kunit_kcalloc(test, NASYNC, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	fill(test, ctx, a, size, 3);
	for (i = 0; i < NASYNC; i++) {
		struct cdma_xfer x = local(a, i * 256, b, (NASYNC - 1 - i) * 256,
					   256);

		x.flags = CDMA_XFER_F_ASYNC;
		x.cookie = i;
		req_init(&t[i], &x);
		ret = cdma_submit(ctx, &t[i].req);
		if (ret) {
			KUNIT_FAIL(test, "submit %u: %d", i, ret);
			break;
		}
	}
	while (i--) {
		req_wait(test, &t[i]);
		KUNIT_EXPECT_EQ(test, t[i].req.status, 0);
		KUNIT_EXPECT_EQ(test, t[i].req.bytes, 256ULL);
		expect_same(test, ctx, a, i * 256, ctx, b,
			    (NASYNC - 1 - i) * 256, 256);
	}
}

/* --- global address space ------------------------------------------- */

static void soft_export_test(struct kunit *test)
{
	struct cdma_ctx *ctx = new_ctx(test);
	u32 a = new_buf(test, ctx, PAGE_SIZE), b = new_buf(test, ctx, PAGE_SIZE);
	u64 ga, key, ga2, key2, ga3, key3;
	u32 seg;

	KUNIT_ASSERT_EQ(test, cdma_export(ctx, a, RW, &ga, &key), 0);
	KUNIT_EXPECT_EQ(test, ga >> NODE_SHIFT, (u64)node_id());
	seg = (ga >> SEG_SHIFT) & 0xffff;
	KUNIT_EXPECT_GE(test, seg, 1U);
	KUNIT_EXPECT_EQ(test, ga & CDMA_GADDR_OFFSET_MASK, 0ULL);
	KUNIT_EXPECT_NE(test, key, 0ULL);

	KUNIT_EXPECT_EQ(test, cdma_export(ctx, a, RW, &ga2, &key2), -EEXIST);
	KUNIT_EXPECT_EQ(test, cdma_export(ctx, b, 0, &ga2, &key2), -EINVAL);
	KUNIT_EXPECT_EQ(test, cdma_export(ctx, b, 1U << 2, &ga2, &key2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, cdma_export(ctx, b, RW | 1U << 31, &ga2, &key2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, cdma_export(ctx, b + 100, RW, &ga2, &key2),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, cdma_export(ctx, 0, RW, &ga2, &key2), -ENOENT);

	KUNIT_ASSERT_EQ(test, cdma_export(ctx, b, CDMA_ACCESS_READ, &ga2, &key2),
			0);
	KUNIT_EXPECT_NE(test, ga2, ga);
	KUNIT_EXPECT_EQ(test, ga2 >> NODE_SHIFT, (u64)node_id());
	KUNIT_EXPECT_EQ(test, ga2 & CDMA_GADDR_OFFSET_MASK, 0ULL);

	KUNIT_EXPECT_EQ(test, cdma_revoke(ctx, a), 0);
	KUNIT_EXPECT_EQ(test, cdma_revoke(ctx, a), -ENOENT);
	KUNIT_EXPECT_EQ(test, cdma_revoke(ctx, b + 100), -ENOENT);
	/* Revoked: may be exported again. */
	KUNIT_ASSERT_EQ(test, cdma_export(ctx, a, CDMA_ACCESS_WRITE, &ga3, &key3),
			0);
	KUNIT_EXPECT_EQ(test, ga3 >> NODE_SHIFT, (u64)node_id());
	/* b's export is revoked by cdma_ctx_destroy() (kmemleak, and the
	 * WARN of cdma_global_exit() at unload).
	 */
}

/* A context with an exported buffer of @size bytes, filled. */
struct exported {
	struct cdma_ctx *ctx;
	u32 handle;
	u64 ga;
	u64 key;
};

static void export_buf(struct kunit *test, struct exported *e, u64 size,
		       u32 access)
{
	e->ctx = new_ctx(test);
	e->handle = new_buf(test, e->ctx, size);
	fill(test, e->ctx, e->handle, size, 9);
	KUNIT_ASSERT_EQ(test, cdma_export(e->ctx, e->handle, access, &e->ga,
					  &e->key), 0);
}

/* Data moves to and from a segment exported by another context. */
static void soft_global_xfer_test(struct kunit *test)
{
	const u64 size = 3 * PAGE_SIZE;
	struct cdma_ctx *ctx = new_ctx(test);
	u32 src = new_buf(test, ctx, size), dst = new_buf(test, ctx, size);
	struct exported seg;
	struct cdma_xfer x;
	u64 bytes = 0;

	export_buf(test, &seg, size, RW);
	fill(test, ctx, src, size, 5);

	x = to_global(src, 100, seg.ga + PAGE_SIZE + 10, seg.key, 6000);
	KUNIT_EXPECT_EQ(test, xfer(test, ctx, &x, &bytes), 0);
	KUNIT_EXPECT_EQ(test, bytes, 6000ULL);
	expect_same(test, ctx, src, 100, seg.ctx, seg.handle, PAGE_SIZE + 10,
		    6000);

	x = from_global(seg.ga + PAGE_SIZE + 10, seg.key, dst, 7, 6000);
	KUNIT_EXPECT_EQ(test, xfer(test, ctx, &x, &bytes), 0);
	KUNIT_EXPECT_EQ(test, bytes, 6000ULL);
	expect_same(test, ctx, src, 100, ctx, dst, 7, 6000);
	expect_zero(test, ctx, dst, 0, 7);

	/* Exactly up to the end of the segment. */
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, src, 0, seg.ga, seg.key,
					 size), 0);
	expect_same(test, ctx, src, 0, seg.ctx, seg.handle, 0, size);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, seg.ga + size - 1, seg.key,
					 dst, 0, 1), 0);

	/* The owner may use its own segment: different buffers. */
	KUNIT_EXPECT_EQ(test, get_global(test, seg.ctx, seg.ga, seg.key,
					 new_buf(test, seg.ctx, size), 0, size),
			0);
}

static void soft_global_errors_test(struct kunit *test)
{
	const u64 size = 2 * PAGE_SIZE;
	struct cdma_ctx *ctx = new_ctx(test);
	u32 a = new_buf(test, ctx, size), h;
	const u64 other_node = (u64)(node_id() ^ 1) << NODE_SHIFT;
	struct exported rw, ro, wo;
	u64 ga, gone, key;

	export_buf(test, &rw, size, RW);
	export_buf(test, &ro, size, CDMA_ACCESS_READ);
	export_buf(test, &wo, size, CDMA_ACCESS_WRITE);
	ga = rw.ga;
	key = rw.key;

	/* another node */
	gone = (ga & ~(0xffffULL << NODE_SHIFT)) | other_node;
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a, 0, gone, key, 1),
			-EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, gone, key, a, 0, 1),
			-EHOSTUNREACH);
	gone = ga | (0xffffULL << NODE_SHIFT);
	if (node_id() != 0xffff)
		KUNIT_EXPECT_EQ(test, get_global(test, ctx, gone, key, a, 0, 1),
				-EHOSTUNREACH);
	/* The node is checked before anything else. */
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, other_node | 0xffffffffULL,
					 0, a, 0, 1), -EHOSTUNREACH);

	/*
	 * segment not exported: 0 is never used (EACCES: no key opens it,
	 * and nobody learns which segments are live), a revoked one is gone
	 * (ENXIO for its key)
	 */
	gone = ga & ~(0xffffULL << SEG_SHIFT);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, gone, key, a, 0, 1), -EACCES);
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a, 0, gone, key, 1), -EACCES);
	KUNIT_ASSERT_EQ(test, cdma_export(ctx, a, RW, &gone, &key), 0);
	KUNIT_EXPECT_EQ(test, cdma_revoke(ctx, a), 0);
	KUNIT_EXPECT_EQ(test, put_global(test, rw.ctx, rw.handle, 0, gone, key,
					 1), -ENXIO);
	/* Freeing the buffer revokes its export. */
	h = new_buf(test, ctx, size);
	KUNIT_ASSERT_EQ(test, cdma_export(ctx, h, RW, &gone, &key), 0);
	KUNIT_EXPECT_EQ(test, cdma_buf_free(ctx, h), 0);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, gone, key, a, 0, 1), -ENXIO);

	/* wrong key, missing right */
	key = rw.key;
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, key ^ 1, a, 0, 1),
			-EACCES);
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a, 0, ga, 0, 1), -EACCES);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, ro.key, a, 0, 1),
			-EACCES);
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a, 0, ro.ga, ro.key, 1),
			-EACCES);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ro.ga, ro.key, a, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, wo.ga, wo.key, a, 0, 1),
			-EACCES);
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a, 0, wo.ga, wo.key, 1), 0);
	/* The key is checked before the range. */
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga + size, key ^ 1, a, 0, 1),
			-EACCES);

	/* ranges of the segment */
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga + size, key, a, 0, 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, key, a, 0, size + 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a, 0, ga + size - 1, key, 2),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga + 0xffffffffULL, key, a,
					 0, 1), -ERANGE);
	/* offset + length overflows (FROM_GLOBAL: the segment is checked
	 * before the local buffer)
	 */
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga + 1, key, a, 0, U64_MAX),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga + PAGE_SIZE, key, a, 0,
					 U64_MAX - PAGE_SIZE + 2), -ERANGE);

	/* The local side: TO_GLOBAL looks the source up first, FROM_GLOBAL
	 * the global address first.
	 */
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a, size, ga, key ^ 1, 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, put_global(test, ctx, a + 100, 0, ga, key, 1),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, key ^ 1, a + 100, 0, 1),
			-EACCES);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, key, a + 100, 0, 1),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, key, a, size, 1),
			-ERANGE);

	/* overlap through the owner's own segment */
	KUNIT_EXPECT_EQ(test, get_global(test, rw.ctx, ga, key, rw.handle, 50,
					 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, put_global(test, rw.ctx, rw.handle, 50, ga + 149,
					 key, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, get_global(test, rw.ctx, ga, key, rw.handle, 100,
					 100), 0);
}

/* Destroying a context revokes its exports. */
static void soft_ctx_destroy_test(struct kunit *test)
{
	struct cdma_ctx *ctx = new_ctx(test), *owner;
	u32 a = new_buf(test, ctx, PAGE_SIZE), h;
	u64 ga, key;

	owner = cdma_ctx_create(engine, NULL);
	KUNIT_ASSERT_NOT_NULL(test, owner);
	h = 0;
	if (cdma_buf_alloc(owner, PAGE_SIZE, &h) ||
	    cdma_export(owner, h, RW, &ga, &key)) {
		cdma_ctx_destroy(owner);
		KUNIT_FAIL_AND_ABORT(test, "cannot export a buffer");
	}
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, key, a, 0, 1), 0);
	cdma_ctx_destroy(owner);
	KUNIT_EXPECT_EQ(test, get_global(test, ctx, ga, key, a, 0, 1), -ENXIO);
}

/*
 * Hostile tenants, finding 6: ALLOC reserves its handle before the buffer
 * exists.  A FREE of that handle meanwhile (another thread of the same
 * process) must leave the reservation alone, or a third ALLOC gets the
 * same handle and the first one's store replaces that buffer (two owners
 * of one handle, a buffer leaked).  The reservation is made here as
 * soft_buf_alloc() makes it.
 */
static void soft_free_reserved_handle_test(struct kunit *test)
{
	struct cdma_ctx *ctx = new_ctx(test);
	struct xarray *bufs = &to_soft_ctx(ctx)->bufs;
	u32 r = 0, h;

	KUNIT_ASSERT_EQ(test, xa_alloc(bufs, &r, NULL, XA_LIMIT(1, U32_MAX),
				       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, cdma_buf_free(ctx, r), -ENOENT);
	h = new_buf(test, ctx, PAGE_SIZE);
	KUNIT_EXPECT_NE(test, h, r);
	xa_release(bufs, r);
}

static struct kunit_case cdma_soft_engine_cases[] = {
	KUNIT_CASE(soft_buf_alloc_test),
	KUNIT_CASE(soft_free_reserved_handle_test),
	KUNIT_CASE(soft_local_copy_test),
	KUNIT_CASE(soft_run_test),
	KUNIT_CASE(soft_local_errors_test),
	KUNIT_CASE(soft_async_test),
	{}
};

static struct kunit_suite cdma_soft_engine_suite = {
	.name = "cdma_soft_engine",
	.suite_init = engine_get,
	.suite_exit = engine_put,
	.test_cases = cdma_soft_engine_cases,
};

static struct kunit_case cdma_soft_global_cases[] = {
	KUNIT_CASE(soft_export_test),
	KUNIT_CASE(soft_global_xfer_test),
	KUNIT_CASE(soft_global_errors_test),
	KUNIT_CASE(soft_ctx_destroy_test),
	{}
};

static struct kunit_suite cdma_soft_global_suite = {
	.name = "cdma_soft_global",
	.suite_init = engine_get,
	.suite_exit = engine_put,
	.test_cases = cdma_soft_global_cases,
};

kunit_test_suites(&cdma_soft_engine_suite, &cdma_soft_global_suite);

MODULE_DESCRIPTION("KUnit tests of the cdma_soft engine");
MODULE_LICENSE("GPL");
