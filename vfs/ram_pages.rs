// SPDX-License-Identifier: GPL-2.0

//! The pages of a RAM filesystem's files: in the page cache, charged to
//! the filesystem *before* a page is allocated.  The file operations that
//! use them are in [`super::ram_file`].
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
//!   `fault` ([`super::ram_file`]), `SIGBUS` when the filesystem is full, as tmpfs;
//! - `fallocate()`: the whole range is reserved first, so a request that
//!   cannot fit fails with `ENOSPC` and allocates nothing.
//!
//! Everything else only reads what is there: `read(2)` and `splice` out of
//! a file copy zeroes for holes (`read_iter`, `copy_splice_read()`), and
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

use super::{fs_type::FileSystem, inode::INode};
use kernel::{bindings, error::from_err_ptr, prelude::*};

pub(super) const PAGE_SIZE: i64 = kernel::page::PAGE_SIZE as i64;
pub(super) const PAGE_SHIFT: u32 = kernel::page::PAGE_SHIFT as u32;

/// Who pays for a page [`get_or_insert`] adds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Charge {
    /// Charge it now, one page, and give it back if it is not added.
    Each,
    /// The caller reserved it beforehand; [`Got::Added`] tells that the
    /// reservation was used.
    Reserved,
}

/// What [`get_or_insert`] returns: a locked folio, with a reference.
pub(super) enum Got {
    /// The folio was there already.
    Found(*mut bindings::folio),
    /// A zeroed folio was added (and charged).
    Added(*mut bindings::folio),
}

impl Got {
    pub(super) fn folio(&self) -> *mut bindings::folio {
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
pub(super) unsafe fn get_or_insert<T: FileSystem>(
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
pub(super) unsafe fn unlock_put(folio: *mut bindings::folio) {
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
pub(super) unsafe fn removing_pages<T: FileSystem>(inode: &INode<T>, remove: impl FnOnce()) {
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
pub(super) fn signal_pending() -> bool {
    // SAFETY: `current` is always valid for the running task.
    unsafe { bindings::signal_pending(bindings::get_current()) != 0 }
}

/// Number of pages present in `[first, last]` of `inode`'s page cache.
///
/// # Safety
///
/// The caller must hold `inode`'s `i_rwsem`.
pub(super) unsafe fn pages_present<T: FileSystem>(
    inode: &INode<T>,
    first: usize,
    last: usize,
) -> u64 {
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
pub(super) unsafe fn allocate_range<T: FileSystem>(
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
