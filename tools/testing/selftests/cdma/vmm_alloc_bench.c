// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_alloc_bench - buffer allocation time with zero-copy in VA mode
 * (rdma_zcopy's in-place swap) against the native device, in one run.
 *
 *   vmm_alloc_bench [-d VHOST_VDPA_DEV] [-n NATIVE_DEV] [-r REPS] [-g FILE]
 *
 * Plays the VMM and the guest driver over /dev/vhost-vdpa-N (vmm_virtio.h,
 * as vmm_harness does) and times, by size from 4 KiB to 32 MiB (the
 * harness's guest RAM):
 *
 *   native  CDMA_IOC_ALLOC on the native device (the engine allocates and
 *           zeroes the buffer)
 *   swap    the ALLOC request of a guest driver in VA mode, sent to the
 *           vDPA device and answered: translation, engine allocation,
 *           in-place swap into this process's "guest RAM" (vm_mmap of the
 *           buffer over it, punch of the memfd pages)
 *
 * A guest's CDMA_IOC_ALLOC is its driver's page allocation plus the ALLOC
 * request.  With VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED (which the device
 * offers) the driver does not clear its pages: the swap replaces them by
 * the engine's zeroed buffer.  FILE (-g) gives that allocation's time as
 * measured in a guest driver ("PAGES US" lines, as guest/bench.sh writes
 * them); the guest is then estimated as pages + swap.  For a size FILE
 * does not give, the estimate is native + swap: a driver clearing its
 * pages itself, at the engine's cost.  The ratio of the estimate to
 * native is printed ("ratio guest/native alloc VA mode @1MiB: R").
 * The sizes alternate native and swap; each time is the median of REPS
 * (default 9) allocations, each followed by its FREE (not timed).
 *
 * Exit status: 0, 1 when a set-up or an allocation failed.
 */

#include "cdma_helpers.h"
#include "vmm_virtio.h"

#define ZC_DATA_MAX	(32 * ZC_MiB)	/* inside RAM region 0 */

static int64_t vb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int vb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double vb_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), vb_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One native ALLOC of @size, timed (us), then FREE.  -errno on failure. */
static int vb_native(int fd, uint64_t size, double *us)
{
	struct cdma_alloc a = { .size = size };
	struct cdma_free f = { 0 };
	int64_t t0 = vb_now();

	if (ioctl(fd, CDMA_IOC_ALLOC, &a))
		return -errno;
	*us = (vb_now() - t0) / 1e3;
	f.handle = a.handle;
	return ioctl(fd, CDMA_IOC_FREE, &f) ? -errno : 0;
}

/* One VA-mode ALLOC of @size, timed (us), then FREE.  Status on failure. */
static int vb_swap(struct zc_vmm *m, uint32_t sid, uint64_t size, double *us)
{
	const struct zc_range r = { ZC_DATA, size };
	uint32_t h = 0;
	int64_t t0 = vb_now();
	int st;

	st = zc_alloc(m, sid, &r, 1, &h);
	if (st)
		return st;
	*us = (vb_now() - t0) / 1e3;
	return zc_free(m, sid, h);
}

/* The guest driver's page allocation times, from -g FILE. */
struct vb_pages {
	unsigned int nr;
	struct {
		unsigned long long pages;
		double us;
	} at[64];
};

/* Read @path's "PAGES US [CALLS]" lines into @t; none without @path. */
static void vb_pages_load(const char *path, struct vb_pages *t)
{
	char line[128];
	FILE *f;

	t->nr = 0;
	f = path ? fopen(path, "r") : NULL;
	if (!f)
		return;
	while (t->nr < ARRAY_SIZE(t->at) && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu %lf", &t->at[t->nr].pages,
			   &t->at[t->nr].us) == 2 && t->at[t->nr].us >= 0)
			t->nr++;
	fclose(f);
}

/* The time (us) for a buffer of @size; -1 when not measured. */
static double vb_pages_us(const struct vb_pages *t, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->at[i].pages * ZC_PAGE == size)
			return t->at[i].us;
	return -1;
}

static void vb_usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [-d VHOST_VDPA_DEV] [-n NATIVE_DEV] [-r REPS] [-g FILE]\n"
		"\t-d  vhost-vdpa device of rdma_zcopy (default $ZCOPY_DEV or /dev/vhost-vdpa-0)\n"
		"\t-n  native cDMA device (default /dev/cdma0)\n"
		"\t-r  allocations per size (default 9)\n"
		"\t-g  guest driver's page allocation times, \"PAGES US\" lines\n",
		prog);
}

int main(int argc, char **argv)
{
	const char *vdev = getenv("ZCOPY_DEV"), *ndev = "/dev/cdma0";
	const char *gpath = NULL, *how1m = "";
	double *tn, *ts, ratio1m = 0;
	struct vb_pages gp;
	bool unmeasured = false;
	unsigned int reps = 9, i;
	const struct cd_arg args[] = {
		{ 'd', CD_ARG_STR, &vdev }, { 'n', CD_ARG_STR, &ndev },
		{ 'r', CD_ARG_UINT, &reps }, { 'g', CD_ARG_STR, &gpath },
		{ 'h', CD_ARG_FLAG, NULL },
	};
	struct zc_vmm m;
	uint64_t size;
	uint32_t sid;
	int fd, opt, st, rc = 0;

	if (!vdev || !*vdev)
		vdev = "/dev/vhost-vdpa-0";
	opt = cd_getopt(argc, argv, args, ARRAY_SIZE(args));
	if (opt) {
		vb_usage(argv[0]);
		return opt == 'h' ? 0 : 1;
	}
	if (!reps || reps > 1000) {
		vb_usage(argv[0]);
		return 1;
	}
	vb_pages_load(gpath, &gp);
	tn = calloc(reps, sizeof(*tn));
	ts = calloc(reps, sizeof(*ts));
	if (!tn || !ts)
		return 1;

	fd = open(ndev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmm_alloc_bench: open %s: %s\n", ndev,
			strerror(errno));
		return 1;
	}
	if (zc_vmm_start(&m, vdev)) {
		fprintf(stderr, "vmm_alloc_bench: %s: %s\n", vdev, m.err);
		return 1;
	}
	st = zc_session_open(&m, &sid);
	if (st) {
		fprintf(stderr, "vmm_alloc_bench: SESSION_OPEN: %s\n",
			zc_status_name(st));
		zc_vmm_stop(&m, false);
		return 1;
	}

	fprintf(stdout,
		"== buffer allocation with zero-copy, VA mode (%s, in-place swap) against %s, %u allocations per size (us, median; lower is better)\n",
		vdev, ndev, reps);
	printf("%8s %14s %14s %14s %14s %14s\n", "size", "native alloc",
	       "swap ALLOC", "guest pages", "guest (est.)", "guest/native");
	for (size = 4 * ZC_KiB; size <= ZC_DATA_MAX && !rc; size *= 2) {
		double n, s, g;
		bool measured;

		for (i = 0; i < reps && !rc; i++) {
			st = vb_native(fd, size, &tn[i]);
			if (st) {
				fprintf(stderr, "native ALLOC %llu: %s\n",
					(unsigned long long)size, strerror(-st));
				rc = 1;
			}
			st = rc ? 0 : vb_swap(&m, sid, size, &ts[i]);
			if (st) {
				fprintf(stderr, "VA-mode ALLOC %llu: %s (%s)\n",
					(unsigned long long)size,
					zc_status_name(st), m.err);
				rc = 1;
			}
		}
		if (rc)
			break;
		n = vb_median(tn, reps);
		s = vb_median(ts, reps);
		g = vb_pages_us(&gp, size);
		measured = g >= 0;
		unmeasured |= !measured;
		if (!measured)
			g = n;
		printf("%7lluK %14.1f %14.1f %13.1f%c %14.1f %14.3f\n",
		       (unsigned long long)(size / ZC_KiB), n, s, g,
		       measured ? ' ' : '*', g + s, (g + s) / n);
		if (size == ZC_MiB) {
			ratio1m = (g + s) / n;
			how1m = measured ?
				"guest pages (measured in a guest driver) + swap ALLOC" :
				"native + swap ALLOC: the driver clears its pages";
		}
		fflush(stdout);
	}
	if (!rc && unmeasured)
		puts("* guest pages not measured at this size: the native allocation\n"
		     "  (clearing) stands for them");
	if (!rc)
		printf("target guest/native alloc VA mode @1MiB: %.3f (estimated: %s; <= 1.5: %s)\n"
		       "ratio guest/native alloc VA mode @1MiB: %.3f\n",
		       ratio1m, how1m, ratio1m <= 1.5 ? "met" : "MISSED",
		       ratio1m);
	zc_session_close(&m, sid);
	zc_vmm_stop(&m, false);
	close(fd);
	free(tn);
	free(ts);
	return rc;
}
