// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the cDMA selftests (cdma_helpers.h).
 */
#include "cdma_helpers.h"

const char *cdma_dev_path = "/dev/cdma0";
uint64_t cdma_seed;

/*
 * Per-test timeout in seconds, scaled by $CDMA_TIMEOUT_SCALE (an integer,
 * for slow debug kernels).  Evaluated by the harness's constructors.
 */
unsigned int cd_timeout(unsigned int seconds)
{
	const char *s = getenv("CDMA_TIMEOUT_SCALE");
	unsigned long scale = s ? strtoul(s, NULL, 0) : 1;

	if (scale < 1 || scale > 100)
		scale = 1;
	return seconds * scale;
}

/* ------------------------------------------------------------------ */
/* ioctl wrappers: 0 (or the non-negative result) on success, -errno.  */

/* ioctl(): its non-negative result, or -errno. */
int cd_ioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

/* CDMA_IOC_INFO into @info (cleared first). */
int cd_info(int fd, struct cdma_info *info)
{
	memset(info, 0, sizeof(*info));
	return cd_ioctl(fd, CDMA_IOC_INFO, info);
}

/* CDMA_IOC_ALLOC of @size: *@handle and *@mmap_off (each may be NULL). */
int cd_alloc(int fd, __u64 size, __u32 *handle, __u64 *mmap_off)
{
	struct cdma_alloc a = { .size = size };
	int r = cd_ioctl(fd, CDMA_IOC_ALLOC, &a);

	if (!r) {
		if (handle)
			*handle = a.handle;
		if (mmap_off)
			*mmap_off = a.mmap_offset;
	}
	return r;
}

/* CDMA_IOC_FREE of @handle. */
int cd_free(int fd, __u32 handle)
{
	struct cdma_free f = { .handle = handle };

	return cd_ioctl(fd, CDMA_IOC_FREE, &f);
}

/* A LOCAL transfer with @flags (and @cookie, for an asynchronous one). */
static int cd_local_flags(int fd, __u32 flags, __u32 src, __u64 soff,
			  __u32 dst, __u64 doff, __u64 len, __u64 cookie)
{
	struct cdma_xfer x = {
		.dir = CDMA_XFER_LOCAL, .flags = flags,
		.src_handle = src, .dst_handle = dst,
		.src_offset = soff, .dst_offset = doff, .length = len,
		.cookie = cookie,
	};

	return cd_submit(fd, &x);
}

/* A synchronous LOCAL transfer of @len bytes. */
int cd_local(int fd, __u32 src, __u64 soff, __u32 dst, __u64 doff, __u64 len)
{
	return cd_local_flags(fd, 0, src, soff, dst, doff, len, 0);
}

/* An asynchronous LOCAL transfer of @len bytes, completed as @cookie. */
int cd_local_async(int fd, __u32 src, __u64 soff, __u32 dst, __u64 doff,
		   __u64 len, __u64 cookie)
{
	return cd_local_flags(fd, CDMA_XFER_F_ASYNC, src, soff, dst, doff, len,
			      cookie);
}

/*
 * Fill *@x (every other field zero) with a TO_GLOBAL or FROM_GLOBAL
 * transfer (@dir) with @flags (and @cookie, for an asynchronous one)
 * between @len bytes at offset @off of buffer @handle and the exported
 * buffer at @gaddr (key @key).
 */
void cd_global_xfer(struct cdma_xfer *x, __u32 dir, __u32 flags,
		    __u32 handle, __u64 off, __u64 gaddr, __u64 key,
		    __u64 len, __u64 cookie)
{
	memset(x, 0, sizeof(*x));
	x->dir = dir;
	x->flags = flags;
	x->global_addr = gaddr;
	x->key = key;
	x->length = len;
	x->cookie = cookie;
	if (dir == CDMA_XFER_TO_GLOBAL) {
		x->src_handle = handle;
		x->src_offset = off;
	} else {
		x->dst_handle = handle;
		x->dst_offset = off;
	}
}

/* Submit the transfer cd_global_xfer() describes. */
int cd_global(int fd, __u32 dir, __u32 flags, __u32 handle, __u64 off,
	      __u64 gaddr, __u64 key, __u64 len, __u64 cookie)
{
	struct cdma_xfer x;

	cd_global_xfer(&x, dir, flags, handle, off, gaddr, key, len, cookie);
	return cd_submit(fd, &x);
}

/* A TO_GLOBAL transfer: @len bytes of @src at @soff to @gaddr. */
int cd_to_global(int fd, __u32 src, __u64 soff, __u64 gaddr, __u64 key,
		 __u64 len)
{
	return cd_global(fd, CDMA_XFER_TO_GLOBAL, 0, src, soff, gaddr, key, len,
			 0);
}

/* A FROM_GLOBAL transfer: @len bytes at @gaddr to @dst at @doff. */
int cd_from_global(int fd, __u64 gaddr, __u64 key, __u32 dst, __u64 doff,
		   __u64 len)
{
	return cd_global(fd, CDMA_XFER_FROM_GLOBAL, 0, dst, doff, gaddr, key,
			 len, 0);
}

/* CDMA_IOC_WAIT for @cookie; its completion into *@c (may be NULL). */
int cd_wait(int fd, __u64 cookie, __u64 timeout_ns, struct cdma_completion *c)
{
	struct cdma_wait w = { .cookie = cookie, .timeout_ns = timeout_ns };
	int r = cd_ioctl(fd, CDMA_IOC_WAIT, &w);

	if (!r && c)
		*c = w.completion;
	return r;
}

/* CDMA_IOC_SET_MODE to @mode, with eventfd @efd. */
int cd_set_mode(int fd, __u32 mode, int efd)
{
	struct cdma_mode m = { .mode = mode, .eventfd = efd };

	return cd_ioctl(fd, CDMA_IOC_SET_MODE, &m);
}

/* CDMA_IOC_EXPORT of @handle: *@gaddr and *@key (each may be NULL). */
int cd_export(int fd, __u32 handle, __u32 access, __u64 *gaddr, __u64 *key)
{
	struct cdma_export e = { .handle = handle, .access = access };
	int r = cd_ioctl(fd, CDMA_IOC_EXPORT, &e);

	if (!r) {
		if (gaddr)
			*gaddr = e.global_addr;
		if (key)
			*key = e.key;
	}
	return r;
}

/* CDMA_IOC_REVOKE of @handle. */
int cd_revoke(int fd, __u32 handle)
{
	struct cdma_revoke r = { .handle = handle };

	return cd_ioctl(fd, CDMA_IOC_REVOKE, &r);
}

/* read() completion records: bytes read or -errno. */
ssize_t cd_read(int fd, void *buf, size_t len)
{
	ssize_t r = read(fd, buf, len);

	return r < 0 ? -errno : r;
}

/* poll() one fd for @events: revents, 0 on timeout, -errno. */
int cd_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return -errno;
	return r ? p.revents : 0;
}

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t cd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Patterns                                                            */

/* The byte at position @pos of pattern @seed. */
uint8_t pat_byte(uint64_t seed, uint64_t pos)
{
	uint8_t b;

	pat_fill_at(&b, 1, seed, pos);
	return b;
}

/* Index of the first byte != c, or -1 */
ssize_t mem_check_byte(const void *p, size_t n, uint8_t c)
{
	const uint8_t *b = p;
	size_t k;

	for (k = 0; k < n; k++)
		if (b[k] != c)
			return (ssize_t)k;
	return -1;
}

/* Small deterministic PRNG for test parameters (xorshift64*). */
uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x2545f4914f6cdd1dULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* ------------------------------------------------------------------ */
/* Structure field tables                                              */

/* Set field @f of structure @s to @v (truncated to the field's size). */
void cd_field_set(void *s, const struct cd_field *f, uint64_t v)
{
	uint8_t *p = (uint8_t *)s + f->off;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (f->size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/*
 * Nonzero value @i (< CD_FIELD_VALUES) tried for field @f: low bit, top
 * bit, all ones.
 */
uint64_t cd_field_value(const struct cd_field *f, int i)
{
	unsigned int bits = (unsigned int)f->size * 8;

	switch (i) {
	case 0:
		return 1;
	case 1:
		return 1ULL << (bits - 1);
	default:
		return bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	}
}

/* ------------------------------------------------------------------ */
/* Bad pointers, eventfds                                              */

/* NULL that the compiler cannot see (to pass it where it warns). */
void *cd_null(void)
{
	void *p = NULL;

	__asm__ ("" : "+r" (p));
	return p;
}

/* An address no process has mapped (a page mapped then unmapped). */
void *cd_bad_ptr(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return (void *)8;
	munmap(p, 4096);
	return p;
}

/* Read the eventfd counter without blocking: value, 0 if none, -errno. */
int64_t cd_efd_take(int efd)
{
	uint64_t v;
	ssize_t r = read(efd, &v, sizeof(v));

	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	return r == sizeof(v) ? (int64_t)v : -EIO;
}

/* ------------------------------------------------------------------ */
/* Files, command lines                                                */

/* Write the string @s to the file @path: 0, -errno, -EIO if short. */
int cd_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		n = -errno;
	else
		n = n == (ssize_t)strlen(s) ? 0 : -EIO;
	close(fd);
	return (int)n;
}

/*
 * Where and with what data the run of @prog happened, for reproduction:
 * after the TAP output (TAP wants its version line first).
 */
void cd_print_run(const char *prog, const char *dev, uint64_t seed)
{
	printf("# %s: device %s CDMA_SEED=%#llx\n", prog, dev,
	       (unsigned long long)seed);
	fflush(stdout);
}

static void cd_arg_set(const struct cd_arg *a, const char *v)
{
	switch (a->type) {
	case CD_ARG_STR:
		*(const char **)a->value = v;
		break;
	case CD_ARG_UINT:
		*(unsigned int *)a->value = (unsigned int)strtoul(v, NULL, 0);
		break;
	case CD_ARG_ULONG:
		*(unsigned long *)a->value = strtoul(v, NULL, 0);
		break;
	case CD_ARG_U64:
		*(uint64_t *)a->value = strtoull(v, NULL, 0);
		break;
	default:
		break;
	}
}

/**
 * cd_getopt() - parse a program's options (getopt()) by a table
 * @argc: main()'s
 * @argv: main()'s
 * @args: the options: each one's argument is stored where it says
 * @nargs: number of @args, at most CD_MAX_ARGS
 *
 * Return: 0 once every option is parsed; else, at the first option
 * that is not one to store, the letter of a CD_ARG_FLAG option or '?'
 * (an unknown option or a missing argument: getopt() said which).
 */
int cd_getopt(int argc, char **argv, const struct cd_arg *args,
	      unsigned int nargs)
{
	char optstring[2 * CD_MAX_ARGS + 1], *p = optstring;
	unsigned int i;
	int c;

	if (nargs > CD_MAX_ARGS)
		return '?';
	for (i = 0; i < nargs; i++) {
		*p++ = args[i].opt;
		if (args[i].type != CD_ARG_FLAG)
			*p++ = ':';
	}
	*p = 0;
	while ((c = getopt(argc, argv, optstring)) != -1) {
		for (i = 0; i < nargs && args[i].opt != c; i++)
			;
		if (i == nargs || args[i].type == CD_ARG_FLAG)
			return c;
		cd_arg_set(&args[i], optarg);
	}
	return 0;
}
