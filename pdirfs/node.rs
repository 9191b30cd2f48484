// SPDX-License-Identifier: GPL-2.0

//! What pdirfs keeps per inode.

#![forbid(unsafe_code)]

use crate::{index::Index, super_::Pdirfs, xattr::Xattrs};
use kernel::{
    new_spinlock,
    prelude::*,
    sync::{aref::ARef, atomic::Atomic, SpinLock},
};

use crate::vfs::inode::INode;

/// An inode of pdirfs.
pub(crate) type Inode = INode<Pdirfs>;

/// The index of a directory, behind the directory's own lock.
///
/// The lock is a spinlock held only for index lookups and updates: no
/// allocation (insertions are reserved beforehand), no `iput()` (removed
/// entries are dropped after unlocking), no copy to user space (readdir
/// copies a batch out first).  Operations on different directories never
/// contend, and no code path holds two of these locks at once.
pub(crate) type DirIndex = SpinLock<Index<ARef<Inode>>>;

/// Per-inode data of pdirfs.
#[pin_data]
pub(crate) struct Node {
    /// The directory index, for directories.
    pub(crate) dir: Option<Pin<KBox<DirIndex>>>,
    /// Extended attributes.
    #[pin]
    pub(crate) xattrs: Xattrs,
    /// Inode flags (`chattr`: `FS_*_FL`); see `Pdirfs::FILE_FLAGS`.
    pub(crate) flags: Atomic<u32>,
    /// Birth time (`statx` `STATX_BTIME`): seconds and nanoseconds.
    pub(crate) btime: (i64, u32),
}

impl Node {
    /// Data of a new inode with inode flags `flags`, born at `btime`;
    /// directories get an empty index keyed by `seed`.
    pub(crate) fn new(
        is_dir: bool,
        seed: u64,
        flags: u32,
        btime: (i64, u32),
    ) -> Result<impl PinInit<Self, Error>> {
        let dir = if is_dir {
            Some(KBox::pin_init(
                new_spinlock!(Index::new(seed), "pdirfs_dir_index"),
                GFP_KERNEL_ACCOUNT,
            )?)
        } else {
            None
        };
        Ok(try_pin_init!(Self {
            dir,
            xattrs <- Xattrs::new(),
            flags: Atomic::new(flags),
            btime,
        }))
    }

    /// The index, for a directory.
    pub(crate) fn index(&self) -> Result<&DirIndex> {
        self.dir.as_deref().ok_or(ENOTDIR)
    }
}
