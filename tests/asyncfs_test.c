// SPDX-License-Identifier: GPL-2.0
/*
 * The sample filesystem (samples/rust/asyncfs.rs), whose every directory
 * change completes from a work item, against tmpfs in the same boot: the
 * namespace operations and their link counts, file data, many threads
 * creating in one directory, listings that end while entries are renamed,
 * and the caller's identity on what the work item creates.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/fsuid.h>
#include <sys/statfs.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define ASYNCFS_MAGIC 0x41535946

FIXTURE(asyncfs) {
	char dir[64];
};

FIXTURE_VARIANT(asyncfs) {
	const char *type;
};

FIXTURE_VARIANT_ADD(asyncfs, asyncfs) {
	.type = "asyncfs",
};

FIXTURE_VARIANT_ADD(asyncfs, tmpfs) {
	.type = "tmpfs",
};

FIXTURE_SETUP(asyncfs)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/asyncfs-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, NULL));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(asyncfs)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

static nlink_t nlink_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_nlink;
}

TEST_F(asyncfs, namespace)
{
	struct statfs sfs;
	char buf[64];
	int fd;

	ASSERT_EQ(0, statfs(".", &sfs));
	if (!strcmp(variant->type, "asyncfs"))
		EXPECT_EQ(ASYNCFS_MAGIC, sfs.f_type);

	ASSERT_EQ(0, mkdir("a", 0755));
	ASSERT_EQ(0, mkdir("b", 0755));
	EXPECT_EQ(4, nlink_of("."));
	EXPECT_EQ(-1, mkdir("a", 0755));
	EXPECT_EQ(EEXIST, errno);

	fd = open("a/f", O_CREAT | O_EXCL | O_RDWR, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "hello", 5));
	close(fd);
	ASSERT_EQ(0, symlink("f", "a/l"));
	ASSERT_EQ(1, readlink("a/l", buf, 1) > 0);
	ASSERT_EQ(0, link("a/f", "b/g"));
	EXPECT_EQ(2, nlink_of("a/f"));
	ASSERT_EQ(0, unlink("b/g"));
	EXPECT_EQ(1, nlink_of("a/f"));
	ASSERT_EQ(0, mknod("b/g", S_IFREG | 0644, 0));

	/* rmdir of a non-empty directory, then renames within and across. */
	EXPECT_EQ(-1, rmdir("a"));
	EXPECT_EQ(ENOTEMPTY, errno);
	ASSERT_EQ(0, rename("a/f", "a/f2"));
	EXPECT_EQ(-1, access("a/f", F_OK));
	ASSERT_EQ(0, rename("a/f2", "b/g"));	/* replaces the empty b/g */
	ASSERT_EQ(0, mkdir("a/sub", 0755));
	EXPECT_EQ(3, nlink_of("a"));
	ASSERT_EQ(0, rename("a/sub", "b/sub"));
	EXPECT_EQ(2, nlink_of("a"));
	EXPECT_EQ(3, nlink_of("b"));
	ASSERT_EQ(0, mkdir("a/sub", 0755));
	ASSERT_EQ(0, rename("a/sub", "b/sub"));	/* replaces the empty one */
	EXPECT_EQ(2, nlink_of("a"));
	EXPECT_EQ(3, nlink_of("b"));
	EXPECT_EQ(-1, sys_renameat2(AT_FDCWD, "a/l", AT_FDCWD, "b/g", RENAME_NOREPLACE));
	EXPECT_EQ(EEXIST, errno);

	/* The data went along with the name. */
	fd = open("b/g", O_RDONLY);
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	close(fd);

	ASSERT_EQ(0, unlink("a/l"));
	ASSERT_EQ(0, rmdir("a"));
	ASSERT_EQ(0, rmdir("b/sub"));
	ASSERT_EQ(0, unlink("b/g"));
	ASSERT_EQ(0, rmdir("b"));
	EXPECT_EQ(2, nlink_of("."));
	EXPECT_EQ(0, count_names("."));
}

#define THREADS 8
#define FILES 200

static void *creator(void *arg)
{
	long t = (long)arg;
	char name[32];
	int i, fd;

	for (i = 0; i < FILES; i++) {
		snprintf(name, sizeof(name), "d/t%ld-%d", t, i);
		fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			return (void *)(long)errno;
		close(fd);
	}
	return NULL;
}

/* Many threads create in one directory; every file is there, once. */
TEST_F(asyncfs, parallel_creates)
{
	pthread_t tids[THREADS];
	char name[32];
	void *ret;
	long t;
	int i;

	ASSERT_EQ(0, mkdir("d", 0755));
	for (t = 0; t < THREADS; t++)
		ASSERT_EQ(0, pthread_create(&tids[t], NULL, creator, (void *)t));
	for (t = 0; t < THREADS; t++) {
		ASSERT_EQ(0, pthread_join(tids[t], &ret));
		EXPECT_EQ(NULL, ret);
	}
	EXPECT_EQ(THREADS * FILES, count_names("d"));
	for (t = 0; t < THREADS; t++)
		for (i = 0; i < FILES; i++) {
			snprintf(name, sizeof(name), "d/t%ld-%d", t, i);
			ASSERT_EQ(0, unlink(name));
		}
	EXPECT_EQ(0, count_names("d"));
	EXPECT_EQ(0, rmdir("d"));
}

static volatile int stop_renaming;

static void *renamer(void *arg)
{
	while (!stop_renaming) {
		if (rename("r/x", "r/y") || rename("r/y", "r/x"))
			return (void *)1L;
	}
	return NULL;
}

/* A listing ends, and sees at most every entry once, under renames. */
TEST_F(asyncfs, readdir_under_renames)
{
	pthread_t tid;
	char name[32];
	void *ret;
	int i, n;

	ASSERT_EQ(0, mkdir("r", 0755));
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "r/e%d", i);
		ASSERT_EQ(0, mknod(name, S_IFREG | 0644, 0));
	}
	ASSERT_EQ(0, mknod("r/x", S_IFREG | 0644, 0));
	ASSERT_EQ(0, pthread_create(&tid, NULL, renamer, NULL));
	for (i = 0; i < 50; i++) {
		n = count_names("r");
		ASSERT_LE(100, n);
		ASSERT_GE(101, n);
	}
	stop_renaming = 1;
	ASSERT_EQ(0, pthread_join(tid, &ret));
	EXPECT_EQ(NULL, ret);
}

#define MOVERS 4
#define MOVES 200

static void *mover(void *arg)
{
	long t = (long)arg;
	char a[32], b[32];
	int i;

	snprintf(a, sizeof(a), "a/m%ld", t);
	snprintf(b, sizeof(b), "b/m%ld", t);
	for (i = 0; i < MOVES; i++)
		if (rename(i % 2 ? b : a, i % 2 ? a : b))
			return (void *)(long)errno;
	return NULL;
}

/*
 * Threads move files between two directories while the directories are
 * listed: every file is always in one of them, and at the end each is
 * where its moves left it.
 */
TEST_F(asyncfs, cross_directory_renames)
{
	pthread_t tids[MOVERS];
	char name[32];
	void *ret;
	long t;
	int i, n;

	ASSERT_EQ(0, mkdir("a", 0755));
	ASSERT_EQ(0, mkdir("b", 0755));
	for (t = 0; t < MOVERS; t++) {
		snprintf(name, sizeof(name), "a/m%ld", t);
		ASSERT_EQ(0, mknod(name, S_IFREG | 0644, 0));
	}
	for (t = 0; t < MOVERS; t++)
		ASSERT_EQ(0, pthread_create(&tids[t], NULL, mover, (void *)t));
	for (i = 0; i < 20; i++) {
		n = count_names("a") + count_names("b");
		/* a file between the two listings may be seen twice or not */
		EXPECT_LE(0, n);
		EXPECT_GE(2 * MOVERS, n);
	}
	for (t = 0; t < MOVERS; t++) {
		ASSERT_EQ(0, pthread_join(tids[t], &ret));
		EXPECT_EQ(NULL, ret);
	}
	/* An even number of moves: all back in a. */
	EXPECT_EQ(MOVERS, count_names("a"));
	EXPECT_EQ(0, count_names("b"));
	EXPECT_EQ(2, nlink_of("a"));
}

static void *create_as_user(void *arg)
{
	/* setfsuid/setfsgid are per thread: only this thread changes. */
	setfsgid(1000);
	setfsuid(1000);
	return (void *)(long)mkdir("u/mine", 0777);
}

/*
 * What a work item creates belongs to the caller, with the caller's umask
 * applied: the layer hands the caller's credentials to the work item.
 */
TEST_F(asyncfs, owner_and_umask)
{
	struct stat st;
	pthread_t tid;
	mode_t old;
	void *ret;

	ASSERT_EQ(0, mkdir("u", 0777));
	ASSERT_EQ(0, chmod("u", 0777));
	ASSERT_EQ(0, pthread_create(&tid, NULL, create_as_user, NULL));
	ASSERT_EQ(0, pthread_join(tid, &ret));
	ASSERT_EQ(NULL, ret);
	ASSERT_EQ(0, stat("u/mine", &st));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1000, st.st_gid);

	old = umask(077);
	ASSERT_EQ(0, mknod("u/private", S_IFREG | 0666, 0));
	umask(old);
	ASSERT_EQ(0, stat("u/private", &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
}

TEST_HARNESS_MAIN
