// SPDX-License-Identifier: GPL-2.0

//! Extended attributes (`user.`, `trusted.`, `security.`), kept per inode.
//!
//! The VFS checks who may read or write which namespace (`xattr_permission()`:
//! `trusted.` needs `CAP_SYS_ADMIN`, `user.` only on files and directories);
//! here we store them, and hide `trusted.` names from unprivileged listings
//! as tmpfs does.  A handful of attributes per inode is the common case, so a
//! short vector is the store.

#![forbid(unsafe_code)]

use kernel::{bindings, new_spinlock, prelude::*, sync::SpinLock};

struct Xattr {
    /// Full name, with its namespace prefix.
    name: KVec<u8>,
    value: KVec<u8>,
}

impl Xattr {
    fn space(&self) -> u64 {
        space(self.name.len(), self.value.len())
    }
}

/// What an attribute with a `name_len`-byte name and a `value_len`-byte
/// value counts against the instance's inode space (`nr_inodes`), as
/// tmpfs' `simple_xattr_space()`: the name, the value and the bookkeeping.
pub(crate) fn space(name_len: usize, value_len: usize) -> u64 {
    (core::mem::size_of::<Xattr>() + name_len + 1 + value_len) as u64
}

/// The extended attributes of one inode.
#[pin_data]
pub(crate) struct Xattrs {
    #[pin]
    list: SpinLock<KVec<Xattr>>,
}

fn copy_of(s: &[u8]) -> Result<KVec<u8>> {
    // Charged to the caller's memory cgroup, as tmpfs' xattrs are.
    let mut v = KVec::with_capacity(s.len(), GFP_KERNEL_ACCOUNT)?;
    v.extend_from_slice(s, GFP_KERNEL_ACCOUNT)?;
    Ok(v)
}

/// Copies `src` into `buf` as `getxattr()`/`listxattr()` do: with no buffer,
/// only the size is returned; too small a buffer is `ERANGE`.
fn copy_out(src: &[u8], buf: Option<&mut [u8]>) -> Result<usize> {
    if let Some(buf) = buf {
        buf.get_mut(..src.len()).ok_or(ERANGE)?.copy_from_slice(src);
    }
    Ok(src.len())
}

impl Xattrs {
    /// No attributes.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            list <- new_spinlock!(KVec::new(), "pdirfs_xattrs"),
        })
    }

    /// The value of `name`, copied into `buf`.
    pub(crate) fn get(&self, name: &[u8], buf: Option<&mut [u8]>) -> Result<usize> {
        let list = self.list.lock();
        let x = list.iter().find(|x| x.name == name).ok_or(ENODATA)?;
        copy_out(&x.value, buf)
    }

    /// Sets (`Some`) or removes (`None`) `name`; `flags` are `XATTR_CREATE`
    /// and `XATTR_REPLACE`.  Returns the [`space`] of the attribute it
    /// replaced or removed (0 if none).
    pub(crate) fn set(&self, name: &[u8], value: Option<&[u8]>, flags: u32) -> Result<u64> {
        let Some(value) = value else {
            let removed = {
                let mut list = self.list.lock();
                let i = list.iter().position(|x| x.name == name).ok_or(ENODATA)?;
                list.remove(i).map_err(|_| EINVAL)?
            };
            // Freed with the lock released.
            let freed = removed.space();
            drop(removed);
            return Ok(freed);
        };
        let mut new = Some(Xattr {
            name: copy_of(name)?,
            value: copy_of(value)?,
        });
        loop {
            let old = {
                let mut list = self.list.lock();
                match list.iter_mut().find(|x| x.name == name) {
                    Some(_) if flags & bindings::XATTR_CREATE != 0 => return Err(EEXIST),
                    Some(x) => {
                        let Some(n) = new.take() else {
                            return Err(EINVAL);
                        };
                        Some(core::mem::replace(x, n))
                    }
                    None if flags & bindings::XATTR_REPLACE != 0 => return Err(ENODATA),
                    None => {
                        if list.len() < list.capacity() {
                            if let Some(n) = new.take() {
                                // Within capacity: no allocation under the lock.
                                list.push(n, GFP_NOWAIT)?;
                            }
                            None
                        } else {
                            drop(list);
                            // Grow with the lock released, then try again.
                            self.reserve_one()?;
                            continue;
                        }
                    }
                }
            };
            let freed = old.as_ref().map_or(0, Xattr::space);
            drop(old);
            return Ok(freed);
        }
    }

    /// The [`space`] of all the attributes.
    pub(crate) fn space(&self) -> u64 {
        self.list.lock().iter().map(Xattr::space).sum()
    }

    fn reserve_one(&self) -> Result {
        // Read the length in its own statement: the guard must be gone
        // before the allocation.
        let len = self.list.lock().len();
        let mut bigger = KVec::with_capacity(len + 4, GFP_KERNEL_ACCOUNT)?;
        let mut list = self.list.lock();
        if bigger.capacity() > list.len() && list.capacity() == list.len() {
            for x in list.drain_all() {
                // `bigger` has room for all of them: no allocation.
                bigger.push(x, GFP_NOWAIT)?;
            }
            core::mem::swap(&mut *list, &mut bigger);
        }
        drop(list);
        // The old, empty vector is freed here, unlocked.
        drop(bigger);
        Ok(())
    }

    /// The names, NUL-terminated, concatenated into `buf`; `trusted.` names
    /// only if `trusted`.
    pub(crate) fn list(&self, trusted: bool, mut buf: Option<&mut [u8]>) -> Result<usize> {
        let list = self.list.lock();
        let mut len = 0;
        for x in list.iter() {
            if !trusted && x.name.starts_with(b"trusted.") {
                continue;
            }
            let n = x.name.len() + 1;
            if let Some(b) = buf.as_deref_mut() {
                let dst = b.get_mut(len..len + n).ok_or(ERANGE)?;
                dst[..n - 1].copy_from_slice(&x.name);
                dst[n - 1] = 0;
            }
            len += n;
        }
        Ok(len)
    }
}
