// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX behaviour of pdirfs, checked against tmpfs in the same boot: every
 * test runs on pdirfs in each of its directory-operation modes and on tmpfs
 * (fixture variants), so each expectation is also checked against the
 * kernel's reference memory filesystem.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/falloc.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

FIXTURE(fs) {
	char dir[64];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(fs);

/* mounts the variant's filesystem with `opts` plus the variant's own */
#define do_mount(t, d, o) do_mount_opts(t, d, o, variant->opts)

static int do_mount_opts(const char *type, const char *dir, const char *opts,
			 const char *mode_opts)
{
	char all[256];

	snprintf(all, sizeof(all), "%s%s%s", opts, *mode_opts ? "," : "", mode_opts);
	return mount(type, dir, type, 0, all);
}

FIXTURE_SETUP(fs)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/posix-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, do_mount(variant->type, self->dir, "size=64m,nr_inodes=4096"));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(fs)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

static nlink_t nlinks(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? (nlink_t)-1 : st.st_nlink;
}

TEST_F(fs, file_write_read_truncate)
{
	char buf[8192];
	struct stat st;
	int fd;

	fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0640);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(5, st.st_size);
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(1, st.st_nlink);
	EXPECT_GT(st.st_blocks, 0);
	ASSERT_EQ(5, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* Extend with a hole, then read zeroes from it. */
	ASSERT_EQ(0, ftruncate(fd, 6000));
	ASSERT_EQ(6000, pread(fd, buf, sizeof(buf), 0));
	for (int i = 5; i < 6000; i++) {
		ASSERT_EQ(0, buf[i]);
	}
	ASSERT_EQ(0, ftruncate(fd, 2));
	ASSERT_EQ(2, pread(fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, truncate("f", 0));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	close(fd);
	EXPECT_EQ(-1, open("f", O_CREAT | O_EXCL | O_WRONLY, 0600));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(fs, mmap_coherent_with_write)
{
	char *p;
	int fd;

	fd = open("m", O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 8192));
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(3, pwrite(fd, "abc", 3, 4096));
	EXPECT_EQ(0, memcmp(p + 4096, "abc", 3));
	memcpy(p + 10, "xyz", 3);
	{
		char b[3];

		ASSERT_EQ(3, pread(fd, b, 3, 10));
		EXPECT_EQ(0, memcmp(b, "xyz", 3));
	}
	ASSERT_EQ(0, munmap(p, 8192));
	/* A private mapping does not write through. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[10] = 'Q';
	{
		char b;

		ASSERT_EQ(1, pread(fd, &b, 1, 10));
		EXPECT_EQ('x', b);
	}
	munmap(p, 4096);
	close(fd);
}

TEST_F(fs, fallocate_and_seek_data_hole)
{
	struct stat st;
	int fd;

	fd = open("s", O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 8192));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(8192, st.st_size);
	EXPECT_GE(st.st_blocks, 16);
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 4096));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(8192, st.st_size);
	/*
	 * Written data at 0 and at 64k, a hole between.  (Whether fallocated
	 * but unwritten pages count as data differs: tmpfs calls them holes.)
	 */
	ASSERT_EQ(1, pwrite(fd, "d", 1, 0));
	ASSERT_EQ(1, pwrite(fd, "x", 1, 65536));
	EXPECT_EQ(0, lseek(fd, 0, SEEK_DATA));
	EXPECT_EQ(65536, lseek(fd, 20000, SEEK_DATA));
	EXPECT_EQ(65537, lseek(fd, 65536, SEEK_HOLE));
	EXPECT_EQ(-1, lseek(fd, 70000, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	close(fd);
}

TEST_F(fs, splice_copy)
{
	char buf[16] = "";
	int in, out, p[2];

	ASSERT_EQ(0, write_file("in", "spliced!"));
	in = open("in", O_RDONLY);
	out = open("out", O_WRONLY | O_CREAT, 0600);
	ASSERT_GE(in, 0);
	ASSERT_GE(out, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(8, splice(in, NULL, p[1], NULL, 8, 0));
	ASSERT_EQ(8, splice(p[0], NULL, out, NULL, 8, 0));
	close(in);
	close(out);
	ASSERT_EQ(8, read_file("out", buf, sizeof(buf)));
	EXPECT_STREQ("spliced!", buf);
}

TEST_F(fs, directories_and_link_counts)
{
	struct stat st;

	ASSERT_EQ(0, mkdir("d", 0755));
	EXPECT_EQ(2, nlinks("d"));
	ASSERT_EQ(0, mkdir("d/sub", 0700));
	EXPECT_EQ(3, nlinks("d"));
	ASSERT_EQ(0, stat("d/sub", &st));
	EXPECT_EQ(S_IFDIR | 0700, st.st_mode);
	EXPECT_EQ(-1, mkdir("d", 0755));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, rmdir("d"));
	EXPECT_EQ(ENOTEMPTY, errno);
	EXPECT_EQ(-1, rmdir("nope"));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, write_file("d/f", "x"));
	EXPECT_EQ(-1, rmdir("d/f"));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(-1, unlink("d/sub"));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(-1, mkdir("d/f/x", 0755));
	EXPECT_EQ(ENOTDIR, errno);
	ASSERT_EQ(0, rmdir("d/sub"));
	EXPECT_EQ(2, nlinks("d"));
	ASSERT_EQ(0, unlink("d/f"));
	ASSERT_EQ(0, rmdir("d"));
	EXPECT_EQ(-1, stat("d", &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, hard_links)
{
	ASSERT_EQ(0, write_file("a", "data"));
	ASSERT_EQ(0, link("a", "b"));
	EXPECT_EQ(2, nlinks("a"));
	ASSERT_EQ(0, mkdir("d", 0755));
	ASSERT_EQ(0, link("a", "d/c"));
	EXPECT_EQ(3, nlinks("b"));
	EXPECT_EQ(-1, link("a", "b"));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, link("d", "d2"));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, unlink("a"));
	EXPECT_EQ(2, nlinks("b"));
	{
		char buf[8];

		ASSERT_EQ(4, read_file("d/c", buf, sizeof(buf)));
		EXPECT_STREQ("data", buf);
	}
}

TEST_F(fs, symlinks)
{
	char buf[256];
	struct stat st;

	ASSERT_EQ(0, write_file("target", "t"));
	ASSERT_EQ(0, symlink("target", "ln"));
	ASSERT_EQ(6, readlink("ln", buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "target", 6));
	ASSERT_EQ(0, lstat("ln", &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	EXPECT_EQ(6, st.st_size);
	ASSERT_EQ(1, read_file("ln", buf, sizeof(buf)));
	ASSERT_EQ(0, symlink("dangling", "ln2"));
	EXPECT_EQ(-1, open("ln2", O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, symlink("x", "ln"));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(fs, special_files)
{
	struct stat st;

	ASSERT_EQ(0, mknod("fifo", S_IFIFO | 0600, 0));
	ASSERT_EQ(0, mknod("sock", S_IFSOCK | 0600, 0));
	ASSERT_EQ(0, mknod("chr", S_IFCHR | 0600, makedev(1, 3)));
	ASSERT_EQ(0, mknod("blk", S_IFBLK | 0600, makedev(7, 0)));
	ASSERT_EQ(0, lstat("fifo", &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(0, lstat("sock", &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_EQ(0, lstat("chr", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(makedev(1, 3), st.st_rdev);
	ASSERT_EQ(0, lstat("blk", &st));
	EXPECT_TRUE(S_ISBLK(st.st_mode));
	EXPECT_EQ(makedev(7, 0), st.st_rdev);
	/* /dev/null semantics through our node. */
	{
		int fd = open("chr", O_WRONLY);

		ASSERT_GE(fd, 0);
		EXPECT_EQ(3, write(fd, "abc", 3));
		close(fd);
	}
}

TEST_F(fs, tmpfile_and_linkat)
{
	char path[64];
	int fd;

	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(4, write(fd, "temp", 4));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ASSERT_EQ(0, linkat(AT_FDCWD, path, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
	close(fd);
	{
		char buf[8];

		ASSERT_EQ(4, read_file("named", buf, sizeof(buf)));
		EXPECT_STREQ("temp", buf);
	}
	EXPECT_EQ(1, nlinks("named"));
	/* An O_TMPFILE | O_EXCL file cannot be linked. */
	fd = open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600);
	ASSERT_GE(fd, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	EXPECT_EQ(-1, linkat(AT_FDCWD, path, AT_FDCWD, "named2", AT_SYMLINK_FOLLOW));
	close(fd);
}

TEST_F(fs, rename_plain_and_replace)
{
	char buf[8];

	ASSERT_EQ(0, write_file("a", "A"));
	ASSERT_EQ(0, write_file("b", "B"));
	ASSERT_EQ(0, rename("a", "b"));
	EXPECT_EQ(-1, access("a", F_OK));
	ASSERT_EQ(1, read_file("b", buf, sizeof(buf)));
	EXPECT_STREQ("A", buf);
	ASSERT_EQ(0, mkdir("d1", 0755));
	ASSERT_EQ(0, mkdir("d2", 0755));
	ASSERT_EQ(0, mkdir("d1/sub", 0755));
	ASSERT_EQ(0, rename("d1/sub", "d2/sub"));
	EXPECT_EQ(2, nlinks("d1"));
	EXPECT_EQ(3, nlinks("d2"));
	/* Directory over empty directory. */
	ASSERT_EQ(0, mkdir("d1/empty", 0755));
	ASSERT_EQ(0, rename("d2/sub", "d1/empty"));
	EXPECT_EQ(3, nlinks("d1"));
	EXPECT_EQ(2, nlinks("d2"));
	/* Errors. */
	ASSERT_EQ(0, mkdir("d2/full", 0755));
	ASSERT_EQ(0, write_file("d2/full/x", "x"));
	EXPECT_EQ(-1, rename("d1/empty", "d2/full"));
	EXPECT_EQ(ENOTEMPTY, errno);
	EXPECT_EQ(-1, rename("b", "d2"));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(-1, rename("d2", "b"));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(-1, rename("d2", "d2/full/inside"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, rename("missing", "x"));
	EXPECT_EQ(ENOENT, errno);
	/* Same name: nothing happens. */
	ASSERT_EQ(0, rename("b", "b"));
	EXPECT_EQ(1, nlinks("b"));
}

TEST_F(fs, rename_noreplace_exchange_whiteout)
{
	char buf[8];
	struct stat st;

	ASSERT_EQ(0, write_file("a", "A"));
	ASSERT_EQ(0, write_file("b", "B"));
	EXPECT_EQ(-1, sys_renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, sys_renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
	ASSERT_EQ(0, sys_renameat2(AT_FDCWD, "c", AT_FDCWD, "b", RENAME_EXCHANGE));
	ASSERT_EQ(1, read_file("b", buf, sizeof(buf)));
	EXPECT_STREQ("A", buf);
	ASSERT_EQ(1, read_file("c", buf, sizeof(buf)));
	EXPECT_STREQ("B", buf);
	EXPECT_EQ(-1, sys_renameat2(AT_FDCWD, "c", AT_FDCWD, "zz", RENAME_EXCHANGE));
	EXPECT_EQ(ENOENT, errno);
	/* Exchange a directory and a file across directories. */
	ASSERT_EQ(0, mkdir("d", 0755));
	ASSERT_EQ(0, mkdir("e", 0755));
	ASSERT_EQ(0, mkdir("d/dir", 0755));
	ASSERT_EQ(0, write_file("e/file", "F"));
	ASSERT_EQ(0, sys_renameat2(AT_FDCWD, "d/dir", AT_FDCWD, "e/file", RENAME_EXCHANGE));
	ASSERT_EQ(0, stat("d/dir", &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(0, stat("e/file", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(2, nlinks("d"));
	EXPECT_EQ(3, nlinks("e"));
	/* Whiteout. */
	ASSERT_EQ(0, sys_renameat2(AT_FDCWD, "b", AT_FDCWD, "w", RENAME_WHITEOUT));
	ASSERT_EQ(0, lstat("b", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(makedev(0, 0), st.st_rdev);
	ASSERT_EQ(1, read_file("w", buf, sizeof(buf)));
	EXPECT_STREQ("A", buf);
	EXPECT_EQ(-1, sys_renameat2(AT_FDCWD, "w", AT_FDCWD, "c",
				    RENAME_EXCHANGE | RENAME_NOREPLACE));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(fs, name_too_long)
{
	char name[300];
	int fd;

	memset(name, 'n', 255);
	name[255] = '\0';
	fd = open(name, O_CREAT | O_WRONLY, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	name[255] = 'n';
	name[256] = '\0';
	EXPECT_EQ(-1, open(name, O_CREAT | O_WRONLY, 0600));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, mkdir(name, 0755));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, access(name, F_OK));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

/* Creating and removing entries moves the directory's mtime and ctime, and
 * a link count change moves the inode's ctime. */
TEST_F(fs, times_follow_changes)
{
	struct timespec old = { 1, 0 };
	struct timespec ts[2] = { old, old };
	struct stat st;
	int fd;

	ASSERT_EQ(0, mkdir("d", 0755));
	ASSERT_EQ(0, utimensat(AT_FDCWD, "d", ts, 0));
	ASSERT_EQ(0, write_file("d/f", "x"));
	ASSERT_EQ(0, stat("d", &st));
	EXPECT_GT(st.st_mtime, 1);
	ASSERT_EQ(0, utimensat(AT_FDCWD, "d", ts, 0));
	ASSERT_EQ(0, unlink("d/f"));
	ASSERT_EQ(0, stat("d", &st));
	EXPECT_GT(st.st_mtime, 1);
	ASSERT_EQ(0, write_file("g", "x"));
	ASSERT_EQ(0, utimensat(AT_FDCWD, "g", ts, 0));
	ASSERT_EQ(0, stat("g", &st));
	EXPECT_EQ(1, st.st_mtime);
	fd = open("g", O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, write(fd, "y", 1));
	EXPECT_EQ(0, fsync(fd));
	EXPECT_EQ(0, fdatasync(fd));
	close(fd);
	ASSERT_EQ(0, stat("g", &st));
	EXPECT_GT(st.st_mtime, 1);
}

TEST_F(fs, setattr_chmod_chown_utimes)
{
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
	struct stat st;

	ASSERT_EQ(0, write_file("f", "x"));
	ASSERT_EQ(0, chmod("f", 0604));
	ASSERT_EQ(0, chown("f", 123, 456));
	ASSERT_EQ(0, utimensat(AT_FDCWD, "f", ts, 0));
	ASSERT_EQ(0, stat("f", &st));
	EXPECT_EQ(S_IFREG | 0604, st.st_mode);
	EXPECT_EQ(123, st.st_uid);
	EXPECT_EQ(456, st.st_gid);
	EXPECT_EQ(1000, st.st_atim.tv_sec);
	EXPECT_EQ(5, st.st_atim.tv_nsec);
	EXPECT_EQ(2000, st.st_mtim.tv_sec);
	EXPECT_EQ(7, st.st_mtim.tv_nsec);
}

TEST_F(fs, statfs_reports_limits)
{
	struct statfs s;

	ASSERT_EQ(0, statfs(".", &s));
	EXPECT_EQ(64 * 1024 * 1024 / s.f_bsize, s.f_blocks);
	EXPECT_GT(s.f_bfree, 0);
	EXPECT_LE(s.f_bfree, s.f_blocks);
	EXPECT_EQ(4096, s.f_files);
	EXPECT_GT(s.f_ffree, 0);
	EXPECT_EQ(255, s.f_namelen);
}

TEST_F(fs, readdir_sees_all_and_telldir_works)
{
	struct dirent *de;
	char name[32];
	int count = 0, seen[100] = { 0 };
	long pos = -1;
	DIR *d;

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "e%03d", i);
		ASSERT_EQ(0, write_file(name, ""));
	}
	d = opendir(".");
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		int n;

		if (de->d_name[0] != 'e')
			continue;
		n = atoi(de->d_name + 1);
		seen[n]++;
		count++;
		if (count == 50)
			pos = telldir(d);
		EXPECT_EQ(DT_REG, de->d_type);
	}
	EXPECT_EQ(100, count);
	for (int i = 0; i < 100; i++) {
		EXPECT_EQ(1, seen[i]);
	}
	/* seekdir back: the rest again, exactly. */
	ASSERT_NE(-1, pos);
	seekdir(d, pos);
	count = 0;
	while ((de = readdir(d)))
		count += de->d_name[0] == 'e';
	EXPECT_EQ(50, count);
	closedir(d);
}

struct churn {
	volatile int stop;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	char name[32];

	for (unsigned int i = 0; !c->stop; i++) {
		snprintf(name, sizeof(name), "tmp%u", i % 64);
		if (write_file(name, "") == 0)
			unlink(name);
	}
	return NULL;
}

/* Entries present throughout are seen exactly once by every readdir pass,
 * while other names come and go concurrently. */
TEST_F(fs, readdir_during_concurrent_create_unlink)
{
	struct churn c = { 0 };
	pthread_t th;
	char name[32];

	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "keep%03d", i);
		ASSERT_EQ(0, write_file(name, ""));
	}
	ASSERT_EQ(0, pthread_create(&th, NULL, churn_thread, &c));
	for (int pass = 0; pass < 30; pass++) {
		int seen[200] = { 0 };
		struct dirent *de;
		DIR *d = opendir(".");

		ASSERT_NE(NULL, d);
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, "keep", 4))
				seen[atoi(de->d_name + 4)]++;
		closedir(d);
		for (int i = 0; i < 200; i++) {
			ASSERT_EQ(1, seen[i]) TH_LOG("pass %d keep%03d seen %d times",
						     pass, i, seen[i]);
		}
	}
	c.stop = 1;
	pthread_join(th, NULL);
}

static int drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	int r;

	if (fd < 0)
		return -1;
	sync();
	r = write(fd, "2", 1) == 1 ? 0 : -1;
	close(fd);
	return r;
}

/* Build a tree, drop dentries and inodes from the caches, verify all. */
TEST_F(fs, survives_drop_caches)
{
	char name[64], buf[64];
	struct stat st;

	ASSERT_EQ(0, mkdir("t", 0750));
	ASSERT_EQ(0, mkdir("t/sub", 0700));
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "t/f%d", i);
		snprintf(buf, sizeof(buf), "content %d", i);
		ASSERT_EQ(0, write_file(name, buf));
		ASSERT_EQ(0, chmod(name, 0600 | (i & 7)));
	}
	ASSERT_EQ(0, link("t/f0", "t/sub/hard"));
	ASSERT_EQ(0, symlink("../f1", "t/sub/sym"));
	ASSERT_EQ(0, mknod("t/fifo", S_IFIFO | 0644, 0));
	ASSERT_EQ(0, chdir("/"));
	ASSERT_EQ(0, drop_caches());
	ASSERT_EQ(0, drop_caches());
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, stat("t", &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
	EXPECT_EQ(3, st.st_nlink);
	for (int i = 0; i < 50; i++) {
		char expect[64];

		snprintf(name, sizeof(name), "t/f%d", i);
		snprintf(expect, sizeof(expect), "content %d", i);
		ASSERT_EQ(0, stat(name, &st));
		EXPECT_EQ((mode_t)(S_IFREG | 0600 | (i & 7)), st.st_mode);
		EXPECT_EQ((off_t)strlen(expect), st.st_size);
		EXPECT_EQ(i == 0 ? 2 : 1, st.st_nlink);
		ASSERT_EQ((ssize_t)strlen(expect), read_file(name, buf, sizeof(buf)));
		EXPECT_STREQ(expect, buf);
	}
	ASSERT_EQ(5, readlink("t/sub/sym", buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "../f1", 5));
	ASSERT_EQ(9, read_file("t/sub/sym", buf, sizeof(buf)));
	ASSERT_EQ(0, lstat("t/fifo", &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(0, stat("t/sub/hard", &st));
	EXPECT_EQ(2, st.st_nlink);
}

/* Limits: ENOSPC, and what is stored stays intact. */
TEST_F(fs, enospc_at_size_limit)
{
	char buf[4096];
	int fd;
	ssize_t n;
	long total = 0;

	ASSERT_EQ(0, chdir("/"));
	ASSERT_EQ(0, umount(self->dir));
	ASSERT_EQ(0, do_mount(variant->type, self->dir, "size=256k"));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, write_file("keep", "precious"));
	fd = open("big", O_WRONLY | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	memset(buf, 'z', sizeof(buf));
	while ((n = write(fd, buf, sizeof(buf))) > 0)
		total += n;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_GT(total, 128 * 1024);
	EXPECT_LE(total, 256 * 1024);
	close(fd);
	ASSERT_EQ(8, read_file("keep", buf, sizeof(buf)));
	EXPECT_STREQ("precious", buf);
	/* Freeing space makes room again. */
	ASSERT_EQ(0, unlink("big"));
	ASSERT_EQ(0, write_file("again", "ok"));
}

TEST_F(fs, enospc_at_inode_limit)
{
	char name[32], buf[16];
	int made = 0;

	ASSERT_EQ(0, chdir("/"));
	ASSERT_EQ(0, umount(self->dir));
	ASSERT_EQ(0, do_mount(variant->type, self->dir, "nr_inodes=20"));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, write_file("keep", "precious"));
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		if (mkdir(name, 0755) == 0) {
			made++;
			continue;
		}
		EXPECT_EQ(ENOSPC, errno);
		break;
	}
	/* The root and "keep" use two of the twenty. */
	EXPECT_EQ(18, made);
	EXPECT_EQ(-1, open("more", O_CREAT | O_WRONLY, 0600));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(8, read_file("keep", buf, sizeof(buf)));
	ASSERT_EQ(0, rmdir("n0"));
	ASSERT_EQ(0, mkdir("n0", 0755));
}

TEST_F(fs, remount_limits)
{
	char buf[8192];
	struct statfs s;

	memset(buf, 'a', sizeof(buf));
	for (int i = 0; i < 16; i++) {
		char name[16];
		int fd;

		snprintf(name, sizeof(name), "f%d", i);
		fd = open(name, O_WRONLY | O_CREAT, 0600);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(sizeof(buf), write(fd, buf, sizeof(buf)));
		close(fd);
	}
	/* 128 KiB in use: cannot shrink below, can grow. */
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=64k"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(NULL, self->dir, NULL, MS_REMOUNT, "nr_inodes=3"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=1m"));
	ASSERT_EQ(0, statfs(".", &s));
	EXPECT_EQ(1024 * 1024 / s.f_bsize, s.f_blocks);
	{
		char rb[sizeof(buf) + 1];

		ASSERT_EQ(sizeof(buf), read_file("f3", rb, sizeof(rb)));
		EXPECT_EQ(0, memcmp(rb, buf, sizeof(buf)));
	}
}

TEST_F(fs, xattrs)
{
	char buf[256];
	ssize_t n;

	ASSERT_EQ(0, write_file("x", ""));
	ASSERT_EQ(0, setxattr("x", "user.a", "1", 1, XATTR_CREATE));
	EXPECT_EQ(-1, setxattr("x", "user.a", "2", 1, XATTR_CREATE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, setxattr("x", "user.b", "2", 1, XATTR_REPLACE));
	EXPECT_EQ(ENODATA, errno);
	ASSERT_EQ(0, setxattr("x", "user.a", "22", 2, XATTR_REPLACE));
	ASSERT_EQ(0, setxattr("x", "trusted.t", "tt", 2, 0));
	ASSERT_EQ(0, setxattr("x", "security.s", "sss", 3, 0));
	ASSERT_EQ(0, setxattr("x", "user.empty", "", 0, 0));
	EXPECT_EQ(2, getxattr("x", "user.a", NULL, 0));
	ASSERT_EQ(2, getxattr("x", "user.a", buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "22", 2));
	EXPECT_EQ(-1, getxattr("x", "user.a", buf, 1));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(0, getxattr("x", "user.empty", buf, sizeof(buf)));
	EXPECT_EQ(-1, getxattr("x", "user.none", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	n = listxattr("x", buf, sizeof(buf));
	/* user.a, trusted.t, security.s, user.empty (we are root). */
	EXPECT_EQ(7 + 10 + 11 + 11, n);
	EXPECT_EQ(n, listxattr("x", NULL, 0));
	ASSERT_EQ(0, removexattr("x", "user.a"));
	EXPECT_EQ(-1, removexattr("x", "user.a"));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, getxattr("x", "user.a", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, setxattr("x", "bogus.a", "1", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* Survives the caches being dropped (it lives with the inode). */
	ASSERT_EQ(0, drop_caches());
	ASSERT_EQ(2, getxattr("x", "trusted.t", buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
