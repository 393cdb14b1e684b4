// SPDX-License-Identifier: GPL-2.0
/*
 * CDMA_IOC_ALLOC, CDMA_IOC_FREE, mmap() and the per-file buffer limit.
 * Part of cdma_test (included by cdma_test.c).
 */

/* Buffers of various sizes: distinct handles and offsets, zeroed, usable. */
CDMA_TEST(alloc_basic)
{
	const size_t pg = self->page;
	const size_t sizes[] = { 1, pg - 1, pg, pg + 1, 3 * pg + 5, 64 * KiB };
	struct cd_buf b[ARRAY_SIZE(sizes)];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		cd_buf_get(_metadata, self->fd, &self->info, sizes[i], true,
			   &b[i]);
		EXPECT_EQ(0ULL, b[i].off % pg);
		EXPECT_EQ(0ULL, b[i].off % (__u64)getpagesize());
		for (j = 0; j < i; j++) {
			EXPECT_NE(b[j].handle, b[i].handle);
			EXPECT_NE(b[j].off, b[i].off);
		}
		/* The whole rounded-up size is mapped and zero-filled. */
		EXPECT_EQ(-1, mem_check_byte(b[i].map, b[i].len, 0));
		pat_fill(b[i].map, b[i].len, cdma_seed + i);
	}
	/* Buffers do not overlap. */
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		EXPECT_EQ(-1, pat_check(b[i].map, b[i].len, cdma_seed + i));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		__u32 h = b[i].handle;

		cd_buf_put(_metadata, self->fd, &b[i]);
		EXPECT_EQ(-ENOENT, cd_free(self->fd, h));
	}
}

/* Memory handed out again is zero-filled (no data leaks between users). */
CDMA_TEST(alloc_zeroed_after_reuse)
{
	struct cd_buf b;
	int round;

	for (round = 0; round < 4; round++) {
		cd_buf_get(_metadata, self->fd, &self->info, 1 * MiB, true, &b);
		ASSERT_EQ(-1, mem_check_byte(b.map, b.len, 0))
			TH_LOG("round %d", round);
		memset(b.map, 0xa5 + round, b.len);
		cd_buf_put(_metadata, self->fd, &b);
	}
}

/* Size 0, too big, unknown flags, reserved fields: nothing allocated. */
CDMA_TEST(alloc_invalid)
{
	static const struct cd_field fields[] = {
		CD_FIELD(struct cdma_alloc, flags),
		CD_FIELD(struct cdma_alloc, reserved[0]),
		CD_FIELD(struct cdma_alloc, reserved[1]),
	};
	const __u64 max = self->info.max_buffer_size;
	const __u64 big[] = {
		max + 1, max + self->page, 2 * max, 1ULL << 63,
		UINT64_MAX - self->page + 2,	/* rounding up overflows */
		UINT64_MAX,
	};
	struct cdma_alloc a;
	unsigned int i;

	memset(&a, 0, sizeof(a));
	EXPECT_EQ(-EINVAL, cd_ioctl(self->fd, CDMA_IOC_ALLOC, &a));

	for (i = 0; i < ARRAY_SIZE(big); i++) {
		EXPECT_EQ(-EFBIG, cd_alloc(self->fd, big[i], NULL, NULL))
			TH_LOG("size %#llx", (unsigned long long)big[i]);
	}

	/* fields[0]: flags. */
	a.size = self->page;
	cd_einval(_metadata, self->fd, CDMA_IOC_ALLOC, &a, sizeof(a),
		  &fields[0], fields, ARRAY_SIZE(fields));
	/* The same request with the fields zero succeeds. */
	ASSERT_EQ(0, cd_ioctl(self->fd, CDMA_IOC_ALLOC, &a));
	EXPECT_EQ(0, cd_free(self->fd, a.handle));
}

/* The largest buffer (capped at 64 MiB to fit the test VM) works. */
CDMA_TEST_SLOW(alloc_large)
{
	const size_t size = cd_max_size(&self->info, 64 * MiB);
	struct cd_buf b;

	cd_buf_get(_metadata, self->fd, &self->info, size, true, &b);
	EXPECT_EQ(-1, mem_check_byte(b.map, b.len, 0));
	b.map[0] = 1;
	b.map[b.len - 1] = 2;
	EXPECT_EQ(1, b.map[0]);
	EXPECT_EQ(2, b.map[b.len - 1]);
	cd_buf_put(_metadata, self->fd, &b);
}

/* FREE: unknown, freed and foreign handles; flags and reserved fields. */
CDMA_TEST(free_invalid)
{
	static const struct cd_field fields[] = {
		CD_FIELD(struct cdma_free, flags),
		CD_FIELD(struct cdma_free, reserved[0]),
		CD_FIELD(struct cdma_free, reserved[1]),
	};
	struct cdma_free f;
	__u32 h, dead, foreign;
	int fd2;

	ASSERT_EQ(0, cd_alloc(self->fd, self->page, &h, NULL));
	ASSERT_EQ(0, cd_alloc(self->fd, self->page, &dead, NULL));
	ASSERT_EQ(0, cd_free(self->fd, dead));

	EXPECT_EQ(-ENOENT, cd_free(self->fd, dead));
	EXPECT_EQ(-ENOENT, cd_free(self->fd, 0xdeadbeef));
	EXPECT_EQ(-ENOENT, cd_free(self->fd, UINT32_MAX));

	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	foreign = cd_foreign_handle(_metadata, fd2, &self->info, &h, 1);
	EXPECT_EQ(-ENOENT, cd_free(self->fd, foreign));
	EXPECT_EQ(0, cd_free(fd2, foreign));	/* still the owner's */

	/* fields[0]: flags. */
	memset(&f, 0, sizeof(f));
	f.handle = h;
	cd_einval(_metadata, self->fd, CDMA_IOC_FREE, &f, sizeof(f), &fields[0],
		  fields, ARRAY_SIZE(fields));
	/* None of the bad requests freed it. */
	EXPECT_EQ(0, cd_free(self->fd, h));
	close(fd2);
}

/* mmap: MAP_PRIVATE, wrong offsets, too long, another file: EINVAL. */
CDMA_TEST(mmap_errors)
{
	const size_t pg = self->page;
	struct cd_buf b, one;
	void *p;
	int fd2;

	cd_buf_get(_metadata, self->fd, &self->info, 2 * pg, false, &b);

	p = mmap(NULL, b.len, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 (off_t)b.off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, b.len, PROT_READ, MAP_PRIVATE, self->fd, (off_t)b.off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/*
	 * Inside the buffer but not its start (b is the file's only buffer
	 * yet, so this is no other buffer's offset either).
	 */
	p = cd_map(self->fd, b.off + pg, pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* An offset never handed out. */
	p = cd_map(self->fd, 1ULL << 40, pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	cd_buf_get(_metadata, self->fd, &self->info, 1, false, &one);

	/* Longer than the buffer. */
	p = cd_map(self->fd, b.off, b.len + pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = cd_map(self->fd, one.off, 2 * pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/* Shorter and exact lengths are fine; 1 byte rounds up to a page. */
	p = cd_map(self->fd, b.off, pg);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, pg);
	p = cd_map(self->fd, one.off, pg);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, pg);
	p = cd_map(self->fd, b.off, b.len);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, b.len);

	/* Another open file (holding no buffers) cannot map ours. */
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	p = cd_map(fd2, b.off, pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	close(fd2);

	cd_buf_put(_metadata, self->fd, &b);
	cd_buf_put(_metadata, self->fd, &one);
}

/* After FREE the offset is dead, but a mapping keeps the memory. */
CDMA_TEST(mmap_after_free)
{
	struct cd_buf b;
	void *p;

	cd_buf_get(_metadata, self->fd, &self->info, 4 * self->page, true, &b);
	pat_fill(b.map, b.len, cdma_seed);
	ASSERT_EQ(0, cd_free(self->fd, b.handle));

	p = cd_map(self->fd, b.off, b.len);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	if (p != MAP_FAILED)
		munmap(p, b.len);

	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed));
	pat_fill(b.map, b.len, cdma_seed + 1);
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed + 1));
	EXPECT_EQ(0, munmap(b.map, b.len));
}

/* A mapping outlives close() of its file. */
CDMA_TEST(mmap_after_close)
{
	struct cd_buf b;
	int fd2;

	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	cd_buf_get(_metadata, fd2, &self->info, 8 * self->page, true, &b);
	pat_fill(b.map, b.len, cdma_seed);
	ASSERT_EQ(0, close(fd2));

	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed));
	pat_fill(b.map, b.len, cdma_seed + 7);
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed + 7));
	EXPECT_EQ(0, munmap(b.map, b.len));
}

/* Allocate page-sized buffers until ENOSPC on a fresh file. */
static unsigned int cd_fill_buffers(struct __test_metadata *_metadata, int fd,
				    const struct cdma_info *info, __u32 *last)
{
	unsigned int n = 0;
	int r;

	for (;;) {
		r = cd_alloc(fd, info->page_size, last, NULL);
		if (r)
			break;
		n++;
		if (n > info->max_buffers)
			break;
	}
	EXPECT_EQ(-ENOSPC, r) TH_LOG("after %u buffers", n);
	return n;
}

/* max_buffers per file: ENOSPC beyond, a FREE makes room, files apart. */
CDMA_TEST_SLOW(alloc_limit)
{
	unsigned int n;
	__u32 last, h;
	int fd2;

	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	n = cd_fill_buffers(_metadata, fd2, &self->info, &last);
	ASSERT_EQ(self->info.max_buffers, n);
	EXPECT_EQ(-ENOSPC, cd_alloc(fd2, 1, NULL, NULL));

	/* Another file is not affected. */
	ASSERT_EQ(0, cd_alloc(self->fd, 1, &h, NULL));
	EXPECT_EQ(0, cd_free(self->fd, h));

	ASSERT_EQ(0, cd_free(fd2, last));
	EXPECT_EQ(0, cd_alloc(fd2, 1, NULL, NULL));
	EXPECT_EQ(-ENOSPC, cd_alloc(fd2, 1, NULL, NULL));
	close(fd2);

	/* Closing released them all. */
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, cd_alloc(fd2, 1, NULL, NULL));
	close(fd2);
}

/*
 * ALLOC whose result cannot be written back fails with EFAULT and has no
 * effect: it must not use up one of the file's max_buffers.
 */
CDMA_TEST_SLOW(alloc_efault_no_leak)
{
	size_t pg = (size_t)getpagesize();
	struct cdma_alloc *a;
	unsigned int n;
	__u32 last;
	int fd2, k;

	a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	memset(a, 0, sizeof(*a));
	a->size = self->page;
	ASSERT_EQ(0, mprotect(a, pg, PROT_READ));

	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	for (k = 0; k < 3; k++)
		EXPECT_EQ(-EFAULT, cd_ioctl(fd2, CDMA_IOC_ALLOC, a));
	n = cd_fill_buffers(_metadata, fd2, &self->info, &last);
	EXPECT_EQ(self->info.max_buffers, n);
	close(fd2);
	munmap(a, pg);
}
