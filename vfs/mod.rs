// SPDX-License-Identifier: GPL-2.0

//! Safe abstractions over the Linux VFS, for filesystems on the `_async`
//! directory operation convention.
//!
//! Each filesystem of this repository compiles this layer into its own
//! crate (`#[path = "../vfs/mod.rs"] pub mod vfs;` in the crate root; see
//! the README for why it is not a kernel crate).  It is the only place that
//! contains `unsafe` code: it wraps `kernel::bindings` (the C VFS) in types
//! whose safe methods uphold the C side's rules, in the style of
//! `rust/kernel/`.  The filesystems' own files are compiled with
//! `#![forbid(unsafe_code)]`.
//!
//! - [`fs_type`] has the [`fs_type::FileSystem`] trait and registers a
//!   filesystem type through the mount API (`fs_context`);
//! - [`param`] builds mount parameter tables for `fs_parse()`;
//! - [`sb`] wraps superblocks, [`inode`] inodes, [`mm`] memory facts.

pub mod acl;
pub mod dentry;
pub mod dirop;
pub mod export;
pub mod fileattr;
pub mod fs_type;
pub mod inode;
pub mod mm;
pub mod ops;
pub mod param;
pub mod ram_file;
pub mod sb;
pub mod time;
pub mod xattr;
