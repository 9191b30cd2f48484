// SPDX-License-Identifier: GPL-2.0

//! The operation tables of inodes and files, and which an inode gets.
//!
//! C reference: `Documentation/filesystems/vfs.rst`.

use super::{
    attr::{getattr, setattr},
    dir::{lookup, DirOps},
    dir_methods::{async_op, sync_op, tmpfile},
    inode::FileKind,
    ram_file::Tables as RamTables,
    readdir::iterate_shared,
};
use core::{ffi::c_int, marker::PhantomData};
use kernel::bindings;

/// The operation tables (`i_op`, `i_fop`, `a_ops`) a new inode gets: one
/// of the layer's sets for filesystem `T`, as named values, chosen in its
/// [`super::inode::InodeSpec`].
pub struct InodeOps<T: DirOps> {
    which: Which,
    _p: PhantomData<T>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Dir,
    RamFile,
    RamSymlink,
    Special,
}

impl<T: DirOps> InodeOps<T> {
    /// A directory with `T`'s [`DirOps`]: the `_async` methods on an
    /// instance set up with shared directory operations, the synchronous
    /// ones otherwise.
    pub const DIR: Self = Self::of(Which::Dir);
    /// A regular file whose only copy is the page cache, every page
    /// charged before it is added ([`super::ram_file`]).
    pub const RAM_FILE: Self = Self::of(Which::RamFile);
    /// A symbolic link whose target is kept in the page cache.
    pub const RAM_SYMLINK: Self = Self::of(Which::RamSymlink);
    /// A device node, fifo or socket (`init_special_inode()`).
    pub const SPECIAL: Self = Self::of(Which::Special);

    const fn of(which: Which) -> Self {
        Self {
            which,
            _p: PhantomData,
        }
    }

    /// The layer's tables for an inode of `kind`.
    pub const fn for_kind(kind: FileKind) -> Self {
        match kind {
            FileKind::Dir => Self::DIR,
            FileKind::Reg => Self::RAM_FILE,
            FileKind::Lnk => Self::RAM_SYMLINK,
            _ => Self::SPECIAL,
        }
    }

    /// Whether these tables are for an inode of `kind`.
    pub(super) fn fits(&self, kind: FileKind) -> bool {
        self.which == Self::for_kind(kind).which
    }

    /// Sets the operations of a new inode.
    ///
    /// # Safety
    ///
    /// `inode` must be a new inode of a superblock of type `T`, not yet
    /// visible, of a type these tables [fit](Self::fits).
    pub(super) unsafe fn install(&self, inode: *mut bindings::inode, rdev: u32) {
        // SAFETY: Per the function's requirements the inode is ours to set
        // up; the tables are statics.
        unsafe {
            match self.which {
                Which::Dir => {
                    let shared = (*(*inode).i_sb).s_iflags
                        & bindings::SB_I_SHARED_DIROPS as kernel::ffi::c_ulong;
                    (*inode).i_op = if shared != 0 {
                        &Tables::<T>::DIR_IOPS_SHARED
                    } else {
                        &Tables::<T>::DIR_IOPS
                    };
                    (*inode).__bindgen_anon_3.i_fop = &Tables::<T>::DIR_FOPS;
                }
                Which::RamFile => {
                    (*inode).i_op = &Tables::<T>::FILE_IOPS;
                    (*inode).__bindgen_anon_3.i_fop = &RamTables::<T>::FILE_FOPS;
                    (*inode).i_data.a_ops = &RamTables::<T>::FILE_AOPS;
                    bindings::mapping_set_gfp_mask(&mut (*inode).i_data, bindings::GFP_HIGHUSER);
                    bindings::mapping_set_unevictable(&mut (*inode).i_data);
                }
                Which::RamSymlink => {
                    (*inode).i_op = &Tables::<T>::SYMLINK_IOPS;
                    (*inode).i_data.a_ops = &RamTables::<T>::SYMLINK_AOPS;
                    bindings::inode_nohighmem(inode);
                    bindings::mapping_set_unevictable(&mut (*inode).i_data);
                }
                Which::Special => {
                    bindings::init_special_inode(inode, (*inode).i_mode, rdev);
                    (*inode).i_op = &Tables::<T>::SPECIAL_IOPS;
                }
            }
        }
    }
}

struct Tables<T>(PhantomData<T>);

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
        // Directory delegations (F_SETDELEG), as tmpfs directories have
        // them.  Operations in flight without their directory's lock keep
        // one from being granted (generic_add_lease()).
        setlease: Some(bindings::generic_setlease),
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
