// SPDX-License-Identifier: GPL-2.0

//! The C methods of directory changes (create, mknod, mkdir, symlink,
//! link, unlink, rmdir, rename, atomic open, tmpfile), each in its
//! synchronous form (for instances the VFS locks exclusively) and its
//! `_async` form (shared-locked instances, run by [`run_async`]).
//!
//! C reference: `Documentation/filesystems/locking.rst`,
//! `shared-dir-locking.rst` (ours), `struct dirop_ret`.

use super::{
    acl::NewMode,
    attr::dentry_inode,
    dentry::{splice_alias, DEntry, IdMap},
    dir::{DirOps, OpCtx},
    dirop::run_async,
    fs_type::FileSystem,
    inode::INode,
    registration::Registration,
    sb::SuperBlock,
};
use core::ffi::{c_int, c_uint};
use kernel::{bindings, error::from_result, prelude::*, str::CStr, sync::aref::ARef};

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
pub(super) unsafe fn create<T: DirOps>(
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
pub(super) unsafe fn mknod<T: DirOps>(
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
pub(super) unsafe fn mkdir<T: DirOps>(
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
pub(super) unsafe extern "C" fn symlink<T: DirOps>(
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
pub(super) unsafe extern "C" fn link<T: DirOps>(
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
pub(super) unsafe extern "C" fn unlink<T: DirOps>(
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
pub(super) unsafe extern "C" fn rmdir<T: DirOps>(
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
pub(super) unsafe extern "C" fn rename<T: DirOps>(
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
pub(super) unsafe fn sb_of<'a, T: FileSystem>(dir: *mut bindings::inode) -> &'a SuperBlock<T> {
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
        pub(in super::super) unsafe extern "C" fn $name<T: DirOps>($($arg: $ty),*) -> $ret {
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
        pub(in super::super) unsafe extern "C" fn $name<T: DirOps>(
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
                run_async(sb.dirop_mode().completion, queue, T::async_delay_us(sb), ret, move || {
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
pub(super) mod sync_op {
    use super::*;
    all_dirops!(sync);
}

/// The `_async` directory methods (shared-locked instances).
pub(super) mod async_op {
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
pub(super) unsafe fn atomic_open<T: DirOps>(
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
            // SAFETY: As in `lookup`: `dentry` is in lookup, ours to
            // instantiate; the inode reference (or null) is consumed.
            let alias = unsafe { splice_alias(dentry, inode) };
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
pub(super) unsafe extern "C" fn tmpfile<T: DirOps>(
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
