// SPDX-License-Identifier: GPL-2.0

//! Directory listings (`getdents()`): `iterate_shared` and the
//! [`DirEmitter`] a filesystem's [`super::dir::DirOps::readdir`] fills, which
//! can also prime the dcache with the names it lists.
//!
//! C reference: `include/linux/fs.h` (`dir_context`, `dir_emit`),
//! `d_alloc_noblock()` in `fs/dcache.c`.

use super::{
    dentry::splice_drop_alias,
    dir::DirOps,
    fs_type::FileSystem,
    inode::{FileKind, INode},
};
use core::{ffi::c_int, marker::PhantomData};
use kernel::{bindings, error::from_result, sync::aref::ARef};

/// Collects directory entries for `getdents()`.
///
/// # Invariants
///
/// `ctx` is the live `dir_context` of the `iterate_shared` call this was
/// made for, `file` the open directory it reads, and `dir` its dentry,
/// which the open file pins and whose `i_rwsem` the VFS holds shared, of
/// a superblock of type `T`.
/// Calls on one open file are serialised by the VFS (`f_pos_lock`), so the
/// file's `private_data` is this listing's to use.
pub struct DirEmitter<T: FileSystem> {
    ctx: *mut bindings::dir_context,
    file: *mut bindings::file,
    dir: *mut bindings::dentry,
    _p: PhantomData<T>,
}

/// What [`DirEmitter::prime`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Primed {
    /// The name had a dentry already (or a lookup of it is in progress).
    Cached,
    /// A dentry was instantiated from the filesystem's current entry.
    Added,
    /// The name was gone when re-read, or the dcache was out of memory.
    Skipped,
}

impl<T: FileSystem> DirEmitter<T> {
    /// The position to continue from (a cookie of the filesystem's choosing;
    /// 0 and 1 are "." and "..").
    pub fn pos(&self) -> i64 {
        // SAFETY: `ctx` is valid by the type invariant.
        unsafe { (*self.ctx).pos }
    }

    /// The horizon of this listing: the filesystem's `next()` position when
    /// the listing started (opened, or rewound to 0), kept with the open
    /// file.  A filesystem that gives new and renamed entries positions
    /// that only grow emits only the entries below it, so that a listing
    /// ends even while entries are renamed or created without pause; as
    /// POSIX allows, entries added after the listing started (a renamed
    /// one included) may be left out, as on tmpfs.
    pub fn horizon(&mut self, next: impl FnOnce() -> u64) -> u64 {
        // SAFETY: `file` is valid, and the VFS serialises calls on it (the
        // type invariant); nothing else uses a directory's `private_data`.
        unsafe {
            let slot = &mut (*self.file).private_data;
            if slot.is_null() {
                // Never 0: positions start above "." and "..".
                *slot = core::ptr::without_provenance_mut(next().max(1) as usize);
            }
            slot.addr() as u64
        }
    }

    /// Emits one entry at position `pos`; the next call starts after it.
    /// Returns `false` when the user's buffer is full: stop, the entry was
    /// not consumed and will be emitted again by the next call.
    pub fn emit(&mut self, pos: i64, name: &[u8], ino: u64, kind: FileKind) -> bool {
        // SAFETY: `ctx` is valid by the type invariant; `name` is valid for
        // `len` bytes and `dir_emit` copies it.
        unsafe {
            (*self.ctx).pos = pos;
            if !bindings::dir_emit(
                self.ctx,
                name.as_ptr(),
                name.len() as c_int,
                ino,
                kind.dtype().into(),
            ) {
                return false;
            }
            (*self.ctx).pos = pos + 1;
        }
        true
    }

    /// Primes the dcache with `name` in the directory being read, so that a
    /// `stat()` after `getdents()` needs no `->lookup`, as NFS's
    /// `nfs_prime_dcache()` does.
    ///
    /// Never waits: `d_alloc_noblock()` gives up on a name another thread is
    /// looking up (it will cache it).  For a name we get to look up ourselves
    /// (an in-lookup dentry, which excludes every other operation on the
    /// name), `find` re-reads the filesystem's entry: the caller's copy may
    /// be stale.  The in-lookup state ends before this returns, so no
    /// in-lookup dentry is held across the copy to user space.
    pub fn prime(&mut self, name: &[u8], find: impl FnOnce() -> Option<ARef<INode<T>>>) -> Primed {
        // SAFETY: An all-zero `qstr` is valid; `d_alloc_noblock()` computes
        // the hash.
        let mut q: bindings::qstr = unsafe { core::mem::zeroed() };
        q.name = name.as_ptr();
        q.__bindgen_anon_1.__bindgen_anon_1.len = name.len() as u32;
        // SAFETY: `dir` is pinned and read-locked by the VFS (type
        // invariant); `q` points to `name`, which outlives the call.
        let d = unsafe { bindings::d_alloc_noblock(self.dir, &mut q) };
        if kernel::error::from_err_ptr(d).is_err() {
            return Primed::Cached;
        }
        // SAFETY: `d` is a referenced dentry of the directory.
        if unsafe { bindings::d_in_lookup(d) } == 0 {
            // SAFETY: Drops the reference `d_alloc_noblock()` returned.
            unsafe { bindings::dput(d) };
            return Primed::Cached;
        }
        let res = match find() {
            Some(inode) => {
                let raw = ARef::into_raw(inode).as_ptr().cast::<bindings::inode>();
                // SAFETY: `d` is our in-lookup dentry; the inode reference
                // is consumed, and the in-lookup state ends.
                match unsafe { splice_drop_alias(d, raw) } {
                    Ok(()) => Primed::Added,
                    Err(_) => Primed::Skipped,
                }
            }
            None => Primed::Skipped,
        };
        // SAFETY: Ends the in-lookup state if it is not over (the name is
        // gone: the dentry is left unhashed) and drops our reference.
        unsafe {
            bindings::d_lookup_done(d);
            bindings::dput(d);
        }
        res
    }
}

/// `iterate_shared` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn iterate_shared<T: DirOps>(
    file: *mut bindings::file,
    ctx: *mut bindings::dir_context,
) -> c_int {
    from_result(|| {
        // SAFETY: The VFS passes an open directory of ours and its context.
        let dir = unsafe {
            if (*ctx).pos == 0 {
                // A listing starts (or restarts after a rewind): it gets a
                // new horizon (`DirEmitter::horizon`).
                (*file).private_data = core::ptr::null_mut();
            }
            if !bindings::dir_emit_dots(file, ctx) {
                return Ok(0);
            }
            INode::<T>::from_raw(bindings::file_inode(file))
        };
        // SAFETY: `file` is valid for the duration of the call.
        let dentry = unsafe { (*file).__bindgen_anon_1.f_path.dentry };
        // INVARIANT: `ctx` is this call's context and `dentry` that of the
        // open directory, which pins it.
        let mut emit = DirEmitter::<T> {
            ctx,
            file,
            dir: dentry,
            _p: PhantomData,
        };
        T::readdir(dir, &mut emit)?;
        Ok(0)
    })
}
