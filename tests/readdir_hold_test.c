// SPDX-License-Identifier: GPL-2.0
/*
 * Shared directory locking, shown without timing: a getdents64() of a
 * directory is frozen in the page fault of its user buffer (userfaultfd),
 * which keeps the directory's i_rwsem held shared.  Then create, mkdir,
 * symlink, link, rename, unlink and rmdir run in that directory, each in
 * its own thread.
 *
 * On pdirfs with dirops=shared they take the i_rwsem shared too and
 * complete while the reader is frozen.  On tmpfs and on pdirfs with
 * dirops=exclusive they need it exclusive: each one is seen waiting in the
 * kernel (task state D) until the reader is let go, and then completes.
 * The pattern is that of tools/testing/selftests/filesystems/readdir_hold.h.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/userfaultfd.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define FAULT_MS	5000	/* for the reader to reach the fault */
#define SETTLE_MS	3000	/* for an operation to finish or sleep */

enum op_state { OP_RUNNING, OP_DONE, OP_BLOCKED };

struct dirop_thread {
	const char *what;
	int (*fn)(int dfd);
	int dfd;
	pthread_t thread;
	pid_t tid;
	int done;
	int ret;
};

static int op_create(int dfd)
{
	int fd = openat(dfd, "new", O_CREAT | O_EXCL | O_WRONLY, 0644);

	return fd < 0 ? -errno : close(fd);
}

static int op_mkdir(int dfd)
{
	return mkdirat(dfd, "newdir", 0755) ? -errno : 0;
}

static int op_symlink(int dfd)
{
	return symlinkat("target", dfd, "newlink") ? -errno : 0;
}

static int op_link(int dfd)
{
	return linkat(dfd, "linked", dfd, "hardlink", 0) ? -errno : 0;
}

static int op_rename(int dfd)
{
	return renameat(dfd, "from", dfd, "to") ? -errno : 0;
}

static int op_unlink(int dfd)
{
	return unlinkat(dfd, "victim", 0) ? -errno : 0;
}

static int op_rmdir(int dfd)
{
	return unlinkat(dfd, "emptydir", AT_REMOVEDIR) ? -errno : 0;
}

static void *op_main(void *arg)
{
	struct dirop_thread *t = arg;

	__atomic_store_n(&t->tid, syscall(__NR_gettid), __ATOMIC_RELEASE);
	t->ret = t->fn(t->dfd);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* 'D' if the thread sleeps in the kernel uninterruptibly */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* wait until the operation finished, or sleeps in D for 100 ms running */
static enum op_state settle(struct dirop_thread *t)
{
	int in_d = 0;

	for (int i = 0; i < SETTLE_MS / 10; i++) {
		pid_t tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE))
			return OP_DONE;
		in_d = tid && task_state(tid) == 'D' ? in_d + 1 : 0;
		if (in_d >= 10)
			return OP_BLOCKED;
		usleep(10000);
	}
	return OP_RUNNING;
}

struct frozen_reader {
	int uffd;
	long page_size;
	char *page;
	int dfd;
	pthread_t thread;
};

static void *reader_main(void *arg)
{
	struct frozen_reader *r = arg;

	/* the first entry copied out faults until released */
	syscall(__NR_getdents64, r->dfd, r->page, r->page_size);
	return NULL;
}

static int freeze_reader(struct frozen_reader *r, int dfd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct pollfd pfd;
	struct uffd_msg msg;

	r->dfd = dfd;
	r->page_size = sysconf(_SC_PAGESIZE);
	r->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (r->uffd < 0 || ioctl(r->uffd, UFFDIO_API, &api))
		return -1;
	r->page = mmap(NULL, r->page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->page == MAP_FAILED)
		return -1;
	reg.range.start = (unsigned long)r->page;
	reg.range.len = r->page_size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(r->uffd, UFFDIO_REGISTER, &reg))
		return -1;
	if (pthread_create(&r->thread, NULL, reader_main, r))
		return -1;
	pfd.fd = r->uffd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, FAULT_MS) != 1 ||
	    read(r->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return -1;
	return 0;
}

static void thaw_reader(struct frozen_reader *r)
{
	struct uffdio_copy cp = {
		.dst = (unsigned long)r->page,
		.len = r->page_size,
	};
	char *zero = calloc(1, r->page_size);

	cp.src = (unsigned long)zero;
	ioctl(r->uffd, UFFDIO_COPY, &cp);
	free(zero);
	pthread_join(r->thread, NULL);
	munmap(r->page, r->page_size);
	close(r->uffd);
}

FIXTURE(hold) {
	char dir[64];
	int dfd;
};

FIXTURE_VARIANT(hold) {
	const char *type;
	const char *opts;
	bool shared;	/* directory operations may run beside the reader */
};

FIXTURE_VARIANT_ADD(hold, pdirfs_shared_sync) {
	.type = "pdirfs", .opts = "dirops=shared,completion=sync", .shared = true,
};

FIXTURE_VARIANT_ADD(hold, pdirfs_shared_async) {
	.type = "pdirfs", .opts = "dirops=shared,completion=async", .shared = true,
};

FIXTURE_VARIANT_ADD(hold, pdirfs_shared_async_latency) {
	.type = "pdirfs", .opts = "completion=async,latency_us=2000", .shared = true,
};

FIXTURE_VARIANT_ADD(hold, pdirfs_exclusive) {
	.type = "pdirfs", .opts = "dirops=exclusive", .shared = false,
};

FIXTURE_VARIANT_ADD(hold, tmpfs) {
	.type = "tmpfs", .opts = "", .shared = false,
};

FIXTURE_SETUP(hold)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/hold-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, variant->opts));
	self->dfd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_GE(self->dfd, 0);
	/* what the operations work on */
	ASSERT_EQ(0, close(openat(self->dfd, "victim", O_CREAT | O_WRONLY, 0644)));
	ASSERT_EQ(0, mkdirat(self->dfd, "emptydir", 0755));
	ASSERT_EQ(0, close(openat(self->dfd, "from", O_CREAT | O_WRONLY, 0644)));
	ASSERT_EQ(0, close(openat(self->dfd, "linked", O_CREAT | O_WRONLY, 0644)));
}

FIXTURE_TEARDOWN(hold)
{
	close(self->dfd);
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(hold, dirops_beside_frozen_readdir)
{
	struct dirop_thread ops[] = {
		{ .what = "create", .fn = op_create },
		{ .what = "mkdir", .fn = op_mkdir },
		{ .what = "symlink", .fn = op_symlink },
		{ .what = "link", .fn = op_link },
		{ .what = "rename", .fn = op_rename },
		{ .what = "unlink", .fn = op_unlink },
		{ .what = "rmdir", .fn = op_rmdir },
	};
	const int n = sizeof(ops) / sizeof(ops[0]);
	struct frozen_reader r;
	struct stat st;

	ASSERT_EQ(0, fchdir(self->dfd));
	ASSERT_EQ(0, freeze_reader(&r, self->dfd)) {
		TH_LOG("could not freeze getdents64 in a userfaultfd fault");
	}
	for (int i = 0; i < n; i++) {
		enum op_state state;

		ops[i].dfd = self->dfd;
		ASSERT_EQ(0, pthread_create(&ops[i].thread, NULL, op_main, &ops[i]));
		state = settle(&ops[i]);
		TH_LOG("%s while the reader holds the directory: %s", ops[i].what,
		       state == OP_DONE ? "completed" :
		       state == OP_BLOCKED ? "waits (D)" : "still running");
		if (variant->shared) {
			EXPECT_EQ(OP_DONE, state);
			EXPECT_EQ(0, ops[i].ret);
		} else {
			EXPECT_EQ(OP_BLOCKED, state);
		}
	}
	thaw_reader(&r);
	for (int i = 0; i < n; i++) {
		pthread_join(ops[i].thread, NULL);
		EXPECT_EQ(0, ops[i].ret) {
			TH_LOG("%s: %s", ops[i].what, strerror(-ops[i].ret));
		}
	}
	/* every operation took effect exactly once */
	EXPECT_EQ(0, fstatat(self->dfd, "new", &st, 0));
	EXPECT_EQ(0, fstatat(self->dfd, "newdir", &st, 0));
	EXPECT_EQ(0, fstatat(self->dfd, "newlink", &st, AT_SYMLINK_NOFOLLOW));
	EXPECT_EQ(0, fstatat(self->dfd, "hardlink", &st, 0));
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(0, fstatat(self->dfd, "to", &st, 0));
	EXPECT_EQ(-1, fstatat(self->dfd, "from", &st, 0));
	EXPECT_EQ(-1, fstatat(self->dfd, "victim", &st, 0));
	EXPECT_EQ(-1, fstatat(self->dfd, "emptydir", &st, 0));
	ASSERT_EQ(0, chdir("/"));
}

TEST_HARNESS_MAIN
