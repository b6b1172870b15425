#!/usr/bin/env bash
# kernel-compare.sh - vmsim against the kernel's own paging, side by side
# (issue 13; docs/PERFORMANCE.md, "Against the kernel").
#
#   bench/kernel-compare.sh [--rounds N] [--limit BYTES] [--zram BYTES]
#                           [--out DIR] [-- DRIVER-OPTIONS...]
#
# The same work (bench/kcompare.c: 64M region, first-touch writes, 100k
# random accesses half writes, three read sweeps, every read checked) runs
#   kernel  on plain memory, in a memory cgroup limited to --limit (18M)
#           with swap on a zram device of --zram (256M), and
#   vmsim   with 16M of frames and an in-memory page file (outside the
#           cgroup: its frames and page file are its own memory),
# alternately, --rounds times (3).  Per phase it prints the wall time of
# each, vmsim / kernel (the median of the per-round ratios, with their
# range), the time per fault of each, and each one's memory: the kernel's
# resident and swapped pages (the cgroup's memory.stat, memory.swap.current
# on v2) and what zram holds them in; vmsim's frames, mapped pages and page
# file in use.  DRIVER-OPTIONS go to both sides (bench/kcompare.c: --pages,
# --physical, --random, --sweeps, --fill, --seed).
#
# Needs root: it hot-adds a zram device and turns swap on on it, and makes a
# memory cgroup (v2 if the memory controller is on the unified hierarchy,
# else v1); it undoes all of it on exit, on failure and on an interrupt.
# Swap on zram is the machine's while the script runs.  Not part of
# `make check`.  Exit status: 0, 1 if a run failed to verify or failed, 2
# for bad arguments or a machine that cannot do it (one line, before any
# change to the machine).
set -u

rounds=3 limit=$((18 << 20)) zram=$((256 << 20)) out=build/bench/out/kcompare
driver=${KCOMPARE_DRIVER:-build/bench/vmsim-kcompare}
extra=()

die2() { echo "kernel-compare: $*" >&2; exit 2; }

# bytes NAME VALUE: a byte count, with an optional K, M or G
bytes() {
	[[ $2 =~ ^([0-9]+)([KMG]?)$ ]] || die2 "$1 wants bytes (or K, M, G): '$2'"
	local n=${BASH_REMATCH[1]} u=${BASH_REMATCH[2]}
	case $u in K) n=$((n << 10)) ;; M) n=$((n << 20)) ;; G) n=$((n << 30)) ;; esac
	echo "$n"
}

while [ $# -gt 0 ]; do
	case $1 in
	--rounds) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]?$ ]] || die2 "--rounds wants 1-99"
		rounds=$2; shift 2 ;;
	--limit) [ $# -ge 2 ] || die2 "--limit wants bytes"; limit=$(bytes --limit "$2") || exit 2; shift 2 ;;
	--zram) [ $# -ge 2 ] || die2 "--zram wants bytes"; zram=$(bytes --zram "$2") || exit 2; shift 2 ;;
	--out) [ $# -ge 2 ] || die2 "--out wants a directory"; out=$2; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die2 "unknown argument '$1' (see --help)" ;;
	esac
done
[ "$limit" -ge $((4 << 20)) ] || die2 "--limit below 4M leaves the process no room"
[ "$zram" -ge "$limit" ] || die2 "--zram ($zram bytes) is smaller than --limit"
[ "$(id -u)" = 0 ] || die2 "needs root: it sets up zram swap and a memory cgroup"
command -v mkswap >/dev/null && command -v swapon >/dev/null && command -v swapoff >/dev/null ||
	die2 "needs mkswap, swapon and swapoff (util-linux)"

# zram: a device of our own (hot_add), so a zram the machine uses is left alone
if [ ! -e /sys/class/zram-control/hot_add ] && command -v modprobe >/dev/null; then
	modprobe zram num_devices=0 2>/dev/null || modprobe zram 2>/dev/null
fi
[ -e /sys/class/zram-control/hot_add ] ||
	die2 "zram is not available here (no /sys/class/zram-control; modprobe zram failed or is missing)"

# the memory cgroup: v2 when the unified hierarchy has the memory controller
cgv2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
cgv1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
if [ -n "$cgv2" ] && grep -qw memory "$cgv2/cgroup.controllers" 2>/dev/null; then
	cgver=2 cgroot=$cgv2
elif [ -n "$cgv1" ]; then
	cgver=1 cgroot=$cgv1
else
	die2 "no memory cgroup controller is mounted (v2 or v1)"
fi
[ -x "$driver" ] || make -s VARIANT=release "$driver" >/dev/null ||
	die2 "cannot build $driver"
"$driver" check "${extra[@]}" || exit 2	# it said why, in one line

# ---- from here on the machine is changed: undo it all on the way out ----
zid= cg= pid= subtree_added=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	if [ -n "$cg" ] && [ -d "$cg" ]; then
		rmdir "$cg" 2>/dev/null || echo "kernel-compare: could not remove cgroup $cg" >&2
	fi
	[ -n "$subtree_added" ] && echo "-memory" >"$cgroot/cgroup.subtree_control" 2>/dev/null
	if [ -n "$zid" ]; then
		swapoff "/dev/zram$zid" 2>/dev/null
		echo 1 >"/sys/block/zram$zid/reset" 2>/dev/null
		echo "$zid" >/sys/class/zram-control/hot_remove 2>/dev/null ||
			echo "kernel-compare: could not remove zram$zid" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail() { echo "kernel-compare: $*" >&2; exit 1; }

zid=$(cat /sys/class/zram-control/hot_add) || fail "zram hot_add failed"
zdev=/dev/zram$zid
if [ ! -b "$zdev" ]; then		# no udev: make the node
	IFS=: read -r maj min <"/sys/block/zram$zid/dev" && mknod "$zdev" b "$maj" "$min" ||
		fail "no $zdev"
fi
echo "$zram" >"/sys/block/zram$zid/disksize" || fail "cannot size zram$zid"
mkswap "$zdev" >/dev/null || fail "mkswap $zdev failed"
swapon -p 32767 "$zdev" || fail "swapon $zdev failed"

cg=$cgroot/vmsim-kcompare.$$
if [ "$cgver" = 2 ] && ! grep -qw memory "$cgroot/cgroup.subtree_control"; then
	echo "+memory" >"$cgroot/cgroup.subtree_control" || fail "cannot enable the memory controller"
	subtree_added=1
fi
mkdir "$cg" || fail "cannot make cgroup $cg"
if [ "$cgver" = 2 ]; then
	echo "$limit" >"$cg/memory.max" && echo max >"$cg/memory.swap.max" ||
		fail "cannot set the cgroup's limits"
else
	# swappiness 100: anonymous pages are all there is to reclaim; at 60,
	# v1 reclaim under a tight limit sometimes gave up (a cgroup OOM kill)
	echo "$limit" >"$cg/memory.limit_in_bytes" && echo 100 >"$cg/memory.swappiness" ||
		fail "cannot set the cgroup's limit"
fi

mkdir -p "$out" || fail "cannot make $out"
echo "kernel-compare: cgroup v$cgver $cg limited to $((limit >> 20))M, swap on $zdev ($((zram >> 20))M," \
	"$(cat /sys/block/zram$zid/comp_algorithm | grep -o '\[[^]]*\]' | tr -d '[]')), $rounds round(s); load $(cut -d' ' -f1-3 /proc/loadavg)"

# run NAME OUTFILE CMD...: one side, in the background so an interrupt can
# stop it.  A kernel run killed by its cgroup's OOM killer (the kernel's
# reclaim gave up under the limit: it happens now and then on a loaded
# machine) is run again, up to 3 times, and counted.
ooms=0
run() {
	local name=$1 file=$2 st tries=0
	shift 2
	while :; do
		"$@" >"$file" 2>"$file.err" &
		pid=$!
		wait "$pid"
		st=$?
		pid=
		[ "$st" = 137 ] && [ "$name" = kernel ] && [ $((tries += 1)) -le 3 ] || break
		ooms=$((ooms + 1))
		echo "kernel-compare: the kernel run was OOM-killed in its cgroup; again" >&2
	done
	if [ "$st" = 137 ]; then
		fail "$name run killed (the cgroup OOM killer, 4 times)"
	elif [ "$st" != 0 ]; then
		fail "$name run failed (status $st) $(tail -n 1 "$file.err")"
	fi
	grep -q '^verify ok' "$file" || fail "$name run did not verify: $(grep verify "$file")"
}

for r in $(seq 1 "$rounds"); do
	run kernel "$out/kernel.$r" sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ \
		"$cg" "$driver" kernel --cgroup "$cg" --zram "/sys/block/zram$zid" "${extra[@]}"
	run vmsim "$out/vmsim.$r" "$driver" vmsim "${extra[@]}"
done

# The table: per phase, medians over the rounds (the ratio: of the per-round
# ratios, with their range); memory from the last round.
awk -v R="$rounds" '
function med(a, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
FNR == 1 { side = FILENAME ~ /kernel\.[0-9]+$/ ? "k" : "v"; split(FILENAME, p, "."); round = p[length(p)] }
$1 == "phase" {
	ph = $2; if (!(ph in seen)) { seen[ph] = 1; order[++np] = ph }
	sec[side, ph, round] = $4; flt[side, ph, round] = $6; upf[side, ph, round] = $8
	res[side, ph] = $10; swp[side, ph] = $12; frm[side, ph] = $14; zr[side, ph] = $16
}
END {
	printf "%-7s %9s %9s %7s %13s %22s %22s  %-28s %s\n", "phase", "kernel s", "vmsim s", "v/k", "[min-max]",
	    "kernel us/flt (faults)", "vmsim us/flt (faults)", "kernel MB: resident+swap", "vmsim MB: frames+mapped+pgfile"
	for (i = 1; i <= np; i++) {
		ph = order[i]
		for (r = 1; r <= R; r++) {
			ks[r] = sec["k", ph, r]; vs[r] = sec["v", ph, r]; q[r] = vs[r] / ks[r]
			ku[r] = upf["k", ph, r]; vu[r] = upf["v", ph, r]; kf[r] = flt["k", ph, r]; vf[r] = flt["v", ph, r]
			lo = r == 1 || q[r] < lo ? q[r] : lo; hi = r == 1 || q[r] > hi ? q[r] : hi
		}
		printf "%-7s %9.3f %9.3f %7.2f  [%4.2f-%4.2f] %12.1f (%7.0f) %12.1f (%7.0f)  %5.1f+%-5.1f (zram %5.1f)     %4.1f+%4.1f+%4.1f\n",
		    ph, med(ks, R), med(vs, R), med(q, R), lo, hi, med(ku, R), med(kf, R), med(vu, R), med(vf, R),
		    res["k", ph] / 1024, swp["k", ph] / 1024, zr["k", ph] / 1024,
		    frm["v", ph] / 1024, res["v", ph] / 1024, swp["v", ph] / 1024
	}
	printf "(v/k = vmsim / kernel wall time, median of the %d rounds'\''s ratios [min-max]; us/flt = wall time per fault:\n", R
	printf " the kernel'\''s minor + major faults, vmsim'\''s demand-zero + soft + hard; memory at the end of the phase, last round;\n"
	printf " zram = the memory the zram device uses for the kernel'\''s swapped pages)\n"
}' $(for r in $(seq 1 "$rounds"); do echo "$out/kernel.$r" "$out/vmsim.$r"; done) | tee "$out/table.txt"
[ "$ooms" = 0 ] || echo "($ooms kernel run(s) OOM-killed by the cgroup and run again)" | tee -a "$out/table.txt"
