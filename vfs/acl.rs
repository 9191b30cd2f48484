// SPDX-License-Identifier: GPL-2.0

//! POSIX ACLs kept only in the inode's ACL cache, as tmpfs keeps them.
//!
//! A filesystem opts in with [`FileSystem::POSIX_ACL`]; its superblocks get
//! `SB_POSIXACL`.  From then on the VFS no longer applies the umask to a new
//! inode's mode: `posix_acl_create()` does, or applies the directory's
//! default ACL instead.  It reads the umask of the current task, so it must
//! run in the task that asked for the operation, before an `_async`
//! operation may move to a work item: the trampolines compute a [`NewMode`]
//! first, and the new inode takes its ACLs from it before anyone can see it.
//!
//! C reference: `simple_acl_create()` and `simple_set_acl()` in
//! `fs/posix_acl.c` (not exported to modules), `shmem_setattr()`.

use super::{fs_type::FileSystem, inode::INode, sb::SuperBlock};
use core::{
    mem::size_of,
    ptr::{self, NonNull},
};
use kernel::{
    bindings,
    error::{from_result, to_result},
    ffi::c_int,
    prelude::*,
};

/// `SB_POSIXACL` (`BIT(16)` in C, which bindgen does not translate).
pub(super) const SB_POSIXACL: kernel::ffi::c_ulong = 1 << 16;
/// `ACL_TYPE_ACCESS` and `ACL_TYPE_DEFAULT` (`include/uapi/linux/posix_acl.h`).
const ACL_TYPE_ACCESS: c_int = 0x8000;
const ACL_TYPE_DEFAULT: c_int = 0x4000;

/// The memory an ACL takes (`posix_acl_alloc()`), what the filesystem's
/// [`FileSystem::charge_acl`] is charged for it; 0 for none.
///
/// # Safety
///
/// `acl` is null, `ACL_NOT_CACHED`, or a live ACL.
unsafe fn bytes(acl: *const bindings::posix_acl) -> u64 {
    if acl.is_null() || acl as isize == -1 {
        return 0;
    }
    // SAFETY: Per the requirements `acl` is live; `a_count` never changes.
    let count = unsafe { (*acl).__bindgen_anon_1.hdr.a_count };
    (size_of::<bindings::posix_acl>() + count as usize * size_of::<bindings::posix_acl_entry>())
        as u64
}

/// Gives back the space of the ACLs of `inode`, which is being evicted.
///
/// # Safety
///
/// `inode` is an inode of a superblock of type `T` that no one else uses
/// any more.
pub(super) unsafe fn evicted<T: FileSystem>(inode: *mut bindings::inode) {
    // SAFETY: Per the requirements; the cached ACLs are released only after
    // `evict_inode` returns (`__destroy_inode()`).
    unsafe {
        let n = bytes((*inode).i_acl) + bytes((*inode).i_default_acl);
        if n > 0 {
            T::uncharge_acl(SuperBlock::from_raw((*inode).i_sb), n);
        }
    }
}

/// A reference to a POSIX ACL.
///
/// # Invariants
///
/// Owns one reference to a live `struct posix_acl`.
struct Acl(NonNull<bindings::posix_acl>);

// SAFETY: An ACL is immutable once made, reference counted atomically and
// freed after an RCU grace period: a reference may be dropped on any thread.
unsafe impl Send for Acl {}
// SAFETY: As above; a shared `Acl` gives no access but its address.
unsafe impl Sync for Acl {}

impl Acl {
    /// Takes over the reference `p` holds (none if `p` is null).
    ///
    /// # Safety
    ///
    /// `p` is null or owns a reference to a live ACL.
    unsafe fn from_raw(p: *mut bindings::posix_acl) -> Option<Self> {
        // INVARIANT: Per the function's requirements.
        NonNull::new(p).map(Self)
    }
}

impl Drop for Acl {
    fn drop(&mut self) {
        // SAFETY: Per the type invariant we own a reference.
        unsafe { bindings::posix_acl_release(self.0.as_ptr()) };
    }
}

/// The mode of a new inode and the ACLs it starts with, computed in the
/// context of the task that creates it.
pub struct NewMode {
    /// The mode (type and permission bits) after the umask or the default
    /// ACL, or why it could not be computed.
    mode: Result<u16>,
    /// A new directory's default ACL (the parent's).
    default: Option<Acl>,
    /// The new inode's access ACL.
    access: Option<Acl>,
}

impl NewMode {
    /// The mode and ACLs of an inode created with `mode` in `dir`, by the
    /// current task (its umask).  On a filesystem without `SB_POSIXACL` the
    /// VFS has applied the umask already and this changes nothing.
    ///
    /// # Safety
    ///
    /// `dir` is a live directory inode.
    pub(super) unsafe fn prepare(dir: *mut bindings::inode, mode: u16) -> Self {
        let (mut mode, mut default, mut access) = (mode, ptr::null_mut(), ptr::null_mut());
        // SAFETY: `dir` is live per the requirements; the out-pointers are
        // locals.  It hands out a reference in each non-null result.
        let r = unsafe { bindings::posix_acl_create(dir, &mut mode, &mut default, &mut access) };
        // SAFETY: As just said; on error both are null.
        let (default, access) = unsafe { (Acl::from_raw(default), Acl::from_raw(access)) };
        Self {
            mode: to_result(r).map(|()| mode),
            default,
            access,
        }
    }

    /// The mode, or the error computing it.
    pub fn mode(&self) -> Result<u16> {
        self.mode
    }

    /// Gives the new `inode` its ACLs (or none), as `simple_acl_create()`,
    /// once the filesystem accepted their space.
    ///
    /// # Safety
    ///
    /// `inode` is a new inode of a superblock of type `T` that no one else
    /// can see yet.
    pub(super) unsafe fn apply<T: FileSystem>(&self, inode: *mut bindings::inode) -> Result {
        let raw = |a: &Option<Acl>| a.as_ref().map_or(ptr::null_mut(), |a| a.0.as_ptr());
        let (access, default) = (raw(&self.access), raw(&self.default));
        // SAFETY: Per the requirements.  `set_cached_acl()` takes its own
        // reference; a null ACL caches "no ACL", so that permission checks
        // never ask for one (there is no `->get_acl`).  Nothing races with
        // these stores.  Once cached, the ACLs' space is given back when the
        // inode is evicted (`evicted`), also if its creation fails later.
        unsafe {
            let n = bytes(access) + bytes(default);
            if n > 0 {
                T::charge_acl(SuperBlock::from_raw((*inode).i_sb), n)?;
            }
            bindings::set_cached_acl(inode, ACL_TYPE_ACCESS, access);
            bindings::set_cached_acl(inode, ACL_TYPE_DEFAULT, default);
        }
        Ok(())
    }
}

/// `inode_operations::set_acl`, as `simple_set_acl()`: setting the access
/// ACL updates the mode (and drops the ACL if the mode says it all).
///
/// # Safety
///
/// Called by the VFS (`vfs_set_acl()`, `posix_acl_chmod()`) with a positive
/// dentry of ours whose inode it locked, and an ACL (or null) it holds.
/// ACLs take inode space as extended attributes do: a user could otherwise
/// pin 64 KiB of kernel memory per inode (tmpfs does not count them).
pub(super) unsafe extern "C" fn set_acl<T: FileSystem>(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    acl: *mut bindings::posix_acl,
    type_: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: Per the function's requirements; the inode is locked, so
        // its mode and ACLs are ours to update.
        unsafe {
            let inode = bindings::d_inode(dentry);
            let sb = SuperBlock::<T>::from_raw((*inode).i_sb);
            let mut acl = acl;
            let mut mode = (*inode).i_mode;
            if type_ == ACL_TYPE_ACCESS {
                to_result(bindings::posix_acl_update_mode(
                    idmap, inode, &mut mode, &mut acl,
                ))?;
            }
            let old = bytes(if type_ == ACL_TYPE_ACCESS {
                (*inode).i_acl
            } else {
                (*inode).i_default_acl
            });
            let new = bytes(acl);
            if new > 0 {
                // Refused: nothing changed, not even the mode.
                T::charge_acl(sb, new)?;
            }
            (*inode).i_mode = mode;
            bindings::inode_set_ctime_current(inode);
            bindings::set_cached_acl(inode, type_, acl);
            if old > 0 {
                T::uncharge_acl(sb, old);
            }
        }
        Ok(0)
    })
}

/// After `setattr` changed the mode of the inode of `dentry`: the access
/// ACL follows (`posix_acl_chmod()`).
///
/// # Safety
///
/// As for `setattr`: a positive dentry of ours whose inode the VFS locked.
pub(super) unsafe fn chmod(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
) -> Result {
    // SAFETY: Per the function's requirements.
    to_result(unsafe {
        bindings::posix_acl_chmod(idmap, dentry, (*bindings::d_inode(dentry)).i_mode)
    })
}

/// Lists the names of the ACLs `inode` has, as `posix_acl_listxattr()`
/// does, into `buf` (or only counts them); returns the bytes used.
pub(super) fn list<T: FileSystem>(inode: &INode<T>, buf: Option<&mut [u8]>) -> Result<usize> {
    let raw = inode.as_raw();
    // The cache holds every ACL there is (no `->get_acl`): a pointer that is
    // neither null nor `ACL_NOT_CACHED` is an ACL.  Only the pointer is read,
    // as `posix_acl_listxattr()` does under RCU.
    let has = |p: *mut bindings::posix_acl| !p.is_null() && p as isize != -1;
    // SAFETY: `raw` is a live inode; the fields are read once each.
    let (access, default) = unsafe {
        (
            ptr::read_volatile(&raw const (*raw).i_acl),
            ptr::read_volatile(&raw const (*raw).i_default_acl),
        )
    };
    let mut names: [&[u8]; 2] = [&[], &[]];
    if has(access) {
        names[0] = bindings::XATTR_NAME_POSIX_ACL_ACCESS;
    }
    if has(default) {
        names[1] = bindings::XATTR_NAME_POSIX_ACL_DEFAULT;
    }
    let mut used = 0;
    let mut buf = buf;
    for name in names.iter().filter(|n| !n.is_empty()) {
        // The constants end in their NUL, as listxattr() lists names.
        if let Some(b) = buf.as_deref_mut() {
            b.get_mut(used..used + name.len())
                .ok_or(ERANGE)?
                .copy_from_slice(name);
        }
        used += name.len();
    }
    Ok(used)
}
