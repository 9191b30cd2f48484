// SPDX-License-Identifier: GPL-2.0
/*
 * RENAME_WHITEOUT under concurrency: the whiteout is there as soon as the
 * rename returns.
 *
 * Writer threads each own a few names in two directories and loop: make the
 * name, renameat2(RENAME_WHITEOUT) it (within its directory or into the
 * other one), lstat() the old name, which must be a 0:0 character device,
 * and clean up.  Reader threads list both directories and stat every name
 * they see, without any ordering against the writers, as ls -l would.
 *
 * This caught the old name reading ENOENT right after the rename, about
 * once in a thousand renames, on every pdirfs mode: the v3 series' __d_add()
 * hashed a dentry before instantiating it, so an RCU-walk lookup racing with
 * a reader's ->lookup() or readdir priming of the same name could find it
 * hashed and negative (patches/0033).  tmpfs runs the same code.
 *
 * PDIRFS_WHITEOUT_SECONDS sets the duration per variant (default 5).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define WRITERS 4
#define READERS 2
#define NAMES 4
#define MAXBAD 8

static const char *const wdirs[2] = { "x", "y" };

struct shared {
	int stop; /* read and written with __atomic */
	unsigned long renames, readers, bad;
	char bad_msg[MAXBAD][240];
};

static struct shared *S;

static void bad(const char *fmt, ...)
{
	unsigned long n = __atomic_fetch_add(&S->bad, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (n >= MAXBAD)
		return;
	va_start(ap, fmt);
	vsnprintf(S->bad_msg[n], sizeof(S->bad_msg[n]), fmt, ap);
	va_end(ap);
}

/* Whether name appears in a listing of dir. */
static int listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strcmp(de->d_name, name))
			found = 1;
	closedir(d);
	return found;
}

static void *writer(void *arg)
{
	int t = (int)(uintptr_t)arg;
	unsigned long i = 0;

	while (!__atomic_load_n(&S->stop, __ATOMIC_RELAXED)) {
		int n = i % NAMES, cross = (i / NAMES) % 2, kind = (i / (2 * NAMES)) % 3;
		const char *from_dir = wdirs[t % 2];
		char from[32], to[32], name[16];
		struct stat st;
		int r, tries = 0, e;

		i++;
		snprintf(name, sizeof(name), "w%d-%d", t, n);
		snprintf(from, sizeof(from), "%s/%s", from_dir, name);
		snprintf(to, sizeof(to), "%s/t%d-%d", cross ? wdirs[1 - t % 2] : from_dir, t, n);
		if (kind == 0)
			r = mknod(from, S_IFREG | 0644, 0);
		else if (kind == 1)
			r = mkdir(from, 0755);
		else
			r = symlink("target", from);
		if (r) {
			bad("make %s: %s", from, strerror(errno));
			break;
		}
		if (sys_renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_WHITEOUT)) {
			bad("rename %s %s: %s", from, to, strerror(errno));
			break;
		}
		__atomic_fetch_add(&S->renames, 1, __ATOMIC_RELAXED);
		if (lstat(from, &st)) {
			e = errno;
			while (lstat(from, &st) && tries < 1000)
				tries++;
			bad("lstat %s right after renaming a %s %s: %s; %d more tries; listed: %d",
			    from, kind == 0 ? "file" : kind == 1 ? "directory" : "symlink",
			    cross ? "to the other directory" : "within its directory",
			    strerror(e), tries, listed(from_dir, name));
		} else if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0)) {
			bad("%s: mode %o after the rename, not a whiteout", from, st.st_mode);
		}
		if (unlink(from) || (kind == 1 ? rmdir(to) : unlink(to))) {
			bad("cleanup %s %s: %s", from, to, strerror(errno));
			break;
		}
	}
	return NULL;
}

static void *reader(void *arg)
{
	int i = (int)(uintptr_t)arg;
	char buf[4096];

	while (!__atomic_load_n(&S->stop, __ATOMIC_RELAXED)) {
		int fd = open(wdirs[i++ % 2], O_RDONLY | O_DIRECTORY);
		long n;

		if (fd < 0) {
			bad("lister: open: %s", strerror(errno));
			break;
		}
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n;) {
				struct dirent64 *de = (struct dirent64 *)(buf + off);
				struct stat st;

				if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
				    errno != ENOENT)
					bad("lister: stat %s: %s", de->d_name, strerror(errno));
				off += de->d_reclen;
			}
		}
		close(fd);
		__atomic_fetch_add(&S->readers, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

FIXTURE(wrace) {
	char dir[64];
};

PDIRFS_MODES_AND_TMPFS_VARIANTS(wrace);

FIXTURE_SETUP(wrace)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/wrace-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, variant->opts));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, mkdir(wdirs[0], 0755));
	ASSERT_EQ(0, mkdir(wdirs[1], 0755));
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, S);
}

FIXTURE_TEARDOWN(wrace)
{
	munmap(S, sizeof(*S));
	chdir("/");
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F_TIMEOUT(wrace, whiteout_there_when_rename_returns, 600)
{
	const char *env = getenv("PDIRFS_WHITEOUT_SECONDS");
	int secs = env ? atoi(env) : 5;
	pthread_t w[WRITERS], r[READERS];

	for (int i = 0; i < WRITERS; i++)
		ASSERT_EQ(0, pthread_create(&w[i], NULL, writer, (void *)(uintptr_t)i));
	for (int i = 0; i < READERS; i++)
		ASSERT_EQ(0, pthread_create(&r[i], NULL, reader, (void *)(uintptr_t)i));
	sleep(secs);
	__atomic_store_n(&S->stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
	TH_LOG("%lu renames, %lu directory listings", S->renames, S->readers);
	for (unsigned long i = 0; i < S->bad && i < MAXBAD; i++)
		TH_LOG("%s", S->bad_msg[i]);
	EXPECT_EQ(0, S->bad);
	EXPECT_LT(100, S->renames);
}

TEST_HARNESS_MAIN
