// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: guest-page lookup.
 *
 * A guest range is translated through the IOTLB (read-write mappings
 * only) and the pages behind it are held for as long as the engine uses
 * them:
 *
 * - PA mode (virtio_vdpa): the translation is a host physical address.
 *   Only online RAM pages with a reference count are accepted; each gets a
 *   reference.  The in-kernel driver must hand out pages it owns with their
 *   own reference counts (order-0, split or compound pages).
 * - VA mode (vhost_vdpa, bind_mm) holds no guest page: the engine's buffer
 *   replaces the guest range in the VMM instead (swap.c).
 */

#include <linux/highmem.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>

#include "rdma_zcopy.h"

/* Pages put or cleared between two rescheduling points */
#define RZ_PUT_BATCH	1024

/* A reference on @page's folio, unless it is free or being split. */
static bool rz_page_tryget(struct page *page)
{
	struct folio *folio;

	for (;;) {
		folio = page_folio(page);
		if (!folio_try_get(folio))
			return false;
		if (likely(page_folio(page) == folio))
			return true;
		folio_put(folio);
	}
}

static int rz_get_pa(u64 pa, unsigned long npages, struct page **pages)
{
	unsigned long i, pfn = PHYS_PFN(pa);

	for (i = 0; i < npages; i++) {
		struct page *page = NULL;

		if (pfn_valid(pfn + i))
			page = pfn_to_online_page(pfn + i);
		if (!page || PageReserved(page) || !rz_page_tryget(page)) {
			rz_pages_put(pages, i);
			return -EFAULT;
		}
		pages[i] = page;
	}
	return 0;
}

/**
 * rz_pages_get() - hold the pages behind a guest range
 * @rz: the device, in the worker with rz->lock held
 * @iova: first bus address, page aligned
 * @len: bytes, a non-zero multiple of PAGE_SIZE
 * @pages: out: len / PAGE_SIZE pages, each referenced
 *
 * Return: 0, -EFAULT when part of the range is not mapped read-write, not
 * RAM or not pinnable, -ENOMEM, or another error of pinning.
 */
int rz_pages_get(struct rz_dev *rz, u64 iova, u64 len, struct page **pages)
{
	unsigned long done = 0, npages;
	u64 addr, n;
	int ret;

	lockdep_assert_held(&rz->lock);

	while (len) {
		ret = rz_translate(rz, iova, len, VHOST_MAP_RW, &addr, &n);
		if (ret)
			goto fail;
		/* A page must not straddle two mappings. */
		if (!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(n)) {
			ret = -EFAULT;
			goto fail;
		}
		npages = n >> PAGE_SHIFT;
		if (rz->mode == RZ_MODE_PA)
			ret = rz_get_pa(addr, npages, pages + done);
		else
			ret = -EFAULT;
		if (ret)
			goto fail;
		done += npages;
		iova += n;
		len -= n;
	}
	return 0;

fail:
	rz_pages_put(pages, done);
	return ret;
}

/**
 * rz_pages_put() - drop what rz_pages_get() took
 * @pages: the pages
 * @npages: number of @pages
 *
 * May sleep.
 */
void rz_pages_put(struct page **pages, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		put_page(pages[i]);
		if (!(i % RZ_PUT_BATCH))
			cond_resched();
	}
}

/**
 * rz_pages_clear() - zero held pages (F_ALLOC_ZEROED in PA mode)
 * @pages: the pages
 * @npages: number of @pages
 *
 * May sleep.
 */
void rz_pages_clear(struct page **pages, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		clear_highpage(pages[i]);
		if (!(i % RZ_PUT_BATCH))
			cond_resched();
	}
}
