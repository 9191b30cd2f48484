// SPDX-License-Identifier: GPL-2.0

//! Filesystem types and their registration through the mount API.
//!
//! C reference: `include/linux/fs_context.h`,
//! `Documentation/filesystems/mount_api.rst`.

use super::{
    dirop::{DiropMode, DiropQueue},
    inode::INode,
    ops::DirOps,
    param::{FcLog, Param, ParamKind, ParamValue, Params},
    sb::SuperBlock,
};
use core::{ffi::c_int, marker::PhantomData, pin::Pin};
use kernel::{
    bindings,
    error::{from_result, to_result},
    prelude::*,
    seq_file::SeqFile,
    str::CStr,
    sync::aref::ARef,
    types::Opaque,
    ThisModule,
};

/// Dentry operations of every superblock of ours.
///
/// The dcache is a cache of the filesystem's own index, not its store, so an
/// unused negative dentry is not worth keeping: a lookup of the name in the
/// index is as cheap, and a kept one can pin a removed directory.  (`rmdir`
/// prunes the unused children of its victim, but a negative child that an
/// `unlink` in the victim still referenced at that moment was put back into
/// the LRU afterwards, holding the dead directory's inode until memory
/// pressure.)  ramfs and tmpfs do not keep them either (`simple_lookup`
/// marks its dentries `DCACHE_DONTCACHE`); positive dentries stay cached.
const DENTRY_OPS: bindings::dentry_operations = bindings::dentry_operations {
    d_delete: Some(d_delete_negative),
    ..pin_init::zeroed()
};

/// `->d_delete`: forget a negative dentry when its last reference goes.
///
/// # Safety
///
/// Only called by the VFS, with `dentry` valid and its `d_lock` held.
unsafe extern "C" fn d_delete_negative(dentry: *const bindings::dentry) -> c_int {
    // SAFETY: `d_lock` is held, which keeps `d_inode` stable.
    c_int::from(unsafe { (*dentry).d_inode.is_null() })
}

/// A filesystem type: what a filesystem implements to be mountable.
pub trait FileSystem: Sized + Send + Sync + 'static {
    /// Name of the type, as in `/proc/filesystems` and `mount -t`.
    const NAME: &'static CStr;

    /// The magic number `statfs()` reports in `f_type`.
    const MAGIC: u32;

    /// The mount parameters ([`super::param::ParamTable::params`]); none by
    /// default.  Each one `fs_parse()` accepts goes to [`Self::parse_param`].
    const PARAMS: Params = Params::NONE;

    /// Options collected by a mount or reconfigure (remount) request.
    type Options: Send;

    /// Data of one mounted instance, owned by its superblock.
    type Data: Send + Sync;

    /// Data of one inode, owned by the inode (freed when it is evicted).
    type InodeData: Send + Sync;

    /// Starts a new set of options: the defaults for a new mount, or the
    /// options in effect for a reconfiguration of `sb`.
    fn init_options(sb: Option<&SuperBlock<Self>>) -> Result<Self::Options>;

    /// Applies one mount parameter to `opts`.  Errors should be explained
    /// through `log` (they reach the kernel log and `fsconfig()` callers).
    /// Only called for parameters of [`Self::PARAMS`].
    fn parse_param(_opts: &mut Self::Options, _log: &FcLog<'_>, _param: &Param<'_>) -> Result {
        Err(EINVAL)
    }

    /// Creates the data of a new mounted instance from its options, and
    /// makes the choices in `setup` that the layer applies to it.
    fn fill_super(
        opts: &Self::Options,
        setup: &mut SuperSetup,
        log: &FcLog<'_>,
    ) -> Result<Self::Data>;

    /// Creates the root directory of a new instance, once its data is in place.
    fn make_root(sb: &SuperBlock<Self>) -> Result<ARef<INode<Self>>>;

    /// Applies new options to a mounted instance (`mount -o remount`);
    /// accepts them without a change by default.
    fn reconfigure(_sb: &SuperBlock<Self>, _opts: &Self::Options, _log: &FcLog<'_>) -> Result {
        Ok(())
    }

    /// Releases everything the instance holds before its inodes are evicted
    /// at unmount (e.g. the references its directory indexes hold).
    fn teardown(_sb: &SuperBlock<Self>) {}

    /// `statfs()`: zero counts by default (as `simple_statfs()`).
    fn statfs(_sb: &SuperBlock<Self>) -> StatFs {
        StatFs {
            blocks: 0,
            bfree: 0,
            files: 0,
            ffree: 0,
        }
    }

    /// Writes the options in effect, as `,key=value` pairs, for `/proc/mounts`.
    fn show_options(_sb: &SuperBlock<Self>, _m: &SeqFile) {}

    /// Charges `n` pages that are about to enter the page cache of `inode`
    /// (a regular file or a symbolic link), before they are allocated:
    /// `Err(ENOSPC)` refuses them, and nothing is allocated.  Must take the
    /// whole `n` or nothing, atomically with respect to other callers, so
    /// that concurrent writers cannot overshoot a limit together.
    fn charge_pages(_inode: &INode<Self>, _n: u64) -> Result {
        Ok(())
    }

    /// Gives back `n` pages charged by [`Self::charge_pages`]: they left the
    /// page cache of `inode` (truncation, hole punching, eviction), or were
    /// charged and then not added.
    fn uncharge_pages(_inode: &INode<Self>, _n: u64) {}

    /// The `FS_*_FL` inode flags (`chattr`) the filesystem stores, among
    /// `FS_IMMUTABLE_FL`, `FS_APPEND_FL`, `FS_NOATIME_FL` (which the layer
    /// applies to the inode for the VFS to enforce) and flags that are only
    /// stored, such as `FS_NODUMP_FL`.  None by default: then
    /// `FS_IOC_GETFLAGS`/`FS_IOC_SETFLAGS` are not offered.
    const FILE_FLAGS: u32 = 0;

    /// The inode flags of `inode` (see [`super::fileattr`]).
    fn file_flags(_inode: &INode<Self>) -> u32 {
        0
    }

    /// Stores new inode flags of `inode`, already checked against
    /// [`Self::FILE_FLAGS`] and applied to the inode; the VFS holds the
    /// inode's `i_rwsem`.
    fn set_file_flags(_inode: &INode<Self>, _flags: u32) {}

    /// POSIX ACLs, kept in the inodes' ACL cache as on tmpfs (see
    /// [`super::acl`]): the superblock gets `SB_POSIXACL`, so the umask and
    /// default ACLs are applied by the layer, and `setfacl` works on all
    /// but symbolic links.  Off by default.
    const POSIX_ACL: bool = false;

    /// Charges `bytes` of ACLs (see [`super::acl`]) in `sb`; `Err(ENOSPC)`
    /// refuses them.
    fn charge_acl(_sb: &SuperBlock<Self>, _bytes: u64) -> Result {
        Ok(())
    }

    /// Gives back what [`Self::charge_acl`] took.
    fn uncharge_acl(_sb: &SuperBlock<Self>, _bytes: u64) {}

    /// The birth time of `inode` (seconds, nanoseconds), for `statx()`'s
    /// `STATX_BTIME`; none by default.
    fn birth_time(_inode: &INode<Self>) -> Option<(i64, u32)> {
        None
    }

    /// File handles (`name_to_handle_at(2)`, `open_by_handle_at(2)`, NFS
    /// export; see [`super::export`]).  Off by default; a filesystem that
    /// turns them on answers [`Self::parent_dir`].
    const FILE_HANDLES: bool = false;

    /// The directory that holds directory `dir` (for reconnecting a file
    /// handle of a directory to the root), or `None` if there is none.
    fn parent_dir(_dir: &INode<Self>) -> Option<ARef<INode<Self>>> {
        None
    }

    /// Called when `inode` is evicted, just before its data is dropped.
    fn evicted(_inode: &INode<Self>) {}

    /// Reads extended attribute `name` (full name, e.g. `user.foo`) into
    /// `buf`, or reports its size when `buf` is `None`.  None by default.
    fn xattr_get(_inode: &INode<Self>, _name: &[u8], _buf: Option<&mut [u8]>) -> Result<usize> {
        Err(ENODATA)
    }

    /// Sets (`Some`) or removes (`None`) extended attribute `name`; `flags`
    /// are `XATTR_CREATE`/`XATTR_REPLACE`.  Refused by default.
    fn xattr_set(_inode: &INode<Self>, _name: &[u8], _value: Option<&[u8]>, _flags: u32) -> Result {
        Err(EOPNOTSUPP)
    }

    /// Lists the extended attribute names (`trusted.` ones only if
    /// `trusted`) as `listxattr()` does.  None by default.
    fn xattr_list(_inode: &INode<Self>, _trusted: bool, _buf: Option<&mut [u8]>) -> Result<usize> {
        Ok(0)
    }
}

/// What a filesystem chooses for a new instance in
/// [`FileSystem::fill_super`]; the layer sets the superblock up from it.
#[derive(Clone, Copy, Debug, Default)]
pub struct SuperSetup {
    /// How its directory operations are locked and completed (default:
    /// shared, completed before the method returns).
    pub dirops: DiropMode,
}

/// What the layer keeps in `s_fs_info`: its own facts about the instance,
/// and the filesystem's data.
pub(super) struct SbInfo<D> {
    pub(super) dirops: DiropMode,
    pub(super) data: D,
}

/// What `statfs()` reports, in units of pages and inodes.
pub struct StatFs {
    /// Total pages (`f_blocks`).
    pub blocks: u64,
    /// Free pages (`f_bfree`, `f_bavail`).
    pub bfree: u64,
    /// Total inodes (`f_files`).
    pub files: u64,
    /// Free inodes (`f_ffree`).
    pub ffree: u64,
}

/// A registration of a filesystem type with the VFS.
///
/// The type is unregistered when this is dropped, which the VFS refuses
/// (module unload fails) while an instance is mounted: the module is pinned by
/// `file_system_type::owner`.
///
/// # Invariants
///
/// `fs` was successfully registered with `register_filesystem()` and is
/// pinned.
#[pin_data(PinnedDrop)]
pub struct Registration<T: DirOps> {
    /// Completes `-EINPROGRESS` directory operations; dropped (drained)
    /// after the type is unregistered.
    queue: DiropQueue,
    #[pin]
    fs: Opaque<bindings::file_system_type>,
    _p: PhantomData<T>,
}

// SAFETY: `Registration` only gives access to the `file_system_type`, which
// the VFS protects with its own locking.
unsafe impl<T: DirOps> Sync for Registration<T> {}
// SAFETY: The registration may be dropped on any thread.
unsafe impl<T: DirOps> Send for Registration<T> {}

impl<T: DirOps> Registration<T> {
    /// Registers filesystem type `T`.
    pub fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        super::export::init();
        try_pin_init!(Self {
            queue: DiropQueue::new(T::NAME)?,
            fs <- Opaque::try_ffi_init(|fs: *mut bindings::file_system_type| {
                // SAFETY: `fs` is valid for writes and pinned; all-zero is a
                // valid `file_system_type` before registration.
                unsafe { fs.write(pin_init::zeroed()) };
                // SAFETY: `fs` is valid; the fields are initialised before the
                // type is published by `register_filesystem()`.
                unsafe {
                    (*fs).name = T::NAME.as_char_ptr();
                    (*fs).owner = module.as_ptr();
                    // Idmapped mounts: every operation maps ids through
                    // the idmap the VFS passes (`inode_init_owner()`,
                    // `setattr_prepare()`/`setattr_copy()`,
                    // `generic_fillattr()`, `generic_permission()`), and
                    // `->atomic_open` takes it from the file.
                    (*fs).fs_flags = bindings::FS_ALLOW_IDMAP as i32;
                    (*fs).init_fs_context = Some(Self::init_fs_context);
                    (*fs).parameters = T::PARAMS.table();
                    (*fs).kill_sb = Some(Self::kill_sb);
                }
                // SAFETY: `fs` is fully initialised and pinned for as long as
                // it stays registered (until `PinnedDrop::drop`).
                to_result(unsafe { bindings::register_filesystem(fs) })
            }),
            _p: PhantomData,
        })
    }

    /// The registration that superblock `sb` (of this type) was mounted
    /// through: it outlives every superblock of the type.
    fn of(sb: &SuperBlock<T>) -> &Self {
        // SAFETY: `sb` is a live superblock of type `T`, so its `s_type` is
        // the `fs` field of the pinned registration of `T` (there is one
        // per module, see `init_fs_context`), which lives until the module
        // is unloaded, which a mounted superblock prevents (`owner`).
        // `Opaque<T>` has the layout of `T`.
        unsafe {
            let fs = (*sb.as_raw())
                .s_type
                .cast::<Opaque<bindings::file_system_type>>();
            &*kernel::container_of!(fs, Self, fs)
        }
    }

    /// The queue that completes the `_async` operations of `sb`.
    pub(super) fn queue_of(sb: &SuperBlock<T>) -> &DiropQueue {
        &Self::of(sb).queue
    }

    const CONTEXT_OPS: bindings::fs_context_operations = bindings::fs_context_operations {
        free: Some(Self::free_fc),
        dup: None,
        parse_param: Some(Self::parse_param),
        parse_monolithic: None,
        get_tree: Some(Self::get_tree),
        reconfigure: Some(Self::reconfigure),
    };

    /// `file_system_type::init_fs_context`: allocates the options.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid, new `fc` of this type.
    unsafe extern "C" fn init_fs_context(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid. For a reconfiguration `fc->root` is the
            // root of a mounted superblock of type `T`, which stays alive
            // while the context exists.
            let sb = unsafe {
                let root = (*fc).root;
                if root.is_null() {
                    None
                } else {
                    Some(SuperBlock::<T>::from_raw((*root).d_sb))
                }
            };
            let opts = KBox::new(T::init_options(sb)?, GFP_KERNEL)?;
            // SAFETY: `fc` is valid; `fs_private` is ours until `free_fc`.
            unsafe {
                (*fc).fs_private = KBox::into_raw(opts).cast();
                (*fc).ops = &Self::CONTEXT_OPS;
            }
            Ok(0)
        })
    }

    /// `fs_context_operations::free`.
    ///
    /// # Safety
    ///
    /// Called by the VFS once, with a valid `fc` set up by `init_fs_context`.
    unsafe extern "C" fn free_fc(fc: *mut bindings::fs_context) {
        // SAFETY: `fc` is valid and `fs_private` is null or came from
        // `KBox::into_raw` in `init_fs_context`; nothing uses it afterwards.
        unsafe {
            let p = (*fc).fs_private.cast::<T::Options>();
            if !p.is_null() {
                drop(KBox::from_raw(p));
                (*fc).fs_private = core::ptr::null_mut();
            }
        }
    }

    /// # Safety
    ///
    /// `fc` must be valid and set up by `init_fs_context`, and its options
    /// must not be accessed by anything else for `'a` (the VFS serialises
    /// configuration of a context with `fc->uapi_mutex`).
    unsafe fn options<'a>(fc: *mut bindings::fs_context) -> &'a mut T::Options {
        // SAFETY: Per the function's safety requirements.
        unsafe { &mut *(*fc).fs_private.cast::<T::Options>() }
    }

    /// `fs_context_operations::parse_param`: validates with `fs_parse()`
    /// against the filesystem's table and hands the value to
    /// [`FileSystem::parse_param`].
    ///
    /// # Safety
    ///
    /// Called by the VFS with valid `fc` and `param`.
    unsafe extern "C" fn parse_param(
        fc: *mut bindings::fs_context,
        param: *mut bindings::fs_parameter,
    ) -> c_int {
        from_result(|| {
            let mut result = bindings::fs_parse_result::default();
            // SAFETY: `fc` and `param` are valid; the table is a valid,
            // terminated `fs_parameter_spec` array (`ParamTable` invariant).
            let opt = unsafe {
                bindings::__fs_parse(&mut (*fc).log, T::PARAMS.table(), param, &mut result)
            };
            if opt < 0 {
                // fs_parse() already logged "Unknown parameter" and friends.
                return Err(Error::from_errno(opt));
            }
            let index = opt as usize;
            let spec = T::PARAMS.spec(index).ok_or(EINVAL)?;
            // SAFETY: `param` is valid; `fs_parse()` accepted it, so `key` is a
            // valid C string, and for string kinds `string` is one too.
            let (key, value) = unsafe {
                let key = CStr::from_char_ptr((*param).key);
                let value = match spec.kind {
                    ParamKind::String => {
                        ParamValue::String(CStr::from_char_ptr((*param).__bindgen_anon_1.string))
                    }
                    ParamKind::U32Oct => ParamValue::U32(result.__bindgen_anon_1.uint_32),
                    ParamKind::Uid => ParamValue::Uid(result.__bindgen_anon_1.uid.val),
                    ParamKind::Gid => ParamValue::Gid(result.__bindgen_anon_1.gid.val),
                };
                (key, value)
            };
            // SAFETY: `fc` is valid for the duration of this call.
            let log = unsafe { FcLog::from_raw(fc) };
            // SAFETY: The VFS serialises parameter parsing on a context.
            let opts = unsafe { Self::options(fc) };
            T::parse_param(opts, &log, &Param { index, key, value })?;
            Ok(0)
        })
    }

    /// `fs_context_operations::get_tree`: a new, unshared superblock per
    /// mount, as tmpfs does.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fc`.
    unsafe extern "C" fn get_tree(fc: *mut bindings::fs_context) -> c_int {
        // SAFETY: `fc` is valid and `fill_super` matches what
        // `get_tree_nodev()` expects.
        unsafe { bindings::get_tree_nodev(fc, Some(Self::fill_super)) }
    }

    /// # Safety
    ///
    /// Called by `get_tree_nodev()` with a new superblock and valid `fc`.
    unsafe extern "C" fn fill_super(
        sb: *mut bindings::super_block,
        fc: *mut bindings::fs_context,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid for the duration of this call.
            let log = unsafe { FcLog::from_raw(fc) };
            // SAFETY: Configuration of `fc` is finished; nothing else touches
            // the options now.
            let opts = unsafe { Self::options(fc) };
            let mut setup = SuperSetup::default();
            let data = T::fill_super(opts, &mut setup, &log)?;
            let info = KBox::new(
                SbInfo {
                    dirops: setup.dirops,
                    data,
                },
                GFP_KERNEL,
            )?;
            // SAFETY: `sb` is a new superblock that nobody else uses yet.
            // `s_fs_info` is released by `kill_sb`, which the VFS calls
            // even when this function fails.
            unsafe {
                (*sb).s_magic = T::MAGIC as usize;
                (*sb).s_maxbytes = bindings::MAX_LFS_FILESIZE;
                (*sb).s_blocksize = kernel::page::PAGE_SIZE;
                (*sb).s_blocksize_bits = kernel::page::PAGE_SHIFT as u8;
                (*sb).s_time_gran = 1;
                // A new identity per mount, as tmpfs: statfs()'s f_fsid
                // comes from it (fanotify's FID reports need one).
                bindings::uuid_gen(&mut (*sb).s_uuid);
                (*sb).s_uuid_len = size_of::<bindings::uuid_t>() as u8;
                if T::POSIX_ACL {
                    (*sb).s_flags |= super::acl::SB_POSIXACL;
                }
                if T::FILE_HANDLES {
                    (*sb).s_export_op = &super::export::Export::<T>::OPS;
                }
                (*sb).s_op = &SuperBlock::<T>::SUPER_OPS;
                (*sb).s_xattr = super::xattr::Handlers::<T>::TABLE.0.as_ptr();
                (*sb).s_fs_info = KBox::into_raw(info).cast();
                bindings::set_default_d_op(sb, &DENTRY_OPS);
            }
            // SAFETY: `sb` is valid, of type `T`, and its data is set.
            let sbr = unsafe { SuperBlock::<T>::from_raw(sb) };
            if setup.dirops.shared {
                // SAFETY: `sb` is not yet visible to others; its directories
                // (from the root on) get the `_async` methods.
                unsafe { (*sb).s_iflags |= bindings::SB_I_SHARED_DIROPS as kernel::ffi::c_ulong };
            }
            let root = T::make_root(sbr)?;
            let root = ARef::into_raw(root).as_ptr().cast::<bindings::inode>();
            // SAFETY: `root` is a reference to a valid inode, which
            // `d_make_root()` consumes (also on failure).
            let dentry = unsafe { bindings::d_make_root(root) };
            if dentry.is_null() {
                return Err(ENOMEM);
            }
            // SAFETY: `sb` is valid and not yet visible to others.
            unsafe { (*sb).s_root = dentry };
            Ok(0)
        })
    }

    /// `fs_context_operations::reconfigure` (remount).
    ///
    /// # Safety
    ///
    /// Called by the VFS with a valid `fc` whose `root` is the root of a
    /// mounted superblock of this type.
    unsafe extern "C" fn reconfigure(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            // SAFETY: `fc` is valid; `fc->root` pins the superblock, of type `T`.
            let sb = unsafe { SuperBlock::<T>::from_raw((*(*fc).root).d_sb) };
            // SAFETY: `fc` is valid for the duration of this call.
            let log = unsafe { FcLog::from_raw(fc) };
            // SAFETY: Configuration of `fc` is finished.
            let opts = unsafe { Self::options(fc) };
            T::reconfigure(sb, opts, &log)?;
            Ok(0)
        })
    }

    /// `file_system_type::kill_sb`.
    ///
    /// # Safety
    ///
    /// Called by the VFS once per superblock of this type, when it dies.
    unsafe extern "C" fn kill_sb(sb: *mut bindings::super_block) {
        // SAFETY: `sb` is valid; `kill_anon_super()` evicts all inodes, after
        // which nothing uses `s_fs_info`, which is null or came from
        // `KBox::into_raw` in `fill_super`.
        unsafe {
            let data = (*sb).s_fs_info.cast::<SbInfo<T::Data>>();
            if !data.is_null() && !(*sb).s_root.is_null() {
                T::teardown(SuperBlock::<T>::from_raw(sb));
            }
            bindings::kill_anon_super(sb);
            if !data.is_null() {
                drop(KBox::from_raw(data));
            }
        }
    }
}

#[pinned_drop]
impl<T: DirOps> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the type is registered; the module
        // cannot be unloaded (and so this cannot run) while an instance is
        // mounted, because every superblock holds a module reference.
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
    }
}
