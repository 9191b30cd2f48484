// SPDX-License-Identifier: GPL-2.0

//! asyncfs: a small RAM filesystem whose every directory change completes
//! later, from a work item.
//!
//! It is the second filesystem on the VFS layer in `vfs/` (pdirfs is the
//! first), and shows what the `_async` directory convention asks of a
//! filesystem: not much.  Every instance is set up with `dirops` shared and
//! completion `Async` ([`FileSystem::fill_super`] below).  The VFS then
//! calls each directory change holding the parent's `i_rwsem` *shared* and
//! the name locked in the dcache; the layer takes the caller's credentials,
//! returns `-EINPROGRESS` and runs the operation below on a work item,
//! which ends by calling `done_cb`; meanwhile the VFS has released the
//! parent's `i_rwsem` and holds only the name.  The operations run concurrently within
//! one directory, so a directory's entries are behind a lock of its own.
//!
//! Directories are a list of entries in creation order; files keep their
//! data in the page cache (the layer's RAM file operations).  No mount
//! options, limits or extended attributes: pdirfs has those.
//!
//! Locks: a directory's `Dir` mutex is held for short updates only (no
//! user copies), and no path holds two (a rename between directories
//! enters the new name, then removes the old one), so they cannot deadlock.

use core::pin::Pin;
use kernel::{bindings, new_mutex, prelude::*, str::CStr, sync::aref::ARef, sync::Mutex};
#[path = "../../vfs/mod.rs"]
pub mod vfs;
use vfs::{
    dentry::DEntry,
    dir::{DirOps, OpCtx},
    dirop::{Completion, DiropMode},
    fs_type::{FileSystem, SuperSetup},
    inode::{FileKind, INode, InodeSpec, NewInode},
    readdir::DirEmitter,
    registration::Registration,
    sb::SuperBlock,
};

module! {
    type: AsyncfsModule,
    name: "asyncfs",
    authors: ["pdirfs developers"],
    description: "Sample RAM filesystem with asynchronous directory operations",
    license: "GPL",
}

#[pin_data]
struct AsyncfsModule {
    #[pin]
    fs: Registration<Asyncfs>,
}

impl kernel::InPlaceModule for AsyncfsModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            fs <- Registration::new(module),
        })
    }
}

/// The filesystem type.
struct Asyncfs;

type Inode = INode<Asyncfs>;

/// One name in a directory.
struct Entry {
    /// Its readdir position: positions only grow, so a listing that goes
    /// by position sees each entry at most once.
    pos: u64,
    name: KVec<u8>,
    inode: ARef<Inode>,
}

/// The entries of a directory, in position order.
struct Dir {
    entries: KVec<Entry>,
    next_pos: u64,
}

impl Dir {
    fn find(&self, name: &[u8]) -> Option<usize> {
        self.entries.iter().position(|e| e.name[..] == *name)
    }

    /// Appends an entry; `entries` must have room (see `reserve`), so that
    /// this cannot fail after the caller took something out.
    fn push(&mut self, name: KVec<u8>, inode: ARef<Inode>) -> Result {
        let pos = self.next_pos;
        self.next_pos += 1;
        self.entries.push(Entry { pos, name, inode }, GFP_KERNEL)?;
        Ok(())
    }

    fn reserve(&mut self) -> Result {
        self.entries.reserve(1, GFP_KERNEL)?;
        Ok(())
    }
}

/// What asyncfs keeps per inode: the entries, for a directory.
#[pin_data]
struct Node {
    dir: Option<Pin<KBox<Mutex<Dir>>>>,
}

fn dir_of(inode: &Inode) -> Result<&Mutex<Dir>> {
    inode.data().dir.as_deref().ok_or(ENOTDIR)
}

fn copy_name(name: &[u8]) -> Result<KVec<u8>> {
    let mut v = KVec::with_capacity(name.len(), GFP_KERNEL)?;
    v.extend_from_slice(name, GFP_KERNEL)?;
    Ok(v)
}

/// A new inode of `mode`/`rdev` (a directory gets its entry list).
fn new_inode(
    sb: &SuperBlock<Asyncfs>,
    parent: Option<(&OpCtx<'_>, &Inode)>,
    mode: u16,
    rdev: u32,
) -> Result<ARef<Inode>> {
    let inode = NewInode::new(
        sb,
        parent.map(|p| p.1),
        parent.map(|p| p.0),
        InodeSpec::new(mode, rdev)?,
    )?;
    let dir = if FileKind::from_mode(mode) == Some(FileKind::Dir) {
        let d = Dir {
            entries: KVec::new(),
            next_pos: 2,
        };
        Some(KBox::pin_init(new_mutex!(d, "asyncfs_dir"), GFP_KERNEL)?)
    } else {
        None
    };
    inode.init(try_pin_init!(Node { dir }))
}

/// Enters `inode` in `dir` under `dentry`'s name and instantiates it.
fn add(dir: &Inode, dentry: &DEntry<Asyncfs>, inode: ARef<Inode>) -> Result {
    let name = copy_name(dentry.name())?;
    {
        let mut d = dir_of(dir)?.lock();
        if d.find(dentry.name()).is_some() {
            return Err(EEXIST);
        }
        d.push(name, inode.clone())?;
    }
    if inode.kind() == FileKind::Dir {
        dir.inc_nlink();
    }
    dir.touch_cmtime();
    dentry.instantiate(inode);
    Ok(())
}

/// Takes `name` out of `dir`; the caller drops the entry (an `iput`) after
/// the lock is gone.
fn remove(dir: &Inode, name: &[u8]) -> Result<Entry> {
    let mut d = dir_of(dir)?.lock();
    let i = d.find(name).ok_or(ENOENT)?;
    let e = d.entries.remove(i)?;
    drop(d);
    dir.touch_cmtime();
    Ok(e)
}

#[vtable]
impl DirOps for Asyncfs {
    fn lookup(dir: &Inode, name: &[u8]) -> Result<Option<ARef<Inode>>> {
        let d = dir_of(dir)?.lock();
        Ok(d.find(name).map(|i| d.entries[i].inode.clone()))
    }

    fn create(ctx: &OpCtx<'_>, dir: &Inode, dentry: &DEntry<Self>, mode: u16, rdev: u32) -> Result {
        add(
            dir,
            dentry,
            new_inode(dir.super_block(), Some((ctx, dir)), mode, rdev)?,
        )
    }

    fn mkdir(ctx: &OpCtx<'_>, dir: &Inode, dentry: &DEntry<Self>, mode: u16) -> Result {
        add(
            dir,
            dentry,
            new_inode(dir.super_block(), Some((ctx, dir)), mode, 0)?,
        )
    }

    fn symlink(ctx: &OpCtx<'_>, dir: &Inode, dentry: &DEntry<Self>, target: &CStr) -> Result {
        let mode = bindings::S_IFLNK as u16 | 0o777;
        let inode = new_inode(dir.super_block(), Some((ctx, dir)), mode, 0)?;
        inode.write_symlink(target)?;
        add(dir, dentry, inode)
    }

    fn link(inode: &Inode, dir: &Inode, dentry: &DEntry<Self>) -> Result {
        // Counted before the name is visible; the VFS holds the inode's
        // i_rwsem, so no other link or unlink changes the count meanwhile.
        inode.inc_nlink();
        add(dir, dentry, ARef::from(inode)).inspect_err(|_| inode.drop_nlink())?;
        inode.touch_ctime();
        Ok(())
    }

    fn unlink(dir: &Inode, dentry: &DEntry<Self>) -> Result {
        let inode = dentry.inode().ok_or(ENOENT)?;
        let e = remove(dir, dentry.name())?;
        inode.drop_nlink();
        inode.touch_ctime();
        drop(e);
        Ok(())
    }

    fn rmdir(dir: &Inode, dentry: &DEntry<Self>) -> Result {
        let child = dentry.inode().ok_or(ENOENT)?;
        // The VFS holds the child's i_rwsem exclusively, and has waited for
        // what was in flight in it: nothing enters it.
        if !dir_of(child)?.lock().entries.is_empty() {
            return Err(ENOTEMPTY);
        }
        let e = remove(dir, dentry.name())?;
        child.clear_nlink();
        dir.drop_nlink();
        drop(e);
        Ok(())
    }

    fn rename(
        _ctx: &OpCtx<'_>,
        old_dir: &Inode,
        old: &DEntry<Self>,
        new_dir: &Inode,
        new: &DEntry<Self>,
        flags: u32,
    ) -> Result {
        if flags & !bindings::RENAME_NOREPLACE != 0 {
            return Err(EINVAL);
        }
        let moved = old.inode().ok_or(ENOENT)?;
        let moved_is_dir = moved.kind() == FileKind::Dir;
        let target = new.inode();
        if let Some(t) = target {
            if t.kind() == FileKind::Dir && !dir_of(t)?.lock().entries.is_empty() {
                return Err(ENOTEMPTY);
            }
        }
        let name = copy_name(new.name())?;
        let (from, to) = (dir_of(old_dir)?, dir_of(new_dir)?);
        let replaced = if core::ptr::eq(from, to) {
            // Room for the new entry first, so that nothing fails once the
            // old one is out.
            let mut d = from.lock();
            d.reserve()?;
            let i = d.find(old.name()).ok_or(ENOENT)?;
            let e = d.entries.remove(i)?;
            let r = d
                .find(new.name())
                .map(|j| d.entries.remove(j))
                .transpose()?;
            d.push(name, e.inode)?;
            r
        } else {
            // Never two directory locks at once: in under the new name
            // first (which may fail, changing nothing), then out under the
            // old one (which cannot fail: the VFS holds the old name).
            let mut d = to.lock();
            let r = d
                .find(new.name())
                .map(|j| d.entries.remove(j))
                .transpose()?;
            if let Err(e) = d.push(name, ARef::from(moved)) {
                if let Some(r) = r {
                    // Back where it was (a new position: it is a new entry
                    // for listings); the pop above left room for it.
                    let _ = d.push(r.name, r.inode);
                }
                return Err(e);
            }
            drop(d);
            let mut d = from.lock();
            if let Some(i) = d.find(old.name()) {
                drop(d.entries.remove(i)?);
            }
            r
        };
        if moved_is_dir {
            old_dir.drop_nlink();
            new_dir.inc_nlink();
        }
        if let Some(r) = &replaced {
            if r.inode.kind() == FileKind::Dir {
                new_dir.drop_nlink();
                r.inode.clear_nlink();
            } else {
                r.inode.drop_nlink();
            }
            r.inode.touch_ctime();
        }
        moved.touch_ctime();
        old_dir.touch_cmtime();
        new_dir.touch_cmtime();
        drop(replaced);
        Ok(())
    }

    fn readdir(dir: &Inode, emit: &mut DirEmitter<Self>) -> Result {
        let list = dir_of(dir)?;
        // Entries added after the listing started (renamed ones too) are
        // left out, so that the listing ends.
        let horizon = emit.horizon(|| list.lock().next_pos);
        loop {
            let pos = emit.pos() as u64;
            // One entry at a time, copied out: dir_emit() copies to user
            // space, which may fault, and must not hold up the directory.
            let (p, name, ino, kind) = {
                let d = list.lock();
                let i = d.entries.partition_point(|e| e.pos < pos);
                match d.entries.get(i).filter(|e| e.pos < horizon) {
                    Some(e) => (e.pos, copy_name(&e.name)?, e.inode.ino(), e.inode.kind()),
                    None => return Ok(()),
                }
            };
            if !emit.emit(p as i64, &name, ino, kind) {
                return Ok(());
            }
        }
    }
}

impl FileSystem for Asyncfs {
    const NAME: &'static CStr = c"asyncfs";
    const MAGIC: u32 = 0x4153_5946; // "ASYF"
    type Options = ();
    type Data = ();
    type InodeData = Node;

    fn init_options(_sb: Option<&SuperBlock<Self>>) -> Result<()> {
        Ok(())
    }

    fn fill_super(_opts: &(), setup: &mut SuperSetup, _log: &vfs::param::FcLog<'_>) -> Result<()> {
        setup.dirops = DiropMode {
            shared: true,
            completion: Completion::Async,
        };
        Ok(())
    }

    fn make_root(sb: &SuperBlock<Self>) -> Result<ARef<Inode>> {
        new_inode(sb, None, bindings::S_IFDIR as u16 | 0o755, 0)
    }

    fn teardown(sb: &SuperBlock<Self>) {
        if let Some(root) = sb.root() {
            release_tree(ARef::from(root));
        }
    }
}

/// Drops the references the directories under `root` hold, so that unmount
/// can evict every inode; with a work list, not recursion (trees may be
/// deep), unless memory for the list runs out.
fn release_tree(root: ARef<Inode>) {
    let mut todo: KVec<ARef<Inode>> = KVec::new();
    let mut cur = Some(root);
    while let Some(dir) = cur.take() {
        if let Ok(list) = dir_of(&dir) {
            let entries = core::mem::take(&mut list.lock().entries);
            for e in entries {
                if e.inode.kind() == FileKind::Dir
                    && todo.push(e.inode.clone(), GFP_KERNEL).is_err()
                {
                    release_tree(e.inode);
                }
            }
        }
        cur = todo.pop();
    }
}
