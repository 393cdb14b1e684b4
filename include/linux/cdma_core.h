/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdma_core: pieces shared by every provider of the cDMA character device
 * (the native engine device and the paravirtual guest frontend): uAPI
 * argument checks, the per-file completion queue and synchronous waits.
 */
#ifndef _LINUX_CDMA_CORE_H
#define _LINUX_CDMA_CORE_H

#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/cdma.h>

struct eventfd_ctx;
struct file;
struct page;
struct vm_area_struct;

/**
 * struct cdma_seg - physically contiguous run of pages
 * @page: first page of the run
 * @nr: number of pages in the run
 */
struct cdma_seg {
	struct page *page;
	unsigned long nr;
};

/**
 * struct cdma_pages - the pages backing a DMA buffer
 * @npages: number of pages
 * @pages: every page, in buffer order
 * @nsegs: number of entries in @segs
 * @segs: contiguous runs, in buffer order
 * @owned: pages were allocated by cdma_pages_alloc() and are freed with
 *	the set; imported pages belong to the caller
 */
struct cdma_pages {
	unsigned long npages;
	struct page **pages;
	unsigned long nsegs;
	struct cdma_seg *segs;
	bool owned;
};

int cdma_pages_alloc(struct cdma_pages *p, unsigned long npages);
int cdma_pages_import(struct cdma_pages *p, struct page **pages,
		      unsigned long npages);
void cdma_pages_free(struct cdma_pages *p);
int cdma_pages_mmap(const struct cdma_pages *p, struct vm_area_struct *vma);
int cdma_pages_mmap_range(const struct cdma_pages *p,
			  struct vm_area_struct *vma, unsigned long first);
vm_fault_t cdma_pages_fault(const struct cdma_pages *p, struct vm_fault *vmf,
			    unsigned long base);

/* uAPI argument checks (check.c); each returns 0 or the documented errno */
int cdma_alloc_check(const struct cdma_alloc *a, u64 max_buffer_size);
int cdma_free_check(const struct cdma_free *f);
int cdma_xfer_check(const struct cdma_xfer *x);
int cdma_mode_check(const struct cdma_mode *m);
int cdma_export_check(const struct cdma_export *e);
int cdma_revoke_check(const struct cdma_revoke *r);

struct cdma_cq;

/**
 * struct cdma_cq_ops - hooks of a provider whose completions must be polled
 * @poll_begin: a thread starts busy-polling (the provider may mask its
 *	completion interrupt meanwhile)
 * @poll: look for completions once, from the polling thread; completions
 *	found are delivered with cdma_cq_complete() as usual
 * @poll_end: the thread stops busy-polling
 *
 * Called in CDMA_MODE_POLL by read(), CDMA_IOC_WAIT and synchronous waits
 * (cdma_sync_wait_cq()), in process context, without locks held.  A
 * provider whose completions arrive by themselves (the native engine's
 * workers) needs none.
 */
struct cdma_cq_ops {
	void (*poll_begin)(struct cdma_cq *cq);
	void (*poll)(struct cdma_cq *cq);
	void (*poll_end)(struct cdma_cq *cq);
};

/**
 * struct cdma_cq - completion queue of one open file
 * @lock: protects every field below except @ops
 * @ready: completed entries not yet read, oldest first
 * @cookies: every entry (in flight or ready), by cookie
 * @count: entries in @cookies
 * @limit: largest @count; further reservations fail with -EBUSY
 * @wq: woken on completion in interrupt mode, on a mode change and on
 *	shutdown
 * @mode: CDMA_MODE_INTERRUPT or CDMA_MODE_POLL
 * @eventfd: signalled on completion in interrupt mode, or NULL
 * @shutdown: the device is gone (cdma_cq_shutdown())
 * @ops: polling hooks, or NULL; set by the provider after cdma_cq_init()
 */
struct cdma_cq {
	spinlock_t lock; /* see above */
	struct list_head ready;
	DECLARE_HASHTABLE(cookies, 7);
	unsigned int count;
	unsigned int limit;
	wait_queue_head_t wq;
	u32 mode;
	struct eventfd_ctx *eventfd;
	bool shutdown;
	const struct cdma_cq_ops *ops;
};

/**
 * struct cdma_cq_entry - one asynchronous transfer known to a cdma_cq
 * @node: in &cdma_cq.cookies
 * @link: in &cdma_cq.ready once completed, then in a read()'s batch
 * @done: completed
 * @reading: a read() is copying the record out: nobody else may take it
 *	(its cookie stays in use until the copy is done)
 * @rec: the completion record
 */
struct cdma_cq_entry {
	struct hlist_node node;
	struct list_head link;
	bool done;
	bool reading;
	struct cdma_completion rec;
};

void cdma_cq_init(struct cdma_cq *cq, unsigned int limit);
void cdma_cq_destroy(struct cdma_cq *cq);
struct cdma_cq_entry *cdma_cq_reserve(struct cdma_cq *cq, u64 cookie);
void cdma_cq_unreserve(struct cdma_cq *cq, struct cdma_cq_entry *e);
void cdma_cq_complete(struct cdma_cq *cq, struct cdma_cq_entry *e,
		      int status, u64 bytes);
ssize_t cdma_cq_read(struct cdma_cq *cq, char __user *buf, size_t count,
		     bool nonblock);
int cdma_cq_wait(struct cdma_cq *cq, u64 cookie, u64 timeout_ns,
		 struct cdma_completion *rec);
__poll_t cdma_cq_poll(struct cdma_cq *cq, struct file *file,
		      poll_table *wait);
int cdma_cq_set_mode(struct cdma_cq *cq, const struct cdma_mode *m);
long cdma_cq_ioctl_wait(struct cdma_cq *cq, void __user *argp);
long cdma_cq_ioctl_set_mode(struct cdma_cq *cq, void __user *argp);
bool cdma_cq_polling(struct cdma_cq *cq);
bool cdma_cq_ready(struct cdma_cq *cq);
void cdma_cq_shutdown(struct cdma_cq *cq);

/**
 * struct cdma_sync - a synchronous transfer being waited for
 * @done: completed by cdma_sync_complete()
 * @ref: the waiter's and the completer's references
 * @status: the transfer's status
 * @bytes: bytes moved
 */
struct cdma_sync {
	struct completion done;
	refcount_t ref;
	int status;
	u64 bytes;
};

struct cdma_sync *cdma_sync_alloc(void);
void cdma_sync_complete(struct cdma_sync *s, int status, u64 bytes);
int cdma_sync_wait(struct cdma_sync *s, bool poll);
int cdma_sync_wait_cq(struct cdma_sync *s, struct cdma_cq *cq);
void cdma_sync_put(struct cdma_sync *s);

/* /dev/cdmaN name indexes shared by every provider (main.c) */
int cdma_index_alloc(int want);
void cdma_index_free(int index);

/* virtio-rdma-remote status codes (wire.c) */
int vrr_status_to_errno(u32 status);
u32 vrr_errno_to_status(int err);

#endif /* _LINUX_CDMA_CORE_H */
