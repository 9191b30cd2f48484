// SPDX-License-Identifier: GPL-2.0

//! Inode attributes: `->getattr` (`stat()`, `statx()`) and `->setattr`
//! (`chmod()`, `chown()`, `truncate()`, `utimes()`).
//!
//! C reference: `fs/attr.c`, `fs/stat.c`, `simple_getattr()`,
//! `simple_setattr()` in `fs/libfs.c`.

use super::{fs_type::FileSystem, inode::INode};
use core::ffi::{c_int, c_uint};
use kernel::{bindings, error::from_result};

/// The dentry's inode, which the VFS guarantees is positive for the
/// operations that call this.
///
/// # Safety
///
/// `dentry` must be a live, positive dentry of a superblock of type `T`.
pub(super) unsafe fn dentry_inode<'a, T: FileSystem>(
    dentry: *mut bindings::dentry,
) -> &'a INode<T> {
    // SAFETY: Per the function's requirements.
    unsafe { INode::from_raw(bindings::d_inode(dentry)) }
}

/// `->getattr`: `simple_getattr()` through the mount's idmapping, which
/// `simple_getattr()` itself ignores (it serves filesystems without
/// `FS_ALLOW_IDMAP`, and passes the identity mapping).
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn getattr<T: FileSystem>(
    idmap: *mut bindings::mnt_idmap,
    path: *const bindings::path,
    stat: *mut bindings::kstat,
    request_mask: u32,
    _query_flags: c_uint,
) -> c_int {
    // SAFETY: The VFS passes its idmap, a path to a positive dentry of ours,
    // which it holds, and the `kstat` to fill.
    unsafe {
        let raw = bindings::d_inode((*path).dentry);
        bindings::generic_fillattr(idmap, request_mask, raw, stat);
        // 512-byte blocks of the page cache, as `simple_getattr()` counts.
        (*stat).blocks = ((*(*raw).i_mapping).nrpages as u64) << (bindings::PAGE_SHIFT - 9);
        let inode = INode::<T>::from_raw(raw);
        // The inode flags statx() reports, as `shmem_getattr()`.
        if T::FILE_FLAGS != 0 {
            let flags = T::file_flags(inode);
            for (fl, attr) in [
                (bindings::FS_APPEND_FL, bindings::STATX_ATTR_APPEND),
                (bindings::FS_IMMUTABLE_FL, bindings::STATX_ATTR_IMMUTABLE),
                (bindings::FS_NODUMP_FL, bindings::STATX_ATTR_NODUMP),
            ] {
                if T::FILE_FLAGS & fl != 0 {
                    (*stat).attributes_mask |= u64::from(attr);
                    if flags & fl != 0 {
                        (*stat).attributes |= u64::from(attr);
                    }
                }
            }
        }
        if request_mask & bindings::STATX_BTIME != 0 {
            if let Some((sec, nsec)) = T::birth_time(inode) {
                (*stat).result_mask |= bindings::STATX_BTIME;
                (*stat).btime.tv_sec = sec;
                (*stat).btime.tv_nsec = isize::try_from(nsec).unwrap_or(0);
            }
        }
    }
    0
}

/// `->setattr`: permission checks and attribute copy as `simple_setattr()`,
/// with the filesystem told about size changes (for its space accounting).
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn setattr<T: FileSystem>(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    attr: *mut bindings::iattr,
) -> c_int {
    from_result(|| {
        // SAFETY: The VFS passes a positive dentry of ours whose inode it
        // locked, and the requested attributes.
        unsafe {
            kernel::error::to_result(bindings::setattr_prepare(idmap, dentry, attr))?;
            let inode = dentry_inode::<T>(dentry);
            // As `shmem_setattr()`: a change of size changes ctime and
            // mtime (truncate(2) and ftruncate(2) ask for neither: POSIX
            // has the filesystem mark them when the size changes), any
            // other change ctime; a truncate to the same size neither.
            let mut changed = true;
            let mut resized = false;
            if (*attr).ia_valid & bindings::ATTR_SIZE != 0 {
                // Only regular files: the VFS refuses the others.
                if (*attr).ia_size != inode.size() {
                    super::ram_pages::truncate(inode, (*attr).ia_size);
                    resized = true;
                } else {
                    changed = false;
                }
            }
            // Nothing to write back: the inode is the only copy.
            bindings::setattr_copy(idmap, inode.as_raw(), attr);
            if (*attr).ia_valid & bindings::ATTR_MODE != 0 {
                super::acl::chmod(idmap, dentry)?;
            }
            if resized {
                inode.touch_cmtime();
            } else if changed {
                inode.touch_ctime();
            }
        }
        Ok(0)
    })
}
