/*
 * kinds.c - what one fault of each kind costs (one thread, system threads
 * off: demand-zero, soft from modified, soft from standby, hard, set up
 * with the working-set controls), each against the floor of its own access
 * measured beside it in every round (floor.c), and soft faults in parallel
 * from the middle of the standby list, list locks shared and exclusive.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"


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

/* The instance's count of faults of kind k so far (both demand-zero rows
 * count demand-zero faults), and of frames zeroed inline. */
static uint64_t kind_count(struct vm *vm, int k, uint64_t *inline_zeroed)
{
	struct vm_stats st;

	vm_get_stats(vm, &st);
	*inline_zeroed = st.vs_zeroed_inline;
	return k == BK_DZ || k == BK_DZ_INLINE ? st.vs_faults_dz :
	    k == BK_SOFT_MOD ? st.vs_faults_soft_modified :
	    k == BK_SOFT_SB ? st.vs_faults_soft_standby : st.vs_faults_hard;
}

struct kinds_ctx {
	struct vm *kc_vm;
	struct vm_thread_stats kc_ts;
	struct phase kc_p[BK_N];
	uint64_t kc_count[BK_N];	/* faults of the kind each phase must cause */
	uint64_t kc_before[BK_N], kc_zi_before[BK_N];	/* counts as it began */
	long kc_err;
};

static void kind_begin(struct kinds_ctx *c, int k)
{
	c->kc_before[k] = kind_count(c->kc_vm, k, &c->kc_zi_before[k]);
	phase_begin(&c->kc_ts, &c->kc_p[k]);
}

/* Phase k ended: exactly its faults, all of its kind; the demand-zero rows
 * served from the zeroed list (none zeroed inline) or all zeroed inline. */
static void kind_end(struct kinds_ctx *c, int k)
{
	uint64_t zi, got;

	phase_end(&c->kc_ts, &c->kc_p[k]);
	got = kind_count(c->kc_vm, k, &zi) - c->kc_before[k];
	c->kc_err += got != c->kc_count[k] || c->kc_p[k].faults != c->kc_count[k];
	c->kc_err += zi - c->kc_zi_before[k] != (k == BK_DZ_INLINE ? c->kc_count[k] : 0);
}

/*
 * One round: a fresh vm, the kinds in turn.  Demand-zero: the first half
 * of the pages from frames zeroed ahead (vm_zero_free: the zero-page
 * thread's work, as it is done when the thread keeps up), the second half
 * from free frames zeroed inline.  Fills touch[] and handler[] per kind.
 */
static long kinds_round(uint64_t n, const uint64_t *seq, double *touch, double *handler,
    double *loop_w, double *loop_r)
{
	struct kinds_ctx *c = calloc(1, sizeof *c);
	struct vm *vm = c->kc_vm = bench_vm(n + 64, n, n, 0, NULL);
	char *base = vm_base(vm);
	struct phase lw, lr;
	uint64_t want = 0, mark = 0x6b696e6400000000ULL, h = n / 2;
	long err;

	for (uint64_t i = 0; i < n; i++)
		want += mark + i;
	for (int k = 0; k < BK_N; k++)
		c->kc_count[k] = k == BK_DZ || k == BK_DZ_INLINE ? h : n;
	vm_thread_stats_attach(&c->kc_ts);
	c->kc_err += vm_zero_free(vm, h) != h;
	kind_begin(c, BK_DZ);
	bench_touch_write(base, 0, h, mark);
	kind_end(c, BK_DZ);
	kind_begin(c, BK_DZ_INLINE);
	bench_touch_write(base, h, n, mark);
	kind_end(c, BK_DZ_INLINE);
	phase_begin(&c->kc_ts, &lw);
	bench_touch_write(base, 0, n, mark);
	phase_end(&c->kc_ts, &lw);
	phase_begin(&c->kc_ts, &lr);
	c->kc_err += bench_touch_read(base, seq, n) != want;
	phase_end(&c->kc_ts, &lr);
	c->kc_err += lw.faults + lr.faults != 0;

	c->kc_err += vm_empty_working_set(vm) != n;
	kind_begin(c, BK_SOFT_MOD);
	c->kc_err += bench_touch_read(base, seq, n) != want;
	kind_end(c, BK_SOFT_MOD);

	c->kc_err += vm_empty_working_set(vm) != n;
	c->kc_err += vm_flush_modified(vm) != n;
	kind_begin(c, BK_SOFT_SB);
	c->kc_err += bench_touch_read(base, seq, n) != want;
	kind_end(c, BK_SOFT_SB);

	c->kc_err += vm_empty_working_set(vm) != n;
	c->kc_err += vm_purge_standby(vm) != n;
	kind_begin(c, BK_HARD);
	c->kc_err += bench_touch_read(base, seq, n) != want;
	kind_end(c, BK_HARD);
	vm_thread_stats_attach(NULL);

	*loop_w = lw.ns / (double)n;
	*loop_r = lr.ns / (double)n;
	for (int k = 0; k < BK_N; k++) {
		const struct phase *p = &c->kc_p[k];
		double cnt = (double)c->kc_count[k];
		touch[k] = p->ns / cnt - (bench_kind_write[k] ? *loop_w : *loop_r);
		handler[k] = (double)p->fault_ns / (double)(p->faults ? p->faults : 1);
	}
	c->kc_err += vm_validate(vm, stderr, 0) != 0;
	vm_destroy(vm);
	err = c->kc_err;
	free(c);
	return err;
}

/* Round r's floors of each kind's access into fl[k][r] (MISSING) and
 * flwp[k][r] (MISSING|WP), NAN if the floor could not be measured. */
static void kinds_floor_round(uint64_t n, int r, double fl[BK_N][16], double flwp[BK_N][16])
{
	struct floor_result f;
	char err[256];
	int ok = floor_measure_sized((long)n, 1, &f, err, sizeof err) == 0;

	for (int k = 0; k < BK_N; k++) {
		fl[k][r] = !ok ? NAN : bench_kind_write[k] ? f.sigbus_copy_ns : f.sigbus_read_ns;
		flwp[k][r] = !ok ? NAN : bench_kind_write[k] ? f.sigbus_copy_wp_ns : f.sigbus_read_wp_ns;
	}
}

/* The median of v[0..n) (sorted in place) and its range. */
static double kinds_median_range(double *v, int n, double *lo, double *hi)
{
	double m = bench_median(v, n);

	*lo = v[0];
	*hi = v[n - 1];
	return m;
}

void bench_kinds(int quick, struct bench_kinds *out)
{
	uint64_t n = quick ? 1024 : 4096;
	int rounds = quick ? 3 : 7;
	double touch[BK_N][16], handler[BK_N][16], lw[16], lr[16];
	double fl[BK_N][16], flwp[BK_N][16], rat[BK_N][16], ratwp[BK_N][16], x;
	uint64_t *seq = malloc(n * sizeof *seq);
	cpu_set_t saved;
	int pinned = bench_pin_here(&saved);

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
		/* the floor beside each round, so each ratio is taken inside one */
		kinds_floor_round(n, r, fl, flwp);
		out->bk_errors += kinds_round(n, seq, t, h, &lw[r], &lr[r]);
		for (int k = 0; k < BK_N; k++) {
			touch[k][r] = t[k];
			handler[k][r] = h[k];
			rat[k][r] = t[k] / fl[k][r];
			ratwp[k][r] = t[k] / flwp[k][r];
		}
	}
	for (int k = 0; k < BK_N; k++) {
		out->bk_touch_ns[k] = bench_median(touch[k], rounds);
		out->bk_handler_ns[k] = bench_median(handler[k], rounds);
		out->bk_floor_ns[k] = bench_median(fl[k], rounds);
		out->bk_floor_wp_ns[k] = bench_median(flwp[k], rounds);
		out->bk_ratio[k] = kinds_median_range(rat[k], rounds, &out->bk_ratio_lo[k],
		    &out->bk_ratio_hi[k]);
		out->bk_ratio_wp[k] = kinds_median_range(ratwp[k], rounds, &x, &x);
	}
	out->bk_loop_w_ns = bench_median(lw, rounds);
	out->bk_loop_r_ns = bench_median(lr, rounds);
	if (pinned)
		sched_setaffinity(0, sizeof saved, &saved);
	free(seq);
}

/* ---- parallel soft faults ---- */

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
	t->pt_t0 = bench_now_s();
	t->pt_sum = bench_touch_read(vm_base(t->pt_vm), t->pt_order, t->pt_n);
	t->pt_t1 = bench_now_s();
	vm_thread_stats_attach(NULL);
	return NULL;
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
	bench_touch_write(vm_base(vm), 0, n, 0);
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
		bench_shuffle(t[i].pt_order, per, &rng);
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

void bench_parsoft(struct bench_all *a, double loop_r)
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
			ps->ps_ns_per_fault = bench_median(ns, rounds);
			ps->ps_faults_per_s = bench_median(fs, rounds);
			ps->ps_list_wait_ns = bench_median(lw, rounds);
		}
	}
}
