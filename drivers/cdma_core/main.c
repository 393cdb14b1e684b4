// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: the cDMA character device and the library of its providers.
 */

#include <linux/module.h>

MODULE_DESCRIPTION("cDMA character-device core: the device node, uAPI checks and completion queues");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
