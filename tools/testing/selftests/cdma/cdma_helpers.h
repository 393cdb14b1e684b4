/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the cDMA selftests: device path, ioctl wrappers that
 * return -errno, position-addressable random patterns, buffer set-up and
 * the common fixture.
 *
 * Everything here is static: the suite is one translation unit (see
 * cdma_test.c for why).
 */
#ifndef CDMA_HELPERS_H
#define CDMA_HELPERS_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/cdma.h>
#include <linux/userfaultfd.h>

/* The vendored harness is used unmodified; it is not -Wextra clean. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "../kselftest_harness.h"
#pragma GCC diagnostic pop

#define CD_RW	(CDMA_ACCESS_READ | CDMA_ACCESS_WRITE)

#define KiB	(1024ULL)
#define MiB	(1024ULL * 1024ULL)

/* Device under test: -d PATH, else $CDMA_DEV, else this. */
static const char *cdma_dev_path = "/dev/cdma0";
/* Base of every pattern seed: $CDMA_SEED, else chosen at start. */
static uint64_t cdma_seed;

/*
 * Per-test timeout in seconds, scaled by $CDMA_TIMEOUT_SCALE (an integer,
 * for slow debug kernels).  Evaluated by the harness's constructors.
 */
static unsigned int cd_timeout(unsigned int seconds)
{
	const char *s = getenv("CDMA_TIMEOUT_SCALE");
	unsigned long scale = s ? strtoul(s, NULL, 0) : 1;

	if (scale < 1 || scale > 100)
		scale = 1;
	return seconds * scale;
}

/*
 * Every test uses the "cdma" fixture so that it can carry a timeout.
 *
 * Note: the harness's EXPECT_*()/ASSERT_*() expand to two statements (the
 * check and an optional-handler loop), so a loop or if body made of one
 * of them needs braces.
 */
#define CDMA_TEST(name)		TEST_F_TIMEOUT(cdma, name, cd_timeout(60))
#define CDMA_TEST_SLOW(name)	TEST_F_TIMEOUT(cdma, name, cd_timeout(180))

/* ------------------------------------------------------------------ */
/* ioctl wrappers: 0 (or the non-negative result) on success, -errno.  */

static inline int cd_ioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static inline int cd_open(void)
{
	return open(cdma_dev_path, O_RDWR | O_CLOEXEC);
}

static inline int cd_info(int fd, struct cdma_info *info)
{
	memset(info, 0, sizeof(*info));
	return cd_ioctl(fd, CDMA_IOC_INFO, info);
}

static inline int cd_alloc(int fd, __u64 size, __u32 *handle, __u64 *mmap_off)
{
	struct cdma_alloc a = { .size = size };
	int r = cd_ioctl(fd, CDMA_IOC_ALLOC, &a);

	if (!r) {
		if (handle)
			*handle = a.handle;
		if (mmap_off)
			*mmap_off = a.mmap_offset;
	}
	return r;
}

static inline int cd_free(int fd, __u32 handle)
{
	struct cdma_free f = { .handle = handle };

	return cd_ioctl(fd, CDMA_IOC_FREE, &f);
}

static inline int cd_submit(int fd, struct cdma_xfer *x)
{
	return cd_ioctl(fd, CDMA_IOC_SUBMIT, x);
}

static inline int cd_local(int fd, __u32 src, __u64 soff, __u32 dst,
			   __u64 doff, __u64 len)
{
	struct cdma_xfer x = {
		.dir = CDMA_XFER_LOCAL, .src_handle = src, .dst_handle = dst,
		.src_offset = soff, .dst_offset = doff, .length = len,
	};

	return cd_submit(fd, &x);
}

static inline int cd_local_async(int fd, __u32 src, __u64 soff, __u32 dst,
				 __u64 doff, __u64 len, __u64 cookie)
{
	struct cdma_xfer x = {
		.dir = CDMA_XFER_LOCAL, .flags = CDMA_XFER_F_ASYNC,
		.src_handle = src, .dst_handle = dst,
		.src_offset = soff, .dst_offset = doff, .length = len,
		.cookie = cookie,
	};

	return cd_submit(fd, &x);
}

static inline int cd_to_global(int fd, __u32 src, __u64 soff, __u64 gaddr,
			       __u64 key, __u64 len)
{
	struct cdma_xfer x = {
		.dir = CDMA_XFER_TO_GLOBAL, .src_handle = src,
		.src_offset = soff, .global_addr = gaddr, .key = key,
		.length = len,
	};

	return cd_submit(fd, &x);
}

static inline int cd_from_global(int fd, __u64 gaddr, __u64 key, __u32 dst,
				 __u64 doff, __u64 len)
{
	struct cdma_xfer x = {
		.dir = CDMA_XFER_FROM_GLOBAL, .dst_handle = dst,
		.dst_offset = doff, .global_addr = gaddr, .key = key,
		.length = len,
	};

	return cd_submit(fd, &x);
}

static inline int cd_wait(int fd, __u64 cookie, __u64 timeout_ns,
			  struct cdma_completion *c)
{
	struct cdma_wait w = { .cookie = cookie, .timeout_ns = timeout_ns };
	int r = cd_ioctl(fd, CDMA_IOC_WAIT, &w);

	if (!r && c)
		*c = w.completion;
	return r;
}

static inline int cd_set_mode(int fd, __u32 mode, int efd)
{
	struct cdma_mode m = { .mode = mode, .eventfd = efd };

	return cd_ioctl(fd, CDMA_IOC_SET_MODE, &m);
}

static inline int cd_export(int fd, __u32 handle, __u32 access,
			    __u64 *gaddr, __u64 *key)
{
	struct cdma_export e = { .handle = handle, .access = access };
	int r = cd_ioctl(fd, CDMA_IOC_EXPORT, &e);

	if (!r) {
		if (gaddr)
			*gaddr = e.global_addr;
		if (key)
			*key = e.key;
	}
	return r;
}

static inline int cd_revoke(int fd, __u32 handle)
{
	struct cdma_revoke r = { .handle = handle };

	return cd_ioctl(fd, CDMA_IOC_REVOKE, &r);
}

/* mmap a buffer; MAP_FAILED with errno on failure. */
static inline void *cd_map(int fd, __u64 off, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)off);
}

/* read() completion records: bytes read or -errno. */
static inline ssize_t cd_read(int fd, void *buf, size_t len)
{
	ssize_t r = read(fd, buf, len);

	return r < 0 ? -errno : r;
}

/* poll() one fd for @events: revents, 0 on timeout, -errno. */
static inline int cd_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return -errno;
	return r ? p.revents : 0;
}

static inline uint64_t cd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline unsigned int cd_min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

static inline __u64 cd_round_up(__u64 v, __u64 a)
{
	return (v + a - 1) / a * a;
}

static inline __u32 cd_gaddr_node(__u64 g)
{
	return (__u32)(g >> CDMA_GADDR_NODE_SHIFT);
}

static inline __u32 cd_gaddr_segment(__u64 g)
{
	return (__u32)((g >> CDMA_GADDR_SEGMENT_SHIFT) & 0xffff);
}

/* ------------------------------------------------------------------ */
/*
 * Patterns: byte i of pattern @seed is byte (i % 8) of mix(seed, i / 8),
 * so any sub-range can be checked against its absolute position.
 */

static inline uint64_t pat_word(uint64_t seed, uint64_t w)
{
	uint64_t z = seed + (w + 1) * 0x9e3779b97f4a7c15ULL;	/* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint8_t pat_byte(uint64_t seed, uint64_t pos)
{
	return (uint8_t)(pat_word(seed, pos / 8) >> (8 * (pos % 8)));
}

/* p[k] = pattern byte at absolute position pos + k, for k < n */
static inline void pat_fill_at(void *p, size_t n, uint64_t seed, uint64_t pos)
{
	uint8_t *b = p;
	size_t k = 0;

	for (; k < n && (pos + k) % 8; k++)
		b[k] = pat_byte(seed, pos + k);
	for (; k + 8 <= n; k += 8) {
		uint64_t v = htole64(pat_word(seed, (pos + k) / 8));

		memcpy(b + k, &v, 8);
	}
	for (; k < n; k++)
		b[k] = pat_byte(seed, pos + k);
}

static inline void pat_fill(void *p, size_t n, uint64_t seed)
{
	pat_fill_at(p, n, seed, 0);
}

/* Index of the first k < n with p[k] != pattern(seed, pos + k), or -1. */
static inline ssize_t pat_check_at(const void *p, size_t n, uint64_t seed,
				   uint64_t pos)
{
	const uint8_t *b = p;
	size_t k = 0;

	for (; k < n && (pos + k) % 8; k++)
		if (b[k] != pat_byte(seed, pos + k))
			return (ssize_t)k;
	for (; k + 8 <= n; k += 8) {
		uint64_t v = htole64(pat_word(seed, (pos + k) / 8));

		if (memcmp(b + k, &v, 8))
			break;
	}
	for (; k < n; k++)
		if (b[k] != pat_byte(seed, pos + k))
			return (ssize_t)k;
	return -1;
}

static inline ssize_t pat_check(const void *p, size_t n, uint64_t seed)
{
	return pat_check_at(p, n, seed, 0);
}

/* Index of the first byte != c, or -1 */
static inline ssize_t mem_check_byte(const void *p, size_t n, uint8_t c)
{
	const uint8_t *b = p;
	size_t k;

	for (k = 0; k < n; k++)
		if (b[k] != c)
			return (ssize_t)k;
	return -1;
}

/* Small deterministic PRNG for test parameters (xorshift64*). */
static inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x2545f4914f6cdd1dULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* ------------------------------------------------------------------ */
/* Structure field tables, to set each reserved/unused field in turn.  */

struct cd_field {
	const char *name;
	size_t off;
	size_t size;
};

#define CD_FIELD(type, member) \
	{ #member, offsetof(type, member), sizeof(((type *)0)->member) }

static inline void cd_field_set(void *s, const struct cd_field *f, uint64_t v)
{
	uint8_t *p = (uint8_t *)s + f->off;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (f->size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/* Nonzero values tried for each field: low bit, top bit, all ones. */
static inline uint64_t cd_field_value(const struct cd_field *f, int i)
{
	unsigned int bits = (unsigned int)f->size * 8;

	switch (i) {
	case 0:
		return 1;
	case 1:
		return 1ULL << (bits - 1);
	default:
		return bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	}
}

#define CD_FIELD_VALUES 3

/* ------------------------------------------------------------------ */
/* Buffers                                                             */

struct cd_buf {
	__u32 handle;
	__u64 off;		/* mmap offset */
	size_t size;		/* requested size */
	size_t len;		/* mapped length: size rounded up to page_size */
	uint8_t *map;		/* NULL if not mapped */
};

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
static void cd_open_checked(struct __test_metadata *_metadata, int *fd,
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
static void cd_buf_get(struct __test_metadata *_metadata, int fd,
		       const struct cdma_info *info, size_t size, bool map,
		       struct cd_buf *b)
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

static void cd_buf_put(struct __test_metadata *_metadata, int fd,
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
static void cd_wait_ok(struct __test_metadata *_metadata, int fd,
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

#define CD_REC	sizeof(struct cdma_completion)

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

/* Two small buffers for transfers whose data does not matter much. */
static void cd_small_pair(struct __test_metadata *_metadata, int fd,
			  const struct cdma_info *info,
			  struct cd_buf *a, struct cd_buf *b)
{
	cd_buf_get(_metadata, fd, info, 64 * KiB, true, a);
	cd_buf_get(_metadata, fd, info, 64 * KiB, true, b);
	pat_fill(a->map, a->len, cdma_seed);
}

/*
 * Find a handle of another open file @fd2 that is not one of @n handles
 * in @mine: allocates one-page buffers on @fd2 until it gets one.
 */
static __u32 cd_foreign_handle(struct __test_metadata *_metadata, int fd2,
			       const struct cdma_info *info,
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

/* NULL that the compiler cannot see (to pass it where it warns). */
static inline void *cd_null(void)
{
	void *p = NULL;

	__asm__ ("" : "+r" (p));
	return p;
}

/* An address no process has mapped (a page mapped then unmapped). */
static void *cd_bad_ptr(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return (void *)8;
	munmap(p, 4096);
	return p;
}

/* Read the eventfd counter without blocking: value, 0 if none, -errno. */
static inline int64_t cd_efd_take(int efd)
{
	uint64_t v;
	ssize_t r = read(efd, &v, sizeof(v));

	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	return r == sizeof(v) ? (int64_t)v : -EIO;
}

#endif /* CDMA_HELPERS_H */
