// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_cross - Unimem transfers across contexts: between two cDMA devices
 *
 * Usage: cdma_cross -a PATH -b PATH [kselftest harness options]
 *
 *   -a PATH, -b PATH   the two devices, for example the native /dev/cdma0
 *                      and a guest device /dev/cdma1, or two guest devices
 *                      (two virtio-rdma-remote devices of one engine)
 *
 * A buffer exported through one device is written and read by transfers
 * submitted through the other, in both directions (the variants
 * "a_exports" and "b_exports"): from one process holding both devices and
 * from two processes.  Wrong keys and rights are refused with EACCES,
 * revoked exports with ENXIO, and an exporter that closes while the other
 * side is writing into its buffer lets those transfers end normally.
 *
 * Both devices must reach the same engine (the same Unimem node).
 */
#include <pthread.h>
#include <stdbool.h>

#include "cdma_fixture.h"
#include "harness_args.h"

static const char *xc_path[2] = { NULL, NULL };

FIXTURE(xc) {
	int fd[2];
	struct cdma_info info[2];
	/* Exporting side and initiating side: indexes into fd[]. */
	int exp, ini;
};

FIXTURE_VARIANT(xc) {
	int exporter;
};

FIXTURE_VARIANT_ADD(xc, a_exports) {
	.exporter = 0,
};

FIXTURE_VARIANT_ADD(xc, b_exports) {
	.exporter = 1,
};

FIXTURE_SETUP(xc)
{
	int i;

	self->fd[0] = -1;
	self->fd[1] = -1;
	for (i = 0; i < 2; i++) {
		cdma_dev_path = xc_path[i];
		cd_open_checked(_metadata, &self->fd[i], &self->info[i]);
		ASSERT_CAP(&self->info[i], CDMA_CAP_GLOBAL);
		ASSERT_CAP(&self->info[i], CDMA_CAP_ASYNC);
	}
	/* One engine: one Unimem node. */
	ASSERT_EQ(self->info[0].node_id, self->info[1].node_id);
	self->exp = variant->exporter;
	self->ini = !variant->exporter;
}

FIXTURE_TEARDOWN(xc)
{
	int i;

	for (i = 0; i < 2; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
}

#define XC_TEST(name)	TEST_F_TIMEOUT(xc, name, cd_timeout(120))

#define EFD	(self->fd[self->exp])
#define IFD	(self->fd[self->ini])
#define EINFO	(&self->info[self->exp])
#define IINFO	(&self->info[self->ini])

/* Largest size both devices (@info) take, at most @want. */
static size_t xc_size(const struct cdma_info info[2], size_t want)
{
	__u64 m = info[0].max_buffer_size;

	if (info[1].max_buffer_size < m)
		m = info[1].max_buffer_size;
	return want < m ? want : (size_t)m;
}

static int xc_async(int fd, __u32 dir, __u32 handle, __u64 off, __u64 gaddr,
		    __u64 key, __u64 len, __u64 cookie)
{
	return cd_global(fd, dir, CDMA_XFER_F_ASYNC, handle, off, gaddr, key,
			 len, cookie);
}

/* Synchronous writes and reads of the whole buffer and of odd pieces. */
XC_TEST(write_read_sync)
{
	size_t len = xc_size(self->info, MiB + 3 * 4096);
	const size_t odd[][2] = {	/* offset, length */
		{ 0, 1 }, { 1, 7 }, { 4095, 2 }, { 12345, 54321 },
		{ 0, 0 } /* whole: filled in below */,
	};
	struct cd_buf e, l;
	__u64 g, k;
	unsigned int i;

	cd_buf_get(_metadata, EFD, EINFO, len, true, &e);
	cd_buf_get(_metadata, IFD, IINFO, len, true, &l);
	ASSERT_EQ(0, cd_export(EFD, e.handle, CD_RW, &g, &k));
	EXPECT_EQ(EINFO->node_id, cd_gaddr_node(g));

	/* Initiator writes into the exporter's buffer. */
	pat_fill(l.map, l.len, cdma_seed);
	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		size_t off = odd[i][0], n = odd[i][1] ? odd[i][1] : len;

		memset(e.map, 0, e.len);
		ASSERT_EQ(0, cd_to_global(IFD, l.handle, off, g + off, k, n))
			TH_LOG("TO_GLOBAL at %zu, %zu bytes", off, n);
		EXPECT_EQ(-1, pat_check_at(e.map + off, n, cdma_seed, off))
			TH_LOG("TO_GLOBAL at %zu, %zu bytes", off, n);
		EXPECT_EQ(-1, mem_check_byte(e.map, off, 0));
		EXPECT_EQ(-1, mem_check_byte(e.map + off + n,
					     e.len - off - n, 0));
	}

	/* Initiator reads the exporter's buffer. */
	pat_fill(e.map, e.len, cdma_seed + 1);
	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		size_t off = odd[i][0], n = odd[i][1] ? odd[i][1] : len;

		memset(l.map, 0, l.len);
		ASSERT_EQ(0, cd_from_global(IFD, g + off, k, l.handle, off, n))
			TH_LOG("FROM_GLOBAL at %zu, %zu bytes", off, n);
		EXPECT_EQ(-1, pat_check_at(l.map + off, n, cdma_seed + 1, off))
			TH_LOG("FROM_GLOBAL at %zu, %zu bytes", off, n);
	}
	EXPECT_EQ(-1, pat_check(e.map, e.len, cdma_seed + 1));

	cd_buf_put(_metadata, EFD, &e);
	cd_buf_put(_metadata, IFD, &l);
}

/*
 * Many asynchronous transfers in flight, each on its own slice: the first
 * half of the exporter's buffer is written, the second half read.
 */
XC_TEST(async_many)
{
	size_t len = xc_size(self->info, 8 * MiB), half = len / 2, slice;
	unsigned int n = cd_min_u(IINFO->max_inflight, 64), i;
	struct cd_buf e, l;
	__u64 g, k;

	n &= ~1U;
	ASSERT_LT(1U, n);
	slice = half / (n / 2);
	cd_buf_get(_metadata, EFD, EINFO, len, true, &e);
	cd_buf_get(_metadata, IFD, IINFO, len, true, &l);
	ASSERT_EQ(0, cd_export(EFD, e.handle, CD_RW, &g, &k));
	pat_fill(l.map, half, cdma_seed + 2);
	pat_fill_at(e.map + half, half, cdma_seed + 3, half);

	for (i = 0; i < n / 2; i++) {
		__u64 off = i * slice;

		ASSERT_EQ(0, xc_async(IFD, CDMA_XFER_TO_GLOBAL, l.handle, off,
				      g + off, k, slice, 2 * i + 1));
		off += half;
		ASSERT_EQ(0, xc_async(IFD, CDMA_XFER_FROM_GLOBAL, l.handle,
				      off, g + off, k, slice, 2 * i + 2));
	}
	for (i = 0; i < n; i++)
		cd_wait_ok(_metadata, IFD, i + 1, slice);
	EXPECT_EQ(-1, pat_check(e.map, slice * (n / 2), cdma_seed + 2));
	EXPECT_EQ(-1, pat_check_at(l.map + half, slice * (n / 2),
				   cdma_seed + 3, half));

	cd_buf_put(_metadata, EFD, &e);
	cd_buf_put(_metadata, IFD, &l);
}

/* Wrong keys and missing rights: EACCES, nothing moved. */
XC_TEST(wrong_key)
{
	size_t pg = xc_size(self->info, 64 * KiB);
	struct cd_buf rw, ro, wo, l;
	__u64 g, k, gr, kr, gw, kw, bad[4];
	unsigned int i;

	cd_buf_get(_metadata, EFD, EINFO, pg, true, &rw);
	cd_buf_get(_metadata, EFD, EINFO, pg, true, &ro);
	cd_buf_get(_metadata, EFD, EINFO, pg, true, &wo);
	cd_buf_get(_metadata, IFD, IINFO, pg, true, &l);
	pat_fill(rw.map, rw.len, cdma_seed + 4);
	pat_fill(ro.map, ro.len, cdma_seed + 5);
	pat_fill(l.map, l.len, cdma_seed + 6);
	ASSERT_EQ(0, cd_export(EFD, rw.handle, CD_RW, &g, &k));
	ASSERT_EQ(0, cd_export(EFD, ro.handle, CDMA_ACCESS_READ, &gr, &kr));
	ASSERT_EQ(0, cd_export(EFD, wo.handle, CDMA_ACCESS_WRITE, &gw, &kw));
	bad[0] = k ^ 1;
	bad[1] = k ^ (1ULL << 63);
	bad[2] = ~k;
	bad[3] = kr;	/* the key of another segment */

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EACCES, cd_to_global(IFD, l.handle, 0, g, bad[i],
						64))
			TH_LOG("key %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EACCES, cd_from_global(IFD, g, bad[i], l.handle, 0,
						  64))
			TH_LOG("key %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EACCES, xc_async(IFD, CDMA_XFER_TO_GLOBAL, l.handle,
					    0, g, bad[i], 64, 7));
	}
	/* Rights: read-only refuses writes, write-only refuses reads. */
	EXPECT_EQ(-EACCES, cd_to_global(IFD, l.handle, 0, gr, kr, 64));
	EXPECT_EQ(-EACCES, cd_from_global(IFD, gw, kw, l.handle, 0, 64));
	/* A refused submission leaves no completion behind. */
	EXPECT_EQ(-ENOENT, cd_wait(IFD, 7, 0, NULL));

	EXPECT_EQ(-1, pat_check(rw.map, rw.len, cdma_seed + 4));
	EXPECT_EQ(-1, pat_check(ro.map, ro.len, cdma_seed + 5));
	EXPECT_EQ(-1, mem_check_byte(wo.map, wo.len, 0));
	EXPECT_EQ(-1, pat_check(l.map, l.len, cdma_seed + 6));

	/* The right key and rights work. */
	ASSERT_EQ(0, cd_from_global(IFD, gr, kr, l.handle, 0, 64));
	EXPECT_EQ(-1, pat_check(l.map, 64, cdma_seed + 5));
	ASSERT_EQ(0, cd_to_global(IFD, l.handle, 0, gw, kw, 64));
	EXPECT_EQ(-1, pat_check(wo.map, 64, cdma_seed + 5));

	cd_buf_put(_metadata, EFD, &rw);
	cd_buf_put(_metadata, EFD, &ro);
	cd_buf_put(_metadata, EFD, &wo);
	cd_buf_put(_metadata, IFD, &l);
}

/* Out of the segment: ERANGE; revoked or freed: ENXIO. */
XC_TEST(range_and_revoke)
{
	size_t pg = xc_size(self->info, 64 * KiB);
	struct cd_buf e, l;
	__u64 g, k, g2, k2;

	cd_buf_get(_metadata, EFD, EINFO, pg, true, &e);
	cd_buf_get(_metadata, IFD, IINFO, pg, true, &l);
	ASSERT_EQ(0, cd_export(EFD, e.handle, CD_RW, &g, &k));
	EXPECT_EQ(-ERANGE, cd_to_global(IFD, l.handle, 0, g + e.len - 8, k,
					16));
	EXPECT_EQ(-ERANGE, cd_from_global(IFD, g + e.len, k, l.handle, 0, 1));

	ASSERT_EQ(0, cd_revoke(EFD, e.handle));
	EXPECT_EQ(-ENXIO, cd_to_global(IFD, l.handle, 0, g, k, 16));
	EXPECT_EQ(-ENXIO, cd_from_global(IFD, g, k, l.handle, 0, 16));

	/* Exported again: a new key; the old one opens nothing. */
	ASSERT_EQ(0, cd_export(EFD, e.handle, CD_RW, &g2, &k2));
	EXPECT_NE(k, k2);
	pat_fill(l.map, l.len, cdma_seed + 7);
	ASSERT_EQ(0, cd_to_global(IFD, l.handle, 0, g2, k2, l.len));
	EXPECT_EQ(-1, pat_check(e.map, e.len, cdma_seed + 7));
	if (g2 == g)
		EXPECT_EQ(-EACCES, cd_to_global(IFD, l.handle, 0, g, k, 16));

	/* FREE revokes. */
	EXPECT_EQ(0, munmap(e.map, e.len));
	ASSERT_EQ(0, cd_free(EFD, e.handle));
	EXPECT_EQ(-ENXIO, cd_to_global(IFD, l.handle, 0, g2, k2, 16));
	cd_buf_put(_metadata, IFD, &l);
}

/*
 * Both sides export a buffer and, at the same time, write into the other's
 * (many asynchronous transfers each), then read it back.
 */
struct xc_side {
	int fd;
	__u32 dir;		/* TO_GLOBAL, then FROM_GLOBAL */
	__u32 handle;		/* local buffer */
	__u64 peer_g, peer_k;	/* the other side's exported buffer */
	size_t len;
	unsigned int n;
	int err;
};

static void *xc_side_run(void *arg)
{
	struct xc_side *s = arg;
	size_t slice = s->len / s->n;
	struct cdma_completion rec;
	unsigned int i;
	int r;

	for (i = 0; i < s->n && !s->err; i++)
		s->err = xc_async(s->fd, s->dir, s->handle, i * slice,
				  s->peer_g + i * slice, s->peer_k, slice,
				  i + 1);
	for (i = 0; i < s->n && !s->err; i++) {
		r = cd_wait(s->fd, i + 1, UINT64_MAX, &rec);
		if (r || rec.status || rec.bytes != slice)
			s->err = r ? r : -EIO;
	}
	return NULL;
}

static void xc_both(struct __test_metadata *_metadata, struct xc_side *s)
{
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, xc_side_run, &s[i]));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, s[i].err) TH_LOG("side %d, dir %u: %s", i,
					      s[i].dir, strerror(-s[i].err));
	}
}

XC_TEST(bidirectional)
{
	size_t len = xc_size(self->info, 4 * MiB), done;
	struct cd_buf x[2], l[2];
	struct xc_side s[2];
	__u64 g[2], k[2];
	int i;

	for (i = 0; i < 2; i++) {
		cd_buf_get(_metadata, self->fd[i], &self->info[i], len, true,
			   &x[i]);
		cd_buf_get(_metadata, self->fd[i], &self->info[i], len, true,
			   &l[i]);
		ASSERT_EQ(0, cd_export(self->fd[i], x[i].handle, CD_RW, &g[i],
				       &k[i]));
	}
	for (i = 0; i < 2; i++) {
		pat_fill(l[i].map, l[i].len, cdma_seed + 10 + i);
		memset(&s[i], 0, sizeof(s[i]));
		s[i].fd = self->fd[i];
		s[i].dir = CDMA_XFER_TO_GLOBAL;
		s[i].handle = l[i].handle;
		s[i].peer_g = g[!i];
		s[i].peer_k = k[!i];
		s[i].len = len;
		s[i].n = cd_min_u(self->info[i].max_inflight, 16);
	}
	xc_both(_metadata, s);
	for (i = 0; i < 2; i++) {
		done = len / s[i].n * s[i].n;
		/* The peer's export holds what side i sent. */
		EXPECT_EQ(-1, pat_check(x[!i].map, done, cdma_seed + 10 + i));
		memset(l[i].map, 0, l[i].len);
		s[i].dir = CDMA_XFER_FROM_GLOBAL;
	}
	xc_both(_metadata, s);
	for (i = 0; i < 2; i++) {
		done = len / s[i].n * s[i].n;
		EXPECT_EQ(-1, pat_check(l[i].map, done, cdma_seed + 10 + i));
		cd_buf_put(_metadata, self->fd[i], &x[i]);
		cd_buf_put(_metadata, self->fd[i], &l[i]);
	}
}

/* The exporter is another process; it checks what it received. */
struct xc_msg {
	__u64 g, k;
	size_t len;
};

XC_TEST(two_processes)
{
	size_t len = xc_size(self->info, 2 * MiB);
	int to_child[2], to_parent[2];
	const char *epath = xc_path[self->exp];
	struct xc_msg m;
	struct cd_buf l;
	pid_t pid;
	char c;

	pid = cd_fork_piped(_metadata, to_parent, to_child);
	if (pid == 0) {
		struct cdma_alloc a = { .size = len };
		struct cdma_export e = { .access = CD_RW };
		uint8_t *map;
		int fd;

		/* Its own open file: another context of its device. */
		fd = open(epath, O_RDWR | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, CDMA_IOC_ALLOC, &a))
			_exit(1);
		map = cd_map(fd, a.mmap_offset, len);
		if (map == MAP_FAILED)
			_exit(2);
		pat_fill(map, len, cdma_seed + 20);
		e.handle = a.handle;
		if (ioctl(fd, CDMA_IOC_EXPORT, &e))
			_exit(3);
		m.g = e.global_addr;
		m.k = e.key;
		m.len = len;
		if (write(to_parent[1], &m, sizeof(m)) != sizeof(m))
			_exit(4);
		/* The parent read our pattern, then wrote its own. */
		if (read(to_child[0], &c, 1) != 1)
			_exit(5);
		if (pat_check(map, len / 2, cdma_seed + 21) != -1)
			_exit(6);
		if (pat_check_at(map + len / 2, len / 2, cdma_seed + 20,
				 len / 2) != -1)
			_exit(7);
		_exit(0);
	}
	ASSERT_EQ((ssize_t)sizeof(m), read(to_parent[0], &m, sizeof(m)));
	cd_buf_get(_metadata, IFD, IINFO, len, true, &l);
	ASSERT_EQ(0, cd_from_global(IFD, m.g, m.k, l.handle, 0, len));
	EXPECT_EQ(-1, pat_check(l.map, len, cdma_seed + 20));
	pat_fill(l.map, l.len, cdma_seed + 21);
	ASSERT_EQ(0, cd_to_global(IFD, l.handle, 0, m.g, m.k, len / 2));
	EXPECT_EQ(-EACCES, cd_to_global(IFD, l.handle, 0, m.g, m.k ^ 2, 8));
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	cd_child_ok(_metadata, pid, "exporter");
	/* The exporter is gone: so is its export. */
	EXPECT_EQ(-ENXIO, cd_to_global(IFD, l.handle, 0, m.g, m.k, 8));
	cd_buf_put(_metadata, IFD, &l);
}

/*
 * The exporter closes its file while the initiator's transfers into its
 * buffer are queued: those already accepted end normally, later ones are
 * refused with ENXIO.
 */
XC_TEST(exporter_closes)
{
	size_t len = xc_size(self->info, 4 * MiB);
	unsigned int n = cd_min_u(IINFO->max_inflight, 32), i, queued = 0;
	struct cd_buf e, l;
	__u64 g, k;
	int r;

	cd_buf_get(_metadata, EFD, EINFO, len, false, &e);
	cd_buf_get(_metadata, IFD, IINFO, len, true, &l);
	ASSERT_EQ(0, cd_export(EFD, e.handle, CD_RW, &g, &k));
	pat_fill(l.map, l.len, cdma_seed + 30);
	for (i = 0; i < n; i++) {
		r = xc_async(IFD, i & 1 ? CDMA_XFER_FROM_GLOBAL :
			     CDMA_XFER_TO_GLOBAL, l.handle, 0, g, k, len,
			     i + 1);
		ASSERT_EQ(0, r) TH_LOG("transfer %u: %s", i, strerror(-r));
		queued++;
		if (i == n / 2) {
			ASSERT_EQ(0, close(EFD));
			EFD = -1;
			break;
		}
	}
	r = xc_async(IFD, CDMA_XFER_TO_GLOBAL, l.handle, 0, g, k, len, 1000);
	EXPECT_EQ(-ENXIO, r);
	for (i = 0; i < queued; i++) {
		struct cdma_completion rec;

		ASSERT_EQ(0, cd_wait(IFD, i + 1, UINT64_MAX, &rec));
		EXPECT_EQ(0, rec.status) TH_LOG("transfer %u", i);
		EXPECT_EQ((__u64)len, rec.bytes);
	}
	cd_buf_put(_metadata, IFD, &l);
}

/* After the TAP output (TAP wants its version line first). */
static void xc_print_run(void)
{
	printf("# cdma_cross: -a %s -b %s CDMA_SEED=%#llx\n", xc_path[0],
	       xc_path[1], (unsigned long long)cdma_seed);
	fflush(stdout);
}

static void xc_usage(const char *prog)
{
	fprintf(stderr, "Usage: %s -a PATH -b PATH [harness options]\n", prog);
}

int main(int argc, char **argv)
{
	const struct cd_opt opts[] = {
		{ "-a", NULL, &xc_path[0], NULL, true },
		{ "-b", NULL, &xc_path[1], NULL, true },
	};

	cdma_seed = cd_env_seed(cd_now_ns());
	return cd_harness_main(argc, argv, opts, ARRAY_SIZE(opts), xc_usage,
			       xc_print_run);
}
