#!/usr/bin/env bash
# tests/mrc.sh - trace formats and miss-ratio curves, end to end: every
# format vmsim reads (detected, never named), compressed and from standard
# input, replayed and run through --mrc, whose LRU, FIFO, CLOCK and OPT
# faults and write-backs must equal those of tests/mrc_oracle.py, a second
# implementation sharing no code with vmsim (not even the parser); a real
# program's lackey log (valgrind, recorded here) replayed as-is, --mrc and
# --compare on it held to the same oracle; malformed records refused with
# their line or record number.  $VMSIM is the binary under test.
set -u
V=${VMSIM:-build/vmsim}
O="python3 $(dirname "$0")/mrc_oracle.py"
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
$O gen "$tmp" || bad "generating the traces"
F=1,2,3,5,8,13,40,100,1000


# mrc_check WHAT FORMAT ORIGINAL [noifetch] -- VMSIM-ARGS...: --mrc --json
# on the trace the args name, against the oracle on ORIGINAL; and the
# format vmsim says it read.
mrc_check() {
	local what=$1 fmt=$2 orig=$3 nf=""; shift 3
	if [ "$1" = noifetch ]; then nf=noifetch; shift; fi
	shift	# --
	if "$V" --mrc "$F" --mrc-vmsim none --json "$@" >"$tmp/out.json" 2>"$tmp/err"; then
		if out=$($O check "$fmt" "$orig" "$tmp/out.json" $nf) &&
		   python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["trace"]["format"] == sys.argv[2]' \
			"$tmp/out.json" "$fmt"; then ok; else bad "$what: $out"; fi
	else
		bad "$what: exit $?: $(cat "$tmp/err")"
	fi
}

# Every format, detected from the content (rw-addr only when named: "R 12"
# is vmsim's page 12).
mrc_check "vmsim format" vmsim "$tmp/v.trace" -- --workload trace:"$tmp/v.trace"
mrc_check "lackey" lackey "$tmp/l.lackey" -- --workload trace:"$tmp/l.lackey"
mrc_check "lackey, no fetches" lackey "$tmp/l.lackey" noifetch -- --workload trace:"$tmp/l.lackey" --no-ifetch
mrc_check "ADDRESS R|W" addr-rw "$tmp/c1.addrrw" -- --workload trace:"$tmp/c1.addrrw"
mrc_check "R|W ADDRESS, named" rw-addr "$tmp/c2.rwaddr" -- --workload trace:"$tmp/c2.rwaddr" --trace-format rw-addr
mrc_check "ADDRESS" addr "$tmp/c3.addr" -- --workload trace:"$tmp/c3.addr"
mrc_check "oraclegeneral" oraclegeneral "$tmp/og.bin" -- --workload trace:"$tmp/og.bin"
mrc_check "oraclegeneral csv" oraclegeneral-csv "$tmp/og.csv" -- --workload trace:"$tmp/og.csv"
printf 'R 12\nW 0x3000\nR 12\n' >"$tmp/amb.trace"
out=$("$V" --workload trace:"$tmp/amb.trace" --mrc 1 --mrc-vmsim none --json)
if python3 -c 'import json,sys; t=json.loads(sys.argv[1])["trace"]; assert t["format"] == "vmsim" and t["distinct_pages"] == 2, t' "$out"; then ok; else bad "R 12 is vmsim's page 12: $out"; fi
out=$("$V" --workload trace:"$tmp/amb.trace" --trace-format rw-addr --mrc 1 --mrc-vmsim none --json)
if python3 -c 'import json,sys; t=json.loads(sys.argv[1])["trace"]; assert t["format"] == "rw-addr" and t["distinct_pages"] == 2, t' "$out"; then ok; else bad "--trace-format rw-addr: $out"; fi

# Compressed (xz, zstd) and standard input give the same curves.
xz -k -c "$tmp/l.lackey" >"$tmp/l.lackey.xz"
mrc_check "lackey, xz" lackey "$tmp/l.lackey" -- --workload trace:"$tmp/l.lackey.xz"
if command -v zstd >/dev/null; then
	zstd -q -c "$tmp/og.bin" >"$tmp/og.bin.zst"
	mrc_check "oraclegeneral, zstd" oraclegeneral "$tmp/og.bin" -- --workload trace:"$tmp/og.bin.zst"
fi
mrc_check "standard input" lackey "$tmp/l.lackey" -- --workload trace:- <"$tmp/l.lackey.xz"

# A foreign trace is renumbered: --virtual and --pagefile default to its
# distinct pages; the run replays it verified.
out=$("$V" --workload trace:"$tmp/c3.addr" --threads 1 --physical 64K --json --quiet); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1])
assert j["accesses"] == 2000 and j["verify_failures"] == 0' "$out"; then ok; else bad "addr replay: exit $rc: $out"; fi
distinct=$(python3 -c 'import sys; print(len(set(int(l) // 4096 for l in open(sys.argv[1]))))' "$tmp/c3.addr")
out=$("$V" --workload trace:"$tmp/c3.addr" --threads 1 --physical 64K --compare --json --quiet)
if python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["config"]["virtual"] == 4096 * int(sys.argv[2]) == j["config"]["pagefile"]' "$out" "$distinct"; then ok
else bad "--virtual default: $out (distinct $distinct)"; fi
expect_error "foreign trace beyond --virtual" "c3.addr:[0-9]+: more than 16 distinct pages: beyond the 16-page region" \
	"$V" --workload trace:"$tmp/c3.addr" --virtual 64K --physical 64K

# A real program: valgrind's lackey log of /bin/true, as valgrind wrote it.
if command -v valgrind >/dev/null; then
	valgrind --tool=lackey --trace-mem=yes --log-file="$tmp/true.lackey" /bin/true
	mrc_check "real program (lackey of /bin/true)" lackey "$tmp/true.lackey" -- --workload trace:"$tmp/true.lackey"
	"$V" --workload trace:"$tmp/true.lackey" --threads 1 --physical 64K --compare --json --quiet >"$tmp/cmp.json"; rc=$?
	if [ "$rc" -eq 0 ] && out=$($O compare lackey "$tmp/true.lackey" "$tmp/cmp.json"); then ok; else bad "--compare on /bin/true: exit $rc: $out"; fi
else
	bad "valgrind is missing (make deps installs it)"
fi

# vmsim's own curve, verified, and the picture.
out=$("$V" --workload trace:"$tmp/l.lackey" --mrc 4,8,32,64 --mrc-vmsim aging,fifo --json --mrc-plot "$tmp/m.png"); rc=$?
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); m=j["mrc"]
opt = {p["frames"]: p["faults"] for p in m["opt"]}
for k in ("vmsim_aging", "vmsim_fifo"):
    assert [p["frames"] for p in m[k]] == [8, 32, 64], m[k]
    for p in m[k]:
        assert p["verify_failures"] == 0 and p["hard"] <= p["faults"] and p["faults"] >= opt[p["frames"]], p' "$out"
then ok; else bad "--mrc with vmsim's runs: exit $rc: $out"; fi
if [ "$(head -c 4 "$tmp/m.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then ok; else bad "--mrc-plot: no PNG"; fi
out=$("$V" --workload trace:"$tmp/v.trace" --mrc 16 --mrc-vmsim none)
if grep -qE "^faults +frames +lru +fifo +clock +opt" <<<"$out" && grep -qE "^write-backs +frames" <<<"$out"; then ok; else bad "--mrc table: $out"; fi

# Malformed records name their line or record; bad options are refused.
printf '==1== x\nI  0401ab70,3\n L zz,8\n' >"$tmp/bad.lackey"
expect_error "lackey line" "bad.lackey:3: expected a lackey line .*got 'L zz,8'" "$V" --workload trace:"$tmp/bad.lackey"
head -c 100 "$tmp/og.bin" >"$tmp/trunc.bin"
expect_error "truncated record" "trunc.bin: record 5: truncated: 4 of 24 bytes" "$V" --workload trace:"$tmp/trunc.bin"
python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IQIq",1,5,4096,-1) + struct.pack("<IQIq",2,5,4096,-7))' "$tmp/next.bin"
expect_error "bad next access" "next.bin: record 2: next access -7 is neither -1 nor a later request" "$V" --workload trace:"$tmp/next.bin"
printf '# time,object,size\n1,5,4096\n2,x,4096\n' >"$tmp/bad.csv"
expect_error "csv line" "bad.csv:3: expected 'time,obj_id,size" "$V" --workload trace:"$tmp/bad.csv"
printf '0x1000 R\n0x2000 Q\n' >"$tmp/bad.addr"
expect_error "class line" "bad.addr:2: expected 'ADDRESS R' or 'ADDRESS W', got '0x2000 Q' \(the trace reads as addr-rw from its line 1" "$V" --workload trace:"$tmp/bad.addr"
head -c 300 "$tmp/l.lackey.xz" >"$tmp/cut.xz"
expect_error "truncated xz" "cut.xz: xz: the data ends early" "$V" --workload trace:"$tmp/cut.xz"
{ head -c 200 "$tmp/l.lackey.xz"; printf 'garbage%.0s' {1..50}; } >"$tmp/corrupt.xz"
expect_error "corrupt xz" "corrupt.xz: xz: " "$V" --workload trace:"$tmp/corrupt.xz"
if [ -e "$tmp/og.bin.zst" ]; then
	head -c 200 "$tmp/og.bin.zst" >"$tmp/cut.zst"
	expect_error "truncated zstd" "cut.zst: zstd: the data ends early" "$V" --workload trace:"$tmp/cut.zst"
fi
expect_error "unknown format" "--trace-format: 'nope': unknown format" "$V" --workload trace:"$tmp/v.trace" --trace-format nope
expect_error "modifier" "'x' is no modifier of addr" "$V" --workload trace:"$tmp/v.trace" --trace-format addr:x
expect_error "--no-ifetch on vmsim's format" "--no-ifetch applies to lackey logs; .*v.trace reads as vmsim" "$V" --workload trace:"$tmp/v.trace" --no-ifetch
expect_error "--mrc needs a trace" "--mrc needs a trace" "$V" --mrc
expect_error "--mrc-plot needs --mrc" "--mrc-plot needs --mrc" "$V" --workload trace:"$tmp/v.trace" --mrc-plot "$tmp/x.png"
expect_error "--mrc list" "--mrc: '8,x' is not a list of frame counts" "$V" --workload trace:"$tmp/v.trace" --mrc=8,x
expect_error "--mrc and --physical" "--physical has no effect with --mrc" "$V" --workload trace:"$tmp/v.trace" --mrc --physical 1M
expect_error "--mrc-vmsim none and --threads" "--threads has no effect with --mrc-vmsim none" "$V" --workload trace:"$tmp/v.trace" --mrc --mrc-vmsim none --threads 2
expect_error "--mrc-vmsim list" "--mrc-vmsim: 'lru' is not 'none'" "$V" --workload trace:"$tmp/v.trace" --mrc --mrc-vmsim lru
expect_error "--mrc-plot unwritable" "--mrc-plot: cannot write /nonexistent/p.png" "$V" --workload trace:"$tmp/v.trace" --mrc 8 --mrc-plot /nonexistent/p.png
expect_error "stdin is stdout" "standard output and --trace - \(standard input\) are the same file" \
	bash -c '"$0" --workload trace:- <"$1" >>"$1"' "$V" "$tmp/v.trace"

echo "mrc: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
