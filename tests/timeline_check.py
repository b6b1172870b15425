#!/usr/bin/env python3
"""tests/timeline_check.py - check a vmsim --timeline file against the run's
--json summary (tests/timeline.sh runs it).

usage: timeline_check.py MODE TIMELINE SUMMARY.json [ARGS]
  full         the default run: it loads as JSON; named threads and processes;
               fault spans of every kind that occurred, trimmer batches with
               their phases, writer batches, counter tracks; spans nest on
               each thread; nothing dropped, so each fault kind's span count
               equals the summary's counter for it
  dropped MAX  a tiny bound: the file is at most MAX bytes, events were
               dropped, and the file, its marker and the summary say so
  window LO HI every span and counter starts inside [LO, HI] seconds
  procs NAMES  every process (comma-separated NAMES) has its pid, its user
               threads under it, its working-set counter; local replacement
               and process arguments on the trimmer's batches
Prints "timeline_check MODE: ok" or the first problems, and exits 1 on any.
"""
import collections
import json
import os
import sys

KIND_COUNTER = {  # span name -> the summary's faults.* key
    "demand-zero": "demand_zero",
    "soft (standby)": "soft_standby",
    "soft (modified)": "soft_modified",
    "hard": "hard",
}
WAITS = ["wait: free page", "wait: trim batch", "wait: trim window", "wait: in-page"]
PHASES = ["select", "freeze", "capture", "zap", "thaw", "finish", "wake"]
COUNTERS = ["page lists", "available pages", "faults/s", "working set"]

problems = []


def need(cond, what):
    if not cond:
        problems.append(what)


def load(path):
    with open(path) as f:
        return json.load(f)


def spans_nest(spans):
    """Complete spans on one thread must nest (Perfetto's rule)."""
    by = collections.defaultdict(list)
    for e in spans:
        by[e["tid"]].append(e)
    bad = 0
    for evs in by.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        ends = []
        for e in evs:
            s, t = e["ts"], e["ts"] + e["dur"]
            while ends and ends[-1] <= s + 1e-9:
                ends.pop()
            if ends and t > ends[-1] + 1e-6:
                bad += 1
            ends.append(t)
    return bad


def main():
    mode, tpath, spath = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    t = load(tpath)
    summary = load(spath)
    ev = t["traceEvents"]
    other = t["otherData"]
    need(t.get("displayTimeUnit") == "ms", "displayTimeUnit")
    spans = [e for e in ev if e["ph"] == "X"]
    counters = [e for e in ev if e["ph"] == "C"]
    meta = [e for e in ev if e["ph"] == "M"]
    names = collections.Counter(e["name"] for e in spans)
    threads = {e["tid"]: e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    tpid = {e["tid"]: e["pid"] for e in meta if e["name"] == "thread_name"}
    procs = {e["pid"]: e["args"]["name"] for e in meta if e["name"] == "process_name"}
    tl = summary.get("timeline", {})
    need(tl.get("spans") == len(spans), "summary spans %s, file %d" % (tl.get("spans"), len(spans)))
    need(tl.get("dropped") == other["dropped"], "summary and file disagree on drops")
    need(all(e["tid"] in threads for e in spans), "a span on an unnamed thread")
    need(spans_nest(spans) == 0, "spans that overlap without nesting")
    f = summary["faults"]

    if mode == "full":
        need(procs.get(1) == "machine", "pid 1 is not the machine: %s" % procs)
        for n in ["trimmer", "modified writer", "zero-page thread", "user 0", "user 1"]:
            need(n in threads.values(), "no thread named %r: %s" % (n, threads))
        for tid, n in threads.items():
            want = "machine" if not n.startswith("user") else "p1"
            need(procs.get(tpid[tid]) == want, "thread %s is under %s" % (n, procs.get(tpid[tid])))
        need(other["dropped"] == 0 and tl.get("dropped") == 0, "dropped at the default bound")
        for name, key in KIND_COUNTER.items():
            need(names[name] == f[key], "%s spans %d, faults.%s %d" % (name, names[name], key, f[key]))
        waited = sum(names[w] for w in WAITS)
        need(names["collided"] + waited == f["collided"],
             "collided %d + waits %d != faults.collided %d" % (names["collided"], waited, f["collided"]))
        need(f["hard"] > 0 and f["demand_zero"] > 0, "the run had no hard or demand-zero faults")
        need(names["trim batch"] == summary["trim_batches"],
             "trim batches %d, summary %d" % (names["trim batch"], summary["trim_batches"]))
        need(names["write batch"] == summary["write_batches"],
             "write batches %d, summary %d" % (names["write batch"], summary["write_batches"]))
        # the zero-page thread's first pages are zeroed as the machine is built, before time 0
        need(0 < names["zero page"] <= summary["pages_zeroed"], "zero page spans %d, pages_zeroed %d"
             % (names["zero page"], summary["pages_zeroed"]))
        for p in PHASES:
            need(names[p] > 0, "no %r phase" % p)
        for e in spans:
            if e["name"] in KIND_COUNTER or e["name"] == "collided":
                need("page" in e.get("args", {}) and e["args"].get("process") == "p1",
                     "a fault span without its page and process: %s" % e)
                break
        w = [e for e in spans if e["name"] in WAITS]
        need(all(e["args"]["signals"] >= 0 and "page" in e["args"] for e in w), "wait args")
        b = next(e for e in spans if e["name"] == "trim batch")
        need(b["args"]["pages"] > 0 and "clean" in b["args"], "trim batch args: %s" % b)
        w = next(e for e in spans if e["name"] == "write batch")
        need(w["args"]["pages"] >= 0 and w["args"]["slot runs"] >= 1, "write batch args: %s" % w)
        cn = collections.Counter(e["name"] for e in counters)
        for c in COUNTERS:
            need(cn[c] >= 5, "counter %r: %d points" % (c, cn[c]))
        fs = [e for e in counters if e["name"] == "faults/s"]
        need(any(e["args"]["hard"] > 0 for e in fs), "faults/s never shows a hard fault")
        need(not any(e["ph"] == "i" for e in ev), "a drop marker with nothing dropped")

    elif mode == "dropped":
        need(os.path.getsize(tpath) <= int(args[0]), "%d bytes, bound %s" % (os.path.getsize(tpath), args[0]))
        need(other["dropped"] > 0 and tl.get("dropped") == other["dropped"], "nothing dropped")
        need(other["first_drop_s"] is not None and "warning" in other, "otherData does not say so")
        marks = [e for e in ev if e["ph"] == "i"]
        need(len(marks) == 1 and "dropped" in marks[0]["name"], "no drop marker")
        need(len(spans) > 0 and len(spans) <= other["capacity_events"], "spans %d, capacity %d" %
             (len(spans), other["capacity_events"]))

    elif mode == "window":
        lo, hi = float(args[0]) * 1e6, float(args[1]) * 1e6
        need(len(spans) > 100 and len(counters) > 0, "nothing recorded in the window")
        out = [e for e in spans + counters if not lo <= e["ts"] <= hi]
        need(not out, "%d events outside [%g, %g] us, e.g. %s" % (len(out), lo, hi, out[:1]))
        need(min(e["ts"] for e in spans) < lo + 0.2 * (hi - lo), "the window's start is empty")
        need(max(e["ts"] for e in spans) > hi - 0.2 * (hi - lo), "the window's end is empty")

    elif mode == "procs":
        want = args[0].split(",")
        need(sorted(procs.values()) == sorted(want + ["machine"]), "processes %s" % procs)
        pid = {n: p for p, n in procs.items()}
        for n in want:
            users = [tid for tid, tn in threads.items() if tn.startswith("user") and tpid[tid] == pid[n]]
            need(users, "no user thread under %s" % n)
            need(any(e["name"] == "working set" and e["pid"] == pid[n] for e in counters),
                 "no working-set counter for %s" % n)
        batches = [e for e in spans if e["name"] == "trim batch"]
        need(batches and all(e["args"].get("process") in want for e in batches),
             "trim batches without their process")
        rl = [e for e in spans if e["name"] == "local replacement"]
        need(rl and all(procs[e["pid"]] == e["args"]["process"] for e in rl),
             "no local replacement on a process's own thread")
    else:
        problems.append("unknown mode " + mode)

    if problems:
        for p in problems[:10]:
            print("FAIL timeline_check %s: %s" % (mode, p))
        sys.exit(1)
    print("timeline_check %s: ok" % mode)


main()
