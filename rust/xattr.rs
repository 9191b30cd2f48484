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

/// The extended attributes of one inode.
#[pin_data]
pub(crate) struct Xattrs {
    #[pin]
    list: SpinLock<KVec<Xattr>>,
}

fn copy_of(s: &[u8]) -> Result<KVec<u8>> {
    let mut v = KVec::with_capacity(s.len(), GFP_KERNEL)?;
    v.extend_from_slice(s, GFP_KERNEL)?;
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
    /// and `XATTR_REPLACE`.
    pub(crate) fn set(&self, name: &[u8], value: Option<&[u8]>, flags: u32) -> Result {
        let Some(value) = value else {
            let removed = {
                let mut list = self.list.lock();
                let i = list.iter().position(|x| x.name == name).ok_or(ENODATA)?;
                list.remove(i).map_err(|_| EINVAL)?
            };
            // Freed with the lock released.
            drop(removed);
            return Ok(());
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
            drop(old);
            return Ok(());
        }
    }

    fn reserve_one(&self) -> Result {
        // Read the length in its own statement: the guard must be gone
        // before the allocation.
        let len = self.list.lock().len();
        let mut bigger = KVec::with_capacity(len + 4, GFP_KERNEL)?;
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
