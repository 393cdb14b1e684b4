// SPDX-License-Identifier: GPL-2.0
/*
 * cdma-bench: the report - tables, closing summary with the guest/native
 * and engine/memcpy ratios against their targets, CSV and JSON files.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

const char *const bench_target_name[T_COUNT] = { "native", "guest", "memcpy" };

static const char *const test_names[B_COUNT] = {
	"rate", "memcpy", "async", "latency", "alloc", "free"
};

static const char *const test_units[B_COUNT] = {
	"MB/s", "MB/s", "MB/s", "us", "us", "us"
};

/* Targets of the ratios (higher is better for rates). */
#define TARGET_RATE_512K	0.98	/* guest/native rate @512 KiB */
#define TARGET_RATE_4M		0.995	/* guest/native rate from 4 MiB */
#define TARGET_LATENCY_4K	1.50	/* guest/native sync latency, at most */
#define TARGET_MEMCPY_1M	0.90	/* engine/memcpy rate from 1 MiB */
#define TARGET_ALLOC_1M		1.10	/* guest/native alloc from 1 MiB, at most */

const char *bench_test_name(enum bench_test t)
{
	return test_names[t];
}

const char *bench_test_unit(enum bench_test t)
{
	return test_units[t];
}

/**
 * bench_size_str() - "4KiB", "512KiB", "1GiB", or bytes
 * @size: the size
 * @buf: receives the text
 * @len: its size
 *
 * Return: @buf.
 */
const char *bench_size_str(uint64_t size, char *buf, size_t len)
{
	if (size >= GiB && !(size % GiB))
		snprintf(buf, len, "%lluGiB", (unsigned long long)(size / GiB));
	else if (size >= MiB && !(size % MiB))
		snprintf(buf, len, "%lluMiB", (unsigned long long)(size / MiB));
	else if (size >= KiB && !(size % KiB))
		snprintf(buf, len, "%lluKiB", (unsigned long long)(size / KiB));
	else
		snprintf(buf, len, "%lluB", (unsigned long long)size);
	return buf;
}

static struct bench_series *find(struct bench_series *s, unsigned int n,
				 enum bench_test t, const char *variant,
				 uint64_t size)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (s[i].test == t && s[i].size == size &&
		    (!variant || !strcmp(s[i].variant, variant)))
			return &s[i];
	return NULL;
}

/* A number in at most 6 characters or so: 123456, 1234.5, 12.34, 0.123. */
static const char *num(double v, char *buf, size_t len)
{
	if (v >= 1000 || v <= -1000)
		snprintf(buf, len, "%.0f", v);
	else if (v >= 10 || v <= -10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

/* "median (min-max)" of a target, or its error, in a column of @w. */
static void cell(FILE *f, const struct bench_series *s, enum bench_target t,
		 int w)
{
	struct bench_stat st;
	char b[64];

	if (!s) {
		fprintf(f, " %*s", w, "-");
		return;
	}
	bench_stat(s->v[t], s->n[t], &st);
	if (st.n) {
		char m[24], lo[24], hi[24];

		snprintf(b, sizeof(b), "%s (%s-%s)",
			 num(st.median, m, sizeof(m)), num(st.min, lo, sizeof(lo)),
			 num(st.max, hi, sizeof(hi)));
	} else {
		snprintf(b, sizeof(b), "%s", s->err[t][0] ? s->err[t] : "-");
	}
	fprintf(f, " %*s", w, b);
}

/* "ratio (min-max)" of a ratio, or "-" for none. */
static void stat_cell(FILE *f, const struct bench_stat *r, int w)
{
	char b[48];

	if (r)
		snprintf(b, sizeof(b), "%.3f (%.2f-%.2f)", r->median, r->min,
			 r->max);
	else
		snprintf(b, sizeof(b), "-");
	fprintf(f, " %*s", w, b);
}

/* "ratio (min-max)" of paired samples. */
static void ratio_cell(FILE *f, const struct bench_series *s,
		       enum bench_target num, enum bench_target den, int w)
{
	struct bench_stat r;

	stat_cell(f, s && !bench_ratio(s, num, den, &r) ? &r : NULL, w);
}

/*
 * Paired ratio of two targets that are in two different series (the
 * engine's rate and memcpy's at one size).
 */
static int cross_ratio(const struct bench_series *a, enum bench_target ta,
		       const struct bench_series *b, enum bench_target tb,
		       struct bench_stat *r)
{
	struct bench_series tmp;

	if (!a || !b)
		return -ENODATA;
	memset(&tmp, 0, sizeof(tmp));
	tmp.v[T_NATIVE] = a->v[ta];
	tmp.n[T_NATIVE] = a->n[ta];
	tmp.v[T_GUEST] = b->v[tb];
	tmp.n[T_GUEST] = b->n[tb];
	return bench_ratio(&tmp, T_NATIVE, T_GUEST, r);
}

/* Rate table: memcpy's rate at the row's size and native/memcpy. */
static void memcpy_cells(FILE *f, struct bench_series *s, unsigned int n,
			 const struct bench_series *row)
{
	struct bench_series *m = find(s, n, B_MEMCPY, NULL, row->size);
	struct bench_stat r;

	cell(f, m, T_CPU, 24);
	stat_cell(f, !cross_ratio(row, T_NATIVE, m, T_CPU, &r) ? &r : NULL, 20);
}

/* Allocation table: the freeing time of the row's size on each target. */
static void free_cells(FILE *f, struct bench_series *s, unsigned int n,
		       const struct bench_series *row)
{
	struct bench_series *fr = find(s, n, B_FREE, NULL, row->size);

	cell(f, fr, T_NATIVE, 22);
	cell(f, fr, T_GUEST, 22);
}

/* Key columns of a table's rows, shown in this order. */
#define KEY_MODE	1U	/* the variant */
#define KEY_SIZE	2U
#define KEY_QD		4U

/* A column of a table's header. */
struct column {
	const char *name;
	int width;
};

/*
 * A table of the series of one test: key columns, native, guest and
 * guest/native, then the columns of @more_cells.
 */
struct table {
	enum bench_test test;
	unsigned int shown_by;		/* 1 << the tests that show it */
	const char *title;
	unsigned int keys;		/* KEY_* */
	const char *native, *guest;	/* headers of the two targets */
	struct column more[2];		/* headers of the more_cells */
	void (*more_cells)(FILE *f, struct bench_series *s, unsigned int n,
			   const struct bench_series *row);
};

static const struct table tables[] = {
	{
		.test = B_RATE, .shown_by = 1U << B_RATE | 1U << B_MEMCPY,
		.title =
		"transfer rate, one synchronous transfer at a time (MB/s, median (min-max); higher is better)",
		.keys = KEY_SIZE, .native = "native", .guest = "guest",
		.more = { { "memcpy (1 core)", 24 }, { "native/memcpy", 20 } },
		.more_cells = memcpy_cells,
	},
	{
		.test = B_ASYNC, .shown_by = 1U << B_ASYNC,
		.title =
		"transfer rate, asynchronous, qd transfers in flight (MB/s; higher is better)",
		.keys = KEY_SIZE | KEY_QD, .native = "native", .guest = "guest",
	},
	{
		.test = B_LATENCY, .shown_by = 1U << B_LATENCY,
		.title =
		"completion latency, one transfer at a time (us, median of the sample's transfers; lower is better)",
		.keys = KEY_MODE | KEY_SIZE, .native = "native", .guest = "guest",
	},
	{
		.test = B_ALLOC, .shown_by = 1U << B_ALLOC,
		.title =
		"buffer allocation time, CDMA_IOC_ALLOC without mmap (us; lower is better)",
		.keys = KEY_SIZE, .native = "native alloc",
		.guest = "guest alloc",
		.more = { { "native free", 22 }, { "guest free", 22 } },
		.more_cells = free_cells,
	},
};

static void print_table(FILE *f, const struct table *tb,
			struct bench_series *s, unsigned int n, int have_guest)
{
	unsigned int i, k;
	char sz[24];

	fprintf(f, "\n== %s\n", tb->title);
	if (tb->keys & KEY_MODE)
		fprintf(f, "%10s ", "mode");
	fprintf(f, "%8s", "size");
	if (tb->keys & KEY_QD)
		fprintf(f, " %4s", "qd");
	fprintf(f, " %24s %24s %20s", tb->native,
		have_guest ? tb->guest : "guest (missing)", "guest/native");
	for (k = 0; k < ARRAY_SIZE(tb->more) && tb->more[k].name; k++)
		fprintf(f, " %*s", tb->more[k].width, tb->more[k].name);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		if (s[i].test != tb->test)
			continue;
		if (tb->keys & KEY_MODE)
			fprintf(f, "%10s ", s[i].variant);
		fprintf(f, "%8s", bench_size_str(s[i].size, sz, sizeof(sz)));
		if (tb->keys & KEY_QD)
			fprintf(f, " %4u", s[i].qd);
		cell(f, &s[i], T_NATIVE, 24);
		cell(f, &s[i], T_GUEST, 24);
		ratio_cell(f, &s[i], T_GUEST, T_NATIVE, 20);
		if (tb->more_cells)
			tb->more_cells(f, s, n, &s[i]);
		fputc('\n', f);
	}
}

/*
 * Fit time per transfer t(size) = a + size / B over the sizes of a rate
 * series (least squares on relative errors): a is the fixed cost of one
 * transfer, B the streaming bandwidth.  Return 0 when it could be done.
 */
static int fit(struct bench_series *s, unsigned int n, enum bench_test test,
	       enum bench_target t, double *a_us, double *b_mbps)
{
	double sw = 0, sx = 0, sxx = 0, sy = 0, sxy = 0, det, a, c;
	struct bench_stat st;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		double x, y, w;

		if (s[i].test != test)
			continue;
		bench_stat(s[i].v[t], s[i].n[t], &st);
		if (!st.n || !(st.median > 0))
			continue;
		x = (double)s[i].size;
		y = x / (st.median * 1e6);	/* seconds per transfer */
		w = 1 / (y * y);
		sw += w;
		sx += w * x;
		sxx += w * x * x;
		sy += w * y;
		sxy += w * x * y;
		k++;
	}
	det = sw * sxx - sx * sx;
	if (k < 3 || det == 0)
		return -1;
	a = (sxx * sy - sx * sxy) / det;
	c = (sw * sxy - sx * sy) / det;
	if (!(c > 0))
		return -1;
	*a_us = a * 1e6;
	*b_mbps = 1 / c / 1e6;
	return 0;
}

static void fit_lines(FILE *f, struct bench_series *s, unsigned int n)
{
	static const struct {
		enum bench_test test;
		enum bench_target t;
		const char *what;
	} fits[] = {
		{ B_RATE, T_NATIVE, "native sync transfer" },
		{ B_RATE, T_GUEST, "guest sync transfer" },
		{ B_MEMCPY, T_CPU, "user memcpy" },
	};
	double a, b;
	unsigned int i;

	fprintf(f,
		"\n== cost model t(size) = fixed + size/bandwidth, fitted over the sizes (where the time goes)\n");
	for (i = 0; i < ARRAY_SIZE(fits); i++)
		if (!fit(s, n, fits[i].test, fits[i].t, &a, &b))
			fprintf(f, "fit %-22s fixed %9.2f us, bandwidth %9.1f MB/s\n",
				fits[i].what, a, b);
}

/**
 * bench_print_tables() - the readable tables of every test run
 * @f: output
 * @s: the series
 * @n: their number
 * @have_guest: whether a guest device was measured
 */
void bench_print_tables(FILE *f, struct bench_series *s, unsigned int n,
			int have_guest)
{
	unsigned int i, tests = 0;

	for (i = 0; i < n; i++)
		tests |= 1U << s[i].test;
	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (tests & tables[i].shown_by)
			print_table(f, &tables[i], s, n, have_guest);
	if (tests & (1U << B_RATE | 1U << B_MEMCPY))
		fit_lines(f, s, n);
}

/* A closing check: a ratio of the series of a test against its target. */
struct check {
	enum bench_test test;
	const char *variant;	/* only this variant's series; NULL: any */
	int vs_memcpy;		/* engine/memcpy, not guest/native */
	const char *what;
	uint64_t at;		/* a line at this size */
	uint64_t from;		/* and one of the worst size from this on */
	double target;
	int at_most;		/* the target is a maximum */
};

static const struct check checks[] = {
	{ B_RATE, NULL, 0, "guest/native rate", 512 * KiB, 0, TARGET_RATE_512K,
	  0 },
	{ B_RATE, NULL, 0, "guest/native rate", 4 * MiB, 4 * MiB,
	  TARGET_RATE_4M, 0 },
	{ B_LATENCY, "sync", 0, "guest/native latency", 4 * KiB, 0,
	  TARGET_LATENCY_4K, 1 },
	{ B_ALLOC, NULL, 0, "guest/native alloc", MiB, MiB, TARGET_ALLOC_1M, 1 },
	{ B_RATE, NULL, 1, "engine/memcpy rate", MiB, MiB, TARGET_MEMCPY_1M,
	  0 },
};

/* Whether series @p is one of those @c checks. */
static int is_checked(const struct check *c, const struct bench_series *p)
{
	return p->test == c->test &&
	       (!c->variant || !strcmp(p->variant, c->variant));
}

/* Whether ratio @a is worse than @b for @c. */
static int worse(const struct check *c, double a, double b)
{
	return c->at_most ? a > b : a < b;
}

/* Whether @median misses the target of @c. */
static int missed(const struct check *c, double median)
{
	return worse(c, median, c->target);
}

/* Guest/native ratio of @p, or native/memcpy at its size; 0 when there. */
static int point_ratio(struct bench_series *s, unsigned int n,
		       const struct bench_series *p, int vs_memcpy,
		       struct bench_stat *r)
{
	if (vs_memcpy)
		return cross_ratio(p, T_NATIVE,
				   find(s, n, B_MEMCPY, NULL, p->size), T_CPU,
				   r);
	return bench_ratio(p, T_GUEST, T_NATIVE, r);
}

/* One closing ratio line at @c's size; returns 1 when the target is missed. */
static int ratio_line(FILE *f, const struct check *c,
		      const struct bench_stat *r)
{
	const char *cmp = c->at_most ? "<=" : ">=";
	char sz[24];
	int miss;

	bench_size_str(c->at, sz, sizeof(sz));
	if (!r || !r->n) {
		fprintf(f, "target %s @%s: n/a (not measured; %s %.3g)\n",
			c->what, sz, cmp, c->target);
		return 1;
	}
	miss = missed(c, r->median);
	fprintf(f, "target %s @%s: %.3f (samples %.3f-%.3f; %s %.3g: %s)\n",
		c->what, sz, r->median, r->min, r->max, cmp, c->target,
		miss ? "MISSED" : "met");
	return miss;
}

/*
 * Ratio lines of a check at its size and at the worst size from its
 * "from" on; returns the number of missed targets.
 */
static int ratio_lines(FILE *f, struct bench_series *s, unsigned int n,
		       const struct check *c)
{
	struct bench_stat r, worst = { 0 };
	uint64_t worst_size = 0;
	unsigned int i;
	int miss = 0, have_at = 0;
	char sz[24], fr[24];

	for (i = 0; i < n; i++) {
		if (!is_checked(c, &s[i]) ||
		    point_ratio(s, n, &s[i], c->vs_memcpy, &r))
			continue;
		if (s[i].size == c->at) {
			miss += ratio_line(f, c, &r);
			have_at = 1;
		}
		if (s[i].size >= c->from &&
		    (!worst.n || worse(c, r.median, worst.median))) {
			worst = r;
			worst_size = s[i].size;
		}
	}
	if (!have_at)
		miss += ratio_line(f, c, NULL);
	if (c->from && worst.n) {
		int worst_miss = missed(c, worst.median);

		bench_size_str(c->from, fr, sizeof(fr));
		bench_size_str(worst_size, sz, sizeof(sz));
		fprintf(f,
			"target %s from %s, worst size %s: %.3f (%s %.3g: %s)\n",
			c->what, fr, sz, worst.median,
			c->at_most ? "<=" : ">=", c->target,
			worst_miss ? "MISSED" : "met");
		miss += worst_miss;
	}
	return miss;
}

/*
 * The closing lines other tools read, in these exact words: "ratio
 * guest/native <what> @<size>: <median>" per guest/native check, and the
 * time a guest transfer adds: the sync latency of the latency check's
 * size, guest minus native (the same copy on both sides; a fit's fixed
 * cost, extrapolated to size 0, varies far more between runs).
 */
static void closing_lines(FILE *f, struct bench_series *s, unsigned int n)
{
	struct bench_stat r, gs, ns;
	const struct bench_series *lat = NULL;
	unsigned int i, j;
	char sz[24];

	fprintf(f, "\n== closing lines\n");
	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		const struct check *c = &checks[i];

		if (c->vs_memcpy)
			continue;
		bench_size_str(c->at, sz, sizeof(sz));
		for (j = 0; j < n; j++)
			if (is_checked(c, &s[j]) && s[j].size == c->at &&
			    !point_ratio(s, n, &s[j], 0, &r) && r.n)
				break;
		if (j < n)
			fprintf(f, "ratio %s @%s: %.3f\n", c->what, sz, r.median);
		else
			fprintf(f, "ratio %s @%s: n/a\n", c->what, sz);
		if (j < n && c->test == B_LATENCY)
			lat = &s[j];
	}
	if (!lat)
		return;
	bench_stat(lat->v[T_NATIVE], lat->n[T_NATIVE], &ns);
	bench_stat(lat->v[T_GUEST], lat->n[T_GUEST], &gs);
	if (ns.n && gs.n)
		fprintf(f, "guest extra time per transfer: %.3f us\n",
			gs.median - ns.median);
}

/**
 * bench_print_summary() - the closing ratio lines against their targets
 * @f: output
 * @s: the series
 * @n: their number
 * @have_guest: whether a guest device was measured
 *
 * Return: the number of targets missed or not measured.
 */
int bench_print_summary(FILE *f, struct bench_series *s, unsigned int n,
			int have_guest)
{
	unsigned int i;
	int miss = 0;

	fprintf(f,
		"\n== summary (ratios: median of the ratios of samples taken back to back)\n");
	if (!have_guest)
		fprintf(f, "guest device: MISSING - no guest/native ratio\n");
	for (i = 0; i < ARRAY_SIZE(checks); i++)
		miss += ratio_lines(f, s, n, &checks[i]);
	closing_lines(f, s, n);
	return miss;
}

/* ------------------------------------------------------------------ */

static void csv_samples(FILE *f, const double *v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%.6g", i ? ";" : "", v[i]);
}

/**
 * bench_write_csv() - one row per series and target
 * @path: the file
 * @s: the series
 * @n: their number
 *
 * Columns: test, variant, target, size (bytes), qd, unit, n, median, min,
 * max, q1, q3, samples (';'-separated, in the order taken), error.
 *
 * Return: 0 or -errno.
 */
int bench_write_csv(const char *path, struct bench_series *s, unsigned int n)
{
	FILE *f = fopen(path, "w");
	struct bench_stat st;
	unsigned int i, t;

	if (!f)
		return -errno;
	fprintf(f,
		"test,variant,target,size,qd,unit,n,median,min,max,q1,q3,samples,error\n");
	for (i = 0; i < n; i++)
		for (t = 0; t < T_COUNT; t++) {
			if (!s[i].n[t] && !s[i].err[t][0])
				continue;
			bench_stat(s[i].v[t], s[i].n[t], &st);
			fprintf(f, "%s,%s,%s,%llu,%u,%s,%u,",
				test_names[s[i].test], s[i].variant,
				bench_target_name[t],
				(unsigned long long)s[i].size, s[i].qd,
				test_units[s[i].test], st.n);
			if (st.n)
				fprintf(f, "%.6g,%.6g,%.6g,%.6g,%.6g,",
					st.median, st.min, st.max, st.q1, st.q3);
			else
				fprintf(f, ",,,,,");
			csv_samples(f, s[i].v[t], s[i].n[t]);
			fprintf(f, ",%s\n", s[i].err[t]);
		}
	return fclose(f) ? -errno : 0;
}

/**
 * bench_write_ratios_csv() - the ratios of every point
 * @path: the file
 * @s: the series
 * @n: their number
 *
 * Columns: test, variant, size, qd, ratio ("guest/native" or
 * "native/memcpy"), n, median, min, max, q1, q3.
 *
 * Return: 0 or -errno.
 */
int bench_write_ratios_csv(const char *path, struct bench_series *s,
			   unsigned int n)
{
	FILE *f = fopen(path, "w");
	struct bench_stat r;
	unsigned int i;

	if (!f)
		return -errno;
	fprintf(f, "test,variant,size,qd,ratio,n,median,min,max,q1,q3\n");
	for (i = 0; i < n; i++) {
		if (!bench_ratio(&s[i], T_GUEST, T_NATIVE, &r))
			fprintf(f,
				"%s,%s,%llu,%u,guest/native,%u,%.6g,%.6g,%.6g,%.6g,%.6g\n",
				test_names[s[i].test], s[i].variant,
				(unsigned long long)s[i].size, s[i].qd, r.n,
				r.median, r.min, r.max, r.q1, r.q3);
		if (s[i].test == B_RATE && !point_ratio(s, n, &s[i], 1, &r))
			fprintf(f,
				"rate,sync,%llu,%u,native/memcpy,%u,%.6g,%.6g,%.6g,%.6g,%.6g\n",
				(unsigned long long)s[i].size, s[i].qd, r.n,
				r.median, r.min, r.max, r.q1, r.q3);
	}
	return fclose(f) ? -errno : 0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "null");
	else
		fprintf(f, "%.6g", v);
}

/**
 * bench_write_json() - parameters, devices and every series in JSON
 * @path: the file
 * @s: the series
 * @n: their number
 * @o: the options of the run
 * @devs: the targets, T_COUNT of them
 *
 * Return: 0 or -errno.
 */
int bench_write_json(const char *path, struct bench_series *s, unsigned int n,
		     const struct bench_opts *o, struct bench_dev *devs)
{
	FILE *f = fopen(path, "w");
	struct bench_stat st;
	unsigned int i, t, k;

	if (!f)
		return -errno;
	fprintf(f,
		"{\n  \"params\": {\"sample_secs\": %g, \"repeats\": %u, \"min_ops\": %u, \"latency_size\": %llu},\n",
		o->sample_secs, o->repeats, o->min_ops,
		(unsigned long long)o->lat_size);
	fprintf(f, "  \"devices\": {");
	for (t = 0, k = 0; t < T_CPU; t++) {
		const struct cdma_info *in;

		if (!devs[t].dev)
			continue;
		in = cdma_dev_info(devs[t].dev);
		fprintf(f, "%s\n    \"%s\": {\"path\": ", k++ ? "," : "",
			bench_target_name[t]);
		json_str(f, cdma_dev_path(devs[t].dev));
		fprintf(f,
			", \"node_id\": %u, \"channels\": %u, \"caps\": %u, \"max_buffer_size\": %llu, \"max_inflight\": %u}",
			in->node_id, in->channels, in->caps,
			(unsigned long long)in->max_buffer_size,
			in->max_inflight);
	}
	fprintf(f, "\n  },\n  \"results\": [");
	for (i = 0, k = 0; i < n; i++)
		for (t = 0; t < T_COUNT; t++) {
			unsigned int j;

			if (!s[i].n[t] && !s[i].err[t][0])
				continue;
			bench_stat(s[i].v[t], s[i].n[t], &st);
			fprintf(f,
				"%s\n    {\"test\": \"%s\", \"variant\": \"%s\", \"target\": \"%s\", \"size\": %llu, \"qd\": %u, \"unit\": \"%s\", \"median\": ",
				k++ ? "," : "", test_names[s[i].test],
				s[i].variant, bench_target_name[t],
				(unsigned long long)s[i].size, s[i].qd,
				test_units[s[i].test]);
			json_num(f, st.median);
			fprintf(f, ", \"min\": ");
			json_num(f, st.min);
			fprintf(f, ", \"max\": ");
			json_num(f, st.max);
			fprintf(f, ", \"q1\": ");
			json_num(f, st.q1);
			fprintf(f, ", \"q3\": ");
			json_num(f, st.q3);
			fprintf(f, ", \"samples\": [");
			for (j = 0; j < s[i].n[t]; j++) {
				fprintf(f, "%s", j ? ", " : "");
				json_num(f, s[i].v[t][j]);
			}
			fprintf(f, "], \"error\": ");
			json_str(f, s[i].err[t]);
			fprintf(f, "}");
		}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f) ? -errno : 0;
}
