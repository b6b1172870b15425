/*
 * stress.c - faulting user threads plus trimmer, writer and zero thread on
 * a small memory, in phases; between phases the threads stop, the system
 * threads park, and the whole structure is validated (expensively in debug
 * builds).  Every access is verified as in the simulator.
 *
 * usage: stress NAME THREADS FRAMES PAGES PGF_PAGES ITERS ACCESSES WRITE_RATIO MAX_RUN
 *               [PGF_PATH] [KEY=VALUE...]
 *   ACCESSES is per phase, over all threads.  Prints "NAME: N passed, N failed"
 *   where each phase's verification and validation is one check.  KEYs:
 *   workload=runs|uniform|zipf|scan|phases, policy=aging|fifo|random,
 *   ro=FRACTION (read-only part; one more check: writes there were refused),
 *   prefetch=N (one more check: pages were read ahead), defrag=1,
 *   hints=1 (trim hints; one more check: hinted pages were trimmed).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "vm_internal.h"
#include "workload.h"

static long arg(char **argv, int i)
{
	return strtol(argv[i], NULL, 10);
}

/* One KEY=VALUE argument; returns false if unknown. */
static bool opt(const char *a, struct vm_config *cfg, struct wl_config *wc)
{
	static const char *const kinds[] = { "runs", "uniform", "zipf", "scan", "phases" };
	static const char *const policies[] = { "aging", "fifo", "random" };

	if (strncmp(a, "workload=", 9) == 0) {
		for (int i = 0; i < 5; i++)
			if (strcmp(a + 9, kinds[i]) == 0)
				wc->wc_kind = (enum wl_kind)i;
	} else if (strncmp(a, "policy=", 7) == 0) {
		for (int i = 0; i < 3; i++)
			if (strcmp(a + 7, policies[i]) == 0)
				cfg->vc_trim_policy = (enum vm_trim_policy)i;
	} else if (strncmp(a, "ro=", 3) == 0) {
		cfg->vc_readonly_fraction = strtod(a + 3, NULL);
	} else if (strncmp(a, "prefetch=", 9) == 0) {
		cfg->vc_prefetch = atoi(a + 9);
	} else if (strncmp(a, "defrag=", 7) == 0) {
		cfg->vc_defrag = atoi(a + 7);
	} else if (strncmp(a, "hints=", 6) == 0) {
		cfg->vc_trim_hints = atoi(a + 6);
	} else {
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct vm_config cfg = VM_CONFIG_DEFAULT;
	struct wl_config wc = { .wc_kind = WL_RUNS, .wc_seed = 42 };
	struct wl_shared sh;
	struct vm *vm;
	char err[512];
	int iters, pass = 0, fail = 0;
	uint64_t per_phase;

	if (argc < 10) {
		fprintf(stderr, "usage: stress NAME THREADS FRAMES PAGES PGF_PAGES ITERS ACCESSES "
		    "WRITE_RATIO MAX_RUN [PGF_PATH]\n");
		return 2;
	}
	wc.wc_threads = (int)arg(argv, 2);
	cfg.vc_physical = (uint64_t)arg(argv, 3) * VM_PAGE_SIZE;
	cfg.vc_virtual = (uint64_t)arg(argv, 4) * VM_PAGE_SIZE;
	cfg.vc_pagefile = (uint64_t)arg(argv, 5) * VM_PAGE_SIZE;
	iters = (int)arg(argv, 6);
	per_phase = (uint64_t)arg(argv, 7);
	wc.wc_write_ratio = strtod(argv[8], NULL);
	wc.wc_max_run = (int)arg(argv, 9);
	for (int i = 10; i < argc; i++) {
		if (strchr(argv[i], '=') == NULL)
			cfg.vc_pagefile_path = argv[i];
		else if (!opt(argv[i], &cfg, &wc)) {
			fprintf(stderr, "%s: unknown option %s\n", argv[1], argv[i]);
			return 2;
		}
	}
	wc.wc_phase_len = 2000;
	wc.wc_phase_pages = (uint64_t)arg(argv, 3) / 2;
	cfg.vc_image_fill = wl_image_fill;
	cfg.vc_max_faulters = wc.wc_threads;
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 2;
	}
	if (wl_init(&sh, vm, &wc) != 0)
		return 2;
	for (int it = 0; it < iters; it++) {
		pthread_t tid[WL_MAX_THREADS];
		struct wl_counts c;
		long bad;

		for (int i = 0; i < wc.wc_threads; i++) {
			sh.ws_threads[i].wt_quota = per_phase / (uint64_t)wc.wc_threads + 1;
			pthread_create(&tid[i], NULL, wl_thread_main, &sh.ws_threads[i]);
		}
		for (int i = 0; i < wc.wc_threads; i++)
			pthread_join(tid[i], NULL);
		vm_pause(vm);
		bad = vm_validate(vm, stderr, VM_DEBUG >= 2);
		vm_resume(vm);
		wl_sum(&sh, &c);
		if (bad == 0 && wl_failures(&c) == 0) {
			pass++;
		} else {
			fail++;
			fprintf(stderr, "%s: phase %d: %ld invalid, %llu wrong page, %llu zeroed, "
			    "%llu lost writes, %llu read-only writes let through\n", argv[1], it, bad,
			    (unsigned long long)c.wt_wrong_page, (unsigned long long)c.wt_zeroed,
			    (unsigned long long)c.wt_lost_write, (unsigned long long)c.wt_ro_written);
		}
	}
	{
		struct vm_stats s;
		struct wl_counts c;
		vm_get_stats(vm, &s);
		wl_sum(&sh, &c);
		if (cfg.vc_readonly_fraction > 0 && wc.wc_write_ratio > 0) {
			bool ok = c.wt_av > 0 && c.wt_av == s.vs_access_violations && c.wt_ro_reads > 0;
			pass += ok;
			fail += !ok;
			if (!ok)
				fprintf(stderr, "%s: read-only: %llu violations caught, %llu counted by "
				    "vmsim, %llu reads\n", argv[1], (unsigned long long)c.wt_av,
				    (unsigned long long)s.vs_access_violations,
				    (unsigned long long)c.wt_ro_reads);
		}
		if (cfg.vc_prefetch > 0) {
			bool ok = s.vs_prefetched > 0 &&
			    s.vs_prefetch_used + s.vs_prefetch_wasted <= s.vs_prefetched;
			pass += ok;
			fail += !ok;
			if (!ok)
				fprintf(stderr, "%s: prefetch: %llu read ahead, %llu used, %llu wasted\n",
				    argv[1], (unsigned long long)s.vs_prefetched,
				    (unsigned long long)s.vs_prefetch_used,
				    (unsigned long long)s.vs_prefetch_wasted);
		}
		if (cfg.vc_trim_hints) {
			bool ok = s.vs_trimmed_by_hint > 0 && s.vs_trimmed_by_hint <= s.vs_trimmed;
			pass += ok;
			fail += !ok;
			if (!ok)
				fprintf(stderr, "%s: trim hints: %llu of %llu trimmed by hint\n", argv[1],
				    (unsigned long long)s.vs_trimmed_by_hint,
				    (unsigned long long)s.vs_trimmed);
		}
		fprintf(stderr, "%s: prefetched %llu (used %llu, wasted %llu) violations %llu "
		    "defrag moves %llu write runs %llu\n", argv[1],
		    (unsigned long long)s.vs_prefetched, (unsigned long long)s.vs_prefetch_used,
		    (unsigned long long)s.vs_prefetch_wasted, (unsigned long long)s.vs_access_violations,
		    (unsigned long long)s.vs_defrag_moves, (unsigned long long)s.vs_write_runs);
	}
	{
		struct vm_stats s;
		vm_get_stats(vm, &s);
		fprintf(stderr, "%s: dz %llu soft %llu hard %llu trimmed %llu written %llu "
		    "repurposed %llu bounced %llu waits %llu\n", argv[1],
		    (unsigned long long)s.vs_faults_dz,
		    (unsigned long long)(s.vs_faults_soft_standby + s.vs_faults_soft_modified),
		    (unsigned long long)s.vs_faults_hard, (unsigned long long)s.vs_trimmed,
		    (unsigned long long)s.vs_written, (unsigned long long)s.vs_repurposed,
		    (unsigned long long)s.vs_bounces, (unsigned long long)s.vs_waits_avail);
	}
	wl_destroy(&sh);
	vm_destroy(vm);
	printf("%s: %d passed, %d failed\n", argv[1], pass, fail);
	return fail != 0;
}
