#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: the shadow-model stress (tests/shadow_stress.c) in the sync,
# async, async+latency, exclusive and io_uring modes at once in one VM, each for
# STRESS_SECONDS (default 600), on the normal kernel; with
# PDIRFS_DEBUG_KERNEL=1 on the debug one (make stress-debug), where the
# fault-injection variants and a kmemleak scan follow.  Progress every 30
# seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${STRESS_SECONDS:-600}
[ "${PDIRFS_DEBUG_KERNEL:-0}" = 1 ] && "$PDIRFS_ROOT/scripts/check-debug.sh" --build
start=$(date +%s)
PDIRFS_VM_APPEND="pdirfs.stress_seconds=$secs" \
	PDIRFS_VM_TIMEOUT=${PDIRFS_VM_TIMEOUT:-$((secs * 3 + 1800))} \
	"$PDIRFS_ROOT/scripts/vm-run.sh" stress
