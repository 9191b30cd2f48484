// SPDX-License-Identifier: GPL-2.0

//! File operations of a RAM filesystem's regular files and symbolic links
//! (`read`, `write`, `mmap`, `fallocate`, ...), and their tables.  Every
//! page they add comes from [`super::ram_pages`], charged first.
//!
//! C reference: `mm/shmem.c`, `mm/filemap.c`, `fs/libfs.c` (`ram_aops`).

use super::{
    dir::DirOps,
    fs_type::FileSystem,
    inode::INode,
    ram_pages::{allocate_range, get_or_insert, removing_pages, Charge, PAGE_SHIFT, PAGE_SIZE},
};
use core::ffi::{c_int, c_uint, c_void};
use kernel::{
    bindings,
    error::{from_err_ptr, from_result, to_result},
    prelude::*,
};

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
        // Like a write, fallocate drops setuid/setgid for a caller without
        // CAP_FSETID and sets mtime and ctime, under the inode lock; first,
        // as XFS and ext4 do, so that a failure there changes nothing.
        // SAFETY: `file` is open and its inode locked above.
        let r = to_result(unsafe { bindings::file_modified(file) }).and_then(|()| {
            if mode & bindings::FALLOC_FL_PUNCH_HOLE != 0 {
                // SAFETY: Locked above.  Whole pages inside the range go,
                // the partial ones at its ends are zeroed.
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
            }
        });
        // SAFETY: Locked above.
        unsafe { bindings::inode_unlock(inode.as_raw()) };
        r.map(|()| 0)
    })
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
        llseek: Some(super::seek::llseek),
        fallocate: Some(fallocate::<T>),
        // Leases (F_SETLEASE) and delegations, as on tmpfs: the VFS no
        // longer grants them to a file without `setlease`.
        setlease: Some(bindings::generic_setlease),
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
