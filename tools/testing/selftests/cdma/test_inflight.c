// SPDX-License-Identifier: GPL-2.0
/*
 * Many transfers in flight: max_inflight and EBUSY, close() and FREE
 * with transfers in flight.
 * Part of cdma_test (included by cdma_test.c).
 */

/* max_inflight transfers queued at once, all complete exactly once. */
CDMA_TEST_SLOW(many_inflight)
{
	const __u64 seg = 64;
	unsigned int n = self->info.max_inflight, got = 0, i, k;
	struct cdma_completion recs[16];
	struct cd_buf a, b;
	uint8_t *seen;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	if (n > 16384)
		n = 16384;
	seen = calloc(n, 1);
	ASSERT_NE(NULL, seen);
	cd_buf_pair(_metadata, self->fd, &self->info, n * seg, &a, &b);

	for (i = 0; i < n; i++) {
		int r = cd_local_async(self->fd, a.handle, i * seg, b.handle,
				       i * seg, seg, 0x10000 + i);

		ASSERT_EQ(0, r) TH_LOG("transfer %u of %u: %s", i, n,
				       strerror(-r));
	}
	/* Half by read(), in batches ... */
	while (got < n / 2) {
		ssize_t r = cd_read(self->fd, recs, sizeof(recs));

		ASSERT_LT(0, r) TH_LOG("read: %s", strerror((int)-r));
		ASSERT_EQ(0U, (size_t)r % CD_REC);
		for (k = 0; k < (size_t)r / CD_REC; k++) {
			__u64 idx = recs[k].cookie - 0x10000;

			ASSERT_GT((__u64)n, idx);
			EXPECT_EQ(0, seen[idx]);
			seen[idx] = 1;
			EXPECT_REC_OK(recs[k], seg);
			got++;
		}
	}
	/* ... the rest by WAIT, newest first. */
	for (i = n; i-- > 0;) {
		if (seen[i])
			continue;
		cd_wait_ok(_metadata, self->fd, 0x10000 + i, seg);
		seen[i] = 1;
		got++;
	}
	EXPECT_EQ(n, got);
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
	EXPECT_EQ(-1, pat_check(b.map, n * seg, cdma_seed));

	free(seen);
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/*
 * EBUSY beyond max_inflight.  4 MiB transfers take far longer than
 * queueing one, so the queue fills whether or not unread completions
 * count as in flight; closing the file then cancels the backlog.
 */
CDMA_TEST_SLOW(inflight_limit)
{
	const unsigned int max = self->info.max_inflight;
	const unsigned int limit = 4 * max + 1024;
	const __u64 len = cd_max_size(&self->info, 4 * MiB);
	unsigned int n = 0;
	struct cd_buf a, b;
	int fd2, r;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	cd_buf_get(_metadata, fd2, &self->info, len, false, &a);
	cd_buf_get(_metadata, fd2, &self->info, len, false, &b);

	for (;;) {
		r = cd_local_async(fd2, a.handle, 0, b.handle, 0, len, n + 1);
		if (r)
			break;
		if (++n >= limit)
			break;
	}
	EXPECT_EQ(-EBUSY, r) TH_LOG("after %u submissions", n);
	EXPECT_LE(max, n);
	/* The refused transfer was not queued. */
	EXPECT_EQ(-ENOENT, cd_wait(fd2, n + 1, 0, NULL));

	/* Collecting one completion makes room for one more. */
	cd_wait_ok(_metadata, fd2, 1, len);
	EXPECT_EQ(0, cd_local_async(fd2, a.handle, 0, b.handle, 0, 1,
				    UINT64_MAX));

	/* Close with the backlog: cancels, does not hang. */
	{
		uint64_t t0 = cd_now_ns();

		EXPECT_EQ(0, close(fd2));
		TH_LOG("close with %u transfers queued: %llu ms", n,
		       (unsigned long long)((cd_now_ns() - t0) / 1000000));
	}
	/* Other files never were limited by it. */
	EXPECT_EQ(0, cd_alloc(self->fd, 1, NULL, NULL));
}

/*
 * close() with many large transfers in flight: the backlog is cancelled,
 * nothing hangs, the device still works.  A mapping holds a reference to
 * the open file, so in the last round the file is released by munmap().
 */
CDMA_TEST_SLOW(close_inflight)
{
	const __u64 len = cd_max_size(&self->info, 16 * MiB);
	unsigned int n, i, round;
	struct cd_buf a, b, c, d;
	int fd3;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	n = cd_min_u(self->info.max_inflight, 256);

	for (round = 0; round < 3; round++) {
		int fd2 = cd_open();
		uint64_t t0;

		ASSERT_LE(0, fd2);
		cd_buf_get(_metadata, fd2, &self->info, len, false, &a);
		cd_buf_get(_metadata, fd2, &self->info, len, round == 2, &b);
		for (i = 0; i < n; i++) {
			ASSERT_EQ(0, cd_local_async(fd2, a.handle, 0, b.handle,
						    0, len, i + 1));
		}
		if (round == 1)		/* one done and read, more done */
			cd_wait_ok(_metadata, fd2, 1, len);
		t0 = cd_now_ns();
		ASSERT_EQ(0, close(fd2));
		if (b.map)
			ASSERT_EQ(0, munmap(b.map, b.len));
		TH_LOG("round %u: release with %u in flight took %llu ms",
		       round, n,
		       (unsigned long long)((cd_now_ns() - t0) / 1000000));
	}

	/* A new file works normally. */
	fd3 = cd_open();
	ASSERT_LE(0, fd3);
	cd_buf_get(_metadata, fd3, &self->info, 1 * MiB, true, &c);
	cd_buf_get(_metadata, fd3, &self->info, 1 * MiB, true, &d);
	pat_fill(c.map, c.len, cdma_seed);
	ASSERT_EQ(0, cd_local(fd3, c.handle, 0, d.handle, 0, 1 * MiB));
	EXPECT_EQ(-1, pat_check(d.map, 1 * MiB, cdma_seed));
	ASSERT_EQ(0, cd_local_async(fd3, c.handle, 0, d.handle, 0, 1 * MiB, 5));
	cd_wait_ok(_metadata, fd3, 5, 1 * MiB);
	cd_buf_put(_metadata, fd3, &c);
	cd_buf_put(_metadata, fd3, &d);
	close(fd3);
}

/* FREE of buffers in use by a transfer in flight: it completes normally. */
CDMA_TEST_SLOW(free_inflight)
{
	struct cd_buf a, b;
	__u64 len;
	void *p;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	len = cd_data_pair(_metadata, self->fd, &self->info, 16 * MiB, &a, &b);

	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, len,
				    0xf3ee));
	EXPECT_EQ(0, cd_free(self->fd, a.handle));
	EXPECT_EQ(0, cd_free(self->fd, b.handle));
	cd_wait_ok(_metadata, self->fd, 0xf3ee, len);
	EXPECT_EQ(-1, pat_check(b.map, len, cdma_seed));
	EXPECT_EQ(-1, pat_check(a.map, len, cdma_seed));

	p = cd_map(self->fd, b.off, b.len);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(-ENOENT, cd_local(self->fd, a.handle, 0, b.handle, 0, 1));
	munmap(a.map, a.len);
	munmap(b.map, b.len);
}
