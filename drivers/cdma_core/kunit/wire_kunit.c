// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the virtio-rdma-remote status <-> errno mapping (wire.c):
 * the table of Documentation/virtio-rdma-remote.rst, the round trip of
 * every code, unknown statuses and errnos.
 */

#include <kunit/test.h>
#include <linux/cdma_core.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <uapi/linux/virtio_rdma_remote.h>

struct wire_code {
	u32 status;
	int err;
};

#define CODE(s, e)	{ VIRTIO_RDMA_REMOTE_S_##s, e }

static const struct wire_code wire_codes[] = {
	CODE(OK, 0),
	CODE(INVAL, -EINVAL),
	CODE(FBIG, -EFBIG),
	CODE(NOSPC, -ENOSPC),
	CODE(NOMEM, -ENOMEM),
	CODE(NOENT, -ENOENT),
	CODE(RANGE, -ERANGE),
	CODE(BUSY, -EBUSY),
	CODE(EXIST, -EEXIST),
	CODE(NXIO, -ENXIO),
	CODE(HOSTUNREACH, -EHOSTUNREACH),
	CODE(ACCES, -EACCES),
	CODE(CANCELED, -ECANCELED),
	CODE(IO, -EIO),
	CODE(UNSUPP, -EOPNOTSUPP),
	CODE(FAULT, -EFAULT),
};

static void wire_code_desc(const struct wire_code *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "status %u, errno %d",
		 c->status, c->err);
}

KUNIT_ARRAY_PARAM(wire_code, wire_codes, wire_code_desc);

/* Both directions of one documented code. */
static void vrr_code_test(struct kunit *test)
{
	const struct wire_code *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vrr_status_to_errno(c->status), c->err);
	KUNIT_EXPECT_EQ(test, vrr_errno_to_status(c->err), c->status);
	KUNIT_EXPECT_EQ(test,
			vrr_errno_to_status(vrr_status_to_errno(c->status)),
			c->status);
	KUNIT_EXPECT_EQ(test,
			vrr_status_to_errno(vrr_errno_to_status(c->err)),
			c->err);
}

/* The table has one entry per status, 0 .. the highest, no gaps. */
static void vrr_codes_dense_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wire_codes); i++)
		KUNIT_EXPECT_EQ(test, wire_codes[i].status, i);
}

static void vrr_unknown_status_test(struct kunit *test)
{
	const u32 n = ARRAY_SIZE(wire_codes);
	static const u32 extra[] = { 64, 255, 256, 1U << 31, U32_MAX - 1, U32_MAX };
	unsigned int i;

	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ_MSG(test, vrr_status_to_errno(n + i), -EIO,
				    "status %u", n + i);
	for (i = 0; i < ARRAY_SIZE(extra); i++)
		KUNIT_EXPECT_EQ_MSG(test, vrr_status_to_errno(extra[i]), -EIO,
				    "status %u", extra[i]);
}

static void vrr_unknown_errno_test(struct kunit *test)
{
	static const int unknown[] = {
		-EPERM, -ESRCH, -EINTR, -EAGAIN, -ENODEV, -ENOTTY, -EDOM,
		-ETIMEDOUT, -EOVERFLOW, -EMSGSIZE, -ERESTARTSYS, -MAX_ERRNO,
		1, 5, INT_MAX, INT_MIN,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		KUNIT_EXPECT_EQ_MSG(test, vrr_errno_to_status(unknown[i]),
				    (u32)VIRTIO_RDMA_REMOTE_S_IO, "errno %d",
				    unknown[i]);
}

static struct kunit_case cdma_wire_cases[] = {
	KUNIT_CASE_PARAM(vrr_code_test, wire_code_gen_params),
	KUNIT_CASE(vrr_codes_dense_test),
	KUNIT_CASE(vrr_unknown_status_test),
	KUNIT_CASE(vrr_unknown_errno_test),
	{}
};

static struct kunit_suite cdma_wire_suite = {
	.name = "cdma_core_wire",
	.test_cases = cdma_wire_cases,
};

kunit_test_suite(cdma_wire_suite);
