/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "cdma" fixture of the cDMA selftests and the helpers that check with
 * the kselftest harness's ASSERT_*() and EXPECT_*().
 *
 * They stay in this header, static, because they must be compiled in the
 * harness's translation unit: the harness keeps its state in static
 * variables and defines non-static functions, so only one object of a
 * program can include it (cdma_helpers.c has the rest).
 */
#ifndef CDMA_FIXTURE_H
#define CDMA_FIXTURE_H

#include "cdma_helpers.h"

/* The vendored harness is used unmodified; it is not -Wextra clean. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "../kselftest_harness.h"
#pragma GCC diagnostic pop

/*
 * Every test uses the "cdma" fixture so that it can carry a timeout.
 *
 * Note: the harness's EXPECT_*()/ASSERT_*() expand to two statements (the
 * check and an optional-handler loop), so a loop or if body made of one
 * of them needs braces.
 */
#define CDMA_TEST(name)		TEST_F_TIMEOUT(cdma, name, cd_timeout(60))
#define CDMA_TEST_SLOW(name)	TEST_F_TIMEOUT(cdma, name, cd_timeout(180))

/* The fixture: one open file and the device's limits. */
FIXTURE(cdma) {
	int fd;
	struct cdma_info info;
	size_t page;
};

/*
 * Open the device and read its information; fails the test (not skips)
 * when the device is missing: the suite is run on purpose on a device.
 */
static inline void cd_open_checked(struct __test_metadata *_metadata, int *fd,
				   struct cdma_info *info)
{
	*fd = cd_open();
	ASSERT_LE(0, *fd)
		TH_LOG("cannot open %s: %s", cdma_dev_path, strerror(errno));
	ASSERT_EQ(0, cd_info(*fd, info));
	ASSERT_EQ((__u32)CDMA_UAPI_VERSION, info->version);
	ASSERT_NE(0U, info->page_size);
	ASSERT_EQ(0U, info->page_size & (info->page_size - 1));
}

FIXTURE_SETUP(cdma)
{
	self->fd = -1;
	cd_open_checked(_metadata, &self->fd, &self->info);
	self->page = self->info.page_size;
}

FIXTURE_TEARDOWN(cdma)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Allocate (and optionally map) a buffer, asserting success. */
static inline void cd_buf_get(struct __test_metadata *_metadata, int fd,
			      const struct cdma_info *info, size_t size,
			      bool map, struct cd_buf *b)
{
	int r;

	memset(b, 0, sizeof(*b));
	r = cd_alloc(fd, size, &b->handle, &b->off);
	ASSERT_EQ(0, r) TH_LOG("ALLOC %zu: %s", size, strerror(-r));
	b->size = size;
	b->len = cd_round_up(size, info->page_size);
	if (map) {
		void *p = cd_map(fd, b->off, b->len);

		ASSERT_NE(MAP_FAILED, p)
			TH_LOG("mmap %zu at %#llx: %s", b->len,
			       (unsigned long long)b->off, strerror(errno));
		b->map = p;
	}
}

static inline void cd_buf_put(struct __test_metadata *_metadata, int fd,
			      struct cd_buf *b)
{
	if (b->map) {
		EXPECT_EQ(0, munmap(b->map, b->len));
		b->map = NULL;
	}
	EXPECT_EQ(0, cd_free(fd, b->handle));
}

/* Capabilities the suite needs; a device lacking one fails that test. */
#define ASSERT_CAP(info, cap) ({ \
	ASSERT_NE(0U, (info)->caps & (cap)) \
		TH_LOG("device lacks capability " #cap); \
})

/* Wait for the completion of @cookie and check it is a success of @len. */
static inline void cd_wait_ok(struct __test_metadata *_metadata, int fd,
			      __u64 cookie, __u64 len)
{
	struct cdma_completion c;
	int r;

	memset(&c, 0xa5, sizeof(c));
	r = cd_wait(fd, cookie, UINT64_MAX, &c);
	ASSERT_EQ(0, r) TH_LOG("WAIT %#llx: %s", (unsigned long long)cookie,
			       strerror(-r));
	EXPECT_EQ(cookie, c.cookie);
	EXPECT_EQ(0, c.status);
	EXPECT_EQ(0U, c.flags);
	EXPECT_EQ(len, c.bytes);
	EXPECT_EQ(0ULL, c.reserved);
}

/* Check one completion record of a successful transfer of @len bytes. */
#define EXPECT_REC_OK(rec, len) do {					\
	const struct cdma_completion *__rec = &(rec);			\
	EXPECT_EQ(0, __rec->status)					\
		TH_LOG("cookie %#llx status %d",			\
		       (unsigned long long)__rec->cookie, __rec->status);	\
	EXPECT_EQ(0U, __rec->flags);					\
	EXPECT_EQ((__u64)(len), __rec->bytes);				\
	EXPECT_EQ(0ULL, __rec->reserved);				\
} while (0)

/*
 * Two mapped buffers of @size bytes, the first filled with pattern
 * cdma_seed: the source and the destination of transfers.
 */
static inline void cd_buf_pair(struct __test_metadata *_metadata, int fd,
			       const struct cdma_info *info, size_t size,
			       struct cd_buf *a, struct cd_buf *b)
{
	cd_buf_get(_metadata, fd, info, size, true, a);
	cd_buf_get(_metadata, fd, info, size, true, b);
	pat_fill(a->map, a->len, cdma_seed);
}

/* Two small buffers for transfers whose data does not matter much. */
static inline void cd_small_pair(struct __test_metadata *_metadata, int fd,
				 const struct cdma_info *info,
				 struct cd_buf *a, struct cd_buf *b)
{
	cd_buf_pair(_metadata, fd, info, 64 * KiB, a, b);
}

/*
 * cd_buf_pair() of @size bytes, or of the device's max_buffer_size if that
 * is smaller: returns their size.
 */
static inline __u64 cd_data_pair(struct __test_metadata *_metadata, int fd,
				 const struct cdma_info *info, __u64 size,
				 struct cd_buf *a, struct cd_buf *b)
{
	size = cd_max_size(info, size);
	cd_buf_pair(_metadata, fd, info, size, a, b);
	return size;
}

/*
 * fork() with two pipes, @up from the child to the parent and @down from
 * the parent to the child; each process closes the ends it does not use.
 * Returns fork()'s result: 0 in the child.
 */
static inline pid_t cd_fork_piped(struct __test_metadata *_metadata,
				  int up[2], int down[2])
{
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
	} else {
		close(up[1]);
		close(down[0]);
	}
	return pid;
}

/* Reap child @pid (@who), whose exit status is 0 or the step that failed. */
static inline void cd_child_ok(struct __test_metadata *_metadata, pid_t pid,
			       const char *who)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("%s: status %#x", who, status);
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("%s failed at step %d", who, WEXITSTATUS(status));
}

/*
 * ioctl @req of a copy of @valid (a request of @size bytes that works)
 * with one bit of the field @flags set (each of the 32 in turn; none when
 * NULL), then with one of @fields (@nr of them) set to each of its
 * CD_FIELD_VALUES values in turn: EINVAL each time.
 */
static inline void cd_einval(struct __test_metadata *_metadata, int fd,
			     unsigned long req, const void *valid, size_t size,
			     const struct cd_field *flags,
			     const struct cd_field *fields, unsigned int nr)
{
	__u64 buf[16];
	unsigned int i, bit;
	int v;

	ASSERT_GE(sizeof(buf), size);
	for (bit = 0; flags && bit < 32; bit++) {
		memcpy(buf, valid, size);
		cd_field_set(buf, flags, 1ULL << bit);
		EXPECT_EQ(-EINVAL, cd_ioctl(fd, req, buf))
			TH_LOG("flags bit %u", bit);
	}
	for (i = 0; i < nr; i++) {
		for (v = 0; v < CD_FIELD_VALUES; v++) {
			memcpy(buf, valid, size);
			cd_field_set(buf, &fields[i],
				     cd_field_value(&fields[i], v));
			EXPECT_EQ(-EINVAL, cd_ioctl(fd, req, buf))
				TH_LOG("field %s value %d", fields[i].name, v);
		}
	}
}

/*
 * Find a handle of another open file @fd2 that is not one of @n handles
 * in @mine: allocates one-page buffers on @fd2 until it gets one.
 */
static inline __u32 cd_foreign_handle(struct __test_metadata *_metadata,
				      int fd2, const struct cdma_info *info,
				      const __u32 *mine, int n)
{
	int tries, i;

	for (tries = 0; tries < n + 2; tries++) {
		__u32 h;
		bool clash = false;

		ASSERT_EQ(0, cd_alloc(fd2, info->page_size, &h, NULL));
		for (i = 0; i < n; i++)
			clash |= (h == mine[i]);
		if (!clash)
			return h;
	}
	ASSERT_TRUE(0) TH_LOG("no distinct foreign handle");
	return 0;
}

#endif /* CDMA_FIXTURE_H */
