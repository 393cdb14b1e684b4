// SPDX-License-Identifier: GPL-2.0
/*
 * CDMA_IOC_WAIT: success, ENOENT, ETIMEDOUT; cookie uniqueness (EEXIST).
 * Part of cdma_test (included by cdma_test.c).
 */

/* WAIT: success, timeout 0 on a completed transfer, unknown cookies. */
CDMA_TEST(wait_basic)
{
	struct cdma_completion c;
	struct cd_buf a, b;
	int fd2;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);

	EXPECT_EQ(-ENOENT, cd_wait(self->fd, 1, 0, NULL));
	EXPECT_EQ(-ENOENT, cd_wait(self->fd, 1, 1000000, NULL));
	EXPECT_EQ(-ENOENT, cd_wait(self->fd, UINT64_MAX, UINT64_MAX, NULL));

	/* Wait forever for one in flight. */
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 1, b.handle, 2, 1000,
				    UINT64_MAX));
	cd_wait_ok(_metadata, self->fd, UINT64_MAX, 1000);
	EXPECT_EQ(-1, pat_check_at(b.map + 2, 1000, cdma_seed, 1));
	/* Consumed. */
	EXPECT_EQ(-ENOENT, cd_wait(self->fd, UINT64_MAX, 0, NULL));
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));

	/* A finite timeout long enough. */
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 4096,
				    42));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, cd_wait(self->fd, 42, 20ULL * 1000000000ULL, &c));
	EXPECT_EQ(42ULL, c.cookie);
	EXPECT_REC_OK(c, 4096);

	/* Timeout 0 on a transfer known to be complete (record queued). */
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 512,
				    43));
	ASSERT_NE(0, cd_poll(self->fd, POLLIN, 20000) & POLLIN);
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, cd_wait(self->fd, 43, 0, &c));
	EXPECT_EQ(43ULL, c.cookie);
	EXPECT_REC_OK(c, 512);
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));

	/* Cookies belong to the file: another file does not know them. */
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 1, 44));
	EXPECT_EQ(-ENOENT, cd_wait(fd2, 44, 0, NULL));
	close(fd2);
	cd_wait_ok(_metadata, self->fd, 44, 1);
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/*
 * ETIMEDOUT: wait with timeout 0 (and 1 ms) for the last of a queue of
 * large transfers, which cannot all have finished a few microseconds after
 * being queued.  Up to 4 attempts, with transfers of 16, 64, 256 and 256
 * MiB (within max_buffer_size), to stay robust on a loaded machine and in
 * a nested guest, where a system call can take longer than the host
 * engine needs for 16 MiB.
 */
CDMA_TEST_SLOW(wait_timeout)
{
	unsigned int n, i, attempt, timedout = 0;
	__u64 len = 16 * MiB;
	struct cd_buf a, b;
	int r;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	n = self->info.channels + 2;
	if (n > 34)
		n = 34;
	if (n > self->info.max_inflight)
		n = self->info.max_inflight;

	for (attempt = 0; attempt < 4 && !timedout; attempt++, len *= 4) {
		bool last_done = false;

		if (len > 256 * MiB)
			len = 256 * MiB;
		if (len > self->info.max_buffer_size)
			len = self->info.max_buffer_size &
			      ~(__u64)(self->page - 1);
		cd_buf_get(_metadata, self->fd, &self->info, len, false, &a);
		cd_buf_get(_metadata, self->fd, &self->info, len, false, &b);
		for (i = 1; i <= n; i++) {
			ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0,
						    b.handle, 0, len, i));
		}
		r = cd_wait(self->fd, n, 0, NULL);
		EXPECT_TRUE(r == -ETIMEDOUT || r == 0) TH_LOG("WAIT 0: %d", r);
		if (r == -ETIMEDOUT)
			timedout++;
		else
			last_done = true;
		if (!last_done) {
			r = cd_wait(self->fd, n, 1000000, NULL);
			EXPECT_TRUE(r == -ETIMEDOUT || r == 0)
				TH_LOG("WAIT 1ms: %d", r);
			last_done = (r == 0);
		}
		/* After a timeout the transfer is still known. */
		for (i = 1; i <= n; i++)
			if (i != n || !last_done)
				cd_wait_ok(_metadata, self->fd, i, len);
		cd_buf_put(_metadata, self->fd, &a);
		cd_buf_put(_metadata, self->fd, &b);
		if (!timedout)
			TH_LOG("attempt %u, %u x %llu MiB: no ETIMEDOUT",
			       attempt + 1, n, (unsigned long long)(len / MiB));
	}
	EXPECT_LT(0U, timedout) TH_LOG("no ETIMEDOUT in %u attempts", attempt);
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
}

/* A cookie in flight or not yet read cannot be reused: EEXIST. */
CDMA_TEST(duplicate_cookie)
{
	struct cdma_completion rec;
	struct cd_buf a, b, c, d;
	int fd2;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	ASSERT_LE(2U, self->info.max_inflight);
	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);

	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 100, 7));
	EXPECT_EQ(-EEXIST, cd_local_async(self->fd, a.handle, 0, b.handle, 0,
					  100, 7));
	/* Completed but not read: still taken. */
	ASSERT_NE(0, cd_poll(self->fd, POLLIN, 20000) & POLLIN);
	EXPECT_EQ(-EEXIST, cd_local_async(self->fd, a.handle, 0, b.handle, 0,
					  100, 7));
	/* Another file has its own cookies. */
	fd2 = cd_open();
	ASSERT_LE(0, fd2);
	cd_small_pair(_metadata, fd2, &self->info, &c, &d);
	ASSERT_EQ(0, cd_local_async(fd2, c.handle, 0, d.handle, 0, 10, 7));
	cd_wait_ok(_metadata, fd2, 7, 10);
	cd_buf_put(_metadata, fd2, &c);
	cd_buf_put(_metadata, fd2, &d);
	close(fd2);

	/* Exactly one record for cookie 7 on our file. */
	ASSERT_EQ((ssize_t)CD_REC, cd_read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(7ULL, rec.cookie);
	EXPECT_REC_OK(rec, 100);
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));

	/* Read: free again, via WAIT too. */
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 100, 7));
	cd_wait_ok(_metadata, self->fd, 7, 100);
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 100, 7));
	cd_wait_ok(_metadata, self->fd, 7, 100);

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}
