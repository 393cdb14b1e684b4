// SPDX-License-Identifier: GPL-2.0
/*
 * CDMA_IOC_INFO, unknown ioctls and bad argument pointers of every ioctl.
 * Part of cdma_test (included by cdma_test.c).
 */

#define CD_INFO_FMT "node %u channels %u caps %#x max_buffer_size %llu max_buffers %u max_inflight %u page_size %u"

/* Information is sane, limits usable, reserved output zero. */
CDMA_TEST(info)
{
	struct cdma_info i;
	unsigned int k;

	memset(&i, 0xff, sizeof(i));
	ASSERT_EQ(0, cd_ioctl(self->fd, CDMA_IOC_INFO, &i));
	EXPECT_EQ((__u32)CDMA_UAPI_VERSION, i.version);
	EXPECT_LE(i.node_id, 0xffffU);	/* fits bits 63..48 */
	EXPECT_LE(1U, i.channels);
	EXPECT_LE(1U, i.max_buffers);
	EXPECT_LE(1U, i.max_inflight);
	EXPECT_LE((__u64)i.page_size, i.max_buffer_size);
	EXPECT_EQ(0U, i.page_size % (unsigned int)getpagesize());
	EXPECT_EQ(0U, i.caps & ~(__u32)(CDMA_CAP_ASYNC | CDMA_CAP_POLL_MODE |
					 CDMA_CAP_EVENTFD | CDMA_CAP_GLOBAL |
					 CDMA_CAP_VIRTUAL));
	EXPECT_EQ(0U, i.reserved0);
	for (k = 0; k < ARRAY_SIZE(i.reserved); k++)
		EXPECT_EQ(0ULL, i.reserved[k]);
	/* Same answer as the fixture's first call. */
	EXPECT_EQ(0, memcmp(&i, &self->info, sizeof(i)));
	TH_LOG(CD_INFO_FMT, i.node_id, i.channels, i.caps,
	       (unsigned long long)i.max_buffer_size, i.max_buffers,
	       i.max_inflight, i.page_size);
}

/* The suite exercises every feature: the device must offer them all. */
CDMA_TEST(info_caps)
{
	ASSERT_CAP(&self->info, CDMA_CAP_ASYNC);
	ASSERT_CAP(&self->info, CDMA_CAP_POLL_MODE);
	ASSERT_CAP(&self->info, CDMA_CAP_EVENTFD);
	ASSERT_CAP(&self->info, CDMA_CAP_GLOBAL);
}

/* Unknown commands, including known numbers with a wrong size/direction. */
CDMA_TEST(unknown_ioctl)
{
	static const unsigned long cmds[] = {
		_IO(CDMA_IOC_MAGIC, 0x00),
		_IO(CDMA_IOC_MAGIC, 0x3f),
		_IOWR(CDMA_IOC_MAGIC, 0x3f, struct cdma_info),
		_IO(CDMA_IOC_MAGIC, 0x48),
		_IOWR(CDMA_IOC_MAGIC, 0x48, struct cdma_xfer),
		_IOWR(CDMA_IOC_MAGIC, 0xff, __u64),
		_IO(CDMA_IOC_MAGIC, 0x40),
		_IOW(CDMA_IOC_MAGIC, 0x40, struct cdma_info),
		_IOR(CDMA_IOC_MAGIC, 0x40, __u64),
		_IOWR(CDMA_IOC_MAGIC, 0x41, struct cdma_info),
		_IOR(CDMA_IOC_MAGIC, 0x43, struct cdma_xfer),
		_IOWR(CDMA_IOC_MAGIC, 0x44, __u64),
		_IOR('x', 0x40, struct cdma_info),
		_IOWR('z', 0x41, struct cdma_alloc),
	};
	uint64_t arg[64];
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(cmds); k++) {
		memset(arg, 0, sizeof(arg));
		EXPECT_EQ(-ENOTTY, cd_ioctl(self->fd, cmds[k], arg))
			TH_LOG("cmd %#lx", cmds[k]);
	}
	/* The file still works. */
	EXPECT_EQ(0, cd_info(self->fd, (struct cdma_info *)arg));
}

static const unsigned long cd_all_cmds[] = {
	CDMA_IOC_INFO, CDMA_IOC_ALLOC, CDMA_IOC_FREE, CDMA_IOC_SUBMIT,
	CDMA_IOC_WAIT, CDMA_IOC_SET_MODE, CDMA_IOC_EXPORT, CDMA_IOC_REVOKE,
};

/* NULL, unmapped and page-crossing argument pointers: EFAULT. */
CDMA_TEST(efault)
{
	size_t pg = (size_t)getpagesize();
	uint8_t *two;
	unsigned int k;

	/* A readable page followed by an inaccessible one. */
	two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	memset(two, 0, pg);
	ASSERT_EQ(0, mprotect(two + pg, pg, PROT_NONE));

	for (k = 0; k < ARRAY_SIZE(cd_all_cmds); k++) {
		unsigned long cmd = cd_all_cmds[k];
		size_t sz = _IOC_SIZE(cmd);

		EXPECT_EQ(-EFAULT, cd_ioctl(self->fd, cmd, NULL))
			TH_LOG("cmd %#lx NULL", cmd);
		EXPECT_EQ(-EFAULT, cd_ioctl(self->fd, cmd, cd_bad_ptr()))
			TH_LOG("cmd %#lx unmapped", cmd);
		/* Struct straddles into the PROT_NONE page by 1 byte. */
		EXPECT_EQ(-EFAULT, cd_ioctl(self->fd, cmd, two + pg - sz + 1))
			TH_LOG("cmd %#lx straddling", cmd);
	}
	munmap(two, 2 * pg);

	/* Nothing happened: still no buffer 1..8, no completions. */
	EXPECT_EQ(0, cd_poll(self->fd, POLLIN, 0));
}

/* Kernel-written results into read-only memory: EFAULT. */
CDMA_TEST(efault_readonly_out)
{
	size_t pg = (size_t)getpagesize();
	void *ro;

	ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, cd_ioctl(self->fd, CDMA_IOC_INFO, ro));
	munmap(ro, pg);
}
