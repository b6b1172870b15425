#!/bin/sh
# wsets.sh - the working-set experiments of docs/WORKING-SETS.md: runs
# them all on one machine configuration and prints each table (markdown),
# then plots the thrashing curve with gnuplot (examples/wsets-thrash.gp).
#
# Usage: examples/wsets.sh [OUTDIR]     (from the repository's top)
#   VMSIM=build/vmsim   the binary (make first)
#   S=3                 seconds per run (experiment 4: S - 1, at least 1)
#   OUTDIR              where the JSON of every run, thrash.dat and
#                       wsets-thrash.png go (default build/wsets)
#
# Every run is verified (vmsim fails on a wrong byte); the script stops at
# the first run that fails.  It takes about 25 runs of S seconds: a few
# minutes.  Figures depend on the machine and what else runs on it: ratios
# between the rows of one table, from one run of the script, are what the
# tables show.
set -eu

V=${VMSIM:-build/vmsim}
S=${S:-3}
OUT=${1:-build/wsets}
mkdir -p "$OUT"
M="--physical 16M --pagefile 128M --write-ratio 0.3 --seconds $S --json --quiet"
N=0

# run NAME ARGS...: one vmsim run, its JSON kept in $OUT/NAME.json.
run() {
	name=$1
	shift
	N=$((N + 1))
	echo "\$ $V $*" >"$OUT/$name.cmd"
	if ! "$V" "$@" >"$OUT/$name.json"; then
		echo "wsets.sh: run $name failed: $V $*" >&2
		exit 1
	fi
}

# py NAME... : a python3 program (stdin) over the runs' JSON.
py() {
	python3 - "$OUT" "$@"
}

echo "## Machine: 16M of frames (4096), a 128M page file, write ratio 0.3, $S s a run; $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg) at the start"
echo

# ---- 1: a zipf process beside a scan, without and with a hard max on the scan ----
E1="$M --process name=zipf,workload=zipf,virtual=16M,threads=1"
run e1-none $E1 --process name=scan,workload=scan,virtual=64M,threads=1
run e1-hard $E1 --process name=scan,workload=scan,virtual=64M,threads=1,ws-max=2M,hard-max
echo "### 1. zipf beside a scan (zipf 16M, s=1.0; scan sweeping 64M)"
echo
echo '```'
cat "$OUT/e1-none.cmd" "$OUT/e1-hard.cmd"
echo '```'
echo
py e1-none e1-hard <<'PY'
import json, sys
out = sys.argv[1]
print("| scan's limits | zipf hard faults / access | zipf resident at end (peak) | scan resident peak | scan pages replaced | zipf accesses/s | scan accesses/s |")
print("|---|---|---|---|---|---|---|")
for name, lab in zip(sys.argv[2:], ["default (soft max)", "ws-max=2M,hard-max"]):
    j = json.load(open(f"{out}/{name}.json"))
    p = {q["name"]: q for q in j["processes"]}
    z, s = p["zipf"], p["scan"]
    el = j["elapsed_s"]
    print(f"| {lab} | {z['faults']['hard'] / z['accesses']:.4f} | {z['working_set_pages']} ({z['working_set_peak_pages']}) "
          f"| {s['working_set_peak_pages']} | {s['pages_replaced']} | {z['accesses'] / el:.0f} | {s['accesses'] / el:.0f} |")
PY
echo

# ---- 2: a ws-min protecting a small process from a large one ----
E2="$M --process name=large,workload=runs,virtual=64M,threads=2,ws-max=16M"
run e2-none $E2 --process name=small,workload=zipf,zipf-s=0.6,virtual=4M,threads=1,ws-max=16M
run e2-min $E2 --process name=small,workload=zipf,zipf-s=0.6,virtual=4M,threads=1,ws-max=16M,ws-min=4M
echo "### 2. ws-min protecting a small process (small: zipf s=0.6 over 4M, 1 thread; large: runs over 64M, 2 threads; both ws-max=16M, soft)"
echo
echo '```'
cat "$OUT/e2-none.cmd" "$OUT/e2-min.cmd"
echo '```'
echo
py e2-none e2-min <<'PY'
import json, sys
out = sys.argv[1]
print("| small's ws-min | small hard faults / access | small pages trimmed | small resident at end | large hard faults / access | large resident at end |")
print("|---|---|---|---|---|---|")
for name in sys.argv[2:]:
    j = json.load(open(f"{out}/{name}.json"))
    p = {q["name"]: q for q in j["processes"]}
    a, b = p["small"], p["large"]
    lab = f"{a['ws_min_pages']} pages" + (" (default)" if name.endswith("none") else "")
    print(f"| {lab} | {a['faults']['hard'] / a['accesses']:.4f} | {a['pages_trimmed']} | {a['working_set_pages']} "
          f"| {b['faults']['hard'] / b['accesses']:.4f} | {b['working_set_pages']} |")
PY
echo

# ---- 3: priorities: whose standby pages are repurposed first ----
E3="$M --process name=hog,workload=scan,virtual=64M,threads=1"
P3="workload=zipf,zipf-s=0.8,virtual=12M,threads=1,ws-max=1M,hard-max"
run e3-a $E3 --process name=A,$P3,priority=1 --process name=B,$P3,priority=6
run e3-b $E3 --process name=A,$P3,priority=6 --process name=B,$P3,priority=1
echo "### 3. Priorities (A and B the same: zipf s=0.8 over 12M, hard max 1M, so most of their pages live on standby; a scan over 64M at the default priority 5 repurposes)"
echo
echo '```'
cat "$OUT/e3-a.cmd" "$OUT/e3-b.cmd"
echo '```'
echo
py e3-a e3-b <<'PY'
import json, sys
out = sys.argv[1]
print("| run | process | priority | soft faults / access (rescued from standby) | hard faults / access (repurposed, read back) |")
print("|---|---|---|---|---|")
for name in sys.argv[2:]:
    j = json.load(open(f"{out}/{name}.json"))
    for q in j["processes"]:
        if q["name"] == "hog":
            continue
        prio = q.get("memory_priority", "?")
        print(f"| {name} | {q['name']} | {prio} | {q['faults']['soft'] / q['accesses']:.4f} | {q['faults']['hard'] / q['accesses']:.4f} |")
    l = j["lists"]
    if "standby_p1" in l:
        print(f"| {name} | standby at the end | | p1: {l['standby_p1']} frames, p5: {l['standby_p5']}, p6: {l['standby_p6']} | |")
PY
echo

# ---- 4: thrashing: total throughput as one process's working set grows ----
S4=$((S > 1 ? S - 1 : 1))
M4="--physical 16M --pagefile 128M --write-ratio 0.3 --seconds $S4 --json --quiet --trim-policy fifo"
: >"$OUT/thrash.dat"
for w in 4 6 8 10 12 14 16 20 24; do
	run "e4-none-$w" $M4 --process name=steady,workload=uniform,virtual=6M,threads=1 \
	    --process name=grow,workload=uniform,virtual=${w}M,threads=1
	run "e4-lim-$w" $M4 --process name=steady,workload=uniform,virtual=6M,threads=1,ws-min=6M \
	    --process name=grow,workload=uniform,virtual=${w}M,threads=1,ws-max=9M,hard-max
done
echo "### 4. Thrashing (global FIFO replacement, --trim-policy fifo; steady: uniform over 6M; grow: uniform over W; 16M of frames; with limits: steady ws-min=6M, grow ws-max=9M,hard-max)"
echo
echo '```'
cat "$OUT/e4-none-12.cmd" "$OUT/e4-lim-12.cmd"
echo "(W = 4M ... 24M: virtual=\${W}M)"
echo '```'
echo
py <<'PY'
import json, sys
out = sys.argv[1]
print("| grow's W | total accesses/s: no limits | limits | steady's accesses/s: no limits | limits | steady's hard faults / access: no limits | limits | grow's: no limits | limits |")
print("|---|---|---|---|---|---|---|---|---|")
dat = open(f"{out}/thrash.dat", "w")
dat.write("# W_MiB total_none steady_none grow_none total_lim steady_lim grow_lim steady_hf_none steady_hf_lim\n")
for w in [4, 6, 8, 10, 12, 14, 16, 20, 24]:
    row = []
    for k in ("none", "lim"):
        j = json.load(open(f"{out}/e4-{k}-{w}.json"))
        p = {q["name"]: q for q in j["processes"]}
        el = j["elapsed_s"]
        st, gr = p["steady"], p["grow"]
        row.append((j["accesses"] / el, st["accesses"] / el, gr["accesses"] / el,
                    st["faults"]["hard"] / max(1, st["accesses"]), gr["faults"]["hard"] / max(1, gr["accesses"])))
    (tn, sn, gn, shn, ghn), (tl, sl, gl, shl, ghl) = row
    print(f"| {w}M | {tn:.0f} | {tl:.0f} | {sn:.0f} | {sl:.0f} | {shn:.4f} | {shl:.4f} | {ghn:.3f} | {ghl:.3f} |")
    dat.write(f"{w} {tn:.0f} {sn:.0f} {gn:.0f} {tl:.0f} {sl:.0f} {gl:.0f} {shn:.5f} {shl:.5f}\n")
PY
echo
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot -e "datadir='$OUT'; out='$OUT/wsets-thrash.png'" "$(dirname "$0")/wsets-thrash.gp"
	echo "(plot: $OUT/wsets-thrash.png; $N runs)"
else
	echo "(gnuplot not found: no plot; $N runs)"
fi
