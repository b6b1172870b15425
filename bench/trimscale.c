/*
 * trimscale.c - the trim-scale section (issue 10): what the trimmer pays
 * per trimmed page as the region grows from 64M to 16G while the working
 * set stays the same, for the FIFO and aging trim policies.
 *
 * Each run: 16M physical, the `phases' workload (uniform accesses inside a
 * 12M window that moves to a random place in the region every ts_phase_len
 * accesses), one user thread, a fixed number of accesses, every access
 * verified.  Nothing is prefilled: only the working set is ever touched, so
 * the region's size costs nothing but PTEs and the kernel's page tables.
 * The page file is on disk at every size (one kind of page file, so only
 * the virtual size changes), as large as the region, so the commit limit
 * holds; it is unlinked as soon as vm_create has it open, and its space
 * goes back at vm_destroy.
 *
 * Measured from the end of the first phase (the fill, when nothing is
 * trimmed) to the end: the trimmer thread's CPU clock per trimmed page,
 * its busy share (CPU / wall), faults per second, and each size's us/page
 * over the smallest size's in the same round (the figure of merit: about
 * 1 when the trimmer's cost does not grow with the region).  Sizes and
 * policies are interleaved in each round; a run's record is its median
 * round, its ratio the median of the per-round ratios.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "json.h"

static const uint64_t ts_sizes[TS_NSIZES] = { 64ULL << 20, 256ULL << 20, 1ULL << 30,
	4ULL << 30, 16ULL << 30 };
/* Random would scan every PTE per batch as FIFO does, and trims about twice
 * the pages (it takes working-set pages too, which fault back): it would
 * cost as much time as the other two together, so it is left out. */
static const int ts_policy[TS_NPOL] = { VM_TRIM_FIFO, VM_TRIM_AGING };
static const char *const ts_policy_name[TS_NPOL] = { "fifo", "aging" };

/* Everything the measured part is the difference of. */
struct ts_snap {
	double t, cpu;
	uint64_t acc;
	struct vm_stats st;
};

static void ts_snap_take(struct ts_snap *s, struct vm *vm, const struct wl_shared *sh,
    pthread_t trimmer)
{
	s->t = bench_now_s();
	s->cpu = bench_thread_cpu_s(trimmer);
	s->acc = wl_progress(sh);
	vm_get_stats(vm, &s->st);
}

static void ts_fill(struct bench_ts_run *r, const struct ts_snap *a, const struct ts_snap *b)
{
	double el = b->t - a->t;
#define D(f) ((double)(b->st.f - a->st.f))
	double fk[4] = { D(vs_faults_dz), D(vs_faults_soft_standby), D(vs_faults_soft_modified),
	    D(vs_faults_hard) };

	r->tr_seconds = el;
	r->tr_accesses = (double)(b->acc - a->acc);
	r->tr_trimmed = D(vs_trimmed);
	r->tr_trim_calls = D(vs_trim_calls);
#undef D
	r->tr_faults = fk[0] + fk[1] + fk[2] + fk[3];
	for (int k = 0; k < 4; k++)
		r->tr_fault_mix[k] = r->tr_faults > 0 ? fk[k] / r->tr_faults : 0;
	r->tr_cpu_s = b->cpu - a->cpu;
	r->tr_us_per_page = r->tr_trimmed > 0 ? 1e6 * r->tr_cpu_s / r->tr_trimmed : NAN;
	r->tr_busy = el > 0 ? r->tr_cpu_s / el : 0;
	r->tr_faults_s = el > 0 ? r->tr_faults / el : 0;
}

/* The instance of one run: virt bytes of region, policy pol, its page file
 * at pgf (gone from the directory when this returns).  NULL, with err,
 * if it cannot be made. */
static struct vm *ts_vm(const struct bench_trimscale *ts, uint64_t virt, int pol,
    const char *pgf, char *err, size_t errlen)
{
	struct vm_tunables tun = VM_TUNABLES_DEFAULT;
	struct vm_config c = vm_config_pages(ts->ts_frames, virt / VM_PAGE_SIZE,
	    virt / VM_PAGE_SIZE, &tun);
	struct vm *vm = NULL;

	tun.vt_max_faulters = 1;
	c.vc_machine.mc_pagefile_path = pgf;
	c.vc_space.as_trim_policy = (enum vm_trim_policy)pol;
	unlink(pgf);			/* a leftover of a run that was killed */
	if (vm_create(&c, &vm, err, errlen) != 0)
		return NULL;
	unlink(pgf);			/* the open descriptor keeps its space */
	return vm;
}

/* One run of policy index p at size index z into r; 0, or -1 with err. */
static int ts_run_once(const struct bench_trimscale *ts, int p, int z, const char *pgf,
    struct bench_ts_run *r, char *err, size_t errlen)
{
	struct wl_config wc = { .wc_kind = WL_PHASES, .wc_threads = 1, .wc_write_ratio = 0.5,
	    .wc_seed = 1, .wc_accesses = ts->ts_accesses, .wc_phase_len = ts->ts_phase_len,
	    .wc_phase_pages = ts->ts_ws_pages };
	struct ts_snap s0, s1;
	struct wl_shared sh;
	struct wl_counts cnt;
	pthread_t sys[4], tid;
	struct vm *vm;
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->tr_virtual = ts_sizes[z];
	r->tr_policy = ts_policy[p];
	if ((vm = ts_vm(ts, ts_sizes[z], ts_policy[p], pgf, err, errlen)) == NULL)
		return -1;
	if (wl_init(&sh, vm, &wc) != 0) {
		snprintf(err, errlen, "out of memory for the workload's state");
		goto out_destroy;
	}
	vm_system_threads(vm, sys);	/* sys[0]: the trimmer */
	if (pthread_create(&tid, NULL, wl_thread_main, &sh.ws_threads[0]) != 0) {
		snprintf(err, errlen, "cannot start the user thread");
		goto out_destroy;
	}
	/* The first phase fills the frames and trims nothing: not measured. */
	while (wl_progress(&sh) < ts->ts_phase_len)
		usleep(1000);
	ts_snap_take(&s0, vm, &sh, sys[0]);
	pthread_join(tid, NULL);
	ts_snap_take(&s1, vm, &sh, sys[0]);
	ts_fill(r, &s0, &s1);
	wl_sum(&sh, &cnt);
	r->tr_errors = (long)wl_failures(&cnt);
	vm_pause(vm);
	r->tr_errors += vm_validate(vm, stderr, 0) != 0;
	vm_resume(vm);
	r->tr_ok = 1;
	rc = 0;
out_destroy:
	wl_destroy(&sh);	/* also after a wl_init that failed part way */
	vm_destroy(vm);
	return rc;
}

static int ts_cmp_us(const void *x, const void *y)
{
	const struct bench_ts_run *a = x, *b = y;

	return a->tr_us_per_page < b->tr_us_per_page ? -1 : a->tr_us_per_page > b->tr_us_per_page;
}

/* Policy p's records from its rounds tmp[z * rounds + k]: each size's
 * median round, and the median of its per-round ratios to size 0's.  A
 * size with a round that could not be made (or whose size 0 could not)
 * has no record. */
static void ts_reduce(struct bench_trimscale *ts, int p, struct bench_ts_run *tmp)
{
	int n = ts->ts_rounds;
	double base[BENCH_MAX_ROUNDS];

	for (int k = 0; k < n; k++)	/* before any sort reorders the rounds */
		base[k] = tmp[k].tr_ok ? tmp[k].tr_us_per_page : NAN;
	for (int z = 0; z < TS_NSIZES; z++) {
		struct bench_ts_run *rr = &tmp[z * n], *out = &ts->ts_runs[p][z];
		double v[BENCH_MAX_ROUNDS], us[BENCH_MAX_ROUNDS];
		long errs = 0;
		int m = 0;

		for (int k = 0; k < n; k++) {
			errs += rr[k].tr_errors;
			if (rr[k].tr_ok && !isnan(base[k])) {
				us[m] = rr[k].tr_us_per_page;
				v[m++] = rr[k].tr_us_per_page / base[k];
			}
		}
		memset(out, 0, sizeof *out);
		out->tr_virtual = ts_sizes[z];
		out->tr_policy = ts_policy[p];
		out->tr_errors = errs;
		if (m < n)
			continue;
		qsort(rr, (size_t)n, sizeof *rr, ts_cmp_us);
		*out = rr[n / 2];
		memcpy(out->tr_r_us, us, sizeof(double) * (size_t)n);
		out->tr_nrounds = n;
		out->tr_errors = errs;
		out->tr_ratio = bench_median(v, n);	/* sorts v */
		out->tr_ratio_lo = v[0];
		out->tr_ratio_hi = v[n - 1];
	}
}

void bench_trimscale(struct bench_all *a, const char *dir)
{
	struct bench_trimscale *ts = &a->trimscale;
	struct bench_ts_run *tmp;
	char pgf[1100], sz[32], err[256];

	memset(ts, 0, sizeof *ts);
	ts->ts_rounds = a->rounds;
	ts->ts_frames = 4096;				/* 16M */
	ts->ts_ws_pages = 3072;				/* 12M */
	ts->ts_phase_len = 40000;
	ts->ts_accesses = a->quick ? 400000 : 1000000;	/* 10 or 25 phases */
	snprintf(pgf, sizeof pgf, "%s/trimscale.pagefile", dir);
	tmp = calloc((size_t)(TS_NPOL * TS_NSIZES * ts->ts_rounds), sizeof *tmp);
	if (tmp == NULL || ts->ts_rounds > BENCH_MAX_ROUNDS)
		abort();
	for (int k = 0; k < ts->ts_rounds; k++)
		for (int p = 0; p < TS_NPOL; p++)
			for (int z = 0; z < TS_NSIZES; z++) {
				struct bench_ts_run *r = &tmp[(p * TS_NSIZES + z) * ts->ts_rounds + k];
				vm_size_str(sz, sizeof sz, ts_sizes[z]);
				if (ts_run_once(ts, p, z, pgf, r, err, sizeof err) != 0) {
					fprintf(stderr, "  trimscale %-6s %4s: not run: %s\n",
					    ts_policy_name[p], sz, err);
					if (ts->ts_err[0] == 0)
						snprintf(ts->ts_err, sizeof ts->ts_err, "%s %s: %s",
						    ts_policy_name[p], sz, err);
					continue;
				}
				fprintf(stderr, "  trimscale %-6s %4s: %6.2f us/page, busy %3.0f%%, "
				    "%7.0f faults/s%s\n", ts_policy_name[p], sz, r->tr_us_per_page,
				    100 * r->tr_busy, r->tr_faults_s,
				    r->tr_errors ? "  VERIFY FAILED" : "");
			}
	for (int p = 0; p < TS_NPOL; p++)
		ts_reduce(ts, p, &tmp[p * TS_NSIZES * ts->ts_rounds]);
	ts->ts_ran = 1;
	free(tmp);
}

/* ---- the table, the JSON, the plot ---- */

void bench_trimscale_print(FILE *f, const struct bench_all *a)
{
	const struct bench_trimscale *ts = &a->trimscale;
	char sz[32];

	if (!ts->ts_ran)
		return;
	fprintf(f, "\n== 7. Trim cost against virtual size (issue 10): %lluM physical, a %lluM working set "
	    "that moves\n     (phases: a new place every %llu accesses), 1 user thread, %llu accesses "
	    "a run, page file on\n     disk = virtual; measured after the first phase; median of %d "
	    "round(s), sizes interleaved;\n     x64M = median of per-round ratios of trimCPU/pg to "
	    "64M's [min-max]; ~1.00 = flat\n",
	    (unsigned long long)(ts->ts_frames >> 8), (unsigned long long)(ts->ts_ws_pages >> 8),
	    (unsigned long long)ts->ts_phase_len, (unsigned long long)ts->ts_accesses, ts->ts_rounds);
	fprintf(f, "  %-7s %7s %9s %7s %11s %6s %10s %5s %6s %12s %6s\n", "policy", "virtual",
	    "trimmed", "xframes", "trimCPU/pg", "busy", "faults/s", "dz%", "x64M", "[min-max]",
	    "verify");
	for (int p = 0; p < TS_NPOL; p++)
		for (int z = 0; z < TS_NSIZES; z++) {
			const struct bench_ts_run *r = &ts->ts_runs[p][z];
			vm_size_str(sz, sizeof sz, r->tr_virtual);
			if (!r->tr_ok) {
				fprintf(f, "  %-7s %7s   not run\n", ts_policy_name[p], sz);
				continue;
			}
			fprintf(f, "  %-7s %7s %9.0f %7.1f %8.2f us %5.1f%% %10.0f %5.1f %6.2f  [%4.2f-%4.2f] "
			    "%6s\n", ts_policy_name[p], sz, r->tr_trimmed,
			    r->tr_trimmed / (double)ts->ts_frames, r->tr_us_per_page, 100 * r->tr_busy,
			    r->tr_faults_s, 100 * r->tr_fault_mix[0], r->tr_ratio, r->tr_ratio_lo,
			    r->tr_ratio_hi, r->tr_errors ? "FAILED" : "ok");
		}
	fprintf(f, "  (trimCPU/pg = the trimmer thread's CPU clock per trimmed page; busy = that CPU / "
	    "wall time;\n   xframes = pages trimmed / frames; dz%% = demand-zero share of the faults)\n");
	if (ts->ts_err[0])
		fprintf(f, "  not run: %s\n", ts->ts_err);
}

static void jnum(struct json *j, const char *key, double v)
{
	json_double(j, key, "%.6g", v);
}

static void ts_json_run(struct json *j, const struct bench_ts_run *r, const char *policy)
{
	json_object(j, NULL);
	json_string(j, "policy", policy);
	json_u64(j, "virtual", r->tr_virtual);
	json_bool(j, "ran", r->tr_ok);
	if (r->tr_ok) {
		jnum(j, "seconds", r->tr_seconds);
		jnum(j, "accesses", r->tr_accesses);
		jnum(j, "trimmed", r->tr_trimmed);
		jnum(j, "trim_calls", r->tr_trim_calls);
		jnum(j, "faults", r->tr_faults);
		json_object(j, "fault_mix");
		jnum(j, "demand_zero", r->tr_fault_mix[0]);
		jnum(j, "soft_standby", r->tr_fault_mix[1]);
		jnum(j, "soft_modified", r->tr_fault_mix[2]);
		jnum(j, "hard", r->tr_fault_mix[3]);
		json_end(j);
		jnum(j, "trimmer_cpu_s", r->tr_cpu_s);
		jnum(j, "trimmer_us_per_page", r->tr_us_per_page);
		jnum(j, "trimmer_busy_frac", r->tr_busy);
		jnum(j, "faults_per_s", r->tr_faults_s);
		jnum(j, "ratio_to_smallest", r->tr_ratio);
		jnum(j, "ratio_min", r->tr_ratio_lo);
		jnum(j, "ratio_max", r->tr_ratio_hi);
		json_array(j, "rounds_us_per_page");
		for (int k = 0; k < r->tr_nrounds; k++)
			jnum(j, NULL, r->tr_r_us[k]);
		json_end(j);
		json_i64(j, "verify_errors", r->tr_errors);
	}
	json_end(j);
}

void bench_trimscale_json(struct json *j, const struct bench_all *a)
{
	const struct bench_trimscale *ts = &a->trimscale;

	if (!ts->ts_ran) {
		json_null(j, "trimscale");
		return;
	}
	json_object(j, "trimscale");
	json_u64(j, "physical", ts->ts_frames * VM_PAGE_SIZE);
	json_u64(j, "working_set", ts->ts_ws_pages * VM_PAGE_SIZE);
	json_u64(j, "accesses", ts->ts_accesses);
	json_u64(j, "phase_len", ts->ts_phase_len);
	json_i64(j, "threads", 1);
	json_i64(j, "rounds", ts->ts_rounds);
	json_array(j, "runs");
	for (int p = 0; p < TS_NPOL; p++)
		for (int z = 0; z < TS_NSIZES; z++) {
			json_newline(j);
			ts_json_run(j, &ts->ts_runs[p][z], ts_policy_name[p]);
		}
	json_end(j);
	json_end(j);
}

/* trimscale.dat and, if gnuplot is there, trimscale.png (bench/trimscale.gp). */
int bench_trimscale_plot(const struct bench_all *a, const char *outdir)
{
	const struct bench_trimscale *ts = &a->trimscale;
	const char *script = getenv("VMSIM_TRIMSCALE_GP") ? getenv("VMSIM_TRIMSCALE_GP") :
	    "bench/trimscale.gp";
	char path[1200], cmd[4096], names[64] = "";
	FILE *f;

	if (!ts->ts_ran)
		return 0;
	snprintf(path, sizeof path, "%s/trimscale.dat", outdir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "# virtual_mib policy_index us_per_page ratio ratio_min ratio_max busy\n");
	for (int p = 0; p < TS_NPOL; p++) {
		for (int z = 0; z < TS_NSIZES; z++) {
			const struct bench_ts_run *r = &ts->ts_runs[p][z];
			if (r->tr_ok)
				fprintf(f, "%llu %d %.3f %.3f %.3f %.3f %.3f\n",
				    (unsigned long long)(r->tr_virtual >> 20), p, r->tr_us_per_page,
				    r->tr_ratio, r->tr_ratio_lo, r->tr_ratio_hi, r->tr_busy);
		}
		if (p + 1 < TS_NPOL)
			fprintf(f, "\n\n");	/* one gnuplot data block per policy */
	}
	fclose(f);
	if (system("command -v gnuplot >/dev/null 2>&1") != 0)
		return 0;			/* bench_plot has said so */
	for (int p = 0; p < TS_NPOL; p++)
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", p ? " " : "",
		    ts_policy_name[p]);
	snprintf(cmd, sizeof cmd, "gnuplot -e \"datadir='%s'; out='%s/trimscale.png'; "
	    "policies='%s'\" %s 2>&1", outdir, outdir, names, script);
	if (system(cmd) != 0) {
		printf("plot: gnuplot failed (%s); data in %s\n", script, outdir);
		return -1;
	}
	printf("plot: %s/trimscale.png\n", outdir);
	return 0;
}
