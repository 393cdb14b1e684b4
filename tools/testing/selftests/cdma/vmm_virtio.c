// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_virtio.c - a minimal VMM and virtio driver of the virtio-rdma-remote
 * device over /dev/vhost-vdpa-N, for the test programs that play both QEMU
 * and the guest (vmm_virtio.h describes the guest memory layout).
 */
#include "vmm_virtio.h"

/* ------------------------------------------------------------------ */
/* Failures and time                                                   */

/* $CDMA_TIMEOUT_SCALE: the factor of every time limit, 1 to 100. */
unsigned int zc_scale(void)
{
	const char *s = getenv("CDMA_TIMEOUT_SCALE");
	unsigned long v = s ? strtoul(s, NULL, 0) : 1;

	return v >= 1 && v <= 100 ? (unsigned int)v : 1;
}

static __printf(3, 4)
int zc_fail(struct zc_vmm *m, int err, const char *fmt, ...);

/* Record why a step failed; return -err (err > 0) or err (<= 0). */
static int zc_fail(struct zc_vmm *m, int err, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	n = strlen(m->err);
	if (err > 0 && n < sizeof(m->err))
		snprintf(m->err + n, sizeof(m->err) - n, ": %s", strerror(err));
	return err > 0 ? -err : err;
}

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t zc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Milliseconds left until @end (a zc_now_ms() time), 0 when past. */
int zc_left_ms(uint64_t end)
{
	uint64_t now = zc_now_ms();

	return now >= end ? 0 : (int)(end - now);
}

/* ------------------------------------------------------------------ */
/* Guest memory                                                        */

/* The region holding @iova, or NULL. */
static struct zc_region *zc_region_of(struct zc_vmm *m, uint64_t iova)
{
	unsigned int i;

	for (i = 0; i < ZC_NR_REGIONS; i++)
		if (m->reg[i].va && iova >= m->reg[i].iova &&
		    iova - m->reg[i].iova < m->reg[i].size)
			return &m->reg[i];
	return NULL;
}

/*
 * This process's pointer to guest bus address @iova, valid for @len bytes
 * (which must not leave the region); NULL if not guest memory.
 */
void *zc_ptr(struct zc_vmm *m, uint64_t iova, uint64_t len)
{
	struct zc_region *r = zc_region_of(m, iova);

	if (!r || len > r->size - (iova - r->iova))
		return NULL;
	return r->va + (iova - r->iova);
}

/* Copy between guest memory and @buf, across regions. */
int zc_gcopy(struct zc_vmm *m, uint64_t iova, void *buf, uint64_t len,
	     bool write)
{
	uint8_t *b = buf;

	while (len) {
		struct zc_region *r = zc_region_of(m, iova);
		uint64_t n;
		uint8_t *p;

		if (!r)
			return -EFAULT;
		n = r->size - (iova - r->iova);
		if (n > len)
			n = len;
		p = r->va + (iova - r->iova);
		if (write)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		iova += n;
		b += n;
		len -= n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* vhost-vdpa: the VMM side                                            */

static int zc_iotlb_update(struct zc_vmm *m, const struct zc_region *r)
{
	struct vhost_msg_v2 msg;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.type = VHOST_IOTLB_MSG_V2;
	msg.iotlb.iova = r->iova;
	msg.iotlb.size = r->size;
	msg.iotlb.uaddr = (uint64_t)(uintptr_t)r->va;
	msg.iotlb.perm = r->perm;
	msg.iotlb.type = VHOST_IOTLB_UPDATE;
	n = write(m->fd, &msg, sizeof(msg));
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(msg) ? 0 : -EIO;
}

/* Remove the translations of [iova, iova + size) (whole IOTLB entries). */
static int zc_iotlb_invalidate(struct zc_vmm *m, uint64_t iova, uint64_t size)
{
	struct vhost_msg_v2 msg;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.type = VHOST_IOTLB_MSG_V2;
	msg.iotlb.iova = iova;
	msg.iotlb.size = size;
	msg.iotlb.type = VHOST_IOTLB_INVALIDATE;
	n = write(m->fd, &msg, sizeof(msg));
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(msg) ? 0 : -EIO;
}

/*
 * Map RAM region @r again as @parts IOTLB entries of equal size (0: not
 * at all), the change a VMM thread makes under the device's feet: 0 or
 * -errno.
 */
int zc_iotlb_remap(struct zc_vmm *m, unsigned int r, unsigned int parts)
{
	const struct zc_region whole = m->reg[r];
	struct zc_region part = whole;
	int ret = zc_iotlb_invalidate(m, whole.iova, whole.size);
	unsigned int k;

	for (k = 0; k < parts && !ret; k++) {
		part.size = whole.size / parts;
		part.iova = whole.iova + k * part.size;
		part.va = whole.va + k * part.size;
		ret = zc_iotlb_update(m, &part);
	}
	return ret;
}

static void *zc_racer_run(void *arg)
{
	struct zc_racer *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED) && !r->err) {
		if (!r->random) {
			r->err = zc_iotlb_remap(r->m, 1, 4);
			if (!r->err)
				r->err = zc_iotlb_remap(r->m, 1, 1);
			r->flips++;
			continue;
		}
		r->rnd = r->rnd * 6364136223846793005ULL + 1;
		zc_iotlb_remap(r->m, 1, (r->rnd >> 40) % 3 ? 4 : 0);
		usleep((r->rnd >> 20) % 500);
		zc_iotlb_remap(r->m, 1, 1);
		r->flips++;
		usleep((r->rnd >> 30) % 500);
	}
	return NULL;
}

/* Start the IOTLB racer @r (struct zc_racer): 0 or an error number. */
int zc_racer_start(struct zc_racer *r)
{
	r->stop = 0;
	return pthread_create(&r->thread, NULL, zc_racer_run, r);
}

/* Stop the IOTLB racer @r and wait for its thread. */
void zc_racer_stop(struct zc_racer *r)
{
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
	pthread_join(r->thread, NULL);
}

/* Guest RAM: one memfd, three regions at fixed places of a reservation. */
static int zc_ram_setup(struct zc_vmm *m)
{
	static const struct {
		uint64_t iova, size, off, resv_off;
		uint8_t perm;
	} lay[ZC_NR_REGIONS] = {
		/* region 1 below region 0, with a gap: not contiguous */
		{ ZC_RAM, ZC_RAM0_SIZE, 0, 32 * ZC_MiB, VHOST_ACCESS_RW },
		{ ZC_RAM + ZC_RAM0_SIZE, ZC_RAM1_SIZE, ZC_RAM0_SIZE, 0,
		  VHOST_ACCESS_RW },
		{ ZC_ROM, ZC_ROM_SIZE, ZC_RAM_SIZE, 96 * ZC_MiB,
		  VHOST_ACCESS_RO },
	};
	unsigned int i;
	int ret;

	m->memfd = memfd_create("zc-guest-ram", MFD_CLOEXEC);
	if (m->memfd < 0)
		return zc_fail(m, errno, "memfd_create");
	if (ftruncate(m->memfd, ZC_MEMFD_SIZE))
		return zc_fail(m, errno, "ftruncate guest RAM");
	m->resv_size = 128 * ZC_MiB;
	m->resv = m->identity ? NULL :
		  mmap(NULL, m->resv_size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->resv == MAP_FAILED) {
		m->resv = NULL;
		return zc_fail(m, errno, "reserve guest RAM addresses");
	}
	for (i = 0; i < ZC_NR_REGIONS; i++) {
		struct zc_region *r = &m->reg[i];
		void *p = m->identity ?
			mmap((void *)(uintptr_t)lay[i].iova, lay[i].size,
			     PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED_NOREPLACE, m->memfd,
			     (off_t)lay[i].off) :
			mmap(m->resv + lay[i].resv_off, lay[i].size,
			     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			     m->memfd, (off_t)lay[i].off);

		if (p == MAP_FAILED)
			return zc_fail(m, errno, "mmap guest RAM region %u", i);
		r->va = p;
		r->iova = lay[i].iova;
		r->size = lay[i].size;
		r->off = lay[i].off;
		r->perm = lay[i].perm;
		if (m->identity) {
			if (p != (void *)(uintptr_t)lay[i].iova)
				return zc_fail(m, EEXIST,
					       "guest RAM region %u not at its IOVA",
					       i);
			continue;
		}
		ret = zc_iotlb_update(m, r);
		if (ret)
			return zc_fail(m, -ret,
				       "VHOST_IOTLB_UPDATE iova %#llx size %#llx",
				       (unsigned long long)r->iova,
				       (unsigned long long)r->size);
	}
	return 0;
}

/* The queue's rings in guest RAM, then the vhost-vdpa vring set-up. */
static int zc_vq_setup(struct zc_vmm *m, unsigned int q)
{
	struct zc_vq *vq = &m->vq[q];
	struct vhost_vring_state st = { .index = q, .num = ZC_QSIZE };
	struct vhost_vring_addr addr = {
		.index = q,
		.desc_user_addr = ZC_VQ_DESC(q),
		.avail_user_addr = ZC_VQ_AVAIL(q),
		.used_user_addr = ZC_VQ_USED(q),
	};
	struct vhost_vring_file f = { .index = q };

	vq->idx = q;
	vq->num = ZC_QSIZE;
	vq->desc = zc_ptr(m, ZC_VQ_DESC(q), ZC_PAGE);
	vq->avail = zc_ptr(m, ZC_VQ_AVAIL(q), ZC_PAGE);
	vq->used = zc_ptr(m, ZC_VQ_USED(q), ZC_PAGE);
	vq->avail_idx = 0;
	vq->last_used = 0;
	memset(vq->desc, 0, 3 * ZC_PAGE);
	vq->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vq->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vq->kick < 0 || vq->call < 0)
		return zc_fail(m, errno, "eventfd");

	if (ioctl(m->fd, VHOST_SET_VRING_NUM, &st))
		return zc_fail(m, errno, "VHOST_SET_VRING_NUM %u", q);
	if (ioctl(m->fd, VHOST_SET_VRING_ADDR, &addr))
		return zc_fail(m, errno, "VHOST_SET_VRING_ADDR %u", q);
	st.num = 0;
	if (ioctl(m->fd, VHOST_SET_VRING_BASE, &st))
		return zc_fail(m, errno, "VHOST_SET_VRING_BASE %u", q);
	f.fd = vq->kick;
	if (ioctl(m->fd, VHOST_SET_VRING_KICK, &f))
		return zc_fail(m, errno, "VHOST_SET_VRING_KICK %u", q);
	f.fd = vq->call;
	if (ioctl(m->fd, VHOST_SET_VRING_CALL, &f))
		return zc_fail(m, errno, "VHOST_SET_VRING_CALL %u", q);
	return 0;
}

/* Notify the device of new buffers in @vq (its kick eventfd). */
void zc_kick(struct zc_vq *vq)
{
	uint64_t one = 1;

	if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
		perror("zc: kick");
}

/* Make descriptor chain @head available (the ring entry, then the index). */
void zc_vq_publish(struct zc_vq *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = htole16(head);
	vq->avail_idx++;
	__atomic_store_n(&vq->avail->idx, htole16(vq->avail_idx),
			 __ATOMIC_RELEASE);
}

/* Next used element, if the device returned one. */
bool zc_vq_get_used(struct zc_vq *vq, struct zc_used_elem *e)
{
	uint16_t idx = le16toh(__atomic_load_n(&vq->used->idx,
					       __ATOMIC_ACQUIRE));

	if (idx == vq->last_used)
		return false;
	e->id = le32toh(vq->used->ring[vq->last_used & (vq->num - 1)].id);
	e->len = le32toh(vq->used->ring[vq->last_used & (vq->num - 1)].len);
	vq->last_used++;
	return true;
}

/* Wait for the queue's call eventfd, at most @ms; 0 or -ETIMEDOUT. */
int zc_vq_wait(struct zc_vq *vq, int ms)
{
	struct pollfd p = { .fd = vq->call, .events = POLLIN };
	uint64_t v;
	int n;

	n = poll(&p, 1, ms < 0 ? 0 : ms);
	if (n <= 0)
		return -ETIMEDOUT;
	if (read(vq->call, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

/* Post event buffer @i (a descriptor of the event queue) again. */
static void zc_ev_post(struct zc_vmm *m, uint16_t i)
{
	struct zc_vq *vq = &m->vq[VIRTIO_RDMA_REMOTE_VQ_EVENT];

	vq->desc[i].addr = htole64(ZC_EVBUF + i * ZC_EVBUF_SIZE);
	vq->desc[i].len = htole32(ZC_EVBUF_SIZE);
	vq->desc[i].flags = htole16(VRING_DESC_F_WRITE);
	vq->desc[i].next = 0;
	zc_vq_publish(vq, i);
}

/*
 * Take every event the device returned, repost the buffers.  Return the
 * number of events taken.
 */
static unsigned int zc_ev_collect(struct zc_vmm *m)
{
	struct zc_vq *vq = &m->vq[VIRTIO_RDMA_REMOTE_VQ_EVENT];
	struct virtio_rdma_remote_event raw;
	struct zc_used_elem e;
	unsigned int n = 0;

	while (zc_vq_get_used(vq, &e)) {
		if (e.id >= vq->num) {
			m->ev_bad++;
			continue;
		}
		if (e.len < sizeof(raw)) {
			m->ev_bad++;
		} else {
			struct zc_event *ev;

			zc_gread(m, ZC_EVBUF + e.id * ZC_EVBUF_SIZE, &raw,
				 sizeof(raw));
			if (m->nr_ev == ZC_MAX_EVENTS) {
				m->ev_lost++;
			} else {
				ev = &m->ev[m->nr_ev++];
				ev->type = le32toh(raw.type);
				ev->session = le32toh(raw.session);
				ev->tag = le64toh(raw.tag);
				ev->status = le32toh(raw.status);
				ev->reserved = le32toh(raw.reserved);
				ev->bytes = le64toh(raw.bytes);
				ev->pos = (uint16_t)(vq->last_used - 1);
			}
			n++;
		}
		/* Scribble over it so that a stale event is not read twice. */
		memset(zc_ptr(m, ZC_EVBUF + e.id * ZC_EVBUF_SIZE, ZC_EVBUF_SIZE),
		       0xee, ZC_EVBUF_SIZE);
		zc_ev_post(m, (uint16_t)e.id);
	}
	if (n)
		zc_kick(vq);
	return n;
}

/* Remove and return the received event with @tag; false if none. */
static bool zc_ev_take(struct zc_vmm *m, uint64_t tag, struct zc_event *out)
{
	unsigned int i;

	for (i = 0; i < m->nr_ev; i++) {
		if (m->ev[i].tag != tag)
			continue;
		*out = m->ev[i];
		m->ev[i] = m->ev[--m->nr_ev];
		return true;
	}
	return false;
}

/* Wait for the event of the transfer tagged @tag; 0 or -ETIMEDOUT. */
int zc_wait_event(struct zc_vmm *m, uint64_t tag, struct zc_event *out,
		  int timeout_ms)
{
	uint64_t end = zc_now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		zc_ev_collect(m);
		if (zc_ev_take(m, tag, out))
			return 0;
		if (zc_now_ms() >= end)
			return -ETIMEDOUT;
		zc_vq_wait(&m->vq[VIRTIO_RDMA_REMOTE_VQ_EVENT],
			   zc_left_ms(end));
	}
}

/* Collect events for @ms milliseconds (to see that no more come). */
void zc_ev_drain(struct zc_vmm *m, int ms)
{
	uint64_t end = zc_now_ms() + (uint64_t)ms;

	do {
		zc_ev_collect(m);
		zc_vq_wait(&m->vq[VIRTIO_RDMA_REMOTE_VQ_EVENT],
			   zc_left_ms(end));
	} while (zc_now_ms() < end);
	zc_ev_collect(m);
}

static int zc_read_config(struct zc_vmm *m)
{
	/* struct vhost_vdpa_config (off, len), then the bytes read */
	uint64_t buf[(sizeof(struct vhost_vdpa_config) +
		      sizeof(struct virtio_rdma_remote_config) + 7) / 8];
	struct vhost_vdpa_config *hdr = (struct vhost_vdpa_config *)buf;
	struct virtio_rdma_remote_config c;

	memset(buf, 0, sizeof(buf));
	hdr->off = 0;
	hdr->len = sizeof(c);
	if (ioctl(m->fd, VHOST_VDPA_GET_CONFIG, buf))
		return zc_fail(m, errno, "VHOST_VDPA_GET_CONFIG");
	memcpy(&c, hdr->buf, sizeof(c));
	m->cfg.version = le32toh(c.version);
	m->cfg.node_id = le32toh(c.node_id);
	m->cfg.channels = le32toh(c.channels);
	m->cfg.caps = le32toh(c.caps);
	m->cfg.max_buffer_size = le64toh(c.max_buffer_size);
	m->cfg.max_buffers = le32toh(c.max_buffers);
	m->cfg.max_inflight = le32toh(c.max_inflight);
	m->cfg.max_sessions = le32toh(c.max_sessions);
	m->cfg.max_ranges = le32toh(c.max_ranges);
	return 0;
}

/* Set the device status to @st and read it back: 0 or zc_fail(@what). */
static int zc_status_step(struct zc_vmm *m, uint8_t st, uint8_t *now,
			  const char *what)
{
	int ret = zc_set_status(m, st);

	if (!ret)
		ret = zc_get_status(m, now);
	return ret ? zc_fail(m, -ret, "%s", what) : 0;
}

static void zc_vmm_init(struct zc_vmm *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->req_timeout_ms = ZC_REQ_TIMEOUT_MS * (int)zc_scale();
	m->fd = -1;
	m->memfd = -1;
	for (i = 0; i < VIRTIO_RDMA_REMOTE_NUM_VQS; i++) {
		m->vq[i].kick = -1;
		m->vq[i].call = -1;
	}
}

/*
 * Open @path and bring the device up as QEMU and a guest driver would:
 * owner, backend features, device ID, reset, ACKNOWLEDGE|DRIVER, features,
 * FEATURES_OK, configuration, guest RAM in the IOTLB, both queues, event
 * buffers, queues enabled, DRIVER_OK.  Features: VERSION_1,
 * ACCESS_PLATFORM, F_GLOBAL and F_IDENTITY, and those of @more the device
 * offers.  On failure m->err says which step.
 */
int zc_vmm_start_opts(struct zc_vmm *m, const char *path, bool identity,
		      uint64_t more)
{
	const uint64_t need = (1ULL << VIRTIO_F_VERSION_1) |
			      (1ULL << VIRTIO_F_ACCESS_PLATFORM);
	uint8_t status = 0;
	uint64_t f;
	unsigned int q, i;
	int ret;

	zc_vmm_init(m);
	m->identity = identity;
	m->fd = open(path, O_RDWR | O_CLOEXEC);
	if (m->fd < 0)
		return zc_fail(m, errno, "open %s", path);
	if (ioctl(m->fd, VHOST_SET_OWNER))
		return zc_fail(m, errno, "VHOST_SET_OWNER");

	if (ioctl(m->fd, VHOST_GET_BACKEND_FEATURES, &f))
		return zc_fail(m, errno, "VHOST_GET_BACKEND_FEATURES");
	if (!(f & (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2)))
		return zc_fail(m, 0, "backend features %#llx without IOTLB_MSG_V2",
			       (unsigned long long)f);
	m->backend_features = f & ((1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) |
				   (1ULL << VHOST_BACKEND_F_IOTLB_BATCH));
	if (ioctl(m->fd, VHOST_SET_BACKEND_FEATURES, &m->backend_features))
		return zc_fail(m, errno, "VHOST_SET_BACKEND_FEATURES");

	if (ioctl(m->fd, VHOST_VDPA_GET_DEVICE_ID, &m->device_id))
		return zc_fail(m, errno, "VHOST_VDPA_GET_DEVICE_ID");

	ret = zc_set_status(m, 0);
	if (!ret)
		ret = zc_set_status(m, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	if (!ret)
		ret = zc_set_status(m, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				       VIRTIO_CONFIG_S_DRIVER);
	if (ret)
		return zc_fail(m, -ret, "VHOST_VDPA_SET_STATUS (reset, ACK, DRIVER)");

	if (ioctl(m->fd, VHOST_GET_FEATURES, &f))
		return zc_fail(m, errno, "VHOST_GET_FEATURES");
	if ((f & need) != need)
		return zc_fail(m, 0, "device features %#llx lack VERSION_1 or ACCESS_PLATFORM",
			       (unsigned long long)f);
	m->features = f & (need | (1ULL << VIRTIO_RDMA_REMOTE_F_GLOBAL) |
			   (1ULL << VIRTIO_RDMA_REMOTE_F_IDENTITY) | more);
	if (ioctl(m->fd, VHOST_SET_FEATURES, &m->features))
		return zc_fail(m, errno, "VHOST_SET_FEATURES %#llx",
			       (unsigned long long)m->features);
	ret = zc_status_step(m, VIRTIO_CONFIG_S_ACKNOWLEDGE |
			     VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK,
			     &status, "FEATURES_OK");
	if (ret)
		return ret;
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK))
		return zc_fail(m, 0, "FEATURES_OK did not stick (status %#x)",
			       status);

	ret = zc_read_config(m);
	if (!ret)
		ret = zc_ram_setup(m);
	if (ret)
		return ret;
	memset(zc_ptr(m, ZC_RAM, ZC_DATA - ZC_RAM), 0, ZC_DATA - ZC_RAM);
	for (q = 0; q < VIRTIO_RDMA_REMOTE_NUM_VQS; q++) {
		ret = zc_vq_setup(m, q);
		if (ret)
			return ret;
	}
	for (i = 0; i < ZC_QSIZE; i++)
		zc_ev_post(m, (uint16_t)i);
	for (q = 0; q < VIRTIO_RDMA_REMOTE_NUM_VQS; q++) {
		struct vhost_vring_state st = { .index = q, .num = 1 };

		if (ioctl(m->fd, VHOST_VDPA_SET_VRING_ENABLE, &st))
			return zc_fail(m, errno, "VHOST_VDPA_SET_VRING_ENABLE %u", q);
	}
	ret = zc_status_step(m, VIRTIO_CONFIG_S_ACKNOWLEDGE |
			     VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
			     VIRTIO_CONFIG_S_DRIVER_OK, &status, "DRIVER_OK");
	if (ret)
		return ret;
	if (!(status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (status & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED)))
		return zc_fail(m, 0, "device status %#x after DRIVER_OK", status);
	zc_kick(&m->vq[VIRTIO_RDMA_REMOTE_VQ_EVENT]);
	return 0;
}

/*
 * zc_vmm_start(), waiting up to 5 s for a device that a VMM which just
 * died still holds (EBUSY: its file is released a little later).
 */
int zc_vmm_start_wait(struct zc_vmm *m, const char *path)
{
	int i, st = zc_vmm_start(m, path);

	for (i = 0; i < 50 && st == -EBUSY; i++) {
		zc_vmm_stop(m, true);
		usleep(100 * 1000);
		st = zc_vmm_start(m, path);
	}
	return st;
}

/* Reset the device (unless @no_reset), close and unmap everything. */
void zc_vmm_stop(struct zc_vmm *m, bool no_reset)
{
	unsigned int i;

	if (m->fd >= 0) {
		if (!no_reset)
			zc_set_status(m, 0);
		close(m->fd);
	}
	for (i = 0; i < VIRTIO_RDMA_REMOTE_NUM_VQS; i++) {
		if (m->vq[i].kick >= 0)
			close(m->vq[i].kick);
		if (m->vq[i].call >= 0)
			close(m->vq[i].call);
		m->vq[i].kick = -1;
		m->vq[i].call = -1;
	}
	if (m->resv)
		munmap(m->resv, m->resv_size);
	for (i = 0; m->identity && i < ZC_NR_REGIONS; i++)
		if (m->reg[i].va)
			munmap(m->reg[i].va, m->reg[i].size);
	if (m->memfd >= 0)
		close(m->memfd);
	m->fd = -1;
	m->memfd = -1;
	m->resv = NULL;
	memset(m->reg, 0, sizeof(m->reg));
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

/**
 * zc_request() - send one request and wait for its response
 * @m: the VMM
 * @out: device-readable pieces, each in its own descriptor, in order
 * @nout: number of @out, 1 .. ZC_QSIZE - 1
 * @resp_len: size of the device-writable descriptor (0: none)
 * @resp: out: the response (host endian status and id); may be NULL
 * @used_len: out: the used length the device returned; may be NULL
 *
 * The readable pieces are placed one after the other (16-byte aligned) in
 * the request area, the writable part in the response page, which is
 * filled with 0xa5 first.
 *
 * Return: the response status (>= 0), or -ETIMEDOUT, -EPROTO (used length
 * not 24, or a used id that is not the chain's head), -E2BIG.
 */
int zc_request(struct zc_vmm *m, const struct zc_seg *out,
	       unsigned int nout, uint32_t resp_len,
	       struct virtio_rdma_remote_resp *resp, uint32_t *used_len)
{
	struct zc_vq *vq = &m->vq[VIRTIO_RDMA_REMOTE_VQ_REQ];
	uint64_t pos = ZC_REQ, end;
	struct virtio_rdma_remote_resp r;
	struct zc_used_elem e;
	unsigned int i, n = 0;
	int ret;

	if (nout + 1 >= ZC_QSIZE || resp_len > ZC_PAGE)
		return -E2BIG;
	for (i = 0; i < nout; i++) {
		if (pos + out[i].len > ZC_REQ + ZC_REQ_SIZE)
			return -E2BIG;
		zc_gwrite(m, pos, out[i].p, out[i].len);
		vq->desc[n].addr = htole64(pos);
		vq->desc[n].len = htole32((uint32_t)out[i].len);
		vq->desc[n].flags = htole16(VRING_DESC_F_NEXT);
		vq->desc[n].next = htole16(n + 1);
		n++;
		pos += (out[i].len + 15) & ~15ULL;
	}
	memset(zc_ptr(m, ZC_RESP, ZC_PAGE), 0xa5, ZC_PAGE);
	if (resp_len) {
		vq->desc[n].addr = htole64(ZC_RESP);
		vq->desc[n].len = htole32(resp_len);
		vq->desc[n].flags = htole16(VRING_DESC_F_WRITE);
		vq->desc[n].next = 0;
		n++;
	} else if (n) {
		vq->desc[n - 1].flags = 0;
	}
	zc_vq_publish(vq, 0);
	zc_kick(vq);

	end = zc_now_ms() + (uint64_t)m->req_timeout_ms;
	while (!zc_vq_get_used(vq, &e)) {
		if (zc_now_ms() >= end)
			return -ETIMEDOUT;
		zc_vq_wait(vq, zc_left_ms(end));
	}
	if (used_len)
		*used_len = e.len;
	if (e.id != 0)
		return -EPROTO;
	if (e.len != sizeof(r) || resp_len < sizeof(r))
		return -EPROTO;
	zc_gread(m, ZC_RESP, &r, sizeof(r));
	ret = (int)le32toh(r.status);
	if (resp) {
		resp->status = le32toh(r.status);
		resp->id = le32toh(r.id);
		resp->global_addr = le64toh(r.global_addr);
		resp->key = le64toh(r.key);
	}
	return ret < 0 ? -EPROTO : ret;
}

/* A request made of one readable piece: header + body. */
int zc_req1(struct zc_vmm *m, const void *req, size_t len,
	    struct virtio_rdma_remote_resp *resp)
{
	struct zc_seg s = { req, len };

	return zc_request(m, &s, 1, sizeof(*resp), resp, NULL);
}

/* The header of a request of opcode @op in session @sid. */
struct virtio_rdma_remote_req_hdr zc_hdr(uint32_t op, uint32_t sid)
{
	struct virtio_rdma_remote_req_hdr h = {
		.opcode = htole32(op),
		.session = htole32(sid),
	};

	return h;
}

/* SESSION_OPEN: the status; *@sid is the new session on S_OK. */
int zc_session_open(struct zc_vmm *m, uint32_t *sid)
{
	struct virtio_rdma_remote_req_hdr h =
		zc_hdr(VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN, 0);
	struct virtio_rdma_remote_resp r;
	int st = zc_req1(m, &h, sizeof(h), &r);

	if (st == VIRTIO_RDMA_REMOTE_S_OK)
		*sid = r.id;
	return st;
}

/* SESSION_CLOSE of @sid: the status. */
int zc_session_close(struct zc_vmm *m, uint32_t sid)
{
	struct virtio_rdma_remote_req_hdr h =
		zc_hdr(VIRTIO_RDMA_REMOTE_OP_SESSION_CLOSE, sid);

	return zc_req1(m, &h, sizeof(h), NULL);
}

/**
 * zc_alloc_raw() - ALLOC with every field chosen by the caller
 * @m: the VMM
 * @sid: session
 * @size: the size field
 * @nr_field: the nr_ranges field
 * @flags: the flags field
 * @ranges: ranges sent (@nr of them, whatever @nr_field says)
 * @nr: number of @ranges
 * @split: header, body and ranges in three descriptors, not one
 * @handle: out: the handle on success; may be NULL
 */
int zc_alloc_raw(struct zc_vmm *m, uint32_t sid, uint64_t size,
		 uint32_t nr_field, uint32_t flags,
		 const struct zc_range *ranges, unsigned int nr,
		 bool split, uint32_t *handle)
{
	struct virtio_rdma_remote_req_hdr h =
		zc_hdr(VIRTIO_RDMA_REMOTE_OP_ALLOC, sid);
	struct virtio_rdma_remote_alloc a = {
		.size = htole64(size),
		.nr_ranges = htole32(nr_field),
		.flags = htole32(flags),
	};
	size_t rlen = (size_t)nr * sizeof(struct virtio_rdma_remote_range);
	struct virtio_rdma_remote_resp r;
	struct zc_seg s[3];
	uint8_t *buf;
	unsigned int i;
	int st;

	buf = malloc(sizeof(h) + sizeof(a) + rlen + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &a, sizeof(a));
	for (i = 0; i < nr; i++) {
		struct virtio_rdma_remote_range w = {
			.addr = htole64(ranges[i].addr),
			.len = htole64(ranges[i].len),
		};

		memcpy(buf + sizeof(h) + sizeof(a) + i * sizeof(w), &w,
		       sizeof(w));
	}
	if (split) {
		s[0] = (struct zc_seg){ buf, sizeof(h) };
		s[1] = (struct zc_seg){ buf + sizeof(h), sizeof(a) };
		s[2] = (struct zc_seg){ buf + sizeof(h) + sizeof(a), rlen };
		st = zc_request(m, s, rlen ? 3 : 2, sizeof(r), &r, NULL);
	} else {
		st = zc_req1(m, buf, sizeof(h) + sizeof(a) + rlen, &r);
	}
	free(buf);
	if (st == VIRTIO_RDMA_REMOTE_S_OK && handle)
		*handle = r.id;
	return st;
}

/* ALLOC of a buffer made of @ranges (@nr of them): the status. */
int zc_alloc(struct zc_vmm *m, uint32_t sid, const struct zc_range *ranges,
	     unsigned int nr, uint32_t *handle)
{
	uint64_t size = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		size += ranges[i].len;
	return zc_alloc_raw(m, sid, size, nr, 0, ranges, nr, false, handle);
}

/* FREE, EXPORT or REVOKE */
int zc_handle_op(struct zc_vmm *m, uint32_t op, uint32_t sid,
		 uint32_t handle, uint32_t access,
		 struct virtio_rdma_remote_resp *resp)
{
	struct {
		struct virtio_rdma_remote_req_hdr h;
		struct virtio_rdma_remote_handle b;
	} req = {
		.h = zc_hdr(op, sid),
		.b = { .handle = htole32(handle), .access = htole32(access) },
	};

	return zc_req1(m, &req, sizeof(req), resp);
}

/*
 * SUBMIT of transfer @x in session @sid: the status; the response into
 * *@resp when not NULL.
 */
int zc_submit_resp(struct zc_vmm *m, uint32_t sid, const struct zc_xfer *x,
		   struct virtio_rdma_remote_resp *resp)
{
	struct {
		struct virtio_rdma_remote_req_hdr h;
		struct virtio_rdma_remote_submit b;
	} req = {
		.h = zc_hdr(VIRTIO_RDMA_REMOTE_OP_SUBMIT, sid),
		.b = {
			.dir = htole32(x->dir),
			.flags = htole32(x->flags),
			.src_handle = htole32(x->src),
			.dst_handle = htole32(x->dst),
			.src_offset = htole64(x->src_off),
			.dst_offset = htole64(x->dst_off),
			.length = htole64(x->len),
			.global_addr = htole64(x->gaddr),
			.key = htole64(x->key),
			.tag = htole64(x->tag),
		},
	};

	return zc_req1(m, &req, sizeof(req), resp);
}

/* SUBMIT of @x in session @sid: the status. */
int zc_submit(struct zc_vmm *m, uint32_t sid, const struct zc_xfer *x)
{
	return zc_submit_resp(m, sid, x, NULL);
}

/* A request status (or transport error) @st, as a name for logs. */
const char *zc_status_name(int st)
{
	static const char *const names[] = {
		"S_OK", "S_INVAL", "S_FBIG", "S_NOSPC", "S_NOMEM", "S_NOENT",
		"S_RANGE", "S_BUSY", "S_EXIST", "S_NXIO", "S_HOSTUNREACH",
		"S_ACCES", "S_CANCELED", "S_IO", "S_UNSUPP", "S_FAULT",
	};

	if (st == -ETIMEDOUT)
		return "no response (timeout)";
	if (st == -EPROTO)
		return "bad response (used length or id)";
	if (st >= 0 && st < (int)ARRAY_SIZE(names))
		return names[st];
	return "?";
}
