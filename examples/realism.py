#!/usr/bin/env python3
"""realism.py - the measurements in docs/REALISM.md.

Usage: python3 examples/realism.py VMSIM [table|defrag|prefetch|all]

table:    for runs, zipf, scan, phases: record a 1-thread run's reference
          string (--record), then replay it (--workload trace --compare)
          under each trim policy; hard faults per 1000 accesses beside LRU
          and OPT on the same string and frames.
defrag:   a long zipf run with and without --defrag: pages per write run
          and write calls per page.
prefetch: runs and scan with --prefetch 8: used vs wasted.
"""
import json
import os
import subprocess
import sys
import tempfile

MEM = ["--physical", "4M", "--virtual", "16M", "--pagefile", "16M"]
N = 200000


def vmsim(binary, *args):
    out = subprocess.run([binary, *MEM, "--quiet", "--json", *args],
                         check=True, capture_output=True, text=True).stdout
    j = json.loads(out)
    assert j["verify_failures"] == 0 and j["validate_problems"] == 0, j
    return j


def per1000(x, n):
    return "%.1f" % (1000.0 * x / n)


def table(binary):
    print("| workload | aging hard | fifo hard | random hard | aging all | fifo all "
          "| random all | LRU | FIFO (oracle) | OPT |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as d:
        for w in ["runs", "zipf", "scan", "phases"]:
            rec = os.path.join(d, w + ".trace")
            vmsim(binary, "--threads", "1", "--workload", w, "--accesses", str(N),
                  "--record", rec)
            hard, allf = [], []
            for p in ["aging", "fifo", "random"]:
                j = vmsim(binary, "--threads", "1", "--workload", "trace:" + rec,
                          "--trim-policy", p, "--compare")
                c = j["compare"]
                hard.append(per1000(c["vmsim_hard"], c["references"]))
                allf.append(per1000(c["vmsim_faults"], c["references"]))
            print("| %s | %s | %s | %s | %s | %s |" % (
                w, " | ".join(hard), " | ".join(allf),
                per1000(c["lru"], c["references"]), per1000(c["fifo"], c["references"]),
                per1000(c["opt"], c["references"])))


def defrag(binary):
    print("| --defrag | pages written | write runs | pages per run | write calls per page "
          "| slots moved | free rows at end |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for on in [False, True]:
        args = ["--threads", "2", "--workload", "zipf", "--seconds", "20",
                "--pagefile", "32M", "--seed", "3"]
        if on:
            args.append("--defrag")
        j = vmsim(binary, *args)
        w, r = j["pages_written"], j["write_runs"]
        print("| %s | %d | %d | %.2f | %.3f | %d | %d |" % (
            "on" if on else "off", w, r, w / r, r / w, j["defrag_moves"],
            j["pagefile_free_rows"]))


def prefetch(binary):
    print("| workload | --prefetch | hard faults | per 1000 | read ahead | used | wasted |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for w in ["runs", "scan"]:
        for n in [0, 8]:
            runs = ["--max-run", "64"] if w == "runs" else []
            j = vmsim(binary, "--threads", "1", "--workload", w, "--accesses", str(N),
                      *runs, "--prefetch", str(n))
            p = j["prefetch"]
            print("| %s | %d | %d | %s | %d | %d | %d |" % (
                w, n, j["faults"]["hard"], per1000(j["faults"]["hard"], j["accesses"]),
                p["pages"], p["used"], p["wasted"]))


if __name__ == "__main__":
    b = sys.argv[1]
    what = sys.argv[2] if len(sys.argv) > 2 else "all"
    for name, fn in [("table", table), ("defrag", defrag), ("prefetch", prefetch)]:
        if what in (name, "all"):
            fn(b)
            print()
