// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_fuzz - a seeded fuzzer of the cDMA character-device interface, for
 * the native device and the guest device alike.
 *
 *   cdma_fuzz [-d DEVICE] [-n CALLS] [-t THREADS] [-s SEED]
 *
 * THREADS threads (default 4) share one open file and make CALLS calls in
 * all (default 100000): ALLOC, FREE, EXPORT, REVOKE, SUBMIT (synchronous
 * and asynchronous, every direction, boundary offsets and lengths), WAIT,
 * SET_MODE (eventfds valid and not), INFO, ioctls of unknown numbers,
 * read() and poll(), mmap() of the offsets ALLOC returned (and of others)
 * with munmap() and accesses, a file opened, given transfers and closed
 * with them in flight, and children forked that use the inherited file
 * and exit or are killed.  Fields take random and boundary values.
 *
 * Every call must return 0 or an errno of Documentation/cdma-uapi.rst;
 * then one transfer whose every byte is checked must work on a new file.
 * TAP on stdout (seed and counts as diagnostics); the kernel log is
 * checked by whoever runs it (make check: klog-check.sh).
 * Exit status 0 when every test passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/cdma.h>

#include "cdma_helpers.h"
#include "pattern.h"

#define MAX_BUFS	16
#define MAX_SIZE	(64U << 10)	/* buffers the fuzzer keeps small */

static const char *dev_path = "/dev/cdma0";
static unsigned long calls_total = 100000;
static unsigned int nthreads = 4;
static uint64_t seed;
static int shared_fd;
static struct cdma_info info;
static long page_size;

/* Counts, over all threads. */
static unsigned long n_calls, n_ok, n_bad_errno, n_forks, n_closes;
static int bad_errnos[16];
static unsigned int nr_bad;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

struct fz {
	uint64_t rnd;
	int fd;
	unsigned int nbufs;
	struct { uint32_t handle; uint64_t size; uint64_t g, k; } b[MAX_BUFS];
	unsigned long calls, ok, bad;
};

/* splitmix64 */
static uint64_t rnd(struct fz *z)
{
	uint64_t x = z->rnd;

	z->rnd += 0x9e3779b97f4a7c15ULL;
	return cdma_mix64(x);
}

/* 0 .. n - 1 (0 for n == 0). */
static unsigned int pick(struct fz *z, unsigned int n)
{
	return n ? (unsigned int)(rnd(z) % n) : 0;
}

/* A value near a boundary, or any. */
static uint64_t edge(struct fz *z, uint64_t limit)
{
	static const uint64_t fixed[] = {
		0, 1, 7, 8, 4095, 4096, 4097, 65536, 0x7fffffffULL,
		0xffffffffULL, 0x100000000ULL, 0x7fffffffffffffffULL,
		0xfffffffffffff000ULL, ~0ULL,
	};

	switch (pick(z, 4)) {
	case 0:
		return fixed[pick(z, ARRAY_SIZE(fixed))];
	case 1:
		return limit == ~0ULL ? rnd(z) : rnd(z) % (limit + 1);
	case 2:
		return limit ? limit - pick(z, 3) : 0;
	default:
		return rnd(z);
	}
}

/* The errnos the uAPI documents (and ENOTTY for an unknown ioctl). */
static int errno_ok(int e)
{
	switch (e) {
	case EINVAL: case EFBIG: case ENOSPC: case ENOMEM: case ENOENT:
	case ERANGE: case EBUSY: case EEXIST: case EBADF: case ENXIO:
	case EHOSTUNREACH: case EACCES: case ETIMEDOUT: case EAGAIN:
	case EINTR: case EFAULT: case ENOTTY:
		return 1;
	default:
		return 0;
	}
}

static void account(struct fz *z, int r)
{
	z->calls++;
	if (r >= 0) {
		z->ok++;
		return;
	}
	if (errno_ok(-r))
		return;
	z->bad++;
	pthread_mutex_lock(&count_lock);
	if (nr_bad < ARRAY_SIZE(bad_errnos))
		bad_errnos[nr_bad++] = -r;
	pthread_mutex_unlock(&count_lock);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static uint32_t some_handle(struct fz *z)
{
	if (z->nbufs && pick(z, 8))
		return z->b[pick(z, z->nbufs)].handle;
	return (uint32_t)edge(z, 64);
}

static void op_alloc(struct fz *z)
{
	struct cdma_alloc a = { 0 };
	int r;

	a.size = pick(z, 4) ? 1 + pick(z, MAX_SIZE) : edge(z, MAX_SIZE);
	if (!pick(z, 16))
		a.flags = (uint32_t)rnd(z);
	if (!pick(z, 16))
		a.reserved[pick(z, 2)] = rnd(z);
	r = xioctl(z->fd, CDMA_IOC_ALLOC, &a);
	account(z, r);
	if (!r && a.size <= 2 * MAX_SIZE) {
		unsigned int i = z->nbufs < MAX_BUFS ? z->nbufs++ : pick(z, MAX_BUFS);

		z->b[i].handle = a.handle;
		z->b[i].size = a.size;
		z->b[i].g = 0;
		z->b[i].k = 0;
	}
}

static void op_free(struct fz *z)
{
	struct cdma_free f = { .handle = some_handle(z) };
	unsigned int i;

	if (!pick(z, 16))
		f.flags = (uint32_t)rnd(z);
	account(z, xioctl(z->fd, CDMA_IOC_FREE, &f));
	for (i = 0; i < z->nbufs; i++) {
		if (z->b[i].handle == f.handle) {
			z->b[i] = z->b[--z->nbufs];
			break;
		}
	}
}

static void op_export(struct fz *z)
{
	struct cdma_export e = { .handle = some_handle(z) };
	unsigned int i;
	int r;

	e.access = pick(z, 4) ? 1 + pick(z, 3) : (uint32_t)edge(z, 4);
	r = xioctl(z->fd, CDMA_IOC_EXPORT, &e);
	account(z, r);
	for (i = 0; !r && i < z->nbufs; i++) {
		if (z->b[i].handle == e.handle) {
			z->b[i].g = e.global_addr;
			z->b[i].k = e.key;
		}
	}
}

static void op_revoke(struct fz *z)
{
	struct cdma_revoke v = { .handle = some_handle(z) };

	if (!pick(z, 16))
		v.reserved[0] = 1;
	account(z, xioctl(z->fd, CDMA_IOC_REVOKE, &v));
}

static void op_submit(struct fz *z)
{
	struct cdma_xfer x = { 0 };
	unsigned int i = z->nbufs ? pick(z, z->nbufs) : 0;
	uint64_t size = z->nbufs ? z->b[i].size : MAX_SIZE;

	x.dir = pick(z, 8) ? pick(z, 3) : (uint32_t)edge(z, 3);
	x.flags = pick(z, 2) ? CDMA_XFER_F_ASYNC : 0;
	if (!pick(z, 16))
		x.flags = (uint32_t)rnd(z);
	x.src_handle = some_handle(z);
	x.dst_handle = some_handle(z);
	x.length = pick(z, 4) ? 1 + pick(z, (unsigned int)size) : edge(z, size);
	x.src_offset = pick(z, 2) ? 0 : edge(z, size);
	x.dst_offset = pick(z, 2) ? 0 : edge(z, size);
	if (x.dir != CDMA_XFER_LOCAL && z->nbufs && z->b[i].g && pick(z, 2)) {
		x.global_addr = z->b[i].g + (pick(z, 2) ? 0 : edge(z, size));
		x.key = pick(z, 4) ? z->b[i].k : rnd(z);
	} else {
		x.global_addr = edge(z, ~0ULL);
		x.key = rnd(z);
	}
	x.cookie = x.flags & CDMA_XFER_F_ASYNC ? edge(z, 1024) :
		   (pick(z, 8) ? 0 : rnd(z));
	if (!pick(z, 32))
		x.reserved[pick(z, 2)] = rnd(z);
	account(z, xioctl(z->fd, CDMA_IOC_SUBMIT, &x));
}

static void op_wait(struct fz *z)
{
	struct cdma_wait w = { 0 };

	w.cookie = edge(z, 1024);
	w.timeout_ns = pick(z, 2) ? 0 : 1000 * pick(z, 1000);
	account(z, xioctl(z->fd, CDMA_IOC_WAIT, &w));
}

static void op_mode(struct fz *z)
{
	struct cdma_mode m = { 0 };
	int efd = -1, r;

	m.mode = pick(z, 8) ? pick(z, 2) : (uint32_t)edge(z, 2);
	switch (pick(z, 4)) {
	case 0:
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		m.eventfd = efd;
		break;
	case 1:
		m.eventfd = (int32_t)edge(z, 1024);
		break;
	case 2:
		m.eventfd = z->fd;	/* not an eventfd */
		break;
	default:
		m.eventfd = -1;
	}
	if (!pick(z, 16))
		m.reserved[1] = 1;
	r = xioctl(z->fd, CDMA_IOC_SET_MODE, &m);
	account(z, r);
	if (efd >= 0)
		close(efd);
}

static void op_misc(struct fz *z)
{
	unsigned char arg[256];
	struct cdma_completion rec[4];
	struct pollfd p = { .fd = z->fd, .events = POLLIN };
	unsigned int magic;
	unsigned long req;
	ssize_t n;

	switch (pick(z, 4)) {
	case 0:
		account(z, xioctl(z->fd, CDMA_IOC_INFO, arg));
		break;
	case 1:
		/*
		 * Unknown numbers, and known ones of the wrong size.  Not the
		 * types the VFS answers itself ('X': FIFREEZE would freeze
		 * /dev; 'T': FIONBIO, FIOASYNC; 'f'; 0x12).
		 */
		magic = pick(z, 2) ? CDMA_IOC_MAGIC : pick(z, 256);
		if (magic == 'X' || magic == 'T' || magic == 'f' ||
		    magic == 0x12)
			magic = CDMA_IOC_MAGIC;
		req = _IOC(pick(z, 4), magic, pick(z, 2) ? 0x40 + pick(z, 16) :
			   pick(z, 256), pick(z, 256));
		memset(arg, (int)pick(z, 256), sizeof(arg));
		if (req == CDMA_IOC_SUBMIT || req == CDMA_IOC_ALLOC)
			break;	/* random arguments of those are op_*()'s */
		account(z, xioctl(z->fd, req, arg));
		break;
	case 2:
		n = read(z->fd, rec, pick(z, 2) ? sizeof(rec) : pick(z, 40));
		account(z, n < 0 ? -errno : 0);
		break;
	default:
		account(z, poll(&p, 1, 0) < 0 ? -errno : 0);
	}
}

static void op_mmap(struct fz *z)
{
	unsigned int i = z->nbufs ? pick(z, z->nbufs) : 0;
	uint64_t size = z->nbufs ? z->b[i].size : (uint64_t)page_size;
	uint64_t off = z->nbufs && pick(z, 4) ?
		       (uint64_t)z->b[i].handle * page_size :
		       edge(z, 64) * page_size;
	size_t len = pick(z, 4) ? (size_t)size : (size_t)edge(z, 4 * size);
	int prot = pick(z, 4) ? PROT_READ | PROT_WRITE : PROT_READ;
	int flags = pick(z, 8) ? MAP_SHARED : MAP_PRIVATE;
	uint8_t *p;

	if (!len || len > 64 * (size_t)MAX_SIZE)
		len = page_size;
	p = mmap(NULL, len, prot, flags, z->fd, (off_t)off);
	/* mmap(2)'s own: offset plus length past the page offsets. */
	account(z, p == MAP_FAILED && errno != EOVERFLOW ? -errno : 0);
	if (p == MAP_FAILED)
		return;
	/* The mapping holds the buffer: a FREE meanwhile changes nothing. */
	if (pick(z, 2))
		op_free(z);
	__atomic_load_n(&p[0], __ATOMIC_RELAXED);
	if (prot & PROT_WRITE)
		__atomic_store_n(&p[len - 1], 0x5a, __ATOMIC_RELAXED);
	if (pick(z, 2))
		madvise(p, len, MADV_DONTNEED);
	__atomic_load_n(&p[len / 2], __ATOMIC_RELAXED);
	munmap(p, len);
}

/* A file of its own: transfers in flight, then closed. */
static void op_close_inflight(struct fz *z)
{
	int saved = z->fd, fd = open(dev_path, O_RDWR | O_CLOEXEC);
	unsigned int k;

	if (fd < 0) {
		account(z, -errno);
		return;
	}
	z->fd = fd;
	z->nbufs = 0;
	op_alloc(z);
	op_alloc(z);
	for (k = 0; k < 8 && z->nbufs == 2; k++) {
		struct cdma_xfer x = {
			.dir = CDMA_XFER_LOCAL, .flags = CDMA_XFER_F_ASYNC,
			.src_handle = z->b[0].handle,
			.dst_handle = z->b[1].handle,
			.length = z->b[0].size < z->b[1].size ?
				  z->b[0].size : z->b[1].size,
			.cookie = k + 1,
		};
		account(z, xioctl(fd, CDMA_IOC_SUBMIT, &x));
	}
	close(fd);
	z->fd = saved;
	z->nbufs = 0;
	__atomic_add_fetch(&n_closes, 1, __ATOMIC_RELAXED);
}

static void fuzz_one(struct fz *z)
{
	/* Weights out of 20. */
	static void (*const ops[20])(struct fz *z) = {
		op_alloc, op_alloc, op_alloc, op_free, op_free, op_export,
		op_revoke, op_submit, op_submit, op_submit, op_submit,
		op_submit, op_wait, op_wait, op_mode, op_misc, op_misc,
		op_mmap, op_mmap, op_misc,
	};
	unsigned int i = pick(z, 20);

	if (i == 19 && !pick(z, 64))
		op_close_inflight(z);
	else
		ops[i](z);
}

/* A child: some calls on the inherited file, then exit or be killed. */
static void fork_child(struct fz *z)
{
	struct fz c = *z;
	int status;
	pid_t pid;

	c.rnd ^= 0x5bd1e995;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		unsigned int i;

		for (i = 0; i < 200; i++)
			fuzz_one(&c);
		_exit(0);
	}
	if (pick(z, 2)) {
		usleep(pick(z, 2000));
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	__atomic_add_fetch(&n_forks, 1, __ATOMIC_RELAXED);
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
		pthread_mutex_lock(&count_lock);
		if (nr_bad < ARRAY_SIZE(bad_errnos))
			bad_errnos[nr_bad++] = 1000 + WTERMSIG(status);
		pthread_mutex_unlock(&count_lock);
		z->bad++;
	}
}

static void *thread_run(void *arg)
{
	struct fz *z = arg;
	unsigned long i, n = calls_total / nthreads;

	for (i = 0; z->calls < n; i++) {
		fuzz_one(z);
		if (i % 2000 == 1999 && !pick(z, 2))
			fork_child(z);
	}
	__atomic_add_fetch(&n_calls, z->calls, __ATOMIC_RELAXED);
	__atomic_add_fetch(&n_ok, z->ok, __ATOMIC_RELAXED);
	__atomic_add_fetch(&n_bad_errno, z->bad, __ATOMIC_RELAXED);
	return NULL;
}

/* One transfer on a new file, every byte checked. */
static int final_check(void)
{
	struct cdma_alloc a = { .size = 256 * 1024 }, b = { .size = 256 * 1024 };
	struct cdma_xfer x = { .dir = CDMA_XFER_LOCAL };
	uint8_t *pa, *pb;
	size_t i;
	int fd, ok = 0;

	fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || xioctl(fd, CDMA_IOC_ALLOC, &a) ||
	    xioctl(fd, CDMA_IOC_ALLOC, &b))
		goto out;
	pa = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  (off_t)a.mmap_offset);
	pb = mmap(NULL, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  (off_t)b.mmap_offset);
	if (pa == MAP_FAILED || pb == MAP_FAILED)
		goto out;
	for (i = 0; i < a.size; i++)
		pa[i] = (uint8_t)(i * 131 + (seed & 0xff));
	memset(pb, 0, b.size);
	x.src_handle = a.handle;
	x.dst_handle = b.handle;
	x.length = a.size;
	if (xioctl(fd, CDMA_IOC_SUBMIT, &x))
		goto out;
	ok = !memcmp(pa, pb, a.size);
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

static void usage(const char *prog)
{
	fprintf(stderr, "Usage: %s [-d DEVICE] [-n CALLS] [-t THREADS] [-s SEED]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct cd_arg args[] = {
		{ 'd', CD_ARG_STR, &dev_path },
		{ 'n', CD_ARG_ULONG, &calls_total },
		{ 't', CD_ARG_UINT, &nthreads }, { 's', CD_ARG_U64, &seed },
	};
	struct fz z[64];
	pthread_t t[64];
	unsigned int i;
	int c, tn = 0;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (cd_getopt(argc, argv, args, ARRAY_SIZE(args)) || !nthreads ||
	    nthreads > 64 || !calls_total)
		usage(argv[0]);
	page_size = sysconf(_SC_PAGESIZE);
	signal(SIGPIPE, SIG_IGN);
	printf("TAP version 13\n1..3\n# cdma_fuzz: %s, seed %#llx, %lu calls, %u threads\n",
	       dev_path, (unsigned long long)seed, calls_total, nthreads);
	fflush(stdout);

	shared_fd = open(dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (shared_fd < 0 || xioctl(shared_fd, CDMA_IOC_INFO, &info)) {
		printf("Bail out! cannot open %s: %s\n", dev_path,
		       strerror(errno));
		return 1;
	}
	for (i = 0; i < nthreads; i++) {
		memset(&z[i], 0, sizeof(z[i]));
		z[i].rnd = seed + i * 0x1000193ULL;
		z[i].fd = shared_fd;
		if (pthread_create(&t[i], NULL, thread_run, &z[i])) {
			printf("Bail out! pthread_create\n");
			return 1;
		}
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	close(shared_fd);

	printf("# calls %lu (%lu succeeded), forks %lu, files closed with transfers %lu\n",
	       n_calls, n_ok, n_forks, n_closes);
	printf("%sok %d every call returned 0 or a documented errno\n",
	       n_bad_errno ? "not " : "", ++tn);
	for (i = 0; i < nr_bad; i++)
		printf("#   %s %d\n", bad_errnos[i] > 1000 ? "child signal" : "errno",
		       bad_errnos[i] > 1000 ? bad_errnos[i] - 1000 : bad_errnos[i]);
	printf("%sok %d at least %lu calls made\n",
	       n_calls >= calls_total ? "" : "not ", ++tn, calls_total);
	c = final_check();
	printf("%sok %d a transfer on a new file moves every byte\n",
	       c ? "" : "not ", ++tn);
	return n_bad_errno || n_calls < calls_total || !c;
}
