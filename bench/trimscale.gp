# trimscale.gp - vmsim benchmark figure for the trim-scale section
# (bench/trimscale.c): a PNG with two panels.
#
#   left:  the trimmer's CPU per trimmed page against the region's size
#          (log2 axis), one line per trim policy;
#   right: the same as a ratio to the smallest size's figure in the same
#          round (median, with the min-max range), and a line at 1: flat.
#
# Usage (every variable is optional):
#
#   gnuplot -e "datadir='build/bench/out'; out='x.png'" bench/trimscale.gp
#
#   datadir   directory holding trimscale.dat (default ".")
#   out       PNG file to write (default datadir/trimscale.png)
#   policies  policy names, space separated: word k+1 names data block k
#             (default "policy k")
#
# Input, trimscale.dat: one block per policy (blocks separated by two blank
# lines), rows of
#   virtual_mib  policy_index  us_per_page  ratio  ratio_min  ratio_max  busy

if (!exists("datadir")) datadir = "."
if (!exists("out")) out = datadir . "/trimscale.png"
if (!exists("policies")) policies = ""

dat = datadir . "/trimscale.dat"
pname(k) = (k + 1 <= words(policies)) ? word(policies, k + 1) : sprintf("policy %d", k)
vlabel(m) = m >= 1024 ? sprintf("%.0fG", m / 1024.0) : sprintf("%.0fM", m)

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1400,620 enhanced font "sans,11"
} else {
	set terminal png size 1400,620 font "sans,11"
}
set output out

stats dat using 1 name "V" nooutput
nblocks = V_blocks

set multiplot layout 1,2 title "vmsim: trim cost against virtual size (16M physical, 12M moving working set, 1 thread)" font ",13"

set logscale x 2
set xrange [V_min / 1.5 : V_max * 1.5]
set xlabel "virtual size (region)"
set grid xtics ytics
set key top left Left reverse box opaque width 1
set bmargin 5

# ---- left: us per trimmed page ----
set title "Trimmer CPU per trimmed page"
set ylabel "us / trimmed page"
set yrange [0:*]
plot for [k = 0:nblocks - 1] dat index k using 1:3:xtic(vlabel($1)) \
	with linespoints lw 2 pt 7 ps 1.2 lc k + 1 title pname(k) noenhanced

# ---- right: ratio to the smallest size ----
set title "Ratio to the smallest size (median of per-round ratios, min-max bars)"
set ylabel "us/page / smallest size's"
set yrange [0:*]
plot for [k = 0:nblocks - 1] dat index k using 1:4:5:6:xtic(vlabel($1)) \
	with yerrorlines lw 2 pt 7 ps 1.2 lc k + 1 title pname(k) noenhanced, \
	1 with lines lw 1.5 dt 2 lc rgb "#555555" title "flat (1x)"

unset multiplot
unset output
