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
 * - VA mode (vhost_vdpa, bind_mm): the translation is a virtual address of
 *   the VMM; its pages are pinned with FOLL_LONGTERM | FOLL_WRITE in the
 *   bound mm, which also makes the guest RAM mapping's pages stay where
 *   they are (no migration, no swap) while the engine writes to them.
 */

#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>

#include "rdma_zcopy.h"

/* Pages put or unpinned between two rescheduling points */
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
			rz_pages_put(pages, i, false);
			return -EFAULT;
		}
		pages[i] = page;
	}
	return 0;
}

static int rz_pin_va(struct mm_struct *mm, u64 va, unsigned long npages,
		     struct page **pages)
{
	unsigned long done = 0;
	int ret = 0;
	long got;

	if (!mm || !mmget_not_zero(mm))
		return -EFAULT;
	mmap_read_lock(mm);
	while (done < npages) {
		got = pin_user_pages_remote(mm, va + (done << PAGE_SHIFT),
					    npages - done,
					    FOLL_WRITE | FOLL_LONGTERM,
					    pages + done, NULL);
		if (got <= 0) {
			ret = got ? got : -EFAULT;
			break;
		}
		done += got;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	if (ret)
		unpin_user_pages(pages, done);
	return ret;
}

/**
 * rz_pages_get() - hold the pages behind a guest range
 * @rz: the device, in the worker with rz->lock held
 * @iova: first bus address, page aligned
 * @len: bytes, a non-zero multiple of PAGE_SIZE
 * @pages: out: len / PAGE_SIZE pages, referenced (PA) or pinned (VA)
 *
 * Return: 0, -EFAULT when part of the range is not mapped read-write, not
 * RAM or not pinnable, -ENOMEM, or another error of pinning.
 */
int rz_pages_get(struct rz_dev *rz, u64 iova, u64 len, struct page **pages)
{
	unsigned long done = 0, npages;
	u64 addr, n;
	int ret;

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
		if (rz->mode == RZ_MODE_VA)
			ret = rz_pin_va(rz->mm, addr, npages, pages + done);
		else if (rz->mode == RZ_MODE_PA)
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
	rz_pages_put(pages, done, rz->mode == RZ_MODE_VA);
	return ret;
}

/**
 * rz_pages_put() - drop what rz_pages_get() took
 * @pages: the pages
 * @npages: number of @pages
 * @pinned: VA mode: unpin and mark dirty (the engine may have written);
 *	PA mode: drop the references
 *
 * May sleep.
 */
void rz_pages_put(struct page **pages, unsigned long npages, bool pinned)
{
	unsigned long i, n;

	for (i = 0; i < npages; i += n) {
		n = min_t(unsigned long, npages - i, RZ_PUT_BATCH);
		if (pinned) {
			unpin_user_pages_dirty_lock(pages + i, n, true);
		} else {
			unsigned long j;

			for (j = 0; j < n; j++)
				put_page(pages[i + j]);
		}
		cond_resched();
	}
}
