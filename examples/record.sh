#!/bin/sh
# examples/record.sh OUT PROG [ARGS...]: record a real program's memory
# references with valgrind's lackey into OUT, a file vmsim replays as it
# is (xz-compressed when OUT ends in .xz, zstd in .zst):
#
#	examples/record.sh ls.lackey.xz ls -l /usr
#	build/vmsim --workload trace:ls.lackey.xz --mrc --mrc-plot ls.png
#
# Installs valgrind (Debian package) if it is missing.  PROG's own output
# goes to standard output as usual; valgrind's log is the trace.
set -eu
if [ $# -lt 2 ]; then
	echo "usage: $0 OUT PROG [ARGS...]" >&2
	exit 2
fi
out=$1
shift
if ! command -v valgrind >/dev/null 2>&1; then
	apt-get install -y -q valgrind >/dev/null 2>&1 ||
	    { apt-get update -q >/dev/null && apt-get install -y -q valgrind >/dev/null; }
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
valgrind --tool=lackey --trace-mem=yes --log-file="$log" "$@"
case $out in
*.xz) xz -9 -T2 -c "$log" >"$out" ;;
*.zst) zstd -19 -q -c "$log" >"$out" ;;
*) cp "$log" "$out" ;;
esac
echo "$out: $(grep -c '^[I ]' "$log") references recorded" >&2
