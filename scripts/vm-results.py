#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a test VM's console log (scripts/vm-run.sh).

Counts, as test cases:
  - every KUnit case in the kernel log (KTAP, from the dmesg dump),
  - every TAP result of the userspace tests (PDIRFS-TAP-BEGIN/END sections),
  - "kernel log clean": no WARNING/BUG/lockdep/KASAN/kmemleak/... line,
  - "VM finished": the guest reached the end of its job instead of hanging,
    panicking or timing out.
Prints failures, then the closing line "N passed, N failed, N skipped".
Exit status 0 only if nothing failed.
"""
import argparse
import re
import sys

# Lines that mean the kernel is unhappy.  Any of them fails the run.
SPLAT = re.compile(
    r"WARNING:|BUG:|Oops|Kernel panic|possible circular locking|"
    r"possible recursive locking|inconsistent lock state|KASAN|"
    r"kmemleak: [0-9]+ new suspected|"
    r"Call Trace|general protection fault|UBSAN|INFO: task .* blocked|"
    r"DEBUG_LOCKS_WARN_ON|suspicious RCU usage|lockdep is turned off|"
    r"Busy inodes after unmount|VFS: Busy inodes")
TS = re.compile(r"^\[\s*\d+\.\d+\]\s?")
# A test that makes a memory cgroup's OOM killer fire on purpose
# (tests/limits_test.c) announces it in the kernel log; the OOM report
# inside that window prints a stack ("Call Trace") that is not a splat.
# Only the report itself is let through, from its first line to the kill.
EXPECT_OOM_BEGIN = "pdirfs-test: expected-oom-begin"
EXPECT_OOM_END = "pdirfs-test: expected-oom-end"
OOM_START = re.compile(r"invoked oom-killer:")
OOM_DONE = re.compile(r"Memory cgroup out of memory: Killed process|"
                      r"Out of memory and no killable processes")


def splat_lines(console):
    """The lines of the console that are kernel splats, except the reports
    of the memory-cgroup OOM kills a test announced."""
    out, window, oom = [], False, False
    for l in console:
        body = TS.sub("", l)
        if EXPECT_OOM_BEGIN in body:
            window = True
        elif EXPECT_OOM_END in body:
            window = oom = False
        elif window and OOM_START.search(body):
            oom = True
        if oom:
            if OOM_DONE.search(body):
                oom = False
            continue
        if SPLAT.search(l) and not l.startswith("PDIRFS-"):
            out.append(l)
    return out
CASE = re.compile(r"^(not )?ok (\d+)\s*-?\s*(.*)$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="check")
    ap.add_argument("--qemu-rc", type=int, default=0)
    ap.add_argument("--tap", action="append", default=[],
                    help="NAME=FILE: TAP produced outside the VM, counted too")
    ap.add_argument("log")
    a = ap.parse_args()
    raw = open(a.log, "rb").read().decode("utf-8", "replace")
    lines = [l.rstrip("\r") for l in raw.split("\n")]
    console = list(lines)
    for spec in a.tap:
        name, path = spec.split("=", 1)
        try:
            extra = open(path, "rb").read().decode("utf-8", "replace").split("\n")
        except OSError:
            extra = ["not ok 1 - %s: no results at %s" % (name, path)]
        lines += ["PDIRFS-TAP-BEGIN " + name] + [l.rstrip("\r") for l in extra] + ["PDIRFS-TAP-END " + name]

    passed, failed, skipped = 0, 0, 0
    failures = []

    def record(ok, name, skip=False):
        nonlocal passed, failed, skipped
        if skip:
            skipped += 1
        elif ok:
            passed += 1
        else:
            failed += 1
            failures.append(name)

    # --- kernel log splats (console and dmesg dump alike) ---------------
    splats = splat_lines(console)
    # ---- the dmesg dump ----------------------------------------------
    dmesg, inside = [], False
    for l in lines:
        if l == "PDIRFS-VM: dmesg-begin":
            inside = True
        elif l == "PDIRFS-VM: dmesg-end":
            inside = False
        elif inside:
            dmesg.append(TS.sub("", l))
    finished = "PDIRFS-VM: end" in console

    # --- KUnit (KTAP in the kernel log) ---------------------------------
    suite = None
    suite_cases = {}
    for l in dmesg:
        m = re.match(r"^    # Subtest: (\S+)", l)
        if m:
            suite = m.group(1)
            suite_cases[suite] = 0
            continue
        m = re.match(r"^    (not )?ok \d+ (\S+)(.*)$", l)
        if m and suite:
            suite_cases[suite] += 1
            record(not m.group(1), f"kunit {suite}.{m.group(2)}", "# SKIP" in m.group(3))
            continue
        m = re.match(r"^(not )?ok \d+ (\S+)", l)
        if m and m.group(2) in suite_cases:
            if m.group(1) and suite_cases[m.group(2)] == 0:
                record(False, f"kunit suite {m.group(2)} (no cases ran)")
            suite = None
    if a.mode == "check" and not suite_cases:
        record(False, "kunit: no KUnit suite ran (module not loaded?)")

    # --- userspace TAP sections -----------------------------------------
    section = None
    results = plan = status = None
    for l in lines:
        if l.startswith("PDIRFS-TAP-BEGIN "):
            section, results, plan, status = l.split(" ", 1)[1], [], None, 0
            continue
        if section is None:
            continue
        if l.startswith("PDIRFS-TAP-END "):
            for ok, num, desc in results:
                record(ok, f"{section}: {desc}", "# SKIP" in desc)
            if plan is not None and plan != len(results):
                record(False, f"{section}: planned {plan} tests, {len(results)} reported (crashed?)")
            elif status and all(ok for ok, _, _ in results):
                record(False, f"{section}: exited with status {status}")
            elif plan is None and not results:
                record(False, f"{section}: no TAP output")
            section = None
            continue
        if TS.match(l):
            continue  # a kernel message interleaved with the test's output
        m = re.match(r"^1\.\.(\d+)", l)
        if m:
            plan = int(m.group(1))
            continue
        m = CASE.match(l)
        if m:
            results.append((not m.group(1), int(m.group(2)), m.group(3)))
            continue
        m = re.match(r"^# exit status (\d+)", l)
        if m:
            status = int(m.group(1))
    if section is not None:
        record(False, f"{section}: output ended inside the test (VM died?)")

    # --- the run as a whole -----------------------------------------------
    record(not splats, "kernel log clean (no WARNING/BUG/lockdep/KASAN/Call Trace)")
    record(finished and a.qemu_rc == 0,
           f"VM finished its job (qemu rc={a.qemu_rc}{', timeout' if a.qemu_rc == 124 else ''})")

    if splats:
        print("kernel log problems:")
        for l in splats[:40]:
            print("  " + l)
    for f in failures:
        print(f"FAILED: {f}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
