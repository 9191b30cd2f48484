// SPDX-License-Identifier: GPL-2.0

//! Directory entries as the VFS hands them to directory operations.
//!
//! C reference: `include/linux/dcache.h`, `fs/dcache.c`.

use super::{fs_type::FileSystem, inode::INode};
use core::marker::PhantomData;
use kernel::{bindings, sync::aref::ARef, types::Opaque};

/// The longest name a directory entry may have (`NAME_MAX`).
pub const NAME_MAX: usize = bindings::NAME_MAX as usize;

/// A dentry of filesystem `T` passed to a directory operation.
///
/// # Invariants
///
/// Wraps a live `struct dentry` of a superblock of type `T`, which the VFS
/// keeps alive and excludes from other directory operations on the same name
/// for the duration of the call it was passed to.
#[repr(transparent)]
pub struct DEntry<T: FileSystem> {
    dentry: Opaque<bindings::dentry>,
    _p: PhantomData<T>,
}

impl<T: FileSystem> DEntry<T> {
    /// # Safety
    ///
    /// `dentry` must satisfy the type invariant for `'a`.
    pub unsafe fn from_raw<'a>(dentry: *mut bindings::dentry) -> &'a Self {
        // SAFETY: Transparent wrapper; validity per the caller.
        unsafe { &*dentry.cast() }
    }

    /// The entry's name.
    pub fn name(&self) -> &[u8] {
        // SAFETY: The name of a dentry cannot change while a directory
        // operation on it is in progress (rename needs the same exclusion),
        // and `d_name.name` points to `len` bytes.
        unsafe {
            let d = self.dentry.get();
            let len = (*d)
                .__bindgen_anon_1
                .d_name
                .__bindgen_anon_1
                .__bindgen_anon_1
                .len;
            core::slice::from_raw_parts((*d).__bindgen_anon_1.d_name.name, len as usize)
        }
    }

    /// The inode the entry refers to, if it is positive.
    pub fn inode(&self) -> Option<&INode<T>> {
        // SAFETY: The dentry is live and its inode is stable during the
        // operation; an inode of our superblock satisfies `INode`'s invariant.
        unsafe {
            let inode = bindings::d_inode(self.dentry.get());
            (!inode.is_null()).then(|| INode::from_raw(inode))
        }
    }

    /// Makes the (negative) entry refer to `inode`, consuming the reference.
    ///
    /// An in-lookup dentry (`->atomic_open` of a name not in the dcache) is
    /// instantiated with `d_splice_alias()`, which also hashes it and ends
    /// its in-lookup state; `d_instantiate()` would leave it unhashed.
    pub fn instantiate(&self, inode: ARef<INode<T>>) {
        let raw = ARef::into_raw(inode).as_ptr().cast::<bindings::inode>();
        let d = self.dentry.get();
        // SAFETY: The dentry is negative and excluded from others.
        if unsafe { bindings::d_in_lookup(d) } == 0 {
            // SAFETY: `d_instantiate` takes over our inode reference.
            unsafe { bindings::d_instantiate(d, raw) };
            return;
        }
        // SAFETY: The dentry is in lookup, ours to instantiate; the
        // reference goes to the dcache.  A new inode has no other alias, so
        // there is none to keep.
        let _ = unsafe { splice_drop_alias(d, raw) };
    }

    /// Makes the entry refer to a new, unlinked `inode` (`O_TMPFILE`).
    ///
    /// # Safety
    ///
    /// `file` must be the file `->tmpfile` was given, whose dentry is `self`.
    pub(super) unsafe fn instantiate_tmpfile(
        &self,
        file: *mut bindings::file,
        inode: ARef<INode<T>>,
    ) {
        let raw = ARef::into_raw(inode).as_ptr().cast::<bindings::inode>();
        // SAFETY: `file` is the tmpfile's file as passed to `->tmpfile`
        // (the function's requirement); `d_tmpfile` takes over our inode
        // reference.
        unsafe { bindings::d_tmpfile(file, raw) };
    }
}

/// `d_splice_alias()`: makes `dentry` (in lookup, or unhashed) refer to
/// `inode` (null: a negative entry), consuming the inode reference, and
/// returns the alias the VFS should use instead: null for `dentry` itself,
/// a referenced dentry (a directory already in the dcache elsewhere), or
/// an error pointer.
///
/// # Safety
///
/// `dentry` must be live and the caller's to instantiate; `inode` null or
/// a referenced inode of the same superblock.
pub(super) unsafe fn splice_alias(
    dentry: *mut bindings::dentry,
    inode: *mut bindings::inode,
) -> *mut bindings::dentry {
    // SAFETY: Per the function's requirements.
    unsafe { bindings::d_splice_alias(inode, dentry) }
}

/// [`splice_alias`], for a caller that has no use for an alias: a
/// referenced one is put at once.
///
/// # Safety
///
/// As for [`splice_alias`].
pub(super) unsafe fn splice_drop_alias(
    dentry: *mut bindings::dentry,
    inode: *mut bindings::inode,
) -> kernel::error::Result {
    // SAFETY: Per the function's requirements.
    let alias = unsafe { splice_alias(dentry, inode) };
    kernel::error::from_err_ptr(alias)?;
    if !alias.is_null() {
        // SAFETY: A referenced dentry we do not keep.
        unsafe { bindings::dput(alias) };
    }
    Ok(())
}

/// The idmapping of the mount an operation came through.
///
/// # Invariants
///
/// Wraps a live `struct mnt_idmap`.
#[repr(transparent)]
pub struct IdMap(Opaque<bindings::mnt_idmap>);

impl IdMap {
    /// # Safety
    ///
    /// `idmap` must be live for `'a`.
    pub unsafe fn from_raw<'a>(idmap: *mut bindings::mnt_idmap) -> &'a Self {
        // SAFETY: Transparent wrapper; validity per the caller.
        unsafe { &*idmap.cast() }
    }

    /// The raw `struct mnt_idmap`.
    pub fn as_raw(&self) -> *mut bindings::mnt_idmap {
        self.0.get()
    }
}
