// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions, as on tmpfs: every check runs on pdirfs and on tmpfs.
 *
 * The test runs as root and forks children that become an ordinary user
 * (setresuid drops every capability), so the kernel's permission checks
 * meet a real unprivileged caller: no create in a 0555 directory, sticky
 * directories, setgid directories, chown without CAP_CHOWN, O_TMPFILE and
 * linkat rules, xattr namespaces.
 *
 * Idmapped mounts are not offered: pdirfs does not set FS_ALLOW_IDMAP (its
 * abstraction hands the filesystem logic the nop idmap), and the test
 * kernel has no user namespaces to build one with.
 */
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define ALICE 1000
#define BOB 1001
#define STAFF 500

FIXTURE(perm) {
	char dir[64];
};

PDIRFS_AND_TMPFS_VARIANTS(perm);

FIXTURE_SETUP(perm)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/perm-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, "mode=755"));
	ASSERT_EQ(0, chdir(self->dir));
	umask(0); /* modes below are meant as written */
	ASSERT_EQ(0, chmod("/tmp", 01777));
	ASSERT_EQ(0, chmod(self->dir, 0755));
}

FIXTURE_TEARDOWN(perm)
{
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

/*
 * In a child running as uid/gid (no capabilities), checks that must hold;
 * the first that does not is printed and fails the child.
 */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# line %d: %s failed (errno %d: %s)\n",	\
			       __LINE__, #cond, errno, strerror(errno));	\
			fflush(stdout);					\
			_exit(1);					\
		}							\
	} while (0)

#define FAILS_WITH(call, e) ((call) < 0 && errno == (e))

#define AS_USER(uid, gid, body)						\
	do {								\
		pid_t pid = fork();					\
		int status;						\
									\
		ASSERT_LE(0, pid);					\
		if (pid == 0) {						\
			gid_t g = (gid);				\
			if (setgroups(1, &g) || setresgid(g, g, g) ||	\
			    setresuid(uid, uid, uid))			\
				_exit(2);				\
			body;						\
			_exit(0);					\
		}							\
		ASSERT_EQ(pid, waitpid(pid, &status, 0));		\
		ASSERT_TRUE(WIFEXITED(status));				\
		ASSERT_EQ(0, WEXITSTATUS(status));			\
	} while (0)

TEST_F(perm, no_create_in_read_only_directory)
{
	ASSERT_EQ(0, mkdir("ro", 0555));
	ASSERT_EQ(0, write_file("ro/existing", "x"));
	AS_USER(ALICE, ALICE, {
		CHECK(FAILS_WITH(open("ro/f", O_CREAT | O_WRONLY, 0644), EACCES));
		CHECK(FAILS_WITH(mkdir("ro/d", 0755), EACCES));
		CHECK(FAILS_WITH(symlink("t", "ro/s"), EACCES));
		CHECK(FAILS_WITH(mknod("ro/p", S_IFIFO | 0644, 0), EACCES));
		CHECK(FAILS_WITH(unlink("ro/existing"), EACCES));
		CHECK(FAILS_WITH(rename("ro/existing", "ro/other"), EACCES));
		CHECK(FAILS_WITH(open("ro", O_TMPFILE | O_WRONLY, 0600), EACCES));
		/* and not in the root, which is 0755 root's */
		CHECK(FAILS_WITH(open("f", O_CREAT | O_WRONLY, 0644), EACCES));
	});
	EXPECT_EQ(0, access("ro/existing", F_OK));
	EXPECT_EQ(-1, access("ro/f", F_OK));
}

TEST_F(perm, sticky_directory)
{
	ASSERT_EQ(0, mkdir("tmp", 01777));
	AS_USER(BOB, BOB, {
		CHECK(write_file("tmp/bobs", "b") == 0);
		CHECK(mkdir("tmp/bobdir", 0777) == 0);
	});
	AS_USER(ALICE, ALICE, {
		CHECK(write_file("tmp/alices", "a") == 0);
		/* not hers: may not remove or rename it away, nor replace it */
		CHECK(FAILS_WITH(unlink("tmp/bobs"), EPERM));
		CHECK(FAILS_WITH(rename("tmp/bobs", "tmp/mine"), EPERM));
		CHECK(FAILS_WITH(rename("tmp/alices", "tmp/bobs"), EPERM));
		CHECK(FAILS_WITH(rmdir("tmp/bobdir"), EPERM));
		/* her own: she may */
		CHECK(rename("tmp/alices", "tmp/alices2") == 0);
		CHECK(unlink("tmp/alices2") == 0);
	});
	AS_USER(BOB, BOB, { CHECK(unlink("tmp/bobs") == 0); });
	/* the directory's owner (root here) may remove anything */
	EXPECT_EQ(0, rmdir("tmp/bobdir"));
}

TEST_F(perm, setgid_directory)
{
	struct stat st;

	ASSERT_EQ(0, mkdir("shared", 0775));
	ASSERT_EQ(0, chown("shared", 0, STAFF));
	ASSERT_EQ(0, chmod("shared", 02775));
	ASSERT_EQ(0, stat("shared", &st));
	ASSERT_TRUE(st.st_mode & S_ISGID);
	/* alice is in staff as a supplementary group */
	{
		pid_t pid = fork();
		int status;

		ASSERT_LE(0, pid);
		if (pid == 0) {
			gid_t groups[] = { ALICE, STAFF };

			if (setgroups(2, groups) || setresgid(ALICE, ALICE, ALICE) ||
			    setresuid(ALICE, ALICE, ALICE))
				_exit(2);
			CHECK(write_file("shared/f", "x") == 0);
			CHECK(mkdir("shared/sub", 0775) == 0);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	/* new entries take the directory's group; a new directory stays setgid */
	ASSERT_EQ(0, stat("shared/f", &st));
	EXPECT_EQ(STAFF, st.st_gid);
	EXPECT_EQ(ALICE, st.st_uid);
	ASSERT_EQ(0, stat("shared/sub", &st));
	EXPECT_EQ(STAFF, st.st_gid);
	EXPECT_TRUE(st.st_mode & S_ISGID);
	/* a non-member writing a setgid file loses the setgid bit on write */
	ASSERT_EQ(0, chmod("shared/f", 02777));
	AS_USER(BOB, BOB, {
		int fd = open("shared/f", O_WRONLY);

		CHECK(fd >= 0);
		CHECK(write(fd, "y", 1) == 1);
		close(fd);
	});
	ASSERT_EQ(0, stat("shared/f", &st));
	EXPECT_FALSE(st.st_mode & S_ISGID);
}

TEST_F(perm, chown_needs_cap_chown)
{
	struct stat st;

	ASSERT_EQ(0, mkdir("home", 0777));
	AS_USER(ALICE, ALICE, {
		CHECK(write_file("home/f", "x") == 0);
		CHECK(FAILS_WITH(chown("home/f", BOB, -1), EPERM));
		CHECK(FAILS_WITH(chown("home/f", -1, STAFF), EPERM)); /* not her group */
		CHECK(chown("home/f", ALICE, ALICE) == 0);	 /* no change: allowed */
		CHECK(FAILS_WITH(chmod("home", 0700), EPERM));	 /* root's directory */
	});
	ASSERT_EQ(0, stat("home/f", &st));
	EXPECT_EQ(ALICE, st.st_uid);
	/* root may */
	EXPECT_EQ(0, chown("home/f", BOB, STAFF));
	ASSERT_EQ(0, stat("home/f", &st));
	EXPECT_EQ(BOB, st.st_uid);
	EXPECT_EQ(STAFF, st.st_gid);
}

TEST_F(perm, tmpfile_and_linkat)
{
	ASSERT_EQ(0, mkdir("home", 0777));
	AS_USER(ALICE, ALICE, {
		char proc[64];
		int fd = open("home", O_TMPFILE | O_RDWR, 0600);

		CHECK(fd >= 0);
		CHECK(write(fd, "t", 1) == 1);
		/*
		 * AT_EMPTY_PATH: allowed without CAP_DAC_READ_SEARCH for a file
		 * the caller opened itself (since 6.10); the /proc link too.
		 */
		CHECK(linkat(fd, "", AT_FDCWD, "home/a", AT_EMPTY_PATH) == 0);
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		CHECK(linkat(AT_FDCWD, proc, AT_FDCWD, "home/a2", AT_SYMLINK_FOLLOW) == 0);
		close(fd);
		/* O_EXCL: never linkable, either way */
		fd = open("home", O_TMPFILE | O_RDWR | O_EXCL, 0600);
		CHECK(fd >= 0);
		CHECK(FAILS_WITH(linkat(fd, "", AT_FDCWD, "home/b", AT_EMPTY_PATH), ENOENT));
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		CHECK(FAILS_WITH(linkat(AT_FDCWD, proc, AT_FDCWD, "home/b", AT_SYMLINK_FOLLOW),
				 ENOENT));
		close(fd);
		/* and not into a directory she may not write */
		fd = open("home", O_TMPFILE | O_RDWR, 0600);
		CHECK(fd >= 0);
		CHECK(FAILS_WITH(linkat(fd, "", AT_FDCWD, "c", AT_EMPTY_PATH), EACCES));
		close(fd);
	});
	EXPECT_EQ(0, access("home/a", F_OK));
	EXPECT_EQ(0, access("home/a2", F_OK));
	EXPECT_EQ(-1, access("home/b", F_OK));
	EXPECT_EQ(-1, access("c", F_OK));
	/* root, with AT_EMPTY_PATH */
	{
		int fd = open("home", O_TMPFILE | O_RDWR, 0600);

		ASSERT_LE(0, fd);
		EXPECT_EQ(0, linkat(fd, "", AT_FDCWD, "home/c", AT_EMPTY_PATH));
		close(fd);
	}
}

TEST_F(perm, xattr_namespaces)
{
	char buf[64];

	ASSERT_EQ(0, mkdir("home", 0777));
	ASSERT_EQ(0, write_file("home/rootfile", "r"));
	ASSERT_EQ(0, setxattr("home/rootfile", "trusted.secret", "s", 1, 0));
	AS_USER(ALICE, ALICE, {
		CHECK(write_file("home/f", "x") == 0);
		CHECK(setxattr("home/f", "user.note", "hello", 5, 0) == 0);
		CHECK(getxattr("home/f", "user.note", buf, sizeof(buf)) == 5);
		/* trusted.* needs CAP_SYS_ADMIN, to write and to see */
		CHECK(FAILS_WITH(setxattr("home/f", "trusted.x", "1", 1, 0), EPERM));
		CHECK(FAILS_WITH(getxattr("home/rootfile", "trusted.secret", buf, sizeof(buf)),
				 ENODATA));
		CHECK(listxattr("home/rootfile", buf, sizeof(buf)) == 0);
		/* user.* on a file she cannot write */
		CHECK(FAILS_WITH(setxattr("home/rootfile", "user.x", "1", 1, 0), EACCES));
		/* user.* only on regular files and directories */
		CHECK(symlink("f", "home/link") == 0);
		CHECK(FAILS_WITH(lsetxattr("home/link", "user.x", "1", 1, 0), EPERM));
		/* an unknown namespace */
		CHECK(FAILS_WITH(setxattr("home/f", "bogus.x", "1", 1, 0), EOPNOTSUPP));
	});
	EXPECT_EQ(1, getxattr("home/rootfile", "trusted.secret", buf, sizeof(buf)));
	EXPECT_EQ(5, getxattr("home/f", "user.note", buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
