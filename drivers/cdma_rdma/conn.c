// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_rdma: connections with other nodes.
 *
 * A connection is on the connection list from its set-up to its teardown;
 * whoever takes it off the list (cdma_rdma_conn_unlink()) tears it down,
 * in process context and never in its own rdma_cm event handler: the
 * release work of a failed connection, the removal of its RDMA device, or
 * the module's unload.  Teardown order: disconnect, drain the QP, destroy
 * the QP, unmap the messages, free the CQ and the PD, destroy the id.
 *
 * This node makes at most one connection with each node (a connect finds
 * it up), and keeps at most one that each node made with it: a new
 * connect request from a node replaces its older accepted connection (a
 * node that restarted is not kept out by its stale one).  An accepted
 * connection whose HELLO has not come within CDMA_RDMA_CONNECT_MS is torn
 * down; at most CDMA_RDMA_MAX_ACCEPTED accepted ones are on the list.
 *
 * Locking: cdma_rdma_conns_lock (a spinlock) guards the list and each
 * connection's state and error, and is never held across an rdma_cm or
 * verbs call; connects are serialized by cdma_rdma_connect_lock.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "cdma_rdma.h"

/* Bound of each resolution step of a connect. */
#define CDMA_RDMA_RESOLVE_MS	2000
#define CDMA_RDMA_CQ_SIZE	16

static LIST_HEAD(cdma_rdma_conns);
static DEFINE_SPINLOCK(cdma_rdma_conns_lock);
/* Set at unload under cdma_rdma_conns_lock: no new connection. */
static bool cdma_rdma_closing;
/* The serial number of the last connection put on the list. */
static u32 cdma_rdma_serial;
static DEFINE_MUTEX(cdma_rdma_connect_lock);
static struct workqueue_struct *cdma_rdma_wq;

static const char *const cdma_rdma_state_names[] = {
	[CDMA_RDMA_RESOLVING] = "resolving",
	[CDMA_RDMA_CONNECTING] = "connecting",
	[CDMA_RDMA_HELLO] = "hello",
	[CDMA_RDMA_UP] = "up",
	[CDMA_RDMA_FAILED] = "closing",
};

static void cdma_rdma_conn_release(struct work_struct *work);
static void cdma_rdma_conn_hello_timeout(struct work_struct *work);

/**
 * cdma_rdma_conn_alloc() - a new connection, not on the list yet
 * @active: this node connects (true) or accepts (false)
 *
 * Return: the connection with one reference, or NULL.
 */
struct cdma_rdma_conn *cdma_rdma_conn_alloc(bool active)
{
	struct cdma_rdma_conn *conn = kzalloc(sizeof(*conn), GFP_KERNEL);

	if (!conn)
		return NULL;
	INIT_LIST_HEAD(&conn->link);
	refcount_set(&conn->ref, 1);
	conn->active = active;
	conn->state = active ? CDMA_RDMA_RESOLVING : CDMA_RDMA_CONNECTING;
	init_completion(&conn->ready);
	INIT_WORK(&conn->release_work, cdma_rdma_conn_release);
	INIT_DELAYED_WORK(&conn->hello_timeout, cdma_rdma_conn_hello_timeout);
	return conn;
}

static void cdma_rdma_conn_get(struct cdma_rdma_conn *conn)
{
	refcount_inc(&conn->ref);
}

/**
 * cdma_rdma_conn_put() - drop a reference to a connection
 * @conn: the connection; freed with the last reference (torn down before)
 */
void cdma_rdma_conn_put(struct cdma_rdma_conn *conn)
{
	if (refcount_dec_and_test(&conn->ref))
		kfree(conn);
}

/* Accepted connections on the list, and @peer's live one, if any. */
static unsigned int cdma_rdma_accepted(u16 peer,
				       struct cdma_rdma_conn **old)
{
	struct cdma_rdma_conn *conn;
	unsigned int n = 0;

	*old = NULL;
	list_for_each_entry(conn, &cdma_rdma_conns, link) {
		if (conn->active)
			continue;
		n++;
		if (conn->peer.id == peer && conn->state != CDMA_RDMA_FAILED)
			*old = conn;
	}
	return n;
}

/**
 * cdma_rdma_conn_link() - put a connection with its id on the list
 * @conn: the connection, its peer set; the list takes a reference
 *
 * An accepted connection replaces the peer's older accepted one, which is
 * failed, and gets its HELLO deadline.
 *
 * Return: 0, -EBUSY when CDMA_RDMA_MAX_ACCEPTED accepted connections are
 * on the list, or -ESHUTDOWN while the module unloads.
 */
int cdma_rdma_conn_link(struct cdma_rdma_conn *conn)
{
	struct cdma_rdma_conn *old = NULL;
	int ret = 0;

	spin_lock(&cdma_rdma_conns_lock);
	if (cdma_rdma_closing) {
		ret = -ESHUTDOWN;
	} else if (!conn->active &&
		   cdma_rdma_accepted(conn->peer.id, &old) >=
		   CDMA_RDMA_MAX_ACCEPTED) {
		ret = -EBUSY;
	} else {
		cdma_rdma_conn_get(conn);
		list_add_tail(&conn->link, &cdma_rdma_conns);
		conn->linked = true;
		conn->serial = ++cdma_rdma_serial;
		if (old)
			cdma_rdma_conn_get(old);
	}
	spin_unlock(&cdma_rdma_conns_lock);
	if (ret || conn->active)
		return ret;

	cdma_rdma_conn_get(conn);	/* the deadline's */
	queue_delayed_work(cdma_rdma_wq, &conn->hello_timeout,
			   msecs_to_jiffies(CDMA_RDMA_CONNECT_MS));
	if (old) {
		pr_info_ratelimited("node %u connects again: closing its older connection\n",
				    old->peer.id);
		cdma_rdma_conn_fail(old, -ECONNRESET);
		cdma_rdma_conn_put(old);
	}
	return 0;
}

/* Take @conn off the list; true: the caller owns the list's reference. */
static bool cdma_rdma_conn_unlink(struct cdma_rdma_conn *conn)
{
	bool was_linked;

	spin_lock(&cdma_rdma_conns_lock);
	was_linked = conn->linked;
	if (was_linked) {
		list_del_init(&conn->link);
		conn->linked = false;
	}
	spin_unlock(&cdma_rdma_conns_lock);
	return was_linked;
}

/**
 * cdma_rdma_conn_set_state() - move a live connection forward to a state
 * @conn: the connection
 * @state: the new state; ignored when not later than the current one (the
 *	accepting side may get the peer's HELLO, and be up, before rdma_cm
 *	tells it that the connection is established), or when it failed
 */
void cdma_rdma_conn_set_state(struct cdma_rdma_conn *conn,
			      enum cdma_rdma_state state)
{
	bool up = false;

	spin_lock(&cdma_rdma_conns_lock);
	if (state > conn->state && conn->state != CDMA_RDMA_FAILED) {
		conn->state = state;
		up = state == CDMA_RDMA_UP;
	}
	spin_unlock(&cdma_rdma_conns_lock);
	if (up)
		complete_all(&conn->ready);
}

/* Fail @conn with @err unless it is up (@keep_up) or failed already. */
static bool cdma_rdma_conn_fail_state(struct cdma_rdma_conn *conn, int err,
				      bool keep_up)
{
	bool changed = false;

	spin_lock(&cdma_rdma_conns_lock);
	if (conn->state != CDMA_RDMA_FAILED &&
	    !(keep_up && conn->state == CDMA_RDMA_UP)) {
		conn->state = CDMA_RDMA_FAILED;
		conn->err = err;
		changed = true;
	}
	spin_unlock(&cdma_rdma_conns_lock);
	return changed;
}

static void cdma_rdma_conn_queue_release(struct cdma_rdma_conn *conn)
{
	complete_all(&conn->ready);
	cdma_rdma_conn_get(conn);
	if (!queue_work(cdma_rdma_wq, &conn->release_work))
		cdma_rdma_conn_put(conn);
}

/**
 * cdma_rdma_conn_fail() - a connection failed or ended: tear it down
 * @conn: the connection
 * @err: why (negative errno), what a connect waiting for it returns
 *
 * Wakes the connect waiting for @conn and queues its teardown; callable
 * from its event handler and its completion handlers.
 */
void cdma_rdma_conn_fail(struct cdma_rdma_conn *conn, int err)
{
	if (cdma_rdma_conn_fail_state(conn, err, false))
		cdma_rdma_conn_queue_release(conn);
}

/* Tear down @conn, off the list (its caller owns it); never in a handler. */
static void cdma_rdma_conn_destroy(struct cdma_rdma_conn *conn)
{
	struct rdma_cm_id *id = conn->cm_id;

	/* No event handler of the id does anything after this. */
	rdma_lock_handler(id);
	conn->dying = true;
	rdma_unlock_handler(id);
	cdma_rdma_conn_fail_state(conn, -ECONNRESET, false);
	complete_all(&conn->ready);
	if (cancel_delayed_work_sync(&conn->hello_timeout))
		cdma_rdma_conn_put(conn);	/* the deadline's; not the last */

	rdma_disconnect(id);	/* fails harmlessly when not connected */
	if (id->qp) {
		ib_drain_qp(id->qp);
		rdma_destroy_qp(id);
	}
	cdma_rdma_hello_free(conn);
	if (conn->cq)
		ib_free_cq(conn->cq);
	if (conn->pd)
		ib_dealloc_pd(conn->pd);
	rdma_destroy_id(id);
	conn->cm_id = NULL;
}

/* The HELLO deadline of an accepted connection. */
static void cdma_rdma_conn_hello_timeout(struct work_struct *work)
{
	struct cdma_rdma_conn *conn = container_of(to_delayed_work(work),
						   struct cdma_rdma_conn,
						   hello_timeout);

	if (cdma_rdma_conn_fail_state(conn, -ETIMEDOUT, true)) {
		pr_warn_ratelimited("node %u at %pI4: no HELLO in time, closing\n",
				    conn->peer.id, &conn->peer.addr);
		cdma_rdma_conn_queue_release(conn);
	}
	cdma_rdma_conn_put(conn);
}

static void cdma_rdma_conn_release(struct work_struct *work)
{
	struct cdma_rdma_conn *conn =
		container_of(work, struct cdma_rdma_conn, release_work);

	if (cdma_rdma_conn_unlink(conn)) {
		cdma_rdma_conn_destroy(conn);
		cdma_rdma_conn_put(conn);	/* the list's */
	}
	cdma_rdma_conn_put(conn);		/* the work's */
}

/**
 * cdma_rdma_conns_close() - tear down connections now
 * @dev: those on this RDMA device (released by the ib_client: the device
 *	is being removed, or the module unloads), or NULL: all of them
 *
 * Returns once they are torn down and every queued release has run.
 */
void cdma_rdma_conns_close(struct ib_device *dev)
{
	struct cdma_rdma_conn *conn, *tmp;
	LIST_HEAD(doomed);

	/* Taken off the list: a queued release leaves them alone. */
	spin_lock(&cdma_rdma_conns_lock);
	list_for_each_entry_safe(conn, tmp, &cdma_rdma_conns, link) {
		if (dev && READ_ONCE(conn->cm_id->device) != dev)
			continue;
		list_move_tail(&conn->link, &doomed);
		conn->linked = false;
	}
	spin_unlock(&cdma_rdma_conns_lock);

	list_for_each_entry_safe(conn, tmp, &doomed, link) {
		list_del_init(&conn->link);
		if (dev)
			pr_info("%s released: closing the connection with node %u (%s)\n",
				dev_name(&dev->dev), conn->peer.id,
				conn->active ? "out" : "in");
		cdma_rdma_conn_destroy(conn);
		cdma_rdma_conn_put(conn);
	}
	flush_workqueue(cdma_rdma_wq);
}

/**
 * cdma_rdma_conns_init() - set up the connection list's workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int cdma_rdma_conns_init(void)
{
	cdma_rdma_closing = false;
	cdma_rdma_wq = alloc_workqueue("cdma_rdma", WQ_UNBOUND, 0);
	return cdma_rdma_wq ? 0 : -ENOMEM;
}

/**
 * cdma_rdma_conns_exit() - tear down every connection (unload)
 *
 * The listener is gone and no connect runs any more.
 */
void cdma_rdma_conns_exit(void)
{
	spin_lock(&cdma_rdma_conns_lock);
	cdma_rdma_closing = true;
	spin_unlock(&cdma_rdma_conns_lock);
	cdma_rdma_conns_close(NULL);
	destroy_workqueue(cdma_rdma_wq);
}

static void cdma_rdma_qp_event(struct ib_event *event, void *context)
{
	struct cdma_rdma_conn *conn = context;

	pr_debug("node %u: QP event %s\n", conn->peer.id,
		 ib_event_msg(event->event));
}

/**
 * cdma_rdma_conn_setup() - PD, CQ, RC QP and the HELLO receive of a connection
 * @conn: a connection whose id has its route (connecting side) or got a
 *	connect request (accepting side)
 *
 * Torn down by cdma_rdma_conn_destroy(), even when this fails half-way.
 *
 * Return: 0 or a negative errno.
 */
int cdma_rdma_conn_setup(struct cdma_rdma_conn *conn)
{
	struct rdma_cm_id *id = conn->cm_id;
	struct ib_qp_init_attr attr = {};
	struct ib_pd *pd;
	struct ib_cq *cq;
	int ret;

	pd = ib_alloc_pd(id->device, 0);
	if (IS_ERR(pd))
		return PTR_ERR(pd);
	conn->pd = pd;
	cq = ib_alloc_cq(id->device, conn, CDMA_RDMA_CQ_SIZE, 0,
			 IB_POLL_WORKQUEUE);
	if (IS_ERR(cq))
		return PTR_ERR(cq);
	conn->cq = cq;

	attr.event_handler = cdma_rdma_qp_event;
	attr.qp_context = conn;
	attr.send_cq = cq;
	attr.recv_cq = cq;
	attr.cap.max_send_wr = 4;
	attr.cap.max_recv_wr = 4;
	attr.cap.max_send_sge = 1;
	attr.cap.max_recv_sge = 1;
	attr.sq_sig_type = IB_SIGNAL_REQ_WR;
	attr.qp_type = IB_QPT_RC;
	attr.port_num = id->port_num;
	ret = rdma_create_qp(id, pd, &attr);
	if (ret)
		return ret;
	return cdma_rdma_hello_init(conn);
}

/* Route resolved: set the connection up and send the connect request. */
static int cdma_rdma_route_resolved(struct cdma_rdma_conn *conn)
{
	struct rdma_cm_id *id = conn->cm_id;
	struct cdma_rdma_cm_priv priv = {
		.magic = cpu_to_be32(CDMA_RDMA_MAGIC),
		.version = CDMA_RDMA_VERSION,
		.node_id = cpu_to_be16(cdma_rdma_self),
	};
	struct rdma_conn_param param = {
		.private_data = &priv,
		.private_data_len = sizeof(priv),
		.responder_resources = min_t(u32, id->device->attrs.max_qp_rd_atom,
					     U8_MAX),
		.initiator_depth = min_t(u32, id->device->attrs.max_qp_init_rd_atom,
					 U8_MAX),
		.flow_control = 1,
		.retry_count = 7,
		.rnr_retry_count = 7,
	};
	int ret;

	ret = cdma_rdma_conn_setup(conn);
	if (ret)
		return ret;
	cdma_rdma_conn_set_state(conn, CDMA_RDMA_CONNECTING);
	return rdma_connect_locked(id, &param);
}

/* An event of a connection's id (connecting or accepting side). */
static void cdma_rdma_conn_event(struct cdma_rdma_conn *conn,
				 struct rdma_cm_event *event)
{
	int ret = 0;

	switch (event->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		ret = rdma_resolve_route(conn->cm_id, CDMA_RDMA_RESOLVE_MS);
		break;
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		ret = cdma_rdma_route_resolved(conn);
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		cdma_rdma_conn_set_state(conn, CDMA_RDMA_HELLO);
		if (conn->active)
			ret = cdma_rdma_hello_send(conn, CDMA_RDMA_MSG_HELLO);
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
		ret = -ENETUNREACH;
		break;
	case RDMA_CM_EVENT_UNREACHABLE:
		ret = -ETIMEDOUT;
		break;
	case RDMA_CM_EVENT_REJECTED:
		ret = -ECONNREFUSED;
		break;
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_ADDR_CHANGE:
	/* Normally torn down before, by the ib_client's remove. */
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		ret = -ECONNRESET;
		break;
	default:
		break;
	}
	if (ret) {
		pr_debug("node %u: %s (status %d): %d\n", conn->peer.id,
			 rdma_event_msg(event->event), event->status, ret);
		cdma_rdma_conn_fail(conn, ret);
	}
}

/**
 * cdma_rdma_cm_handler() - the rdma_cm event handler of every id
 * @id: the listener, a new id with a connect request, or a connection's
 * @event: the event
 *
 * Never destroys a connection's id (its teardown is queued), so it
 * returns 0 but for a connect request refused before it became a
 * connection (rdma_cm then destroys the new id).
 *
 * Return: 0, or non-zero for rdma_cm to destroy the new id.
 */
int cdma_rdma_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *event)
{
	struct cdma_rdma_conn *conn;

	if (event->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return cdma_rdma_accept(id, event);
	conn = id->context;
	if (!conn || conn->dying)	/* the listener, or being torn down */
		return 0;
	cdma_rdma_conn_event(conn, event);
	return 0;
}

/* The up connection with node @node_id this node made, with a reference. */
static struct cdma_rdma_conn *cdma_rdma_conn_find_up(u16 node_id)
{
	struct cdma_rdma_conn *conn, *found = NULL;

	spin_lock(&cdma_rdma_conns_lock);
	list_for_each_entry(conn, &cdma_rdma_conns, link) {
		if (conn->active && conn->peer.id == node_id &&
		    conn->state == CDMA_RDMA_UP) {
			cdma_rdma_conn_get(conn);
			found = conn;
			break;
		}
	}
	spin_unlock(&cdma_rdma_conns_lock);
	return found;
}

/* Connect to @node, wait until it is up or failed (bounded, interruptible). */
static int cdma_rdma_conn_start(const struct cdma_rdma_node *node)
{
	struct sockaddr_in dst = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = node->addr,
		.sin_port = htons(cdma_rdma_port),
	};
	unsigned long timeout = msecs_to_jiffies(CDMA_RDMA_CONNECT_MS);
	struct cdma_rdma_conn *conn;
	struct rdma_cm_id *id;
	long left;
	int ret;

	conn = cdma_rdma_conn_alloc(true);
	if (!conn)
		return -ENOMEM;
	conn->peer = *node;
	id = rdma_create_id(&init_net, cdma_rdma_cm_handler, conn, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id)) {
		cdma_rdma_conn_put(conn);
		return PTR_ERR(id);
	}
	conn->cm_id = id;
	ret = cdma_rdma_conn_link(conn);
	if (ret) {
		rdma_destroy_id(id);
		cdma_rdma_conn_put(conn);
		return ret;
	}

	ret = rdma_resolve_addr(id, NULL, (struct sockaddr *)&dst,
				CDMA_RDMA_RESOLVE_MS);
	if (ret) {
		cdma_rdma_conn_fail(conn, ret);
	} else {
		left = wait_for_completion_interruptible_timeout(&conn->ready,
								 timeout);
		/* Not up in time, or a signal: fail it unless it is up. */
		if (left <= 0 &&
		    cdma_rdma_conn_fail_state(conn, left ? -EINTR : -ETIMEDOUT,
					      true))
			cdma_rdma_conn_queue_release(conn);
	}

	spin_lock(&cdma_rdma_conns_lock);
	ret = conn->state == CDMA_RDMA_UP ? 0 : conn->err;
	spin_unlock(&cdma_rdma_conns_lock);
	cdma_rdma_conn_put(conn);
	return ret;
}

/**
 * cdma_rdma_connect() - connect to a node, or find the connection up
 * @node_id: the node
 *
 * Connects are made one at a time: a caller waits for those before it.
 *
 * Context: process; sleeps up to about 10 s once its turn comes, and
 * until then; a signal ends the wait.
 * Return: 0 when a connection with @node_id is up, its HELLO answered
 * with @node_id; -EHOSTUNREACH when the node table has no @node_id or the
 * node there answers with another id; -ENETUNREACH when its address or
 * route cannot be resolved; -ECONNREFUSED when it refused; -ETIMEDOUT
 * when it did not answer in time; -ECONNRESET when the connection ended
 * while being set up; -EPROTO when its answer is not a HELLO_REPLY;
 * -EINTR on a signal; another negative errno (-ENOMEM) on a local
 * failure.
 */
int cdma_rdma_connect(u16 node_id)
{
	const struct cdma_rdma_node *node = cdma_rdma_node_find(node_id);
	struct cdma_rdma_conn *conn;
	int ret;

	if (!node)
		return -EHOSTUNREACH;
	if (mutex_lock_interruptible(&cdma_rdma_connect_lock))
		return -EINTR;
	conn = cdma_rdma_conn_find_up(node_id);
	if (conn) {
		cdma_rdma_conn_put(conn);
		ret = 0;
	} else {
		ret = cdma_rdma_conn_start(node);
	}
	mutex_unlock(&cdma_rdma_connect_lock);
	return ret;
}

/**
 * cdma_rdma_conns_show() - list the connections (debugfs)
 * @m: where to
 *
 * One line each: "conn node=ID addr=IPv4 dir=out|in state=STATE serial=N".
 */
void cdma_rdma_conns_show(struct seq_file *m)
{
	struct cdma_rdma_conn *conn;

	spin_lock(&cdma_rdma_conns_lock);
	list_for_each_entry(conn, &cdma_rdma_conns, link)
		seq_printf(m, "conn node=%u addr=%pI4 dir=%s state=%s serial=%u\n",
			   conn->peer.id, &conn->peer.addr,
			   conn->active ? "out" : "in",
			   cdma_rdma_state_names[conn->state], conn->serial);
	spin_unlock(&cdma_rdma_conns_lock);
}
