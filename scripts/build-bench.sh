#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the benchmark program (tests/bench, Rust std, no dependencies) as a
# static binary for the busybox VM, into $PDIRFS_CACHE/bench/pdirfs-bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$PDIRFS_CACHE/bench
mkdir -p "$out"
# glibc static (crt-static): the host's only Rust target; the program uses
# no name resolution, so static glibc is safe.
RUSTFLAGS="-C target-feature=+crt-static" cargo build --quiet --offline --release \
	--manifest-path "$PDIRFS_ROOT/tests/bench/Cargo.toml" \
	--target x86_64-unknown-linux-gnu --target-dir "$out/target"
cp "$out/target/x86_64-unknown-linux-gnu/release/pdirfs-bench" "$out/pdirfs-bench"
say "benchmark built: $out/pdirfs-bench"
