// SPDX-License-Identifier: GPL-2.0

//! Superblocks.
//!
//! C reference: `include/linux/fs/super_types.h`.

use super::{
    dirop::DiropMode,
    fs_type::{FileSystem, SbInfo},
    inode::evict_inode,
};
use core::{ffi::c_int, marker::PhantomData};
use kernel::{bindings, error::from_result, seq_file::SeqFile, types::Opaque};

/// A mounted instance of filesystem `T`.
///
/// # Invariants
///
/// Wraps a `struct super_block` of type `T` whose `s_fs_info` points to a
/// valid `SbInfo<T::Data>` (set before any `&SuperBlock<T>` is handed out).
#[repr(transparent)]
pub struct SuperBlock<T: FileSystem> {
    sb: Opaque<bindings::super_block>,
    _p: PhantomData<T>,
}

impl<T: FileSystem> SuperBlock<T> {
    pub(super) const SUPER_OPS: bindings::super_operations = bindings::super_operations {
        statfs: Some(Self::statfs),
        show_options: Some(Self::show_options),
        evict_inode: Some(evict_inode::<T>),
        // Unlinked inodes go at once; linked ones are kept alive by the
        // filesystem's index anyway (`generic_delete_inode` is gone in 7.3).
        drop_inode: Some(bindings::inode_just_drop),
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// `sb` must be a live superblock of type `T` with `s_fs_info` set, valid
    /// for `'a`.
    pub unsafe fn from_raw<'a>(sb: *mut bindings::super_block) -> &'a Self {
        // SAFETY: `SuperBlock<T>` is a transparent wrapper of `super_block`,
        // and the caller guarantees validity for `'a`.
        unsafe { &*sb.cast() }
    }

    /// The raw `struct super_block`.
    pub fn as_raw(&self) -> *mut bindings::super_block {
        self.sb.get()
    }

    /// What the layer and the filesystem keep about the instance.
    fn info(&self) -> &SbInfo<T::Data> {
        // SAFETY: By the type invariant `s_fs_info` points to a valid
        // `SbInfo<T::Data>`, which lives as long as the superblock.
        unsafe { &*(*self.sb.get()).s_fs_info.cast::<SbInfo<T::Data>>() }
    }

    /// The instance's data.
    pub fn data(&self) -> &T::Data {
        &self.info().data
    }

    /// How the instance's directory operations run (fixed at mount).
    pub fn dirop_mode(&self) -> DiropMode {
        self.info().dirops
    }

    /// The root directory's inode.
    pub fn root(&self) -> Option<&super::inode::INode<T>> {
        // SAFETY: `s_root` is set once at mount and stays until unmount;
        // its inode is one of ours.
        unsafe {
            let root = (*self.sb.get()).s_root;
            (!root.is_null()).then(|| super::inode::INode::from_raw((*root).d_inode))
        }
    }

    /// `super_operations::statfs`.
    ///
    /// # Safety
    ///
    /// Only called by the VFS through the operation tables, with the
    /// arguments and locks `Documentation/filesystems/locking.rst` lists.
    unsafe extern "C" fn statfs(
        dentry: *mut bindings::dentry,
        buf: *mut bindings::kstatfs,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The VFS passes a dentry of a mounted superblock of ours
            // and a buffer to fill.
            unsafe {
                let sb = Self::from_raw((*dentry).d_sb);
                let st = T::statfs(sb);
                (*buf).f_type = T::MAGIC as isize;
                (*buf).f_bsize = kernel::page::PAGE_SIZE as isize;
                (*buf).f_namelen = bindings::NAME_MAX as isize;
                (*buf).f_blocks = st.blocks;
                (*buf).f_bfree = st.bfree;
                (*buf).f_bavail = st.bfree;
                (*buf).f_files = st.files;
                (*buf).f_ffree = st.ffree;
                // `uuid_to_fsid()`: the two halves of the UUID xor-ed.
                let u = (*(*dentry).d_sb).s_uuid.b;
                let half =
                    |i: usize| u64::from_le_bytes(u[i..i + 8].try_into().unwrap_or_default());
                let fsid = half(0) ^ half(8);
                (*buf).f_fsid.val = [fsid as i32, (fsid >> 32) as i32];
            }
            Ok(0)
        })
    }

    /// `super_operations::show_options`.
    ///
    /// # Safety
    ///
    /// Only called by the VFS through the operation tables, with the
    /// arguments and locks `Documentation/filesystems/locking.rst` lists.
    unsafe extern "C" fn show_options(
        m: *mut bindings::seq_file,
        root: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: The VFS passes a live seq_file for this call and the root of
        // a mounted superblock of ours.
        unsafe { T::show_options(Self::from_raw((*root).d_sb), SeqFile::from_raw(m)) };
        0
    }
}
