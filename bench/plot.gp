# plot.gp - vmsim benchmark figure: a PNG with two panels.
#
#   left:  scaling - accesses/s against threads (log2 axis), one solid line per
#          workload; faults/s of the same workload dashed, on the right axis.
#   right: per fault kind, vmsim's cost as a ratio to the floor
#          (bench/floor.c), with horizontal lines at 1 (the floor) and at
#          the target.
#
# Usage (every variable is optional):
#
#   gnuplot -e "datadir='results'; out='results/vmsim.png'" bench/plot.gp
#
#   datadir    directory holding scaling.dat and ratios.dat (default ".")
#   out        PNG file to write (default datadir/vmsim.png)
#   workloads  workload names, space separated: word k+1 names workload
#              index k, e.g. -e "workloads='seq rand zipf'"
#              (default "workload k")
#   target     target ratio to the floor (default 2)
#
# Input, whitespace separated, '#' starts a comment:
#
#   scaling.dat  threads  workload_index  accesses_per_s  faults_per_s
#                (workload_index is an integer >= 0; rows in any order,
#                but sorted by threads within each workload)
#   ratios.dat   fault_kind_label  ratio_to_floor (of its access)  [target]
#                (a label with spaces must be "quoted"; a third column
#                draws that kind's own target as a red tick over its bar)

if (!exists("datadir")) datadir = "."
if (!exists("out")) out = datadir . "/vmsim.png"
if (!exists("workloads")) workloads = ""
if (!exists("target")) target = 2.0

scaling = datadir . "/scaling.dat"
ratios = datadir . "/ratios.dat"

# Name of workload index k.
wname(k) = (k + 1 <= words(workloads)) ? word(workloads, k + 1) : sprintf("workload %d", k)
# Column c of a row of workload k, undefined otherwise.
of(k, c) = (int(column(2)) == k) ? column(c) : NaN

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1400,620 enhanced font "sans,11"
} else {
	set terminal png size 1400,620 font "sans,11"
}
set output out

stats scaling using 2 name "W" nooutput
stats scaling using 1 name "T" nooutput
wmin = int(W_min)
wmax = int(W_max)

set multiplot layout 1,2 title "vmsim" font ",13"

# ---- left: scaling ----
set title "Scaling: accesses/s (solid, left axis), faults/s (dashed, right axis)"
set xlabel "threads"
set ylabel "accesses / s"
set y2label "faults / s"
# linear: the ratios between thread counts are what matter
set yrange [0:*]
set y2range [0:*]
set format y "%.0s%c"
set format y2 "%.0s%c"
set ytics nomirror
set y2tics
set logscale x 2
set xtics 2
set xrange [T_min / 1.25 : T_max * 1.25]
set grid xtics ytics
set key below horizontal Left reverse box spacing 1.1
set bmargin 7
# undefined (other workloads') rows must not break the lines
set datafile missing NaN

plot for [k = wmin:wmax] scaling using 1:(of(k, 3)) \
		with linespoints lw 2 pt 7 ps 1.2 lc k - wmin + 1 title wname(k) noenhanced, \
	for [k = wmin:wmax] scaling using 1:(of(k, 4)) axes x1y2 \
		with linespoints lw 1.5 dt 2 pt 6 lc k - wmin + 1 notitle, \
	NaN with lines lw 1.5 dt 2 lc rgb "#555555" title "faults/s (right axis)"

# ---- right: ratio to the floor ----
unset logscale x
unset xtics
set xtics
unset y2tics
unset y2label
unset xrange
set format y "%g"
set title "Fault cost / floor of its access (a write or a read fault, SIGBUS + UFFDIO_COPY, same run)" noenhanced
set xlabel "fault kind"
set ylabel "ratio to the floor"
set xtics rotate by -25 left noenhanced
set grid noxtics ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set key default
set bmargin 7
set key top left Left reverse box opaque

stats ratios using 2 name "R" nooutput
set yrange [0 : (R_max > target ? R_max : target) * 1.18]
set xrange [-0.6 : R_records - 0.4]

plot ratios using 0:2:xtic(1) with boxes lc rgb "#4a7ebb" notitle, \
	'' using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.8 notitle, \
	'' using 0:(column(0) >= 0 && valid(3) ? $3 : target):(0.35) with xerrorbars \
		pt 0 lw 2.5 lc rgb "#c0392b" title "target", \
	1 with lines lw 1.5 lc rgb "#555555" title "floor (1x)"

unset multiplot
unset output
