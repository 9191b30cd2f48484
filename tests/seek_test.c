// SPDX-License-Identifier: GPL-2.0
/*
 * SEEK_DATA and SEEK_HOLE, compared with tmpfs at every start offset.
 *
 * The same sparse files are made on a pdirfs and a tmpfs mount in the same
 * boot (data runs and holes of various lengths, data in the first page,
 * an end of file inside a page and inside a hole), and lseek() is asked
 * for the next data and the next hole from every byte offset of each file
 * and a page past its end; pdirfs must answer as tmpfs does, offsets and
 * errors alike.  Before the fix, SEEK_HOLE from inside a written first
 * page answered the start offset itself (a hole where there is data).
 */
#include <sys/wait.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define PAGE 4096

struct layout {
	const char *name;
	/* Written ranges, in bytes: {offset, length}, ended by a 0 length. */
	long runs[6][2];
	/* The file size (truncate after writing): may cut or extend. */
	long size;
};

static const struct layout layouts[] = {
	{ "data in the first page, then holes",
	  { { 0, 100 }, { 3 * PAGE, PAGE }, { 0, 0 } }, 6 * PAGE + 10 },
	{ "hole first, several runs",
	  { { 2 * PAGE + 5, 10 }, { 4 * PAGE, 2 * PAGE }, { 8 * PAGE - 1, 2 }, { 0, 0 } },
	  10 * PAGE },
	{ "fully written",
	  { { 0, 3 * PAGE + 17 }, { 0, 0 } }, 3 * PAGE + 17 },
	{ "end of file inside a hole",
	  { { PAGE, PAGE }, { 0, 0 } }, 5 * PAGE + 123 },
	{ "end of file inside the last data page",
	  { { 0, PAGE }, { 2 * PAGE, 2 * PAGE }, { 0, 0 } }, 3 * PAGE + 1 },
	{ "only a hole", { { 0, 0 } }, 4 * PAGE },
	{ "empty", { { 0, 0 } }, 0 },
};

static int make_file(const char *path, const struct layout *l)
{
	static char buf[4 * PAGE];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	memset(buf, 'd', sizeof(buf));
	for (int i = 0; l->runs[i][1]; i++)
		if (pwrite(fd, buf, l->runs[i][1], l->runs[i][0]) != l->runs[i][1])
			return -1;
	if (ftruncate(fd, l->size))
		return -1;
	return fd;
}

/* lseek's answer as one number: the offset, or minus the errno. */
static long seek(int fd, long off, int whence)
{
	long r = lseek(fd, off, whence);

	return r < 0 ? -errno : r;
}

FIXTURE(seek) {
	char pd[64], tm[64];
};

FIXTURE_VARIANT(seek) {
	const char *opts;
};

FIXTURE_VARIANT_ADD(seek, pdirfs) {
	.opts = "",
};

FIXTURE_SETUP(seek)
{
	strcpy(self->pd, "/tmp/seek-pdirfs-XXXXXX");
	strcpy(self->tm, "/tmp/seek-tmpfs-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->pd));
	ASSERT_NE(NULL, mkdtemp(self->tm));
	ASSERT_EQ(0, mount("pdirfs", self->pd, "pdirfs", 0, variant->opts));
	ASSERT_EQ(0, mount("tmpfs", self->tm, "tmpfs", 0, NULL));
}

FIXTURE_TEARDOWN(seek)
{
	umount2(self->pd, MNT_DETACH);
	umount2(self->tm, MNT_DETACH);
	rmdir(self->pd);
	rmdir(self->tm);
}

TEST_F_TIMEOUT(seek, every_offset_as_tmpfs, 300)
{
	for (unsigned int i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		char p[96], t[96];
		long checked = 0, wrong = 0;
		int pfd, tfd;

		snprintf(p, sizeof(p), "%s/f%u", self->pd, i);
		snprintf(t, sizeof(t), "%s/f%u", self->tm, i);
		pfd = make_file(p, l);
		tfd = make_file(t, l);
		ASSERT_GE(pfd, 0);
		ASSERT_GE(tfd, 0);
		for (long off = 0; off <= l->size + PAGE; off++) {
			for (int w = 0; w < 2; w++) {
				int whence = w ? SEEK_HOLE : SEEK_DATA;
				long a = seek(pfd, off, whence), b = seek(tfd, off, whence);

				checked++;
				if (a != b && wrong++ < 5)
					TH_LOG("%s: %s from %ld: pdirfs %ld, tmpfs %ld", l->name,
					       w ? "SEEK_HOLE" : "SEEK_DATA", off, a, b);
			}
		}
		TH_LOG("%s: %ld lseeks, %ld differ from tmpfs", l->name, checked, wrong);
		EXPECT_EQ(0, wrong);
		close(pfd);
		close(tfd);
	}
}

TEST_HARNESS_MAIN
