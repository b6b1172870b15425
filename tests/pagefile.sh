#!/usr/bin/env bash
# tests/pagefile.sh - the vmsim command when its page file cannot be had or
# fails: a file-backed page file on a filesystem too small for it is refused
# at creation (exit 2, one line with the sizes, no file left behind, no
# hang); a page file whose reads or writes fail (tests/tools/eio) ends the
# run with one line and exit status 1, never a hang or an abort.  $VMSIM is
# the binary under test; every run is under a timeout.
set -u
V=${VMSIM:-build/vmsim}
B=$(dirname "$V")
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
mnt=$tmp/mnt
cleanup() { mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"; rm -rf "$tmp"; }
trap cleanup EXIT

# expect WHAT STATUS PATTERN ARGS...: exit STATUS within 60 s, exactly one
# stderr line, matching PATTERN.
expect() {
	local what=$1 want=$2 pat=$3; shift 3
	local err rc
	err=$(timeout 60 "$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -eq 124 ]; then bad "$what: hung (killed after 60 s)"; return; fi
	if [ "$rc" -ne "$want" ]; then bad "$what: exit $rc, want $want: $err"; return; fi
	if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "$what: stderr is not one line: $err"; return; fi
	if ! grep -qE -- "$pat" <<<"$err"; then bad "$what: '$err' does not match '$pat'"; return; fi
	ok
}

# A page file bigger than its filesystem: refused up front, with the sizes.
mkdir -p "$mnt"
if mount -t tmpfs -o size=1M vmsim-test "$mnt" 2>/dev/null; then
	expect "page file on a 1M filesystem" 2 \
	    "cannot reserve 64M for page file $mnt/pf: its filesystem has 1M free" \
	    "$V" --pagefile-path "$mnt/pf" --seconds 1 --quiet
	if [ ! -e "$mnt/pf" ]; then ok; else bad "refused page file left behind"; fi
	# One that fits exactly runs, verified.
	out=$(timeout 60 "$V" --physical 256K --virtual 1M --pagefile 1M --pagefile-path "$mnt/pf" \
	    --accesses 20000 --quiet); rc=$?
	if [ "$rc" -eq 0 ] && grep -q "verify: .*: ok" <<<"$(tr -s ' ' <<<"$out")"; then ok
	else bad "page file filling its filesystem exactly: exit $rc"; fi
	umount "$mnt"
else
	echo "pagefile: cannot mount a tmpfs (not root?): small-filesystem test skipped"
fi

# I/O errors at run time: one line, exit status 1.
small="--physical 256K --virtual 1M --pagefile 1M --threads 4 --seconds 2 --quiet"
if [ -x "$B/tests/tools/eio" ]; then
	expect "page file reads fail" 1 "^vmsim: page file read error on slot [0-9]+: Input/output error" \
	    "$B/tests/tools/eio" pread64 "$V" $small --pagefile-path "$tmp/pf"
	expect "page file writes fail" 1 \
	    "^vmsim: page file write error on slot [0-9]+: Input/output error \(64 writes in a row failed\)" \
	    "$B/tests/tools/eio" pwrite64 "$V" $small --pagefile-path "$tmp/pf"
	# The same with --json: still one line on stderr, and no half-written JSON.
	out=$(timeout 60 "$B/tests/tools/eio" pwrite64 "$V" $small --json --pagefile-path "$tmp/pf" 2>/dev/null); rc=$?
	if [ "$rc" -eq 1 ] && [ -z "$out" ]; then ok; else bad "write errors with --json: exit $rc, stdout '$out'"; fi
else
	bad "eio wrapper not built"
fi

echo "pagefile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
