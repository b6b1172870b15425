/*
 * wsets.c - working-set limits under load (issue 10): every access
 * verified (stamps name process and page), the machine validated after
 * each phase (each working-set list holds exactly its process's valid
 * pages), and a watcher thread sampling resident counts all the while.
 *
 * usage: wsets NAME MODE FRAMES THREADS ACCESSES [KEY=VALUE...]
 *   MODE hardmax  process A (THREADS threads, uniform over 4 * FRAMES
 *                 pages) has a hard maximum of FRAMES / 4 pages; process
 *                 B (2 threads, the same size) none.  Checks: A's resident
 *                 count, sampled while both run and at its peak, never
 *                 exceeds the maximum by more than A's faults in flight
 *                 (THREADS) plus the pages of A the trimmer thread holds in
 *                 a batch, which A's replacement cannot take (the trimmer
 *                 takes A's excess over its maximum, so at most THREADS
 *                 again); A replaced pages itself; then the maximum is
 *                 lowered to FRAMES / 8 while A runs, and holds again.
 *   MODE min      process S (FRAMES / 4 pages, minimum FRAMES / 8) touches
 *                 every page once and goes idle: its pages are the oldest
 *                 of the machine; process L (THREADS threads, uniform over
 *                 4 * FRAMES pages, minimum 1) thrashes.  Checks: S was
 *                 trimmed (oldest first: down to its minimum), and never
 *                 below its minimum while L was above its own (sampled);
 *                 S's pages read back verified.
 *   KEYs: policy=aging|fifo|random.
 * Prints "NAME: N passed, N failed".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_sim.h"
#include "workload.h"

struct proc {
	struct vm_process *pr_p;
	struct wl_config pr_cfg;
	struct wl_shared pr_sh;
	pthread_t pr_tid[WL_MAX_THREADS];
};

static struct vm *vm;
static const char *name;
static struct vm_space_config space;
static int pass, fail;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", name, what);
	exit(2);
}

static void check(bool ok, const char *what)
{
	pass += ok;
	fail += !ok;
	if (!ok)
		fprintf(stderr, "%s: FAIL %s\n", name, what);
}

static void proc_make(struct proc *pr, uint64_t tag, uint64_t pages, int threads,
    enum wl_kind kind)
{
	char err[256], pname[16];

	snprintf(pname, sizeof(pname), "p%llu", (unsigned long long)tag);
	space.as_name = pname;
	space.as_virtual = pages * VM_PAGE_SIZE;
	if (vm_process_create(vm, &space, &pr->pr_p, err, sizeof(err)) != 0)
		die(err);
	pr->pr_cfg = (struct wl_config){ .wc_kind = kind, .wc_threads = threads,
	    .wc_write_ratio = 0.5, .wc_seed = 42 + tag, .wc_max_run = 16, .wc_zipf_s = 1.0,
	    .wc_phase_len = 2000, .wc_tag = tag };
	if (wl_init_process(&pr->pr_sh, pr->pr_p, &pr->pr_cfg) != 0)
		die("out of memory");
}

static void proc_start(struct proc *pr, uint64_t quota)
{
	atomic_store(&pr->pr_sh.ws_stop, 0);
	for (int t = 0; t < pr->pr_cfg.wc_threads; t++) {
		pr->pr_sh.ws_threads[t].wt_quota = quota;
		if (pthread_create(&pr->pr_tid[t], NULL, wl_thread_main, &pr->pr_sh.ws_threads[t]))
			die("cannot start a user thread");
	}
}

static void proc_join(struct proc *pr, bool stop)
{
	if (stop)
		atomic_store(&pr->pr_sh.ws_stop, 1);
	for (int t = 0; t < pr->pr_cfg.wc_threads; t++)
		pthread_join(pr->pr_tid[t], NULL);
}

static uint64_t resident(struct vm_process *p)
{
	struct vm_process_stats st;

	vm_process_get_stats(p, &st);
	return st.ps_resident;
}

/* Validation and every process's verification after a phase. */
static void phase_ok(struct proc *prs, int n, const char *phase)
{
	char what[96];
	long bad;

	vm_pause(vm);
	bad = vm_validate(vm, stderr, VM_DEBUG >= 2);
	vm_resume(vm);
	snprintf(what, sizeof(what), "%s: valid (%ld problems)", phase, bad);
	check(bad == 0, what);
	for (int i = 0; i < n; i++) {
		struct wl_counts c;
		wl_sum(&prs[i].pr_sh, &c);
		snprintf(what, sizeof(what), "%s: %s verified (%llu wrong, %llu zeroed, %llu lost)",
		    phase, vm_process_name(prs[i].pr_p), (unsigned long long)c.wt_wrong_page,
		    (unsigned long long)c.wt_zeroed, (unsigned long long)c.wt_lost_write);
		check(wl_failures(&c) == 0, what);
	}
}

/* The watcher: samples while wa_run is set. */
struct watch {
	struct vm_process *wa_a, *wa_b;	/* hardmax: a; min: a = S, b = L */
	uint64_t wa_bound;		/* hardmax: max + 2 x threads; min: S's minimum */
	_Atomic int wa_run;
	uint64_t wa_worst;		/* hardmax: the largest resident seen, once settled
					 * (first seen within the bound: after a lowering) */
	bool wa_settled;
	uint64_t wa_samples, wa_bad;	/* min: samples, and those with S below while L above */
};

static void *watch_hardmax(void *arg)
{
	struct watch *w = arg;

	while (atomic_load(&w->wa_run)) {
		uint64_t r = resident(w->wa_a);
		if (!w->wa_settled && r > w->wa_bound)
			continue;
		w->wa_settled = true;
		if (r > w->wa_worst)
			w->wa_worst = r;
		w->wa_samples++;
	}
	return NULL;
}

static void *watch_min(void *arg)
{
	struct watch *w = arg;

	while (atomic_load(&w->wa_run)) {
		uint64_t rl = resident(w->wa_b), rs = resident(w->wa_a), rl2 = resident(w->wa_b);
		/* L above its minimum (1) before and after S was read */
		if (rs < w->wa_bound && rl > 1 && rl2 > 1)
			w->wa_bad++;
		w->wa_samples++;
	}
	return NULL;
}

static void run_hardmax(uint64_t frames, int threads, uint64_t quota)
{
	struct proc prs[2];
	struct watch w = { 0 };
	struct vm_process_stats st;
	pthread_t wt;
	uint64_t mn, mx;
	unsigned fl;
	char what[128];

	proc_make(&prs[0], 1, 4 * frames, threads, WL_UNIFORM);
	proc_make(&prs[1], 2, 4 * frames, 2, WL_UNIFORM);
	check(vm_process_set_limits(prs[0].pr_p, 8, frames / 4, VM_WS_HARD_MAX) == 0 &&
	    vm_process_set_limits(prs[0].pr_p, 9, 8, 0) != 0 &&
	    vm_process_set_limits(prs[0].pr_p, 0, 8, 0) != 0 &&
	    vm_process_set_limits(prs[0].pr_p, 1, 8, 0x10) != 0, "limits: set, and refused");
	vm_process_get_limits(prs[0].pr_p, &mn, &mx, &fl);
	check(mn == 8 && mx == frames / 4 && fl == VM_WS_HARD_MAX, "limits: read back");
	for (int phase = 0; phase < 2; phase++) {
		/* faults in flight, and the trimmer's batch of the excess they made */
		w = (struct watch){ .wa_a = prs[0].pr_p, .wa_bound = mx + 2 * (uint64_t)threads };
		atomic_store(&w.wa_run, 1);
		if (pthread_create(&wt, NULL, watch_hardmax, &w) != 0)
			die("cannot start the watcher");
		proc_start(&prs[0], quota / (uint64_t)threads + 1);
		proc_start(&prs[1], UINT64_MAX);
		proc_join(&prs[0], false);
		atomic_store(&w.wa_run, 0);
		pthread_join(wt, NULL);
		proc_join(&prs[1], true);
		vm_process_get_stats(prs[0].pr_p, &st);
		snprintf(what, sizeof(what), "hard max %llu: sampled %llu times, at most %llu "
		    "resident, bound %llu", (unsigned long long)mx, (unsigned long long)w.wa_samples,
		    (unsigned long long)w.wa_worst, (unsigned long long)w.wa_bound);
		check(w.wa_settled && w.wa_samples > 0 && w.wa_worst <= w.wa_bound &&
		    w.wa_worst + threads >= mx, what);
		if (phase == 0) {
			snprintf(what, sizeof(what), "hard max: peak %llu, replaced %llu",
			    (unsigned long long)st.ps_resident_peak, (unsigned long long)st.ps_replaced);
			check(st.ps_resident_peak <= w.wa_bound && st.ps_replaced > 0 &&
			    st.ps_ws_max == mx && st.ps_ws_hard_max == 1, what);
		}
		phase_ok(prs, 2, phase == 0 ? "hardmax" : "hardmax lowered");
		/* lowered while A runs: its next faults give back the excess */
		mx = frames / 8;
		proc_start(&prs[0], quota / (uint64_t)threads / 4 + 1);
		check(vm_process_set_limits(prs[0].pr_p, 8, mx, VM_WS_HARD_MAX) == 0,
		    "limits: lowered while running");
		proc_join(&prs[0], false);
	}
	for (int i = 0; i < 2; i++) {
		wl_destroy(&prs[i].pr_sh);
		vm_process_destroy(prs[i].pr_p);
	}
}

static void run_min(uint64_t frames, int threads, uint64_t quota)
{
	struct proc prs[2];
	struct watch w = { 0 };
	struct vm_process_stats ss;
	pthread_t wt;
	uint64_t smin = frames / 8, spages = frames / 4;
	char what[160];

	proc_make(&prs[0], 1, spages, 1, WL_SCAN);
	proc_make(&prs[1], 2, 4 * frames, threads, WL_UNIFORM);
	check(vm_process_set_limits(prs[0].pr_p, smin, frames, 0) == 0 &&
	    vm_process_set_limits(prs[1].pr_p, 1, frames, 0) == 0, "limits: set");
	proc_start(&prs[0], spages);	/* every page of S, once */
	proc_join(&prs[0], false);
	check(resident(prs[0].pr_p) == spages, "min: S resident");
	w = (struct watch){ .wa_a = prs[0].pr_p, .wa_b = prs[1].pr_p, .wa_bound = smin };
	atomic_store(&w.wa_run, 1);
	if (pthread_create(&wt, NULL, watch_min, &w) != 0)
		die("cannot start the watcher");
	proc_start(&prs[1], quota / (uint64_t)threads + 1);
	proc_join(&prs[1], false);
	atomic_store(&w.wa_run, 0);
	pthread_join(wt, NULL);
	vm_process_get_stats(prs[0].pr_p, &ss);
	snprintf(what, sizeof(what), "min %llu: S trimmed %llu, resident %llu; %llu of %llu "
	    "samples had S below its minimum while L was above its own", (unsigned long long)smin,
	    (unsigned long long)ss.ps_trimmed, (unsigned long long)ss.ps_resident,
	    (unsigned long long)w.wa_bad, (unsigned long long)w.wa_samples);
	check(ss.ps_trimmed > 0 && ss.ps_resident >= smin && w.wa_bad == 0 && w.wa_samples > 0,
	    what);
	proc_start(&prs[0], spages);	/* S reads its pages back, verified */
	proc_join(&prs[0], false);
	phase_ok(prs, 2, "min");
	for (int i = 0; i < 2; i++) {
		wl_destroy(&prs[i].pr_sh);
		vm_process_destroy(prs[i].pr_p);
	}
}

int main(int argc, char **argv)
{
	static struct vm_tunables tun;
	struct vm_config mc;
	uint64_t frames, quota;
	int threads;
	char err[256];

	if (argc < 6) {
		fprintf(stderr, "usage: wsets NAME MODE FRAMES THREADS ACCESSES [KEY=VALUE...]\n");
		return 2;
	}
	name = argv[1];
	frames = strtoull(argv[3], NULL, 10);
	threads = atoi(argv[4]);
	quota = strtoull(argv[5], NULL, 10);
	if (frames < 64 || threads < 1 || threads > WL_MAX_THREADS)
		die("FRAMES at least 64, THREADS 1-" "64");
	tun = VM_TUNABLES_DEFAULT;
	tun.vt_max_faulters = threads + 2;
	/* the page file holds both regions (the commit limit) */
	mc = vm_config_pages(frames, 0, 8 * frames + frames / 4, &tun);
	space = VM_CONFIG_DEFAULT.vc_space;
	space.as_trim_policy = VM_TRIM_AGING;	/* the workload calls vm_process_touch */
	for (int i = 6; i < argc; i++) {
		if (strcmp(argv[i], "policy=fifo") == 0)
			space.as_trim_policy = VM_TRIM_FIFO;
		else if (strcmp(argv[i], "policy=random") == 0)
			space.as_trim_policy = VM_TRIM_RANDOM;
		else if (strcmp(argv[i], "policy=aging") != 0)
			die("unknown KEY=VALUE");
	}
	if (vm_create(&mc, &vm, err, sizeof(err)) != 0)
		die(err);
	if (strcmp(argv[2], "hardmax") == 0)
		run_hardmax(frames, threads, quota);
	else if (strcmp(argv[2], "min") == 0)
		run_min(frames, threads, quota);
	else
		die("MODE is hardmax or min");
	vm_destroy(vm);
	printf("%s: %d passed, %d failed\n", name, pass, fail);
	return fail != 0;
}
