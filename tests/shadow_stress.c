// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized stress checked against a shadow model (fsstress-like, with a
 * shared hot directory).
 *
 * Threads do a weighted mix of every directory and data operation on a small
 * tree: three fixed directories ("hot", where most operations go, "d1" and
 * "d2" for cross-directory renames) with 24 names each, so names collide all
 * the time.  The model knows, for every name, which object it holds (type,
 * inode number, link count, size, bytes, symlink target), and every
 * operation's result is predicted before the syscall and compared after it.
 *
 * Exactness under concurrency: each operation holds, in userspace, the locks
 * of the names it touches (in slot order) and, for data operations, the lock
 * of the object.  So operations on the same name are ordered and the model
 * knows "the last operation on a name", while operations on different names
 * of one directory still run concurrently in the kernel, which is what the
 * shared directory lock allows.  Same-name races without this ordering are
 * stress_test.c's and races_test.c's business.  Reader threads list and
 * stat the directories without any lock.
 *
 * At the end the whole tree is compared with the model: readdir lists
 * exactly the names the model holds, once each, with the right d_ino and
 * d_type; each name has the right type, inode, link count, size, contents
 * and target; directory link counts; the inodes statfs counts in use; and
 * all of it again after dropping the dentry and inode caches.
 *
 * Fault variants (skipped unless the kernel has fault injection, i.e. the
 * `make check-debug` kernel) aim failslab and fail_page_alloc at the worker
 * threads: a failing operation must fail with ENOMEM or ENOSPC and change
 * nothing (checked by re-reading the names it touched), except that
 * open(O_CREAT) may leave the file it created when a later step of the open
 * fails, as on every Linux filesystem.  make-it-fail is per task: with
 * completion=async the filesystem's half of each directory operation runs
 * in a kworker, which is not targeted, so that variant injects failures into
 * the VFS's half (dentries, the work item) and into file data only.
 *
 * The io_uring variant sends half of the writers' directory operations
 * (create and open with O_CREAT, mkdir, symlink, link, unlink, rmdir, the
 * renames) through io_uring instead, each thread waiting for its own
 * completion: the same predictions hold, but the operations take the
 * paths of a caller that does not wait (the method in flight with the
 * parent, the victims and a replaced directory released, the end in a
 * VFS work item; shared-dir-locking.rst 4.7.2, 4.7.3) among the system
 * calls of the other threads.
 *
 * PDIRFS_SHADOW_SECONDS sets the duration (default 4).  A progress line is
 * printed every 30 seconds.
 */
#include <dirent.h>
#include <liburing.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include "pdirfs_test.h"
#include "kselftest_harness.h"

#define NDIRS 3
#define NNAMES 24
#define NSLOTS (NDIRS * NNAMES)
#define WRITERS 6
#define READERS 2
#define MAXOBJ (NSLOTS + WRITERS + 8)
#define MAXDATA 12288 /* three pages: writes cross page boundaries */
#define MAXBAD 12

static const char *const dirs[NDIRS] = { "hot", "d1", "d2" };

enum type { T_REG = 1, T_DIR, T_LNK, T_FIFO, T_WHT };

static const char *const type_names[] = { "none", "file", "dir", "symlink", "fifo", "whiteout" };

struct obj {
	pthread_mutex_t lock; /* data and link count */
	int type;
	int nlink; /* names in the tree */
	ino_t ino;
	size_t size;
	char target[40];
	unsigned char data[MAXDATA];
};

struct slot {
	pthread_mutex_t lock;
	int obj; /* index into model.objs, or -1 */
};

enum op {
	OP_CREATE, OP_OPEN_CREAT, OP_WRITE, OP_TRUNCATE, OP_UNLINK, OP_MKDIR, OP_RMDIR,
	OP_RENAME, OP_RENAME_NOREPLACE, OP_RENAME_EXCHANGE, OP_RENAME_WHITEOUT, OP_LINK,
	OP_SYMLINK, OP_MKNOD, OP_TMPFILE, OP_VERIFY, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"create", "open_creat", "write", "truncate", "unlink", "mkdir", "rmdir", "rename",
	"rename_noreplace", "rename_exchange", "rename_whiteout", "link", "symlink",
	"mknod", "tmpfile", "verify",
};

/* Relative weights of the operations in the mix. */
static const int op_weight[NR_OPS] = {
	10, 4, 10, 4, 8, 5, 5, 6, 4, 4, 2, 6, 4, 2, 3, 6,
};

struct model {
	struct slot slots[NSLOTS];
	struct obj objs[MAXOBJ];
	pthread_mutex_t free_lock;
	int free[MAXOBJ];
	int nfree;
	int faults; /* fault injection aimed at the workers */
	int uring; /* half of the directory operations through io_uring */
	unsigned long uring_ops;
	volatile int stop;
	/* results */
	unsigned long ops[NR_OPS], ok[NR_OPS], failed_injected[NR_OPS];
	unsigned long reader_ops, created_but_open_failed;
	unsigned long bad;
	char bad_msg[MAXBAD][200];
};

static struct model *M;

#define COUNT(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

static void report_bad(const char *fmt, ...)
{
	unsigned long n = __atomic_fetch_add(&M->bad, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (n >= MAXBAD)
		return;
	va_start(ap, fmt);
	vsnprintf(M->bad_msg[n], sizeof(M->bad_msg[n]), fmt, ap);
	va_end(ap);
}

static unsigned int rnd(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A writer's own ring, in the io_uring variant. */
static __thread struct io_uring *ring;

/* An SQE for the next operation, for half of them in the io_uring variant. */
static struct io_uring_sqe *uring_sqe(unsigned int *seed)
{
	if (!ring || rnd(seed) % 2)
		return NULL;
	return io_uring_get_sqe(ring);
}

/* Runs the prepared SQE and returns as the system call would. */
static int uring_run(void)
{
	struct io_uring_cqe *cqe;
	int r = io_uring_submit_and_wait(ring, 1);

	if (r >= 0)
		r = io_uring_wait_cqe(ring, &cqe);
	if (r < 0) {
		report_bad("io_uring: %s", strerror(-r));
		errno = -r;
		return -1;
	}
	r = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	__atomic_fetch_add(&M->uring_ops, 1, __ATOMIC_RELAXED);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

/* The directory operations, as system calls or (uring_sqe()) not */
static int x_open_creat(const char *p, int flags, unsigned int *seed)
{
	struct io_uring_sqe *sqe = uring_sqe(seed);

	if (!sqe)
		return open(p, flags, 0644);
	io_uring_prep_openat(sqe, AT_FDCWD, p, flags, 0644);
	return uring_run();
}

static int x_unlink(const char *p, int flags, unsigned int *seed)
{
	struct io_uring_sqe *sqe = uring_sqe(seed);

	if (!sqe)
		return unlinkat(AT_FDCWD, p, flags);
	io_uring_prep_unlinkat(sqe, AT_FDCWD, p, flags);
	return uring_run();
}

static int x_mkdir(const char *p, unsigned int *seed)
{
	struct io_uring_sqe *sqe = uring_sqe(seed);

	if (!sqe)
		return mkdir(p, 0755);
	io_uring_prep_mkdirat(sqe, AT_FDCWD, p, 0755);
	return uring_run();
}

static int x_symlink(const char *target, const char *p, unsigned int *seed)
{
	struct io_uring_sqe *sqe = uring_sqe(seed);

	if (!sqe)
		return symlink(target, p);
	io_uring_prep_symlinkat(sqe, target, AT_FDCWD, p);
	return uring_run();
}

static int x_link(const char *from, const char *to, unsigned int *seed)
{
	struct io_uring_sqe *sqe = uring_sqe(seed);

	if (!sqe)
		return link(from, to);
	io_uring_prep_linkat(sqe, AT_FDCWD, from, AT_FDCWD, to, 0);
	return uring_run();
}

static int x_rename(const char *from, const char *to, unsigned int flags, unsigned int *seed)
{
	struct io_uring_sqe *sqe = uring_sqe(seed);

	if (!sqe)
		return sys_renameat2(AT_FDCWD, from, AT_FDCWD, to, flags);
	io_uring_prep_renameat(sqe, AT_FDCWD, from, AT_FDCWD, to, flags);
	return uring_run();
}

static void slot_path(char *buf, int s)
{
	sprintf(buf, "%s/n%02d", dirs[s / NNAMES], s % NNAMES);
}

static int obj_alloc(int type)
{
	int o;

	pthread_mutex_lock(&M->free_lock);
	if (!M->nfree) {
		pthread_mutex_unlock(&M->free_lock);
		report_bad("model: out of objects");
		return -1;
	}
	o = M->free[--M->nfree];
	pthread_mutex_unlock(&M->free_lock);
	M->objs[o].type = type;
	M->objs[o].nlink = 1;
	M->objs[o].size = 0;
	M->objs[o].ino = 0;
	M->objs[o].target[0] = '\0';
	memset(M->objs[o].data, 0, MAXDATA);
	return o;
}

/*
 * Object locks are taken after the name locks, one at a time.  An operation
 * that changes an object's data or link count holds its lock across the
 * syscall, so that a check through another name of the object sees the
 * kernel and the model agree.  -1 (no object) is allowed.
 */
static void olock(int o)
{
	if (o >= 0)
		pthread_mutex_lock(&M->objs[o].lock);
}

static void ounlock(int o)
{
	if (o >= 0)
		pthread_mutex_unlock(&M->objs[o].lock);
}

/* One name less for object o, whose lock the caller holds; frees it with its last name. */
static void obj_unref_unlock(int o)
{
	int last = --M->objs[o].nlink == 0;

	pthread_mutex_unlock(&M->objs[o].lock);
	if (last) {
		pthread_mutex_lock(&M->free_lock);
		M->free[M->nfree++] = o;
		pthread_mutex_unlock(&M->free_lock);
	}
}

static int obj_type(int o)
{
	return o < 0 ? 0 : M->objs[o].type;
}

/* Errors a fault-injected allocation failure may surface as. */
static int injected(int e)
{
	return M->faults && (e == ENOMEM || e == ENOSPC);
}

/* The inode number at p, or 0; retries lookups that fault injection failed. */
static ino_t path_ino(const char *p)
{
	struct stat st;

	for (int i = 0; i < 1000; i++) {
		if (!lstat(p, &st))
			return st.st_ino;
		if (!injected(errno))
			break;
	}
	return 0;
}

/*
 * Compare name slot s with the model: type, inode, link count, size and,
 * for files, the bytes.  The caller holds the slot lock (and, for files
 * with other names, nothing else may change them: data operations hold the
 * object lock, which is taken here too).  Returns 0 if it matches.
 */
static int check_slot(int s, const char *why)
{
	char p[32], buf[MAXDATA + 1], link[64];
	int o = M->slots[s].obj, bad = 0;
	struct stat st;
	struct obj *ob;

	slot_path(p, s);
	olock(o); /* before looking: operations through other names hold it */
	if (lstat(p, &st)) {
		int e = errno, mismatch = o >= 0 || e != ENOENT;

		if (injected(e))
			mismatch = 0; /* could not look */
		else if (mismatch)
			report_bad("%s: %s: lstat: %s, model has a %s", why, p, strerror(e),
				   type_names[obj_type(o)]);
		ounlock(o);
		return mismatch ? -1 : 0;
	}
	if (o < 0) {
		report_bad("%s: %s exists (mode %o), model has nothing", why, p, st.st_mode);
		return -1;
	}
	ob = &M->objs[o];
	switch (ob->type) {
	case T_REG:
		bad = !S_ISREG(st.st_mode);
		break;
	case T_DIR:
		bad = !S_ISDIR(st.st_mode) || st.st_nlink != 2;
		break;
	case T_LNK:
		bad = !S_ISLNK(st.st_mode) || st.st_size != (off_t)strlen(ob->target);
		break;
	case T_FIFO:
		bad = !S_ISFIFO(st.st_mode);
		break;
	case T_WHT:
		bad = !S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0);
		break;
	}
	if (bad || st.st_ino != ob->ino || (ob->type != T_DIR && st.st_nlink != (nlink_t)ob->nlink)) {
		report_bad("%s: %s: mode %o ino %lu nlink %lu, model: %s ino %lu nlink %d", why, p,
			   st.st_mode, (unsigned long)st.st_ino, (unsigned long)st.st_nlink,
			   type_names[ob->type], (unsigned long)ob->ino, ob->nlink);
		bad = 1;
	} else if (ob->type == T_REG) {
		int fd = open(p, O_RDONLY | O_NOFOLLOW);
		ssize_t n;

		if (st.st_size != (off_t)ob->size) {
			report_bad("%s: %s: size %ld, model %zu", why, p, (long)st.st_size, ob->size);
			bad = 1;
		} else if (fd < 0) {
			if (!injected(errno)) {
				report_bad("%s: %s: open: %s", why, p, strerror(errno));
				bad = 1;
			}
		} else {
			n = pread(fd, buf, sizeof(buf), 0);
			if (n < 0 && injected(errno)) {
				/* could not read: nothing to compare */
			} else if (n != (ssize_t)ob->size || memcmp(buf, ob->data, n)) {
				report_bad("%s: %s: read %zd bytes, differs from model (%zu)", why, p, n,
					   ob->size);
				bad = 1;
			}
		}
		if (fd >= 0)
			close(fd);
	} else if (ob->type == T_LNK) {
		ssize_t n = readlink(p, link, sizeof(link) - 1);

		if (n < 0 ? !injected(errno) : (link[n] = '\0', strcmp(link, ob->target))) {
			report_bad("%s: %s: symlink target differs", why, p);
			bad = 1;
		}
	}
	pthread_mutex_unlock(&ob->lock);
	return bad ? -1 : 0;
}

/* Compare the syscall's outcome with the model's prediction. */
static int outcome(int op, const char *p, int expect, int r, int *adopt_failure)
{
	int e = r < 0 ? errno : 0;

	COUNT(M->ops[op]);
	if (e == expect) {
		if (!e)
			COUNT(M->ok[op]);
		return e;
	}
	/* An allocation can fail before the operation finds out its real answer. */
	if (injected(e)) {
		COUNT(M->failed_injected[op]);
		*adopt_failure = 1;
		return e;
	}
	/* A special file refuses opens with ENXIO (fifo) or ENXIO/ENODEV (chr 0:0). */
	if (expect == ENXIO && e == ENODEV)
		return e;
	report_bad("%s %s: got %s, model expected %s", op_names[op], p,
		   e ? strerror(e) : "success", expect ? strerror(expect) : "success");
	return -1;
}

/* What open(O_WRONLY | O_NOFOLLOW | O_NONBLOCK) of an existing name gives. */
static int open_errno(int type)
{
	switch (type) {
	case 0:
		return ENOENT;
	case T_DIR:
		return EISDIR;
	case T_LNK:
		return ELOOP;
	case T_FIFO:
	case T_WHT:
		return ENXIO;
	}
	return 0;
}

static void fill(unsigned char *b, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(seed + i * 7 + (i >> 9));
}

/* Writes len bytes at off into object o (lock held): the model after a write of n. */
static void model_write(struct obj *ob, size_t off, const unsigned char *b, ssize_t n)
{
	if (n <= 0)
		return;
	memcpy(ob->data + off, b, n);
	if (off + n > ob->size)
		ob->size = off + n;
}

static void model_truncate(struct obj *ob, size_t len)
{
	if (len < ob->size)
		memset(ob->data + len, 0, ob->size - len);
	ob->size = len;
}

static void lock2(int a, int b)
{
	if (a > b) {
		int t = a;

		a = b;
		b = t;
	}
	pthread_mutex_lock(&M->slots[a].lock);
	if (b != a)
		pthread_mutex_lock(&M->slots[b].lock);
}

static void unlock2(int a, int b)
{
	pthread_mutex_unlock(&M->slots[a].lock);
	if (b != a)
		pthread_mutex_unlock(&M->slots[b].lock);
}

static int pick_op(unsigned int *seed)
{
	static int total;
	int r;

	if (!total)
		for (int i = 0; i < NR_OPS; i++)
			total += op_weight[i];
	r = rnd(seed) % total;
	for (int i = 0; i < NR_OPS; i++) {
		r -= op_weight[i];
		if (r < 0)
			return i;
	}
	return OP_VERIFY;
}

/* Most names in "hot": that is the directory whose lock matters. */
static int pick_slot(unsigned int *seed)
{
	unsigned int r = rnd(seed);
	int d = (r % 10) < 7 ? 0 : 1 + (r / 10) % 2;

	return d * NNAMES + (r >> 8) % NNAMES;
}

/* After a failed syscall in fault mode: nothing may have changed. */
static void check_unchanged(int a, int b, int op)
{
	char why[48];

	snprintf(why, sizeof(why), "after failed %s", op_names[op]);
	check_slot(a, why);
	if (b >= 0 && b != a)
		check_slot(b, why);
}

static void do_one(unsigned int *seed)
{
	int op = pick_op(seed), a = pick_slot(seed), b = pick_slot(seed);
	unsigned char buf[MAXDATA];
	char pa[32], pb[32];
	int oa, ob, ta, tb, expect, r, e, fd, failed = 0;

	if (op >= OP_RENAME && op <= OP_LINK)
		while (b == a)
			b = pick_slot(seed);
	else
		b = -1;
	slot_path(pa, a);
	if (b >= 0)
		slot_path(pb, b);
	lock2(a, b < 0 ? a : b);
	oa = M->slots[a].obj;
	ob = b < 0 ? -1 : M->slots[b].obj;
	ta = obj_type(oa);
	tb = obj_type(ob);

	switch (op) {
	case OP_CREATE: {
		size_t len = rnd(seed) % 600;

		expect = oa >= 0 ? EEXIST : 0;
		fd = open(pa, O_CREAT | O_EXCL | O_WRONLY, 0644);
		e = outcome(op, pa, expect, fd, &failed);
		if (e == 0) {
			struct stat st;
			int o = obj_alloc(T_REG);

			if (o >= 0) {
				fstat(fd, &st);
				M->objs[o].ino = st.st_ino;
				M->slots[a].obj = o;
				fill(buf, len, rnd(seed));
				r = write(fd, buf, len);
				if (r < 0 ? !injected(errno) : r != (ssize_t)len && !M->faults)
					report_bad("write after create %s: %d (%s)", pa, r, strerror(errno));
				model_write(&M->objs[o], 0, buf, r);
			}
		} else if (failed) {
			ino_t ino = oa < 0 ? path_ino(pa) : 0;

			/* The create may have happened before the open failed. */
			if (ino) {
				int o = obj_alloc(T_REG);

				if (o >= 0) {
					M->objs[o].ino = ino;
					M->slots[a].obj = o;
					COUNT(M->created_but_open_failed);
				}
			}
			check_unchanged(a, -1, op);
		}
		if (fd >= 0)
			close(fd);
		break;
	}
	case OP_OPEN_CREAT: {
		int trunc = rnd(seed) & 1;

		expect = oa < 0 ? 0 : open_errno(ta);
		if (ta == T_REG)
			olock(oa); /* O_TRUNC changes the data */
		fd = x_open_creat(pa, O_CREAT | O_WRONLY | O_NOFOLLOW | O_NONBLOCK | (trunc ? O_TRUNC : 0),
				  seed);
		e = outcome(op, pa, expect, fd, &failed);
		if (ta == T_REG) {
			if (e == 0 && trunc)
				model_truncate(&M->objs[oa], 0);
			ounlock(oa);
		}
		if (e == 0 && oa < 0) {
			struct stat st;
			int o = obj_alloc(T_REG);

			if (o >= 0) {
				fstat(fd, &st);
				M->objs[o].ino = st.st_ino;
				M->slots[a].obj = o;
			}
		} else if (failed) {
			if (oa < 0 && path_ino(pa)) {
				int o = obj_alloc(T_REG);

				if (o >= 0) {
					M->objs[o].ino = path_ino(pa);
					M->slots[a].obj = o;
					COUNT(M->created_but_open_failed);
				}
			}
			check_unchanged(a, -1, op);
		}
		if (fd >= 0)
			close(fd);
		break;
	}
	case OP_WRITE:
	case OP_TRUNCATE: {
		size_t off = rnd(seed) % MAXDATA, len = rnd(seed) % (MAXDATA - off + 1);

		if (ta == T_REG)
			pthread_mutex_lock(&M->objs[oa].lock);
		fd = open(pa, O_WRONLY | O_NOFOLLOW | O_NONBLOCK);
		e = outcome(op, pa, open_errno(ta), fd, &failed);
		if (e == 0) {
			struct obj *o = &M->objs[oa];

			if (op == OP_WRITE) {
				fill(buf, len, rnd(seed));
				r = pwrite(fd, buf, len, off);
				if (r < 0 ? !injected(errno) : (r != (ssize_t)len && !M->faults))
					report_bad("pwrite %s %zu@%zu: %zd (%s)", pa, len, off, (ssize_t)r,
						   strerror(errno));
				model_write(o, off, buf, r);
			} else {
				r = ftruncate(fd, off);
				if (r == 0)
					model_truncate(o, off);
				else if (!injected(errno))
					report_bad("ftruncate %s %zu: %s", pa, off, strerror(errno));
			}
		}
		if (fd >= 0)
			close(fd);
		if (ta == T_REG)
			pthread_mutex_unlock(&M->objs[oa].lock);
		if (failed || (M->faults && ta == T_REG))
			check_unchanged(a, -1, op); /* short writes are in the model */
		break;
	}
	case OP_UNLINK:
		expect = oa < 0 ? ENOENT : ta == T_DIR ? EISDIR : 0;
		olock(oa);
		e = outcome(op, pa, expect, x_unlink(pa, 0, seed), &failed);
		if (e == 0) {
			M->slots[a].obj = -1;
			obj_unref_unlock(oa);
		} else {
			ounlock(oa);
		}
		break;
	case OP_MKDIR:
		e = outcome(op, pa, oa >= 0 ? EEXIST : 0, x_mkdir(pa, seed), &failed);
		if (e == 0) {
			int o = obj_alloc(T_DIR);

			if (o >= 0) {
				M->objs[o].ino = path_ino(pa);
				M->slots[a].obj = o;
			}
		}
		break;
	case OP_RMDIR:
		expect = oa < 0 ? ENOENT : ta != T_DIR ? ENOTDIR : 0;
		olock(oa);
		e = outcome(op, pa, expect, x_unlink(pa, AT_REMOVEDIR, seed), &failed);
		if (e == 0) {
			M->slots[a].obj = -1;
			obj_unref_unlock(oa);
		} else {
			ounlock(oa);
		}
		break;
	case OP_SYMLINK: {
		char target[40];

		snprintf(target, sizeof(target), "target-%u", rnd(seed) % 100000);
		e = outcome(op, pa, oa >= 0 ? EEXIST : 0, x_symlink(target, pa, seed), &failed);
		if (e == 0) {
			int o = obj_alloc(T_LNK);

			if (o >= 0) {
				strcpy(M->objs[o].target, target);
				M->objs[o].ino = path_ino(pa);
				M->slots[a].obj = o;
			}
		}
		break;
	}
	case OP_MKNOD:
		e = outcome(op, pa, oa >= 0 ? EEXIST : 0, mknod(pa, S_IFIFO | 0644, 0), &failed);
		if (e == 0) {
			int o = obj_alloc(T_FIFO);

			if (o >= 0) {
				M->objs[o].ino = path_ino(pa);
				M->slots[a].obj = o;
			}
		}
		break;
	case OP_TMPFILE: {
		char dir[8];
		size_t len = rnd(seed) % 2000;
		struct stat st;

		strcpy(dir, dirs[a / NNAMES]);
		fd = open(dir, O_TMPFILE | O_RDWR, 0600);
		if (fd < 0) {
			outcome(op, pa, 0, fd, &failed);
			break;
		}
		fill(buf, len, rnd(seed));
		r = write(fd, buf, len);
		if (r < 0 && !injected(errno))
			report_bad("write to O_TMPFILE: %s", strerror(errno));
		e = outcome(op, pa, oa >= 0 ? EEXIST : 0,
			    linkat(fd, "", AT_FDCWD, pa, AT_EMPTY_PATH), &failed);
		if (e == 0) {
			int o = obj_alloc(T_REG);

			if (o >= 0) {
				fstat(fd, &st);
				M->objs[o].ino = st.st_ino;
				model_write(&M->objs[o], 0, buf, r);
				M->slots[a].obj = o;
			}
		}
		close(fd);
		break;
	}
	case OP_LINK:
		/* the new name is looked up (EEXIST) before vfs_link() (EPERM) */
		expect = oa < 0 ? ENOENT : ob >= 0 ? EEXIST : ta == T_DIR ? EPERM : 0;
		olock(oa);
		e = outcome(op, pb, expect, x_link(pa, pb, seed), &failed);
		if (e == 0) {
			M->objs[oa].nlink++;
			M->slots[b].obj = oa;
		}
		ounlock(oa);
		break;
	case OP_RENAME:
	case OP_RENAME_WHITEOUT:
		if (oa < 0)
			expect = ENOENT;
		else if (ob < 0 || oa == ob)
			expect = 0;
		else if (ta == T_DIR && tb != T_DIR)
			expect = ENOTDIR;
		else if (ta != T_DIR && tb == T_DIR)
			expect = EISDIR;
		else
			expect = 0;
		{
			int victim = ob >= 0 && ob != oa ? ob : -1; /* loses a name */

			olock(victim);
			r = x_rename(pa, pb, op == OP_RENAME ? 0 : RENAME_WHITEOUT, seed);
			e = outcome(op, pa, expect, r, &failed);
			if (e == 0 && victim >= 0)
				obj_unref_unlock(victim);
			else
				ounlock(victim);
		}
		if (e == 0 && oa != ob) {
			M->slots[b].obj = oa;
			M->slots[a].obj = -1;
			if (op == OP_RENAME_WHITEOUT) {
				int o = obj_alloc(T_WHT);

				if (o >= 0) {
					M->objs[o].ino = path_ino(pa);
					M->slots[a].obj = o;
					/*
					 * The rename has returned and we still own
					 * the name: the whiteout must be there now.
					 */
					if (!M->objs[o].ino && !injected(errno))
						report_bad("rename_whiteout: %s: no whiteout after it: %s",
							   pa, strerror(errno));
				}
			}
		}
		break;
	case OP_RENAME_NOREPLACE:
		expect = oa < 0 ? ENOENT : ob >= 0 ? EEXIST : 0;
		e = outcome(op, pa, expect, x_rename(pa, pb, RENAME_NOREPLACE, seed), &failed);
		if (e == 0) {
			M->slots[b].obj = oa;
			M->slots[a].obj = -1;
		}
		break;
	case OP_RENAME_EXCHANGE:
		expect = oa < 0 || ob < 0 ? ENOENT : 0;
		e = outcome(op, pa, expect, x_rename(pa, pb, RENAME_EXCHANGE, seed), &failed);
		if (e == 0) {
			M->slots[b].obj = oa;
			M->slots[a].obj = ob;
		}
		break;
	case OP_VERIFY:
		COUNT(M->ops[op]);
		if (check_slot(a, "verify") == 0)
			COUNT(M->ok[op]);
		break;
	}
	if (failed && op != OP_CREATE && op != OP_OPEN_CREAT && op != OP_WRITE && op != OP_TRUNCATE)
		check_unchanged(a, b, op);
	unlock2(a, b < 0 ? a : b);
}

static void aim_faults_at_me(void)
{
	char p[64];
	int fd;

	if (!M->faults)
		return;
	snprintf(p, sizeof(p), "/proc/self/task/%ld/make-it-fail", (long)syscall(SYS_gettid));
	fd = open(p, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		report_bad("cannot set %s: %s", p, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void *writer(void *arg)
{
	unsigned int seed = 0x9e3779b9u * (unsigned int)(uintptr_t)arg + 1;
	struct io_uring own;

	if (M->uring) {
		if (io_uring_queue_init(4, &own, 0)) {
			report_bad("io_uring_queue_init failed");
			return NULL;
		}
		ring = &own;
	}
	aim_faults_at_me();
	while (!M->stop)
		do_one(&seed);
	if (ring)
		io_uring_queue_exit(ring);
	ring = NULL;
	return NULL;
}

/*
 * Lists and stats without any lock: only errors that a race explains.
 * getdents64 into a stack buffer rather than opendir(), whose malloc could
 * map memory that fault injection then fails to fault in.
 */
static void *reader(void *arg)
{
	int i = (int)(uintptr_t)arg;
	char buf[4096];

	aim_faults_at_me();
	while (!M->stop) {
		int fd = open(dirs[i++ % NDIRS], O_RDONLY | O_DIRECTORY);
		long n;

		if (fd < 0) {
			if (!injected(errno))
				report_bad("reader: open: %s", strerror(errno));
			continue;
		}
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n;) {
				struct dirent64 *de = (struct dirent64 *)(buf + off);
				struct stat st;

				if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
				    errno != ENOENT && !injected(errno))
					report_bad("reader: stat %s: %s", de->d_name, strerror(errno));
				off += de->d_reclen;
			}
		}
		if (n < 0 && !injected(errno))
			report_bad("reader: getdents64: %s", strerror(errno));
		close(fd);
		COUNT(M->reader_ops);
	}
	return NULL;
}

static int write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	int r = fd >= 0 && write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;

	if (fd >= 0)
		close(fd);
	return r;
}

/* failslab and fail_page_alloc: 1% of the allocations of marked tasks. */
static int faults_configure(int on)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	char p[96];

	for (int i = 0; i < 2; i++) {
		static const char *const knobs[][2] = {
			{ "task-filter", "Y" }, { "interval", "1" }, { "times", "-1" },
			{ "verbose", "0" }, { "ignore-gfp-wait", "N" }, { "space", "0" },
		};

		for (unsigned int k = 0; on && k < sizeof(knobs) / sizeof(knobs[0]); k++) {
			snprintf(p, sizeof(p), "/sys/kernel/debug/%s/%s", attrs[i], knobs[k][0]);
			if (write_knob(p, knobs[k][1]))
				return -1;
		}
		snprintf(p, sizeof(p), "/sys/kernel/debug/%s/probability", attrs[i]);
		if (write_knob(p, on ? "1" : "0"))
			return -1;
	}
	snprintf(p, sizeof(p), "PDIRFS-FAULT-INJECTION: %s\n", on ? "on" : "off");
	write_knob("/dev/kmsg", p);
	return 0;
}

/* The whole tree against the model, with nothing running. */
static void check_tree(struct __test_metadata *_metadata, const char *why)
{
	int seen[NSLOTS] = { 0 }, subdirs[NDIRS] = { 0 }, live = 0;
	int counted[MAXOBJ] = { 0 };
	struct statfs sfs;
	struct stat st;

	for (int d = 0; d < NDIRS; d++) {
		DIR *dp = opendir(dirs[d]);
		struct dirent *de;

		ASSERT_NE(NULL, dp);
		while ((de = readdir(dp))) {
			int n, s, o;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (sscanf(de->d_name, "n%d", &n) != 1 || n < 0 || n >= NNAMES) {
				report_bad("%s: stray name %s/%s", why, dirs[d], de->d_name);
				continue;
			}
			s = d * NNAMES + n;
			o = M->slots[s].obj;
			if (seen[s]++)
				report_bad("%s: %s/%s listed twice", why, dirs[d], de->d_name);
			else if (o < 0)
				report_bad("%s: %s/%s listed, model has nothing", why, dirs[d], de->d_name);
			else if (de->d_ino != M->objs[o].ino)
				report_bad("%s: %s/%s d_ino %lu, model ino %lu", why, dirs[d], de->d_name,
					   (unsigned long)de->d_ino, (unsigned long)M->objs[o].ino);
			else if (de->d_type != (M->objs[o].type == T_REG ? DT_REG :
						M->objs[o].type == T_DIR ? DT_DIR :
						M->objs[o].type == T_LNK ? DT_LNK :
						M->objs[o].type == T_FIFO ? DT_FIFO : DT_CHR))
				report_bad("%s: %s/%s d_type %d, model %s", why, dirs[d], de->d_name,
					   de->d_type, type_names[M->objs[o].type]);
		}
		closedir(dp);
	}
	for (int s = 0; s < NSLOTS; s++) {
		int o = M->slots[s].obj;

		if (o >= 0 && !seen[s]) {
			char p[32];

			slot_path(p, s);
			report_bad("%s: %s not listed by readdir", why, p);
		}
		check_slot(s, why);
		if (o >= 0 && !counted[o]++) {
			live++;
			/* Further links take inode space, as on tmpfs. */
			if (M->objs[o].type != T_DIR && M->objs[o].nlink > 1)
				live += M->objs[o].nlink - 1;
		}
		if (o >= 0 && M->objs[o].type == T_DIR)
			subdirs[s / NNAMES]++;
	}
	for (int d = 0; d < NDIRS; d++) {
		ASSERT_EQ(0, stat(dirs[d], &st));
		EXPECT_EQ(2 + subdirs[d], st.st_nlink) TH_LOG("%s: %s", why, dirs[d]);
	}
	/* Root, the fixed directories, each live object and further link. */
	for (int tries = 0; tries < 40; tries++) {
		ASSERT_EQ(0, statfs(".", &sfs));
		if (sfs.f_files - sfs.f_ffree == 1 + NDIRS + live)
			break;
		usleep(50000); /* last references of replaced inodes drop late */
	}
	if (sfs.f_files - sfs.f_ffree != 1 + NDIRS + live)
		TH_LOG("%s: statfs counts %lu inodes in use, model %d", why,
		       (unsigned long)(sfs.f_files - sfs.f_ffree), 1 + NDIRS + live);
	if (sfs.f_type == PDIRFS_MAGIC)
		EXPECT_EQ(1 + NDIRS + live, sfs.f_files - sfs.f_ffree);
}

FIXTURE(shadow) {
	char dir[64];
};

FIXTURE_VARIANT(shadow) {
	const char *type;
	const char *opts;
	int faults;
	int uring;
};

FIXTURE_VARIANT_ADD(shadow, pdirfs_sync) {
	.type = "pdirfs", .opts = "dirops=shared,completion=sync",
};

FIXTURE_VARIANT_ADD(shadow, pdirfs_async) {
	.type = "pdirfs", .opts = "completion=async",
};

FIXTURE_VARIANT_ADD(shadow, pdirfs_async_latency) {
	.type = "pdirfs", .opts = "completion=async,latency_us=100",
};

FIXTURE_VARIANT_ADD(shadow, pdirfs_exclusive) {
	.type = "pdirfs", .opts = "dirops=exclusive",
};

/* Half of the directory operations through io_uring (see the top). */
FIXTURE_VARIANT_ADD(shadow, pdirfs_async_uring) {
	.type = "pdirfs", .opts = "completion=async,latency_us=100", .uring = 1,
};

FIXTURE_VARIANT_ADD(shadow, tmpfs_uring) {
	.type = "tmpfs", .opts = "", .uring = 1,
};

/* The reference: if the model disagrees with tmpfs, the model is wrong. */
FIXTURE_VARIANT_ADD(shadow, tmpfs) {
	.type = "tmpfs", .opts = "",
};

FIXTURE_VARIANT_ADD(shadow, pdirfs_sync_faults) {
	.type = "pdirfs", .opts = "completion=sync", .faults = 1,
};

FIXTURE_VARIANT_ADD(shadow, pdirfs_async_faults) {
	.type = "pdirfs", .opts = "completion=async", .faults = 1,
};

FIXTURE_SETUP(shadow)
{
	if (variant->faults && access("/sys/kernel/debug/failslab/probability", W_OK))
		SKIP(return, "no fault injection in this kernel (make check-debug has it)");
	snprintf(self->dir, sizeof(self->dir), "/tmp/shadow-%s-XXXXXX", variant->type);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(variant->type, self->dir, variant->type, 0, variant->opts));
	ASSERT_EQ(0, chdir(self->dir));
	for (int d = 0; d < NDIRS; d++)
		ASSERT_EQ(0, mkdir(dirs[d], 0755));
}

FIXTURE_TEARDOWN(shadow)
{
	if (variant->faults)
		faults_configure(0);
	chdir("/");
	if (self->dir[0]) {
		umount2(self->dir, MNT_DETACH);
		rmdir(self->dir);
	}
}

TEST_F_TIMEOUT(shadow, model, 7200)
{
	const char *env = getenv("PDIRFS_SHADOW_SECONDS");
	int seconds = env ? atoi(env) : 4, threads = WRITERS + READERS;
	pthread_t th[WRITERS + READERS];
	unsigned long total = 0, ok = 0, inj = 0;
	time_t start = time(NULL), last = start;

	M = mmap(NULL, sizeof(*M), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, M);
	memset(M, 0, sizeof(*M));
	pthread_mutex_init(&M->free_lock, NULL);
	for (int s = 0; s < NSLOTS; s++) {
		pthread_mutex_init(&M->slots[s].lock, NULL);
		M->slots[s].obj = -1;
	}
	for (int o = 0; o < MAXOBJ; o++) {
		pthread_mutex_init(&M->objs[o].lock, NULL);
		M->free[M->nfree++] = MAXOBJ - 1 - o;
	}
	if (variant->faults) {
		/* Our own memory must not fail: fault it all in now, and later maps too. */
		ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));
		ASSERT_EQ(0, faults_configure(1));
		M->faults = 1;
	}
	M->uring = variant->uring;
	for (int i = 0; i < threads; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, i < WRITERS ? writer : reader,
					    (void *)(uintptr_t)i));
	while (time(NULL) - start < seconds) {
		sleep(1);
		if (time(NULL) - last >= 30) {
			unsigned long n = 0;

			for (int i = 0; i < NR_OPS; i++)
				n += M->ops[i];
			last = time(NULL);
			printf("# progress: %s %lds, %lu operations, %lu mismatches\n", variant->opts,
			       (long)(last - start), n, M->bad);
			fflush(stdout);
		}
	}
	M->stop = 1;
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	if (variant->faults) {
		ASSERT_EQ(0, faults_configure(0));
		munlockall();
	}
	for (int i = 0; i < NR_OPS; i++) {
		total += M->ops[i];
		ok += M->ok[i];
		inj += M->failed_injected[i];
		TH_LOG("%-16s %7lu done, %7lu succeeded, %5lu failed by injection", op_names[i],
		       M->ops[i], M->ok[i], M->failed_injected[i]);
	}
	TH_LOG("%lu operations (%lu succeeded, %lu failed by injection, %lu creates that failed "
	       "to open) and %lu directory scans in %d s on %s (%s)", total, ok, inj,
	       M->created_but_open_failed, M->reader_ops, seconds, variant->type, variant->opts);
	check_tree(_metadata, "final tree");
	ASSERT_EQ(0, write_knob("/proc/sys/vm/drop_caches", "3"));
	check_tree(_metadata, "after drop_caches");
	for (unsigned long i = 0; i < M->bad && i < MAXBAD; i++)
		TH_LOG("mismatch: %s", M->bad_msg[i]);
	EXPECT_EQ(0, M->bad);
	EXPECT_LT(1000, total) TH_LOG("too few operations to mean anything");
	if (variant->faults)
		EXPECT_LT(0, inj) TH_LOG("fault injection never hit an operation");
	if (variant->uring) {
		TH_LOG("%lu of them through io_uring", M->uring_ops);
		EXPECT_LT(total / 8, M->uring_ops) TH_LOG("too few through io_uring");
	}
	munmap(M, sizeof(*M));
}

TEST_HARNESS_MAIN
