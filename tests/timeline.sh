#!/usr/bin/env bash
# tests/timeline.sh - vmsim --timeline (README, "Seeing a run"): the file
# loads as JSON with its tracks, spans and counters, and agrees with the
# summary (tests/timeline_check.py); a tiny bound drops and says so; the
# window records only inside it; processes get their own pids; bad values
# are one line and exit 2 before any work, leaving no file; a lost file is
# exit 1.  Runs in every variant, ThreadSanitizer's too (the recorder runs
# in the fault handler).  $VMSIM is the binary under test.
set -u
V=${VMSIM:-build/vmsim}
C="python3 $(dirname "$0")/timeline_check.py"
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# run NAME ARGS...: a run with --json into $tmp/NAME.json; exit 0 wanted.
run() {
	local name=$1; shift
	if "$V" --json --quiet "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"; then ok
	else bad "$name: exit $? ($*): $(head -c 300 "$tmp/$name.err")"; fi
	if grep -qE 'ThreadSanitizer|AddressSanitizer|runtime error' "$tmp/$name.err"; then
		bad "$name: $(head -c 2000 "$tmp/$name.err")"; fi
}
# check MODE NAME [ARGS]: timeline_check.py on $tmp/NAME.tl and its summary.
check() {
	local mode=$1 name=$2; shift 2
	if out=$($C "$mode" "$tmp/$name.tl" "$tmp/$name.json" "$@" 2>&1); then ok; else bad "$name: $out"; fi
}

# 1. The default machine and workload, one second: every structure the issue asks.
run full --seconds 1 --timeline "$tmp/full.tl"
check full full
ls "$tmp" | grep -q 'full\.tl\.' && bad "a temporary file was left behind: $(ls "$tmp")" || ok
# the summary's line says where and how much
out=$("$V" --seconds 0.3 --timeline "$tmp/line.tl" 2>&1)
grep -qE "^timeline: +$tmp/line.tl: [0-9]+ spans on [0-9]+ tracks \(1 process and the machine\), [0-9.]+M; none dropped$" <<<"$out" && ok || bad "summary line: $(grep timeline <<<"$out")"

# 2. A tiny bound: events dropped, said in the file, its marker, the summary
run dropped --seconds 0.5 --timeline "$tmp/dropped.tl" --timeline-max 1M
check dropped dropped 1048576
out=$("$V" --seconds 0.3 --timeline "$tmp/d2.tl" --timeline-max 1M 2>&1)
grep -qE "^timeline: .* [0-9]+ dropped from [0-9.]+ s on: the --timeline-max bound was reached" <<<"$out" && ok || bad "no drop in the summary: $(grep timeline <<<"$out")"

# 3. The window: only what starts inside it
run window --seconds 1 --timeline "$tmp/window.tl" --timeline-window 0.3-0.6
check window window 0.3 0.6

# 4. Processes: each its pid, its threads and working set; a hard maximum
#    replaces locally (on the faulting thread, under its process)
run procs --seconds 1 --physical 4M --timeline "$tmp/procs.tl" \
	--process name=web,virtual=8M,ws-max=256K,hard-max --process name=batch,virtual=8M,workload=scan
check procs procs web,batch

# 5. Refusals: one line, exit 2, no file left
mkdir "$tmp/r"
T="$tmp/r/t.json"
expect_error "max needs timeline"  "--timeline-max needs --timeline FILE" "$V" --timeline-max 8M
expect_error "window needs timeline" "--timeline-window needs --timeline FILE" "$V" --timeline-window 1-2
expect_error "lock-wait needs timeline" "--timeline-lock-wait needs --timeline FILE" "$V" --timeline-lock-wait 5
expect_error "max too small"       "--timeline-max: 512K is too small: at least 1M here" "$V" --timeline "$T" --timeline-max 512K
expect_error "max too large"       "--timeline-max: 8G is too large: at most 4G" "$V" --timeline "$T" --timeline-max 8G
expect_error "max not a size"      "--timeline-max: 'lots' is not a size" "$V" --timeline "$T" --timeline-max lots
expect_error "window backwards"    "--timeline-window: '2-1' is not START-END" "$V" --timeline "$T" --timeline-window 2-1
expect_error "window junk"         "--timeline-window: 'soon' is not START-END" "$V" --timeline "$T" --timeline-window soon
expect_error "window after the run" "--timeline-window: it starts at 5 s, when the run has ended \(3 s\)" "$V" --timeline "$T" --timeline-window 5-
expect_error "lock wait range"     "--timeline-lock-wait: '-1' is not a whole number from 0 to 1000000" "$V" --timeline "$T" --timeline-lock-wait -1
expect_error "a directory"         "--timeline $tmp/r: a directory" "$V" --timeline "$tmp/r"
expect_error "no such directory"   "--timeline: cannot write $tmp/none/t.json: No such file or directory" "$V" --timeline "$tmp/none/t.json"
expect_error "same as --record"    "are the same file: one output would overwrite the other" "$V" --timeline "$T" --record "$T"
printf 'R 0\nW 1\n' >"$tmp/in.trace"
expect_error "same as the trace"   "are the same file: the run would overwrite its input" "$V" --workload "trace:$tmp/in.trace" --timeline "$tmp/in.trace"
expect_error "a process's trace"   "and --process 1's trace .* are the same file" "$V" --process "workload=trace:$tmp/in.trace" --timeline "$tmp/in.trace"
[ "$(cat "$tmp/in.trace")" = "$(printf 'R 0\nW 1')" ] && ok || bad "the trace was touched"
expect_error "with --mrc"          "--timeline has no effect with --mrc" "$V" --workload trace:/dev/null --mrc --timeline "$T"
expect_error "over the memory"     "needs about" "$V" --timeline "$T" --physical 1T --pagefile 1T --virtual 1T
[ -z "$(ls -A "$tmp/r")" ] && ok || bad "a refused run left files: $(ls -A "$tmp/r")"
# refused after preflight (the machine cannot be built): the temporary file goes too
"$V" --timeline "$T" --pagefile-path "$tmp/none/pf" >/dev/null 2>&1
[ $? -eq 2 ] && [ -z "$(ls -A "$tmp/r")" ] && ok || bad "a refusal at vm_create left: $(ls -A "$tmp/r")"

# 6. A lost file: one line, exit 1; an existing file replaced whole
err=$("$V" --seconds 0.2 --quiet --timeline /dev/full 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	grep -q "the timeline was lost: cannot write /dev/full: No space left" <<<"$err" && ok ||
	bad "/dev/full: exit $rc: $err"
head -c 100000 /dev/zero >"$T"
"$V" --seconds 0.2 --quiet --timeline "$T" >/dev/null && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T" &&
	[ "$(ls -A "$tmp/r")" = t.json ] && ok || bad "an existing file was not replaced by a whole timeline"

echo "timeline: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
