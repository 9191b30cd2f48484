// SPDX-License-Identifier: GPL-2.0

//! Operation tables of inodes, files and address spaces, and the trampolines
//! that turn the C calls into calls of the filesystem's traits.
//!
//! C reference: `Documentation/filesystems/vfs.rst`, `locking.rst`.

use super::{
    acl::NewMode,
    dentry::{DEntry, IdMap},
    dirop::run_async,
    fs_type::{FileSystem, Registration},
    inode::{FileKind, INode},
    sb::SuperBlock,
};
use core::ffi::{c_int, c_uint};
use kernel::{
    bindings,
    error::{from_result, VTABLE_DEFAULT_ERROR},
    prelude::*,
    sync::aref::ARef,
};

/// Context of a directory operation: the idmapping of the mount it came
/// through (for the owner of new inodes).
pub struct OpCtx<'a> {
    /// The mount's idmapping.
    pub idmap: &'a IdMap,
    /// For an operation that creates an inode: its mode and ACLs, computed
    /// in the caller's task (see [`NewMode`]).
    pub new_mode: Option<&'a NewMode>,
}

/// Collects directory entries for `getdents()`.
///
/// # Invariants
///
/// `ctx` is the live `dir_context` of the `iterate_shared` call this was
/// made for, `file` the open directory it reads, and `dir` its dentry,
/// which the open file pins and whose `i_rwsem` the VFS holds shared.
/// Calls on one open file are serialised by the VFS (`f_pos_lock`), so the
/// file's `private_data` is this listing's to use.
pub struct DirEmitter {
    ctx: *mut bindings::dir_context,
    file: *mut bindings::file,
    dir: *mut bindings::dentry,
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

impl DirEmitter {
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
    pub fn prime<T: FileSystem>(
        &mut self,
        name: &[u8],
        find: impl FnOnce() -> Option<ARef<INode<T>>>,
    ) -> Primed {
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
                // SAFETY: `d` is our in-lookup dentry; `d_splice_alias()`
                // consumes the inode reference and ends the in-lookup state.
                let alias = unsafe { bindings::d_splice_alias(raw, d) };
                if kernel::error::from_err_ptr(alias).is_err() {
                    Primed::Skipped
                } else {
                    if !alias.is_null() {
                        // SAFETY: A referenced alias that we do not keep.
                        unsafe { bindings::dput(alias) };
                    }
                    Primed::Added
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

/// The directory operations of a filesystem.
///
/// The dentries passed are excluded from other operations on the same name
/// for the duration of the call, and the victims' `i_rwsem` is held, as
/// `Documentation/filesystems/locking.rst` describes.  The directory's
/// `i_rwsem` is held shared for `lookup` and `readdir`; for changes it is
/// held exclusive, unless the instance's [`DiropMode`] is `shared`: then it
/// is held shared, operations on other names of the same directory run
/// concurrently, and each operation may run on a work item (completion
/// `Async`) with the caller's credentials.  The filesystem protects its
/// directory state with its own locks.
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
    fn readdir(_dir: &INode<Self>, _emit: &mut DirEmitter) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// Sets the operations of a new inode of kind `kind`.
///
/// # Safety
///
/// `inode` must be a new inode of a superblock of type `T`, not yet visible.
pub(super) unsafe fn set_ops<T: DirOps>(inode: *mut bindings::inode, kind: FileKind, rdev: u32) {
    // SAFETY: Per the function's requirements the inode is ours to set up;
    // the tables are statics.
    unsafe {
        match kind {
            FileKind::Dir => {
                let shared = (*(*inode).i_sb).s_iflags
                    & bindings::SB_I_SHARED_DIROPS as kernel::ffi::c_ulong;
                (*inode).i_op = if shared != 0 {
                    &Tables::<T>::DIR_IOPS_SHARED
                } else {
                    &Tables::<T>::DIR_IOPS
                };
                (*inode).__bindgen_anon_3.i_fop = &Tables::<T>::DIR_FOPS;
            }
            FileKind::Reg => {
                (*inode).i_op = &Tables::<T>::FILE_IOPS;
                (*inode).__bindgen_anon_3.i_fop = &RamTables::<T>::FILE_FOPS;
                (*inode).i_data.a_ops = &RamTables::<T>::FILE_AOPS;
                bindings::mapping_set_gfp_mask(&mut (*inode).i_data, bindings::GFP_HIGHUSER);
                bindings::mapping_set_unevictable(&mut (*inode).i_data);
            }
            FileKind::Lnk => {
                (*inode).i_op = &Tables::<T>::SYMLINK_IOPS;
                (*inode).i_data.a_ops = &RamTables::<T>::SYMLINK_AOPS;
                bindings::inode_nohighmem(inode);
                bindings::mapping_set_unevictable(&mut (*inode).i_data);
            }
            _ => {
                bindings::init_special_inode(inode, (*inode).i_mode, rdev);
                (*inode).i_op = &Tables::<T>::SPECIAL_IOPS;
            }
        }
    }
}

use super::ram_file::Tables as RamTables;

struct Tables<T>(core::marker::PhantomData<T>);

impl<T: DirOps> Tables<T> {
    /// Directories of an instance the VFS locks exclusively (the baseline).
    const DIR_IOPS: bindings::inode_operations = bindings::inode_operations {
        lookup: Some(lookup::<T>),
        create: if T::HAS_CREATE {
            Some(sync_op::create::<T>)
        } else {
            None
        },
        mknod: if T::HAS_CREATE {
            Some(sync_op::mknod::<T>)
        } else {
            None
        },
        mkdir: if T::HAS_MKDIR {
            Some(sync_op::mkdir::<T>)
        } else {
            None
        },
        symlink: if T::HAS_SYMLINK {
            Some(sync_op::symlink::<T>)
        } else {
            None
        },
        link: if T::HAS_LINK {
            Some(sync_op::link::<T>)
        } else {
            None
        },
        unlink: if T::HAS_UNLINK {
            Some(sync_op::unlink::<T>)
        } else {
            None
        },
        rmdir: if T::HAS_RMDIR {
            Some(sync_op::rmdir::<T>)
        } else {
            None
        },
        rename: if T::HAS_RENAME {
            Some(sync_op::rename::<T>)
        } else {
            None
        },
        tmpfile: if T::HAS_TMPFILE {
            Some(tmpfile::<T>)
        } else {
            None
        },
        setattr: Some(setattr::<T>),
        getattr: Some(getattr::<T>),
        listxattr: Some(super::xattr::listxattr::<T>),
        set_acl: Self::SET_ACL,
        fileattr_get: Self::FILEATTR_GET,
        fileattr_set: Self::FILEATTR_SET,
        ..pin_init::zeroed()
    };

    /// Directories of a shared-locked instance (`SB_I_SHARED_DIROPS`): the
    /// VFS calls the `_async` methods; the synchronous ones stay for the
    /// kernel code that checks for them.
    const DIR_IOPS_SHARED: bindings::inode_operations = bindings::inode_operations {
        create_async: if T::HAS_CREATE {
            Some(async_op::create::<T>)
        } else {
            None
        },
        mknod_async: if T::HAS_CREATE {
            Some(async_op::mknod::<T>)
        } else {
            None
        },
        mkdir_async: if T::HAS_MKDIR {
            Some(async_op::mkdir::<T>)
        } else {
            None
        },
        symlink_async: if T::HAS_SYMLINK {
            Some(async_op::symlink::<T>)
        } else {
            None
        },
        link_async: if T::HAS_LINK {
            Some(async_op::link::<T>)
        } else {
            None
        },
        unlink_async: if T::HAS_UNLINK {
            Some(async_op::unlink::<T>)
        } else {
            None
        },
        rmdir_async: if T::HAS_RMDIR {
            Some(async_op::rmdir::<T>)
        } else {
            None
        },
        rename_async: if T::HAS_RENAME {
            Some(async_op::rename::<T>)
        } else {
            None
        },
        atomic_open_async: if T::HAS_CREATE {
            Some(async_op::atomic_open::<T>)
        } else {
            None
        },
        ..Self::DIR_IOPS
    };

    const DIR_FOPS: bindings::file_operations = bindings::file_operations {
        llseek: Some(bindings::generic_file_llseek),
        read: Some(bindings::generic_read_dir),
        iterate_shared: if T::HAS_READDIR {
            Some(iterate_shared::<T>)
        } else {
            None
        },
        fsync: Some(bindings::noop_fsync),
        ..pin_init::zeroed()
    };

    const FILE_IOPS: bindings::inode_operations = bindings::inode_operations {
        setattr: Some(setattr::<T>),
        getattr: Some(getattr::<T>),
        listxattr: Some(super::xattr::listxattr::<T>),
        set_acl: Self::SET_ACL,
        fileattr_get: Self::FILEATTR_GET,
        fileattr_set: Self::FILEATTR_SET,
        ..pin_init::zeroed()
    };

    /// POSIX ACLs, on all but symlinks (as tmpfs), if the filesystem has
    /// them.
    const SET_ACL: Option<
        unsafe extern "C" fn(
            *mut bindings::mnt_idmap,
            *mut bindings::dentry,
            *mut bindings::posix_acl,
            c_int,
        ) -> c_int,
    > = if T::POSIX_ACL {
        Some(super::acl::set_acl::<T>)
    } else {
        None
    };

    /// Inode flags, on regular files and directories (as tmpfs), if the
    /// filesystem stores any.
    const FILEATTR_GET: Option<
        unsafe extern "C" fn(*mut bindings::dentry, *mut bindings::file_kattr) -> c_int,
    > = if T::FILE_FLAGS != 0 {
        Some(super::fileattr::fileattr_get::<T>)
    } else {
        None
    };
    const FILEATTR_SET: Option<
        unsafe extern "C" fn(
            *mut bindings::mnt_idmap,
            *mut bindings::dentry,
            *mut bindings::file_kattr,
        ) -> c_int,
    > = if T::FILE_FLAGS != 0 {
        Some(super::fileattr::fileattr_set::<T>)
    } else {
        None
    };

    const SYMLINK_IOPS: bindings::inode_operations = bindings::inode_operations {
        get_link: Some(bindings::page_get_link),
        setattr: Some(setattr::<T>),
        getattr: Some(getattr::<T>),
        listxattr: Some(super::xattr::listxattr::<T>),
        ..pin_init::zeroed()
    };

    const SPECIAL_IOPS: bindings::inode_operations = bindings::inode_operations {
        setattr: Some(setattr::<T>),
        getattr: Some(getattr::<T>),
        listxattr: Some(super::xattr::listxattr::<T>),
        set_acl: Self::SET_ACL,
        ..pin_init::zeroed()
    };
}

/// The dentry's inode, which the VFS guarantees is positive for the
/// operations that call this.
///
/// # Safety
///
/// `dentry` must be a live, positive dentry of a superblock of type `T`.
unsafe fn dentry_inode<'a, T: FileSystem>(dentry: *mut bindings::dentry) -> &'a INode<T> {
    // SAFETY: Per the function's requirements.
    unsafe { INode::from_raw(bindings::d_inode(dentry)) }
}

/// `->lookup`: asks the filesystem, then splices the result into the dcache
/// (a negative dentry when the name does not exist).
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn lookup<T: DirOps>(
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
            // SAFETY: `d_splice_alias` consumes the inode reference (or null)
            // and handles the directory-alias case.
            unsafe { bindings::d_splice_alias(inode, dentry) }
        }
    }
}

macro_rules! dir_op_args {
    ($idmap:expr, $dir:expr, $dentry:expr) => {
        dir_op_args!($idmap, $dir, $dentry, None)
    };
    ($idmap:expr, $dir:expr, $dentry:expr, $new_mode:expr) => {
        // SAFETY: The VFS passes its idmap, a live directory of ours (locked)
        // and a dentry excluded from other operations on its name.
        unsafe {
            (
                OpCtx {
                    idmap: IdMap::from_raw($idmap),
                    new_mode: $new_mode,
                },
                INode::<T>::from_raw($dir),
                DEntry::<T>::from_raw($dentry),
            )
        }
    };
}

/// `create` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe fn create<T: DirOps>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: NewMode,
) -> c_int {
    let (ctx, dir, d) = dir_op_args!(idmap, dir, dentry, Some(&mode));
    from_result(|| T::create(&ctx, dir, d, mode.mode()?, 0).map(|()| 0))
}

/// `mknod` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe fn mknod<T: DirOps>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: NewMode,
    rdev: bindings::dev_t,
) -> c_int {
    let (ctx, dir, d) = dir_op_args!(idmap, dir, dentry, Some(&mode));
    from_result(|| T::create(&ctx, dir, d, mode.mode()?, rdev).map(|()| 0))
}

/// `mkdir` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe fn mkdir<T: DirOps>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: NewMode,
) -> *mut bindings::dentry {
    let (ctx, dir, d) = dir_op_args!(idmap, dir, dentry, Some(&mode));
    match mode.mode().and_then(|m| T::mkdir(&ctx, dir, d, m)) {
        // NULL: the dentry passed in was instantiated.
        Ok(()) => core::ptr::null_mut(),
        Err(e) => e.to_ptr(),
    }
}

/// `symlink` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn symlink<T: DirOps>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    target: *const kernel::ffi::c_char,
) -> c_int {
    let (ctx, dir, d) = dir_op_args!(idmap, dir, dentry);
    // SAFETY: The VFS passes a NUL-terminated target.
    let target = unsafe { CStr::from_char_ptr(target) };
    from_result(|| T::symlink(&ctx, dir, d, target).map(|()| 0))
}

/// `link` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn link<T: DirOps>(
    old: *mut bindings::dentry,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    // SAFETY: `old` is a positive dentry of ours whose inode the VFS locked.
    let inode = unsafe { dentry_inode::<T>(old) };
    // SAFETY: As for the other directory operations.
    let (dir, d) = unsafe { (INode::<T>::from_raw(dir), DEntry::<T>::from_raw(dentry)) };
    from_result(|| T::link(inode, dir, d).map(|()| 0))
}

/// `unlink` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn unlink<T: DirOps>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    // SAFETY: As for the other directory operations.
    let (dir, d) = unsafe { (INode::<T>::from_raw(dir), DEntry::<T>::from_raw(dentry)) };
    from_result(|| T::unlink(dir, d).map(|()| 0))
}

/// `rmdir` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn rmdir<T: DirOps>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    // SAFETY: As for the other directory operations.
    let (dir, d) = unsafe { (INode::<T>::from_raw(dir), DEntry::<T>::from_raw(dentry)) };
    from_result(|| T::rmdir(dir, d).map(|()| 0))
}

/// `rename` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn rename<T: DirOps>(
    idmap: *mut bindings::mnt_idmap,
    old_dir: *mut bindings::inode,
    old: *mut bindings::dentry,
    new_dir: *mut bindings::inode,
    new: *mut bindings::dentry,
    flags: c_uint,
) -> c_int {
    let (ctx, old_dir, old) = dir_op_args!(idmap, old_dir, old);
    // SAFETY: As for the other directory operations (`lock_rename()`).
    let (new_dir, new) = unsafe { (INode::<T>::from_raw(new_dir), DEntry::<T>::from_raw(new)) };
    from_result(|| T::rename(&ctx, old_dir, old, new_dir, new, flags).map(|()| 0))
}

/// The superblock of directory `dir`.
///
/// # Safety
///
/// `dir` must be a live inode of a superblock of type `T`, valid for `'a`.
unsafe fn sb_of<'a, T: FileSystem>(dir: *mut bindings::inode) -> &'a SuperBlock<T> {
    // SAFETY: Per the function's requirements.
    unsafe { INode::<T>::from_raw(dir) }.super_block()
}

/// Defines, in a module, one C method per directory operation that wraps the
/// operation's body (the function of the same name in this file).
///
/// `sync`: the synchronous method.  `async`: the `_async` method, with a
/// trailing `struct dirop_ret`, run by [`run_async`].  `[dir]` names the
/// argument that is the directory (whose superblock says how operations
/// complete); `[dir, mode]` also computes the new inode's mode and ACLs.
macro_rules! dirop_methods {
    (sync: $($name:ident [$d:ident $(, $m:ident $(| $ifmt:ident)?)?]
             ($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        /// The synchronous C method of this name.
        ///
        /// # Safety
        ///
        /// Only called by the VFS through the operation tables, with the
        /// arguments and locks `Documentation/filesystems/locking.rst` lists.
        pub(super) unsafe extern "C" fn $name<T: DirOps>($($arg: $ty),*) -> $ret {
            // SAFETY: The VFS passes a live directory of ours.
            $(let $m = unsafe { NewMode::prepare($d, $m $(| bindings::$ifmt as u16)?) };)?
            // SAFETY: Called as the C method, as the body requires.
            unsafe { super::$name::<T>($($arg),*) }
        }
    )*};
    (async: $($name:ident [$d:ident $(, $m:ident $(| $ifmt:ident)?)?]
              ($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        /// The `_async` C method for this operation.
        ///
        /// # Safety
        ///
        /// Only called by the VFS through the operation tables, with the
        /// arguments and locks `Documentation/filesystems/locking.rst` and
        /// `shared-dir-locking.rst` list, and the `dirop_ret` to complete.
        pub(super) unsafe extern "C" fn $name<T: DirOps>(
            $($arg: $ty,)*
            ret: *mut bindings::dirop_ret,
        ) -> $ret {
            // The new inode's mode and ACLs come from this task (its umask),
            // not from the work item the body may run on.
            // SAFETY: The VFS passes a live directory of ours.
            $(let $m = unsafe { NewMode::prepare($d, $m $(| bindings::$ifmt as u16)?) };)?
            // SAFETY: The VFS passes a live directory of ours.
            let sb = unsafe { sb_of::<T>($d) };
            let queue = Registration::<T>::queue_of(sb);
            // SAFETY: This is the `_async` method and `ret` its `dirop_ret`;
            // the arguments stay valid until `done_cb`, so the body may run
            // on the work item, where it is called as the C method would be.
            unsafe {
                run_async(sb.dirop_mode().completion, queue, ret, move || {
                    super::$name::<T>($($arg),*)
                })
            }
        }
    )*};
}

/// The list of directory operations, for [`dirop_methods`].
macro_rules! all_dirops {
    ($kind:ident) => {
        dirop_methods! { $kind:
            create[dir, mode | S_IFREG](idmap: *mut bindings::mnt_idmap, dir: *mut bindings::inode,
                   dentry: *mut bindings::dentry, mode: bindings::umode_t) -> c_int;
            mknod[dir, mode](idmap: *mut bindings::mnt_idmap, dir: *mut bindings::inode,
                  dentry: *mut bindings::dentry, mode: bindings::umode_t,
                  rdev: bindings::dev_t) -> c_int;
            mkdir[dir, mode | S_IFDIR](idmap: *mut bindings::mnt_idmap, dir: *mut bindings::inode,
                  dentry: *mut bindings::dentry, mode: bindings::umode_t)
                  -> *mut bindings::dentry;
            symlink[dir](idmap: *mut bindings::mnt_idmap, dir: *mut bindings::inode,
                    dentry: *mut bindings::dentry, target: *const kernel::ffi::c_char)
                    -> c_int;
            link[dir](old: *mut bindings::dentry, dir: *mut bindings::inode,
                 dentry: *mut bindings::dentry) -> c_int;
            unlink[dir](dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int;
            rmdir[dir](dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int;
            rename[old_dir](idmap: *mut bindings::mnt_idmap, old_dir: *mut bindings::inode,
                   old: *mut bindings::dentry, new_dir: *mut bindings::inode,
                   new: *mut bindings::dentry, flags: c_uint) -> c_int;
        }
    };
}

/// The synchronous directory methods (baseline instances).
mod sync_op {
    use super::*;
    all_dirops!(sync);
}

/// The `_async` directory methods (shared-locked instances).
mod async_op {
    use super::*;
    all_dirops!(async);
    dirop_methods! { async:
        atomic_open[dir, mode | S_IFREG](dir: *mut bindings::inode, dentry: *mut bindings::dentry,
                         file: *mut bindings::file, open_flag: c_uint,
                         mode: bindings::umode_t) -> c_int;
    }
}

/// `FMODE_CREATED`: `->atomic_open` created the file (a cast macro in C,
/// which bindgen does not translate).
const FMODE_CREATED: bindings::fmode_t = 1 << 20;

/// `->atomic_open`: look up, and for `O_CREAT` create, in one call, so that
/// a create of a name the dcache does not know needs no separate `->lookup`
/// (the VFS calls it for an in-lookup dentry, holding its name).  An
/// existing name is handed back to the VFS to open (`finish_no_open`); a
/// created file is opened here (`finish_open`) with `FMODE_CREATED`.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the arguments
/// and locks `Documentation/filesystems/locking.rst` lists.
unsafe fn atomic_open<T: DirOps>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    file: *mut bindings::file,
    open_flag: c_uint,
    mode: NewMode,
) -> c_int {
    // SAFETY: The VFS passes a live directory of ours, the dentry whose name
    // it holds, and the file being opened.
    let (dir_i, d) = unsafe { (INode::<T>::from_raw(dir), DEntry::<T>::from_raw(dentry)) };
    from_result(|| {
        let found = T::lookup(dir_i, d.name())?;
        if found.is_some() || open_flag & bindings::O_CREAT == 0 {
            let inode = found.map_or(core::ptr::null_mut(), |i| ARef::into_raw(i).as_ptr().cast());
            // SAFETY: As in `lookup`: `d_splice_alias` consumes the inode
            // reference (or null) and ends the in-lookup state.
            let alias = unsafe { bindings::d_splice_alias(inode, dentry) };
            kernel::error::from_err_ptr(alias)?;
            // SAFETY: `finish_no_open` takes over the alias reference (NULL:
            // the VFS uses `dentry`).
            return Ok(unsafe { bindings::finish_no_open(file, alias) });
        }
        // `->atomic_open` gets no idmap argument: the new file's owner is
        // mapped through the idmapping of the mount it is opened on, which
        // the VFS has set in `file` (as for FUSE's `->atomic_open`).
        // SAFETY: `file` is the file being opened, its `f_path.mnt` set;
        // the mount, and so its idmap, outlives the open.
        let idmap = unsafe { IdMap::from_raw(bindings::file_mnt_idmap(file)) };
        let ctx = OpCtx {
            idmap,
            new_mode: Some(&mode),
        };
        T::create(&ctx, dir_i, d, mode.mode()?, 0)?;
        // SAFETY: `file` is the file being opened and `dentry` now refers
        // to the new inode.
        unsafe {
            (*file).f_mode |= FMODE_CREATED;
            Ok(bindings::finish_open(file, dentry, None))
        }
    })
}

/// `tmpfile` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn tmpfile<T: DirOps>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    file: *mut bindings::file,
    mode: bindings::umode_t,
) -> c_int {
    from_result(|| {
        // SAFETY: The VFS passes a live directory of ours.
        let mode = unsafe { NewMode::prepare(dir, mode | bindings::S_IFREG as u16) };
        // SAFETY: The VFS passes its idmap, a live directory of ours and the
        // file being opened, whose dentry is a fresh unhashed one.
        let (ctx, dir, d) = unsafe {
            (
                OpCtx {
                    idmap: IdMap::from_raw(idmap),
                    new_mode: Some(&mode),
                },
                INode::<T>::from_raw(dir),
                DEntry::<T>::from_raw((*file).__bindgen_anon_1.f_path.dentry),
            )
        };
        let inode = T::tmpfile(&ctx, dir, mode.mode()?)?;
        // SAFETY: `file` is the file `->tmpfile` was given, `d` its dentry.
        unsafe { d.instantiate_tmpfile(file, inode) };
        // SAFETY: `file` is the file being opened.
        Ok(unsafe { bindings::finish_open_simple(file, 0) })
    })
}

/// `iterate_shared` of the C operation table.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn iterate_shared<T: DirOps>(
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
        let mut emit = DirEmitter {
            ctx,
            file,
            dir: dentry,
        };
        T::readdir(dir, &mut emit)?;
        Ok(0)
    })
}

/// `->getattr`: `simple_getattr()` through the mount's idmapping, which
/// `simple_getattr()` itself ignores (it serves filesystems without
/// `FS_ALLOW_IDMAP`, and passes the identity mapping).
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn getattr<T: FileSystem>(
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
unsafe extern "C" fn setattr<T: FileSystem>(
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
            if (*attr).ia_valid & bindings::ATTR_SIZE != 0 {
                // Only regular files: the VFS refuses the others.
                super::ram_file::truncate(inode, (*attr).ia_size);
            }
            // Nothing to write back: the inode is the only copy.
            bindings::setattr_copy(idmap, inode.as_raw(), attr);
            if (*attr).ia_valid & bindings::ATTR_MODE != 0 {
                super::acl::chmod(idmap, dentry)?;
            }
        }
        Ok(0)
    })
}

/// `llseek` of regular files: `SEEK_DATA`/`SEEK_HOLE` from the page cache,
/// as tmpfs does.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn llseek(
    file: *mut bindings::file,
    offset: bindings::loff_t,
    whence: c_int,
) -> bindings::loff_t {
    let whence_u = whence as u32;
    if whence_u != bindings::SEEK_DATA && whence_u != bindings::SEEK_HOLE {
        // SAFETY: `file` is an open file of ours.
        return unsafe { bindings::generic_file_llseek(file, offset, whence) };
    }
    // SAFETY: `file` is an open regular file of ours; the VFS holds no lock,
    // so take the inode lock as shmem_file_llseek() does.
    unsafe {
        let inode = bindings::file_inode(file);
        bindings::inode_lock(inode);
        let size = bindings::i_size_read(inode);
        let mut off = if offset < 0 || offset >= size {
            -bindings::loff_t::from(bindings::ENXIO)
        } else {
            seek_hole_data(
                (*file).f_mapping,
                offset,
                size,
                whence_u == bindings::SEEK_DATA,
            )
        };
        if off >= 0 {
            off = bindings::vfs_setpos(file, off, bindings::MAX_LFS_FILESIZE);
        }
        bindings::inode_unlock(inode);
        off
    }
}

/// The next data (`data`) or hole at or after `start` and before `end` in
/// `mapping`, as `mapping_seek_hole_data()` (which is not exported) finds
/// it: present, uptodate folios are data; a hole runs to `end`.  Returns
/// `-ENXIO` when there is no data.
///
/// # Safety
///
/// `mapping` must be the mapping of a live inode whose `i_rwsem` is held.
unsafe fn seek_hole_data(
    mapping: *mut bindings::address_space,
    start: i64,
    end: i64,
    data: bool,
) -> i64 {
    let page = kernel::page::PAGE_SIZE as i64;
    let last = ((end - 1) / page) as usize;
    let mut index = (start / page) as usize;
    if !data {
        // The first index after the run of folios that starts at `index`
        // (`page_cache_next_miss()` cannot say this: it answers 0 when the
        // page at index 0 is present, which made SEEK_HOLE from inside
        // the first page return a hole there).
        let mut batch = bindings::folio_batch::default();
        loop {
            let from = index;
            // SAFETY: `mapping` is valid; `batch` is empty, and is filled
            // with referenced folios contiguous from `index` on, advancing
            // `index` past the last of them.
            let n = unsafe {
                bindings::filemap_get_folios_contig(mapping, &mut index, last, &mut batch)
            };
            // SAFETY: Drops the batch's references and empties it.
            unsafe { bindings::__folio_batch_release(&mut batch) };
            batch.nr = 0;
            batch.i = 0;
            if n == 0 || index == 0 || index > last {
                // A gap at `index` (or the run reached the end: the
                // implicit hole at the end of the file).
                let hole = if n == 0 { from } else { index };
                return (hole as i64 * page).clamp(start, end);
            }
        }
    }
    let mut batch = bindings::folio_batch::default();
    loop {
        // SAFETY: `mapping` is valid; `batch` is an empty batch, which
        // `filemap_get_folios()` fills with referenced folios from `index`
        // on, advancing `index`.
        let n = unsafe { bindings::filemap_get_folios(mapping, &mut index, last, &mut batch) };
        if n == 0 {
            return -i64::from(bindings::ENXIO);
        }
        let mut found = None;
        for &folio in &batch.folios[..batch.nr as usize] {
            // SAFETY: The batch holds a reference on each of its folios.
            if unsafe { bindings::folio_test_uptodate(folio) } {
                // SAFETY: As above.
                found = Some(unsafe { bindings::folio_pos(folio) });
                break;
            }
        }
        // SAFETY: Drops the batch's references and empties it.
        unsafe { bindings::__folio_batch_release(&mut batch) };
        batch.nr = 0;
        batch.i = 0;
        if let Some(pos) = found {
            return pos.max(start);
        }
        if index == 0 || index > last {
            return -i64::from(bindings::ENXIO);
        }
    }
}

/// `super_operations::evict_inode`: drops the page cache, tells the
/// filesystem, and frees the inode's data.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn evict_inode<T: FileSystem>(inode: *mut bindings::inode) {
    // SAFETY: The VFS evicts an inode of ours that no one else references;
    // `i_private` is null or came from `KBox::into_raw` in `NewInode::init`.
    unsafe {
        let data = (*inode).i_private.cast::<T::InodeData>();
        if data.is_null() {
            // Never initialised: no page was ever added (see `ram_file`).
            bindings::truncate_inode_pages_final(&mut (*inode).i_data);
        } else {
            // Drops the page cache and gives back its pages.
            super::ram_file::evict(INode::<T>::from_raw(inode));
        }
        bindings::clear_inode(inode);
        super::acl::evicted::<T>(inode);
        if !data.is_null() {
            T::evicted(INode::<T>::from_raw(inode));
            (*inode).i_private = core::ptr::null_mut();
            // Dropped in place, as pinned data must be.
            drop(core::pin::Pin::new_unchecked(KBox::from_raw(data)));
        }
    }
}
