/*
 * runs.c - workload runs: the workload module (sim/workload.c, every
 * access verified) with the system threads on, a warm-up, then a measured
 * window whose figures are the difference of two snapshots; and the plan
 * that runs a list of specs round by round, interleaved.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

struct wl_bt {
	struct wl_thread *bt_t;
	struct vm_thread_stats bt_ts;
};

static void *wl_bench_main(void *arg)
{
	struct wl_bt *b = arg;

	vm_thread_stats_attach(&b->bt_ts);
	wl_thread_main(b->bt_t);
	vm_thread_stats_attach(NULL);
	return NULL;
}

/* Everything a window is the difference of. */
struct snap {
	double t;
	uint64_t acc, tlb;
	struct vm_stats st;
	struct vm_thread_stats ts[WL_MAX_THREADS];
	double cpu_sys[3], cpu_user;	/* thread CPU time: trimmer, writer, zero; users */
};

static void snap_take(struct snap *s, struct vm *vm, struct wl_shared *sh, struct wl_bt *bt,
    const pthread_t *tid, int nt)
{
	pthread_t sys[4];

	vm_system_threads(vm, sys);
	s->t = bench_now_s();
	s->cpu_sys[0] = bench_thread_cpu_s(sys[0]);
	s->cpu_sys[1] = bench_thread_cpu_s(sys[1]);
	s->cpu_sys[2] = bench_thread_cpu_s(sys[2]);
	s->cpu_user = 0;
	for (int i = 0; i < nt; i++)
		s->cpu_user += bench_thread_cpu_s(tid[i]);
	s->tlb = bench_tlb_count();
	s->acc = wl_progress(sh);
	vm_get_stats(vm, &s->st);
	for (int i = 0; i < nt; i++) {
		const uint64_t *src = (const uint64_t *)&bt[i].bt_ts;
		uint64_t *dst = (uint64_t *)&s->ts[i];
		for (size_t k = 0; k < sizeof(struct vm_thread_stats) / 8; k++)
			dst[k] = __atomic_load_n(&src[k], __ATOMIC_RELAXED);
	}
}

static void run_fill(struct bench_run *r, const struct snap *a, const struct snap *b, int nt)
{
	double el = b->t - a->t, faults[4], fsum = 0;
#define D(f) ((double)(b->st.f - a->st.f))
	faults[0] = D(vs_faults_dz);
	faults[1] = D(vs_faults_soft_standby);
	faults[2] = D(vs_faults_soft_modified);
	faults[3] = D(vs_faults_hard);
	for (int k = 0; k < 4; k++)
		fsum += faults[k];
	for (int k = 0; k < 4; k++)
		r->br_fault_mix[k] = fsum > 0 ? faults[k] / fsum : 0;
	r->br_seconds = el;
	r->br_acc_s = (double)(b->acc - a->acc) / el;
	r->br_faults_s = fsum / el;
	r->br_n_acc = (double)(b->acc - a->acc);
	r->br_n_faults = fsum;
	r->br_n_hard = faults[3];
	r->br_n_collided = D(vs_faults_collided);
	r->br_n_zeroed_inline = D(vs_zeroed_inline);
	r->br_trimmed = D(vs_trimmed);
	r->br_trim_calls = D(vs_trim_calls);
	r->br_trim_batches = D(vs_trim_batches);
	r->br_written = D(vs_written);
	r->br_write_batches = D(vs_write_batches);
	r->br_trimmer_busy = D(vs_trimmer_busy_ns) * 1e-9 / el;
	r->br_writer_busy = D(vs_writer_busy_ns) * 1e-9 / el;
	r->br_zero_busy = D(vs_zero_busy_ns) * 1e-9 / el;
	r->br_trimmer_ns_per_page = r->br_trimmed > 0 ? D(vs_trimmer_busy_ns) / r->br_trimmed : 0;
	r->br_writer_ns_per_page = r->br_written > 0 ? D(vs_writer_busy_ns) / r->br_written : 0;
#undef D
	r->br_tlb = (double)(b->tlb - a->tlb);
	for (int k = 0; k < 3; k++)
		r->br_cpu_sys[k] = (b->cpu_sys[k] - a->cpu_sys[k]) / el;
	r->br_cpu_user = (b->cpu_user - a->cpu_user) / el;
	r->br_scan_words = (double)(b->st.vs_pgf_scan_words - a->st.vs_pgf_scan_words);
	r->br_row_claims = (double)(b->st.vs_pgf_row_claims - a->st.vs_pgf_row_claims);
	r->br_bit_claims = (double)(b->st.vs_pgf_bit_claims - a->st.vs_pgf_bit_claims);
	{
		double f = 0, wa = 0, wo = 0, lk[4] = { 0 }, nf = 0;
		for (int i = 0; i < nt; i++) {
			const struct vm_thread_stats *x = &a->ts[i], *y = &b->ts[i];
			f += (double)(y->ts_fault_ns - x->ts_fault_ns);
			nf += (double)(y->ts_faults - x->ts_faults);
			wa += (double)(y->ts_wait_avail_ns - x->ts_wait_avail_ns);
			wo += (double)(y->ts_wait_other_ns - x->ts_wait_other_ns);
			for (int c = 0; c < 4; c++)
				lk[c] += (double)(y->ts_lock_wait_ns[c] - x->ts_lock_wait_ns[c]);
		}
		double tt = el * 1e9 * nt;
		r->br_fault_frac = f / tt;
		r->br_wait_avail_frac = wa / tt;
		r->br_wait_other_frac = wo / tt;
		for (int c = 0; c < 4; c++)
			r->br_lock_frac[c] = lk[c] / tt;
		r->br_handler_ns = nf > 0 ? f / nf : 0;
		r->br_handler_busy = (f - wa - wo) * 1e-9 / el;
		r->br_user_sleep = (wa + wo) * 1e-9 / el;
	}
}

/* Touch (read) every page once, so the run starts with the region in use. */
static void run_prefill(struct vm *vm)
{
	char *base = vm_base(vm);
	uint64_t n = vm_npages(vm), sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += *(volatile uint64_t *)(base + (i << VM_PAGE_SHIFT));
	(void)sum;
}

/* One run of spec s into r (system threads on, warm-up, measured window). */
void run_once(const struct bench_all *a, const struct run_spec *s, struct bench_run *r)
{
	struct vm_config c = VM_CONFIG_DEFAULT;
	struct vm_tunables tun = VM_TUNABLES_DEFAULT;
	struct wl_config wc = { .wc_kind = s->rs_kind, .wc_threads = s->rs_threads,
	    .wc_write_ratio = 0.5, .wc_seed = 1, .wc_max_run = s->rs_max_run };
	struct wl_shared sh;
	struct wl_bt bt[8];
	pthread_t tid[8];
	struct snap *s0 = calloc(2, sizeof *s0), *s1 = s0 + 1;
	struct wl_counts cnt;
	struct vm_timeline_config tc = { .tc_max_events = TL_BENCH_EVENTS, .tc_lock_wait_ns = 10000 };
	struct vm_timeline_info ti;
	double t0 = bench_now_s();
	struct vm *vm;

	if (s->rs_timeline && vm_timeline_enable(&tc) != 0) {
		fprintf(stderr, "vmsim-bench: the timeline recorder cannot start\n");
		exit(2);
	}
	vm_lock_impl_set(s->rs_lock);
	tun.vt_shared_unlink = s->rs_shared;
	tun.vt_trim_hints = s->rs_hints;
	tun.vt_trim_pieces = !s->rs_span;
	tun.vt_max_faulters = s->rs_threads;
	tun.vt_pgf_rows = s->rs_rows;
	tun.vt_pgf_stash = s->rs_stash;
	if (s->rs_goal_div)
		tun.vt_trim_goal_div = s->rs_goal_div;
	c.vc_machine.mc_tunables = &tun;
	c.vc_machine.mc_trim_batch = s->rs_trim_batch;
	c.vc_machine.mc_write_batch = s->rs_write_batch;
	vm = bench_vm(s->rs_frames, s->rs_pages, s->rs_pages, 1, &c);
	run_prefill(vm);
	if (wl_init(&sh, vm, &wc) != 0) {
		fprintf(stderr, "vmsim-bench: out of memory\n");
		exit(2);
	}
	memset(r, 0, sizeof *r);
	snprintf(r->br_name, sizeof r->br_name, "%s", s->rs_name);
	snprintf(r->br_variant, sizeof r->br_variant, "%s", s->rs_variant);
	r->br_threads = s->rs_threads;
	for (int i = 0; i < s->rs_threads; i++) {
		memset(&bt[i], 0, sizeof bt[i]);
		bt[i].bt_t = &sh.ws_threads[i];
		pthread_create(&tid[i], NULL, wl_bench_main, &bt[i]);
	}
	usleep((useconds_t)(a->warm_s * 1e6));
	snap_take(s0, vm, &sh, bt, tid, s->rs_threads);
	usleep((useconds_t)(a->window_s * 1e6));
	snap_take(s1, vm, &sh, bt, tid, s->rs_threads);
	atomic_store(&sh.ws_stop, 1);
	for (int i = 0; i < s->rs_threads; i++)
		pthread_join(tid[i], NULL);
	run_fill(r, s0, s1, s->rs_threads);
	wl_sum(&sh, &cnt);
	r->br_errors = (long)(cnt.wt_wrong_page + cnt.wt_zeroed + cnt.wt_lost_write);
	vm_pause(vm);
	r->br_errors += vm_validate(vm, stderr, 0) != 0;
	vm_resume(vm);
	wl_destroy(&sh);
	vm_destroy(vm);
	if (s->rs_timeline) {		/* the system threads are joined: read it, free it */
		vm_timeline_stop();
		vm_timeline_get_info(&ti);
		r->br_tl_events_s = (double)ti.ti_events / (bench_now_s() - t0);
		r->br_tl_dropped = (double)ti.ti_dropped;
		vm_timeline_free();
	}
	free(s0);
	vm_lock_impl_set(LK_IMPL_FUTEX);
	fprintf(stderr, "  %-10s %-14s %dT  %9.0f acc/s %8.0f faults/s%s\n", r->br_name,
	    r->br_variant, r->br_threads, r->br_acc_s, r->br_faults_s,
	    r->br_errors ? "  VERIFY FAILED" : "");
}

static int run_cmp_faults(const void *x, const void *y)
{
	const struct bench_run *a = *(const struct bench_run *const *)x;
	const struct bench_run *b = *(const struct bench_run *const *)y;

	return a->br_faults_s < b->br_faults_s ? -1 : a->br_faults_s > b->br_faults_s;
}

/*
 * Run every spec once per round, the specs interleaved within a round so
 * that a ratio between two specs (2T/1T, variant/baseline) can be taken
 * inside each round, where the machine's other load was about the same.
 * Each spec's record is its bench_median round (by faults/s), plus every round's
 * accesses/s and faults/s for the ratios.
 */
void bench_plan(struct bench_all *a, const struct run_spec *specs, int n, int rounds)
{
	struct bench_run *tmp = calloc((size_t)(n * rounds), sizeof *tmp);
	const struct bench_run *order[BENCH_MAX_ROUNDS];

	if (a->nruns + n > BENCH_MAX_RUNS || rounds > BENCH_MAX_ROUNDS)
		abort();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			run_once(a, &specs[i], &tmp[i * rounds + r]);
	for (int i = 0; i < n; i++) {
		struct bench_run *out = &a->runs[a->nruns++];
		long errs = 0;
		for (int r = 0; r < rounds; r++) {
			order[r] = &tmp[i * rounds + r];
			errs += order[r]->br_errors;
		}
		qsort(order, (size_t)rounds, sizeof order[0], run_cmp_faults);
		*out = *order[rounds / 2];
		out->br_errors = errs;
		out->br_nrounds = rounds;
		for (int r = 0; r < rounds; r++) {
			out->br_r_acc[r] = tmp[i * rounds + r].br_acc_s;
			out->br_r_faults[r] = tmp[i * rounds + r].br_faults_s;
		}
	}
	free(tmp);
}

double bench_ratio(const struct bench_run *x, const struct bench_run *y, int acc,
    double *lo, double *hi)
{
	double v[BENCH_MAX_ROUNDS];
	int n = x->br_nrounds < y->br_nrounds ? x->br_nrounds : y->br_nrounds;

	for (int r = 0; r < n; r++) {
		const double *a = acc ? x->br_r_acc : x->br_r_faults;
		const double *b = acc ? y->br_r_acc : y->br_r_faults;
		v[r] = b[r] > 0 ? a[r] / b[r] : 0;
	}
	if (n == 0)
		return 0;
	qsort(v, (size_t)n, sizeof v[0], bench_dbl_cmp);
	if (lo)
		*lo = v[0];
	if (hi)
		*hi = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const struct bench_run *bench_find(const struct bench_all *a, const char *name,
    const char *variant, int threads)
{
	for (int i = 0; i < a->nruns; i++) {
		const struct bench_run *r = &a->runs[i];
		if (!strcmp(r->br_name, name) && !strcmp(r->br_variant, variant) &&
		    r->br_threads == threads)
			return r;
	}
	return NULL;
}
