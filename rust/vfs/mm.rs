// SPDX-License-Identifier: GPL-2.0

//! Memory facts the filesystem sizes its limits by.

use kernel::bindings;

/// Total RAM of the machine, in bytes.
pub(crate) fn total_ram_bytes() -> u64 {
    // SAFETY: `totalram_pages()` only reads an atomic counter.
    let pages = unsafe { bindings::totalram_pages() };
    (pages as u64).saturating_mul(kernel::page::PAGE_SIZE as u64)
}
