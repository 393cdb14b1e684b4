/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the cDMA selftests (cdma_helpers.c): device path, ioctl
 * wrappers that return -errno, position-addressable random patterns,
 * structure field tables and buffers.  What checks with the kselftest
 * harness is in cdma_fixture.h.
 */
#ifndef CDMA_HELPERS_H
#define CDMA_HELPERS_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/cdma.h>
#include <linux/userfaultfd.h>

#include "pattern.h"

#define CD_RW	(CDMA_ACCESS_READ | CDMA_ACCESS_WRITE)

#define KiB	(1024ULL)
#define MiB	(1024ULL * 1024ULL)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Device under test: -d PATH, else $CDMA_DEV, else /dev/cdma0. */
extern const char *cdma_dev_path;
/* Base of every pattern seed: $CDMA_SEED, else chosen at start. */
extern uint64_t cdma_seed;

unsigned int cd_timeout(unsigned int seconds);

/* ------------------------------------------------------------------ */
/* ioctl wrappers: 0 (or the non-negative result) on success, -errno.  */

int cd_ioctl(int fd, unsigned long req, void *arg);
int cd_info(int fd, struct cdma_info *info);
int cd_alloc(int fd, __u64 size, __u32 *handle, __u64 *mmap_off);
int cd_free(int fd, __u32 handle);
int cd_local(int fd, __u32 src, __u64 soff, __u32 dst, __u64 doff,
	     __u64 len);
int cd_local_async(int fd, __u32 src, __u64 soff, __u32 dst, __u64 doff,
		   __u64 len, __u64 cookie);
void cd_global_xfer(struct cdma_xfer *x, __u32 dir, __u32 flags,
		    __u32 handle, __u64 off, __u64 gaddr, __u64 key,
		    __u64 len, __u64 cookie);
int cd_global(int fd, __u32 dir, __u32 flags, __u32 handle, __u64 off,
	      __u64 gaddr, __u64 key, __u64 len, __u64 cookie);
int cd_to_global(int fd, __u32 src, __u64 soff, __u64 gaddr, __u64 key,
		 __u64 len);
int cd_from_global(int fd, __u64 gaddr, __u64 key, __u32 dst, __u64 doff,
		   __u64 len);
int cd_wait(int fd, __u64 cookie, __u64 timeout_ns,
	    struct cdma_completion *c);
int cd_set_mode(int fd, __u32 mode, int efd);
int cd_export(int fd, __u32 handle, __u32 access, __u64 *gaddr, __u64 *key);
int cd_revoke(int fd, __u32 handle);
ssize_t cd_read(int fd, void *buf, size_t len);
int cd_poll(int fd, short events, int timeout_ms);
uint64_t cd_now_ns(void);

static inline int cd_open(void)
{
	return open(cdma_dev_path, O_RDWR | O_CLOEXEC);
}

static inline int cd_submit(int fd, struct cdma_xfer *x)
{
	return cd_ioctl(fd, CDMA_IOC_SUBMIT, x);
}

/* mmap a buffer; MAP_FAILED with errno on failure. */
static inline void *cd_map(int fd, __u64 off, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)off);
}

static inline unsigned int cd_min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

/* @size, or the device's max_buffer_size if that is smaller. */
static inline __u64 cd_max_size(const struct cdma_info *info, __u64 size)
{
	return size < info->max_buffer_size ? size : info->max_buffer_size;
}

static inline __u64 cd_round_up(__u64 v, __u64 a)
{
	return (v + a - 1) / a * a;
}

static inline __u32 cd_gaddr_node(__u64 g)
{
	return (__u32)(g >> CDMA_GADDR_NODE_SHIFT);
}

static inline __u32 cd_gaddr_segment(__u64 g)
{
	return (__u32)((g >> CDMA_GADDR_SEGMENT_SHIFT) & 0xffff);
}

/* ------------------------------------------------------------------ */
/*
 * Patterns: byte i of pattern @seed is byte (i % 8) of mix(seed, i / 8),
 * so any sub-range can be checked against its absolute position
 * (CDMA_PATTERN_SPLITMIX of pattern.h).
 */

/* p[k] = pattern byte at absolute position pos + k, for k < n */
static inline void pat_fill_at(void *p, size_t n, uint64_t seed, uint64_t pos)
{
	cdma_pattern_fill(CDMA_PATTERN_SPLITMIX, seed, p, n, pos);
}

static inline void pat_fill(void *p, size_t n, uint64_t seed)
{
	pat_fill_at(p, n, seed, 0);
}

/* Index of the first k < n with p[k] != pattern(seed, pos + k), or -1. */
static inline ssize_t pat_check_at(const void *p, size_t n, uint64_t seed,
				   uint64_t pos)
{
	return cdma_pattern_check(CDMA_PATTERN_SPLITMIX, seed, p, n, pos);
}

static inline ssize_t pat_check(const void *p, size_t n, uint64_t seed)
{
	return pat_check_at(p, n, seed, 0);
}

uint8_t pat_byte(uint64_t seed, uint64_t pos);
ssize_t mem_check_byte(const void *p, size_t n, uint8_t c);
uint64_t rnd_next(uint64_t *s);

/* ------------------------------------------------------------------ */
/* Structure field tables, to set each reserved/unused field in turn.  */

struct cd_field {
	const char *name;
	size_t off;
	size_t size;
};

#define CD_FIELD(type, member) \
	{ #member, offsetof(type, member), sizeof(((type *)0)->member) }

/* Nonzero values tried for each field: low bit, top bit, all ones. */
#define CD_FIELD_VALUES 3

void cd_field_set(void *s, const struct cd_field *f, uint64_t v);
uint64_t cd_field_value(const struct cd_field *f, int i);

/* ------------------------------------------------------------------ */
/* Buffers, completions, bad pointers                                  */

struct cd_buf {
	__u32 handle;
	__u64 off;		/* mmap offset */
	size_t size;		/* requested size */
	size_t len;		/* mapped length: size rounded up to page_size */
	uint8_t *map;		/* NULL if not mapped */
};

#define CD_REC	sizeof(struct cdma_completion)

void *cd_null(void);
void *cd_bad_ptr(void);
int64_t cd_efd_take(int efd);

/* ------------------------------------------------------------------ */
/* Files, command lines of the programs without the harness           */

int cd_write_file(const char *path, const char *s);
void cd_print_run(const char *prog, const char *dev, uint64_t seed);

enum cd_arg_type {
	CD_ARG_FLAG,	/* no argument: cd_getopt() returns the letter */
	CD_ARG_STR,	/* const char * */
	CD_ARG_UINT,	/* unsigned int */
	CD_ARG_ULONG,	/* unsigned long */
	CD_ARG_U64,	/* uint64_t */
};

/**
 * struct cd_arg - an option of a program, for cd_getopt()
 * @opt: its letter
 * @type: what its argument is (a number: strtoul()'s base 0)
 * @value: receives the argument (NULL for CD_ARG_FLAG)
 */
struct cd_arg {
	char opt;
	enum cd_arg_type type;
	void *value;
};

/* At most this many options in a table of cd_getopt(). */
#define CD_MAX_ARGS	16

int cd_getopt(int argc, char **argv, const struct cd_arg *args,
	      unsigned int nargs);

#endif /* CDMA_HELPERS_H */
