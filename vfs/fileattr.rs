// SPDX-License-Identifier: GPL-2.0

//! Inode flags: `FS_IOC_GETFLAGS`/`FS_IOC_SETFLAGS` (`lsattr`, `chattr`)
//! and their `FS_IOC_FSGETXATTR` view.
//!
//! The filesystem stores the flags ([`FileSystem::file_flags`]); the layer
//! checks a request against the flags the filesystem offers
//! ([`FileSystem::FILE_FLAGS`]) and applies the ones the VFS enforces to
//! the inode: `FS_IMMUTABLE_FL` (`S_IMMUTABLE`: no change of data, name,
//! or attributes), `FS_APPEND_FL` (`S_APPEND`: writes only at the end, no
//! unlink or rename) and `FS_NOATIME_FL` (`S_NOATIME`).  The VFS has already
//! checked that the caller owns the inode and holds `CAP_LINUX_IMMUTABLE`
//! to change the first two (`fileattr_set_prepare()`), and holds the
//! inode's `i_rwsem`.
//!
//! C reference: `fs/file_attr.c`, `shmem_fileattr_set()` in `mm/shmem.c`.

use super::{fs_type::FileSystem, inode::INode};
use core::ffi::c_int;
use kernel::{bindings, error::from_result, prelude::*};

/// The flags the VFS enforces through `i_flags`, with their `S_*` bits.
const ENFORCED: [(u32, u32); 3] = [
    (bindings::FS_IMMUTABLE_FL, bindings::S_IMMUTABLE),
    (bindings::FS_APPEND_FL, bindings::S_APPEND),
    (bindings::FS_NOATIME_FL, bindings::S_NOATIME),
];

/// The `i_flags` bits of the `FS_*_FL` flags `flags`.
fn i_flags_of(flags: u32) -> u32 {
    ENFORCED
        .iter()
        .filter(|(fl, _)| flags & fl != 0)
        .fold(0, |acc, (_, s)| acc | s)
}

impl<T: FileSystem> INode<T> {
    /// Applies the enforced flags among `flags` to the inode.  For a new
    /// inode that inherits flags, and for `FS_IOC_SETFLAGS`.
    pub fn apply_file_flags(&self, flags: u32) {
        let mask = ENFORCED.iter().fold(0, |acc, (_, s)| acc | s);
        // SAFETY: The inode is live; `inode_set_flags()` updates `i_flags`
        // atomically against other updaters.
        unsafe { bindings::inode_set_flags(self.as_raw(), i_flags_of(flags), mask) };
    }
}

/// `->fileattr_get`.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn fileattr_get<T: FileSystem>(
    dentry: *mut bindings::dentry,
    fa: *mut bindings::file_kattr,
) -> c_int {
    // SAFETY: The VFS passes a positive dentry of ours and the attributes
    // to fill.
    unsafe {
        let inode = INode::<T>::from_raw(bindings::d_inode(dentry));
        bindings::fileattr_fill_flags(fa, T::file_flags(inode) & T::FILE_FLAGS);
    }
    0
}

/// `->fileattr_set`: only the flags the filesystem offers, and no `fsx_*`
/// attribute that has no flag (extent sizes, project ids), as tmpfs.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn fileattr_set<T: FileSystem>(
    _idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    fa: *mut bindings::file_kattr,
) -> c_int {
    from_result(|| {
        // SAFETY: The VFS passes a positive dentry of ours, whose inode it
        // holds locked, and the requested attributes.
        let (inode, wanted) = unsafe {
            if bindings::fileattr_has_fsx(fa) {
                return Err(EOPNOTSUPP);
            }
            (INode::<T>::from_raw(bindings::d_inode(dentry)), (*fa).flags)
        };
        if wanted & !T::FILE_FLAGS != 0 {
            return Err(EOPNOTSUPP);
        }
        let flags = (T::file_flags(inode) & !T::FILE_FLAGS) | wanted;
        inode.apply_file_flags(flags);
        T::set_file_flags(inode, flags);
        inode.touch_ctime();
        Ok(0)
    })
}
