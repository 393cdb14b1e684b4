// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cdma_core's page sets (pages.c): allocated sets of 1, odd
 * and 1025 pages are zeroed and their segments cover the pages in order,
 * each one physically contiguous; imported sets merge contiguous runs and
 * split the rest, and leave the pages to their owner.
 */

#include <kunit/test.h>
#include <linux/cdma_core.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/string.h>

static const unsigned long alloc_sizes[] = { 1, 2, 3, 7, 64, 513, 1025 };

static void alloc_size_desc(const unsigned long *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%lu pages", *n);
}

KUNIT_ARRAY_PARAM(alloc_size, alloc_sizes, alloc_size_desc);

KUNIT_DEFINE_ACTION_WRAPPER(pages_free_action, cdma_pages_free,
			    struct cdma_pages *);

/* The segments of @p cover its pages in order, each run contiguous. */
static void check_segs(struct kunit *test, const struct cdma_pages *p)
{
	unsigned long s, j, k = 0;

	KUNIT_ASSERT_GE(test, p->nsegs, 1UL);
	KUNIT_ASSERT_LE(test, p->nsegs, p->npages);
	for (s = 0; s < p->nsegs; s++) {
		const struct cdma_seg *seg = &p->segs[s];

		KUNIT_ASSERT_GE_MSG(test, seg->nr, 1UL, "seg %lu", s);
		KUNIT_ASSERT_LE_MSG(test, seg->nr, p->npages - k, "seg %lu", s);
		for (j = 0; j < seg->nr; j++, k++) {
			KUNIT_EXPECT_PTR_EQ_MSG(test, p->pages[k], seg->page + j,
						"seg %lu page %lu", s, j);
			KUNIT_EXPECT_EQ_MSG(test, page_to_pfn(p->pages[k]),
					    page_to_pfn(seg->page) + j,
					    "seg %lu page %lu", s, j);
		}
	}
	KUNIT_EXPECT_EQ(test, k, p->npages);
}

static void pages_alloc_test(struct kunit *test)
{
	const unsigned long n = *(const unsigned long *)test->param_value;
	struct cdma_pages *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	unsigned long i, s;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, cdma_pages_alloc(p, n, true), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pages_free_action,
							p), 0);
	KUNIT_EXPECT_EQ(test, p->npages, n);
	KUNIT_EXPECT_TRUE(test, p->owned);
	check_segs(test, p);

	/* Blocks of the page allocator, split: power-of-two runs of pages
	 * referenced one by one.
	 */
	for (s = 0; s < p->nsegs; s++)
		KUNIT_EXPECT_TRUE_MSG(test, is_power_of_2(p->segs[s].nr),
				      "seg %lu has %lu pages", s,
				      p->segs[s].nr);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, page_count(p->pages[i]), 1,
				    "page %lu", i);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(page_address(p->pages[i]),
						       0, PAGE_SIZE),
				      "page %lu not zeroed", i);
	}
}

static void pages_free_test(struct kunit *test)
{
	struct cdma_pages p, zero;

	memset(&zero, 0, sizeof(zero));
	KUNIT_ASSERT_EQ(test, cdma_pages_alloc(&p, 5, true), 0);
	cdma_pages_free(&p);
	KUNIT_EXPECT_EQ(test, memcmp(&p, &zero, sizeof(p)), 0);
}

#define NBLOCK	8

struct block {
	struct page *page;
};

static void block_free(void *data)
{
	struct block *b = data;
	unsigned int i;

	for (i = 0; i < NBLOCK; i++)
		__free_page(b->page + i);
}

/* NBLOCK physically contiguous order-0 pages, freed after the test. */
static struct page *contiguous_pages(struct kunit *test)
{
	struct block *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->page = alloc_pages(GFP_KERNEL | __GFP_ZERO, ilog2(NBLOCK));
	KUNIT_ASSERT_NOT_NULL(test, b->page);
	split_page(b->page, ilog2(NBLOCK));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, block_free, b), 0);
	return b->page;
}

struct import_case {
	const char *desc;
	unsigned int n;
	unsigned int idx[NBLOCK];	/* pages, as indexes in the block */
	unsigned int nsegs;
	unsigned int seg_nr[NBLOCK];
};

static const struct import_case import_cases[] = {
	{ "one page", 1, { 5 }, 1, { 1 } },
	{ "whole block", 8, { 0, 1, 2, 3, 4, 5, 6, 7 }, 1, { 8 } },
	{ "run of 4", 4, { 2, 3, 4, 5 }, 1, { 4 } },
	{ "hole", 4, { 0, 2, 3, 5 }, 3, { 1, 2, 1 } },
	{ "two runs", 6, { 0, 1, 2, 5, 6, 7 }, 2, { 3, 3 } },
	{ "descending", 3, { 3, 2, 1 }, 3, { 1, 1, 1 } },
	{ "same page twice", 2, { 4, 4 }, 2, { 1, 1 } },
	{ "run, back, run", 5, { 0, 1, 0, 1, 2 }, 2, { 2, 3 } },
};

KUNIT_ARRAY_PARAM_DESC(import, import_cases, desc);

static void pages_import_test(struct kunit *test)
{
	const struct import_case *c = test->param_value;
	struct page *block = contiguous_pages(test);
	struct page *pages[NBLOCK];
	struct cdma_pages p;
	unsigned int i, s;

	for (i = 0; i < c->n; i++)
		pages[i] = block + c->idx[i];
	KUNIT_ASSERT_EQ(test, cdma_pages_import(&p, pages, c->n), 0);
	/* The caller's array is copied. */
	memset(pages, 0, sizeof(pages));

	KUNIT_EXPECT_FALSE(test, p.owned);
	KUNIT_EXPECT_EQ(test, p.npages, (unsigned long)c->n);
	for (i = 0; i < c->n; i++)
		KUNIT_EXPECT_PTR_EQ(test, p.pages[i], block + c->idx[i]);
	KUNIT_EXPECT_EQ(test, p.nsegs, (unsigned long)c->nsegs);
	for (s = 0; s < min_t(unsigned long, p.nsegs, c->nsegs); s++)
		KUNIT_EXPECT_EQ_MSG(test, p.segs[s].nr,
				    (unsigned long)c->seg_nr[s], "seg %u", s);
	check_segs(test, &p);

	/* Freeing the description leaves the pages to their owner. */
	cdma_pages_free(&p);
	for (i = 0; i < NBLOCK; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_count(block + i), 1,
				    "page %u", i);
}

static struct kunit_case cdma_pages_cases[] = {
	KUNIT_CASE_PARAM(pages_alloc_test, alloc_size_gen_params),
	KUNIT_CASE(pages_free_test),
	KUNIT_CASE_PARAM(pages_import_test, import_gen_params),
	{}
};

static struct kunit_suite cdma_pages_suite = {
	.name = "cdma_core_pages",
	.test_cases = cdma_pages_cases,
};

kunit_test_suite(cdma_pages_suite);
