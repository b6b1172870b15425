#!/usr/bin/env bash
# tests/layers.sh - the layering check (docs/DESIGN.md, "Layers").
#
# Every file of src/ has a place in the order below: a layer, and within a
# .c file's layer a rank (the order of the list).  The check fails on
#  - an #include of a header from a higher layer;
#  - a call (or any reference) from one object of libvmsim.a to a symbol
#    another object defines, where the defining file ranks higher: not only
#    a layer up, but also a file later in its own layer, so there is no loop
#    of calls at all (nm: each object's undefined symbols, resolved by the
#    definitions of the others);
#  - a file of src/ missing from the table (a new file must be placed);
#  - a file of src/ longer than 600 lines;
#  - mutable process-wide state (.data, .bss) in the library but the SIGBUS
#    entry's registry and handler state, the lock statistics and the
#    timeline recorder (per-thread state, .tbss, is allowed);
#  - in sim/ and bench/ (the simulator's side): an #include of a core header
#    but vm.h and vm_sim.h, or a reference to a core symbol vm.h or vm_sim.h
#    (with what it includes) does not declare.
# And it checks itself: with an upward call and an upward include made up,
# it must fail.
#
# usage: B=build tests/layers.sh   (after make test-variant-build)
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# The order, ground up.  A header sits at the bottom of its layer (rank
# layer*100): any file of its layer may include it.
LAYERS=(
	"0: vm_debug.h vm_util.h vm_timeline.h vm_lock.h vm_event.h vm_park.h vm.h vm_sim.h vm_counters.h |
	    vm_util.c vm_timeline.c vm_lock.c vm_event.c vm_park.c"
	"1: vm_ctx.h pte.h pfn.h pgf.h map.h |
	    pte.c pfn.c plist.c pgf.c map.c vm_fail.c pfnalloc.c wsl.c"
	"2: vm_work.h |
	    validate.c image.c trimwin.c trim_capture.c trim_policy.c wsm.c trim.c mpw.c zero.c
	    defrag.c pglock.c vmio.c proc_free.c fault.c"
	"3: vm_inst.h |
	    vm_config.c proc_init.c vm_init.c vm_threads.c vm_stats.c"
	"4: vm_sigbus.h |
	    vm_sigbus.c vm_proc.c vm.c"
)
declare -A RANK LAYER
for l in "${LAYERS[@]}"; do
	n=${l%%:*}; rest=${l#*:}; heads=${rest%%|*}; srcs=${rest#*|}; i=0
	for f in $heads; do RANK[$f]=$((n * 100)); LAYER[$f]=$n; done
	for f in $srcs; do i=$((i + 1)); RANK[$f]=$((n * 100 + i)); LAYER[$f]=$n; done
done
# Mutable process-wide state the library may have (vm_sigbus.c, vm_lock.c,
# vm_timeline.c).
GLOBALS="vm_registry vm_regions vm_regions_hw vm_old_sigbus vm_handler_once vm_handler_installed vm_forked vm_failed_said lk_stats tml_state tml_held tml_gen"

# check_includes FILE... : every #include "x" of a src/ file ranks no higher.
check_includes() {
	local f inc n=0
	for f in "$@"; do
		[ -n "${LAYER[$(basename "$f")]:-}" ] || continue	# unplaced: check 1 says so
		while read -r inc; do
			[ -n "${LAYER[$inc]:-}" ] || continue
			if [ "${LAYER[$inc]}" -gt "${LAYER[$(basename "$f")]}" ]; then
				echo "  $(basename "$f") (layer ${LAYER[$(basename "$f")]}) includes $inc (layer ${LAYER[$inc]})" >&2
				n=$((n + 1))
			fi
		done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$f"; printf '%s' "${EXTRA_INCLUDE:-}")
	done
	return $((n > 0))
}

# check_calls ARCHIVE [EXTRA]: no object references a symbol defined by a
# higher-ranked object.  EXTRA: "object.o symbol" lines added to the
# references, for the self-test.
check_calls() {
	{ nm -A --defined-only "$1" 2>/dev/null | awk '$2 ~ /^[TDBRVW]$/ { n = split($1, p, ":");
		print "D", p[n - 1], $3 }'
	  nm -A -u "$1" 2>/dev/null | awk '{ n = split($1, p, ":"); print "U", p[n - 1], $NF }'
	  [ -n "${2:-}" ] && printf '%s\n' "$2" | awk 'NF == 2 { print "U", $1, $2 }'
	} | awk -v ranks="$(for f in "${!RANK[@]}"; do echo "$f ${RANK[$f]}"; done)" '
		BEGIN { n = split(ranks, r, "\n"); for (i = 1; i <= n; i++) { split(r[i], kv, " ");
			f = kv[1]; sub(/\.c$/, ".o", f); rank[f] = kv[2] } }
		$1 == "D" { def[$3] = $2; next }
		{ use[++nu] = $2 " " $3 }
		END { bad = 0
			for (i = 1; i <= nu; i++) { split(use[i], u, " "); d = def[u[2]]
				if (d == "" || d == u[1]) continue
				if (!(u[1] in rank) || !(d in rank)) { print "  unplaced object: " u[1] " or " d > "/dev/stderr"; bad++; continue }
				if (rank[d] > rank[u[1]]) { print "  " u[1] " (rank " rank[u[1]] ") calls " u[2] " in " d " (rank " rank[d] ")" > "/dev/stderr"; bad++ } }
			exit bad > 0 }'
}

# 1. Every file of src/ is placed.
missing=""
for f in src/*.c src/*.h; do [ -n "${RANK[$(basename "$f")]:-}" ] || missing="$missing $(basename "$f")"; done
if [ -z "$missing" ]; then ok; else bad "files missing from the layer table:$missing"; fi

# 2. Includes go down (or stay in the layer).
if check_includes src/*.c src/*.h; then ok; else bad "an #include goes up a layer"; fi

# 3. Calls go down the ranks: no upward call, no loop.
lib="$B/libvmsim.a"
if [ ! -f "$lib" ]; then bad "$lib not built"
elif check_calls "$lib"; then ok; else bad "a call goes up (or loops) among the library's files"; fi

# 4. The self-test: a made-up upward call and a made-up upward include are caught.
if [ -f "$lib" ] && ! check_calls "$lib" "pte.o trim_thread" 2>/dev/null; then ok
else bad "self-test: an upward call (pte.c -> trim_thread) was not caught"; fi
if ! EXTRA_INCLUDE=$'vm_work.h\n' check_includes src/pte.c 2>/dev/null; then ok
else bad "self-test: an upward include (pte.c -> vm_work.h) was not caught"; fi

# 5. No file of src/ over 600 lines.
long=$(wc -l src/*.c src/*.h | awk '$2 != "total" && $1 > 600 { printf " %s (%d)", $2, $1 }')
if [ -z "$long" ]; then ok; else bad "files over 600 lines:$long"; fi

# 6. The library's mutable process-wide state.
if [ -f "$lib" ]; then
	extra=$(objdump -t "$lib" | awk -v allow="$GLOBALS" '
		BEGIN { n = split(allow, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		/^In archive/ { next } /file format/ { obj = $1; next }
		$0 ~ /[[:space:]]O[[:space:]]+\.(data|bss)[[:space:]]/ || $0 ~ /[[:space:]]O[[:space:]]+\*COM\*/ {
			if (!($NF in ok)) printf " %s%s", obj, $NF }')
	if [ -z "$extra" ]; then ok; else bad "mutable process-wide state not allowed:$extra"; fi
fi

# 7. The simulator's side includes only the public headers of the core...
core_h=$(cd src && ls *.h)
sidebad=""
for f in sim/*.c sim/*.h bench/*.c bench/*.h; do
	for inc in $(sed -nE 's/^#include "([^"]+)".*/\1/p' "$f"); do
		case " vm.h vm_sim.h " in *" $inc "*) continue ;; esac
		if grep -qx "$inc" <<<"$core_h"; then sidebad="$sidebad $f:$inc"; fi
	done
done
if [ -z "$sidebad" ]; then ok; else bad "sim/bench include core internals:$sidebad"; fi

# 8. ... and references only core symbols those headers declare.
if [ -f "$lib" ]; then
	declared=$(printf '#include "vm_sim.h"\n' | ${CC:-gcc} -E -P -D_GNU_SOURCE -DVM_LOCK_VARIANTS=1 -Isrc -x c - |
	    grep -oE '[A-Za-z_][A-Za-z0-9_]*' | sort -u)
	coredef=$(nm --defined-only "$lib" "$B/src/vm_lock_variants.o" 2>/dev/null |
	    awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort -u)
	objs=$(ls "$B"/sim/*.o "$B"/bench/*.o 2>/dev/null)
	used=$( [ -n "$objs" ] && nm -u $objs 2>/dev/null | awk 'NF >= 2 { print $NF }' | sort -u)
	leak=$(comm -12 <(printf '%s\n' "$used") <(printf '%s\n' "$coredef") | comm -23 - <(printf '%s\n' "$declared") | tr '\n' ' ')
	if [ -z "$objs" ]; then bad "no sim/bench objects in $B"
	elif [ -z "${leak// /}" ]; then ok; else bad "sim/bench use core symbols vm.h/vm_sim.h do not declare: $leak"; fi
fi

echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
