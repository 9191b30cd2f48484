// SPDX-License-Identifier: GPL-2.0
/*
 * parallel_create: THREADS threads create FILES empty files each in one
 * directory, then unlink them, and report how many of each per second.
 *
 *   parallel_create DIR THREADS FILES
 *
 * This is the workload pdirfs exists for.  On a filesystem whose directory
 * operations take the directory's i_rwsem exclusively (every filesystem
 * but pdirfs with dirops=shared), the threads' creates in DIR run one at a
 * time; with dirops=shared they hold the lock shared plus a lock on their
 * own name, so creates of different names overlap.  Whether that matters
 * depends on how long each operation takes: mount pdirfs with
 * latency_us=10000 (a 10 ms round trip, as to a file server) and compare
 * dirops=exclusive with dirops=shared (make run does).
 *
 * Output, one line, for scripts to read:
 *   threads=T files=N create_s=S create_per_s=R unlink_s=S unlink_per_s=R
 *
 * Build: gcc -O2 -pthread -o parallel_create parallel_create.c
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *dir;
static int nthreads, nfiles;
/* Every thread starts each phase together, so the phases overlap fully. */
static pthread_barrier_t start_create, start_unlink, done;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void name_of(char *buf, size_t len, long thread, int i)
{
	snprintf(buf, len, "%s/t%ld-f%d", dir, thread, i);
}

static void *worker(void *arg)
{
	long t = (long)arg;
	char path[4096];
	int i, fd;

	pthread_barrier_wait(&start_create);
	for (i = 0; i < nfiles; i++) {
		name_of(path, sizeof(path), t, i);
		/* O_EXCL: each create really creates (no open of an old file). */
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			fprintf(stderr, "create %s: %s\n", path, strerror(errno));
			exit(1);
		}
		close(fd);
	}
	pthread_barrier_wait(&start_unlink);
	for (i = 0; i < nfiles; i++) {
		name_of(path, sizeof(path), t, i);
		if (unlink(path)) {
			fprintf(stderr, "unlink %s: %s\n", path, strerror(errno));
			exit(1);
		}
	}
	pthread_barrier_wait(&done);
	return NULL;
}

int main(int argc, char **argv)
{
	double t0, t1, t2;
	pthread_t *tids;
	long total;
	long t;

	if (argc != 4 || atoi(argv[2]) < 1 || atoi(argv[3]) < 1) {
		fprintf(stderr, "usage: %s DIR THREADS FILES-PER-THREAD\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	nthreads = atoi(argv[2]);
	nfiles = atoi(argv[3]);
	total = (long)nthreads * nfiles;
	tids = calloc(nthreads, sizeof(*tids));
	if (!tids)
		return 1;
	/* The main thread takes part in each barrier, to take the times. */
	pthread_barrier_init(&start_create, NULL, nthreads + 1);
	pthread_barrier_init(&start_unlink, NULL, nthreads + 1);
	pthread_barrier_init(&done, NULL, nthreads + 1);
	for (t = 0; t < nthreads; t++) {
		if (pthread_create(&tids[t], NULL, worker, (void *)t)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	t0 = now();
	pthread_barrier_wait(&start_create);
	pthread_barrier_wait(&start_unlink);
	t1 = now();
	pthread_barrier_wait(&done);
	t2 = now();
	for (t = 0; t < nthreads; t++)
		pthread_join(tids[t], NULL);
	printf("threads=%d files=%ld create_s=%.3f create_per_s=%.1f unlink_s=%.3f unlink_per_s=%.1f\n",
	       nthreads, total, t1 - t0, total / (t1 - t0), t2 - t1, total / (t2 - t1));
	return 0;
}
