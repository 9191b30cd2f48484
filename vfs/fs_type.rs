// SPDX-License-Identifier: GPL-2.0

//! Filesystem types: the [`FileSystem`] trait and what an instance is set
//! up with.  [`super::registration`] registers a type with the VFS.
//!
//! C reference: `include/linux/fs.h` (`struct file_system_type`),
//! `include/linux/fs/super_types.h`.

use super::{
    dirop::DiropMode,
    inode::INode,
    param::{FcLog, Param, Params},
    sb::SuperBlock,
};
use kernel::{bindings, prelude::*, seq_file::SeqFile, str::CStr, sync::aref::ARef};

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

    /// Whether the type can be mounted with an idmapping
    /// (`FS_ALLOW_IDMAP`): the layer maps ids through the idmap the VFS
    /// passes in every operation it implements (`inode_init_owner()`,
    /// `setattr_prepare()`/`setattr_copy()`, `generic_fillattr()`,
    /// `generic_permission()`; `->atomic_open` takes it from the file), so
    /// a filesystem that keeps no ids of its own may say yes.  No by
    /// default.
    const ALLOW_IDMAP: bool = false;

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

    /// How long after its `_async` method returned `-EINPROGRESS` the work
    /// item of an operation of `sb` starts (completion `Async`): 0, at
    /// once, by default.  A timer queues it, so no thread waits out the
    /// delay: this is where a model of a remote server's round trip (a mount
    /// option of pdirfs) waits.
    fn async_delay_us(_sb: &SuperBlock<Self>) -> u32 {
        0
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
#[derive(Clone, Copy, Debug)]
pub struct SuperSetup {
    /// How its directory operations are locked and completed (default:
    /// shared, completed before the method returns).
    pub dirops: DiropMode,
    /// The largest file size (`s_maxbytes`; default `MAX_LFS_FILESIZE`).
    pub max_bytes: i64,
    /// The granularity of its timestamps in nanoseconds (`s_time_gran`;
    /// default 1).
    pub time_gran_ns: u32,
}

impl Default for SuperSetup {
    fn default() -> Self {
        Self {
            dirops: DiropMode::default(),
            max_bytes: bindings::MAX_LFS_FILESIZE,
            time_gran_ns: 1,
        }
    }
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
