// SPDX-License-Identifier: GPL-2.0
/*
 * cdma-bench: statistics of samples - median, quartiles, extremes - and
 * guest/native ratios of paired samples.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile @q (0..1) of sorted @v[0..n-1], linear interpolation. */
static double quantile(const double *v, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = (unsigned int)pos;
	double frac = pos - i;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * frac;
}

/**
 * bench_stat() - summary of samples
 * @v: the samples; NaN ones (failures) are left out
 * @n: their number
 * @s: receives the summary; all NaN when no sample is a number
 */
void bench_stat(const double *v, unsigned int n, struct bench_stat *s)
{
	double *w = malloc((n ? n : 1) * sizeof(*w));
	unsigned int i, m = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; w && i < n; i++)
		if (!isnan(v[i]))
			w[m++] = v[i];
	s->n = m;
	if (!m) {
		s->median = NAN;
		s->min = NAN;
		s->max = NAN;
		s->q1 = NAN;
		s->q3 = NAN;
		free(w);
		return;
	}
	qsort(w, m, sizeof(*w), cmp_double);
	s->min = w[0];
	s->max = w[m - 1];
	s->median = quantile(w, m, 0.5);
	s->q1 = quantile(w, m, 0.25);
	s->q3 = quantile(w, m, 0.75);
	free(w);
}

/**
 * bench_ratio() - ratio of two targets' paired samples
 * @s: the series
 * @num: numerator target
 * @den: denominator target
 * @r: receives the summary of the ratios sample by sample (sample i of
 *	both targets was taken back to back, so drift cancels out)
 *
 * Return: 0, or -ENODATA when no pair of samples is usable.
 */
int bench_ratio(const struct bench_series *s, enum bench_target num,
		enum bench_target den, struct bench_stat *r)
{
	unsigned int n = s->n[num] < s->n[den] ? s->n[num] : s->n[den], i;
	double *q = malloc((n ? n : 1) * sizeof(*q));

	if (!q)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		q[i] = s->v[den][i] > 0 ? s->v[num][i] / s->v[den][i] : NAN;
	bench_stat(q, n, r);
	free(q);
	return r->n ? 0 : -ENODATA;
}

/**
 * bench_series_add() - append a sample
 * @s: the series
 * @t: the target measured
 * @v: the value, NaN for a failure
 *
 * Return: 0 or -ENOMEM.
 */
int bench_series_add(struct bench_series *s, enum bench_target t, double v)
{
	double *p = realloc(s->v[t], (s->n[t] + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	p[s->n[t]++] = v;
	s->v[t] = p;
	return 0;
}
