// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring's directory operations on pdirfs in each mode, against tmpfs:
 * IORING_OP_OPENAT with O_CREAT, MKDIRAT, SYMLINKAT, LINKAT, RENAMEAT
 * (plain, RENAME_NOREPLACE, RENAME_EXCHANGE) and UNLINKAT (files and
 * AT_REMOVEDIR).  Each result must be what the system call gives: the
 * namespace afterwards, link counts, and the errors (EEXIST, ENOENT,
 * ENOTEMPTY, EXDEV-free renames within one mount).
 *
 * With completion=async these are the operations whose completion arrives
 * from pdirfs' work item (done_cb); today io_uring runs each in an io-wq
 * worker that waits for it, so 64 at once must also come back right.
 */
#include <liburing.h>
#include <sys/stat.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

FIXTURE(uring) {
	char dir[64];
	int dfd;
	struct io_uring ring;
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(uring);

FIXTURE_SETUP(uring)
{
	char opts[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/uring-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "size=16m%s%s", *variant->opts ? "," : "", variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	self->dfd = open(self->dir, O_DIRECTORY | O_RDONLY);
	ASSERT_GE(self->dfd, 0);
	ASSERT_EQ(0, io_uring_queue_init(128, &self->ring, 0));
}

FIXTURE_TEARDOWN(uring)
{
	io_uring_queue_exit(&self->ring);
	close(self->dfd);
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

/* Submits the one prepared SQE and returns its CQE's result. */
static int run1(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit(ring) != 1)
		return -9999;
	if (io_uring_wait_cqe(ring, &cqe))
		return -9998;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int u_create(struct io_uring *ring, int dfd, const char *name, int flags)
{
	int fd;

	io_uring_prep_openat(io_uring_get_sqe(ring), dfd, name, O_CREAT | O_WRONLY | flags, 0640);
	fd = run1(ring);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd;
}

static int u_mkdir(struct io_uring *ring, int dfd, const char *name)
{
	io_uring_prep_mkdirat(io_uring_get_sqe(ring), dfd, name, 0750);
	return run1(ring);
}

static int u_unlink(struct io_uring *ring, int dfd, const char *name, int flags)
{
	io_uring_prep_unlinkat(io_uring_get_sqe(ring), dfd, name, flags);
	return run1(ring);
}

static int u_rename(struct io_uring *ring, int dfd, const char *from, const char *to,
		    unsigned int flags)
{
	io_uring_prep_renameat(io_uring_get_sqe(ring), dfd, from, dfd, to, flags);
	return run1(ring);
}

static int u_symlink(struct io_uring *ring, int dfd, const char *target, const char *name)
{
	io_uring_prep_symlinkat(io_uring_get_sqe(ring), target, dfd, name);
	return run1(ring);
}

static int u_link(struct io_uring *ring, int dfd, const char *from, const char *to)
{
	io_uring_prep_linkat(io_uring_get_sqe(ring), dfd, from, dfd, to, 0);
	return run1(ring);
}

static int nlink_of(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return st.st_nlink;
}

TEST_F(uring, create_and_unlink)
{
	struct stat st;

	ASSERT_EQ(0, u_create(&self->ring, self->dfd, "f", O_EXCL));
	ASSERT_EQ(0, fstatat(self->dfd, "f", &st, 0));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0640, st.st_mode & 07777 & ~0022);
	/* O_EXCL on an existing name, then without it: opens the file. */
	EXPECT_EQ(-EEXIST, u_create(&self->ring, self->dfd, "f", O_EXCL));
	EXPECT_EQ(0, u_create(&self->ring, self->dfd, "f", 0));
	EXPECT_EQ(0, u_unlink(&self->ring, self->dfd, "f", 0));
	EXPECT_EQ(-ENOENT, nlink_of(self->dfd, "f"));
	EXPECT_EQ(-ENOENT, u_unlink(&self->ring, self->dfd, "f", 0));
}

TEST_F(uring, mkdir_and_rmdir)
{
	ASSERT_EQ(0, u_mkdir(&self->ring, self->dfd, "d"));
	EXPECT_EQ(-EEXIST, u_mkdir(&self->ring, self->dfd, "d"));
	EXPECT_EQ(2, nlink_of(self->dfd, "d"));
	EXPECT_EQ(3, nlink_of(self->dfd, "."));
	ASSERT_EQ(0, u_create(&self->ring, self->dfd, "d/f", O_EXCL));
	/* A file is not removed as a directory, nor a full directory. */
	EXPECT_EQ(-ENOTDIR, u_unlink(&self->ring, self->dfd, "d/f", AT_REMOVEDIR));
	EXPECT_EQ(-ENOTEMPTY, u_unlink(&self->ring, self->dfd, "d", AT_REMOVEDIR));
	EXPECT_EQ(-EISDIR, u_unlink(&self->ring, self->dfd, "d", 0));
	EXPECT_EQ(0, u_unlink(&self->ring, self->dfd, "d/f", 0));
	EXPECT_EQ(0, u_unlink(&self->ring, self->dfd, "d", AT_REMOVEDIR));
	EXPECT_EQ(2, nlink_of(self->dfd, "."));
}

TEST_F(uring, symlink_and_link)
{
	char buf[64];
	ssize_t n;

	ASSERT_EQ(0, u_symlink(&self->ring, self->dfd, "some/target", "s"));
	n = readlinkat(self->dfd, "s", buf, sizeof(buf));
	ASSERT_EQ(11, n);
	EXPECT_EQ(0, memcmp(buf, "some/target", 11));
	EXPECT_EQ(-EEXIST, u_symlink(&self->ring, self->dfd, "x", "s"));
	ASSERT_EQ(0, u_create(&self->ring, self->dfd, "f", O_EXCL));
	ASSERT_EQ(0, u_link(&self->ring, self->dfd, "f", "g"));
	EXPECT_EQ(2, nlink_of(self->dfd, "f"));
	EXPECT_EQ(-EEXIST, u_link(&self->ring, self->dfd, "f", "g"));
	EXPECT_EQ(-ENOENT, u_link(&self->ring, self->dfd, "nothing", "h"));
	EXPECT_EQ(0, u_unlink(&self->ring, self->dfd, "f", 0));
	EXPECT_EQ(1, nlink_of(self->dfd, "g"));
}

TEST_F(uring, renames)
{
	struct stat a, b, st;

	ASSERT_EQ(0, u_create(&self->ring, self->dfd, "a", O_EXCL));
	ASSERT_EQ(0, u_create(&self->ring, self->dfd, "b", O_EXCL));
	ASSERT_EQ(0, fstatat(self->dfd, "a", &a, 0));
	ASSERT_EQ(0, fstatat(self->dfd, "b", &b, 0));
	EXPECT_EQ(-EEXIST, u_rename(&self->ring, self->dfd, "a", "b", RENAME_NOREPLACE));
	ASSERT_EQ(0, u_rename(&self->ring, self->dfd, "a", "b", RENAME_EXCHANGE));
	ASSERT_EQ(0, fstatat(self->dfd, "a", &st, 0));
	EXPECT_EQ(b.st_ino, st.st_ino);
	ASSERT_EQ(0, fstatat(self->dfd, "b", &st, 0));
	EXPECT_EQ(a.st_ino, st.st_ino);
	/* Over an existing name: the old one is gone. */
	ASSERT_EQ(0, u_rename(&self->ring, self->dfd, "a", "b", 0));
	EXPECT_EQ(-ENOENT, nlink_of(self->dfd, "a"));
	ASSERT_EQ(0, fstatat(self->dfd, "b", &st, 0));
	EXPECT_EQ(b.st_ino, st.st_ino);
	/* Into a subdirectory and back. */
	ASSERT_EQ(0, u_mkdir(&self->ring, self->dfd, "d"));
	ASSERT_EQ(0, u_rename(&self->ring, self->dfd, "b", "d/b", RENAME_NOREPLACE));
	ASSERT_EQ(0, u_rename(&self->ring, self->dfd, "d/b", "c", 0));
	EXPECT_EQ(-ENOENT, u_rename(&self->ring, self->dfd, "d/b", "c", 0));
	EXPECT_EQ(1, nlink_of(self->dfd, "c"));
}

/*
 * 64 creates in flight at once, then 64 unlinks: every one completes, each
 * exactly once, and the directory ends empty.
 */
TEST_F(uring, many_in_flight)
{
	int results[2][64], i, phase, seen;
	/* The kernel reads each path at submission, not at prep time. */
	char names[64][16];

	for (phase = 0; phase < 2; phase++) {
		for (i = 0; i < 64; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);
			char *name = names[i];

			snprintf(name, sizeof(names[i]), "n%d", i);
			if (phase == 0)
				io_uring_prep_openat(sqe, self->dfd, name,
						     O_CREAT | O_EXCL | O_WRONLY, 0600);
			else
				io_uring_prep_unlinkat(sqe, self->dfd, name, 0);
			io_uring_sqe_set_data64(sqe, i);
			results[phase][i] = -10000;
		}
		ASSERT_EQ(64, io_uring_submit(&self->ring));
		for (seen = 0; seen < 64; seen++) {
			struct io_uring_cqe *cqe;

			ASSERT_EQ(0, io_uring_wait_cqe(&self->ring, &cqe));
			ASSERT_LT(io_uring_cqe_get_data64(cqe), 64);
			i = io_uring_cqe_get_data64(cqe);
			EXPECT_EQ(-10000, results[phase][i]) TH_LOG("op %d completed twice", i);
			results[phase][i] = cqe->res;
			if (phase == 0 && cqe->res >= 0)
				close(cqe->res);
			io_uring_cqe_seen(&self->ring, cqe);
		}
		for (i = 0; i < 64; i++) {
			int r = results[phase][i];

			EXPECT_LE(0, r) TH_LOG("phase %d op %d: %d", phase, i, r);
		}
		EXPECT_EQ(phase == 0 ? 1 : -ENOENT, nlink_of(self->dfd, "n63"));
	}
	EXPECT_EQ(2, nlink_of(self->dfd, "."));
}

TEST_HARNESS_MAIN
