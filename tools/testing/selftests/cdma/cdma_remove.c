// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_remove - removal of a paravirtual cDMA device while it is in use
 *
 * Usage: cdma_remove [-n VDPA_DEV] [-m MGMTDEV] [-N NATIVE_DEV]
 *                    [kselftest harness options]
 *
 *   -n VDPA_DEV   the vDPA device behind the guest /dev/cdmaN (default
 *                 rdma0); deleted by every test, created again after it
 *   -m MGMTDEV    its vDPA management device (default rdma_zcopy)
 *   -N PATH       a native cDMA device (/dev/cdma0) for the test of
 *                 transfers of another context into an exported buffer;
 *                 without it that test is skipped
 *
 * Every test opens the guest device (virtio_rdma_remote over a loopback
 * vDPA device bound to virtio_vdpa), puts it to work, deletes the vDPA
 * device with `vdpa dev del` and checks what Documentation/cdma-uapi.rst
 * promises: the process sees ENODEV (ioctl, mmap; read() after the records
 * left; EPOLLHUP | EPOLLERR from poll()), transfers in flight complete with
 * -ENODEV, sleepers and busy-pollers wake up, mappings stay usable, and
 * the removal itself does not hang.  The kernel log is checked by the
 * harness that runs this (tools/testing/vm/klog-check.sh).
 *
 * Needs root, the vdpa tool (iproute2) and /sys/bus/vdpa.
 */
#include <glob.h>
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>

/*
 * The harness's setjmp() in the test wrappers makes GCC see "clobbered"
 * variables when a small test body is inlined into them: false positives.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wclobbered"
#include "cdma_fixture.h"
#include "harness_args.h"

extern char **environ;

static const char *rm_vdpa = "rdma0";
static const char *rm_mgmt = "rdma_zcopy";
static const char *rm_native;

#define RM_SYS		"/sys/bus/vdpa"
/* Seconds a removal may take (it waits for the transfers running). */
#define RM_DEL_SECS	60

/* Run a program; its exit status, or -1. */
static int rm_run(char *const argv[])
{
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ))
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool rm_exists(void)
{
	char path[256];

	snprintf(path, sizeof(path), RM_SYS "/devices/%s", rm_vdpa);
	return access(path, F_OK) == 0;
}

/* /dev/cdmaN of the vDPA device, into @dev; false while there is none. */
static bool rm_node(char *dev, size_t len)
{
	char pattern[256];
	bool found = false;
	glob_t g;

	snprintf(pattern, sizeof(pattern),
		 RM_SYS "/devices/%s/virtio*/misc/cdma*", rm_vdpa);
	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc) {
		const char *name = strrchr(g.gl_pathv[0], '/') + 1;

		snprintf(dev, len, "/dev/%s", name);
		found = access(dev, F_OK) == 0;
	}
	globfree(&g);
	return found;
}

/*
 * Create the vDPA device bound to virtio_vdpa (automatic probing is off
 * meanwhile, in case vhost_vdpa is loaded) and wait for its node.
 */
static int rm_add(char *dev, size_t len)
{
	char *const argv[] = { "vdpa", "dev", "add", "name", (char *)rm_vdpa,
			       "mgmtdev", (char *)rm_mgmt, NULL };
	char path[256];
	int r, i;

	r = cd_write_file(RM_SYS "/drivers_autoprobe", "0");
	if (r)
		return r;
	r = rm_run(argv) ? -EIO : 0;
	if (!r) {
		snprintf(path, sizeof(path), RM_SYS "/devices/%s/driver_override",
			 rm_vdpa);
		r = cd_write_file(path, "virtio_vdpa");
	}
	if (!r)
		r = cd_write_file(RM_SYS "/drivers_probe", rm_vdpa);
	cd_write_file(RM_SYS "/drivers_autoprobe", "1");
	if (r)
		return r;
	for (i = 0; i < 200; i++) {
		if (rm_node(dev, len))
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* `vdpa dev del`: its exit status; *@secs: how long it took. */
static int rm_del(double *secs)
{
	char *const argv[] = { "vdpa", "dev", "del", (char *)rm_vdpa, NULL };
	uint64_t t0 = cd_now_ns();
	int r = rm_run(argv);

	*secs = (double)(cd_now_ns() - t0) / 1e9;
	return r;
}

FIXTURE(rm) {
	char dev[64];
	int fd;
	struct cdma_info info;
};

FIXTURE_SETUP(rm)
{
	self->fd = -1;
	if (!rm_exists())
		ASSERT_EQ(0, rm_add(self->dev, sizeof(self->dev)))
			TH_LOG("cannot create vDPA device %s", rm_vdpa);
	ASSERT_TRUE(rm_node(self->dev, sizeof(self->dev)))
		TH_LOG("vDPA device %s has no /dev/cdmaN", rm_vdpa);
	cdma_dev_path = self->dev;
	cd_open_checked(_metadata, &self->fd, &self->info);
	/* Never delete anything but a paravirtual device. */
	ASSERT_CAP(&self->info, CDMA_CAP_VIRTUAL);
	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
}

FIXTURE_TEARDOWN(rm)
{
	char dev[64];

	if (self->fd >= 0)
		close(self->fd);
	/* The next test (and the suite's tear-down) wants the device. */
	if (!rm_exists())
		EXPECT_EQ(0, rm_add(dev, sizeof(dev)));
}

#define RM_TEST(name)	TEST_F_TIMEOUT(rm, name, cd_timeout(240))

/* Delete the device; the deletion must succeed without hanging. */
#define RM_DELETE() do {						\
	double secs_;							\
	ASSERT_EQ(0, rm_del(&secs_));					\
	TH_LOG("vdpa dev del %s: %.2f s", rm_vdpa, secs_);		\
	EXPECT_GT(RM_DEL_SECS, secs_);					\
	EXPECT_NE(0, access(self->dev, F_OK));				\
} while (0)

/* Every entry point of a removed device's open file. */
static void rm_check_dead(struct __test_metadata *_metadata, int fd,
			  const struct cd_buf *b)
{
	struct cdma_completion rec;
	struct cdma_info info;
	__u32 h;

	EXPECT_EQ(-ENODEV, cd_info(fd, &info));
	EXPECT_EQ(-ENODEV, cd_alloc(fd, 4096, &h, NULL));
	EXPECT_EQ(-ENODEV, cd_free(fd, b->handle));
	EXPECT_EQ(-ENODEV, cd_local(fd, b->handle, 0, b->handle, b->len / 2,
				    b->len / 2));
	EXPECT_EQ(-ENODEV, cd_wait(fd, 1, 0, &rec));
	EXPECT_EQ(-ENODEV, cd_set_mode(fd, CDMA_MODE_INTERRUPT, -1));
	EXPECT_EQ(-ENODEV, cd_export(fd, b->handle, CD_RW, NULL, NULL));
	EXPECT_EQ(-ENODEV, cd_revoke(fd, b->handle));
	EXPECT_EQ(MAP_FAILED, cd_map(fd, b->off, b->len));
	EXPECT_EQ(ENODEV, errno);
	/* No record left: read() fails at once, blocking or not. */
	EXPECT_EQ(-ENODEV, cd_read(fd, &rec, sizeof(rec)));
	EXPECT_EQ(POLLHUP | POLLERR, cd_poll(fd, POLLIN, 1000) &
		  (POLLHUP | POLLERR));
}

/* An idle open file with mapped buffers. */
RM_TEST(idle)
{
	struct cd_buf a, b;

	cd_buf_pair(_metadata, self->fd, &self->info, MiB, &a, &b);
	ASSERT_EQ(0, cd_local(self->fd, a.handle, 0, b.handle, 0, a.len));

	RM_DELETE();

	rm_check_dead(_metadata, self->fd, &a);
	/* The mappings keep the pages: data intact, still writable. */
	EXPECT_EQ(-1, pat_check(a.map, a.len, cdma_seed));
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed));
	pat_fill(b.map, b.len, cdma_seed + 1);
	EXPECT_EQ(-1, pat_check(b.map, b.len, cdma_seed + 1));
	EXPECT_EQ(0, munmap(a.map, a.len));
	EXPECT_EQ(0, munmap(b.map, b.len));
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	/* The node is gone. */
	EXPECT_GT(0, cd_open());
}

/* Size of the buffers of the transfers in flight: large, they take a while. */
#define RM_BIG	(16 * MiB)

/* Queue @n asynchronous copies a -> b, cookies @first ..; returns n queued. */
static unsigned int rm_flood(int fd, const struct cd_buf *a,
			     const struct cd_buf *b, size_t len,
			     unsigned int n, __u64 first)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (cd_local_async(fd, a->handle, 0, b->handle, 0, len,
				   first + i))
			break;
	return i;
}

/* Read every record until ENODEV; counts by status. */
struct rm_counts {
	unsigned int ok, enodev, other, total;
	int last_err;
};

static void rm_drain(int fd, size_t len, struct rm_counts *c)
{
	struct cdma_completion recs[16];
	ssize_t r;
	int i;

	memset(c, 0, sizeof(*c));
	for (;;) {
		r = cd_read(fd, recs, sizeof(recs));
		if (r < 0) {
			c->last_err = (int)r;
			return;
		}
		for (i = 0; i < r / (ssize_t)CD_REC; i++) {
			c->total++;
			if (!recs[i].status && recs[i].bytes == len)
				c->ok++;
			else if (recs[i].status == -ENODEV && !recs[i].bytes)
				c->enodev++;
			else
				c->other++;
		}
	}
}

/*
 * Asynchronous transfers in flight: each ends with one record, of success
 * (done before the removal) or -ENODEV; then read() fails with ENODEV.
 */
RM_TEST(async_inflight)
{
	unsigned int n = cd_min_u(self->info.max_inflight, 256), queued;
	struct rm_counts c;
	struct cd_buf a, b;
	size_t len;

	len = cd_data_pair(_metadata, self->fd, &self->info, RM_BIG, &a, &b);
	queued = rm_flood(self->fd, &a, &b, len, n, 1);
	ASSERT_EQ(n, queued);

	RM_DELETE();

	rm_drain(self->fd, len, &c);
	TH_LOG("%u records: %u done, %u -ENODEV, %u other", c.total, c.ok,
	       c.enodev, c.other);
	EXPECT_EQ(-ENODEV, c.last_err);
	EXPECT_EQ(queued, c.total);
	EXPECT_EQ(0U, c.other);
	/* Removed while busy (16 MiB each): some never ran. */
	EXPECT_LT(0U, c.enodev);
	EXPECT_EQ(-1, pat_check(a.map, a.len, cdma_seed));
	rm_check_dead(_metadata, self->fd, &a);
	EXPECT_EQ(0, munmap(a.map, a.len));
	EXPECT_EQ(0, munmap(b.map, b.len));
}

/* Threads blocked in the device when it goes. */
struct rm_thread {
	int fd;
	struct cd_buf *a, *b;
	size_t len;
	__u64 cookie;
	int ret;		/* what the blocked call returned */
	struct rm_counts c;	/* read loop */
	struct cdma_completion rec;
	unsigned int syncs;	/* synchronous transfers done */
};

/* Blocking read() loop until ENODEV. */
static void *rm_reader(void *arg)
{
	struct rm_thread *t = arg;

	rm_drain(t->fd, t->len, &t->c);
	t->ret = t->c.last_err;
	return NULL;
}

/* CDMA_IOC_WAIT without timeout on the last transfer queued. */
static void *rm_waiter(void *arg)
{
	struct rm_thread *t = arg;

	t->ret = cd_wait(t->fd, t->cookie, UINT64_MAX, &t->rec);
	return NULL;
}

/* Synchronous transfers until one fails. */
static void *rm_syncer(void *arg)
{
	struct rm_thread *t = arg;

	while (!(t->ret = cd_local(t->fd, t->a->handle, 0, t->b->handle, 0,
				   t->len)))
		t->syncs++;
	return NULL;
}

/* poll() without timeout on a file with nothing in flight. */
static void *rm_poller(void *arg)
{
	struct rm_thread *t = arg;

	t->ret = cd_poll(t->fd, POLLIN, -1);
	return NULL;
}

/*
 * One file per kind of sleeper (in @mode), each with transfers in flight
 * but the poller's: they all return after the removal, with ENODEV or the
 * records of the transfers.
 */
static void rm_sleepers(struct __test_metadata *_metadata, int fd0,
			const struct cdma_info *info, const char *dev,
			__u32 mode)
{
	void *(*fn[])(void *) = { rm_reader, rm_waiter, rm_syncer, rm_poller };
	static const char *const name[] = { "read", "wait", "sync", "poll" };
	unsigned int n = cd_min_u(info->max_inflight, 128);
	struct rm_thread t[4];
	struct cd_buf a[4], b[4];
	pthread_t tid[4];
	double secs;
	int i;

	(void)fd0;
	memset(t, 0, sizeof(t));
	for (i = 0; i < 4; i++) {
		t[i].fd = open(dev, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, t[i].fd);
		ASSERT_EQ(0, cd_set_mode(t[i].fd, mode, -1));
		t[i].len = cd_data_pair(_metadata, t[i].fd, info, RM_BIG, &a[i],
					&b[i]);
		t[i].a = &a[i];
		t[i].b = &b[i];
		t[i].cookie = n;
		if (fn[i] == rm_reader || fn[i] == rm_waiter)
			ASSERT_EQ(n, rm_flood(t[i].fd, &a[i], &b[i], t[i].len,
					      n, 1));
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, fn[i], &t[i]));
	/* Let them block (or spin). */
	usleep(300000);

	ASSERT_EQ(0, rm_del(&secs));
	TH_LOG("vdpa dev del %s: %.2f s", rm_vdpa, secs);
	EXPECT_GT(RM_DEL_SECS, secs);

	/* A hang here ends in the harness's timeout. */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
		TH_LOG("%s: returned %d", name[i], t[i].ret);
	}
	/* read(): every record, then ENODEV. */
	EXPECT_EQ(-ENODEV, t[0].ret);
	EXPECT_EQ(n, t[0].c.total);
	EXPECT_EQ(0U, t[0].c.other);
	/* WAIT: the record of its transfer, done or -ENODEV. */
	EXPECT_EQ(0, t[1].ret);
	if (!t[1].ret) {
		EXPECT_EQ(n, t[1].rec.cookie);
		EXPECT_TRUE(t[1].rec.status == 0 || t[1].rec.status == -ENODEV)
			TH_LOG("status %d", t[1].rec.status);
	}
	/* The other records of the waiter's file are still there. */
	rm_drain(t[1].fd, t[1].len, &t[1].c);
	EXPECT_EQ(-ENODEV, t[1].c.last_err);
	EXPECT_EQ(n - 1, t[1].c.total);
	EXPECT_EQ(0U, t[1].c.other);
	/* Synchronous transfer: -ENODEV (in flight or refused). */
	EXPECT_EQ(-ENODEV, t[2].ret);
	/* poll(): the hang-up. */
	EXPECT_EQ(POLLHUP | POLLERR, t[3].ret & (POLLHUP | POLLERR));

	for (i = 0; i < 4; i++) {
		rm_check_dead(_metadata, t[i].fd, &a[i]);
		EXPECT_EQ(-1, pat_check(a[i].map, a[i].len, cdma_seed));
		EXPECT_EQ(0, munmap(a[i].map, a[i].len));
		EXPECT_EQ(0, munmap(b[i].map, b[i].len));
		EXPECT_EQ(0, close(t[i].fd));
	}
}

RM_TEST(sleepers_interrupt_mode)
{
	rm_sleepers(_metadata, self->fd, &self->info, self->dev,
		    CDMA_MODE_INTERRUPT);
}

RM_TEST(sleepers_poll_mode)
{
	ASSERT_CAP(&self->info, CDMA_CAP_POLL_MODE);
	rm_sleepers(_metadata, self->fd, &self->info, self->dev,
		    CDMA_MODE_POLL);
}

/*
 * A file closed but still mapped, and one inherited by a child that keeps
 * it open across the removal.
 */
RM_TEST(closed_and_forked)
{
	struct cd_buf a, b;
	int status, pipefd[2];
	pid_t pid;
	char c;

	cd_buf_pair(_metadata, self->fd, &self->info, 256 * KiB, &a, &b);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct cdma_info info;

		close(pipefd[1]);
		/* Blocks until the parent removed the device. */
		if (read(pipefd[0], &c, 1) != 1)
			_exit(1);
		if (cd_info(self->fd, &info) != -ENODEV)
			_exit(2);
		if (pat_check(a.map, a.len, cdma_seed) != -1)
			_exit(3);
		_exit(close(self->fd) ? 4 : 0);
	}
	close(pipefd[0]);
	/* The parent keeps only the mappings. */
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;

	RM_DELETE();

	ASSERT_EQ(1, write(pipefd[1], "x", 1));
	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-1, pat_check(a.map, a.len, cdma_seed));
	pat_fill(b.map, b.len, cdma_seed + 2);
	EXPECT_EQ(0, munmap(a.map, a.len));
	EXPECT_EQ(0, munmap(b.map, b.len));
}

/*
 * An exported guest buffer that a native process is writing into when
 * the device goes: the removal waits for those transfers (the engine
 * holds the guest's pages until they end), which all succeed or, once
 * the export is revoked, are refused with ENXIO.
 */
RM_TEST(exported_busy)
{
	unsigned int n, i, queued = 0;
	struct cd_buf g, src;
	struct cdma_info ni;
	struct rm_counts c;
	__u64 gaddr, key;
	size_t len;
	int nfd, r;

	if (!rm_native)
		SKIP(return, "no native device given (-N)");
	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	nfd = open(rm_native, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nfd) TH_LOG("open %s: %s", rm_native, strerror(errno));

	len = cd_max_size(&self->info, 4 * MiB);
	cd_buf_get(_metadata, self->fd, &self->info, len, true, &g);
	ASSERT_EQ(0, cd_export(self->fd, g.handle, CD_RW, &gaddr, &key));
	ASSERT_EQ(0, cd_info(nfd, &ni));
	ASSERT_EQ(0U, ni.caps & CDMA_CAP_VIRTUAL);
	n = cd_min_u(ni.max_inflight, 16);
	cd_buf_get(_metadata, nfd, &ni, len, true, &src);
	pat_fill(src.map, src.len, cdma_seed + 3);
	for (i = 0; i < n; i++) {
		r = cd_global(nfd, CDMA_XFER_TO_GLOBAL, CDMA_XFER_F_ASYNC,
			      src.handle, 0, gaddr, key, len, i + 1);
		ASSERT_EQ(0, r) TH_LOG("TO_GLOBAL %u: %s", i, strerror(-r));
		queued++;
	}

	RM_DELETE();

	/* The export is gone with the device. */
	EXPECT_EQ(-ENXIO, cd_to_global(nfd, src.handle, 0, gaddr, key, len));
	/* Every native transfer ends; none fails. */
	for (i = 0; i < queued; i++) {
		struct cdma_completion rec;

		ASSERT_EQ(0, cd_wait(nfd, i + 1, UINT64_MAX, &rec));
		EXPECT_EQ(0, rec.status);
		EXPECT_EQ((__u64)len, rec.bytes);
	}
	/* The guest's mapping saw the data of the transfers that ran. */
	EXPECT_EQ(-1, pat_check(g.map, g.len, cdma_seed + 3));
	rm_drain(self->fd, len, &c);
	EXPECT_EQ(-ENODEV, c.last_err);
	EXPECT_EQ(0U, c.total);
	EXPECT_EQ(0, munmap(g.map, g.len));
	cd_buf_put(_metadata, nfd, &src);
	close(nfd);
}

static void rm_usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [-n VDPA_DEV] [-m MGMTDEV] [-N NATIVE_DEV] [harness options]\n",
		prog);
}

int main(int argc, char **argv)
{
	const struct cd_opt opts[] = {
		{ "-n", NULL, &rm_vdpa, NULL, false },
		{ "-m", NULL, &rm_mgmt, NULL, false },
		{ "-N", NULL, &rm_native, NULL, false },
	};

	cdma_seed = cd_env_seed(cd_now_ns());
	return cd_harness_main(argc, argv, opts, ARRAY_SIZE(opts), rm_usage,
			       NULL);
}

#pragma GCC diagnostic pop
