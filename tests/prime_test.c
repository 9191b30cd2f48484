// SPDX-License-Identifier: GPL-2.0
/*
 * readdir dcache priming, measured: after the dentry cache is dropped, a
 * getdents64() walk of a directory on pdirfs with readdir_prime=on
 * allocates a dentry for each name it lists (d_alloc_noblock() and
 * d_splice_alias() from the directory index), so a stat() of every name
 * afterwards needs no ->lookup; with readdir_prime=off the walk allocates
 * none and every stat() looks its name up.  Dentries allocated are read
 * from /proc/sys/fs/dentry-state (nr_dentry); nothing else runs in the VM.
 * Either way each entry's d_ino equals its st_ino.
 */
#include <dirent.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define FILES 1000

static long nr_dentry(void)
{
	char buf[256];

	if (read_file("/proc/sys/fs/dentry-state", buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int drop_dentries(void)
{
	sync();
	return write_file("/proc/sys/vm/drop_caches", "2");
}

FIXTURE(prime) {
	char dir[64];
};

FIXTURE_VARIANT(prime) {
	const char *opts;
	bool primes;
};

FIXTURE_VARIANT_ADD(prime, on) {
	.opts = "readdir_prime=on", .primes = true,
};

FIXTURE_VARIANT_ADD(prime, off) {
	.opts = "readdir_prime=off", .primes = false,
};

FIXTURE_VARIANT_ADD(prime, on_async) {
	.opts = "completion=async", .primes = true,
};

FIXTURE_SETUP(prime)
{
	char name[32];

	snprintf(self->dir, sizeof(self->dir), "/tmp/prime-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0, variant->opts));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, mkdir("d", 0755));
	for (int i = 0; i < FILES; i++) {
		snprintf(name, sizeof(name), "d/file-%04d", i);
		ASSERT_EQ(0, write_file(name, "x"));
	}
}

FIXTURE_TEARDOWN(prime)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(prime, walk_then_stat)
{
	long before, after_walk, after_stat, listed = 0, mismatched = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	ASSERT_EQ(0, drop_dentries());
	d = opendir("d");
	ASSERT_NE(NULL, d);
	dfd = dirfd(d);

	before = nr_dentry();
	ASSERT_GT(before, 0);
	/* the walk: getdents64 only */
	while ((de = readdir(d)))
		listed += de->d_name[0] != '.';
	after_walk = nr_dentry();
	EXPECT_EQ(FILES, listed);

	/* then stat() every name, as ls -l does */
	rewinddir(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ASSERT_EQ(0, fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW));
		mismatched += de->d_ino != st.st_ino;
	}
	after_stat = nr_dentry();
	closedir(d);

	TH_LOG("%s: dentries allocated by the walk %ld, by the stats %ld "
	       "(lookups avoided: %ld of %d)", variant->opts,
	       after_walk - before, after_stat - after_walk,
	       FILES - (after_stat - after_walk), FILES);
	EXPECT_EQ(0, mismatched);
	if (variant->primes) {
		EXPECT_GE(after_walk - before, FILES * 9 / 10);
		EXPECT_LE(after_stat - after_walk, FILES / 10);
	} else {
		EXPECT_LE(after_walk - before, FILES / 10);
		EXPECT_GE(after_stat - after_walk, FILES * 9 / 10);
	}
}

TEST_HARNESS_MAIN
