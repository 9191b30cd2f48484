/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * dirops.pml - Promela model of shared-lock directory operations
 *
 * The executable companion of Documentation/filesystems/shared-dir-locking.rst
 * ("doc N" below refers to its sections).  scripts/check-model.sh runs it:
 * every scenario exhaustively, then every broken variant, which must fail.
 *
 * What is modelled
 * ----------------
 * One filesystem with two shared-locked directories: D0, and D1, the
 * subdirectory of D0 named "sub".  Names: a, b and sub in D0, a in D1.
 * Initially D0/b is a regular file (inode 1), D0/sub is D1, everything else
 * is absent, and the dcache is cold (no dentries), so every operation goes
 * through d_alloc_parallel() and in-lookup dentries.
 *
 * Lock objects (doc 3):
 *   L0  rename_mutex          ->s_vfs_rename_mutex
 *   L1  d_inlookup[x]         DCACHE_PAR_LOOKUP of dentry x, form (i)
 *       d_locked[x]           DCACHE_DIROP_LOCKED of dentry x, form (ii)
 *   L2  rw_*[D0], rw_*[D1]    directory ->i_rwsem, writer-preferring: a
 *                             queued writer blocks new readers (rwsem
 *                             fairness; this is what makes the deadlock of
 *                             doc 5.1 possible at all)
 *   L3  rw_*[D1] as victim    rmdir of D0/sub; ilock[] for non-directories
 *                             (iunl[]: an unlink in flight that released it)
 *
 * Operations (one process each; a scenario runs five of them at once):
 *   Lookup(d,n)            lookup_slow()
 *   Create(d,n)            create/mkdir/mknod/symlink/O_CREAT open
 *   Unlink(d,n)
 *   Link(sd,s,td,t)        link(2) of sd/s as td/t
 *   Rmdir(d,n,victim)      takes the victim's ->i_rwsem exclusive
 *   RenameSame(d,s,t)      plain, RENAME_EXCHANGE or RENAME_WHITEOUT
 *   RenameOverDir(d,s,t,v) the directory d/s over the empty directory
 *                          d/t = v within d: v removed as rmdir's victim
 *   RenameCross(sd,s,td,t) between D0 and D1, either way, under
 *                          ->s_vfs_rename_mutex, which it releases with the
 *                          parents when no directory moves (doc 4.7.1)
 *   Readdir(d)             ->iterate_shared() priming the dcache with
 *                          d_alloc_noblock()
 *   Setattr(d)             a writer taking d's ->i_rwsem exclusive
 *   Completer              the workqueue that runs done_cb for methods that
 *                          returned -EINPROGRESS; it takes no VFS lock
 * Every directory method returns -EINPROGRESS (doc 4.7.1): the caller releases
 * the parents' ->i_rwsem at once, counting the release in the directory's
 * unlocked[] (->i_dirops_unlocked), and waits for done_cb holding only its
 * name locks, L3 and L0; the method's effect on the filesystem happens at
 * completion; the end of the operation drops the count, not the lock.
 * rmdir, holding the victim exclusive, waits for the victim's count to reach
 * zero before it checks that the victim is empty.  (-DSYNC_METHODS: every
 * method synchronous, nothing released.)
 * An unlink either waits holding its victim (unlink(2)) or, chosen
 * nondeterministically, does not wait (io_uring's UNLINKAT, doc 4.7.2): it
 * releases the victim too, counting it in iunl[], which drops with done_cb;
 * the end takes the victim again (dont_mount()); so may a rename of
 * non-directories (io_uring's RENAMEAT), within one directory or between
 * two, releasing its source and target, whose link counts it changes.  Unlink and rename wait,
 * holding a non-directory, for its iunl[] to reach zero.
 * rmdir too either waits holding its victim directory (rmdir(2)) or does
 * not (io_uring's UNLINKAT with AT_REMOVEDIR, doc 4.7.3): it sets the
 * victim's rmflight[] (DIROP_REMOVAL_IN_FLIGHT) and releases the victim;
 * its work item takes the victim again, sets S_DEAD, clears the mark.  A
 * create in a directory and a rename into it, having taken it shared, drop
 * everything and wait while the mark is set (L0 too), then start again.  The filesystem's
 * link counts (nlink[]) change at completion, an unlink's in two steps
 * (i_nlink-- is not atomic), and must match the names of each inode.
 *
 * Scenarios: -DSCENARIOS=mask enables scenario k with bit k-1 (default 511:
 * all nine); init chooses one of the enabled ones nondeterministically, so
 * one exhaustive run covers them all:
 *   1  Lookup(D0,a) Create(D0,a) Unlink(D0,b) Readdir(D0) Setattr(D0)
 *   2  RenameSame(D0,a->b) Create(D0,a) Unlink(D0,b) Readdir(D0) Setattr(D0)
 *   3  RenameCross(D0/b->D1/a) Rmdir(D0/sub) Create(D1,a) RenameSame(D0,a->b)
 *      Setattr(D0)
 *   4  RenameSame(D0,a->b) RenameSame(D0,b->a) Create(D0,a) Readdir(D0)
 *      Setattr(D0)
 *   5  Create(D1,a) Rmdir(D0/sub) Setattr(D1) Readdir(D1) Unlink(D0,b):
 *      operations in a directory whose lock they released, against the
 *      writers on it
 *   6  D1/a is a second link of D0/b's inode: Unlink(D0,b) Unlink(D1,a)
 *      Link(D1/a -> D0/a) Setattr(D1) Lookup(D1,a): two unlinks and a link
 *      of one inode, each waiting or not, so that none may hold the
 *      inode's lock while in flight
 *   7  D0/a is inode 2, D1/a a second link of D0/b's inode 1:
 *      RenameSame(D0,a->b) replacing D0/b, Unlink(D1,a), Setattr(D0),
 *      Lookup(D0,b), Readdir(D0): a rename and an unlink changing one
 *      inode's link count, each waiting or not
 *   8  D1/a is inode 2: RenameCross(D0/b->D1/a) RenameCross(D1/a->D0/b)
 *      Rmdir(D0/sub) Setattr(D1) Lookup(D1,a): two renames of files
 *      between the directories, in opposite directions, each waiting or
 *      not, each releasing L0 while in flight
 *   9  D0/a is an empty directory: RenameOverDir(D0,a->sub) replacing
 *      D1, Create(D1,a) Setattr(D1) Readdir(D1) Lookup(D0,sub): a rename
 *      over a directory, waiting or not (marking it as rmdir does),
 *      against a create in it, a writer on it and a readdir of it
 *   -DALL_AT_ONCE: Lookup, Create, Unlink, RenameSame, RenameCross, Readdir,
 *      Setattr and Rmdir at once (over 10^8 states: not run by default)
 *
 * Properties:
 *   - no deadlock: pan's "invalid end state".  Only the completion worker's
 *     idle loop has an end label; an operation blocked forever is an error;
 *   - per-name exclusion: cs[] counts the operations inside their critical
 *     section on each name (from the method call to the end of the dcache
 *     update and the fsnotify hooks, or the ->lookup call); assert(cs <= 1);
 *   - dcache uniqueness: at most one hashed dentry per (parent, name);
 *   - coherence: the dentry an operation holds matches the filesystem;
 *   - link counts: after an unlink's effect, the inode's link count equals
 *     its names in the filesystem (no lost update of i_nlink);
 *   - termination (-DCHECK_TERM, compiled with -DNP, pan -l): no cycle of
 *     the state graph avoids the point where every operation is done (no
 *     livelock, e.g. in the retry loops).  Together with the absence of
 *     invalid end states this means every execution finishes every
 *     operation.
 *
 * Broken variants (each must FAIL):
 *   BROKEN_READDIR         readdir primes with the blocking
 *                          d_alloc_parallel() holding ->i_rwsem shared
 *   BROKEN_LOOKUP_ORDER    lookup_slow() takes ->i_rwsem before
 *                          d_alloc_parallel() (Linux 7.3's order) while the
 *                          other operations use the new order
 *   BROKEN_DLOCK_INSIDE    unlink takes the dentry lock inside ->i_rwsem,
 *                          the others outside (the June 2025 preview)
 *   BROKEN_RENAME_ORDER    rename takes its two dentry locks source first
 *                          instead of in address order
 *   BROKEN_WHITEOUT        the filesystem hashes the whiteout dentry before
 *                          the VFS has d_move()d the source away
 *   BROKEN_NO_PLACEHOLDER  d_move()/d_delete() release the old name before
 *                          the operation has finished (no name hold)
 *   BROKEN_SAME_DENTRY     rename does not notice that both lookups
 *                          returned the same dentry
 *   BROKEN_READDIR_STALE   readdir instantiates a dentry it primes from the
 *                          entry it read before it owned the name, instead
 *                          of reading the entry again
 *   BROKEN_RMDIR_NO_DRAIN  rmdir (and a rename over a directory) does not
 *                          wait for the operations in flight in the victim:
 *                          a create completes into a removed directory
 *   BROKEN_RELOCK_PARENT   the end of an operation takes the parent's
 *                          ->i_rwsem again to release it (the way 7.3's
 *                          end_dirop() would), against rmdir's wait
 *   BROKEN_VICTIM_NO_WAIT  unlink and rename do not wait for an unlink in
 *                          flight that released the inode: two link count
 *                          updates interleave, one is lost
 *   BROKEN_DRAIN_AT_END    the count of a released victim drops only in the
 *                          work item, after it has taken the victim again:
 *                          against a waiter holding the victim
 *   BROKEN_REMOVAL_NO_MARK an rmdir or a rename over a directory that does
 *                          not wait releases its victim without the mark:
 *                          a create or a rename adds an entry to the
 *                          directory being removed
 *   BROKEN_RELOCK_RENAME_MUTEX  a rename between directories that released
 *                          L0 with its parents takes it again at its end,
 *                          holding its names: against another such rename
 *                          waiting for those names under L0
 *
 * Witnesses (must be reachable, so an assertion that says otherwise fails):
 *   WITNESS_WRITER_IN_FLIGHT  a writer holds a directory exclusively while
 *                          an operation in it is in flight: what 4.7.1 is for
 *   WITNESS_CROSS_IN_FLIGHT   a rename between directories takes L0 while
 *                          another one is in flight (kernel patch 0064)
 *
 * Reduction: an acquisition is a right mover and a release a left mover
 * (Lipton), so "acquire; check; method" and "update; release; release" are
 * written as atomic sequences; a blocking acquisition inside an atomic
 * sequence still lets every other process run while it waits.
 */

#define D0	0
#define D1	1
#define NDIR	2

#define A	0
#define B	1
#define SUB	2
#define NNAME	3

#define SLOT(d, n)	((d) * NNAME + (n))
#define NSLOT	6

#define MAXD	16	/* dentry pool; ids (addresses) are never reused */
#define NINO	8	/* inode numbers of non-directories */
#define NPROCS	12

/* filesystem state of a name */
#define F_NONE	0
#define F_FILE	1
#define F_WOUT	2	/* whiteout */
#define F_DIR	3

#ifndef SCENARIOS
#define SCENARIOS 511	/* bit k-1 enables scenario k; init picks one */
#endif
#ifdef ALL_AT_ONCE
#define NOPS	8
#else
#define NOPS	5
#endif

/* ---- the filesystem's own index: the truth ---- */
byte fs_state[NSLOT];
byte fs_ino[NSLOT];
byte next_ino = 2;
bool dead[NDIR];		/* IS_DEADDIR() */

/* ---- the dcache ---- */
byte d_dir[MAXD];
byte d_name[MAXD];
bool d_hashed[MAXD];
bool d_inlookup[MAXD];		/* DCACHE_PAR_LOOKUP: L1, form (i) */
byte d_state[MAXD];		/* F_NONE: negative */
byte d_ino[MAXD];
byte d_locked[MAXD];		/* DCACHE_DIROP_LOCKED: L1 (ii), owner pid+1 */
byte ndent = 1;			/* dentry 0 means "none" */

/* ---- sleeping locks ---- */
bool rename_mutex;		/* L0 */
#ifdef WITNESS_CROSS_IN_FLIGHT
byte cross_in_flight;		/* renames between directories that released L0 */
#endif
byte rw_readers[NDIR];		/* L2 (L3 for a victim directory) */
bool rw_writer[NDIR];
byte rw_wwait[NDIR];		/* queued writers */
byte unlocked[NDIR];		/* ->i_dirops_unlocked: in flight, L2 released */
byte ilock[NINO];		/* L3: non-directory ->i_rwsem, owner pid+1 */
byte iunl[NINO];		/* its ->i_dirops_unlocked: an unlink in flight
				 * released it (doc 4.7.2) */
byte nlink[NINO];		/* the filesystem's link count (i_nlink) */
bool rmflight[NDIR];		/* DIROP_REMOVAL_IN_FLIGHT: an rmdir of the
				 * directory released it (doc 4.7.3) */

/* ---- struct dirop_ret / done_cb ---- */
chan workq = [NPROCS] of { byte };
bool completed[NPROCS];

/* ---- scratch for loops inside d_step: not part of the state ---- */
hidden byte dj, dcnt;

/* ---- property bookkeeping ---- */
byte cs[NSLOT];
byte ndone;

/* ------------------------------------------------------------------ */
/* rwsem with writer preference: a queued writer blocks new readers    */

inline down_read(d)
{
	(!rw_writer[d] && rw_wwait[d] == 0) -> rw_readers[d]++
}

inline up_read(d)
{
	rw_readers[d]--
}

inline down_write(d)
{
	rw_wwait[d]++;
	atomic { rw_readers[d] == 0 && !rw_writer[d] ->
		rw_writer[d] = 1; rw_wwait[d]-- }
}

inline up_write(d)
{
	rw_writer[d] = 0
}

inline inode_lock(ino)
{
	(ilock[ino] == 0) -> ilock[ino] = _pid + 1
}

inline inode_unlock(ino)
{
	assert(ilock[ino] == _pid + 1);
	ilock[ino] = 0
}

/* non-directories in inode address (here: number) order */
inline lock_two_nondirs(i1, i2)
{
	if
	:: i1 != 0 && i2 != 0 && i1 < i2 -> inode_lock(i1); inode_lock(i2)
	:: i1 != 0 && i2 != 0 && i1 > i2 -> inode_lock(i2); inode_lock(i1)
	:: i1 != 0 && i2 == 0 -> inode_lock(i1)
	:: i1 == 0 && i2 != 0 -> inode_lock(i2)
	:: i1 == 0 && i2 == 0 -> skip
	fi
}

inline unlock_two_nondirs(i1, i2)
{
	if
	:: i1 != 0 -> inode_unlock(i1)
	:: else -> skip
	fi;
	if
	:: i2 != 0 -> inode_unlock(i2)
	:: else -> skip
	fi
}

/*
 * dirop_wait_victim(): with the non-directory locked, wait until no unlink
 * of it that released its lock is before done_cb, so that the filesystem's
 * link count changes of an inode stay one at a time.
 */
inline victim_wait(ino)
{
#ifndef BROKEN_VICTIM_NO_WAIT
	(ino == 0 || iunl[ino] == 0)
#else
	skip
#endif
}

/* the filesystem's link count of ino matches its names */
inline check_nlink(ino)
{
	d_step {
		dcnt = 0;
		dj = 0;
		do
		:: dj < NSLOT ->
			if
			:: fs_ino[dj] == ino && fs_state[dj] != F_NONE -> dcnt++
			:: else -> skip
			fi;
			dj++
		:: else -> break
		od;
		assert(nlink[ino] == dcnt);
		dcnt = 0;
		dj = 0
	}
}

/*
 * dirop_wait_removal(): holding nothing, wait until the rmdir of d in flight
 * that released it has ended (doc 4.7.3).
 */
inline removal_wait(d)
{
	(!rmflight[d])
}

/* L1, form (ii): DCACHE_DIROP_LOCKED, waited for with wait_var_event() */
inline dirop_lock(de)
{
	(d_locked[de] == 0) -> d_locked[de] = _pid + 1
}

inline dirop_unlock(de)
{
	assert(d_locked[de] == _pid + 1);
	d_locked[de] = 0
}

/* does the dentry still name (d, n)?  (doc 4.2, step 3) */
#define VALID(de, d, n)	(d_hashed[de] && d_dir[de] == (d) && d_name[de] == (n))

/* ------------------------------------------------------------------ */
/* per-name critical sections and dcache invariants                    */

inline cs_enter(d, n)
{
	cs[SLOT(d, n)]++;
	assert(cs[SLOT(d, n)] == 1)
}

inline cs_leave(d, n)
{
	cs[SLOT(d, n)]--
}

/* at most one hashed dentry per (parent, name) */
inline check_unique(d, n)
{
	dcnt = 0;
	dj = 1;
	do
	:: dj < ndent ->
		if
		:: d_hashed[dj] && d_dir[dj] == d && d_name[dj] == n -> dcnt++
		:: else -> skip
		fi;
		dj++
	:: else -> break
	od;
	assert(dcnt <= 1);
	dj = 0;
	dcnt = 0
}

/* the dentry we hold agrees with the filesystem */
inline check_coherent(de)
{
	assert(d_state[de] == fs_state[SLOT(d_dir[de], d_name[de])]);
	assert(d_ino[de] == fs_ino[SLOT(d_dir[de], d_name[de])])
}

/* ------------------------------------------------------------------ */
/* d_alloc_parallel() / d_alloc_noblock()                              */
/*                                                                     */
/* de := the hashed dentry of (d, n); or a new in-lookup dentry that   */
/* the caller now owns (isnew); or 0 (noblock: -EWOULDBLOCK).  If an   */
/* in-lookup dentry exists, d_alloc_parallel() waits until it is no    */
/* longer in lookup (d_wait_lookup(): an L1 wait) and searches again.  */

inline d_alloc_common(d, n, noblock)
{
	do
	:: d_step {
		de = 0; w = 0; isnew = 0; dj = 1;
		do
		:: dj < ndent ->
			if
			:: d_dir[dj] == d && d_name[dj] == n && d_hashed[dj] ->
				de = dj
			:: d_dir[dj] == d && d_name[dj] == n && !d_hashed[dj] &&
			   d_inlookup[dj] && w == 0 ->
				w = dj
			:: else -> skip
			fi;
			dj++
		:: else -> break
		od;
		dj = 0;
		if
		:: de == 0 && w == 0 ->
			assert(ndent < MAXD);
			de = ndent;
			ndent++;
			d_dir[de] = d;
			d_name[de] = n;
			d_inlookup[de] = 1;
			isnew = 1
		:: else -> skip
		fi
	   };
	   if
	   :: de != 0 -> break
	   :: de == 0 && noblock -> break
	   :: de == 0 && !noblock ->
		(d_inlookup[w] == 0);		/* d_wait_lookup() */
		w = 0
	   fi
	od
}

/* ->lookup found the name: d_splice_alias() ends the in-lookup state */
inline splice_lookup_result(de)
{
	d_state[de] = fs_state[SLOT(d_dir[de], d_name[de])];
	d_ino[de] = fs_ino[SLOT(d_dir[de], d_name[de])];
	d_inlookup[de] = 0;
	d_hashed[de] = 1;
	check_unique(d_dir[de], d_name[de]);
	cs_leave(d_dir[de], d_name[de])
}

/*
 * lookup (doc 4.1): d_alloc_parallel() holding nothing; if that returned a
 * new in-lookup dentry: ->i_rwsem shared, ->lookup, unlock, d_lookup_done().
 * de := a hashed dentry, or 0 on error (-ENOENT in a dead directory).
 */
inline do_lookup(d, n)
{
	if
	:: dead[d] -> de = 0
	:: else ->
		d_alloc_common(d, n, 0);
		if
		:: isnew ->
			atomic {
				down_read(d);
				cs_enter(d, n);
				if
				:: !dead[d] -> splice_lookup_result(de)
				:: else -> cs_leave(d, n)	/* re-check after L2 */
				fi;
				up_read(d);
				if
				:: d_inlookup[de] ->		/* d_lookup_done() */
					d_inlookup[de] = 0;
					de = 0
				:: else -> skip
				fi;
				isnew = 0
			}
		:: else -> skip
		fi
	fi
}

#ifdef BROKEN_LOOKUP_ORDER
/* Linux 7.3's lookup_slow(): ->i_rwsem shared, then d_alloc_parallel() */
inline do_lookup_73(d, n)
{
	if
	:: dead[d] -> de = 0
	:: else ->
		down_read(d);
		d_alloc_common(d, n, 0);
		atomic {
			if
			:: isnew ->
				cs_enter(d, n);
				splice_lookup_result(de)
			:: else -> skip
			fi;
			up_read(d)
		}
	fi
}
#endif

/* d_duplicate(): a new, in-lookup dentry with the name of a hashed one */
inline d_duplicate(src, ph)
{
	assert(d_hashed[src]);
	assert(ndent < MAXD);
	ph = ndent;
	ndent++;
	d_dir[ph] = d_dir[src];
	d_name[ph] = d_name[src];
	d_inlookup[ph] = 1
}

/* end of the name hold: d_lookup_done() on the placeholder, dput() */
inline release_placeholder(ph)
{
	if
	:: ph != 0 -> d_inlookup[ph] = 0; ph = 0
	:: else -> skip
	fi
}

/*
 * A method returning -EINPROGRESS (doc 4.7.1): release the parents'
 * ->i_rwsem (d1, and d2 if it differs), counting it in unlocked[], and wait
 * (wait_var_event()) for done_cb.  rel records the release for the end of
 * the operation.  With l0 set (a rename between directories that moves no
 * directory) L0 goes with the parents.  Every method is modelled as
 * asynchronous (-DSYNC_METHODS models them all as synchronous: nothing
 * released).
 */
inline call_method_wait(d1, d2, l0)
{
#ifndef SYNC_METHODS
	atomic {
		up_read(d1);
		unlocked[d1]++;
		if
		:: d2 != d1 -> up_read(d2); unlocked[d2]++
		:: else -> skip
		fi;
		if
		:: l0 -> rename_mutex = 0
		:: else -> skip
		fi;
		rel = 1;
		workq ! _pid
	};
	(completed[_pid]);
	completed[_pid] = 0
#else
	skip
#endif
}

/*
 * The end of an operation in d: drop the count of a released parent
 * (waking rmdir's wait), or unlock the parent still held.  The caller
 * clears rel once every parent is done.
 */
inline parent_end(d)
{
	if
	:: rel ->
#ifdef BROKEN_RELOCK_PARENT
		down_read(d);
		unlocked[d]--;
		up_read(d)
#else
		unlocked[d]--
#endif
	:: else -> up_read(d)
	fi
}

/*
 * d_delete() at the end of unlink/rmdir.  If we are the only user, the
 * dentry turns negative in place and stays hashed.  If it is busy it leaves
 * the hash, and the name is held by an in-lookup placeholder from
 * d_duplicate() until the operation releases its locks (doc 4.3).
 */
inline d_delete_held(de, ph)
{
	if
	:: d_state[de] = F_NONE; d_ino[de] = 0
	:: true ->
#ifndef BROKEN_NO_PLACEHOLDER
		d_duplicate(de, ph);
#endif
		d_hashed[de] = 0
	fi
}

/* ------------------------------------------------------------------ */
/* the workqueue that runs done_cb: it takes no VFS lock               */

active proctype Completer()
{
	byte k;
end:
	do
	:: workq ? k -> completed[k] = 1; k = 0
	od
}

#ifdef CHECK_TERM
/* once every operation is done, loop through a progress label forever */
active proctype Finished()
{
	(ndone == NOPS);
progress:
	do
	:: ndone == NOPS
	od
}
#endif

/* ------------------------------------------------------------------ */

proctype Lookup(byte d; byte n)
{
	byte de, w;
	bool isnew;

#ifdef BROKEN_LOOKUP_ORDER
	do_lookup_73(d, n);
#else
	do_lookup(d, n);
#endif
	ndone++
}

/* create, mkdir, mknod, symlink, O_CREAT open (doc 4.2, 4.6) */
proctype Create(byte d; byte n)
{
	byte de, w;
	bool isnew, ok, rel;

again:
	do_lookup(d, n);
	if
	:: de == 0 -> goto out
	:: else -> skip
	fi;
	atomic {
		dirop_lock(de);				/* L1 */
		ok = VALID(de, d, n);
		if
		:: !ok -> dirop_unlock(de); goto again
		:: else -> skip
		fi
	};
	atomic {
		down_read(d);				/* L2 shared */
		if
		:: rmflight[d] ->			/* drop all, wait, again */
			up_read(d);
			dirop_unlock(de);
			goto wait_removal
		:: else -> skip
		fi;
		ok = (!dead[d] && d_state[de] == F_NONE);	/* -ENOENT, -EEXIST */
		if
		:: ok ->
			cs_enter(d, n);
			check_coherent(de)
		:: else -> skip
		fi
	};
	if
	:: ok ->
		call_method_wait(d, d, 0);	/* ->create_async() */
		atomic {			/* its effect, at completion */
			assert(!dead[d]);	/* never into a removed directory */
			assert(d != D1 || fs_state[SLOT(D0, SUB)] == F_DIR);
			fs_state[SLOT(d, n)] = F_FILE;
			fs_ino[SLOT(d, n)] = next_ino;
			nlink[next_ino] = 1;
			next_ino++
		}
	:: else -> skip
	fi;
	atomic {
		if
		:: ok ->
			d_state[de] = F_FILE;		/* d_instantiate() */
			d_ino[de] = fs_ino[SLOT(d, n)];
			cs_leave(d, n)			/* after fsnotify_create() */
		:: else -> skip
		fi;
		parent_end(d);
		rel = 0;
		dirop_unlock(de)
	};
	goto out;
wait_removal:
	removal_wait(d);
	goto again;
out:
	ndone++
}

proctype Unlink(byte d; byte n)
{
	byte de, w, ino, ph, nl;
	bool isnew, ok, rel, nowait;

again:
	do_lookup(d, n);
	if
	:: de == 0 -> goto out
	:: else -> skip
	fi;
#ifdef BROKEN_DLOCK_INSIDE
	/* the June 2025 preview: dentry lock inside ->i_rwsem on this path */
	down_read(d);
	atomic {
		dirop_lock(de);
		ok = VALID(de, d, n);
		if
		:: !ok -> dirop_unlock(de); up_read(d); goto again
		:: else -> skip
		fi
	};
	atomic {
#else
	atomic {
		dirop_lock(de);				/* L1 */
		ok = VALID(de, d, n);
		if
		:: !ok -> dirop_unlock(de); goto again
		:: else -> skip
		fi
	};
	atomic {
		down_read(d);				/* L2 shared */
#endif
		ok = (!dead[d] && d_state[de] != F_NONE);
		if
		:: ok ->
			ino = d_ino[de];
			inode_lock(ino);		/* L3 */
			victim_wait(ino);
			cs_enter(d, n);
			check_coherent(de)
		:: else -> skip
		fi
	};
	if
	:: ok ->
		/*
		 * unlink(2) waits holding the victim; io_uring's UNLINKAT does
		 * not wait, and releases the victim too (doc 4.7.2)
		 */
		if
		:: nowait = 1
		:: nowait = 0
		fi;
		atomic {
			if
			:: nowait -> iunl[ino]++; inode_unlock(ino)
			:: else -> skip
			fi
		};
		call_method_wait(d, d, 0);	/* ->unlink_async() */
		nl = nlink[ino];		/* its effect, at completion; */
		atomic {			/* i_nlink-- is not atomic */
			nlink[ino] = nl - 1;
			nl = 0;
			fs_state[SLOT(d, n)] = F_NONE;
			fs_ino[SLOT(d, n)] = 0;
			check_nlink(ino);
#ifndef BROKEN_DRAIN_AT_END
			if
			:: nowait -> iunl[ino]--	/* with done_cb */
			:: else -> skip
			fi
#endif
		};
		if
		:: nowait ->			/* the work item: dont_mount() */
			atomic {
				inode_lock(ino);
#ifdef BROKEN_DRAIN_AT_END
				iunl[ino]--;
#endif
				nowait = 0
			}
		:: else -> skip
		fi
	:: else -> skip
	fi;
	atomic {
		if
		:: ok ->
			d_delete_held(de, ph);
			cs_leave(d, n);			/* after fsnotify_delete() */
			inode_unlock(ino);
			ino = 0
		:: else -> skip
		fi;
		parent_end(d);
		rel = 0;
		dirop_unlock(de);
		release_placeholder(ph)
	};
out:
	ndone++
}

/*
 * link(2) of sd/s (a file) as td/t: the source by lookup only, the new
 * name as a create; the source's ->i_rwsem (L3) across the method, or,
 * not waiting (io_uring's LINKAT, doc 4.7.2), released like an unlink's
 * victim.  -ENOENT once the source has no links left.
 */
proctype Link(byte sd; byte s; byte td; byte t)
{
	byte de, w, ino, nl;
	bool isnew, ok, rel, nowait;

	do_lookup(sd, s);			/* filename_lookup() */
	if
	:: de != 0 && d_state[de] == F_FILE -> ino = d_ino[de]; de = 0
	:: else -> de = 0; goto out
	fi;
again:
	do_lookup(td, t);			/* filename_create() */
	if
	:: de == 0 -> goto out
	:: else -> skip
	fi;
	atomic {
		dirop_lock(de);				/* L1 */
		ok = VALID(de, td, t);
		if
		:: !ok -> dirop_unlock(de); goto again
		:: else -> skip
		fi
	};
	atomic {
		down_read(td);				/* L2 shared */
		ok = (!dead[td] && d_state[de] == F_NONE);
		if
		:: ok ->
			inode_lock(ino);		/* L3: the source */
			victim_wait(ino);
			ok = (nlink[ino] != 0);		/* -ENOENT */
			if
			:: ok ->
				cs_enter(td, t);
				check_coherent(de)
			:: else -> inode_unlock(ino)
			fi
		:: else -> skip
		fi
	};
	if
	:: ok ->
		if
		:: nowait = 1
		:: nowait = 0
		fi;
		atomic {
			if
			:: nowait -> iunl[ino]++; inode_unlock(ino)
			:: else -> skip
			fi
		};
		call_method_wait(td, td, 0);	/* ->link_async() */
		nl = nlink[ino];			/* its effect, at completion */
		atomic {
			assert(!dead[td]);
			nlink[ino] = nl + 1;
			nl = 0;
			fs_state[SLOT(td, t)] = F_FILE;
			fs_ino[SLOT(td, t)] = ino;
			check_nlink(ino);
#ifndef BROKEN_DRAIN_AT_END
			if
			:: nowait -> iunl[ino]--	/* with done_cb */
			:: else -> skip
			fi
#endif
		};
		if
		:: nowait ->			/* the work item: I_LINKABLE */
			atomic {
				inode_lock(ino);
#ifdef BROKEN_DRAIN_AT_END
				iunl[ino]--;
#endif
				nowait = 0
			}
		:: else -> skip
		fi
	:: else -> skip
	fi;
	atomic {
		if
		:: ok ->
			d_state[de] = F_FILE;		/* d_instantiate() */
			d_ino[de] = ino;
			cs_leave(td, t);		/* after fsnotify_link() */
			inode_unlock(ino)
		:: else -> skip
		fi;
		parent_end(td);
		rel = 0;
		dirop_unlock(de)
	};
out:
	ndone++
}

/* rmdir of d/n, whose directory is victim: victim's ->i_rwsem exclusive */
proctype Rmdir(byte d; byte n; byte victim)
{
	byte de, w, ph;
	bool isnew, ok, rel, nowait;

again:
	do_lookup(d, n);
	if
	:: de == 0 -> goto out
	:: else -> skip
	fi;
	atomic {
		dirop_lock(de);				/* L1 */
		ok = VALID(de, d, n);
		if
		:: !ok -> dirop_unlock(de); goto again
		:: else -> skip
		fi
	};
	atomic {
		down_read(d);				/* L2 shared */
		ok = (!dead[d] && d_state[de] == F_DIR)
	};
	if
	:: ok ->
		down_write(victim);			/* L3: the victim */
#ifndef BROKEN_RMDIR_NO_DRAIN
		(unlocked[victim] == 0);	/* dirop_wait_released() */
#endif
		atomic {
			ok = (fs_state[SLOT(victim, A)] == F_NONE);	/* -ENOTEMPTY */
			if
			:: ok ->
				cs_enter(d, n);
				check_coherent(de)
			:: else -> skip
			fi
		};
		if
		:: ok ->
			/*
			 * rmdir(2) waits holding the victim; io_uring's
			 * UNLINKAT with AT_REMOVEDIR does not, and releases the
			 * victim too, keeping operations out of it with the
			 * mark instead (doc 4.7.3)
			 */
			if
			:: nowait = 1
			:: nowait = 0
			fi;
			atomic {
				if
				:: nowait ->
#ifndef BROKEN_REMOVAL_NO_MARK
					rmflight[victim] = 1;
#endif
					up_write(victim)
				:: else -> skip
				fi
			};
			call_method_wait(d, d, 0);	/* ->rmdir_async() */
			atomic {		/* its effect, at completion */
				assert(fs_state[SLOT(victim, A)] == F_NONE);
				fs_state[SLOT(d, n)] = F_NONE;
				if
				:: !nowait -> dead[victim] = 1	/* S_DEAD */
				:: else -> skip
				fi
			};
			if
			:: nowait ->		/* the work item */
				down_write(victim);
				dead[victim] = 1	/* S_DEAD */
			:: else -> skip
			fi
		:: else -> skip
		fi;
		atomic {
			if
			:: ok ->
				d_delete_held(de, ph);
				cs_leave(d, n)
			:: else -> skip
			fi;
			rmflight[victim] = 0;
			nowait = 0;
			up_write(victim)
		}
	:: else -> skip
	fi;
	atomic {
		parent_end(d);
		rel = 0;
		dirop_unlock(de);
		release_placeholder(ph)
	};
out:
	ndone++
}

/* the two dentry locks of a rename: by dentry address (id) */
inline lock_two_dentries(d1, d2)
{
#ifdef BROKEN_RENAME_ORDER
	dirop_lock(d1); dirop_lock(d2)		/* source first: wrong */
#else
	if
	:: d1 < d2 -> dirop_lock(d1); dirop_lock(d2)
	:: else -> dirop_lock(d2); dirop_lock(d1)
	fi
#endif
}

/* both lookups of a rename; ds, dt := source and target dentries */
inline rename_lookups(sd, s, td, t)
{
	do_lookup(sd, s);
	ds = de;
	if
	:: ds != 0 ->
		do_lookup(td, t);
		dt = de
	:: else -> dt = 0
	fi;
	de = 0
}

/*
 * The common part of rename once L0-L2 are held: L3, the method, the dcache
 * update and the hooks.  ds/dt are the source and target dentries.
 */
inline rename_body(sd, s, td, t)
{
	atomic {
		si = d_ino[ds];
		ti = d_ino[dt];
		lock_two_nondirs(si, ti);		/* L3 */
		victim_wait(si);
		victim_wait(ti);
		cs_enter(sd, s);
		cs_enter(td, t);
		check_coherent(ds);
		check_coherent(dt)
	};
	/*
	 * rename(2) waits holding source and target; io_uring's RENAMEAT
	 * not over a directory, and between directories moving no directory,
	 * does not wait, and releases a non-directory source and target like
	 * an unlink's victim (doc 4.7.2).  A directory source within its
	 * directory (kernel patch 0063) holds no L3 at all, so it holds a
	 * subset of what a file's rename holds here: RenameSame renames no
	 * directory (RenameOverDir does, over one).  Between directories, a rename that moves no directory
	 * releases L0 with the parents (doc 4.7.1), waiting or not.
	 */
#ifndef SYNC_METHODS
	l0rel = (sd != td && si != 0 && d_state[dt] != F_DIR);
#endif
	if
	:: si != 0 && d_state[dt] != F_DIR ->
		if
		:: nowait = 1
		:: nowait = 0
		fi
	:: else -> nowait = 0
	fi;
	atomic {
		if
		:: nowait ->
			iunl[si]++;
			if
			:: ti != 0 -> iunl[ti]++
			:: else -> skip
			fi;
			unlock_two_nondirs(si, ti)
		:: else -> skip
		fi
	};
#ifdef WITNESS_CROSS_IN_FLIGHT
	cross_in_flight = cross_in_flight + l0rel;
#endif
	call_method_wait(sd, td, l0rel);		/* ->rename_async() */
	nl = nlink[ti];					/* i_nlink-- is not atomic */
	atomic {					/* its effect, at completion */
		assert(!dead[sd] && !dead[td]);
		/* nor into a directory the filesystem has removed */
		assert(td != D1 || fs_state[SLOT(D0, SUB)] == F_DIR);
		if
		:: d_state[dt] != F_NONE -> xchg = 1	/* RENAME_EXCHANGE */
		:: true -> xchg = 0
		fi;
		if
		:: xchg ->				/* RENAME_EXCHANGE */
			fs_state[SLOT(sd, s)] = d_state[dt];
			fs_ino[SLOT(sd, s)] = ti;
			fs_state[SLOT(td, t)] = d_state[ds];
			fs_ino[SLOT(td, t)] = si
		:: else ->
			if
			:: wo = 0
			:: wo = 1			/* RENAME_WHITEOUT */
			fi;
			fs_state[SLOT(td, t)] = fs_state[SLOT(sd, s)];
			fs_ino[SLOT(td, t)] = fs_ino[SLOT(sd, s)];
			if
			:: wo ->
				fs_state[SLOT(sd, s)] = F_WOUT;
				fs_ino[SLOT(sd, s)] = next_ino;
				nlink[next_ino] = 1;
				next_ino++
			:: else ->
				fs_state[SLOT(sd, s)] = F_NONE;
				fs_ino[SLOT(sd, s)] = 0
			fi;
			if
			:: ti != 0 && ti != si ->
				nlink[ti] = nl - 1;	/* replaced */
				check_nlink(ti)
			:: else -> skip
			fi
		fi;
		nl = 0;
		if
		:: nowait ->			/* with done_cb */
#ifndef BROKEN_DRAIN_AT_END
			iunl[si]--;
			if
			:: ti != 0 -> iunl[ti]--
			:: else -> skip
			fi
#endif
		:: else -> skip
		fi
	};
	if
	:: nowait ->				/* the work item: d_move() */
		atomic {
			lock_two_nondirs(si, ti);
#ifdef BROKEN_DRAIN_AT_END
			iunl[si]--;
			if
			:: ti != 0 -> iunl[ti]--
			:: else -> skip
			fi;
#endif
			nowait = 0
		}
	:: else -> skip
	fi;
#ifdef BROKEN_WHITEOUT
	if
	:: wo ->
		/* the fs: d_duplicate(), instantiate and hash, *before* d_move */
		d_step {
			d_duplicate(ds, ph);
			d_state[ph] = F_WOUT;
			d_ino[ph] = fs_ino[SLOT(sd, s)];
			d_inlookup[ph] = 0;
			d_hashed[ph] = 1;
			check_unique(sd, s);
			ph = 0
		}
	:: else -> skip
	fi;
#endif
	atomic {
		if
		:: xchg ->				/* d_exchange() */
			d_dir[ds] = td; d_name[ds] = t;
			d_dir[dt] = sd; d_name[dt] = s;
			check_unique(sd, s);
			check_unique(td, t)
		:: else ->
#ifndef BROKEN_NO_PLACEHOLDER
			/* the name hold for s (with RENAME_WHITEOUT: W) */
			d_duplicate(ds, ph);
#endif
			d_hashed[dt] = 0;		/* d_move() */
			d_dir[ds] = td; d_name[ds] = t;
			check_unique(td, t)
		fi;
		xchg = 0;
		wo = 0
	};
	atomic {
		cs_leave(sd, s);			/* after fsnotify_move() */
		cs_leave(td, t);
		unlock_two_nondirs(si, ti);
		si = 0;
		ti = 0
	}
}

proctype RenameSame(byte d; byte s; byte t)
{
	byte de, w, ds, dt, si, ti, ph, nl;
	bool isnew, ok, wo, xchg, rel, nowait, l0rel;

again:
	rename_lookups(d, s, d, t);
	if
	:: ds == 0 || dt == 0 -> goto out
	:: else -> skip
	fi;
#ifndef BROKEN_SAME_DENTRY
	if
	:: ds == dt -> goto again	/* renamed between the lookups */
	:: else -> skip
	fi;
#endif
	atomic {
		lock_two_dentries(ds, dt);		/* L1, both */
		ok = (VALID(ds, d, s) && VALID(dt, d, t));
		if
		:: !ok -> dirop_unlock(ds); dirop_unlock(dt); goto again
		:: else -> skip
		fi
	};
	atomic {
		down_read(d);				/* L2 shared */
		ok = (!dead[d] && d_state[ds] != F_NONE)
	};
	if
	:: ok -> rename_body(d, s, d, t)
	:: else -> skip
	fi;
	atomic {
		parent_end(d);
		rel = 0;
		dirop_unlock(ds);
		dirop_unlock(dt);
		release_placeholder(ph)
	};
out:
	ndone++
}

/*
 * A rename of the directory d/s over d/t, the empty directory victim (D1 =
 * D0/sub), within d (doc 4.7.2, 4.7.3): no L0, the source not locked (its
 * '..' does not change), the victim locked exclusively (L3) and drained as
 * rmdir's victim is.  rename(2) waits holding the victim; io_uring's
 * RENAMEAT does not: it marks the victim, releases it, and its work item
 * takes it again to set S_DEAD, as an rmdir that does not wait.
 */
proctype RenameOverDir(byte d; byte s; byte t; byte victim)
{
	byte de, w, ds, dt, ph;
	bool isnew, ok, rel, nowait;

again:
	rename_lookups(d, s, d, t);
	if
	:: ds == 0 || dt == 0 -> goto out
	:: ds == dt -> goto again	/* renamed between the lookups */
	:: else -> skip
	fi;
	atomic {
		lock_two_dentries(ds, dt);		/* L1, both */
		ok = (VALID(ds, d, s) && VALID(dt, d, t));
		if
		:: !ok -> dirop_unlock(ds); dirop_unlock(dt); goto again
		:: else -> skip
		fi
	};
	atomic {
		down_read(d);				/* L2 shared */
		ok = (!dead[d] && d_state[ds] == F_DIR && d_state[dt] == F_DIR)
	};
	if
	:: ok ->
		down_write(victim);			/* L3: the replaced one */
#ifndef BROKEN_RMDIR_NO_DRAIN
		(unlocked[victim] == 0);		/* dirop_wait_released() */
#endif
		atomic {
			ok = (fs_state[SLOT(victim, A)] == F_NONE);	/* -ENOTEMPTY */
			if
			:: ok ->
				cs_enter(d, s);
				cs_enter(d, t);
				check_coherent(ds);
				check_coherent(dt)
			:: else -> skip
			fi
		};
		if
		:: ok ->
			if
			:: nowait = 1
			:: nowait = 0
			fi;
			atomic {
				if
				:: nowait ->
#ifndef BROKEN_REMOVAL_NO_MARK
					rmflight[victim] = 1;
#endif
					up_write(victim)
				:: else -> skip
				fi
			};
			call_method_wait(d, d, 0);	/* ->rename_async() */
			atomic {		/* its effect, at completion */
				assert(fs_state[SLOT(victim, A)] == F_NONE);
				fs_state[SLOT(d, t)] = fs_state[SLOT(d, s)];
				fs_state[SLOT(d, s)] = F_NONE;
				if
				:: !nowait -> dead[victim] = 1	/* S_DEAD */
				:: else -> skip
				fi
			};
			if
			:: nowait ->		/* the work item */
				down_write(victim);
				dead[victim] = 1	/* S_DEAD */
			:: else -> skip
			fi;
			atomic {
#ifndef BROKEN_NO_PLACEHOLDER
				d_duplicate(ds, ph);	/* the name hold for s */
#endif
				d_hashed[dt] = 0;	/* d_move() */
				d_dir[ds] = d; d_name[ds] = t;
				check_unique(d, t);
				cs_leave(d, s);		/* after fsnotify_move() */
				cs_leave(d, t)
			}
		:: else -> skip
		fi;
		atomic {
			rmflight[victim] = 0;	/* dirop_removal_done() */
			nowait = 0;
			up_write(victim)
		}
	:: else -> skip
	fi;
	atomic {
		parent_end(d);
		rel = 0;
		dirop_unlock(ds);
		dirop_unlock(dt);
		release_placeholder(ph)
	};
out:
	ndone++
}

/* cross-directory rename between D0 and its subdirectory D1, either way */
proctype RenameCross(byte sd; byte s; byte td; byte t)
{
	byte de, w, ds, dt, si, ti, ph, nl;
	bool isnew, ok, wo, xchg, rel, nowait, l0rel;

relock:
	atomic {
		!rename_mutex -> rename_mutex = 1	/* L0 */
#ifdef WITNESS_CROSS_IN_FLIGHT
		;
		assert(cross_in_flight == 0)	/* reachable: L0 was released */
#endif
	}
again:
	rename_lookups(sd, s, td, t);
	if
	:: ds == 0 || dt == 0 -> goto out
	:: else -> skip
	fi;
#ifndef BROKEN_SAME_DENTRY
	if
	:: ds == dt -> goto again
	:: else -> skip
	fi;
#endif
	atomic {
		lock_two_dentries(ds, dt);		/* L1, both */
		ok = (VALID(ds, sd, s) && VALID(dt, td, t));
		if
		:: !ok -> dirop_unlock(ds); dirop_unlock(dt); goto again
		:: else -> skip
		fi
	};
	atomic {
		down_read(D0);				/* L2: ancestor first */
		down_read(D1);
		if
		:: rmflight[sd] || rmflight[td] ->	/* drop all, L0 too */
			up_read(D1);
			up_read(D0);
			dirop_unlock(ds);
			dirop_unlock(dt);
			rename_mutex = 0;
			goto wait_removal
		:: else -> skip
		fi;
		ok = (!dead[sd] && !dead[td] && d_state[ds] != F_NONE)
	};
	if
	:: ok -> rename_body(sd, s, td, t)
	:: else -> skip
	fi;
#ifdef BROKEN_RELOCK_RENAME_MUTEX
	if
	:: l0rel ->		/* takes L0 again to release it, holding L1 */
		atomic { !rename_mutex -> rename_mutex = 1 };
		l0rel = 0
	:: else -> skip
	fi;
#endif
	atomic {
		parent_end(td);
		parent_end(sd);
		rel = 0;
		dirop_unlock(ds);
		dirop_unlock(dt);
		release_placeholder(ph)
	};
out:
	if
	:: l0rel ->				/* released with the parents */
#ifdef WITNESS_CROSS_IN_FLIGHT
		cross_in_flight--;
#endif
		l0rel = 0
	:: else -> rename_mutex = 0
	fi;
	ndone++;
	goto done;
wait_removal:
	removal_wait(sd);
	removal_wait(td);
	goto relock;
done:
	skip
}

/*
 * readdir (doc 4.8): ->i_rwsem shared for the whole call; primes the dcache
 * with d_alloc_noblock(), never waits for an L1 object, instantiates only
 * the dentries it created, from the entry as it is once it owns the name,
 * and ends their in-lookup state before going on.
 */
proctype Readdir(byte d)
{
	byte de, w, n;
#ifdef BROKEN_READDIR_STALE
	byte st, sino;
#endif
	bool isnew;

	down_read(d);
	n = 0;
	do
	:: n < NNAME && !dead[d] && fs_state[SLOT(d, n)] != F_NONE ->
#ifdef BROKEN_READDIR_STALE
		st = fs_state[SLOT(d, n)];
		sino = fs_ino[SLOT(d, n)];
#endif
#ifdef BROKEN_READDIR
		d_alloc_common(d, n, 0);	/* blocking: wrong */
#else
		d_alloc_common(d, n, 1);	/* d_alloc_noblock() */
#endif
		if
		:: de != 0 && isnew ->
			d_step {
				cs_enter(d, n);
				splice_lookup_result(de);
#ifdef BROKEN_READDIR_STALE
				/* instantiate from the entry read before */
				d_state[de] = st;
				d_ino[de] = sino
#endif
			}
		:: else -> skip			/* found, or -EWOULDBLOCK */
		fi;
		de = 0;
		isnew = 0;
		n++
	:: n < NNAME && (dead[d] || fs_state[SLOT(d, n)] == F_NONE) -> n++
	:: n >= NNAME -> break
	od;
	atomic {
		up_read(d);
		n = 0
	};
	ndone++
}

/* setattr on the directory: its ->i_rwsem exclusive */
proctype Setattr(byte d)
{
	down_write(d);
#ifdef WITNESS_WRITER_IN_FLIGHT
	assert(unlocked[d] == 0);	/* reachable: the writer did not wait */
#endif
	up_write(d);
	ndone++
}

init {
	atomic {
		fs_state[SLOT(D0, B)] = F_FILE;
		fs_ino[SLOT(D0, B)] = 1;
		nlink[1] = 1;
		fs_state[SLOT(D0, SUB)] = F_DIR;
#ifdef ALL_AT_ONCE
		run Lookup(D0, A);
		run Create(D0, A);
		run Unlink(D0, B);
		run RenameSame(D0, A, B);
		run RenameCross(D0, B, D1, A);
		run Readdir(D0);
		run Setattr(D0);
		run Rmdir(D0, SUB, D1)
#else
		if
#if SCENARIOS & 1
		:: run Lookup(D0, A);
		   run Create(D0, A);
		   run Unlink(D0, B);
		   run Readdir(D0);
		   run Setattr(D0)
#endif
#if SCENARIOS & 2
		:: run RenameSame(D0, A, B);
		   run Create(D0, A);
		   run Unlink(D0, B);
		   run Readdir(D0);
		   run Setattr(D0)
#endif
#if SCENARIOS & 4
		:: run RenameCross(D0, B, D1, A);
		   run Rmdir(D0, SUB, D1);
		   run Create(D1, A);
		   run RenameSame(D0, A, B);
		   run Setattr(D0)
#endif
#if SCENARIOS & 8
		:: run RenameSame(D0, A, B);
		   run RenameSame(D0, B, A);
		   run Create(D0, A);
		   run Readdir(D0);
		   run Setattr(D0)
#endif
#if SCENARIOS & 16
		:: run Create(D1, A);
		   run Rmdir(D0, SUB, D1);
		   run Setattr(D1);
		   run Readdir(D1);
		   run Unlink(D0, B)
#endif
#if SCENARIOS & 32
		:: fs_state[SLOT(D1, A)] = F_FILE;	/* a second link */
		   fs_ino[SLOT(D1, A)] = 1;
		   nlink[1] = 2;
		   run Unlink(D0, B);
		   run Unlink(D1, A);
		   run Link(D1, A, D0, A);
		   run Setattr(D1);
		   run Lookup(D1, A)
#endif
#if SCENARIOS & 64
		:: fs_state[SLOT(D0, A)] = F_FILE;	/* inode 2 */
		   fs_ino[SLOT(D0, A)] = 2;
		   nlink[2] = 1;
		   next_ino = 3;
		   fs_state[SLOT(D1, A)] = F_FILE;	/* a second link */
		   fs_ino[SLOT(D1, A)] = 1;
		   nlink[1] = 2;
		   run RenameSame(D0, A, B);
		   run Unlink(D1, A);
		   run Setattr(D0);
		   run Lookup(D0, B);
		   run Readdir(D0)
#endif
#if SCENARIOS & 128
		:: fs_state[SLOT(D1, A)] = F_FILE;	/* inode 2 */
		   fs_ino[SLOT(D1, A)] = 2;
		   nlink[2] = 1;
		   next_ino = 3;
		   run RenameCross(D0, B, D1, A);
		   run RenameCross(D1, A, D0, B);
		   run Rmdir(D0, SUB, D1);
		   run Setattr(D1);
		   run Lookup(D1, A)
#endif
#if SCENARIOS & 256
		:: fs_state[SLOT(D0, A)] = F_DIR;	/* an empty directory */
		   run RenameOverDir(D0, A, SUB, D1);
		   run Create(D1, A);
		   run Setattr(D1);
		   run Readdir(D1);
		   run Lookup(D0, SUB)
#endif
		fi
#endif
	}
}
