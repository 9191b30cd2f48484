#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the benchmark programs as static binaries for the busybox VM: the
# Rust one (tests/bench, std, no dependencies) into
# $PDIRFS_CACHE/bench/pdirfs-bench, and the io_uring one
# (tests/bench/uring_dirops.c, liburing) into $PDIRFS_CACHE/bench/uring_dirops.
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
# liburing's own header carries its copy of the io_uring UAPI: no kernel
# headers here.
src=$PDIRFS_ROOT/tests/bench/uring_dirops.c
if [ ! -x "$out/uring_dirops" ] || [ "$src" -nt "$out/uring_dirops" ]; then
	gcc -O2 -g -Wall -Wextra -static -pthread -o "$out/uring_dirops" "$src" -luring
fi
say "io_uring benchmark built: $out/uring_dirops"
