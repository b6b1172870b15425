#!/usr/bin/env bash
# tests/cli.sh - the vmsim command: bad input gets one line on stderr and
# exit status 2; good input runs, verifies and reports.  $VMSIM is the
# binary under test.
set -u
V=${VMSIM:-build/vmsim}
B=$(dirname "$V")
. "$(dirname "$0")/lib.sh"


small="--physical 256K --virtual 1M --pagefile 1M --quiet"
expect_error "size not a number"   "not a size"          "$V" --physical abc
expect_error "size not page-sized" "multiple of the 4K"  "$V" --physical 5000
expect_error "size suffix junk"    "not a size"          "$V" --virtual 12Q
expect_error "too few frames"      "physical memory must" "$V" --physical 16K
expect_error "over commit limit"   "commit limit: physical 16M \+ pagefile 64M = 80M" "$V" --virtual 1G
expect_error "more than the machine" "needs about 3.0T of memory \(frames 1.0T \+ mapped pages 1.0T \+ in-memory page file 1.0T \+ bookkeeping [0-9.]+G\): more than [0-9.]+[GT], 3/4 of this machine's memory" "$V" --physical 1T --pagefile 1T --virtual 1T
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
out=$("$V" $small --seconds 0.3 --workload runs --max-run 512 --trim-hints --json); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1])
assert j["config"]["trim_hints"] is True and j["trimmed_by_hint"] > 0
assert j["trimmed_by_hint"] <= j["pages_trimmed"] and j["verify_failures"] == 0' "$out"
then ok; else bad "--trim-hints run: exit $rc"; fi
if "$V" --help | grep -q -- "--trim-policy P" && "$V" --help | tr -s ' \n' ' ' | grep -q "thread t replaying references t, t+N"; then ok; else bad "--help: realism options"; fi

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

# ---- issue 7: no hang, no silent success, no harm to inputs ----
# Each block is one class; each check failed before the fix.
sum() { cksum <"$1"; }
t="$tmp/t.trace"; printf '# keep me\nR 0\nW 1\nR 2\n' >"$t"; tsum=$(sum "$t")
intact() { if [ "$(sum "$t")" = "$tsum" ]; then ok; else bad "$1: the trace changed"; fi; }
absent() { for f in "$@"; do if [ -e "$f" ]; then bad "$f was left behind"; rm -rf "$f"; else ok; fi; done; }

# Inputs vs outputs, by identity (and outputs vs outputs), refused before anything is opened.
expect_error "page file is the trace" "--pagefile-path .*t.trace and --trace .*t.trace are the same file: the run would overwrite its input" \
	"$V" $small --workload trace:"$t" --pagefile-path "$t"; intact "page file = trace"
expect_error "record is the trace (other spelling)" "--record .* and --trace .* are the same file" \
	"$V" $small --workload trace --trace "$t" --record "$tmp/../$(basename "$tmp")/t.trace"; intact "record = trace"
ln "$t" "$tmp/hard.trace"
expect_error "record is a hard link of the trace" "same file" "$V" $small --workload trace:"$t" --record "$tmp/hard.trace"; intact "hard link"
expect_error "two outputs, neither existing" "--record .*new.out and --pagefile-path .*new.out are the same file: one output would overwrite the other" \
	"$V" $small --accesses 100 --pagefile-path "$tmp/new.out" --record "$tmp/./new.out"; absent "$tmp/new.out"
err=$("$V" $small --workload trace:"$t" 2>&1 >>"$t"); rc=$?
if [ "$rc" -eq 2 ] && grep -q "standard output and --trace .* are the same file" <<<"$err"; then ok; else bad "stdout is the trace: exit $rc: $err"; fi; intact "stdout = trace"
err=$("$V" $small --accesses 100 --record "$tmp/out.txt" 2>&1 >"$tmp/out.txt"); rc=$?
if [ "$rc" -eq 2 ] && grep -q "standard output and --record .* are the same file" <<<"$err"; then ok; else bad "stdout is the record: exit $rc: $err"; fi
expect_error "page file is a directory" "--pagefile-path .*: a directory: a page file is created there" "$V" $small --accesses 10 --pagefile-path "$tmp"
expect_error "page file is a device" "--pagefile-path /dev/null: a character device" "$V" $small --accesses 10 --pagefile-path /dev/null
expect_error "record is a directory" "--record .*: a directory" "$V" $small --accesses 10 --record "$tmp"
expect_error "trace is a directory" "--trace .*: a directory, not a trace" "$V" $small --workload trace:"$tmp"
# Refused after the outputs were prepared (no userfaultfd): nothing new left, nothing old truncated.
if [ -x "$B/tests/tools/nouffd" ]; then
	echo "old contents" >"$tmp/old.rec"
	expect_error "refusal removes what it created" "userfaultfd unavailable" "$B/tests/tools/nouffd" "$V" $small \
		--accesses 100 --record "$tmp/new.rec" --pagefile-path "$tmp/new.pf"
	absent "$tmp/new.rec" "$tmp/new.pf"
	expect_error "refusal keeps an old record" "userfaultfd unavailable" "$B/tests/tools/nouffd" "$V" $small --accesses 100 --record "$tmp/old.rec"
	if [ "$(cat "$tmp/old.rec")" = "old contents" ]; then ok; else bad "an old --record file was truncated by a refused run"; fi
fi

# --record is checked before the run, not after it.
err=$(timeout 10 "$V" $small --seconds 30 --record /nonexistent/r.trace 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 2 ] && grep -q "cannot write /nonexistent/r.trace" <<<"$err"; then ok; else bad "--record checked only after the run: exit $rc: $err"; fi

# Lost output is exit 1 with one line, never a silent 0.
lost() {	# lost WHAT PATTERN CMD...: stdout to /dev/full
	local what=$1 pat=$2; shift 2; local err rc
	err=$("$@" 2>&1 >/dev/full); rc=$?
	if [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ] && grep -qE -- "$pat" <<<"$err"; then ok
	else bad "$what: exit $rc, stderr '$err'"; fi
}
lost "summary to /dev/full" "the report was lost: cannot write standard output: No space left" "$V" $small --accesses 100
lost "--json to /dev/full" "the report was lost" "$V" $small --accesses 100 --json
lost "--help to /dev/full" "cannot write the help" "$V" --help
err=$("$V" $small --accesses 100 --record /dev/full 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 1 ] && grep -q -- "--record: cannot write /dev/full: No space left" <<<"$err"; then ok; else bad "--record /dev/full: exit $rc: $err"; fi
err=$("$V" $small --accesses 100 2>&1 >&-); rc=$?
if [ "$rc" -eq 2 ] && grep -q "standard output is closed" <<<"$err"; then ok; else bad "stdout closed: exit $rc: $err"; fi

# Traces: bounded lines and memory, no hang on endless or binary input, no raw bytes echoed.
lim=""; case $B in *asan*) ;; *) lim="ulimit -v 300000;" ;; esac	# ASan reserves terabytes
bounded() {	# bounded WHAT PATTERN TRACE-COMMAND
	local err rc
	err=$(timeout 20 bash -c "$lim exec \"\$0\" $small --workload trace:<($3)" "$V" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -qE -- "$2" <<<"$err"; then ok
	else bad "$1: exit $rc: $err"; fi
}
bounded "NULs, no line end" ":1: line longer than 4096 bytes" "head -c 400M /dev/zero"
bounded "y's, no line end" ":1: line longer than 4096 bytes" "yes | tr -d '\\n' | head -c 5M"
bounded "endless comment" ":3: line longer than 4096 bytes" "printf 'R 1\\nW 2\\n#'; yes | tr -d '\\n'"
err=$(timeout 20 bash -c "$lim exec \"\$0\" $small --workload trace:/dev/zero" "$V" 2>&1); rc=$?
if [ "$rc" -eq 2 ] && grep -q "/dev/zero:1: line longer than 4096 bytes" <<<"$err"; then ok; else bad "/dev/zero: exit $rc: $err"; fi
printf 'R 0\n\x01\x1b[31mred\xff\x7f\n' >"$tmp/bin.trace"
expect_error "binary line, escaped" "bin.trace:2: expected .* got '\\\\x01\\\\x1b\\[31mred\\\\xff\\\\x7f'" "$V" $small --workload trace:"$tmp/bin.trace"
err=$("$V" $small --workload trace:"$tmp/bin.trace" 2>&1); if LC_ALL=C grep -q '[^[:print:]]' <<<"$err"; then bad "raw bytes echoed: $err"; else ok; fi
printf 'R 5\0 junk\nW 1\n' >"$tmp/nul.trace"
expect_error "NUL inside a line" "nul.trace:1: expected .*got 'R 5\\\\x00 junk'" "$V" $small --workload trace:"$tmp/nul.trace"
expect_error "control bytes in a path" "cannot open" "$V" $small --workload trace:"$tmp/"$'\e[31m\nx'
err=$("$V" $small --workload trace:"$tmp/"$'\e[31m\nx' 2>&1); if LC_ALL=C grep -q $'\e' <<<"$err"; then bad "escape byte echoed"; else ok; fi
mkfifo "$tmp/fifo"
expect_error "a FIFO with no writer: no hang" "fifo: no accesses" timeout 10 "$V" $small --workload trace:"$tmp/fifo"
expect_error "--record to a FIFO with no reader: no hang" "--record: cannot write .*fifo: .*\(a FIFO with no reader\)" timeout 10 "$V" $small --accesses 10 --record "$tmp/fifo"
expect_error "trace far page, pipe" ":2: page 300 is beyond the 256-page region" "$V" $small --workload trace:<(printf 'R 1\nR 300\n')

# Options that cannot take effect are refused; display options and repeats are not.
noeffect() { expect_error "$1" "--$2 has no effect" "$V" $small "${@:3}"; }
noeffect "max-run on zipf"   max-run   --workload zipf --max-run 4 --accesses 10
noeffect "zipf-s on runs"    zipf-s    --zipf-s 2 --accesses 10
noeffect "scan-size on uniform" scan-size --workload uniform --scan-size 8K --accesses 10
noeffect "phase-len on scan" phase-len --workload scan --phase-len 5 --accesses 10
noeffect "phase-size on runs" phase-size --phase-size 8K --accesses 10
noeffect "seconds on a trace" seconds  --workload trace:"$t" --seconds 1
noeffect "write-ratio on a trace" write-ratio --workload trace:"$t" --write-ratio 1
noeffect "seed on a trace"   seed      --workload trace:"$t" --seed 5
noeffect "page-file path, no page file" pagefile-path --physical 1M --pagefile 0 --pagefile-path "$tmp/pf0" --accesses 10
noeffect "defrag, no page file" defrag --physical 1M --pagefile 0 --defrag --accesses 10
noeffect "prefetch, no page file" prefetch --physical 1M --pagefile 0 --prefetch 4 --accesses 10
absent "$tmp/pf0"
expect_error "seconds and accesses" "--seconds and --accesses both set the run's length" "$V" $small --seconds 1 --accesses 10
out=$("$V" $small --workload trace:"$t" --seed 5 --trim-policy random --json --quiet --threads 3 --threads 1); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["config"]["threads"] == 1 and j["accesses"] == 3' "$out"; then ok
else bad "--seed with random trims, --json --quiet, a repeated option: exit $rc"; fi

# Out-of-range values are refused with the range for this configuration, never clamped.
expect_error "trim batch over a quarter of the frames" "--trim-batch: 32 is more than a quarter of the 64 frames: at most 16 with --physical 256K" "$V" $small --trim-batch 32 --accesses 10
if "$V" $small --trim-batch 16 --accesses 1000 >/dev/null; then ok; else bad "--trim-batch 16 on 64 frames"; fi
expect_error "scan over the region" "--scan-size: 2M is larger than the region: at most --virtual 1M" "$V" $small --workload scan --scan-size 2M --accesses 10
expect_error "phase over the region" "--phase-size: 2M is larger than the region" "$V" $small --workload phases --phase-size 2M --accesses 10
expect_error "read-only fraction of no page" "--readonly-fraction: 0.001 of the 256-page region is no page: at least 0.0039" "$V" $small --readonly-fraction 0.001 --accesses 10

# Sizes whose arithmetic wraps 64 bits.
expect_error "physical + page file wraps" "physical 16M \+ page file [0-9]+M does not fit in 64 bits" "$V" --physical 16M --virtual 16M --pagefile 18446744073692774400
expect_error "huge file-backed page file" "bookkeeping [0-9.]+T\): more than .*3/4 of this machine's memory" \
	"$V" --virtual 16M --pagefile 16383T --pagefile-path "$tmp/huge.pf"
absent "$tmp/huge.pf"
expect_error "size past 16E" "not a size of at most 16E" "$V" --pagefile 16777216T

# The memory estimate counts the bookkeeping and the per-page verification state.
expect_error "per-page state of 256 threads on 1T" "this run needs about [0-9.]+[GT] of memory \(vmsim [0-9.]+G \+ the workload's per-page state and records [0-9.]+[GT]\)" \
	timeout 20 "$V" --virtual 1T --physical 1G --pagefile 1T --pagefile-path "$tmp/big.pf" --threads 256 --accesses 10
absent "$tmp/big.pf"
expect_error "--plot's samples counted" "records [0-9.]+[GT] \+ its samples [0-9.]+[KM]\)" \
	timeout 20 "$V" --virtual 1T --physical 1G --pagefile 1T --pagefile-path "$tmp/big.pf" --threads 256 --accesses 10 --plot "$tmp/p.png"
absent "$tmp/big.pf"
expect_error "recording 2^62 accesses" "per-page state and records 16E or more" timeout 20 "$V" $small --accesses 4611686018427387904 --record "$tmp/r.rec"
absent "$tmp/r.rec"

# ---- issue 9: processes (--process KEY=VALUE,...) ----
# Every refusal: one line, exit 2, before any work.
P="--physical 256K --virtual 512K --pagefile 1M --quiet"
expect_error "process: unknown key" "--process 1: unknown key 'bogus' \(keys: name, virtual, threads, workload, write-ratio, zipf-s, max-run, scan-size, phase-len, phase-size, trace, accesses, start, seconds, ws-min, ws-max, hard-max, priority\)" "$V" $P --process bogus=1
# issue 10's keys: their ranges (sizes of whole pages, at most the frames; a flag; 0-7)
expect_error "process: ws-min over ws-max" "--process 1: ws-min 128K is more than ws-max 64K" "$V" $P --process ws-min=128K,ws-max=64K
expect_error "process: ws-max over the frames" "--process 1: ws-max 512K is more than the machine's frames: at most --physical 256K" "$V" $P --process ws-max=512K
expect_error "process: ws-min over the frames" "--process 2: ws-min 1M is more than the machine's frames" "$V" $P --process '' --process ws-min=1M
expect_error "process: ws-min of no page" "--process 1: ws-min: must be at least one page" "$V" $P --process ws-min=0
expect_error "process: ws-max not pages" "--process 1: ws-max: 5000 is not a multiple of the 4K page size" "$V" $P --process ws-max=5000
expect_error "process: hard-max not a flag" "--process 1: hard-max: '2' is not a whole number from 0 to 1" "$V" $P --process hard-max=2
expect_error "process: priority over 7" "--process 1: priority: '8' is not a whole number from 0 to 7" "$V" $P --process priority=8
expect_error "process: priority negative" "--process 1: priority: '-1' is not a whole number from 0 to 7" "$V" $P --process priority=-1
expect_error "process: another key alone" "--process 1: 'priority' is not KEY=VALUE" "$V" $P --process priority
expect_error "process: not KEY=VALUE"  "--process 2: 'virtual' is not KEY=VALUE" "$V" $P --process '' --process virtual
expect_error "process: empty item"     "--process 1: an empty KEY=VALUE in 'name=a,,threads=1'" "$V" $P --process name=a,,threads=1
expect_error "process: bad size"       "--process 1: virtual: '12Q' is not a size" "$V" $P --process virtual=12Q
expect_error "process: unaligned size" "--process 1: virtual: 5000 is not a multiple of the 4K page size" "$V" $P --process virtual=5000
expect_error "process: bad threads"    "--process 1: threads: '0' is not a whole number from 1 to 256" "$V" $P --process threads=0
expect_error "process: bad write ratio" "--process 1: write-ratio: '2' is not a number from 0 to 1" "$V" $P --process write-ratio=2
expect_error "process: bad start"      "--process 1: start: '-1' is not a number" "$V" $P --process start=-1
expect_error "process: zero seconds"   "--process 1: seconds: '0' is not a number from 0.001" "$V" $P --process seconds=0
expect_error "process: bad workload"   "--process 1: workload: unknown workload 'lru'" "$V" $P --process workload=lru
expect_error "process: name with a space" "--process 1: name: 'a b' is not 1 to 31 printable bytes" "$V" $P --process "name=a b"
expect_error "process: name too long"  "--process 1: name: '[a]{32}' is not 1 to 31 printable bytes" "$V" $P --process name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
expect_error "process: empty name"     "--process 1: name: '' is not 1 to 31" "$V" $P --process name=
expect_error "process: duplicate name" "--process 2: the name 'p1' is process 1's already" "$V" $P --process '' --process name=p1
expect_error "process: key not for its workload" "--process 2: max-run has no effect on workload zipf: it applies to workload runs" "$V" $P --process '' --process workload=zipf,max-run=4
expect_error "process: write-ratio on a trace" "--process 1: write-ratio has no effect on workload trace" "$V" $P --process workload=trace:"$t",write-ratio=1
expect_error "process: quota on a trace" "--process 1: accesses has no effect on workload trace: it replays the trace once" "$V" $P --process workload=trace:"$t",accesses=5
expect_error "process: trace key without trace" "--process 1: trace has no effect on workload runs" "$V" $P --process trace="$t"
expect_error "process: trace needs a file" "--process 1: workload trace needs a file: trace=FILE or workload=trace:FILE" "$V" $P --process workload=trace
expect_error "process: starts after the run" "--process 2: start 5 is not before the run's end at 3 s \(--seconds\)" "$V" $P --process '' --process start=5
expect_error "process: ends after the run" "--process 1: start 1 \+ seconds 3 ends at 4 s, after the run's end at 3 s \(--seconds\)" "$V" $P --process start=1,seconds=3
expect_error "process: threads add up" "--process: 300 user threads in all \(p1 200, p2 100\): at most 256" "$V" $P --process threads=200 --process threads=100
expect_error "process: one region over the limit" "--process 1 \(p1\): virtual 2M exceeds the commit limit: physical 256K \+ pagefile 1M = 1280K" "$V" $P --process virtual=2M
expect_error "process: commit, all at once" "--process: the commit limit would be exceeded at 0 s: p1 768K \+ p2 768K = 1536K live, more than 1280K \(physical 256K \+ page file 1M\)" "$V" $P --process virtual=768K --process virtual=768K
expect_error "process: commit, closed intervals" "exceeded at 1 s: p1 768K \+ late 768K = 1536K live" "$V" $P --process virtual=768K,seconds=1 --process virtual=768K,start=1,name=late
expect_error "process: commit, the third" "exceeded at 2 s: p2 512K \+ p3 1M = 1536K live" "$V" $P --process virtual=768K,seconds=1 --process virtual=512K,start=0.5 --process virtual=1M,start=2
for opt in "--record $tmp/p.rec" --compare "--mrc 8" "--readonly-fraction 0.1"; do
	expect_error "process: ${opt%% *} refused" "${opt%% *} cannot combine with --process" "$V" $P --accesses 10 --process '' $opt
done
absent "$tmp/p.rec"
expect_error "process: a global option no process uses" "--max-run has no effect on any process's workload: it applies to --workload runs" "$V" $P --max-run 4 --process workload=zipf
expect_error "process: --accesses with only traces" "--accesses has no effect on any process's workload" "$V" $P --accesses 10 --process workload=trace:"$t"
expect_error "process: a trace is an output" "--pagefile-path .*t.trace and --process 2's trace .*t.trace are the same file" "$V" $P --pagefile-path "$t" --process '' --process workload=trace:"$t"; intact "process trace = page file"
expect_error "process: malformed trace" "--process 1: .*bad.trace:4: expected 'R' or 'W'" "$V" $P --process workload=trace:"$tmp/bad.trace"
expect_error "process: trace beyond its region" "--process 1: .*far.trace:4: page 99999 is beyond the 128-page region" "$V" $P --process workload=trace:"$tmp/far.trace"
many=(); for i in $(seq 1025); do many+=(--process ''); done
expect_error "process: more than 1024" "--process: more than 1024 processes" "$V" $P "${many[@]}"

# Three processes on 64 frames: one for the whole run, one starting late,
# one ending early.  Each verified; lifetimes honoured (to the scheduler's
# 20 ms slices, and a loaded machine's delays: half a second of slack, as
# a step once took 0.5 s on a busy 2-core machine); the late one ran; the
# early one holds nothing at the end; the machine's counts are the sum.
out=$("$V" --physical 256K --pagefile 2M --quiet --json --seconds 2 --threads 2 \
	--process name=whole,virtual=1M --process name=late,virtual=512K,start=0.6,workload=uniform \
	--process name=early,virtual=512K,seconds=0.5,workload=zipf); rc=$?
if [ "$rc" -eq 0 ] && python3 - "$out" <<'PY'
import json, sys
j = json.loads(sys.argv[1])
p = {e["name"]: e for e in j["processes"]}
assert list(p) == ["whole", "late", "early"], list(p)
for e in p.values():
    for k in ["accesses", "faults", "working_set_pages", "working_set_peak_pages", "pages_trimmed",
              "verify_failures", "start_s", "end_s", "virtual", "threads", "workload"]:
        assert k in e, (e["name"], k)
    assert all(k in e["faults"] for k in ["demand_zero", "soft", "hard"])
    assert e["verify_failures"] == 0 and e["accesses"] > 0 and e["faults"]["demand_zero"] > 0, e
    assert e["working_set_peak_pages"] >= e["working_set_pages"], e
assert j["verify_failures"] == 0 and j["validate_problems"] == 0
w, l, e = p["whole"], p["late"], p["early"]
assert w["start_s"] < 0.5 and not w["ended"] and w["working_set_pages"] > 0, w
assert 0.6 <= l["start_s"] < 1.5 and not l["ended"] and l["end_s"] >= 2, l
assert e["start_s"] < 0.5 and e["ended"] and 0.5 <= e["end_s"] < 1.5, e
assert e["working_set_pages"] == 0 and e["working_set_peak_pages"] > 0, e
assert w["virtual"] == 1 << 20 and l["workload"] == "uniform" and e["threads"] == 2
assert j["accesses"] == sum(x["accesses"] for x in p.values())
for k in ["demand_zero", "hard"]:
    assert j["faults"][k] == sum(x["faults"][k] for x in p.values()), k
PY
then ok; else bad "3 processes, one late, one early: exit $rc: $out"; fi

# Quotas: each process makes exactly its accesses, and the run ends when
# the last one is done (no --seconds); the default quota is --accesses, per process.
out=$("$V" $P --json --accesses 3000 --process threads=3 --process accesses=7001,workload=scan); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p=j["processes"]
assert [e["accesses"] for e in p] == [3000, 7001] and j["accesses"] == 10001, p
assert all(e["verify_failures"] == 0 for e in p) and j["validate_problems"] == 0
assert [e["ended"] for e in p].count(False) == 1, p   # the last to end ends the run' "$out"
then ok; else bad "process quotas: exit $rc: $out"; fi

# Without --process: one process, p1, with the run's figures; the summary
# has one line for it.
out=$("$V" $small --accesses 5000 --json); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p=j["processes"]
assert len(p) == 1 and p[0]["name"] == "p1" and p[0]["accesses"] == 5000 == j["accesses"], p
assert p[0]["faults"]["demand_zero"] == j["faults"]["demand_zero"] and p[0]["verify_failures"] == 0
assert p[0]["virtual"] == 1 << 20 and p[0]["working_set_pages"] > 0' "$out"
then ok; else bad "one process without --process: exit $rc: $out"; fi
out=$("$V" $P --accesses 5000 --process name=a --process name=b,workload=scan); rc=$?
# (the first to reach its quota ends, resident 0; the last ends the run with it)
if [ "$rc" -eq 0 ] && [ "$(grep -c '^process: ' <<<"$out")" = 2 ] &&
   [ "$(grep -cE '^process: +(a|b) [0-9.]+-[0-9.]+ s( \(ended\))?: 5000 accesses; faults [0-9]+ dz, [0-9]+ soft, [0-9]+ hard; resident [0-9]+ \(peak [0-9]+\), [0-9]+ trimmed, 0 replaced; ws [0-9]+-[0-9]+ pages, priority 5; verify ok$' <<<"$out")" = 2 ] &&
   [ "$(grep -cE '^process: .* \(ended\): .* resident 0 \(' <<<"$out")" = 1 ]
then ok; else bad "summary: a line per process: exit $rc: $out"; fi

# Traces per process: each replays its own file once, to its end, which
# ends the process; a process's virtual size bounds its trace.
out=$("$V" $P --json --process workload=trace:"$tmp/ok.trace",virtual=64K \
	--process workload=trace:"$t",threads=1,virtual=64K --process accesses=2000); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p=j["processes"]
assert [e["accesses"] for e in p] == [5, 3, 2000], p
assert all(e["verify_failures"] == 0 for e in p)' "$out"
then ok; else bad "a trace per process: exit $rc: $out"; fi

# Cross-process repurposing: 4 processes write on 16 frames, so frames
# pass between them all the time; a frame with another process's bytes
# would be a wrong_page.
out=$("$V" --physical 64K --pagefile 4M --quiet --json --accesses 20000 --write-ratio 1 --threads 2 \
	--process virtual=512K --process virtual=512K --process virtual=512K,workload=uniform \
	--process virtual=512K,workload=scan); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p=j["processes"]
assert j["pages_repurposed"] > 0 and j["verify_failures"] == 0 and j["validate_problems"] == 0, j
assert all(e["accesses"] == 20000 and e["faults"]["hard"] > 0 and e["pages_trimmed"] > 0 for e in p), p' "$out"
then ok; else bad "cross-process repurposing: exit $rc: $out"; fi

# ---- issue 10: working sets (ws-min, ws-max, hard-max, priority) ----
# The keys reach the library: the JSON's limits and priority are the ones
# given (hard-max alone is the flag; hard-max=0 a soft maximum; one limit
# alone keeps the other's default, moved to it if they would cross).
out=$("$V" --physical 1M --pagefile 4M --quiet --json --accesses 2000 \
	--process name=a,virtual=512K,ws-min=64K,ws-max=128K,hard-max,priority=2 \
	--process name=b,virtual=512K,ws-max=192K,hard-max=0 --process name=c,virtual=512K,ws-min=1M); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p={e["name"]: e for e in j["processes"]}
lim = {n: (e["ws_min_pages"], e["ws_max_pages"], e["ws_hard_max"], e["memory_priority"]) for n, e in p.items()}
assert lim["a"] == (16, 32, 1, 2), lim
assert lim["b"][1:] == (48, 0, 5) and lim["b"][0] <= 48, lim
assert lim["c"][:3] == (256, 345, 0), lim   # max stays the default, above the min
assert all(e["verify_failures"] == 0 and e["accesses"] == 2000 for e in p.values()) and j["validate_problems"] == 0' "$out"
then ok; else bad "working-set keys in the JSON: exit $rc: $out"; fi
out=$("$V" --physical 1M --pagefile 4M --quiet --accesses 2000 --process name=a,virtual=512K,ws-min=64K,ws-max=128K,hard-max,priority=2); rc=$?
if [ "$rc" -eq 0 ] && grep -qE "^process: +a .* [0-9]+ replaced; ws 16-32 pages \\(hard max\\), priority 2; verify ok\$" <<<"$out"
then ok; else bad "working-set limits in the process: line: exit $rc: $out"; fi

# A hard maximum under load: 4 threads of a process at a hard max of 16
# pages beside a process that wants every frame, on 256 frames.  Its peak
# never exceeds max + its threads (the faults in flight) + as many again
# (its excess, held in a trimmer's batch, which replacement cannot take),
# it replaced its own pages, and it verifies; the same run with a soft
# maximum goes far past the bound (so the check can fail).
for hard in 1 0; do
	out=$("$V" --physical 1M --pagefile 8M --quiet --json --seconds 1.5 --write-ratio 0.5 \
		--process name=capped,virtual=2M,threads=4,workload=uniform,ws-max=64K,hard-max=$hard \
		--process name=hog,virtual=4M,threads=2,workload=runs); rc=$?
	if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); hard=int(sys.argv[2])
p = {e["name"]: e for e in j["processes"]}; c = p["capped"]
assert c["ws_max_pages"] == 16 and c["ws_hard_max"] == hard, c
assert all(e["verify_failures"] == 0 and e["accesses"] > 0 for e in p.values()) and j["validate_problems"] == 0, j
if hard:
    assert c["working_set_peak_pages"] <= 16 + 2 * 4, c
    assert c["pages_replaced"] > 0 and c["faults"]["hard"] > 0, c
else:
    assert c["working_set_peak_pages"] > 16 + 2 * 4 and c["pages_replaced"] == 0, c' "$out" "$hard"
	then ok; else bad "hard max $hard under load: exit $rc: $out"; fi
done

# Priorities: two processes the same but for their priority (1 and 6),
# trimmed hard (a hard max of 8 pages each) beside a scan that repurposes:
# both verified, their priorities reported, and the priority-1 pages
# are repurposed first: the priority-6 process rescues its pages from
# standby (soft faults) at least twice as often.  (The lists' sizes at the
# end are a moment's: the scan may just have emptied both.)
out=$("$V" --physical 1M --pagefile 8M --quiet --json --seconds 1.5 \
	--process name=low,virtual=1M,threads=1,workload=zipf,ws-max=32K,hard-max,priority=1 \
	--process name=high,virtual=1M,threads=1,workload=zipf,ws-max=32K,hard-max,priority=6 \
	--process name=scan,virtual=4M,threads=1,workload=scan); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p={e["name"]: e for e in j["processes"]}
assert [p[n]["memory_priority"] for n in ("low", "high", "scan")] == [1, 6, 5], p
assert all(e["verify_failures"] == 0 and e["accesses"] > 0 for e in p.values()) and j["validate_problems"] == 0, j
lo, hi = p["low"]["faults"]["soft_standby"], p["high"]["faults"]["soft_standby"]
assert hi > 0 and hi >= 2 * lo, (lo, hi)' "$out"
then ok; else bad "priorities 1 and 6: exit $rc: $out"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
