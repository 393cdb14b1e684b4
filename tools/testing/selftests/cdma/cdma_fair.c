// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_fair - one tenant cannot starve another (hostile tenants, finding 4).
 *
 *   cdma_fair [-d DEVICE] [-f FILES] [-q DEPTH] [-m MIB]
 *
 * Tenant A, a child process, opens FILES files (default 2) and fills each
 * with DEPTH (default 128) asynchronous transfers of MIB MiB (default 8):
 * a backlog that takes the engine a time T_A to drain.  Meanwhile tenant
 * B, this process, makes one small synchronous transfer, then queues a few
 * transfers and closes its file.  Both must finish within T_A / 4: the
 * engine serves the files in turn, in slices, instead of first come first
 * served (where B waited about half of T_A behind A's backlog), and a
 * closing file cancels its queued transfers at once.
 *
 * The bound is relative to T_A, measured in the same run, so that it
 * holds on any machine and under any emulator.  TAP on stdout; exit
 * status 0 when every test passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/cdma.h>

#include "cdma_helpers.h"

static const char *dev_path = "/dev/cdma0";
static unsigned int files = 2, depth = 128, mib = 8;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* Two buffers of @size on a new file: 0 or -errno. */
static int open_pair(uint64_t size, int *fd, uint32_t *a, uint32_t *b)
{
	struct cdma_alloc x = { .size = size }, y = { .size = size };
	int r;

	*fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	r = xioctl(*fd, CDMA_IOC_ALLOC, &x);
	if (!r)
		r = xioctl(*fd, CDMA_IOC_ALLOC, &y);
	*a = x.handle;
	*b = y.handle;
	return r;
}

static int submit(int fd, uint32_t a, uint32_t b, uint64_t len, uint64_t cookie)
{
	struct cdma_xfer x = {
		.dir = CDMA_XFER_LOCAL, .src_handle = a, .dst_handle = b,
		.length = len, .cookie = cookie,
		.flags = cookie ? CDMA_XFER_F_ASYNC : 0,
	};

	return xioctl(fd, CDMA_IOC_SUBMIT, &x);
}

/*
 * Tenant A: the backlog.  Writes to @wfd the time its last transfer was
 * queued, then the time its last completion arrived (0 on failure).
 */
static void tenant_a(int wfd)
{
	uint64_t size = (uint64_t)mib << 20, t[2] = { 0, 0 };
	int fd[16];
	uint32_t a, b;
	unsigned int f, i;

	for (f = 0; f < files; f++) {
		if (open_pair(size, &fd[f], &a, &b))
			goto out;
		for (i = 0; i < depth; i++)
			if (submit(fd[f], a, b, size, i + 1))
				goto out;
	}
	t[0] = now_ns();
	if (write(wfd, &t[0], sizeof(t[0])) != sizeof(t[0]))
		_exit(1);
	for (f = 0; f < files; f++) {
		for (i = 0; i < depth; i++) {
			struct cdma_wait w = { .cookie = i + 1,
					       .timeout_ns = UINT64_MAX };

			if (xioctl(fd[f], CDMA_IOC_WAIT, &w) ||
			    w.completion.status)
				goto out;
		}
	}
	t[1] = now_ns();
out:
	if (write(wfd, &t[1], sizeof(t[1])) != sizeof(t[1]))
		_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	const struct cd_arg args[] = {
		{ 'd', CD_ARG_STR, &dev_path }, { 'f', CD_ARG_UINT, &files },
		{ 'q', CD_ARG_UINT, &depth }, { 'm', CD_ARG_UINT, &mib },
	};
	uint64_t queued = 0, drained = 0, t0, lat_b, lat_close, t_a;
	int p[2], fd, st, status, failed = 0;
	uint32_t a, b;
	unsigned int i;
	pid_t pid;

	if (cd_getopt(argc, argv, args, ARRAY_SIZE(args))) {
		fprintf(stderr, "Usage: %s [-d DEV] [-f FILES] [-q DEPTH] [-m MIB]\n",
			argv[0]);
		return 2;
	}
	if (!files || files > 16 || !depth || !mib)
		return 2;
	printf("TAP version 13\n1..3\n");
	printf("# cdma_fair: %s, tenant A: %u files x %u transfers of %u MiB\n",
	       dev_path, files, depth, mib);
	fflush(stdout);
	if (pipe(p))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		close(p[0]);
		tenant_a(p[1]);
	}
	close(p[1]);
	if (read(p[0], &queued, sizeof(queued)) != sizeof(queued) || !queued) {
		printf("Bail out! tenant A could not queue its transfers\n");
		return 1;
	}

	/* Tenant B: one small synchronous transfer. */
	t0 = now_ns();
	st = open_pair(4096, &fd, &a, &b);
	if (!st)
		st = submit(fd, a, b, 4096, 0);
	lat_b = now_ns() - t0;
	if (st)
		printf("# tenant B's transfer: %s\n", strerror(-st));
	/* Then transfers queued behind A's and the file closed. */
	for (i = 0; !st && i < 8; i++)
		st = submit(fd, a, b, 4096, i + 1);
	t0 = now_ns();
	close(fd);
	lat_close = now_ns() - t0;

	if (read(p[0], &drained, sizeof(drained)) != sizeof(drained))
		drained = 0;
	waitpid(pid, &status, 0);
	if (!drained) {
		printf("Bail out! tenant A's transfers failed\n");
		return 1;
	}
	t_a = drained - queued;
	printf("# T_A, tenant A's backlog drained in %.3f s; bound T_A / 4 = %.3f s\n",
	       t_a / 1e9, t_a / 4e9);
	printf("# tenant B: transfer %.3f s, close %.3f s\n", lat_b / 1e9,
	       lat_close / 1e9);
	printf("%sok 1 tenant B's transfers were accepted\n", st ? "not " : "");
	failed |= st != 0;
	printf("%sok 2 tenant B's synchronous transfer took under T_A / 4\n",
	       lat_b < t_a / 4 ? "" : "not ");
	failed |= lat_b >= t_a / 4;
	printf("%sok 3 tenant B's close with transfers queued took under T_A / 4\n",
	       lat_close < t_a / 4 ? "" : "not ");
	failed |= lat_close >= t_a / 4;
	return failed;
}
