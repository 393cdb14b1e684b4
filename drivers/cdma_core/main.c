// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: library module shared by the cDMA device providers.
 */

#include <linux/cdma_core.h>
#include <linux/idr.h>
#include <linux/module.h>

/* N of the /dev/cdmaN names of every provider of the cDMA device. */
static DEFINE_IDA(cdma_index_ida);

/**
 * cdma_index_alloc() - reserve the N of a /dev/cdmaN device name
 * @want: the index wanted, or -1 for the lowest free one
 *
 * Every provider (the native engine's device, guest frontends) takes the
 * index of its device node name here, so that names never collide.
 *
 * Return: the index, -EBUSY when @want is taken, or -ENOMEM.
 */
int cdma_index_alloc(int want)
{
	int ret;

	if (want < 0)
		return ida_alloc(&cdma_index_ida, GFP_KERNEL);
	ret = ida_alloc_range(&cdma_index_ida, want, want, GFP_KERNEL);
	return ret == -ENOSPC ? -EBUSY : ret;
}
EXPORT_SYMBOL_GPL(cdma_index_alloc);

/**
 * cdma_index_free() - release an index of cdma_index_alloc()
 * @index: the index
 */
void cdma_index_free(int index)
{
	ida_free(&cdma_index_ida, index);
}
EXPORT_SYMBOL_GPL(cdma_index_free);

MODULE_DESCRIPTION("cDMA character-device core: uAPI checks and completion queues");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
