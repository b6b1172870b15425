/*
 * cycle.c - the cycle section (issue 13): what a fault costs the whole
 * process, not just the faulting thread.  A fault in steady state makes
 * the trimmer take a page out, the modified writer write it, the zero-page
 * thread zero a frame; the CPU all of them spend, divided by the faults,
 * is set against a *cycle floor* composed from the floor section's own
 * figures, in the measuring thread's CPU time (so that a loaded machine,
 * which lengthens wall times and not CPU clocks, moves both sides alike):
 *
 *   per fault          the read floor (every access of the workloads loads
 *                      its page's stamp before it may write it, so each
 *                      fault is taken by a read: sim/workload.c wl_access)
 *   per trimmed page   a zap's share (MADV_DONTNEED, per page of a run),
 *                      the capture copy and the page-file copy (a page
 *                      copy each; a clean page is compared instead of
 *                      copied and not written, and a hard fault copies
 *                      the page out of the page file: one copy a page
 *                      each way, as the issue composes it)
 *
 * For the default, heavy and sequential workloads at 1 and 2 threads
 * (section 3's runs, or its own when section 3 is not run), with the
 * breakdown of where the CPU goes: the user threads in the handler, in
 * the access loop (measured in a resident run of the same workload, where
 * nothing faults), and the rest of theirs (the signal's delivery and
 * return, the kernel's fault entry); the trimmer, the writer and the
 * zero-page thread (thread CPU clocks).  The handler's share is its wall
 * time less the event waits (asleep), scaled by the share of their
 * runnable time the user threads got a CPU (on a loaded machine a thread
 * is preempted inside the handler as anywhere else).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "json.h"

static const char *const cy_names[3] = { "default", "heavy", "sequential" };

static struct run_spec cy_spec(int w, int nt)
{
	return w == 0 ? (struct run_spec)SPEC_DEFAULT("default", nt) : w == 1 ? spec_heavy(nt) :
	    spec_seq(nt);
}

/* The resident twin of workload w: a frame for every page and a quarter
 * more, so that once the prefill has mapped them the available frames stay
 * above the trim goal (an eighth of the frames) and nothing is trimmed or
 * faults; its user CPU per access is the access loop's own cost. */
static struct run_spec cy_resident(int w)
{
	struct run_spec s = cy_spec(w, 1);

	s.rs_variant = "resident";
	s.rs_frames = s.rs_pages + s.rs_pages / 4;
	return s;
}

static double cy_min(double a, double b)
{
	return a < b ? a : b;
}

/* Compose row c from run r and its resident twin z (NULL: no loop figure). */
static void cy_compose(const struct bench_all *a, const struct bench_run *r,
    const struct bench_run *z, struct bench_cycle_row *c)
{
	double f = r->br_n_faults, ns = r->br_seconds * 1e9 / (f > 0 ? f : NAN);
	const struct floor_result *fl = &a->floor;

	memset(c, 0, sizeof *c);
	c->cr_run = r;
	c->cr_user = r->br_cpu_user * ns;
	{	/* the CPU the user threads got while runnable, per second of it */
		double runnable = r->br_threads - r->br_user_sleep;
		double got = runnable > 0 ? cy_min(r->br_cpu_user / runnable, 1) : 1;
		c->cr_handler = cy_min(r->br_handler_busy * got * ns, c->cr_user);
	}
	c->cr_loop_ns = z != NULL && z->br_n_acc > 0 ?
	    z->br_cpu_user * z->br_seconds * 1e9 / z->br_n_acc : NAN;
	c->cr_resident_faults = z != NULL ? z->br_n_faults + z->br_n_collided : NAN;
	c->cr_loop = cy_min(c->cr_loop_ns * r->br_n_acc / f, c->cr_user - c->cr_handler);
	c->cr_trimmer = r->br_cpu_sys[0] * ns;
	c->cr_writer = r->br_cpu_sys[1] * ns;
	c->cr_zero = r->br_cpu_sys[2] * ns;
	c->cr_total = c->cr_user + c->cr_trimmer + c->cr_writer + c->cr_zero;
	c->cr_floor_fault = a->floor_ok ? fl->sigbus_read_cpu_ns : NAN;
	c->cr_floor_trim = r->br_trimmed / f * (fl->dontneed_cpu_ns + fl->page_copy_cpu_ns);
	c->cr_floor_pgf = r->br_trimmed / f * fl->page_copy_cpu_ns;
	c->cr_floor = c->cr_floor_fault + c->cr_floor_trim + c->cr_floor_pgf;
	c->cr_ratio = c->cr_total / c->cr_floor;
}

void bench_cycle(struct bench_all *a)
{
	struct run_spec sp[9];
	int n = 0;

	for (int w = 0; w < 3; w++) {
		for (int nt = 1; nt <= 2; nt++)
			if (bench_find(a, cy_names[w], "", nt) == NULL)
				sp[n++] = cy_spec(w, nt);
		sp[n++] = cy_resident(w);
	}
	bench_plan(a, sp, n, a->rounds);
	a->ncycle = 0;
	for (int w = 0; w < 3; w++)
		for (int nt = 1; nt <= 2; nt++)
			cy_compose(a, bench_find(a, cy_names[w], "", nt),
			    bench_find(a, cy_names[w], "resident", 1), &a->cycle[a->ncycle++]);
}

void bench_cycle_print(FILE *f, const struct bench_all *a)
{
	double lo = INFINITY, hi = -INFINITY;

	if (a->ncycle == 0)
		return;
	for (int i = 0; i < a->ncycle; i++) {
		lo = cy_min(lo, a->cycle[i].cr_loop_ns);
		hi = -cy_min(-hi, -a->cycle[i].cr_loop_ns);
	}
	fprintf(f, "\n== 5b. The whole cycle: CPU per fault of the whole process (every thread's CPU clock\n"
	    "     over the window / faults) against a cycle floor composed from section 1: the read\n"
	    "     floor per fault + per trimmed page a zap's share (flr:trim: and the capture's page\n"
	    "     copy) and a page copy to or from the page file (pgf); us per fault; target <= 1.3x\n");
	fprintf(f, "  %-10s %2s %8s %7s %7s %6s  %6s %6s %6s %6s %6s %6s  %6s %6s %6s  %5s %5s %5s %s\n",
	    "workload", "T", "faults/s", "CPU/flt", "floor", "x flr", "user", "handlr", "loop",
	    "trimmr", "writer", "zero", "flr:ft", "trim", "pgf", "trm/f", "wr/f", "col/f", "");
	for (int i = 0; i < a->ncycle; i++) {
		const struct bench_cycle_row *c = &a->cycle[i];
		const struct bench_run *r = c->cr_run;
		double fl = r->br_n_faults;
		fprintf(f, "  %-10s %2d %8.0f %7.2f %7.2f %6.2f  %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f  "
		    "%6.2f %6.2f %6.2f  %5.2f %5.2f %5.2f %s\n", r->br_name, r->br_threads,
		    r->br_faults_s, c->cr_total / 1e3, c->cr_floor / 1e3, c->cr_ratio,
		    c->cr_user / 1e3, c->cr_handler / 1e3, c->cr_loop / 1e3, c->cr_trimmer / 1e3,
		    c->cr_writer / 1e3, c->cr_zero / 1e3, c->cr_floor_fault / 1e3,
		    c->cr_floor_trim / 1e3, c->cr_floor_pgf / 1e3, r->br_trimmed / fl,
		    r->br_written / fl, r->br_n_collided / fl,
		    isnan(c->cr_ratio) ? "" : c->cr_ratio <= 1.3 ? "met" : "MISSED");
	}
	fprintf(f, "  (user = the user threads' CPU, of which handlr = in the SIGBUS handler (wall, less\n"
	    "   event waits, x the share of runnable time they got a CPU) and loop = the access loop\n"
	    "   (CPU per access of a resident run, %.0f-%.0f ns, x accesses); the rest of user is the\n"
	    "   signal's round trip and the kernel's fault entry;\n"
	    "   flr:ft/trim/pgf = the floor's parts; trm/f, wr/f, col/f = pages trimmed, pages written,\n"
	    "   collided faults (waited, or un-protected a frozen page) per fault)\n",
	    lo, hi);
}

void bench_cycle_json(struct json *j, const struct bench_all *a)
{
	json_array(j, "cycle");
	for (int i = 0; i < a->ncycle; i++) {
		const struct bench_cycle_row *c = &a->cycle[i];
		const struct bench_run *r = c->cr_run;
		json_object(j, NULL);
		json_string(j, "workload", r->br_name);
		json_i64(j, "threads", r->br_threads);
		json_double(j, "faults_per_s", "%.0f", r->br_faults_s);
		json_double(j, "cpu_ns_per_fault", "%.1f", c->cr_total);
		json_double(j, "cycle_floor_ns", "%.1f", c->cr_floor);
		json_double(j, "ratio", "%.4g", c->cr_ratio);
		json_object(j, "cpu_ns");
		json_double(j, "user", "%.1f", c->cr_user);
		json_double(j, "user_handler", "%.1f", c->cr_handler);
		json_double(j, "user_loop", "%.1f", c->cr_loop);
		json_double(j, "trimmer", "%.1f", c->cr_trimmer);
		json_double(j, "writer", "%.1f", c->cr_writer);
		json_double(j, "zero", "%.1f", c->cr_zero);
		json_end(j);
		json_object(j, "floor_ns");
		json_double(j, "fault", "%.1f", c->cr_floor_fault);
		json_double(j, "trim", "%.1f", c->cr_floor_trim);
		json_double(j, "pagefile", "%.1f", c->cr_floor_pgf);
		json_end(j);
		json_double(j, "loop_ns_per_access", "%.1f", c->cr_loop_ns);
		json_double(j, "resident_run_faults", "%.0f", c->cr_resident_faults);
		json_double(j, "trimmed_per_fault", "%.4g", r->br_trimmed / r->br_n_faults);
		json_double(j, "written_per_fault", "%.4g", r->br_written / r->br_n_faults);
		json_double(j, "collided_per_fault", "%.4g", r->br_n_collided / r->br_n_faults);
		json_end(j);
	}
	json_end(j);
}
