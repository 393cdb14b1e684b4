// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing an open file: fork(), dup(), and threads using one file
 * concurrently.
 * Part of cdma_test (included by cdma_test.c).
 */

#include <pthread.h>

struct cd_shared_msg {
	__u32 handle;
	__u64 off;
};

/*
 * Child of fork_inherit: uses the inherited mapping, file and handles.
 * Returns 0 or the failed step.
 */
static int cd_child_inherit(int fd, const struct cd_buf *a,
			    const struct cd_buf *b, size_t page,
			    struct cd_shared_msg *msg)
{
	uint8_t *cmap;

	if (pat_check(a->map, a->len, cdma_seed) != -1)
		return 1;	/* parent's data not visible */
	if (cd_local(fd, a->handle, 0, b->handle, 0, a->len))
		return 2;
	if (pat_check(b->map, b->len, cdma_seed) != -1)
		return 3;
	if (cd_local_async(fd, a->handle, page, b->handle, page, page, 0xc41d))
		return 4;
	/* Write through the inherited mapping (not the range in flight). */
	pat_fill(a->map, page, cdma_seed + 5);
	/* A buffer allocated by the child belongs to the shared file. */
	if (cd_alloc(fd, page, &msg->handle, &msg->off))
		return 5;
	cmap = cd_map(fd, msg->off, page);
	if (cmap == MAP_FAILED)
		return 6;
	pat_fill(cmap, page, cdma_seed + 6);
	return 0;
}

/* fork(): the child shares the file, the buffers and their mappings. */
CDMA_TEST(fork_inherit)
{
	const size_t pg = self->page;
	struct cd_shared_msg *msg;
	struct cd_buf a, b;
	int status;
	pid_t pid;
	void *p;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	cd_buf_pair(_metadata, self->fd, &self->info, 4 * pg, &a, &b);
	msg = mmap(NULL, sizeof(*msg), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, msg);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(cd_child_inherit(self->fd, &a, &b, pg, msg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d",
						 WEXITSTATUS(status));

	/* The child's DMA and stores are visible here ... */
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed));
	EXPECT_EQ(-1, pat_check(a.map, pg, cdma_seed + 5));
	/*
	 * ... its transfer completes on the shared file (exit closed only
	 * its reference: nothing was cancelled) ...
	 */
	cd_wait_ok(_metadata, self->fd, 0xc41d, pg);
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed));
	/* ... and its buffer is ours. */
	ASSERT_EQ(0, cd_local(self->fd, msg->handle, 0, b.handle, 0, pg));
	EXPECT_EQ(-1, pat_check(b.map, pg, cdma_seed + 6));
	p = cd_map(self->fd, msg->off, pg);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, pat_check(p, pg, cdma_seed + 6));
	munmap(p, pg);
	EXPECT_EQ(0, cd_free(self->fd, msg->handle));

	munmap(msg, sizeof(*msg));
	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* dup(): same session; closing the duplicate cancels and frees nothing. */
CDMA_TEST(dup_shares)
{
	struct cd_buf a, b;
	int fd2;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	cd_small_pair(_metadata, self->fd, &self->info, &a, &b);
	fd2 = dup(self->fd);
	ASSERT_LE(0, fd2);

	ASSERT_EQ(0, cd_local(fd2, a.handle, 0, b.handle, 0, 4096));
	EXPECT_EQ(-1, pat_check(b.map, 4096, cdma_seed));
	ASSERT_EQ(0, cd_local_async(fd2, a.handle, 4096, b.handle, 4096,
				    60 * KiB, 0xd0d0));
	ASSERT_EQ(0, close(fd2));
	cd_wait_ok(_metadata, self->fd, 0xd0d0, 60 * KiB);
	EXPECT_EQ(-1, pat_check(b.map, 64 * KiB, cdma_seed));

	cd_buf_put(_metadata, self->fd, &a);
	cd_buf_put(_metadata, self->fd, &b);
}

/* ------------------------------------------------------------------ */

struct cd_thread {
	pthread_t tid;
	int fd;
	unsigned int id;
	const struct cdma_info *info;
	int *stop;		/* read and written atomically */
	int result;		/* 0 or the failed step */
};

/* One worker: its own buffers, sync and async transfers, verified. */
static void *cd_thread_xfer(void *arg)
{
	struct cd_thread *t = arg;
	const size_t S = 128 * KiB;
	uint64_t rs = cdma_seed + t->id * 7919, sseed = cdma_seed + t->id;
	__u32 hs, hd;
	__u64 os, od;
	uint8_t *ms, *md;
	int i;

	t->result = 1;
	if (cd_alloc(t->fd, S, &hs, &os) || cd_alloc(t->fd, S, &hd, &od))
		return NULL;
	t->result = 2;
	ms = cd_map(t->fd, os, S);
	md = cd_map(t->fd, od, S);
	if (ms == MAP_FAILED || md == MAP_FAILED)
		return NULL;
	pat_fill(ms, S, sseed);

	for (i = 0; i < 40; i++) {
		__u64 len = 1 + rnd_next(&rs) % (32 * KiB);
		__u64 soff = rnd_next(&rs) % (S - len + 1);
		__u64 doff = rnd_next(&rs) % (S - len + 1);
		__u64 cookie = ((__u64)t->id << 32) | (__u64)i;

		memset(md, 0, S);
		if (i % 2) {
			t->result = 3;
			if (cd_local_async(t->fd, hs, soff, hd, doff, len,
					   cookie))
				return NULL;
			{
				struct cdma_completion c;

				t->result = 4;
				if (cd_wait(t->fd, cookie, UINT64_MAX, &c) ||
				    c.cookie != cookie || c.status ||
				    c.bytes != len)
					return NULL;
			}
		} else {
			t->result = 5;
			if (cd_local(t->fd, hs, soff, hd, doff, len))
				return NULL;
		}
		t->result = 6;
		if (pat_check_at(md + doff, len, sseed, soff) != -1 ||
		    mem_check_byte(md, doff, 0) != -1 ||
		    mem_check_byte(md + doff + len, S - doff - len, 0) != -1)
			return NULL;
	}
	t->result = 7;
	munmap(ms, S);
	munmap(md, S);
	if (cd_free(t->fd, hs) || cd_free(t->fd, hd))
		return NULL;
	t->result = 0;
	return NULL;
}

/* Churn: allocate, export, revoke, free, INFO, until told to stop. */
static void *cd_thread_churn(void *arg)
{
	struct cd_thread *t = arg;
	struct cdma_info info;
	int n = 0;

	t->result = 0;
	while (!__atomic_load_n(t->stop, __ATOMIC_ACQUIRE) || n < 20) {
		__u32 h;

		if (cd_info(t->fd, &info)) {
			t->result = 10;
			break;
		}
		if (cd_alloc(t->fd, 1 + (n % 3) * t->info->page_size, &h, NULL)) {
			t->result = 11;
			break;
		}
		if ((t->info->caps & CDMA_CAP_GLOBAL) &&
		    (cd_export(t->fd, h, CD_RW, NULL, NULL) ||
		     cd_revoke(t->fd, h))) {
			t->result = 12;
			break;
		}
		if (cd_free(t->fd, h)) {
			t->result = 13;
			break;
		}
		n++;
	}
	return NULL;
}

/* Threads share one file: transfers and buffer churn run concurrently. */
CDMA_TEST_SLOW(threads_concurrent)
{
	struct cd_thread t[5];
	int stop = 0;
	unsigned int nx = cd_min_u(4, self->info.max_inflight), i;

	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	/* Each worker holds 2 buffers, the churn thread 1. */
	nx = cd_min_u(nx, (self->info.max_buffers - 1) / 2);
	ASSERT_LE(1U, nx);
	memset(t, 0, sizeof(t));
	for (i = 0; i <= nx; i++) {
		t[i].fd = self->fd;
		t[i].id = i + 1;
		t[i].info = &self->info;
		t[i].stop = &stop;
		t[i].result = -1;
		ASSERT_EQ(0, pthread_create(&t[i].tid, NULL,
					    i < nx ? cd_thread_xfer :
						     cd_thread_churn, &t[i]));
	}
	for (i = 0; i < nx; i++)
		ASSERT_EQ(0, pthread_join(t[i].tid, NULL));
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(t[nx].tid, NULL));
	for (i = 0; i <= nx; i++) {
		EXPECT_EQ(0, t[i].result) TH_LOG("thread %u failed at step %d",
						 i, t[i].result);
	}
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
}

/*
 * Many open files: open() always succeeds (a guest device opens its
 * session at the file's first ALLOC, never in open()); an ALLOC succeeds
 * or, on a device that limits sessions, fails with ENOSPC; the files'
 * resources are released at close: a new file allocates again.
 */
#define CD_MANY_FILES	160

CDMA_TEST(open_many)
{
	int fds[CD_MANY_FILES], i, r, ok = 0, nospc = 0;
	__u32 h;

	for (i = 0; i < CD_MANY_FILES; i++) {
		fds[i] = cd_open();
		ASSERT_LE(0, fds[i]) TH_LOG("open #%d: %s", i, strerror(errno));
	}
	for (i = 0; i < CD_MANY_FILES; i++) {
		r = cd_alloc(fds[i], self->page, &h, NULL);
		EXPECT_TRUE(r == 0 || r == -ENOSPC)
			TH_LOG("ALLOC on file #%d: %s", i, strerror(-r));
		if (!r)
			ok++;
		else if (r == -ENOSPC)
			nospc++;
	}
	EXPECT_LT(0, ok);
	TH_LOG("%d files: %d allocated, %d ENOSPC (session limit)",
	       CD_MANY_FILES, ok, nospc);
	for (i = 0; i < CD_MANY_FILES; i++)
		EXPECT_EQ(0, close(fds[i]));

	ASSERT_EQ(0, cd_alloc(self->fd, self->page, &h, NULL));
	EXPECT_EQ(0, cd_free(self->fd, h));
}
