// SPDX-License-Identifier: GPL-2.0
/*
 * Transfers to and from global addresses: access rights, keys, node ids,
 * ranges, and between two processes.
 * Part of cdma_test (included by cdma_test.c).
 */

/*
 * Hostile tenants, finding 7: a transfer with a wrong key must not tell
 * whether a segment is exported (ENXIO against EACCES would let anyone
 * map the live segments of the node): EACCES for a live, a revoked and a
 * never exported segment alike.  The holder of a revoked export's key
 * still learns that it was revoked (ENXIO).
 */
CDMA_TEST(global_no_liveness_oracle)
{
	const __u64 wrong = 0x5a5a5a5a5a5a5a5aULL;
	__u64 g, k, never;
	struct cd_buf e, l;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &e);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &l);
	ASSERT_EQ(0, cd_export(self->fd, e.handle, CDMA_ACCESS_READ |
			       CDMA_ACCESS_WRITE, &g, &k));
	ASSERT_NE(wrong, k);
	/* Segment 0xfffe of this node: not exported by this test's node yet. */
	never = (g >> CDMA_GADDR_NODE_SHIFT << CDMA_GADDR_NODE_SHIFT) |
		((__u64)0xfffe << CDMA_GADDR_SEGMENT_SHIFT);
	EXPECT_EQ(-EACCES, cd_to_global(self->fd, l.handle, 0, g, wrong, 8));
	EXPECT_EQ(-EACCES, cd_from_global(self->fd, never, wrong, l.handle, 0,
					  8));
	EXPECT_EQ(-EACCES, cd_to_global(self->fd, l.handle, 0, never, wrong,
					8));
	ASSERT_EQ(0, cd_revoke(self->fd, e.handle));
	EXPECT_EQ(-EACCES, cd_to_global(self->fd, l.handle, 0, g, wrong, 8));
	EXPECT_EQ(-ENXIO, cd_to_global(self->fd, l.handle, 0, g, k, 8));
	EXPECT_EQ(-ENXIO, cd_from_global(self->fd, g, k, l.handle, 0, 8));
	cd_buf_put(_metadata, self->fd, &e);
	cd_buf_put(_metadata, self->fd, &l);
}

/* Access rights: read-only refuses TO_GLOBAL, write-only FROM_GLOBAL. */
CDMA_TEST(global_access)
{
	struct cd_buf ro, wo, l;
	__u64 gr, kr, gw, kw;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &ro);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &wo);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &l);
	pat_fill(ro.map, ro.len, cdma_seed);
	pat_fill(wo.map, wo.len, cdma_seed + 1);
	pat_fill(l.map, l.len, cdma_seed + 2);
	ASSERT_EQ(0, cd_export(self->fd, ro.handle, CDMA_ACCESS_READ, &gr, &kr));
	ASSERT_EQ(0, cd_export(self->fd, wo.handle, CDMA_ACCESS_WRITE, &gw, &kw));

	EXPECT_EQ(-EACCES, cd_to_global(self->fd, l.handle, 0, gr, kr, 16));
	EXPECT_EQ(-EACCES, cd_from_global(self->fd, gw, kw, l.handle, 0, 16));
	EXPECT_EQ(-EACCES, cd_global(self->fd, CDMA_XFER_TO_GLOBAL,
				     CDMA_XFER_F_ASYNC, l.handle, 0, gr, kr,
				     16, 1));
	EXPECT_EQ(-EACCES, cd_global(self->fd, CDMA_XFER_FROM_GLOBAL,
				     CDMA_XFER_F_ASYNC, l.handle, 0, gw, kw,
				     16, 1));
	EXPECT_EQ(-ENOENT, cd_wait(self->fd, 1, 0, NULL));
	/* Nothing moved. */
	EXPECT_EQ(-1, pat_check(ro.map, ro.len, cdma_seed));
	EXPECT_EQ(-1, pat_check(l.map, l.len, cdma_seed + 2));

	/* The allowed directions work. */
	ASSERT_EQ(0, cd_from_global(self->fd, gr, kr, l.handle, 0, 16));
	EXPECT_EQ(-1, pat_check(l.map, 16, cdma_seed));
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, 0, gw, kw, 16));
	EXPECT_EQ(-1, pat_check(wo.map, 16, cdma_seed));

	cd_buf_put(_metadata, self->fd, &ro);
	cd_buf_put(_metadata, self->fd, &wo);
	cd_buf_put(_metadata, self->fd, &l);
}

/* Wrong keys: EACCES in both directions, nothing moved. */
CDMA_TEST(global_wrong_key)
{
	struct cd_buf x, l;
	__u64 g, k, bad[5];
	unsigned int i;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &x);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &l);
	pat_fill(x.map, x.len, cdma_seed);
	pat_fill(l.map, l.len, cdma_seed + 1);
	ASSERT_EQ(0, cd_export(self->fd, x.handle, CD_RW, &g, &k));
	bad[0] = k ^ 1;
	bad[1] = k ^ (1ULL << 63);
	bad[2] = ~k;
	bad[3] = k ? 0 : 1;
	bad[4] = k + 0x100000000ULL;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EACCES, cd_to_global(self->fd, l.handle, 0, g,
						bad[i], 8))
			TH_LOG("key %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EACCES, cd_from_global(self->fd, g + 8, bad[i],
						  l.handle, 0, 8))
			TH_LOG("key %#llx", (unsigned long long)bad[i]);
	}
	EXPECT_EQ(-1, pat_check(x.map, x.len, cdma_seed));
	EXPECT_EQ(-1, pat_check(l.map, l.len, cdma_seed + 1));
	ASSERT_EQ(0, cd_from_global(self->fd, g + 8, k, l.handle, 0, 8));
	EXPECT_EQ(-1, pat_check_at(l.map, 8, cdma_seed, 8));

	cd_buf_put(_metadata, self->fd, &x);
	cd_buf_put(_metadata, self->fd, &l);
}

/* A global address of another node: EHOSTUNREACH. */
CDMA_TEST(global_other_node)
{
	const __u64 nmask = 0xffffULL << CDMA_GADDR_NODE_SHIFT;
	__u64 g, k, other[3];
	struct cd_buf x, l;
	unsigned int i;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &x);
	cd_buf_get(_metadata, self->fd, &self->info, self->page, true, &l);
	ASSERT_EQ(0, cd_export(self->fd, x.handle, CD_RW, &g, &k));
	other[0] = g ^ (1ULL << CDMA_GADDR_NODE_SHIFT);
	other[1] = g ^ (0x8000ULL << CDMA_GADDR_NODE_SHIFT);
	other[2] = (g & ~nmask) | ((__u64)((self->info.node_id + 1) & 0xffff)
				   << CDMA_GADDR_NODE_SHIFT);
	memset(l.map, 0x77, l.len);

	for (i = 0; i < ARRAY_SIZE(other); i++) {
		EXPECT_EQ(-EHOSTUNREACH, cd_to_global(self->fd, l.handle, 0,
						      other[i], k, 8))
			TH_LOG("addr %#llx", (unsigned long long)other[i]);
		EXPECT_EQ(-EHOSTUNREACH, cd_from_global(self->fd, other[i], k,
							l.handle, 0, 8))
			TH_LOG("addr %#llx", (unsigned long long)other[i]);
	}
	EXPECT_EQ(-1, mem_check_byte(x.map, x.len, 0));
	EXPECT_EQ(-1, mem_check_byte(l.map, l.len, 0x77));

	cd_buf_put(_metadata, self->fd, &x);
	cd_buf_put(_metadata, self->fd, &l);
}

/* Global and local ranges, with overflow: ERANGE; the limits work. */
CDMA_TEST(global_erange)
{
	const __u64 S = 2 * self->page;
	const struct { __u64 goff, loff, len; } bad[] = {
		{ S, 0, 1 }, { S - 1, 0, 2 }, { 0, 0, S + 1 }, { 1, 0, S },
		{ CDMA_GADDR_OFFSET_MASK, 0, 1 },
		{ CDMA_GADDR_OFFSET_MASK, 0, 2 },
		{ 1, 0, UINT64_MAX }, { 0, 0, UINT64_MAX },
		{ S - 1, 0, UINT64_MAX },
		{ 0, S, 1 }, { 0, S - 1, 2 },		/* local side */
		{ 0, UINT64_MAX, 1 }, { 0, UINT64_MAX, 2 },
		{ 0, 1, UINT64_MAX },
	};
	struct cd_buf x, l;
	unsigned int i;
	__u64 g, k;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	cd_buf_get(_metadata, self->fd, &self->info, S, true, &x);
	cd_buf_get(_metadata, self->fd, &self->info, S, true, &l);
	pat_fill(x.map, x.len, cdma_seed);
	pat_fill(l.map, l.len, cdma_seed + 1);
	ASSERT_EQ(0, cd_export(self->fd, x.handle, CD_RW, &g, &k));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-ERANGE, cd_to_global(self->fd, l.handle, bad[i].loff,
						g + bad[i].goff, k, bad[i].len))
			TH_LOG("TO_GLOBAL case %u", i);
		EXPECT_EQ(-ERANGE, cd_from_global(self->fd, g + bad[i].goff, k,
						  l.handle, bad[i].loff,
						  bad[i].len))
			TH_LOG("FROM_GLOBAL case %u", i);
	}
	EXPECT_EQ(-1, pat_check(x.map, x.len, cdma_seed));
	EXPECT_EQ(-1, pat_check(l.map, l.len, cdma_seed + 1));

	ASSERT_EQ(0, cd_from_global(self->fd, g + S - 1, k, l.handle, 0, 1));
	EXPECT_EQ(pat_byte(cdma_seed, S - 1), l.map[0]);
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, S - 1, g, k, 1));
	EXPECT_EQ(pat_byte(cdma_seed + 1, S - 1), x.map[0]);
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, 0, g, k, S));
	EXPECT_EQ(0, memcmp(x.map, l.map, S));

	cd_buf_put(_metadata, self->fd, &x);
	cd_buf_put(_metadata, self->fd, &l);
}

/* ------------------------------------------------------------------ */
/* Two processes                                                       */

struct cd_gmsg {
	__u64 gaddr, key;
};

/*
 * Child of two_processes: exports a buffer, lets the parent read and
 * write it, checks the parent's write, then reads the parent's export.
 * Returns 0 or the number of the failed step (exit status).
 */
static int cd_child_exporter(int to_parent, int from_parent, size_t size,
			     size_t page)
{
	size_t len = cd_round_up(size, page), half = size / 2;
	struct cd_gmsg msg, pmsg;
	__u64 moff, loff;
	__u32 h, lh;
	uint8_t *map, *lmap;
	int fd;

	fd = cd_open();
	if (fd < 0)
		return 10;
	if (cd_alloc(fd, size, &h, &moff))
		return 11;
	map = cd_map(fd, moff, len);
	if (map == MAP_FAILED)
		return 12;
	pat_fill(map, len, cdma_seed);
	if (cd_export(fd, h, CD_RW, &msg.gaddr, &msg.key))
		return 13;
	if (write(to_parent, &msg, sizeof(msg)) != sizeof(msg))
		return 14;
	/* The parent is done with our buffer and sends its own export. */
	if (read(from_parent, &pmsg, sizeof(pmsg)) != sizeof(pmsg))
		return 15;
	if (pat_check(map, 3, cdma_seed) != -1)
		return 16;
	if (pat_check_at(map + 3, half, cdma_seed + 1, 1) != -1)
		return 17;
	if (pat_check_at(map + 3 + half, len - 3 - half, cdma_seed,
			 3 + half) != -1)
		return 18;

	if (cd_alloc(fd, size, &lh, &loff))
		return 19;
	lmap = cd_map(fd, loff, len);
	if (lmap == MAP_FAILED)
		return 20;
	if (cd_from_global(fd, pmsg.gaddr, pmsg.key, lh, 0, size))
		return 21;
	if (pat_check(lmap, size, cdma_seed + 2) != -1)
		return 22;
	/* The parent's export is read-only. */
	if (cd_to_global(fd, lh, 0, pmsg.gaddr, pmsg.key, 1) != -EACCES)
		return 23;
	if (cd_from_global(fd, pmsg.gaddr, pmsg.key ^ 1, lh, 0, 1) != -EACCES)
		return 24;
	close(fd);
	return 0;
}

/* A child process exports, the parent transfers with the key; and back. */
CDMA_TEST(two_processes)
{
	const size_t size = 256 * KiB + 123, half = size / 2;
	struct cd_gmsg msg, pmsg;
	int c2p[2], p2c[2];
	struct cd_buf l, p;
	pid_t pid;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	pid = cd_fork_piped(_metadata, c2p, p2c);
	if (pid == 0) {
		close(self->fd);
		_exit(cd_child_exporter(c2p[1], p2c[0], size, self->page));
	}

	ASSERT_EQ((ssize_t)sizeof(msg), read(c2p[0], &msg, sizeof(msg)))
		TH_LOG("child failed before exporting");
	EXPECT_EQ(self->info.node_id, cd_gaddr_node(msg.gaddr));

	cd_buf_get(_metadata, self->fd, &self->info, size, true, &l);
	ASSERT_EQ(0, cd_from_global(self->fd, msg.gaddr, msg.key, l.handle, 0,
				    size));
	EXPECT_EQ(-1, pat_check(l.map, size, cdma_seed));
	EXPECT_EQ(-EACCES, cd_from_global(self->fd, msg.gaddr, msg.key ^ 2,
					  l.handle, 0, size));
	EXPECT_EQ(-EACCES, cd_to_global(self->fd, l.handle, 0, msg.gaddr,
					~msg.key, 1));

	pat_fill(l.map, l.len, cdma_seed + 1);
	ASSERT_EQ(0, cd_to_global(self->fd, l.handle, 1, msg.gaddr + 3,
				  msg.key, half));

	/* Our own read-only export for the child. */
	cd_buf_get(_metadata, self->fd, &self->info, size, true, &p);
	pat_fill(p.map, p.len, cdma_seed + 2);
	ASSERT_EQ(0, cd_export(self->fd, p.handle, CDMA_ACCESS_READ,
			       &pmsg.gaddr, &pmsg.key));
	ASSERT_EQ((ssize_t)sizeof(pmsg), write(p2c[1], &pmsg, sizeof(pmsg)));

	cd_child_ok(_metadata, pid, "child");

	/* The child is gone, its export with it. */
	EXPECT_EQ(-ENXIO, cd_from_global(self->fd, msg.gaddr, msg.key,
					 l.handle, 0, 1));
	EXPECT_EQ(-1, pat_check(p.map, p.len, cdma_seed + 2));

	close(c2p[0]);
	close(p2c[1]);
	cd_buf_put(_metadata, self->fd, &l);
	cd_buf_put(_metadata, self->fd, &p);
}

/*
 * Export until the export fails, as real uid @ruid (the effective uid stays
 * root, for the device's permission check).  Writes the number of exports
 * and the errno of the failure to @out, then holds every export until
 * @hold is readable.  Exit status: 0, or the step that went wrong.
 */
static int cd_export_until_full(const char *path, uid_t ruid,
				unsigned int per_file, int out, int hold)
{
	unsigned int n = 0, in_file = 0;
	int res[2] = { 0, 0 };
	int fd = -1;
	__u32 h;
	char c;

	if (setresuid(ruid, 0, 0))
		return 1;
	for (n = 0; n <= 65536; n++) {
		if (fd < 0 || in_file == per_file) {
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				return 2;
			in_file = 0;
		}
		res[1] = cd_alloc(fd, 1, &h, NULL);
		if (!res[1]) {
			in_file++;
			res[1] = cd_export(fd, h, CDMA_ACCESS_READ, NULL, NULL);
		}
		if (res[1])
			break;
	}
	res[0] = n;
	if (write(out, res, sizeof(res)) != sizeof(res))
		return 3;
	return read(hold, &c, 1) < 0 ? 4 : 0;
}

/*
 * Hostile tenants, finding 7: one tenant must not be able to fill the
 * node's segment table.  Tenant A (a user of the native device, or the
 * whole VM behind a guest device) exports until refused with ENOSPC; a
 * user of the native device that is another tenant can still export
 * (where this node has a native device: not inside a guest).
 * A has many files, so the per-file max_buffers is no bound.
 */
CDMA_TEST_SLOW(global_export_quota_per_tenant)
{
	const char *native = "/dev/cdma0";
	int res[2], out[2], hold[2], fd;
	struct cdma_info ni;
	struct cd_buf b;
	__u64 g, k;
	pid_t pid;

	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
	pid = cd_fork_piped(_metadata, out, hold);
	if (pid == 0)
		_exit(cd_export_until_full(cdma_dev_path, 60001,
					   self->info.max_buffers, out[1],
					   hold[0]));
	ASSERT_EQ((ssize_t)sizeof(res), read(out[0], res, sizeof(res)));
	TH_LOG("tenant A: %d exports, then %s", res[0], strerror(-res[1]));
	EXPECT_EQ(-ENOSPC, res[1]);

	/* Tenant B: another user of the native engine, where there is one. */
	ASSERT_EQ(0, setresuid(60002, 0, 0));
	fd = open(native, O_RDWR | O_CLOEXEC);
	ASSERT_EQ(0, setresuid(0, 0, 0));
	if (fd >= 0 && (cd_info(fd, &ni) || (ni.caps & CDMA_CAP_VIRTUAL))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		TH_LOG("no native engine here (%s): no second tenant to try",
		       native);
	} else {
		cd_buf_get(_metadata, fd, &ni, self->page, false, &b);
		EXPECT_EQ(0, cd_export(fd, b.handle, CDMA_ACCESS_READ, &g, &k));
		cd_buf_put(_metadata, fd, &b);
		close(fd);
	}
	close(hold[1]);
	close(out[0]);
	cd_child_ok(_metadata, pid, "tenant A");
}
