// SPDX-License-Identifier: GPL-2.0
/*
 * cdma-bench - cDMA benchmarks: the native engine device against the
 * paravirtual (guest) device, in the same run.
 *
 *   cdma-bench [-n DEV|auto|none] [-g DEV|auto|none] [-t SECS] [-r N]
 *              [-T TESTS] [-o DIR] [size options]
 *
 * Tests (-T, comma separated; default all):
 *   rate     synchronous transfers, one at a time (one engine channel), by
 *            size; with data verification
 *   memcpy   user-space memcpy on one core, same sizes (the reference of
 *            the engine's single-channel rate)
 *   async    asynchronous transfers with 1, 2, 4 .. qd-max in flight
 *   latency  completion latency of a small transfer: synchronous ioctl
 *            (interrupt and polling mode), asynchronous with the event
 *            loop in epoll on the device or its eventfd, and busy-polling
 *   alloc    CDMA_IOC_ALLOC and CDMA_IOC_FREE time by size
 *
 * Every point is measured on each target in turn, native and guest
 * samples taken back to back (and which goes first alternates), REPEATS
 * times; a sample runs its operation for SECS seconds (and at least
 * --min-ops times) with CLOCK_MONOTONIC around the real operations.  The
 * report gives the median and the spread (min-max) of the samples, and
 * ratios as the median of the ratios of paired samples.
 *
 * Output: tables and a closing summary on stdout (lines "ratio
 * guest/native rate @512KiB: 0.990 ..."); with -o DIR, DIR/bench.csv,
 * DIR/ratios.csv and DIR/bench.json.  Progress on stderr.
 *
 * Exit status: 0; 1 when a measurement failed or transferred data was
 * wrong; 2 usage; 3 when the guest device was asked for (-g auto, the
 * default, or a path) and is missing: the native part still runs.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

static const char *prog = "cdma-bench";

static void usage(void)
{
	fprintf(stderr,
		"Usage: %s [options]\n"
		"  -n, --native DEV|auto|none  native device (default auto: first without\n"
		"                              CDMA_CAP_VIRTUAL)\n"
		"  -g, --guest DEV|auto|none   guest device (default auto: first with\n"
		"                              CDMA_CAP_VIRTUAL; missing = exit status 3)\n"
		"  -t, --time SECS             time budget of one sample (default 0.2)\n"
		"  -r, --repeats N             samples per point and device (default 5)\n"
		"      --min-ops N             operations per sample, at least (default 1)\n"
		"  -T, --tests LIST            rate,memcpy,async,latency,alloc (default all)\n"
		"  -s, --sizes MIN:MAX         rate/memcpy sizes, powers of 2 (4K:64M)\n"
		"  -a, --async-sizes MIN:MAX:F async sizes, times F each step (4K:256K:8)\n"
		"  -q, --qd-max N              async queue depths 1, 2, 4 .. N (default 64)\n"
		"  -l, --latency-size SIZE     latency transfer size (default 4K)\n"
		"  -A, --alloc-sizes MIN:MAX   allocation sizes, powers of 2 (4K:1G)\n"
		"  -o, --output DIR            write DIR/bench.csv, ratios.csv, bench.json\n"
		"  -v, --verbose               print every sample\n"
		"Sizes take K, M, G suffixes (powers of 1024).\n", prog);
	exit(2);
}

static int parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 0);

	switch (*end) {
	case 'K':
	case 'k':
		x <<= 10;
		end++;
		break;
	case 'M':
	case 'm':
		x <<= 20;
		end++;
		break;
	case 'G':
	case 'g':
		x <<= 30;
		end++;
		break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	if (*end || !x)
		return -1;
	*v = x;
	return 0;
}

/* "MIN:MAX" or "MIN:MAX:STEP" (STEP a plain number). */
static int parse_range(const char *s, uint64_t *min, uint64_t *max,
		       uint64_t *step)
{
	char buf[64], *c1, *c2;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -1;
	c1 = strchr(buf, ':');
	if (!c1)
		return -1;
	*c1++ = 0;
	c2 = strchr(c1, ':');
	if (c2) {
		if (!step)
			return -1;
		*c2++ = 0;
		*step = strtoull(c2, NULL, 0);
		if (*step < 2)
			return -1;
	}
	if (parse_size(buf, min) || parse_size(c1, max) || *min > *max)
		return -1;
	return 0;
}

static unsigned int parse_tests(const char *s)
{
	static const struct { const char *name; unsigned int bits; } t[] = {
		{ "rate", 1U << B_RATE }, { "memcpy", 1U << B_MEMCPY },
		{ "async", 1U << B_ASYNC }, { "latency", 1U << B_LATENCY },
		{ "alloc", 1U << B_ALLOC | 1U << B_FREE },
	};
	unsigned int bits = 0, i;
	char buf[128], *tok, *save;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		usage();
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(t); i++)
			if (!strcmp(tok, t[i].name))
				break;
		if (i == ARRAY_SIZE(t)) {
			fprintf(stderr, "%s: unknown test %s\n", prog, tok);
			usage();
		}
		bits |= t[i].bits;
	}
	return bits;
}

/* ------------------------------------------------------------------ */

static struct bench_series *series;
static unsigned int nseries, capseries;

static struct bench_series *new_series(enum bench_test t, const char *variant,
				       uint64_t size, unsigned int qd)
{
	struct bench_series *s;

	if (nseries == capseries) {
		capseries = capseries ? 2 * capseries : 64;
		series = realloc(series, capseries * sizeof(*series));
		if (!series) {
			fprintf(stderr, "%s: out of memory\n", prog);
			exit(1);
		}
	}
	s = &series[nseries++];
	memset(s, 0, sizeof(*s));
	s->test = t;
	snprintf(s->variant, sizeof(s->variant), "%s", variant);
	s->size = size;
	s->qd = qd;
	return s;
}

static int failures;

static void record(struct bench_series *s, enum bench_target t, double v,
		   int err)
{
	if (isnan(v)) {
		failures++;
		if (!s->err[t][0])
			snprintf(s->err[t], sizeof(s->err[t]), "%s",
				 strerror(err ? err : EIO));
	}
	if (bench_series_add(s, t, v)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
}

static void no_sample(struct bench_series *s, enum bench_target t,
		      const char *why)
{
	snprintf(s->err[t], sizeof(s->err[t]), "%s", why);
}

/* Progress line of a finished point. */
static void progress(const struct bench_opts *o, const struct bench_series *s,
		     unsigned int done, unsigned int total, int64_t t0)
{
	struct bench_stat st;
	unsigned int t;
	char sz[24];

	fprintf(stderr, "[%3u/%3u %6.1fs] %-7s %-9s %7s", done, total,
		(bench_now() - t0) / 1e9, bench_test_name(s->test), s->variant,
		bench_size_str(s->size, sz, sizeof(sz)));
	for (t = 0; t < T_COUNT; t++) {
		if (!s->n[t])
			continue;
		bench_stat(s->v[t], s->n[t], &st);
		fprintf(stderr, "  %s %.5g", bench_target_name[t], st.median);
		if (o->verbose) {
			unsigned int i;

			fprintf(stderr, " [");
			for (i = 0; i < s->n[t]; i++)
				fprintf(stderr, "%s%.4g", i ? " " : "",
					s->v[t][i]);
			fprintf(stderr, "]");
		}
	}
	fprintf(stderr, " %s\n", bench_test_unit(s->test));
}

/* Targets in the order of repetition @rep: native and guest alternate. */
static void order(unsigned int rep, enum bench_target out[T_COUNT])
{
	out[0] = rep % 2 ? T_GUEST : T_NATIVE;
	out[1] = rep % 2 ? T_NATIVE : T_GUEST;
	out[2] = T_CPU;
}

static int active(struct bench_dev *devs, enum bench_target t)
{
	return t == T_CPU ? !!devs[t].csrc : !!devs[t].dev;
}

/* ------------------------------------------------------------------ */

static unsigned int count_pow2(uint64_t min, uint64_t max, uint64_t f)
{
	unsigned int n = 0;

	for (; min <= max; min *= f)
		n++;
	return n;
}

/* The run: its options, targets and progress. */
struct run {
	const struct bench_opts *o;
	struct bench_dev *devs;
	unsigned int done, total;
	int64_t t0;
};

/* A point being measured: its series and parameters. */
struct point {
	struct bench_series *s;		/* NULL when its test is not run */
	struct bench_series *s2;	/* memcpy's (rate), free's (alloc) */
	uint64_t size;
	unsigned int qd;		/* async */
	const char *mode;		/* latency */
	unsigned int rep;		/* the repetition being taken */
};

/* One sample of a point on target @t (device @d). */
typedef void (*sample_fn)(const struct bench_opts *o, struct point *p,
			  struct bench_dev *d, enum bench_target t);

/*
 * Take the samples of a point: REPEATS times one on each active target
 * of the first @ntargets, native and guest in alternating order; then the
 * progress lines of its series.
 */
static void measure(struct run *run, struct point *p, unsigned int ntargets,
		    sample_fn sample)
{
	unsigned int k;

	for (p->rep = 0; p->rep < run->o->repeats; p->rep++) {
		enum bench_target ord[T_COUNT];

		order(p->rep, ord);
		for (k = 0; k < ntargets; k++)
			if (active(run->devs, ord[k]))
				sample(run->o, p, &run->devs[ord[k]], ord[k]);
	}
	if (p->s)
		progress(run->o, p->s, ++run->done, run->total, run->t0);
	if (p->s2)
		progress(run->o, p->s2, ++run->done, run->total, run->t0);
}

static void rate_sample(const struct bench_opts *o, struct point *p,
			struct bench_dev *d, enum bench_target t)
{
	int err = 0;
	double v;

	if (t == T_CPU) {
		if (!p->s2)
			return;
		v = bench_memcpy(d, o, p->size, &err);
		record(p->s2, t, v, err);
		return;
	}
	if (!p->s)
		return;
	if (p->size > d->buf_size) {
		if (!p->rep)
			no_sample(p->s, t, "above max_buffer_size");
		return;
	}
	v = bench_rate(d, o, p->size, !p->rep, &err);
	record(p->s, t, v, err);
}

static void run_rate(struct run *run)
{
	const struct bench_opts *o = run->o;
	struct point p = { 0 };

	for (p.size = o->rate_min; p.size <= o->rate_max; p.size *= 2) {
		p.s = NULL;
		p.s2 = NULL;
		if (o->tests & 1U << B_RATE)
			p.s = new_series(B_RATE, "sync", p.size, 1);
		if (o->tests & 1U << B_MEMCPY)
			p.s2 = new_series(B_MEMCPY, "memcpy", p.size, 1);
		measure(run, &p, T_COUNT, rate_sample);
	}
}

static void async_sample(const struct bench_opts *o, struct point *p,
			 struct bench_dev *d, enum bench_target t)
{
	int err = 0;
	double v;

	/* Limits do not change: same reason each time. */
	if (p->size > d->buf_size ||
	    p->qd > cdma_dev_info(d->dev)->max_inflight) {
		no_sample(p->s, t, "above device limits");
		return;
	}
	v = bench_async(d, o, p->size, p->qd, &err);
	record(p->s, t, v, err);
}

static void run_async(struct run *run)
{
	const struct bench_opts *o = run->o;
	struct point p = { 0 };

	for (p.size = o->async_min; p.size <= o->async_max;
	     p.size *= o->async_step)
		for (p.qd = 1; p.qd <= o->qd_max; p.qd *= 2) {
			char var[16];

			snprintf(var, sizeof(var), "qd%u", p.qd);
			p.s = new_series(B_ASYNC, var, p.size, p.qd);
			measure(run, &p, T_CPU, async_sample);
		}
}

static void latency_sample(const struct bench_opts *o, struct point *p,
			   struct bench_dev *d, enum bench_target t)
{
	int err = 0;
	double v;

	/* The error is known once the call returned: not in the same call. */
	v = bench_latency(d, o, p->mode, &err);
	record(p->s, t, v, err);
}

static void run_latency(struct run *run)
{
	struct point p = { 0 };
	unsigned int m;

	for (m = 0; bench_lat_modes[m]; m++) {
		p.mode = bench_lat_modes[m];
		p.s = new_series(B_LATENCY, p.mode, run->o->lat_size, 1);
		measure(run, &p, T_CPU, latency_sample);
	}
}

static void alloc_sample(const struct bench_opts *o, struct point *p,
			 struct bench_dev *d, enum bench_target t)
{
	double au, fu;
	int r;

	if (p->s->err[t][0])
		return;
	if (p->size > cdma_dev_info(d->dev)->max_buffer_size) {
		no_sample(p->s, t, "above max_buffer_size");
		no_sample(p->s2, t, "above max_buffer_size");
		return;
	}
	r = bench_alloc(d, o, p->size, &au, &fu);
	record(p->s, t, r ? NAN : au, -r);
	record(p->s2, t, r ? NAN : fu, -r);
}

static void run_alloc(struct run *run)
{
	const struct bench_opts *o = run->o;
	struct point p = { 0 };

	for (p.size = o->alloc_min; p.size <= o->alloc_max; p.size *= 2) {
		p.s = new_series(B_ALLOC, "alloc", p.size, 1);
		p.s2 = new_series(B_FREE, "free", p.size, 1);
		measure(run, &p, T_CPU, alloc_sample);
	}
}

/* ------------------------------------------------------------------ */

static int open_target(struct bench_dev *d, const char *want, int kind,
		       const char *what)
{
	char path[64];
	const char *p = want;
	int r;

	if (!strcmp(want, "none"))
		return 0;
	if (!strcmp(want, "auto")) {
		r = cdma_dev_find(kind, 0, path, sizeof(path));
		if (r) {
			printf("%s device: MISSING (no /dev/cdmaN %s CDMA_CAP_VIRTUAL)\n",
			       what, kind == CDMA_FIND_VIRTUAL ? "with" : "without");
			return r;
		}
		p = path;
	}
	r = cdma_dev_open(p, &d->dev);
	if (r) {
		printf("%s device: MISSING (%s: %s)\n", what, p, strerror(-r));
		return r;
	}
	return 0;
}

/* Transfer buffers: the largest size any transfer test uses. */
static int setup_buffers(struct bench_dev *d, const struct bench_opts *o)
{
	uint64_t want = 0;
	int r;

	if (o->tests & (1U << B_RATE | 1U << B_MEMCPY))
		want = o->rate_max;
	if (o->tests & 1U << B_ASYNC && o->async_max > want)
		want = o->async_max;
	if (o->tests & 1U << B_LATENCY && o->lat_size > want)
		want = o->lat_size;
	if (!want)
		return 0;
	if (d->target == T_CPU) {
		d->csrc = mmap(NULL, want, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		d->cdst = mmap(NULL, want, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (d->csrc == MAP_FAILED || d->cdst == MAP_FAILED)
			return -ENOMEM;
		memset(d->csrc, 0x5a, want);
		memset(d->cdst, 0, want);
		d->buf_size = want;
		return 0;
	}
	if (want > cdma_dev_info(d->dev)->max_buffer_size)
		want = cdma_dev_info(d->dev)->max_buffer_size;
	r = cdma_buf_alloc(d->dev, want, 0, &d->src);
	if (!r)
		r = cdma_buf_alloc(d->dev, want, 0, &d->dst);
	if (r)
		return r;
	memset(d->src->addr, 0x5a, want);
	d->buf_size = want;
	return 0;
}

static void free_buffers(struct bench_dev *d)
{
	if (d->target == T_CPU) {
		if (d->csrc && d->csrc != MAP_FAILED)
			munmap(d->csrc, d->buf_size);
		if (d->cdst && d->cdst != MAP_FAILED)
			munmap(d->cdst, d->buf_size);
		d->csrc = NULL;
		d->cdst = NULL;
		return;
	}
	cdma_buf_free(d->src);
	cdma_buf_free(d->dst);
	d->src = NULL;
	d->dst = NULL;
}

static void describe(struct bench_dev *d, const char *what)
{
	const struct cdma_info *in;

	if (!d->dev) {
		printf("# %-6s: none\n", what);
		return;
	}
	in = cdma_dev_info(d->dev);
	fprintf(stdout,
		"# %-6s: %s, node %u, %u channel(s), caps %#x%s, max buffer %llu MiB, max in flight %u\n",
		what, cdma_dev_path(d->dev), in->node_id, in->channels,
		in->caps, (in->caps & CDMA_CAP_VIRTUAL) ? " (paravirtual)" : "",
		(unsigned long long)(in->max_buffer_size >> 20),
		in->max_inflight);
}

static int write_files(const char *dir, const struct bench_opts *o,
		       struct bench_dev *devs)
{
	char p1[4096], p2[4096], p3[4096];
	int r;

	snprintf(p1, sizeof(p1), "%s/bench.csv", dir);
	snprintf(p2, sizeof(p2), "%s/ratios.csv", dir);
	snprintf(p3, sizeof(p3), "%s/bench.json", dir);
	r = bench_write_csv(p1, series, nseries);
	if (!r)
		r = bench_write_ratios_csv(p2, series, nseries);
	if (!r)
		r = bench_write_json(p3, series, nseries, o, devs);
	if (r) {
		fprintf(stderr, "%s: writing %s: %s\n", prog, dir, strerror(-r));
		return r;
	}
	printf("files: %s %s %s\n", p1, p2, p3);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "native", required_argument, NULL, 'n' },
		{ "guest", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "min-ops", required_argument, NULL, 'm' },
		{ "tests", required_argument, NULL, 'T' },
		{ "sizes", required_argument, NULL, 's' },
		{ "async-sizes", required_argument, NULL, 'a' },
		{ "qd-max", required_argument, NULL, 'q' },
		{ "latency-size", required_argument, NULL, 'l' },
		{ "alloc-sizes", required_argument, NULL, 'A' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bench_opts o = {
		.sample_secs = 0.2, .repeats = 5, .min_ops = 1,
		.rate_min = 4 * KiB, .rate_max = 64 * MiB,
		.async_min = 4 * KiB, .async_max = 256 * KiB, .async_step = 8,
		.qd_max = 64, .lat_size = 4 * KiB,
		.alloc_min = 4 * KiB, .alloc_max = GiB,
		.tests = (1U << B_COUNT) - 1,
	};
	const char *native = "auto", *guest = "auto", *outdir = NULL;
	struct bench_dev devs[T_COUNT];
	struct run run = { .o = &o, .devs = devs };
	int opt, guest_missing = 0, ret = 0;
	unsigned int t;

	prog = argv[0];
	while ((opt = getopt_long(argc, argv, "n:g:t:r:T:s:a:q:l:A:o:vh", lopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'n':
			native = optarg;
			break;
		case 'g':
			guest = optarg;
			break;
		case 't':
			o.sample_secs = strtod(optarg, NULL);
			if (!(o.sample_secs > 0 && o.sample_secs <= 60))
				usage();
			break;
		case 'r':
			o.repeats = strtoul(optarg, NULL, 0);
			if (!o.repeats || o.repeats > 1000)
				usage();
			break;
		case 'm':
			o.min_ops = strtoul(optarg, NULL, 0);
			if (!o.min_ops)
				usage();
			break;
		case 'T':
			o.tests = parse_tests(optarg);
			break;
		case 's':
			if (parse_range(optarg, &o.rate_min, &o.rate_max, NULL))
				usage();
			break;
		case 'a':
			if (parse_range(optarg, &o.async_min, &o.async_max,
					&o.async_step))
				usage();
			break;
		case 'q':
			o.qd_max = strtoul(optarg, NULL, 0);
			if (!o.qd_max || o.qd_max > 65536)
				usage();
			break;
		case 'l':
			if (parse_size(optarg, &o.lat_size))
				usage();
			break;
		case 'A':
			if (parse_range(optarg, &o.alloc_min, &o.alloc_max, NULL))
				usage();
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	memset(devs, 0, sizeof(devs));
	for (t = 0; t < T_COUNT; t++)
		devs[t].target = t;
	if (open_target(&devs[T_NATIVE], native, CDMA_FIND_NATIVE, "native") &&
	    strcmp(native, "none"))
		return 1;
	if (open_target(&devs[T_GUEST], guest, CDMA_FIND_VIRTUAL, "guest") &&
	    strcmp(guest, "none"))
		guest_missing = 1;
	if (!devs[T_NATIVE].dev && !devs[T_GUEST].dev) {
		fprintf(stderr, "%s: no device to measure\n", prog);
		return guest_missing ? 3 : 1;
	}
	fprintf(stdout,
		"# cdma-bench: %u samples per point, %.3g s each (at least %u operations), native and guest back to back\n",
		o.repeats, o.sample_secs, o.min_ops);
	describe(&devs[T_NATIVE], "native");
	describe(&devs[T_GUEST], "guest");
	for (t = 0; t < T_COUNT; t++) {
		int r;

		if (t == T_CPU ? !(o.tests & 1U << B_MEMCPY) : !devs[t].dev)
			continue;
		r = setup_buffers(&devs[t], &o);
		if (r) {
			fprintf(stderr, "%s: %s buffers: %s\n", prog,
				bench_target_name[t], strerror(-r));
			return 1;
		}
	}
	fflush(stdout);

	if (o.tests & (1U << B_RATE | 1U << B_MEMCPY))
		run.total += count_pow2(o.rate_min, o.rate_max, 2) *
			     (!!(o.tests & 1U << B_RATE) +
			      !!(o.tests & 1U << B_MEMCPY));
	if (o.tests & 1U << B_ASYNC)
		run.total += count_pow2(o.async_min, o.async_max,
					o.async_step) *
			     count_pow2(1, o.qd_max, 2);
	if (o.tests & 1U << B_LATENCY)
		run.total += 5;
	if (o.tests & 1U << B_ALLOC)
		run.total += 2 * count_pow2(o.alloc_min, o.alloc_max, 2);

	run.t0 = bench_now();
	if (o.tests & (1U << B_RATE | 1U << B_MEMCPY))
		run_rate(&run);
	if (o.tests & 1U << B_ASYNC)
		run_async(&run);
	if (o.tests & 1U << B_LATENCY)
		run_latency(&run);
	/* Give the transfer buffers' memory back to the allocations. */
	for (t = 0; t < T_COUNT; t++)
		free_buffers(&devs[t]);
	if (o.tests & 1U << B_ALLOC)
		run_alloc(&run);
	fprintf(stderr, "measured in %.1f s\n", (bench_now() - run.t0) / 1e9);

	bench_print_tables(stdout, series, nseries, !!devs[T_GUEST].dev);
	bench_print_summary(stdout, series, nseries, !!devs[T_GUEST].dev);
	if (devs[T_NATIVE].verified_failed || devs[T_GUEST].verified_failed) {
		printf("DATA CHECK FAILED: a transfer moved wrong data\n");
		ret = 1;
	}
	if (failures) {
		printf("%d sample(s) failed (see the tables)\n", failures);
		ret = 1;
	}
	if (outdir && write_files(outdir, &o, devs))
		ret = 1;
	if (guest_missing) {
		printf("guest device: MISSING - the guest/native comparison was not measured\n");
		ret = 3;
	}
	for (t = 0; t < T_CPU; t++)
		cdma_dev_close(devs[t].dev);
	return ret;
}
