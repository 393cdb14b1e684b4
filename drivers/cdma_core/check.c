// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: checks of cDMA uAPI arguments that need no device state.
 *
 * Output fields are ignored; reserved fields, flags and the fields an
 * operation does not use must be zero (Documentation/cdma-uapi.rst).
 */

#include <linux/export.h>
#include <linux/errno.h>
#include <linux/cdma_core.h>

static bool cdma_zero(const __u64 *v, unsigned int n)
{
	while (n--)
		if (v[n])
			return false;
	return true;
}

/**
 * cdma_alloc_check() - check a CDMA_IOC_ALLOC argument
 * @a: the argument
 * @max_buffer_size: the device's limit
 *
 * Return: 0, -EINVAL (flags, reserved, zero size) or -EFBIG.
 */
int cdma_alloc_check(const struct cdma_alloc *a, u64 max_buffer_size)
{
	if (a->flags || !cdma_zero(a->reserved, ARRAY_SIZE(a->reserved)) ||
	    !a->size)
		return -EINVAL;
	return a->size > max_buffer_size ? -EFBIG : 0;
}
EXPORT_SYMBOL_GPL(cdma_alloc_check);

/**
 * cdma_free_check() - check a CDMA_IOC_FREE argument
 * @f: the argument
 *
 * Return: 0 or -EINVAL.
 */
int cdma_free_check(const struct cdma_free *f)
{
	if (f->flags || !cdma_zero(f->reserved, ARRAY_SIZE(f->reserved)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_free_check);

/**
 * cdma_xfer_check() - check a transfer descriptor's fields
 * @x: the descriptor
 *
 * Checks what can be checked without looking buffers up: direction, flags,
 * reserved and unused fields, length.  The cookie of a synchronous
 * transfer is unused and must be zero.
 *
 * Return: 0 or -EINVAL.
 */
int cdma_xfer_check(const struct cdma_xfer *x)
{
	if (!cdma_zero(x->reserved, ARRAY_SIZE(x->reserved)) || !x->length ||
	    (x->flags & ~CDMA_XFER_F_ASYNC))
		return -EINVAL;
	if (!(x->flags & CDMA_XFER_F_ASYNC) && x->cookie)
		return -EINVAL;

	switch (x->dir) {
	case CDMA_XFER_LOCAL:
		return x->global_addr || x->key ? -EINVAL : 0;
	case CDMA_XFER_TO_GLOBAL:
		return x->dst_handle || x->dst_offset ? -EINVAL : 0;
	case CDMA_XFER_FROM_GLOBAL:
		return x->src_handle || x->src_offset ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_GPL(cdma_xfer_check);

/**
 * cdma_mode_check() - check a CDMA_IOC_SET_MODE argument
 * @m: the argument
 *
 * Return: 0, -EINVAL (mode, reserved) or -EBADF (negative fd other than -1).
 */
int cdma_mode_check(const struct cdma_mode *m)
{
	if ((m->mode != CDMA_MODE_INTERRUPT && m->mode != CDMA_MODE_POLL) ||
	    !cdma_zero(m->reserved, ARRAY_SIZE(m->reserved)))
		return -EINVAL;
	return m->eventfd < -1 ? -EBADF : 0;
}
EXPORT_SYMBOL_GPL(cdma_mode_check);

/**
 * cdma_export_check() - check a CDMA_IOC_EXPORT argument
 * @e: the argument
 *
 * Return: 0 or -EINVAL (access bits, reserved).
 */
int cdma_export_check(const struct cdma_export *e)
{
	const u32 all = CDMA_ACCESS_READ | CDMA_ACCESS_WRITE;

	if (!e->access || (e->access & ~all) ||
	    !cdma_zero(e->reserved, ARRAY_SIZE(e->reserved)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_export_check);

/**
 * cdma_revoke_check() - check a CDMA_IOC_REVOKE argument
 * @r: the argument
 *
 * Return: 0 or -EINVAL.
 */
int cdma_revoke_check(const struct cdma_revoke *r)
{
	if (r->flags || !cdma_zero(r->reserved, ARRAY_SIZE(r->reserved)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(cdma_revoke_check);
