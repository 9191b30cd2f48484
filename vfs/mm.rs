// SPDX-License-Identifier: GPL-2.0

//! Memory facts the filesystem sizes its limits by.

use kernel::bindings;

/// Total RAM of the machine, in bytes.
pub fn total_ram_bytes() -> u64 {
    // SAFETY: `totalram_pages()` only reads an atomic counter.
    let pages = unsafe { bindings::totalram_pages() };
    (pages as u64).saturating_mul(kernel::page::PAGE_SIZE as u64)
}

/// Total RAM of the machine, in pages.
pub fn total_ram_pages() -> u64 {
    // SAFETY: `totalram_pages()` only reads an atomic counter.
    (unsafe { bindings::totalram_pages() }) as u64
}

/// A random number (for hash seeds).
pub fn random_u64() -> u64 {
    // SAFETY: `get_random_u64()` may be called from any context.
    unsafe { bindings::get_random_u64() }
}
