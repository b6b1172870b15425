# wsets-thrash.gp - the thrashing figure of docs/WORKING-SETS.md
# (experiment 4 of examples/wsets.sh): total and per-process throughput
# against the growing process's working set, without and with limits.
#
# Usage: gnuplot -e "datadir='build/wsets'; out='x.png'" examples/wsets-thrash.gp
#
# Input, thrash.dat: rows of
#   W_MiB  total_none  steady_none  grow_none  total_lim  steady_lim  grow_lim
#   steady_hf_none  steady_hf_lim
# (accesses per second, then steady's hard faults per access; none: default limits; lim: steady ws-min=6M, grow
# ws-max=9M,hard-max).

if (!exists("datadir")) datadir = "."
if (!exists("out")) out = datadir . "/wsets-thrash.png"
dat = datadir . "/thrash.dat"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1400,600 enhanced font "sans,11"
} else {
	set terminal png size 1400,600 font "sans,11"
}
set output out

set multiplot layout 1,2 title "vmsim: thrashing on 16M of frames (FIFO; steady: uniform over 6M; grow: uniform over W; 1 thread each; a busy 2-CPU machine)" font ",12"
set title "Throughput"
set xlabel "grow's working set W (MiB); the even share is 8M"
set ylabel "accesses / s"
set grid xtics ytics
set key top right box opaque
set yrange [0:*]
set arrow from 10,graph 0 to 10,graph 1 nohead dt 3 lc rgb "#888888"
set label "steady 6M + grow W = 16M" at 10.3,graph 0.04 tc rgb "#666666"
plot dat using 1:2 with linespoints lw 2 pt 7 lc 1 title "total, no limits", \
     dat using 1:5 with linespoints lw 2 pt 5 lc 2 title "total, limits", \
     dat using 1:3 with linespoints lw 1 dt 2 pt 6 lc 1 title "steady, no limits", \
     dat using 1:6 with linespoints lw 1 dt 2 pt 4 lc 2 title "steady, limits"

set title "steady's hard faults per access"
set ylabel "hard faults / access"
set key top left box opaque
plot dat using 1:8 with linespoints lw 2 pt 7 lc 1 title "no limits", \
     dat using 1:9 with linespoints lw 2 pt 5 lc 2 title "limits (steady ws-min=6M, grow ws-max=9M hard)"
unset multiplot
unset output
