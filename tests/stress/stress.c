/*
 * stress.c - faulting user threads plus trimmer, writer and zero thread on
 * a small memory, in phases; between phases the threads stop, the system
 * threads park, and the whole structure is validated (expensively in debug
 * builds).  Every access is verified as in the simulator.
 *
 * usage: stress NAME THREADS FRAMES PAGES PGF_PAGES ITERS ACCESSES WRITE_RATIO MAX_RUN [PGF_PATH]
 *   ACCESSES is per phase, over all threads.  Prints "NAME: N passed, N failed"
 *   where each phase's verification and validation is one check.
 */
#include <pthread.h>
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
	cfg.vc_pagefile_path = argc > 10 ? argv[10] : NULL;
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
		if (bad == 0 && c.wt_wrong_page + c.wt_zeroed + c.wt_lost_write == 0) {
			pass++;
		} else {
			fail++;
			fprintf(stderr, "%s: phase %d: %ld invalid, %llu wrong page, %llu zeroed, "
			    "%llu lost writes\n", argv[1], it, bad, (unsigned long long)c.wt_wrong_page,
			    (unsigned long long)c.wt_zeroed, (unsigned long long)c.wt_lost_write);
		}
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
