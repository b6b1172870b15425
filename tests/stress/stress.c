/*
 * stress.c - faulting user threads plus trimmer, writer and zero thread on
 * a small memory, in phases; between phases the threads stop, the system
 * threads park, and the whole structure is validated (expensively in debug
 * builds).  Every access is verified as in the simulator.
 *
 * usage: stress NAME THREADS FRAMES PAGES PGF_PAGES ITERS ACCESSES WRITE_RATIO MAX_RUN
 *               [PGF_PATH] [KEY=VALUE...]
 *   ACCESSES is per phase, over all threads.  Prints "NAME: N passed, N failed"
 *   where each phase's verification and validation is one check.  KEYs are
 *   scenario.h's: workload=runs|uniform|zipf|scan|phases, policy=aging|fifo|random,
 *   ro=FRACTION (read-only part; one more check: writes there were refused),
 *   prefetch=N (one more check: pages were read ahead), defrag=1,
 *   hints=1 (trim hints; one more check: hinted pages were trimmed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "vm_sim.h"
#include "workload.h"

static const char *const stress_keys[] = { "threads", "frames", "pages", "pgf" };

/* The run's statistics, for the log. */
static void stress_report(const char *name, struct vm *vm)
{
	struct vm_stats s;

	vm_get_stats(vm, &s);
	fprintf(stderr, "%s: prefetched %llu (used %llu, wasted %llu) violations %llu "
	    "defrag moves %llu write runs %llu\n", name,
	    (unsigned long long)s.vs_prefetched, (unsigned long long)s.vs_prefetch_used,
	    (unsigned long long)s.vs_prefetch_wasted, (unsigned long long)s.vs_access_violations,
	    (unsigned long long)s.vs_defrag_moves, (unsigned long long)s.vs_write_runs);
	fprintf(stderr, "%s: dz %llu soft %llu hard %llu trimmed %llu written %llu "
	    "repurposed %llu bounced %llu waits %llu\n", name,
	    (unsigned long long)s.vs_faults_dz,
	    (unsigned long long)(s.vs_faults_soft_standby + s.vs_faults_soft_modified),
	    (unsigned long long)s.vs_faults_hard, (unsigned long long)s.vs_trimmed,
	    (unsigned long long)s.vs_written, (unsigned long long)s.vs_repurposed,
	    (unsigned long long)s.vs_bounces, (unsigned long long)s.vs_waits_avail);
}

/* The positional arguments, as scenario words. */
static int stress_args(struct scn *sc, char **argv)
{
	char kv[64];

	for (int i = 0; i < 4; i++) {
		snprintf(kv, sizeof(kv), "%s=%s", stress_keys[i], argv[2 + i]);
		if (!scn_opt(sc, kv))
			return -1;
	}
	snprintf(kv, sizeof(kv), "write=%s", argv[8]);
	if (!scn_opt(sc, kv))
		return -1;
	snprintf(kv, sizeof(kv), "run=%s", argv[9]);
	return scn_opt(sc, kv) ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct scn sc;
	struct wl_shared sh;
	struct vm *vm;
	char err[512];
	int iters, pass = 0, fail = 0;
	uint64_t per_phase;

	if (argc < 10) {
		fprintf(stderr, "usage: stress NAME THREADS FRAMES PAGES PGF_PAGES ITERS ACCESSES "
		    "WRITE_RATIO MAX_RUN [PGF_PATH] [KEY=VALUE...]\n");
		return 2;
	}
	scn_init(&sc, argv[1]);
	if (stress_args(&sc, argv) != 0) {
		fprintf(stderr, "%s: bad THREADS, FRAMES, PAGES, PGF_PAGES, WRITE_RATIO or MAX_RUN\n",
		    argv[1]);
		return 2;
	}
	iters = atoi(argv[6]);
	per_phase = strtoull(argv[7], NULL, 10);
	for (int i = 10; i < argc; i++) {
		if (strchr(argv[i], '=') == NULL)
			sc.sc_vm.vc_machine.mc_pagefile_path = argv[i];
		else if (!scn_opt(&sc, argv[i])) {
			fprintf(stderr, "%s: unknown option %s\n", argv[1], argv[i]);
			return 2;
		}
	}
	scn_finish(&sc);
	if (vm_create(&sc.sc_vm, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 2;
	}
	if (wl_init(&sh, vm, &sc.sc_wl) != 0)
		return 2;
	for (int it = 0; it < iters; it++) {
		if (scn_run_threads(&sh, per_phase / (uint64_t)sc.sc_wl.wc_threads + 1, 0) != 0) {
			fprintf(stderr, "%s: cannot start the user threads\n", argv[1]);
			return 2;
		}
		if (scn_check_phase(argv[1], it, vm, &sh, VM_DEBUG >= 2))
			pass++;
		else
			fail++;
	}
	scn_check_features(&sc, vm, &sh, &pass, &fail);
	stress_report(argv[1], vm);
	wl_destroy(&sh);
	vm_destroy(vm);
	printf("%s: %d passed, %d failed\n", argv[1], pass, fail);
	return fail != 0;
}
