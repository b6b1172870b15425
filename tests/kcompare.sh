#!/usr/bin/env bash
# tests/kcompare.sh - the kernel comparison's driver (bench/kcompare.c) and
# script (bench/kernel-compare.sh), the parts that need no root and change
# nothing on the machine: the driver's vmsim side and its kernel side on
# plain memory (no cgroup) do the work, every read checked, and print a
# line per phase; bad input to either is one line on stderr and exit status
# 2 before any work (the script's checks come before it touches zram or a
# cgroup).  $B is the build directory.
set -u
B=${B:-build}
KC=$B/bench/vmsim-kcompare
. "$(dirname "$0")/lib.sh"

# the work on each side, small
for side in vmsim kernel; do
	out=$("$KC" "$side" --pages 1024 --physical 1M --random 20000 --sweeps 2 --fill random); rc=$?
	if [ "$rc" = 0 ] && grep -q '^verify ok$' <<<"$out"; then ok; else bad "$side: exit $rc: $out"; fi
	n=$(grep -c '^phase \(touch\|random\|sweeps\) sec ' <<<"$out")
	if [ "$n" = 3 ]; then ok; else bad "$side: $n phase lines: $out"; fi
	f=$(awk '$1 == "phase" && $2 == "touch" { print $6 }' <<<"$out")
	if [ "${f:-0}" -ge 1024 ]; then ok; else bad "$side: touch made $f faults for 1024 pages"; fi
done
# vmsim with a quarter of the pages in frames: the random phase faults, and
# its memory is its frames, mapped pages and page file
out=$("$KC" vmsim --pages 1024 --physical 1M --random 20000 --sweeps 1)
if awk '$1 == "phase" && $2 == "random" && $6 > 5000 && $14 == 1024 && $10 <= 1024 && $12 > 0 { f = 1 }
    END { exit !f }' <<<"$out"; then ok; else bad "vmsim random phase: $out"; fi

# bad input: one line on stderr, exit 2, nothing on stdout
expect2() {
	local what=$1 err outp rc
	shift
	outp=$("$@" 2>/tmp/kcompare-test.$$); rc=$?
	err=$(cat /tmp/kcompare-test.$$)
	if [ "$rc" = 2 ] && [ -z "$outp" ] && [ "$(wc -l <<<"$err")" = 1 ] && [ -n "$err" ]; then ok
	else bad "$what: exit $rc, stdout '$outp', stderr '$err'"; fi
}
expect2 "driver: no side" "$KC"
expect2 "driver: unknown side" "$KC" bogus
expect2 "driver: bad number" "$KC" vmsim --pages 12x
expect2 "driver: too few pages" "$KC" vmsim --pages 10
expect2 "driver: unknown option" "$KC" kernel --frobnicate 1
expect2 "driver: bad fill" "$KC" vmsim --fill zeros
expect2 "driver: physical not in pages" "$KC" vmsim --physical 5000
if "$KC" check --pages 2048 --fill random >/dev/null 2>&1; then ok; else bad "driver: check refused good options"; fi
S=bench/kernel-compare.sh
expect2 "script: bad rounds" "$S" --rounds 0
expect2 "script: unknown argument" "$S" --bogus
expect2 "script: bad limit" "$S" --limit 18Q
expect2 "script: limit too small" "$S" --limit 1M
expect2 "script: zram below the limit" "$S" --limit 64M --zram 32M
rm -f /tmp/kcompare-test.$$
echo "kcompare: $pass passed, $fail failed"
[ "$fail" = 0 ]
