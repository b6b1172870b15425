/*
 * bench.c - vmsim-bench: what a fault costs against the floor, how it
 * scales, what a trim costs, where the time goes, and each of the seeds'
 * optimizations on and off.  One process, one machine, floor first.
 *
 *	vmsim-bench [--quick] [--json FILE] [--plot FILE.png] [--out DIR]
 *
 * Scenarios (docs/PERFORMANCE.md explains each):
 *  kinds     one thread, system threads off, 4096 pages (1024 quick) taken
 *            through demand-zero -> soft (modified) -> soft (standby) ->
 *            hard, set up with the working-set controls exactly as
 *            tests/inject/errors.c test_working_set does; ns/fault = (touch
 *            loop time - the same loop with no fault) / faults.
 *  parsoft   1 and 2 threads soft-faulting pages from the middle of the
 *            standby list, shared list locks on and off.
 *  runs      the workload module (sim/workload.c, every access verified)
 *            with the system threads on: warm up, then a measured window.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "vm_sim.h"
#include "workload.h"

struct bench_opts {
	int bo_quick;
	const char *bo_json, *bo_plot, *bo_out;
	const char *bo_only;		/* comma-separated sections, NULL: all */
};

static const struct bench_opts *bench_o;

/* Is section name selected by --only? */
static bool want(const char *name)
{
	const char *p = bench_o->bo_only;
	size_t n = strlen(name);

	if (p == NULL)
		return true;
	for (; (p = strstr(p, name)) != NULL; p += n)
		if ((p == bench_o->bo_only || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}

static double bench_window, bench_warm;

static double now_s(void)
{
	return (double)vm_now_ns() * 1e-9;
}

/* The "TLB shootdowns" line of /proc/interrupts, summed over CPUs. */
static uint64_t tlb_count(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096];
	uint64_t n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f)) {
		char *p = line, *end;
		while (*p == ' ')
			p++;
		if (strncmp(p, "TLB:", 4) != 0)
			continue;
		for (p += 4;; p = end) {
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				break;
			n += v;
		}
	}
	fclose(f);
	return n;
}

static int pin_here(cpu_set_t *saved)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof *saved, saved))
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return !sched_setaffinity(0, sizeof one, &one);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct vm *bench_vm(uint64_t frames, uint64_t pages, uint64_t slots, int threads,
    const struct vm_config *base)
{
	struct vm_config c = base ? *base : VM_CONFIG_DEFAULT;
	struct vm_tunables t = c.vc_machine.mc_tunables ? *c.vc_machine.mc_tunables :
	    VM_TUNABLES_DEFAULT;
	struct vm *vm;
	char err[256];

	c.vc_machine.mc_physical = frames * VM_PAGE_SIZE;
	c.vc_space.as_virtual = pages * VM_PAGE_SIZE;
	c.vc_machine.mc_pagefile = slots * VM_PAGE_SIZE;
	c.vc_space.as_trim_policy = VM_TRIM_AGING;
	t.vt_start_threads = threads;
	c.vc_machine.mc_tunables = &t;
	if (vm_create(&c, &vm, err, sizeof err) != 0) {
		fprintf(stderr, "vmsim-bench: %s\n", err);
		exit(2);
	}
	return vm;
}

/* ---------------- per fault kind ---------------- */

#define MARK_OFF 64

static void touch_write(char *base, uint64_t lo, uint64_t hi, uint64_t mark)
{
	for (uint64_t i = lo; i < hi; i++)
		*(volatile uint64_t *)(base + (i << VM_PAGE_SHIFT) + MARK_OFF) = mark + i;
}

static uint64_t touch_read(char *base, const uint64_t *order, uint64_t n)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += *(volatile uint64_t *)(base + (order[i] << VM_PAGE_SHIFT) + MARK_OFF);
	return sum;
}

struct phase {
	double ns;		/* loop time */
	uint64_t faults, fault_ns;	/* from vm_thread_stats */
};

static void phase_begin(struct vm_thread_stats *ts, struct phase *p)
{
	memset(ts, 0, sizeof *ts);
	p->ns = (double)vm_now_ns();
}

static void phase_end(struct vm_thread_stats *ts, struct phase *p)
{
	p->ns = (double)vm_now_ns() - p->ns;
	p->faults = ts->ts_faults;
	p->fault_ns = ts->ts_fault_ns;
}

/* The instance's count of faults of kind k so far. */
static uint64_t kind_count(struct vm *vm, int k)
{
	struct vm_stats st;

	vm_get_stats(vm, &st);
	return k == BK_DZ ? st.vs_faults_dz : k == BK_SOFT_MOD ? st.vs_faults_soft_modified :
	    k == BK_SOFT_SB ? st.vs_faults_soft_standby : st.vs_faults_hard;
}

/* One round: a fresh vm, the four kinds in turn.  Fills ns[] per kind. */
static long kinds_round(uint64_t n, const uint64_t *seq, double *touch, double *handler,
    double *loop_w, double *loop_r)
{
	struct vm *vm = bench_vm(n + 64, n, n, 0, NULL);
	char *base = vm_base(vm);
	struct vm_thread_stats ts;
	struct phase p[BK_N], lw, lr;
	uint64_t want = 0, mark = 0x6b696e6400000000ULL;
	uint64_t before[BK_N];
	long err = 0;

	for (uint64_t i = 0; i < n; i++)
		want += mark + i;
	vm_thread_stats_attach(&ts);
	before[BK_DZ] = kind_count(vm, BK_DZ);
	phase_begin(&ts, &p[BK_DZ]);
	touch_write(base, 0, n, mark);
	phase_end(&ts, &p[BK_DZ]);
	phase_begin(&ts, &lw);
	touch_write(base, 0, n, mark);
	phase_end(&ts, &lw);
	phase_begin(&ts, &lr);
	err += touch_read(base, seq, n) != want;
	phase_end(&ts, &lr);
	err += lw.faults + lr.faults != 0;

	err += vm_empty_working_set(vm) != n;
	before[BK_SOFT_MOD] = kind_count(vm, BK_SOFT_MOD);
	phase_begin(&ts, &p[BK_SOFT_MOD]);
	err += touch_read(base, seq, n) != want;
	phase_end(&ts, &p[BK_SOFT_MOD]);

	err += vm_empty_working_set(vm) != n;
	err += vm_flush_modified(vm) != n;
	before[BK_SOFT_SB] = kind_count(vm, BK_SOFT_SB);
	phase_begin(&ts, &p[BK_SOFT_SB]);
	err += touch_read(base, seq, n) != want;
	phase_end(&ts, &p[BK_SOFT_SB]);

	err += vm_empty_working_set(vm) != n;
	err += vm_purge_standby(vm) != n;
	before[BK_HARD] = kind_count(vm, BK_HARD);
	phase_begin(&ts, &p[BK_HARD]);
	err += touch_read(base, seq, n) != want;
	phase_end(&ts, &p[BK_HARD]);
	vm_thread_stats_attach(NULL);

	*loop_w = lw.ns / (double)n;
	*loop_r = lr.ns / (double)n;
	for (int k = 0; k < BK_N; k++) {
		double loop = k == BK_DZ ? lw.ns : lr.ns;
		err += kind_count(vm, k) - before[k] != n || p[k].faults != n;
		touch[k] = (p[k].ns - loop) / (double)n;
		handler[k] = (double)p[k].fault_ns / (double)(p[k].faults ? p[k].faults : 1);
	}
	err += vm_validate(vm, stderr, 0) != 0;
	vm_destroy(vm);
	return err;
}

static void bench_kinds(int quick, struct bench_kinds *out)
{
	uint64_t n = quick ? 1024 : 4096;
	int rounds = quick ? 3 : 7;
	double touch[BK_N][16], handler[BK_N][16], lw[16], lr[16];
	uint64_t *seq = malloc(n * sizeof *seq);
	cpu_set_t saved;
	int pinned = pin_here(&saved);

	for (uint64_t i = 0; i < n; i++)
		seq[i] = i;
	memset(out, 0, sizeof *out);
	out->bk_pages = (int)n;
	out->bk_rounds = rounds;
	{	/* warm-up round, discarded */
		double t[BK_N], h[BK_N], a, b;
		kinds_round(n, seq, t, h, &a, &b);
	}
	for (int r = 0; r < rounds; r++) {
		double t[BK_N], h[BK_N];
		out->bk_errors += kinds_round(n, seq, t, h, &lw[r], &lr[r]);
		for (int k = 0; k < BK_N; k++) {
			touch[k][r] = t[k];
			handler[k][r] = h[k];
		}
	}
	for (int k = 0; k < BK_N; k++) {
		out->bk_touch_ns[k] = median(touch[k], rounds);
		out->bk_handler_ns[k] = median(handler[k], rounds);
	}
	out->bk_loop_w_ns = median(lw, rounds);
	out->bk_loop_r_ns = median(lr, rounds);
	if (pinned)
		sched_setaffinity(0, sizeof saved, &saved);
	free(seq);
}

/* ---------------- parallel soft faults ---------------- */

struct ps_thread {
	struct vm *pt_vm;
	pthread_barrier_t *pt_bar;
	uint64_t *pt_order, pt_n, pt_sum;
	double pt_t0, pt_t1;
	struct vm_thread_stats pt_ts;
};

static void *ps_main(void *arg)
{
	struct ps_thread *t = arg;

	vm_thread_stats_attach(&t->pt_ts);
	pthread_barrier_wait(t->pt_bar);
	t->pt_t0 = now_s();
	t->pt_sum = touch_read(vm_base(t->pt_vm), t->pt_order, t->pt_n);
	t->pt_t1 = now_s();
	vm_thread_stats_attach(NULL);
	return NULL;
}

/* Shuffle, so that most unlinks are from the middle of the list. */
static void shuffle(uint64_t *v, uint64_t n, uint64_t *rng)
{
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = vm_rand(rng) % (i + 1), x = v[i];
		v[i] = v[j];
		v[j] = x;
	}
}

static double parsoft_round(uint64_t n, int nt, int shared, uint64_t seed, double loop_r,
    double *ns, double *list_wait, long *err)
{
	struct vm_tunables tun = VM_TUNABLES_DEFAULT;
	struct vm_config c = VM_CONFIG_DEFAULT;
	struct vm *vm;
	struct vm_stats st;
	struct ps_thread t[2];
	pthread_t tid[2];
	pthread_barrier_t bar;
	uint64_t *order = malloc(n * sizeof *order), rng = vm_seed_mix(seed, 7), per = n / (uint64_t)nt;
	double t0 = 1e30, t1 = 0, sumns = 0, lw = 0, faults = 0;

	tun.vt_shared_unlink = shared;
	c.vc_machine.mc_tunables = &tun;
	vm = bench_vm(n + 64, n, n, 0, &c);
	touch_write(vm_base(vm), 0, n, 0);
	*err += vm_empty_working_set(vm) != n;
	*err += vm_flush_modified(vm) != n;
	for (uint64_t i = 0; i < n; i++)
		order[i] = i;
	pthread_barrier_init(&bar, NULL, (unsigned)nt);
	for (int i = 0; i < nt; i++) {
		memset(&t[i], 0, sizeof t[i]);
		t[i].pt_vm = vm;
		t[i].pt_bar = &bar;
		t[i].pt_order = order + per * (uint64_t)i;
		t[i].pt_n = per;
		shuffle(t[i].pt_order, per, &rng);
		pthread_create(&tid[i], NULL, ps_main, &t[i]);
	}
	for (int i = 0; i < nt; i++) {
		pthread_join(tid[i], NULL);
		t0 = t[i].pt_t0 < t0 ? t[i].pt_t0 : t0;
		t1 = t[i].pt_t1 > t1 ? t[i].pt_t1 : t1;
		sumns += (t[i].pt_t1 - t[i].pt_t0) * 1e9 - loop_r * (double)per;
		lw += (double)t[i].pt_ts.ts_lock_wait_ns[VM_LOCK_LIST];
		faults += (double)t[i].pt_ts.ts_faults;
		*err += t[i].pt_ts.ts_faults != per;
	}
	vm_get_stats(vm, &st);
	*err += st.vs_faults_soft_standby != per * (uint64_t)nt;
	*err += vm_validate(vm, stderr, 0) != 0;
	pthread_barrier_destroy(&bar);
	vm_destroy(vm);
	free(order);
	*ns = sumns / faults;
	*list_wait = lw / faults;
	return faults / (t1 - t0);
}

static void bench_parsoft(struct bench_all *a, double loop_r)
{
	uint64_t n = a->quick ? 2048 : 8192;
	int rounds = a->quick ? 3 : 5;

	for (int shared = 1; shared >= 0; shared--) {
		for (int nt = 1; nt <= 2; nt++) {
			struct bench_parsoft *ps = &a->parsoft[a->nparsoft++];
			double ns[8], fs[8], lw[8];
			memset(ps, 0, sizeof *ps);
			for (int r = 0; r < rounds; r++)
				fs[r] = parsoft_round(n, nt, shared, (uint64_t)r, loop_r, &ns[r], &lw[r],
				    &ps->ps_errors);
			ps->ps_threads = nt;
			ps->ps_shared = shared;
			ps->ps_pages = (int)n;
			ps->ps_ns_per_fault = median(ns, rounds);
			ps->ps_faults_per_s = median(fs, rounds);
			ps->ps_list_wait_ns = median(lw, rounds);
		}
	}
}

/* ---------------- workload runs ---------------- */

struct run_spec {
	const char *rs_name, *rs_variant;
	int rs_threads;
	uint64_t rs_frames, rs_pages;
	enum wl_kind rs_kind;
	int rs_max_run;
	int rs_trim_batch, rs_write_batch;
	enum lk_impl rs_lock;
	int rs_shared, rs_rows, rs_stash;
	int rs_goal_div;		/* trim goal = frames / this (0: vmsim's n/8) */
	int rs_hints;			/* vt_trim_hints */
};

#define SPEC_DEFAULT(nm, nt) ((struct run_spec){ .rs_name = nm, .rs_variant = "", \
	.rs_threads = nt, .rs_frames = 4096, .rs_pages = 16384, .rs_kind = WL_RUNS, \
	.rs_max_run = 32, .rs_lock = LK_IMPL_FUTEX, .rs_shared = 1, .rs_rows = 1, .rs_stash = 1 })

static struct run_spec spec_heavy(int nt)
{
	struct run_spec s = SPEC_DEFAULT("heavy", nt);

	s.rs_frames = 1024;
	s.rs_kind = WL_UNIFORM;
	return s;
}

static struct run_spec spec_seq(int nt)
{
	struct run_spec s = SPEC_DEFAULT("sequential", nt);

	s.rs_frames = 1024;
	s.rs_max_run = 1024;
	return s;
}

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

static double thread_cpu_s(pthread_t t)
{
	clockid_t cid;
	struct timespec ts;

	if (pthread_getcpuclockid(t, &cid) != 0 || clock_gettime(cid, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void snap_take(struct snap *s, struct vm *vm, struct wl_shared *sh, struct wl_bt *bt,
    const pthread_t *tid, int nt)
{
	pthread_t sys[4];

	vm_system_threads(vm, sys);
	s->t = now_s();
	s->cpu_sys[0] = thread_cpu_s(sys[0]);
	s->cpu_sys[1] = thread_cpu_s(sys[1]);
	s->cpu_sys[2] = thread_cpu_s(sys[2]);
	s->cpu_user = 0;
	for (int i = 0; i < nt; i++)
		s->cpu_user += thread_cpu_s(tid[i]);
	s->tlb = tlb_count();
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
static void run_once(const struct run_spec *s, struct bench_run *r)
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
	struct vm *vm;

	vm_lock_impl_set(s->rs_lock);
	tun.vt_shared_unlink = s->rs_shared;
	tun.vt_trim_hints = s->rs_hints;
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
	usleep((useconds_t)(bench_warm * 1e6));
	snap_take(s0, vm, &sh, bt, tid, s->rs_threads);
	usleep((useconds_t)(bench_window * 1e6));
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
 * Each spec's record is its median round (by faults/s), plus every round's
 * accesses/s and faults/s for the ratios.
 */
static void bench_plan(struct bench_all *a, const struct run_spec *specs, int n, int rounds)
{
	struct bench_run *tmp = calloc((size_t)(n * rounds), sizeof *tmp);
	const struct bench_run *order[BENCH_MAX_ROUNDS];

	if (a->nruns + n > BENCH_MAX_RUNS || rounds > BENCH_MAX_ROUNDS)
		abort();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			run_once(&specs[i], &tmp[i * rounds + r]);
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
	qsort(v, (size_t)n, sizeof v[0], dbl_cmp);
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

static void bench_scaling(struct bench_all *a, int rounds)
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
static void bench_opts(struct bench_all *a, int rounds)
{
	static const char *tb[] = { "trim-batch=1", "trim-batch=4", "trim-batch=16", "trim-batch=64" };
	static const char *wb[] = { "write-batch=1", "write-batch=4", "write-batch=16" };
	static const int bs[] = { 1, 4, 16, 64 };
	struct run_spec sp[32], x;
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
	x.rs_variant = "base";
	sp[n++] = x;
	x.rs_hints = 1;
	x.rs_variant = "trim-hints=on";
	sp[n++] = x;
	bench_plan(a, sp, n, rounds);
}

/* ---------------- main ---------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsim-bench [--quick] [--json FILE] [--plot FILE.png] [--out DIR]\n"
	    "  --quick       smaller scenarios, shorter windows (under a minute)\n"
	    "  --out DIR     where bench.json, the plot and its data go [build/bench/out]\n"
	    "  --json FILE   the figures as JSON [DIR/bench.json]\n"
	    "  --plot FILE   the scaling curve and floor ratios as PNG [DIR/vmsim.png]\n"
	    "  --only LIST   run only these sections: floor,kinds,parsoft,runs,opts\n");
}

static void parse(int argc, char **argv, struct bench_opts *o)
{
	memset(o, 0, sizeof *o);
	o->bo_out = "build/bench/out";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--quick")) {
			o->bo_quick = 1;
		} else if (i + 1 < argc && !strcmp(a, "--json")) {
			o->bo_json = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--plot")) {
			o->bo_plot = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--out")) {
			o->bo_out = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--only")) {
			o->bo_only = argv[++i];
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else {
			usage(stderr);
			exit(2);
		}
	}
}

static void mkdirs(const char *path)
{
	char buf[1024];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0777);
			*p = '/';
		}
	}
	mkdir(buf, 0777);
}

int main(int argc, char **argv)
{
	static struct bench_all a;
	struct bench_opts o;
	char json[1100], png[1100];
	double t0 = now_s(), t;
	FILE *f;

	parse(argc, argv, &o);
	bench_o = &o;
	mkdirs(o.bo_out);
	snprintf(json, sizeof json, "%s", o.bo_json ? o.bo_json : "");
	if (!o.bo_json)
		snprintf(json, sizeof json, "%s/bench.json", o.bo_out);
	snprintf(png, sizeof png, "%s", o.bo_plot ? o.bo_plot : "");
	if (!o.bo_plot)
		snprintf(png, sizeof png, "%s/vmsim.png", o.bo_out);
	a.quick = o.bo_quick;
	bench_warm = a.quick ? 0.15 : 0.3;
	bench_window = a.quick ? 0.35 : 1.0;
	a.rounds = a.quick ? 1 : 3;

	fprintf(stderr, "vmsim-bench%s: 1/5 the floor\n", a.quick ? " --quick" : "");
	snprintf(a.floor_err, sizeof a.floor_err, "not run (--only)");
	a.floor_ok = want("floor") &&
	    floor_measure(a.quick, &a.floor, a.floor_err, sizeof a.floor_err) == 0;
	if (!a.floor_ok)
		fprintf(stderr, "vmsim-bench: floor: %s (ratios omitted)\n", a.floor_err);
	fprintf(stderr, "vmsim-bench: 2/5 per fault kind\n");
	if (want("kinds"))
		bench_kinds(a.quick, &a.kinds);
	fprintf(stderr, "vmsim-bench: 3/5 parallel soft faults\n");
	if (want("parsoft"))
		bench_parsoft(&a, a.kinds.bk_loop_r_ns);
	t = now_s();
	{
		uint64_t x = tlb_count();
		usleep(200000);
		a.tlb_idle_per_s = (double)(tlb_count() - x) / (now_s() - t);
	}
	fprintf(stderr, "vmsim-bench: 4/5 throughput, scaling, trim cost\n");
	if (want("runs"))
		bench_scaling(&a, a.rounds);
	fprintf(stderr, "vmsim-bench: 5/5 optimizations on/off\n");
	if (want("opts"))
		bench_opts(&a, a.rounds);

	bench_print(stdout, &a);
	if ((f = fopen(json, "w")) == NULL) {
		fprintf(stderr, "vmsim-bench: %s: %s\n", json, strerror(errno));
	} else {
		bench_json(f, &a);
		fclose(f);
		printf("JSON: %s\n", json);
	}
	bench_plot(&a, o.bo_out, png);
	printf("total %.1f s\n", now_s() - t0);
	return 0;
}
