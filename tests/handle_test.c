// SPDX-License-Identifier: GPL-2.0
/*
 * File handles (name_to_handle_at(2), open_by_handle_at(2), what NFS export
 * uses), on pdirfs in each mode and on tmpfs in the same boot:
 *
 * - a handle of a file or directory opens it again, the same inode;
 * - a handle of a removed file gives ESTALE, also once its inode number
 *   is in use again;
 * - pdirfs may drop its dentries while the inodes live on in the
 *   directory index (tmpfs keeps them all): after drop_caches a handle of
 *   a deep directory still opens it, reconnected through its parents,
 *   also after the directory moved to another parent;
 * - a malformed handle is refused (pdirfs also refuses a handle type it
 *   does not make, which tmpfs does not check).
 */
#include <sys/stat.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

struct handle {
	struct file_handle fh;
	unsigned char bytes[MAX_HANDLE_SZ];
};

static int get_handle(const char *path, struct handle *h)
{
	int mnt;

	h->fh.handle_bytes = MAX_HANDLE_SZ;
	return name_to_handle_at(AT_FDCWD, path, &h->fh, &mnt, 0);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		sync();
		if (write(fd, "2", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

FIXTURE(handle) {
	char dir[64];
	int mnt;
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(handle);

FIXTURE_SETUP(handle)
{
	char opts[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/handle-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "size=16m%s%s", *variant->opts ? "," : "", variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
	self->mnt = open(".", O_RDONLY | O_DIRECTORY);
	ASSERT_GE(self->mnt, 0);
}

FIXTURE_TEARDOWN(handle)
{
	close(self->mnt);
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

/* Opens the handle, checks it is the inode `path` names. */
static int same_inode(int mnt, struct handle *h, const char *path, int flags)
{
	struct stat a, b;
	int fd = open_by_handle_at(mnt, &h->fh, flags);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &a) || stat(path, &b)) {
		close(fd);
		return -1000;
	}
	close(fd);
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev ? 0 : -1001;
}

TEST_F(handle, file_and_directory)
{
	struct handle hf, hd;
	char buf[16] = "";
	int fd;

	ASSERT_EQ(0, mkdir("d", 0755));
	ASSERT_EQ(0, write_file("d/f", "content"));
	ASSERT_EQ(0, get_handle("d/f", &hf)) TH_LOG("name_to_handle_at: %s", strerror(errno));
	ASSERT_EQ(0, get_handle("d", &hd));
	EXPECT_EQ(0, same_inode(self->mnt, &hf, "d/f", O_RDONLY));
	EXPECT_EQ(0, same_inode(self->mnt, &hd, "d", O_RDONLY | O_DIRECTORY));
	fd = open_by_handle_at(self->mnt, &hf.fh, O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(7, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("content", buf);
	close(fd);
	/* A renamed file keeps its handle. */
	ASSERT_EQ(0, rename("d/f", "g"));
	EXPECT_EQ(0, same_inode(self->mnt, &hf, "g", O_RDONLY));
	/* Too small a buffer: EOVERFLOW and the size needed. */
	hf.fh.handle_bytes = 4;
	{
		int mnt;

		EXPECT_EQ(-1, name_to_handle_at(AT_FDCWD, "g", &hf.fh, &mnt, 0));
		EXPECT_EQ(EOVERFLOW, errno);
		EXPECT_GE(hf.fh.handle_bytes, 12);
	}
}

TEST_F(handle, removed_file_is_stale)
{
	struct handle h;
	int i;

	ASSERT_EQ(0, write_file("f", "x"));
	ASSERT_EQ(0, get_handle("f", &h));
	ASSERT_EQ(0, unlink("f"));
	EXPECT_EQ(-ESTALE, same_inode(self->mnt, &h, "f", O_RDONLY));
	/* New files (pdirfs and tmpfs reuse freed numbers) do not match it. */
	for (i = 0; i < 64; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		ASSERT_EQ(0, write_file(name, "y"));
	}
	drop_caches();
	EXPECT_EQ(-ESTALE, same_inode(self->mnt, &h, "f", O_RDONLY));
	/* An open file lives on after unlink, and so does its handle. */
	{
		int fd = open("o", O_CREAT | O_RDWR, 0600);

		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, get_handle("o", &h));
		ASSERT_EQ(0, unlink("o"));
		i = open_by_handle_at(self->mnt, &h.fh, O_RDONLY);
		EXPECT_GE(i, 0);
		close(i);
		close(fd);
	}
}

TEST_F(handle, reconnect_after_drop_caches)
{
	struct handle h, hf;
	int fd;

	ASSERT_EQ(0, mkdir("a", 0755));
	ASSERT_EQ(0, mkdir("a/b", 0755));
	ASSERT_EQ(0, mkdir("a/b/c", 0755));
	ASSERT_EQ(0, mkdir("x", 0755));
	ASSERT_EQ(0, write_file("a/b/c/f", "deep"));
	ASSERT_EQ(0, get_handle("a/b/c", &h));
	ASSERT_EQ(0, get_handle("a/b/c/f", &hf));
	drop_caches();
	EXPECT_EQ(0, same_inode(self->mnt, &h, "a/b/c", O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(0, same_inode(self->mnt, &hf, "a/b/c/f", O_RDONLY));
	/* Moved to another parent, and the dentries dropped again. */
	ASSERT_EQ(0, rename("a/b", "x/b2"));
	drop_caches();
	EXPECT_EQ(0, same_inode(self->mnt, &h, "x/b2/c", O_RDONLY | O_DIRECTORY));
	/* Exchanged across directories. */
	ASSERT_EQ(0, mkdir("a/e", 0755));
	ASSERT_EQ(0, renameat2(AT_FDCWD, "a/e", AT_FDCWD, "x/b2", RENAME_EXCHANGE));
	drop_caches();
	EXPECT_EQ(0, same_inode(self->mnt, &h, "a/e/c", O_RDONLY | O_DIRECTORY));
	/* The directory's path is usable from the fd the handle gave. */
	fd = open_by_handle_at(self->mnt, &h.fh, O_RDONLY | O_DIRECTORY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, faccessat(fd, "f", R_OK, 0));
	close(fd);
	/* A removed directory's handle is stale. */
	ASSERT_EQ(0, unlink("a/e/c/f"));
	ASSERT_EQ(0, rmdir("a/e/c"));
	drop_caches();
	EXPECT_EQ(-ESTALE, same_inode(self->mnt, &h, "a", O_RDONLY | O_DIRECTORY));
}

TEST_F(handle, malformed_handles)
{
	struct handle h;

	ASSERT_EQ(0, write_file("f", "x"));
	ASSERT_EQ(0, get_handle("f", &h));
	/* Too short for the type. */
	h.fh.handle_bytes = 8;
	EXPECT_EQ(-ESTALE, same_inode(self->mnt, &h, "f", O_RDONLY));
	/* Another handle type: tmpfs does not look at the type, pdirfs
	 * refuses types it does not make. */
	h.fh.handle_bytes = 12;
	h.fh.handle_type = 0x55;
	if (!strcmp(variant->type, "pdirfs"))
		EXPECT_EQ(-ESTALE, same_inode(self->mnt, &h, "f", O_RDONLY));
	/* A wrong generation. */
	ASSERT_EQ(0, get_handle("f", &h));
	h.bytes[0] ^= 1;	/* f_handle[0] */
	EXPECT_EQ(-ESTALE, same_inode(self->mnt, &h, "f", O_RDONLY));
}

TEST_HARNESS_MAIN
