#!/bin/sh
# examples/gen_real.sh [VMSIM]: the real-program traces in examples/, each
# recorded by examples/record.sh (valgrind's lackey), and their LRU and
# OPT fault counts (vmsim --mrc) for examples/README.md:
#   real-sort.lackey.xz   sort(1) of 1200 lines of words
#   real-gzip.lackey.xz   gzip -9 of 12000 bytes of the same words
# The inputs are generated here from a fixed seed; the traces are what
# valgrind saw, so they vary a little between machines and versions.
set -eu
cd "$(dirname "$0")"
V=${1:-../build/vmsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import random, sys
r = random.Random(1)
words = ["".join(r.choice("abcdefghijklmnop") for _ in range(r.randint(3, 9))) for _ in range(500)]
text = "\n".join(" ".join(r.choice(words) for _ in range(8)) for _ in range(4000)) + "\n"
open(sys.argv[1] + "/sort.in", "w").write("\n".join(text.split("\n")[:1200]) + "\n")
open(sys.argv[1] + "/gzip.in", "w").write(text[:12000])
PY
./record.sh real-sort.lackey.xz sort "$tmp/sort.in" >/dev/null
./record.sh real-gzip.lackey.xz gzip -9 -c "$tmp/gzip.in" >/dev/null
for t in real-sort real-gzip; do
	for nf in "" --no-ifetch; do
		echo "== $t.lackey.xz $nf"
		"$V" --workload trace:$t.lackey.xz $nf --mrc 16,32,64,128,256 --mrc-vmsim none |
		    awk '/^faults/ { on = 1 } /^write-backs/ { on = 0 } on || /^mrc:/'
	done
done
