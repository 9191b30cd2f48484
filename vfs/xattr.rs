// SPDX-License-Identifier: GPL-2.0

//! Extended attribute handlers: the `user.`, `trusted.` and `security.`
//! namespaces, forwarded to the filesystem with the full attribute name.
//!
//! C reference: `include/linux/xattr.h`, `fs/xattr.c`.

use super::{fs_type::FileSystem, inode::INode};
use core::ffi::{c_int, c_void};
use kernel::ffi::c_char;
use kernel::{bindings, error::from_result, prelude::*};

/// The handlers of filesystem `T`, terminated by NULL, for `sb->s_xattr`.
pub(super) struct Handlers<T>(core::marker::PhantomData<T>);

/// An array of handler pointers that may live in a `static`.
#[repr(transparent)]
pub(super) struct HandlerTable(pub(super) [*const bindings::xattr_handler; 4]);

// SAFETY: The table is immutable and points to immutable statics.
unsafe impl Sync for HandlerTable {}

impl<T: FileSystem> Handlers<T> {
    const fn handler(prefix: &'static [u8]) -> bindings::xattr_handler {
        bindings::xattr_handler {
            name: core::ptr::null(),
            prefix: prefix.as_ptr(),
            flags: 0,
            list: None,
            get: Some(Self::get),
            set: Some(Self::set),
        }
    }

    const USER: bindings::xattr_handler = Self::handler(bindings::XATTR_USER_PREFIX);
    const TRUSTED: bindings::xattr_handler = Self::handler(bindings::XATTR_TRUSTED_PREFIX);
    const SECURITY: bindings::xattr_handler = Self::handler(bindings::XATTR_SECURITY_PREFIX);

    pub(super) const TABLE: HandlerTable = HandlerTable([
        &Self::USER,
        &Self::TRUSTED,
        &Self::SECURITY,
        core::ptr::null(),
    ]);

    /// The full name ("user.foo") of the attribute `name` ("foo") handled by
    /// `handler`.
    ///
    /// # Safety
    ///
    /// `handler` and `name` must be the ones the VFS passed to a handler call.
    unsafe fn full_name<'a>(
        handler: *const bindings::xattr_handler,
        name: *const c_char,
    ) -> &'a [u8] {
        // SAFETY: Per the requirements, `xattr_full_name()` returns the
        // NUL-terminated full name the VFS parsed, valid during the call.
        unsafe { CStr::from_char_ptr(bindings::xattr_full_name(handler, name)).to_bytes() }
    }

    /// `xattr_handler::get`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with an inode of ours and a kernel buffer of `size`
    /// bytes (or NULL and 0 to ask for the size).
    unsafe extern "C" fn get(
        handler: *const bindings::xattr_handler,
        _dentry: *mut bindings::dentry,
        inode: *mut bindings::inode,
        name: *const c_char,
        buffer: *mut c_void,
        size: usize,
    ) -> c_int {
        from_result(|| {
            // SAFETY: Per the function's requirements.
            let (inode, name, buf) = unsafe {
                (
                    INode::<T>::from_raw(inode),
                    Self::full_name(handler, name),
                    (!buffer.is_null() && size > 0)
                        .then(|| core::slice::from_raw_parts_mut(buffer.cast::<u8>(), size)),
                )
            };
            let n = T::xattr_get(inode, name, buf)?;
            i32::try_from(n).map_err(|_| E2BIG)
        })
    }

    /// `xattr_handler::set`; a NULL `value` removes the attribute.
    ///
    /// # Safety
    ///
    /// Called by the VFS with an inode of ours (locked) and `value` valid
    /// for `size` bytes or NULL.
    #[allow(clippy::too_many_arguments)]
    unsafe extern "C" fn set(
        handler: *const bindings::xattr_handler,
        _idmap: *mut bindings::mnt_idmap,
        _dentry: *mut bindings::dentry,
        inode: *mut bindings::inode,
        name: *const c_char,
        value: *const c_void,
        size: usize,
        flags: c_int,
    ) -> c_int {
        from_result(|| {
            // SAFETY: Per the function's requirements.
            let (inode, name, value) = unsafe {
                (
                    INode::<T>::from_raw(inode),
                    Self::full_name(handler, name),
                    (!value.is_null())
                        .then(|| core::slice::from_raw_parts(value.cast::<u8>(), size)),
                )
            };
            T::xattr_set(inode, name, value, flags as u32)?;
            inode.touch_ctime();
            Ok(0)
        })
    }
}

/// `inode_operations::listxattr`.
///
/// # Safety
///
/// Called by the VFS with a positive dentry of ours and a kernel buffer of
/// `size` bytes (or NULL and 0 to ask for the size).
pub(super) unsafe extern "C" fn listxattr<T: FileSystem>(
    dentry: *mut bindings::dentry,
    buffer: *mut c_char,
    size: usize,
) -> isize {
    from_result(|| {
        // SAFETY: Per the function's requirements.
        let (inode, buf) = unsafe {
            (
                INode::<T>::from_raw(bindings::d_inode(dentry)),
                (!buffer.is_null() && size > 0)
                    .then(|| core::slice::from_raw_parts_mut(buffer.cast::<u8>(), size)),
            )
        };
        // SAFETY: `capable()` checks the current task.
        let trusted = unsafe { bindings::capable(bindings::CAP_SYS_ADMIN as c_int) };
        let mut buf = buf;
        let acls = super::acl::list(inode, buf.as_deref_mut())?;
        let rest = buf.map(|b| &mut b[acls..]);
        let n = acls + T::xattr_list(inode, trusted, rest)?;
        isize::try_from(n).map_err(|_| E2BIG)
    })
}
