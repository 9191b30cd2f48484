#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the userspace programs that run inside the VM: the kselftest-harness
# tests in tests/*.c and the samples in samples/userspace/*.c, as static
# binaries (the VM's
# userspace is a bare busybox initramfs, with no libc of its own).
# Headers: the patched kernel's UAPI (make headers) and the prepared tree's
# tools/testing/selftests/kselftest_harness.h.  liburing (Debian's
# liburing-dev, static) for the io_uring tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$PDIRFS_CACHE/tests
hdr=$KBUILD_OUT/usr/include
mkdir -p "$out"
if [ ! -f "$hdr/linux/mount.h" ] || [ "$hdr/linux/mount.h" -ot "$KBUILD_OUT/.pdirfs-build-key" ]; then
	kmake -s headers
fi
CFLAGS=(-O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-misleading-indentation -static -pthread -D_GNU_SOURCE
	-isystem "$hdr" -I "$KSRC/tools/testing/selftests" -I "$PDIRFS_ROOT/tests")
n=0
for src in "$PDIRFS_ROOT"/tests/*.c; do
	[ -e "$src" ] || continue
	bin=$out/$(basename "$src" .c)
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ -n "$(find "$PDIRFS_ROOT/tests" -name '*.h' -newer "$bin")" ]; then
		gcc "${CFLAGS[@]}" -o "$bin" "$src" -luring
		n=$((n + 1))
	fi
done
mkdir -p "$out/samples"
for src in "$PDIRFS_ROOT"/samples/userspace/*.c; do
	[ -e "$src" ] || continue
	bin=$out/samples/$(basename "$src" .c)
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		gcc -O2 -g -Wall -Wextra -static -pthread -o "$bin" "$src"
		n=$((n + 1))
	fi
done
say "tests up to date in $out ($n rebuilt)"
