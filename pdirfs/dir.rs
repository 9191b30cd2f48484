// SPDX-License-Identifier: GPL-2.0

//! Directory operations of pdirfs, on the directory index.
//!
//! The VFS gives each operation exclusion on the names it touches: by
//! holding the directory's `i_rwsem` exclusively (`dirops=exclusive`), or
//! by per-name locks in the dcache with the `i_rwsem` shared
//! (`dirops=shared`), when operations on other names of the same directory
//! run at the same time as this one.  Inside, the order is:
//! allocate everything (index reservations, new inodes), then take the
//! directory's index lock for a short, non-sleeping critical section that
//! updates the index and the directory's link count, size and times
//! together, then release it and do the rest (instantiate dentries, drop
//! references).  No path holds two index locks at once.

#![forbid(unsafe_code)]

use crate::vfs::{
    dentry::{DEntry, NAME_MAX},
    dir::{DirOps, OpCtx},
    inode::{FileKind, InodeSpec},
    readdir::{DirEmitter, Primed},
};
use crate::{
    index::{Entry, Reservation, FIRST_POS},
    node::{DirIndex, Inode},
    super_::{new_inode, Pdirfs},
};
use kernel::{bindings, prelude::*, str::CStr, sync::aref::ARef};

/// Size a directory reports per entry, as tmpfs (`BOGO_DIRENT_SIZE`).
const BOGO_DIRENT_SIZE: i64 = 20;

/// Mode of a whiteout: a character device 0:0.
const WHITEOUT_MODE: u16 = bindings::S_IFCHR as u16;

fn index(dir: &Inode) -> Result<&DirIndex> {
    dir.data().index()
}

/// Bookkeeping of `dir` when an entry (of a directory if `is_dir`) comes in.
fn entry_added(dir: &Inode, is_dir: bool) {
    dir.set_size(dir.size() + BOGO_DIRENT_SIZE);
    if is_dir {
        dir.inc_nlink();
    }
    dir.touch_cmtime();
}

/// Bookkeeping of `dir` when an entry (of a directory if `is_dir`) goes.
fn entry_removed(dir: &Inode, is_dir: bool) {
    dir.set_size(dir.size() - BOGO_DIRENT_SIZE);
    if is_dir {
        dir.drop_nlink();
    }
    dir.touch_cmtime();
}

/// Drops a link of the non-directory `inode`, giving back the inode space
/// a further link took (see `link`); the last link's space goes back when
/// the inode is evicted.
fn link_dropped(inode: &Inode) {
    if inode.nlink() > 1 {
        inode.super_block().data().give_inode();
    }
    inode.drop_nlink();
}

/// Takes `name` (a directory if `is_dir`) out of `dir`, handing the entry
/// back to be dropped by the caller with no lock held.
fn remove_entry(dir: &Inode, name: &[u8], is_dir: bool) -> Result<Entry<ARef<Inode>>> {
    let mut ix = index(dir)?.lock();
    let removed = ix.remove(name).ok_or(ENOENT)?;
    entry_removed(dir, is_dir);
    Ok(removed)
}

/// Enters a new `inode` in `dir` under `dentry`'s name and instantiates the
/// dentry.
fn add_new(dir: &Inode, dentry: &DEntry<Pdirfs>, inode: ARef<Inode>) -> Result {
    let res = Reservation::new(dentry.name())?;
    let is_dir = inode.kind() == FileKind::Dir;
    {
        let mut ix = index(dir)?.lock();
        if ix.contains(dentry.name()) {
            return Err(EEXIST);
        }
        ix.insert(res, inode.clone());
        entry_added(dir, is_dir);
    }
    dentry.instantiate(inode);
    Ok(())
}

/// Creates a new inode of `mode`/`rdev` in `dir` (not yet entered).
fn make_inode(ctx: &OpCtx<'_>, dir: &Inode, mode: u16, rdev: u32) -> Result<ARef<Inode>> {
    new_inode(
        dir.super_block(),
        Some(dir),
        Some(ctx),
        InodeSpec::new(mode, rdev)?,
        |_| {},
    )
}

/// Drops every reference the directory indexes of the tree under `root`
/// hold, without recursion (the tree may be deep), so that unmount can
/// evict all inodes.
pub(crate) fn release_tree(root: &Inode) {
    let mut stack: KVec<ARef<Inode>> = KVec::new();
    let mut cur = Some(ARef::from(root));
    while let Some(dir) = cur.take() {
        let entries = match index(&dir) {
            Ok(ix) => ix.lock().take_all(),
            Err(_) => Default::default(),
        };
        for (_, entry) in entries.iter() {
            if entry.item.kind() == FileKind::Dir
                && stack.push(entry.item.clone(), GFP_KERNEL).is_err()
            {
                // Out of memory for the work list: release this subtree
                // recursively instead (correct, only deeper on the stack).
                release_tree(&entry.item);
            }
        }
        // Drops the entries (iput) with no lock held.
        drop(entries);
        drop(dir);
        cur = stack.pop();
    }
}

/// Checks a name the VFS hands us for a new or looked-up entry.  The VFS
/// already refuses empty names, "/" and NUL within a component, and "." and
/// ".." for creation; the length limit is the filesystem's to enforce (every
/// creation is preceded by a lookup, so checking there covers all paths).
pub(crate) fn check_name(name: &[u8]) -> Result {
    if name.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    if name.is_empty() || name.contains(&b'/') || name.contains(&0) {
        return Err(EINVAL);
    }
    Ok(())
}

#[vtable]
impl DirOps for Pdirfs {
    fn lookup(dir: &Inode, name: &[u8]) -> Result<Option<ARef<Inode>>> {
        check_name(name)?;
        Ok(index(dir)?.lock().get(name).map(|e| e.item.clone()))
    }

    fn create(ctx: &OpCtx<'_>, dir: &Inode, dentry: &DEntry<Self>, mode: u16, rdev: u32) -> Result {
        dir.super_block().data().round_trip();
        let inode = make_inode(ctx, dir, mode, rdev)?;
        add_new(dir, dentry, inode)
    }

    fn mkdir(ctx: &OpCtx<'_>, dir: &Inode, dentry: &DEntry<Self>, mode: u16) -> Result {
        dir.super_block().data().round_trip();
        let inode = make_inode(ctx, dir, mode, 0)?;
        inode.set_size(2 * BOGO_DIRENT_SIZE);
        // Not visible yet: no one else can hold its index lock.
        index(&inode)?.lock().set_parent(dir.into());
        add_new(dir, dentry, inode)
    }

    fn symlink(ctx: &OpCtx<'_>, dir: &Inode, dentry: &DEntry<Self>, target: &CStr) -> Result {
        dir.super_block().data().round_trip();
        if target.to_bytes_with_nul().len() > kernel::page::PAGE_SIZE {
            return Err(ENAMETOOLONG);
        }
        let inode = make_inode(ctx, dir, bindings::S_IFLNK as u16 | 0o777, 0)?;
        inode.write_symlink(target)?;
        add_new(dir, dentry, inode)
    }

    fn link(inode: &Inode, dir: &Inode, dentry: &DEntry<Self>) -> Result {
        dir.super_block().data().round_trip();
        let res = Reservation::new(dentry.name())?;
        // Each further link is an index entry and a name: it counts as an
        // inode, as on tmpfs.  (An O_TMPFILE file's first link does not:
        // its inode was counted when it was made.)  The VFS holds the
        // inode's i_rwsem, so its link count is stable here.
        let extra = inode.nlink() > 0;
        let sb = dir.super_block().data();
        if extra {
            sb.take_inode()?;
        }
        {
            let mut ix = index(dir)?.lock();
            if ix.contains(dentry.name()) {
                drop(ix);
                if extra {
                    sb.give_inode();
                }
                return Err(EEXIST);
            }
            ix.insert(res, ARef::from(inode));
            entry_added(dir, false);
        }
        inode.inc_nlink();
        inode.touch_ctime();
        dentry.instantiate(ARef::from(inode));
        Ok(())
    }

    fn unlink(dir: &Inode, dentry: &DEntry<Self>) -> Result {
        dir.super_block().data().round_trip();
        let inode = dentry.inode().ok_or(ENOENT)?;
        let removed = remove_entry(dir, dentry.name(), false)?;
        link_dropped(inode);
        inode.touch_ctime();
        // The index's reference goes here, outside the lock; the dentry
        // still holds one until the VFS lets it go.
        drop(removed);
        Ok(())
    }

    fn rmdir(dir: &Inode, dentry: &DEntry<Self>) -> Result {
        dir.super_block().data().round_trip();
        let child = dentry.inode().ok_or(ENOENT)?;
        // The VFS has waited for the operations in flight in the child that
        // had released it, and keeps new ones from adding entries until
        // the rmdir has ended: by holding the child's i_rwsem exclusively,
        // or, for an rmdir that goes on without its caller (io_uring),
        // by its "removal in flight" mark (shared-dir-locking.rst 4.7.3).
        // Lookups and readdir of the child may run meanwhile; its index
        // lock keeps them consistent.  Nothing can enter it while we look.
        if !index(child)?.lock().is_empty() {
            return Err(ENOTEMPTY);
        }
        let removed = remove_entry(dir, dentry.name(), true)?;
        child.clear_nlink();
        child.touch_ctime();
        drop(removed);
        Ok(())
    }

    fn rename(
        ctx: &OpCtx<'_>,
        old_dir: &Inode,
        old: &DEntry<Self>,
        new_dir: &Inode,
        new: &DEntry<Self>,
        flags: u32,
    ) -> Result {
        old_dir.super_block().data().round_trip();
        if flags
            & !(bindings::RENAME_NOREPLACE | bindings::RENAME_EXCHANGE | bindings::RENAME_WHITEOUT)
            != 0
        {
            return Err(EINVAL);
        }
        if flags & bindings::RENAME_EXCHANGE != 0 {
            return exchange(old_dir, old, new_dir, new);
        }
        let moved = old.inode().ok_or(ENOENT)?;
        let moved_is_dir = moved.kind() == FileKind::Dir;
        let target = new.inode();
        if let Some(t) = target {
            if t.kind() == FileKind::Dir && !index(t)?.lock().is_empty() {
                return Err(ENOTEMPTY);
            }
        }
        let target_is_dir = target.is_some_and(|t| t.kind() == FileKind::Dir);
        let res_new = Reservation::new(new.name())?;
        let whiteout = if flags & bindings::RENAME_WHITEOUT != 0 {
            let w = make_inode(ctx, old_dir, WHITEOUT_MODE, 0)?;
            Some((Reservation::new(old.name())?, w))
        } else {
            None
        };
        let same_dir = old_dir.ino() == new_dir.ino();

        // Step 1: out of the old directory (a whiteout takes its place).
        let mut old_ix = index(old_dir)?.lock();
        let entry = old_ix.remove(old.name()).ok_or(ENOENT)?;
        if !same_dir || whiteout.is_some() {
            entry_removed(old_dir, moved_is_dir && !same_dir);
        }
        if let Some((res, w)) = whiteout {
            old_ix.insert(res, w);
            entry_added(old_dir, false);
        }
        // Step 2: into the new one, replacing the target.  The directory's
        // size, link count and times change under its index lock: other
        // names of the same directory may be changing concurrently.
        let replaced = if same_dir {
            let replaced = old_ix.remove(new.name());
            old_ix.insert(res_new, entry.item);
            if replaced.is_some() {
                entry_removed(new_dir, target_is_dir);
            } else {
                new_dir.touch_cmtime();
            }
            // Unlock before `replaced` (and its inode reference) is dropped.
            drop(old_ix);
            replaced
        } else {
            drop(old_ix);
            let mut new_ix = index(new_dir)?.lock();
            let replaced = new_ix.remove(new.name());
            new_ix.insert(res_new, entry.item);
            entry_added(new_dir, moved_is_dir);
            if replaced.is_some() {
                entry_removed(new_dir, target_is_dir);
            }
            replaced
        };
        if let Some(t) = target {
            if target_is_dir {
                t.clear_nlink();
            } else {
                link_dropped(t);
            }
            t.touch_ctime();
        }
        moved.touch_ctime();
        let former_parent = if moved_is_dir && !same_dir {
            moved_to(moved, new_dir)
        } else {
            None
        };
        // Any replaced entry's reference goes with no lock held.
        drop((replaced, former_parent));
        Ok(())
    }

    fn tmpfile(ctx: &OpCtx<'_>, dir: &Inode, mode: u16) -> Result<ARef<Inode>> {
        // Not entered in the index: d_tmpfile() makes it an unlinked file,
        // and linkat() can enter it later through `link`.
        make_inode(ctx, dir, mode, 0)
    }

    fn readdir(dir: &Inode, emit: &mut DirEmitter<Self>) -> Result {
        const BATCH: usize = 32;
        const NAME_BYTES: usize = 4096;
        let ix = index(dir)?;
        let prime = dir.super_block().data().readdir_prime();
        // Only entries that were there when the listing started: a name
        // renamed again and again gets ever higher positions, and a
        // listing that followed it would never end.
        let horizon = emit.horizon(|| ix.lock().next_pos());
        // Copy a batch out under the lock, emit it without: dir_emit() copies
        // to user space, which may fault and sleep (or be held up on
        // purpose by userfaultfd) and must not block the directory.
        let mut batch: KVec<(u64, usize, usize, u64, FileKind)> =
            KVec::with_capacity(BATCH, GFP_KERNEL)?;
        let mut names: KVec<u8> = KVec::with_capacity(NAME_BYTES, GFP_KERNEL)?;
        loop {
            batch.clear();
            names.clear();
            {
                let g = ix.lock();
                let mut pos = (emit.pos() as u64).max(FIRST_POS);
                while batch.len() < BATCH {
                    let Some((p, e)) = g.next_from(pos).filter(|&(p, _)| p < horizon) else {
                        break;
                    };
                    let name = e.name();
                    if names.len() + name.len() > NAME_BYTES {
                        break;
                    }
                    let start = names.len();
                    // Within the reserved capacity: these never allocate.
                    names.extend_from_slice(name, GFP_NOWAIT)?;
                    batch.push(
                        (p, start, name.len(), e.item.ino(), e.item.kind()),
                        GFP_NOWAIT,
                    )?;
                    pos = p + 1;
                }
            }
            if batch.is_empty() {
                return Ok(());
            }
            for &(pos, start, len, ino, kind) in batch.iter() {
                let name = &names[start..start + len];
                if prime {
                    // A `stat()` of the names listed then finds them cached.
                    // The entry is read again: it may have changed since the
                    // batch was copied.
                    let _: Primed =
                        emit.prime(name, || ix.lock().get(name).map(|e| e.item.clone()));
                }
                if !emit.emit(pos as i64, name, ino, kind) {
                    return Ok(());
                }
            }
        }
    }
}

/// `RENAME_EXCHANGE`: the two names swap what they refer to.
fn exchange(
    old_dir: &Inode,
    old: &DEntry<Pdirfs>,
    new_dir: &Inode,
    new: &DEntry<Pdirfs>,
) -> Result {
    let a = ARef::from(old.inode().ok_or(ENOENT)?);
    let b = ARef::from(new.inode().ok_or(ENOENT)?);
    let (a_dir, b_dir) = (a.kind() == FileKind::Dir, b.kind() == FileKind::Dir);
    // One index lock at a time.  Between the two steps both names refer to
    // `b`; the VFS keeps both names excluded from other operations.
    let ra = swap_entry(old_dir, old.name(), b.clone(), a_dir)?;
    let rb = swap_entry(new_dir, new.name(), a.clone(), b_dir)?;
    a.touch_ctime();
    b.touch_ctime();
    let same_dir = old_dir.ino() == new_dir.ino();
    let pa = (a_dir && !same_dir)
        .then(|| moved_to(&a, new_dir))
        .flatten();
    let pb = (b_dir && !same_dir)
        .then(|| moved_to(&b, old_dir))
        .flatten();
    // The replaced references go with no lock held.
    drop((ra, rb, pa, pb));
    Ok(())
}

/// Records that directory `moved` is now in `dir`; returns the former
/// parent's reference, to be dropped with no lock held.  Its own index
/// lock, alone: the rename has released the others.  Until this runs a
/// file handle may still find the former parent; the VFS then sees the name
/// gone and gives `ESTALE` (`reconnect_one()`).
fn moved_to(moved: &Inode, dir: &Inode) -> Option<ARef<Inode>> {
    index(moved).ok()?.lock().set_parent(dir.into())
}

/// Makes `name` in `dir`, which referred to a directory if `was_dir`, refer
/// to `item`, keeping the directory's link count right; returns what it
/// referred to.
fn swap_entry(dir: &Inode, name: &[u8], item: ARef<Inode>, was_dir: bool) -> Result<ARef<Inode>> {
    let is_dir = item.kind() == FileKind::Dir;
    let mut ix = index(dir)?.lock();
    let old = match ix.replace_item(name, item) {
        Ok(old) => old,
        Err(item) => {
            drop(ix);
            drop(item);
            return Err(ENOENT);
        }
    };
    match (was_dir, is_dir) {
        (false, true) => dir.inc_nlink(),
        (true, false) => dir.drop_nlink(),
        _ => {}
    }
    dir.touch_cmtime();
    drop(ix);
    Ok(old)
}

#[kunit_tests(pdirfs_names)]
mod tests {
    use super::*;

    #[test]
    fn name_limits() {
        let long = [b'a'; NAME_MAX + 1];
        assert_eq!(check_name(b"a"), Ok(()));
        assert_eq!(check_name(&long[..NAME_MAX]), Ok(()));
        assert_eq!(check_name(&long), Err(ENAMETOOLONG));
        assert_eq!(check_name(b""), Err(EINVAL));
        assert_eq!(check_name(b"a/b"), Err(EINVAL));
        assert_eq!(check_name(b"a\0b"), Err(EINVAL));
        // Any other byte is fine: names are bytes, not UTF-8.
        assert_eq!(check_name(&[0xff, 0xfe, b'.', 0x01]), Ok(()));
    }
}
