/*
 * workload.h - user threads: access patterns over the region, and the
 * verification of every access.
 *
 * Each page carries, in its first words, a stamp naming its own virtual
 * page (word 0) and, for each thread t, the number of times t has written
 * it (word 1 + t).  Each thread remembers what it last wrote to every page.
 * A read therefore detects
 *   wrong_page  a stamp that names another page (or a previous owner's or
 *               never-zeroed bytes),
 *   zeroed      zeroes where some thread had written,
 *   lost_write  an older count than the reading thread itself last wrote,
 * even while other threads write the same page (each has its own word).
 */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

#include "vm.h"

#define WL_MAX_THREADS 256

enum wl_kind { WL_RUNS, WL_UNIFORM };

struct wl_config {
	enum wl_kind wc_kind;
	int wc_threads;
	double wc_write_ratio;
	uint64_t wc_seed;
	uint64_t wc_accesses;	/* total over all threads; 0: run for wc_seconds */
	double wc_seconds;
	int wc_max_run;		/* runs: 1..wc_max_run sequential pages */
};

struct wl_counts {
	uint64_t wt_accesses, wt_writes;
	uint64_t wt_wrong_page, wt_zeroed, wt_lost_write;
};

struct wl_thread {
	int wt_id;
	struct wl_shared *wt_sh;
	uint64_t wt_rng;
	uint64_t wt_quota;		/* accesses to make; UINT64_MAX: until stopped */
	uint32_t *wt_lastw;		/* per page: my last write count */
	uint64_t wt_cur, wt_run_left;	/* the current run */
	struct wl_counts wt_c;
	_Atomic uint64_t wt_progress;	/* accesses so far, for the live display */
};

struct wl_shared {
	struct vm *ws_vm;
	char *ws_base;
	uint64_t ws_npages;
	struct wl_config ws_cfg;
	_Atomic uint8_t *ws_ever;	/* per page: some thread has written it */
	_Atomic int ws_stop;
	struct wl_thread *ws_threads;
};

int wl_init(struct wl_shared *sh, struct vm *vm, const struct wl_config *cfg);
void wl_destroy(struct wl_shared *sh);
void *wl_thread_main(void *arg);
void wl_sum(const struct wl_shared *sh, struct wl_counts *out);
uint64_t wl_progress(const struct wl_shared *sh);
