// SPDX-License-Identifier: GPL-2.0
/*
 * completion=async with an injected round trip (latency_us) models a
 * network filesystem: the request is sent, the caller's -EINPROGRESS lets
 * it go on, and the reply arrives later.  No thread may wait out the round
 * trip: a timer starts the operation's work item when the reply is due.
 *
 * 64 threads create one file each in one directory at once, with a 100 ms
 * round trip: all are done in a few round trips (they overlap), and the
 * kernel starts only a handful of worker threads for them.  With a work
 * item sleeping out each round trip (pdirfs before 2026-12-04) the same
 * burst started 40 new kworkers; with the timer, 2 or 3.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define THREADS 64
#define LATENCY_US 100000

static pthread_barrier_t go;

static void *creator(void *arg)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "f%ld", (long)arg);
	pthread_barrier_wait(&go);
	fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		return (void *)(long)errno;
	close(fd);
	return NULL;
}

FIXTURE(lat) {
	char dir[64];
};

FIXTURE_SETUP(lat)
{
	char opts[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/lat-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "completion=async,latency_us=%d", LATENCY_US);
	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(lat)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(lat, round_trips_overlap_without_a_thread_each)
{
	pthread_t tids[THREADS];
	int before, after;
	double t0, secs;
	void *ret;
	long t;

	/* Warm up: one create, so that the steady set of workers exists. */
	ASSERT_EQ(0, mknod("warm", S_IFREG | 0644, 0));
	before = count_tasks_named("/proc", "kworker");
	ASSERT_LT(0, before);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, THREADS + 1));
	for (t = 0; t < THREADS; t++)
		ASSERT_EQ(0, pthread_create(&tids[t], NULL, creator, (void *)t));
	t0 = monotonic_s();
	pthread_barrier_wait(&go);
	for (t = 0; t < THREADS; t++) {
		ASSERT_EQ(0, pthread_join(tids[t], &ret));
		EXPECT_EQ(NULL, ret);
	}
	secs = monotonic_s() - t0;
	after = count_tasks_named("/proc", "kworker");
	ksft_print_msg("%d creates with a %d ms round trip: %.3f s, %d new kworkers\n",
		       THREADS, LATENCY_US / 1000, secs, after - before);
	/* One after the other they would take 6.4 s (TCG adds its own). */
	EXPECT_GT(3.0, secs);
	EXPECT_GT(8, after - before);
}

static void *cross_renamer(void *arg)
{
	char from[32], to[32];

	snprintf(from, sizeof(from), "x/f%ld", (long)arg);
	snprintf(to, sizeof(to), "y/f%ld", (long)arg);
	pthread_barrier_wait(&go);
	return rename(from, to) ? (void *)(long)errno : NULL;
}

/*
 * Renames of files between two directories overlap their round trips too
 * (kernel patch 0064): each takes ->s_vfs_rename_mutex to lock the two
 * parents in order, and releases it with them while in flight, since it
 * moves no directory.  Holding it across the round trip, they went one
 * at a time.  A rename of a directory between them meanwhile keeps it to
 * its end, and everything lands where it should.
 */
TEST_F(lat, renames_between_directories_overlap)
{
	pthread_t tids[THREADS];
	char name[32];
	double t0, secs;
	struct stat st;
	void *ret;
	long t;

	ASSERT_EQ(0, mkdir("x", 0755));
	ASSERT_EQ(0, mkdir("y", 0755));
	ASSERT_EQ(0, mkdir("x/sub", 0755));
	for (t = 0; t < THREADS; t++) {
		snprintf(name, sizeof(name), "x/f%ld", t);
		ASSERT_EQ(0, mknod(name, S_IFREG | 0644, 0));
	}
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, THREADS + 1));
	for (t = 0; t < THREADS; t++)
		ASSERT_EQ(0, pthread_create(&tids[t], NULL, cross_renamer, (void *)t));
	t0 = monotonic_s();
	pthread_barrier_wait(&go);
	EXPECT_EQ(0, rename("x/sub", "y/sub"));
	for (t = 0; t < THREADS; t++) {
		ASSERT_EQ(0, pthread_join(tids[t], &ret));
		EXPECT_EQ(NULL, ret);
	}
	secs = monotonic_s() - t0;
	pthread_barrier_destroy(&go);
	ksft_print_msg("%d renames between directories with a %d ms round trip: %.3f s\n",
		       THREADS, LATENCY_US / 1000, secs);
	/* One after the other they would take 6.5 s. */
	EXPECT_GT(3.0, secs);
	EXPECT_EQ(0, count_names("x"));
	EXPECT_EQ(THREADS + 1, count_names("y"));
	ASSERT_EQ(0, stat("y/sub", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0, stat("y/f0", &st));
	EXPECT_EQ(1, st.st_nlink);
}

/*
 * An operation in flight holds its name, not its directory (issue 19,
 * shared-dir-locking.rst 4.7.1): with a 1 s round trip, a chmod of the
 * directory does not wait for the creates in it; rmdir of a directory, and
 * a rename onto it, wait for what is in flight in it and see its result;
 * a lazy unmount and an attempt to unload the module with operations in
 * flight lose nothing.
 */
#define SLOW_US 1000000
#define SLOW_THREADS 16

struct slow_create {
	char path[128];
	int err;
};

static void *slow_creator(void *arg)
{
	struct slow_create *c = arg;
	int fd;

	pthread_barrier_wait(&go);
	fd = open(c->path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	c->err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* starts @n creates of @dir/f<i>, and returns once they are in flight */
static void start_creates(struct __test_metadata *_metadata, pthread_t *tids,
			  struct slow_create *c, int n, const char *dir)
{
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, n + 1));
	for (i = 0; i < n; i++) {
		snprintf(c[i].path, sizeof(c[i].path), "%s/f%d", dir, i);
		ASSERT_EQ(0, pthread_create(&tids[i], NULL, slow_creator, &c[i]));
	}
	pthread_barrier_wait(&go);
	/* well inside the round trip, after every create has started */
	usleep(SLOW_US / 4);
}

static void join_creates(struct __test_metadata *_metadata, pthread_t *tids,
			 struct slow_create *c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, pthread_join(tids[i], NULL));
		EXPECT_EQ(0, c[i].err);
	}
	pthread_barrier_destroy(&go);
}

FIXTURE(slow) {
	char dir[64];
};

FIXTURE_SETUP(slow)
{
	char opts[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/slow-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "completion=async,latency_us=%d", SLOW_US);
	ASSERT_EQ(0, mount("pdirfs", self->dir, "pdirfs", 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, mkdir("d", 0755));
}

FIXTURE_TEARDOWN(slow)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(slow, chmod_does_not_wait_for_round_trips_in_flight)
{
	pthread_t tids[SLOW_THREADS];
	struct slow_create c[SLOW_THREADS];
	struct stat st;
	double t0, secs;

	start_creates(_metadata, tids, c, SLOW_THREADS, "d");
	t0 = monotonic_s();
	ASSERT_EQ(0, chmod("d", 0700));
	secs = monotonic_s() - t0;
	join_creates(_metadata, tids, c, SLOW_THREADS);
	ksft_print_msg("chmod with %d creates in flight (%d ms round trip): %.3f s\n",
		       SLOW_THREADS, SLOW_US / 1000, secs);
	/* Holding the directory, it would wait about 0.75 s. */
	EXPECT_GT(0.4, secs);
	ASSERT_EQ(0, stat("d", &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
	ASSERT_EQ(0, stat("d/f0", &st));
}

TEST_F(slow, rmdir_waits_for_a_create_in_flight)
{
	pthread_t tids[1];
	struct slow_create c[1];
	struct stat st;

	ASSERT_EQ(0, mkdir("d/sub", 0755));
	start_creates(_metadata, tids, c, 1, "d/sub");
	/* the create is not done yet, but rmdir must not see "empty" */
	EXPECT_EQ(-1, rmdir("d/sub"));
	EXPECT_EQ(ENOTEMPTY, errno);
	join_creates(_metadata, tids, c, 1);
	EXPECT_EQ(0, stat("d/sub/f0", &st));
}

TEST_F(slow, rename_onto_a_directory_waits_for_a_create_in_flight)
{
	pthread_t tids[1];
	struct slow_create c[1];
	struct stat st;

	ASSERT_EQ(0, mkdir("d/sub", 0755));
	ASSERT_EQ(0, mkdir("d/other", 0755));
	start_creates(_metadata, tids, c, 1, "d/sub");
	EXPECT_EQ(-1, rename("d/other", "d/sub"));
	EXPECT_EQ(ENOTEMPTY, errno);
	join_creates(_metadata, tids, c, 1);
	EXPECT_EQ(0, stat("d/sub/f0", &st));
	EXPECT_EQ(0, stat("d/other", &st));
}

TEST_F(slow, lazy_unmount_and_unload_with_creates_in_flight)
{
	pthread_t tids[SLOW_THREADS];
	struct slow_create c[SLOW_THREADS];
	char path[128];
	int dfd, i;

	dfd = open("d", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	start_creates(_metadata, tids, c, SLOW_THREADS, "d");
	chdir("/");
	ASSERT_EQ(0, umount2(self->dir, MNT_DETACH));
	/* the superblock is alive: the module must stay */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "pdirfs", O_NONBLOCK));
	EXPECT_TRUE(errno == EBUSY || errno == EWOULDBLOCK);
	join_creates(_metadata, tids, c, SLOW_THREADS);
	for (i = 0; i < SLOW_THREADS; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "f%d", i);
		EXPECT_EQ(0, fstatat(dfd, path, &st, 0));
	}
	close(dfd);
}

TEST_HARNESS_MAIN
