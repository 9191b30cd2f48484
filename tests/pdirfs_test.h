/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pdirfs selftests.  They run as static binaries in
 * the test VM (tests/vm-tests.sh), one mount per fixture.
 */
#ifndef PDIRFS_TEST_H
#define PDIRFS_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/mount.h>

#define PDIRFS_MAGIC 0x50444952

/* Delegations (Linux 6.19; the build host's headers may predate them). */
#ifndef F_SETDELEG
#define F_GETDELEG (1024 + 15)
#define F_SETDELEG (1024 + 16)
struct delegation {
	unsigned int d_flags;
	unsigned short d_type;
	unsigned short __pad;
};
#endif

/* the entries of directory @path but "." and "..", or -1 */
static inline int count_names(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* F_SETDELEG of @type (F_RDLCK, F_WRLCK or F_UNLCK) on @fd */
static inline int set_deleg(int fd, int type)
{
	struct delegation d = { .d_type = type };

	return fcntl(fd, F_SETDELEG, &d);
}

/* the delegation type F_GETDELEG reports on @fd, or -1 */
static inline int get_deleg(int fd)
{
	struct delegation d = { 0 };

	return fcntl(fd, F_GETDELEG, &d) ? -1 : d.d_type;
}

/* seconds on CLOCK_MONOTONIC */
static inline double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The tasks listed in @dir whose name (comm) starts with @prefix: @dir is
 * "/proc" for the whole system (kworkers), "/proc/self/task" for this
 * process' threads (io_uring's io-wq workers are "iou-wrk-<pid>").
 */
static inline int count_tasks_named(const char *dir, const char *prefix)
{
	char path[300], comm[64];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, prefix, strlen(prefix)))
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * Runs every test of fixture f twice: on pdirfs, and on tmpfs, the kernel's
 * reference memory filesystem, so each expectation is checked against it.
 * The variant's `type` is the filesystem type to mount.
 */
#define PDIRFS_AND_TMPFS_VARIANTS(f)				\
	FIXTURE_VARIANT(f) {					\
		const char *type;				\
	};							\
	FIXTURE_VARIANT_ADD(f, pdirfs) {			\
		.type = "pdirfs",				\
	};							\
	FIXTURE_VARIANT_ADD(f, tmpfs) {				\
		.type = "tmpfs",				\
	}

/*
 * pdirfs in each way of running directory operations (shared locking with
 * synchronous or asynchronous completion, exclusive locking), and tmpfs.
 * `opts` are added to every mount of the variant.
 */
#define PDIRFS_MODES_AND_TMPFS_VARIANTS(f)			\
	FIXTURE_VARIANT(f) {					\
		const char *type;				\
		const char *opts;				\
	};							\
	FIXTURE_VARIANT_ADD(f, pdirfs) {			\
		.type = "pdirfs", .opts = "",			\
	};							\
	FIXTURE_VARIANT_ADD(f, pdirfs_async) {			\
		.type = "pdirfs", .opts = "completion=async",	\
	};							\
	FIXTURE_VARIANT_ADD(f, pdirfs_exclusive) {		\
		.type = "pdirfs", .opts = "dirops=exclusive",	\
	};							\
	FIXTURE_VARIANT_ADD(f, tmpfs) {				\
		.type = "tmpfs", .opts = "",			\
	}

static inline int sys_fsopen(const char *fsname, unsigned int flags)
{
	return syscall(__NR_fsopen, fsname, flags);
}

static inline int sys_fsconfig(int fd, unsigned int cmd, const char *key,
			       const void *value, int aux)
{
	return syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
	return syscall(__NR_fsmount, fd, flags, attr_flags);
}

static inline int sys_renameat2(int olddirfd, const char *oldpath, int newdirfd,
				const char *newpath, unsigned int flags)
{
	return syscall(__NR_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

/* Write a whole string to a new file; 0 or -1. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t len = strlen(s);

	if (fd < 0)
		return -1;
	if (write(fd, s, len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Read a file into buf (NUL-terminated); bytes read or -1. */
static inline ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

#endif /* PDIRFS_TEST_H */
