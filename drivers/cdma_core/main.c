// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_core: library module shared by the cDMA device providers.
 */

#include <linux/module.h>

MODULE_DESCRIPTION("cDMA character-device core: uAPI checks and completion queues");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
