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
static void cd_print_test_run(void)
{
	cd_print_run("cdma_test", cdma_dev_path, cdma_seed);
}

int main(int argc, char **argv)
{
	const struct cd_opt opts[] = {
		{ "-d", "--device", &cdma_dev_path, "CDMA_DEV", false },
	};

	cdma_seed = cd_env_seed(cd_now_ns());
	return cd_harness_main(argc, argv, opts, ARRAY_SIZE(opts), cd_usage,
			       cd_print_test_run);
}
