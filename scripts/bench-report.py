#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Report of `make bench`: reads the PDIRFS-BENCH JSON lines from the VM's
console log, prints ops/s tables and the ratios the targets are about, each
target with its measured value and PASS/FAIL, and writes results.json and
(with matplotlib) bench.png into the output directory.

usage: bench-report.py CONSOLE_LOG OUT_DIR
"""
import json
import os
import platform
import sys
import time

LATENCY_S = 0.001  # latency_us=1000 in the latency-bound configurations


def load(log):
    rows, walks = [], []
    with open(log, errors="replace") as f:
        for line in f:
            if not line.startswith("PDIRFS-BENCH {"):
                continue
            r = json.loads(line[len("PDIRFS-BENCH "):])
            (walks if r.get("test") == "walk" else rows).append(r)
    return rows, walks


def get(rows, label, layout, phase, threads):
    for r in rows:
        if (r["label"], r["layout"], r["phase"], r["threads"]) == (label, layout, phase, threads):
            return r["median_ops"]
    return None


def table(rows, layout, phase):
    labels = sorted({r["label"] for r in rows}, key=lambda l: [r["label"] for r in rows].index(l))
    threads = sorted({r["threads"] for r in rows})
    w = max(len(l) for l in labels) + 2
    out = [f"{phase} ops/s (median), {layout}:",
           "threads".ljust(w) + "".join(f"{t:>10}" for t in threads)]
    for l in labels:
        vals = [get(rows, l, layout, phase, t) for t in threads]
        out.append(l.ljust(w) + "".join(f"{v:>10.0f}" if v else f"{'-':>10}" for v in vals))
    return "\n".join(out)


def targets(rows, walks):
    res = []

    def target(name, value, goal, ok):
        res.append({"target": name, "measured": value, "goal": goal,
                    "result": "PASS" if ok else ("FAIL" if ok is not None else "n/a")})

    threads = sorted({r["threads"] for r in rows})
    # 1. latency-bound: shared-dir create >= 0.9 * N / 1 ms for N <= 32
    for n in [t for t in threads if t <= 32]:
        v = get(rows, "pdirfs_async_lat1ms", "shared_dir", "create", n)
        limit = n / LATENCY_S
        target(f"async+1ms shared-dir create, {n} threads >= 0.9 x N/latency",
               f"{v:.0f} ops/s = {v / limit:.2f} x {limit:.0f}" if v else None,
               "0.90 x", v is not None and v >= 0.9 * limit if v else None)
    # 2. >= 10x the exclusive baseline at N = 16
    a = get(rows, "pdirfs_async_lat1ms", "shared_dir", "create", 16)
    b = get(rows, "pdirfs_exclusive_lat1ms", "shared_dir", "create", 16)
    target("async+1ms vs exclusive+1ms, shared-dir create, 16 threads >= 10x",
           f"{a / b:.1f}x ({a:.0f} / {b:.0f})" if a and b else None, "10x",
           a / b >= 10 if a and b else None)
    # 3. CPU-bound: 2-thread shared-dir create >= 0.9 x 2-thread per-dir
    for label in ("pdirfs_sync", "tmpfs", "pdirfs_exclusive"):
        s = get(rows, label, "shared_dir", "create", 2)
        p = get(rows, label, "dir_per_thread", "create", 2)
        is_goal = label == "pdirfs_sync"
        target(f"{label}: 2-thread shared-dir / per-dir create"
               + (" >= 0.9" if is_goal else " (reference)"),
               f"{s / p:.2f} ({s:.0f} / {p:.0f})" if s and p else None,
               "0.90" if is_goal else "-",
               (s / p >= 0.9 if s and p else None) if is_goal else None)
    # 4. single-thread create+unlink, pdirfs sync >= 0.8 x tmpfs
    def cu(label):
        c = get(rows, label, "shared_dir", "create", 1)
        u = get(rows, label, "shared_dir", "unlink", 1)
        return 2 / (1 / c + 1 / u) if c and u else None  # ops/s of the pair mix
    p, t = cu("pdirfs_sync"), cu("tmpfs")
    target("1-thread create+unlink, pdirfs sync / tmpfs >= 0.8",
           f"{p / t:.2f} ({p:.0f} / {t:.0f})" if p and t else None, "0.80",
           p / t >= 0.8 if p and t else None)
    # 5. the walk is faster with priming
    w = {x["label"]: x for x in walks}
    on, off = w.get("pdirfs_prime_on"), w.get("pdirfs_prime_off")
    target("ls -l walk after drop_caches: priming on faster than off",
           f"{on['total_s']:.3f} s vs {off['total_s']:.3f} s "
           f"({off['total_s'] / on['total_s']:.2f}x)" if on and off else None,
           "on < off", on["total_s"] < off["total_s"] if on and off else None)
    return res


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    labels = []
    for r in rows:
        if r["label"] not in labels:
            labels.append(r["label"])
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    for ax, layout in zip(axes, ("shared_dir", "dir_per_thread")):
        for l in labels:
            pts = sorted((r["threads"], r["median_ops"]) for r in rows
                         if r["label"] == l and r["layout"] == layout and r["phase"] == "create")
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=l)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("threads")
        ax.set_ylabel("create ops/s (median)")
        ax.set_title(f"create, {layout.replace('_', ' ')}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("pdirfs benchmark (QEMU TCG, 2 vCPUs)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def main():
    log, out = sys.argv[1], sys.argv[2]
    rows, walks = load(log)
    if not rows:
        print("bench-report: no results in", log)
        return 1
    for layout in ("shared_dir", "dir_per_thread"):
        for phase in ("create", "stat", "readdir", "rename", "unlink"):
            print(table(rows, layout, phase))
            print()
    for w in walks:
        print(f"walk {w['label']}: {w['entries']} entries, getdents {w['getdents_s']:.3f} s, "
              f"getdents+stat {w['total_s']:.3f} s")
    print()
    res = targets(rows, walks)
    for t in res:
        print(f"[{t['result']:4}] {t['target']}: {t['measured']} (goal {t['goal']})")
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "host": platform.node(), "guest": "QEMU TCG, 2 vCPUs, 2 GiB",
            "host_cpus": os.cpu_count()}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": rows, "walks": walks, "targets": res}, f, indent=1)
    png = os.path.join(out, "bench.png")
    print(f"\nwrote {out}/results.json" + (f" and {png}" if plot(rows, png) else " (no matplotlib: no PNG)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
