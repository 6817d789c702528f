#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py: aggregate the raw results of scripts/bench.sh.

Reads RAW/<run>-<kernel>.jsonl (run: a round number, or 'icount' for the
pass under QEMU's -icount shift=0) written by tests/bench.c and writes
OUT/results.csv, OUT/results.json, the Markdown report DOC and the chart
PNG of the run-time ratios. Every figure and every target verdict in the
report is computed here from the raw data.
"""
import argparse
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys

KERNELS = ["pristine", "base", "v1", "series"]
# series/REF ratio columns of the tables
REFS = ["pristine", "base", "v1"]
CASES = {
    "empty": "empty program (return 0): test_run's own loop",
    "calls": "(a) 8 frames of calls, no tail call",
    "tc_main": "(b) main-only tail call (1 tail call)",
    "tc_sub": "(c) subprogram tail call (1 call + 1 tail call)",
    "tc_deep": "(d) 8-frame chain, tail call at frame 3 (empty slot)",
    "chain_main": "(e) 33 tail calls from main",
    "chain_sub": "(f) 33 tail calls from a subprogram",
}
VERIF = ["verif_calls", "verif_tail"]


def load(raw):
    """{run: {kernel: [records]}} of every RAW/<run>-<kernel>.jsonl"""
    data = {}
    for path in sorted(glob.glob(os.path.join(raw, "*.jsonl"))):
        run, kernel = os.path.basename(path)[:-len(".jsonl")].split("-", 1)
        with open(path) as f:
            data.setdefault(run, {})[kernel] = [json.loads(line) for line in f if line.strip()]
    if not data:
        sys.exit(f"bench-report: no results in {raw}")
    return data


def stats(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def ratio(a, b):
    return a / b if a is not None and b else None


def image_equal(a, b):
    """JIT images in hex, '..' a byte that may be an address (see bench.c)"""
    if not a or not b or len(a) != len(b):
        return False
    return all(x == y or ".." in (x, y) for x, y in
               ((a[i:i + 2], b[i:i + 2]) for i in range(0, len(a), 2)))


def prog_class(r):
    if not r["tail_calls"]:
        return "no tail call"
    if r["tail_calls_sub"]:
        return "subprogram tail calls"
    return "main-only tail calls" if r["funcs"] == 1 else "tail calls in main + calls"


def aggregate(data):
    rounds = sorted(r for r in data if r.isdigit())
    agg = {"rounds": rounds, "jit": {}, "run": {}, "icount": {}, "verifier": {},
           "verifier_icount": {}, "meta": {}, "consistent": True}
    for run in rounds + (["icount"] if "icount" in data else []):
        for k, recs in data[run].items():
            for r in recs:
                add_record(agg, run, k, r)
    finish(agg)
    return agg


def add_record(agg, run, k, r):
    kind = r["kind"]
    if kind == "meta":
        agg["meta"].setdefault(k, r)
    elif kind == "jit":
        key = f'{r["object"]}/{r["prog"]}'
        old = agg["jit"].setdefault(key, {}).get(k)
        if old is None:
            agg["jit"][key][k] = r
        elif (old.get("jited_len"), old.get("func_lens"), old["status"]) != \
                (r.get("jited_len"), r.get("func_lens"), r["status"]):
            agg["consistent"] = False
            old["inconsistent"] = True
    elif kind == "run":
        dest = agg["icount" if run == "icount" else "run"]
        add_sample(dest, r["case"], k, run, r, "ok", "ns", "samples")
    elif kind == "verifier":
        dest = agg["verifier_icount" if run == "icount" else "verifier"]
        slot = add_sample(dest, r["prog"], k, run, r, "loaded", "usec", "usec")
        if slot is not None:
            slot.update(processed=r["processed"], verified_insns=r["verified_insns"],
                        xlated_insns=r["xlated_insns"])


def add_sample(dest, name, k, run, r, ok, field, into):
    """r[field] into the samples (list 'into') of name on kernel k, per
    round; a record whose status is not ok marks the slot instead"""
    slot = dest.setdefault(name, {}).setdefault(k, {into: [], "rounds": {}, "status": r["status"]})
    if r["status"] != ok:
        slot.update(status=r["status"], msg=r.get("msg"))
        return None
    slot[into].append(r[field])
    slot["rounds"].setdefault(run, []).append(r[field])
    return slot

def finish(agg):
    """medians over the samples of a round; median and range over rounds"""
    for dest in ("run", "icount"):
        for case in agg[dest].values():
            for s in case.values():
                per_round = [statistics.median(v) for v in s["rounds"].values()]
                s["stats"] = stats(per_round)
                s["sample_stats"] = stats(s["samples"])
    for dest in ("verifier", "verifier_icount"):
        for prog in agg[dest].values():
            for s in prog.values():
                s["stats"] = stats([statistics.median(v) for v in s["rounds"].values()])
                s["sample_stats"] = stats(s["usec"])


def med(agg, dest, name, k):
    s = agg[dest].get(name, {}).get(k, {}).get("stats")
    return s["median"] if s else None


def overlap(agg, dest, name, a, b):
    """the [min, max] of all samples of kernels a and b overlap"""
    sa = agg[dest].get(name, {}).get(a, {}).get("sample_stats")
    sb = agg[dest].get(name, {}).get(b, {}).get("sample_stats")
    if not sa or not sb:
        return None
    return sa["min"] <= sb["max"] and sb["min"] <= sa["max"]


def derived(agg, dest):
    """per call and per tail call figures, per kernel"""
    out = {}
    for k in KERNELS:
        m = {c: med(agg, dest, c, k) for c in CASES}

        def diff(a, b, n):
            return (m[a] - m[b]) / n if m[a] is not None and m[b] is not None else None
        out[k] = {
            "per call, no tail call reachable ((a) - empty) / 7": diff("calls", "empty", 7),
            "per tail call from main ((e) - (b)) / 32": diff("chain_main", "tc_main", 32),
            "per tail call from a subprogram ((f) - (c)) / 32": diff("chain_sub", "tc_sub", 32),
            "tail-call reachability of the 8-frame chain ((d) - (a))": diff("tc_deep", "calls", 1),
        }
    return out


def targets(agg):
    """[(target, met, evidence)]: every verdict from the data"""
    res = []
    # 1. programs that cannot reach a tail call: byte-identical to base
    same, diff = [], []
    for key, ks in sorted(agg["jit"].items()):
        b, s = ks.get("base"), ks.get("series")
        if not b or not s or b["status"] != "loaded" or s["status"] != "loaded" or b["tail_calls"]:
            continue
        (same if b["jited_len"] == s["jited_len"] and image_equal(b.get("image"), s.get("image"))
         else diff).append(key)
    res.append(("Programs that cannot reach a tail call: JIT image byte-identical to base",
                bool(same) and not diff,
                f"{len(same)} of {len(same) + len(diff)} programs without a tail call identical"
                + (f"; differ: {', '.join(diff)}" if diff else "")))
    noise = []
    for case in ("empty", "calls"):
        for dest, label in (("run", "TCG"), ("icount", "icount")):
            o = overlap(agg, dest, case, "series", "base")
            noise.append((dest, o, f"{case} {label} {fmt_ratio(ratio(med(agg, dest, case, 'series'), med(agg, dest, case, 'base')))}"
                          + ("" if o else " (ranges do not overlap)")))
    # icount decides, as for the ratio targets: the same image and the same
    # instruction count can take a third more or less TCG time from one
    # boot to the next (QEMU's translation cache, the host), so TCG
    # ranges are shown, not judged.
    res.append(("Programs that cannot reach a tail call: run time within noise of base",
                all(o for dest, o, _ in noise if dest == "icount"),
                "series/base (icount decides): " + ", ".join(t for _, _, t in noise)))
    res.append(ratio_target(agg, "Main-only tail call chains: no regression vs pristine (ratio <= 1.02)",
                            ("tc_main", "chain_main"), 1.02))
    res.append(ratio_target(agg, "Subprogram tail calls and calls in tail-call-reachable programs: "
                            "ratio <= 1.10 vs pristine", ("tc_sub", "tc_deep", "chain_sub"), 1.10))
    res.append(ratio_target(agg, "The stack check of v2: subprogram tail calls ratio <= 1.10 vs v1",
                            ("tc_sub", "tc_deep", "chain_sub"), 1.10, "v1"))
    ev, ok = [], True
    for p in VERIF:
        for dest, label in (("verifier", "TCG"), ("verifier_icount", "icount")):
            o = overlap(agg, dest, p, "series", "pristine")
            ok = ok and bool(o)
            ev.append(f"{p} {label} {fmt_ratio(ratio(med(agg, dest, p, 'series'), med(agg, dest, p, 'pristine')))}"
                      + ("" if o else " (ranges do not overlap)"))
    res.append(("Verifier time within noise of pristine", ok, "series/pristine: " + ", ".join(ev)))
    return res


def ratio_target(agg, name, cases, limit, ref="pristine"):
    ev, ok = [], True
    for case in cases:
        for dest, label in (("icount", "icount"), ("run", "TCG median")):
            r = ratio(med(agg, dest, case, "series"), med(agg, dest, case, ref))
            if dest == "icount":
                ok = ok and r is not None and r <= limit
            ev.append(f"{case} {label} {fmt_ratio(r)}")
    return (name, ok, f"series/{ref} (icount decides): " + ", ".join(ev))


def fmt_ratio(r):
    return "-" if r is None else f"{r:.3f}"


def fmt_num(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.1f}"


def fmt_stats(s):
    if not s:
        return "rejected"
    if s["min"] == s["max"]:
        return fmt_num(s["median"])
    return f'{fmt_num(s["median"])} ({fmt_num(s["min"])}-{fmt_num(s["max"])})'


def cell(s):
    """a table cell: median (min-max), 'rejected', or '-' without data"""
    if not s:
        return "-"
    return fmt_stats(s["stats"]) if s["stats"] else s["status"]


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        qemu = "?"
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}, {qemu}"


def jit_table(agg):
    lines = ["| program | class | " + " | ".join(KERNELS) + " | " + " | ".join(f"series/{r}" for r in REFS) + " |",
             "|---|---|" + "---|" * (len(KERNELS) + len(REFS))]
    for key, ks in sorted(agg["jit"].items()):
        loaded = [r for r in ks.values() if r["status"] == "loaded"]
        cls = prog_class(loaded[0]) if loaded else "-"
        cells = []
        for k in KERNELS:
            r = ks.get(k)
            if r is None:
                cells.append("-")
            elif r["status"] == "loaded":
                cells.append(str(r["jited_len"]))
            else:
                cells.append("rej.")
        size = {k: ks[k]["jited_len"] for k in KERNELS if k in ks and ks[k]["status"] == "loaded"}
        lines.append(f"| {key} | {cls} | " + " | ".join(cells) + " | " +
                     " | ".join(fmt_ratio(ratio(size.get("series"), size.get(r))) for r in REFS) + " |")
    return lines


def rejected_lines(agg):
    out = []
    for key, ks in sorted(agg["jit"].items()):
        for k in KERNELS:
            r = ks.get(k)
            if r and r["status"] != "loaded":
                out.append(f'- {key} on {k}: `{r.get("msg", r["status"])}`')
    return out


def run_table(agg, dest, unit):
    lines = ["| case | " + " | ".join(f"{k} {unit}" for k in KERNELS) + " | " +
             " | ".join(f"series/{r}" for r in REFS) + " |",
             "|---|" + "---|" * (len(KERNELS) + len(REFS))]
    for case, what in CASES.items():
        row = agg[dest].get(case, {})
        cells = [cell(row.get(k)) for k in KERNELS]
        m = {k: med(agg, dest, case, k) for k in KERNELS}
        lines.append(f"| {case}: {what} | " + " | ".join(cells) + " | " +
                     " | ".join(fmt_ratio(ratio(m["series"], m[r])) for r in REFS) + " |")
    return lines


def own_table(agg):
    """icount minus the empty program: the program's own instructions"""
    lines = ["| case | " + " | ".join(KERNELS) + " | " + " | ".join(f"series/{r}" for r in REFS) + " |",
             "|---|" + "---|" * (len(KERNELS) + len(REFS))]
    for case in list(CASES)[1:]:
        own = {}
        for k in KERNELS:
            a, e = med(agg, "icount", case, k), med(agg, "icount", "empty", k)
            own[k] = a - e if a is not None and e is not None else None
        lines.append(f"| {case} | " + " | ".join(fmt_num(own[k]) for k in KERNELS) + " | " +
                     " | ".join(fmt_ratio(ratio(own["series"], own[r])) for r in REFS) + " |")
    return lines


def derived_table(agg):
    d_ic, d_tcg = derived(agg, "icount"), derived(agg, "run")
    lines = ["| figure | pristine insns | series insns | pristine ns | series ns |", "|---|---|---|---|---|"]
    for name in d_ic["series"]:
        lines.append(f"| {name} | {fmt_num(d_ic['pristine'][name])} | {fmt_num(d_ic['series'][name])} | "
                     f"{fmt_num(d_tcg['pristine'][name])} | {fmt_num(d_tcg['series'][name])} |")
    return lines


def bytes_table(agg):
    lines = ["| program | pristine bytes | series bytes | series - pristine | functions (series) |",
             "|---|---|---|---|---|"]
    for case in list(CASES)[1:]:
        ks = agg["jit"].get(f"bench/{case}", {})
        p, s = ks.get("pristine"), ks.get("series")
        pl = p["jited_len"] if p and p["status"] == "loaded" else None
        sl = s["jited_len"] if s and s["status"] == "loaded" else None
        fl = ", ".join(map(str, s["func_lens"])) if sl else "-"
        lines.append(f"| {case} | {fmt_num(pl)} | {fmt_num(sl)} | "
                     f"{fmt_num(sl - pl) if pl is not None and sl is not None else '-'} | {fl} |")
    return lines


def verifier_table(agg):
    lines = ["| program | kernel | verification time, usec (TCG) | verification time, kinsns (icount) "
             "| insns processed | verified_insns | xlated insns |", "|---|---|---|---|---|---|---|"]
    for p in VERIF:
        for k in KERNELS:
            s = agg["verifier"].get(p, {}).get(k, {})
            si = agg["verifier_icount"].get(p, {}).get(k, {})
            if not s:
                lines.append(f"| {p} | {k} | - | - | - | - | - |")
            elif s["status"] != "loaded":
                lines.append(f"| {p} | {k} | rejected: `{s.get('msg', '-')}` | | | | |")
                continue
            lines.append(f"| {p} | {k} | {cell(s)} | {cell(si)} | "
                         f"{s['processed']} | {s['verified_insns']} | {s['xlated_insns']} |")
    return lines


def write_doc(agg, args):
    meta = agg["meta"]
    tg = targets(agg)
    rounds = len(agg["rounds"])
    samples = {m.get("samples") for m in meta.values()}
    doc = ["# Benchmarks: what mixing calls and tail calls costs", "",
           "Generated by `scripts/bench-report.py` from the raw results of `make bench`",
           "(`scripts/bench.sh`); do not edit by hand.", "",
           f"- date: {args.date}",
           f"- machine: {machine()}",
           f"- command: `{args.command}`",
           "- kernels: " + ", ".join(f"{k} ({meta[k]['release']})" for k in KERNELS if k in meta),
           f"- guests: QEMU TCG, {meta.get('series', {}).get('cpus', '?')} vCPUs; {rounds} rounds, "
           f"each booting the {len(KERNELS)} kernels in turn (order rotated every round), {', '.join(map(str, samples))} "
           "samples per case and boot; plus one boot per kernel under `-icount shift=0` (1 vCPU)",
           "- raw results: `build/bench/raw/*.jsonl`, aggregated: `build/bench/results.{csv,json}`",
           "" if agg["consistent"] else "- **warning: JIT sizes differ between rounds of one kernel**", "",
           "## Targets", "", "| target | met | from the data |", "|---|---|---|"]
    doc += [f"| {name} | {'yes' if ok else '**no**'} | {ev} |" for name, ok, ev in tg]
    doc += ["", "## Run time per invocation (TCG)", "",
            "`BPF_PROG_TEST_RUN` of a tc program on a 64-byte packet with a large `repeat`; the",
            "kernel's `duration` (ns per run, test_run's loop included). Median over the rounds",
            "of each round's median, (min-max over the rounds). TCG timing is noisy: other",
            "guests and the host's load move it by several percent.", ""]
    doc += run_table(agg, "run", "ns")
    doc += ["", "![run-time ratios](bench-ratios.png)", "",
            "## Instructions per invocation (`-icount shift=0`)", "",
            "Under `-icount shift=0` QEMU advances the guest clock by exactly 1 ns per guest",
            "instruction executed, so the `duration` of test_run is the number of guest",
            "instructions per run: the program and what test_run's loop does around it",
            "(`bpf_test_timer_continue()`, the dispatcher, `migrate`/RCU bookkeeping), plus the",
            "share of the interrupts (timer ticks) that fell into the measurement, and",
            "truncated to an integer by test_run's division. The guest calibrates its TSC at",
            "~1 GHz against the PIT, which under icount also counts instructions. The",
            "min-max over the samples shows what interrupts leave of noise.", ""]
    doc += run_table(agg, "icount", "insns")
    doc += ["", "The programs' own instructions: each case minus the empty program, per kernel:", ""]
    doc += own_table(agg)
    doc += ["", "## Per call and per tail call", "",
            "Differences of the cases' medians (icount instructions, TCG ns):", ""]
    doc += derived_table(agg)
    doc += ["", "JIT bytes of the synthetic programs:", ""]
    doc += bytes_table(agg)
    # the sections that explain a table: heading, text, table
    sections = [
        ("## Verifier cost", [
            "`verif_calls`: a main function calling 80 subprograms of 3 branches each;",
            "`verif_tail`: the same with a tail call in every subprogram. Loaded with",
            "`log_level` 4 (`BPF_LOG_STATS`): \"verification time N usec\" and \"processed N",
            "insns\" from the log, `verified_insns` from `bpf_prog_info`. Under icount the",
            "verification time is in thousands of guest instructions."], verifier_table),
        ("## JIT image size, bytes", [
            "Every program of the tail call selftests (`tailcall*.bpf.o` of the series,",
            "the same objects on all kernels) and of `tests/bench.bpf.c`, each loaded",
            "alone (tracing programs attached to `tailcall_bpf2bpf_fentry`). Exact;",
            "`jited_prog_len` from `bpf_prog_info`. Class from the translated program: tail",
            "calls (none, in main only, in subprograms) and functions."], jit_table),
    ]
    for title, text, table in sections:
        doc += ["", title, ""] + text + [""]
        doc += table(agg)
    doc += ["", "Rejected programs (the verifier's message):", ""] + rejected_lines(agg) + [""]
    with open(args.doc, "w") as f:
        f.write("\n".join(doc))
    return tg


def write_csv_json(agg, out):
    rows = ["kind,name,kernel,metric,median,min,max,n"]
    for dest, metric in (("run", "ns_per_run"), ("icount", "insns_per_run"),
                         ("verifier", "verif_usec"), ("verifier_icount", "verif_kinsns")):
        for name, ks in agg[dest].items():
            for k, s in ks.items():
                st = s.get("stats")
                if st:
                    rows.append(f'{dest},{name},{k},{metric},{st["median"]},{st["min"]},{st["max"]},{st["n"]}')
    for key, ks in sorted(agg["jit"].items()):
        for k, r in ks.items():
            if r["status"] == "loaded":
                rows.append(f'jit,{key},{k},jited_len,{r["jited_len"]},{r["jited_len"]},{r["jited_len"]},1')
    with open(os.path.join(out, "results.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(agg, f, indent=1, sort_keys=True)


def write_png(agg, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cases = list(CASES)
    series = [("run", "pristine", "TCG series/pristine"), ("icount", "pristine", "icount series/pristine"),
              ("run", "base", "TCG series/base"), ("icount", "base", "icount series/base"),
              ("icount", "v1", "icount series/v1")]
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.16
    shown = [1.0]
    for i, (dest, ref, label) in enumerate(series):
        vals = [ratio(med(agg, dest, c, "series"), med(agg, dest, c, ref)) or 0 for c in cases]
        shown += [v for v in vals if v]
        ax.bar([x + (i - (len(series) - 1) / 2) * width for x in range(len(cases))], vals, width,
               label=label)
    for y, style in ((1.0, "-"), (1.02, ":"), (1.10, "--")):
        ax.axhline(y, color="black", linestyle=style, linewidth=0.8)
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels(cases)
    ax.set_ylim(min(0.8, min(shown) * 0.95), max(1.3, max(shown) * 1.05))
    ax.set_ylabel("run time ratio (0: rejected by the reference kernel)")
    ax.set_title("series vs pristine, base and v1: time per test_run invocation")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--png", required=True)
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--date", default="?")
    args = ap.parse_args()
    agg = aggregate(load(args.raw))
    write_csv_json(agg, args.out)
    tg = write_doc(agg, args)
    write_png(agg, args.png)
    for name, ok, ev in tg:
        print(f"{'met' if ok else 'NOT met'}: {name}: {ev}")


if __name__ == "__main__":
    main()
