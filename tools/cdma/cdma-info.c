// SPDX-License-Identifier: GPL-2.0
/*
 * cdma-info - describe cDMA devices.
 *
 *   cdma-info [DEVICE...]         describe the devices (default: every
 *                                 /dev/cdmaN)
 *   cdma-info -p native|virtual   print the path of the first native or
 *                                 paravirtual device (exit 1: none)
 *
 * Exits 0, 1 when a device cannot be opened or none is found, 2 on usage
 * errors.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libcdma.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static void caps_str(uint32_t caps, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ CDMA_CAP_ASYNC, "async" }, { CDMA_CAP_POLL_MODE, "poll" },
		{ CDMA_CAP_EVENTFD, "eventfd" }, { CDMA_CAP_GLOBAL, "global" },
		{ CDMA_CAP_VIRTUAL, "virtual" },
	};
	size_t i;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (caps & names[i].bit)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? "," : "", names[i].name);
}

static int describe(const char *path)
{
	const struct cdma_info *in;
	struct cdma_dev *dev;
	char caps[80];
	int r;

	r = cdma_dev_open(path, &dev);
	if (r) {
		fprintf(stderr, "cdma-info: %s: %s\n", path, strerror(-r));
		return 1;
	}
	in = cdma_dev_info(dev);
	caps_str(in->caps, caps, sizeof(caps));
	fprintf(stdout,
		"%s: %s, uAPI %u, node %u, %u channel(s), caps %s, max_buffer_size %llu, max_buffers %u, max_inflight %u, page_size %u\n",
		path, cdma_dev_is_virtual(dev) ? "paravirtual" : "native",
		in->version, in->node_id, in->channels, caps,
		(unsigned long long)in->max_buffer_size, in->max_buffers,
		in->max_inflight, in->page_size);
	cdma_dev_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	const char *kind = NULL;
	char path[64];
	unsigned int i;
	int opt, ret = 0;

	while ((opt = getopt(argc, argv, "p:h")) != -1) {
		switch (opt) {
		case 'p':
			kind = optarg;
			break;
		default:
			fprintf(stderr,
				"Usage: cdma-info [DEVICE...] | cdma-info -p native|virtual\n");
			return 2;
		}
	}
	if (kind) {
		int k = !strcmp(kind, "native") ? CDMA_FIND_NATIVE :
			!strcmp(kind, "virtual") ? CDMA_FIND_VIRTUAL : -1;

		if (k < 0 || optind != argc) {
			fprintf(stderr, "cdma-info: -p native|virtual\n");
			return 2;
		}
		if (cdma_dev_find(k, 0, path, sizeof(path)))
			return 1;
		printf("%s\n", path);
		return 0;
	}
	if (optind < argc) {
		for (; optind < argc; optind++)
			ret |= describe(argv[optind]);
		return ret;
	}
	for (i = 0; !cdma_dev_find(CDMA_FIND_ANY, i, path, sizeof(path)); i++)
		ret |= describe(path);
	if (!i)
		fprintf(stderr, "cdma-info: no cDMA device\n");
	return i ? ret : 1;
}
