// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_rdma: the HELLO exchange, the first messages of a connection.
 *
 * The connecting node sends HELLO (its node id) once established; the
 * accepting node, whose receive was posted before it accepted, checks it
 * and answers HELLO_REPLY with its own node id; the connecting node checks
 * that id against its node table: another node at that address makes the
 * connect fail with EHOSTUNREACH.  SEND/RECV over the RC QP, one message
 * each way, the buffers DMA-mapped for the connection's device.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "cdma_rdma.h"

static void cdma_rdma_hello_sent(struct ib_cq *cq, struct ib_wc *wc)
{
	struct cdma_rdma_conn *conn =
		container_of(wc->wr_cqe, struct cdma_rdma_conn, tx_cqe);

	if (wc->status != IB_WC_SUCCESS)
		cdma_rdma_conn_fail(conn, -ECONNRESET);
}

/* A valid message of @type in @conn->rx; -EPROTO otherwise. */
static int cdma_rdma_hello_check(struct cdma_rdma_conn *conn,
				 struct ib_wc *wc, enum cdma_rdma_msg_type type)
{
	const struct cdma_rdma_hello *msg = conn->rx;

	if (wc->byte_len < sizeof(*msg) ||
	    be32_to_cpu(msg->magic) != CDMA_RDMA_MAGIC ||
	    msg->version != CDMA_RDMA_VERSION || msg->type != type) {
		pr_warn_ratelimited("node %u at %pI4: malformed HELLO\n",
				    conn->peer.id, &conn->peer.addr);
		return -EPROTO;
	}
	return 0;
}

static void cdma_rdma_hello_received(struct ib_cq *cq, struct ib_wc *wc)
{
	struct cdma_rdma_conn *conn =
		container_of(wc->wr_cqe, struct cdma_rdma_conn, rx_cqe);
	u16 id;
	int ret;

	if (wc->status != IB_WC_SUCCESS) {
		cdma_rdma_conn_fail(conn, -ECONNRESET);
		return;
	}
	ib_dma_sync_single_for_cpu(cq->device, conn->rx_dma, sizeof(*conn->rx),
				   DMA_FROM_DEVICE);
	ret = cdma_rdma_hello_check(conn, wc, conn->active ?
				    CDMA_RDMA_MSG_HELLO_REPLY :
				    CDMA_RDMA_MSG_HELLO);
	id = be16_to_cpu(conn->rx->node_id);
	if (!ret && id != conn->peer.id) {
		pr_warn_ratelimited("%pI4 answers as node %u, the node table has node %u there\n",
				    &conn->peer.addr, id, conn->peer.id);
		ret = conn->active ? -EHOSTUNREACH : -EPROTO;
	}
	if (!ret && !conn->active)
		ret = cdma_rdma_hello_send(conn, CDMA_RDMA_MSG_HELLO_REPLY);
	if (ret) {
		cdma_rdma_conn_fail(conn, ret);
		return;
	}
	cdma_rdma_conn_set_state(conn, CDMA_RDMA_UP);
}

/**
 * cdma_rdma_hello_init() - map the HELLO messages, post the receive
 * @conn: a connection with its PD and QP
 *
 * Undone by cdma_rdma_hello_free(), after the QP is drained.
 *
 * Return: 0 or a negative errno.
 */
int cdma_rdma_hello_init(struct cdma_rdma_conn *conn)
{
	struct ib_device *dev = conn->cm_id->device;
	struct ib_sge sge;
	struct ib_recv_wr wr = {
		.wr_cqe = &conn->rx_cqe,
		.sg_list = &sge,
		.num_sge = 1,
	};
	u64 dma;

	conn->tx = kzalloc(sizeof(*conn->tx), GFP_KERNEL);
	conn->rx = kzalloc(sizeof(*conn->rx), GFP_KERNEL);
	if (!conn->tx || !conn->rx)
		return -ENOMEM;
	dma = ib_dma_map_single(dev, conn->tx, sizeof(*conn->tx), DMA_TO_DEVICE);
	if (ib_dma_mapping_error(dev, dma))
		return -ENOMEM;
	conn->tx_dma = dma;
	dma = ib_dma_map_single(dev, conn->rx, sizeof(*conn->rx), DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(dev, dma)) {
		ib_dma_unmap_single(dev, conn->tx_dma, sizeof(*conn->tx),
				    DMA_TO_DEVICE);
		return -ENOMEM;
	}
	conn->rx_dma = dma;
	conn->mapped = true;

	conn->tx_cqe.done = cdma_rdma_hello_sent;
	conn->rx_cqe.done = cdma_rdma_hello_received;
	sge.addr = conn->rx_dma;
	sge.length = sizeof(*conn->rx);
	sge.lkey = conn->pd->local_dma_lkey;
	return ib_post_recv(conn->cm_id->qp, &wr, NULL);
}

/**
 * cdma_rdma_hello_free() - unmap and free the HELLO messages
 * @conn: the connection, its QP drained (or never created)
 */
void cdma_rdma_hello_free(struct cdma_rdma_conn *conn)
{
	struct ib_device *dev = conn->cm_id->device;

	if (conn->mapped) {
		ib_dma_unmap_single(dev, conn->rx_dma, sizeof(*conn->rx),
				    DMA_FROM_DEVICE);
		ib_dma_unmap_single(dev, conn->tx_dma, sizeof(*conn->tx),
				    DMA_TO_DEVICE);
		conn->mapped = false;
	}
	kfree(conn->rx);
	kfree(conn->tx);
	conn->rx = NULL;
	conn->tx = NULL;
}

/**
 * cdma_rdma_hello_send() - send this node's HELLO or HELLO_REPLY
 * @conn: an established connection
 * @type: CDMA_RDMA_MSG_HELLO (connecting side) or CDMA_RDMA_MSG_HELLO_REPLY
 *
 * Return: 0 or the negative errno of ib_post_send().
 */
int cdma_rdma_hello_send(struct cdma_rdma_conn *conn,
			 enum cdma_rdma_msg_type type)
{
	struct ib_device *dev = conn->cm_id->device;
	struct ib_sge sge = {
		.addr = conn->tx_dma,
		.length = sizeof(*conn->tx),
		.lkey = conn->pd->local_dma_lkey,
	};
	struct ib_send_wr wr = {
		.wr_cqe = &conn->tx_cqe,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = IB_WR_SEND,
		.send_flags = IB_SEND_SIGNALED,
	};

	conn->tx->magic = cpu_to_be32(CDMA_RDMA_MAGIC);
	conn->tx->version = CDMA_RDMA_VERSION;
	conn->tx->type = type;
	conn->tx->node_id = cpu_to_be16(cdma_rdma_self);
	ib_dma_sync_single_for_device(dev, conn->tx_dma, sizeof(*conn->tx),
				      DMA_TO_DEVICE);
	return ib_post_send(conn->cm_id->qp, &wr, NULL);
}
