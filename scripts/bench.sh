#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boots one VM that runs the same workload on pdirfs (shared,
# sync), pdirfs (shared, async, latency_us=1000), pdirfs exclusive with the
# same latency, pdirfs exclusive without latency and tmpfs, plus the
# ls -l walk with readdir priming on and off; then prints the report and
# writes $PDIRFS_CACHE/bench/results.json and bench.png; then fs_mark in
# the Debian guest (scripts/bench-fsmark.sh).
#
# Both run on the benchmark kernel (scripts/kconfig/bench.config: the test
# kernel without lockdep), built and cached beside the test kernel, with
# the module built against it.  PDIRFS_BENCH_KERNEL=0 runs them on the
# lockdep test kernel instead (labelled so in the report).
#
#   scripts/bench.sh --uring   (make bench-uring) only the io_uring part:
#                              io_uring against threads, 1-256 in flight
#   BENCH_ONLY=a,b,...         only these parts, for a quick comparison:
#                              configurations of tests/vm-tests.sh (say
#                              pdirfs_sync_1t), "walk", "uring", "fsmark"
set -euo pipefail
export PDIRFS_BENCH_KERNEL=${PDIRFS_BENCH_KERNEL:-1}
. "$(dirname "$0")/lib.sh"

if [ "$PDIRFS_BENCH_KERNEL" = 1 ]; then
	"$PDIRFS_ROOT/scripts/build-kernel.sh"
	build_module_copy
fi
kernel_label=$([ "$PDIRFS_BENCH_KERNEL" = 1 ] && echo "benchmark kernel (no lockdep)" || echo "test kernel (lockdep)")
export BENCH_KERNEL_LABEL=$kernel_label

threads=${BENCH_THREADS:-1,2,4,8,16,32,64}
files=${BENCH_FILES:-128}
reps=${BENCH_REPS:-3}
walk=${BENCH_WALK:-100000}
out=$PDIRFS_CACHE/bench
mkdir -p "$out"

# matplotlib for the plot, from PyPI, in a venv of its own (idempotent).
venv=$PDIRFS_CACHE/venv
if [ ! -x "$venv/bin/python3" ] || ! "$venv/bin/python3" -c 'import matplotlib' 2>/dev/null; then
	say "installing matplotlib into $venv (for the plot)"
	python3 -m venv "$venv" && "$venv/bin/pip" install --quiet matplotlib ||
		say "matplotlib not installed: the report will have no PNG"
fi
py=python3
[ -x "$venv/bin/python3" ] && py=$venv/bin/python3

if [ "${1:-}" = --uring ]; then
	say "io_uring benchmark on the $kernel_label"
	PDIRFS_VM_TIMEOUT=${PDIRFS_VM_TIMEOUT:-3600} "$PDIRFS_ROOT/scripts/vm-run.sh" bench-uring
	python3 "$PDIRFS_ROOT/scripts/bench-report.py" --uring \
		"$PDIRFS_CACHE/vm-bench-uring${PDIRFS_VM_LOG_SUFFIX:-}.log" "$out"
	exit
fi

say "benchmark: threads=$threads files/thread=$files reps=$reps walk=$walk"
PDIRFS_VM_TIMEOUT=${PDIRFS_VM_TIMEOUT:-10800} \
PDIRFS_VM_APPEND="pdirfs.threads=$threads pdirfs.files=$files pdirfs.reps=$reps pdirfs.walk=$walk${BENCH_ONLY:+ pdirfs.only=$BENCH_ONLY}" \
	"$PDIRFS_ROOT/scripts/vm-run.sh" bench
rc=0
"$py" "$PDIRFS_ROOT/scripts/bench-report.py" "$PDIRFS_CACHE/vm-bench${PDIRFS_VM_LOG_SUFFIX:-}.log" "$out" || rc=1
say "kernel: $kernel_label"
if [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *,fsmark,* ]]; then
	"$PDIRFS_ROOT/scripts/bench-fsmark.sh" || rc=1
fi
exit $rc
