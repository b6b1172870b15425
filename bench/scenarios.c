/*
 * scenarios.c - which workload runs the benchmark makes: throughput and
 * scaling over 1, 2 and 4 threads, and each optimization on and off
 * against a baseline run in the same rounds (docs/PERFORMANCE.md).
 */
#include "bench.h"

struct run_spec spec_heavy(int nt)
{
	struct run_spec s = SPEC_DEFAULT("heavy", nt);

	s.rs_frames = 1024;
	s.rs_kind = WL_UNIFORM;
	return s;
}

/* Uniform over the default sizes (16M physical, 64M virtual): a working set
 * of 4096 pages scattered over the region, the kernel comparison's random
 * phase. */
struct run_spec spec_uniform16(int nt)
{
	struct run_spec s = SPEC_DEFAULT("uniform16M", nt);

	s.rs_kind = WL_UNIFORM;
	return s;
}

struct run_spec spec_seq(int nt)
{
	struct run_spec s = SPEC_DEFAULT("sequential", nt);

	s.rs_frames = 1024;
	s.rs_max_run = 1024;
	return s;
}


void bench_scaling(struct bench_all *a, int rounds)
{
	struct run_spec sp[8];
	int n = 0;

	for (int nt = 1; nt <= 4; nt *= 2) {
		sp[n++] = (struct run_spec)SPEC_DEFAULT("default", nt);
		sp[n++] = spec_heavy(nt);
	}
	for (int nt = 1; nt <= 2; nt++)
		sp[n++] = spec_seq(nt);
	bench_plan(a, sp, n, rounds);
}

/* Each optimization on and off, against baselines run in the same rounds. */
void bench_opts(struct bench_all *a, int rounds)
{
	static const char *tb[] = { "trim-batch=1", "trim-batch=4", "trim-batch=16", "trim-batch=64" };
	static const char *wb[] = { "write-batch=1", "write-batch=4", "write-batch=16" };
	static const int bs[] = { 1, 4, 16, 64 };
	struct run_spec sp[40], x;
	int n = 0;

	for (int nt = 2; nt <= 4; nt *= 2) {
		x = spec_heavy(nt);
		x.rs_variant = "base";
		sp[n++] = x;
		x.rs_lock = LK_IMPL_SPIN;
		x.rs_variant = "lock=spin";
		sp[n++] = x;
		x.rs_lock = LK_IMPL_MUTEX;
		x.rs_variant = "lock=mutex";
		sp[n++] = x;
		x = spec_heavy(nt);
		x.rs_shared = 0;
		x.rs_variant = "shared=off";
		sp[n++] = x;
	}
	x = spec_seq(2);
	x.rs_variant = "base";
	sp[n++] = x;
	for (int i = 0; i < 4; i++) {
		x = spec_heavy(2);
		x.rs_trim_batch = bs[i];
		x.rs_variant = tb[i];
		sp[n++] = x;
		x = spec_seq(2);
		x.rs_trim_batch = bs[i];
		x.rs_variant = tb[i];
		sp[n++] = x;
		if (i == 3)
			break;
		x = spec_heavy(2);
		x.rs_write_batch = bs[i];
		x.rs_variant = wb[i];
		sp[n++] = x;
	}
	x = spec_heavy(2);
	x.rs_rows = 0;
	x.rs_variant = "rows=off";
	sp[n++] = x;
	x.rs_stash = 0;
	x.rs_variant = "rows=off,stash=off";
	sp[n++] = x;
	x.rs_rows = 1;
	x.rs_variant = "stash=off";
	sp[n++] = x;
	x = spec_heavy(2);
	x.rs_goal_div = 4;
	x.rs_variant = "trim-goal=n/4";
	sp[n++] = x;
	x.rs_goal_div = 2;
	x.rs_variant = "trim-goal=n/2";
	sp[n++] = x;
	/* Issue 13: a trim window frozen whole (its span) against piece by
	 * piece (the default), on the three workloads and uniform over 16M. */
	for (int w = 0; w < 4; w++) {
		x = w == 0 ? spec_heavy(2) : w == 1 ? spec_seq(2) : w == 2 ?
		    (struct run_spec)SPEC_DEFAULT("default", 2) : spec_uniform16(2);
		x.rs_variant = "base";
		if (w >= 2)
			sp[n++] = x;	/* heavy's and sequential's bases are above */
		x.rs_span = 1;
		x.rs_variant = "trim-window=span";
		sp[n++] = x;
	}
	/* Seed 001's trim hints, on the three workloads at 2T. */
	x = spec_heavy(2);
	x.rs_hints = 1;
	x.rs_variant = "trim-hints=on";
	sp[n++] = x;
	x = spec_seq(2);
	x.rs_hints = 1;
	x.rs_variant = "trim-hints=on";
	sp[n++] = x;
	x = (struct run_spec)SPEC_DEFAULT("default", 2);
	x.rs_hints = 1;
	x.rs_variant = "trim-hints=on";
	sp[n++] = x;
	bench_plan(a, sp, n, rounds);
}
