// SPDX-License-Identifier: GPL-2.0
/*
 * Same-directory stress: threads create, unlink, rename (plain, NOREPLACE,
 * EXCHANGE), link, mkdir and rmdir over a small set of colliding names in
 * one directory, while others list it and look names up.  Afterwards the
 * tree must be consistent: readdir lists each name once and exactly the
 * names that resolve, every link count equals the number of names of the
 * inode (and 2 + subdirectories for directories), and the inodes in use by
 * statfs match the inodes reachable.  Run on pdirfs with shared locking
 * (synchronous, asynchronous, asynchronous with latency) and exclusive
 * locking, and on tmpfs.
 *
 * PDIRFS_STRESS_SECONDS sets the duration (default 3).
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/statfs.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define NAMES 16
#define WRITERS 6
#define READERS 2

FIXTURE(stress) {
	char dir[64];
};

/* pdirfs in every locking and completion mode, and tmpfs as reference */
FIXTURE_VARIANT(stress) {
	const char *type;
	const char *opts;
};

FIXTURE_VARIANT_ADD(stress, pdirfs_shared_sync) {
	.type = "pdirfs", .opts = "nr_inodes=100000,dirops=shared,completion=sync",
};

FIXTURE_VARIANT_ADD(stress, pdirfs_shared_async) {
	.type = "pdirfs", .opts = "nr_inodes=100000,completion=async",
};

FIXTURE_VARIANT_ADD(stress, pdirfs_shared_async_latency) {
	.type = "pdirfs", .opts = "nr_inodes=100000,completion=async,latency_us=200",
};

FIXTURE_VARIANT_ADD(stress, pdirfs_exclusive) {
	.type = "pdirfs", .opts = "nr_inodes=100000,dirops=exclusive",
};

FIXTURE_VARIANT_ADD(stress, tmpfs) {
	.type = "tmpfs", .opts = "nr_inodes=100000",
};

FIXTURE_SETUP(stress)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/stress-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, variant->opts));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, mkdir("hot", 0755));
}

FIXTURE_TEARDOWN(stress)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

struct shared {
	volatile int stop;
	unsigned long ops[WRITERS];
	unsigned long bad_errno;
	int last_bad;
};

struct worker {
	struct shared *sh;
	int id;
};

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245 + 12345;
	return *s >> 8;
}

static void name_of(char *buf, unsigned int n)
{
	sprintf(buf, "hot/n%u", n % NAMES);
}

/* Errors a racing operation may legitimately get. */
static int expected_errno(int e)
{
	return e == ENOENT || e == EEXIST || e == ENOTEMPTY || e == ENOTDIR ||
	       e == EISDIR || e == EINVAL || e == EBUSY || e == EMLINK || e == EPERM;
}

static void *writer(void *arg)
{
	struct worker *w = arg;
	unsigned int seed = 0x9e3779b9u * (w->id + 1);
	char a[32], b[32];

	while (!w->sh->stop) {
		int r, fd;

		name_of(a, rnd(&seed));
		name_of(b, rnd(&seed));
		switch (rnd(&seed) % 9) {
		case 0:
			fd = open(a, O_CREAT | O_EXCL | O_WRONLY, 0644);
			r = fd < 0 ? -1 : close(fd);
			break;
		case 1:
			r = unlink(a);
			break;
		case 2:
			r = rename(a, b);
			break;
		case 3:
			r = sys_renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE);
			break;
		case 4:
			r = sys_renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
			break;
		case 5:
			r = link(a, b);
			break;
		case 6:
			r = mkdir(a, 0755);
			break;
		case 7:
			r = rmdir(a);
			break;
		default: {
			struct stat st;

			r = stat(a, &st);
			break;
		}
		}
		if (r < 0 && !expected_errno(errno)) {
			__atomic_add_fetch(&w->sh->bad_errno, 1, __ATOMIC_RELAXED);
			w->sh->last_bad = errno;
		}
		w->sh->ops[w->id]++;
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct worker *w = arg;

	while (!w->sh->stop) {
		DIR *d = opendir("hot");
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d)))
			;
		closedir(d);
	}
	return NULL;
}

TEST_F_TIMEOUT(stress, one_hot_directory, 120)
{
	struct shared sh = { 0 };
	struct worker w[WRITERS + READERS];
	pthread_t th[WRITERS + READERS];
	const char *env = getenv("PDIRFS_STRESS_SECONDS");
	int seconds = env ? atoi(env) : 3;
	unsigned long total = 0;

	for (int i = 0; i < WRITERS + READERS; i++) {
		w[i] = (struct worker){ .sh = &sh, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, i < WRITERS ? writer : reader, &w[i]));
	}
	sleep(seconds);
	sh.stop = 1;
	for (int i = 0; i < WRITERS + READERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < WRITERS; i++)
		total += sh.ops[i];
	TH_LOG("%lu operations in %d s on %s (%s)", total, seconds, variant->type, variant->opts);
	EXPECT_EQ(0, sh.bad_errno) TH_LOG("unexpected errno %d", sh.last_bad);

	/* --- the tree must be consistent --- */
	{
		int listed[NAMES] = { 0 }, dirs = 0, reachable = 0;
		ino_t inos[NAMES];
		nlink_t nl[NAMES];
		struct dirent *de;
		struct statfs sfs;
		DIR *d = opendir("hot");
		struct stat st;

		ASSERT_NE(NULL, d);
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			ASSERT_EQ('n', de->d_name[0]) TH_LOG("stray name %s", de->d_name);
			listed[atoi(de->d_name + 1)]++;
		}
		closedir(d);
		for (int i = 0; i < NAMES; i++) {
			char n[32];

			name_of(n, i);
			inos[i] = 0;
			if (lstat(n, &st) == 0) {
				EXPECT_EQ(1, listed[i]) TH_LOG("%s resolves, listed %d times", n, listed[i]);
				inos[i] = st.st_ino;
				nl[i] = st.st_nlink;
				if (S_ISDIR(st.st_mode)) {
					/* Nothing is ever created inside these. */
					EXPECT_EQ(2, st.st_nlink) TH_LOG("%s", n);
					dirs++;
				}
			} else {
				EXPECT_EQ(ENOENT, errno);
				EXPECT_EQ(0, listed[i]) TH_LOG("%s is listed but does not resolve", n);
			}
		}
		/* Link counts of files: the number of names of each inode. */
		for (int i = 0; i < NAMES; i++) {
			int names = 0;
			struct stat s2;
			char n[32];

			if (!inos[i])
				continue;
			name_of(n, i);
			ASSERT_EQ(0, lstat(n, &s2));
			if (S_ISDIR(s2.st_mode)) {
				reachable++;
				continue;
			}
			for (int j = 0; j < NAMES; j++) {
				if (inos[j] == inos[i])
					names++;
			}
			EXPECT_EQ(names, nl[i]) TH_LOG("%s: nlink %lu, %d names", n,
						       (unsigned long)nl[i], names);
			/*
			 * Every name counts against nr_inodes: the first is
			 * the inode, each further one a link, which takes
			 * inode space on pdirfs as on tmpfs.
			 */
			reachable++;
		}
		ASSERT_EQ(0, stat("hot", &st));
		EXPECT_EQ(2 + dirs, st.st_nlink);
		/* Inodes in use: root, hot, and a unit per name in hot. */
		/*
		 * The last references of replaced inodes may be dropped a moment
		 * after the syscalls return (seen on tmpfs): let the count settle.
		 */
		for (int tries = 0; tries < 40; tries++) {
			ASSERT_EQ(0, statfs(".", &sfs));
			if (sfs.f_files - sfs.f_ffree == 2 + reachable)
				break;
			usleep(50000);
		}
		if (!strcmp(variant->type, "pdirfs")) {
			EXPECT_EQ(2 + reachable, sfs.f_files - sfs.f_ffree);
		} else if (sfs.f_files - sfs.f_ffree != 2 + reachable) {
			/*
			 * Seen on tmpfs (6.18 and others): one inode more in
			 * use than reachable, until the directory is emptied.
			 * Reported, not judged: it is tmpfs' accounting.
			 */
			TH_LOG("note: tmpfs counts %lu inodes in use, %d reachable",
			       (unsigned long)(sfs.f_files - sfs.f_ffree), 2 + reachable);
		}
		/* Empty the directory: back to root and "hot" alone. */
		for (int i = 0; i < NAMES; i++) {
			char n[32];

			name_of(n, i);
			if (unlink(n))
				rmdir(n);
		}
		ASSERT_EQ(0, statfs(".", &sfs));
		EXPECT_EQ(2, sfs.f_files - sfs.f_ffree);
	}
}

TEST_HARNESS_MAIN
