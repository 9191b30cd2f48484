# SPDX-License-Identifier: GPL-2.0
#
# pdirfs: top-level entry points.  (kbuild reads ./Kbuild, not this file.)
#
#   make run     boot the test VM with pdirfs mounted and show a short demo
#   make check   build everything and run all tests in the VM
#   make bench   run the parallel metadata benchmark in the VM (long)
#   make bench-uring  only its io_uring part (issue 19)
#   make stress  the shadow-model stress, STRESS_SECONDS (600) per mode
#   make check-debug  all tests + stress on a KASAN/kmemleak/UBSAN kernel
#   make fstests the fstests quick group in a Debian guest (long)
#
# The first run installs the toolchain (scripts/setup-toolchain.sh), builds
# the patched kernel (about 25 minutes on 2 cores) and caches it in
# $(PDIRFS_CACHE); later runs reuse it.

PDIRFS_CACHE ?= /var/cache/pdirfs
export PDIRFS_CACHE
KDIR ?= $(PDIRFS_CACHE)/build
KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=-19 RUST_LIB_SRC=/usr/lib/rustlib/src/rust/library

.PHONY: all setup tree kernel module tests bench-bin bench bench-uring objcheck model run check clippy fstests fstests-check \
	stress stress-debug check-debug docs-check \
	rustfmt rustfmtcheck rust-analyzer unsafe-check lint clean

all: module

setup:
	@scripts/setup-toolchain.sh

tree: setup
	@scripts/prepare-tree.sh

kernel: tree
	@scripts/build-kernel.sh

# The module is always built through clippy-driver with warnings as errors
# (CLIPPY=1): one build, linted, and no flip-flopping between two command
# lines that would make kbuild rebuild each time.
module: kernel
	$(KMAKE) CLIPPY=1 KRUSTFLAGS=-Dwarnings modules

tests: kernel bench-bin
	@scripts/build-tests.sh

# The benchmark program (tests/bench); `make check` runs a smoke test of it.
bench-bin: setup
	@scripts/build-bench.sh

# The benchmark: every configuration in one VM boot, then the report
# (table, ratios, targets, JSON and PNG in $(PDIRFS_CACHE)/bench/).
# BENCH_THREADS, BENCH_FILES, BENCH_REPS and BENCH_WALK size it; BENCH_ONLY
# picks parts of it (scripts/bench.sh).
bench: module tests
	@scripts/bench.sh

# Only its io_uring part (issue 19): io_uring against threads, 1-256 in
# flight with a 20 ms round trip, and chmod with 64 in flight.
bench-uring: module tests
	@scripts/bench.sh --uring

# The long randomized stress, checked against its shadow model
# (tests/shadow_stress.c): all modes at once, STRESS_SECONDS each.
stress: module tests
	@scripts/stress.sh

stress-debug: tree
	@PDIRFS_DEBUG_KERNEL=1 scripts/stress.sh

# The debug kernel (KASAN, kmemleak, DEBUG_LIST/OBJECTS, UBSAN, fault
# injection, lockdep), built beside the normal one: every test, the
# fault-injection stress, a stress run and kmemleak scans.  Not part of
# `make check` (the KASAN kernel is another ~30 minute build).
check-debug: tree
	@scripts/check-debug.sh

# fstests (the filesystem community's suite) in the Debian guest, on pdirfs
# in each mode and on tmpfs; FSTESTS_TESTS, FSTESTS_CONFIGS and
# FSTESTS_TIMEOUT narrow it (scripts/fstests.sh).
fstests: module
	@scripts/fstests.sh

# Every C file the patches change, compiled with all affected filesystems.
objcheck: tree
	@scripts/check-objects.sh

run: module tests
	@scripts/vm-run.sh demo

# The Promela model of the shared-lock protocol (spin); its TAP is counted
# with the VM's results, so a failure shows in the summary line.
MODEL_TAP = $(PDIRFS_CACHE)/model.tap
model: setup
	@mkdir -p $(PDIRFS_CACHE)
	@scripts/check-model.sh > $(MODEL_TAP) 2>&1; echo "# exit status $$?" >> $(MODEL_TAP); \
		grep -E '^(not )?ok' $(MODEL_TAP) | cut -c1-100

# The fstests subset of make check: the quick tests of the dir and rename
# groups (except generic/001, 185 s, and what excludes itself on a RAM
# filesystem), the tmpfs features fstests found missing (chattr,
# SEEK_DATA/HOLE, ACLs, file handles) and byte-string names, on every
# configuration; about 13 minutes in the guest.  Its TAP is counted with
# the VM's results; a guest that could not be built or run shows there
# as a failure.
FSTESTS_CHECK_TESTS = generic/005 generic/006 generic/007 generic/011 generic/078 \
	generic/079 generic/105 generic/245 generic/257 generic/285 generic/426 \
	generic/453 generic/471 generic/637 generic/736
FSTESTS_TAP = $(PDIRFS_CACHE)/fstests.tap
fstests-check: module
	@rm -f $(FSTESTS_TAP)
	@FSTESTS_TESTS="$(FSTESTS_CHECK_TESTS)" FSTESTS_TIMEOUT=300 scripts/fstests.sh \
		--tap $(FSTESTS_TAP) > $(PDIRFS_CACHE)/fstests-check.log 2>&1 || true
	@grep -E '^== |passed, .* failed' $(PDIRFS_CACHE)/fstests-check.log || true
	@[ -s $(FSTESTS_TAP) ] || echo "not ok 1 - fstests subset: no results, see $(PDIRFS_CACHE)/fstests-check.log" > $(FSTESTS_TAP)

check: lint objcheck tests model fstests-check
	@scripts/vm-run.sh check --tap model=$(MODEL_TAP) --tap fstests=$(FSTESTS_TAP)

# Lints on the module source; CLIPPY=1 makes kbuild run clippy-driver.
# `make module` already is the clippy build.
clippy: module

# rustfmt with the kernel's own settings; it follows `mod` from the root.
RUSTFMT = rustfmt --edition 2021 --config-path $(PDIRFS_CACHE)/linux/.rustfmt.toml pdirfs/pdirfs.rs samples/rust/asyncfs.rs

rustfmt: tree
	$(RUSTFMT)

rustfmtcheck: tree
	$(RUSTFMT) --check

# `unsafe` is allowed only in vfs/ (the abstraction layer); every other
# file must carry #![forbid(unsafe_code)] so the compiler enforces it.
unsafe-check:
	@scripts/check-unsafe.sh

# The repository's copies of documents a kernel patch adds must match the
# patched tree (their one source; scripts/export-patches.sh writes them).
docs-check: tree
	@scripts/check-docs.sh

lint: rustfmtcheck clippy unsafe-check docs-check

rust-analyzer: kernel
	$(KMAKE) rust-analyzer

clean:
	$(KMAKE) clean
