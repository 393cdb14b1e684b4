// SPDX-License-Identifier: GPL-2.0
/*
 * Completion records through poll() and read(): whole records, EAGAIN,
 * EINVAL, EFAULT, blocking and EINTR.
 * Part of cdma_test (included by cdma_test.c).
 */

/* poll() and read() deliver whole records, once each. */
CDMA_TEST(read_completions)
{
	const unsigned int n = cd_min_u(5, self->info.max_inflight);
	struct cdma_completion recs[3];
	unsigned int got = 0, seen = 0, i, k;
	struct cd_buf a, b;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);

	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, cd_local_async(self->fd, a.handle, i * 1000,
					    b.handle, i * 1000, 1000 - i,
					    0x500 + i));
	}
	while (got < n) {
		ssize_t r;

		ASSERT_NE(0, cd_poll(self->fd, POLLIN, 20000) & POLLIN);
		/* Room for 2.5 records: at most 2 whole ones come back. */
		r = cd_read(self->fd, recs, 2 * CD_REC + CD_REC / 2);
		ASSERT_LT(0, r) TH_LOG("read: %s", strerror((int)-r));
		ASSERT_EQ(0U, (size_t)r % CD_REC);
		ASSERT_GE(2 * CD_REC, (size_t)r);
		for (k = 0; k < (size_t)r / CD_REC; k++) {
			unsigned int idx = (unsigned int)(recs[k].cookie - 0x500);

			ASSERT_GT(n, idx) TH_LOG("cookie %#llx",
						 (unsigned long long)recs[k].cookie);
			EXPECT_EQ(0U, seen & (1U << idx));
			seen |= 1U << idx;
			EXPECT_REC_OK(recs[k], 1000 - idx);
			got++;
		}
	}
	EXPECT_EQ((1U << n) - 1, seen);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(-1, pat_check_at(b.map + i * 1000, 1000 - i,
					   cdma_seed, i * 1000));
		EXPECT_EQ(-ENOENT, cd_wait(self->fd, 0x500 + i, 0, NULL));
	}
	/* Empty now. */
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, cd_read(self->fd, recs, sizeof(recs)));

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* read() of one record into @buf, in a thread of its own. */
struct cd_reader {
	int fd;
	void *buf;
	ssize_t ret;
};

static void *cd_reader_run(void *arg)
{
	struct cd_reader *r = arg;

	r->ret = cd_read(r->fd, r->buf, CD_REC);
	return NULL;
}

/*
 * Hostile tenants, finding 8: a record that read() is copying out is not
 * also returned by a CDMA_IOC_WAIT on its cookie.  read() is held in its
 * copy to user space by a destination page registered with userfaultfd
 * (missing), while this thread WAITs for the cookie; then the page is
 * filled and read() goes on.
 */
CDMA_TEST(read_wait_delivered_once)
{
	const long psz = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy cp = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	struct cdma_completion rec = { 0 };
	struct cd_reader rd = { .fd = self->fd };
	struct uffd_msg msg;
	struct cd_buf a, b;
	void *page, *zero;
	pthread_t t;
	int uffd, w;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	page = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zero = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_NE(MAP_FAILED, zero);
	memset(zero, 0, psz);
	reg.range.start = (uintptr_t)page;
	reg.range.len = psz;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 1000,
				    0x800));
	ASSERT_NE(0, cd_poll(self->fd, POLLIN, 20000) & POLLIN);
	rd.buf = page;
	ASSERT_EQ(0, pthread_create(&t, NULL, cd_reader_run, &rd));
	/* read() faults on the page: the record is on its way out. */
	pfd.fd = uffd;
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));
	w = cd_wait(self->fd, 0x800, 0, &rec);
	EXPECT_EQ(-ENOENT, w) TH_LOG("WAIT for the cookie read() delivers: %s, cookie %#llx",
				     strerror(-w), (unsigned long long)rec.cookie);
	cp.dst = (uintptr_t)page;
	cp.src = (uintptr_t)zero;
	cp.len = psz;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &cp));
	pthread_join(t, NULL);
	EXPECT_EQ((ssize_t)CD_REC, rd.ret);
	EXPECT_EQ(0x800ULL, ((struct cdma_completion *)page)->cookie);
	EXPECT_EQ(-ENOENT, cd_wait(self->fd, 0x800, 0, NULL));
	close(uffd);
	munmap(page, psz);
	munmap(zero, psz);
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* Non-blocking read() with nothing queued: EAGAIN, on a fresh file too. */
CDMA_TEST(read_nonblock_empty)
{
	struct cdma_completion rec, recs[4];
	int fd2;

	fd2 = open(cdma_dev_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EAGAIN, cd_read(fd2, &rec, sizeof(rec)));
	EXPECT_EQ(0, cd_poll(fd2, POLLIN, 0));
	close(fd2);

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, cd_read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(-EAGAIN, cd_read(self->fd, recs, sizeof(recs)));
}

/* A blocking read() sleeps until a completion arrives. */
CDMA_TEST(read_blocking)
{
	struct cdma_completion rec;
	struct cd_buf a, b;
	__u64 len;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	len = cd_data_pair(_metadata, self->fd, &self->info, 4 * MiB, &a, &b);
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0,
				    len, 0xb10c));
	memset(&rec, 0, sizeof(rec));
	ASSERT_EQ((ssize_t)CD_REC, cd_read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(0xb10cULL, rec.cookie);
	EXPECT_REC_OK(rec, len);
	EXPECT_EQ(-1, pat_check(b.map, len, cdma_seed));

	/* poll() sleeps until a completion arrives too. */
	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0,
				    len, 0xb10d));
	EXPECT_EQ(POLLIN, cd_poll(self->fd, POLLIN, 20000) & POLLIN);
	cd_wait_ok(_metadata, self->fd, 0xb10d, len);
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

static void cd_on_alarm(int sig)
{
	(void)sig;
}

/*
 * A signal interrupts a blocking read() with nothing in flight (which
 * would otherwise sleep, or busy-poll, forever): EINTR, in both modes.
 */
CDMA_TEST(read_eintr)
{
	struct sigaction sa;
	struct cdma_completion rec;
	int mode;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cd_on_alarm;	/* no SA_RESTART */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));

	for (mode = CDMA_MODE_INTERRUPT; mode <= CDMA_MODE_POLL; mode++) {
		struct itimerval it = { .it_value = { .tv_usec = 100000 } };
		uint64_t t0;

		if (mode == CDMA_MODE_POLL &&
		    !(self->info.caps & CDMA_CAP_POLL_MODE))
			break;
		ASSERT_EQ(0, cd_set_mode(self->fd, (__u32)mode, -1));
		t0 = cd_now_ns();
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		EXPECT_EQ(-EINTR, cd_read(self->fd, &rec, sizeof(rec)))
			TH_LOG("mode %d", mode);
		EXPECT_LE(50000000ULL, cd_now_ns() - t0);
	}
	ASSERT_CAP(&self->info, CDMA_CAP_POLL_MODE);
}

/* read() shorter than a record: EINVAL, record kept; bad buffer: EFAULT. */
CDMA_TEST(read_invalid)
{
	struct cdma_completion rec;
	struct cd_buf a, b;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);

	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 8, 9));
	ASSERT_NE(0, cd_poll(self->fd, POLLIN, 20000) & POLLIN);
	EXPECT_EQ(-EINVAL, cd_read(self->fd, &rec, 1));
	EXPECT_EQ(-EINVAL, cd_read(self->fd, &rec, CD_REC - 1));
	EXPECT_EQ(-EINVAL, cd_read(self->fd, &rec, CD_REC / 2));
	/* Still queued. */
	EXPECT_NE(0, cd_poll(self->fd, POLLIN, 0) & POLLIN);
	cd_wait_ok(_metadata, self->fd, 9, 8);

	ASSERT_EQ(0, cd_local_async(self->fd, a.handle, 0, b.handle, 0, 8, 10));
	ASSERT_NE(0, cd_poll(self->fd, POLLIN, 20000) & POLLIN);
	EXPECT_EQ(-EFAULT, cd_read(self->fd, cd_null(), CD_REC));
	EXPECT_EQ(-EFAULT, cd_read(self->fd, cd_bad_ptr(), CD_REC));

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}
