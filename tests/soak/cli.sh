#!/usr/bin/env bash
# tests/soak/cli.sh - the soak's command line: bad input gets one line on
# stderr and exit status 2 before any work; --list names at least 12
# configurations, each with its settings.  $SOAK is the binary under test.
set -u
S=${SOAK:-build/tests/soak/soak}
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_error WHAT PATTERN ARGS...: exit 2, exactly one stderr line matching PATTERN, no stdout.
expect_error() {
	local what=$1 pat=$2; shift 2
	local out err rc
	out=$("$@" 2>/tmp/soak-cli.$$); rc=$?; err=$(cat /tmp/soak-cli.$$); rm -f /tmp/soak-cli.$$
	if [ "$rc" -ne 2 ]; then bad "$what: exit $rc, want 2 ($*)"; return; fi
	if [ -n "$out" ]; then bad "$what: work started: $out"; return; fi
	if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "$what: stderr is not one line: $err"; return; fi
	if ! grep -qE -- "$pat" <<<"$err"; then bad "$what: '$err' does not match '$pat'"; return; fi
	ok
}

expect_error "zero seconds"      "--seconds must be seconds"  "$S" --seconds 0
expect_error "seconds junk"      "--seconds must be seconds"  "$S" --seconds 10m
expect_error "over a week"       "--seconds must be seconds"  "$S" --seconds 1e9
expect_error "negative slice"    "--slice must be seconds"    "$S" --slice -1
expect_error "negative seed"     "--seed must be a whole"     "$S" --seed -3
expect_error "unknown config"    "no configuration named 'nope'" "$S" --only tiny,nope
expect_error "unknown option"    "unknown option .*'--bogus'" "$S" --bogus
expect_error "missing value"     "missing value: '--seconds'" "$S" --seconds
expect_error "stray argument"    "unexpected argument 'x'"    "$S" x
expect_error "no directory"      "--dir /nonexistent/d is not a writable" "$S" --dir /nonexistent/d

list=$("$S" --list); rc=$?
n=$(grep -cE '^[a-z]' <<<"$list")
words=$(grep -cE '^ +threads=[0-9]+ ' <<<"$list")
if [ "$rc" -eq 0 ] && [ "$n" -ge 12 ] && [ "$words" -eq "$n" ]; then ok
else bad "--list: exit $rc, $n configurations, $words with settings"; fi

echo "soak-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
