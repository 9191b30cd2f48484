// SPDX-License-Identifier: GPL-2.0

//! File data of a RAM filesystem, in the page cache, charged to the
//! filesystem *before* a page is allocated.
//!
//! A RAM filesystem's pages cannot be reclaimed, so its space limit is the
//! only thing that stops a user from pinning the machine's memory.  libfs'
//! `ram_aops` with `generic_file_*` cannot enforce one: the generic code
//! allocates page-cache pages on many paths the filesystem never sees
//! (reads of holes, read-ahead, `splice`, faults of a mapping).  So, as
//! shmem does, every page enters a file's page cache here and only here
//! ([`get_or_insert`]), after [`FileSystem::charge_pages`] accepted it:
//!
//! - `write`, `splice`/`sendfile`/`copy_file_range` into a file and
//!   `page_symlink()`: `->write_begin`;
//! - faults of a mapping (read or write, shared or private, and what
//!   `madvise(MADV_POPULATE_*)`, `mlock()` and `/proc/PID/mem` fault in):
//!   [`fault`], `SIGBUS` when the filesystem is full, as tmpfs;
//! - `fallocate()`: the whole range is reserved first, so a request that
//!   cannot fit fails with `ENOSPC` and allocates nothing.
//!
//! Everything else only reads what is there: `read(2)` and `splice` out of
//! a file copy zeroes for holes ([`read_iter`], `copy_splice_read()`), and
//! the address space has no `->read_folio`, so read-ahead (`readahead(2)`,
//! `fadvise(WILLNEED)`) does nothing, as on tmpfs.
//!
//! Pages leave the page cache only by truncation, hole punching and
//! eviction, and each of those gives back what it removed
//! ([`FileSystem::uncharge_pages`]).  Every page is inserted zeroed,
//! uptodate and dirty, so `drop_caches` and `fadvise(DONTNEED)`, which drop
//! clean pages only, never remove one behind the filesystem's back.  The
//! count is exact: insertions by faults hold the mapping's
//! `invalidate_lock` shared, insertions by writes and `fallocate()` the
//! inode's `i_rwsem`, and removals hold both exclusively, so the number of
//! pages removed is the difference in `nrpages` across the removal.
//!
//! Pages are charged to the memory cgroup of the task that causes them by
//! `filemap_add_folio()`, as for any page cache.
//!
//! C reference: `mm/shmem.c`, `mm/filemap.c`, `fs/libfs.c` (`ram_aops`).

use super::{fs_type::FileSystem, inode::INode, ops::DirOps};
use core::ffi::{c_int, c_uint, c_void};
use kernel::{
    bindings,
    error::{from_err_ptr, from_result, to_result},
    prelude::*,
};

const PAGE_SIZE: i64 = kernel::page::PAGE_SIZE as i64;
const PAGE_SHIFT: u32 = kernel::page::PAGE_SHIFT as u32;

/// Who pays for a page [`get_or_insert`] adds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Charge {
    /// Charge it now, one page, and give it back if it is not added.
    Each,
    /// The caller reserved it beforehand; [`Got::Added`] tells that the
    /// reservation was used.
    Reserved,
}

/// What [`get_or_insert`] returns: a locked folio, with a reference.
enum Got {
    /// The folio was there already.
    Found(*mut bindings::folio),
    /// A zeroed folio was added (and charged).
    Added(*mut bindings::folio),
}

impl Got {
    fn folio(&self) -> *mut bindings::folio {
        match *self {
            Got::Found(f) | Got::Added(f) => f,
        }
    }
}

/// Returns the folio at `index` of `inode`'s page cache, locked and
/// referenced, adding a zeroed, uptodate and dirty page if there is none.
///
/// This is the only place that adds pages to the page cache of a file of
/// ours; see the module documentation.
///
/// # Safety
///
/// `inode` must be a regular file or symlink of ours, and the caller must
/// hold its `i_rwsem` or its mapping's `invalidate_lock` (shared is enough),
/// so that no truncation runs meanwhile.
unsafe fn get_or_insert<T: FileSystem>(
    inode: &INode<T>,
    index: usize,
    charge: Charge,
) -> Result<Got> {
    let mapping = inode.mapping();
    loop {
        // SAFETY: `mapping` is the live mapping of `inode`.
        let folio = unsafe { bindings::filemap_lock_folio(mapping, index) };
        match from_err_ptr(folio) {
            Ok(folio) => return Ok(Got::Found(folio)),
            Err(e) if e != ENOENT => return Err(e),
            Err(_) => {}
        }
        if charge == Charge::Each {
            T::charge_pages(inode, 1)?;
        }
        let give_back = || {
            if charge == Charge::Each {
                T::uncharge_pages(inode, 1);
            }
        };
        // SAFETY: `mapping` is live; its gfp mask is what its pages use.
        let gfp = unsafe { bindings::mapping_gfp_mask(mapping) };
        // SAFETY: Allocates a new folio of one page, or returns null.
        let folio = unsafe { bindings::filemap_alloc_folio(gfp, 0) };
        if folio.is_null() {
            give_back();
            return Err(ENOMEM);
        }
        // SAFETY: `folio` is ours alone until it is added to the page cache.
        let err = unsafe {
            bindings::folio_zero_range(folio, 0, kernel::page::PAGE_SIZE);
            bindings::folio_mark_uptodate(folio);
            // Charges the folio to the current task's memory cgroup (or the
            // active one) and locks it.
            bindings::filemap_add_folio(mapping, folio, index, gfp)
        };
        if err == 0 {
            // SAFETY: The folio is in the page cache, locked by us.  Dirty,
            // so that nothing but truncation removes it.
            unsafe { bindings::folio_mark_dirty(folio) };
            return Ok(Got::Added(folio));
        }
        // SAFETY: The folio was not added; this drops our only reference.
        unsafe { bindings::folio_put(folio) };
        give_back();
        if err != -(bindings::EEXIST as c_int) {
            return Err(Error::from_errno(err));
        }
        // Someone else added that page meanwhile: use theirs.
    }
}

/// Unlocks and releases a folio [`get_or_insert`] returned.
///
/// # Safety
///
/// `folio` must be locked and referenced by the caller.
unsafe fn unlock_put(folio: *mut bindings::folio) {
    // SAFETY: Per the function's requirements.
    unsafe {
        bindings::folio_unlock(folio);
        bindings::folio_put(folio);
    }
}

impl<T: FileSystem> INode<T> {
    pub(super) fn mapping(&self) -> *mut bindings::address_space {
        // SAFETY: `i_mapping` of a live inode is valid.
        unsafe { (*self.as_raw()).i_mapping }
    }
}

/// Runs `remove` (which takes pages out of `inode`'s page cache) and gives
/// back what it removed.
///
/// # Safety
///
/// The caller must hold `inode`'s `i_rwsem` exclusively.
unsafe fn removing_pages<T: FileSystem>(inode: &INode<T>, remove: impl FnOnce()) {
    let mapping = inode.mapping();
    // SAFETY: `mapping` is live; with the inode lock held (writes and
    // fallocate) and the invalidate lock held exclusively (faults), no page
    // is added meanwhile, so the difference is what `remove` removed.
    let removed = unsafe {
        bindings::filemap_invalidate_lock(mapping);
        let before = (*mapping).nrpages;
        remove();
        let after = (*mapping).nrpages;
        bindings::filemap_invalidate_unlock(mapping);
        before.saturating_sub(after)
    };
    if removed > 0 {
        T::uncharge_pages(inode, removed as u64);
    }
}

/// Sets the size of a regular file (`truncate()`, `O_TRUNC`), removing the
/// pages past it and giving them back.  Growing allocates nothing: the new
/// range is a hole.
///
/// # Safety
///
/// `inode` must be a regular file of ours whose `i_rwsem` the caller holds
/// exclusively.
pub(super) unsafe fn truncate<T: FileSystem>(inode: &INode<T>, size: i64) {
    // SAFETY: Per the function's requirements.
    unsafe { removing_pages(inode, || bindings::truncate_setsize(inode.as_raw(), size)) };
}

/// Gives back the pages of an inode being evicted and drops them.
///
/// # Safety
///
/// `inode` must be an inode of ours being evicted (nobody else uses it).
pub(super) unsafe fn evict<T: FileSystem>(inode: &INode<T>) {
    let mapping = inode.mapping();
    // SAFETY: Nobody else uses the inode; its mapping is live.
    let pages = unsafe {
        let n = (*mapping).nrpages;
        bindings::truncate_inode_pages_final(mapping);
        n
    };
    if pages > 0 {
        T::uncharge_pages(inode, pages as u64);
    }
}

/// Whether the current task has a signal pending (a long `fallocate()`
/// gives up with `EINTR`, as tmpfs does).
fn signal_pending() -> bool {
    // SAFETY: `current` is always valid for the running task.
    unsafe { bindings::signal_pending(bindings::get_current()) != 0 }
}

/// `read_iter`: copies what is in the page cache, and zeroes for holes,
/// allocating nothing (as `shmem_file_read_iter()`).
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn read_iter(iocb: *mut bindings::kiocb, to: *mut bindings::iov_iter) -> isize {
    // SAFETY: The VFS passes a live kiocb of an open regular file of ours
    // and the destination iterator; the file pins its inode.
    unsafe {
        let file = (*iocb).ki_filp;
        let inode = bindings::file_inode(file);
        let mapping = (*inode).i_mapping;
        let mut pos = (*iocb).ki_pos;
        let mut total: isize = 0;
        // `iov_iter_count()`: the union member every iterator type has.
        while (*to).__bindgen_anon_1.__bindgen_anon_1.as_ref().count > 0 {
            let size = bindings::i_size_read(inode);
            if pos >= size {
                break;
            }
            let index = (pos >> PAGE_SHIFT) as usize;
            let offset = (pos & (PAGE_SIZE - 1)) as usize;
            let nr = ((PAGE_SIZE as usize) - offset).min((size - pos) as usize);
            let folio = bindings::filemap_get_folio(mapping, index);
            let done = match from_err_ptr(folio) {
                // Every folio of ours is uptodate from the moment it is in
                // the page cache (see `get_or_insert`).
                Ok(folio) => {
                    let n = bindings::copy_folio_to_iter(folio, offset, nr, to);
                    bindings::folio_put(folio);
                    n
                }
                Err(_) => bindings::iov_iter_zero(nr, to),
            };
            total += done as isize;
            pos += done as i64;
            if done < nr {
                if total == 0 {
                    return -(bindings::EFAULT as isize);
                }
                break;
            }
            bindings::cond_resched();
        }
        (*iocb).ki_pos = pos;
        bindings::file_accessed(file);
        total
    }
}

/// `mmap_prepare`: our fault handler, which charges pages before adding them.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn mmap_prepare<T: FileSystem>(desc: *mut bindings::vm_area_desc) -> c_int {
    // SAFETY: The VFS passes the descriptor of a new mapping of an open file
    // of ours; the operations table is a static.
    unsafe {
        bindings::file_accessed((*desc).file);
        (*desc).vm_ops = &Vm::<T>::OPS;
    }
    0
}

struct Vm<T>(core::marker::PhantomData<T>);

impl<T: FileSystem> Vm<T> {
    /// `map_pages` maps only pages that are there (fault-around); `fault`
    /// adds a missing one.  No `page_mkwrite`: pages are dirty from the
    /// start and there is no write-back to prepare for (tmpfs has none).
    const OPS: bindings::vm_operations_struct = bindings::vm_operations_struct {
        fault: Some(fault::<T>),
        map_pages: Some(bindings::filemap_map_pages),
        ..pin_init::zeroed()
    };
}

/// `vm_operations_struct::fault`: the page at the faulting offset, added
/// (and charged) if it is a hole; `SIGBUS` past the end of the file and
/// when the filesystem is full, as on tmpfs.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn fault<T: FileSystem>(vmf: *mut bindings::vm_fault) -> bindings::vm_fault_t {
    // SAFETY: The VFS passes a live fault of a mapping of a file of ours
    // (set up by `mmap_prepare`), holding the mapping's mm or VMA lock,
    // which pins the file and so the inode.
    unsafe {
        let vma = (*vmf).__bindgen_anon_1.vma;
        let index = (*vmf).__bindgen_anon_1.pgoff;
        let inode = INode::<T>::from_raw(bindings::file_inode((*vma).vm_file));
        let mapping = inode.mapping();
        bindings::filemap_invalidate_lock_shared(mapping);
        let pages = (inode.size() + PAGE_SIZE - 1) >> PAGE_SHIFT;
        let got = if index as i64 >= pages {
            Err(EFAULT)
        } else {
            // The invalidate lock keeps truncation out.
            get_or_insert(inode, index, Charge::Each)
        };
        bindings::filemap_invalidate_unlock_shared(mapping);
        match got {
            Ok(got) => {
                (*vmf).page = bindings::folio_file_page(got.folio(), index);
                bindings::vm_fault_reason_VM_FAULT_LOCKED
            }
            Err(e) if e == ENOMEM => bindings::vm_fault_reason_VM_FAULT_OOM,
            // Past the end, or the filesystem is full.
            Err(_) => bindings::vm_fault_reason_VM_FAULT_SIGBUS,
        }
    }
}

/// `write_begin`: the folio to copy into, added and charged if new
/// (`ENOSPC` when the filesystem is full, with nothing allocated).
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn write_begin<T: FileSystem>(
    _iocb: *const bindings::kiocb,
    mapping: *mut bindings::address_space,
    pos: bindings::loff_t,
    _len: c_uint,
    foliop: *mut *mut bindings::folio,
    _fsdata: *mut *mut c_void,
) -> c_int {
    from_result(|| {
        // SAFETY: The VFS passes the live mapping of a file of ours whose
        // `i_rwsem` it holds (a write, or `page_symlink()` of a new inode
        // nobody else sees).
        let inode = unsafe { INode::<T>::from_raw((*mapping).host) };
        // SAFETY: As above.
        let got = unsafe { get_or_insert(inode, (pos >> PAGE_SHIFT) as usize, Charge::Each)? };
        // SAFETY: `foliop` is where the VFS wants the locked folio, which it
        // gives back through `write_end`.
        unsafe { *foliop = got.folio() };
        Ok(0)
    })
}

/// `write_end` of `ram_aops` (`simple_write_end()`): the folio is uptodate
/// already, so this only extends the size, dirties and unlocks.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn write_end(
    iocb: *const bindings::kiocb,
    mapping: *mut bindings::address_space,
    pos: bindings::loff_t,
    len: c_uint,
    copied: c_uint,
    folio: *mut bindings::folio,
    fsdata: *mut c_void,
) -> c_int {
    // SAFETY: Forwarded unchanged to libfs' implementation.
    unsafe {
        (bindings::ram_aops.write_end.unwrap_unchecked())(
            iocb, mapping, pos, len, copied, folio, fsdata,
        )
    }
}

/// `read_folio` of symbolic links: `page_get_link()` reads the target
/// through it if its page were missing (it never is: the page is dirty and
/// only eviction removes it).  Regular files have none, so that read-ahead
/// allocates nothing.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn read_folio(file: *mut bindings::file, folio: *mut bindings::folio) -> c_int {
    // SAFETY: Forwarded unchanged to libfs' implementation for RAM filesystems.
    unsafe { (bindings::ram_aops.read_folio.unwrap_unchecked())(file, folio) }
}

/// `fallocate`: mode 0 and `FALLOC_FL_KEEP_SIZE` add zeroed pages, the
/// whole range reserved first; `FALLOC_FL_PUNCH_HOLE` (with `KEEP_SIZE`)
/// removes them and gives them back.  The modes tmpfs supports.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn fallocate<T: FileSystem>(
    file: *mut bindings::file,
    mode: c_int,
    offset: bindings::loff_t,
    len: bindings::loff_t,
) -> kernel::ffi::c_long {
    from_result(|| {
        let mode = mode as u32;
        let punch = bindings::FALLOC_FL_PUNCH_HOLE | bindings::FALLOC_FL_KEEP_SIZE;
        if mode & !punch != 0 {
            return Err(EOPNOTSUPP);
        }
        if offset < 0 || len <= 0 {
            return Err(EINVAL);
        }
        let end = offset.checked_add(len).ok_or(EFBIG)?;
        // SAFETY: `file` is an open regular file of ours.
        let inode = unsafe { INode::<T>::from_raw(bindings::file_inode(file)) };
        if mode & bindings::FALLOC_FL_KEEP_SIZE == 0 {
            // RLIMIT_FSIZE and s_maxbytes, as for a write.
            // SAFETY: The inode is live.
            to_result(unsafe { bindings::inode_newsize_ok(inode.as_raw(), end) })?;
        }
        // SAFETY: The inode is live; fallocate runs without the inode lock.
        unsafe { bindings::inode_lock(inode.as_raw()) };
        let r = if mode & bindings::FALLOC_FL_PUNCH_HOLE != 0 {
            // SAFETY: Locked above.  Whole pages inside the range go, the
            // partial ones at its ends are zeroed.
            unsafe {
                removing_pages(inode, || {
                    bindings::truncate_pagecache_range(inode.as_raw(), offset, end - 1)
                })
            };
            inode.touch_cmtime();
            Ok(())
        } else {
            // SAFETY: Locked above.
            unsafe {
                allocate_range(
                    inode,
                    offset,
                    end,
                    mode & bindings::FALLOC_FL_KEEP_SIZE == 0,
                )
            }
        };
        // SAFETY: Locked above.
        unsafe { bindings::inode_unlock(inode.as_raw()) };
        r.map(|()| 0)
    })
}

/// Number of pages present in `[first, last]` of `inode`'s page cache.
///
/// # Safety
///
/// The caller must hold `inode`'s `i_rwsem`.
unsafe fn pages_present<T: FileSystem>(inode: &INode<T>, first: usize, last: usize) -> u64 {
    let mapping = inode.mapping();
    let mut index = first;
    let mut present = 0u64;
    let mut batch = bindings::folio_batch::default();
    loop {
        // SAFETY: `mapping` is valid; `batch` is empty, and is filled with
        // referenced folios from `index` on, advancing `index`.
        let n = unsafe { bindings::filemap_get_folios(mapping, &mut index, last, &mut batch) };
        if n == 0 {
            return present;
        }
        present += u64::from(n);
        // SAFETY: Drops the batch's references and empties it.
        unsafe { bindings::__folio_batch_release(&mut batch) };
        batch.nr = 0;
        batch.i = 0;
        // `index` wrapped or passed the end: done.
        if index == 0 || index > last {
            return present;
        }
    }
}

/// Fills `[start, end)` of `inode` with zeroed pages, reserving every
/// missing page first; extends the size to `end` if `extend`.
///
/// # Safety
///
/// The caller must hold `inode`'s `i_rwsem` exclusively.
unsafe fn allocate_range<T: FileSystem>(
    inode: &INode<T>,
    start: i64,
    end: i64,
    extend: bool,
) -> Result {
    let first = (start >> PAGE_SHIFT) as usize;
    let last = ((end - 1) >> PAGE_SHIFT) as usize;
    // SAFETY: The caller holds the inode lock.
    let present = unsafe { pages_present(inode, first, last) };
    let mut reserved = (last - first + 1) as u64 - present;
    // All or nothing: a request that cannot fit allocates nothing.
    T::charge_pages(inode, reserved)?;
    let mut r = Ok(());
    for index in first..=last {
        if reserved == 0 {
            // Faults filled the rest meanwhile (or will find it there).
            break;
        }
        if signal_pending() {
            r = Err(EINTR);
            break;
        }
        // SAFETY: The caller holds the inode lock.
        match unsafe { get_or_insert(inode, index, Charge::Reserved) } {
            Ok(got) => {
                if matches!(got, Got::Added(_)) {
                    reserved -= 1;
                }
                // SAFETY: `get_or_insert` returned it locked and referenced.
                unsafe { unlock_put(got.folio()) };
            }
            Err(e) => {
                r = Err(e);
                break;
            }
        }
        // SAFETY: A plain scheduling point.
        unsafe { bindings::cond_resched() };
    }
    // What was reserved and not used (pages a fault added meanwhile, or the
    // rest after a failure) goes back.  Pages added before a failure stay,
    // zeroed and charged, as on a filesystem that allocated them.
    if reserved > 0 {
        T::uncharge_pages(inode, reserved);
    }
    r?;
    if extend && end > inode.size() {
        inode.set_size(end);
    }
    inode.touch_ctime();
    Ok(())
}

/// `FMODE_CAN_ODIRECT` (a cast macro in C, which bindgen does not see).
const FMODE_CAN_ODIRECT: bindings::fmode_t = 1 << 22;

/// `open` of regular files: `O_DIRECT` is accepted, as on tmpfs.  The page
/// cache is the file's only copy, so there is nothing to bypass: direct
/// I/O is buffered I/O (`read_iter` and `write_iter` ignore `IOCB_DIRECT`),
/// and the alignment rules of a block device do not apply.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: The VFS passes a file being opened, ours to set up.
    unsafe {
        (*file).f_mode |= FMODE_CAN_ODIRECT;
        bindings::generic_file_open(inode, file)
    }
}

/// `write_iter`: as `shmem_file_write_iter()`, buffered whatever the
/// flags (see [`open`]); the pages are charged by `write_begin`.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
unsafe extern "C" fn write_iter(
    iocb: *mut bindings::kiocb,
    from: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: The VFS passes a live kiocb of an open regular file of ours
    // and the source iterator; the file pins its inode.
    unsafe {
        let file = (*iocb).ki_filp;
        let inode = (*(*file).f_mapping).host;
        bindings::inode_lock(inode);
        let mut ret = bindings::generic_write_checks(iocb, from);
        if ret > 0 {
            let mut err = bindings::file_remove_privs(file);
            if err == 0 {
                err = bindings::file_update_time(file);
            }
            ret = if err == 0 {
                // Advances `ki_pos` by what it wrote.
                bindings::generic_perform_write(iocb, from)
            } else {
                err as isize
            };
        }
        bindings::inode_unlock(inode);
        ret
    }
}

/// The operation tables of regular files and the address spaces of regular
/// files and symbolic links.
pub(super) struct Tables<T>(core::marker::PhantomData<T>);

impl<T: DirOps> Tables<T> {
    pub(super) const FILE_FOPS: bindings::file_operations = bindings::file_operations {
        open: Some(open),
        read_iter: Some(read_iter),
        write_iter: Some(write_iter),
        mmap_prepare: Some(mmap_prepare::<T>),
        fsync: Some(bindings::noop_fsync),
        // Through `read_iter` into pages of its own: holes read as zeroes
        // without being allocated.
        splice_read: Some(bindings::copy_splice_read),
        splice_write: Some(bindings::iter_file_splice_write),
        llseek: Some(super::ops::llseek),
        fallocate: Some(fallocate::<T>),
        ..pin_init::zeroed()
    };

    /// No `read_folio`: nothing may allocate a page of a regular file but
    /// `get_or_insert` (see the module documentation).
    pub(super) const FILE_AOPS: bindings::address_space_operations =
        bindings::address_space_operations {
            write_begin: Some(write_begin::<T>),
            write_end: Some(write_end),
            dirty_folio: Some(bindings::noop_dirty_folio),
            ..pin_init::zeroed()
        };

    pub(super) const SYMLINK_AOPS: bindings::address_space_operations =
        bindings::address_space_operations {
            read_folio: Some(read_folio),
            ..Self::FILE_AOPS
        };
}
