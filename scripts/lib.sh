# SPDX-License-Identifier: GPL-2.0
# Shared settings for the pdirfs scripts.  Sourced, not run.
#
# Everything built lives outside the repository, in $PDIRFS_CACHE, so that a
# fresh clone on the same machine (CI) reuses it and `git clean` never costs a
# kernel build.

PDIRFS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PDIRFS_CACHE=${PDIRFS_CACHE:-/var/cache/pdirfs}
KSRC=${KSRC:-$PDIRFS_CACHE/linux}          # git tree: base commit + patches/series
KBUILD_OUT=${KBUILD_OUT:-$PDIRFS_CACHE/build}  # O= directory of the kernel build
# PDIRFS_DEBUG_KERNEL=1: the debug kernel of `make check-debug`
# (scripts/kconfig/debug.config on top); PDIRFS_BENCH_KERNEL=1: the benchmark
# kernel of `make bench` (scripts/kconfig/bench.config on top: no lockdep).
# Each is built beside the test kernel, with the modules built against it out
# of the source tree.
kernel_flavour() {
	KBUILD_OUT=$PDIRFS_CACHE/build-$1
	export PDIRFS_KCONFIG_EXTRA=$PDIRFS_ROOT/scripts/kconfig/$1.config
	PDIRFS_MODULE_OUT=$PDIRFS_CACHE/module-$1
	export PDIRFS_MODULE=$PDIRFS_MODULE_OUT/pdirfs/pdirfs.ko
	export PDIRFS_SAMPLE_MODULE=$PDIRFS_MODULE_OUT/samples/rust/asyncfs.ko
	export PDIRFS_VM_LOG_SUFFIX=-$1
}
if [ "${PDIRFS_DEBUG_KERNEL:-0}" = 1 ]; then kernel_flavour debug; fi
if [ "${PDIRFS_BENCH_KERNEL:-0}" = 1 ]; then kernel_flavour bench; fi
KERNEL_TARBALL=/usr/src/linux-source-7.3.tar.xz
BASE_TAG=pdirfs-base
WORK_BRANCH=pdirfs

export LLVM=-19
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
export RUST_LIB_SRC=/usr/lib/rustlib/src/rust/library
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The kernel's make, with the toolchain settings every invocation needs.
kmake() {
	make -C "$KSRC" O="$KBUILD_OUT" LLVM="$LLVM" RUST_LIB_SRC="$RUST_LIB_SRC" "$@"
}

# Builds the modules against $KBUILD_OUT from a copy of the sources in
# $PDIRFS_MODULE_OUT (kbuild's M= needs a directory without the outputs of
# another build; cp -p keeps the times, so the copy rebuilds only what
# changed).  For the debug and benchmark kernels.
build_module_copy() {
	mkdir -p "$PDIRFS_MODULE_OUT"
	(cd "$PDIRFS_ROOT" && cp -p --parents Kbuild pdirfs/Kbuild pdirfs/*.rs vfs/*.rs \
		samples/rust/Kbuild samples/rust/*.rs "$PDIRFS_MODULE_OUT/")
	make -s -C "$KBUILD_OUT" M="$PDIRFS_MODULE_OUT" LLVM="$LLVM" \
		RUST_LIB_SRC="$RUST_LIB_SRC" CLIPPY=1 KRUSTFLAGS=-Dwarnings modules
	[ -f "$PDIRFS_MODULE" ] || die "module not built at $PDIRFS_MODULE"
}

# Boots the Debian guest of the fstests and fs_mark runs: $1 seconds at
# most, kernel $2, root image $3 (never written: snapshot=on), job disk $4
# (the guest's /pdirfs-init runs the job.sh on it and powers off).  The
# console goes to stdout.
debian_guest() {
	timeout --foreground -k 10 "$1" qemu-system-x86_64 -machine pc -smp 2 -m 4G \
		-display none -monitor none -serial stdio -no-reboot \
		-accel tcg,thread=multi -cpu max -kernel "$2" \
		-append "console=ttyS0 loglevel=4 panic=-1 root=/dev/vda rw rootfstype=ext4 init=/pdirfs-init" \
		-drive "file=$3,if=virtio,format=raw,snapshot=on" \
		-drive "file=$4,if=virtio,format=raw,readonly=on" </dev/null
}
