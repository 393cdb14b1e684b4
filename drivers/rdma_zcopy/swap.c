// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: in-place swap of guest RAM in the VMM's address space.
 *
 * In VA mode an ALLOC'd buffer is an engine buffer, and the guest ranges
 * that describe it are replaced, in the VMM's address space, by a shared
 * mapping of the engine buffer's pages (vm_mmap with MAP_FIXED of the
 * buffer's file, cdma_buf_file()).  The guest then reads and writes engine
 * memory directly, and the engine writes land in the guest.  The guest
 * RAM pages that were replaced are punched out of their file (a memfd or
 * another shmem file): memory is not doubled while the buffer lives.
 *
 * Restoring maps the original file back at the same place; the punched
 * range reads as zeros.  When that fails an anonymous mapping is put
 * there, and failing that the range is unmapped: an engine page must never
 * stay visible to the guest.  When the VMM's mm is gone there is nothing
 * to restore.
 *
 * mmap changes need the VMM's mm as current->mm: the device worker has it
 * in use while it processes requests; other callers (reset from an ioctl
 * of another process, device removal) go through rz_mm_worker, a kthread
 * that adopts the mm for the call.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdma_engine.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "rdma_zcopy.h"

static struct kthread_worker *rz_mm_worker;

/**
 * struct rz_mm_call - a function run with an mm as current->mm
 * @work: queued on rz_mm_worker
 * @mm: the address space
 * @fn: the function
 * @arg: its argument
 * @ret: its result, or -ESRCH when @mm has no user left
 */
struct rz_mm_call {
	struct kthread_work work;
	struct mm_struct *mm;
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

/**
 * rz_mm_enter() - work in a VMM's address space, on its account
 * @s: the scope, for rz_mm_leave()
 * @mm: the VMM's mm, with a user reference held by the caller
 *
 * The calling kthread uses @mm as its own and charges its __GFP_ACCOUNT
 * allocations (engine buffers, the swap's arrays, page tables) to the
 * memory cgroup of @mm's owner, as if the VMM had made them: a VMM at its
 * memory.max gets ENOMEM, not the host's unaccounted memory.
 */
void rz_mm_enter(struct rz_mm_scope *s, struct mm_struct *mm)
{
	s->mm = mm;
	kthread_use_mm(mm);
	s->memcg = get_mem_cgroup_from_mm(mm);
	s->old = set_active_memcg(s->memcg);
}

/**
 * rz_mm_leave() - end the scope of rz_mm_enter()
 * @s: the scope
 */
void rz_mm_leave(struct rz_mm_scope *s)
{
	set_active_memcg(s->old);
	mem_cgroup_put(s->memcg);
	kthread_unuse_mm(s->mm);
}

static void rz_mm_call_work(struct kthread_work *work)
{
	struct rz_mm_call *c = container_of(work, struct rz_mm_call, work);
	struct rz_mm_scope scope;

	if (!mmget_not_zero(c->mm)) {
		c->ret = -ESRCH;
		return;
	}
	rz_mm_enter(&scope, c->mm);
	c->ret = c->fn(c->arg);
	rz_mm_leave(&scope);
	mmput(c->mm);
}

/* Run @fn(@arg) with @mm as current->mm; -ESRCH when @mm is dead. */
static int rz_in_mm(struct mm_struct *mm, int (*fn)(void *arg), void *arg)
{
	struct rz_mm_call c = { .mm = mm, .fn = fn, .arg = arg };

	if (current->mm == mm)
		return fn(arg);
	kthread_init_work(&c.work, rz_mm_call_work);
	kthread_queue_work(rz_mm_worker, &c.work);
	kthread_flush_work(&c.work);
	return c.ret;
}

/**
 * struct rz_piece - one virtually contiguous part of a swapped buffer
 * @va: start in the VMM's address space
 * @len: bytes
 * @buf_pgoff: first page of the engine buffer mapped at @va
 * @file: the file @va was mapping (guest RAM), with a reference
 * @pgoff: page offset in @file that was at @va
 * @prot: protection of the original mapping
 * @swapped: the engine buffer is mapped at @va
 */
struct rz_piece {
	unsigned long va;
	unsigned long len;
	pgoff_t buf_pgoff;
	struct file *file;
	pgoff_t pgoff;
	unsigned long prot;
	bool swapped;
};

/**
 * struct rz_swap - a buffer swapped into the VMM
 * @rz: the device (whose &rz_dev.swap_pieces count @nr)
 * @mm: the VMM's address space (mmgrab reference)
 * @buf_file: the engine buffer's file
 * @nr: entries in @pieces
 * @pieces: the parts, in buffer order
 */
struct rz_swap {
	struct rz_dev *rz;
	struct mm_struct *mm;
	struct file *buf_file;
	unsigned int nr;
	struct rz_piece pieces[] __counted_by(nr);
};

/*
 * The virtually contiguous pieces of the ranges, checked; with @sw, also
 * filled in, in buffer order, and bounded by sw->nr.  The VMM changes its
 * IOTLB whenever it likes (another thread's ioctl): a second walk may not
 * find what the first one counted, and must then fail, not overflow.
 */
static int rz_swap_walk(struct rz_dev *rz,
			const struct interval_tree_node *ranges,
			unsigned int nr, struct rz_swap *sw, unsigned int *pieces)
{
	unsigned int i, count = 0;
	u64 iova, len, va, n;
	pgoff_t off = 0;
	int ret;

	for (i = 0; i < nr; i++) {
		iova = ranges[i].start;
		len = ranges[i].last - ranges[i].start + 1;
		while (len) {
			ret = rz_translate(rz, iova, len, VHOST_MAP_RW, &va, &n);
			if (ret)
				return ret;
			if (!PAGE_ALIGNED(va) || !PAGE_ALIGNED(n) ||
			    va + n < va || va + n > TASK_SIZE_MAX)
				return -EFAULT;
			if (count >= RZ_SWAP_MAX_PIECES)
				return -E2BIG;
			if (sw) {
				/* The IOTLB changed since the count. */
				if (count >= sw->nr)
					return -EAGAIN;
				sw->pieces[count].va = va;
				sw->pieces[count].len = n;
				sw->pieces[count].buf_pgoff = off;
				off += n >> PAGE_SHIFT;
			}
			count++;
			iova += n;
			len -= n;
		}
	}
	if (sw && count != sw->nr)
		return -EAGAIN;
	*pieces = count;
	return 0;
}

/*
 * The original mapping of a piece: shared, readable and writable mappings
 * of one file covering the whole piece without a hole, at consecutive
 * offsets (guest RAM on memfd).  Several: a restore leaves its own mapping,
 * which does not merge with its neighbours when the VMM had changed their
 * flags (madvise), and a later buffer may span both.
 */
static int rz_piece_lookup(struct mm_struct *mm, struct rz_piece *pc)
{
	VMA_ITERATOR(vmi, mm, pc->va);
	const vm_flags_t need = VM_SHARED | VM_READ | VM_WRITE;
	const unsigned long end = pc->va + pc->len;
	struct vm_area_struct *vma;
	unsigned long next = pc->va;
	struct file *file = NULL;
	pgoff_t pgoff = 0;
	int ret = -EFAULT;

	mmap_read_lock(mm);
	for_each_vma_range(vmi, vma, end) {
		if (vma->vm_start > next || !vma->vm_file ||
		    (vma->vm_flags & need) != need ||
		    (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP)))
			break;
		if (!file) {
			file = vma->vm_file;
			pgoff = vma->vm_pgoff +
				((pc->va - vma->vm_start) >> PAGE_SHIFT);
			pc->prot = PROT_READ | PROT_WRITE |
				   (vma->vm_flags & VM_EXEC ? PROT_EXEC : 0);
		} else if (vma->vm_file != file || vma->vm_pgoff !=
			   pgoff + ((vma->vm_start - pc->va) >> PAGE_SHIFT)) {
			break;
		}
		next = vma->vm_end;
		if (next >= end) {
			pc->file = get_file(file);
			pc->pgoff = pgoff;
			ret = 0;
			break;
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

/* Put the original mapping back; never leave the engine's pages there. */
static void rz_piece_restore(struct rz_piece *pc)
{
	unsigned long addr;

	addr = vm_mmap(pc->file, pc->va, pc->len, pc->prot,
		       MAP_SHARED | MAP_FIXED, (u64)pc->pgoff << PAGE_SHIFT);
	if (addr != pc->va) {
		pr_warn_ratelimited("guest RAM at %#lx not restored (%ld), zero pages mapped\n",
				    pc->va, (long)addr);
		addr = vm_mmap(NULL, pc->va, pc->len, pc->prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
		if (addr != pc->va)
			vm_munmap(pc->va, pc->len);
	}
	pc->swapped = false;
}

static void rz_piece_put(struct rz_piece *pc)
{
	if (pc->file)
		fput(pc->file);
	pc->file = NULL;
}

/* Release the guest RAM a piece replaced, where the file allows it. */
static void rz_piece_punch(struct rz_piece *pc)
{
	vfs_fallocate(pc->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (loff_t)pc->pgoff << PAGE_SHIFT, pc->len);
}

/*
 * Has something pinned a page of the piece's guest RAM for DMA (VFIO,
 * iommufd, io_uring fixed buffers)?  Its device would keep using the old
 * page after the swap: such a range is not swapped.  A pin taken after
 * this check is not seen (documented).
 */
static bool rz_piece_pinned(const struct rz_piece *pc)
{
	pgoff_t index = pc->pgoff;
	pgoff_t last = pc->pgoff + (pc->len >> PAGE_SHIFT) - 1;
	struct folio_batch fbatch;
	bool pinned = false;
	unsigned int i;

	folio_batch_init(&fbatch);
	while (!pinned && filemap_get_folios(pc->file->f_mapping, &index, last,
					     &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++)
			pinned |= folio_maybe_dma_pinned(fbatch.folios[i]);
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return pinned;
}

static int rz_swap_in_fn(void *arg)
{
	struct rz_swap *sw = arg;
	struct rz_piece *pc;
	unsigned long addr;
	unsigned int i;
	int ret;

	for (i = 0; i < sw->nr; i++) {
		pc = &sw->pieces[i];
		ret = rz_piece_lookup(current->mm, pc);
		if (ret)
			goto undo;
		if (rz_piece_pinned(pc)) {
			ret = -EBUSY;
			rz_piece_put(pc);
			goto undo;
		}
		addr = vm_mmap(sw->buf_file, pc->va, pc->len,
			       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			       (u64)pc->buf_pgoff << PAGE_SHIFT);
		if (addr != pc->va) {
			ret = IS_ERR_VALUE(addr) ? (int)addr : -EFAULT;
			rz_piece_put(pc);
			goto undo;
		}
		pc->swapped = true;
	}
	for (i = 0; i < sw->nr; i++)
		rz_piece_punch(&sw->pieces[i]);
	return 0;

undo:
	while (i--) {
		rz_piece_restore(&sw->pieces[i]);
		rz_piece_put(&sw->pieces[i]);
	}
	return ret;
}

/**
 * rz_swap_in() - replace guest RAM by an engine buffer, in place
 * @rz: the device, VA mode, bound mm, rz->lock held
 * @ctx: engine context owning @handle
 * @handle: the engine buffer, at least as large as the ranges
 * @ranges: guest ranges (first and last byte), in buffer order, checked
 *	(page aligned, not rings, not another buffer)
 * @nr: number of @ranges
 * @out: the swap, to undo with rz_swap_out()
 *
 * Return: 0, -EFAULT when a range is not read-write shared file-backed
 * guest RAM, -ENOSPC when the VMM would have more than max_pieces pieces
 * swapped, -EBUSY when some of it is pinned for DMA by someone else
 * (its device would keep the old pages), -E2BIG for too many pieces,
 * -EAGAIN when the VMM changed
 * the IOTLB under the ranges meanwhile, -ESRCH when the VMM is gone,
 * -ENOMEM, or an error of vm_mmap().  On error nothing changed.
 */
int rz_swap_in(struct rz_dev *rz, struct cdma_ctx *ctx, u32 handle,
	       const struct interval_tree_node *ranges, unsigned int nr,
	       struct rz_swap **out)
{
	unsigned int count;
	struct rz_swap *sw;
	int ret;

	lockdep_assert_held(&rz->lock);

	if (!rz->mm)
		return -ESRCH;
	ret = rz_swap_walk(rz, ranges, nr, NULL, &count);
	if (ret)
		return ret;
	if (atomic_add_return(count, &rz->swap_pieces) > rz->limits.max_pieces) {
		atomic_sub(count, &rz->swap_pieces);
		return -ENOSPC;
	}
	sw = kvzalloc(struct_size(sw, pieces, count), GFP_KERNEL_ACCOUNT);
	if (!sw) {
		atomic_sub(count, &rz->swap_pieces);
		return -ENOMEM;
	}
	sw->rz = rz;
	sw->nr = count;
	ret = rz_swap_walk(rz, ranges, nr, sw, &count);
	if (ret)
		goto err_free;

	sw->buf_file = cdma_buf_file(ctx, handle);
	if (IS_ERR(sw->buf_file)) {
		ret = PTR_ERR(sw->buf_file);
		goto err_free;
	}
	sw->mm = rz->mm;
	mmgrab(sw->mm);
	ret = rz_in_mm(sw->mm, rz_swap_in_fn, sw);
	if (ret)
		goto err_put;
	*out = sw;
	return 0;

err_put:
	mmdrop(sw->mm);
	fput(sw->buf_file);
err_free:
	atomic_sub(sw->nr, &rz->swap_pieces);
	kvfree(sw);
	return ret;
}

/*
 * Is the engine buffer still what the VMM maps at the piece?  The VMM may
 * have remapped its memory since: its own new mapping must not be undone.
 */
static bool rz_piece_still_swapped(struct rz_swap *sw, struct rz_piece *pc)
{
	struct vm_area_struct *vma;
	bool ours;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, pc->va);
	ours = vma && vma->vm_file == sw->buf_file &&
	       pc->va + pc->len <= vma->vm_end &&
	       vma->vm_pgoff + ((pc->va - vma->vm_start) >> PAGE_SHIFT) ==
	       pc->buf_pgoff;
	mmap_read_unlock(current->mm);
	return ours;
}

static int rz_swap_out_fn(void *arg)
{
	struct rz_swap *sw = arg;
	unsigned int i;

	for (i = 0; i < sw->nr; i++)
		if (sw->pieces[i].swapped &&
		    rz_piece_still_swapped(sw, &sw->pieces[i]))
			rz_piece_restore(&sw->pieces[i]);
	return 0;
}

/**
 * rz_swap_out() - give the guest its RAM back and free the swap
 * @sw: the swap
 *
 * The engine buffer's pages leave the VMM's address space (the punched
 * guest RAM reads as zeros); when the VMM has exited there is nothing to
 * restore.  May sleep; any context that may wait for rz_mm_worker.
 */
void rz_swap_out(struct rz_swap *sw)
{
	unsigned int i;

	rz_in_mm(sw->mm, rz_swap_out_fn, sw);
	for (i = 0; i < sw->nr; i++)
		rz_piece_put(&sw->pieces[i]);
	mmdrop(sw->mm);
	fput(sw->buf_file);
	atomic_sub(sw->nr, &sw->rz->swap_pieces);
	kvfree(sw);
}

/**
 * rz_swap_init() - start the worker that adopts VMM address spaces
 *
 * Return: 0 or a negative errno.
 */
int rz_swap_init(void)
{
	rz_mm_worker = kthread_create_worker(0, "rdma_zcopy-mm");
	return PTR_ERR_OR_ZERO(rz_mm_worker);
}

/**
 * rz_swap_exit() - stop the worker
 */
void rz_swap_exit(void)
{
	kthread_destroy_worker(rz_mm_worker);
}
