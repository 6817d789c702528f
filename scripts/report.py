#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the guest's test logs and print one table.

usage: report.py KERNEL=RESULTS_DIR ...

RESULTS_DIR holds what scripts/vm.sh and scripts/guest/suite.sh left:
jobs (the jobs that were asked for), boot.rc (vm.sh's exit code),
JOB.log and JOB.rc, and what config/jobs.txt asked of the run:
expect-crash (EXPECT_CRASH: the console line of a guest that must die) and
expect-pass-only (EXPECT_PASS_ONLY: a file of tests/ listing the tailcalls
subtests that must pass; every other one must fail). KERNEL names the run.
The workspace tools (any other job) print KTAP (tests/tool.h). The last
line is 'N passed, N failed' (after 'N skipped ...' when checks were skipped);
the exit code is 1 if anything failed or nothing ran.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rows = []


def row(kernel, check, ok, detail=""):
    """ok: True, False, or None for a check that was skipped"""
    res = "SKIP" if ok is None else "PASS" if ok else "FAIL"
    rows.append((kernel, check, res, detail))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def listed(name):
    out = []
    for line in read(os.path.join(TOP, "tests", name)).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def job_tailcalls(kernel, log, rc, passing=None):
    """test_progs -t tailcalls: every test whose name has 'tailcalls'.
    With passing (a file of tests/, from the run's EXPECT_PASS_ONLY), the
    subtests it lists must pass and every other one must fail: the tree
    without the fixes, running the fixed tree's tests. test_progs' own SKIP
    (a test for another arch) is reported as skipped."""
    listed_set = set(listed(passing)) if passing else None
    # test_progs repeats the failed subtests after "All error logs:"
    log = log.split("\nAll error logs:", 1)[0]
    subs = re.findall(r"^#\d+/\d+\s+(\w*tailcalls\w*/\S+):(OK|FAIL|SKIP)", log, re.M)
    if not subs:
        row(kernel, "test_progs -t tailcalls", False, "no subtest ran")
        return
    for name, res in subs:
        if res == "SKIP":
            row(kernel, name, None, "test_progs: SKIP (another arch)")
        elif listed_set is not None and name not in listed_set:
            row(kernel, f"{name} fails without the fixes", res == "FAIL",
                f"got {res}")
        else:
            row(kernel, name, res == "OK", res)
    if listed_set is not None:
        missing = listed_set - {n for n, _ in subs}
        for name in sorted(missing):
            row(kernel, name, False, "did not run")


def job_verifier(kernel, log, rc):
    m = re.search(r"Summary: (\d+) PASSED, (\d+) SKIPPED, (\d+) FAILED", log)
    if not m:
        row(kernel, "test_verifier", False, f"no summary (exit {rc})")
        return
    p, s, f = map(int, m.groups())
    row(kernel, "test_verifier", f == 0 and p > 0 and rc == 0,
        f"{p} passed, {s} skipped, {f} failed")


def job_test_bpf(kernel, log, rc):
    sums = re.findall(r"test_bpf: (?:(\w+): )?Summary: (\d+) PASSED, (\d+) FAILED(.*)", log)
    if not sums:
        row(kernel, "lib/test_bpf", False, f"no summary (exit {rc})")
        return
    for suite, p, f, rest in sums:
        name = "lib/test_bpf" + (f" {suite}" if suite else "")
        row(kernel, name, int(f) == 0 and int(p) > 0,
            f"{p} passed, {f} failed{rest.rstrip()}")
    if rc != 0:
        row(kernel, "lib/test_bpf insmod", False, f"exit {rc}")


# KTAP (tests/tool.h): "ok 3 NAME", "not ok 4 NAME # DETAIL",
# "ok 5 NAME # SKIP DETAIL"; the plan "1..N" first or last
KTAP_RESULT = re.compile(r"^(ok|not ok) (\d+) (\S+)(?: # (.*))?$", re.M)
KTAP_PLAN = re.compile(r"^1\.\.(\d+)\s*$", re.M)


def job_tool(kernel, log, rc, job):
    """A workspace tool (build/tests/JOB): one row per result line. The tool
    fails as a whole if its plan is missing, if it printed another number
    of results than the plan says or numbered them out of order, or if it
    exited non-zero without a 'not ok'."""
    n = bad = 0
    problems = []
    for m in KTAP_RESULT.finditer(log):
        n += 1
        ok, name, detail = m.group(1) == "ok", m.group(3), m.group(4) or ""
        if int(m.group(2)) != n and not problems:
            problems.append(f"result {m.group(2)} where {n} was due")
        skip = re.match(r"SKIP\b\s*", detail, re.I)
        if ok and skip:
            row(kernel, f"{job}/{name}", None, detail[skip.end():])
            continue
        bad += not ok
        row(kernel, f"{job}/{name}", ok, detail)
    plans = [int(p) for p in KTAP_PLAN.findall(log)]
    if len(plans) != 1:
        problems.append("no plan" if not plans else f"{len(plans)} plans")
    elif plans[0] != n:
        problems.append(f"{n} results of a plan of {plans[0]}")
    if n == 0:
        problems.append("no results")
    if rc != 0 and not bad:
        problems.append("no 'not ok'")
    if problems:
        last = (log.strip().splitlines() or ["no output"])[-1]
        row(kernel, job, False,
            f"exit {rc}, {'; '.join(problems)}; last line: {last}")


JOBS = {"verifier": job_verifier,
        "test_bpf": job_test_bpf}


def judge_crash(kernel, d, boot, expect):
    """A guest that must crash: the console line, and every KTAP result
    its jobs printed before the crash 'ok'."""
    console = read(os.path.join(d, "console.log")) or ""
    m = re.search(f".*(?:{expect}).*", console)
    row(kernel, f"crashes: {expect}", boot != "0" and m is not None,
        m.group(0).strip() if m else f"no such line (boot exit {boot})")
    for job in (read(os.path.join(d, "jobs")) or "").split():
        results = KTAP_RESULT.findall(read(os.path.join(d, f"{job}.log")) or "")
        bad = [name for res, _, name, _ in results if res != "ok"]
        row(kernel, f"{job} before the crash", results and not bad,
            f"{len(results)} ok" if results and not bad
            else f"not ok: {' '.join(bad) or 'no result'}")


def judge(kernel, d):
    boot = (read(os.path.join(d, "boot.rc")) or "missing").strip()
    expect = (read(os.path.join(d, "expect-crash")) or "").strip()
    if expect:
        judge_crash(kernel, d, boot, expect)
        return
    hung = (read(os.path.join(d, "hung")) or "").strip()
    passing = (read(os.path.join(d, "expect-pass-only")) or "").strip() or None
    detail = "" if boot == "0" else f"see {d}/console.log"
    row(kernel, "boot, run, clean console", boot == "0", detail)
    # A hang is what an unbounded tail call chain looks like: the second
    # boot (scripts/run-guest.sh) only shows whether it recurs.
    if hung:
        row(kernel, "no hang", False, f"first boot hung; console: {hung}")
    for job in (read(os.path.join(d, "jobs")) or "").split():
        log = read(os.path.join(d, f"{job}.log"))
        if log is None:
            row(kernel, job, False, "did not run")
            continue
        rc = int((read(os.path.join(d, f"{job}.rc")) or "1").strip() or 1)
        if job == "tailcalls":
            job_tailcalls(kernel, log, rc, passing)
        elif job in JOBS:
            JOBS[job](kernel, log, rc)
        else:
            job_tool(kernel, log, rc, job)


def main(args):
    for arg in args:
        kernel, d = arg.split("=", 1)
        judge(kernel, d)
    kw = max(len(r[0]) for r in rows)
    w = max(len(r[1]) for r in rows)
    for kernel, check, res, detail in rows:
        print(f"{kernel:{kw}} {check:{w}}  {res}  {detail}")
    passed = sum(r[2] == "PASS" for r in rows)
    skipped = sum(r[2] == "SKIP" for r in rows)
    failed = len(rows) - passed - skipped
    if skipped:
        print(f"{skipped} skipped (SKIP rows above; neither passed nor failed)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
