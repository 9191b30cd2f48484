#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge an fstests run of scripts/fstests.sh from the guest's console log.

Writes a per-test table (pass / fail / notrun with its reason, per
configuration) and a summary to --report, prints the summary, and ends with
"N passed, N failed, N skipped".  What fails the run:
  - a test that passes on tmpfs but not on a pdirfs configuration (a
    "notrun" there counts too: a feature tmpfs has and pdirfs lacks);
  - a test that fails on pdirfs and that tmpfs does not run (pdirfs runs
    some tests tmpfs cannot, such as those of byte-string names);
  - a kernel splat (the patterns of scripts/vm-results.py);
  - a guest that did not finish.
A test that fails on tmpfs as well is reported, not judged.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib.util  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "vm_results", os.path.join(os.path.dirname(os.path.abspath(__file__)), "vm-results.py"))
vm_results = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vm_results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu-rc", type=int, default=0)
    ap.add_argument("--configs", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("--exclude")
    ap.add_argument("--report", required=True)
    ap.add_argument("--tap", help="also write the verdicts as TAP (make check counts them)")
    ap.add_argument("--results", help="lines '<configuration> <file>': the results of earlier "
                    "runs (FSTESTS_RESUME); this run's results and kernel log problems are added "
                    "to each configuration's file, and all of it is judged")
    ap.add_argument("log")
    a = ap.parse_args()

    configs = [l.split()[0] for l in open(a.configs) if l.strip()]
    tests = [l.strip() for l in open(a.tests) if l.strip()]
    excluded = {}
    if a.exclude and os.path.exists(a.exclude):
        for l in open(a.exclude):
            name, _, why = l.partition("#")
            if name.strip():
                excluded[name.strip()] = why.strip()
    lines = [l.rstrip("\r\n") for l in open(a.log, "rb").read().decode("utf-8", "replace").split("\n")]
    finished = "PDIRFS-FSTESTS-DONE" in lines and "PDIRFS-VM: end" in lines
    splats = vm_results.splat_lines(lines)
    results = [l for l in lines if l.startswith("PDIRFS-FSTESTS-RESULT ")]
    if a.results:
        files = dict(l.split() for l in open(a.results) if l.strip())
        accumulated = []
        for cfg, path in files.items():
            # Results streamed into the file during the run are there
            # already: add only what is missing (a record kept in the
            # repository stays one line per test run).
            have = set(l.rstrip("\n") for l in open(path, errors="replace"))
            with open(path, "a") as f:
                for l in results:
                    if l.split(" ")[1] == cfg and l not in have:
                        f.write(l + "\n")
                # A splat is charged to every configuration of the boot.
                for l in splats:
                    f.write("PDIRFS-FSTESTS-SPLAT " + l + "\n")
            accumulated += [l.rstrip("\n") for l in open(path, errors="replace")]
        results = [l for l in accumulated if l.startswith("PDIRFS-FSTESTS-RESULT ")]
        splats = sorted({l.split(" ", 1)[1] for l in accumulated
                         if l.startswith("PDIRFS-FSTESTS-SPLAT ")})
    res = {}
    for l in results:
        parts = l.split(" ", 5)
        cfg, test, status, secs = parts[1:5]
        res[(cfg, test)] = (status, int(secs), parts[5] if len(parts) > 5 else "")

    pdirfs_cfgs = [c for c in configs if c.startswith("pdirfs")]
    counts = {c: {"pass": 0, "fail": 0, "notrun": 0, "missing": 0} for c in configs}
    rows = []
    for t in tests:
        row = []
        for c in configs:
            r = res.get((c, t))
            counts[c][r[0] if r else "missing"] += 1
            row.append(r)
        rows.append((t, row))

    def cell(r):
        if not r:
            return "-"
        status, secs, why = r
        return f"{status} ({secs}s)" + (f": {why}" if why and status != "pass" else "")

    def verdict(r, tm):
        """(pass/fail/skip, why) of a pdirfs result r against tmpfs' tm."""
        st, tst = (r[0] if r else "missing"), (tm[0] if tm else "missing")
        if st == "pass":
            return "pass", ""
        if tst == "pass":
            return "fail", "passes on tmpfs"
        if st == "fail" and tst == "fail":
            return "skip", "fails on tmpfs too"
        if st == "fail":
            # tmpfs cannot run it (pdirfs may do more: byte-string names):
            # a failure is still pdirfs' own.
            return "fail", f"fails; {tst} on tmpfs"
        return "skip", f"{st}; {tst} on tmpfs"

    judged = [(t, c, res.get((c, t)), res.get(("tmpfs", t))) for t in tests for c in pdirfs_cfgs]
    verdicts = [(t, c, r, tm) + verdict(r, tm) for t, c, r, tm in judged]

    with open(a.report, "w") as f:
        f.write("| test | " + " | ".join(configs) + " |\n")
        f.write("| --- |" + " --- |" * len(configs) + "\n")
        for t, row in rows:
            f.write(f"| {t} | " + " | ".join(cell(r).replace("|", "/") for r in row) + " |\n")
        for t, why in sorted(excluded.items()):
            f.write(f"| {t} | excluded: {why} |" + " |" * (len(configs) - 1) + "\n")
        f.write("\n| configuration | pass | fail | notrun | no result | time |\n"
                "| --- | --: | --: | --: | --: | --: |\n")
        for c in configs:
            k = counts[c]
            secs = sum(r[1] for (cc, t), r in res.items() if cc == c and t in tests)
            f.write(f"| {c} | {k['pass']} | {k['fail']} | {k['notrun']} | {k['missing']} "
                    f"| {secs // 3600}h{secs % 3600 // 60:02d}m |\n")

    print(open(a.report).read().split("\n\n")[-1])
    passed = failed = skipped = 0
    for t, c, r, tm, v, why in verdicts:
        if v == "fail":
            print(f"FAILED: {t} on {c}: {cell(r)} ({why})")
        passed += v == "pass"
        failed += v == "fail"
        skipped += v == "skip"
    if splats:
        print("kernel log problems:")
        for l in splats[:40]:
            print("  " + l)
    checks = [
        (not splats, "kernel log clean"),
        (finished and a.qemu_rc == 0, f"guest finished (qemu rc={a.qemu_rc})"),
    ]
    for ok, name in checks:
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAILED: {name}")
    if a.tap:
        tap = []
        for t, c, r, tm, v, why in verdicts:
            desc = f"fstests {t} on {c}: {cell(r)}; tmpfs: {cell(tm)}"
            if v == "skip":
                tap.append(("ok", f"{desc} # SKIP {why}"))
            else:
                tap.append(("ok" if v == "pass" else "not ok", desc))
        for ok, name in checks:
            tap.append(("ok" if ok else "not ok", "fstests: " + name))
        with open(a.tap, "w") as f:
            for i, (ok, desc) in enumerate(tap, 1):
                f.write(f"{ok} {i} - {desc}\n")
            f.write(f"1..{len(tap)}\n")
    print(f"report: {a.report}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
