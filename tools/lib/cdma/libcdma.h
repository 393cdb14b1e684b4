/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libcdma - user-space frontend library of the cDMA character device.
 *
 * A thin layer over the ioctl interface of include/uapi/linux/cdma.h
 * (Documentation/cdma-uapi.rst) that works the same on the native engine
 * device and on the paravirtual device inside a VM:
 *
 *   - devices: open, information, completion mode, eventfd;
 *   - buffers: allocation, mapping, freeing;
 *   - Unimem export and import: a buffer exported at a global address is
 *     described by a &struct cdma_remote, which can be turned into a text
 *     string and back to hand it to another process or node;
 *   - transfers, synchronous or asynchronous; asynchronous ones carry an
 *     application callback run once when the transfer completes;
 *   - completion processing: a single device (cdma_progress(),
 *     cdma_wait(), cdma_drain()) or an event loop over several devices
 *     (&struct cdma_loop, epoll on each device's file descriptor or
 *     eventfd), which runs the callbacks.
 *
 * Conventions: functions returning int return 0 (or a non-negative count)
 * on success and a negative errno on failure; errno itself is left as the
 * failing system call set it.  Timeouts are in nanoseconds; a negative
 * timeout waits forever.  A device and everything created from it must be
 * used by one thread at a time.  Callbacks run in the thread that
 * processes completions, from cdma_process(), cdma_progress(),
 * cdma_wait(), cdma_drain() or the event loop; they may submit new
 * transfers, but must not close the device.
 */
#ifndef LIBCDMA_H
#define LIBCDMA_H

#include <stddef.h>
#include <stdint.h>

#include <linux/cdma.h>

#ifdef __cplusplus
extern "C" {
#endif

/** LIBCDMA_VERSION - version of this library's interface (major) */
#define LIBCDMA_VERSION	1

/** struct cdma_dev - an open cDMA device (opaque) */
struct cdma_dev;

/* ------------------------------------------------------------------ */
/* Devices                                                             */

/* Kinds of device for cdma_dev_find() */
#define CDMA_FIND_ANY		0	/* any cDMA device */
#define CDMA_FIND_NATIVE	1	/* an engine device (no CDMA_CAP_VIRTUAL) */
#define CDMA_FIND_VIRTUAL	2	/* a paravirtual device (CDMA_CAP_VIRTUAL) */

/**
 * cdma_dev_find() - find a cDMA device of a kind
 * @kind: CDMA_FIND_ANY, CDMA_FIND_NATIVE or CDMA_FIND_VIRTUAL
 * @index: 0 for the first device of that kind, 1 for the second, ...
 * @path: receives the device path ("/dev/cdmaN")
 * @len: size of @path
 *
 * Devices are tried in the order of N; a device that cannot be opened or
 * does not answer CDMA_IOC_INFO is skipped.
 *
 * Return: 0, -ENOENT when there is no such device, -ENAMETOOLONG when
 * @path is too small, -EINVAL for a bad @kind.
 */
int cdma_dev_find(int kind, unsigned int index, char *path, size_t len);

/**
 * cdma_dev_open() - open a cDMA device
 * @path: device path, for example "/dev/cdma0"
 * @devp: receives the device
 *
 * Opens the device (one session: its buffers and transfers are private to
 * it), reads its information and checks the uAPI version.
 *
 * Return: 0, -EPROTO for a device of another uAPI version, -ENOMEM, or the
 * error of open() or CDMA_IOC_INFO.
 */
int cdma_dev_open(const char *path, struct cdma_dev **devp);

/**
 * cdma_dev_close() - close a device
 * @dev: the device, or NULL
 *
 * Removes it from its event loop, frees its buffers (unmapping them) and
 * closes it: asynchronous transfers still queued end with -ECANCELED in
 * the kernel and their callbacks are not run.
 */
void cdma_dev_close(struct cdma_dev *dev);

/**
 * cdma_dev_info() - information of a device
 * @dev: the device
 *
 * Return: the device's CDMA_IOC_INFO answer, read at open.
 */
const struct cdma_info *cdma_dev_info(const struct cdma_dev *dev);

/**
 * cdma_dev_path() - path a device was opened with
 * @dev: the device
 *
 * Return: the path.
 */
const char *cdma_dev_path(const struct cdma_dev *dev);

/**
 * cdma_dev_is_virtual() - whether a device is a paravirtual frontend
 * @dev: the device
 *
 * Return: 1 when the device reports CDMA_CAP_VIRTUAL, 0 otherwise.
 */
int cdma_dev_is_virtual(const struct cdma_dev *dev);

/**
 * cdma_dev_fd() - the device's file descriptor
 * @dev: the device
 *
 * For the caller's own poll()/epoll: it is readable while completion
 * records are queued (interrupt mode).  It is non-blocking.  Do not
 * read() from it or close it.
 *
 * Return: the descriptor.
 */
int cdma_dev_fd(const struct cdma_dev *dev);

/**
 * cdma_dev_set_mode() - choose the completion mode
 * @dev: the device
 * @mode: CDMA_MODE_INTERRUPT (completions wake sleepers and signal the
 *	eventfd) or CDMA_MODE_POLL (no wake-ups: waiting busy-polls)
 *
 * The eventfd, if enabled, stays attached.
 *
 * Return: 0 or the error of CDMA_IOC_SET_MODE.
 */
int cdma_dev_set_mode(struct cdma_dev *dev, uint32_t mode);

/**
 * cdma_dev_mode() - current completion mode
 * @dev: the device
 *
 * Return: CDMA_MODE_INTERRUPT or CDMA_MODE_POLL.
 */
uint32_t cdma_dev_mode(const struct cdma_dev *dev);

/**
 * cdma_dev_enable_eventfd() - signal completions through an eventfd
 * @dev: the device
 *
 * Creates a non-blocking eventfd and attaches it to the device: in
 * interrupt mode every completion signals it.  From then on the event
 * loop and cdma_progress() wait on the eventfd instead of the device.
 * Calling it again returns the same descriptor.
 *
 * Return: the eventfd (owned by the library), or a negative errno.
 */
int cdma_dev_enable_eventfd(struct cdma_dev *dev);

/**
 * cdma_dev_disable_eventfd() - detach and close the eventfd
 * @dev: the device
 *
 * Return: 0 or a negative errno.
 */
int cdma_dev_disable_eventfd(struct cdma_dev *dev);

/**
 * cdma_dev_event_fd() - the descriptor to wait on for completions
 * @dev: the device
 *
 * Return: the eventfd when enabled, else the device's descriptor.
 */
int cdma_dev_event_fd(const struct cdma_dev *dev);

/* ------------------------------------------------------------------ */
/* Buffers                                                             */

/* Flags of cdma_buf_alloc() */
#define CDMA_BUF_NOMAP	0x1U		/* do not mmap() the buffer */

/**
 * struct cdma_buf - a DMA buffer (fields are read only)
 * @dev: the device it belongs to
 * @handle: the kernel's buffer handle
 * @size: size in bytes, rounded up to the device's page size
 * @mmap_offset: offset to mmap() the buffer at
 * @addr: the mapping of the whole buffer, or NULL when not mapped
 * @exported: 1 while exported by cdma_buf_export()
 */
struct cdma_buf {
	struct cdma_dev *dev;
	uint32_t handle;
	uint64_t size;
	uint64_t mmap_offset;
	void *addr;
	int exported;
};

/**
 * cdma_buf_alloc() - allocate a DMA buffer and map it
 * @dev: the device
 * @size: size in bytes, 1 .. max_buffer_size (rounded up to page_size)
 * @flags: 0 or CDMA_BUF_NOMAP
 * @bufp: receives the buffer
 *
 * The buffer is zero-filled.  Unless CDMA_BUF_NOMAP is given it is mapped
 * read-write (@addr).
 *
 * Return: 0, -EINVAL, -EFBIG, -ENOSPC, -ENOMEM, or the error of
 * CDMA_IOC_ALLOC or mmap().
 */
int cdma_buf_alloc(struct cdma_dev *dev, uint64_t size, unsigned int flags,
		   struct cdma_buf **bufp);

/**
 * cdma_buf_map() - map a buffer allocated with CDMA_BUF_NOMAP
 * @buf: the buffer; nothing happens when it is mapped already
 *
 * Return: 0 or the error of mmap().
 */
int cdma_buf_map(struct cdma_buf *buf);

/**
 * cdma_buf_unmap() - remove the buffer's mapping
 * @buf: the buffer
 */
void cdma_buf_unmap(struct cdma_buf *buf);

/**
 * cdma_buf_free() - unmap and free a buffer
 * @buf: the buffer, or NULL
 *
 * Transfers in flight that use it complete normally.  @buf is freed even
 * when CDMA_IOC_FREE fails.
 *
 * Return: 0 or the error of CDMA_IOC_FREE.
 */
int cdma_buf_free(struct cdma_buf *buf);

/* ------------------------------------------------------------------ */
/* Unimem export and import                                            */

/**
 * struct cdma_remote - a buffer exported at a Unimem global address
 * @global_addr: global address of its first byte
 * @key: access key
 * @size: its size in bytes (0 when unknown; only used for local checks)
 * @access: CDMA_ACCESS_* rights it was exported with (0 when unknown)
 */
struct cdma_remote {
	uint64_t global_addr;
	uint64_t key;
	uint64_t size;
	uint32_t access;
};

/* Length of the text form of a &struct cdma_remote, with its NUL */
#define CDMA_REMOTE_STRLEN	96

/**
 * cdma_buf_export() - export a buffer at a global address
 * @buf: the buffer
 * @access: CDMA_ACCESS_READ and/or CDMA_ACCESS_WRITE
 * @remote: receives the address, key, size and rights to give to peers
 *
 * Return: 0, or the error of CDMA_IOC_EXPORT (-EEXIST when exported
 * already, -ENOSPC when the node's segment table is full, ...).
 */
int cdma_buf_export(struct cdma_buf *buf, uint32_t access,
		    struct cdma_remote *remote);

/**
 * cdma_buf_revoke() - withdraw a buffer's export
 * @buf: the buffer
 *
 * Return: 0 or the error of CDMA_IOC_REVOKE.
 */
int cdma_buf_revoke(struct cdma_buf *buf);

/**
 * cdma_remote_format() - text form of an exported buffer
 * @remote: the export
 * @str: receives "cdma1:<global address>:<key>:<size>:<access>" (hex)
 * @len: size of @str, CDMA_REMOTE_STRLEN is always enough
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int cdma_remote_format(const struct cdma_remote *remote, char *str,
		       size_t len);

/**
 * cdma_remote_import() - parse the text form of an exported buffer
 * @str: a string made by cdma_remote_format()
 * @remote: receives the export
 *
 * Return: 0 or -EINVAL.
 */
int cdma_remote_import(const char *str, struct cdma_remote *remote);

/* ------------------------------------------------------------------ */
/* Transfers                                                           */

/**
 * typedef cdma_done_fn - completion callback of an asynchronous transfer
 * @dev: the device
 * @c: the completion record: cookie, status (0 or a negative errno) and
 *	bytes moved
 * @arg: the argument given at submission
 */
typedef void (*cdma_done_fn)(struct cdma_dev *dev,
			     const struct cdma_completion *c, void *arg);

/**
 * cdma_xfer_sync() - run a transfer described by the raw uAPI structure
 * @dev: the device
 * @x: the transfer; CDMA_XFER_F_ASYNC must be clear and the cookie zero
 *
 * Return: 0 once the data has moved, or a negative errno (the transfer's
 * own status or the ioctl's error; -EINTR when a signal interrupted the
 * wait, the transfer then still runs to its end).
 */
int cdma_xfer_sync(struct cdma_dev *dev, const struct cdma_xfer *x);

/**
 * cdma_xfer_async() - start a transfer described by the raw uAPI structure
 * @dev: the device
 * @x: the transfer; its flags and cookie are set by the library
 * @done: callback run once when the transfer completes, or NULL
 * @arg: its argument
 * @cookie: receives the transfer's cookie (for cdma_wait()), or NULL
 *
 * Return: 0 when queued, -EBUSY when max_inflight transfers are not yet
 * consumed, or another error of CDMA_IOC_SUBMIT.
 */
int cdma_xfer_async(struct cdma_dev *dev, const struct cdma_xfer *x,
		    cdma_done_fn done, void *arg, uint64_t *cookie);

/**
 * cdma_copy() - copy between two buffers of one device, synchronously
 * @dst: destination buffer
 * @dst_off: byte offset in @dst
 * @src: source buffer (may be @dst, ranges must not overlap)
 * @src_off: byte offset in @src
 * @len: bytes, at least 1
 *
 * Return: as cdma_xfer_sync(); -EXDEV when the buffers belong to
 * different devices.
 */
int cdma_copy(struct cdma_buf *dst, uint64_t dst_off, struct cdma_buf *src,
	      uint64_t src_off, uint64_t len);

/**
 * cdma_copy_async() - start a copy between two buffers of one device
 * @dst: destination buffer
 * @dst_off: byte offset in @dst
 * @src: source buffer
 * @src_off: byte offset in @src
 * @len: bytes, at least 1
 * @done: callback, or NULL
 * @arg: its argument
 * @cookie: receives the cookie, or NULL
 *
 * Return: as cdma_xfer_async(); -EXDEV for buffers of different devices.
 */
int cdma_copy_async(struct cdma_buf *dst, uint64_t dst_off,
		    struct cdma_buf *src, uint64_t src_off, uint64_t len,
		    cdma_done_fn done, void *arg, uint64_t *cookie);

/**
 * cdma_put() - write a local buffer's bytes to an exported buffer
 * @remote: the exported buffer (needs CDMA_ACCESS_WRITE)
 * @remote_off: byte offset in it
 * @src: local source buffer
 * @src_off: byte offset in @src
 * @len: bytes, at least 1
 *
 * Return: as cdma_xfer_sync(); -ERANGE when the range passes @remote's
 * known size.
 */
int cdma_put(const struct cdma_remote *remote, uint64_t remote_off,
	     struct cdma_buf *src, uint64_t src_off, uint64_t len);

/**
 * cdma_get() - read an exported buffer's bytes into a local buffer
 * @dst: local destination buffer
 * @dst_off: byte offset in @dst
 * @remote: the exported buffer (needs CDMA_ACCESS_READ)
 * @remote_off: byte offset in it
 * @len: bytes, at least 1
 *
 * Return: as cdma_put().
 */
int cdma_get(struct cdma_buf *dst, uint64_t dst_off,
	     const struct cdma_remote *remote, uint64_t remote_off,
	     uint64_t len);

/**
 * cdma_put_async() - asynchronous cdma_put()
 * @remote: the exported buffer
 * @remote_off: byte offset in it
 * @src: local source buffer
 * @src_off: byte offset in @src
 * @len: bytes
 * @done: callback, or NULL
 * @arg: its argument
 * @cookie: receives the cookie, or NULL
 *
 * Return: as cdma_xfer_async().
 */
int cdma_put_async(const struct cdma_remote *remote, uint64_t remote_off,
		   struct cdma_buf *src, uint64_t src_off, uint64_t len,
		   cdma_done_fn done, void *arg, uint64_t *cookie);

/**
 * cdma_get_async() - asynchronous cdma_get()
 * @dst: local destination buffer
 * @dst_off: byte offset in @dst
 * @remote: the exported buffer
 * @remote_off: byte offset in it
 * @len: bytes
 * @done: callback, or NULL
 * @arg: its argument
 * @cookie: receives the cookie, or NULL
 *
 * Return: as cdma_xfer_async().
 */
int cdma_get_async(struct cdma_buf *dst, uint64_t dst_off,
		   const struct cdma_remote *remote, uint64_t remote_off,
		   uint64_t len, cdma_done_fn done, void *arg,
		   uint64_t *cookie);

/* ------------------------------------------------------------------ */
/* Completions of one device                                           */

/**
 * cdma_inflight() - asynchronous transfers whose callback has not run
 * @dev: the device
 *
 * Return: their number.
 */
unsigned int cdma_inflight(const struct cdma_dev *dev);

/**
 * cdma_process() - run the callbacks of the completions already queued
 * @dev: the device
 *
 * Never sleeps (in polling mode it lets the device poll its hardware
 * once).
 *
 * Return: the number of completions processed, or a negative errno
 * (-ENODEV once the device is gone).
 */
int cdma_process(struct cdma_dev *dev);

/**
 * cdma_progress() - wait for completions and run their callbacks
 * @dev: the device
 * @timeout_ns: longest wait; 0 does not wait; negative waits forever
 *
 * In interrupt mode it sleeps in poll() on the device (or its eventfd); in
 * polling mode it busy-polls.
 *
 * Return: the number of completions processed (0 on timeout), or a
 * negative errno (-EINTR on a signal).
 */
int cdma_progress(struct cdma_dev *dev, int64_t timeout_ns);

/**
 * cdma_wait() - wait for one asynchronous transfer
 * @dev: the device
 * @cookie: the transfer's cookie
 * @timeout_ns: longest wait; 0 only checks; negative waits forever
 * @c: receives its completion record, or NULL
 *
 * Uses CDMA_IOC_WAIT (which sleeps or busy-polls according to the mode),
 * then runs the transfer's callback.
 *
 * Return: 0 (the transfer's status is in @c), -ETIMEDOUT, -ENOENT when
 * the cookie is not that of a transfer whose callback is still due, or
 * another error of CDMA_IOC_WAIT.
 */
int cdma_wait(struct cdma_dev *dev, uint64_t cookie, int64_t timeout_ns,
	      struct cdma_completion *c);

/**
 * cdma_drain() - wait until every asynchronous transfer has completed
 * @dev: the device
 * @timeout_ns: longest wait in total; negative waits forever
 *
 * Return: 0, -ETIMEDOUT, or the error of cdma_progress().
 */
int cdma_drain(struct cdma_dev *dev, int64_t timeout_ns);

/* ------------------------------------------------------------------ */
/* Event loop over several devices                                     */

/** struct cdma_loop - an event loop (opaque) */
struct cdma_loop;

/**
 * cdma_loop_create() - create an event loop
 * @loopp: receives the loop
 *
 * Return: 0, -ENOMEM or the error of epoll_create1().
 */
int cdma_loop_create(struct cdma_loop **loopp);

/**
 * cdma_loop_destroy() - destroy an event loop
 * @loop: the loop, or NULL; its devices are removed, not closed
 */
void cdma_loop_destroy(struct cdma_loop *loop);

/**
 * cdma_loop_add() - let a loop process a device's completions
 * @loop: the loop
 * @dev: the device, in no other loop
 *
 * The loop waits on the device's descriptor, or on its eventfd when
 * enabled (also when enabled later).  Devices in polling mode are
 * busy-polled by the loop.
 *
 * Return: 0, -EBUSY when @dev is in a loop already, or the error of
 * epoll_ctl().
 */
int cdma_loop_add(struct cdma_loop *loop, struct cdma_dev *dev);

/**
 * cdma_loop_remove() - take a device out of its loop
 * @dev: the device; nothing happens when it is in no loop
 */
void cdma_loop_remove(struct cdma_dev *dev);

/**
 * cdma_loop_fd() - the loop's epoll descriptor
 * @loop: the loop
 *
 * Readable when cdma_loop_run_once() has work: for nesting the loop in
 * another one (devices in polling mode never make it readable).
 *
 * Return: the descriptor.
 */
int cdma_loop_fd(const struct cdma_loop *loop);

/**
 * cdma_loop_run_once() - wait for completions on the loop's devices once
 * @loop: the loop
 * @timeout_ns: longest wait; 0 does not wait; negative waits forever
 *
 * Runs the callbacks of every completion found.
 *
 * Return: the number of completions processed (0 on timeout), or a
 * negative errno.
 */
int cdma_loop_run_once(struct cdma_loop *loop, int64_t timeout_ns);

/**
 * cdma_loop_run() - run the loop until its devices are idle
 * @loop: the loop
 * @timeout_ns: longest run; negative for no limit
 *
 * Returns when no device of the loop has an asynchronous transfer left
 * (callbacks may submit more), when cdma_loop_stop() was called from a
 * callback, or on timeout.
 *
 * Return: 0 when idle or stopped, -ETIMEDOUT, or a negative errno.
 */
int cdma_loop_run(struct cdma_loop *loop, int64_t timeout_ns);

/**
 * cdma_loop_stop() - make cdma_loop_run() return after the current callback
 * @loop: the loop
 */
void cdma_loop_stop(struct cdma_loop *loop);

#ifdef __cplusplus
}
#endif

#endif /* LIBCDMA_H */
