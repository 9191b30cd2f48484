// SPDX-License-Identifier: GPL-2.0

//! Superblocks.
//!
//! C reference: `include/linux/fs/super_types.h`.

use super::fs_type::FileSystem;
use core::marker::PhantomData;
use kernel::{bindings, types::Opaque};

/// A mounted instance of filesystem `T`.
///
/// # Invariants
///
/// Wraps a `struct super_block` of type `T` whose `s_fs_info` points to a
/// valid `T::Data` (set before any `&SuperBlock<T>` is handed out).
#[repr(transparent)]
pub(crate) struct SuperBlock<T: FileSystem> {
    sb: Opaque<bindings::super_block>,
    _p: PhantomData<T>,
}

impl<T: FileSystem> SuperBlock<T> {
    pub(super) const SUPER_OPS: bindings::super_operations = {
        // SAFETY: All-zero is a valid `super_operations` (all methods absent).
        let mut ops: bindings::super_operations = unsafe { core::mem::zeroed() };
        ops.statfs = Some(bindings::simple_statfs);
        ops
    };

    /// # Safety
    ///
    /// `sb` must be a live superblock of type `T` with `s_fs_info` set, valid
    /// for `'a`.
    pub(crate) unsafe fn from_raw<'a>(sb: *mut bindings::super_block) -> &'a Self {
        // SAFETY: `SuperBlock<T>` is a transparent wrapper of `super_block`,
        // and the caller guarantees validity for `'a`.
        unsafe { &*sb.cast() }
    }

    /// The raw `struct super_block`.
    pub(crate) fn as_raw(&self) -> *mut bindings::super_block {
        self.sb.get()
    }

    /// The instance's data.
    pub(crate) fn data(&self) -> &T::Data {
        // SAFETY: By the type invariant `s_fs_info` points to a valid
        // `T::Data`, which lives as long as the superblock.
        unsafe { &*(*self.sb.get()).s_fs_info.cast::<T::Data>() }
    }
}
