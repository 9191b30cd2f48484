#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The profile of make bench, from the console log of the fs_mark guest.

tests/bench/fsmark-job.sh runs fs_mark once per configuration under
`perf record -a -g -e cpu-clock` and prints perf's tables as

    PDIRFS-PROFILE <config> <threads> <files> comm     <pct> <samples> <comm>
    PDIRFS-PROFILE <config> <threads> <files> self     <pct> <comm> [k] <symbol>
    PDIRFS-PROFILE <config> <threads> <files> children <pct> <pct> <comm> [k] <symbol>

Every percentage is of all samples of all CPUs, idle included.  This script
leaves the idle task (perf's "swapper") out and turns samples into CPU time
per create: samples / frequency / files.  That is the cost the issue's
targets are about (a create's CPU, wherever it runs: the caller, a kworker,
a timer), side by side per configuration.

Usage: bench-profile.py LOG HZ OUT.md
"""
import collections
import datetime
import platform
import re
import sys

IDLE = "swapper"


def parse(log):
    runs = collections.OrderedDict()
    for line in open(log, errors="replace"):
        if not line.startswith("PDIRFS-PROFILE "):
            continue
        f = line.rstrip("\n").split(None, 5)
        if len(f) < 6:
            continue
        # (configuration, fs_mark's threads, files): an unlink run is
        # keyed by the create run that made its files
        key = (f[1], int(f[2]), int(f[3]))
        run = runs.setdefault(key, {"files": int(f[3]), "comm": {}, "self": collections.Counter(),
                                    "children": collections.Counter()})
        table, rest = f[4], f[5]
        if table == "comm":
            m = re.match(r"\s*([\d.]+)%\s+(\d+)\s+(\S+)", rest)
            if m:
                run["comm"][m.group(3)] = int(m.group(2))
        elif table == "self":
            m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.+)", rest)
            if m and m.group(2) != IDLE:
                run["self"][m.group(4).strip()] += float(m.group(1))
        elif table == "children":
            m = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.+)", rest)
            if m and m.group(3) != IDLE:
                run["children"][m.group(5).strip()] += float(m.group(1))
    return runs


def task_group(comm):
    """Tasks by role: the benchmark's threads (fs_mark, or rm for the
    unlinks), the kworkers, the rest."""
    if comm.startswith("fs_mark") or comm == "rm":
        return "caller"
    if comm.startswith("kworker"):
        return "kworkers"
    return "other"


def main():
    log, hz, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    runs = parse(log)
    if not runs:
        print("profile: no PDIRFS-PROFILE lines in the log")
        return 1
    lines = []
    w = lines.append
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    w("# Where a create and an unlink spend their CPU: perf profile of fs_mark and rm\n")
    w(f"{date}, {platform.node()}, QEMU TCG, 2 vCPUs, the benchmark kernel (no lockdep), "
      f"Debian's perf 6.1 in the fs_mark guest, `perf record -a -g -e cpu-clock -F {hz:.0f}` "
      "while fs_mark creates zero-length files (`-s 0 -S 0 -L 1 -k`) in one directory, "
      "then while `rm -r` unlinks them (`*_unlink`). "
      "Made by `make bench` (scripts/bench-profile.py).\n")
    w("CPU per file = the samples of every task but the idle one, divided by the sampling "
      "frequency and the files created or unlinked: the caller's time and whatever runs for it "
      "(kworkers, timers, RCU). TCG inflates every cost, in proportion roughly.\n")
    total_us = {}
    w("| configuration | threads | files | CPU per file (us) | caller | kworkers | other |")
    w("| --- | --: | --: | --: | --: | --: | --: |")
    for (cfg, t, _), r in runs.items():
        busy = {c: n for c, n in r["comm"].items() if c != IDLE}
        nbusy = sum(busy.values())
        if not nbusy or not r["files"]:
            continue
        per = nbusy / hz / r["files"] * 1e6
        total_us[(cfg, t, r["files"])] = (per, sum(r["comm"].values()))
        groups = collections.Counter()
        for c, n in busy.items():
            groups[task_group(c)] += n
        w(f"| {cfg} | {t} | {r['files']} | {per:.1f} | " +
          " | ".join(f"{100 * groups[g] / nbusy:.0f}%" for g in ("caller", "kworkers", "other")) + " |")
    w("")

    # Per symbol, in us per create, so that configurations compare directly.
    def us(cfg_t, pct):
        per, allsamples = total_us[cfg_t]
        return pct / 100 * allsamples / hz / runs[cfg_t]["files"] * 1e6

    all_keys = [k for k in runs if k in total_us]
    for what, keys in (("create", [k for k in all_keys if not k[0].endswith("_unlink")]),
                       ("unlink", [k for k in all_keys if k[0].endswith("_unlink")])):
        if not keys:
            continue
        for table, title, n in (("self", f"Self time per {what} (us), by function", 25),
                                ("children", f"Time per {what} (us) in a function and what it calls",
                                 35)):
            score = collections.Counter()
            for k in keys:
                for sym, pct in runs[k][table].items():
                    score[sym] = max(score[sym], us(k, pct))
            w(f"## {title}\n")
            w("The functions that cost most in any configuration; blank: under perf's "
              "cut-off (0.3% self, 1% children) there.\n")
            w("| function | " + " | ".join((f"{c} T={t}" if not c.endswith("_unlink") else f"{c} ({n // 1000}k files)")
                                            for c, t, n in keys) + " |")
            w("| --- |" + " --: |" * len(keys))
            for sym, _ in score.most_common(n):
                cells = []
                for k in keys:
                    pct = runs[k][table].get(sym)
                    cells.append(f"{us(k, pct):.2f}" if pct else "")
                w(f"| `{sym}` | " + " | ".join(cells) + " |")
            w("")
    open(out, "w").write("\n".join(lines))
    print("\n".join(lines[:len(all_keys) + 8]))
    print(f"profile: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
