#!/usr/bin/env bash
# tests/live.sh - vmsim --live and --plot.
#  - refusals: one line on stderr, exit status 2, before any work (and a
#    file named as the picture left as it was);
#  - --plot draws a PNG (its magic, a real size), renamed into place: a
#    gnuplot that fails leaves the old file and no temporary one, exit 1;
#  - --live in a real terminal (tmux, detached): the screen shows the page
#    lists and the processes; `q` ends the run within seconds, exit 0, the
#    summary (or valid JSON) on stdout after the view; a resize redraws; a
#    tiny terminal does not crash it; a page-file error ends the view and
#    its one line is on the shell's screen, the terminal's modes as they
#    were.
# Waits poll the screen, with generous bounds: the machine may be loaded.
# $VMSIM is the binary under test ($B/vmsim: its tests/tools/eio beside it).
set -u
V=$(realpath "${VMSIM:-build/vmsim}")
B=$(dirname "$V")
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
sock=vmsim-live-$$
tm() { env -u TMUX tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT


small="--physical 256K --virtual 1M --pagefile 1M"
printf 'R 0\nW 1\nR 2\nW 0\n' >"$tmp/t.trace"
nognu=$tmp/nognu; mkdir -p "$nognu"	# a PATH without gnuplot
echo keep >"$tmp/old.png"

# ---- refusals ----
expect_error "--live, stderr not a terminal" "--live draws on the terminal, and standard error is not one" \
    "$V" $small --live --seconds 1
expect_error "--live with --quiet" "--live and --quiet ask for opposite things" "$V" --live --quiet
expect_error "--live with --mrc" "--live has no effect with --mrc" \
    "$V" --workload trace:"$tmp/t.trace" --mrc 8 --live
expect_error "--plot with --mrc" "--plot has no effect with --mrc: .*--mrc-plot" \
    "$V" --workload trace:"$tmp/t.trace" --mrc 8 --plot "$tmp/p.png"
expect_error "--plot is the trace" "--plot .*t.trace and --trace .*t.trace are the same file" \
    "$V" $small --workload trace:"$tmp/t.trace" --plot "$tmp/t.trace"
expect_error "--plot is --record" "--plot .* and --record .* are the same file" \
    "$V" $small --accesses 100 --record "$tmp/r" --plot "$tmp/r"
expect_error "--plot a directory" "--plot .*: a directory" "$V" $small --plot "$tmp"
expect_error "--plot unwritable" "--plot: cannot write /nonexistent/p.png" \
    "$V" $small --plot /nonexistent/p.png
expect_error "--plot without gnuplot" "--plot needs gnuplot, and it is not on PATH" \
    env PATH="$nognu" "$V" $small --seconds 1 --plot "$tmp/old.png"
expect_error "--mrc-plot without gnuplot" "--mrc-plot needs gnuplot" \
    env PATH="$nognu" "$V" --workload trace:"$tmp/t.trace" --mrc 8 --mrc-plot "$tmp/old.png"
if [ "$(cat "$tmp/old.png")" = keep ]; then ok; else bad "a refused --plot touched the file"; fi
[ ! -e "$tmp/r" ] && ok || bad "a refused run left --record behind"

# ---- --plot ----
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$1")" -gt 20000 ]; }
out=$("$V" --physical 1M --virtual 4M --pagefile 8M --seconds 1.5 --quiet --plot "$tmp/old.png" \
    --process name=one --process name=two,start=0.5,ws-max=128K,hard-max); rc=$?
if [ "$rc" -eq 0 ] && is_png "$tmp/old.png"; then ok; else bad "--plot: exit $rc, not a PNG of some size: $(stat -c %s "$tmp/old.png")"; fi
if grep -q "^validate: *ok" <<<"$out" && grep -q "^process: *two" <<<"$out"; then ok; else bad "--plot: no summary"; fi
out=$("$V" $small --seconds 1 --json --plot "$tmp/j.png"); rc=$?
if [ "$rc" -eq 0 ] && is_png "$tmp/j.png" && python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out"; then ok
else bad "--plot --json: exit $rc"; fi
# a gnuplot that fails: exit 1, one line, the old picture kept, no temporary file
printf '#!/bin/sh\ncat >/dev/null\necho "gnuplot: broken" >&2\nexit 1\n' >"$nognu/gnuplot"
chmod +x "$nognu/gnuplot"
mkdir "$tmp/d" && echo keep >"$tmp/d/old.png"
err=$(env PATH="$nognu:$PATH" "$V" $small --seconds 0.5 --quiet --plot "$tmp/d/old.png" 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 1 ] && grep -q "^vmsim: --plot: gnuplot failed (exit 1): no picture in" <<<"$err"; then ok
else bad "failing gnuplot: exit $rc: $err"; fi
if [ "$(cat "$tmp/d/old.png")" = keep ] && [ "$(ls -A "$tmp/d")" = old.png ]; then ok
else bad "failing gnuplot: the old file changed or a temporary file was left: $(ls -A "$tmp/d")"; fi
rm -f "$nognu/gnuplot"

# ---- --live in tmux ----
# start NAME COLS ROWS ARGS...: run ARGS in a new detached session; stdout
# to $tmp/NAME.out, the exit status to $tmp/NAME.rc, the terminal's modes
# before and after to NAME.stty0 and NAME.stty1; sanitizer reports to files.
start() {
	local name=$1 cols=$2 rows=$3; shift 3
	{
		echo "cd $(printf '%q' "$PWD")"
		for s in ASAN UBSAN TSAN; do
			echo "export ${s}_OPTIONS=\"\${${s}_OPTIONS:+\$${s}_OPTIONS:}log_path=$tmp/san\""
		done
		echo "stty -g >$tmp/$name.stty0"
		printf '%q ' "$@"; echo ">$tmp/$name.out"
		echo "echo \$? >$tmp/$name.rc0; stty -g >$tmp/$name.stty1; mv $tmp/$name.rc0 $tmp/$name.rc"
		echo "exec sleep 600"
	} >"$tmp/$name.sh"
	tm new-session -d -s "$name" -x "$cols" -y "$rows" "sh $tmp/$name.sh"
}
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
# wait_screen NAME SECONDS REGEX...: every REGEX on the screen within SECONDS.
wait_screen() {
	local name=$1 limit=$2 s; shift 2
	for ((i = 0; i < limit * 10; i++)); do
		s=$(screen "$name")
		local all=1
		for re in "$@"; do grep -qE -- "$re" <<<"$s" || { all=0; break; }; done
		[ "$all" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_rc NAME SECONDS: the run's exit status within SECONDS (else "none").
wait_rc() {
	for ((i = 0; i < $2 * 10; i++)); do
		[ -f "$tmp/$1.rc" ] && { cat "$tmp/$1.rc"; return; }
		sleep 0.1
	done
	echo none
}

if ! command -v tmux >/dev/null; then
	bad "tmux is not installed (make deps installs it)"
else
	procs=(--process name=alpha,virtual=8M --process name=beta,virtual=4M,workload=scan,ws-max=512K,hard-max)
	# The view, then q: a 60 s run ends within seconds, the summary after.
	start view 100 40 "$V" --physical 4M --pagefile 16M --live --seconds 60 "${procs[@]}"
	if wait_screen view 60 "vmsim --live" "page lists" "zeroed" "standby" "modified" "active" \
	    "available" "faults/s" "trimmer" "PTE" "alpha +[0-9]+ " "beta +[0-9]+ .*hard"; then ok
	else bad "--live: the screen lacks the lists or a process:"; screen view; fi
	t0=$SECONDS
	tm send-keys -t view q
	rc=$(wait_rc view 30)
	if [ "$rc" = 0 ] && [ $((SECONDS - t0)) -le 30 ]; then ok; else bad "--live: q: exit '$rc' after $((SECONDS - t0)) s"; fi
	if grep -q "^validate: *ok" "$tmp/view.out" && grep -q "^process: *alpha" "$tmp/view.out" &&
	    ! grep -qE "^ran: +(59|6[0-9])\." "$tmp/view.out"; then ok
	else bad "--live: q: no summary, or the run was not cut short:"; cat "$tmp/view.out"; fi
	if [ -s "$tmp/view.stty0" ] && cmp -s "$tmp/view.stty0" "$tmp/view.stty1"; then ok
	else bad "--live: the terminal's modes changed"; fi

	# --json: the view, q, then valid JSON on stdout; a resize redraws.
	start json 100 40 "$V" --physical 4M --pagefile 16M --live --json --seconds 60 "${procs[@]}"
	wait_screen json 60 "q: end the run" "beta" || bad "--live --json: no view"
	tm resize-window -t json -x 90 -y 30
	if wait_screen json 20 "^ vmsim --live .* q: end the run *$"; then ok
	else bad "--live: not redrawn after a resize:"; screen json; fi
	tm send-keys -t json q
	rc=$(wait_rc json 30)
	if [ "$rc" = 0 ] && python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert [p["name"] for p in j["processes"]] == ["alpha", "beta"], j["processes"]
assert j["accesses"] > 0 and j["verify_failures"] == 0 and j["elapsed_s"] < 50
' "$tmp/json.out"; then ok; else bad "--live --json: exit '$rc', not the JSON wanted"; fi

	# A tiny terminal: what fits, no crash.
	start tiny 12 4 "$V" $small --live --seconds 1.5
	rc=$(wait_rc tiny 60)
	[ "$rc" = 0 ] && ok || bad "--live in 12x4: exit '$rc'"
	# A TERM terminfo does not know: refused, one line on the terminal.
	start term 100 10 env TERM=no-such-term "$V" $small --live --seconds 1
	rc=$(wait_rc term 30)
	if [ "$rc" = 2 ] && wait_screen term 5 "^vmsim: --live: TERM=no-such-term: "; then ok
	else bad "--live, unknown TERM: exit '$rc'"; screen term; fi
	# A page file that fails: the view ends, its line on the shell's screen.
	if [ -x "$B/tests/tools/eio" ]; then
		start eio 100 30 "$B/tests/tools/eio" pread64 "$V" $small --threads 4 --seconds 20 --live \
		    --pagefile-path "$tmp/pf"
		rc=$(wait_rc eio 60)
		if [ "$rc" = 1 ] && wait_screen eio 5 "^vmsim: page file read error on slot" &&
		    ! grep -q "page lists" <<<"$(screen eio)"; then ok
		else bad "--live, page file errors: exit '$rc'"; screen eio; fi
		if [ -s "$tmp/eio.stty0" ] && cmp -s "$tmp/eio.stty0" "$tmp/eio.stty1"; then ok
		else bad "--live, page file errors: the terminal's modes changed"; fi
	else
		bad "eio wrapper not built"
	fi
fi
for f in "$tmp"/san*; do
	[ -e "$f" ] || continue
	bad "sanitizer report from a run in tmux:"; cat "$f"
done

echo "live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
