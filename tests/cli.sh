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
expect_error "trim batch range"    "--trim-batch"        "$V" --trim-batch 65
if [ -x "$B/tests/tools/nouffd" ]; then
	expect_error "no userfaultfd" "userfaultfd unavailable.*Linux >= 5.11" "$B/tests/tools/nouffd" "$V" $small
else
	bad "nouffd wrapper not built"
fi

# --help: exit 0, lists the options.
if "$V" --help | grep -q -- "--pagefile SIZE"; then ok; else bad "--help"; fi

# A small run at exactly the commit limit: exit 0, verified.
out=$("$V" --physical 256K --virtual 1M --pagefile 768K --threads 3 --accesses 20000 --quiet); rc=$?
if [ "$rc" -eq 0 ] && grep -q "verify: .* 0 lost writes: ok" <<<"$(tr -s ' ' <<<"$out")"; then ok; else bad "commit-limit run: exit $rc"; fi

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
