// SPDX-License-Identifier: GPL-2.0
/*
 * uring_dirops: create and unlink files in one directory, keeping DEPTH
 * operations in flight, either from one thread through io_uring or from
 * DEPTH threads with plain system calls; prints the creates per second and
 * the most io-wq workers the kernel had started for the ring at any time.
 *
 *   uring_dirops uring   DIR DEPTH SECONDS
 *   uring_dirops threads DIR DEPTH SECONDS
 *   uring_dirops chmod   DIR DEPTH SECONDS
 *
 * Each name goes through IORING_OP_OPENAT (O_CREAT | O_EXCL), close(2),
 * then IORING_OP_UNLINKAT, and then the slot starts a new name.  On a
 * filesystem whose directory operations take a round trip L
 * (pdirfs completion=async,latency_us=L), DEPTH operations in flight can
 * reach DEPTH / L operations per second, half of them creates.
 *
 * io-wq workers are the threads named "iou-wrk-<pid>" of this process
 * (/proc/self/task/<tid>/comm), counted every 5 ms while waiting.  Today
 * every directory operation of io_uring blocks one worker for its whole
 * round trip, so DEPTH in flight need DEPTH workers; issue 19 completes
 * them from the filesystem's done_cb instead.
 *
 * The io_uring loop is written as a program that keeps many operations in
 * flight would be: it waits for one completion, reaps every completion
 * that is there, queues the next operation of each and submits them with
 * one io_uring_enter().
 *
 * chmod: the threads run as above, and meanwhile this thread times
 * chmod(DIR) every 50 ms: how long a change that takes the directory's
 * i_rwsem exclusively waits while DEPTH operations are in flight in it
 * (chmod_ms_median=, chmod_ms_max=).
 *
 * Output, one line (ops: creates and unlinks; cpu_us_per_op: the machine's
 * busy CPU time from /proc/stat, all CPUs, over the run, per op: how close
 * to the CPU ceiling the rate is):
 *   mode=uring depth=64 seconds=2.00 creates=1234 create_per_s=617.0 ops_per_s=1234.0 max_iowq_workers=64 cpu_us_per_op=80.1 errors=0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../pdirfs_test.h"

enum { OP_CREATE = 1, OP_UNLINK = 2 };

struct slot {
	int op;
	unsigned long name;
	char path[32];
};

static int dirfd_;
static unsigned long next_name;
static long creates, unlinks, errors;

static void name_of(unsigned long n, char *buf, size_t len)
{
	snprintf(buf, len, "f%lu", n);
}

/* Busy CPU time of the whole machine so far, in microseconds. */
static double busy_cpu_us(void)
{
	unsigned long long v[10] = { 0 };
	double busy = 0;
	FILE *f = fopen("/proc/stat", "r");
	int i;

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) < 8)
		v[0] = v[1] = v[2] = 0;
	fclose(f);
	/* user nice system (idle iowait) irq softirq steal; guest is in user */
	for (i = 0; i < 8; i++)
		if (i != 3 && i != 4)
			busy += v[i];
	return busy * 1e6 / sysconf(_SC_CLK_TCK);
}

/* Queues the slot's next operation; the caller submits. */
static void queue(struct io_uring *ring, struct slot *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	/*
	 * The kernel copies the path when the SQE is submitted (getname() in
	 * the prep of OPENAT and UNLINKAT): the slot keeps it until then.
	 */
	name_of(s->name, s->path, sizeof(s->path));
	if (s->op == OP_CREATE)
		io_uring_prep_openat(sqe, dirfd_, s->path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	else
		io_uring_prep_unlinkat(sqe, dirfd_, s->path, 0);
	io_uring_sqe_set_data(sqe, s);
}

/*
 * One completion: count it and queue what the slot does next.  Returns
 * whether something was queued.
 */
static bool complete(struct io_uring *ring, struct io_uring_cqe *cqe, double start,
		     double seconds)
{
	struct slot *s = io_uring_cqe_get_data(cqe);

	if (cqe->res < 0) {
		errors++;
		if (errors < 5)
			fprintf(stderr, "op %d on f%lu: %s\n", s->op, s->name,
				strerror(-cqe->res));
	}
	if (s->op == OP_CREATE && cqe->res >= 0) {
		creates++;
		close(cqe->res);
		s->op = OP_UNLINK;	/* even when draining: leave nothing */
	} else {
		if (s->op == OP_UNLINK && cqe->res == 0)
			unlinks++;
		if (monotonic_s() - start >= seconds)
			return false;	/* draining */
		s->op = OP_CREATE;
		s->name = next_name++;
	}
	queue(ring, s);
	return true;
}

static int run_uring(int depth, double seconds, int *max_workers)
{
	struct io_uring ring;
	struct slot *slots = calloc(depth, sizeof(*slots));
	double start, last_count = 0;
	int inflight = 0, i, ret;

	ret = io_uring_queue_init(depth < 8 ? 8 : depth * 2, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	start = monotonic_s();
	for (i = 0; i < depth; i++) {
		slots[i].op = OP_CREATE;
		slots[i].name = next_name++;
		queue(&ring, &slots[i]);
		inflight++;
	}
	io_uring_submit(&ring);
	while (inflight) {
		struct __kernel_timespec ts = { .tv_nsec = 5 * 1000 * 1000 };
		struct io_uring_cqe *cqe;
		unsigned int head, reaped = 0;
		double t = monotonic_s();

		if (t - last_count >= 0.005) {
			int w = count_tasks_named("/proc/self/task", "iou-wrk-");

			if (w > *max_workers)
				*max_workers = w;
			last_count = t;
		}
		ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
		if (ret == -ETIME || ret == -EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
			return 1;
		}
		/* every completion that is there, then one submission */
		io_uring_for_each_cqe(&ring, head, cqe) {
			reaped++;
			if (!complete(&ring, cqe, start, seconds))
				inflight--;
		}
		io_uring_cq_advance(&ring, reaped);
		io_uring_submit(&ring);
	}
	io_uring_queue_exit(&ring);
	free(slots);
	return 0;
}

static double deadline;
static pthread_mutex_t name_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	long n = 0, u = 0, e = 0;
	char name[32];

	(void)arg;

	while (monotonic_s() < deadline) {
		unsigned long id;
		int fd;

		pthread_mutex_lock(&name_lock);
		id = next_name++;
		pthread_mutex_unlock(&name_lock);
		name_of(id, name, sizeof(name));
		fd = openat(dirfd_, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			e++;
			continue;
		}
		n++;
		close(fd);
		if (unlinkat(dirfd_, name, 0))
			e++;
		else
			u++;
	}
	pthread_mutex_lock(&name_lock);
	creates += n;
	unlinks += u;
	errors += e;
	pthread_mutex_unlock(&name_lock);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * While the threads run, chmod(dir) every 50 ms from the second quarter
 * of the run on, each timed: the median and the worst, in ms.
 */
static void time_chmods(const char *dir, double seconds, double *median, double *max)
{
	double t[256];
	int n = 0;

	usleep(seconds * 250000);
	while (monotonic_s() < deadline - 0.1 && n < 256) {
		double t0 = monotonic_s();

		if (chmod(dir, n % 2 ? 0755 : 0775)) {
			perror("chmod");
			break;
		}
		t[n++] = (monotonic_s() - t0) * 1000;
		usleep(50000);
	}
	qsort(t, n, sizeof(t[0]), cmp_double);
	*median = n ? t[n / 2] : -1;
	*max = n ? t[n - 1] : -1;
}

static int run_threads(int depth, double seconds, const char *chmod_dir,
		       double *chmod_median, double *chmod_max)
{
	pthread_t *t = calloc(depth, sizeof(*t));
	int i;

	deadline = monotonic_s() + seconds;
	for (i = 0; i < depth; i++)
		if (pthread_create(&t[i], NULL, worker, NULL)) {
			perror("pthread_create");
			return 1;
		}
	if (chmod_dir)
		time_chmods(chmod_dir, seconds, chmod_median, chmod_max);
	for (i = 0; i < depth; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	int depth, max_workers = 0, ret;
	double seconds, start, elapsed, chmod_median = 0, chmod_max = 0, cpu0, cpu;
	int chmod_mode;

	if (argc != 5 || (strcmp(argv[1], "uring") && strcmp(argv[1], "threads") &&
			  strcmp(argv[1], "chmod"))) {
		fprintf(stderr, "usage: %s uring|threads|chmod DIR DEPTH SECONDS\n", argv[0]);
		return 2;
	}
	depth = atoi(argv[3]);
	seconds = atof(argv[4]);
	if (depth < 1 || depth > 4096 || seconds <= 0) {
		fprintf(stderr, "%s: DEPTH must be 1..4096, SECONDS > 0\n", argv[0]);
		return 2;
	}
	dirfd_ = open(argv[2], O_DIRECTORY | O_RDONLY);
	if (dirfd_ < 0) {
		perror(argv[2]);
		return 1;
	}
	start = monotonic_s();
	cpu0 = busy_cpu_us();
	chmod_mode = !strcmp(argv[1], "chmod");
	if (!strcmp(argv[1], "uring"))
		ret = run_uring(depth, seconds, &max_workers);
	else
		ret = run_threads(depth, seconds, chmod_mode ? argv[2] : NULL,
				  &chmod_median, &chmod_max);
	elapsed = monotonic_s() - start;
	cpu = busy_cpu_us() - cpu0;
	if (ret)
		return ret;
	if (chmod_mode) {
		printf("mode=chmod depth=%d seconds=%.2f chmod_ms_median=%.1f chmod_ms_max=%.1f errors=%ld\n",
		       depth, elapsed, chmod_median, chmod_max, errors);
		return errors ? 1 : 0;
	}
	printf("mode=%s depth=%d seconds=%.2f creates=%ld create_per_s=%.1f ops_per_s=%.1f max_iowq_workers=%d cpu_us_per_op=%.1f errors=%ld\n",
	       argv[1], depth, elapsed, creates, creates / elapsed,
	       (creates + unlinks) / elapsed, max_workers,
	       creates + unlinks ? cpu / (creates + unlinks) : 0, errors);
	return errors ? 1 : 0;
}
