// SPDX-License-Identifier: GPL-2.0
/*
 * RENAME_WHITEOUT on tmpfs, directly and through overlayfs.
 *
 * The v3 "lift lookup out of exclusive lock" series made shmem_whiteout()
 * get its dentry from d_duplicate(), which returns an in-lookup dentry;
 * shmem_mknod() then instantiated it with d_make_persistent() and hit
 * WARN_ON(d_in_lookup(dentry)) in __d_instantiate() (syzbot, via overlayfs'
 * whiteout check at mount).  These tests exercise exactly that path; the VM
 * runner fails the run on the WARNING even if the syscalls succeed.
 * The overlay readdir test walks ovl_cache_update(), the other path syzbot
 * hit (a KASAN report in __dentry_kill()).
 */
#include <dirent.h>
#include <sys/sysmacros.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

FIXTURE(tmp) {
	char dir[64];
};

FIXTURE_SETUP(tmp)
{
	strcpy(self->dir, "/tmp/whiteout-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount("tmpfs", self->dir, "tmpfs", 0, NULL));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(tmp)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

static void expect_whiteout(struct __test_metadata *_metadata, const char *path)
{
	struct stat st;

	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, major(st.st_rdev));
	EXPECT_EQ(0, minor(st.st_rdev));
}

TEST_F(tmp, rename_whiteout_leaves_whiteout)
{
	char buf[64];

	ASSERT_EQ(0, write_file("a", "payload"));
	ASSERT_EQ(0, sys_renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_WHITEOUT));
	expect_whiteout(_metadata, "a");
	ASSERT_EQ(7, read_file("b", buf, sizeof(buf)));
	EXPECT_STREQ("payload", buf);
}

TEST_F(tmp, rename_whiteout_over_existing_target)
{
	char buf[64];

	ASSERT_EQ(0, write_file("a", "new"));
	ASSERT_EQ(0, write_file("b", "old"));
	ASSERT_EQ(0, sys_renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_WHITEOUT));
	expect_whiteout(_metadata, "a");
	ASSERT_EQ(3, read_file("b", buf, sizeof(buf)));
	EXPECT_STREQ("new", buf);
}

TEST_F(tmp, rename_whiteout_repeated_and_cached)
{
	char from[32], to[32];
	struct stat st;

	/* Names looked up before (negative dentries cached) and fresh ones. */
	for (int i = 0; i < 200; i++) {
		snprintf(from, sizeof(from), "f%d", i);
		snprintf(to, sizeof(to), "t%d", i);
		if (i % 2)
			EXPECT_EQ(-1, stat(to, &st));
		ASSERT_EQ(0, write_file(from, "x"));
		ASSERT_EQ(0, sys_renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_WHITEOUT));
		expect_whiteout(_metadata, from);
		/* A whiteout can itself be renamed over and unlinked. */
		ASSERT_EQ(0, unlink(from));
	}
}

TEST_F(tmp, rename_whiteout_of_directory)
{
	ASSERT_EQ(0, mkdir("d", 0755));
	ASSERT_EQ(0, write_file("d/x", "x"));
	ASSERT_EQ(0, sys_renameat2(AT_FDCWD, "d", AT_FDCWD, "e", RENAME_WHITEOUT));
	expect_whiteout(_metadata, "d");
	ASSERT_EQ(0, access("e/x", F_OK));
}

/* overlayfs with tmpfs layers: mount runs ovl_check_rename_whiteout(). */
TEST_F(tmp, overlay_on_tmpfs)
{
	struct dirent *de;
	int n = 0, seen_l = 0, seen_u = 0;
	DIR *d;

	ASSERT_EQ(0, mkdir("lower", 0755));
	ASSERT_EQ(0, mkdir("upper", 0755));
	ASSERT_EQ(0, mkdir("work", 0755));
	ASSERT_EQ(0, mkdir("merged", 0755));
	ASSERT_EQ(0, mkdir("lower/d", 0755));
	ASSERT_EQ(0, mkdir("upper/d", 0755));
	ASSERT_EQ(0, write_file("lower/d/l", "lower"));
	ASSERT_EQ(0, write_file("lower/gone", "x"));
	ASSERT_EQ(0, write_file("upper/d/u", "upper"));
	ASSERT_EQ(0, mount("overlay", "merged", "overlay", 0,
			   "lowerdir=lower,upperdir=upper,workdir=work"));

	/* Deleting a lower file leaves a whiteout in the upper layer. */
	ASSERT_EQ(0, unlink("merged/gone"));
	expect_whiteout(_metadata, "upper/gone");

	/* Readdir of a merged directory inside a merged directory. */
	for (int pass = 0; pass < 3; pass++) {
		d = opendir("merged/d");
		ASSERT_NE(NULL, d);
		while ((de = readdir(d))) {
			n++;
			seen_l += !strcmp(de->d_name, "l");
			seen_u += !strcmp(de->d_name, "u");
		}
		closedir(d);
	}
	EXPECT_EQ(3, seen_l);
	EXPECT_EQ(3, seen_u);
	EXPECT_EQ(12, n);
	ASSERT_EQ(0, umount("merged"));
}

TEST_HARNESS_MAIN
