/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * dirops.pml - Promela model of shared-lock directory operations
 *
 * This is the executable companion of
 * Documentation/filesystems/shared-dir-locking.rst; the section numbers in
 * the comments ("doc 4.2") refer to that document.  scripts/check-model.sh
 * runs it.
 *
 * What is modelled
 * ----------------
 * One filesystem with two shared-locked directories: D0 and D1, where D1 is
 * the subdirectory of D0 named "sub".  Names: a, b in D0, "sub" in D0, a in
 * D1.  Initially D0/b is a regular file (inode 1), D0/sub is the directory
 * D1, everything else is absent, and the dcache is cold (no dentries), so
 * every operation has to go through d_alloc_parallel() and in-lookup
 * dentries.
 *
 * Lock objects (doc 2):
 *   L0  rename_mutex          s_vfs_rename_mutex
 *   L1  d_inlookup[d]         DCACHE_PAR_LOOKUP of dentry d (form i)
 *       d_locked[d]           DCACHE_DIROP_LOCKED of dentry d (form ii)
 *   L2  rw_*[D0], rw_*[D1]    directory i_rwsem, with writer preference:
 *                             a queued writer blocks new readers
 *   L3  rw_*[D1] as a victim  (rmdir of D0/sub), ilock[] for non-directories
 *
 * Processes (one operation each; all run concurrently):
 *   Lookup(D0,a)           lookup_slow
 *   Create(D0,a)           create/mkdir/mknod/symlink/O_CREAT open
 *   Unlink(D0,b)
 *   RenameSame(D0,a->b)    plain, RENAME_EXCHANGE or RENAME_WHITEOUT
 *   RenameCross(D0/b -> D1/a), under s_vfs_rename_mutex
 *   Readdir(D0)            iterate_shared priming the dcache with
 *                          d_alloc_noblock()
 *   Setattr(D0)            a writer taking D0's i_rwsem exclusive
 *   Rmdir(D0,sub)          takes D1's i_rwsem exclusive as a victim
 *   Completer              the workqueue running done_cb of -EINPROGRESS
 *                          methods; it takes no VFS lock
 *
 * Properties:
 *   - no deadlock: pan reports an "invalid end state" when some operation is
 *     blocked forever; only the completion worker's idle loop carries an
 *     end label;
 *   - per-name exclusion: cs[] counts the operations inside their critical
 *     section on each name (the method call through the dcache update and the
 *     fsnotify hooks); assert(cs <= 1);
 *   - dcache uniqueness: at most one hashed dentry per (parent, name);
 *   - coherence: an operation that holds a name sees a dentry whose state
 *     matches the filesystem's;
 *   - termination: the LTL property "term" (every operation finishes), checked
 *     with weak fairness by scripts/check-model.sh.
 *
 * Broken variants (each must FAIL; see scripts/check-model.sh):
 *   -DBROKEN_READDIR        readdir primes with blocking d_alloc_parallel()
 *                           while holding D0's i_rwsem shared
 *   -DBROKEN_LOOKUP_ORDER   lookup_slow takes i_rwsem before
 *                           d_alloc_parallel() (Linux 7.3's order) while the
 *                           other operations use the new order
 *   -DBROKEN_DLOCK_INSIDE   unlink takes the dentry lock inside i_rwsem,
 *                           everything else outside (June 2025 preview)
 *   -DBROKEN_RENAME_ORDER   a second rename b->a; both take their two
 *                           dentry locks source first instead of by address
 *   -DBROKEN_WHITEOUT       the whiteout dentry is hashed by the filesystem
 *                           before the VFS d_move()s the source away
 *   -DBROKEN_NO_PLACEHOLDER d_move()/d_delete() free the name before the
 *                           operation has finished (no name-hold placeholder)
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

#define MAXD	16	/* dentry pool; ids are never reused */
#define NINO	8	/* inode numbers of non-directories */
#define NPROCS	12

/* filesystem state of a name */
#define F_NONE	0
#define F_FILE	1
#define F_WOUT	2	/* whiteout */
#define F_DIR	3

#ifndef SCEN
#define SCEN	0	/* 0: all eight operations at once (large) */
#endif
#if SCEN == 0
#define NOPS	8
#else
#define NOPS	5
#endif

/* ---- the filesystem's own index (the truth) ---- */
byte fs_state[NSLOT];
byte fs_ino[NSLOT];
byte next_ino = 2;
bool dead[NDIR];		/* IS_DEADDIR */

/* ---- the dcache ---- */
byte d_dir[MAXD];
byte d_name[MAXD];
bool d_hashed[MAXD];
bool d_inlookup[MAXD];		/* DCACHE_PAR_LOOKUP: L1, form (i) */
byte d_state[MAXD];		/* F_NONE = negative */
byte d_ino[MAXD];
byte d_locked[MAXD];		/* DCACHE_DIROP_LOCKED: L1, form (ii); owner pid+1 */
byte ndent = 1;			/* dentry 0 means "none" */

/* ---- sleeping locks ---- */
bool rename_mutex;		/* L0 */
byte rw_readers[NDIR];		/* L2 (and L3 for a victim directory) */
bool rw_writer[NDIR];
byte rw_wwait[NDIR];		/* queued writers */
byte ilock[NINO];		/* L3: non-directory i_rwsem, owner pid+1 */

/* ---- async completion (struct dirop_ret, done_cb) ---- */
chan workq = [NPROCS] of { byte };
bool completed[NPROCS];

/* ---- scratch for d_step loops: not part of the state ---- */
hidden byte dj, dcnt;

/* ---- property bookkeeping ---- */
byte cs[NSLOT];
byte ndone;

#ifdef CHECK_TERM
ltl term { <> (ndone == NOPS) }
#endif

/* ------------------------------------------------------------------ */
/* rwsem with writer preference: a queued writer blocks new readers.   */

inline down_read(d)
{
	atomic { !rw_writer[d] && rw_wwait[d] == 0 -> rw_readers[d]++ }
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
	atomic { ilock[ino] == 0 -> ilock[ino] = _pid + 1 }
}

inline inode_unlock(ino)
{
	assert(ilock[ino] == _pid + 1);
	ilock[ino] = 0
}

/* two non-directories, in inode address (number) order */
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

/* L1, form (ii): DCACHE_DIROP_LOCKED, waited with wait_var_event() */
inline dirop_lock(de)
{
	atomic { d_locked[de] == 0 -> d_locked[de] = _pid + 1 }
}

inline dirop_unlock(de)
{
	assert(d_locked[de] == _pid + 1);
	d_locked[de] = 0
}

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

/* at most one hashed dentry per (parent, name); call inside d_step */
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

/* the dentry we hold matches the filesystem */
inline check_coherent(de)
{
	assert(d_state[de] == fs_state[SLOT(d_dir[de], d_name[de])]);
	assert(d_ino[de] == fs_ino[SLOT(d_dir[de], d_name[de])])
}

/* ------------------------------------------------------------------ */
/* d_alloc_parallel() / d_alloc_noblock()                              */
/*                                                                     */
/* Returns in de: the hashed dentry for (d, n); or a new in-lookup     */
/* dentry (isnew = 1) that the caller now owns; or 0 (noblock only:    */
/* -EWOULDBLOCK).  If an in-lookup dentry exists, d_alloc_parallel()   */
/* waits for it (d_wait_lookup) and repeats the whole search.          */

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
		fi;
		dj = 0
	   };
	   if
	   :: de != 0 -> break
	   :: de == 0 && noblock -> break
	   :: de == 0 && !noblock ->
		/* d_wait_lookup(): an L1 wait */
		(d_inlookup[w] == 0);
		w = 0
	   fi
	od
}

/* ->lookup succeeded: d_splice_alias() of the in-lookup dentry */
inline splice_lookup_result(de)
{
	d_step {
		d_state[de] = fs_state[SLOT(d_dir[de], d_name[de])];
		d_ino[de] = fs_ino[SLOT(d_dir[de], d_name[de])];
		d_inlookup[de] = 0;
		d_hashed[de] = 1;
		check_unique(d_dir[de], d_name[de]);
		cs_leave(d_dir[de], d_name[de])
	}
}

/*
 * lookup (doc 4.1): d_alloc_parallel() holding nothing; if we own a new
 * in-lookup dentry: i_rwsem shared, ->lookup, unlock, d_lookup_done().
 * Result in de (0 on error, e.g. -ENOENT in a dead directory).
 */
inline do_lookup(d, n)
{
	if
	:: dead[d] -> de = 0
	:: else ->
		d_alloc_common(d, n, 0);
		if
		:: isnew ->
			down_read(d);
			cs_enter(d, n);
			if
			:: !dead[d] -> splice_lookup_result(de)
			:: else ->
				/* ->lookup not called in a dead dir; -ENOENT */
				cs_leave(d, n)
			fi;
			up_read(d);
			if
			:: d_inlookup[de] ->
				d_inlookup[de] = 0;	/* d_lookup_done() */
				de = 0
			:: else -> skip
			fi
		:: else -> skip
		fi
	fi
}

#ifdef BROKEN_LOOKUP_ORDER
/* Linux 7.3's lookup_slow(): i_rwsem shared, then d_alloc_parallel() */
inline do_lookup_73(d, n)
{
	if
	:: dead[d] -> de = 0
	:: else ->
		down_read(d);
		d_alloc_common(d, n, 0);
		if
		:: isnew ->
			cs_enter(d, n);
			splice_lookup_result(de)
		:: else -> skip
		fi;
		up_read(d)
	fi
}
#endif

/* d_duplicate(): a new in-lookup dentry for the name of a hashed one */
inline d_duplicate(src, ph)
{
	d_step {
		assert(d_hashed[src]);
		assert(ndent < MAXD);
		ph = ndent;
		ndent++;
		d_dir[ph] = d_dir[src];
		d_name[ph] = d_name[src];
		d_inlookup[ph] = 1
	}
}

/* end of the name hold: d_lookup_done() of the placeholder, dput() */
inline release_placeholder(ph)
{
	if
	:: ph != 0 -> d_inlookup[ph] = 0; ph = 0
	:: else -> skip
	fi
}

/* dentry still names (d, n)?  (doc 4.2 step 3) */
#define VALID(de, d, n)	(d_hashed[de] && d_dir[de] == (d) && d_name[de] == (n))

/* the method may return -EINPROGRESS: wait for done_cb holding all locks */
inline call_method_wait()
{
	if
	:: skip
	:: workq ! _pid; (completed[_pid]); completed[_pid] = 0
	fi
}

/*
 * d_delete() at the end of unlink/rmdir.  If we are the only user the
 * dentry turns negative in place and stays hashed.  If it is busy it must
 * leave the hash; the name is then held by an in-lookup placeholder from
 * d_duplicate() until the operation's locks are released (doc 4.3).
 */
inline d_delete_held(de, ph)
{
	if
	:: d_step { d_state[de] = F_NONE; d_ino[de] = 0 }
	:: true ->
#ifndef BROKEN_NO_PLACEHOLDER
		d_duplicate(de, ph);
#endif
		d_hashed[de] = 0
	fi
}

/* ------------------------------------------------------------------ */
/* the completion worker: runs done_cb; takes no VFS lock              */

active proctype Completer()
{
	byte k;
end:
	do
	:: workq ? k -> completed[k] = 1
	od
}

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
	bool isnew;

again:
	do_lookup(d, n);
	if
	:: de == 0 -> goto out
	:: else -> skip
	fi;
	dirop_lock(de);
	if
	:: !VALID(de, d, n) -> dirop_unlock(de); goto again
	:: else -> skip
	fi;
	down_read(d);
	if
	:: dead[d] -> skip			/* -ENOENT */
	:: !dead[d] && d_state[de] != F_NONE -> skip	/* -EEXIST */
	:: !dead[d] && d_state[de] == F_NONE ->
		cs_enter(d, n);
		check_coherent(de);
		d_step {			/* ->create_async */
			fs_state[SLOT(d, n)] = F_FILE;
			fs_ino[SLOT(d, n)] = next_ino;
			next_ino++
		};
		call_method_wait();
		d_step {			/* d_instantiate() */
			d_state[de] = F_FILE;
			d_ino[de] = fs_ino[SLOT(d, n)]
		};
		/* fsnotify_create() */
		cs_leave(d, n)
	fi;
	up_read(d);
	dirop_unlock(de);
out:
	ndone++
}

proctype Unlink(byte d; byte n)
{
	byte de, w, ino, ph;
	bool isnew;

again:
	do_lookup(d, n);
	if
	:: de == 0 -> goto out
	:: else -> skip
	fi;
#ifdef BROKEN_DLOCK_INSIDE
	/* June 2025 preview: dentry lock inside i_rwsem on this path */
	down_read(d);
	dirop_lock(de);
	if
	:: !VALID(de, d, n) -> dirop_unlock(de); up_read(d); goto again
	:: else -> skip
	fi;
#else
	dirop_lock(de);
	if
	:: !VALID(de, d, n) -> dirop_unlock(de); goto again
	:: else -> skip
	fi;
	down_read(d);
#endif
	if
	:: dead[d] || d_state[de] == F_NONE -> skip	/* -ENOENT */
	:: else ->
		ino = d_ino[de];
		inode_lock(ino);			/* L3 */
		cs_enter(d, n);
		check_coherent(de);
		d_step {			/* ->unlink_async */
			fs_state[SLOT(d, n)] = F_NONE;
			fs_ino[SLOT(d, n)] = 0
		};
		call_method_wait();
		d_delete_held(de, ph);
		/* fsnotify_delete() */
		cs_leave(d, n);
		inode_unlock(ino)
	fi;
	up_read(d);
	dirop_unlock(de);
	release_placeholder(ph);
out:
	ndone++
}

/* rmdir of D0/sub: D1's i_rwsem exclusive as the victim (L3) */
proctype Rmdir(byte d; byte n; byte victim)
{
	byte de, w, ph;
	bool isnew;

again:
	do_lookup(d, n);
	if
	:: de == 0 -> goto out
	:: else -> skip
	fi;
	dirop_lock(de);
	if
	:: !VALID(de, d, n) -> dirop_unlock(de); goto again
	:: else -> skip
	fi;
	down_read(d);
	if
	:: dead[d] || d_state[de] != F_DIR -> skip
	:: else ->
		down_write(victim);
		if
		:: fs_state[SLOT(victim, A)] != F_NONE -> skip	/* -ENOTEMPTY */
		:: else ->
			cs_enter(d, n);
			check_coherent(de);
			d_step {		/* ->rmdir_async */
				fs_state[SLOT(d, n)] = F_NONE;
				dead[victim] = 1
			};
			call_method_wait();
			d_delete_held(de, ph);
			cs_leave(d, n)
		fi;
		up_write(victim)
	fi;
	up_read(d);
	dirop_unlock(de);
	release_placeholder(ph);
out:
	ndone++
}

/* both dentry locks of a rename, by dentry address (id) */
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

/*
 * The common part of rename once all locks are held: the method, the
 * dcache update and the hooks.  ds/dt are the source and target dentries.
 */
inline rename_body(sd, s, td, t)
{
	si = d_ino[ds];
	ti = d_ino[dt];
	lock_two_nondirs(si, ti);		/* L3 */
	cs_enter(sd, s);
	cs_enter(td, t);
	check_coherent(ds);
	check_coherent(dt);
	if
	:: d_state[dt] != F_NONE ->
		/* RENAME_EXCHANGE: both names stay occupied */
		d_step {
			fs_state[SLOT(sd, s)] = d_state[dt];
			fs_ino[SLOT(sd, s)] = ti;
			fs_state[SLOT(td, t)] = d_state[ds];
			fs_ino[SLOT(td, t)] = si
		};
		call_method_wait();
		d_step {			/* d_exchange() */
			d_dir[ds] = td; d_name[ds] = t;
			d_dir[dt] = sd; d_name[dt] = s;
			check_unique(sd, s);
			check_unique(td, t)
		}
	:: true ->
		/* plain rename, or RENAME_WHITEOUT (wo) */
		if
		:: wo = 0
		:: wo = 1
		fi;
		d_step {
			fs_state[SLOT(td, t)] = fs_state[SLOT(sd, s)];
			fs_ino[SLOT(td, t)] = fs_ino[SLOT(sd, s)];
			if
			:: wo ->
				fs_state[SLOT(sd, s)] = F_WOUT;
				fs_ino[SLOT(sd, s)] = next_ino;
				next_ino++
			:: else ->
				fs_state[SLOT(sd, s)] = F_NONE;
				fs_ino[SLOT(sd, s)] = 0
			fi
		};
#ifdef BROKEN_WHITEOUT
		if
		:: wo ->
			/* fs: d_duplicate() + instantiate + hash *now* */
			d_duplicate(ds, ph);
			d_step {
				d_state[ph] = F_WOUT;
				d_ino[ph] = fs_ino[SLOT(sd, s)];
				d_inlookup[ph] = 0;
				d_hashed[ph] = 1;
				check_unique(sd, s)
			};
			ph = 0
		:: else -> skip
		fi;
#endif
		call_method_wait();
#ifndef BROKEN_NO_PLACEHOLDER
		/* the name-hold placeholder (for RENAME_WHITEOUT: W) */
		d_duplicate(ds, ph);
#endif
		d_step {			/* d_move() */
			d_hashed[dt] = 0;
			d_dir[ds] = td; d_name[ds] = t;
			check_unique(td, t)
		}
	fi;
	/* fsnotify_move() */
	cs_leave(sd, s);
	cs_leave(td, t);
	unlock_two_nondirs(si, ti)
}

proctype RenameSame(byte d; byte s; byte t)
{
	byte de, w, ds, dt, si, ti, ph;
	bool isnew, wo;

again:
	do_lookup(d, s);
	ds = de;
	if
	:: ds == 0 -> goto out
	:: else -> skip
	fi;
	do_lookup(d, t);
	dt = de;
	if
	:: dt == 0 -> goto out
	:: else -> skip
	fi;
	lock_two_dentries(ds, dt);
	if
	:: !VALID(ds, d, s) || !VALID(dt, d, t) ->
		dirop_unlock(ds); dirop_unlock(dt); goto again
	:: else -> skip
	fi;
	down_read(d);
	if
	:: dead[d] || d_state[ds] == F_NONE -> skip	/* -ENOENT */
	:: else -> rename_body(d, s, d, t)
	fi;
	up_read(d);
	dirop_unlock(ds);
	dirop_unlock(dt);
	release_placeholder(ph);
out:
	ndone++
}

/* cross-directory rename; sd (D0) is an ancestor of td (D1) */
proctype RenameCross(byte sd; byte s; byte td; byte t)
{
	byte de, w, ds, dt, si, ti, ph;
	bool isnew, wo;

	atomic { !rename_mutex -> rename_mutex = 1 }	/* L0 */
again:
	do_lookup(sd, s);
	ds = de;
	if
	:: ds == 0 -> goto out
	:: else -> skip
	fi;
	do_lookup(td, t);
	dt = de;
	if
	:: dt == 0 -> goto out
	:: else -> skip
	fi;
	lock_two_dentries(ds, dt);
	if
	:: !VALID(ds, sd, s) || !VALID(dt, td, t) ->
		dirop_unlock(ds); dirop_unlock(dt); goto again
	:: else -> skip
	fi;
	down_read(sd);				/* ancestor first */
	down_read(td);
	if
	:: dead[sd] || dead[td] || d_state[ds] == F_NONE -> skip
	:: else -> rename_body(sd, s, td, t)
	fi;
	up_read(td);
	up_read(sd);
	dirop_unlock(ds);
	dirop_unlock(dt);
	release_placeholder(ph);
out:
	rename_mutex = 0;
	ndone++
}

/*
 * readdir (doc 4.8): i_rwsem shared for the whole call; primes the dcache
 * with d_alloc_noblock(), never waits for an L1 object, and ends the
 * in-lookup state of the dentries it created before moving on.
 */
proctype Readdir(byte d)
{
	byte de, w, n;
	bool isnew;

	down_read(d);
	n = 0;
	do
	:: n < NNAME && !dead[d] && fs_state[SLOT(d, n)] != F_NONE ->
#ifdef BROKEN_READDIR
		d_alloc_common(d, n, 0);	/* blocking: wrong */
#else
		d_alloc_common(d, n, 1);	/* d_alloc_noblock() */
#endif
		if
		:: de != 0 && isnew ->
			cs_enter(d, n);
			splice_lookup_result(de)
		:: else -> skip			/* found, or -EWOULDBLOCK */
		fi;
		n++
	:: n < NNAME && (dead[d] || fs_state[SLOT(d, n)] == F_NONE) -> n++
	:: n >= NNAME -> break
	od;
	up_read(d);
	ndone++
}

/* setattr on the directory: its i_rwsem exclusive */
proctype Setattr(byte d)
{
	down_write(d);
	skip;
	up_write(d);
	ndone++
}

init {
	atomic {
		fs_state[SLOT(D0, B)] = F_FILE;
		fs_ino[SLOT(D0, B)] = 1;
		fs_state[SLOT(D0, SUB)] = F_DIR;
#if SCEN == 1
		run Lookup(D0, A);
		run Create(D0, A);
		run Unlink(D0, B);
		run Readdir(D0);
		run Setattr(D0)
#elif SCEN == 2
		run RenameSame(D0, A, B);
		run Create(D0, A);
		run Unlink(D0, B);
		run Readdir(D0);
		run Setattr(D0)
#elif SCEN == 3
		run RenameCross(D0, B, D1, A);
		run Rmdir(D0, SUB, D1);
		run Lookup(D1, A);
		run RenameSame(D0, A, B);
		run Setattr(D0)
#elif SCEN == 4
		run RenameSame(D0, A, B);
		run RenameSame(D0, B, A);
		run Create(D0, A);
		run Readdir(D0);
		run Setattr(D0)
#else
		run Lookup(D0, A);
		run Create(D0, A);
		run Unlink(D0, B);
		run RenameSame(D0, A, B);
		run RenameCross(D0, B, D1, A);
		run Readdir(D0);
		run Setattr(D0);
		run Rmdir(D0, SUB, D1)
#endif
	}
}
