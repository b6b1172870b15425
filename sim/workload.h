/*
 * workload.h - user threads: access patterns over the region, and the
 * verification of every access.
 *
 * Each page carries, in its first words, a stamp naming its own virtual
 * page and its process (word 0: the page and wc_tag, a number the caller
 * gives each process, so a frame handed to the wrong process is caught) and, for each thread t, the number of times t has written
 * it (word 1 + t).  Each thread remembers what it last wrote to every page.
 * A read therefore detects
 *   wrong_page  a stamp that names another page (or a previous owner's or
 *               never-zeroed bytes),
 *   zeroed      zeroes where some thread had written,
 *   lost_write  an older count than the reading thread itself last wrote,
 * even while other threads write the same page (each has its own word).
 *
 * Read-only pages (the first vs_readonly_pages of the region) hold the
 * known contents wl_image_fill() gave them at vm_create: word 0 the stamp,
 * every other word a pattern of (vpn, index); a read checks the whole page
 * (a mismatch is a wrong_page).  A write to one is attempted on purpose and
 * must be refused with SIGSEGV/SEGV_ACCERR, which the thread catches
 * (sigsetjmp per attempt) and counts as an access violation; a write that
 * silently succeeds is a verification failure (ro_written).
 *
 * A recorded run of known length allocates its records up front; one
 * that runs for a time grows them, and stops the run when they reach
 * wc_record_max references or memory runs out (ws_record_full), so the
 * recording always holds exactly the accesses made.
 *
 * Patterns (enum wl_kind):
 *   runs     random start page, then a sequential run of 1..max_run pages
 *   uniform  one random page per access
 *   zipf     Zipf(s) popularity over the pages, hot pages scattered
 *   scan     sequential sweeps over the first scan_pages pages (default
 *            the whole region); thread t starts at t/threads of the way
 *   phases   uniform accesses inside a window of phase_pages pages that
 *            moves to a random new place every phase_len accesses (counted
 *            per thread, so all threads move together)
 *   trace    replay a page-reference trace: with one thread the whole trace
 *            in order; with N, thread t replays references t, t+N, t+2N...,
 *            so together they replay it once
 */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

#include "trace.h"
#include "vm_sim.h"

#define WL_MAX_THREADS 256

enum wl_kind { WL_RUNS, WL_UNIFORM, WL_ZIPF, WL_SCAN, WL_PHASES, WL_TRACE };

struct wl_config {
	enum wl_kind wc_kind;
	int wc_threads;
	double wc_write_ratio;
	uint64_t wc_seed;
	uint64_t wc_accesses;	/* total over all threads; 0: run for wc_seconds */
	double wc_seconds;
	int wc_max_run;		/* runs: 1..wc_max_run sequential pages */
	double wc_zipf_s;	/* zipf: the exponent (> 0) */
	uint64_t wc_scan_pages;	/* scan: pages swept (0: the region) */
	uint64_t wc_phase_len;	/* phases: accesses per phase, per thread */
	uint64_t wc_phase_pages;	/* phases: the working set's size in pages */
	const struct trace *wc_trace;	/* trace: the references */
	int wc_record;		/* keep every reference for wl_record_merge() */
	uint64_t wc_record_max;	/* recording: at most this many references in all (0:
				 * no limit); reaching it stops the run (ws_record_full) */
	uint64_t wc_pages;	/* the threads access pages [0, wc_pages) only (0: the
				 * region); the rest is left to other code */
	uint64_t wc_tag;	/* names the process in every stamp (16 bits; 0 for
				 * one process): distinct for processes alive at once,
				 * and for one that replaces another */
};

struct wl_counts {
	uint64_t wt_accesses, wt_writes;
	uint64_t wt_wrong_page, wt_zeroed, wt_lost_write;
	uint64_t wt_ro_reads;		/* reads of read-only pages, checked */
	uint64_t wt_av;			/* writes to read-only pages refused, as they must be */
	uint64_t wt_ro_written;		/* ... that silently succeeded: failures */
};

/* Zipf sampling by rejection-inversion (Hörmann and Derflinger, 1996):
 * O(1) per sample, no table. */
struct wl_zipf {
	double wz_s, wz_n;
	double wz_hx1, wz_hn, wz_sval;
};

/* One recorded reference: the global order, page and kind. */
struct wl_rec {
	uint64_t wr_seq;
	uint64_t wr_vpn;
	uint8_t wr_write;
};

struct wl_thread {
	int wt_id;
	struct wl_shared *wt_sh;
	uint64_t wt_rng;
	uint64_t wt_quota;		/* accesses to make; UINT64_MAX: until stopped */
	uint32_t *wt_lastw;		/* per page: my last write count */
	uint64_t wt_cur, wt_run_left;	/* the current run; scan: the cursor */
	uint64_t wt_n;			/* accesses generated so far */
	uint64_t wt_phase, wt_phase_base;	/* phases: current phase and its window */
	uint64_t wt_trace_i;		/* trace: next reference */
	struct wl_rec *wt_rec;		/* recorded references */
	uint64_t wt_nrec, wt_caprec;
	struct wl_counts wt_c;
	_Atomic uint64_t wt_progress;	/* accesses so far, for the live display */
};

struct wl_shared {
	struct vm *ws_vm;		/* the machine */
	struct vm_process *ws_proc;	/* the process whose region it is */
	char *ws_base;
	uint64_t ws_npages;
	uint64_t ws_ro_end;		/* pages [0, ws_ro_end) are read-only */
	struct wl_config ws_cfg;
	struct wl_zipf ws_zipf;
	uint64_t ws_perm_a, ws_perm_b;	/* zipf: rank -> page, (a * rank + b) mod n */
	_Atomic uint8_t *ws_ever;	/* per page: some thread has written it */
	_Atomic uint64_t ws_seq;	/* recording: the global order */
	_Atomic int ws_stop;
	_Atomic int ws_done;		/* (a) threads that have finished (quota, or stopped) */
	_Atomic int ws_record_full;	/* (a) recording reached wc_record_max, or memory ran
					 * out: the run was stopped there */
	struct wl_thread *ws_threads;
};

/* Bytes one recorded reference may take at most: its record, the slack of a
 * buffer that doubles, and its copy in wl_record_merge(). */
#define WL_RECORD_BYTES (2 * sizeof(struct wl_rec) + sizeof(struct trace_ref))

/*
 * The host memory the workload's own state takes over npages pages: the
 * per-page verification state (a byte, plus 4 bytes per thread) and, for a
 * recorded run of known length (wc_accesses), its records.  Saturates at
 * UINT64_MAX.
 */
uint64_t wl_footprint(const struct wl_config *cfg, uint64_t npages);

int wl_init(struct wl_shared *sh, struct vm *vm, const struct wl_config *cfg);	/* default process */
int wl_init_process(struct wl_shared *sh, struct vm_process *p, const struct wl_config *cfg);
void wl_destroy(struct wl_shared *sh);
void *wl_thread_main(void *arg);
void wl_sum(const struct wl_shared *sh, struct wl_counts *out);
uint64_t wl_progress(const struct wl_shared *sh);
uint64_t wl_failures(const struct wl_counts *c);

/* The known contents of read-only page vpn (a vc_space.as_image_fill callback;
 * arg NULL, or the struct wl_config whose wc_tag names the process). */
void wl_image_fill(void *arg, uint64_t vpn, void *page);

/* Merge the threads' recorded references in their global order into a
 * malloc'd array; returns it (NULL if out of memory) and sets *n. */
struct trace_ref *wl_record_merge(const struct wl_shared *sh, size_t *n);

/* Zipf sampling, exposed for the unit tests: ranks 1..n with exponent s. */
void wl_zipf_init(struct wl_zipf *z, uint64_t n, double s);
uint64_t wl_zipf_next(const struct wl_zipf *z, uint64_t *rng);
