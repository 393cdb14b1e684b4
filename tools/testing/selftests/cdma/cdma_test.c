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
#include "cdma_helpers.h"

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
	char **av;
	int ac = 0, i;

	if (env && *env)
		cdma_dev_path = env;
	if (seed && *seed)
		cdma_seed = strtoull(seed, NULL, 0);
	else
		cdma_seed = ((uint64_t)getpid() << 32) ^ cd_now_ns();

	/*
	 * Take -d out of argv; hand everything else to the harness.  The
	 * arguments of the harness's own options are copied untouched.
	 */
	av = calloc((size_t)argc + 1, sizeof(*av));
	if (!av)
		return KSFT_FAIL;
	av[ac++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-d") || !strcmp(a, "--device")) {
			if (i + 1 >= argc) {
				cd_usage(argv[0]);
				return KSFT_FAIL;
			}
			cdma_dev_path = argv[++i];
		} else if (!strncmp(a, "--device=", 9)) {
			cdma_dev_path = a + 9;
		} else if (!strncmp(a, "-d", 2)) {
			cdma_dev_path = a + 2;
		} else if (a[0] == '-' && a[1] && strchr("FfVvTtr", a[1]) &&
			   !a[2] && i + 1 < argc) {
			av[ac++] = argv[i++];
			av[ac++] = argv[i];
		} else if (!strcmp(a, "-h")) {
			cd_usage(argv[0]);
			av[ac++] = argv[i];
		} else {
			av[ac++] = argv[i];
		}
	}
	av[ac] = NULL;

	/* After the TAP output (TAP wants its version line first). */
	atexit(cd_print_run);
	return test_harness_run(ac, av);
}
