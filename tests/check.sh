#!/usr/bin/env bash
# tests/check.sh - `make check`: build and run the tests in the release and
# debug (VM_DEBUG=2) builds, and under ThreadSanitizer and AddressSanitizer.
# Prints one "N passed, N failed" line for everything at the end.
set -u
cd "$(dirname "$0")/.."
total_p=0 total_f=0
for v in ${VARIANTS:-release debug tsan asan}; do
	if ! make -s -j"$(nproc)" VARIANT=$v test-variant-build >/dev/null; then
		echo "== $v: build FAILED"; total_f=$((total_f + 1)); continue
	fi
	out=$(make -s VARIANT=$v test-variant 2>&1); echo "$out" | grep -v '^make'
	line=$(grep -E "^$v: [0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -n 1)
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	[ -n "$line" ] || { p=0; f=1; }
	total_p=$((total_p + p)); total_f=$((total_f + f))
done
echo "all: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
