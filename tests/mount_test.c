// SPDX-License-Identifier: GPL-2.0
/*
 * pdirfs mount API: options through mount(2) and fsconfig(2), their errors
 * and the messages explaining them, the root directory they describe, and
 * module pinning while mounted.
 */
#include <sys/statfs.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

FIXTURE(mnt) {
	char dir[64];
};

FIXTURE_SETUP(mnt)
{
	strcpy(self->dir, "/tmp/pdirfs-mnt-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(mnt)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST(registered)
{
	char buf[4096];

	ASSERT_GT(read_file("/proc/filesystems", buf, sizeof(buf)), 0);
	ASSERT_NE(NULL, strstr(buf, "\tpdirfs\n"));
}

TEST_F(mnt, root_follows_options)
{
	struct statfs sfs;
	struct stat st;

	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0,
			   "mode=0750,uid=12,gid=34,size=1m,nr_inodes=100"));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
	EXPECT_EQ(12, st.st_uid);
	EXPECT_EQ(34, st.st_gid);
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_EQ(PDIRFS_MAGIC, sfs.f_type);
	ASSERT_EQ(0, umount(self->dir));
}

/* /proc/mounts shows the options in effect, in a form mount(8) accepts. */
TEST_F(mnt, proc_mounts_shows_options)
{
	char buf[16384], *line;

	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0,
			   "mode=700,uid=5,gid=6,size=2m,nr_inodes=77"));
	ASSERT_GT(read_file("/proc/mounts", buf, sizeof(buf)), 0);
	line = strstr(buf, self->dir);
	ASSERT_NE(NULL, line);
	*strchrnul(line, '\n') = '\0';
	EXPECT_NE(NULL, strstr(line, "mode=700")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "uid=5")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "gid=6")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "size=2048k")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "nr_inodes=77")) TH_LOG("%s", line);
	/* After a remount, the new limits. */
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=4m"));
	ASSERT_GT(read_file("/proc/mounts", buf, sizeof(buf)), 0);
	line = strstr(buf, self->dir);
	ASSERT_NE(NULL, line);
	*strchrnul(line, '\n') = '\0';
	EXPECT_NE(NULL, strstr(line, "size=4096k")) TH_LOG("%s", line);
	ASSERT_EQ(0, umount(self->dir));
}

/* The directory-operation mode is shown, and fixed for the instance. */
TEST_F(mnt, dirop_mode_shown_and_fixed)
{
	char buf[16384], *line;

	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0,
			   "completion=async,latency_us=7"));
	ASSERT_GT(read_file("/proc/mounts", buf, sizeof(buf)), 0);
	line = strstr(buf, self->dir);
	ASSERT_NE(NULL, line);
	*strchrnul(line, '\n') = '\0';
	EXPECT_NE(NULL, strstr(line, "dirops=shared,completion=async")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "latency_us=7")) TH_LOG("%s", line);
	/* A remount may not switch the locking or completion of live operations. */
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "dirops=exclusive"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT,
			    "completion=sync,latency_us=7"));
	EXPECT_EQ(EINVAL, errno);
	/* Repeating the mode is fine. */
	EXPECT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT,
			   "completion=async,latency_us=7,size=1m"));
	ASSERT_EQ(0, umount(self->dir));
	/* The default is shared locking with synchronous completion. */
	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0, ""));
	ASSERT_GT(read_file("/proc/mounts", buf, sizeof(buf)), 0);
	line = strstr(buf, self->dir);
	ASSERT_NE(NULL, line);
	*strchrnul(line, '\n') = '\0';
	EXPECT_NE(NULL, strstr(line, "dirops=shared,completion=sync")) TH_LOG("%s", line);
	EXPECT_EQ(NULL, strstr(line, "latency_us")) TH_LOG("%s", line);
	ASSERT_EQ(0, umount(self->dir));
}

TEST_F(mnt, default_mode_is_sticky_world_writable)
{
	struct stat st;

	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0, NULL));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 01777, st.st_mode);
	ASSERT_EQ(0, umount(self->dir));
}

TEST_F(mnt, bad_options_fail_with_einval)
{
	static const char *const bad[] = {
		"size=12q", "size=", "size=k", "size=101%", "size=99999999999999999999",
		"size=16e", "nr_inodes=10%", "nr_inodes=x", "mode=99999", "mode=abc",
		"uid=abc", "gid=-1x", "bogus=1", "bogus",
		"dirops=", "dirops=both", "completion=later", "latency_us=-1",
		"latency_us=1000001", "latency_us=1ms", "latency_us=",
		"dirops=exclusive,completion=async",
	};
	struct statfs sfs;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, mount("pdirfs", self->dir, "pdirfs", 0, bad[i]))
			TH_LOG("option '%s' was accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("option '%s'", bad[i]);
	}
	/* Nothing got mounted by the failures. */
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_NE(PDIRFS_MAGIC, sfs.f_type);
}

TEST(fsconfig_error_is_explained)
{
	char msg[256];
	ssize_t n;
	int fd;

	fd = sys_fsopen("pdirfs", FSOPEN_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "size", "12q", 0));
	ASSERT_EQ(EINVAL, errno);
	n = read(fd, msg, sizeof(msg) - 1);
	ASSERT_GT(n, 0);
	msg[n] = '\0';
	/* "e pdirfs: size=12q: ..." */
	EXPECT_EQ('e', msg[0]) TH_LOG("message: %s", msg);
	EXPECT_NE(NULL, strstr(msg, "pdirfs")) TH_LOG("message: %s", msg);
	EXPECT_NE(NULL, strstr(msg, "size=12q")) TH_LOG("message: %s", msg);

	/* Unknown keys are explained by fs_parse() itself. */
	ASSERT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "bogus", "1", 0));
	n = read(fd, msg, sizeof(msg) - 1);
	ASSERT_GT(n, 0);
	msg[n] = '\0';
	EXPECT_NE(NULL, strstr(msg, "bogus")) TH_LOG("message: %s", msg);
	close(fd);
}

TEST_F(mnt, fsmount_works)
{
	struct statfs sfs;
	int fd, mfd;

	fd = sys_fsopen("pdirfs", FSOPEN_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "size", "50%", 0));
	ASSERT_EQ(0, sys_fsconfig(fd, FSCONFIG_SET_STRING, "mode", "700", 0));
	ASSERT_EQ(0, sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	mfd = sys_fsmount(fd, FSMOUNT_CLOEXEC, 0);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, fstatfs(mfd, &sfs));
	EXPECT_EQ(PDIRFS_MAGIC, sfs.f_type);
	close(mfd);
	close(fd);
}

TEST_F(mnt, module_pinned_while_mounted)
{
	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0, NULL));
	EXPECT_EQ(-1, syscall(__NR_delete_module, "pdirfs", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, umount(self->dir));
}

TEST_F(mnt, remount_keeps_instance)
{
	struct statfs sfs;

	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0, "size=1m"));
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=2m"));
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=2q"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_EQ(PDIRFS_MAGIC, sfs.f_type);
	ASSERT_EQ(0, umount(self->dir));
}

TEST_HARNESS_MAIN
