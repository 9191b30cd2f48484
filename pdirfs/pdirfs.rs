// SPDX-License-Identifier: GPL-2.0

//! pdirfs: a RAM filesystem for parallel directory operations.
//!
//! The crate has two layers:
//! - [`vfs`]: safe abstractions over the C VFS, shared with the other
//!   filesystems of this repository (`vfs/` at its top; see `vfs/mod.rs`);
//!   all `unsafe` code is there.
//! - everything else: the filesystem itself, with `#![forbid(unsafe_code)]`.

mod dir;
mod index;
mod node;
mod options;
mod super_;
#[path = "../vfs/mod.rs"]
pub mod vfs;
mod xattr;

use kernel::prelude::*;

module! {
    type: PdirfsModule,
    name: "pdirfs",
    authors: ["pdirfs developers"],
    description: "RAM filesystem for parallel directory operations",
    license: "GPL",
}

#[pin_data]
struct PdirfsModule {
    #[pin]
    fs: vfs::registration::Registration<super_::Pdirfs>,
}

impl kernel::InPlaceModule for PdirfsModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            fs <- vfs::registration::Registration::new(module),
        })
    }
}
