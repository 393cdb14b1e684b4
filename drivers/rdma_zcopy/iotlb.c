// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: the device's IOTLB and its access to guest memory.
 *
 * The IOTLB translates the driver's (bus) addresses.  Until the driver's
 * side installs a mapping it holds the identity mapping of the whole
 * address space ("passthrough", as vdpa_sim), which virtio_vdpa relies on:
 * its DMA addresses are host physical addresses.  vhost_vdpa installs the
 * VMM's guest memory map, whose targets are VMM virtual addresses since the
 * device is created with use_va; they are used in the mm bound by bind_mm.
 *
 * Which of the two a translation is depends on the device's address mode
 * (struct rz_dev.mode); accesses in VA mode run in the bound mm: in the
 * VMM's own thread (worker.c), or a kthread that uses the mm.
 */

#include <linux/highmem.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "rdma_zcopy.h"

/*
 * Every translation the worker kept is stale (rz->iommu_lock held).  Never
 * 0: a kept translation of generation 0 is none.
 */
static void rz_iotlb_changed(struct rz_dev *rz)
{
	WRITE_ONCE(rz->iotlb_gen, rz->iotlb_gen + 1 ?: 1);
}

/**
 * rz_iotlb_init_pt() - install the default identity mapping
 * @rz: the device; rz->iommu_lock held
 *
 * Return: 0 or -ENOMEM (the IOTLB is then empty: nothing translates).
 */
int rz_iotlb_init_pt(struct rz_dev *rz)
{
	int ret;

	lockdep_assert_held(&rz->iommu_lock);

	rz_iotlb_changed(rz);
	vhost_iotlb_reset(&rz->iotlb);
	ret = vhost_iotlb_add_range(&rz->iotlb, 0, ULONG_MAX, 0, VHOST_MAP_RW);
	if (ret)
		vhost_iotlb_reset(&rz->iotlb);
	rz->iotlb_pt = !ret;
	return ret;
}

/* The first explicit mapping replaces the identity mapping. */
static void rz_iotlb_leave_pt(struct rz_dev *rz)
{
	rz_iotlb_changed(rz);
	if (rz->iotlb_pt) {
		vhost_iotlb_reset(&rz->iotlb);
		rz->iotlb_pt = false;
	}
}

/**
 * rz_set_map() - replace the whole IOTLB (&vdpa_config_ops.set_map)
 * @vdpa: the device
 * @asid: address space, 0
 * @iotlb: the new translations
 *
 * Return: 0, -EINVAL for another address space, -ENOSPC or -ENOMEM (the
 * IOTLB is then empty).
 */
int rz_set_map(struct vdpa_device *vdpa, unsigned int asid,
	       struct vhost_iotlb *iotlb)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct vhost_iotlb_map *map;
	int ret = 0;

	if (asid)
		return -EINVAL;

	spin_lock(&rz->iommu_lock);
	rz_iotlb_changed(rz);
	vhost_iotlb_reset(&rz->iotlb);
	rz->iotlb_pt = false;
	for (map = vhost_iotlb_itree_first(iotlb, 0, U64_MAX); map;
	     map = vhost_iotlb_itree_next(map, 0, U64_MAX)) {
		ret = vhost_iotlb_add_range(&rz->iotlb, map->start, map->last,
					    map->addr, map->perm);
		if (ret) {
			vhost_iotlb_reset(&rz->iotlb);
			break;
		}
	}
	spin_unlock(&rz->iommu_lock);
	return ret;
}

/**
 * rz_dma_map() - add a translation (&vdpa_config_ops.dma_map)
 * @vdpa: the device
 * @asid: address space, 0
 * @iova: first bus address
 * @size: bytes
 * @pa: target: physical address, or VMM virtual address (use_va)
 * @perm: VHOST_MAP_* permission
 * @opaque: the mapped file (use_va); not used
 *
 * Return: 0 or a negative errno.
 */
int rz_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
	       u64 size, u64 pa, u32 perm, void *opaque)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	int ret;

	if (asid || !size)
		return -EINVAL;

	spin_lock(&rz->iommu_lock);
	rz_iotlb_leave_pt(rz);
	ret = vhost_iotlb_add_range_ctx(&rz->iotlb, iova, iova + size - 1, pa,
					perm, opaque);
	spin_unlock(&rz->iommu_lock);
	return ret;
}

/**
 * rz_dma_unmap() - remove translations (&vdpa_config_ops.dma_unmap)
 * @vdpa: the device
 * @asid: address space, 0
 * @iova: first bus address
 * @size: bytes
 *
 * Buffers already made of pages behind the range keep their pages (they
 * hold references) until freed.
 *
 * Return: 0 or -EINVAL.
 */
int rz_dma_unmap(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		 u64 size)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);

	if (asid || !size)
		return -EINVAL;

	spin_lock(&rz->iommu_lock);
	rz_iotlb_leave_pt(rz);
	vhost_iotlb_del_range(&rz->iotlb, iova, iova + size - 1);
	spin_unlock(&rz->iommu_lock);
	return 0;
}

/**
 * rz_reset_map() - restore the default mapping (&vdpa_config_ops.reset_map)
 * @vdpa: the device
 * @asid: address space, 0
 *
 * Return: 0, -EINVAL for another address space, or -ENOMEM.
 */
int rz_reset_map(struct vdpa_device *vdpa, unsigned int asid)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	int ret = 0;

	if (asid)
		return -EINVAL;

	spin_lock(&rz->iommu_lock);
	if (!rz->iotlb_pt)
		ret = rz_iotlb_init_pt(rz);
	spin_unlock(&rz->iommu_lock);
	return ret;
}

/**
 * rz_bind_mm() - use virtual addresses of @mm (&vdpa_config_ops.bind_mm)
 * @vdpa: the device
 * @mm: the VMM's address space
 *
 * Takes effect when the driver next sets DRIVER_OK.  Called by the VMM
 * (VHOST_SET_OWNER): from now on a thread of the VMM serves the device.
 *
 * Return: 0 or a negative errno.
 */
int rz_bind_mm(struct vdpa_device *vdpa, struct mm_struct *mm)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	int ret;

	ret = rz_worker_bind(rz);
	if (ret)
		return ret;
	mmgrab(mm);
	mutex_lock(&rz->lock);
	if (rz->mm)
		mmdrop(rz->mm);
	rz->mm = mm;
	mutex_unlock(&rz->lock);
	return 0;
}

/**
 * rz_unbind_mm() - forget the bound mm (&vdpa_config_ops.unbind_mm)
 * @vdpa: the device
 *
 * Buffers swapped into the mm keep their own reference on it and are
 * restored when freed or at reset.  A device in VA mode stops processing
 * its queues (they live in the mm) until reset.
 */
void rz_unbind_mm(struct vdpa_device *vdpa)
{
	struct rz_dev *rz = vdpa_to_rz(vdpa);
	struct mm_struct *mm;

	rz_worker_unbind(rz);
	/* A run holds the lock and its own mm reference while using it. */
	mutex_lock(&rz->lock);
	mm = rz->mm;
	rz->mm = NULL;
	mutex_unlock(&rz->lock);
	if (mm)
		mmdrop(mm);
}

/* Translate through mapping @t, which holds @iova. */
static int rz_tlb_translate(const struct rz_tlb *t, u64 iova, u64 len,
			    u32 perm, u64 *addr, u64 *n)
{
	u64 end;

	if ((t->perm & perm) != perm)
		return -EFAULT;
	/* t->last - iova: the whole-space map has no valid size. */
	*n = min(len - 1, t->last - iova) + 1;
	if (check_add_overflow(t->addr, iova - t->start, addr) ||
	    check_add_overflow(*addr, *n - 1, &end))
		return -EFAULT;
	return 0;
}

/**
 * rz_translate() - translate the start of a guest range
 * @rz: the device
 * @iova: first bus address
 * @len: bytes, at least 1
 * @perm: VHOST_MAP_* permission every byte needs
 * @addr: out: target of @iova (physical or virtual, see rz->mode)
 * @n: out: bytes from @iova contiguous in the target, 1 .. @len
 *
 * The default identity mapping translates in PA mode only: in VA mode it
 * would make every bus address the VMM virtual address of the guest's
 * choice (a guest behind a vIOMMU, or a VMM that never sent its map).
 *
 * Return: 0, or -EFAULT when @iova is not mapped with @perm, the range
 * wraps around, or only the identity mapping is there outside PA mode.
 */
int rz_translate(struct rz_dev *rz, u64 iova, u64 len, u32 perm, u64 *addr,
		 u64 *n)
{
	struct rz_tlb *t = &rz->tlb;
	struct vhost_iotlb_map *map;
	u64 last;

	lockdep_assert_held(&rz->lock);
	if (!len || check_add_overflow(iova, len - 1, &last))
		return -EFAULT;

	/*
	 * The mapping of the last access usually holds this one too (the
	 * rings, the requests): no lookup.  A change of the IOTLB racing
	 * with the access is the same race as with a fresh lookup.
	 */
	if (t->gen && t->gen == READ_ONCE(rz->iotlb_gen) &&
	    t->mode == READ_ONCE(rz->mode) && t->start <= iova &&
	    iova <= t->last)
		return rz_tlb_translate(t, iova, len, perm, addr, n);

	spin_lock(&rz->iommu_lock);
	t->gen = 0;
	if (!rz->iotlb_pt || READ_ONCE(rz->mode) == RZ_MODE_PA) {
		map = vhost_iotlb_itree_first(&rz->iotlb, iova, last);
		if (map && map->start <= iova) {
			t->start = map->start;
			t->last = map->last;
			t->addr = map->addr;
			t->perm = map->perm;
			t->mode = READ_ONCE(rz->mode);
			t->gen = rz->iotlb_gen;
		}
	}
	spin_unlock(&rz->iommu_lock);
	if (!t->gen)
		return -EFAULT;
	return rz_tlb_translate(t, iova, len, perm, addr, n);
}

/* Host physical memory: RAM pages only. */
static int rz_copy_pa(u64 pa, void *buf, size_t len, bool write)
{
	while (len) {
		size_t off = offset_in_page(pa);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		struct page *page = pfn_to_online_page(PHYS_PFN(pa));
		void *kaddr;

		if (!page)
			return -EFAULT;
		kaddr = kmap_local_page(page);
		if (write)
			memcpy(kaddr + off, buf, n);
		else
			memcpy(buf, kaddr + off, n);
		kunmap_local(kaddr);
		pa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* VMM memory: the worker runs with the bound mm in use. */
static int rz_copy_va(u64 va, void *buf, size_t len, bool write)
{
	void __user *p = u64_to_user_ptr(va);

	if (write)
		return copy_to_user(p, buf, len) ? -EFAULT : 0;
	return copy_from_user(buf, p, len) ? -EFAULT : 0;
}

static int rz_mem_copy(struct rz_dev *rz, u64 iova, void *buf, size_t len,
		       bool write)
{
	u32 perm = write ? VHOST_MAP_WO : VHOST_MAP_RO;
	u64 addr, n;
	int ret;

	if (rz_payload_stats && len && rz_range_is_buffer(rz, iova, len))
		atomic64_add(len, &rz_stats.payload_copied_bytes);
	while (len) {
		ret = rz_translate(rz, iova, len, perm, &addr, &n);
		if (ret)
			return ret;
		if (rz->mode == RZ_MODE_VA)
			ret = rz_copy_va(addr, buf, n, write);
		else if (rz->mode == RZ_MODE_PA)
			ret = rz_copy_pa(addr, buf, n, write);
		else
			ret = -EFAULT;
		if (ret)
			return ret;
		iova += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * rz_mem_read() - copy from guest memory
 * @rz: the device, in the worker
 * @iova: bus address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0 or -EFAULT.
 */
int rz_mem_read(struct rz_dev *rz, u64 iova, void *buf, size_t len)
{
	return rz_mem_copy(rz, iova, buf, len, false);
}

/**
 * rz_mem_write() - copy to guest memory
 * @rz: the device, in the worker
 * @iova: bus address
 * @buf: source
 * @len: bytes
 *
 * Return: 0 or -EFAULT.
 */
int rz_mem_write(struct rz_dev *rz, u64 iova, const void *buf, size_t len)
{
	return rz_mem_copy(rz, iova, (void *)buf, len, true);
}

/* Translate an aligned 16-bit field; it never spans two mappings. */
static int rz_translate16(struct rz_dev *rz, u64 iova, u32 perm, u64 *addr)
{
	u64 n;

	if ((iova & 1) || rz_translate(rz, iova, 2, perm, addr, &n) ||
	    n != 2 || (*addr & 1))
		return -EFAULT;
	return 0;
}

/**
 * rz_mem_read16() - read a little-endian 16-bit ring field with one load
 * @rz: the device, in the worker
 * @iova: bus address, 2-byte aligned
 * @val: out: the value
 *
 * Return: 0 or -EFAULT.
 */
int rz_mem_read16(struct rz_dev *rz, u64 iova, u16 *val)
{
	struct page *page;
	__le16 v, *kaddr;
	u64 addr;

	if (rz_translate16(rz, iova, VHOST_MAP_RO, &addr))
		return -EFAULT;
	if (rz->mode == RZ_MODE_VA) {
		if (get_user(v, (__le16 __user *)u64_to_user_ptr(addr)))
			return -EFAULT;
	} else if (rz->mode == RZ_MODE_PA) {
		page = pfn_to_online_page(PHYS_PFN(addr));
		if (!page)
			return -EFAULT;
		kaddr = kmap_local_page(page);
		v = READ_ONCE(kaddr[offset_in_page(addr) / sizeof(v)]);
		kunmap_local(kaddr);
	} else {
		return -EFAULT;
	}
	*val = le16_to_cpu(v);
	return 0;
}

/**
 * rz_mem_write16() - write a little-endian 16-bit ring field with one store
 * @rz: the device, in the worker
 * @iova: bus address, 2-byte aligned
 * @val: the value
 *
 * Return: 0 or -EFAULT.
 */
int rz_mem_write16(struct rz_dev *rz, u64 iova, u16 val)
{
	__le16 v = cpu_to_le16(val), *kaddr;
	struct page *page;
	u64 addr;

	if (rz_translate16(rz, iova, VHOST_MAP_WO, &addr))
		return -EFAULT;
	if (rz->mode == RZ_MODE_VA)
		return put_user(v, (__le16 __user *)u64_to_user_ptr(addr)) ?
		       -EFAULT : 0;
	if (rz->mode != RZ_MODE_PA)
		return -EFAULT;
	page = pfn_to_online_page(PHYS_PFN(addr));
	if (!page)
		return -EFAULT;
	kaddr = kmap_local_page(page);
	WRITE_ONCE(kaddr[offset_in_page(addr) / sizeof(v)], v);
	kunmap_local(kaddr);
	return 0;
}
