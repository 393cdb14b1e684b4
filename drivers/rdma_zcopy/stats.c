// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: counters in debugfs, /sys/kernel/debug/rdma_zcopy/.
 *
 * payload_copied_bytes  bytes of buffer memory the backend itself copied
 *                       (a descriptor, request or event placed inside a
 *                       live buffer's guest range); stays 0 when payload
 *                       only moves by the engine, zero-copy.  Only with
 *                       payload_stats=1: counting costs an interval-tree
 *                       lookup per guest memory access
 * buffers               live buffers of every device
 * swapped_pages         guest pages replaced in place by engine pages
 * swapped_pages_total   guest pages ever replaced since the module loaded
 *                       (a VM's zero-copy use, read after it has gone)
 * held_pages            guest pages referenced for the engine (PA mode)
 *
 * The tests read them to prove zero-copy and to find leaks.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>

#include "rdma_zcopy.h"

struct rz_stats rz_stats;

static struct dentry *rz_debugfs;

static int rz_stat_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(rz_stat_fops, rz_stat_get, NULL, "%llu\n");

/**
 * rz_stats_init() - create the debugfs files
 */
void rz_stats_init(void)
{
	rz_debugfs = debugfs_create_dir("rdma_zcopy", NULL);
	if (rz_payload_stats)
		debugfs_create_file_unsafe("payload_copied_bytes", 0444,
					   rz_debugfs,
					   &rz_stats.payload_copied_bytes,
					   &rz_stat_fops);
	debugfs_create_file_unsafe("buffers", 0444, rz_debugfs,
				   &rz_stats.buffers, &rz_stat_fops);
	debugfs_create_file_unsafe("swapped_pages", 0444, rz_debugfs,
				   &rz_stats.swapped_pages, &rz_stat_fops);
	debugfs_create_file_unsafe("swapped_pages_total", 0444, rz_debugfs,
				   &rz_stats.swapped_pages_total,
				   &rz_stat_fops);
	debugfs_create_file_unsafe("held_pages", 0444, rz_debugfs,
				   &rz_stats.held_pages, &rz_stat_fops);
}

/**
 * rz_stats_exit() - remove the debugfs files
 */
void rz_stats_exit(void)
{
	debugfs_remove_recursive(rz_debugfs);
}
