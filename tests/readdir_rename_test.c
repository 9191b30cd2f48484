// SPDX-License-Identifier: GPL-2.0
/*
 * A listing of a directory ends, and lists no more entries than the
 * directory holds, while its entries are renamed without pause.
 *
 * Renamers move NFILES files between two names each in one directory
 * while the main thread lists it from the start to the end, again and
 * again, with getdents64() and small buffers (many calls per listing).
 * Each listing must end, hold at most NFILES entries besides "." and "..",
 * never the same name twice, and every file that was not being renamed
 * must be in it.  pdirfs in each mode, and tmpfs.  Before the fix a
 * renamed entry got a new, higher position and the listing found it
 * again, and again: listings ran to many times the directory's size.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define NFILES 64
#define NSTILL 16 /* files 0..NSTILL-1 are never renamed */
#define RENAMERS 2

FIXTURE(rdr) {
	char dir[64];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(rdr);

FIXTURE_SETUP(rdr)
{
	char opts[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/rdr-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "%s", variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
	for (int i = 0; i < NFILES; i++) {
		char n[16];

		snprintf(n, sizeof(n), "a%d", i);
		ASSERT_EQ(0, write_file(n, ""));
	}
}

FIXTURE_TEARDOWN(rdr)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

static atomic_int stop;

static void *renamer(void *arg)
{
	long k = (long)arg;
	unsigned long n = 0;

	while (!atomic_load(&stop)) {
		for (int i = NSTILL + k; i < NFILES; i += RENAMERS) {
			char a[16], b[16];

			snprintf(a, sizeof(a), "a%d", i);
			snprintf(b, sizeof(b), "b%d", i);
			if (!rename(a, b) && !rename(b, a))
				n += 2;
		}
	}
	return (void *)n;
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

TEST_F_TIMEOUT(rdr, listing_ends_while_renaming, 120)
{
	pthread_t th[RENAMERS];
	long most = 0, listings = 0;
	unsigned long renames = 0;
	time_t end = time(NULL) + 5;

	atomic_store(&stop, 0);
	for (long k = 0; k < RENAMERS; k++)
		ASSERT_EQ(0, pthread_create(&th[k], NULL, renamer, (void *)k));
	while (time(NULL) < end) {
		char seen[2][NFILES] = { { 0 } };
		int fd = open(".", O_RDONLY | O_DIRECTORY);
		long entries = 0, calls = 0;
		char buf[256];

		ASSERT_GE(fd, 0);
		for (;;) {
			long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));

			ASSERT_GE(n, 0);
			if (n == 0)
				break;
			/* A listing that does not end is the bug itself. */
			ASSERT_LT(++calls, 100 * NFILES) TH_LOG("listing does not end");
			for (long off = 0; off < n;) {
				struct linux_dirent64 *d = (void *)(buf + off);
				int which, i;

				off += d->d_reclen;
				if (d->d_name[0] == '.')
					continue;
				entries++;
				which = d->d_name[0] == 'b';
				i = atoi(d->d_name + 1);
				ASSERT_LT(i, NFILES);
				EXPECT_EQ(0, seen[which][i]++) TH_LOG("%s listed twice", d->d_name);
			}
		}
		close(fd);
		EXPECT_LE(entries, NFILES);
		for (int i = 0; i < NSTILL; i++) {
			EXPECT_EQ(1, seen[0][i]) TH_LOG("a%d, never renamed, not listed", i);
		}
		if (entries > most)
			most = entries;
		listings++;
	}
	atomic_store(&stop, 1);
	for (int k = 0; k < RENAMERS; k++) {
		void *r;

		pthread_join(th[k], &r);
		renames += (unsigned long)r;
	}
	TH_LOG("%s %s: %ld listings during %lu renames, at most %ld entries of %d",
	       variant->type, variant->opts, listings, renames, most, NFILES);
	EXPECT_GT(renames, 0);
	EXPECT_GT(listings, 0);
}

TEST_HARNESS_MAIN
