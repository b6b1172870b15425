#!/usr/bin/env bash
# tests/docs.sh - the options' documentation cannot drift: --help, the man
# page and the README's table all come from sim/options.def, and the
# parser reads the same table.  Checks that the README holds the table as
# generated, that the man page formats without warnings, that every option
# of the table is accepted by vmsim and named in --help and the man page,
# and that the defaults the table states are the ones a run uses.
# $B is the build directory (vmsim, vmsim-optdoc, vmsim.1).
set -u
B=${B:-build}
V=$B/vmsim OD=$B/vmsim-optdoc MAN=$B/vmsim.1
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if out=$(sim/readme-options.sh --check README.md "$OD" 2>&1); then ok; else bad "README table: $out"; fi
if command -v groff >/dev/null 2>&1; then
	w=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
	if [ -z "$w" ]; then ok; else bad "man page warnings: $w"; fi
fi
help=$("$V" --help)
man=$(sed 's/\\-/-/g' "$MAN")
n=0
while IFS=$'\t' read -r name arg metavar dflt; do
	n=$((n + 1))
	grep -q -- "--$name" <<<"$help" || bad "--$name missing from --help"
	grep -q -- "--$name" <<<"$man" || bad "--$name missing from the man page"
	case $arg in
	required) err=$("$V" "--$name" 2>&1); want="needs a value" ;;
	*) [ "$name" = help ] && continue; err=$("$V" "--$name" --bogus-option 2>&1); want="unknown option '--bogus-option'" ;;
	esac
	if grep -q -- "$want" <<<"$err"; then ok; else bad "--$name: the parser says '$err', want '$want'"; fi
done < <("$OD" list)
if [ "$n" -ge 28 ]; then ok; else bad "vmsim-optdoc list: $n options"; fi

# The stated defaults are the run's: one run with no option but its length.
json=$("$V" --accesses 2000 --json --quiet); rc=$?
if [ "$rc" -eq 0 ] && python3 - "$json" <("$OD" list) <<'PY'
import json, sys
c = json.loads(sys.argv[1])["config"]
d = {l.split("\t")[0]: l.rstrip("\n").split("\t")[3] for l in open(sys.argv[2])}
size = lambda s: int(s[:-1]) << {"K": 10, "M": 20, "G": 30}[s[-1]]
want = {"physical": size(d["physical"]), "virtual": size(d["virtual"]),
        "pagefile": size(d["pagefile"]), "threads": int(d["threads"]),
        "workload": d["workload"], "write_ratio": float(d["write-ratio"]),
        "seed": int(d["seed"]), "trim_policy": d["trim-policy"],
        "readonly_fraction": float(d["readonly-fraction"]), "prefetch": int(d["prefetch"]),
        "defrag": d["defrag"] == "on", "trim_hints": d["trim-hints"] == "on"}
bad = {k: (c[k], v) for k, v in want.items() if c[k] != v}
assert not bad, bad
PY
then ok; else bad "the table's defaults are not the run's (exit $rc)"; fi

echo "docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
