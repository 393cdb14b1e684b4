// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_rdma: debugfs, /sys/kernel/debug/cdma_rdma/.
 *
 *   connect  write a node id (decimal): connect to it (or find the
 *            connection up); the write returns the connect's errno
 *            (cdma_rdma_connect())
 *   conns    the RDMA devices ("device NAME") and the connections
 *            ("conn node=ID addr=IPv4 dir=out|in state=STATE serial=N")
 *
 * For tests and diagnosis, until transfers use the connections.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include "cdma_rdma.h"

static struct dentry *cdma_rdma_debugfs;

static ssize_t cdma_rdma_connect_write(struct file *file,
				       const char __user *buf, size_t count,
				       loff_t *ppos)
{
	u16 node_id;
	int ret;

	ret = kstrtou16_from_user(buf, count, 10, &node_id);
	if (ret)
		return ret == -EFAULT ? ret : -EINVAL;
	ret = cdma_rdma_connect(node_id);
	return ret ? ret : count;
}

static const struct file_operations cdma_rdma_connect_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = cdma_rdma_connect_write,
	.llseek = noop_llseek,
};

static int cdma_rdma_conns_seq_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "node %u port %u\n", cdma_rdma_self, cdma_rdma_port);
	cdma_rdma_devices_show(m);
	cdma_rdma_conns_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdma_rdma_conns_seq);

/**
 * cdma_rdma_debugfs_init() - create the debugfs files
 *
 * Without debugfs the module works, without these files.
 */
void cdma_rdma_debugfs_init(void)
{
	cdma_rdma_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("connect", 0200, cdma_rdma_debugfs, NULL,
			    &cdma_rdma_connect_fops);
	debugfs_create_file("conns", 0444, cdma_rdma_debugfs, NULL,
			    &cdma_rdma_conns_seq_fops);
}

/**
 * cdma_rdma_debugfs_exit() - remove them
 *
 * Returns once no connect written to them runs any more.
 */
void cdma_rdma_debugfs_exit(void)
{
	debugfs_remove_recursive(cdma_rdma_debugfs);
}
