#!/usr/bin/env bash
# tests/cli.sh - the vmsim command: bad input gets one line on stderr and
# exit status 2; good input runs, verifies and reports.  $VMSIM is the
# binary under test.
set -u
V=${VMSIM:-build/vmsim}
B=$(dirname "$V")
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_error WHAT PATTERN ARGS...: exit 2, exactly one stderr line matching PATTERN.
expect_error() {
	local what=$1 pat=$2; shift 2
	local err rc
	err=$("$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -ne 2 ]; then bad "$what: exit $rc, want 2 ($*)"; return; fi
	if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "$what: stderr is not one line: $err"; return; fi
	if ! grep -qE -- "$pat" <<<"$err"; then bad "$what: '$err' does not match '$pat'"; return; fi
	ok
}

small="--physical 256K --virtual 1M --pagefile 1M --seconds 0.3 --quiet"
expect_error "size not a number"   "not a size"          "$V" --physical abc
expect_error "size not page-sized" "multiple of the 4K"  "$V" --physical 5000
expect_error "size suffix junk"    "not a size"          "$V" --virtual 12Q
expect_error "too few frames"      "physical memory must" "$V" --physical 16K
expect_error "over commit limit"   "commit limit: physical 16M \+ pagefile 64M = 80M" "$V" --virtual 1G
expect_error "more than the machine" "3/4 of this machine's memory" "$V" --physical 1T --pagefile 1T --virtual 1T
expect_error "zero threads"        "--threads"           "$V" --threads 0
expect_error "too many threads"    "--threads"           "$V" --threads 100000
expect_error "write ratio > 1"     "--write-ratio"       "$V" --write-ratio 1.5
expect_error "write ratio junk"    "--write-ratio"       "$V" --write-ratio half
expect_error "negative seconds"    "--seconds"           "$V" --seconds -1
expect_error "unknown option"      "unknown option '--bogus'" "$V" --bogus
expect_error "missing value"       "needs a value"       "$V" --threads
expect_error "stray argument"      "unexpected argument" "$V" extra
expect_error "unknown workload"    "unknown workload"    "$V" --workload nope
expect_error "unwritable page file" "cannot create page file" "$V" $small --pagefile-path /nonexistent/dir/pf
expect_error "trim batch range"    "--trim-batch"        "$V" --trim-batch 257
# realism options (docs/REALISM.md)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'R 0\nW 1\n# comment\nX 12\n' >"$tmp/bad.trace"
printf 'R 0\n\nW 3\nR 99999\n' >"$tmp/far.trace"
printf '# tiny\nR 0\nW 1\nR 0x2000\nW 1\nR 0\n' >"$tmp/ok.trace"
expect_error "workload list"       "unknown workload 'nope' \(runs, uniform, zipf, scan, phases, trace\)" "$V" --workload nope
expect_error "trim policy"         "--trim-policy: unknown policy 'lru'" "$V" --trim-policy lru
expect_error "zipf-s range"        "--zipf-s"            "$V" --zipf-s 0
expect_error "zipf-s junk"         "--zipf-s"            "$V" --zipf-s hot
expect_error "scan size"           "--scan-size"         "$V" --scan-size 3K
expect_error "phase len"           "--phase-len"         "$V" --phase-len 0
expect_error "phase size"          "--phase-size"        "$V" --phase-size 0
expect_error "readonly fraction"   "--readonly-fraction" "$V" --readonly-fraction 1.5
expect_error "readonly fit"        "read-only part .* must fit in the page file" "$V" --physical 1M --virtual 4M --pagefile 4M --readonly-fraction 0.5 --pagefile 3M --virtual 4M --physical 2M --readonly-fraction 1
expect_error "prefetch range"      "--prefetch"          "$V" --prefetch 64
expect_error "prefetch junk"       "--prefetch"          "$V" --prefetch -1
expect_error "defrag takes no value" "unknown option|doesn't allow" "$V" --defrag=1
expect_error "trace needs a file"  "needs a file: --trace FILE or --workload trace:FILE" "$V" --workload trace
expect_error "trace: empty name"   "file name is empty"  "$V" --workload trace:
expect_error "--trace alone"       "--trace FILE needs --workload trace" "$V" --trace "$tmp/ok.trace"
expect_error "trace runs once"     "replays the trace once" "$V" --workload trace:"$tmp/ok.trace" --accesses 10
expect_error "compare needs trace" "--compare needs --workload trace" "$V" --compare
expect_error "trace missing"       "nope.trace: cannot open" "$V" --workload trace --trace "$tmp/nope.trace"
expect_error "trace malformed"     "bad.trace:4: expected 'R' or 'W'" "$V" --workload trace:"$tmp/bad.trace"
expect_error "trace beyond region" "far.trace:4: page 99999 is beyond the 256-page region" "$V" $small --workload trace:"$tmp/far.trace"
expect_error "record unwritable"   "--record: cannot write /nonexistent/r.trace" "$V" $small --accesses 100 --record /nonexistent/r.trace

# Every pattern and policy runs verified.
for w in runs uniform zipf scan phases; do
	for p in aging fifo random; do
		out=$("$V" $small --workload $w --trim-policy $p --accesses 20000 --json); rc=$?
		if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["verify_failures"] == 0 and j["accesses"] == 20000 and j["config"]["trim_policy"] == sys.argv[2]' "$out" "$p"
		then ok; else bad "$w/$p run: exit $rc"; fi
	done
done

# A trace replays exactly: one thread, the whole trace; two threads split it.
for t in 1 2; do
	out=$("$V" $small --threads $t --workload trace:"$tmp/ok.trace" --compare --json); rc=$?
	if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); c=j["compare"]
assert j["accesses"] == 5 and j["writes"] == 2 and j["verify_failures"] == 0
assert c["references"] == 5 and c["distinct_pages"] == 3 and c["frames"] == 64
assert c["lru"] == 3 and c["opt"] == 3 and c["fifo"] == 3 and c["vmsim_faults"] == 3, c' "$out"
	then ok; else bad "trace replay, $t threads: exit $rc: $out"; fi
done

# --record, then --compare on the recording: same references, table printed.
"$V" $small --threads 2 --workload zipf --accesses 3000 --record "$tmp/rec.trace" --quiet >/dev/null; rc=$?
n=$(grep -cE '^[RW] [0-9]+$' "$tmp/rec.trace" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$n" = 3000 ]; then ok; else bad "--record: exit $rc, $n references"; fi
out=$("$V" $small --threads 1 --workload trace --trace "$tmp/rec.trace" --compare --quiet); rc=$?
if [ "$rc" -eq 0 ] && grep -q "3000 references" <<<"$out" && grep -qE "^  LRU +[0-9]+" <<<"$out" &&
   grep -qE "^  OPT \(Belady\) +[0-9]+" <<<"$out" && grep -qE "^  vmsim dz\+soft\+hard +[0-9]+" <<<"$out"
then ok; else bad "--compare on a recording: exit $rc"; fi

# Read-only pages: writes there refused and counted, never let through.
out=$("$V" $small --readonly-fraction 0.25 --accesses 20000 --json); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1])
assert j["readonly_pages"] == 64 and j["access_violations"] > 0 and j["readonly_reads"] > 0
assert j["verify"]["readonly_written"] == 0 and j["verify_failures"] == 0' "$out"
then ok; else bad "--readonly-fraction run: exit $rc"; fi

# Prefetch and defrag report their counters.
out=$("$V" $small --workload scan --prefetch 8 --defrag --accesses 20000 --json); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p=j["prefetch"]
assert p["pages"] > 0 and p["used"] + p["wasted"] <= p["pages"] and j["config"]["defrag"] is True
assert "defrag_moves" in j and "write_runs" in j and j["verify_failures"] == 0' "$out"
then ok; else bad "--prefetch/--defrag run: exit $rc"; fi
# Trim hints: sequential runs hand pages to the trimmer; all verified.
out=$("$V" $small --workload runs --max-run 512 --trim-hints --json); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1])
assert j["config"]["trim_hints"] is True and j["trimmed_by_hint"] > 0
assert j["trimmed_by_hint"] <= j["pages_trimmed"] and j["verify_failures"] == 0' "$out"
then ok; else bad "--trim-hints run: exit $rc"; fi
if "$V" --help | grep -q -- "--trim-policy P" && "$V" --help | grep -q "thread t replaying references t, t+N"; then ok; else bad "--help: realism options"; fi

if [ -x "$B/tests/tools/nouffd" ]; then
	expect_error "no userfaultfd" "userfaultfd unavailable.*Linux >= 5.11" "$B/tests/tools/nouffd" "$V" $small
else
	bad "nouffd wrapper not built"
fi

# --help: exit 0, lists the options.
if "$V" --help | grep -q -- "--pagefile SIZE"; then ok; else bad "--help"; fi

# A small run at exactly the commit limit: exit 0, verified.
out=$("$V" --physical 256K --virtual 1M --pagefile 768K --threads 3 --accesses 20000 --quiet); rc=$?
if [ "$rc" -eq 0 ] && grep -q "verify: .* 0 lost writes.*: ok" <<<"$(tr -s ' ' <<<"$out")"; then ok; else bad "commit-limit run: exit $rc"; fi

# --json: one object with the documented keys; accesses counted exactly.
json=$("$V" $small --accesses 5000 --json); rc=$?
if [ "$rc" -eq 0 ] && python3 - "$json" <<'PY'
import json, sys
j = json.loads(sys.argv[1])
need = ["config", "accesses", "elapsed_s", "faults", "pages_trimmed", "pages_written", "verify_failures"]
assert all(k in j for k in need), [k for k in need if k not in j]
assert all(k in j["faults"] for k in ["demand_zero", "soft", "hard"])
assert j["accesses"] == 5000, j["accesses"]
assert j["verify_failures"] == 0
assert j["config"]["physical"] == 256 * 1024
PY
then ok; else bad "--json output"; fi

# The same seed twice gives the same access stream (single thread: same faults too).
a=$("$V" $small --threads 1 --accesses 20000 --seed 9 --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["writes"], j["faults"]["demand_zero"])')
b=$("$V" $small --threads 1 --accesses 20000 --seed 9 --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["writes"], j["faults"]["demand_zero"])')
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "--seed reproducible: '$a' vs '$b'"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
