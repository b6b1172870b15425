#!/usr/bin/env bash
# sim/readme-options.sh [--check] README OPTDOC: put the option table that
# OPTDOC (build/vmsim-optdoc) renders from sim/options.def into README,
# between the lines "<!-- options: ..." and "<!-- end of options -->".
# --check: change nothing; exit 1 with the difference if README is not
# what it would write.
set -eu
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
readme=$1 optdoc=$2
table=$(mktemp) new=$(mktemp)
trap 'rm -f "$table" "$new"' EXIT
"$optdoc" markdown >"$table"
awk -v table="$table" '
	/^<!-- options:/ { print; while ((getline l < table) > 0) print l; skip = 1; found++; next }
	/^<!-- end of options -->/ { skip = 0 }
	!skip { print }
	END { if (found != 1) exit 3 }' "$readme" >"$new" || {
	echo "$readme: no single '<!-- options:' ... '<!-- end of options -->' section" >&2; exit 1; }
if [ "$check" = 1 ]; then
	if ! diff -u "$readme" "$new"; then
		echo "$readme: the option table differs from sim/options.def: run 'make readme'" >&2
		exit 1
	fi
	exit 0
fi
cmp -s "$readme" "$new" || cat "$new" >"$readme"
