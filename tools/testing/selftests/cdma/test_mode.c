// SPDX-License-Identifier: GPL-2.0
/*
 * CDMA_IOC_SET_MODE: interrupt mode with an eventfd, polling mode, bad
 * arguments.
 * Part of cdma_test (included by cdma_test.c).
 */

/* Read the eventfd until it has counted @want, or 20 s pass. */
static int64_t cd_efd_collect(int efd, int64_t want)
{
	uint64_t deadline = cd_now_ns() + 20ULL * 1000000000ULL;
	int64_t sum = 0;

	while (sum < want && cd_now_ns() < deadline) {
		int64_t v;

		cd_poll(efd, POLLIN, 100);
		v = cd_efd_take(efd);
		if (v < 0)
			return v;
		sum += v;
	}
	return sum;
}

/* A new non-blocking eventfd, given to @fd with @mode. */
static int cd_efd_mode(struct __test_metadata *_metadata, int fd, __u32 mode)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, cd_set_mode(fd, mode, efd));
	return efd;
}

/* Interrupt mode: the eventfd counts one per completion. */
CDMA_TEST(eventfd_signal)
{
	const unsigned int n = cd_min_u(6, self->info.max_inflight);
	struct cdma_completion rec;
	struct cd_buf a, b;
	unsigned int i;
	int efd;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	ASSERT_CAP(&self->info, CDMA_CAP_EVENTFD);
	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);
	efd = cd_efd_mode(_metadata, self->fd, CDMA_MODE_INTERRUPT);

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, cd_local_async(self->fd, a.handle, i, b.handle,
					    i, 100, 0xe0 + i));
	}
	/* Half collected by WAIT, half by read(). */
	for (i = 0; i < n / 2; i++)
		cd_wait_ok(_metadata, self->fd, 0xe0 + i, 100);
	for (; i < n; i++) {
		ASSERT_EQ((ssize_t)CD_REC, cd_read(self->fd, &rec, CD_REC));
		EXPECT_REC_OK(rec, 100);
	}
	EXPECT_EQ((int64_t)n, cd_efd_collect(efd, n));
	usleep(20000);
	EXPECT_EQ(0, cd_efd_take(efd));

	/* The eventfd also wakes poll() on it. */
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 1, 1));
	EXPECT_NE(0, cd_poll(efd, POLLIN, 20000) & POLLIN);
	EXPECT_EQ(1, cd_efd_take(efd));
	cd_wait_ok(_metadata, self->fd, 1, 1);

	/* Removing the eventfd stops the signals. */
	ASSERT_EQ(0, cd_set_mode(self->fd, CDMA_MODE_INTERRUPT, -1));
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 1, 2));
	cd_wait_ok(_metadata, self->fd, 2, 1);
	usleep(20000);
	EXPECT_EQ(0, cd_efd_take(efd));

	close(efd);
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* SET_MODE: unknown modes, reserved fields, not an eventfd. */
CDMA_TEST(set_mode_invalid)
{
	static const __u32 modes[] = { 2, 3, 0x100, 0x80000000U, UINT32_MAX };
	static const struct cd_field fields[] = {
		CD_FIELD(struct cdma_mode, reserved[0]),
		CD_FIELD(struct cdma_mode, reserved[1]),
	};
	struct cdma_mode m;
	struct cd_buf a, b;
	int efd, pfd[2], closed_fd, bad_fds[5];
	unsigned int i;

	ASSERT_CAP(&self->info, CDMA_CAP_EVENTFD);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe(pfd));
	closed_fd = dup(pfd[0]);
	ASSERT_LE(0, closed_fd);
	close(closed_fd);

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		EXPECT_EQ(-EINVAL, cd_set_mode(self->fd, modes[i], -1))
			TH_LOG("mode %#x", modes[i]);
		EXPECT_EQ(-EINVAL, cd_set_mode(self->fd, modes[i], efd))
			TH_LOG("mode %#x with eventfd", modes[i]);
	}
	memset(&m, 0, sizeof(m));
	m.mode = CDMA_MODE_INTERRUPT;
	m.eventfd = -1;
	cd_einval(_metadata, self->fd, CDMA_IOC_SET_MODE, &m, sizeof(m), NULL,
		  fields, ARRAY_SIZE(fields));
	bad_fds[0] = pfd[0];
	bad_fds[1] = self->fd;
	bad_fds[2] = closed_fd;
	bad_fds[3] = -2;
	bad_fds[4] = INT32_MIN;
	for (i = 0; i < ARRAY_SIZE(bad_fds); i++) {
		EXPECT_EQ(-EBADF, cd_set_mode(self->fd, CDMA_MODE_INTERRUPT,
					      bad_fds[i]))
			TH_LOG("eventfd %d", bad_fds[i]);
	}

	/* Valid combinations. */
	EXPECT_EQ(0, cd_set_mode(self->fd, CDMA_MODE_POLL, -1));
	EXPECT_EQ(0, cd_set_mode(self->fd, CDMA_MODE_INTERRUPT, -1));
	EXPECT_EQ(0, cd_set_mode(self->fd, CDMA_MODE_POLL, efd));

	/* A failed SET_MODE changed nothing: interrupt mode with efd stays. */
	ASSERT_EQ(0, cd_set_mode(self->fd, CDMA_MODE_INTERRUPT, efd));
	EXPECT_EQ(-EBADF, cd_set_mode(self->fd, CDMA_MODE_POLL, pfd[1]));
	EXPECT_EQ(-EINVAL, cd_set_mode(self->fd, 7, -1));
	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 1, 3));
	cd_wait_ok(_metadata, self->fd, 3, 1);
	EXPECT_EQ(1, cd_efd_collect(efd, 1));

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
	close(pfd[0]);
	close(pfd[1]);
	close(efd);
}

/* Polling mode: WAIT and read() still work, the eventfd stays silent. */
CDMA_TEST(poll_mode)
{
	const unsigned int n = cd_min_u(4, self->info.max_inflight);
	struct cdma_completion rec;
	struct cd_buf a, b;
	unsigned int i;
	int efd;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	ASSERT_CAP(&self->info, CDMA_CAP_POLL_MODE);
	cd_buf_pair(_metadata, self->fd, &self->info, 1 * MiB, &a, &b);
	efd = cd_efd_mode(_metadata, self->fd, CDMA_MODE_POLL);

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, cd_local_async(self->fd, a.handle, i * 4096,
					    b.handle, i * 4096, 1 * MiB - i * 4096,
					    0x90 + i));
	}
	/* WAIT with a finite timeout, then forever, in reverse order. */
	{
		struct cdma_completion c;

		memset(&c, 0, sizeof(c));
		ASSERT_EQ(0, cd_wait(self->fd, 0x90 + n - 1,
				     20ULL * 1000000000ULL, &c));
		EXPECT_EQ(0x90ULL + n - 1, c.cookie);
		EXPECT_REC_OK(c, 1 * MiB - (n - 1) * 4096);
	}
	for (i = n - 1; i-- > 0;)
		cd_wait_ok(_metadata, self->fd, 0x90 + i, 1 * MiB - i * 4096);
	EXPECT_EQ(-1, pat_check(b.map, 1 * MiB, cdma_seed));
	EXPECT_EQ(-ENOENT, cd_wait(self->fd, 0x90, 1000, NULL));

	/* Blocking read() busy-polls. */
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0,
				    1 * MiB, 0x99));
	ASSERT_EQ((ssize_t)CD_REC, cd_read(self->fd, &rec, CD_REC));
	EXPECT_EQ(0x99ULL, rec.cookie);
	EXPECT_REC_OK(rec, 1 * MiB);

	usleep(20000);
	EXPECT_EQ(0, cd_efd_take(efd)) TH_LOG("eventfd signalled in poll mode");

	/* Back to interrupt mode: the eventfd is signalled again. */
	ASSERT_EQ(0, cd_set_mode(self->fd, CDMA_MODE_INTERRUPT, efd));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0,
					    4096, 0xa0 + i));
	}
	for (i = 0; i < 2; i++)
		cd_wait_ok(_metadata, self->fd, 0xa0 + i, 4096);
	EXPECT_EQ(2, cd_efd_collect(efd, 2));

	close(efd);
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}
