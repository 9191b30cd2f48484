// SPDX-License-Identifier: GPL-2.0
/*
 * Hard memory limits: every way a user with write access can make a mount
 * pin memory, tried on pdirfs and on tmpfs in the same boot, asserting the
 * memory actually taken, not only the return codes.
 *
 * A RAM filesystem's pages cannot be reclaimed, so `size=` and `nr_inodes=`
 * are what stops one user from taking the machine.  Each probe below tries
 * to pin several times the limit through one path (write, fallocate, write
 * and read faults of a mapping, reads of holes, read-ahead, splice,
 * sendfile, copy_file_range, truncate, symlink targets, xattrs, inodes,
 * hard links, O_TMPFILE) and checks that the memory charged to the test's
 * own memory cgroup (memory.current: page cache and accounted kernel
 * objects) grew by at most the limit plus SLACK, and that statfs() says
 * what is pinned.  Racers hit the limit from several processes at once.
 * Last, a memory cgroup's memory.max must hold for what its tasks store
 * in the filesystem, data and metadata, in each directory-operation mode
 * (in completion=async a work item does the operation: its allocations
 * must still be charged to the caller).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <dirent.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define MiB (1024LL * 1024)
#define PAGE 4096LL
/* The size= of the probes' mounts. */
#define LIMIT (8 * MiB)
/*
 * What besides the file data a probe may charge to its cgroup: the test's
 * own buffers and page tables, inodes, dentries, the filesystem's index.
 * Measured: under 300 KiB on both filesystems.
 */
#define SLACK (2 * MiB)
/* memcg charge batches that may sit between two readings (64 pages x 2 CPUs x 2). */
#define CHARGE_BATCHES (1 * MiB)
#define CGROOT "/sys/fs/cgroup"

FIXTURE(limits) {
	char dir[64];
	char cg[96];
};

PDIRFS_AND_TMPFS_VARIANTS(limits);

/* Mounts cgroup2 and enables the memory controller for child groups. */
static int cgroup_setup(void)
{
	mkdir(CGROOT, 0755);
	if (access(CGROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
		return -1;
	return write_file(CGROOT "/cgroup.subtree_control", "+memory");
}

static long long read_ll(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	if (!strncmp(buf, "max", 3))
		return -2;
	return atoll(buf);
}

static long long cg_value(const char *cg, const char *file)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return read_ll(path);
}

/* Moves the calling process into cgroup directory cg. */
static int cg_enter(const char *cg)
{
	char path[160], pid[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

/* Bytes charged to the test's cgroup now. */
static long long charged(FIXTURE_DATA(limits) *self)
{
	return cg_value(self->cg, "memory.current");
}

/* Bytes the mount at dir reports in use. */
static long long used(const char *dir)
{
	struct statfs st;

	if (statfs(dir, &st))
		return -1;
	return (long long)(st.f_blocks - st.f_bfree) * st.f_bsize;
}

static void mount_limited(struct __test_metadata *_metadata,
			  FIXTURE_DATA(limits) *self, const char *type, const char *opts)
{
	umount2(self->dir, MNT_DETACH);
	ASSERT_EQ(0, mount(type, self->dir, type, 0, opts)) TH_LOG("%s", opts);
}

FIXTURE_SETUP(limits)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/limits-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, "size=8m,nr_inodes=100000"));
	ASSERT_EQ(0, cgroup_setup()) TH_LOG("cgroup2 with the memory controller");
	snprintf(self->cg, sizeof(self->cg), CGROOT "/limits-%d", getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755));
	ASSERT_EQ(0, cg_enter(self->cg));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(limits)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
	cg_enter(CGROOT);
	rmdir(self->cg);
}

/* The memory taken by a probe must stay within the limit plus SLACK. */
#define EXPECT_PINNED_AT_MOST(base, limit)					\
	do {									\
		long long _now = charged(self);					\
		TH_LOG("%s: charged %+lld KiB, statfs used %lld KiB",		\
		       variant->type, (_now - (base)) / 1024, used(self->dir) / 1024); \
		EXPECT_LE(_now - (base), (limit) + SLACK);			\
		EXPECT_LE(used(self->dir), (limit));				\
	} while (0)

/* Writes n bytes of 'x' at off; bytes written (short at ENOSPC). */
static long long fill(int fd, long long off, long long n)
{
	static char buf[64 * 1024];
	long long done = 0;

	memset(buf, 'x', sizeof(buf));
	while (done < n) {
		ssize_t w = pwrite(fd, buf, n - done < (long long)sizeof(buf) ?
				   n - done : (long long)sizeof(buf), off + done);
		if (w <= 0)
			break;
		done += w;
	}
	return done;
}

TEST_F(limits, write)
{
	long long base = charged(self), n;
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	ASSERT_GE(fd, 0);
	n = fill(fd, 0, 4 * LIMIT);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_LE(n, LIMIT);
	EXPECT_GE(n, LIMIT - 64 * 1024);
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	close(fd);
	/* Removing the file gives everything back. */
	ASSERT_EQ(0, unlink("f"));
	EXPECT_EQ(0, used(self->dir));
	EXPECT_LE(charged(self) - base, SLACK);
}

TEST_F(limits, fallocate)
{
	long long base = charged(self);
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	ASSERT_GE(fd, 0);
	/* Fifty times the limit: refused at once, nothing allocated. */
	EXPECT_EQ(-1, fallocate(fd, 0, 0, 50 * LIMIT));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 50 * LIMIT));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_LE(charged(self) - base, SLACK);
	EXPECT_EQ(0, used(self->dir));
	/* What fits is allocated, and counted. */
	ASSERT_EQ(0, fallocate(fd, 0, 0, LIMIT / 2));
	EXPECT_EQ(LIMIT / 2, used(self->dir));
	/*
	 * memory.current moves in per-CPU batches (MEMCG_CHARGE_BATCH, 64
	 * pages): the base may already hold pages charged ahead, so the
	 * growth seen can fall short of the allocation by a batch per CPU.
	 */
	EXPECT_GE(charged(self) - base, LIMIT / 2 - CHARGE_BATCHES);
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_KEEP_SIZE, LIMIT / 2, LIMIT / 4));
	EXPECT_EQ(3 * LIMIT / 4, used(self->dir));
	/* The rest of the limit, then not one page more. */
	ASSERT_EQ(0, fallocate(fd, 0, 0, LIMIT));
	EXPECT_EQ(-1, fallocate(fd, 0, LIMIT, PAGE));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	/* Punching a hole gives its pages back, memory included. */
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, LIMIT / 2));
	EXPECT_EQ(LIMIT / 2, used(self->dir));
	EXPECT_LE(charged(self) - base, LIMIT / 2 + SLACK);
	close(fd);
}

/* An unprivileged user gets no more than root. */
TEST_F(limits, fallocate_unprivileged)
{
	long long base = charged(self);
	int status;
	pid_t pid;

	ASSERT_EQ(0, chmod(self->dir, 01777));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		fd = open("mine", O_RDWR | O_CREAT, 0644);
		if (fd < 0)
			_exit(3);
		if (fallocate(fd, 0, 0, 50 * LIMIT) == 0 || errno != ENOSPC)
			_exit(4);
		_exit(fill(fd, 0, 4 * LIMIT) <= LIMIT ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_PINNED_AT_MOST(base, LIMIT);
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/*
 * Touches every page of a mapping of a sparse 4 x LIMIT file (writing if
 * write) until SIGBUS; returns the number of pages touched and whether
 * SIGBUS came.
 */
static long long touch_pages(int fd, int flags, bool write, bool *sigbus)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile long long i = 0;
	volatile char sink = 0;
	long long pages = 4 * LIMIT / PAGE;
	char *p;

	*sigbus = false;
	p = mmap(NULL, 4 * LIMIT, write ? PROT_READ | PROT_WRITE : PROT_READ, flags, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1) == 0) {
		for (; i < pages; i++) {
			if (write)
				p[i * PAGE] = 'w';
			else
				sink += p[i * PAGE];
		}
	} else {
		*sigbus = true;
	}
	sigaction(SIGBUS, &old, NULL);
	munmap(p, 4 * LIMIT);
	return sink == 0 ? i : -1;
}

TEST_F_TIMEOUT(limits, mmap_write_faults, 120)
{
	long long base = charged(self), n;
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	bool sigbus;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 4 * LIMIT));
	n = touch_pages(fd, MAP_SHARED, true, &sigbus);
	TH_LOG("%s: %lld pages written through the mapping, then %s", variant->type, n,
	       sigbus ? "SIGBUS" : "no SIGBUS");
	EXPECT_TRUE(sigbus);
	EXPECT_LE(n, LIMIT / PAGE);
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	close(fd);
}

/*
 * Read faults of holes: both filesystems add a page for each (tmpfs'
 * shmem_fault() too), so they must be charged like written ones.
 */
TEST_F_TIMEOUT(limits, mmap_read_faults, 120)
{
	long long base = charged(self), n;
	int fd = open("f", O_RDWR | O_CREAT, 0644);
	bool sigbus;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 4 * LIMIT));
	n = touch_pages(fd, MAP_SHARED, false, &sigbus);
	TH_LOG("%s: shared: %lld pages read, %s", variant->type, n, sigbus ? "SIGBUS" : "no SIGBUS");
	EXPECT_GE(n, 0);
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	n = touch_pages(fd, MAP_PRIVATE, false, &sigbus);
	TH_LOG("%s: private: %lld pages read, %s", variant->type, n, sigbus ? "SIGBUS" : "no SIGBUS");
	EXPECT_GE(n, 0);
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	/* Private write faults copy into anonymous memory, not the file. */
	close(fd);
}

/* Reading holes, by read(2), read-ahead hints or splice, allocates nothing. */
TEST_F_TIMEOUT(limits, reads_of_holes, 120)
{
	static char buf[256 * 1024];
	long long base = charged(self), total = 0, sent = 0;
	int fd = open("f", O_RDWR | O_CREAT, 0644), null;
	ssize_t r;
	char *p;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 8 * LIMIT));
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i += 512)
			ASSERT_EQ(0, buf[i]);
		total += r;
	}
	EXPECT_EQ(8 * LIMIT, total);
	EXPECT_EQ(0, readahead(fd, 0, 8 * LIMIT));
	EXPECT_EQ(0, posix_fadvise(fd, 0, 8 * LIMIT, POSIX_FADV_WILLNEED));
	p = mmap(NULL, 8 * LIMIT, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, madvise(p, 8 * LIMIT, MADV_WILLNEED));
	munmap(p, 8 * LIMIT);
	/* sendfile() reads through splice. */
	null = open("/dev/null", O_WRONLY);
	ASSERT_GE(null, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	while ((r = sendfile(null, fd, NULL, 1 << 20)) > 0)
		sent += r;
	EXPECT_EQ(8 * LIMIT, sent);
	close(null);
	EXPECT_EQ(0, used(self->dir));
	EXPECT_LE(charged(self) - base, SLACK);
	TH_LOG("%s: after reading 64 MiB of holes: charged %+lld KiB", variant->type,
	       (charged(self) - base) / 1024);
	close(fd);
}

/* Copies into a file, from holes and from a pipe, stop at the limit. */
TEST_F_TIMEOUT(limits, splice_and_copy_file_range, 120)
{
	long long base = charged(self), copied = 0;
	int src = open("sparse", O_RDWR | O_CREAT, 0644);
	int dst = open("copy", O_RDWR | O_CREAT, 0644);
	int dst2 = open("spliced", O_RDWR | O_CREAT, 0644);
	int pfd[2];
	ssize_t r;

	ASSERT_GE(src, 0);
	ASSERT_GE(dst, 0);
	ASSERT_GE(dst2, 0);
	ASSERT_EQ(0, ftruncate(src, 4 * LIMIT));
	while ((r = copy_file_range(src, NULL, dst, NULL, 1 << 20, 0)) > 0)
		copied += r;
	TH_LOG("%s: copy_file_range copied %lld KiB, then %s", variant->type, copied / 1024,
	       r < 0 ? strerror(errno) : "EOF");
	EXPECT_LE(copied, LIMIT);
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	ASSERT_EQ(0, ftruncate(dst, 0));
	EXPECT_EQ(0, used(self->dir));

	ASSERT_EQ(0, pipe(pfd));
	copied = 0;
	for (;;) {
		static char buf[65536];

		memset(buf, 's', sizeof(buf));
		if (write(pfd[1], buf, sizeof(buf)) != sizeof(buf))
			break;
		r = splice(pfd[0], NULL, dst2, NULL, sizeof(buf), 0);
		if (r <= 0)
			break;
		copied += r;
		if (copied > 4 * LIMIT)
			break;
	}
	TH_LOG("%s: splice from a pipe stored %lld KiB", variant->type, copied / 1024);
	EXPECT_LE(copied, LIMIT);
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	close(pfd[0]);
	close(pfd[1]);
	close(src);
	close(dst);
	close(dst2);
}

/* Truncating up allocates nothing; truncating down gives pages back. */
TEST_F(limits, truncate)
{
	long long base = charged(self);
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 1LL << 40));
	EXPECT_EQ(0, used(self->dir));
	EXPECT_LE(charged(self) - base, SLACK);
	EXPECT_EQ(LIMIT, fill(fd, 0, LIMIT));
	EXPECT_EQ(LIMIT, used(self->dir));
	ASSERT_EQ(0, ftruncate(fd, LIMIT / 4 + 1));
	EXPECT_EQ(LIMIT / 4 + PAGE, used(self->dir));
	EXPECT_LE(charged(self) - base, LIMIT / 4 + SLACK);
	ASSERT_EQ(0, ftruncate(fd, 0));
	EXPECT_EQ(0, used(self->dir));
	EXPECT_LE(charged(self) - base, SLACK);
	close(fd);
}

/*
 * Long symlink targets take a page each on both filesystems: they count
 * against size=.  On a 2 MiB mount, 4 x as many as fit are tried.
 */
TEST_F_TIMEOUT(limits, symlink_targets, 120)
{
	static char target[4000];
	long long base, made = 0, limit = 2 * MiB;
	char name[32];

	mount_limited(_metadata, self, variant->type, "size=2m,nr_inodes=100000");
	ASSERT_EQ(0, chdir("/"));
	ASSERT_EQ(0, chdir(self->dir));
	base = charged(self);
	memset(target, 't', sizeof(target) - 1);
	for (int i = 0; i < 4 * limit / PAGE; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		if (symlink(target, name)) {
			EXPECT_EQ(ENOSPC, errno);
			break;
		}
		made++;
	}
	TH_LOG("%s: %lld symlinks of 4000 bytes", variant->type, made);
	EXPECT_LE(made, limit / PAGE);
	EXPECT_GE(made, limit / PAGE - 16);
	/* Each symlink also has an inode and a dentry: 2 KiB allowed each. */
	EXPECT_PINNED_AT_MOST(base, limit + made * 2048);
}

/*
 * What an inode and what a further hard link cost in kernel memory, both
 * with 200-byte names, charged to the creator's cgroup: the figure behind
 * "what a user can pin" in Documentation/pdirfs.rst.  Reported for both
 * filesystems; bounded so that a regression (an unaccounted or bloated
 * object) shows.
 */
TEST_F_TIMEOUT(limits, cost_of_an_inode_and_a_link, 120)
{
	long long base, files, links;
	char name[300];
	int n = 2000;

	base = charged(self);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%0199d", i);
		ASSERT_EQ(0, write_file(name, ""));
	}
	files = charged(self) - base;
	base = charged(self);
	for (int i = 0; i < n; i++) {
		char target[300];

		snprintf(target, sizeof(target), "f%0199d", i);
		snprintf(name, sizeof(name), "l%0199d", i);
		ASSERT_EQ(0, link(target, name));
	}
	links = charged(self) - base;
	TH_LOG("%s: %lld bytes per inode, %lld bytes per further link (200-byte names)",
	       variant->type, files / n, links / n);
	EXPECT_LE(files / n, 4096);
	EXPECT_LE(links / n, 2048);
	/* Accounted at all: a name alone is 200 bytes. */
	EXPECT_GE(links / n, 200);
}

/*
 * nr_inodes bounds inodes, hard links (each an entry and a name) and
 * extended attributes together, as tmpfs' inode space does.
 */
FIXTURE(ispace) {
	char dir[64];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(ispace);

FIXTURE_SETUP(ispace)
{
	char opts[64];

	snprintf(self->dir, sizeof(self->dir), "/tmp/ispace-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "nr_inodes=50%s%s", *variant->opts ? "," : "", variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(ispace)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

static int count_until_enospc(int (*make)(int i), int most)
{
	int i;

	for (i = 0; i < most; i++)
		if (make(i))
			return errno == ENOSPC ? i : -errno;
	return i;
}

static int make_file(int i)
{
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "f%d", i);
	fd = open(name, O_CREAT | O_WRONLY, 0644);
	return fd < 0 ? -1 : close(fd);
}

static int make_link(int i)
{
	char name[300];

	/* Long names: what an index entry costs besides the inode. */
	snprintf(name, sizeof(name), "%0200d", i);
	return link("f0", name);
}

static int make_tmpfile(int i)
{
	/* Left open: each is a live inode until the test exits. */
	return open(".", O_TMPFILE | O_RDWR, 0600) < 0 ? -1 : 0;
}

TEST_F(ispace, inodes)
{
	int n = count_until_enospc(make_file, 1000);

	TH_LOG("%s %s: %d files", variant->type, variant->opts, n);
	EXPECT_GE(n, 45);
	EXPECT_LE(n, 50);
}

TEST_F(ispace, hard_links)
{
	int n;

	ASSERT_EQ(0, make_file(0));
	n = count_until_enospc(make_link, 1000);
	TH_LOG("%s %s: %d links to one file", variant->type, variant->opts, n);
	EXPECT_GE(n, 40);
	EXPECT_LE(n, 50);
	/* Removing a link gives its space back: one more can be made. */
	ASSERT_EQ(0, unlink("f0"));
	EXPECT_EQ(0, make_file(0));
}

TEST_F(ispace, tmpfiles)
{
	int n = count_until_enospc(make_tmpfile, 1000);

	TH_LOG("%s %s: %d O_TMPFILE files", variant->type, variant->opts, n);
	EXPECT_GE(n, 45);
	EXPECT_LE(n, 50);
}

TEST_F(ispace, xattrs)
{
	static char value[8192];
	char name[32];
	int i;

	ASSERT_EQ(0, make_file(0));
	memset(value, 'v', sizeof(value));
	/* 50 inodes of space is 50 KiB: at most six 8 KiB values fit. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "user.x%d", i);
		if (setxattr("f0", name, value, sizeof(value), 0))
			break;
	}
	TH_LOG("%s %s: %d xattrs of 8 KiB", variant->type, variant->opts, i);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_GE(i, 4);
	EXPECT_LE(i, 6);
	/* Removing one frees its space. */
	ASSERT_EQ(0, removexattr("f0", "user.x0"));
	EXPECT_EQ(0, setxattr("f0", "user.again", value, sizeof(value), 0));
}

/*
 * Racers: writers, faulters and fallocators in separate processes reach
 * the limit together; together they must not overshoot it.
 */
TEST_F_TIMEOUT(limits, racers_at_the_limit, 120)
{
	long long base = charged(self);
	pid_t pids[6];
	int status;

	for (int k = 0; k < 6; k++) {
		pids[k] = fork();
		ASSERT_GE(pids[k], 0);
		if (pids[k] == 0) {
			char name[16];
			int fd;
			bool sigbus;

			snprintf(name, sizeof(name), "r%d", k);
			fd = open(name, O_RDWR | O_CREAT, 0644);
			if (fd < 0)
				_exit(1);
			switch (k % 3) {
			case 0:
				fill(fd, 0, 4 * LIMIT);
				break;
			case 1:
				if (ftruncate(fd, 4 * LIMIT))
					_exit(1);
				touch_pages(fd, MAP_SHARED, true, &sigbus);
				break;
			case 2:
				for (long long off = 0; off < 4 * LIMIT; off += PAGE)
					if (fallocate(fd, 0, off, PAGE))
						break;
				break;
			}
			_exit(0);
		}
	}
	for (int k = 0; k < 6; k++) {
		ASSERT_EQ(pids[k], waitpid(pids[k], &status, 0));
		EXPECT_EQ(0, status);
	}
	EXPECT_PINNED_AT_MOST(base, LIMIT);
	/* Full to the page: the racers left no room and took none too many. */
	EXPECT_GE(used(self->dir), LIMIT - 6 * 64 * 1024);
}

/*
 * memory.max of a cgroup holds for what its tasks store in the
 * filesystem: on an unlimited mount (size=0, nr_inodes=0) a child in a
 * cgroup limited to CG_MAX tries to store much more, as data and as
 * metadata (hard links with long names: index entries, which the dcache
 * does not hold), and fails or is killed by the cgroup's OOM killer, with
 * the cgroup's peak within its limit.
 */
#define CG_MAX (8 * MiB)

FIXTURE(memcg) {
	char dir[64];
	char cg[96];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(memcg);

FIXTURE_SETUP(memcg)
{
	char opts[64], max[32];

	snprintf(self->dir, sizeof(self->dir), "/tmp/memcg-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "size=0,nr_inodes=0%s%s", *variant->opts ? "," : "",
		 variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	ASSERT_EQ(0, cgroup_setup());
	snprintf(self->cg, sizeof(self->cg), CGROOT "/memcg-%d", getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755));
	snprintf(max, sizeof(max), "%lld", CG_MAX);
	ASSERT_EQ(0, write_file(strcat(strcpy(opts, self->cg), "/memory.max"), max));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(memcg)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
	rmdir(self->cg);
}

static void kmsg(const char *s)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		write(fd, s, strlen(s));
		close(fd);
	}
}

/*
 * Runs fn in a child inside the limited cgroup; its exit status or signal.
 * The cgroup's OOM killer may fire: its report (with a stack trace) is
 * announced to the kernel log so that scripts/vm-results.py does not take
 * it for a splat.
 */
static int run_in_cgroup(FIXTURE_DATA(memcg) *self, int (*fn)(void))
{
	int status = -1;
	pid_t pid;

	kmsg("pdirfs-test: expected-oom-begin\n");
	pid = fork();
	if (pid == 0) {
		if (cg_enter(self->cg))
			_exit(100);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	kmsg("pdirfs-test: expected-oom-end\n");
	return status;
}

static int store_data(void)
{
	int fd = open("data", O_RDWR | O_CREAT, 0644);

	if (fd < 0)
		return 2;
	/* 4 x memory.max of data: must fail (ENOMEM) or be killed. */
	return fill(fd, 0, 4 * CG_MAX) < 4 * CG_MAX ? 0 : 1;
}

static int store_links(void)
{
	int i;

	if (make_file(0))
		return 2;
	/*
	 * 30,000 links with 200-byte names: over 11 MiB of index entries and
	 * names in pdirfs (on tmpfs, of pinned dentries), beyond the limit.
	 */
	for (i = 0; i < 30000; i++)
		if (make_link(i))
			return errno == ENOMEM ? 0 : 3;
	return 1;
}

/* Entries in the current directory. */
static long entries(void)
{
	DIR *d = opendir(".");
	long n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n - 2;
}

static void check_stopped(struct __test_metadata *_metadata, FIXTURE_DATA(memcg) *self,
			  const FIXTURE_VARIANT(memcg) *variant, const char *what, int status)
{
	long long peak = cg_value(self->cg, "memory.peak");
	struct stat st = { 0 };

	stat("data", &st);
	TH_LOG("%s %s: %s: %s %d; %ld entries, %lld KiB of data; cgroup peak %lld KiB, now %lld KiB",
	       variant->type, variant->opts, what,
	       WIFSIGNALED(status) ? "killed by signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), entries(),
	       (long long)st.st_size / 1024, peak / 1024,
	       cg_value(self->cg, "memory.current") / 1024);
	/* Stopped: by an error (exit 0) or by the OOM killer. */
	EXPECT_TRUE(WIFSIGNALED(status) ? WTERMSIG(status) == SIGKILL : WEXITSTATUS(status) == 0);
	EXPECT_LE(peak, CG_MAX);
	/* And the memory really was charged there, not somewhere else. */
	EXPECT_GE(peak, CG_MAX / 2);
}

TEST_F_TIMEOUT(memcg, file_data, 120)
{
	check_stopped(_metadata, self, variant, "data", run_in_cgroup(self, store_data));
	ASSERT_EQ(0, unlink("data"));
}

TEST_F_TIMEOUT(memcg, hard_links, 300)
{
	check_stopped(_metadata, self, variant, "hard links", run_in_cgroup(self, store_links));
}

TEST_HARNESS_MAIN
