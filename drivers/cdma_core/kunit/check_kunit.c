// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cdma_core's uAPI argument checks (check.c): every branch,
 * each reserved word on its own, zero, the largest values, unknown bits,
 * directions and modes, output fields ignored.
 */

#include <kunit/test.h>
#include <linux/cdma_core.h>
#include <linux/limits.h>
#include <linux/sizes.h>

#define MAX_SIZE	((u64)SZ_1G)

/* --- CDMA_IOC_ALLOC ------------------------------------------------------ */

struct alloc_case {
	const char *desc;
	struct cdma_alloc a;
	u64 max;
	int ret;
};

static const struct alloc_case alloc_cases[] = {
	{ "size 1", { .size = 1 }, MAX_SIZE, 0 },
	{ "size max", { .size = MAX_SIZE }, MAX_SIZE, 0 },
	{ "size max+1", { .size = MAX_SIZE + 1 }, MAX_SIZE, -EFBIG },
	{ "size U64_MAX", { .size = U64_MAX }, MAX_SIZE, -EFBIG },
	{ "size U64_MAX, limit U64_MAX", { .size = U64_MAX }, U64_MAX, 0 },
	{ "size 1, limit 0", { .size = 1 }, 0, -EFBIG },
	{ "size 0", { .size = 0 }, MAX_SIZE, -EINVAL },
	{ "flags bit 0", { .size = 1, .flags = 1 }, MAX_SIZE, -EINVAL },
	{ "flags bit 31", { .size = 1, .flags = 1U << 31 }, MAX_SIZE, -EINVAL },
	{ "flags all", { .size = 1, .flags = U32_MAX }, MAX_SIZE, -EINVAL },
	{ "reserved[0]=1", { .size = 1, .reserved = { 1, 0 } }, MAX_SIZE, -EINVAL },
	{ "reserved[1]=1", { .size = 1, .reserved = { 0, 1 } }, MAX_SIZE, -EINVAL },
	{ "reserved[0] bit 63", { .size = 1, .reserved = { 1ULL << 63, 0 } },
	  MAX_SIZE, -EINVAL },
	{ "reserved[1]=U64_MAX", { .size = 1, .reserved = { 0, U64_MAX } },
	  MAX_SIZE, -EINVAL },
	{ "output fields ignored",
	  { .size = 1, .handle = U32_MAX, .mmap_offset = U64_MAX }, MAX_SIZE, 0 },
	/* EINVAL is checked before EFBIG */
	{ "flags and too big", { .size = U64_MAX, .flags = 1 }, MAX_SIZE, -EINVAL },
	{ "reserved and too big", { .size = U64_MAX, .reserved = { 0, 1 } },
	  MAX_SIZE, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(alloc, alloc_cases, desc);

static void cdma_alloc_check_test(struct kunit *test)
{
	const struct alloc_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, cdma_alloc_check(&c->a, c->max), c->ret);
}

/* --- CDMA_IOC_FREE / CDMA_IOC_REVOKE (same layout) ---------------------- */

struct free_case {
	const char *desc;
	u32 handle;
	u32 flags;
	u64 reserved[2];
	int ret;
};

static const struct free_case free_cases[] = {
	{ "handle 0", 0, 0, { 0, 0 }, 0 },
	{ "handle U32_MAX", U32_MAX, 0, { 0, 0 }, 0 },
	{ "flags bit 0", 1, 1, { 0, 0 }, -EINVAL },
	{ "flags bit 31", 1, 1U << 31, { 0, 0 }, -EINVAL },
	{ "reserved[0]=1", 1, 0, { 1, 0 }, -EINVAL },
	{ "reserved[1]=1", 1, 0, { 0, 1 }, -EINVAL },
	{ "reserved[0]=U64_MAX", 1, 0, { U64_MAX, 0 }, -EINVAL },
	{ "reserved[1] bit 63", 1, 0, { 0, 1ULL << 63 }, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(free, free_cases, desc);

static void cdma_free_check_test(struct kunit *test)
{
	const struct free_case *c = test->param_value;
	struct cdma_free f = {
		.handle = c->handle, .flags = c->flags,
		.reserved = { c->reserved[0], c->reserved[1] },
	};

	KUNIT_EXPECT_EQ(test, cdma_free_check(&f), c->ret);
}

static void cdma_revoke_check_test(struct kunit *test)
{
	const struct free_case *c = test->param_value;
	struct cdma_revoke r = {
		.handle = c->handle, .flags = c->flags,
		.reserved = { c->reserved[0], c->reserved[1] },
	};

	KUNIT_EXPECT_EQ(test, cdma_revoke_check(&r), c->ret);
}

/* --- CDMA_IOC_SUBMIT ------------------------------------------------------ */

struct xfer_case {
	const char *desc;
	struct cdma_xfer x;
	int ret;
};

/* A transfer in direction @d of @len bytes, other fields as given. */
#define X(d, len, ...)	{ .dir = CDMA_XFER_##d, .length = (len), __VA_ARGS__ }
#define ASYNC		.flags = CDMA_XFER_F_ASYNC

static const struct xfer_case xfer_cases[] = {
	{ "local", X(LOCAL, 1, .src_handle = 1, .dst_handle = 2), 0 },
	{ "to global", X(TO_GLOBAL, 1, .src_handle = 1, .global_addr = 1,
			 .key = 1), 0 },
	{ "from global", X(FROM_GLOBAL, 1, .dst_handle = 1, .global_addr = 1,
			   .key = 1), 0 },
	{ "local, all offsets max",
	  X(LOCAL, 1, .src_offset = U64_MAX, .dst_offset = U64_MAX), 0 },
	{ "local, length U64_MAX", X(LOCAL, U64_MAX), 0 },
	{ "local, handles zero", X(LOCAL, 1), 0 },
	{ "local, length 0", X(LOCAL, 0, .src_handle = 1, .dst_handle = 2),
	  -EINVAL },
	{ "to global, length 0", X(TO_GLOBAL, 0, .global_addr = 1), -EINVAL },
	{ "from global, length 0", X(FROM_GLOBAL, 0, .key = 1), -EINVAL },
	{ "async with cookie", X(LOCAL, 1, ASYNC, .cookie = 7), 0 },
	{ "async, cookie 0", X(LOCAL, 1, ASYNC), 0 },
	{ "async, cookie U64_MAX", X(TO_GLOBAL, 1, ASYNC, .cookie = U64_MAX), 0 },
	{ "sync with cookie", X(LOCAL, 1, .cookie = 7), -EINVAL },
	{ "sync with cookie, to global", X(TO_GLOBAL, 1, .cookie = 1), -EINVAL },
	{ "sync with cookie, from global", X(FROM_GLOBAL, 1, .cookie = U64_MAX),
	  -EINVAL },
	{ "flags bit 1", X(LOCAL, 1, .flags = 1U << 1), -EINVAL },
	{ "flags async|bit 1", X(LOCAL, 1, .flags = CDMA_XFER_F_ASYNC | 1U << 1),
	  -EINVAL },
	{ "flags bit 31", X(LOCAL, 1, .flags = 1U << 31), -EINVAL },
	{ "flags all", X(LOCAL, 1, .flags = U32_MAX), -EINVAL },
	{ "reserved[0]=1", X(LOCAL, 1, .reserved = { 1, 0 }), -EINVAL },
	{ "reserved[1]=1", X(LOCAL, 1, .reserved = { 0, 1 }), -EINVAL },
	{ "reserved[0]=U64_MAX", X(TO_GLOBAL, 1, .reserved = { U64_MAX, 0 }),
	  -EINVAL },
	{ "reserved[1] bit 63", X(FROM_GLOBAL, 1, .reserved = { 0, 1ULL << 63 }),
	  -EINVAL },
	{ "async, reserved[1]", X(LOCAL, 1, ASYNC, .reserved = { 0, 1 }),
	  -EINVAL },
	{ "local with global_addr", X(LOCAL, 1, .global_addr = 1), -EINVAL },
	{ "local with key", X(LOCAL, 1, .key = 1), -EINVAL },
	{ "to global with dst_handle", X(TO_GLOBAL, 1, .dst_handle = 1), -EINVAL },
	{ "to global with dst_offset", X(TO_GLOBAL, 1, .dst_offset = 1), -EINVAL },
	{ "to global, src fields max",
	  X(TO_GLOBAL, 1, .src_handle = U32_MAX, .src_offset = U64_MAX), 0 },
	{ "from global with src_handle", X(FROM_GLOBAL, 1, .src_handle = 1),
	  -EINVAL },
	{ "from global with src_offset", X(FROM_GLOBAL, 1, .src_offset = 1),
	  -EINVAL },
	{ "from global, dst fields max",
	  X(FROM_GLOBAL, 1, .dst_handle = U32_MAX, .dst_offset = U64_MAX), 0 },
	{ "dir 3", { .dir = 3, .length = 1, .src_handle = 1, .dst_handle = 2 },
	  -EINVAL },
	{ "dir U32_MAX", { .dir = U32_MAX, .length = 1 }, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(xfer, xfer_cases, desc);

static void cdma_xfer_check_test(struct kunit *test)
{
	const struct xfer_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, cdma_xfer_check(&c->x), c->ret);
}

/* --- CDMA_IOC_SET_MODE ---------------------------------------------------- */

struct mode_case {
	const char *desc;
	struct cdma_mode m;
	int ret;
};

static const struct mode_case mode_cases[] = {
	{ "interrupt, no eventfd", { CDMA_MODE_INTERRUPT, -1 }, 0 },
	{ "poll, no eventfd", { CDMA_MODE_POLL, -1 }, 0 },
	{ "eventfd 0", { CDMA_MODE_INTERRUPT, 0 }, 0 },
	{ "eventfd INT_MAX", { CDMA_MODE_POLL, INT_MAX }, 0 },
	{ "eventfd -2", { CDMA_MODE_INTERRUPT, -2 }, -EBADF },
	{ "eventfd INT_MIN", { CDMA_MODE_POLL, INT_MIN }, -EBADF },
	{ "mode 2", { 2, -1 }, -EINVAL },
	{ "mode U32_MAX", { U32_MAX, -1 }, -EINVAL },
	{ "reserved[0]=1", { CDMA_MODE_INTERRUPT, -1, { 1, 0 } }, -EINVAL },
	{ "reserved[1]=1", { CDMA_MODE_POLL, -1, { 0, 1 } }, -EINVAL },
	{ "reserved[0]=U64_MAX", { CDMA_MODE_POLL, -1, { U64_MAX, 0 } }, -EINVAL },
	/* EINVAL is checked before EBADF */
	{ "mode 2, eventfd -2", { 2, -2 }, -EINVAL },
	{ "reserved[1], eventfd -2", { CDMA_MODE_POLL, -2, { 0, 1 } }, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(mode, mode_cases, desc);

static void cdma_mode_check_test(struct kunit *test)
{
	const struct mode_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, cdma_mode_check(&c->m), c->ret);
}

/* --- CDMA_IOC_EXPORT ------------------------------------------------------ */

struct export_case {
	const char *desc;
	struct cdma_export e;
	int ret;
};

#define RW	(CDMA_ACCESS_READ | CDMA_ACCESS_WRITE)

static const struct export_case export_cases[] = {
	{ "read", { .handle = 1, .access = CDMA_ACCESS_READ }, 0 },
	{ "write", { .handle = 1, .access = CDMA_ACCESS_WRITE }, 0 },
	{ "read|write", { .handle = 1, .access = RW }, 0 },
	{ "handle U32_MAX", { .handle = U32_MAX, .access = RW }, 0 },
	{ "output fields ignored",
	  { .access = RW, .global_addr = U64_MAX, .key = U64_MAX }, 0 },
	{ "access 0", { .handle = 1 }, -EINVAL },
	{ "access bit 2", { .handle = 1, .access = 1U << 2 }, -EINVAL },
	{ "access read|bit 2", { .handle = 1, .access = CDMA_ACCESS_READ | 1U << 2 },
	  -EINVAL },
	{ "access bit 31", { .handle = 1, .access = 1U << 31 }, -EINVAL },
	{ "access all", { .handle = 1, .access = U32_MAX }, -EINVAL },
	{ "reserved[0]=1", { .access = RW, .reserved = { 1, 0 } }, -EINVAL },
	{ "reserved[1]=1", { .access = RW, .reserved = { 0, 1 } }, -EINVAL },
	{ "reserved[0] bit 63", { .access = RW, .reserved = { 1ULL << 63, 0 } },
	  -EINVAL },
	{ "reserved[1]=U64_MAX", { .access = RW, .reserved = { 0, U64_MAX } },
	  -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(export, export_cases, desc);

static void cdma_export_check_test(struct kunit *test)
{
	const struct export_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, cdma_export_check(&c->e), c->ret);
}

static struct kunit_case cdma_check_cases[] = {
	KUNIT_CASE_PARAM(cdma_alloc_check_test, alloc_gen_params),
	KUNIT_CASE_PARAM(cdma_free_check_test, free_gen_params),
	KUNIT_CASE_PARAM(cdma_revoke_check_test, free_gen_params),
	KUNIT_CASE_PARAM(cdma_xfer_check_test, xfer_gen_params),
	KUNIT_CASE_PARAM(cdma_mode_check_test, mode_gen_params),
	KUNIT_CASE_PARAM(cdma_export_check_test, export_gen_params),
	{}
};

static struct kunit_suite cdma_check_suite = {
	.name = "cdma_core_check",
	.test_cases = cdma_check_cases,
};

kunit_test_suite(cdma_check_suite);

/* One module, cdma_core_kunit, holds the suites of every kunit/ file. */
MODULE_DESCRIPTION("KUnit tests of cdma_core");
MODULE_LICENSE("GPL");
