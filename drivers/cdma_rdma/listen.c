// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_rdma: the listener and the accepting side of a connection.
 *
 * One wildcard listener in the initial network namespace (rdma_cm
 * attaches it to every RDMA device, present and future) on the port of
 * the module parameter port=.  A connect request is accepted when its
 * private data has this protocol's magic and version, a zero reserved
 * byte and a (node id, source address) pair of the node table; refused
 * otherwise, and when CDMA_RDMA_MAX_ACCEPTED accepted connections exist.
 * The source address is the one the request claims: a check against
 * mistakes, not an authentication.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <net/net_namespace.h>
#include <rdma/ib_cm.h>

#include "cdma_rdma.h"

#define CDMA_RDMA_BACKLOG	16

static struct rdma_cm_id *cdma_rdma_listener;

/* The connect request's node, checked; -ECONNREFUSED when refused. */
static int cdma_rdma_accept_check(struct rdma_cm_id *id,
				  struct rdma_cm_event *event,
				  struct cdma_rdma_node *peer)
{
	const struct cdma_rdma_cm_priv *priv = event->param.conn.private_data;
	struct sockaddr_in *src = (struct sockaddr_in *)&id->route.addr.dst_addr;

	if (src->sin_family != AF_INET) {
		pr_warn_ratelimited("connect request not from IPv4: refused\n");
		return -ECONNREFUSED;
	}
	peer->addr = src->sin_addr.s_addr;
	if (!priv || event->param.conn.private_data_len < sizeof(*priv) ||
	    be32_to_cpu(priv->magic) != CDMA_RDMA_MAGIC ||
	    priv->version != CDMA_RDMA_VERSION || priv->reserved) {
		pr_warn_ratelimited("connect request from %pI4: not this protocol or version: refused\n",
				    &peer->addr);
		return -ECONNREFUSED;
	}
	peer->id = be16_to_cpu(priv->node_id);
	if (!cdma_rdma_node_match(peer->id, peer->addr)) {
		pr_warn_ratelimited("connect request from %pI4 as node %u: not in the node table: refused\n",
				    &peer->addr, peer->id);
		return -ECONNREFUSED;
	}
	return 0;
}

/**
 * cdma_rdma_accept() - handle a connect request (rdma_cm event handler)
 * @id: the new id
 * @event: RDMA_CM_EVENT_CONNECT_REQUEST
 *
 * Return: 0 when @id became a connection (accepted, or failed and its
 * teardown queued); non-zero when the request was refused, for rdma_cm
 * to destroy @id.
 */
int cdma_rdma_accept(struct rdma_cm_id *id, struct rdma_cm_event *event)
{
	const struct rdma_conn_param *req = &event->param.conn;
	struct rdma_conn_param param = {
		.responder_resources = min_t(u32, req->responder_resources,
					     id->device->attrs.max_qp_rd_atom),
		.initiator_depth = min_t(u32, req->initiator_depth,
					 id->device->attrs.max_qp_init_rd_atom),
		.flow_control = 1,
		.rnr_retry_count = 7,
	};
	struct cdma_rdma_conn *conn;
	struct cdma_rdma_node peer;
	int ret;

	ret = cdma_rdma_accept_check(id, event, &peer);
	if (ret)
		goto refuse;
	conn = cdma_rdma_conn_alloc(false);
	if (!conn) {
		ret = -ENOMEM;
		goto refuse;
	}
	conn->peer = peer;
	conn->cm_id = id;
	ret = cdma_rdma_conn_link(conn);
	if (ret) {
		if (ret == -EBUSY)
			pr_warn_ratelimited("connect request from node %u: %d connections accepted already: refused\n",
					    peer.id, CDMA_RDMA_MAX_ACCEPTED);
		cdma_rdma_conn_put(conn);
		goto refuse;
	}
	/* From here on the connection's teardown destroys the id. */
	id->context = conn;
	ret = cdma_rdma_conn_setup(conn);
	if (!ret)
		ret = rdma_accept(id, &param);
	if (ret) {
		pr_warn_ratelimited("cannot accept node %u at %pI4: %d\n",
				    peer.id, &peer.addr, ret);
		rdma_reject(id, NULL, 0, IB_CM_REJ_CONSUMER_DEFINED);
		cdma_rdma_conn_fail(conn, ret);
	}
	cdma_rdma_conn_put(conn);
	return 0;

refuse:
	rdma_reject(id, NULL, 0, IB_CM_REJ_CONSUMER_DEFINED);
	return ret;
}

/**
 * cdma_rdma_listen_start() - listen on the port of port=, every device
 *
 * Return: 0 or a negative errno (EADDRINUSE: the port is taken).
 */
int cdma_rdma_listen_start(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(cdma_rdma_port),
	};
	struct rdma_cm_id *id;
	int ret;

	id = rdma_create_id(&init_net, cdma_rdma_cm_handler, NULL, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id))
		return PTR_ERR(id);
	ret = rdma_bind_addr(id, (struct sockaddr *)&addr);
	if (!ret)
		ret = rdma_listen(id, CDMA_RDMA_BACKLOG);
	if (ret) {
		pr_err("cannot listen on port %u: %d\n", cdma_rdma_port, ret);
		rdma_destroy_id(id);
		return ret;
	}
	cdma_rdma_listener = id;
	return 0;
}

/**
 * cdma_rdma_listen_stop() - stop listening
 *
 * Returns once no connect request is being handled.
 */
void cdma_rdma_listen_stop(void)
{
	rdma_destroy_id(cdma_rdma_listener);
	cdma_rdma_listener = NULL;
}
