#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The fs_mark part of make bench: fs_mark (Debian's fsmark package, its
# binary taken from the .deb) in the Debian guest of make fstests, booted
# with the kernel and module of the environment (make bench: the benchmark
# kernel, PDIRFS_BENCH_KERNEL=1).
# Prints a table of files/s (median of the iterations) and the fs_mark
# targets with PASS/FAIL, and writes $PDIRFS_CACHE/bench/fsmark.json.
#
#   FSMARK_THREADS   threads, one shared directory (default 1 2 4 8 16)
#   FSMARK_FILES     files per thread and iteration (default 2000)
#   FSMARK_REPS      iterations (default 3)
#   FSMARK_LAT_THREADS, FSMARK_LAT_FILES   the same with latency_us=20000
#                    (default 1 8 16, and 16 files per thread)
#   FSMARK_PROFILE   0: no profile; otherwise the profile's sampling rate
#                    and files per thread (default "2000 20000"), reported
#                    by scripts/bench-profile.py in $PDIRFS_CACHE/bench/profile.md
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$PDIRFS_CACHE/bench
mkdir -p "$out"
kernel=$KBUILD_OUT/arch/x86/boot/bzImage
module=${PDIRFS_MODULE:-$PDIRFS_ROOT/pdirfs/pdirfs.ko}
[ -f "$kernel" ] || die "no kernel at $kernel"
[ -f "$module" ] || die "no module at $module"
img=$("$PDIRFS_ROOT/scripts/fstests-guest.sh")

# fs_mark from Debian's package, cached (idempotent).
fsmark=$PDIRFS_CACHE/fsmark/usr/bin/fs_mark
if [ ! -x "$fsmark" ]; then
	say "fetching Debian's fsmark package"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download fsmark >/dev/null) || die "apt-get download fsmark failed"
	mkdir -p "$PDIRFS_CACHE/fsmark"
	dpkg-deb -x "$tmp"/fsmark_*.deb "$PDIRFS_CACHE/fsmark"
	rm -rf "$tmp"
fi

job=$out/fsmark-job
rm -rf "$job"
mkdir -p "$job"
cp "$module" "$job/pdirfs.ko"
cp "$fsmark" "$job/fs_mark"
cp "$PDIRFS_ROOT/tests/bench/fsmark-job.sh" "$job/job.sh"
echo "${FSMARK_THREADS:-1 2 4 8 16}" > "$job/threads"
echo "${FSMARK_FILES:-2000}" > "$job/files"
echo "${FSMARK_REPS:-3}" > "$job/reps"
echo "${FSMARK_LAT_THREADS:-1 8 16}" > "$job/lat_threads"
echo "${FSMARK_LAT_FILES:-16}" > "$job/lat_files"
profile=${FSMARK_PROFILE:-2000 20000}
[ "$profile" = 0 ] || echo "$profile" > "$job/profile"
mkfs.ext4 -q -F -d "$job" "$out/fsmark-job.img" 64M >/dev/null

log=$out/fsmark-console.log
say "fs_mark in the Debian guest on $(basename "$(dirname "$(dirname "$(dirname "$kernel")")")")"
set +e
debian_guest "${FSMARK_TIMEOUT:-5400}" "$kernel" "$img" "$out/fsmark-job.img" 2>&1 | tee "$log" |
	grep --line-buffered -E '^PDIRFS-FSMARK|\] (BUG|WARNING|Oops|Kernel panic)' |
	sed -u 's/^PDIRFS-FSMARK-PROGRESS /== /'
rc=${PIPESTATUS[0]}
set -e
if [ "$profile" != 0 ]; then
	python3 "$PDIRFS_ROOT/scripts/bench-profile.py" "$log" "${profile%% *}" "$out/profile.md" || rc=1
fi
python3 - "$log" "$out/fsmark.json" "$rc" <<'PY'
import json, re, statistics, sys, datetime, platform
log, js, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = {}
splat = []
for l in open(log, errors="replace"):
    if l.startswith("PDIRFS-FSMARK "):
        f = l.split()
        if len(f) > 3:
            rows[(f[1], int(f[2]))] = [float(x) for x in f[3:]]
    if re.search(r"\] (BUG|WARNING|Oops|Kernel panic)|Call Trace", l):
        splat.append(l.rstrip())
med = {k: statistics.median(v) for k, v in rows.items()}
cfgs = []
for c, _ in rows:
    if c not in cfgs:
        cfgs.append(c)
threads = sorted({t for _, t in rows})
print("\nfs_mark: zero-length files created per second (median of the iterations),")
print("T threads in one shared directory\n")
print("| configuration | " + " | ".join(f"T={t}" for t in threads) + " |")
print("| --- |" + " --: |" * len(threads))
for c in cfgs:
    print(f"| {c} | " + " | ".join(f"{med[(c, t)]:.0f}" if (c, t) in med else "" for t in threads) + " |")
targets = []
def target(name, got, want):
    ok = got is not None and got >= want
    targets.append({"target": name, "value": got, "min": want, "pass": ok})
    print(f"{'PASS' if ok else 'FAIL'}: {name}: {'n/a' if got is None else f'{got:.2f}'} (>= {want})")
def ratio(a, b, t):
    return med[(a, t)] / med[(b, t)] if (a, t) in med and (b, t) in med and med[(b, t)] > 0 else None
# With a round trip of L per create, T threads with one create in flight
# each can reach at most T / L; one at a time (exclusive), 1 / L.
lat = 0.020
print("\nwith latency_us=20000, against the bound of T threads x one create per 20 ms:")
for c in cfgs:
    if c.endswith("_lat20ms"):
        for t in threads:
            if (c, t) in med:
                bound = (1 if "exclusive" in c else t) / lat
                print(f"  {c} T={t}: {med[(c, t)]:.0f}/s = {100 * med[(c, t)] / bound:.0f}% of {bound:.0f}/s")
print()
target("fs_mark 8 threads: pdirfs shared / tmpfs", ratio("pdirfs_shared", "tmpfs", 8), 1.0)
target("fs_mark 8 threads, latency_us=20000: pdirfs shared (sync) / exclusive",
       ratio("pdirfs_shared_lat20ms", "pdirfs_exclusive_lat20ms", 8), 10.0)
target("fs_mark 8 threads, latency_us=20000: pdirfs shared (async) / exclusive",
       ratio("pdirfs_async_lat20ms", "pdirfs_exclusive_lat20ms", 8), 10.0)
print("  (8 threads with one create each in flight can be at most 8 x one at a time:")
print("   10 x needs callers that keep several in flight per thread, issue 19)")
for t in threads:
    r = ratio("pdirfs_shared_lat20ms", "pdirfs_exclusive_lat20ms", t)
    if r is not None:
        print(f"  latency_us=20000, {t} threads: shared / exclusive = {r:.2f} (at most {t})")
json.dump({"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "machine": f"{platform.node()}, QEMU TCG, 2 vCPUs",
           "files_per_s": {f"{c} T={t}": v for (c, t), v in rows.items()},
           "median": {f"{c} T={t}": v for (c, t), v in med.items()},
           "targets": targets, "qemu_rc": rc, "kernel_log_problems": splat}, open(js, "w"), indent=1)
for s in splat[:5]:
    print("kernel log:", s)
sys.exit(1 if rc != 0 or splat or not rows else 0)
PY
