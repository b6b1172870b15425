/*
 * timeline.c - what vmsim --timeline costs (docs/PERFORMANCE.md, "The
 * timeline's cost"): the default workload at 2 threads with the recorder
 * off and on, run round by round in the same plan (runs.c), and the ratio
 * of their throughputs, per round and its median.  The recorder holds
 * every event of a run (TL_BENCH_EVENTS), so "on" pays for each one.
 */
#include "bench.h"

void bench_timeline(struct bench_all *a, int rounds)
{
	struct run_spec sp[2] = { SPEC_DEFAULT("timeline", 2), SPEC_DEFAULT("timeline", 2) };

	sp[0].rs_variant = "off";
	sp[1].rs_variant = "on";
	sp[1].rs_timeline = 1;
	bench_plan(a, sp, 2, rounds);
}

void bench_timeline_print(FILE *f, const struct bench_all *a)
{
	const struct bench_run *off = bench_find(a, "timeline", "off", 2);
	const struct bench_run *on = bench_find(a, "timeline", "on", 2);
	double lo, hi, flo, fhi, x, xf;

	if (off == NULL || on == NULL)
		return;
	x = bench_ratio(on, off, 1, &lo, &hi);
	xf = bench_ratio(on, off, 0, &flo, &fhi);
	fprintf(f, "\n== 8. The timeline's cost: default workload, 2 threads, the recorder off and on\n"
	    "     in the same rounds; on/off = median over rounds of the per-round ratio\n");
	fprintf(f, "  %-8s %11s %10s %9s %12s %8s\n", "recorder", "accesses/s", "faults/s", "ns/flt",
	    "events/s", "dropped");
	fprintf(f, "  %-8s %11.0f %10.0f %9.0f %12s %8s\n", "off", off->br_acc_s, off->br_faults_s,
	    off->br_handler_ns, "-", "-");
	fprintf(f, "  %-8s %11.0f %10.0f %9.0f %12.0f %8.0f\n", "on", on->br_acc_s, on->br_faults_s,
	    on->br_handler_ns, on->br_tl_events_s, on->br_tl_dropped);
	fprintf(f, "  on/off: accesses/s %.3f [%.3f-%.3f], faults/s %.3f [%.3f-%.3f] over %d rounds"
	    " (target: >= 0.90)\n", x, lo, hi, xf, flo, fhi, on->br_nrounds);
}
