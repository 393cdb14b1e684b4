// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_rdma: the node table, "ID=IPv4[,ID=IPv4...]" (module parameter
 * nodes=): where the other Unimem nodes are.  Set at load, read-only
 * afterwards.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "cdma_rdma.h"

static struct cdma_rdma_node cdma_rdma_nodes[CDMA_RDMA_MAX_NODES];
static unsigned int cdma_rdma_nr_nodes;

/*
 * One "ID=IPv4" entry into @node; -EINVAL when malformed, or when the
 * address cannot be a node's (0.0.0.0/8, broadcast, multicast, loopback).
 */
static int cdma_rdma_node_parse(char *entry, struct cdma_rdma_node *node)
{
	char *addr = strchr(entry, '=');
	__be32 a;

	if (!addr)
		return -EINVAL;
	*addr++ = '\0';
	if (kstrtou16(entry, 10, &node->id))
		return -EINVAL;
	if (!*addr || !in4_pton(addr, -1, (u8 *)&a, -1, NULL))
		return -EINVAL;
	if (ipv4_is_zeronet(a) || ipv4_is_lbcast(a) || ipv4_is_multicast(a) ||
	    ipv4_is_loopback(a))
		return -EINVAL;
	node->addr = a;
	return 0;
}

static int cdma_rdma_nodes_set(const char *val, const struct kernel_param *kp)
{
	struct cdma_rdma_node *table;
	unsigned int n = 0, i;
	char *buf, *cur, *entry;
	int ret = 0;

	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	table = kcalloc(CDMA_RDMA_MAX_NODES, sizeof(*table), GFP_KERNEL);
	if (!table) {
		kfree(buf);
		return -ENOMEM;
	}
	cur = strim(buf);
	while (cur && *cur) {
		entry = strsep(&cur, ",");
		if (n == CDMA_RDMA_MAX_NODES ||
		    cdma_rdma_node_parse(entry, &table[n])) {
			ret = -EINVAL;
			break;
		}
		for (i = 0; i < n; i++)
			if (table[i].id == table[n].id)
				ret = -EINVAL;
		if (ret)
			break;
		n++;
	}
	if (!ret && cur)	/* a trailing comma */
		ret = -EINVAL;
	if (ret) {
		pr_err("nodes=%s: want ID=IPv4[,ID=IPv4...], ids 0..65535 each once, unicast addresses, at most %d\n",
		       val, CDMA_RDMA_MAX_NODES);
	} else {
		memcpy(cdma_rdma_nodes, table, n * sizeof(*table));
		cdma_rdma_nr_nodes = n;
	}
	kfree(table);
	kfree(buf);
	return ret;
}

static int cdma_rdma_nodes_get(char *buffer, const struct kernel_param *kp)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < cdma_rdma_nr_nodes; i++)
		len += scnprintf(buffer + len, PAGE_SIZE - len, "%s%u=%pI4",
				 i ? "," : "", cdma_rdma_nodes[i].id,
				 &cdma_rdma_nodes[i].addr);
	len += scnprintf(buffer + len, PAGE_SIZE - len, "\n");
	return len;
}

static const struct kernel_param_ops cdma_rdma_nodes_ops = {
	.set = cdma_rdma_nodes_set,
	.get = cdma_rdma_nodes_get,
};

module_param_cb(nodes, &cdma_rdma_nodes_ops, NULL, 0444);
MODULE_PARM_DESC(nodes, "Other nodes: ID=IPv4[,ID=IPv4...], unicast, at most 64 (default none)");

/**
 * cdma_rdma_node_find() - look a node up in the node table
 * @id: the node id
 *
 * Return: its entry, or NULL when the table has no such node.
 */
const struct cdma_rdma_node *cdma_rdma_node_find(u16 id)
{
	unsigned int i;

	for (i = 0; i < cdma_rdma_nr_nodes; i++)
		if (cdma_rdma_nodes[i].id == id)
			return &cdma_rdma_nodes[i];
	return NULL;
}

/**
 * cdma_rdma_node_match() - is this (node id, address) pair in the table
 * @id: the node id a connect request claims
 * @addr: the address it came from
 *
 * Return: true when the table has node @id at @addr.
 */
bool cdma_rdma_node_match(u16 id, __be32 addr)
{
	const struct cdma_rdma_node *node = cdma_rdma_node_find(id);

	return node && node->addr == addr;
}
