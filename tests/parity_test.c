// SPDX-License-Identifier: GPL-2.0
/*
 * tmpfs features that pdirfs offers the same way, checked on both in the
 * same boot (fstests and users expect them of a memory filesystem):
 *
 * - open(O_DIRECT) is accepted, and I/O through it is ordinary buffered
 *   I/O: no alignment rules, reads see writes made either way;
 * - FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE) zeroes the range, keeps the
 *   size, frees whole pages and zeroes partial ones; without KEEP_SIZE it
 *   is refused (EOPNOTSUPP), and other modes tmpfs lacks are refused too;
 * - inode flags (chattr): immutable, append-only, no-dump and no-atime are
 *   stored and the first two enforced on every path, new entries inherit
 *   no-dump and no-atime from their directory, flags tmpfs lacks are
 *   refused, and only CAP_LINUX_IMMUTABLE may set immutable or append;
 * - statx() reports the birth time and the flags as attributes, statfs()
 *   a file system id of its own for each mount;
 * - truncate(2) that changes the size changes ctime and mtime (POSIX;
 *   fstests generic/313 found pdirfs left both); ftruncate(2) changes
 *   both whatever the size;
 * - every change of a file's data by a user without CAP_FSETID drops
 *   setuid and setgid, fallocate() and hole punching included;
 * - leases on files and delegations on directories, broken as on tmpfs.
 */
#include <linux/fs.h>
#include <grp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define PAGE 4096

FIXTURE(parity) {
	char dir[64];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(parity);

FIXTURE_SETUP(parity)
{
	char opts[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/parity-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "size=16m%s%s", *variant->opts ? "," : "", variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(parity)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(parity, o_direct_is_buffered)
{
	char buf[PAGE + 7], back[PAGE + 7];
	int fd, fd2;

	fd = open("d", O_RDWR | O_CREAT | O_DIRECT, 0644);
	ASSERT_GE(fd, 0) TH_LOG("open(O_DIRECT): %s", strerror(errno));
	memset(buf, 'o', sizeof(buf));
	/* Unaligned offset, length and buffer: no block device rules. */
	ASSERT_EQ((ssize_t)sizeof(buf) - 1, pwrite(fd, buf + 1, sizeof(buf) - 1, 3));
	fd2 = open("d", O_RDONLY);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ((ssize_t)sizeof(buf) - 1, pread(fd2, back, sizeof(back), 3));
	EXPECT_EQ(0, memcmp(buf + 1, back, sizeof(buf) - 1));
	close(fd2);
	/* And the other way round: a buffered write, a direct read. */
	fd2 = open("d", O_WRONLY);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(5, pwrite(fd2, "hello", 5, 1));
	ASSERT_EQ(5, pread(fd, back, 5, 1));
	EXPECT_EQ(0, memcmp("hello", back, 5));
	EXPECT_EQ(O_DIRECT, fcntl(fd, F_GETFL) & O_DIRECT);
	close(fd);
	close(fd2);
}

static long long used_kb(void)
{
	struct statfs st;

	if (statfs(".", &st))
		return -1;
	return (long long)(st.f_blocks - st.f_bfree) * st.f_bsize / 1024;
}

TEST_F(parity, punch_hole)
{
	static char buf[4 * PAGE], back[4 * PAGE];
	struct stat st;
	int fd = open("p", O_RDWR | O_CREAT, 0644);

	ASSERT_GE(fd, 0);
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(16, used_kb());
	/* Without KEEP_SIZE: refused, as on tmpfs. */
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, PAGE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* From the middle of page 0 to the middle of page 3. */
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 3 * PAGE));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(4 * PAGE, st.st_size);
	/* Pages 1 and 2 are freed; 0 and 3 keep their other bytes. */
	EXPECT_EQ(8, used_kb());
	EXPECT_EQ(16, st.st_blocks);
	ASSERT_EQ((ssize_t)sizeof(back), pread(fd, back, sizeof(back), 0));
	for (int i = 0; i < 4 * PAGE; i++) {
		char want = (i >= 100 && i < 100 + 3 * PAGE) ? 0 : 'x';

		if (back[i] != want) {
			EXPECT_EQ(want, back[i]) TH_LOG("byte %d", i);
			break;
		}
	}
	/* Punching past the end changes nothing. */
	EXPECT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 8 * PAGE, PAGE));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(4 * PAGE, st.st_size);
	/* The hole is a hole for SEEK_HOLE too. */
	EXPECT_EQ(PAGE, lseek(fd, 0, SEEK_HOLE));
	EXPECT_EQ(3 * PAGE, lseek(fd, PAGE, SEEK_DATA));
	close(fd);
}

static int get_flags(const char *path, int *flags)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, FS_IOC_GETFLAGS, flags);
	close(fd);
	return r;
}

static int set_flags(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	close(fd);
	return r;
}

#define FAILS_WITH(call) ((call) < 0 ? errno : 0)

TEST_F(parity, chattr_flags)
{
	int flags = -1, fd;

	ASSERT_EQ(0, write_file("f", "data"));
	ASSERT_EQ(0, get_flags("f", &flags)) TH_LOG("FS_IOC_GETFLAGS: %s", strerror(errno));
	EXPECT_EQ(0, flags);
	/* Flags tmpfs does not have are refused, and nothing changes. */
	EXPECT_EQ(EOPNOTSUPP, FAILS_WITH(set_flags("f", FS_SYNC_FL)));
	ASSERT_EQ(0, set_flags("f", FS_NODUMP_FL));
	ASSERT_EQ(0, get_flags("f", &flags));
	EXPECT_EQ(FS_NODUMP_FL, flags);

	/* Immutable: no change of data, name, attributes or xattrs. */
	ASSERT_EQ(0, set_flags("f", FS_IMMUTABLE_FL));
	ASSERT_EQ(0, get_flags("f", &flags));
	EXPECT_EQ(FS_IMMUTABLE_FL, flags);
	EXPECT_EQ(EPERM, FAILS_WITH(open("f", O_WRONLY)));
	EXPECT_EQ(EPERM, FAILS_WITH(truncate("f", 0)));
	EXPECT_EQ(EPERM, FAILS_WITH(unlink("f")));
	EXPECT_EQ(EPERM, FAILS_WITH(rename("f", "g")));
	EXPECT_EQ(EPERM, FAILS_WITH(link("f", "g")));
	EXPECT_EQ(EPERM, FAILS_WITH(chmod("f", 0600)));
	EXPECT_EQ(EPERM, FAILS_WITH(setxattr("f", "user.x", "v", 1, 0)));
	ASSERT_EQ(0, set_flags("f", 0));
	EXPECT_EQ(0, chmod("f", 0600));

	/* Append-only: writes at the end only, no unlink. */
	ASSERT_EQ(0, set_flags("f", FS_APPEND_FL));
	EXPECT_EQ(EPERM, FAILS_WITH(open("f", O_WRONLY)));
	fd = open("f", O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(4, write(fd, "more", 4));
	close(fd);
	EXPECT_EQ(EPERM, FAILS_WITH(unlink("f")));
	ASSERT_EQ(0, set_flags("f", 0));
	EXPECT_EQ(0, unlink("f"));

	/* An immutable directory takes no new entries, in no mode. */
	ASSERT_EQ(0, mkdir("d", 0755));
	ASSERT_EQ(0, set_flags("d", FS_IMMUTABLE_FL));
	EXPECT_EQ(EPERM, FAILS_WITH(open("d/new", O_CREAT | O_WRONLY, 0644)));
	EXPECT_EQ(EPERM, FAILS_WITH(mkdir("d/sub", 0755)));
	ASSERT_EQ(0, set_flags("d", 0));

	/* No-dump and no-atime are inherited by new entries. */
	ASSERT_EQ(0, set_flags("d", FS_NODUMP_FL | FS_NOATIME_FL));
	ASSERT_EQ(0, write_file("d/child", "x"));
	ASSERT_EQ(0, mkdir("d/sub", 0755));
	ASSERT_EQ(0, get_flags("d/child", &flags));
	EXPECT_EQ(FS_NODUMP_FL | FS_NOATIME_FL, flags);
	ASSERT_EQ(0, get_flags("d/sub", &flags));
	EXPECT_EQ(FS_NODUMP_FL | FS_NOATIME_FL, flags);
}

/* An owner without CAP_LINUX_IMMUTABLE may set no-dump but not immutable. */
TEST_F(parity, chattr_unprivileged)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, write_file("mine", "data"));
	ASSERT_EQ(0, chown("mine", 1000, 1000));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		if (set_flags("mine", FS_NODUMP_FL))
			_exit(3);
		if (set_flags("mine", FS_IMMUTABLE_FL) == 0 || errno != EPERM)
			_exit(4);
		if (set_flags("mine", FS_APPEND_FL) == 0 || errno != EPERM)
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* statx(): birth time, and the inode flags as attributes, as tmpfs. */
TEST_F(parity, statx_btime_and_attributes)
{
	struct statx a, b;
	int fd;

	fd = open("s", O_CREAT | O_EXCL | O_WRONLY, 0644);
	ASSERT_GE(fd, 0);
	close(fd);
	ASSERT_EQ(0, statx(AT_FDCWD, "s", 0, STATX_BTIME | STATX_MTIME, &a));
	ASSERT_TRUE(a.stx_mask & STATX_BTIME);
	/* Born with its first times. */
	EXPECT_EQ(a.stx_btime.tv_sec, a.stx_mtime.tv_sec);
	EXPECT_EQ(a.stx_btime.tv_nsec, a.stx_mtime.tv_nsec);
	usleep(20000);
	fd = open("s", O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, write(fd, "y", 1));
	close(fd);
	ASSERT_EQ(0, statx(AT_FDCWD, "s", 0, STATX_BTIME | STATX_MTIME, &b));
	EXPECT_EQ(a.stx_btime.tv_sec, b.stx_btime.tv_sec);
	EXPECT_EQ(a.stx_btime.tv_nsec, b.stx_btime.tv_nsec);
	EXPECT_TRUE(b.stx_mtime.tv_sec > b.stx_btime.tv_sec ||
		    b.stx_mtime.tv_nsec > b.stx_btime.tv_nsec);
	/* The flags tmpfs reports, in the mask and set as chattr set them. */
	EXPECT_EQ(STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE | STATX_ATTR_NODUMP,
		  b.stx_attributes_mask & (STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE |
					   STATX_ATTR_NODUMP));
	EXPECT_EQ(0, b.stx_attributes & (STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE |
					 STATX_ATTR_NODUMP));
	ASSERT_EQ(0, set_flags("s", FS_APPEND_FL | FS_NODUMP_FL));
	ASSERT_EQ(0, statx(AT_FDCWD, "s", 0, STATX_BASIC_STATS, &b));
	EXPECT_EQ(STATX_ATTR_APPEND | STATX_ATTR_NODUMP,
		  b.stx_attributes & (STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE |
				      STATX_ATTR_NODUMP));
	ASSERT_EQ(0, set_flags("s", 0));
}

/* statfs(): a file system id, different for each mount (fanotify needs one). */
TEST_F(parity, fsid_per_mount)
{
	struct statfs a, b;
	char other[96];

	ASSERT_EQ(0, statfs(".", &a));
	EXPECT_TRUE(a.f_fsid.__val[0] || a.f_fsid.__val[1]);
	snprintf(other, sizeof(other), "%s/m", self->dir);
	ASSERT_EQ(0, mkdir(other, 0755));
	ASSERT_EQ(0, mount(variant->type, other, variant->type, 0, variant->opts));
	ASSERT_EQ(0, statfs(other, &b));
	EXPECT_TRUE(a.f_fsid.__val[0] != b.f_fsid.__val[0] ||
		    a.f_fsid.__val[1] != b.f_fsid.__val[1]);
	EXPECT_EQ(0, umount(other));
}

/* Sleeps past the timestamp granularity, so a change of time shows. */
static void tick(void)
{
	usleep(20000);
}

static int times_of(const char *path, struct timespec *c, struct timespec *m)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	*c = st.st_ctim;
	*m = st.st_mtim;
	return 0;
}

static int same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

TEST_F(parity, truncate_updates_times)
{
	struct timespec c0, m0, c1, m1;
	int fd;

	fd = open("t", O_RDWR | O_CREAT, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(100, write(fd, memset((char[100]){0}, 'x', 100), 100));

	const struct { const char *what; off_t size; int by_fd; } steps[] = {
		{ "truncate down", 10, 0 }, { "truncate up", 5000, 0 },
		{ "ftruncate down", 1, 1 }, { "ftruncate up", 3 * PAGE, 1 },
	};
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ASSERT_EQ(0, times_of("t", &c0, &m0));
		tick();
		if (steps[i].by_fd) {
			ASSERT_EQ(0, ftruncate(fd, steps[i].size));
		} else {
			ASSERT_EQ(0, truncate("t", steps[i].size));
		}
		ASSERT_EQ(0, times_of("t", &c1, &m1));
		EXPECT_FALSE(same_time(c0, c1)) TH_LOG("%s: ctime unchanged", steps[i].what);
		EXPECT_FALSE(same_time(m0, m1)) TH_LOG("%s: mtime unchanged", steps[i].what);
	}
	/* ftruncate(2) asks for new times whatever the size (ATTR_MTIME | ATTR_CTIME). */
	ASSERT_EQ(0, times_of("t", &c0, &m0));
	tick();
	ASSERT_EQ(0, ftruncate(fd, 3 * PAGE));
	ASSERT_EQ(0, times_of("t", &c1, &m1));
	EXPECT_FALSE(same_time(c0, c1));
	EXPECT_FALSE(same_time(m0, m1));
	close(fd);
}

/*
 * Changing a file's data as a user without CAP_FSETID drops setuid, and
 * setgid of a group-executable or foreign-group file, whatever the path:
 * write, ftruncate, fallocate and hole punching, and each changes mtime
 * and ctime.  fstests generic/683, 684 and 688 found fallocate() and
 * FALLOC_FL_PUNCH_HOLE on pdirfs leaving both bits (tmpfs drops them in
 * shmem_fallocate()).  Done as root (CAP_FSETID) the bits stay.
 */
static int change_data(const char *path, int how)
{
	int fd = open(path, O_RDWR);
	int r = -1;

	if (fd < 0)
		return -1;
	switch (how) {
	case 0:
		r = pwrite(fd, "y", 1, 10) == 1 ? 0 : -1;
		break;
	case 1:
		r = ftruncate(fd, 3 * PAGE);
		break;
	case 2:
		r = fallocate(fd, 0, 0, 4 * PAGE);
		break;
	case 3:
		r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8 * PAGE);
		break;
	case 4:
		r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PAGE);
		break;
	}
	close(fd);
	return r;
}

TEST_F(parity, data_change_drops_setuid_setgid)
{
	static const char *const how[] = {
		"write", "ftruncate", "fallocate", "fallocate(KEEP_SIZE)", "punch hole",
	};
	struct timespec c0, m0, c1, m1;
	struct stat st;

	for (int i = 0; i < 5; i++) {
		for (int as_user = 0; as_user < 2; as_user++) {
			int status;
			pid_t pid;

			unlink("s");
			ASSERT_EQ(0, write_file("s", "some data"));
			ASSERT_EQ(0, chmod("s", 06666));
			ASSERT_EQ(0, times_of("s", &c0, &m0));
			tick();
			pid = fork();
			ASSERT_GE(pid, 0);
			if (pid == 0) {
				if (as_user && (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
						setresuid(1000, 1000, 1000)))
					_exit(2);
				_exit(change_data("s", i) ? 3 : 0);
			}
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s failed", how[i]);
			ASSERT_EQ(0, stat("s", &st));
			EXPECT_EQ(as_user ? 0666 : 06666, st.st_mode & 07777)
				TH_LOG("%s as %s: mode %o", how[i], as_user ? "user" : "root",
				       st.st_mode & 07777);
			ASSERT_EQ(0, times_of("s", &c1, &m1));
			EXPECT_FALSE(same_time(c0, c1)) TH_LOG("%s: ctime unchanged", how[i]);
			EXPECT_FALSE(same_time(m0, m1)) TH_LOG("%s: mtime unchanged", how[i]);
		}
	}
}

/*
 * Leases and delegations, as tmpfs has them (fstests generic/571 found
 * F_SETLEASE refused: 7.3 grants none to a file without ->setlease).  A
 * read lease is broken by an open for writing, which fails with
 * EWOULDBLOCK under O_NONBLOCK until the holder lets go.  A directory
 * delegation is broken by every change of the directory's entries, which
 * waits until the holder lets go (here: as soon as it sees the break); in
 * shared mode open(O_CREAT) of a new name creates through ->atomic_open(),
 * which broke none before kernel patch 0062.
 */
static int deleg_change(int how)
{
	switch (how) {
	case 0: return write_file("dd/new", "x");
	case 1: return mkdir("dd/sub", 0755);
	case 2: return mknod("dd/fifo", S_IFIFO | 0644, 0);
	case 3: return symlink("new", "dd/sym");
	case 4: return link("l", "dd/hard");
	case 5: return rename("dd/new", "dd/renamed");
	case 6: return rename("dd/renamed", "moved");
	case 7: return unlink("dd/hard");
	case 8: return rmdir("dd/sub");
	}
	return -1;
}

TEST_F(parity, leases_and_delegations)
{
	static const char *const how[] = {
		"open(O_CREAT)", "mkdir", "mknod", "symlink", "link",
		"rename within", "rename out", "unlink", "rmdir",
	};
	int fd, wfd, dfd, status;
	pid_t pid;

	signal(SIGIO, SIG_IGN);	/* the break notice; its default kills */
	ASSERT_EQ(0, write_file("l", "leased"));
	fd = open("l", O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fcntl(fd, F_SETLEASE, F_RDLCK)) TH_LOG("F_SETLEASE: %s", strerror(errno));
	EXPECT_EQ(F_RDLCK, fcntl(fd, F_GETLEASE));
	EXPECT_EQ(-1, open("l", O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* Being broken: F_GETLEASE gives what the lease is going to. */
	EXPECT_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
	ASSERT_EQ(0, fcntl(fd, F_SETLEASE, F_UNLCK));
	wfd = open("l", O_WRONLY | O_NONBLOCK);
	EXPECT_GE(wfd, 0);
	close(wfd);
	close(fd);

	ASSERT_EQ(0, mkdir("dd", 0755));
	dfd = open("dd", O_RDONLY | O_DIRECTORY);
	ASSERT_GE(dfd, 0);
	/* F_SETLEASE is for files; directories take delegations. */
	EXPECT_EQ(-1, fcntl(dfd, F_SETLEASE, F_RDLCK));
	for (int i = 0; i < 9; i++) {
		ASSERT_EQ(0, set_deleg(dfd, F_RDLCK))
			TH_LOG("F_SETDELEG before %s: %s", how[i], strerror(errno));
		EXPECT_EQ(F_RDLCK, get_deleg(dfd));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(deleg_change(i) ? 1 : 0);
		for (int n = 0; n < 500 && get_deleg(dfd) == F_RDLCK; n++)
			usleep(10000);
		EXPECT_EQ(F_UNLCK, get_deleg(dfd)) TH_LOG("%s did not break the delegation", how[i]);
		/* The change waits for the holder. */
		usleep(30000);
		EXPECT_EQ(0, waitpid(pid, &status, WNOHANG)) TH_LOG("%s did not wait", how[i]);
		ASSERT_EQ(0, set_deleg(dfd, F_UNLCK));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s failed", how[i]);
	}
	EXPECT_EQ(0, access("moved", F_OK));
	EXPECT_NE(0, faccessat(dfd, "sub", F_OK, 0));
	close(dfd);
}

TEST_HARNESS_MAIN
