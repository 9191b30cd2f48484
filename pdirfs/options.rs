// SPDX-License-Identifier: GPL-2.0

//! Mount options, with tmpfs' spellings: `mode`, `uid`, `gid`, `size`,
//! `nr_inodes`; and pdirfs' own: `dirops=shared|exclusive`,
//! `completion=sync|async`, `latency_us=N`.
//!
//! The layer parses the values (`size=` and `nr_inodes=` are its
//! [`crate::vfs::param::ParamKind::Size`]); the KUnit tests below check
//! them as pdirfs resolves them, without a mount.

#![forbid(unsafe_code)]

use crate::vfs::dirop::{Completion, DiropMode};
use kernel::prelude::*;

/// How pdirfs runs its directory operations: the layer's [`DiropMode`]
/// (`dirops=`, `completion=`) and the round trip pdirfs adds to each
/// (`latency_us=`).  Fixed at mount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DiropOptions {
    /// `dirops=shared` (the default) or `exclusive`.
    pub(crate) shared: bool,
    /// `completion=sync` (the default) or `async`.
    pub(crate) completion: Completion,
    /// `latency_us=`: the injected round trip of every directory-modifying
    /// operation, in microseconds (0: none).
    pub(crate) latency_us: u32,
}

impl DiropOptions {
    /// The defaults: shared, synchronous, no latency.
    pub(crate) fn new() -> Self {
        Self {
            shared: true,
            ..Self::default()
        }
    }

    /// What the VFS layer is told.
    pub(crate) fn mode(&self) -> DiropMode {
        DiropMode {
            shared: self.shared,
            completion: self.completion,
        }
    }
}

/// Largest injected latency: one second.
pub(crate) const MAX_LATENCY_US: u32 = 1_000_000;

/// Default permission bits of the root directory, as tmpfs.
pub(crate) const DEFAULT_MODE: u16 = 0o1777;

/// Options of one pdirfs instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// Permission bits of the root directory.
    pub(crate) mode: u16,
    /// Owner of the root directory (in the initial user namespace).
    pub(crate) uid: u32,
    /// Group of the root directory (in the initial user namespace).
    pub(crate) gid: u32,
    /// Most bytes of file data, counted in whole pages; `None`: unlimited.
    pub(crate) max_bytes: Option<u64>,
    /// Most inodes; `None`: unlimited.
    pub(crate) max_inodes: Option<u64>,
    /// Locking, completion and latency of directory operations.
    pub(crate) dirop: DiropOptions,
    /// readdir primes the dcache with the names it lists.
    pub(crate) readdir_prime: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: DEFAULT_MODE,
            uid: 0,
            gid: 0,
            max_bytes: None,
            max_inodes: None,
            dirop: DiropOptions::new(),
            readdir_prime: true,
        }
    }
}

impl Options {
    /// tmpfs' defaults for a machine with `ram_pages` pages of RAM: half the
    /// RAM for data, and as many inodes as half the RAM has pages.
    pub(crate) fn tmpfs_defaults(ram_pages: u64) -> Self {
        Self {
            max_bytes: Some(ram_pages / 2 * PAGE_SIZE),
            max_inodes: Some(ram_pages / 2),
            ..Self::default()
        }
    }

    /// The `size` limit in pages (rounded up).
    pub(crate) fn max_pages(&self) -> Option<u64> {
        self.max_bytes.map(|b| b.div_ceil(PAGE_SIZE))
    }
}

const PAGE_SIZE: u64 = kernel::page::PAGE_SIZE as u64;

/// Turns a limit where `0` means "unlimited" into an `Option`.
pub(crate) fn limit(n: u64) -> Option<u64> {
    (n != 0).then_some(n)
}

#[kunit_tests(pdirfs_options)]
mod tests {
    use super::*;
    use crate::vfs::param::{parse_size as parse, Size};

    /// `size=` as pdirfs resolves it: a percentage of `ram` bytes.
    fn parse_size(s: &[u8], ram: u64) -> Result<u64> {
        parse(s, true).map(|v| v.of(ram))
    }

    /// `nr_inodes=`: no percentage.
    fn parse_count(s: &[u8]) -> Result<u64> {
        parse(s, false).map(|v| v.of(0))
    }

    const GIB: u64 = 1 << 30;

    #[test]
    fn size_plain_and_suffixes() {
        assert_eq!(parse_size(b"0", GIB), Ok(0));
        assert_eq!(parse_size(b"4096", GIB), Ok(4096));
        assert_eq!(parse_size(b"16k", GIB), Ok(16 << 10));
        assert_eq!(parse_size(b"16K", GIB), Ok(16 << 10));
        assert_eq!(parse_size(b"3m", GIB), Ok(3 << 20));
        assert_eq!(parse_size(b"2G", GIB), Ok(2 << 30));
        assert_eq!(parse_size(b"1t", GIB), Ok(1 << 40));
        assert_eq!(parse_size(b"7e", GIB), Ok(7 << 60));
    }

    #[test]
    fn size_percent_of_ram() {
        assert_eq!(parse_size(b"50%", 8 * GIB), Ok(4 * GIB));
        assert_eq!(parse_size(b"33%", 1000), Ok(330));
        assert_eq!(parse_size(b"100%", u64::MAX), Ok(u64::MAX));
        assert_eq!(parse_size(b"100%", 8 * GIB), Ok(8 * GIB));
        assert_eq!(parse_size(b"0%", 8 * GIB), Ok(0));
        assert_eq!(parse_size(b"101%", 8 * GIB), Err(EINVAL));
    }

    #[test]
    fn size_rejects_garbage_and_overflow() {
        assert_eq!(parse_size(b"", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"k", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"-1", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"12kb", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"1 k", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"0x10", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"18446744073709551615", GIB), Ok(u64::MAX));
        assert_eq!(parse_size(b"18446744073709551616", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"16e", GIB), Err(EINVAL));
        assert_eq!(parse_size(b"15e", GIB), Ok(15 << 60));
    }

    #[test]
    fn defaults_and_pages() {
        let o = Options::tmpfs_defaults(1000);
        assert_eq!(o.max_pages(), Some(500));
        assert_eq!(o.max_inodes, Some(500));
        assert_eq!(o.mode, DEFAULT_MODE);
        let o = Options {
            max_bytes: Some(PAGE_SIZE + 1),
            ..Options::default()
        };
        assert_eq!(o.max_pages(), Some(2));
        assert_eq!(Options::default().max_pages(), None);
    }

    #[test]
    fn count_has_no_percent() {
        assert_eq!(parse(b"10%", true), Ok(Size::Percent(10)));
        assert_eq!(parse_count(b"1000"), Ok(1000));
        assert_eq!(parse_count(b"2k"), Ok(2048));
        assert_eq!(parse_count(b"10%"), Err(EINVAL));
        assert_eq!(limit(0), None);
        assert_eq!(limit(5), Some(5));
    }
}
