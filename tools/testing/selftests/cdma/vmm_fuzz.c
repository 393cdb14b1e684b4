// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_fuzz - a seeded hostile VMM (and guest driver) for rdma_zcopy, over
 * /dev/vhost-vdpa-N.
 *
 *   vmm_fuzz [-d DEVICE] [-n REQUESTS] [-r RACES] [-s SEED]
 *
 * Plays QEMU and a guest driver that break every rule of
 * Documentation/virtio-rdma-remote.rst on purpose, REQUESTS times in all
 * (default 100000): requests with random and boundary values in every
 * field (opcodes, sessions, handles, sizes, ranges over rings, ROM and
 * unmapped memory, transfers of every direction), descriptor chains that
 * loop, point out of range, are huge, writable before readable, avail
 * indexes that jump, heads out of range, random status writes and resets.
 * Meanwhile a thread makes RACES (default 1000) IOTLB changes under the
 * requests (guest RAM region 1 split, joined and removed), and children
 * start VMMs of their own on the device and are killed at random points.
 * The device may refuse anything (a status, NEEDS_RESET, silence): the
 * VMM then resets it and starts again.
 *
 * TAP on stdout, with the seed and the counts.  Passes when every VMM
 * set-up on a reset device works, the IOTLB thread made its changes, and
 * at the end a new VMM moves data through the device and reads it back;
 * the kernel log (KASAN, lockdep, WARN) is checked by whoever runs it.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "cdma_helpers.h"
#include "vmm_virtio.h"
#include "pattern.h"

#define S_OK		VIRTIO_RDMA_REMOTE_S_OK

static const char *zc_dev_path = "/dev/vhost-vdpa-0";
static unsigned long want_requests = 100000, want_races = 1000;
static uint64_t seed;

/* The device's own check: its data pattern. */
#define FZ_SEED_DATA	0x1234

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	return cdma_mix64(rnd_state++);
}

static unsigned int pick(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

/* Guest addresses: rings, responses, RAM, its ends, ROM, unmapped. */
static uint64_t fz_addr(void)
{
	static const uint64_t at[] = {
		ZC_RAM, ZC_VQ_AVAIL(0), ZC_VQ_USED(1), ZC_EVBUF, ZC_RESP,
		ZC_REQ, ZC_DATA, ZC_RAM0_SIZE + ZC_RAM - ZC_PAGE,
		ZC_RAM + ZC_RAM0_SIZE, ZC_RAM_END - ZC_PAGE, ZC_RAM_END,
		ZC_ROM, 0, ZC_PAGE, ~0ULL - ZC_PAGE + 1, 1ULL << 47,
	};

	if (pick(2))
		return ZC_DATA + (uint64_t)pick((ZC_RAM_END - ZC_DATA) /
						ZC_PAGE) * ZC_PAGE;
	return at[pick(ARRAY_SIZE(at))] + (pick(8) ? 0 : pick(4096));
}

/* Lengths: mostly a few pages; boundaries; now and then a large one. */
static uint64_t fz_len(void)
{
	static const uint64_t at[] = {
		0, 1, ZC_PAGE - 1, ZC_PAGE, 2 * ZC_PAGE, 1ULL << 32, ~0ULL,
		~0ULL - ZC_PAGE + 1,
	};
	static const uint64_t large[] = { ZC_MiB, 16 * ZC_MiB, ZC_RAM_SIZE };

	if (!pick(64))
		return large[pick(ARRAY_SIZE(large))];
	if (pick(2))
		return (uint64_t)(1 + pick(16)) * ZC_PAGE;
	return at[pick(ARRAY_SIZE(at))];
}

struct fz_state {
	uint32_t sids[8];
	unsigned int nsids;
	uint32_t handles[32];
	unsigned int nhandles;
	unsigned long requests, answered, resets, refusals, kills;
};

static uint32_t fz_sid(struct fz_state *f)
{
	if (f->nsids && pick(8))
		return f->sids[pick(f->nsids)];
	return (uint32_t)(pick(2) ? pick(70) : rnd());
}

static uint32_t fz_handle(struct fz_state *f)
{
	if (f->nhandles && pick(4))
		return f->handles[pick(f->nhandles)];
	return (uint32_t)(pick(2) ? pick(300) : rnd());
}

/* Requests go in batches, as a guest driver sends them: one kick each. */
#define FZ_BATCH	32
#define FZ_DESC		4		/* descriptors per request */
#define FZ_AREA(i)	(ZC_REQ + (uint64_t)(i) * ZC_PAGE)
#define FZ_RESP(i)	(ZC_REQ + ZC_MiB + (uint64_t)(i) * 64)

/*
 * Request @i of a batch, fuzzed, written into guest memory with its
 * descriptors (header and body in one or two, ranges in another, the
 * response last); its opcode in @op.  Returns the head descriptor.
 */
static uint16_t fz_fill(struct zc_vmm *m, struct fz_state *f, unsigned int i,
			uint32_t *op)
{
	struct zc_vq *vq = &m->vq[VIRTIO_RDMA_REMOTE_VQ_REQ];
	uint8_t body[sizeof(struct virtio_rdma_remote_submit) + 64];
	struct virtio_rdma_remote_range ranges[8];
	struct virtio_rdma_remote_req_hdr h;
	unsigned int nr = 0, k, d = i * FZ_DESC, n = 0;
	uint64_t area = FZ_AREA(i);
	uint32_t resp_len;
	size_t blen = 0;

	/* Every opcode, ALLOC and FREE (the swap) twice as often. */
	static const uint32_t ops[] = { 1, 2, 3, 3, 3, 4, 4, 5, 6, 7 };

	*op = pick(8) ? ops[pick(ARRAY_SIZE(ops))] : (uint32_t)rnd();
	h.opcode = htole32(*op);
	h.session = htole32(*op == VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN &&
			    pick(2) ? 0 : fz_sid(f));
	memset(body, 0, sizeof(body));
	switch (*op) {
	case VIRTIO_RDMA_REMOTE_OP_ALLOC: {
		struct virtio_rdma_remote_alloc *a = (void *)body;
		uint64_t size = 0;
		bool valid;

		nr = 1 + pick(pick(8) ? 2 : 8);
		valid = pick(2);
		for (k = 0; k < nr; k++) {
			/* Half the time well-formed, in RAM region 1 (raced). */
			ranges[k].addr = htole64(valid ? ZC_RAM + ZC_RAM0_SIZE +
				(uint64_t)pick(ZC_RAM1_SIZE / ZC_PAGE - 16) *
				ZC_PAGE : fz_addr());
			ranges[k].len = htole64(valid ? (1 + pick(16)) * ZC_PAGE :
						fz_len());
			size += le64toh(ranges[k].len);
		}
		a->size = htole64(pick(4) ? size : fz_len());
		a->nr_ranges = htole32(pick(8) ? nr : (uint32_t)rnd());
		a->flags = htole32(pick(16) ? 0 : 1);
		blen = sizeof(*a);
		break;
	}
	case VIRTIO_RDMA_REMOTE_OP_FREE:
	case VIRTIO_RDMA_REMOTE_OP_EXPORT:
	case VIRTIO_RDMA_REMOTE_OP_REVOKE: {
		struct virtio_rdma_remote_handle *hd = (void *)body;

		hd->handle = htole32(fz_handle(f));
		hd->access = htole32(pick(4) ? 1 + pick(3) : (uint32_t)rnd());
		blen = sizeof(*hd);
		break;
	}
	case VIRTIO_RDMA_REMOTE_OP_SUBMIT: {
		struct virtio_rdma_remote_submit *x = (void *)body;

		x->dir = htole32(pick(8) ? pick(3) : (uint32_t)rnd());
		x->flags = htole32(pick(16) ? 0 : (uint32_t)rnd());
		x->src_handle = htole32(fz_handle(f));
		x->dst_handle = htole32(fz_handle(f));
		x->src_offset = htole64(pick(2) ? 0 : fz_len());
		x->dst_offset = htole64(pick(2) ? 0 : fz_len());
		x->length = htole64(fz_len());
		x->global_addr = htole64(rnd());
		x->key = htole64(rnd());
		x->tag = htole64(pick(1024));
		blen = sizeof(*x);
		break;
	}
	default:
		blen = pick(4) ? 0 : pick(sizeof(body));
		for (k = 0; k < blen; k++)
			body[k] = (uint8_t)rnd();
	}
	if (!pick(16))
		blen = pick(sizeof(body));	/* short or long bodies */

	/* Header and body in one descriptor or two. */
	zc_gwrite(m, area, &h, sizeof(h));
	zc_gwrite(m, area + sizeof(h), body, blen);
	vq->desc[d].addr = htole64(area);
	if (pick(2) && blen) {
		vq->desc[d].len = htole32(sizeof(h));
		vq->desc[d + 1].addr = htole64(area + sizeof(h));
		vq->desc[d + 1].len = htole32((uint32_t)blen);
		n = 2;
	} else {
		vq->desc[d].len = htole32((uint32_t)(sizeof(h) + blen));
		n = 1;
	}
	if (nr) {
		zc_gwrite(m, area + 1024, ranges, sizeof(ranges));
		vq->desc[d + n].addr = htole64(area + 1024);
		vq->desc[d + n].len = htole32(pick(8) ? nr * sizeof(ranges[0]) :
					      pick(sizeof(ranges)));
		n++;
	}
	for (k = 0; k < n; k++) {
		vq->desc[d + k].flags = htole16(VRING_DESC_F_NEXT);
		vq->desc[d + k].next = htole16(d + k + 1);
	}
	resp_len = pick(16) ? sizeof(struct virtio_rdma_remote_resp) :
		   pick(64);
	if (resp_len) {
		vq->desc[d + n].addr = htole64(FZ_RESP(i));
		vq->desc[d + n].len = htole32(resp_len);
		vq->desc[d + n].flags = htole16(VRING_DESC_F_WRITE);
		vq->desc[d + n].next = 0;
	} else {
		vq->desc[d + n - 1].flags = 0;
	}
	return (uint16_t)d;
}

/*
 * A batch of fuzzed requests, one kick; the answers noted.  Returns 0, or
 * -ETIMEDOUT when the device stopped answering (it is then reset).
 */
static int fz_batch(struct zc_vmm *m, struct fz_state *f)
{
	struct zc_vq *vq = &m->vq[VIRTIO_RDMA_REMOTE_VQ_REQ];
	unsigned int n = 1 + pick(FZ_BATCH), i, got = 0;
	uint32_t op[FZ_BATCH];
	struct virtio_rdma_remote_resp r;
	struct zc_used_elem e;
	uint64_t end;

	for (i = 0; i < n; i++)
		zc_vq_publish(vq, fz_fill(m, f, i, &op[i]));
	zc_kick(vq);
	f->requests += n;
	end = zc_now_ms() + (uint64_t)m->req_timeout_ms;
	while (got < n) {
		if (!zc_vq_get_used(vq, &e)) {
			if (zc_now_ms() >= end)
				return -ETIMEDOUT;
			zc_vq_wait(vq, zc_left_ms(end));
			continue;
		}
		got++;
		end = zc_now_ms() + (uint64_t)m->req_timeout_ms;
		i = e.id / FZ_DESC;
		if (e.id % FZ_DESC || i >= n || e.len != sizeof(r))
			continue;
		f->answered++;
		zc_gread(m, FZ_RESP(i), &r, sizeof(r));
		if (le32toh(r.status) != S_OK)
			continue;
		if (op[i] == VIRTIO_RDMA_REMOTE_OP_SESSION_OPEN && f->nsids < 8)
			f->sids[f->nsids++] = le32toh(r.id);
		if (op[i] == VIRTIO_RDMA_REMOTE_OP_ALLOC && f->nhandles < 32)
			f->handles[f->nhandles++] = le32toh(r.id);
	}
	return 0;
}

/* A malformed chain, published raw: loops, bad heads, huge lengths. */
static void fz_bad_ring(struct zc_vmm *m, struct fz_state *f)
{
	struct zc_vq *vq = &m->vq[pick(4) ? VIRTIO_RDMA_REMOTE_VQ_REQ :
					     VIRTIO_RDMA_REMOTE_VQ_EVENT];
	unsigned int i, n = 1 + pick(6);
	uint16_t head = 0;

	for (i = 0; i < n; i++) {
		struct zc_desc *d = &vq->desc[i];

		d->addr = htole64(pick(2) ? ZC_REQ : fz_addr());
		d->len = htole32(pick(2) ? 64 : (uint32_t)fz_len());
		d->flags = htole16((uint16_t)(pick(4) ? VRING_DESC_F_NEXT :
					      rnd()));
		d->next = htole16((uint16_t)(pick(2) ? i + 1 :
			  (pick(2) ? i : rnd())));
	}
	switch (pick(4)) {
	case 0:
		head = (uint16_t)rnd();	/* out of range, mostly */
		break;
	case 1:
		vq->avail_idx += (uint16_t)pick(1000);	/* index jump */
		break;
	default:
		break;
	}
	f->requests++;
	zc_vq_publish(vq, head);
	zc_kick(vq);
	zc_vq_wait(vq, 5);
}

/* A VMM in a child, killed at a random point of its life. */
static void fz_child_kill(struct fz_state *f)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return;
	if (!pid) {
		struct zc_vmm *m = calloc(1, sizeof(*m));
		struct fz_state cf = { 0 };
		unsigned int i;

		rnd_state ^= (uint64_t)getpid() << 17;
		if (!m || zc_vmm_start(m, zc_dev_path))
			_exit(0);
		m->req_timeout_ms = 300;
		for (i = 0; i < 20; i++)
			if (fz_batch(m, &cf))
				break;
		_exit(0);
	}
	usleep(pick(300000));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	f->kills++;
}

/* Reset and start again (a new session table, rings and RAM). */
static int fz_restart(struct zc_vmm *m, struct fz_state *f)
{
	int st;

	zc_vmm_stop(m, false);
	f->nsids = 0;
	f->nhandles = 0;
	f->resets++;
	/* Meanwhile another VMM has the device, and is killed. */
	if (!pick(4))
		fz_child_kill(f);
	st = zc_vmm_start_wait(m, zc_dev_path);
	if (!st)
		m->req_timeout_ms = 300 * (int)zc_scale();
	return st;
}

/* The device still works: a new VMM copies data and reads it back. */
static int fz_final_check(void)
{
	struct zc_vmm *m = calloc(1, sizeof(*m));
	struct zc_range a = { ZC_DATA, 64 * ZC_KiB };
	struct zc_range b = { ZC_DATA + ZC_MiB, 64 * ZC_KiB };
	struct zc_xfer x = { 0 };
	struct zc_event ev;
	uint32_t sid = 0, ha = 0, hb = 0;
	uint8_t *pa, *pb;
	int ok = 0, i, st = -1;

	if (!m)
		return 0;
	st = zc_vmm_start_wait(m, zc_dev_path);
	if (st || zc_session_open(m, &sid) != S_OK ||
	    zc_alloc(m, sid, &a, 1, &ha) != S_OK ||
	    zc_alloc(m, sid, &b, 1, &hb) != S_OK)
		goto out;
	pa = zc_ptr(m, a.addr, a.len);
	pb = zc_ptr(m, b.addr, b.len);
	for (i = 0; i < (int)a.len; i++)
		pa[i] = (uint8_t)(i * 7 + FZ_SEED_DATA);
	memset(pb, 0, b.len);
	x.src = ha;
	x.dst = hb;
	x.len = a.len;
	x.tag = 77;
	ok = zc_submit(m, sid, &x) == S_OK &&
	     zc_wait_event(m, 77, &ev, ZC_EV_TIMEOUT_MS) == 0 &&
	     ev.status == 0 && !memcmp(pa, pb, a.len);
out:
	zc_vmm_stop(m, false);
	free(m);
	return ok;
}

int main(int argc, char **argv)
{
	const struct cd_arg args[] = {
		{ 'd', CD_ARG_STR, &zc_dev_path },
		{ 'n', CD_ARG_ULONG, &want_requests },
		{ 'r', CD_ARG_ULONG, &want_races }, { 's', CD_ARG_U64, &seed },
	};
	struct zc_vmm *m = calloc(1, sizeof(*m));
	/* IOTLB changes under the requests: RAM region 1 split, joined, gone. */
	struct zc_racer racer = { .random = true };
	struct fz_state f = { 0 };
	unsigned long setup_failures = 0;
	const char *env = getenv("ZCOPY_DEV");
	int st, tn = 0, ok;
	bool need_reset = false;
	uint8_t status;

	if (env && *env)
		zc_dev_path = env;
	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (cd_getopt(argc, argv, args, ARRAY_SIZE(args))) {
		fprintf(stderr, "Usage: %s [-d DEV] [-n REQUESTS] [-r RACES] [-s SEED]\n",
			argv[0]);
		return 2;
	}
	rnd_state = seed;
	signal(SIGPIPE, SIG_IGN);
	printf("TAP version 13\n1..3\n# vmm_fuzz: %s, seed %#llx, %lu requests, %lu IOTLB races\n",
	       zc_dev_path, (unsigned long long)seed, want_requests, want_races);
	fflush(stdout);
	if (!m || fz_restart(m, &f)) {
		printf("Bail out! device set-up: %s\n", m ? m->err : "ENOMEM");
		return 1;
	}
	racer.m = m;
	racer.rnd = seed;
	if (zc_racer_start(&racer)) {
		printf("Bail out! pthread_create\n");
		return 1;
	}
	while (f.requests < want_requests ||
	       __atomic_load_n(&racer.flips, __ATOMIC_RELAXED) < want_races) {
		/* Each breaks the device until a reset: now and then. */
		switch (pick(32)) {
		case 0:
		case 1:
			fz_bad_ring(m, &f);
			break;
		case 2:
			/* A random status write. */
			zc_set_status(m, (uint8_t)rnd());
			break;
		default:
			if (fz_batch(m, &f))
				need_reset = true;
		}
		if (need_reset || zc_get_status(m, &status) ||
		    (status & (VIRTIO_CONFIG_S_NEEDS_RESET |
			       VIRTIO_CONFIG_S_FAILED)) ||
		    !(status & VIRTIO_CONFIG_S_DRIVER_OK) || !pick(2048)) {
			zc_racer_stop(&racer);
			f.refusals++;
			st = fz_restart(m, &f);
			if (st) {
				setup_failures++;
				printf("# set-up after a reset failed: %s\n",
				       m->err);
				if (setup_failures > 3)
					break;
			}
			need_reset = false;
			racer.m = m;
			if (zc_racer_start(&racer))
				break;
		}
	}
	zc_racer_stop(&racer);
	zc_vmm_stop(m, false);

	printf("# requests %lu (%lu answered), resets %lu, VMMs killed %lu, IOTLB races %lu\n",
	       f.requests, f.answered, f.resets, f.kills, racer.flips);
	printf("%sok %d every set-up of the reset device worked\n",
	       setup_failures ? "not " : "", ++tn);
	printf("%sok %d at least %lu requests and %lu IOTLB races\n",
	       f.requests >= want_requests && racer.flips >= want_races ?
	       "" : "not ", ++tn, want_requests, want_races);
	ok = fz_final_check();
	printf("%sok %d a new VMM moves data through the device\n",
	       ok ? "" : "not ", ++tn);
	return setup_failures || f.requests < want_requests ||
	       racer.flips < want_races || !ok;
}
