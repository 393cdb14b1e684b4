/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdma_core: the cDMA character device and what its providers (the native
 * engine device, the paravirtual guest frontend) share: the device node
 * and its file operations (cdev.c), uAPI argument checks, the per-file
 * completion queue, synchronous waits and buffer pages.
 */
#ifndef _LINUX_CDMA_CORE_H
#define _LINUX_CDMA_CORE_H

#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/cdma.h>

struct device;
struct eventfd_ctx;
struct file;
struct module;
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

/* Buffer pages (pages.c) */
int cdma_pages_alloc(struct cdma_pages *p, unsigned long npages, bool zero);
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

/* Completion queue (cq.c) */
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

/* Synchronous waits (sync.c) */
struct cdma_sync *cdma_sync_alloc(void);
void cdma_sync_complete(struct cdma_sync *s, int status, u64 bytes);
int cdma_sync_wait(struct cdma_sync *s, bool poll);
int cdma_sync_wait_cq(struct cdma_sync *s, struct cdma_cq *cq);
void cdma_sync_put(struct cdma_sync *s);

struct cdma_device;

/**
 * struct cdma_file - an open cDMA device, as cdma_core sees it
 * @dev: the device (set by cdma_core after &cdma_device_ops.open)
 * @cq: completions of the file's asynchronous transfers; initialised by
 *	the provider's open, which also sets its polling hooks
 *
 * Embedded in the provider's own per-file structure, which outlives the
 * file as long as the provider needs (transfers in flight).
 */
struct cdma_file {
	struct cdma_device *dev;
	struct cdma_cq cq;
};

/**
 * struct cdma_device_ops - what a provider of the cDMA device implements
 * @open: a new file: returns the &struct cdma_file embedded in the
 *	provider's per-file state, its @cq initialised, or an ERR_PTR()
 * @release: the file is closed; ends what it has in flight and drops the
 *	provider's reference to it
 * @info: fill in CDMA_IOC_INFO's answer (zeroed by the caller)
 * @alloc: CDMA_IOC_ALLOC of @size bytes (checked, non-zero, at most
 *	&cdma_device.max_buffer_size); sets the buffer's handle
 * @free: CDMA_IOC_FREE of a handle; also undoes an @alloc whose answer
 *	could not be copied out
 * @submit: CDMA_IOC_SUBMIT of a checked transfer: asynchronous ones
 *	(CDMA_XFER_F_ASYNC) complete into &cdma_file.cq, synchronous ones
 *	return their own status
 * @export: CDMA_IOC_EXPORT of a handle with checked access bits
 * @revoke: CDMA_IOC_REVOKE of a handle; also undoes an @export whose
 *	answer could not be copied out
 * @mmap: map the buffer whose handle is @vma->vm_pgoff (at most U32_MAX)
 *
 * Every operation but @release runs in process context of the caller,
 * without cdma_core locks held, and returns 0 or the errno of
 * Documentation/cdma-uapi.rst.  None is called once cdma_device_kill()
 * has returned, but @release.
 */
struct cdma_device_ops {
	struct cdma_file *(*open)(struct cdma_device *dev);
	void (*release)(struct cdma_file *f);
	void (*info)(struct cdma_device *dev, struct cdma_info *info);
	int (*alloc)(struct cdma_file *f, u64 size, u32 *handle);
	int (*free)(struct cdma_file *f, u32 handle);
	int (*submit)(struct cdma_file *f, const struct cdma_xfer *x);
	int (*export)(struct cdma_file *f, u32 handle, u32 access,
		      u64 *global_addr, u64 *key);
	int (*revoke)(struct cdma_file *f, u32 handle);
	int (*mmap)(struct cdma_file *f, struct vm_area_struct *vma);
};

/**
 * struct cdma_device - one /dev/cdmaN of a provider
 * @ops: the provider's operations
 * @owner: the provider's module, held by every open file
 * @parent: the device the node hangs under in sysfs, or NULL
 * @max_buffer_size: largest CDMA_IOC_ALLOC, a multiple of PAGE_SIZE
 * @dead: cdma_device_kill() was called
 * @index: N of the node's name cdmaN, -1 when not registered
 * @name: the node's name
 * @misc: the character device
 */
struct cdma_device {
	const struct cdma_device_ops *ops;
	struct module *owner;
	struct device *parent;
	u64 max_buffer_size;
	bool dead;
	int index;
	char name[16];
	struct miscdevice misc;
};

/* The device node (cdev.c) */
int cdma_device_register(struct cdma_device *dev);
void cdma_device_kill(struct cdma_device *dev);
void cdma_device_unregister(struct cdma_device *dev);

/* virtio-rdma-remote status codes (wire.c) */
int vrr_status_to_errno(u32 status);
u32 vrr_errno_to_status(int err);

#endif /* _LINUX_CDMA_CORE_H */
