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
//! One file per VFS object or concept:
//! - [`fs_type`]: the [`fs_type::FileSystem`] trait, what an instance is
//!   set up with; [`registration`]: registering a type, the mount API;
//!   [`param`]: mount parameter tables for `fs_parse()`;
//! - [`sb`]: superblocks; [`inode`]: inodes, new inodes, eviction;
//!   [`dentry`]: dentries and idmaps;
//! - [`dir`]: the [`dir::DirOps`] trait and `->lookup`; `dir_methods`:
//!   the C methods of directory changes, synchronous and `_async`;
//!   [`dirop`]: running an `_async` operation and completing it from a
//!   work item; [`readdir`]: listings and dcache priming;
//! - [`tables`]: which operation tables an inode gets
//!   ([`tables::InodeOps`]); `attr`: `getattr`, `setattr`;
//! - [`ram_file`]: file operations of RAM files (page cache only), with
//!   `ram_pages` (every page charged before it is added) and `seek`
//!   (`SEEK_DATA`/`SEEK_HOLE`);
//! - [`xattr`], [`acl`], [`fileattr`] (`chattr`), [`export`] (file
//!   handles), [`mm`] (memory facts), [`time`] (sleeping).

pub mod acl;
mod attr;
pub mod dentry;
pub mod dir;
mod dir_methods;
pub mod dirop;
pub mod export;
pub mod fileattr;
pub mod fs_type;
pub mod inode;
pub mod mm;
pub mod param;
pub mod ram_file;
mod ram_pages;
pub mod readdir;
pub mod registration;
pub mod sb;
mod seek;
pub mod tables;
pub mod time;
pub mod xattr;
