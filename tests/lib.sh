# tests/lib.sh - what the shell tests share, sourced by each: the pass and
# fail counts with ok and bad, and expect_error.  Each script ends with its
# "NAME: N passed, N failed" line (tests/run.sh reads it).
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_error WHAT PATTERN ARGS...: exit 2, exactly one stderr line matching PATTERN.
expect_error() {
	local what=$1 pat=$2; shift 2
	local err rc
	err=$("$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -ne 2 ]; then bad "$what: exit $rc, want 2 ($*): $err"; return; fi
	if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "$what: stderr is not one line: $err"; return; fi
	if ! grep -qE -- "$pat" <<<"$err"; then bad "$what: '$err' does not match '$pat'"; return; fi
	ok
}
