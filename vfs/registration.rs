// SPDX-License-Identifier: GPL-2.0

//! Registration of a filesystem type, and the mount API (`fs_context`)
//! callbacks that create, configure and kill its instances.
//!
//! C reference: `include/linux/fs_context.h`,
//! `Documentation/filesystems/mount_api.rst`.

use super::{
    dir::DirOps,
    dirop::DiropQueue,
    fs_type::{SbInfo, SuperSetup},
    param::{FcLog, Param, ParamKind, ParamValue},
    sb::SuperBlock,
};
use core::{ffi::c_int, marker::PhantomData, pin::Pin};
use kernel::{
    bindings,
    error::{from_result, to_result},
    prelude::*,
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
                    (*fs).fs_flags = if T::ALLOW_IDMAP {
                        bindings::FS_ALLOW_IDMAP as i32
                    } else {
                        0
                    };
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
                    ParamKind::U32 | ParamKind::U32Oct => {
                        ParamValue::U32(result.__bindgen_anon_1.uint_32)
                    }
                    ParamKind::Bool => ParamValue::Bool(result.__bindgen_anon_1.boolean),
                    ParamKind::Enum(_) => ParamValue::Enum(result.__bindgen_anon_1.uint_32),
                    ParamKind::Uid => ParamValue::Uid(result.__bindgen_anon_1.uid.val),
                    ParamKind::Gid => ParamValue::Gid(result.__bindgen_anon_1.gid.val),
                    ParamKind::Size { .. } => {
                        ParamValue::String(CStr::from_char_ptr((*param).__bindgen_anon_1.string))
                    }
                };
                (key, value)
            };
            // SAFETY: `fc` is valid for the duration of this call.
            let log = unsafe { FcLog::from_raw(fc) };
            let value = match (&spec.kind, value) {
                (ParamKind::Size { percent }, ParamValue::String(s)) => ParamValue::Size(
                    super::param::parse_size(s.to_bytes(), *percent).inspect_err(|_| {
                        log.error(fmt!(
                            "{}={}: expected a number with an optional k, m, g, t, p or e suffix{}",
                            key,
                            s,
                            if *percent { ", or a percentage" } else { "" }
                        ))
                    })?,
                ),
                (_, value) => value,
            };
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
                (*sb).s_maxbytes = setup.max_bytes;
                (*sb).s_blocksize = kernel::page::PAGE_SIZE;
                (*sb).s_blocksize_bits = kernel::page::PAGE_SHIFT as u8;
                (*sb).s_time_gran = setup.time_gran_ns;
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
