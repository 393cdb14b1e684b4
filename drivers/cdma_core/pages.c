// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: page sets backing DMA buffers.
 *
 * Allocated sets are built from the largest physically contiguous blocks
 * the page allocator gives, split into order-0 pages so that each page is
 * reference counted on its own: a user mapping holds page references and
 * outlives the buffer safely.  Imported sets describe pages owned by
 * someone else (pinned guest memory); their contiguous runs are found so
 * that copies work on runs, not pages.
 */

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/cdma_compat.h>
#include <linux/cdma_core.h>

static struct page *cdma_alloc_block(unsigned long want, unsigned int *order,
				     gfp_t gfp)
{
	unsigned int o = min_t(unsigned int, ilog2(want), MAX_PAGE_ORDER);
	struct page *page;

	for (;; o--) {
		page = alloc_pages(gfp | (o ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL), o);
		if (page || !o)
			break;
	}
	if (page) {
		split_page(page, o);
		*order = o;
	}
	return page;
}

static int cdma_pages_arrays(struct cdma_pages *p, unsigned long npages)
{
	memset(p, 0, sizeof(*p));
	p->pages = kvmalloc_array(npages, sizeof(*p->pages), GFP_KERNEL_ACCOUNT);
	p->segs = kvmalloc_array(npages, sizeof(*p->segs), GFP_KERNEL_ACCOUNT);
	if (!p->pages || !p->segs) {
		kvfree(p->pages);
		kvfree(p->segs);
		return -ENOMEM;
	}
	return 0;
}

/**
 * cdma_pages_alloc() - allocate a page set
 * @p: the set to fill
 * @npages: number of pages, at least 1
 * @zero: clear the pages; without it they hold whatever they held, for a
 *	caller whose pages are cleared or replaced before anyone reads them
 *
 * Return: 0, -ENOMEM, or -EINTR when a fatal signal is pending.
 */
int cdma_pages_alloc(struct cdma_pages *p, unsigned long npages, bool zero)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
			  (zero ? __GFP_ZERO : 0);
	unsigned int order;
	struct page *page;
	unsigned long i;
	int ret;

	ret = cdma_pages_arrays(p, npages);
	if (ret)
		return ret;
	p->owned = true;
	while (p->npages < npages) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto fail;
		}
		page = cdma_alloc_block(npages - p->npages, &order, gfp);
		if (!page) {
			ret = -ENOMEM;
			goto fail;
		}
		for (i = 0; i < (1UL << order); i++)
			p->pages[p->npages + i] = page + i;
		p->segs[p->nsegs].page = page;
		p->segs[p->nsegs].nr = 1UL << order;
		p->nsegs++;
		p->npages += 1UL << order;
		cond_resched();
	}
	return 0;

fail:
	cdma_pages_free(p);
	return ret;
}
EXPORT_SYMBOL_GPL(cdma_pages_alloc);

/**
 * cdma_pages_import() - describe pages owned by the caller
 * @p: the set to fill
 * @pages: the pages, in order; copied
 * @npages: number of pages, at least 1
 *
 * cdma_pages_free() on an imported set frees only the description.
 *
 * Return: 0 or -ENOMEM.
 */
int cdma_pages_import(struct cdma_pages *p, struct page **pages,
		      unsigned long npages)
{
	unsigned long i;
	int ret;

	ret = cdma_pages_arrays(p, npages);
	if (ret)
		return ret;
	memcpy(p->pages, pages, npages * sizeof(*pages));
	p->npages = npages;
	for (i = 0; i < npages; i++) {
		struct cdma_seg *last = p->nsegs ? &p->segs[p->nsegs - 1] : NULL;

		if (last && page_to_pfn(last->page) + last->nr ==
			    page_to_pfn(pages[i])) {
			last->nr++;
			continue;
		}
		p->segs[p->nsegs].page = pages[i];
		p->segs[p->nsegs].nr = 1;
		p->nsegs++;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_pages_import);

/**
 * cdma_pages_free() - release a page set
 * @p: the set; pages still mapped somewhere live on until unmapped
 */
void cdma_pages_free(struct cdma_pages *p)
{
	unsigned long i;

	if (p->owned)
		for (i = 0; i < p->npages; i++)
			__free_page(p->pages[i]);
	kvfree(p->pages);
	kvfree(p->segs);
	memset(p, 0, sizeof(*p));
}
EXPORT_SYMBOL_GPL(cdma_pages_free);

/**
 * cdma_pages_mmap_range() - map part of a page set into a shared mapping
 * @p: the set
 * @vma: a VM_SHARED mapping being set up
 * @first: index of the set's page mapped at @vma->vm_start
 *
 * Return: 0, -EINVAL for a private mapping or one past the set's end, or
 * the error of vm_insert_pages().
 */
int cdma_pages_mmap_range(const struct cdma_pages *p,
			  struct vm_area_struct *vma, unsigned long first)
{
	unsigned long npages = vma_pages(vma);

	if (!(vma->vm_flags & VM_SHARED) || first >= p->npages ||
	    npages > p->npages - first)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_pages(vma, vma->vm_start, p->pages + first, &npages);
}
EXPORT_SYMBOL_GPL(cdma_pages_mmap_range);

/**
 * cdma_pages_fault() - bring a page of a set back into its mapping
 * @p: the set; it must live as long as the mapping (the provider's
 *	&vm_operations_struct open and close hold it)
 * @vmf: the fault
 * @base: the page offset (vm_pgoff) at which the mapping's file maps the
 *	set's first page
 *
 * The pages are inserted when the mapping is made; an mm call may take
 * them out again (MADV_DONTNEED, a partial zap): the next access comes
 * here, as a fault of ordinary shared memory would, instead of SIGBUS.
 *
 * Return: 0 with @vmf->page set (a reference taken), or VM_FAULT_SIGBUS
 * outside the set.
 */
vm_fault_t cdma_pages_fault(const struct cdma_pages *p, struct vm_fault *vmf,
			    unsigned long base)
{
	unsigned long i = vmf->pgoff - base;

	if (vmf->pgoff < base || i >= p->npages)
		return VM_FAULT_SIGBUS;
	vmf->page = p->pages[i];
	get_page(vmf->page);
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_pages_fault);

/**
 * cdma_pages_mmap() - map a page set into a shared mapping being set up
 * @p: the set
 * @vma: a VM_SHARED mapping of at most the set's size
 *
 * Return: as cdma_pages_mmap_range() from the set's first page.
 */
int cdma_pages_mmap(const struct cdma_pages *p, struct vm_area_struct *vma)
{
	return cdma_pages_mmap_range(p, vma, 0);
}
EXPORT_SYMBOL_GPL(cdma_pages_mmap);
