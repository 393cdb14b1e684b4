// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_test - kselftest suite for the cDMA character device
 * (include/uapi/linux/cdma.h, Documentation/cdma-uapi.rst).
 *
 * Usage: cdma_test [-d PATH] [kselftest harness options]
 *
 *   -d PATH, --device PATH   device to test (default $CDMA_DEV or /dev/cdma0)
 *   -h                       harness options (-l, -t, -T, -f, -F, -v, -V, -r)
 *
 * Environment:
 *   CDMA_DEV            device path (overridden by -d)
 *   CDMA_SEED           base seed of the random data patterns (hex or dec)
 *   CDMA_TIMEOUT_SCALE  integer factor applied to per-test timeouts
 *
 * The same suite runs against the native engine (cdma_soft) and the
 * paravirtual frontend (virtio_rdma_remote): it only uses the uAPI.
 *
 * The kselftest harness keeps its test list in static variables and
 * defines non-static functions, so the suite must be one translation
 * unit: the test files below are included, not linked.
 */
#include "cdma_fixture.h"
#include "harness_args.h"

#include "test_info.c"
#include "test_alloc.c"
#include "test_submit.c"
#include "test_data.c"
#include "test_wait.c"
#include "test_read.c"
#include "test_mode.c"
#include "test_inflight.c"
#include "test_export.c"
#include "test_global.c"
#include "test_process.c"
#include "test_mm.c"

static void cd_usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [-d PATH] [harness options, -h for the list]\n"
		"\t-d PATH  cDMA device to test (default $CDMA_DEV or /dev/cdma0)\n",
		prog);
}

/* Where and with what data the run happened, for reproduction. */
static void cd_print_run(void)
{
	printf("# cdma_test: device %s CDMA_SEED=%#llx\n", cdma_dev_path,
	       (unsigned long long)cdma_seed);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *env = getenv("CDMA_DEV");
	const char *seed = getenv("CDMA_SEED");
	const struct cd_opt opts[] = { { "-d", "--device", &cdma_dev_path } };
	char **av;
	int ac;

	if (env && *env)
		cdma_dev_path = env;
	if (seed && *seed)
		cdma_seed = strtoull(seed, NULL, 0);
	else
		cdma_seed = ((uint64_t)getpid() << 32) ^ cd_now_ns();

	av = cd_harness_args(argc, argv, opts, 1, cd_usage, &ac);
	if (!av)
		return KSFT_FAIL;

	/* After the TAP output (TAP wants its version line first). */
	atexit(cd_print_run);
	return test_harness_run(ac, av);
}
