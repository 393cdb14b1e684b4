// SPDX-License-Identifier: GPL-2.0
/*
 * Buffer mappings under the memory-management calls a user-space RDMA
 * library or an allocator may apply to them (hostile tenants, finding 10):
 * each call either behaves as on ordinary shared memory (the buffer's
 * bytes are still there, and the engine's writes still show) or fails
 * with an errno; nothing ends in SIGBUS.
 * Part of cdma_test (included by cdma_test.c).
 */

#define MM_SIZE		(256 * KiB)

/* A mapped buffer of MM_SIZE holding the pattern of @seed. */
static void mm_buf(struct __test_metadata *_metadata, int fd,
		   const struct cdma_info *info, struct cd_buf *b, uint64_t seed)
{
	cd_buf_get(_metadata, fd, info, MM_SIZE, true, b);
	pat_fill(b->map, b->len, seed);
}

/*
 * The engine writes a new pattern into @b (through a second buffer):
 * @map, which maps @b from its start, must show it.
 */
static void mm_engine_writes(struct __test_metadata *_metadata, int fd,
			     const struct cdma_info *info, struct cd_buf *b,
			     uint8_t *map, size_t len)
{
	struct cd_buf src;

	cd_buf_get(_metadata, fd, info, len, true, &src);
	pat_fill(src.map, len, cdma_seed + 77);
	ASSERT_EQ(0, cd_local(fd, src.handle, 0, b->handle, 0, len));
	EXPECT_EQ(-1, pat_check(map, len, cdma_seed + 77));
	cd_buf_put(_metadata, fd, &src);
}

/* MADV_DONTNEED drops the page table entries: the bytes come back. */
CDMA_TEST(mm_madvise_dontneed)
{
	struct cd_buf b;

	mm_buf(_metadata, self->fd, &self->info, &b, cdma_seed);
	ASSERT_EQ(0, madvise(b.map, b.len, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed));
	mm_engine_writes(_metadata, self->fd, &self->info, &b, b.map, b.len);
	cd_buf_put(_metadata, self->fd, &b);
}

/* Advice that only hints, or does not apply to device memory. */
CDMA_TEST(mm_madvise_other)
{
	static const struct {
		int advice;
		const char *name;
	} adv[] = {
		{ MADV_NORMAL, "NORMAL" }, { MADV_RANDOM, "RANDOM" },
		{ MADV_SEQUENTIAL, "SEQUENTIAL" }, { MADV_WILLNEED, "WILLNEED" },
		{ MADV_COLD, "COLD" }, { MADV_PAGEOUT, "PAGEOUT" },
		{ MADV_FREE, "FREE" }, { MADV_REMOVE, "REMOVE" },
		{ MADV_DONTFORK, "DONTFORK" }, { MADV_DOFORK, "DOFORK" },
		{ MADV_DONTDUMP, "DONTDUMP" }, { MADV_DODUMP, "DODUMP" },
		{ MADV_HUGEPAGE, "HUGEPAGE" }, { MADV_NOHUGEPAGE, "NOHUGEPAGE" },
		{ MADV_MERGEABLE, "MERGEABLE" },
		{ MADV_UNMERGEABLE, "UNMERGEABLE" },
		{ MADV_POPULATE_READ, "POPULATE_READ" },
		{ MADV_POPULATE_WRITE, "POPULATE_WRITE" },
	};
	struct cd_buf b;
	unsigned int i;
	int r;

	mm_buf(_metadata, self->fd, &self->info, &b, cdma_seed);
	for (i = 0; i < ARRAY_SIZE(adv); i++) {
		r = madvise(b.map, b.len, adv[i].advice);
		TH_LOG("MADV_%s: %s", adv[i].name, r ? strerror(errno) : "0");
		EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed))
			TH_LOG("after MADV_%s", adv[i].name);
	}
	mm_engine_writes(_metadata, self->fd, &self->info, &b, b.map, b.len);
	cd_buf_put(_metadata, self->fd, &b);
}

/*
 * fork(): a child sees the buffer's bytes and its writes reach the parent;
 * with MADV_DONTFORK the child has no mapping there.
 */
CDMA_TEST(mm_fork)
{
	unsigned char vec[MM_SIZE / 4096];
	int status, dontfork;
	struct cd_buf b;
	pid_t pid;

	for (dontfork = 0; dontfork < 2; dontfork++) {
		mm_buf(_metadata, self->fd, &self->info, &b, cdma_seed);
		if (dontfork)
			ASSERT_EQ(0, madvise(b.map, b.len, MADV_DONTFORK));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid && dontfork)
			_exit(mincore(b.map, b.len, vec) && errno == ENOMEM ?
			      0 : 3);
		if (!pid) {
			if (pat_check(b.map, b.len, cdma_seed) != -1)
				_exit(1);
			pat_fill(b.map, b.len, cdma_seed + 1);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status))
			TH_LOG("child (dontfork %d) killed by signal %d",
			       dontfork, WTERMSIG(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
		EXPECT_EQ(-1, pat_check(b.map, b.len,
					dontfork ? cdma_seed : cdma_seed + 1));
		cd_buf_put(_metadata, self->fd, &b);
	}
}

/* mremap() moves the mapping; growing it is refused. */
CDMA_TEST(mm_mremap)
{
	struct cd_buf b;
	uint8_t *p, *q;

	mm_buf(_metadata, self->fd, &self->info, &b, cdma_seed);
	/* A free place to move to. */
	q = mmap(NULL, b.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	p = mremap(b.map, b.len, b.len, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	ASSERT_EQ(q, p) TH_LOG("mremap: %s", strerror(errno));
	b.map = p;
	EXPECT_EQ(-1, pat_check(p, b.len, cdma_seed));
	EXPECT_EQ(MAP_FAILED, mremap(p, b.len, 2 * b.len, 0));
	mm_engine_writes(_metadata, self->fd, &self->info, &b, p, b.len);
	cd_buf_put(_metadata, self->fd, &b);
}

/* mprotect() read-only, then back; mlock() and munlock(). */
CDMA_TEST(mm_mprotect_mlock)
{
	struct cd_buf b;

	mm_buf(_metadata, self->fd, &self->info, &b, cdma_seed);
	ASSERT_EQ(0, mprotect(b.map, b.len, PROT_READ));
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed));
	ASSERT_EQ(0, mprotect(b.map, b.len, PROT_READ | PROT_WRITE));
	pat_fill(b.map, b.len, cdma_seed + 2);
	EXPECT_EQ(0, mlock(b.map, b.len)) TH_LOG("mlock: %s", strerror(errno));
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed + 2));
	EXPECT_EQ(0, munlock(b.map, b.len));
	mm_engine_writes(_metadata, self->fd, &self->info, &b, b.map, b.len);
	cd_buf_put(_metadata, self->fd, &b);
}

/* Unmapping the first half leaves the second half working. */
CDMA_TEST(mm_partial_munmap)
{
	struct cd_buf b;
	size_t half;

	mm_buf(_metadata, self->fd, &self->info, &b, cdma_seed);
	half = b.len / 2;
	ASSERT_EQ(0, munmap(b.map, half));
	EXPECT_EQ(-1, pat_check_at(b.map + half, half, cdma_seed, half));
	ASSERT_EQ(0, madvise(b.map + half, half, MADV_DONTNEED));
	EXPECT_EQ(-1, pat_check_at(b.map + half, half, cdma_seed, half));
	EXPECT_EQ(0, munmap(b.map + half, half));
	b.map = NULL;
	cd_buf_put(_metadata, self->fd, &b);
}
