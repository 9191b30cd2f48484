// SPDX-License-Identifier: GPL-2.0

//! Safe abstractions over the Linux VFS, used by pdirfs.
//!
//! This module is the only place in pdirfs that contains `unsafe` code: it
//! wraps `kernel::bindings` (the C VFS) in types whose safe methods uphold
//! the C side's rules, in the style of `rust/kernel/`.  The filesystem logic
//! (everything outside `vfs`) is compiled with `#![forbid(unsafe_code)]`.
//!
//! - [`fs_type`] has the [`fs_type::FileSystem`] trait and registers a
//!   filesystem type through the mount API (`fs_context`);
//! - [`param`] builds mount parameter tables for `fs_parse()`;
//! - [`sb`] wraps superblocks, [`inode`] inodes, [`mm`] memory facts.

pub(crate) mod acl;
pub(crate) mod dentry;
pub(crate) mod dirop;
pub(crate) mod export;
pub(crate) mod fileattr;
pub(crate) mod fs_type;
pub(crate) mod inode;
pub(crate) mod mm;
pub(crate) mod ops;
pub(crate) mod param;
pub(crate) mod ram_file;
pub(crate) mod sb;
pub(crate) mod xattr;
