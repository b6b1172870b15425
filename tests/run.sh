#!/usr/bin/env bash
# tests/run.sh - run every test of one build variant ($B, $VARIANT): unit
# tests, stress scenarios, fault injection (tests/inject), the layering
# check and a short soak (release only), and the command line.  Each
# program prints "name: N passed, N failed"; this sums them and prints the
# same line for the variant.  Exit 1 if anything failed.  A test still
# running after TEST_LIMIT seconds (600) fails, with the stacks of its
# stuck programs (gdb) under its log: a hang says where it is.
set -u
B=${B:?} VARIANT=${VARIANT:?}
pass=0 fail=0 log=$(mktemp) limit=${TEST_LIMIT:-600}
trap 'rm -f "$log" "$log.stuck"' EXIT

# stuck PGID: every program of a test's process group that is not a shell
# or a tool, with each thread's stack (gdb), for the log of a test that hung.
stuck() {
	local p
	for p in $(pgrep -g "$1"); do
		case $(cat /proc/"$p"/comm 2>/dev/null) in bash|sh|timeout|sleep|python3|tail|"") continue ;; esac
		echo "stuck: pid $p: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)"
		if command -v gdb >/dev/null; then
			gdb -batch -nx -p "$p" -ex 'thread apply all bt' 2>&1 | grep -E '^(Thread|#)'
		fi
	done
}

# run NAME CMD...: run one test program, add its counts.  A test still
# running after $limit s is taken down (exit 124), the stacks of its stuck
# programs shown with its log.
run() {
	local name=$1; shift
	local t0=$SECONDS pid w
	rm -f "$log.stuck"
	setsid "$@" >"$log" 2>&1 &
	pid=$!
	(
		for _ in $(seq "$limit"); do sleep 1; kill -0 "$pid" 2>/dev/null || exit 0; done
		{ echo "timed out after $limit s"; stuck "$pid"; } >"$log.stuck"
		kill -KILL -- -"$pid"
	) &
	w=$!
	if { wait "$pid"; } 2>/dev/null; then status=0; else status=$?; fi
	kill "$w" 2>/dev/null; wait "$w" 2>/dev/null
	if [ -e "$log.stuck" ]; then status=124; fi
	local line p f
	line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	if [ -z "$line" ]; then p=0; f=1; fi
	if [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
	if grep -qE 'ThreadSanitizer|AddressSanitizer|runtime error' "$log"; then f=$((f + 1)); fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -ne 0 ]; then
		echo "  FAIL $name ($((SECONDS - t0)) s, exit $status):"; sed 's/^/    /' "$log" | tail -n 40
		[ -e "$log.stuck" ] && sed 's/^/    /' "$log.stuck" | head -n 400
	else
		echo "  ok   $name: $p checks ($((SECONDS - t0)) s)"
	fi
}

echo "== $VARIANT"
if [ "$VARIANT" != tsan ]; then
	for t in "$B"/tests/unit/test_*; do
		case $t in *.o|*.d) continue ;; esac
		run "unit/$(basename "$t")" "$t"
	done
fi

# stress NAME THREADS FRAMES PAGES PGF_PAGES ITERS ACCESSES WRITE_RATIO MAX_RUN [PGF_PATH]
S="$B/tests/stress/stress"
scale=1; [ "$VARIANT" = release ] && scale=4
run "stress/tiny"        "$S" tiny 8 16 64 48 10 $((10000 * scale)) 0.5 8
run "stress/commit-limit" "$S" commit-limit 4 64 512 448 10 $((20000 * scale)) 0.5 16
run "stress/write-heavy" "$S" write-heavy 4 256 4096 4096 6 $((40000 * scale)) 1.0 32
run "stress/read-heavy"  "$S" read-heavy 4 256 4096 4096 6 $((40000 * scale)) 0.05 32
run "stress/sequential"  "$S" sequential 2 512 8192 8192 4 $((40000 * scale)) 0.5 4096
run "stress/one-thread"  "$S" one-thread 1 64 1024 1024 4 $((20000 * scale)) 0.5 16
pgf=$(mktemp /tmp/vmsim-pagefile.XXXXXX)
run "stress/file-pagefile" "$S" file-pagefile 4 128 2048 2048 4 $((20000 * scale)) 0.5 16 "$pgf"
rm -f "$pgf"
# realism (docs/REALISM.md): access patterns x trim policies, read-only pages,
# prefetch, page-file defragmentation, and all of them at once.
run "stress/zipf-fifo"     "$S" zipf-fifo 2 128 2048 2048 4 $((30000 * scale)) 0.5 16 workload=zipf policy=fifo
run "stress/scan-random"   "$S" scan-random 2 128 1024 1024 3 $((20000 * scale)) 0.5 16 workload=scan policy=random
run "stress/phases"        "$S" phases 2 128 2048 2048 4 $((30000 * scale)) 0.5 16 workload=phases
run "stress/uniform-fifo"  "$S" uniform-fifo 3 64 512 512 3 $((15000 * scale)) 0.5 16 workload=uniform policy=fifo
run "stress/readonly"      "$S" readonly 4 128 2048 2048 4 $((30000 * scale)) 0.3 16 ro=0.25
run "stress/prefetch"      "$S" prefetch 2 128 2048 2048 4 $((30000 * scale)) 0.3 64 workload=scan prefetch=8
run "stress/defrag"        "$S" defrag 2 128 2048 4096 4 $((30000 * scale)) 0.5 16 workload=zipf defrag=1
run "stress/trim-hints"    "$S" trim-hints 2 128 2048 2048 4 $((30000 * scale)) 0.5 512 hints=1
run "stress/hints-fifo"    "$S" hints-fifo 3 128 2048 2048 3 $((20000 * scale)) 0.5 64 hints=1 policy=fifo ro=0.1 prefetch=4
run "stress/realism-all"   "$S" realism-all 4 64 1024 1024 4 $((20000 * scale)) 0.4 32 ro=0.2 prefetch=4 defrag=1 policy=fifo
# processes on one machine (docs/DESIGN.md, "Processes"): stamps naming (process,
# page), validation after each round; frames repurposed across processes; a
# process destroyed under load while the others fault, and replaced
P="$B/tests/stress/procs"
run "procs/share"       "$P" procs-share share 3 3 64 256 768 4 $((10000 * scale))
# memory priority: processes at priorities 0 and 7 (the eight standby lists
# checked each round), and priorities changed while the threads fault
run "procs/priority"    "$P" procs-priority share 2 2 64 256 768 4 $((10000 * scale)) priority=fixed workload=zipf
run "procs/priority-change" "$P" procs-priority-change churn 3 2 64 256 768 4 $((5000 * scale)) priority=change
run "procs/share-fifo"  "$P" procs-share-fifo share 4 2 128 512 1920 3 $((10000 * scale)) policy=fifo workload=zipf defrag=1
run "procs/churn"       "$P" procs-churn churn 3 2 64 256 768 4 $((5000 * scale))
run "procs/churn-random" "$P" procs-churn-random churn 4 2 96 256 1024 4 $((5000 * scale)) policy=random workload=uniform
# working-set limits (docs/DESIGN.md, "Working sets"): a hard maximum watched
# under load (never above it by more than the faults in flight), lowered while
# running; a minimum honoured while another process is above its own
W="$B/tests/stress/wsets"
run "wsets/hardmax"       "$W" wsets-hardmax hardmax 128 3 $((20000 * scale))
run "wsets/hardmax-fifo"  "$W" wsets-hardmax-fifo hardmax 96 4 $((15000 * scale)) policy=fifo
run "wsets/min"           "$W" wsets-min min 128 2 $((20000 * scale))
run "wsets/min-fifo"      "$W" wsets-min-fifo min 128 2 $((20000 * scale)) policy=fifo
# the kernel reading and writing locked region memory under trim pressure
# (O_DIRECT, buffered vm_pread/vm_pwrite, a futex mutex + condvar)
for m in odirect buffered futex; do
	run "lockio/$m" "$B/tests/stress/lockio" "$m" 2
done
# fault injection (tests/inject): page-file errors, creation failures, misuse
run "inject/errors" "$B/tests/inject/errors"
run "inject/create" "$B/tests/inject/create"
run "inject/pagefile" "$B/tests/inject/pagefile"
run "inject/proc_create" "$B/tests/inject/proc_create"
# the timeline (README, "Seeing a run"): in every variant, ThreadSanitizer's
# too, since its recorder runs in the fault handler
run "timeline" env VMSIM="$B/vmsim" tests/timeline.sh
# the layers (docs/DESIGN.md): no #include or call goes up, release only
if [ "$VARIANT" = release ]; then
	run "layers" env B="$B" tests/layers.sh
fi
# the soak (README "Soak"): every configuration once, 2 s each, release only
if [ "$VARIANT" = release ]; then
	run "soak" "$B/tests/soak/soak" --seconds 36 --slice 2
	run "soak-cli" env SOAK="$B/tests/soak/soak" tests/soak/cli.sh
	run "install" env VARIANT=release tests/install.sh
fi
# --live in a real terminal (tmux) and --plot's picture: every variant, the
# view's signals and its ending from another thread under TSan too
run "live" env VMSIM="$B/vmsim" tests/live.sh
if [ "$VARIANT" != tsan ]; then
	run "cli" env VMSIM="$B/vmsim" tests/cli.sh
	run "cli/pagefile" env VMSIM="$B/vmsim" tests/pagefile.sh
	run "mrc" env VMSIM="$B/vmsim" tests/mrc.sh
	run "docs" env B="$B" tests/docs.sh
	run "kcompare" env B="$B" tests/kcompare.sh
fi

echo "$VARIANT: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
