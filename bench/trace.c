/*
 * trace.c - the trace section of vmsim-bench (--only trace): a reference
 * string of 10^7 references (10^6 with --quick), written as a valgrind
 * lackey log, then
 *   load     trace_load_opts: parse, detect, renumber (references/s, MB/s)
 *   oracles  mrc.c at the default --mrc list (1, 2, 4, ... distinct): the
 *            dense ids, LRU at every size from one pass, FIFO, CLOCK and
 *            OPT per size, each timed
 *   replay   vmsim replaying it with one user thread, every access
 *            verified: all of it with frames for every page (the replay's
 *            own cost), then its first tenth with frames for half the pages
 *            (paging: each fault waits for the trimmer and writer)
 * The string: 7/8 of the runs start in a skewed hot set of 2^13 pages
 * (one reference), 1/8 are sequential runs of up to 63 pages anywhere; a
 * quarter of the references write; 2^16 distinct pages.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "mrc.h"
#include "trace.h"
#include "trace_fmt.h"

#define BT_PAGES	(1u << 16)
#define BT_HOT		(1u << 13)

/* Write n references as a lackey log to path; returns its size or 0. */
static uint64_t bt_write(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	uint64_t x = 12345, cur = 0, run = 0, size;

	if (f == NULL)
		return 0;
	fprintf(f, "==1== Lackey, an example Valgrind tool\n");
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (run > 0) {
			cur = (cur + 1) % BT_PAGES;
			run--;
		} else if ((x >> 61) != 0) {		/* 7/8: the hot set, skewed, scattered */
			uint64_t r = (x >> 20) % BT_HOT;

			cur = (r * r / BT_HOT * 40503u) % BT_PAGES;
		} else {
			cur = (x >> 24) % BT_PAGES;
			run = (x >> 8) % 64;
		}
		fprintf(f, " %c %08llx,8\n", (x >> 40) % 4 == 0 ? 'S' : 'L',
		    (unsigned long long)(0x4000000 + cur * 4096 + (x >> 50) % 4088));
	}
	size = (uint64_t)ftell(f);
	return fclose(f) == 0 ? size : 0;
}

/* One thread replays t on vmsim with frames; accesses/s, all faults. */
static double bt_replay(const struct trace *t, uint64_t frames, uint64_t *faults, long *bad)
{
	struct vm_config c = vm_config_pages(frames, t->t_distinct, t->t_distinct, NULL);
	struct wl_config w = { .wc_kind = WL_TRACE, .wc_threads = 1, .wc_trace = t,
		.wc_accesses = t->t_n, .wc_seed = 1 };
	struct wl_shared sh;
	struct vm_stats s;
	struct vm *vm;
	char err[256];
	double t0;

	c.vc_space.as_trim_policy = VM_TRIM_AGING;	/* the workload touches: aging ages */
	if (vm_create(&c, &vm, err, sizeof(err)) != 0 || wl_init(&sh, vm, &w) != 0) {
		fprintf(stderr, "vmsim-bench: trace replay: %s\n", err);
		return 0;
	}
	t0 = bench_now_s();
	wl_thread_main(&sh.ws_threads[0]);
	t0 = bench_now_s() - t0;
	vm_pause(vm);
	*bad = vm_validate(vm, stderr, 0);
	vm_get_stats(vm, &s);
	*faults = s.vs_faults_dz + s.vs_faults_soft_standby + s.vs_faults_soft_modified +
	    s.vs_faults_hard;
	{
		struct wl_counts wc;

		wl_sum(&sh, &wc);
		*bad += (long)wl_failures(&wc);
	}
	vm_resume(vm);
	wl_destroy(&sh);
	vm_destroy(vm);
	return (double)t->t_n / t0;
}

/* The oracles at the default list, each policy timed over all sizes. */
static void bt_oracles(FILE *out, const struct trace *t)
{
	static struct mrc_point pts[64];
	uint64_t frames[64], *lf, *lw;
	size_t nf = 0, D;
	struct mrc_refs r;
	uint32_t *next;
	double t0, t_ids, t_lru, t_pol[MRC_NPOL] = { 0 };

	t0 = bench_now_s();
	if (mrc_refs_make(t, &r) != 0)
		return;
	t_ids = bench_now_s() - t0;
	D = r.mr_distinct;
	for (uint64_t f = 1; f < D; f *= 2)
		frames[nf++] = f;
	frames[nf++] = D;
	lf = malloc((D + 1) * sizeof(*lf));
	lw = malloc((D + 1) * sizeof(*lw));
	t0 = bench_now_s();
	mrc_lru_all(&r, lf, lw);
	t_lru = bench_now_s() - t0;
	t0 = bench_now_s();
	next = mrc_next_make(&r);
	t_pol[MRC_OPT] = bench_now_s() - t0;
	for (size_t i = 0; i < nf; i++) {
		size_t f = frames[i] < D ? frames[i] : D;

		t0 = bench_now_s();
		mrc_fifo(&r, f, &pts[i]);
		t_pol[MRC_FIFO] += bench_now_s() - t0;
		t0 = bench_now_s();
		mrc_clock(&r, f, &pts[i]);
		t_pol[MRC_CLOCK] += bench_now_s() - t0;
		t0 = bench_now_s();
		mrc_opt(&r, next, f, &pts[i]);
		t_pol[MRC_OPT] += bench_now_s() - t0;
	}
	fprintf(out, "  oracles, %zu sizes (1..%zu): ids %.2f s, LRU every size %.2f s, "
	    "FIFO %.2f s, CLOCK %.2f s, OPT %.2f s (next uses included): %.2f s in all\n",
	    nf, D, t_ids, t_lru, t_pol[MRC_FIFO], t_pol[MRC_CLOCK], t_pol[MRC_OPT],
	    t_ids + t_lru + t_pol[MRC_FIFO] + t_pol[MRC_CLOCK] + t_pol[MRC_OPT]);
	fprintf(out, "  at %zu frames: LRU %llu, OPT %llu faults\n", frames[nf / 2],
	    (unsigned long long)lf[frames[nf / 2]], (unsigned long long)(mrc_opt(&r, next,
	    frames[nf / 2], &pts[0]) == 0 ? pts[0].mp_faults : 0));
	free(next);
	free(lf);
	free(lw);
	mrc_refs_free(&r);
}

void bench_trace(bool quick, const char *dir, FILE *out)
{
	size_t n = quick ? 1000000 : 10000000;
	struct trace_load_opts lo = { .tl_format = TFMT_AUTO, .tl_page_size = VM_PAGE_SIZE };
	char path[1100], err[512];
	struct trace t;
	uint64_t bytes, faults = 0;
	double t0, load_s, rate;
	long bad = 0;

	snprintf(path, sizeof(path), "%s/bench-trace.lackey", dir);
	if ((bytes = bt_write(path, n)) == 0) {
		fprintf(stderr, "vmsim-bench: trace: cannot write %s\n", path);
		return;
	}
	t0 = bench_now_s();
	if (trace_load_opts(path, &lo, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsim-bench: trace: %s\n", err);
		unlink(path);
		return;
	}
	load_s = bench_now_s() - t0;
	unlink(path);
	fprintf(out, "\ntrace: %zu references (a lackey log, %.0f MB), %llu distinct pages\n",
	    t.t_n, (double)bytes / 1e6, (unsigned long long)t.t_distinct);
	fprintf(out, "  load (parse, detect, renumber): %.2f s, %.1f M references/s, %.0f MB/s\n",
	    load_s, (double)t.t_n / load_s / 1e6, (double)bytes / load_s / 1e6);
	bt_oracles(out, &t);
	for (int k = 0; k < 2; k++) {
		/* all of it with room for every page (no paging: the replay's own
		 * cost), then its first tenth with frames for half the pages */
		struct trace part = t;
		uint64_t frames = k == 0 ? t.t_distinct + t.t_distinct / 4 : t.t_distinct / 2;

		part.t_n = k == 0 ? t.t_n : t.t_n / 10;
		rate = bt_replay(&part, frames, &faults, &bad);
		fprintf(out, "  replay on vmsim, 1 thread, %zu references, %llu frames: %.3f M "
		    "accesses/s, %llu faults (%.1f per 1000)%s\n", part.t_n,
		    (unsigned long long)frames, rate / 1e6, (unsigned long long)faults,
		    1000.0 * (double)faults / (double)part.t_n,
		    bad ? ", VERIFICATION FAILED" : ", every access verified");
	}
	trace_free(&t);
}
