// SPDX-License-Identifier: GPL-2.0

//! Directory operations: the [`DirOps`] trait a filesystem implements, and
//! `->lookup`.  The C methods of directory changes are in
//! [`super::dir_methods`], listings in [`super::readdir`], the tables that
//! bind them in [`super::tables`].
//!
//! C reference: `Documentation/filesystems/vfs.rst`, `locking.rst`,
//! `shared-dir-locking.rst` (ours).

use super::{
    acl::NewMode,
    dentry::{splice_alias, DEntry, IdMap},
    fs_type::FileSystem,
    inode::INode,
    readdir::DirEmitter,
};
use core::ffi::c_uint;
use kernel::{bindings, error::VTABLE_DEFAULT_ERROR, prelude::*, str::CStr, sync::aref::ARef};

/// Context of a directory operation: the idmapping of the mount it came
/// through (for the owner of new inodes).
pub struct OpCtx<'a> {
    /// The mount's idmapping.
    pub idmap: &'a IdMap,
    /// For an operation that creates an inode: its mode and ACLs, computed
    /// in the caller's task (see [`NewMode`]).
    pub new_mode: Option<&'a NewMode>,
}

/// The directory operations of a filesystem.
///
/// The dentries passed are excluded from other operations on the same name
/// for the duration of the call, and the victims' `i_rwsem` is held, as
/// `Documentation/filesystems/locking.rst` describes.  The directory's
/// `i_rwsem` is held shared for `lookup` and `readdir`; for changes it is
/// held exclusive, unless the instance's [`DiropMode`] is `shared`: then it
/// is held shared, operations on other names of the same directory run
/// concurrently, and each operation may run on a work item (completion
/// `Async`) with the caller's credentials; while it does, the VFS has
/// released the directory's `i_rwsem` (only the name stays locked), so a
/// `setattr` of the directory may run meanwhile (`rmdir` of it waits).
/// The filesystem protects its directory state with its own locks.
#[vtable]
pub trait DirOps: FileSystem {
    /// Finds `name` in `dir`.
    fn lookup(dir: &INode<Self>, name: &[u8]) -> Result<Option<ARef<INode<Self>>>>;

    /// Creates a regular file, device node, fifo or socket (`mode` has the
    /// type bits, `rdev` the device) at the negative `dentry`, and
    /// instantiates it.
    fn create(
        _ctx: &OpCtx<'_>,
        _dir: &INode<Self>,
        _dentry: &DEntry<Self>,
        _mode: u16,
        _rdev: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a directory at the negative `dentry` and instantiates it.
    fn mkdir(_ctx: &OpCtx<'_>, _dir: &INode<Self>, _dentry: &DEntry<Self>, _mode: u16) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a symbolic link to `target` at the negative `dentry`.
    fn symlink(
        _ctx: &OpCtx<'_>,
        _dir: &INode<Self>,
        _dentry: &DEntry<Self>,
        _target: &CStr,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Adds a link to `inode` at the negative `dentry` and instantiates it.
    fn link(_inode: &INode<Self>, _dir: &INode<Self>, _dentry: &DEntry<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the non-directory at `dentry`.
    fn unlink(_dir: &INode<Self>, _dentry: &DEntry<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the empty directory at `dentry`.
    fn rmdir(_dir: &INode<Self>, _dentry: &DEntry<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Renames; `flags` are `RENAME_*`.  On success the VFS moves the dentries.
    fn rename(
        _ctx: &OpCtx<'_>,
        _old_dir: &INode<Self>,
        _old: &DEntry<Self>,
        _new_dir: &INode<Self>,
        _new: &DEntry<Self>,
        _flags: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates an unnamed regular file in `dir` for `O_TMPFILE`.
    fn tmpfile(_ctx: &OpCtx<'_>, _dir: &INode<Self>, _mode: u16) -> Result<ARef<INode<Self>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Emits the entries of `dir` from `emit.pos()` on (positions >= 2).
    fn readdir(_dir: &INode<Self>, _emit: &mut DirEmitter<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// `->lookup`: asks the filesystem, then splices the result into the dcache
/// (a negative dentry when the name does not exist).
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn lookup<T: DirOps>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    _flags: c_uint,
) -> *mut bindings::dentry {
    // SAFETY: The VFS passes a live directory of ours and the dentry it is
    // looking up, which it excludes from other lookups.
    let (dir, d) = unsafe { (INode::<T>::from_raw(dir), DEntry::<T>::from_raw(dentry)) };
    match T::lookup(dir, d.name()) {
        Err(e) => e.to_ptr(),
        Ok(found) => {
            let inode = found.map_or(core::ptr::null_mut(), |i| ARef::into_raw(i).as_ptr().cast());
            // SAFETY: `dentry` is in lookup, ours to instantiate; `inode` is
            // null or a reference of ours, which the call consumes.
            unsafe { splice_alias(dentry, inode) }
        }
    }
}
