/*
 * bench.h - vmsim-bench: the pieces its files share (main.c lists them).
 */
#pragma once
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "floor.h"
#include "vm_sim.h"
#include "workload.h"

#define BENCH_MAX_RUNS 80
#define BENCH_MAX_ROUNDS 7

/* Per-fault-kind scenario (one thread, system threads off).  Demand-zero
 * twice: from a frame zeroed ahead (the zeroed list, as when the zero-page
 * thread keeps up) and from a free frame zeroed inline by the faulter. */
enum bench_kind { BK_DZ, BK_DZ_INLINE, BK_SOFT_MOD, BK_SOFT_SB, BK_HARD, BK_N };

struct bench_kinds {
	int bk_pages, bk_rounds;
	double bk_touch_ns[BK_N];	/* measured by the faulting thread, loop cost removed */
	double bk_handler_ns[BK_N];	/* vm_thread_stats ts_fault_ns / ts_faults */
	/* against the floor of the kind's own access (bench_kind_write),
	 * measured (one round of bk_pages) beside each round: the median of
	 * the per-round ratios, their range; the floors' median; NAN if the
	 * floor could not be measured */
	double bk_floor_ns[BK_N], bk_floor_wp_ns[BK_N];
	double bk_ratio[BK_N], bk_ratio_lo[BK_N], bk_ratio_hi[BK_N], bk_ratio_wp[BK_N];
	double bk_loop_w_ns, bk_loop_r_ns;	/* the touch loops with no fault */
	long bk_errors;			/* wrong fault counts or contents */
};

/* Parallel soft faults from the middle of the standby list. */
struct bench_parsoft {
	int ps_threads, ps_shared, ps_pages;
	double ps_ns_per_fault;		/* per thread, loop cost removed */
	double ps_faults_per_s;		/* all threads, wall clock */
	double ps_list_wait_ns;		/* list-lock wait per fault */
	long ps_errors;
};

/* One workload run with the system threads on. */
struct bench_run {
	char br_name[48];		/* "heavy" */
	char br_variant[48];		/* "lock=spin" or "" */
	int br_threads;
	double br_seconds;
	double br_acc_s, br_faults_s;
	double br_trimmed, br_trim_calls, br_tlb, br_tlb_idle_s;	/* in the window */
	double br_written, br_write_batches, br_trim_batches;
	double br_scan_words, br_row_claims, br_bit_claims;
	double br_fault_frac, br_wait_avail_frac, br_wait_other_frac;	/* of thread time, mean */
	double br_lock_frac[4];
	double br_handler_ns;		/* per fault, in the handler */
	double br_trimmer_busy, br_writer_busy, br_zero_busy;	/* fraction of wall time */
	double br_trimmer_ns_per_page, br_writer_ns_per_page;
	double br_cpu_sys[3];		/* CPUs used by trimmer, writer, zero thread */
	double br_cpu_user;		/* CPUs used by the user threads, summed */
	double br_fault_mix[4];		/* dz, soft standby, soft modified, hard: fraction */
	/* counts over the window, for the cycle section (cycle.c) */
	double br_n_acc, br_n_faults;	/* accesses; faults dz + soft + hard */
	double br_n_collided;		/* faults another thread had resolved, or that
					 * waited, or un-protected a frozen page */
	double br_n_hard, br_n_zeroed_inline;
	double br_handler_busy;		/* the user threads' wall time in the handler,
					 * less the event waits, / the window */
	double br_user_sleep;		/* their event waits (asleep), / the window */
	long br_errors;			/* verification failures */
	double br_tl_events_s;		/* the timeline's events recorded a second (whole run) */
	double br_tl_dropped;		/* ... and dropped (0 unless its bound was too small) */
	int br_nrounds;			/* the record is the median round of these */
	double br_r_acc[BENCH_MAX_ROUNDS], br_r_faults[BENCH_MAX_ROUNDS];	/* per round */
};

/* The trim-scale section (trimscale.c): trim cost per page against the
 * region's size at a fixed, moving working set (issue 10). */
#define TS_NPOL 2			/* fifo, aging (random costs as much as both: left out) */
#define TS_NSIZES 5			/* 64M, 256M, 1G, 4G, 16G */

struct bench_ts_run {
	uint64_t tr_virtual;		/* bytes of region */
	int tr_policy;			/* enum vm_trim_policy */
	int tr_ok;			/* 0: not run (bench_trimscale ts_err says why) */
	int tr_nrounds;			/* the record is the median round (by us/page) */
	double tr_seconds;		/* the measured part: after the first phase */
	double tr_accesses, tr_trimmed, tr_trim_calls, tr_faults;
	double tr_fault_mix[4];		/* dz, soft standby, soft modified, hard */
	double tr_cpu_s;		/* the trimmer thread's CPU clock */
	double tr_us_per_page;		/* tr_cpu_s / tr_trimmed, in us */
	double tr_busy;			/* tr_cpu_s / tr_seconds */
	double tr_faults_s;
	double tr_ratio, tr_ratio_lo, tr_ratio_hi;	/* us/page / the first size's, per round */
	double tr_r_us[BENCH_MAX_ROUNDS];	/* us/page, per round */
	long tr_errors;			/* verification and validation failures, all rounds */
};

struct bench_trimscale {
	int ts_ran;
	int ts_rounds;
	uint64_t ts_frames, ts_ws_pages;	/* physical and working set, in pages */
	uint64_t ts_accesses, ts_phase_len;	/* per run; accesses per phase */
	struct bench_ts_run ts_runs[TS_NPOL][TS_NSIZES];
	char ts_err[320];		/* the first run that could not be made, or "" */
};

/* The cycle section (cycle.c): CPU per fault of the whole process against a
 * cycle floor composed from the floor's figures (issue 13). */
struct bench_cycle_row {
	const struct bench_run *cr_run;	/* the run (section 3's, or the section's own) */
	double cr_loop_ns;		/* user CPU per access with no fault (resident run) */
	double cr_resident_faults;	/* faults in the resident run's window (~0) */
	/* per fault, ns of CPU */
	double cr_total, cr_user, cr_handler, cr_loop, cr_trimmer, cr_writer, cr_zero;
	/* the cycle floor per fault, and its parts */
	double cr_floor, cr_floor_fault, cr_floor_trim, cr_floor_pgf;
	double cr_ratio;
};

struct bench_all {
	int quick;
	struct floor_result floor;
	int floor_ok;
	char floor_err[256];
	struct bench_kinds kinds;
	struct bench_parsoft parsoft[4];
	int nparsoft;
	struct bench_run runs[BENCH_MAX_RUNS];
	int nruns;
	int rounds;
	double tlb_idle_per_s;
	double warm_s, window_s;	/* a workload run's warm-up and measured window */
	struct bench_trimscale trimscale;
	struct bench_cycle_row cycle[6];	/* default, heavy, sequential x 1, 2 threads */
	int ncycle;
};

/* One workload run's settings (scenarios.c makes them). */
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
	int rs_timeline;		/* the timeline recorder on (TL_BENCH_EVENTS) */
	int rs_span;			/* vt_trim_pieces = 0: freeze a window's whole span */
};

/* The default workload: 16M physical, 64M virtual, runs of 1..32 pages. */
#define SPEC_DEFAULT(nm, nt) ((struct run_spec){ .rs_name = nm, .rs_variant = "", \
	.rs_threads = nt, .rs_frames = 4096, .rs_pages = 16384, .rs_kind = WL_RUNS, \
	.rs_max_run = 32, .rs_lock = LK_IMPL_FUTEX, .rs_shared = 1, .rs_rows = 1, .rs_stash = 1 })



/* Median over rounds of x's / y's faults/s (acc = 0) or accesses/s (acc = 1),
 * with the smallest and largest per-round ratio. */
double bench_ratio(const struct bench_run *x, const struct bench_run *y, int acc,
    double *lo, double *hi);
const struct bench_run *bench_find(const struct bench_all *a, const char *name,
    const char *variant, int threads);

/* "util.c" */
#define BENCH_MARK_OFF 64		/* the word the touch loops write and read */
double bench_now_s(void);
double bench_thread_cpu_s(pthread_t t);	/* its CPU clock, seconds; 0 if unknown */
uint64_t bench_tlb_count(void);		/* TLB shootdowns so far, all CPUs */
int bench_pin_here(cpu_set_t *saved);	/* pin to this CPU; 0 if it could not */
int bench_dbl_cmp(const void *a, const void *b);
double bench_median(double *v, int n);	/* sorts v */
/* An instance of frames, pages and slots, system threads on or off, the
 * rest from base (NULL: VM_CONFIG_DEFAULT); exits 2 if it cannot. */
struct vm *bench_vm(uint64_t frames, uint64_t pages, uint64_t slots, int threads,
    const struct vm_config *base);
void bench_touch_write(char *base, uint64_t lo, uint64_t hi, uint64_t mark);
uint64_t bench_touch_read(char *base, const uint64_t *order, uint64_t n);
void bench_shuffle(uint64_t *v, uint64_t n, uint64_t *rng);

/* "kinds.c" */
void bench_kinds(int quick, struct bench_kinds *out);
void bench_parsoft(struct bench_all *a, double loop_r);

/* "scenarios.c" (specs) */
struct run_spec spec_heavy(int nt);
struct run_spec spec_seq(int nt);
struct run_spec spec_uniform16(int nt);

/* "runs.c" */
void run_once(const struct bench_all *a, const struct run_spec *s, struct bench_run *r);
/* Run each spec once per round, interleaved; record each's median round. */
void bench_plan(struct bench_all *a, const struct run_spec *specs, int n, int rounds);

/* "scenarios.c" */
void bench_scaling(struct bench_all *a, int rounds);
void bench_opts(struct bench_all *a, int rounds);

/* "report.c", "report_json.c", "plot.c" */
extern const char *const bench_kind_name[BK_N];
extern const char *const bench_kind_key[BK_N];
extern const double bench_kind_target[BK_N];
extern const int bench_kind_write[BK_N];

extern const char *const bench_lock_name[4];
void bench_print(FILE *f, const struct bench_all *a);
void bench_json(FILE *f, const struct bench_all *a);
int bench_plot(const struct bench_all *a, const char *outdir, const char *png);

/* "trimscale.c" */
/* Run the section (its page file goes in dir, removed at once); print,
 * write and plot its figures (nothing if it did not run). */
void bench_trimscale(struct bench_all *a, const char *dir);
void bench_trimscale_print(FILE *f, const struct bench_all *a);
struct json;
void bench_trimscale_json(struct json *j, const struct bench_all *a);
int bench_trimscale_plot(const struct bench_all *a, const char *outdir);

/* "timeline.c": the recorder off and on (docs/PERFORMANCE.md) */
#define TL_BENCH_EVENTS (4u << 20)	/* the recorder's bound: every event of a run */
void bench_timeline(struct bench_all *a, int rounds);
void bench_timeline_print(FILE *f, const struct bench_all *a);
/* "cycle.c" */
/* Run the cycle section's workloads that section 3 did not (and the
 * resident runs that give the access loop's own cost), then compose. */
void bench_cycle(struct bench_all *a);
void bench_cycle_print(FILE *f, const struct bench_all *a);
void bench_cycle_json(struct json *j, const struct bench_all *a);

/* "trace.c" */
/* The trace section: a 10^7-reference lackey log (10^6 quick) written in
 * dir, loaded, run through the oracles and replayed; figures to out. */
void bench_trace(bool quick, const char *dir, FILE *out);
