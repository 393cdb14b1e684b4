/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdma-bench internals: measurement targets, series of samples, the
 * measurements and the report.
 */
#ifndef CDMA_BENCH_H
#define CDMA_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "libcdma.h"

#define KiB	((uint64_t)1 << 10)
#define MiB	((uint64_t)1 << 20)
#define GiB	((uint64_t)1 << 30)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* What a sample is measured on. */
enum bench_target {
	T_NATIVE,	/* the engine's device */
	T_GUEST,	/* the paravirtual device */
	T_CPU,		/* user-space memcpy on one core */
	T_COUNT
};

extern const char *const bench_target_name[T_COUNT];

/* Tests; their series are kept in this order. */
enum bench_test {
	B_RATE,		/* synchronous transfers, one at a time */
	B_MEMCPY,	/* user-space memcpy, same sizes */
	B_ASYNC,	/* asynchronous transfers, queue depth qd */
	B_LATENCY,	/* completion latency, by completion mode */
	B_ALLOC,	/* CDMA_IOC_ALLOC time */
	B_FREE,		/* CDMA_IOC_FREE time */
	B_COUNT
};

/* A target being measured: its device and transfer buffers. */
struct bench_dev {
	enum bench_target target;
	struct cdma_dev *dev;		/* NULL for T_CPU or when absent */
	struct cdma_buf *src, *dst;	/* transfer buffers */
	unsigned char *csrc, *cdst;	/* T_CPU: anonymous memory */
	uint64_t buf_size;
	int verified_failed;
};

/* Parameters of a run. */
struct bench_opts {
	double sample_secs;	/* time budget of one sample */
	unsigned int repeats;	/* samples per point and target */
	unsigned int min_ops;	/* operations per sample, at least */
	uint64_t rate_min, rate_max;	/* sizes of B_RATE, B_MEMCPY */
	uint64_t async_min, async_max, async_step; /* sizes of B_ASYNC */
	unsigned int qd_max;	/* B_ASYNC queue depths 1, 2, 4 .. qd_max */
	uint64_t lat_size;	/* transfer size of B_LATENCY */
	uint64_t alloc_min, alloc_max;	/* sizes of B_ALLOC, B_FREE */
	unsigned int tests;	/* 1 << enum bench_test */
	int verbose;
};

/* One measured point: a series of samples of each target. */
struct bench_series {
	enum bench_test test;
	char variant[16];	/* "sync", "qd8", "irq", ... */
	uint64_t size;
	unsigned int qd;
	double *v[T_COUNT];	/* samples; NaN for a failed one */
	unsigned int n[T_COUNT];
	char err[T_COUNT][48];	/* why the target has no sample */
};

/* Summary statistics of samples. */
struct bench_stat {
	unsigned int n;		/* samples that are numbers */
	double median, min, max, q1, q3;
};

/* bench-stats.c */
void bench_stat(const double *v, unsigned int n, struct bench_stat *s);
int bench_ratio(const struct bench_series *s, enum bench_target num,
		enum bench_target den, struct bench_stat *r);
int bench_series_add(struct bench_series *s, enum bench_target t, double v);

/* bench-run.c: one sample; the value, or NaN with errno-like *err set. */
double bench_rate(struct bench_dev *d, const struct bench_opts *o,
		  uint64_t size, int verify, int *err);
double bench_memcpy(struct bench_dev *d, const struct bench_opts *o,
		    uint64_t size, int *err);
double bench_async(struct bench_dev *d, const struct bench_opts *o,
		   uint64_t size, unsigned int qd, int *err);
double bench_latency(struct bench_dev *d, const struct bench_opts *o,
		     const char *mode, int *err);
int bench_alloc(struct bench_dev *d, const struct bench_opts *o,
		uint64_t size, double *alloc_us, double *free_us);
int64_t bench_now(void);

extern const char *const bench_lat_modes[];

/* bench-report.c */
const char *bench_size_str(uint64_t size, char *buf, size_t len);
void bench_print_tables(FILE *f, struct bench_series *s, unsigned int n,
			int have_guest);
int bench_print_summary(FILE *f, struct bench_series *s, unsigned int n,
			int have_guest);
int bench_write_csv(const char *path, struct bench_series *s, unsigned int n);
int bench_write_ratios_csv(const char *path, struct bench_series *s,
			   unsigned int n);
int bench_write_json(const char *path, struct bench_series *s, unsigned int n,
		     const struct bench_opts *o, struct bench_dev *devs);
const char *bench_test_name(enum bench_test t);
const char *bench_test_unit(enum bench_test t);

#endif /* CDMA_BENCH_H */
