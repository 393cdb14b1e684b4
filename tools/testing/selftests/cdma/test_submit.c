// SPDX-License-Identifier: GPL-2.0
/*
 * CDMA_IOC_SUBMIT argument validation: reserved and unused fields, flags,
 * directions, lengths, handles (ENOENT) and ranges (ERANGE).
 * Part of cdma_test (included by cdma_test.c).
 */

static const struct cd_field cd_xfer_reserved[] = {
	CD_FIELD(struct cdma_xfer, reserved[0]),
	CD_FIELD(struct cdma_xfer, reserved[1]),
};

/*
 * Each bad variant of @base (reserved fields, unused fields @unused,
 * unknown flags, unknown dir, zero length) fails with EINVAL.
 */
static void cd_xfer_einval(struct __test_metadata *_metadata, int fd,
			   const struct cdma_xfer *base,
			   const struct cd_field *unused, unsigned int n_unused)
{
	static const __u32 dirs[] = { 3, 4, 0x100, 0x80000000U, UINT32_MAX };
	struct cdma_xfer x;
	unsigned int i, bit;
	int v;

	for (i = 0; i < ARRAY_SIZE(cd_xfer_reserved); i++) {
		for (v = 0; v < CD_FIELD_VALUES; v++) {
			x = *base;
			cd_field_set(&x, &cd_xfer_reserved[i],
				     cd_field_value(&cd_xfer_reserved[i], v));
			EXPECT_EQ(-EINVAL, cd_submit(fd, &x))
				TH_LOG("dir %u field %s value %d", base->dir,
				       cd_xfer_reserved[i].name, v);
		}
	}
	for (i = 0; i < n_unused; i++) {
		for (v = 0; v < CD_FIELD_VALUES; v++) {
			x = *base;
			cd_field_set(&x, &unused[i], cd_field_value(&unused[i], v));
			EXPECT_EQ(-EINVAL, cd_submit(fd, &x))
				TH_LOG("dir %u unused field %s value %d",
				       base->dir, unused[i].name, v);
		}
	}
	for (bit = 1; bit < 32; bit++) {
		x = *base;
		x.flags |= 1U << bit;
		EXPECT_EQ(-EINVAL, cd_submit(fd, &x))
			TH_LOG("dir %u flags bit %u", base->dir, bit);
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		x = *base;
		x.dir = dirs[i];
		EXPECT_EQ(-EINVAL, cd_submit(fd, &x)) TH_LOG("dir %u", dirs[i]);
	}
	x = *base;
	x.length = 0;
	EXPECT_EQ(-EINVAL, cd_submit(fd, &x)) TH_LOG("dir %u length 0", base->dir);
}

/* LOCAL: every reserved/unused field, flag, dir, length 0, same buffer. */
CDMA_TEST(submit_invalid_local)
{
	static const struct cd_field unused_sync[] = {
		CD_FIELD(struct cdma_xfer, global_addr),
		CD_FIELD(struct cdma_xfer, key),
		CD_FIELD(struct cdma_xfer, cookie),	/* ASYNC only */
	};
	static const struct cd_field unused_async[] = {
		CD_FIELD(struct cdma_xfer, global_addr),
		CD_FIELD(struct cdma_xfer, key),
	};
	struct cd_buf a, b;
	struct cdma_xfer x;

	cd_buf_get(_metadata, self->fd, &self->info, 2 * self->page, true, &a);
	cd_buf_get(_metadata, self->fd, &self->info, 2 * self->page, true, &b);
	memset(a.map, 0xaa, a.len);

	memset(&x, 0, sizeof(x));
	x.dir = CDMA_XFER_LOCAL;
	x.src_handle = a.handle;
	x.dst_handle = b.handle;
	x.src_offset = 1;
	x.dst_offset = 2;
	x.length = self->page;
	cd_xfer_einval(_metadata, self->fd, &x, unused_sync,
		       ARRAY_SIZE(unused_sync));

	x.flags = CDMA_XFER_F_ASYNC;
	x.cookie = 0x1234;
	cd_xfer_einval(_metadata, self->fd, &x, unused_async,
		       ARRAY_SIZE(unused_async));

	/*
	 * A LOCAL transfer within one buffer whose ranges overlap.  (Whether
	 * disjoint ranges of one buffer are allowed is not tested: the header
	 * and Documentation/cdma-uapi.rst disagree.)
	 */
	EXPECT_EQ(-EINVAL, cd_local(self->fd, a.handle, 0, a.handle, 0, 1));
	EXPECT_EQ(-EINVAL, cd_local(self->fd, a.handle, 0, a.handle, 1,
				    self->page));
	EXPECT_EQ(-EINVAL, cd_local(self->fd, a.handle, self->page - 1,
				    a.handle, 0, self->page));
	EXPECT_EQ(-EINVAL, cd_local_async(self->fd, b.handle, 1, b.handle, 0,
					  2, 0x1234));

	/* None of it had an effect: no data moved, nothing queued. */
	EXPECT_EQ(-1, mem_check_byte(b.map, b.len, 0));
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
	EXPECT_EQ(-ENOENT, cd_wait(self->fd, 0x1234, 0, NULL));

	/* The base request is valid. */
	x.flags = 0;
	x.cookie = 0;
	ASSERT_EQ(0, cd_submit(self->fd, &x));
	EXPECT_EQ(0, b.map[0]);
	EXPECT_EQ(0, b.map[1]);
	EXPECT_EQ(-1, mem_check_byte(b.map + 2, self->page, 0xaa));
	EXPECT_EQ(-1, mem_check_byte(b.map + 2 + self->page,
				     b.len - 2 - self->page, 0));

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* TO_GLOBAL / FROM_GLOBAL: reserved and unused fields, flags, dir. */
CDMA_TEST(submit_invalid_global)
{
	static const struct cd_field unused_to[] = {
		CD_FIELD(struct cdma_xfer, dst_handle),
		CD_FIELD(struct cdma_xfer, dst_offset),
		CD_FIELD(struct cdma_xfer, cookie),
	};
	static const struct cd_field unused_from[] = {
		CD_FIELD(struct cdma_xfer, src_handle),
		CD_FIELD(struct cdma_xfer, src_offset),
		CD_FIELD(struct cdma_xfer, cookie),
	};
	/*
	 * Each direction: offsets in the local buffer (a) and in the exported
	 * one (b), length, the fields it does not use.
	 */
	static const struct {
		__u32 dir;
		__u64 off, goff, len;
		const struct cd_field *unused;
		unsigned int n_unused;
	} t[] = {
		{ CDMA_XFER_TO_GLOBAL, 1, 2, 100,
		  unused_to, ARRAY_SIZE(unused_to) },
		{ CDMA_XFER_FROM_GLOBAL, 3, 200, 50,
		  unused_from, ARRAY_SIZE(unused_from) },
	};
	/* What the local buffer and the exported one are filled with. */
	const __u8 lc = 0x5a, gc = 0x3c;
	struct cd_buf a, b, *w;
	struct cdma_xfer x;
	__u64 g, key, woff;
	unsigned int i;
	bool to;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &a);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &b);
	memset(a.map, lc, a.len);
	memset(b.map, gc, b.len);
	ASSERT_EQ(0, cd_export(self->fd, b.handle, CD_RW, &g, &key));

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		/* The buffer written (w, at woff): the exported one or a. */
		to = t[i].dir == CDMA_XFER_TO_GLOBAL;
		w = to ? &b : &a;
		woff = to ? t[i].goff : t[i].off;
		cd_global_xfer(&x, t[i].dir, 0, a.handle, t[i].off,
			       g + t[i].goff, key, t[i].len, 0);
		cd_xfer_einval(_metadata, self->fd, &x, t[i].unused,
			       t[i].n_unused);
		EXPECT_EQ(-1, mem_check_byte(w->map, w->len, to ? gc : lc))
			TH_LOG("dir %u", t[i].dir);
		ASSERT_EQ(0, cd_submit(self->fd, &x));
		EXPECT_EQ(-1, mem_check_byte(w->map + woff, t[i].len,
					     to ? lc : gc))
			TH_LOG("dir %u", t[i].dir);
	}

	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* Unknown, freed and another file's handles: ENOENT. */
CDMA_TEST(submit_enoent)
{
	struct cd_buf a, b;
	__u32 dead, foreign, bad[3], mine[2];
	__u64 g, key;
	unsigned int i;
	int fd2;

	cd_buf_get(_metadata, self->fd, &self->info, self->page, false, &a);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &b);
	ASSERT_EQ(0, cd_alloc(self->fd, self->page, &dead, NULL));
	ASSERT_EQ(0, cd_free(self->fd, dead));

	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	mine[0] = a.handle;
	mine[1] = b.handle;
	foreign = cd_foreign_handle(_metadata, fd2, &self->info, mine, 2);
	bad[0] = dead;
	bad[1] = foreign;
	bad[2] = 0xdeadbeef;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (bad[i] == a.handle || bad[i] == b.handle)
			continue;	/* "dead" was reused: not unknown */
		EXPECT_EQ(-ENOENT, cd_local(self->fd, bad[i], 0, b.handle, 0, 1))
			TH_LOG("src %#x", bad[i]);
		EXPECT_EQ(-ENOENT, cd_local(self->fd, a.handle, 0, bad[i], 0, 1))
			TH_LOG("dst %#x", bad[i]);
		EXPECT_EQ(-ENOENT, cd_local_async(self->fd, bad[i], 0,
						  b.handle, 0, 1, 77))
			TH_LOG("async src %#x", bad[i]);
	}

	if (self->info.caps & CDMA_CAP_GLOBAL) {
		ASSERT_EQ(0, cd_export(self->fd, b.handle, CD_RW, &g, &key));
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			if (bad[i] == a.handle || bad[i] == b.handle)
				continue;
			EXPECT_EQ(-ENOENT, cd_to_global(self->fd, bad[i], 0, g,
							key, 1));
			EXPECT_EQ(-ENOENT, cd_from_global(self->fd, g, key,
							  bad[i], 0, 1));
		}
	}
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
	EXPECT_EQ(-1, mem_check_byte(b.map, b.len, 0));
	close(fd2);
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* LOCAL offsets + length outside a buffer, with u64 overflow: ERANGE. */
CDMA_TEST(submit_erange_local)
{
	const __u64 S = 2 * self->page;
	const struct { __u64 soff, doff, len; } bad[] = {
		{ S, 0, 1 }, { 0, S, 1 },
		{ S - 1, 0, 2 }, { 0, S - 1, 2 },
		{ 0, 0, S + 1 },
		{ 1, 0, S }, { 0, 1, S },
		{ UINT64_MAX, 0, 1 }, { 0, UINT64_MAX, 1 },
		{ 1, 0, UINT64_MAX }, { 0, 1, UINT64_MAX },
		{ UINT64_MAX, 0, 2 }, { 0, UINT64_MAX, 2 },	/* sum 1 */
		{ 2, 0, UINT64_MAX - 1 }, { 0, 2, UINT64_MAX - 1 }, /* sum 0 */
		{ S, 0, UINT64_MAX - S + 1 },
		{ 1ULL << 63, 0, 1ULL << 63 },
		{ 0, 0, UINT64_MAX },
	};
	struct cd_buf a, b;
	unsigned int i;

	cd_buf_pair(_metadata, self->fd, &self->info, S, &a, &b);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-ERANGE, cd_local(self->fd, a.handle, bad[i].soff,
					    b.handle, bad[i].doff, bad[i].len))
			TH_LOG("case %u: src_offset %#llx dst_offset %#llx length %#llx",
			       i, (unsigned long long)bad[i].soff,
			       (unsigned long long)bad[i].doff,
			       (unsigned long long)bad[i].len);
		EXPECT_EQ(-ERANGE, cd_local_async(self->fd, a.handle,
						  bad[i].soff, b.handle,
						  bad[i].doff, bad[i].len,
						  100 + i))
			TH_LOG("async case %u", i);
	}
	EXPECT_EQ(-1, mem_check_byte(b.map, b.len, 0));
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));

	/* The limits themselves are inside. */
	EXPECT_EQ(0, cd_local(self->fd, a.handle, S - 1, b.handle, 0, 1));
	EXPECT_EQ(pat_byte(cdma_seed, S - 1), b.map[0]);
	EXPECT_EQ(0, cd_local(self->fd, a.handle, 0, b.handle, S - 1, 1));
	EXPECT_EQ(pat_byte(cdma_seed, 0), b.map[S - 1]);
	EXPECT_EQ(0, cd_local(self->fd, a.handle, 0, b.handle, 0, S));
	EXPECT_EQ(-1, pat_check(b.map, S, cdma_seed));

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}
