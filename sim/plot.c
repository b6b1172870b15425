/*
 * plot.c - vmsim --plot FILE: the run over time in one PNG, from the
 * sampler's points (sampler.h), drawn by gnuplot (gnuplot.c).  Three
 * panels sharing the time axis: the machine's frames by page list,
 * stacked (active at the bottom, then modified, standby, free, zeroed; the
 * available pages a dashed line); the fault rates by kind between points;
 * each process's working set, its maximum dashed and its minimum dotted
 * in its colour (no line while it is not running).
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "gnuplot.h"
#include "sampler.h"

/* $lists: t, then the stack's tops: active, + modified, + standby,
 * + free, + zeroed; then available. */
static void plot_lists(FILE *g, const struct sampler *sm)
{
	fprintf(g, "$lists << EOD\n");
	for (int i = 0; i < sm->sm_npoints; i++) {
		const struct vm_stats *s = &smp_point(sm, i)->pt_stats;
		uint64_t top[5] = { s->vs_nactive, s->vs_nmodified, s->vs_nstandby, s->vs_nfree,
			s->vs_nzeroed };

		fprintf(g, "%.3f", smp_point(sm, i)->pt_t);
		for (int k = 0; k < 5; k++)
			fprintf(g, " %" PRIu64, top[k] += k ? top[k - 1] : 0);
		fprintf(g, " %" PRIu64 "\n", s->vs_nzeroed + s->vs_nfree + s->vs_nstandby);
	}
	fprintf(g, "EOD\n");
}

/* $faults: t demand-zero soft-standby soft-modified hard collided, per
 * second between each point and the one before. */
static void plot_faults(FILE *g, const struct sampler *sm)
{
	fprintf(g, "$faults << EOD\n");
	for (int i = 1; i < sm->sm_npoints; i++) {
		const struct vm_stats *a = &smp_point(sm, i - 1)->pt_stats;
		const struct vm_stats *b = &smp_point(sm, i)->pt_stats;

		fprintf(g, "%.3f %.1f %.1f %.1f %.1f %.1f\n", smp_point(sm, i)->pt_t,
		    smp_rate(sm, i, a->vs_faults_dz, b->vs_faults_dz),
		    smp_rate(sm, i, a->vs_faults_soft_standby, b->vs_faults_soft_standby),
		    smp_rate(sm, i, a->vs_faults_soft_modified, b->vs_faults_soft_modified),
		    smp_rate(sm, i, a->vs_faults_hard, b->vs_faults_hard),
		    smp_rate(sm, i, a->vs_faults_collided, b->vs_faults_collided));
	}
	fprintf(g, "EOD\n");
}

/* $p<k>: t resident min max for process k; NaN while it is not running. */
static void plot_procs(FILE *g, const struct sampler *sm)
{
	for (int p = 0; p < sm->sm_nprocs; p++) {
		fprintf(g, "$p%d << EOD\n", p);
		for (int i = 0; i < sm->sm_npoints; i++) {
			const struct smp_proc *sp = smp_proc_at(sm, i, p);

			if (sp->sp_ws_max == 0)
				fprintf(g, "%.3f NaN NaN NaN\n", smp_point(sm, i)->pt_t);
			else
				fprintf(g, "%.3f %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				    smp_point(sm, i)->pt_t, sp->sp_resident, sp->sp_ws_min,
				    sp->sp_ws_max);
		}
		fprintf(g, "EOD\n");
	}
}

static void plot_script(FILE *g, const struct opts *o, const struct sampler *sm)
{
	/* the stack from the bottom, in the live view's colours */
	static const char *const lists[] = { "active", "modified", "standby", "free", "zeroed" };
	static const char *const lcol[] = { "#d62728", "#ff7f0e", "#1f77b4", "#17becf", "#2ca02c" };
	static const char *const faults[] = { "demand-zero", "soft (standby)", "soft (modified)",
		"hard", "collided" };
	static const char *const fcol[] = { "#9467bd", "#1f77b4", "#17becf", "#d62728", "#7f7f7f" };
	char title[256], size[32];
	double end = sm->sm_npoints ? smp_point(sm, sm->sm_npoints - 1)->pt_t : 1;

	snprintf(title, sizeof(title), "vmsim: %" PRIu64 " frames (%s), %d process%s, %.1f s",
	    o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE,
	    vm_size_str(size, sizeof(size), o->o_vm.vc_machine.mc_physical), o->o_nprocs,
	    o->o_nprocs == 1 ? "" : "es", end);
	fprintf(g, "set multiplot layout 3,1 title ");
	gp_str(g, title);
	fprintf(g, " noenhanced\nset grid front\nset key outside right top noenhanced\n"
	    "set xrange [0:%.3f]\nset lmargin 12\nset rmargin 24\nset yrange [0:*]\n"
	    "set style fill solid 0.85 noborder\n", end > 0 ? end : 1);
	fprintf(g, "set ylabel 'frames, by page list'\nplot ");
	for (int k = 4; k >= 0; k--)	/* the key lists the stack top down */
		fprintf(g, "$lists using 1:(%s%d):%d with filledcurves lc rgb '%s' title '%s', ",
		    k ? "$" : "0*$", k ? k + 1 : 2, k + 2, lcol[k], lists[k]);
	fprintf(g, "$lists using 1:7 with lines lw 2 dt 2 lc rgb 'black' title 'available'\n");
	fprintf(g, "set ylabel 'faults per second'\nset format y '%%.0s%%c'\nplot ");
	for (int i = 0; i < 5; i++)
		fprintf(g, "%s$faults using 1:%d with lines lw 2 lc rgb '%s' title '%s'",
		    i ? ", " : "", i + 2, fcol[i], faults[i]);
	fprintf(g, "\nset ylabel 'working set, pages'\nset format y '%%g'\nset xlabel 'seconds'\n"
	    "plot ");
	for (int p = 0; p < sm->sm_nprocs; p++) {
		fprintf(g, "%s$p%d using 1:2 with lines lw 2 lc %d title ", p ? ", " : "", p, p + 1);
		gp_str(g, o->o_procs[p].cp_name);
		fprintf(g, ", $p%d using 1:4 with lines lw 1.5 dt 2 lc %d %s, $p%d using 1:3 with "
		    "lines lw 1.5 dt 3 lc %d %s", p, p + 1, p ? "notitle" : "title 'maximum'", p,
		    p + 1, p ? "notitle" : "title 'minimum'");
	}
	fprintf(g, "\nunset multiplot\n");
}

int plot_write(const struct opts *o, const struct sampler *sm)
{
	struct gp g;

	if (gp_open(&g, "--plot", o->o_plot, 1000, 1000) != 0)
		return -1;
	plot_lists(g.gp_f, sm);
	plot_faults(g.gp_f, sm);
	plot_procs(g.gp_f, sm);
	plot_script(g.gp_f, o, sm);
	return gp_close(&g);
}
