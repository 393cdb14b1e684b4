/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdma_rdma internals shared by the module's source files.
 *
 * cdma_rdma is the transport between Unimem nodes over the kernel's RDMA
 * stack (rdma_cm, ib_core; Soft-RoCE, rdma_rxe, where there is no RDMA
 * NIC).  This first part has the connections and their HELLO exchange
 * only: no transfer travels over them yet, and a transfer to another
 * node's global address still fails with EHOSTUNREACH in cdma_soft.
 */
#ifndef _CDMA_RDMA_H
#define _CDMA_RDMA_H

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_cm.h>

struct seq_file;

/* "UNIM": the first word of the connect request and of every message. */
#define CDMA_RDMA_MAGIC		0x554e494d
#define CDMA_RDMA_VERSION	1
/* Entries of the node table (module parameter nodes=). */
#define CDMA_RDMA_MAX_NODES	64
/*
 * Accepted connections on the list at a time: one per node of a full
 * table, plus as many replaced ones being torn down.  Connect requests
 * beyond are refused.
 */
#define CDMA_RDMA_MAX_ACCEPTED	(2 * CDMA_RDMA_MAX_NODES)
/*
 * Bound of a connect (connecting side), and of the HELLO of an accepted
 * connection (accepting side, from the connect request).
 */
#define CDMA_RDMA_CONNECT_MS	10000

/**
 * struct cdma_rdma_cm_priv - private data of the connect request
 * @magic: CDMA_RDMA_MAGIC
 * @version: CDMA_RDMA_VERSION
 * @reserved: zero
 * @node_id: the connecting node's id
 *
 * Big-endian on the wire.  The listener refuses a request whose magic or
 * version differs, whose @reserved is not zero, or whose (node id, source
 * address) pair is not in its node table.  The source address is the one
 * the request claims (rdma_cm's header in it), not a checked one: this
 * catches mistakes, it authenticates nothing.
 */
struct cdma_rdma_cm_priv {
	__be32 magic;
	u8 version;
	u8 reserved;
	__be16 node_id;
};

enum cdma_rdma_msg_type {
	CDMA_RDMA_MSG_HELLO = 1,	/* connecting node -> accepting node */
	CDMA_RDMA_MSG_HELLO_REPLY = 2,	/* accepting node -> connecting node */
};

/**
 * struct cdma_rdma_hello - the first message each way (SEND/RECV)
 * @magic: CDMA_RDMA_MAGIC
 * @version: CDMA_RDMA_VERSION
 * @type: &enum cdma_rdma_msg_type
 * @node_id: the sender's node id (its cDMA engine's)
 */
struct cdma_rdma_hello {
	__be32 magic;
	u8 version;
	u8 type;
	__be16 node_id;
};

/**
 * struct cdma_rdma_node - an entry of the node table
 * @id: the node id (bits 63..48 of a global address)
 * @addr: its IPv4 address
 */
struct cdma_rdma_node {
	u16 id;
	__be32 addr;
};

/* Connection states, in order; FAILED: being torn down. */
enum cdma_rdma_state {
	CDMA_RDMA_RESOLVING,	/* connecting side: address and route */
	CDMA_RDMA_CONNECTING,	/* request sent, or accepted */
	CDMA_RDMA_HELLO,	/* established, HELLO exchange */
	CDMA_RDMA_UP,
	CDMA_RDMA_FAILED,
};

/**
 * struct cdma_rdma_conn - one RC connection with another node (conn.c)
 * @link: in the connection list, while @linked
 * @linked: on the list, which holds a reference; whoever takes it off tears
 *	the connection down (under cdma_rdma_conns_lock)
 * @ref: the list, the connecting thread, the accept handler, a queued
 *	release and a pending @hello_timeout hold one each
 * @serial: its number, in order of creation (debugfs)
 * @peer: the other node: its id (the table's, or the one its connect
 *	request claimed) and address
 * @active: this node connected; false: it accepted
 * @dying: teardown started; set and read under the id's handler lock
 * @state: &enum cdma_rdma_state, under cdma_rdma_conns_lock
 * @err: why it failed (negative errno), under cdma_rdma_conns_lock
 * @cm_id: its rdma_cm id, never destroyed in its own event handler
 * @pd: protection domain of the connection
 * @cq: its completion queue (polled from a workqueue)
 * @tx: HELLO message sent
 * @rx: HELLO message received
 * @tx_dma: DMA address of @tx
 * @rx_dma: DMA address of @rx
 * @mapped: @tx and @rx are mapped
 * @tx_cqe: completion of the SEND of @tx
 * @rx_cqe: completion of the RECV into @rx
 * @ready: completed when the connection is up or failed
 * @release_work: tears the connection down outside its event handler
 * @hello_timeout: fails an accepted connection not up in time
 */
struct cdma_rdma_conn {
	struct list_head link;
	bool linked;
	refcount_t ref;
	u32 serial;
	struct cdma_rdma_node peer;
	bool active;
	bool dying;
	enum cdma_rdma_state state;
	int err;
	struct rdma_cm_id *cm_id;
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct cdma_rdma_hello *tx;
	struct cdma_rdma_hello *rx;
	u64 tx_dma;
	u64 rx_dma;
	bool mapped;
	struct ib_cqe tx_cqe;
	struct ib_cqe rx_cqe;
	struct completion ready;
	struct work_struct release_work;
	struct delayed_work hello_timeout;
};

/* This node's id, the cDMA engine's (main.c). */
extern u16 cdma_rdma_self;
/* The rdma_cm port (module parameter port=, main.c). */
extern u16 cdma_rdma_port;

/* nodes.c: the node table of the module parameter nodes= */
const struct cdma_rdma_node *cdma_rdma_node_find(u16 id);
bool cdma_rdma_node_match(u16 id, __be32 addr);

/* conn.c: connections */
int cdma_rdma_conns_init(void);
void cdma_rdma_conns_exit(void);
void cdma_rdma_conns_close(struct ib_device *dev);
struct cdma_rdma_conn *cdma_rdma_conn_alloc(bool active);
int cdma_rdma_conn_link(struct cdma_rdma_conn *conn);
void cdma_rdma_conn_put(struct cdma_rdma_conn *conn);
void cdma_rdma_conn_set_state(struct cdma_rdma_conn *conn,
			      enum cdma_rdma_state state);
void cdma_rdma_conn_fail(struct cdma_rdma_conn *conn, int err);
int cdma_rdma_conn_setup(struct cdma_rdma_conn *conn);
int cdma_rdma_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *event);
int cdma_rdma_connect(u16 node_id);
void cdma_rdma_conns_show(struct seq_file *m);

/* hello.c: the HELLO exchange */
int cdma_rdma_hello_init(struct cdma_rdma_conn *conn);
void cdma_rdma_hello_free(struct cdma_rdma_conn *conn);
int cdma_rdma_hello_send(struct cdma_rdma_conn *conn, enum cdma_rdma_msg_type type);

/* listen.c: the listener, the accepting side */
int cdma_rdma_listen_start(void);
void cdma_rdma_listen_stop(void);
int cdma_rdma_accept(struct rdma_cm_id *id, struct rdma_cm_event *event);

/* device.c: the RDMA devices (ib_client) */
int cdma_rdma_devices_init(void);
void cdma_rdma_devices_exit(void);
void cdma_rdma_devices_show(struct seq_file *m);

/* debugfs.c */
void cdma_rdma_debugfs_init(void);
void cdma_rdma_debugfs_exit(void);

#endif /* _CDMA_RDMA_H */
