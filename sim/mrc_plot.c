/*
 * mrc_plot.c - vmsim --mrc-plot FILE: every curve in one PNG, drawn by
 * gnuplot (gnuplot.c: the script and its data on gnuplot's standard input,
 * the picture renamed into place).  Faults per 1000 references against
 * frames on log scales: the oracles as lines, vmsim's runs as points
 * joined (all faults solid, hard faults dashed).
 */
#include <inttypes.h>
#include <stdio.h>

#include "gnuplot.h"
#include "mrc_cmd.h"
#include "trace_fmt.h"

static double mrc_per1000(uint64_t x, size_t n)
{
	return 1000.0 * (double)x / (double)(n ? n : 1);
}

/* The data blocks: $o0..$o3 the oracles, $v0.. vmsim's policies. */
static void mrc_gp_data(FILE *g, const struct opts *o, const struct mrc_result *r)
{
	size_t n = o->o_trace.t_n;

	for (int p = 0; p < MRC_NPOL; p++) {
		fprintf(g, "$o%d << EOD\n", p);
		for (size_t i = 0; i < r->mr_n; i++)
			fprintf(g, "%" PRIu64 " %.4f\n", r->mr_pts[p][i].mp_frames,
			    mrc_per1000(r->mr_pts[p][i].mp_faults, n));
		fprintf(g, "EOD\n");
	}
	for (size_t k = 0; k < r->mr_nvpol; k++) {
		fprintf(g, "$v%zu << EOD\n", k);
		for (size_t i = 0; i < r->mr_nv; i++)
			fprintf(g, "%" PRIu64 " %.4f %.4f\n", r->mr_vm[k][i].mv_frames,
			    mrc_per1000(r->mr_vm[k][i].mv_faults, n),
			    mrc_per1000(r->mr_vm[k][i].mv_hard, n));
		fprintf(g, "EOD\n");
	}
}

static void mrc_gp_script(FILE *g, const struct opts *o, const struct mrc_result *r)
{
	static const char *const olabel[MRC_NPOL] = { "LRU", "FIFO", "CLOCK", "OPT (Belady)" };
	const struct trace *t = &o->o_trace;
	char title[512];

	mrc_gp_data(g, o, r);
	snprintf(title, sizeof(title), "%s (%s): %zu references, %" PRIu64 " distinct pages",
	    cli_q(o->o_trace_path), tfmt_names[t->t_format], t->t_n, t->t_distinct);
	fprintf(g, "set title ");
	gp_str(g, title);
	fprintf(g, " noenhanced\nset logscale x 2\nset grid\nset key top right\n"
	    "set xlabel 'frames'\nset ylabel 'faults per 1000 references'\n"
	    "set logscale y\nplot ");
	for (int p = 0; p < MRC_NPOL; p++)
		fprintf(g, "%s$o%d using 1:2 with lines lw 2 title '%s'", p ? ", " : "", p,
		    olabel[p]);
	for (size_t k = 0; k < r->mr_nvpol && r->mr_nv > 0; k++) {
		const char *pol = opts_trim_policy_names[r->mr_vpol[k]];

		fprintf(g, ", $v%zu using 1:2 with linespoints pt 7 lw 2 title 'vmsim %s: all "
		    "faults', $v%zu using 1:3 with linespoints pt 6 dt 2 lw 2 title 'vmsim %s: hard "
		    "faults'", k, pol, k, pol);
	}
	fputc('\n', g);
}

int mrc_plot(const struct opts *o, const struct mrc_result *r)
{
	struct gp g;

	if (gp_open(&g, "--mrc-plot", o->o_mrc_plot, 1000, 640) != 0)
		return -1;
	mrc_gp_script(g.gp_f, o, r);
	return gp_close(&g);
}
