// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! C reference: `include/linux/fs.h`, `fs/inode.c`.

use super::{fs_type::FileSystem, sb::SuperBlock};
use kernel::{bindings, prelude::*};

/// A new inode, owning one reference, for the root of a superblock.
///
/// # Invariants
///
/// `inode` is a valid inode with an elevated reference count owned by this.
pub(crate) struct RootInode {
    inode: *mut bindings::inode,
}

impl RootInode {
    /// Creates the root directory inode of `sb` with permission bits `mode`,
    /// owned by `uid`/`gid`, using libfs' simple directory operations.
    pub(crate) fn new_simple_dir<T: FileSystem>(
        sb: &SuperBlock<T>,
        mode: u16,
        uid: u32,
        gid: u32,
    ) -> Result<Self> {
        // SAFETY: `sb` is a valid superblock.
        let inode = unsafe { bindings::new_inode(sb.as_raw()) };
        if inode.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `inode` is new and not yet visible to anyone else; the
        // operation tables are statics of libfs.
        unsafe {
            (*inode).i_ino = bindings::get_next_ino().into();
            (*inode).i_mode = (bindings::S_IFDIR as u16) | (mode & 0o7777);
            (*inode).i_uid.val = uid;
            (*inode).i_gid.val = gid;
            bindings::simple_inode_init_ts(inode);
            (*inode).i_op = &bindings::simple_dir_inode_operations;
            (*inode).__bindgen_anon_3.i_fop = &bindings::simple_dir_operations;
            bindings::set_nlink(inode, 2);
        }
        // INVARIANT: `new_inode()` returned an inode with one reference.
        Ok(Self { inode })
    }

    /// Gives up ownership of the reference.
    pub(super) fn into_raw(self) -> *mut bindings::inode {
        let inode = self.inode;
        core::mem::forget(self);
        inode
    }
}

impl Drop for RootInode {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this owns a reference.
        unsafe { bindings::iput(self.inode) };
    }
}
