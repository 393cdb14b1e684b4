// SPDX-License-Identifier: GPL-2.0
/*
 * Unimem exports: CDMA_IOC_EXPORT and CDMA_IOC_REVOKE, address layout,
 * bad arguments; FREE and close() revoke.
 * Part of cdma_test (included by cdma_test.c).
 */

/* Export: address layout, distinct segments and keys, usable by anyone. */
CDMA_TEST(export_basic)
{
	struct cd_buf a, b, l, m;
	__u64 ga, ka, gb, kb;
	int fd2;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, 3 * self->page, true, &a);
	cd_buf_get(_metadata, self->fd, &self->info, 100, true, &b);
	cd_buf_get(_metadata, self->fd, &self->info, 3 * self->page, true, &l);
	pat_fill(a.map, a.len, cdma_seed);

	ASSERT_EQ(0, cd_export(self->fd, a.handle, CD_RW, &ga, &ka));
	ASSERT_EQ(0, cd_export(self->fd, b.handle, CDMA_ACCESS_READ, &gb, &kb));
	EXPECT_EQ(self->info.node_id, cd_gaddr_node(ga));
	EXPECT_EQ(self->info.node_id, cd_gaddr_node(gb));
	EXPECT_EQ(0ULL, ga & CDMA_GADDR_OFFSET_MASK);
	EXPECT_EQ(0ULL, gb & CDMA_GADDR_OFFSET_MASK);
	EXPECT_NE(cd_gaddr_segment(ga), cd_gaddr_segment(gb));
	EXPECT_NE(ka, kb);

	/* The same file reads and writes it ... */
	ASSERT_EQ(0, cd_from_global(self->fd, ga + 5, ka, l.handle, 7,
				    3 * self->page - 7));
	EXPECT_EQ(-1, pat_check_at(l.map + 7, 3 * self->page - 7, cdma_seed, 5));
	EXPECT_EQ(-1, mem_check_byte(l.map, 7, 0));
	pat_fill(l.map, l.len, cdma_seed + 1);
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, 0, ga, ka, 3 * self->page));
	EXPECT_EQ(-1, pat_check(a.map, a.len, cdma_seed + 1));

	/* ... and so does another file, with its own buffer. */
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	cd_buf_get(_metadata, fd2, &self->info, self->page, true, &m);
	ASSERT_EQ(0, cd_from_global(fd2, ga + 1, ka, m.handle, 0, 64));
	EXPECT_EQ(-1, pat_check_at(m.map, 64, cdma_seed + 1, 1));
	pat_fill(m.map, m.len, cdma_seed + 2);
	ASSERT_EQ(0, cd_to_global(fd2, m.handle, 10, ga + 20, ka, 30));
	EXPECT_EQ(-1, pat_check_at(a.map + 20, 30, cdma_seed + 2, 10));
	EXPECT_EQ(-1, pat_check(a.map, 20, cdma_seed + 1));
	/* b was exported read-only, 100 bytes in a page-size buffer */
	ASSERT_EQ(0, cd_from_global(fd2, gb, kb, m.handle, 0, 100));
	EXPECT_EQ(-1, mem_check_byte(m.map, 100, 0));
	cd_buf_put(_metadata, fd2, &m);
	close(fd2);

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
	cd_buf_put(_metadata, self->fd, &l);
}

/* EXPORT: access bits, reserved fields, handles, double export. */
CDMA_TEST(export_invalid)
{
	static const struct cd_field fields[] = {
		CD_FIELD(struct cdma_export, reserved[0]),
		CD_FIELD(struct cdma_export, reserved[1]),
	};
	struct cdma_export e;
	__u32 h, dead, foreign;
	unsigned int bit;
	int fd2;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	ASSERT_EQ(0, cd_alloc(self->fd, self->page, &h, NULL));
	ASSERT_EQ(0, cd_alloc(self->fd, self->page, &dead, NULL));
	ASSERT_EQ(0, cd_free(self->fd, dead));

	EXPECT_EQ(-EINVAL, cd_export(self->fd, h, 0, NULL, NULL));
	for (bit = 2; bit < 32; bit++) {
		EXPECT_EQ(-EINVAL, cd_export(self->fd, h, 1U << bit, NULL, NULL))
			TH_LOG("access bit %u", bit);
		EXPECT_EQ(-EINVAL, cd_export(self->fd, h,
					     CD_RW | (1U << bit), NULL, NULL))
			TH_LOG("access rw + bit %u", bit);
	}
	memset(&e, 0, sizeof(e));
	e.handle = h;
	e.access = CD_RW;
	cd_einval(_metadata, self->fd, CDMA_IOC_EXPORT, &e, sizeof(e), NULL,
		  fields, ARRAY_SIZE(fields));

	EXPECT_EQ(-ENOENT, cd_export(self->fd, dead, CD_RW, NULL, NULL));
	EXPECT_EQ(-ENOENT, cd_export(self->fd, 0xdeadbeef, CD_RW, NULL, NULL));
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	foreign = cd_foreign_handle(_metadata, fd2, &self->info, &h, 1);
	EXPECT_EQ(-ENOENT, cd_export(self->fd, foreign, CD_RW, NULL, NULL));
	EXPECT_EQ(-ENOENT, cd_revoke(self->fd, foreign));
	close(fd2);

	/* None of that exported it; now export, then again: EEXIST. */
	EXPECT_EQ(-ENOENT, cd_revoke(self->fd, h));
	ASSERT_EQ(0, cd_export(self->fd, h, CDMA_ACCESS_READ, NULL, NULL));
	EXPECT_EQ(-EEXIST, cd_export(self->fd, h, CDMA_ACCESS_READ, NULL, NULL));
	EXPECT_EQ(-EEXIST, cd_export(self->fd, h, CD_RW, NULL, NULL));
	EXPECT_EQ(0, cd_revoke(self->fd, h));
	EXPECT_EQ(0, cd_free(self->fd, h));
}

/* An EXPORT whose result cannot be written back has no effect. */
CDMA_TEST(export_efault_no_effect)
{
	size_t pg = (size_t)getpagesize();
	struct cdma_export *e;
	__u32 h;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	ASSERT_EQ(0, cd_alloc(self->fd, self->page, &h, NULL));
	e = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, e);
	memset(e, 0, sizeof(*e));
	e->handle = h;
	e->access = CD_RW;
	ASSERT_EQ(0, mprotect(e, pg, PROT_READ));
	EXPECT_EQ(-EFAULT, cd_ioctl(self->fd, CDMA_IOC_EXPORT, e));
	/* Not exported: REVOKE says so, EXPORT works. */
	EXPECT_EQ(-ENOENT, cd_revoke(self->fd, h));
	EXPECT_EQ(0, cd_export(self->fd, h, CD_RW, NULL, NULL));
	munmap(e, pg);
	EXPECT_EQ(0, cd_free(self->fd, h));
}

/* REVOKE: ENXIO afterwards, ENOENT twice, bad fields; FREE revokes. */
CDMA_TEST(revoke)
{
	static const struct cd_field fields[] = {
		CD_FIELD(struct cdma_revoke, reserved[0]),
		CD_FIELD(struct cdma_revoke, reserved[1]),
	};
	static const struct cd_field flags =
		CD_FIELD(struct cdma_revoke, flags);
	struct cdma_revoke rv;
	struct cd_buf x, l;
	__u64 g, k, g2, k2;
	int r;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &x);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &l);
	ASSERT_EQ(0, cd_export(self->fd, x.handle, CD_RW, &g, &k));

	memset(&rv, 0, sizeof(rv));
	rv.handle = x.handle;
	cd_einval(_metadata, self->fd, CDMA_IOC_REVOKE, &rv, sizeof(rv), &flags,
		  fields, ARRAY_SIZE(fields));
	EXPECT_EQ(-ENOENT, cd_revoke(self->fd, 0xdeadbeef));
	EXPECT_EQ(-ENOENT, cd_revoke(self->fd, l.handle));	/* not exported */

	/* Still exported after the bad requests. */
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, 0, g, k, 8));

	ASSERT_EQ(0, cd_revoke(self->fd, x.handle));
	EXPECT_EQ(-ENXIO, cd_to_global(self->fd, l.handle, 0, g, k, 8));
	EXPECT_EQ(-ENXIO, cd_from_global(self->fd, g, k, l.handle, 0, 8));
	EXPECT_EQ(-ENOENT, cd_revoke(self->fd, x.handle));

	/* Export again: a new key; the old one does not open it. */
	ASSERT_EQ(0, cd_export(self->fd, x.handle, CD_RW, &g2, &k2));
	EXPECT_NE(k, k2);
	EXPECT_EQ(-EACCES, cd_to_global(self->fd, l.handle, 0, g2, k, 8));
	r = cd_to_global(self->fd, l.handle, 0, g, k, 8);
	EXPECT_TRUE(r == -ENXIO || r == -EACCES) TH_LOG("old address: %d", r);
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, 0, g2, k2, 8));

	/* FREE revokes. */
	ASSERT_EQ(0, cd_free(self->fd, x.handle));
	EXPECT_EQ(-ENXIO, cd_to_global(self->fd, l.handle, 0, g2, k2, 8));
	EXPECT_EQ(-ENXIO, cd_from_global(self->fd, g2, k2, l.handle, 0, 8));
	EXPECT_EQ(-ENOENT, cd_revoke(self->fd, x.handle));
	munmap(x.map, x.len);
	cd_buf_put(_metadata, self->fd, &l);
}

/*
 * close() revokes the file's exports.  (No mapping of the file: a mapping
 * holds a reference to the open file, which then outlives close().)
 */
CDMA_TEST(close_revokes)
{
	struct cd_buf x, l;
	__u64 g, k;
	int fd2;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	cd_buf_get(_metadata, fd2, &self->info, self->page, false, &x);
	ASSERT_EQ(0, cd_export(fd2, x.handle, CD_RW, &g, &k));
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &l);
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, 0, g, k, 8));
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(-ENXIO, cd_to_global(self->fd, l.handle, 0, g, k, 8));
	EXPECT_EQ(-ENXIO, cd_from_global(self->fd, g, k, l.handle, 0, 8));
	cd_buf_put(_metadata, self->fd, &l);
}
