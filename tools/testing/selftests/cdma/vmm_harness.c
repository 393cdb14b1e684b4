// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_harness - kselftest of the in-place swap of rdma_zcopy, the vDPA
 * backend of virtio-rdma-remote (Documentation/virtio-rdma-remote.rst,
 * Documentation/design.rst): the guest range of a buffer is replaced, in
 * the VMM's address space, by the engine's buffer.
 *
 * The program plays the VMM over /dev/vhost-vdpa-N (its own memfd is the
 * guest RAM) and the guest driver of the device (vmm_virtio.h), and checks
 * what the guest sees of its own memory:
 *
 * - ALLOC replaces the guest range, in place, by the engine's buffer: the
 *   range then reads as the new buffer (zeros), not as its old content;
 * - the engine's writes appear in the guest's memory, and the guest's
 *   writes are what the engine reads;
 * - after FREE, SESSION_CLOSE or a reset the range holds the guest's
 *   original pages (or zero pages, where they were released), never the
 *   engine's data;
 * - a bogus range is refused with the documented status and changes
 *   nothing;
 * - a VMM killed with transfers in flight leaks nothing (counters of the
 *   backend in debugfs; kmemleak where the kernel has it);
 * - the backend itself copies no payload
 *   (/sys/kernel/debug/rdma_zcopy/payload_copied_bytes stays 0).
 *
 * Usage: vmm_harness [-d PATH] [kselftest harness options]
 *
 *   -d PATH, --device PATH   vhost-vdpa device of an rdma_zcopy vDPA device
 *                            (default $ZCOPY_DEV or /dev/vhost-vdpa-0)
 *
 * Environment: ZCOPY_DEV, CDMA_SEED (base of the data patterns),
 * CDMA_TIMEOUT_SCALE (integer factor of every time limit), ZCOPY_KMEMLEAK=0
 * (no kmemleak scan in kill_with_transfers_in_flight: two scans take a
 * minute on a debug kernel under TCG; make check's final kmemleak scan
 * still sees every leak).
 *
 * The device must be bound to vhost_vdpa and unused: each test opens it.
 * tools/testing/vm/guest/rdma-vhost.sh creates one and runs this program.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <linux/io_uring.h>

/*
 * The vendored harness is used unmodified; it is not -Wextra clean, and
 * its setjmp() in the test wrappers makes GCC see "clobbered" variables
 * when a small test body is inlined into them (false positives).
 */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wclobbered"
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "../kselftest_harness.h"
#pragma GCC diagnostic pop

#include "cdma_helpers.h"
#include "vmm_virtio.h"
#include "harness_args.h"
#include "pattern.h"

#define S_OK		VIRTIO_RDMA_REMOTE_S_OK
#define S_INVAL		VIRTIO_RDMA_REMOTE_S_INVAL
#define S_FBIG		VIRTIO_RDMA_REMOTE_S_FBIG
#define S_NOSPC		VIRTIO_RDMA_REMOTE_S_NOSPC
#define S_NOENT		VIRTIO_RDMA_REMOTE_S_NOENT
#define S_EXIST		VIRTIO_RDMA_REMOTE_S_EXIST
#define S_NXIO		VIRTIO_RDMA_REMOTE_S_NXIO
#define S_UNSUPP	VIRTIO_RDMA_REMOTE_S_UNSUPP
#define S_FAULT		VIRTIO_RDMA_REMOTE_S_FAULT
#define S_NOMEM		VIRTIO_RDMA_REMOTE_S_NOMEM

/* Device under test: -d PATH, else $ZCOPY_DEV, else this. */
static const char *zc_dev_path = "/dev/vhost-vdpa-0";
/* Base of every pattern seed: $CDMA_SEED, else chosen at start. */
static uint64_t zc_seed;

/* ------------------------------------------------------------------ */
/* Data patterns                                                      */

/* Pattern @seed of this run: CDMA_PATTERN_KEYED (pattern.h) of this key. */
static uint64_t zc_pat_key(uint64_t seed)
{
	return zc_seed ^ cdma_mix64(seed);
}

static int64_t zc_nonzero(const void *buf, uint64_t len)
{
	const uint8_t *p = buf;
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return (int64_t)i;
	return -1;
}

/* Fill / check guest memory at a bus address (across RAM regions). */
static void zc_gfill(struct zc_vmm *m, uint64_t iova, uint64_t len,
		     uint64_t seed)
{
	uint8_t *tmp = malloc(len);

	if (!tmp)
		abort();
	cdma_pattern_fill(CDMA_PATTERN_KEYED, zc_pat_key(seed), tmp, len, 0);
	if (zc_gwrite(m, iova, tmp, len))
		abort();
	free(tmp);
}

/* -1: pattern intact; else the first differing offset; -2: not memory */
static int64_t zc_gdiff(struct zc_vmm *m, uint64_t iova, uint64_t len,
			uint64_t seed)
{
	uint8_t *tmp = malloc(len);
	int64_t d;

	if (!tmp)
		abort();
	d = zc_gread(m, iova, tmp, len) ? -2 :
	    cdma_pattern_check(CDMA_PATTERN_KEYED, zc_pat_key(seed), tmp, len,
			       0);
	free(tmp);
	return d;
}

static int64_t zc_gnonzero(struct zc_vmm *m, uint64_t iova, uint64_t len)
{
	uint8_t *tmp = malloc(len);
	int64_t d;

	if (!tmp)
		abort();
	d = zc_gread(m, iova, tmp, len) ? -2 : zc_nonzero(tmp, len);
	free(tmp);
	return d;
}

/* Bytes [off, off + len) of the buffer made of @r, in buffer order. */
static int zc_bcopy(struct zc_vmm *m, const struct zc_range *r,
		    unsigned int nr, uint64_t off, void *buf, uint64_t len,
		    bool write)
{
	uint8_t *b = buf;
	unsigned int i;

	for (i = 0; i < nr && len; i++) {
		uint64_t n;

		if (off >= r[i].len) {
			off -= r[i].len;
			continue;
		}
		n = r[i].len - off;
		if (n > len)
			n = len;
		if (zc_gcopy(m, r[i].addr + off, b, n, write))
			return -EFAULT;
		b += n;
		len -= n;
		off = 0;
	}
	return len ? -EINVAL : 0;
}

/* Pattern @seed (offset 0 = buffer offset @off) into a buffer's memory. */
static void zc_bfill(struct zc_vmm *m, const struct zc_range *r,
		     unsigned int nr, uint64_t off, uint64_t len, uint64_t seed,
		     uint64_t seed_off)
{
	uint8_t *tmp = malloc(len);

	if (!tmp)
		abort();
	cdma_pattern_fill(CDMA_PATTERN_KEYED, zc_pat_key(seed), tmp, len,
			  seed_off);
	if (zc_bcopy(m, r, nr, off, tmp, len, true))
		abort();
	free(tmp);
}

static int64_t zc_bdiff(struct zc_vmm *m, const struct zc_range *r,
			unsigned int nr, uint64_t off, uint64_t len,
			uint64_t seed, uint64_t seed_off)
{
	uint8_t *tmp = malloc(len);
	int64_t d;

	if (!tmp)
		abort();
	d = zc_bcopy(m, r, nr, off, tmp, len, false) ? -2 :
	    cdma_pattern_check(CDMA_PATTERN_KEYED, zc_pat_key(seed), tmp, len,
			       seed_off);
	free(tmp);
	return d;
}

/* ------------------------------------------------------------------ */
/* Backend counters in debugfs                                          */

#define ZC_DEBUGFS	"/sys/kernel/debug/rdma_zcopy"

enum {
	ZC_C_BUFFERS,
	ZC_C_SWAPPED,
	ZC_C_PINNED,
	ZC_C_PAYLOAD,
	ZC_NR_COUNTERS,
};

static const char *const zc_counter_names[ZC_NR_COUNTERS] = {
	"buffers", "swapped_pages", "held_pages", "payload_copied_bytes",
};

struct zc_counters {
	bool have[ZC_NR_COUNTERS];
	uint64_t v[ZC_NR_COUNTERS];
};

/* 0 and the value, or -errno (-ENOENT: no such file). */
static int zc_counter(const char *name, uint64_t *val)
{
	char path[256], buf[64], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ZC_DEBUGFS, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = 0;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EIO;
	return 0;
}

static void zc_counters_read(struct zc_counters *c)
{
	unsigned int i;

	for (i = 0; i < ZC_NR_COUNTERS; i++)
		c->have[i] = !zc_counter(zc_counter_names[i], &c->v[i]);
}

/* Log the counters that differ; return how many do (buffers..held). */
static unsigned int zc_counters_diff(struct __test_metadata *_metadata,
				     const char *when,
				     const struct zc_counters *a,
				     const struct zc_counters *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < ZC_C_PAYLOAD; i++) {
		if (!a->have[i] || !b->have[i] || a->v[i] == b->v[i])
			continue;
		TH_LOG("%s: %s %llu, was %llu", when, zc_counter_names[i],
		       (unsigned long long)b->v[i],
		       (unsigned long long)a->v[i]);
		n++;
	}
	return n;
}

/* The counters (buffers..held) are back to @before, @when. */
static void zc_expect_counters(struct __test_metadata *_metadata,
			       const char *when,
			       const struct zc_counters *before)
{
	struct zc_counters now;

	zc_counters_read(&now);
	EXPECT_EQ(0U, zc_counters_diff(_metadata, when, before, &now));
}

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */

/*
 * zc: the device opened and started, one session open.  Every test runs
 * in its own process (the harness forks), so each one is a new VMM; the
 * teardown resets the device and closes it.
 */
FIXTURE(zc) {
	struct zc_vmm m;
	uint32_t sid;
};

FIXTURE_SETUP(zc)
{
	int st;

	st = zc_vmm_start(&self->m, zc_dev_path);
	if (st)
		TH_LOG("device set-up failed: %s", self->m.err);
	ASSERT_EQ(0, st);
	st = zc_session_open(&self->m, &self->sid);
	if (st)
		TH_LOG("SESSION_OPEN: %s", zc_status_name(st));
	ASSERT_EQ(S_OK, st);
	ASSERT_NE(0U, self->sid);
}

FIXTURE_TEARDOWN(zc)
{
	zc_vmm_stop(&self->m, false);
}

#define ZC_TEST(name)		TEST_F_TIMEOUT(zc, name, 120 * zc_scale())
#define ZC_TEST_SLOW(name)	TEST_F_TIMEOUT(zc, name, 300 * zc_scale())

/*
 * zcb: the device is not opened; the test starts VMMs itself (in
 * children).  The setup takes the backend's counters as the baseline.
 */
FIXTURE(zcb) {
	struct zc_counters base;
};

FIXTURE_SETUP(zcb)
{
	zc_counters_read(&self->base);
}

FIXTURE_TEARDOWN(zcb)
{
}

#define ZC_DATA_AT(mib)	(ZC_DATA + (uint64_t)(mib) * ZC_MiB)

/* Status @st of step @what must be @expect: @check is EXPECT_EQ or ASSERT_EQ. */
#define ZC_CHECK_ST(check, expect, st, what) do { \
	int __st = (st); \
	int __want = (expect); \
	if (__st != __want) \
		TH_LOG("%s: %s (%d), expected %s", what, \
		       zc_status_name(__st), __st, zc_status_name(__want)); \
	check(__want, __st); \
} while (0)

#define ZC_EXPECT_ST(expect, st, what) \
	ZC_CHECK_ST(EXPECT_EQ, expect, st, what)
#define ZC_ASSERT_ST(expect, st, what) \
	ZC_CHECK_ST(ASSERT_EQ, expect, st, what)

/* The event of transfer @tag into *@ev: the test ends without it. */
static void zc_event_ok(struct __test_metadata *_metadata, struct zc_vmm *m,
			__u64 tag, struct zc_event *ev)
{
	ASSERT_EQ(0, zc_wait_event(m, tag, ev,
				   ZC_EV_TIMEOUT_MS * (int)zc_scale()))
		TH_LOG("no event for tag %llu", (unsigned long long)tag);
}

/* SUBMIT of @x (step @what), then its event into *@ev. */
static void zc_submit_wait(struct __test_metadata *_metadata,
			   struct zc_vmm *m, __u32 sid,
			   const struct zc_xfer *x, const char *what,
			   struct zc_event *ev)
{
	ZC_ASSERT_ST(S_OK, zc_submit(m, sid, x), what);
	zc_event_ok(_metadata, m, x->tag, ev);
}

/* SUBMIT of a LOCAL copy, which must be accepted (not waited for). */
static void zc_local_submit(struct __test_metadata *_metadata,
			    struct zc_vmm *m, __u32 sid, __u32 src,
			    __u64 src_off, __u32 dst, __u64 dst_off,
			    __u64 len, __u64 tag)
{
	struct zc_xfer x = {
		.dir = CDMA_XFER_LOCAL, .src = src, .dst = dst,
		.src_off = src_off, .dst_off = dst_off, .len = len, .tag = tag,
	};

	ZC_ASSERT_ST(S_OK, zc_submit(m, sid, &x), "SUBMIT");
}

/* A LOCAL copy, then its event: logs the step that failed. */
static void zc_copy_ok(struct __test_metadata *_metadata, struct zc_vmm *m,
		       uint32_t sid, uint32_t src, uint64_t src_off,
		       uint32_t dst, uint64_t dst_off, uint64_t len,
		       uint64_t tag)
{
	struct zc_event ev;

	zc_local_submit(_metadata, m, sid, src, src_off, dst, dst_off, len,
			tag);
	zc_event_ok(_metadata, m, tag, &ev);
	ZC_ASSERT_ST(S_OK, (int)ev.status, "transfer event");
	ASSERT_EQ(len, ev.bytes);
}

#define ZC_ASSERT_COPY(m, sid, src, soff, dst, doff, len, tag) \
	zc_copy_ok(_metadata, m, sid, src, soff, dst, doff, len, tag)

/* Buffers A over @a and B over @b, in session @sid. */
static void zc_alloc_ab(struct __test_metadata *_metadata, struct zc_vmm *m,
			__u32 sid, const struct zc_range *a, __u32 *ha,
			const struct zc_range *b, __u32 *hb)
{
	ZC_ASSERT_ST(S_OK, zc_alloc(m, sid, a, 1, ha), "ALLOC A");
	ZC_ASSERT_ST(S_OK, zc_alloc(m, sid, b, 1, hb), "ALLOC B");
}

/*
 * The counters into *@before, buffers A over @a and B over @b; then the
 * guest writes pattern @seed in B and the engine copies B to A.
 */
static void zc_alloc_copy(struct __test_metadata *_metadata, struct zc_vmm *m,
			  __u32 sid, struct zc_counters *before,
			  const struct zc_range *a, __u32 *ha,
			  const struct zc_range *b, __u32 *hb, __u64 seed)
{
	zc_counters_read(before);
	zc_alloc_ab(_metadata, m, sid, a, ha, b, hb);
	zc_gfill(m, b->addr, b->len, seed);
	ZC_ASSERT_COPY(m, sid, *hb, 0, *ha, 0, a->len, 1);
}

/* FREE of buffers A and B. */
static void zc_free_ab(struct __test_metadata *_metadata, struct zc_vmm *m,
		       __u32 sid, __u32 ha, __u32 hb)
{
	ZC_EXPECT_ST(S_OK, zc_free(m, sid, ha), "FREE A");
	ZC_EXPECT_ST(S_OK, zc_free(m, sid, hb), "FREE B");
}

/* Publish the chain at descriptor 0 of @vq and wait for its used element. */
static void zc_post_wait(struct __test_metadata *_metadata, struct zc_vmm *m,
			 struct zc_vq *vq, struct zc_used_elem *e)
{
	__u64 end;

	zc_vq_publish(vq, 0);
	zc_kick(vq);
	end = zc_now_ms() + (uint64_t)m->req_timeout_ms;
	while (!zc_vq_get_used(vq, e) && zc_now_ms() < end)
		zc_vq_wait(vq, zc_left_ms(end));
	ASSERT_LT(zc_now_ms(), end);
}

/* ------------------------------------------------------------------ */
/* Set-up, sessions, framing                                           */

#define ZC_DEVICE_FMT "device %s: id %u, features %#llx, node %u, %u channels, caps %#x, max_buffer_size %llu, max_buffers %u, max_inflight %u, max_sessions %u, max_ranges %u"

ZC_TEST(device_setup)
{
	struct zc_vmm *m = &self->m;
	uint16_t num = 0;
	uint8_t status = 0;

	EXPECT_EQ((uint32_t)VIRTIO_RDMA_REMOTE_STOCK_VMM_ID, m->device_id);
	EXPECT_TRUE((m->features & (1ULL << VIRTIO_F_VERSION_1)) != 0);
	EXPECT_TRUE((m->features &
		     (1ULL << VIRTIO_RDMA_REMOTE_F_IDENTITY)) != 0);
	EXPECT_TRUE((m->features & (1ULL << VIRTIO_F_ACCESS_PLATFORM)) != 0);
	EXPECT_TRUE((m->backend_features &
		     (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2)) != 0);
	EXPECT_EQ((uint32_t)CDMA_UAPI_VERSION, m->cfg.version);
	EXPECT_LE(m->cfg.node_id, 0xffffU);
	EXPECT_NE(0U, m->cfg.channels);
	EXPECT_EQ(0U, m->cfg.caps & CDMA_CAP_VIRTUAL);
	EXPECT_NE(0ULL, m->cfg.max_buffer_size);
	EXPECT_EQ(0ULL, m->cfg.max_buffer_size % ZC_PAGE);
	EXPECT_NE(0U, m->cfg.max_buffers);
	EXPECT_NE(0U, m->cfg.max_inflight);
	EXPECT_NE(0U, m->cfg.max_sessions);
	EXPECT_NE(0U, m->cfg.max_ranges);
	EXPECT_EQ(0, ioctl(m->fd, VHOST_VDPA_GET_VRING_NUM, &num));
	EXPECT_GE(num, ZC_QSIZE);
	EXPECT_EQ(0, zc_get_status(m, &status));
	EXPECT_EQ(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		  VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK,
		  status);
	TH_LOG(ZC_DEVICE_FMT, zc_dev_path, m->device_id,
	       (unsigned long long)m->features, m->cfg.node_id,
	       m->cfg.channels, m->cfg.caps,
	       (unsigned long long)m->cfg.max_buffer_size, m->cfg.max_buffers,
	       m->cfg.max_inflight, m->cfg.max_sessions, m->cfg.max_ranges);
}

ZC_TEST(session_open_close)
{
	struct zc_vmm *m = &self->m;
	struct virtio_rdma_remote_req_hdr h;
	struct {
		struct virtio_rdma_remote_req_hdr h;
		uint32_t extra[2];
	} longer;
	uint32_t sid2 = 0;

	ZC_ASSERT_ST(S_OK, zc_session_open(m, &sid2), "second SESSION_OPEN");
	EXPECT_NE(0U, sid2);
	EXPECT_NE(self->sid, sid2);
	ZC_EXPECT_ST(S_OK, zc_session_close(m, sid2), "SESSION_CLOSE");
	ZC_EXPECT_ST(S_NOENT, zc_session_close(m, sid2), "SESSION_CLOSE again");
	ZC_EXPECT_ST(S_NOENT, zc_session_close(m, 0), "SESSION_CLOSE of 0");

	h = zc_hdr(VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN, 5);
	ZC_EXPECT_ST(S_INVAL, zc_req1(m, &h, sizeof(h), NULL),
		     "SESSION_OPEN with a session");
	memset(&longer, 0, sizeof(longer));
	longer.h = zc_hdr(VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN, 0);
	ZC_EXPECT_ST(S_INVAL, zc_req1(m, &longer, sizeof(longer), NULL),
		     "SESSION_OPEN of 16 bytes");
	longer.h = zc_hdr(VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE, self->sid);
	ZC_EXPECT_ST(S_INVAL, zc_req1(m, &longer, sizeof(longer), NULL),
		     "SESSION_CLOSE of 16 bytes");
	h = zc_hdr(99, self->sid);
	ZC_EXPECT_ST(S_UNSUPP, zc_req1(m, &h, sizeof(h), NULL),
		     "unknown opcode");

	/* The session of the fixture is still there. */
	ZC_EXPECT_ST(S_OK, zc_session_close(m, self->sid), "SESSION_CLOSE");
}

/* No room for a response: used length 0, the request is not executed. */
ZC_TEST(short_response_not_executed)
{
	struct zc_vmm *m = &self->m;
	struct virtio_rdma_remote_req_hdr h =
		zc_hdr(VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE, self->sid);
	struct zc_seg s = { &h, sizeof(h) };
	uint32_t used = 99;

	EXPECT_EQ(-EPROTO, zc_request(m, &s, 1, 16, NULL, &used));
	EXPECT_EQ(0U, used);
	used = 99;
	EXPECT_EQ(-EPROTO, zc_request(m, &s, 1, 0, NULL, &used));
	EXPECT_EQ(0U, used);
	/* Not closed: closing it now works. */
	ZC_EXPECT_ST(S_OK, zc_session_close(m, self->sid), "SESSION_CLOSE");
}

/*
 * Request buffers the device cannot reach: an unreadable request fails
 * with S_FAULT; a response it cannot write (unmapped, or mapped read-only
 * for the device) means used length 0 and nothing done.
 */
ZC_TEST(unreachable_request_buffers)
{
	struct zc_vmm *m = &self->m;
	struct zc_vq *vq = &m->vq[VIRTIO_RDMA_REMOTE_VQ_REQ];
	static const uint64_t bad_resp[] = { ZC_RAM_END, ZC_ROM };
	struct virtio_rdma_remote_req_hdr h =
		zc_hdr(VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE, self->sid);
	struct virtio_rdma_remote_resp r;
	struct zc_used_elem e;
	unsigned int i;
	uint8_t status = 0;

	/* Readable part unmapped: S_FAULT in a good response. */
	vq->desc[0].addr = htole64(ZC_RAM_END);
	vq->desc[0].len = htole32(sizeof(h));
	vq->desc[0].flags = htole16(VRING_DESC_F_NEXT);
	vq->desc[0].next = htole16(1);
	vq->desc[1].addr = htole64(ZC_RESP);
	vq->desc[1].len = htole32(sizeof(r));
	vq->desc[1].flags = htole16(VRING_DESC_F_WRITE);
	vq->desc[1].next = 0;
	memset(zc_ptr(m, ZC_RESP, ZC_PAGE), 0xa5, ZC_PAGE);
	zc_post_wait(_metadata, m, vq, &e);
	EXPECT_EQ(0U, e.id);
	EXPECT_EQ(sizeof(r), e.len);
	zc_gread(m, ZC_RESP, &r, sizeof(r));
	ZC_EXPECT_ST(S_FAULT, (int)le32toh(r.status), "unreadable request");

	/* Response not writable: used length 0, the session not closed. */
	for (i = 0; i < 2; i++) {
		zc_gwrite(m, ZC_REQ, &h, sizeof(h));
		vq->desc[0].addr = htole64(ZC_REQ);
		vq->desc[1].addr = htole64(bad_resp[i]);
		zc_post_wait(_metadata, m, vq, &e);
		EXPECT_EQ(0U, e.len) TH_LOG("response at %#llx",
					    (unsigned long long)bad_resp[i]);
	}
	EXPECT_EQ(0, zc_get_status(m, &status));
	EXPECT_EQ(0, status & VIRTIO_CONFIG_S_NEEDS_RESET);
	ZC_EXPECT_ST(S_OK, zc_session_close(m, self->sid), "SESSION_CLOSE");
}

/* ------------------------------------------------------------------ */
/* The swap                                                            */

/* (1) ALLOC replaces the guest range by the new (zeroed) engine buffer. */
ZC_TEST(alloc_swaps_in_place)
{
	struct zc_vmm *m = &self->m;
	struct zc_range r = { ZC_DATA_AT(0), 1 * ZC_MiB };
	struct zc_counters c1, c2;
	uint32_t h = 0;
	int64_t d;

	zc_gfill(m, r.addr, r.len, 1);
	zc_counters_read(&c1);
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &r, 1, &h), "ALLOC");
	EXPECT_NE(0U, h);
	zc_counters_read(&c2);

	if (zc_gdiff(m, r.addr, r.len, 1) == -1)
		TH_LOG("the range still shows the guest's own pages: pinned in place, not swapped");
	d = zc_gnonzero(m, r.addr, r.len);
	if (d != -1)
		TH_LOG("guest range not the new zeroed engine buffer: byte %lld is not 0",
		       (long long)d);
	EXPECT_EQ(-1, d);
	if (c1.have[ZC_C_BUFFERS] && c2.have[ZC_C_BUFFERS])
		EXPECT_EQ(c1.v[ZC_C_BUFFERS] + 1, c2.v[ZC_C_BUFFERS]);
	if (c1.have[ZC_C_SWAPPED] && c2.have[ZC_C_SWAPPED])
		EXPECT_EQ(c1.v[ZC_C_SWAPPED] + r.len / ZC_PAGE,
			  c2.v[ZC_C_SWAPPED]);

	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, h), "FREE");
	zc_expect_counters(_metadata, "after FREE", &c1);
}

/*
 * Buffer order over several ranges, given out of address order, one of
 * them across the two RAM regions (contiguous bus addresses, separate
 * mappings of the VMM): what the guest writes at buffer offset o through
 * the ranges is what the engine reads at o, and the other way round.
 */
ZC_TEST(alloc_multi_range_order)
{
	struct zc_vmm *m = &self->m;
	const uint64_t cross = ZC_RAM + ZC_RAM0_SIZE;
	struct zc_range c[3] = {
		{ cross - 64 * ZC_KiB, 128 * ZC_KiB },	/* over regions 0/1 */
		{ ZC_DATA_AT(8), 64 * ZC_KiB },
		{ ZC_DATA_AT(4), 192 * ZC_KiB },
	};
	struct zc_range d = { ZC_DATA_AT(12), 384 * ZC_KiB };
	const uint64_t size = 384 * ZC_KiB;
	uint32_t hc = 0, hd = 0;
	unsigned int i;
	int64_t x;

	for (i = 0; i < 3; i++)
		zc_gfill(m, c[i].addr, c[i].len, 10 + i);
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, c, 3, &hc), "ALLOC C");
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &d, 1, &hd), "ALLOC D");
	for (i = 0; i < 3; i++) {
		x = zc_gnonzero(m, c[i].addr, c[i].len);
		if (x != -1)
			TH_LOG("range %u of C: byte %lld not 0 after ALLOC",
			       i, (long long)x);
		EXPECT_EQ(-1, x);
	}

	/* Guest writes C in buffer order; the engine copies C to D. */
	zc_bfill(m, c, 3, 0, size, 20, 0);
	ZC_ASSERT_COPY(m, self->sid, hc, 0, hd, 0, size, 1);
	x = zc_gdiff(m, d.addr, d.len, 20);
	if (x != -1)
		TH_LOG("D differs from C at %lld", (long long)x);
	EXPECT_EQ(-1, x);

	/* Unaligned piece across range boundaries, both ways. */
	zc_bfill(m, &d, 1, 0, size, 21, 0);
	ZC_ASSERT_COPY(m, self->sid, hd, 1000, hc, 60 * ZC_KiB + 7,
		       200 * ZC_KiB, 2);
	x = zc_bdiff(m, c, 3, 60 * ZC_KiB + 7, 200 * ZC_KiB, 21, 1000);
	if (x != -1)
		TH_LOG("C (through its ranges) differs at %lld", (long long)x);
	EXPECT_EQ(-1, x);
	/* Around the copy, C is unchanged. */
	EXPECT_EQ(-1, zc_bdiff(m, c, 3, 0, 60 * ZC_KiB + 7, 20, 0));
	EXPECT_EQ(-1, zc_bdiff(m, c, 3, 260 * ZC_KiB + 7,
			       size - 260 * ZC_KiB - 7, 20, 260 * ZC_KiB + 7));

	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hc), "FREE C");
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hd), "FREE D");
}

/*
 * (2) The guest writes B in place; the engine copies B to A; the guest
 * reads B's data in A, in place.
 */
ZC_TEST(engine_writes_land_in_place)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 1 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(2), 1 * ZC_MiB };
	struct zc_event ev;
	struct zc_xfer x = { .dir = CDMA_XFER_LOCAL, .len = 1 * ZC_MiB,
			     .tag = 0x1234567890abcdefULL };
	uint32_t ha = 0, hb = 0;
	int64_t d;

	zc_alloc_ab(_metadata, m, self->sid, &a, &ha, &b, &hb);
	zc_gfill(m, b.addr, b.len, 30);

	x.src = hb;
	x.dst = ha;
	zc_submit_wait(_metadata, m, self->sid, &x, "SUBMIT B->A", &ev);
	EXPECT_EQ((uint32_t)VIRTIO_RDMA_REMOTE_EV_COMPLETION, ev.type);
	EXPECT_EQ(self->sid, ev.session);
	EXPECT_EQ(x.tag, ev.tag);
	ZC_EXPECT_ST(S_OK, (int)ev.status, "event");
	EXPECT_EQ(0U, ev.reserved);
	EXPECT_EQ(x.len, ev.bytes);

	d = zc_gdiff(m, a.addr, a.len, 30);
	if (d != -1)
		TH_LOG("A does not show the engine's write: differs at %lld",
		       (long long)d);
	EXPECT_EQ(-1, d);
	EXPECT_EQ(-1, zc_gdiff(m, b.addr, b.len, 30));

	/* A small unaligned write of the guest, copied back into B. */
	zc_gfill(m, a.addr + 100, 5000, 31);
	ZC_ASSERT_COPY(m, self->sid, ha, 100, hb, 7000, 5000, 2);
	EXPECT_EQ(-1, zc_gdiff(m, b.addr + 7000, 5000, 31));
	EXPECT_EQ(-1, zc_bdiff(m, &b, 1, 0, 7000, 30, 0));
	EXPECT_EQ(-1, zc_bdiff(m, &b, 1, 12000, b.len - 12000, 30, 12000));
	zc_free_ab(_metadata, m, self->sid, ha, hb);
}

#define ZC_NOT_RESTORED_FMT "%s: range %#llx+%#llx is neither zeros (byte %lld) nor its original content (byte %lld)"

/*
 * After a buffer's release the range must not show the engine's data: it
 * reads as the guest's original pages or as zero pages.
 */
static void zc_expect_restored(struct __test_metadata *_metadata,
			       struct zc_vmm *m, const struct zc_range *r,
			       uint64_t orig_seed, const char *when)
{
	int64_t z = zc_gnonzero(m, r->addr, r->len);
	int64_t o = zc_gdiff(m, r->addr, r->len, orig_seed);

	if (z != -1 && o != -1)
		TH_LOG(ZC_NOT_RESTORED_FMT, when, (unsigned long long)r->addr,
		       (unsigned long long)r->len, (long long)z, (long long)o);
	EXPECT_TRUE(z == -1 || o == -1);
}

/*
 * A device reset: it releases buffer A (over @a, pattern @seed before its
 * ALLOC) like FREE, and the counters come back to @before.
 */
static void zc_reset_restores(struct __test_metadata *_metadata,
			      struct zc_vmm *m, const struct zc_range *a,
			      __u64 seed, const struct zc_counters *before)
{
	__u8 status = 0xff;

	ASSERT_EQ(0, zc_set_status(m, 0));
	ASSERT_EQ(0, zc_get_status(m, &status));
	EXPECT_EQ(0, status);
	zc_expect_restored(_metadata, m, a, seed, "A after reset");
	zc_expect_counters(_metadata, "after reset", before);
}

/* (3) FREE gives the guest its memory back; the handle is gone. */
ZC_TEST(free_restores_guest_memory)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 1 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(2), 1 * ZC_MiB };
	struct zc_range c = { ZC_DATA_AT(4), 1 * ZC_MiB };
	struct zc_xfer x = { .dir = CDMA_XFER_LOCAL, .len = 4096, .tag = 9 };
	struct zc_counters c1;
	uint32_t ha = 0, hb = 0, hc = 0;

	zc_gfill(m, a.addr, a.len, 40);
	zc_gfill(m, b.addr, b.len, 41);
	zc_alloc_copy(_metadata, m, self->sid, &c1, &a, &ha, &b, &hb, 42);
	ASSERT_EQ(-1, zc_gdiff(m, a.addr, a.len, 42));

	ZC_ASSERT_ST(S_OK, zc_free(m, self->sid, ha), "FREE A");
	zc_expect_restored(_metadata, m, &a, 40, "after FREE");
	EXPECT_NE(-1, zc_gdiff(m, a.addr, a.len, 42));

	/* The handle is gone. */
	x.src = hb;
	x.dst = ha;
	ZC_EXPECT_ST(S_NOENT, zc_submit(m, self->sid, &x), "SUBMIT B->freed A");
	x.src = ha;
	x.dst = hb;
	ZC_EXPECT_ST(S_NOENT, zc_submit(m, self->sid, &x), "SUBMIT freed A->B");
	ZC_EXPECT_ST(S_NOENT, zc_free(m, self->sid, ha), "FREE A again");

	/* The guest reuses A's memory: B, in memory and for the engine, is intact. */
	zc_gfill(m, a.addr, a.len, 43);
	EXPECT_EQ(-1, zc_gdiff(m, b.addr, b.len, 42));
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &c, 1, &hc), "ALLOC C");
	ZC_ASSERT_COPY(m, self->sid, hb, 0, hc, 0, b.len, 2);
	EXPECT_EQ(-1, zc_gdiff(m, c.addr, c.len, 42));
	EXPECT_EQ(-1, zc_gdiff(m, a.addr, a.len, 43));

	/* And A's memory can make a buffer again. */
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &a, 1, &ha), "ALLOC A again");
	EXPECT_EQ(-1, zc_gnonzero(m, a.addr, a.len));
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, ha), "FREE A");
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hb), "FREE B");
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hc), "FREE C");
	zc_expect_restored(_metadata, m, &b, 41, "B after FREE");
	zc_expect_counters(_metadata, "after FREE", &c1);
}

/*
 * A buffer across the mapping a FREE restored and the VMM's own: QEMU
 * madvise()s guest RAM (MADV_DONTDUMP, MADV_HUGEPAGE...), so the restored
 * mapping does not merge with its neighbours, and a later buffer over both
 * must still be swapped in place.
 */
ZC_TEST(alloc_across_restored_mapping)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(1), 1 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(0), 3 * ZC_MiB };
	struct zc_range c = { ZC_DATA_AT(4), 3 * ZC_MiB };
	void *ram = zc_ptr(m, b.addr, b.len);
	uint32_t ha = 0, hb = 0, hc = 0;
	struct zc_counters c1;

	ASSERT_NE(NULL, ram);
	ASSERT_EQ(0, madvise(ram, b.len, MADV_DONTDUMP));
	zc_counters_read(&c1);
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &a, 1, &ha), "ALLOC A");
	ZC_ASSERT_ST(S_OK, zc_free(m, self->sid, ha), "FREE A");

	zc_gfill(m, b.addr, b.len, 50);
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &b, 1, &hb),
		     "ALLOC B over A's restored mapping and its neighbours");
	EXPECT_EQ(-1, zc_gnonzero(m, b.addr, b.len));
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &c, 1, &hc), "ALLOC C");
	zc_gfill(m, b.addr, b.len, 51);
	ZC_ASSERT_COPY(m, self->sid, hb, 0, hc, 0, b.len, 1);
	EXPECT_EQ(-1, zc_gdiff(m, c.addr, c.len, 51));

	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hb), "FREE B");
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hc), "FREE C");
	zc_expect_restored(_metadata, m, &b, 50, "B after FREE");
	EXPECT_EQ(0, madvise(ram, b.len, MADV_DODUMP));
	zc_expect_counters(_metadata, "after FREE", &c1);
}

/* SESSION_CLOSE releases the session's buffers like FREE. */
ZC_TEST(session_close_restores_guest_memory)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 512 * ZC_KiB };
	struct zc_range b = { ZC_DATA_AT(1), 512 * ZC_KiB };
	struct zc_counters c1;
	uint32_t ha = 0, hb = 0, sid = 0;

	zc_gfill(m, a.addr, a.len, 50);
	zc_gfill(m, b.addr, b.len, 51);
	zc_alloc_copy(_metadata, m, self->sid, &c1, &a, &ha, &b, &hb, 52);

	ZC_ASSERT_ST(S_OK, zc_session_close(m, self->sid), "SESSION_CLOSE");
	zc_expect_restored(_metadata, m, &a, 50, "A after SESSION_CLOSE");
	zc_expect_restored(_metadata, m, &b, 51, "B after SESSION_CLOSE");
	zc_expect_counters(_metadata, "after SESSION_CLOSE", &c1);

	/* The ranges are free for another session. */
	ZC_ASSERT_ST(S_OK, zc_session_open(m, &sid), "SESSION_OPEN");
	ZC_ASSERT_ST(S_OK, zc_alloc(m, sid, &a, 1, &ha), "ALLOC A again");
	ZC_EXPECT_ST(S_OK, zc_free(m, sid, ha), "FREE A");
}

/* A device reset releases every buffer like FREE. */
ZC_TEST(reset_restores_guest_memory)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 512 * ZC_KiB };
	struct zc_range b = { ZC_DATA_AT(1), 512 * ZC_KiB };
	struct zc_counters c1;
	uint32_t ha = 0, hb = 0;

	zc_gfill(m, a.addr, a.len, 60);
	zc_alloc_copy(_metadata, m, self->sid, &c1, &a, &ha, &b, &hb, 62);
	zc_reset_restores(_metadata, m, &a, 60, &c1);
}

/* The readable part of a request may be cut into descriptors freely. */
ZC_TEST(alloc_split_descriptors)
{
	struct zc_vmm *m = &self->m;
	struct zc_range r[2] = {
		{ ZC_DATA_AT(2), 64 * ZC_KiB },
		{ ZC_DATA_AT(0), 64 * ZC_KiB },
	};
	uint32_t h = 0;

	ZC_ASSERT_ST(S_OK, zc_alloc_raw(m, self->sid, 128 * ZC_KiB, 2, 0, r, 2,
					true, &h), "ALLOC in 3 descriptors");
	EXPECT_NE(0U, h);
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, h), "FREE");
}

/* Exactly one event per transfer, with its tag, session and length. */
ZC_TEST(events_one_per_submit)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 1 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(2), 1 * ZC_MiB };
	unsigned int i, n = cd_min_u(m->cfg.max_inflight, 64);
	uint32_t ha = 0, hb = 0;
	struct zc_event ev;

	zc_alloc_ab(_metadata, m, self->sid, &a, &ha, &b, &hb);
	zc_gfill(m, b.addr, b.len, 70);
	for (i = 0; i < n; i++)
		zc_local_submit(_metadata, m, self->sid, hb, i * 4096ULL, ha,
				(n - 1 - i) * 4096ULL, 4096, 1000 + i);
	for (i = 0; i < n; i++) {
		zc_event_ok(_metadata, m, 1000 + i, &ev);
		EXPECT_EQ((uint32_t)VIRTIO_RDMA_REMOTE_EV_COMPLETION, ev.type);
		EXPECT_EQ(self->sid, ev.session);
		EXPECT_EQ((uint32_t)S_OK, ev.status);
		EXPECT_EQ(4096ULL, ev.bytes);
	}
	for (i = 0; i < n; i++)
		EXPECT_EQ(-1, zc_bdiff(m, &a, 1, (n - 1 - i) * 4096ULL, 4096,
				       70, i * 4096ULL));
	zc_ev_drain(m, 300);
	EXPECT_EQ(0U, m->nr_ev);
	EXPECT_EQ(0U, m->ev_bad);
	EXPECT_EQ(0U, m->ev_lost);
	zc_free_ab(_metadata, m, self->sid, ha, hb);
}

/*
 * FREE of a buffer a transfer is still reading: the transfer completes
 * normally and the response comes once it has ended; then the memory is
 * the guest's again and the engine leaves it alone.
 */
ZC_TEST(free_waits_for_transfers)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 16 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(20), 16 * ZC_MiB };
	struct zc_xfer x = { .dir = CDMA_XFER_LOCAL, .len = 16 * ZC_MiB,
			     .tag = 77 };
	struct zc_event ev;
	uint32_t ha = 0, hb = 0;

	zc_alloc_ab(_metadata, m, self->sid, &a, &ha, &b, &hb);
	zc_gfill(m, a.addr, a.len, 130);
	x.src = ha;
	x.dst = hb;
	ZC_ASSERT_ST(S_OK, zc_submit(m, self->sid, &x), "SUBMIT A->B");
	ZC_ASSERT_ST(S_OK, zc_free(m, self->sid, ha), "FREE A, transfer running");

	/* The guest takes A's memory back at once. */
	zc_gfill(m, a.addr, a.len, 131);
	zc_event_ok(_metadata, m, x.tag, &ev);
	ZC_EXPECT_ST(S_OK, (int)ev.status, "event of the transfer");
	EXPECT_EQ(x.len, ev.bytes);
	EXPECT_EQ(-1, zc_gdiff(m, b.addr, b.len, 130));
	usleep(200 * 1000);
	EXPECT_EQ(-1, zc_gdiff(m, a.addr, a.len, 131));
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hb), "FREE B");
}

/*
 * SESSION_CLOSE with transfers queued and running: no event of the
 * session after the response, the buffers are released, the device goes
 * on serving the other sessions.
 */
ZC_TEST(session_close_with_transfers_in_flight)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 16 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(20), 16 * ZC_MiB };
	unsigned int i, n = cd_min_u(m->cfg.max_inflight, 32);
	unsigned int after = 0, bad = 0;
	struct zc_counters c1;
	uint32_t ha = 0, hb = 0, sid2 = 0;
	uint16_t mark;

	zc_gfill(m, a.addr, a.len, 140);
	zc_counters_read(&c1);
	zc_alloc_ab(_metadata, m, self->sid, &a, &ha, &b, &hb);
	for (i = 0; i < n; i++)
		zc_local_submit(_metadata, m, self->sid, i & 1 ? hb : ha, 0,
				i & 1 ? ha : hb, 0, 16 * ZC_MiB, i);
	ZC_ASSERT_ST(S_OK, zc_session_close(m, self->sid), "SESSION_CLOSE");
	mark = zc_vq_used_idx(&m->vq[VIRTIO_RDMA_REMOTE_VQ_EVENT]);
	zc_ev_drain(m, 500);
	for (i = 0; i < m->nr_ev; i++) {
		struct zc_event *ev = &m->ev[i];

		if (ev->session == self->sid &&
		    (uint16_t)(ev->pos - mark) < 0x8000)
			after++;
		if (ev->status != S_OK &&
		    ev->status != VIRTIO_RDMA_REMOTE_S_CANCELED)
			bad++;
	}
	TH_LOG("%u transfers, %u events before the end of the session",
	       n, m->nr_ev - after);
	EXPECT_EQ(0U, after);
	EXPECT_EQ(0U, bad);
	EXPECT_EQ(0U, m->ev_bad);
	zc_expect_restored(_metadata, m, &a, 140, "A after SESSION_CLOSE");
	zc_expect_counters(_metadata, "after SESSION_CLOSE", &c1);

	ZC_ASSERT_ST(S_OK, zc_session_open(m, &sid2), "SESSION_OPEN");
	ZC_ASSERT_ST(S_OK, zc_alloc(m, sid2, &a, 1, &ha), "ALLOC A again");
	ZC_ASSERT_ST(S_OK, zc_alloc(m, sid2, &b, 1, &hb), "ALLOC B again");
	zc_gfill(m, a.addr, ZC_MiB, 141);
	ZC_ASSERT_COPY(m, sid2, ha, 0, hb, 0, ZC_MiB, 1000);
	EXPECT_EQ(-1, zc_gdiff(m, b.addr, ZC_MiB, 141));
}

/*
 * A malformed ring (a descriptor chain that loops) stops the queue and
 * sets DEVICE_NEEDS_RESET with a configuration interrupt; a reset ends
 * the sessions and releases the buffers.
 */
ZC_TEST(malformed_ring_needs_reset)
{
	struct zc_vmm *m = &self->m;
	struct zc_vq *vq = &m->vq[VIRTIO_RDMA_REMOTE_VQ_REQ];
	struct zc_range a = { ZC_DATA_AT(0), ZC_MiB };
	struct zc_counters c1;
	struct pollfd p;
	uint64_t end;
	uint8_t status = 0;
	uint32_t ha = 0;
	uint16_t used;
	int cfd;

	cfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_GE(cfd, 0);
	ASSERT_EQ(0, ioctl(m->fd, VHOST_VDPA_SET_CONFIG_CALL, &cfd));
	zc_gfill(m, a.addr, a.len, 150);
	zc_counters_read(&c1);
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &a, 1, &ha), "ALLOC A");

	/* Two readable descriptors pointing at each other. */
	used = zc_vq_used_idx(vq);
	vq->desc[0].addr = htole64(ZC_REQ);
	vq->desc[0].len = htole32(8);
	vq->desc[0].flags = htole16(VRING_DESC_F_NEXT);
	vq->desc[0].next = htole16(1);
	vq->desc[1] = vq->desc[0];
	vq->desc[1].next = htole16(0);
	zc_vq_publish(vq, 0);
	zc_kick(vq);

	end = zc_now_ms() + 10000ULL * zc_scale();
	do {
		ASSERT_EQ(0, zc_get_status(m, &status));
		if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
			break;
		usleep(20 * 1000);
	} while (zc_now_ms() < end);
	EXPECT_TRUE((status & VIRTIO_CONFIG_S_NEEDS_RESET) != 0);
	p.fd = cfd;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_EQ(0, zc_get_status(m, &status));
	EXPECT_TRUE((status & VIRTIO_CONFIG_S_DRIVER_OK) != 0);
	/* The queue is stopped: nothing comes back. */
	EXPECT_EQ(used, zc_vq_used_idx(vq));
	zc_reset_restores(_metadata, m, &a, 150, &c1);
	close(cfd);
}

/*
 * The transfer @x (@dir: TO_GLOBAL or FROM_GLOBAL) through the export
 * @r, as @tag: it must end well.
 */
static void zc_global_ok(struct __test_metadata *_metadata, struct zc_vmm *m,
			 __u32 sid, struct zc_xfer *x,
			 const struct virtio_rdma_remote_resp *r, __u64 tag,
			 const char *dir)
{
	char what[32];
	struct zc_event ev;

	x->gaddr = r->global_addr;
	x->key = r->key;
	x->tag = tag;
	snprintf(what, sizeof(what), "SUBMIT %s", dir);
	zc_submit_wait(_metadata, m, sid, x, what, &ev);
	snprintf(what, sizeof(what), "%s event", dir);
	ZC_EXPECT_ST(S_OK, (int)ev.status, what);
}

/* A transfer through a Unimem global address lands in place too. */
ZC_TEST(global_transfer_lands_in_place)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 256 * ZC_KiB };
	struct zc_range b = { ZC_DATA_AT(1), 256 * ZC_KiB };
	struct zc_range c = { ZC_DATA_AT(2), 256 * ZC_KiB };
	struct virtio_rdma_remote_resp r;
	struct zc_xfer x = { .dir = CDMA_XFER_TO_GLOBAL, .len = 256 * ZC_KiB };
	uint32_t ha = 0, hb = 0, hc = 0;

	if (!(m->features & (1ULL << VIRTIO_RDMA_REMOTE_F_GLOBAL)))
		SKIP(return, "VIRTIO_RDMA_REMOTE_F_GLOBAL not offered");
	zc_alloc_ab(_metadata, m, self->sid, &a, &ha, &b, &hb);
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &c, 1, &hc), "ALLOC C");
	ZC_ASSERT_ST(S_OK, zc_handle_op(m, VIRTIO_RDMA_REMOTE_OP_EXPORT,
					self->sid, ha, CDMA_ACCESS_READ |
					CDMA_ACCESS_WRITE, &r), "EXPORT A");
	EXPECT_EQ(m->cfg.node_id, r.global_addr >> CDMA_GADDR_NODE_SHIFT);
	ZC_EXPECT_ST(S_EXIST, zc_handle_op(m, VIRTIO_RDMA_REMOTE_OP_EXPORT,
					   self->sid, ha, CDMA_ACCESS_READ,
					   NULL), "EXPORT A again");

	/* B -> A's global address: the guest sees it in A's range. */
	zc_gfill(m, b.addr, b.len, 80);
	x.src = hb;
	zc_global_ok(_metadata, m, self->sid, &x, &r, 1, "TO_GLOBAL");
	EXPECT_EQ(-1, zc_gdiff(m, a.addr, a.len, 80));

	/* A's global address -> C, after the guest wrote A in place. */
	zc_gfill(m, a.addr, a.len, 81);
	memset(&x, 0, sizeof(x));
	x.dir = CDMA_XFER_FROM_GLOBAL;
	x.dst = hc;
	x.len = a.len;
	zc_global_ok(_metadata, m, self->sid, &x, &r, 2, "FROM_GLOBAL");
	EXPECT_EQ(-1, zc_gdiff(m, c.addr, c.len, 81));

	/* FREE revokes the export. */
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, ha), "FREE A");
	x.tag = 3;
	ZC_EXPECT_ST(S_NXIO, zc_submit(m, self->sid, &x),
		     "FROM_GLOBAL after FREE");
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hb), "FREE B");
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hc), "FREE C");
}

/* (6) The backend copies no payload: the engine moves it, in place. */
ZC_TEST(payload_copied_bytes_zero)
{
	struct zc_vmm *m = &self->m;
	struct zc_range a = { ZC_DATA_AT(0), 8 * ZC_MiB };
	struct zc_range b[2] = {
		{ ZC_DATA_AT(40), 4 * ZC_MiB },		/* over the regions */
		{ ZC_DATA_AT(10), 4 * ZC_MiB },
	};
	uint64_t before = 1, after = 1;
	uint32_t ha = 0, hb = 0;
	int ret;

	ret = zc_counter("payload_copied_bytes", &before);
	if (ret)
		TH_LOG("%s/payload_copied_bytes: %s", ZC_DEBUGFS, strerror(-ret));
	ASSERT_EQ(0, ret);

	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &a, 1, &ha), "ALLOC A");
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, b, 2, &hb), "ALLOC B");
	zc_gfill(m, a.addr, a.len, 90);
	ZC_ASSERT_COPY(m, self->sid, ha, 0, hb, 0, a.len, 1);
	EXPECT_EQ(-1, zc_bdiff(m, b, 2, 0, a.len, 90, 0));
	zc_bfill(m, b, 2, 0, a.len, 91, 0);
	ZC_ASSERT_COPY(m, self->sid, hb, 3, ha, 4 * ZC_MiB + 5, 3 * ZC_MiB, 2);
	EXPECT_EQ(-1, zc_bdiff(m, &a, 1, 4 * ZC_MiB + 5, 3 * ZC_MiB, 91, 3));
	zc_free_ab(_metadata, m, self->sid, ha, hb);

	ASSERT_EQ(0, zc_counter("payload_copied_bytes", &after));
	TH_LOG("payload_copied_bytes: %llu before, %llu after",
	       (unsigned long long)before, (unsigned long long)after);
	EXPECT_EQ((uint64_t)0, before);
	EXPECT_EQ((uint64_t)0, after);
}

/* ------------------------------------------------------------------ */
/* (4) Bogus ranges: refused with the documented status, nothing changes */

/* Is [addr, addr + len) data memory of the guest (not rings, not unmapped)? */
static bool zc_is_data(const struct zc_range *r)
{
	if (!r->len || r->len > 64 * ZC_MiB)
		return false;
	if (r->addr >= ZC_DATA && r->addr < ZC_RAM_END)
		return r->len <= ZC_RAM_END - r->addr;
	if (r->addr >= ZC_ROM && r->addr < ZC_ROM + ZC_ROM_SIZE)
		return r->len <= ZC_ROM + ZC_ROM_SIZE - r->addr;
	return false;
}

/*
 * Send an ALLOC that must fail with @expect.  The parts of its ranges that
 * are data memory are filled with a pattern before (unless !@fill: the
 * caller watches the memory) and must read the same after; the backend's
 * counters must not move and the device must not want a reset.
 */
static void zc_expect_refused(struct __test_metadata *_metadata,
			      struct zc_vmm *m, uint32_t sid, const char *what,
			      int expect, uint64_t size, uint32_t nr_field,
			      uint32_t flags, const struct zc_range *r,
			      unsigned int nr, bool fill)
{
	uint8_t **before = calloc(nr + 1, sizeof(*before));
	struct zc_counters c1;
	uint8_t status = 0;
	unsigned int i;
	uint32_t h = 0;
	int st;

	ASSERT_NE(NULL, before);
	for (i = 0; fill && i < nr; i++)
		if (zc_is_data(&r[i]))
			zc_gfill(m, r[i].addr, r[i].len, 500 + i);
	/* Ranges may overlap: what to find afterwards is what is there now. */
	for (i = 0; fill && i < nr; i++) {
		if (!zc_is_data(&r[i]))
			continue;
		before[i] = malloc(r[i].len);
		ASSERT_NE(NULL, before[i]);
		ASSERT_EQ(0, zc_gread(m, r[i].addr, before[i], r[i].len));
	}
	zc_counters_read(&c1);
	st = zc_alloc_raw(m, sid, size, nr_field, flags, r, nr, false, &h);
	if (st != expect)
		TH_LOG("%s: ALLOC answered %s (%d), expected %s", what,
		       zc_status_name(st), st, zc_status_name(expect));
	EXPECT_EQ(expect, st);
	if (st == S_OK)
		zc_free(m, sid, h);
	for (i = 0; fill && i < nr; i++) {
		uint8_t *now;
		uint64_t j;

		if (!before[i])
			continue;
		now = malloc(r[i].len);
		ASSERT_NE(NULL, now);
		ASSERT_EQ(0, zc_gread(m, r[i].addr, now, r[i].len));
		for (j = 0; j < r[i].len && now[j] == before[i][j]; j++)
			;
		if (j < r[i].len)
			TH_LOG("%s: range %u (%#llx+%#llx) changed at %llu", what,
			       i, (unsigned long long)r[i].addr,
			       (unsigned long long)r[i].len,
			       (unsigned long long)j);
		EXPECT_EQ(r[i].len, j);
		free(now);
		free(before[i]);
	}
	free(before);
	zc_expect_counters(_metadata, what, &c1);
	EXPECT_EQ(0, zc_get_status(m, &status));
	EXPECT_EQ(0, status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static uint64_t zc_size(const struct zc_range *r, unsigned int nr)
{
	uint64_t s = 0;

	while (nr--)
		s += r[nr].len;
	return s;
}

/* An ALLOC of the ranges @r (@size bytes of them), for their total size. */
static void zc_refused(struct __test_metadata *_metadata, struct zc_vmm *m,
		       uint32_t sid, const char *what, int expect,
		       const struct zc_range *r, size_t size)
{
	unsigned int nr = size / sizeof(*r);

	zc_expect_refused(_metadata, m, sid, what, expect, zc_size(r, nr), nr,
			  0, r, nr, true);
}

#define ZC_REFUSED(what, expect, r) \
	zc_refused(_metadata, &self->m, self->sid, what, expect, r, sizeof(r))

/* A valid ALLOC of @r works (nothing was left behind by a refusal). */
#define ZC_ALLOC_WORKS(r, n) do { \
	uint32_t __h = 0; \
	ZC_EXPECT_ST(S_OK, zc_alloc(&self->m, self->sid, r, n, &__h), \
		     "valid ALLOC afterwards"); \
	ZC_EXPECT_ST(S_OK, zc_free(&self->m, self->sid, __h), "FREE"); \
} while (0)

ZC_TEST(alloc_ring_overlap_refused)
{
	struct zc_range ok = { ZC_DATA_AT(0), 64 * ZC_KiB };
	unsigned int q;
	char what[64];

	for (q = 0; q < VIRTIO_RDMA_REMOTE_NUM_VQS; q++) {
		struct zc_range d[1] = { { ZC_VQ_DESC(q), ZC_PAGE } };
		struct zc_range a[1] = { { ZC_VQ_AVAIL(q), ZC_PAGE } };
		struct zc_range u[1] = { { ZC_VQ_USED(q), ZC_PAGE } };

		snprintf(what, sizeof(what), "descriptor area of queue %u", q);
		ZC_REFUSED(what, S_INVAL, d);
		snprintf(what, sizeof(what), "driver area of queue %u", q);
		ZC_REFUSED(what, S_INVAL, a);
		snprintf(what, sizeof(what), "device area of queue %u", q);
		ZC_REFUSED(what, S_INVAL, u);
	}
	{
		struct zc_range all[1] = { { ZC_RAM, ZC_DATA - ZC_RAM } };
		struct zc_range two[2] = { ok, { ZC_VQ_USED(1), ZC_PAGE } };

		ZC_REFUSED("range over every ring", S_INVAL, all);
		ZC_REFUSED("good range, then a ring", S_INVAL, two);
	}
	/* The queues still work, and the good range was not kept. */
	ZC_ALLOC_WORKS(&ok, 1);
}

ZC_TEST(alloc_outside_ram_refused)
{
	struct zc_range ok = { ZC_DATA_AT(0), 64 * ZC_KiB };
	struct zc_range end[1] = { { ZC_RAM_END, ZC_PAGE } };
	struct zc_range over_end[1] = { { ZC_RAM_END - ZC_PAGE, 2 * ZC_PAGE } };
	struct zc_range below[1] = { { ZC_RAM - ZC_PAGE, ZC_PAGE } };
	struct zc_range over_start[1] = { { ZC_RAM - ZC_PAGE, 2 * ZC_PAGE } };
	struct zc_range zero[1] = { { 0, ZC_PAGE } };
	struct zc_range hole[1] = { { ZC_RAM_END + ZC_MiB, 16 * ZC_PAGE } };
	struct zc_range far[1] = { { 1ULL << 48, ZC_PAGE } };
	struct zc_range top[1] = { { 0ULL - ZC_PAGE, ZC_PAGE } };
	struct zc_range mixed[2] = { ok, { ZC_RAM_END, ZC_PAGE } };
	struct zc_range mixed2[2] = { { ZC_DATA_AT(1), ZC_PAGE },
				      { ZC_RAM_END - ZC_PAGE, 2 * ZC_PAGE } };

	ZC_REFUSED("first page after RAM", S_FAULT, end);
	ZC_REFUSED("range over the end of RAM", S_FAULT, over_end);
	ZC_REFUSED("last page before RAM", S_FAULT, below);
	/* Over the rings too: range checks come before the mapping's. */
	ZC_REFUSED("range over the start of RAM and a ring", S_INVAL,
		   over_start);
	ZC_REFUSED("bus address 0", S_FAULT, zero);
	ZC_REFUSED("hole between RAM and ROM", S_FAULT, hole);
	ZC_REFUSED("far above RAM", S_FAULT, far);
	ZC_REFUSED("last page of the address space", S_FAULT, top);
	ZC_REFUSED("good range, then outside RAM", S_FAULT, mixed);
	ZC_REFUSED("good page, then over the end", S_FAULT, mixed2);
	ZC_ALLOC_WORKS(&ok, 1);
	ZC_ALLOC_WORKS(&mixed2[0], 1);
}

/* Mapped for device reads only: not usable for a buffer. */
ZC_TEST(alloc_readonly_mapping_refused)
{
	struct zc_range rom[1] = { { ZC_ROM, 16 * ZC_PAGE } };
	struct zc_range ram_rom[2] = { { ZC_DATA_AT(0), ZC_PAGE },
				       { ZC_ROM + ZC_PAGE, ZC_PAGE } };

	ZC_REFUSED("read-only mapping", S_FAULT, rom);
	ZC_REFUSED("RAM, then read-only mapping", S_FAULT, ram_rom);
	ZC_ALLOC_WORKS(&ram_rom[0], 1);
}

/*
 * Hostile tenants, finding 11: guest RAM that something else has pinned
 * for DMA (here io_uring fixed buffers; VFIO and iommufd pin the same
 * way) is not swapped: that device would keep the old pages.  ALLOC fails
 * with S_FAULT while the pin lasts, and works once it is gone.
 */
ZC_TEST(alloc_pinned_guest_ram_refused)
{
	struct zc_range r[1] = { { ZC_DATA_AT(8), 64 * ZC_KiB } };
	struct io_uring_params p;
	struct iovec iov;
	int ring;

	memset(&p, 0, sizeof(p));
	ring = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		SKIP(return, "io_uring_setup: %s", strerror(errno));
	iov.iov_base = zc_ptr(&self->m, r[0].addr, r[0].len);
	iov.iov_len = r[0].len;
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		close(ring);
		SKIP(return, "IORING_REGISTER_BUFFERS: %s", strerror(errno));
	}
	ZC_REFUSED("guest RAM pinned by io_uring", S_FAULT, r);
	close(ring);
	/* The ring's pins go with its last reference, a little later. */
	usleep(200 * 1000);
	ZC_ALLOC_WORKS(r, 1);
}

/* A module parameter of rdma_zcopy, or 0. */
static unsigned long zc_param(const char *name)
{
	char path[128], buf[32] = "";
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/rdma_zcopy/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtoul(buf, NULL, 0);
		fclose(f);
	}
	return v;
}

/*
 * Hostile tenants, finding 9: every swapped piece of guest RAM is a
 * mapping of the VMM; a guest must not make the VMM reach
 * vm.max_map_count (its own mmap() calls would then fail).  The device
 * swaps at most max_pieces pieces at a time: one more is S_NOSPC, and
 * after a FREE there is room again.  Ranges of one page with a page
 * between them are one piece each.
 */
ZC_TEST_SLOW(alloc_too_many_pieces_nospc)
{
	unsigned long max = zc_param("max_pieces");
	unsigned int per = self->m.cfg.max_ranges, nbuf, i, k;
	struct zc_range *r = calloc(per, sizeof(*r));
	struct zc_range one = { 0, ZC_PAGE };
	uint32_t h[16], extra = 0;

	ASSERT_NE(NULL, r);
	if (!max || max % per || max / per > 5)
		SKIP(free(r); return,
		     "max_pieces %lu: the test wants up to 5 x max_ranges (%u)",
		     max, per);
	nbuf = (unsigned int)(max / per);
	for (i = 0; i < nbuf; i++) {
		for (k = 0; k < per; k++) {
			r[k].addr = ZC_DATA_AT(8 * i) + 2 * k * ZC_PAGE;
			r[k].len = ZC_PAGE;
		}
		ZC_ASSERT_ST(S_OK, zc_alloc(&self->m, self->sid, r, per, &h[i]),
			     "ALLOC within max_pieces");
	}
	one.addr = ZC_DATA_AT(8 * nbuf);
	ZC_EXPECT_ST(S_NOSPC, zc_alloc(&self->m, self->sid, &one, 1, &extra),
		     "ALLOC of one piece more than max_pieces");
	ZC_EXPECT_ST(S_OK, zc_free(&self->m, self->sid, h[0]), "FREE");
	ZC_EXPECT_ST(S_OK, zc_alloc(&self->m, self->sid, &one, 1, &extra),
		     "ALLOC after a FREE");
	ZC_EXPECT_ST(S_OK, zc_free(&self->m, self->sid, extra), "FREE");
	for (i = 1; i < nbuf; i++)
		ZC_EXPECT_ST(S_OK, zc_free(&self->m, self->sid, h[i]), "FREE");
	free(r);
}

ZC_TEST(alloc_unaligned_refused)
{
	struct zc_range addr[1] = { { ZC_DATA_AT(0) + 512, ZC_PAGE } };
	struct zc_range addr2[2] = { { ZC_DATA_AT(1), ZC_PAGE },
				     { ZC_DATA_AT(2) + 8, ZC_PAGE } };
	struct zc_range len[2] = { { ZC_DATA_AT(0), ZC_PAGE + 512 },
				   { ZC_DATA_AT(1), ZC_PAGE - 512 } };
	struct zc_range size[1] = { { ZC_DATA_AT(0), 2 * ZC_PAGE } };

	ZC_REFUSED("address not a multiple of 4096", S_INVAL, addr);
	ZC_REFUSED("second address not a multiple of 4096", S_INVAL, addr2);
	ZC_REFUSED("lengths not multiples of 4096", S_INVAL, len);
	zc_expect_refused(_metadata, &self->m, self->sid,
			  "size not a multiple of 4096", S_INVAL,
			  ZC_PAGE + 1, 1, 0, size, 1, true);
	ZC_ALLOC_WORKS(&addr2[0], 1);
}

ZC_TEST(alloc_overlapping_ranges_refused)
{
	struct zc_range part[2] = { { ZC_DATA_AT(0), 8 * ZC_PAGE },
				    { ZC_DATA_AT(0) + 4 * ZC_PAGE, 8 * ZC_PAGE } };
	struct zc_range same[2] = { { ZC_DATA_AT(1), ZC_PAGE },
				    { ZC_DATA_AT(1), ZC_PAGE } };
	struct zc_range inside[3] = { { ZC_DATA_AT(2), 16 * ZC_PAGE },
				      { ZC_DATA_AT(3), ZC_PAGE },
				      { ZC_DATA_AT(2) + 15 * ZC_PAGE, ZC_PAGE } };
	struct zc_range last[2] = { { ZC_DATA_AT(4), 2 * ZC_PAGE },
				    { ZC_DATA_AT(4) + ZC_PAGE, ZC_PAGE } };

	ZC_REFUSED("ranges overlapping in part", S_INVAL, part);
	ZC_REFUSED("the same range twice", S_INVAL, same);
	ZC_REFUSED("range inside another", S_INVAL, inside);
	ZC_REFUSED("range over the last page of another", S_INVAL, last);
	ZC_ALLOC_WORKS(part, 1);
	ZC_ALLOC_WORKS(inside, 1);
}

/* Memory already swapped for a live buffer (of this or another session). */
ZC_TEST(alloc_overlapping_live_buffer_refused)
{
	struct zc_vmm *m = &self->m;
	struct zc_range x = { ZC_DATA_AT(1), 64 * ZC_KiB };
	struct zc_range y = { ZC_DATA_AT(3), 64 * ZC_KiB };
	struct zc_range same[1] = { x };
	struct zc_range head[1] = { { x.addr - 8 * ZC_PAGE, 12 * ZC_PAGE } };
	struct zc_range tail[1] = { { x.addr + x.len - ZC_PAGE, 4 * ZC_PAGE } };
	struct zc_range inside[1] = { { x.addr + 4 * ZC_PAGE, ZC_PAGE } };
	struct zc_range around[1] = { { x.addr - ZC_MiB, 3 * ZC_MiB } };
	struct zc_range second[2] = { { ZC_DATA_AT(5), ZC_PAGE },
				      { x.addr + ZC_PAGE, ZC_PAGE } };
	struct zc_counters c1;
	uint32_t hx = 0, hy = 0, sid2 = 0;

	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &x, 1, &hx), "ALLOC X");
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &y, 1, &hy), "ALLOC Y");
	zc_gfill(m, y.addr, y.len, 100);
	ZC_ASSERT_COPY(m, self->sid, hy, 0, hx, 0, x.len, 1);
	ASSERT_EQ(-1, zc_gdiff(m, x.addr, x.len, 100));
	zc_gfill(m, x.addr - ZC_MiB, ZC_MiB, 101);
	zc_gfill(m, x.addr + x.len, ZC_MiB, 102);
	ZC_ASSERT_ST(S_OK, zc_session_open(m, &sid2), "SESSION_OPEN");
	zc_counters_read(&c1);

	zc_expect_refused(_metadata, m, self->sid, "the same range", S_INVAL,
			  x.len, 1, 0, same, 1, false);
	zc_expect_refused(_metadata, m, self->sid, "over its start", S_INVAL,
			  head[0].len, 1, 0, head, 1, false);
	zc_expect_refused(_metadata, m, self->sid, "over its end", S_INVAL,
			  tail[0].len, 1, 0, tail, 1, false);
	zc_expect_refused(_metadata, m, self->sid, "inside", S_INVAL,
			  inside[0].len, 1, 0, inside, 1, false);
	zc_expect_refused(_metadata, m, self->sid, "around it", S_INVAL,
			  around[0].len, 1, 0, around, 1, false);
	zc_expect_refused(_metadata, m, self->sid, "second range on it",
			  S_INVAL, 2 * ZC_PAGE, 2, 0, second, 2, false);
	zc_expect_refused(_metadata, m, sid2, "from another session", S_INVAL,
			  x.len, 1, 0, same, 1, false);

	/* X, its neighbours and the counters are untouched. */
	EXPECT_EQ(-1, zc_gdiff(m, x.addr, x.len, 100));
	EXPECT_EQ(-1, zc_gdiff(m, x.addr - ZC_MiB, ZC_MiB, 101));
	EXPECT_EQ(-1, zc_gdiff(m, x.addr + x.len, ZC_MiB, 102));
	zc_expect_counters(_metadata, "after the refusals", &c1);
	/* X still works for the engine. */
	zc_gfill(m, x.addr, x.len, 103);
	ZC_ASSERT_COPY(m, self->sid, hx, 0, hy, 0, x.len, 2);
	EXPECT_EQ(-1, zc_gdiff(m, y.addr, y.len, 103));
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hx), "FREE X");
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, hy), "FREE Y");
	ZC_ALLOC_WORKS(head, 1);
}

ZC_TEST(alloc_too_big_refused)
{
	struct zc_vmm *m = &self->m;
	uint64_t big = m->cfg.max_buffer_size + ZC_PAGE;
	struct zc_range r[1] = { { ZC_DATA_AT(0), big } };

	ASSERT_NE(0ULL, m->cfg.max_buffer_size);
	zc_expect_refused(_metadata, m, self->sid, "size above max_buffer_size",
			  S_FBIG, big, 1, 0, r, 1, true);
	r[0].len = 1ULL << 62;
	zc_expect_refused(_metadata, m, self->sid, "size 2^62", S_FBIG,
			  r[0].len, 1, 0, r, 1, false);
}

TEST_F_TIMEOUT(zc, alloc_too_many_ranges_refused, 600 * zc_scale())
{
	struct zc_vmm *m = &self->m;
	unsigned int i, max = m->cfg.max_ranges;
	struct zc_range *r;
	uint32_t h = 0;
	int st;

	ASSERT_NE(0U, max);
	r = calloc((size_t)max + 1, sizeof(*r));
	ASSERT_NE(NULL, r);
	/* One page every other page, while they fit in the data area. */
	for (i = 0; i <= max; i++) {
		r[i].addr = ZC_DATA + (2ULL * i * ZC_PAGE) %
				      (ZC_RAM_END - ZC_DATA);
		r[i].len = ZC_PAGE;
	}
	zc_expect_refused(_metadata, m, self->sid, "max_ranges + 1 ranges",
			  S_INVAL, (uint64_t)(max + 1) * ZC_PAGE, max + 1, 0,
			  r, max + 1, false);
	zc_expect_refused(_metadata, m, self->sid, "0 ranges", S_INVAL,
			  ZC_PAGE, 0, 0, r, 0, false);

	/*
	 * max_ranges ranges are fine, if they fit in RAM and a buffer.  As
	 * many mappings to change: give the device time (debug kernels).
	 */
	if (2ULL * max * ZC_PAGE <= ZC_RAM_END - ZC_DATA &&
	    (uint64_t)max * ZC_PAGE <= m->cfg.max_buffer_size) {
		uint64_t t0 = zc_now_ms();

		m->req_timeout_ms = 240000 * (int)zc_scale();
		st = zc_alloc(m, self->sid, r, max, &h);
		TH_LOG("ALLOC of max_ranges (%u) ranges: %s in %llu ms", max,
		       zc_status_name(st),
		       (unsigned long long)(zc_now_ms() - t0));
		EXPECT_EQ(S_OK, st);
		EXPECT_EQ(-1, zc_gnonzero(m, r[0].addr, ZC_PAGE));
		EXPECT_EQ(-1, zc_gnonzero(m, r[max - 1].addr, ZC_PAGE));
		if (!st)
			ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, h), "FREE");
	} else {
		TH_LOG("max_ranges %u: not trying an ALLOC of that many", max);
	}
	free(r);
}

ZC_TEST(alloc_wraparound_refused)
{
	struct zc_range wrap[1] = { { 0ULL - ZC_PAGE, 2 * ZC_PAGE } };
	struct zc_range wrap_big[1] = { { ZC_DATA_AT(0), 0ULL - ZC_PAGE } };
	struct zc_range wrap2[2] = { { ZC_DATA_AT(0), ZC_PAGE },
				     { 0ULL - 2 * ZC_PAGE, 4 * ZC_PAGE } };

	ZC_REFUSED("range wrapping around 2^64", S_INVAL, wrap);
	ZC_REFUSED("second range wrapping around 2^64", S_INVAL, wrap2);
	/* size = 0 mod 2^64 and too long: refused, whatever the reason. */
	zc_expect_refused(_metadata, &self->m, self->sid,
			  "huge length wrapping", S_INVAL, ZC_PAGE, 1, 0,
			  wrap_big, 1, false);
	ZC_ALLOC_WORKS(wrap2, 1);
}

ZC_TEST(alloc_size_mismatch_refused)
{
	struct zc_vmm *m = &self->m;
	struct zc_range one[1] = { { ZC_DATA_AT(0), ZC_PAGE } };
	struct zc_range two[2] = { { ZC_DATA_AT(1), ZC_PAGE },
				   { ZC_DATA_AT(2), 2 * ZC_PAGE } };

	zc_expect_refused(_metadata, m, self->sid, "lengths below size",
			  S_INVAL, 2 * ZC_PAGE, 1, 0, one, 1, true);
	zc_expect_refused(_metadata, m, self->sid, "lengths above size",
			  S_INVAL, 2 * ZC_PAGE, 2, 0, two, 2, true);
	zc_expect_refused(_metadata, m, self->sid, "lengths 1 page short",
			  S_INVAL, 4 * ZC_PAGE, 2, 0, two, 2, true);
	ZC_ALLOC_WORKS(two, 2);
}

ZC_TEST(alloc_bad_fields_refused)
{
	struct zc_vmm *m = &self->m;
	struct zc_range r[2] = { { ZC_DATA_AT(0), ZC_PAGE },
				 { ZC_DATA_AT(1), ZC_PAGE } };
	struct zc_range empty[2] = { { ZC_DATA_AT(2), 0 },
				     { ZC_DATA_AT(3), ZC_PAGE } };
	struct virtio_rdma_remote_req_hdr h =
		zc_hdr(VIRTIO_RDMA_REMOTE_OP_ALLOC, self->sid);

	zc_expect_refused(_metadata, m, self->sid, "flags not 0", S_INVAL,
			  ZC_PAGE, 1, 1, r, 1, true);
	zc_expect_refused(_metadata, m, self->sid, "nr_ranges above the ranges sent",
			  S_INVAL, 2 * ZC_PAGE, 2, 0, r, 1, true);
	zc_expect_refused(_metadata, m, self->sid, "nr_ranges below the ranges sent",
			  S_INVAL, ZC_PAGE, 1, 0, r, 2, true);
	zc_expect_refused(_metadata, m, self->sid, "size 0", S_INVAL, 0, 1, 0,
			  r, 1, true);
	zc_expect_refused(_metadata, m, self->sid, "empty range", S_INVAL,
			  ZC_PAGE, 2, 0, empty, 2, true);
	zc_expect_refused(_metadata, m, 0, "session 0", S_NOENT, ZC_PAGE, 1, 0,
			  r, 1, true);
	zc_expect_refused(_metadata, m, self->sid + 1000, "unknown session",
			  S_NOENT, ZC_PAGE, 1, 0, r, 1, true);
	ZC_EXPECT_ST(S_INVAL, zc_req1(m, &h, sizeof(h), NULL),
		     "ALLOC without body");
	ZC_ALLOC_WORKS(r, 2);
}

/* max_buffers buffers per session, then S_NOSPC; the ranges come back. */
ZC_TEST_SLOW(alloc_max_buffers_nospc)
{
	struct zc_vmm *m = &self->m;
	unsigned int i, max = m->cfg.max_buffers;
	struct zc_range r, extra[1];
	uint32_t *h;
	int st;

	if ((uint64_t)max * 2 * ZC_PAGE > ZC_RAM_END - ZC_DATA || max > 2048)
		SKIP(return, "max_buffers %u: too many to try", max);
	h = calloc(max, sizeof(*h));
	ASSERT_NE(NULL, h);
	for (i = 0; i < max; i++) {
		r.addr = ZC_DATA + 2ULL * i * ZC_PAGE;
		r.len = ZC_PAGE;
		st = zc_alloc(m, self->sid, &r, 1, &h[i]);
		if (st)
			TH_LOG("ALLOC %u of %u: %s", i + 1, max,
			       zc_status_name(st));
		ASSERT_EQ(S_OK, st);
	}
	extra[0].addr = ZC_DATA + ZC_PAGE;
	extra[0].len = ZC_PAGE;
	zc_expect_refused(_metadata, m, self->sid, "max_buffers + 1", S_NOSPC,
			  ZC_PAGE, 1, 0, extra, 1, true);
	for (i = 0; i < max; i++)
		ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, h[i]), "FREE");
	free(h);
}

/* ------------------------------------------------------------------ */
/* (5) The VMM goes away with buffers and transfers in flight          */

/* Wait until the counters are back to @base (they may lag the exit). */
static bool zc_counters_settle(struct __test_metadata *_metadata,
			       const struct zc_counters *base, int ms)
{
	uint64_t end = zc_now_ms() + (uint64_t)ms;
	struct zc_counters c;

	for (;;) {
		unsigned int i, diff = 0;

		zc_counters_read(&c);
		for (i = 0; i < ZC_C_PAYLOAD; i++)
			if (base->have[i] && c.have[i] && base->v[i] != c.v[i])
				diff++;
		if (!diff)
			return true;
		if (zc_now_ms() >= end) {
			zc_counters_diff(_metadata, "after the VMM's exit",
					 base, &c);
			return false;
		}
		usleep(100 * 1000);
	}
}

#define ZC_KMEMLEAK	"/sys/kernel/debug/kmemleak"

/*
 * kmemleak, where the kernel has it: two scans, then the reports that
 * name a module of the project or vhost in their backtrace.  Return:
 * leaks found, or -1 without kmemleak.
 */
static int zc_kmemleak_check(struct __test_metadata *_metadata)
{
	static const char *const mods[] = {
		"rdma_zcopy", "cdma_soft", "cdma_core", "vhost",
	};
	char *buf = NULL, *rep, *next;
	size_t cap = 0, len = 0;
	int fd, leaks = 0;
	ssize_t n;

	if (access(ZC_KMEMLEAK, W_OK))
		return -1;
	if (getenv("ZCOPY_KMEMLEAK") && !strcmp(getenv("ZCOPY_KMEMLEAK"), "0")) {
		TH_LOG("kmemleak: not scanned (ZCOPY_KMEMLEAK=0)");
		return -1;
	}
	/*
	 * An object is reported when a scan finds it unreferenced, at least
	 * 5 s old and older than the previous scan.
	 */
	sleep(6);
	if (cd_write_file(ZC_KMEMLEAK, "scan") ||
	    cd_write_file(ZC_KMEMLEAK, "scan"))
		return -1;
	fd = open(ZC_KMEMLEAK, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!buf)
		return 0;
	buf[len] = 0;
	/* Reports start with "unreferenced object". */
	for (rep = strstr(buf, "unreferenced object"); rep; rep = next) {
		unsigned int i;

		next = strstr(rep + 1, "unreferenced object");
		if (next)
			next[-1] = 0;
		for (i = 0; i < ARRAY_SIZE(mods); i++) {
			if (strstr(rep, mods[i])) {
				TH_LOG("kmemleak: %.600s", rep);
				leaks++;
				break;
			}
		}
	}
	free(buf);
	return leaks;
}

/*
 * Child: a VMM that allocates two big buffers, submits as many big
 * transfers as it may (up to 128), tells the parent how many through
 * @wfd, and then waits to be killed (or exits at once, without a reset,
 * if @exit_now).
 */
static void zc_child_vmm(int wfd, bool exit_now)
{
	struct zc_vmm *m = calloc(1, sizeof(*m));
	struct zc_range a = { ZC_DATA_AT(0), 8 * ZC_MiB };
	struct zc_range b[2] = {
		{ ZC_DATA_AT(42), 4 * ZC_MiB },		/* over the regions */
		{ ZC_DATA_AT(20), 4 * ZC_MiB },
	};
	uint32_t sid = 0, ha = 0, hb = 0;
	int n = 0, st;

	if (!m || zc_vmm_start(m, zc_dev_path)) {
		fprintf(stderr, "# child VMM: %s\n", m ? m->err : "no memory");
		n = -1;
		goto out;
	}
	if (zc_session_open(m, &sid) || zc_alloc(m, sid, &a, 1, &ha) ||
	    zc_alloc(m, sid, b, 2, &hb)) {
		fprintf(stderr, "# child VMM: SESSION_OPEN or ALLOC failed\n");
		n = -2;
		goto out;
	}
	for (n = 0; n < (int)m->cfg.max_inflight && n < 128; n++) {
		struct zc_xfer x = {
			.dir = CDMA_XFER_LOCAL, .src = n & 1 ? hb : ha,
			.dst = n & 1 ? ha : hb, .len = 8 * ZC_MiB,
			.tag = (uint64_t)n,
		};

		st = zc_submit(m, sid, &x);
		if (st != S_OK)
			break;
	}
out:
	if (write(wfd, &n, sizeof(n)) != sizeof(n))
		_exit(2);
	if (exit_now)
		_exit(0);	/* close without reset, transfers running */
	for (;;)
		pause();
}

/* Start the child VMM; return its pid and the transfers it submitted. */
static pid_t zc_start_child(struct __test_metadata *_metadata, bool exit_now,
			    int *submitted)
{
	struct pollfd p;
	int fds[2], n = -3;
	pid_t pid;

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		zc_child_vmm(fds[1], exit_now);
		_exit(0);
	}
	close(fds[1]);
	p.fd = fds[0];
	p.events = POLLIN;
	if (poll(&p, 1, 60000 * (int)zc_scale()) == 1 &&
	    read(fds[0], &n, sizeof(n)) != sizeof(n))
		n = -3;
	close(fds[0]);
	*submitted = n;
	return pid;
}

/* After the VMM is gone the device works for the next one. */
static void zc_device_usable(struct __test_metadata *_metadata)
{
	struct zc_vmm *m = calloc(1, sizeof(*m));
	struct zc_range a = { ZC_DATA_AT(0), 64 * ZC_KiB };
	struct zc_range b = { ZC_DATA_AT(1), 64 * ZC_KiB };
	uint32_t sid = 0, ha = 0, hb = 0;
	int st = -1;

	ASSERT_NE(NULL, m);
	st = zc_vmm_start_wait(m, zc_dev_path);
	if (st)
		TH_LOG("device set-up after the VMM's exit: %s", m->err);
	ASSERT_EQ(0, st);
	ZC_ASSERT_ST(S_OK, zc_session_open(m, &sid), "SESSION_OPEN");
	zc_alloc_ab(_metadata, m, sid, &a, &ha, &b, &hb);
	zc_gfill(m, b.addr, b.len, 120);
	ZC_ASSERT_COPY(m, sid, hb, 0, ha, 0, a.len, 1);
	EXPECT_EQ(-1, zc_gdiff(m, a.addr, a.len, 120));
	zc_vmm_stop(m, false);
	free(m);
}

/*
 * Hostile tenants, finding 1: the VMM splits, joins and removes the IOTLB
 * entries under a buffer (another thread) while ALLOCs walk them.  Every
 * ALLOC either succeeds or fails with S_FAULT; the kernel stays intact
 * (KASAN, WARN: the suite's kernel log check), and the device serves
 * requests afterwards.
 */
TEST_F_TIMEOUT(zc, iotlb_race_alloc, 300 * zc_scale())
{
	struct zc_range rg = { ZC_RAM + ZC_RAM0_SIZE + 3 * ZC_MiB, 2 * ZC_MiB };
	/* RAM region 1 as 1 and as 4 entries, back to back. */
	struct zc_racer race = { .m = &self->m };
	unsigned int i, ok = 0, fault = 0;
	uint64_t end = zc_now_ms() + 20000;
	uint32_t h;
	int st;

	ASSERT_EQ(0, zc_racer_start(&race));
	for (i = 0; i < 100000 && zc_now_ms() < end; i++) {
		h = 0;
		st = zc_alloc(&self->m, self->sid, &rg, 1, &h);
		if (st == S_OK) {
			ok++;
			ZC_EXPECT_ST(S_OK, zc_free(&self->m, self->sid, h),
				     "FREE");
		} else if (st == S_FAULT) {
			fault++;
		} else {
			TH_LOG("ALLOC %u under the IOTLB racer: %s", i,
			       zc_status_name(st));
			break;
		}
	}
	zc_racer_stop(&race);
	TH_LOG("%u ALLOCs: %u S_OK, %u S_FAULT; %lu IOTLB flips", i, ok,
	       fault, race.flips);
	EXPECT_EQ(0, race.err);
	EXPECT_EQ(ok + fault, i);
	EXPECT_LT(0U, race.flips);
	/* Region 1 is one entry again: the device still works. */
	h = 0;
	ZC_ASSERT_ST(S_OK, zc_alloc(&self->m, self->sid, &rg, 1, &h),
		     "ALLOC after the race");
	ZC_EXPECT_ST(S_OK, zc_free(&self->m, self->sid, h), "FREE");
}

/*
 * Hostile tenants, finding 2: with the VMM's mm bound (VA mode) a bus
 * address must never be translated through the device's default identity
 * mapping, or every guest address would be the VMM's virtual address of
 * the guest's choice.  Guest RAM is mapped here at VA == IOVA and no IOTLB
 * update is sent: the device must not answer a request (it may refuse at
 * DRIVER_OK with NEEDS_RESET, or leave the queue alone).
 */
TEST_F_TIMEOUT(zcb, va_mode_identity_map_refused, 120 * zc_scale())
{
	struct zc_vmm *m = calloc(1, sizeof(*m));
	uint32_t sid = 0;
	uint8_t status = 0;
	int st;

	ASSERT_NE(NULL, m);
	st = zc_vmm_start_mode(m, zc_dev_path, true);
	if (st) {
		/* Refused at DRIVER_OK: only with NEEDS_RESET set. */
		TH_LOG("set-up with the identity mapping: %s", m->err);
		ASSERT_EQ(0, zc_get_status(m, &status));
		EXPECT_TRUE(status & VIRTIO_CONFIG_S_NEEDS_RESET);
	} else {
		m->req_timeout_ms = 3000 * (int)zc_scale();
		st = zc_session_open(m, &sid);
		TH_LOG("SESSION_OPEN through the identity mapping: %s",
		       zc_status_name(st));
		EXPECT_NE(S_OK, st);
		EXPECT_EQ(0U, sid);
	}
	zc_vmm_stop(m, false);
	free(m);
	zc_device_usable(_metadata);
}

/* Start @m (NULL: allocation failed) with feature bits @f, offered. */
static void zc_start_with(struct __test_metadata *_metadata, struct zc_vmm *m,
			  uint64_t f)
{
	int st;

	ASSERT_NE(NULL, m);
	st = zc_vmm_start_opts(m, zc_dev_path, false, f);
	if (st)
		TH_LOG("device set-up failed: %s", m->err);
	ASSERT_EQ(0, st);
	ASSERT_EQ(f, m->features & f)
		TH_LOG("features %#llx not offered: features %#llx",
		       (unsigned long long)f, (unsigned long long)m->features);
}

/*
 * VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED negotiated: the driver no longer clears
 * the memory it gives in ALLOC, and the buffer must read as zeros anyway,
 * through the guest's ranges and through a transfer.
 */
TEST_F_TIMEOUT(zcb, alloc_zeroed_feature, 120 * zc_scale())
{
	const uint64_t f = 1ULL << VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED;
	struct zc_vmm *m = calloc(1, sizeof(*m));
	struct zc_range a = { ZC_DATA_AT(0), 2 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(4), 2 * ZC_MiB };
	struct zc_xfer x = { .dir = CDMA_XFER_LOCAL, .len = 2 * ZC_MiB };
	uint32_t sid = 0, ha = 0, hb = 0;
	struct zc_event ev;

	zc_start_with(_metadata, m, f);
	ZC_ASSERT_ST(S_OK, zc_session_open(m, &sid), "SESSION_OPEN");
	zc_gfill(m, a.addr, a.len, 72);
	zc_gfill(m, b.addr, b.len, 73);
	zc_alloc_ab(_metadata, m, sid, &a, &ha, &b, &hb);
	EXPECT_EQ(-1, zc_gnonzero(m, a.addr, a.len));
	EXPECT_EQ(-1, zc_gnonzero(m, b.addr, b.len));

	/* b's old content must not come back through the engine either. */
	zc_gfill(m, a.addr, a.len, 74);
	x.src = hb;
	x.dst = ha;
	x.tag = 9;
	ZC_ASSERT_ST(S_OK, zc_submit(m, sid, &x), "SUBMIT");
	zc_event_ok(_metadata, m, 9, &ev);
	EXPECT_EQ((uint32_t)S_OK, ev.status);
	EXPECT_EQ(-1, zc_gnonzero(m, a.addr, a.len));

	zc_free_ab(_metadata, m, sid, ha, hb);
	EXPECT_EQ(0U, m->ev_bad);
	zc_vmm_stop(m, false);
	free(m);
	zc_device_usable(_metadata);
}

/*
 * VIRTIO_RDMA_REMOTE_F_SUBMIT_END negotiated: a transfer the device moves
 * before it answers (up to 4 MiB in a run) is reported by the SUBMIT
 * response, with no event; a larger one is answered queued and has its
 * event.  Without the feature (every other test) the response says queued.
 */
TEST_F_TIMEOUT(zcb, submit_end_in_response, 120 * zc_scale())
{
	const uint64_t f = 1ULL << VIRTIO_RDMA_REMOTE_F_SUBMIT_END;
	struct zc_vmm *m = calloc(1, sizeof(*m));
	struct zc_range a = { ZC_DATA_AT(0), 6 * ZC_MiB };
	struct zc_range b = { ZC_DATA_AT(8), 6 * ZC_MiB };
	struct virtio_rdma_remote_resp r;
	struct zc_xfer x = {
		.dir = CDMA_XFER_LOCAL, .len = 4096, .dst_off = 8192, .tag = 7,
	};
	uint32_t sid = 0, ha = 0, hb = 0;
	struct zc_event ev;

	zc_start_with(_metadata, m, f);
	ZC_ASSERT_ST(S_OK, zc_session_open(m, &sid), "SESSION_OPEN");
	zc_alloc_ab(_metadata, m, sid, &a, &ha, &b, &hb);
	zc_gfill(m, b.addr, b.len, 71);
	x.src = hb;
	x.dst = ha;

	ZC_ASSERT_ST(S_OK, zc_submit_resp(m, sid, &x, &r), "SUBMIT 4 KiB");
	EXPECT_EQ((uint32_t)VIRTIO_RDMA_REMOTE_SUBMIT_ENDED, le32toh(r.id));
	EXPECT_EQ((uint32_t)S_OK, le32toh(r.end.status));
	EXPECT_EQ(0U, le32toh(r.end.reserved));
	EXPECT_EQ(4096ULL, le64toh(r.end.bytes));
	EXPECT_EQ(-1, zc_bdiff(m, &a, 1, 8192, 4096, 71, 0));
	zc_ev_drain(m, 300);
	EXPECT_EQ(0U, m->nr_ev)
		TH_LOG("an event for a transfer whose response ended it");

	x.len = 4 * ZC_MiB + 4096;
	x.dst_off = 0;
	x.tag = 8;
	ZC_ASSERT_ST(S_OK, zc_submit_resp(m, sid, &x, &r), "SUBMIT 4 MiB + 4 KiB");
	EXPECT_EQ((uint32_t)VIRTIO_RDMA_REMOTE_SUBMIT_QUEUED, le32toh(r.id));
	zc_event_ok(_metadata, m, 8, &ev);
	EXPECT_EQ((uint32_t)S_OK, ev.status);
	EXPECT_EQ(x.len, ev.bytes);
	EXPECT_EQ(-1, zc_bdiff(m, &a, 1, 0, x.len, 71, 0));

	zc_free_ab(_metadata, m, sid, ha, hb);
	EXPECT_EQ(0U, m->ev_bad);
	zc_vmm_stop(m, false);
	free(m);
	zc_device_usable(_metadata);
}

/* Write @val to the cgroup file @dir/@name: 0 or -errno. */
static int zc_cg_write(const char *dir, const char *name, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return cd_write_file(path, val);
}

/* A memory cgroup (v2) of its own, /sys/fs/cgroup/@name: 0 or -errno. */
static int zc_memcg_make(const char *name, char *dir, size_t len)
{
	struct statfs s;
	int ret;

	if ((statfs("/sys/fs/cgroup", &s) || s.f_type != 0x63677270) &&
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		return -errno;	/* not CGROUP2_SUPER_MAGIC, and no mount */
	ret = zc_cg_write("/sys/fs/cgroup", "cgroup.subtree_control",
			  "+memory");
	if (ret)
		return ret;
	snprintf(dir, len, "/sys/fs/cgroup/%s", name);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * The child VMM of memcg_charges_the_vmm, in the cgroup @dir: a buffer
 * larger than its memory.max must fail with S_NOMEM, a small one work.
 * Exit status: 0, or the step that went wrong.
 */
static int zc_memcg_child(const char *dir)
{
	struct zc_range big = { ZC_DATA_AT(0), 40 * ZC_MiB };
	struct zc_range small = { ZC_DATA_AT(0), 64 * ZC_KiB };
	struct zc_vmm *m = calloc(1, sizeof(*m));
	uint32_t sid = 0, h = 0;
	char pid[32];
	int st;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (!m || zc_cg_write(dir, "cgroup.procs", pid))
		return 10;
	if (zc_vmm_start(m, zc_dev_path))
		return 11;
	if (zc_session_open(m, &sid) != S_OK)
		return 12;
	st = zc_alloc(m, sid, &big, 1, &h);
	if (st == S_OK)
		return 20;	/* the engine buffer was charged to nobody */
	if (st != S_NOMEM)
		return 21;
	if (zc_alloc(m, sid, &small, 1, &h) != S_OK)
		return 13;
	if (zc_free(m, sid, h) != S_OK)
		return 14;
	zc_vmm_stop(m, false);
	return 0;
}

/*
 * Hostile tenants, finding 3: the backend works in a kthread, but what it
 * allocates for a VMM (engine buffers above all) is charged to the VMM's
 * memory cgroup.  A VMM with memory.max 32M asks for a 40 MiB buffer: it
 * gets S_NOMEM, and the host's memory is not spent on its behalf.
 */
TEST_F_TIMEOUT(zcb, memcg_charges_the_vmm, 120 * zc_scale())
{
	char dir[128];
	int status, ret;
	pid_t pid;

	ret = zc_memcg_make("zc-memcg", dir, sizeof(dir));
	if (ret)
		SKIP(return, "no cgroup v2 memory controller: %s",
		     strerror(-ret));
	ASSERT_EQ(0, zc_cg_write(dir, "memory.max", "32M"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(zc_memcg_child(dir));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status))
		TH_LOG("the VMM was killed by signal %d", WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("step %d failed (20: a 40 MiB buffer in a 32M memcg was allowed)",
		       WEXITSTATUS(status));
	rmdir(dir);
	zc_device_usable(_metadata);
}

/*
 * The device's thread in this process (a comm that starts with "rz-"):
 * its id, or 0 when there is none.
 */
static pid_t zc_worker_thread(void)
{
	char path[300], comm[32];
	struct dirent *e;
	pid_t tid = 0;
	DIR *d;
	FILE *f;

	d = opendir("/proc/self/task");
	if (!d)
		return 0;
	while (!tid && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "rz-", 3))
			tid = atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return tid;
}

/* Nanoseconds thread @tid has run (schedstat), or -1. */
static long long zc_thread_runtime(pid_t tid)
{
	long long ns = -1;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = -1;
	fclose(f);
	return ns;
}

/*
 * Hostile tenants, finding 3: the guest's requests are served by a thread
 * of its VMM (a vhost_task, as vhost's), not by a kthread, so the VMM's
 * cgroups, credentials and rlimits apply and the VMM pays the CPU time:
 * the thread is there once the VMM owns the device, and an ALLOC (the
 * engine zeroes 16 MiB) adds to its run time.
 */
ZC_TEST(worker_is_a_thread_of_the_vmm)
{
	struct zc_vmm *m = &self->m;
	struct zc_range r = { ZC_DATA_AT(0), 16 * ZC_MiB };
	long long t0, t1;
	uint32_t h = 0;
	pid_t tid;

	tid = zc_worker_thread();
	ASSERT_NE(0, tid) TH_LOG("no rz-* thread in the VMM: a kthread serves it");
	t0 = zc_thread_runtime(tid);
	ZC_ASSERT_ST(S_OK, zc_alloc(m, self->sid, &r, 1, &h), "ALLOC");
	t1 = zc_thread_runtime(tid);
	ZC_EXPECT_ST(S_OK, zc_free(m, self->sid, h), "FREE");
	if (t0 < 0)
		SKIP(return, "no schedstat: the thread's run time is not visible");
	EXPECT_LT(t0, t1);
	TH_LOG("the VMM's device thread ran %lld us for the ALLOC",
	       (t1 - t0) / 1000);
}

#define ZC_VMM_EXIT_FMT "child VMM submitted %d transfers of 8 MiB, %s after %llu ms; counters and the next VMM checked in %llu ms"

/*
 * A VMM goes away with buffers live and transfers in flight: killed, or
 * exiting without a reset.  The backend's counters come back to where
 * they were, the device serves the next VMM, and (@kmemleak, where the
 * kernel has it) nothing of the backend, the engine or vhost leaks.
 */
static void zc_vmm_exit_test(struct __test_metadata *_metadata,
			     const struct zc_counters *base, bool kill_it,
			     bool kmemleak)
{
	int submitted = 0, status = 0, leaks = -1;
	uint64_t t0 = zc_now_ms(), t1, t2;
	pid_t pid;

	if (!base->have[ZC_C_BUFFERS])
		TH_LOG("no %s/buffers: leaks are seen by kmemleak only",
		       ZC_DEBUGFS);
	pid = zc_start_child(_metadata, !kill_it, &submitted);
	if (submitted < 0)
		TH_LOG("child VMM failed before its transfers (%d)", submitted);
	if (kill_it) {
		usleep(50 * 1000);
		kill(pid, SIGKILL);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_GT(submitted, 0);
	if (kill_it)
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	t1 = zc_now_ms();

	EXPECT_TRUE(zc_counters_settle(_metadata, base,
				       30000 * (int)zc_scale()));
	zc_device_usable(_metadata);
	t2 = zc_now_ms();
	TH_LOG(ZC_VMM_EXIT_FMT, submitted,
	       kill_it ? "killed" : "exited without reset",
	       (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1));

	if (kmemleak || !base->have[ZC_C_BUFFERS]) {
		leaks = zc_kmemleak_check(_metadata);
		if (leaks < 0)
			TH_LOG("kmemleak: not available");
		else
			TH_LOG("kmemleak: %d reports of the backend, the engine or vhost (%llu ms)",
			       leaks, (unsigned long long)(zc_now_ms() - t2));
	}
	if (leaks < 0 && !base->have[ZC_C_BUFFERS])
		TH_LOG("neither kmemleak nor the backend's counters: leaks cannot be seen");
	EXPECT_TRUE(leaks == 0 || (leaks < 0 && base->have[ZC_C_BUFFERS]));
}

TEST_F_TIMEOUT(zcb, kill_with_transfers_in_flight, 300 * zc_scale())
{
	zc_vmm_exit_test(_metadata, &self->base, true, true);
}

TEST_F_TIMEOUT(zcb, exit_without_reset, 300 * zc_scale())
{
	zc_vmm_exit_test(_metadata, &self->base, false, false);
}

/* ------------------------------------------------------------------ */

/* The backend's counters are in debugfs: mount it if nobody did. */
static void zc_mount_debugfs(void)
{
	struct statfs s;

	if (!statfs("/sys/kernel/debug", &s) && s.f_type == 0x64626720)
		return;	/* DEBUGFS_MAGIC */
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		fprintf(stderr, "# vmm_harness: mount debugfs: %s\n",
			strerror(errno));
}

static void zc_usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [-d PATH] [harness options, -h for the list]\n"
		"\t-d PATH  vhost-vdpa device of an rdma_zcopy vDPA device\n"
		"\t         (default $ZCOPY_DEV or /dev/vhost-vdpa-0)\n",
		prog);
}

static void zc_print_run(void)
{
	cd_print_run("vmm_harness", zc_dev_path, zc_seed);
}

int main(int argc, char **argv)
{
	const struct cd_opt opts[] = {
		{ "-d", "--device", &zc_dev_path, "ZCOPY_DEV", false },
	};
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	zc_seed = cd_env_seed((__u64)ts.tv_nsec);
	zc_mount_debugfs();
	return cd_harness_main(argc, argv, opts, ARRAY_SIZE(opts), zc_usage,
			       zc_print_run);
}
