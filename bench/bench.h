/*
 * bench.h - vmsim-bench: the pieces shared by bench.c (scenarios) and
 * bench_report.c (table, JSON, plot).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "floor.h"

#define BENCH_MAX_RUNS 80
#define BENCH_MAX_ROUNDS 7

/* Per-fault-kind scenario (one thread, system threads off). */
enum bench_kind { BK_DZ, BK_SOFT_MOD, BK_SOFT_SB, BK_HARD, BK_N };

struct bench_kinds {
	int bk_pages, bk_rounds;
	double bk_touch_ns[BK_N];	/* measured by the faulting thread, loop cost removed */
	double bk_handler_ns[BK_N];	/* vm_thread_stats ts_fault_ns / ts_faults */
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
	long br_errors;			/* verification failures */
	int br_nrounds;			/* the record is the median round of these */
	double br_r_acc[BENCH_MAX_ROUNDS], br_r_faults[BENCH_MAX_ROUNDS];	/* per round */
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
};

/* Median over rounds of x's / y's faults/s (acc = 0) or accesses/s (acc = 1),
 * with the smallest and largest per-round ratio. */
double bench_ratio(const struct bench_run *x, const struct bench_run *y, int acc,
    double *lo, double *hi);
const struct bench_run *bench_find(const struct bench_all *a, const char *name,
    const char *variant, int threads);

/* "bench_report.c" */
extern const char *const bench_kind_name[BK_N];
void bench_print(FILE *f, const struct bench_all *a);
void bench_json(FILE *f, const struct bench_all *a);
int bench_plot(const struct bench_all *a, const char *outdir, const char *png);
