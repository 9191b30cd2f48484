// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX ACLs, as tmpfs has them, on pdirfs in each mode and on tmpfs in the
 * same boot.  ACLs are written and read as the system.posix_acl_* xattrs
 * (what setfacl/getfacl do), so the test needs no acl library:
 *
 * - with no default ACL the umask applies, and it is the umask of the task
 *   that creates, also when the create completes on a work item
 *   (completion=async): the kworker's umask (022) must not leak in;
 * - a directory's default ACL is inherited: a file gets it as its access
 *   ACL, masked by the create mode, a directory as both; the umask is then
 *   ignored;
 * - an access ACL grants and refuses what it says to a named user; chmod
 *   changes its mask; an ACL that says no more than the mode is not kept;
 * - listxattr lists the ACLs; symbolic links take none;
 * - on pdirfs, ACLs count against nr_inodes, as xattrs do.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

/* include/uapi/linux/posix_acl_xattr.h and posix_acl.h */
#define ACL_XATTR_VERSION 0x0002
#define ACL_USER_OBJ 0x01
#define ACL_USER 0x02
#define ACL_GROUP_OBJ 0x04
#define ACL_MASK 0x10
#define ACL_OTHER 0x20
#define ACL_UNDEFINED_ID (-1)

#define ACCESS "system.posix_acl_access"
#define DEFAULT "system.posix_acl_default"

struct acl_entry {
	unsigned short tag, perm;
	unsigned int id;
};

struct acl {
	unsigned int version;
	struct acl_entry e[8];
};

/* An ACL with a named user (uid, perm) and a mask, as setfacl makes it. */
static size_t acl_with_user(struct acl *a, int user, int uid, int perm, int group, int mask,
			    int other)
{
	struct acl_entry e[] = {
		{ ACL_USER_OBJ, user, ACL_UNDEFINED_ID },
		{ ACL_USER, perm, uid },
		{ ACL_GROUP_OBJ, group, ACL_UNDEFINED_ID },
		{ ACL_MASK, mask, ACL_UNDEFINED_ID },
		{ ACL_OTHER, other, ACL_UNDEFINED_ID },
	};

	a->version = ACL_XATTR_VERSION;
	memcpy(a->e, e, sizeof(e));
	return sizeof(a->version) + sizeof(e);
}

/* The permission of entry `tag` (and uid for ACL_USER) in the ACL xattr. */
static int acl_perm(const char *path, const char *name, int tag, unsigned int uid)
{
	struct acl a;
	ssize_t n = getxattr(path, name, &a, sizeof(a));
	int i;

	if (n < 0)
		return -1;
	for (i = 0; i < (n - 4) / 8; i++)
		if (a.e[i].tag == tag && (tag != ACL_USER || a.e[i].id == uid))
			return a.e[i].perm;
	return -2;
}

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_mode & 07777;
}

FIXTURE(acl) {
	char dir[64];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(acl);

FIXTURE_SETUP(acl)
{
	char opts[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/acl-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(opts, sizeof(opts), "size=16m%s%s", *variant->opts ? "," : "", variant->opts);
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, opts));
	ASSERT_EQ(0, chdir(self->dir));
}

FIXTURE_TEARDOWN(acl)
{
	umask(022);
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

/* 077 differs from the 022 of the kworker a completion=async create runs on. */
TEST_F(acl, umask_of_the_caller)
{
	int fd;

	umask(077);
	fd = open("f", O_CREAT | O_WRONLY, 0666);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(0600, mode_of("f"));
	ASSERT_EQ(0, mkdir("d", 0777));
	EXPECT_EQ(0700, mode_of("d"));
	ASSERT_EQ(0, mknod("p", S_IFIFO | 0666, 0));
	EXPECT_EQ(0600, mode_of("p"));
	fd = open(".", O_TMPFILE | O_RDWR, 0666);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, linkat(fd, "", AT_FDCWD, "t", AT_EMPTY_PATH));
	close(fd);
	EXPECT_EQ(0600, mode_of("t"));
	/* No ACL was made for any of them. */
	EXPECT_EQ(-1, getxattr("f", ACCESS, NULL, 0));
	EXPECT_EQ(ENODATA, errno);
	/* O_CREAT through an existing dentry-less name goes by ->atomic_open. */
	umask(027);
	fd = open("d/g", O_CREAT | O_WRONLY, 0666);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(0640, mode_of("d/g"));
}

TEST_F(acl, default_acl_is_inherited)
{
	struct acl a;
	size_t n;
	int fd;

	ASSERT_EQ(0, mkdir("d", 0755));
	n = acl_with_user(&a, 7, 1234, 7, 5, 7, 0);
	ASSERT_EQ(0, setxattr("d", DEFAULT, &a, n, 0)) TH_LOG("%s", strerror(errno));
	/* The umask does not apply where a default ACL does. */
	umask(077);
	fd = open("d/f", O_CREAT | O_WRONLY, 0664);
	ASSERT_GE(fd, 0);
	close(fd);
	/* user::rwx & 6, mask rwx & 6, other --- & 4: rw-rw---- */
	EXPECT_EQ(0660, mode_of("d/f"));
	EXPECT_EQ(7, acl_perm("d/f", ACCESS, ACL_USER, 1234));
	EXPECT_EQ(6, acl_perm("d/f", ACCESS, ACL_MASK, 0));
	EXPECT_EQ(-1, acl_perm("d/f", DEFAULT, ACL_USER_OBJ, 0));
	/* A subdirectory takes it as both its access and default ACL. */
	ASSERT_EQ(0, mkdir("d/s", 0777));
	EXPECT_EQ(0770, mode_of("d/s"));
	EXPECT_EQ(7, acl_perm("d/s", ACCESS, ACL_USER, 1234));
	EXPECT_EQ(7, acl_perm("d/s", DEFAULT, ACL_USER, 1234));
	/* ... and passes it on. */
	ASSERT_EQ(0, mknod("d/s/p", S_IFIFO | 0640, 0));
	EXPECT_EQ(0640, mode_of("d/s/p"));
	EXPECT_EQ(4, acl_perm("d/s/p", ACCESS, ACL_MASK, 0));
	/* Symbolic links take none. */
	ASSERT_EQ(0, symlink("f", "d/l"));
	EXPECT_EQ(-1, lgetxattr("d/l", ACCESS, NULL, 0));
	/* Removing the default ACL stops the inheritance. */
	ASSERT_EQ(0, removexattr("d", DEFAULT));
	fd = open("d/g", O_CREAT | O_WRONLY, 0666);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(0600, mode_of("d/g"));
	EXPECT_EQ(-1, getxattr("d/g", ACCESS, NULL, 0));
}

/* As uid 1234: 0 if open(path, flags) works, else errno. */
static int open_as(const char *path, int flags)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		if (setresgid(1234, 1234, 1234) || setresuid(1234, 1234, 1234))
			_exit(100);
		fd = open(path, flags);
		_exit(fd < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(acl, access_acl_is_enforced)
{
	struct acl a;
	char names[256];
	ssize_t len;
	size_t n;

	ASSERT_EQ(0, write_file("f", "secret"));
	ASSERT_EQ(0, chmod("f", 0600));
	ASSERT_EQ(EACCES, open_as("f", O_RDONLY));
	n = acl_with_user(&a, 6, 1234, 6, 0, 4, 0);
	ASSERT_EQ(0, setxattr("f", ACCESS, &a, n, 0));
	/* The mask is the group bits now. */
	EXPECT_EQ(0640, mode_of("f"));
	EXPECT_EQ(0, open_as("f", O_RDONLY));
	EXPECT_EQ(EACCES, open_as("f", O_WRONLY));
	len = listxattr("f", names, sizeof(names));
	ASSERT_GT(len, 0);
	EXPECT_NE(NULL, memmem(names, len, ACCESS, sizeof(ACCESS)));
	/* Too small a buffer for the list: ERANGE, as for any xattr list. */
	EXPECT_EQ(-1, listxattr("f", names, 5));
	EXPECT_EQ(ERANGE, errno);
	/* chmod sets the mask: nothing for the named user any more. */
	ASSERT_EQ(0, chmod("f", 0600));
	EXPECT_EQ(0, acl_perm("f", ACCESS, ACL_MASK, 0));
	EXPECT_EQ(EACCES, open_as("f", O_RDONLY));
	ASSERT_EQ(0, chmod("f", 0660));
	EXPECT_EQ(0, open_as("f", O_WRONLY));
	/* An ACL the mode says all of is not kept, only the mode changes. */
	a.version = ACL_XATTR_VERSION;
	a.e[0] = (struct acl_entry){ ACL_USER_OBJ, 7, ACL_UNDEFINED_ID };
	a.e[1] = (struct acl_entry){ ACL_GROUP_OBJ, 5, ACL_UNDEFINED_ID };
	a.e[2] = (struct acl_entry){ ACL_OTHER, 1, ACL_UNDEFINED_ID };
	ASSERT_EQ(0, setxattr("f", ACCESS, &a, 4 + 3 * 8, 0));
	EXPECT_EQ(0751, mode_of("f"));
	EXPECT_EQ(-1, getxattr("f", ACCESS, NULL, 0));
	EXPECT_EQ(ENODATA, errno);
	/* A malformed ACL is refused and changes nothing. */
	a.e[0].tag = 0x99;
	EXPECT_EQ(-1, setxattr("f", ACCESS, &a, 4 + 3 * 8, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0751, mode_of("f"));
	/* Only the owner (or CAP_FOWNER) may set an ACL. */
	n = acl_with_user(&a, 6, 1234, 6, 0, 6, 0);
	{
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			if (setresuid(1234, 1234, 1234))
				_exit(100);
			_exit(setxattr("f", ACCESS, &a, n, 0) ? errno : 0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(EPERM, WEXITSTATUS(status));
	}
}

/*
 * ACLs take inode space on pdirfs, as xattrs do: without that, 64 KiB ACLs
 * on every inode would pin memory nr_inodes does not bound.  (tmpfs does
 * not count them: not run there.)
 */
TEST_F(acl, acls_take_inode_space)
{
	static struct {
		unsigned int version;
		struct acl_entry e[1004];
	} big;
	char dir[128], name[160];
	size_t n;
	int i, made = 0, mode;

	if (strcmp(variant->type, "pdirfs"))
		SKIP(return, "tmpfs does not count ACLs");
	big.version = ACL_XATTR_VERSION;
	big.e[0] = (struct acl_entry){ ACL_USER_OBJ, 6, ACL_UNDEFINED_ID };
	for (i = 0; i < 1000; i++)
		big.e[1 + i] = (struct acl_entry){ ACL_USER, 4, 2000 + i };
	big.e[1001] = (struct acl_entry){ ACL_GROUP_OBJ, 4, ACL_UNDEFINED_ID };
	big.e[1002] = (struct acl_entry){ ACL_MASK, 4, ACL_UNDEFINED_ID };
	big.e[1003] = (struct acl_entry){ ACL_OTHER, 0, ACL_UNDEFINED_ID };
	n = 4 + sizeof(big.e);
	/* 100 KiB of inode space; an ACL of 1004 entries takes about 8 KiB. */
	snprintf(dir, sizeof(dir), "%s/small", self->dir);
	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(name, sizeof(name), "nr_inodes=100%s%s", *variant->opts ? "," : "", variant->opts);
	ASSERT_EQ(0, mount("pdirfs", dir, "pdirfs", 0, name));
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "%s/f%d", dir, i);
		if (write_file(name, "") || chmod(name, 0600))
			break;
		if (setxattr(name, ACCESS, &big, n, 0)) {
			EXPECT_EQ(ENOSPC, errno);
			/* Refused: the mode did not change either. */
			EXPECT_EQ(0600, mode_of(name));
			break;
		}
		made++;
	}
	EXPECT_GE(made, 8);
	EXPECT_LE(made, 12);
	/* Removing the files gives the space back. */
	for (i = 0; i <= made; i++) {
		snprintf(name, sizeof(name), "%s/f%d", dir, i);
		unlink(name);
	}
	snprintf(name, sizeof(name), "%s/again", dir);
	ASSERT_EQ(0, write_file(name, ""));
	EXPECT_EQ(0, setxattr(name, ACCESS, &big, n, 0)) TH_LOG("%s", strerror(errno));
	/* A default ACL inherited by new files takes their space too. */
	ASSERT_EQ(0, setxattr(dir, DEFAULT, &big, n, 0));
	for (i = 0, made = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "%s/g%d", dir, i);
		mode = open(name, O_CREAT | O_WRONLY, 0644);
		if (mode < 0) {
			EXPECT_EQ(ENOSPC, errno);
			break;
		}
		close(mode);
		made++;
	}
	EXPECT_GE(made, 6);
	EXPECT_LE(made, 11);
	EXPECT_EQ(0, umount(dir));
}

TEST_HARNESS_MAIN
