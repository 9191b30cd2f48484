// SPDX-License-Identifier: GPL-2.0

//! Inodes.
//!
//! C reference: `include/linux/fs.h`, `fs/inode.c`.

use super::{fs_type::FileSystem, sb::SuperBlock, tables::InodeOps};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    bindings,
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};

/// The type of a file, from the `S_IFMT` bits of its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Regular file.
    Reg,
    /// Directory.
    Dir,
    /// Symbolic link.
    Lnk,
    /// Character device node.
    Chr,
    /// Block device node.
    Blk,
    /// Named pipe.
    Fifo,
    /// Unix domain socket.
    Sock,
}

impl FileKind {
    /// The kind of a file with mode `mode`, if it names one.
    pub fn from_mode(mode: u16) -> Option<Self> {
        Some(match u32::from(mode) & bindings::S_IFMT {
            bindings::S_IFREG => Self::Reg,
            bindings::S_IFDIR => Self::Dir,
            bindings::S_IFLNK => Self::Lnk,
            bindings::S_IFCHR => Self::Chr,
            bindings::S_IFBLK => Self::Blk,
            bindings::S_IFIFO => Self::Fifo,
            bindings::S_IFSOCK => Self::Sock,
            _ => return None,
        })
    }

    /// The `d_type` readdir reports for this kind (`DT_*`).
    pub fn dtype(self) -> u8 {
        let ifmt = match self {
            Self::Reg => bindings::S_IFREG,
            Self::Dir => bindings::S_IFDIR,
            Self::Lnk => bindings::S_IFLNK,
            Self::Chr => bindings::S_IFCHR,
            Self::Blk => bindings::S_IFBLK,
            Self::Fifo => bindings::S_IFIFO,
            Self::Sock => bindings::S_IFSOCK,
        };
        // DT_* values are the S_IFMT bits shifted down, by definition.
        (ifmt >> 12) as u8
    }
}

/// An inode of filesystem `T`, with the filesystem's data for it.
///
/// # Invariants
///
/// Wraps a live `struct inode` of a superblock of type `T` whose `i_private`
/// points to a `T::InodeData` allocated by [`NewInode::init`]; the data lives
/// until the inode is evicted.  Instances are only handed out by reference or
/// through [`ARef`], which holds a reference count.
#[repr(transparent)]
pub struct INode<T: FileSystem> {
    inode: Opaque<bindings::inode>,
    _p: PhantomData<T>,
}

// SAFETY: Inodes are reference counted with ihold()/iput(), which may be
// called from any thread, and the data is `Send + Sync` by `FileSystem`.
unsafe impl<T: FileSystem> Send for INode<T> {}
// SAFETY: As above; shared access goes through the VFS' own locking or ours.
unsafe impl<T: FileSystem> Sync for INode<T> {}

// SAFETY: The reference count is the inode's `i_count`, managed by
// `ihold()`/`iput()`; an inode is not freed while `i_count` is non-zero.
unsafe impl<T: FileSystem> AlwaysRefCounted for INode<T> {
    fn inc_ref(&self) {
        // SAFETY: The existence of `&self` means the count is non-zero.
        unsafe { bindings::ihold(self.inode.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference to give up.
        unsafe { bindings::iput(obj.as_ref().inode.get()) };
    }
}

impl<T: FileSystem> INode<T> {
    /// # Safety
    ///
    /// `inode` must be a live inode satisfying the type invariant, valid for
    /// `'a`.
    pub unsafe fn from_raw<'a>(inode: *mut bindings::inode) -> &'a Self {
        // SAFETY: `INode<T>` is a transparent wrapper of `inode`; validity is
        // guaranteed by the caller.
        unsafe { &*inode.cast() }
    }

    /// The raw `struct inode`.
    pub fn as_raw(&self) -> *mut bindings::inode {
        self.inode.get()
    }

    /// The filesystem's data for this inode.
    pub fn data(&self) -> &T::InodeData {
        // SAFETY: By the type invariant `i_private` points to valid data that
        // lives as long as the inode, and nothing else mutates it.
        unsafe { &*(*self.inode.get()).i_private.cast::<T::InodeData>() }
    }

    /// The superblock this inode belongs to.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: `i_sb` of a live inode is a live superblock of type `T`
        // with its data set (inodes are created after `fill_super` set it).
        unsafe { SuperBlock::from_raw((*self.inode.get()).i_sb) }
    }

    /// The inode number.
    pub fn ino(&self) -> u64 {
        // SAFETY: `i_ino` is immutable after creation.
        unsafe { (*self.inode.get()).i_ino }
    }

    /// The mode (type and permission bits).
    pub fn mode(&self) -> u16 {
        // SAFETY: A racy read of `i_mode` is what the VFS does too
        // (`S_ISDIR(inode->i_mode)`); the type bits never change.
        unsafe { core::ptr::read_volatile(&raw const (*self.inode.get()).i_mode) }
    }

    /// The kind of file.
    pub fn kind(&self) -> FileKind {
        // The type bits of a live inode's mode are always valid.
        FileKind::from_mode(self.mode()).unwrap_or(FileKind::Reg)
    }

    /// Adds a link.  Callers serialise link count changes of an inode: the
    /// VFS holds its `i_rwsem`, or, while an unlink of it that released the
    /// lock is in flight (`shared-dir-locking.rst` 4.7.2), keeps every
    /// other link count change of it waiting until `done_cb`; for a
    /// directory's own count, the filesystem's directory lock.
    pub fn inc_nlink(&self) {
        // SAFETY: The inode is live; serialisation as documented above.
        unsafe { bindings::inc_nlink(self.inode.get()) };
    }

    /// The number of links.
    pub fn nlink(&self) -> u32 {
        // SAFETY: The inode is live; `i_nlink` is read locklessly in the VFS
        // too (it changes under the serialisation documented above).
        unsafe { core::ptr::read_volatile(&raw const (*self.inode.get()).__bindgen_anon_1.i_nlink) }
    }

    /// Drops a link; see [`Self::inc_nlink`].
    pub fn drop_nlink(&self) {
        // SAFETY: The inode is live; serialisation as documented above.
        unsafe { bindings::drop_nlink(self.inode.get()) };
    }

    /// Drops all links; see [`Self::inc_nlink`].
    pub fn clear_nlink(&self) {
        // SAFETY: The inode is live; serialisation as documented above.
        unsafe { bindings::clear_nlink(self.inode.get()) };
    }

    /// The file size.
    pub fn size(&self) -> i64 {
        // SAFETY: `i_size_read()` handles concurrent updates.
        unsafe { bindings::i_size_read(self.inode.get()) }
    }

    /// Sets the file size; callers hold the inode's `i_rwsem` (as for any
    /// `i_size_write()`), or the directory lock for directories.
    pub fn set_size(&self, size: i64) {
        // SAFETY: The inode is live; serialisation as documented above.
        unsafe { bindings::i_size_write(self.inode.get(), size) };
    }

    /// Sets ctime and mtime to the current time, as a directory changes.
    pub fn touch_cmtime(&self) {
        // SAFETY: The inode is live; time updates race benignly, as in the VFS.
        unsafe {
            let now = bindings::inode_set_ctime_current(self.inode.get());
            bindings::inode_set_mtime_to_ts(self.inode.get(), now);
        }
    }

    /// Stores the target of a new symbolic link in its page cache, as
    /// `page_symlink()` does (the page is charged like file data).
    pub fn write_symlink(&self, target: &kernel::str::CStr) -> Result {
        let len = target.to_bytes_with_nul().len();
        // SAFETY: The inode is a new symlink of ours with page-cache
        // operations; `target` is valid for `len` bytes including the NUL.
        kernel::error::to_result(unsafe {
            bindings::page_symlink(self.as_raw(), target.as_char_ptr(), len as i32)
        })
    }

    /// Sets ctime to the current time, as a link count change does.
    pub fn touch_ctime(&self) {
        // SAFETY: The inode is live.
        unsafe { bindings::inode_set_ctime_current(self.inode.get()) };
    }
}

/// What a new inode is: its kind, operations and device number.
pub struct InodeSpec<T: super::dir::DirOps> {
    /// Type and permission bits.
    pub mode: u16,
    /// Device number for device nodes.
    pub rdev: u32,
    /// Its operation tables; they fit its type (see [`Self::with_ops`]).
    ops: InodeOps<T>,
}

impl<T: super::dir::DirOps> InodeSpec<T> {
    /// An inode of `mode` (type and permission bits) and device `rdev`,
    /// with the layer's tables for its type ([`InodeOps::for_kind`]);
    /// `EINVAL` for a mode of no file type.
    pub fn new(mode: u16, rdev: u32) -> Result<Self> {
        let kind = FileKind::from_mode(mode).ok_or(EINVAL)?;
        Ok(Self {
            mode,
            rdev,
            ops: InodeOps::for_kind(kind),
        })
    }

    /// The same with other tables, which must be for its type (`EINVAL`
    /// otherwise).
    pub fn with_ops(self, ops: InodeOps<T>) -> Result<Self> {
        let kind = FileKind::from_mode(self.mode).ok_or(EINVAL)?;
        if !ops.fits(kind) {
            return Err(EINVAL);
        }
        Ok(Self { ops, ..self })
    }
}

/// A new inode, not yet visible to anyone, without its data.
///
/// # Invariants
///
/// `inode` came from `new_inode()` on a superblock of type `T`, its reference
/// is owned by this, and `i_private` is null.
pub struct NewInode<T: FileSystem> {
    inode: NonNull<bindings::inode>,
    _p: PhantomData<T>,
}

impl<T: super::dir::DirOps> NewInode<T> {
    /// Allocates an inode in `sb` for a file of `spec`, owned by the caller's
    /// fsuid/fsgid (or inheriting the group of a setgid `dir`, as
    /// `inode_init_owner()` does), with the operations `T` provides for its
    /// kind.
    pub fn new(
        sb: &SuperBlock<T>,
        dir: Option<&INode<T>>,
        ctx: Option<&super::dir::OpCtx<'_>>,
        spec: InodeSpec<T>,
    ) -> Result<Self> {
        // SAFETY: `sb` is a live superblock.
        let inode = NonNull::new(unsafe { bindings::new_inode(sb.as_raw()) }).ok_or(ENOMEM)?;
        let raw = inode.as_ptr();
        // SAFETY: `raw` is a new inode that no one else can see yet; `dir` is
        // live; the operation tables are statics.
        unsafe {
            (*raw).i_ino = bindings::get_next_ino().into();
            // A file handle names the inode by number and generation: a
            // handle of a removed file must not find a later file that
            // reuses the number (see `export`).
            (*raw).i_generation = bindings::get_random_u32();
            let idmap = ctx.map_or(&raw mut bindings::nop_mnt_idmap, |c| c.idmap.as_raw());
            bindings::inode_init_owner(
                idmap,
                raw,
                dir.map_or(core::ptr::null_mut(), |d| d.as_raw()),
                spec.mode,
            );
            bindings::simple_inode_init_ts(raw);
            spec.ops.install(raw, spec.rdev);
            // No ACLs (the cache holds every ACL there is: see `acl`),
            // until the caller's are applied below.
            (*raw).i_acl = core::ptr::null_mut();
            (*raw).i_default_acl = core::ptr::null_mut();
        }
        // INVARIANT: new_inode() returned a referenced inode, i_private null.
        let new = Self {
            inode,
            _p: PhantomData,
        };
        if let Some(m) = ctx.and_then(|c| c.new_mode) {
            // SAFETY: The inode is new, of a superblock of type `T`, and not
            // visible to anyone.  On failure `new` is dropped (evicted).
            unsafe { m.apply::<T>(raw)? };
        }
        Ok(new)
    }

    /// The modification time the inode starts with (seconds, nanoseconds).
    pub fn mtime(&self) -> (i64, u32) {
        // SAFETY: The inode is new and ours; its times are set.
        let ts = unsafe { bindings::inode_get_mtime(self.inode.as_ptr()) };
        (ts.tv_sec, ts.tv_nsec as u32)
    }

    /// Sets permission bits and ownership explicitly (for the root).
    pub fn set_owner(&mut self, mode: u16, uid: u32, gid: u32) {
        let raw = self.inode.as_ptr();
        // SAFETY: The inode is new and not visible to anyone else.
        unsafe {
            (*raw).i_mode = ((*raw).i_mode & bindings::S_IFMT as u16) | (mode & 0o7777);
            (*raw).i_uid.val = uid;
            (*raw).i_gid.val = gid;
        }
    }

    /// Attaches the filesystem's data and makes the inode usable.
    pub fn init(self, data: impl PinInit<T::InodeData, Error>) -> Result<ARef<INode<T>>> {
        // Charged to the memory cgroup of whoever creates the inode, as the
        // inode itself is (`inode_cachep` is `SLAB_ACCOUNT`).
        let data = KBox::pin_init(data, GFP_KERNEL_ACCOUNT)?;
        let raw = self.inode;
        core::mem::forget(self);
        // SAFETY: The inode is new and ours.  The data stays pinned: it is
        // only reached through `i_private` and dropped in place by
        // `evict_inode` (see `ops`).
        unsafe {
            let data = core::pin::Pin::into_inner_unchecked(data);
            (*raw.as_ptr()).i_private = KBox::into_raw(data).cast();
            if FileKind::from_mode((*raw.as_ptr()).i_mode) == Some(FileKind::Dir) {
                // Directories start with "." and their entry in the parent.
                bindings::set_nlink(raw.as_ptr(), 2);
            }
        }
        // SAFETY: The inode now satisfies the `INode` invariant, and the
        // reference we owned is transferred to the `ARef`.
        Ok(unsafe { ARef::from_raw(raw.cast()) })
    }
}

impl<T: FileSystem> Drop for NewInode<T> {
    fn drop(&mut self) {
        // SAFETY: We own a reference to an inode without data; evict_inode
        // tolerates a null `i_private`.
        unsafe {
            bindings::clear_nlink(self.inode.as_ptr());
            bindings::iput(self.inode.as_ptr());
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
            super::ram_pages::evict(INode::<T>::from_raw(inode));
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
