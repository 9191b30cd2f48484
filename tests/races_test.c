// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX races on one name resolve exactly once, with directory operations
 * running concurrently in one directory: N concurrent O_CREAT|O_EXCL opens
 * of a name give one success and N-1 EEXIST; N concurrent unlinks give one
 * success and N-1 ENOENT; a rename onto a name being created leaves one
 * file under it; an rmdir of a directory that files are being created in
 * either fails with ENOTEMPTY or makes the creates fail with ENOENT, and
 * leaves no orphan inode.  Run on pdirfs in each mode and on tmpfs.
 */
#include <pthread.h>
#include <sys/statfs.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define THREADS 16
#define ROUNDS 40

FIXTURE(race) {
	char dir[64];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(race);

FIXTURE_SETUP(race)
{
	char opts[128];

	snprintf(self->dir, sizeof(self->dir), "/tmp/race-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "nr_inodes=100000%s%s", *variant->opts ? "," : "",
		 variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(race)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

struct racer {
	pthread_barrier_t *go;
	int (*fn)(void);
	int ret;	/* 0 or -errno */
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->ret = r->fn();
	return NULL;
}

/* runs fn in THREADS threads released together; counts results */
static void race(int (*fn)(void), int *ok, int *err, int expected_errno)
{
	pthread_t t[THREADS];
	struct racer r[THREADS];
	pthread_barrier_t go;

	*ok = *err = 0;
	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct racer){ .go = &go, .fn = fn };
		pthread_create(&t[i], NULL, racer_main, &r[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		if (r[i].ret == 0)
			(*ok)++;
		else if (r[i].ret == -expected_errno)
			(*err)++;
	}
	pthread_barrier_destroy(&go);
}

static int create_excl(void)
{
	int fd = open("x", O_CREAT | O_EXCL | O_WRONLY, 0644);

	return fd < 0 ? -errno : close(fd);
}

static int unlink_x(void)
{
	return unlink("x") ? -errno : 0;
}

static int mkdir_x(void)
{
	return mkdir("x", 0755) ? -errno : 0;
}

static int rmdir_x(void)
{
	return rmdir("x") ? -errno : 0;
}

static long inodes_used(void)
{
	struct statfs sfs;

	if (statfs(".", &sfs))
		return -1;
	return sfs.f_files - sfs.f_ffree;
}

TEST_F(race, exclusive_create_once)
{
	int ok, err;

	for (int round = 0; round < ROUNDS; round++) {
		race(create_excl, &ok, &err, EEXIST);
		ASSERT_EQ(1, ok) TH_LOG("round %d", round);
		ASSERT_EQ(THREADS - 1, err) TH_LOG("round %d", round);
		race(unlink_x, &ok, &err, ENOENT);
		ASSERT_EQ(1, ok) TH_LOG("round %d", round);
		ASSERT_EQ(THREADS - 1, err) TH_LOG("round %d", round);
	}
}

TEST_F(race, mkdir_rmdir_once)
{
	int ok, err;

	for (int round = 0; round < ROUNDS; round++) {
		race(mkdir_x, &ok, &err, EEXIST);
		ASSERT_EQ(1, ok) TH_LOG("round %d", round);
		ASSERT_EQ(THREADS - 1, err) TH_LOG("round %d", round);
		race(rmdir_x, &ok, &err, ENOENT);
		ASSERT_EQ(1, ok) TH_LOG("round %d", round);
		ASSERT_EQ(THREADS - 1, err) TH_LOG("round %d", round);
	}
}

struct rename_create {
	pthread_barrier_t go;
	int create_ret;
	ino_t created_ino;
	int rename_ret;
};

static void *creator(void *arg)
{
	struct rename_create *rc = arg;
	struct stat st;
	int fd;

	pthread_barrier_wait(&rc->go);
	fd = open("t", O_CREAT | O_EXCL | O_WRONLY, 0644);
	rc->create_ret = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		fstat(fd, &st);
		rc->created_ino = st.st_ino;
		close(fd);
	}
	return NULL;
}

static void *renamer(void *arg)
{
	struct rename_create *rc = arg;

	pthread_barrier_wait(&rc->go);
	rc->rename_ret = rename("s", "t") ? -errno : 0;
	return NULL;
}

TEST_F(race, rename_onto_name_being_created)
{
	int creates_won = 0, renames_first = 0;
	long base = inodes_used();

	for (int round = 0; round < ROUNDS * 5; round++) {
		struct rename_create rc = {};
		pthread_t a, b;
		struct stat st, src;

		ASSERT_EQ(0, write_file("s", "source"));
		ASSERT_EQ(0, stat("s", &src));
		pthread_barrier_init(&rc.go, NULL, 2);
		pthread_create(&a, NULL, creator, &rc);
		pthread_create(&b, NULL, renamer, &rc);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		pthread_barrier_destroy(&rc.go);

		/* the rename always succeeds: it may replace the new file */
		ASSERT_EQ(0, rc.rename_ret);
		ASSERT_EQ(-1, stat("s", &st));
		ASSERT_EQ(0, stat("t", &st));
		/* "t" is the source, whatever happened first */
		ASSERT_EQ(src.st_ino, st.st_ino);
		ASSERT_EQ(1, st.st_nlink);
		if (rc.create_ret == 0) {
			/* the create came first and was replaced */
			ASSERT_NE(src.st_ino, rc.created_ino);
			creates_won++;
		} else {
			ASSERT_EQ(-EEXIST, rc.create_ret);
			renames_first++;
		}
		ASSERT_EQ(0, unlink("t"));
	}
	TH_LOG("create first %d times, rename first %d times", creates_won, renames_first);
	/* replaced files are gone too: no inode left behind */
	EXPECT_EQ(base, inodes_used());
}

struct rmdir_create {
	volatile int stop;
	int created, enoent, other;
};

static void *create_in_d(void *arg)
{
	struct rmdir_create *rc = arg;
	char name[32];

	for (int i = 0; !rc->stop; i++) {
		int fd;

		snprintf(name, sizeof(name), "d/f%d", i % 4);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd >= 0) {
			close(fd);
			rc->created++;
			if (unlink(name) && errno != ENOENT)
				rc->other++;
		} else if (errno == ENOENT) {
			rc->enoent++;
		} else {
			rc->other++;
		}
	}
	return NULL;
}

TEST_F(race, rmdir_while_creating_inside)
{
	long base = inodes_used();
	int notempty = 0, removed = 0;

	for (int round = 0; round < ROUNDS; round++) {
		struct rmdir_create rc = {};
		pthread_t t;

		ASSERT_EQ(0, mkdir("d", 0755));
		pthread_create(&t, NULL, create_in_d, &rc);
		/* until the rmdir wins; the creator then gets ENOENT */
		for (int tries = 0;; tries++) {
			if (tries == 20000)
				rc.stop = 1;	/* let it win, then */
			if (!rmdir("d")) {
				removed++;
				break;
			}
			ASSERT_EQ(ENOTEMPTY, errno);
			notempty++;
		}
		usleep(1000);
		rc.stop = 1;
		pthread_join(t, NULL);
		ASSERT_EQ(0, rc.other);
		ASSERT_EQ(-1, access("d", F_OK));
	}
	TH_LOG("rmdir: %d ENOTEMPTY before %d removals", notempty, removed);
	/* no file survived in a removed directory */
	EXPECT_EQ(base, inodes_used());
}

TEST_HARNESS_MAIN
