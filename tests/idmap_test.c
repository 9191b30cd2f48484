// SPDX-License-Identifier: GPL-2.0
/*
 * Idmapped mounts (FS_ALLOW_IDMAP): the filesystem mounted at a/ is also
 * mounted, idmapped, at b/ with a user namespace mapping ids 0-999 to
 * 10000-10999.  Through b/, what a/ stores as owner N is seen as 10000+N,
 * files created by a caller with fsuid 10000+N are stored as owned by N on
 * every creating path (open(O_CREAT), which on a shared-locked pdirfs is
 * ->atomic_open, mkdir, mknod, symlink, O_TMPFILE + linkat), chown through
 * b/ maps back, and a caller whose ids have no mapping cannot create
 * (EOVERFLOW) and leaves nothing behind.  Run on pdirfs in each mode and on
 * tmpfs, the reference.
 */
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define MAP_BASE 10000

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_open_tree, dfd, path, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
			     struct mount_attr *attr, size_t size)
{
	return syscall(__NR_mount_setattr, dfd, path, flags, attr, size);
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			  unsigned int flags)
{
	return syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* A user namespace mapping 0-999 to MAP_BASE..MAP_BASE+999; its fd, or -1. */
static int make_userns(void)
{
	char path[64], map[64];
	int ready[2], hold[2], fd = -1;
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(hold))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWUSER))
			_exit(1);
		c = 'r';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		/* stay until the parent has the namespace's fd */
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	snprintf(map, sizeof(map), "0 %d 1000\n", MAP_BASE);
	if (read(ready[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
		if (!write_str(path, map)) {
			snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
			if (!write_str(path, map)) {
				snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
				fd = open(path, O_RDONLY | O_CLOEXEC);
			}
		}
	}
	close(hold[1]);
	close(ready[0]);
	waitpid(pid, NULL, 0);
	return fd;
}

FIXTURE(idmap) {
	char base[64], a[80], b[80];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(idmap);

FIXTURE_SETUP(idmap)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	int tree;

	snprintf(self->base, sizeof(self->base), "/tmp/idmap-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->base));
	/* the tests' unprivileged callers walk through it */
	ASSERT_EQ(0, chmod(self->base, 0755));
	snprintf(self->a, sizeof(self->a), "%s/a", self->base);
	snprintf(self->b, sizeof(self->b), "%s/b", self->base);
	ASSERT_EQ(0, mkdir(self->a, 0755));
	ASSERT_EQ(0, mkdir(self->b, 0755));
	ASSERT_EQ(0, mount(variant->type, self->a, variant->type, 0, variant->opts));
	/* a directory everyone may create in, seen through both mounts */
	ASSERT_EQ(0, chdir(self->a));
	ASSERT_EQ(0, mkdir("open", 0777));
	ASSERT_EQ(0, chmod("open", 0777));
	attr.userns_fd = make_userns();
	ASSERT_LE(0, attr.userns_fd);
	tree = sys_open_tree(AT_FDCWD, self->a, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	ASSERT_LE(0, tree);
	ASSERT_EQ(0, sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)));
	ASSERT_EQ(0, sys_move_mount(tree, "", AT_FDCWD, self->b, MOVE_MOUNT_F_EMPTY_PATH));
	close(tree);
	close(attr.userns_fd);
	ASSERT_EQ(0, chdir(self->base));
}

FIXTURE_TEARDOWN(idmap)
{
	chdir("/");
	umount2(self->b, MNT_DETACH);
	umount2(self->a, MNT_DETACH);
	rmdir(self->b);
	rmdir(self->a);
	rmdir(self->base);
}

static void expect_owner(struct __test_metadata *_metadata, const char *path,
			 uid_t uid, gid_t gid)
{
	struct stat st;

	ASSERT_EQ(0, lstat(path, &st)) TH_LOG("lstat %s: %s", path, strerror(errno));
	EXPECT_EQ(uid, st.st_uid) TH_LOG("%s", path);
	EXPECT_EQ(gid, st.st_gid) TH_LOG("%s", path);
}

/*
 * Runs the creating calls of the test in a child with ids `id`: each name
 * under dir, one per creating path.  Returns the child's exit status: the
 * number of calls that did not give `want_errno` (0: success wanted).
 */
static int create_all_as(const char *dir, unsigned int id, int want_errno)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char p[160], q[160];
		int bad = 0, fd, r;

		if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id))
			_exit(100);
#define CHECK(call) do {						\
		errno = 0;						\
		r = (call);						\
		if (want_errno ? (r != -1 || errno != want_errno) : r < 0) { \
			fprintf(stderr, "# as %u: %s: %s\n", id, #call, strerror(errno)); \
			bad++;						\
		}							\
	} while (0)
		snprintf(p, sizeof(p), "%s/file", dir);
		CHECK(fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644));
		if (fd >= 0)
			close(fd);
		snprintf(p, sizeof(p), "%s/dir", dir);
		CHECK(mkdir(p, 0755));
		snprintf(p, sizeof(p), "%s/fifo", dir);
		CHECK(mknod(p, S_IFIFO | 0644, 0));
		snprintf(p, sizeof(p), "%s/symlink", dir);
		CHECK(symlink("target", p));
		/*
		 * vfs_tmpfile() does not check that the caller's ids map (the
		 * file has no name yet): the refusal comes with the linkat().
		 */
		fd = open(dir, O_TMPFILE | O_WRONLY, 0600);
		if (fd < 0 && !want_errno) {
			fprintf(stderr, "# as %u: O_TMPFILE: %s\n", id, strerror(errno));
			bad++;
		}
		if (fd >= 0) {
			snprintf(q, sizeof(q), "%s/tmpfile", dir);
			CHECK(linkat(fd, "", AT_FDCWD, q, AT_EMPTY_PATH));
			close(fd);
		}
#undef CHECK
		_exit(bad);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static const char *const created[] = { "file", "dir", "fifo", "symlink", "tmpfile" };

TEST_F(idmap, owners_are_seen_mapped)
{
	char pa[128], pb[128];
	struct stat st;

	snprintf(pa, sizeof(pa), "%s/root-owned", self->a);
	ASSERT_EQ(0, write_file(pa, "x"));
	expect_owner(_metadata, pa, 0, 0);
	snprintf(pb, sizeof(pb), "%s/root-owned", self->b);
	expect_owner(_metadata, pb, MAP_BASE, MAP_BASE);

	snprintf(pa, sizeof(pa), "%s/five", self->a);
	ASSERT_EQ(0, write_file(pa, "x"));
	ASSERT_EQ(0, chown(pa, 5, 6));
	snprintf(pb, sizeof(pb), "%s/five", self->b);
	expect_owner(_metadata, pb, MAP_BASE + 5, MAP_BASE + 6);

	/* ids outside the mapping show as the overflow id */
	snprintf(pa, sizeof(pa), "%s/far", self->a);
	ASSERT_EQ(0, write_file(pa, "x"));
	ASSERT_EQ(0, chown(pa, 2000, 2000));
	snprintf(pb, sizeof(pb), "%s/far", self->b);
	ASSERT_EQ(0, lstat(pb, &st));
	EXPECT_EQ(65534, st.st_uid);
	EXPECT_EQ(65534, st.st_gid);
}

TEST_F(idmap, creations_are_stored_unmapped)
{
	char dir[128], pa[160], pb[160];

	snprintf(dir, sizeof(dir), "%s/open", self->b);
	ASSERT_EQ(0, create_all_as(dir, MAP_BASE + 7, 0));
	for (unsigned int i = 0; i < ARRAY_SIZE(created); i++) {
		snprintf(pa, sizeof(pa), "%s/open/%s", self->a, created[i]);
		expect_owner(_metadata, pa, 7, 7);
		snprintf(pb, sizeof(pb), "%s/open/%s", self->b, created[i]);
		expect_owner(_metadata, pb, MAP_BASE + 7, MAP_BASE + 7);
	}
	/* the same caller through the plain mount stores its own ids */
	snprintf(dir, sizeof(dir), "%s/open/dir", self->a);
	ASSERT_EQ(0, chmod(dir, 0777));
	ASSERT_EQ(0, create_all_as(dir, MAP_BASE + 7, 0));
	snprintf(pa, sizeof(pa), "%s/open/dir/file", self->a);
	expect_owner(_metadata, pa, MAP_BASE + 7, MAP_BASE + 7);
}

TEST_F(idmap, unmapped_caller_cannot_create)
{
	char dir[128], pa[160];
	struct stat st;

	/* 20000 has no mapping; neither has root (0) in this idmap */
	snprintf(dir, sizeof(dir), "%s/open", self->b);
	EXPECT_EQ(0, create_all_as(dir, 20000, EOVERFLOW));
	EXPECT_EQ(0, create_all_as(dir, 0, EOVERFLOW));
	for (unsigned int i = 0; i < ARRAY_SIZE(created); i++) {
		snprintf(pa, sizeof(pa), "%s/open/%s", self->a, created[i]);
		EXPECT_EQ(-1, lstat(pa, &st)) TH_LOG("%s exists", pa);
	}
}

TEST_F(idmap, chown_maps_back)
{
	char pa[128], pb[128];

	snprintf(pa, sizeof(pa), "%s/owned", self->a);
	ASSERT_EQ(0, write_file(pa, "x"));
	snprintf(pb, sizeof(pb), "%s/owned", self->b);
	ASSERT_EQ(0, chown(pb, MAP_BASE + 3, MAP_BASE + 4));
	expect_owner(_metadata, pa, 3, 4);
	expect_owner(_metadata, pb, MAP_BASE + 3, MAP_BASE + 4);
	/* to an id the idmap cannot express: refused, owner unchanged */
	EXPECT_EQ(-1, chown(pb, 20000, 20000));
	EXPECT_EQ(EOVERFLOW, errno);
	expect_owner(_metadata, pa, 3, 4);
}

TEST_HARNESS_MAIN
