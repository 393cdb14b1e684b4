// SPDX-License-Identifier: GPL-2.0
/*
 * Data integrity of transfers: LOCAL, TO_GLOBAL and FROM_GLOBAL,
 * synchronous and asynchronous, 1 byte to 64 MiB (data_ladder: to
 * $CDMA_LADDER_MAX), unaligned and differing offsets, random patterns;
 * bytes outside the range stay untouched.
 * Part of cdma_test (included by cdma_test.c).
 */

/* A source and a destination buffer, exported as the direction needs. */
struct cd_xenv {
	struct cd_buf s, d;
	__u64 gaddr, key;	/* of d (TO_GLOBAL) or s (FROM_GLOBAL) */
	uint64_t sseed, dseed;
};

static void cd_xenv_init(struct __test_metadata *_metadata, int fd,
			 const struct cdma_info *info, __u32 dir,
			 size_t ssize, size_t dsize, uint64_t seed,
			 struct cd_xenv *e)
{
	memset(e, 0, sizeof(*e));
	e->sseed = seed;
	e->dseed = seed ^ 0xd5d5d5d5d5d5d5d5ULL;
	cd_buf_get(_metadata, fd, info, ssize, true, &e->s);
	cd_buf_get(_metadata, fd, info, dsize, true, &e->d);
	pat_fill(e->s.map, e->s.len, e->sseed);
	pat_fill(e->d.map, e->d.len, e->dseed);
	if (dir == CDMA_XFER_TO_GLOBAL) {
		ASSERT_EQ(0, cd_export(fd, e->d.handle, CDMA_ACCESS_WRITE,
				       &e->gaddr, &e->key));
	}
	if (dir == CDMA_XFER_FROM_GLOBAL) {
		ASSERT_EQ(0, cd_export(fd, e->s.handle, CDMA_ACCESS_READ,
				       &e->gaddr, &e->key));
	}
}

/*
 * Move @len bytes from s + soff to d + doff, check d (moved bytes and the
 * untouched rest), then restore d's pattern for the next run.
 */
static void cd_xenv_run(struct __test_metadata *_metadata, int fd,
			struct cd_xenv *e, __u32 dir, bool async,
			__u64 len, __u64 soff, __u64 doff, __u64 cookie)
{
	struct cdma_xfer x;
	ssize_t bad;
	int r;

	memset(&x, 0, sizeof(x));
	x.dir = dir;
	x.length = len;
	switch (dir) {
	case CDMA_XFER_LOCAL:
		x.src_handle = e->s.handle;
		x.src_offset = soff;
		x.dst_handle = e->d.handle;
		x.dst_offset = doff;
		break;
	case CDMA_XFER_TO_GLOBAL:
		x.src_handle = e->s.handle;
		x.src_offset = soff;
		x.global_addr = e->gaddr + doff;
		x.key = e->key;
		break;
	case CDMA_XFER_FROM_GLOBAL:
		x.global_addr = e->gaddr + soff;
		x.key = e->key;
		x.dst_handle = e->d.handle;
		x.dst_offset = doff;
		break;
	}
	if (async) {
		x.flags = CDMA_XFER_F_ASYNC;
		x.cookie = cookie;
	}
	r = cd_submit(fd, &x);
	ASSERT_EQ(0, r) TH_LOG("dir %u len %llu soff %llu doff %llu: %s", dir,
			       (unsigned long long)len,
			       (unsigned long long)soff,
			       (unsigned long long)doff, strerror(-r));
	if (async)
		cd_wait_ok(_metadata, fd, cookie, len);

	bad = pat_check_at(e->d.map + doff, len, e->sseed, soff);
	EXPECT_EQ(-1, bad)
		TH_LOG("dir %u len %llu soff %llu doff %llu seed %#llx: moved data differs at +%zd",
		       dir, (unsigned long long)len, (unsigned long long)soff,
		       (unsigned long long)doff,
		       (unsigned long long)e->sseed, bad);
	bad = pat_check(e->d.map, doff, e->dseed);
	EXPECT_EQ(-1, bad)
		TH_LOG("dir %u len %llu doff %llu: byte %zd before the range changed",
		       dir, (unsigned long long)len,
		       (unsigned long long)doff, bad);
	bad = pat_check_at(e->d.map + doff + len, e->d.len - doff - len,
			   e->dseed, doff + len);
	EXPECT_EQ(-1, bad)
		TH_LOG("dir %u len %llu doff %llu: byte +%zd after the range changed",
		       dir, (unsigned long long)len,
		       (unsigned long long)doff, bad);
	pat_fill_at(e->d.map + doff, len, e->dseed, doff);
}

static void cd_xenv_fini(struct __test_metadata *_metadata, int fd,
			 struct cd_xenv *e)
{
	/* The source is never written. */
	EXPECT_EQ(-1, pat_check(e->s.map, e->s.len, e->sseed));
	cd_buf_put(_metadata, fd, &e->s);	/* also revokes the export */
	cd_buf_put(_metadata, fd, &e->d);
}

FIXTURE(cdma_xfer) {
	int fd;
	struct cdma_info info;
	size_t page;
};

FIXTURE_VARIANT(cdma_xfer) {
	__u32 dir;
	bool async;
	size_t large;	/* size of the "large" test */
};

FIXTURE_VARIANT_ADD(cdma_xfer, local_sync) {
	.dir = CDMA_XFER_LOCAL, .async = false, .large = 64 * MiB,
};

FIXTURE_VARIANT_ADD(cdma_xfer, local_async) {
	.dir = CDMA_XFER_LOCAL, .async = true, .large = 16 * MiB,
};

FIXTURE_VARIANT_ADD(cdma_xfer, to_global_sync) {
	.dir = CDMA_XFER_TO_GLOBAL, .async = false, .large = 16 * MiB,
};

FIXTURE_VARIANT_ADD(cdma_xfer, to_global_async) {
	.dir = CDMA_XFER_TO_GLOBAL, .async = true, .large = 16 * MiB,
};

FIXTURE_VARIANT_ADD(cdma_xfer, from_global_sync) {
	.dir = CDMA_XFER_FROM_GLOBAL, .async = false, .large = 16 * MiB,
};

FIXTURE_VARIANT_ADD(cdma_xfer, from_global_async) {
	.dir = CDMA_XFER_FROM_GLOBAL, .async = true, .large = 64 * MiB,
};

FIXTURE_SETUP(cdma_xfer)
{
	self->fd = -1;
	cd_open_checked(_metadata, &self->fd, &self->info);
	self->page = self->info.page_size;
	if (variant->async)
		ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	if (variant->dir != CDMA_XFER_LOCAL)
		ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
}

FIXTURE_TEARDOWN(cdma_xfer)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Sizes from 1 byte to 4 MiB, unaligned and differing offsets. */
TEST_F_TIMEOUT(cdma_xfer, sizes, cd_timeout(90))
{
	const __u64 pg = self->page;
	const struct { __u64 len, soff, doff; } c[] = {
		{ 1, 0, 0 }, { 1, 5, 3 }, { 2, 1, 0 }, { 3, pg - 1, 1 },
		{ 7, 3, pg - 3 }, { 8, 8, 0 }, { 63, 1, 2 },
		{ pg - 1, 1, 2 }, { pg, 0, 0 }, { pg, 1, pg - 1 },
		{ pg + 1, 7, 1 }, { 3 * pg + 5, 2 * pg - 3, 13 },
		{ 64 * KiB + 3, pg + 3, 17 }, { 1 * MiB + 5, 3, pg + 1 },
		{ 4 * MiB - 1, 1, 2 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct cd_xenv e;

		if (c[i].soff + c[i].len > self->info.max_buffer_size ||
		    c[i].doff + c[i].len > self->info.max_buffer_size)
			continue;
		cd_xenv_init(_metadata, self->fd, &self->info, variant->dir,
			     c[i].soff + c[i].len, c[i].doff + c[i].len,
			     cdma_seed + i, &e);
		cd_xenv_run(_metadata, self->fd, &e, variant->dir,
			    variant->async, c[i].len, c[i].soff, c[i].doff,
			    0xc0de0000ULL + i);
		cd_xenv_fini(_metadata, self->fd, &e);
	}
}

/* Random lengths and offsets, many transfers between one buffer pair. */
TEST_F_TIMEOUT(cdma_xfer, random, cd_timeout(90))
{
	const __u64 S = 256 * KiB;
	uint64_t rs = cdma_seed ^ 0x1234567ULL ^ variant->dir;
	struct cd_xenv e;
	int i;

	cd_xenv_init(_metadata, self->fd, &self->info, variant->dir, S, S,
		     cdma_seed + 99, &e);
	for (i = 0; i < 64; i++) {
		unsigned int bits = (unsigned int)(rnd_next(&rs) % 17);
		__u64 len = 1 + rnd_next(&rs) % (1ULL << bits);
		__u64 soff = rnd_next(&rs) % (S - len + 1);
		__u64 doff = rnd_next(&rs) % (S - len + 1);

		cd_xenv_run(_metadata, self->fd, &e, variant->dir,
			    variant->async, len, soff, doff, (__u64)i << 20);
	}
	cd_xenv_fini(_metadata, self->fd, &e);
}

/* A whole large buffer, then almost all of it at odd offsets. */
TEST_F_TIMEOUT(cdma_xfer, large, cd_timeout(180))
{
	__u64 size = variant->large;
	struct cd_xenv e;

	if (size > self->info.max_buffer_size)
		size = self->info.max_buffer_size & ~(__u64)(self->page - 1);
	cd_xenv_init(_metadata, self->fd, &self->info, variant->dir, size, size,
		     cdma_seed + 4242, &e);
	cd_xenv_run(_metadata, self->fd, &e, variant->dir, variant->async,
		    size, 0, 0, 1);
	cd_xenv_run(_metadata, self->fd, &e, variant->dir, variant->async,
		    size - 8, 3, 5, 2);
	cd_xenv_fini(_metadata, self->fd, &e);
}

/*
 * The largest size of the "ladder" test: $CDMA_LADDER_MAX bytes (a number
 * with an optional K, M or G suffix), else 64 MiB; never above the
 * device's max_buffer_size.  The nested environment asks for 256 MiB.
 */
static __u64 cd_ladder_max(const struct cdma_info *info)
{
	const char *s = getenv("CDMA_LADDER_MAX");
	__u64 max = 64 * MiB;
	char *end;

	if (s && *s) {
		max = strtoull(s, &end, 0);
		if (*end == 'K' || *end == 'k')
			max *= KiB;
		else if (*end == 'M' || *end == 'm')
			max *= MiB;
		else if (*end == 'G' || *end == 'g')
			max *= 1024 * MiB;
	}
	return cd_max_size(info, max);
}

/*
 * One buffer pair per size, 4 KiB to cd_ladder_max() by powers of four
 * (and that maximum): the whole buffer moved by one synchronous LOCAL
 * transfer, every byte checked, both buffers freshly allocated each time
 * (on a guest device with zero-copy: new engine pages swapped into guest
 * RAM for each size).
 */
static void cd_ladder(struct __test_metadata *_metadata, int fd,
		      const struct cdma_info *info)
{
	const __u64 max = cd_ladder_max(info);
	unsigned int n = 0;
	__u64 size;

	ASSERT_GE(max, 4 * KiB);
	for (size = 4 * KiB; ; size = size * 4 > max ? max : size * 4) {
		struct cd_xenv e;

		cd_xenv_init(_metadata, fd, info, CDMA_XFER_LOCAL, size, size,
			     cdma_seed + 777 + n, &e);
		cd_xenv_run(_metadata, fd, &e, CDMA_XFER_LOCAL, false, size,
			    0, 0, 0);
		cd_xenv_fini(_metadata, fd, &e);
		n++;
		if (size == max)
			break;
	}
	TH_LOG("%u sizes, 4 KiB to %llu KiB", n,
	       (unsigned long long)(max / KiB));
}

TEST_F_TIMEOUT(cdma, data_ladder, cd_timeout(600))
{
	/*
	 * A copy: with &self->info, GCC 12 finds the harness wrapper's
	 * "child" might be clobbered by longjmp (-Wclobbered).
	 */
	const struct cdma_info info = self->info;

	cd_ladder(_metadata, self->fd, &info);
}
