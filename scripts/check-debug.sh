#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: every test on the debug kernel, then a stress run.
#
# The debug kernel is pdirfs.config plus scripts/kconfig/debug.config (KASAN,
# kmemleak, DEBUG_LIST, DEBUG_OBJECTS, UBSAN, failslab/fail_page_alloc, and
# lockdep as always), built in $PDIRFS_CACHE/build-debug and cached like the
# normal one.  The module is built against it from a copy of the sources in
# $PDIRFS_CACHE/module-debug, so the checkout's own pdirfs/pdirfs.ko is not
# touched.
#
# On it, in two VM boots: the whole `make check` suite, where the
# fault-injection variants of tests/shadow_stress.c run instead of
# skipping, then kmemleak; and the stress mode (STRESS_SECONDS, default
# 120, per mode) with its own kmemleak scan.  Any KASAN, UBSAN, kmemleak,
# lockdep or WARN line fails the run (scripts/vm-results.py).
#
#   scripts/check-debug.sh --build   only build the debug kernel and module
set -euo pipefail
export PDIRFS_DEBUG_KERNEL=1
. "$(dirname "$0")/lib.sh"

"$PDIRFS_ROOT/scripts/build-kernel.sh"
build_module_copy
"$PDIRFS_ROOT/scripts/build-tests.sh"
"$PDIRFS_ROOT/scripts/build-bench.sh"
[ "${1:-}" = --build ] && exit 0

start=$(date +%s)
rc=0
# KASAN and kmemleak make everything several times slower under TCG.
PDIRFS_VM_TIMEOUT=${PDIRFS_VM_TIMEOUT:-5400} "$PDIRFS_ROOT/scripts/vm-run.sh" check || rc=1
say "suite on the debug kernel: $(( $(date +%s) - start )) s"
s2=$(date +%s)
PDIRFS_VM_APPEND="pdirfs.stress_seconds=${STRESS_SECONDS:-120}" \
	PDIRFS_VM_TIMEOUT=${PDIRFS_VM_TIMEOUT:-5400} "$PDIRFS_ROOT/scripts/vm-run.sh" stress || rc=1
say "stress on the debug kernel: $(( $(date +%s) - s2 )) s; total $(( $(date +%s) - start )) s"
exit $rc
