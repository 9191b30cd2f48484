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
#include <time.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define THREADS 64
#define LATENCY_US 100000

static pthread_barrier_t go;

static int count_kworkers(void)
{
	struct dirent *de;
	char path[300], comm[64];
	int n = 0;
	DIR *d;
	FILE *f;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "kworker", 7))
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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
	before = count_kworkers();
	ASSERT_LT(0, before);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, THREADS + 1));
	for (t = 0; t < THREADS; t++)
		ASSERT_EQ(0, pthread_create(&tids[t], NULL, creator, (void *)t));
	t0 = now();
	pthread_barrier_wait(&go);
	for (t = 0; t < THREADS; t++) {
		ASSERT_EQ(0, pthread_join(tids[t], &ret));
		EXPECT_EQ(NULL, ret);
	}
	secs = now() - t0;
	after = count_kworkers();
	ksft_print_msg("%d creates with a %d ms round trip: %.3f s, %d new kworkers\n",
		       THREADS, LATENCY_US / 1000, secs, after - before);
	/* One after the other they would take 6.4 s (TCG adds its own). */
	EXPECT_GT(3.0, secs);
	EXPECT_GT(8, after - before);
}

TEST_HARNESS_MAIN
