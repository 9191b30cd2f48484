// SPDX-License-Identifier: GPL-2.0

//! File handles: `name_to_handle_at(2)`, `open_by_handle_at(2)` and NFS
//! export, for a filesystem whose inodes live as long as they are linked
//! (or open), as tmpfs's do.
//!
//! A handle is the inode's generation and number (three 32-bit words, the
//! layout of `shmem_encode_fh()`).  The generation is random per inode, so
//! the handle of a removed file does not find a later inode that reuses its
//! number: it gives `ESTALE`.  An inode enters the inode hash only when a
//! handle is first made for it, as on tmpfs, so that creating files does
//! not take the global `inode_hash_lock`; eviction takes it out again.
//!
//! Unlike tmpfs, the dentries of such a filesystem may be reclaimed while
//! the inode lives on in its directory's index, so decoding makes a
//! disconnected dentry when none is left (`d_obtain_alias()`), and the VFS
//! reconnects a directory to the root through `get_parent`, which asks the
//! filesystem ([`FileSystem::parent_dir`]), and the default `get_name`
//! (a readdir of the parent).
//!
//! C reference: `mm/shmem.c` (`shmem_export_ops`), `fs/exportfs/expfs.c`,
//! `Documentation/filesystems/nfs/exporting.rst`.

use super::{fs_type::FileSystem, inode::INode};
use core::{
    ffi::{c_int, c_void},
    marker::PhantomData,
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{bindings, prelude::*, sync::aref::ARef};

/// Words in a handle: generation, inode number (low, high).
const FH_WORDS: c_int = 3;
/// The handle type `shmem_encode_fh()` returns (any value but
/// `FILEID_INVALID` and the reserved types would do).
const FH_TYPE: c_int = 1;
/// `FILEID_INVALID`: the buffer is too small; `*max_len` says how much is
/// needed.
const FILEID_INVALID: c_int = 0xff;

kernel::sync::global_lock! {
    // SAFETY: Initialised by `init()` before a filesystem that uses it is
    // registered; used only after that.
    unsafe(uninit) static HASH_LOCK: SpinLock<()> = ();
}

/// Whether [`HASH_LOCK`] is initialised.
static HASH_LOCK_READY: AtomicBool = AtomicBool::new(false);

/// Initialises what handles need; called by every registration of a
/// filesystem type, before the type is registered (module init, which the
/// module loader runs once, so registrations of one module never race).
pub(super) fn init() {
    if !HASH_LOCK_READY.swap(true, Ordering::AcqRel) {
        // SAFETY: The flag makes this the only call, and no filesystem that
        // could use the lock is registered yet.
        unsafe { HASH_LOCK.init() };
    }
}

/// The hash key of an inode in the inode hash.
fn hash(ino: u64, generation: u32) -> u64 {
    ino.wrapping_add(generation.into())
}

/// The `export_operations` of filesystem `T`.
pub(super) struct Export<T>(PhantomData<T>);

impl<T: FileSystem> Export<T> {
    pub(super) const OPS: bindings::export_operations = bindings::export_operations {
        encode_fh: Some(encode_fh),
        fh_to_dentry: Some(fh_to_dentry),
        get_parent: Some(get_parent::<T>),
        ..pin_init::zeroed()
    };
}

/// `export_operations::encode_fh`.
///
/// # Safety
///
/// Called by `exportfs_encode_fh()` with a live inode of ours, a buffer of
/// `*max_len` words and `max_len` valid.
unsafe extern "C" fn encode_fh(
    inode: *mut bindings::inode,
    fh: *mut u32,
    max_len: *mut c_int,
    _parent: *mut bindings::inode,
) -> c_int {
    // SAFETY: Per the function's requirements.
    unsafe {
        if *max_len < FH_WORDS {
            *max_len = FH_WORDS;
            return FILEID_INVALID;
        }
        let (ino, generation) = ((*inode).i_ino, (*inode).i_generation);
        // `__insert_inode_hash()` is not idempotent: the lock makes the test
        // and the insertion one step (`shmem_encode_fh()` does the same).
        // `inode_unhashed()`: no back pointer in the hash chain.
        let unhashed = || core::ptr::read_volatile(&raw const (*inode).i_hash.pprev).is_null();
        if unhashed() {
            let _guard = HASH_LOCK.lock();
            if unhashed() {
                bindings::__insert_inode_hash(inode, hash(ino, generation));
            }
        }
        let fh = core::slice::from_raw_parts_mut(fh, FH_WORDS as usize);
        fh[0] = generation;
        fh[1] = ino as u32;
        fh[2] = (ino >> 32) as u32;
        *max_len = FH_WORDS;
    }
    FH_TYPE
}

/// `ilookup5()`'s test: the inode the handle `data` (three words) names.
///
/// # Safety
///
/// `inode` is a live inode and `data` points to three words.
unsafe extern "C" fn matches(inode: *mut bindings::inode, data: *mut c_void) -> c_int {
    // SAFETY: Per the function's requirements.
    unsafe {
        let fh = core::slice::from_raw_parts(data.cast::<u32>(), FH_WORDS as usize);
        let ino = u64::from(fh[1]) | (u64::from(fh[2]) << 32);
        ((*inode).i_ino == ino && (*inode).i_generation == fh[0]).into()
    }
}

/// `export_operations::fh_to_dentry`: the inode's dentry, made (possibly
/// disconnected) if it has none; NULL if the inode is gone (`ESTALE`).
///
/// # Safety
///
/// Called by `exportfs_decode_fh()` with our superblock and a handle of
/// `fh_len` words.
unsafe extern "C" fn fh_to_dentry(
    sb: *mut bindings::super_block,
    fid: *mut bindings::fid,
    fh_len: c_int,
    fh_type: c_int,
) -> *mut bindings::dentry {
    if fh_len < FH_WORDS || fh_type != FH_TYPE {
        return core::ptr::null_mut();
    }
    // The handle's words (`fid->raw`, a flexible array at the start of the
    // union that is all of `struct fid`).
    let words = fid.cast::<u32>();
    // SAFETY: The handle has at least three words.
    let (generation, ino) = unsafe {
        (
            *words,
            u64::from(*words.add(1)) | u64::from(*words.add(2)) << 32,
        )
    };
    // SAFETY: `sb` is live; `matches` reads the three words of `words`.
    let inode =
        unsafe { bindings::ilookup5(sb, hash(ino, generation), Some(matches), words.cast()) };
    if inode.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: `d_obtain_alias()` consumes the reference `ilookup5()` took.
    unsafe { bindings::d_obtain_alias(inode) }
}

/// `export_operations::get_parent`: the directory that holds the directory
/// `child`, for reconnecting a disconnected dentry to the root.
///
/// # Safety
///
/// Called by the exportfs code with a positive directory dentry of ours.
unsafe extern "C" fn get_parent<T: FileSystem>(
    child: *mut bindings::dentry,
) -> *mut bindings::dentry {
    // SAFETY: Per the function's requirements.
    let dir = unsafe { INode::<T>::from_raw(bindings::d_inode(child)) };
    match T::parent_dir(dir) {
        // SAFETY: `d_obtain_alias()` consumes the reference.
        Some(parent) => unsafe { bindings::d_obtain_alias(ARef::into_raw(parent).as_ptr().cast()) },
        None => ESTALE.to_ptr(),
    }
}
