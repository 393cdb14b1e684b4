// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_rdma: Unimem nodes over the kernel's RDMA stack.
 *
 * The transport between this node's cDMA engine and the other nodes of
 * the node table (nodes=), over rdma_cm and ib_core: RC connections made
 * on demand, at most one each way between two nodes (the one this node
 * made, the one the other node made), on any RDMA device (Soft-RoCE,
 * rdma_rxe, over an Ethernet device where there is no RDMA NIC).  A
 * connection is up once the accepting node has answered the HELLO with
 * the node id the table gives it.
 *
 * This is the connection layer only: no data path yet.  Transfers to
 * another node's global address still fail with EHOSTUNREACH (cdma_soft);
 * debugfs (cdma_rdma/connect, cdma_rdma/conns) makes and shows the
 * connections.  Documentation/admin-guide.rst, "Nodes (Unimem across
 * machines)".
 *
 * Module set-up: parameters, the engine's node id, start and teardown.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdma_engine.h>
#include <linux/module.h>

#include "cdma_rdma.h"

u16 cdma_rdma_port = 18515;

static int cdma_rdma_port_set(const char *val, const struct kernel_param *kp)
{
	u16 port;

	if (kstrtou16(val, 0, &port) || !port) {
		pr_err("port=%s: want 1..65535\n", val);
		return -EINVAL;
	}
	*(u16 *)kp->arg = port;
	return 0;
}

static const struct kernel_param_ops cdma_rdma_port_ops = {
	.set = cdma_rdma_port_set,
	.get = param_get_ushort,
};

module_param_cb(port, &cdma_rdma_port_ops, &cdma_rdma_port, 0444);
MODULE_PARM_DESC(port, "rdma_cm port (RDMA_PS_TCP) every node listens on, 1..65535 (default 18515)");

u16 cdma_rdma_self;

/* The engine whose node this is, held from load to unload. */
static struct cdma_engine *cdma_rdma_engine;

static int __init cdma_rdma_init(void)
{
	struct cdma_info info;
	int ret;

	cdma_rdma_engine = cdma_engine_get(NULL);
	if (!cdma_rdma_engine) {
		pr_err("no cDMA engine registered (load cdma_soft first)\n");
		return -ENODEV;
	}
	cdma_engine_info(cdma_rdma_engine, &info);
	cdma_rdma_self = info.node_id;

	ret = cdma_rdma_conns_init();
	if (ret)
		goto err_engine;
	ret = cdma_rdma_devices_init();
	if (ret)
		goto err_conns;
	ret = cdma_rdma_listen_start();
	if (ret)
		goto err_devices;
	cdma_rdma_debugfs_init();
	pr_info("node %u, listening on port %u\n", cdma_rdma_self,
		cdma_rdma_port);
	return 0;

err_devices:
	cdma_rdma_devices_exit();
err_conns:
	cdma_rdma_conns_exit();
err_engine:
	cdma_engine_put(cdma_rdma_engine);
	return ret;
}

static void __exit cdma_rdma_exit(void)
{
	/* Waits for the connects in progress: no new connection after. */
	cdma_rdma_debugfs_exit();
	cdma_rdma_listen_stop();
	/* Tears down the connections of each device (removed for us)... */
	cdma_rdma_devices_exit();
	/* ...and any other, then waits for the queued releases. */
	cdma_rdma_conns_exit();
	cdma_engine_put(cdma_rdma_engine);
}

module_init(cdma_rdma_init);
module_exit(cdma_rdma_exit);

/* modprobe loads the software engine first; a hardware engine may stand in. */
MODULE_SOFTDEP("pre: cdma_soft");
MODULE_DESCRIPTION("Unimem nodes over RDMA (rdma_cm): connections between cDMA engines");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
