// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libcdma_test - tests of libcdma against a cDMA device, TAP output.
 *
 *   libcdma_test [-d DEVICE]     (default $CDMA_DEV, else /dev/cdma0)
 *
 * Exits 0 when every test passed, 1 otherwise; a test that needs a
 * capability the device lacks (CDMA_CAP_GLOBAL) is skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libcdma.h"

static const char *path = "/dev/cdma0";
static int nr, failed, skipped;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: %s failed\n", __func__, __LINE__, #cond); \
		return -1;						\
	}								\
} while (0)

/* A pattern that differs per position and per seed. */
static void fill(void *p, uint64_t n, uint64_t seed)
{
	unsigned char *c = p;
	uint64_t i;

	for (i = 0; i < n; i++)
		c[i] = (unsigned char)((i * 2654435761u) >> 7 ^ seed);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct fixture {
	struct cdma_dev *dev;
	struct cdma_buf *a, *b;
};

static int setup(struct fixture *f, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	CHECK(!cdma_dev_open(path, &f->dev));
	CHECK(!cdma_buf_alloc(f->dev, size, 0, &f->a));
	CHECK(!cdma_buf_alloc(f->dev, size, 0, &f->b));
	return 0;
}

/* ------------------------------------------------------------------ */

static int t_open_info(void)
{
	const struct cdma_info *in;
	struct cdma_dev *dev;
	char p[64];

	CHECK(cdma_dev_open("/dev/null-no-such-cdma", &dev) == -ENOENT);
	CHECK(!cdma_dev_open(path, &dev));
	in = cdma_dev_info(dev);
	CHECK(in->version == CDMA_UAPI_VERSION);
	CHECK(in->page_size >= 4096);
	CHECK(!strcmp(cdma_dev_path(dev), path));
	CHECK(cdma_dev_fd(dev) >= 0);
	CHECK(cdma_dev_event_fd(dev) == cdma_dev_fd(dev));
	CHECK(cdma_dev_mode(dev) == CDMA_MODE_INTERRUPT);
	CHECK(cdma_inflight(dev) == 0);
	CHECK(!cdma_dev_find(cdma_dev_is_virtual(dev) ? CDMA_FIND_VIRTUAL :
			     CDMA_FIND_NATIVE, 0, p, sizeof(p)));
	CHECK(cdma_dev_find(CDMA_FIND_ANY, 0, p, 3) == -ENAMETOOLONG);
	CHECK(cdma_dev_find(7, 0, p, sizeof(p)) == -EINVAL);
	CHECK(cdma_dev_find(CDMA_FIND_ANY, 100000, p, sizeof(p)) == -ENOENT);
	cdma_dev_close(dev);
	cdma_dev_close(NULL);
	return 0;
}

static int t_buffers(void)
{
	struct cdma_buf *b, *c;
	struct cdma_dev *dev;
	uint64_t page;

	CHECK(!cdma_dev_open(path, &dev));
	page = cdma_dev_info(dev)->page_size;
	CHECK(!cdma_buf_alloc(dev, 1, 0, &b));
	CHECK(b->size == page && b->addr && b->handle && b->dev == dev);
	CHECK(((unsigned char *)b->addr)[page - 1] == 0);	/* zeroed */
	CHECK(!cdma_buf_alloc(dev, 3 * page, CDMA_BUF_NOMAP, &c));
	CHECK(!c->addr && c->size == 3 * page);
	CHECK(!cdma_buf_map(c) && c->addr);
	memset(c->addr, 0xab, c->size);
	cdma_buf_unmap(c);
	CHECK(!c->addr);
	CHECK(cdma_buf_alloc(dev, 0, 0, &c) == -EINVAL);
	CHECK(cdma_buf_alloc(dev, page, 0x80, &c) == -EINVAL);
	CHECK(cdma_buf_alloc(dev, cdma_dev_info(dev)->max_buffer_size + 1, 0,
			     &c) == -EFBIG);
	CHECK(!cdma_buf_free(b));
	CHECK(!cdma_buf_free(NULL));
	/* The NOMAP buffer is freed by close. */
	cdma_dev_close(dev);
	return 0;
}

static int t_copy_sync(void)
{
	const uint64_t size = 1 << 20;
	struct fixture f;
	struct cdma_dev *other;
	struct cdma_buf *ob;

	CHECK(!setup(&f, size));
	fill(f.a->addr, size, 1);
	CHECK(!cdma_copy(f.b, 0, f.a, 0, size));
	CHECK(!memcmp(f.a->addr, f.b->addr, size));
	fill(f.a->addr, size, 2);
	CHECK(!cdma_copy(f.b, 100, f.a, 3, 1000));
	CHECK(!memcmp((char *)f.b->addr + 100, (char *)f.a->addr + 3, 1000));
	CHECK(cdma_copy(f.b, size - 1, f.a, 0, 2) == -ERANGE);
	CHECK(cdma_copy(f.a, 0, f.a, 10, 20) == -EINVAL);	/* overlap */
	CHECK(!cdma_dev_open(path, &other));
	CHECK(!cdma_buf_alloc(other, 4096, 0, &ob));
	CHECK(cdma_copy(ob, 0, f.a, 0, 10) == -EXDEV);
	CHECK(cdma_copy_async(ob, 0, f.a, 0, 10, NULL, NULL, NULL) == -EXDEV);
	cdma_dev_close(other);
	cdma_dev_close(f.dev);
	return 0;
}

struct counter {
	int calls;
	int bad;
	uint64_t last_cookie;
	uint64_t bytes;
};

static void count_done(struct cdma_dev *dev, const struct cdma_completion *c,
		       void *arg)
{
	struct counter *k = arg;

	(void)dev;
	k->calls++;
	k->last_cookie = c->cookie;
	k->bytes += c->bytes;
	if (c->status)
		k->bad++;
}

static int t_async_progress(void)
{
	const uint64_t size = 256 << 10;
	struct counter k = { 0 };
	struct fixture f;
	uint64_t cookie;
	int i, n = 0;

	CHECK(!setup(&f, size));
	fill(f.a->addr, size, 3);
	for (i = 0; i < 8; i++)
		CHECK(!cdma_copy_async(f.b, i * (size / 8), f.a, i * (size / 8),
				       size / 8, count_done, &k, &cookie));
	CHECK(cdma_inflight(f.dev) == 8);
	while (n < 8) {
		int r = cdma_progress(f.dev, 5000000000LL);

		CHECK(r > 0);
		n += r;
	}
	CHECK(n == 8 && k.calls == 8 && !k.bad && k.bytes == size);
	CHECK(cdma_inflight(f.dev) == 0);
	CHECK(!memcmp(f.a->addr, f.b->addr, size));
	/* Nothing in flight: returns at once. */
	CHECK(cdma_progress(f.dev, -1) == 0);
	CHECK(cdma_wait(f.dev, cookie, 0, NULL) == -ENOENT);
	cdma_dev_close(f.dev);
	return 0;
}

static int t_wait(void)
{
	struct counter k = { 0 };
	struct cdma_completion c;
	struct fixture f;
	uint64_t c1, c2;

	CHECK(!setup(&f, 1 << 20));
	CHECK(!cdma_copy_async(f.b, 0, f.a, 0, 1 << 20, count_done, &k, &c1));
	CHECK(!cdma_copy_async(f.a, 0, f.b, 0, 4096, NULL, NULL, &c2));
	CHECK(c1 != c2);
	CHECK(!cdma_wait(f.dev, c1, 5000000000LL, &c));
	CHECK(c.cookie == c1 && c.status == 0 && c.bytes == 1 << 20);
	CHECK(k.calls == 1 && k.last_cookie == c1);
	CHECK(cdma_wait(f.dev, c1, -1, &c) == -ENOENT);
	CHECK(!cdma_wait(f.dev, c2, -1, &c) && c.bytes == 4096);
	CHECK(cdma_inflight(f.dev) == 0);
	CHECK(cdma_wait(f.dev, 12345, 0, NULL) == -ENOENT);
	cdma_dev_close(f.dev);
	return 0;
}

/* A callback that keeps a chain going: each completion starts the next. */
struct chain {
	struct fixture *f;
	int left, done, bad;
};

static void chain_done(struct cdma_dev *dev, const struct cdma_completion *c,
		       void *arg)
{
	struct chain *ch = arg;

	(void)dev;
	ch->done++;
	if (c->status)
		ch->bad++;
	if (ch->left > 0) {
		ch->left--;
		if (cdma_copy_async(ch->f->b, 0, ch->f->a, 0, 64 << 10,
				    chain_done, ch, NULL))
			ch->bad++;
	}
}

static int loop_chain(int use_eventfd, int polling)
{
	struct chain ch = { .left = 20 };
	struct cdma_loop *loop;
	struct fixture f, g;
	struct counter k = { 0 };
	int efd;

	CHECK(!setup(&f, 64 << 10));
	CHECK(!setup(&g, 64 << 10));
	ch.f = &f;
	CHECK(!cdma_loop_create(&loop));
	CHECK(cdma_loop_fd(loop) >= 0);
	CHECK(!cdma_loop_add(loop, f.dev));
	CHECK(cdma_loop_add(loop, f.dev) == -EBUSY);
	CHECK(!cdma_loop_add(loop, g.dev));
	if (use_eventfd) {
		/* Enabled after joining the loop: the loop follows. */
		efd = cdma_dev_enable_eventfd(f.dev);
		CHECK(efd >= 0 && cdma_dev_enable_eventfd(f.dev) == efd);
		CHECK(cdma_dev_event_fd(f.dev) == efd);
	}
	if (polling) {
		CHECK(!cdma_dev_set_mode(f.dev, CDMA_MODE_POLL));
		CHECK(cdma_dev_mode(f.dev) == CDMA_MODE_POLL);
	}
	CHECK(!cdma_copy_async(f.b, 0, f.a, 0, 64 << 10, chain_done, &ch,
			       NULL));
	CHECK(!cdma_copy_async(g.b, 0, g.a, 0, 64 << 10, count_done, &k,
			       NULL));
	CHECK(!cdma_loop_run(loop, 30000000000LL));
	CHECK(ch.done == 21 && !ch.bad && ch.left == 0);
	CHECK(k.calls == 1 && !k.bad);
	CHECK(cdma_inflight(f.dev) == 0 && cdma_inflight(g.dev) == 0);
	/* Idle loop: run returns at once; run_once times out. */
	CHECK(!cdma_loop_run(loop, -1));
	CHECK(cdma_loop_run_once(loop, 1000000) == 0);
	if (use_eventfd)
		CHECK(!cdma_dev_disable_eventfd(f.dev));
	CHECK(cdma_dev_event_fd(f.dev) == cdma_dev_fd(f.dev));
	cdma_loop_remove(f.dev);
	cdma_loop_remove(f.dev);
	cdma_dev_close(f.dev);	/* still in no loop */
	cdma_dev_close(g.dev);	/* removes itself from the loop */
	cdma_loop_destroy(loop);
	return 0;
}

static int t_loop_fd(void)
{
	return loop_chain(0, 0);
}

static int t_loop_eventfd(void)
{
	return loop_chain(1, 0);
}

static int t_loop_poll(void)
{
	return loop_chain(0, 1);
}

static void stop_done(struct cdma_dev *dev, const struct cdma_completion *c,
		      void *arg)
{
	(void)dev;
	(void)c;
	cdma_loop_stop(arg);
}

static int t_loop_stop_timeout(void)
{
	struct cdma_loop *loop;
	struct fixture f;
	int64_t t0;

	CHECK(!setup(&f, 1 << 20));
	CHECK(!cdma_loop_create(&loop));
	CHECK(!cdma_loop_add(loop, f.dev));
	CHECK(!cdma_copy_async(f.b, 0, f.a, 0, 4096, stop_done, loop, NULL));
	CHECK(!cdma_copy_async(f.b, 4096, f.a, 4096, 4096, NULL, NULL, NULL));
	/* Stopped by the first callback, or idle after both. */
	CHECK(!cdma_loop_run(loop, -1));
	CHECK(!cdma_drain(f.dev, 5000000000LL));
	/* A timeout that expires: many large transfers, a tiny budget. */
	t0 = now_ns();
	while (cdma_inflight(f.dev) < 16)
		CHECK(!cdma_copy_async(f.b, 0, f.a, 0, 1 << 20, NULL, NULL,
				       NULL));
	{
		int r = cdma_loop_run(loop, 1000);

		CHECK(r == 0 || r == -ETIMEDOUT);
	}
	CHECK(!cdma_drain(f.dev, -1));
	CHECK(now_ns() - t0 < 60000000000LL);
	cdma_loop_destroy(loop);
	cdma_dev_close(f.dev);
	return 0;
}

static int t_busy(void)
{
	struct fixture f;
	uint32_t max, i;
	int r = 0;

	CHECK(!setup(&f, 4096));
	max = cdma_dev_info(f.dev)->max_inflight;
	if (max > 4096) {
		cdma_dev_close(f.dev);
		return 1;	/* skip: too many to fill quickly */
	}
	for (i = 0; i < max && !r; i++)
		r = cdma_copy_async(f.b, 0, f.a, 0, 8, NULL, NULL, NULL);
	CHECK(!r);
	CHECK(cdma_copy_async(f.b, 0, f.a, 0, 8, NULL, NULL, NULL) == -EBUSY);
	CHECK(!cdma_drain(f.dev, 30000000000LL));
	CHECK(!cdma_copy_async(f.b, 0, f.a, 0, 8, NULL, NULL, NULL));
	CHECK(!cdma_drain(f.dev, 30000000000LL));
	cdma_dev_close(f.dev);
	return 0;
}

static int t_remote_format(void)
{
	struct cdma_remote r = {
		.global_addr = 0x0001000200000010ULL, .key = 0xfedcba9876543210ULL,
		.size = 1 << 20, .access = CDMA_ACCESS_READ,
	}, q;
	char s[CDMA_REMOTE_STRLEN];

	CHECK(!cdma_remote_format(&r, s, sizeof(s)));
	CHECK(!cdma_remote_import(s, &q));
	CHECK(q.global_addr == r.global_addr && q.key == r.key &&
	      q.size == r.size && q.access == r.access);
	CHECK(cdma_remote_format(&r, s, 10) == -ENAMETOOLONG);
	CHECK(cdma_remote_import("cdma1:1:2:3", &q) == -EINVAL);
	CHECK(cdma_remote_import("cdma2:1:2:3:4", &q) == -EINVAL);
	CHECK(cdma_remote_import("cdma1:1:2:3:4x", &q) == -EINVAL);
	CHECK(cdma_remote_import("cdma1:11111111111111111:2:3:4", &q) == -EINVAL);
	CHECK(!cdma_remote_import("cdma1:1:2:3:3", &q) && q.access == 3);
	return 0;
}

static void put_done(struct cdma_dev *dev, const struct cdma_completion *c,
		     void *arg)
{
	(void)dev;
	*(int *)arg = c->status ? c->status : 1;
}

static int t_export_import(void)
{
	const uint64_t size = 64 << 10;
	struct cdma_remote r, imp;
	struct fixture f, g;
	char s[CDMA_REMOTE_STRLEN];
	uint64_t cookie;
	int done = 0;

	CHECK(!setup(&f, size));
	if (!(cdma_dev_info(f.dev)->caps & CDMA_CAP_GLOBAL)) {
		cdma_dev_close(f.dev);
		return 1;	/* skip */
	}
	CHECK(!setup(&g, size));
	/* f exports its buffer a; another session g imports it. */
	CHECK(!cdma_buf_export(f.a, CDMA_ACCESS_READ | CDMA_ACCESS_WRITE, &r));
	CHECK(f.a->exported && r.size == size);
	CHECK(cdma_buf_export(f.a, CDMA_ACCESS_READ, &r) == -EEXIST);
	CHECK(!cdma_remote_format(&r, s, sizeof(s)));
	CHECK(!cdma_remote_import(s, &imp));
	fill(g.a->addr, size, 7);
	CHECK(!cdma_put(&imp, 0, g.a, 0, size));
	CHECK(!memcmp(f.a->addr, g.a->addr, size));
	CHECK(!cdma_get(g.b, 0, &imp, 100, 200));
	CHECK(!memcmp((char *)g.b->addr, (char *)g.a->addr + 100, 200));
	CHECK(cdma_get(g.b, 0, &imp, size - 10, 20) == -ERANGE);
	fill(g.a->addr, size, 8);
	CHECK(!cdma_put_async(&imp, 0, g.a, 0, size, put_done, &done,
			      &cookie));
	CHECK(!cdma_drain(g.dev, 10000000000LL) && done == 1);
	CHECK(!memcmp(f.a->addr, g.a->addr, size));
	done = 0;
	CHECK(!cdma_get_async(g.b, 0, &imp, 0, size, put_done, &done, NULL));
	CHECK(!cdma_drain(g.dev, 10000000000LL) && done == 1);
	CHECK(!memcmp(f.a->addr, g.b->addr, size));
	imp.key ^= 1;
	CHECK(cdma_get(g.b, 0, &imp, 0, 8) == -EACCES);
	CHECK(!cdma_buf_revoke(f.a) && !f.a->exported);
	imp.key ^= 1;
	CHECK(cdma_get(g.b, 0, &imp, 0, 8) == -ENXIO);
	CHECK(cdma_buf_revoke(f.a) == -ENOENT);
	cdma_dev_close(g.dev);
	cdma_dev_close(f.dev);
	return 0;
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "open_info", t_open_info },
	{ "buffers", t_buffers },
	{ "copy_sync", t_copy_sync },
	{ "async_progress", t_async_progress },
	{ "wait", t_wait },
	{ "loop_fd", t_loop_fd },
	{ "loop_eventfd", t_loop_eventfd },
	{ "loop_poll", t_loop_poll },
	{ "loop_stop_timeout", t_loop_stop_timeout },
	{ "busy", t_busy },
	{ "remote_format", t_remote_format },
	{ "export_import", t_export_import },
};

int main(int argc, char **argv)
{
	const char *env = getenv("CDMA_DEV");
	size_t i, n = ARRAY_SIZE(tests);
	int opt;

	if (env && *env)
		path = env;
	while ((opt = getopt(argc, argv, "d:h")) != -1) {
		if (opt != 'd') {
			fprintf(stderr, "Usage: %s [-d DEVICE]\n", argv[0]);
			return 2;
		}
		path = optarg;
	}
	printf("TAP version 13\n1..%zu\n# libcdma_test: device %s\n", n, path);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int r = tests[i].fn();

		nr++;
		if (r > 0) {
			skipped++;
			printf("ok %d %s # SKIP\n", nr, tests[i].name);
		} else if (r) {
			failed++;
			printf("not ok %d %s\n", nr, tests[i].name);
		} else {
			printf("ok %d %s\n", nr, tests[i].name);
		}
		fflush(stdout);
	}
	printf("# %d passed, %d failed, %d skipped\n", nr - failed - skipped,
	       failed, skipped);
	return failed ? 1 : 0;
}
