// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libcdma: devices - finding, opening, closing, completion mode, eventfd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* N of a "cdmaN" directory entry, or -1. */
static long cdma_dev_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "cdma", 4) || name[4] < '0' || name[4] > '9')
		return -1;
	n = strtol(name + 4, &end, 10);
	return *end || n < 0 || n > 1000000 ? -1 : n;
}

static int cdma_cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Does the device at @path match @kind? 1 yes, 0 no or unusable. */
static int cdma_dev_matches(const char *path, int kind)
{
	struct cdma_info info;
	int fd, virt, r;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	r = ioctl(fd, CDMA_IOC_INFO, &info);
	close(fd);
	if (r < 0)
		return 0;
	virt = !!(info.caps & CDMA_CAP_VIRTUAL);
	return kind == CDMA_FIND_ANY || (kind == CDMA_FIND_VIRTUAL) == virt;
}

CDMA_API int cdma_dev_find(int kind, unsigned int index, char *path,
			   size_t len)
{
	long nums[256];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int ret = -ENOENT;

	if (kind != CDMA_FIND_ANY && kind != CDMA_FIND_NATIVE &&
	    kind != CDMA_FIND_VIRTUAL)
		return -EINVAL;
	d = opendir("/dev");
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < ARRAY_SIZE(nums)) {
		long num = cdma_dev_number(de->d_name);

		if (num >= 0)
			nums[n++] = num;
	}
	closedir(d);
	qsort(nums, n, sizeof(nums[0]), cdma_cmp_long);
	for (i = 0; i < n; i++) {
		char p[64];
		size_t plen;

		snprintf(p, sizeof(p), "/dev/cdma%ld", nums[i]);
		if (!cdma_dev_matches(p, kind) || index--)
			continue;
		plen = strlen(p);
		if (plen >= len)
			return -ENAMETOOLONG;
		memcpy(path, p, plen + 1);
		ret = 0;
		break;
	}
	return ret;
}

CDMA_API int cdma_dev_open(const char *path, struct cdma_dev **devp)
{
	struct cdma_dev *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->efd = -1;
	dev->loop_fd = -1;
	dev->mode = CDMA_MODE_INTERRUPT;
	dev->path = strdup(path);
	if (!dev->path) {
		free(dev);
		return -ENOMEM;
	}
	/* Non-blocking: completions are read only when known to be there. */
	dev->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (dev->fd < 0) {
		ret = -errno;
		goto err;
	}
	if (ioctl(dev->fd, CDMA_IOC_INFO, &dev->info) < 0) {
		ret = -errno;
		goto err;
	}
	if (dev->info.version != CDMA_UAPI_VERSION || !dev->info.page_size) {
		ret = -EPROTO;
		goto err;
	}
	ret = cdma_slots_init(dev);
	if (ret)
		goto err;
	*devp = dev;
	return 0;

err:
	if (dev->fd >= 0)
		close(dev->fd);
	free(dev->path);
	free(dev);
	return ret;
}

CDMA_API void cdma_dev_close(struct cdma_dev *dev)
{
	if (!dev)
		return;
	cdma_loop_remove(dev);
	while (dev->bufs)
		cdma_buf_free(&dev->bufs->buf);
	close(dev->fd);
	if (dev->efd >= 0)
		close(dev->efd);
	cdma_slots_fini(dev);
	free(dev->path);
	free(dev);
}

CDMA_API const struct cdma_info *cdma_dev_info(const struct cdma_dev *dev)
{
	return &dev->info;
}

CDMA_API const char *cdma_dev_path(const struct cdma_dev *dev)
{
	return dev->path;
}

CDMA_API int cdma_dev_is_virtual(const struct cdma_dev *dev)
{
	return !!(dev->info.caps & CDMA_CAP_VIRTUAL);
}

CDMA_API int cdma_dev_fd(const struct cdma_dev *dev)
{
	return dev->fd;
}

static int cdma_dev_apply_mode(struct cdma_dev *dev, uint32_t mode, int efd)
{
	struct cdma_mode m = { .mode = mode, .eventfd = efd };

	if (ioctl(dev->fd, CDMA_IOC_SET_MODE, &m) < 0)
		return -errno;
	dev->mode = mode;
	return 0;
}

CDMA_API int cdma_dev_set_mode(struct cdma_dev *dev, uint32_t mode)
{
	return cdma_dev_apply_mode(dev, mode, dev->efd);
}

CDMA_API uint32_t cdma_dev_mode(const struct cdma_dev *dev)
{
	return dev->mode;
}

CDMA_API int cdma_dev_enable_eventfd(struct cdma_dev *dev)
{
	int efd, ret;

	if (dev->efd >= 0)
		return dev->efd;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	ret = cdma_dev_apply_mode(dev, dev->mode, efd);
	if (ret) {
		close(efd);
		return ret;
	}
	dev->efd = efd;
	ret = cdma_loop_update(dev);
	return ret ? ret : efd;
}

CDMA_API int cdma_dev_disable_eventfd(struct cdma_dev *dev)
{
	int efd = dev->efd, ret;

	if (efd < 0)
		return 0;
	ret = cdma_dev_apply_mode(dev, dev->mode, -1);
	if (ret)
		return ret;
	dev->efd = -1;
	/* Moves the loop's registration while the eventfd is still open. */
	ret = cdma_loop_update(dev);
	close(efd);
	return ret;
}

CDMA_API int cdma_dev_event_fd(const struct cdma_dev *dev)
{
	return dev->efd >= 0 ? dev->efd : dev->fd;
}
