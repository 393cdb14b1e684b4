// SPDX-License-Identifier: GPL-2.0
/*
 * cdma-demo - move data with a cDMA device and measure the transfer rate.
 *
 *   cdma-demo [-d DEVICE] [-l LABEL] [-t SECONDS] [-m MAX_SIZE]
 *
 * Allocates two buffers (with libcdma), fills the source with a pattern
 * and, for sizes from 4 KiB to 64 MiB (powers of 4, capped at the device's
 * max_buffer_size), times synchronous LOCAL transfers for about
 * SECONDS (default 0.2) per size, then checks the data they moved and
 * that of one more transfer of a new pattern onto a cleared destination.
 * Prints a table and, per size, one machine-readable line:
 *
 *   RATE <label> <size_bytes> <MB/s>
 *
 * (MB = 10^6 bytes).  Exits 0 if every transfer succeeded and every check
 * passed, 1 otherwise, 2 on usage errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libcdma.h"
#include "pattern.h"

#define MIN_SIZE	(4ULL << 10)
#define MAX_SIZE	(64ULL << 20)

static const char *prog = "cdma-demo";

static void usage(void)
{
	fprintf(stderr,
		"Usage: %s [-d DEVICE] [-l LABEL] [-t SECONDS] [-m MAX_SIZE]\n"
		"  -d DEVICE    cDMA device (default /dev/cdma0)\n"
		"  -l LABEL     label of the RATE lines (default: native)\n"
		"  -t SECONDS   time spent per size (default 0.2)\n"
		"  -m MAX_SIZE  largest size in bytes (default 64 MiB)\n",
		prog);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct cdma_buf *buf_get(struct cdma_dev *dev, uint64_t size)
{
	struct cdma_buf *b;
	int r = cdma_buf_alloc(dev, size, 0, &b);

	if (r) {
		fprintf(stderr, "%s: buffer of %llu bytes: %s\n", prog,
			(unsigned long long)size, strerror(-r));
		return NULL;
	}
	return b;
}

int main(int argc, char **argv)
{
	const char *path = "/dev/cdma0", *label = "native";
	double secs = 0.2;
	uint64_t max = MAX_SIZE, size;
	const struct cdma_info *info;
	struct cdma_buf *src = NULL, *dst = NULL;
	struct cdma_dev *dev;
	int opt, r, failed = 0;

	prog = argv[0];
	while ((opt = getopt(argc, argv, "d:l:t:m:h")) != -1) {
		switch (opt) {
		case 'd':
			path = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 't':
			secs = strtod(optarg, NULL);
			if (!(secs > 0 && secs < 3600))
				usage();
			break;
		case 'm':
			max = strtoull(optarg, NULL, 0);
			if (max < MIN_SIZE)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !*label || strpbrk(label, " \t\n"))
		usage();

	/* Opens the device and checks its uAPI version. */
	r = cdma_dev_open(path, &dev);
	if (r) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(-r));
		return 1;
	}
	info = cdma_dev_info(dev);
	if (max > info->max_buffer_size)
		max = info->max_buffer_size;
	if (max < MIN_SIZE) {
		fprintf(stderr, "%s: max_buffer_size %llu below %llu\n", prog,
			(unsigned long long)info->max_buffer_size, MIN_SIZE);
		return 1;
	}
	/* Largest power-of-4 multiple of 4 KiB that fits. */
	for (size = MIN_SIZE; size * 4 <= max; size *= 4)
		;
	src = buf_get(dev, size);
	dst = src ? buf_get(dev, size) : NULL;
	if (!dst)
		return 1;

	printf("# %s: %s, node %u, %u channel(s)%s, label %s\n", prog, path,
	       info->node_id, info->channels,
	       cdma_dev_is_virtual(dev) ? ", paravirtual" : "", label);
	printf("%12s %10s %12s %8s\n", "size", "iterations", "MB/s", "check");

	for (size = MIN_SIZE; size <= src->size && size <= max; size *= 4) {
		uint64_t t0, t, iters = 0, budget = (uint64_t)(secs * 1e9);
		double mbps;
		int ok;

		cdma_pattern_fill(CDMA_PATTERN_XORSHIFT, size, src->addr,
				  size, 0);
		memset(dst->addr, 0, size);
		t0 = now_ns();
		do {
			r = cdma_copy(dst, 0, src, 0, size);
			if (r) {
				fprintf(stderr, "%s: transfer of %llu bytes: %s\n",
					prog, (unsigned long long)size,
					strerror(-r));
				failed = 1;
				goto out;
			}
			iters++;
			t = now_ns() - t0;
		} while (t < budget);
		/* The timed transfers copied the source ... */
		ok = !memcmp(src->addr, dst->addr, size);
		/* ... and so does one more, onto a cleared destination. */
		cdma_pattern_fill(CDMA_PATTERN_XORSHIFT, size + 1, src->addr,
				  size, 0);
		memset(dst->addr, 0, size);
		r = cdma_copy(dst, 0, src, 0, size);
		if (r) {
			fprintf(stderr, "%s: transfer of %llu bytes: %s\n",
				prog, (unsigned long long)size, strerror(-r));
			failed = 1;
			goto out;
		}
		ok = ok && !memcmp(src->addr, dst->addr, size);
		if (!ok)
			failed = 1;
		mbps = (double)size * (double)iters / ((double)t / 1e9) / 1e6;
		printf("%12llu %10llu %12.1f %8s\n", (unsigned long long)size,
		       (unsigned long long)iters, mbps, ok ? "ok" : "FAILED");
		printf("RATE %s %llu %.1f\n", label, (unsigned long long)size,
		       mbps);
		fflush(stdout);
	}
out:
	/* Frees the buffers too. */
	cdma_dev_close(dev);
	if (failed)
		fprintf(stderr, "%s: FAILED\n", prog);
	return failed;
}
