// SPDX-License-Identifier: GPL-2.0

//! `SEEK_DATA`/`SEEK_HOLE` of regular files from the page cache, as tmpfs.
//!
//! C reference: `shmem_file_llseek()` in `mm/shmem.c`,
//! `mapping_seek_hole_data()` in `mm/filemap.c`.

use core::ffi::c_int;
use kernel::bindings;

/// `llseek` of regular files: `SEEK_DATA`/`SEEK_HOLE` from the page cache,
/// as tmpfs does.
///
/// # Safety
///
/// Only called by the VFS through the operation tables, with the
/// arguments and locks `Documentation/filesystems/locking.rst` lists.
pub(super) unsafe extern "C" fn llseek(
    file: *mut bindings::file,
    offset: bindings::loff_t,
    whence: c_int,
) -> bindings::loff_t {
    let whence_u = whence as u32;
    if whence_u != bindings::SEEK_DATA && whence_u != bindings::SEEK_HOLE {
        // SAFETY: `file` is an open file of ours.
        return unsafe { bindings::generic_file_llseek(file, offset, whence) };
    }
    // SAFETY: `file` is an open regular file of ours; the VFS holds no lock,
    // so take the inode lock as shmem_file_llseek() does.
    unsafe {
        let inode = bindings::file_inode(file);
        bindings::inode_lock(inode);
        let size = bindings::i_size_read(inode);
        let mut off = if offset < 0 || offset >= size {
            -bindings::loff_t::from(bindings::ENXIO)
        } else {
            seek_hole_data(
                (*file).f_mapping,
                offset,
                size,
                whence_u == bindings::SEEK_DATA,
            )
        };
        if off >= 0 {
            off = bindings::vfs_setpos(file, off, bindings::MAX_LFS_FILESIZE);
        }
        bindings::inode_unlock(inode);
        off
    }
}

/// The next data (`data`) or hole at or after `start` and before `end` in
/// `mapping`, as `mapping_seek_hole_data()` (which is not exported) finds
/// it: present, uptodate folios are data; a hole runs to `end`.  Returns
/// `-ENXIO` when there is no data.
///
/// # Safety
///
/// `mapping` must be the mapping of a live inode whose `i_rwsem` is held.
unsafe fn seek_hole_data(
    mapping: *mut bindings::address_space,
    start: i64,
    end: i64,
    data: bool,
) -> i64 {
    let page = kernel::page::PAGE_SIZE as i64;
    let last = ((end - 1) / page) as usize;
    let mut index = (start / page) as usize;
    if !data {
        // The first index after the run of folios that starts at `index`
        // (`page_cache_next_miss()` cannot say this: it answers 0 when the
        // page at index 0 is present, which made SEEK_HOLE from inside
        // the first page return a hole there).
        let mut batch = bindings::folio_batch::default();
        loop {
            let from = index;
            // SAFETY: `mapping` is valid; `batch` is empty, and is filled
            // with referenced folios contiguous from `index` on, advancing
            // `index` past the last of them.
            let n = unsafe {
                bindings::filemap_get_folios_contig(mapping, &mut index, last, &mut batch)
            };
            // SAFETY: Drops the batch's references and empties it.
            unsafe { bindings::__folio_batch_release(&mut batch) };
            batch.nr = 0;
            batch.i = 0;
            if n == 0 || index == 0 || index > last {
                // A gap at `index` (or the run reached the end: the
                // implicit hole at the end of the file).
                let hole = if n == 0 { from } else { index };
                return (hole as i64 * page).clamp(start, end);
            }
        }
    }
    let mut batch = bindings::folio_batch::default();
    loop {
        // SAFETY: `mapping` is valid; `batch` is an empty batch, which
        // `filemap_get_folios()` fills with referenced folios from `index`
        // on, advancing `index`.
        let n = unsafe { bindings::filemap_get_folios(mapping, &mut index, last, &mut batch) };
        if n == 0 {
            return -i64::from(bindings::ENXIO);
        }
        let mut found = None;
        for &folio in &batch.folios[..batch.nr as usize] {
            // SAFETY: The batch holds a reference on each of its folios.
            if unsafe { bindings::folio_test_uptodate(folio) } {
                // SAFETY: As above.
                found = Some(unsafe { bindings::folio_pos(folio) });
                break;
            }
        }
        // SAFETY: Drops the batch's references and empties it.
        unsafe { bindings::__folio_batch_release(&mut batch) };
        batch.nr = 0;
        batch.i = 0;
        if let Some(pos) = found {
            return pos.max(start);
        }
        if index == 0 || index > last {
            return -i64::from(bindings::ENXIO);
        }
    }
}
