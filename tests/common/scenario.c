/*
 * scenario.c - configurations, phases and checks shared by the stress test
 * and the soak (see scenario.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario.h"

static const char *const scn_kinds[] = { "runs", "uniform", "zipf", "scan", "phases" };
static const char *const scn_policies[] = { "aging", "fifo", "random" };

void scn_init(struct scn *sc, const char *name)
{
	memset(sc, 0, sizeof(*sc));
	sc->sc_name = name;
	sc->sc_vm = VM_CONFIG_DEFAULT;
	sc->sc_tun = VM_TUNABLES_DEFAULT;
	sc->sc_vm.vc_machine.mc_tunables = &sc->sc_tun;
	sc->sc_vm.vc_space.as_trim_policy = VM_TRIM_AGING;	/* the workload calls vm_touch */
	sc->sc_vm.vc_space.as_image_fill = wl_image_fill;
	sc->sc_wl.wc_kind = WL_RUNS;
	sc->sc_wl.wc_threads = 2;
	sc->sc_wl.wc_write_ratio = 0.5;
	sc->sc_wl.wc_seed = 42;
	sc->sc_wl.wc_max_run = 16;
	sc->sc_wl.wc_phase_len = 2000;
}

/* s as a whole number in [lo, hi]; false if it is not one. */
static bool scn_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* s as a fraction in [0, 1]. */
static bool scn_frac(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0))
		return false;
	*out = v;
	return true;
}

/* s as one of names[0..n); its index in *out. */
static bool scn_name(const char *s, const char *const *names, int n, int *out)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* The size keys: counts of pages (or threads), stored where they belong. */
static bool scn_opt_size(struct scn *sc, const char *key, const char *val)
{
	long v;

	if (strcmp(key, "threads") == 0 && scn_num(val, 1, WL_MAX_THREADS, &v))
		sc->sc_wl.wc_threads = (int)v;
	else if (strcmp(key, "frames") == 0 && scn_num(val, 1, 1L << 24, &v))
		sc->sc_vm.vc_machine.mc_physical = (uint64_t)v * VM_PAGE_SIZE;
	else if (strcmp(key, "pages") == 0 && scn_num(val, 1, 1L << 28, &v))
		sc->sc_vm.vc_space.as_virtual = (uint64_t)v * VM_PAGE_SIZE;
	else if (strcmp(key, "pgf") == 0 && scn_num(val, 0, 1L << 28, &v))
		sc->sc_vm.vc_machine.mc_pagefile = (uint64_t)v * VM_PAGE_SIZE;
	else if (strcmp(key, "run") == 0 && scn_num(val, 1, 1L << 20, &v))
		sc->sc_wl.wc_max_run = (int)v;
	else
		return false;
	return true;
}

bool scn_opt(struct scn *sc, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[32];
	const char *val;
	long v;
	int i;

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof(key))
		return false;
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	val = eq + 1;
	if (scn_opt_size(sc, key, val))
		return true;
	if (strcmp(key, "write") == 0)
		return scn_frac(val, &sc->sc_wl.wc_write_ratio);
	if (strcmp(key, "ro") == 0)
		return scn_frac(val, &sc->sc_vm.vc_space.as_readonly_fraction);
	if (strcmp(key, "workload") == 0 && scn_name(val, scn_kinds, 5, &i)) {
		sc->sc_wl.wc_kind = (enum wl_kind)i;
		return true;
	}
	if (strcmp(key, "policy") == 0 && scn_name(val, scn_policies, 3, &i)) {
		sc->sc_vm.vc_space.as_trim_policy = (enum vm_trim_policy)i;
		return true;
	}
	if (strcmp(key, "prefetch") == 0 && scn_num(val, 0, 63, &v)) {
		sc->sc_vm.vc_space.as_prefetch = (int)v;
		return true;
	}
	if (strcmp(key, "defrag") == 0 && scn_num(val, 0, 1, &v)) {
		sc->sc_vm.vc_machine.mc_defrag = (int)v;
		return true;
	}
	if (strcmp(key, "hints") == 0 && scn_num(val, 0, 1, &v)) {
		sc->sc_tun.vt_trim_hints = (int)v;
		return true;
	}
	return false;
}

void scn_finish(struct scn *sc)
{
	sc->sc_tun.vt_max_faulters = sc->sc_wl.wc_threads;
	if (sc->sc_wl.wc_phase_pages == 0)
		sc->sc_wl.wc_phase_pages = sc->sc_vm.vc_machine.mc_physical / VM_PAGE_SIZE / 2;
}

/* Sleep until `deadline` (vm_now_ns) or ws_stop, in steps of 20 ms. */
static void scn_sleep_until(struct wl_shared *sh, uint64_t deadline)
{
	for (;;) {
		uint64_t now = vm_now_ns(), step = 20000000;
		struct timespec ts;

		if (now >= deadline || atomic_load(&sh->ws_stop))
			return;
		if (deadline - now < step)
			step = deadline - now;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)step;
		nanosleep(&ts, NULL);
	}
}

int scn_run_threads(struct wl_shared *sh, uint64_t quota, double seconds)
{
	pthread_t tid[WL_MAX_THREADS];
	int n = sh->ws_cfg.wc_threads, started, rc = 0;

	atomic_store(&sh->ws_stop, 0);
	for (started = 0; started < n; started++) {
		sh->ws_threads[started].wt_quota = quota ? quota : UINT64_MAX;
		if (pthread_create(&tid[started], NULL, wl_thread_main,
		    &sh->ws_threads[started]) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && quota == 0)
		scn_sleep_until(sh, vm_now_ns() + (uint64_t)(seconds * 1e9));
	if (rc != 0 || quota == 0)
		atomic_store(&sh->ws_stop, 1);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	atomic_store(&sh->ws_stop, 0);
	return rc;
}

bool scn_check_phase(const char *name, int phase, struct vm *vm, struct wl_shared *sh,
    int expensive)
{
	struct wl_counts c;
	long bad;

	vm_pause(vm);
	bad = vm_validate(vm, stderr, expensive);
	vm_resume(vm);
	wl_sum(sh, &c);
	if (bad == 0 && wl_failures(&c) == 0)
		return true;
	fprintf(stderr, "%s: phase %d: %ld invalid, %llu wrong page, %llu zeroed, "
	    "%llu lost writes, %llu read-only writes let through\n", name, phase, bad,
	    (unsigned long long)c.wt_wrong_page, (unsigned long long)c.wt_zeroed,
	    (unsigned long long)c.wt_lost_write, (unsigned long long)c.wt_ro_written);
	return false;
}

/* Count one check. */
static void scn_tally(bool ok, int *pass, int *fail)
{
	*pass += ok;
	*fail += !ok;
}

void scn_check_features(const struct scn *sc, struct vm *vm, const struct wl_shared *sh,
    int *pass, int *fail)
{
	struct vm_stats s;
	struct wl_counts c;
	bool ok;

	vm_get_stats(vm, &s);
	wl_sum(sh, &c);
	if (sc->sc_vm.vc_space.as_readonly_fraction > 0 && sc->sc_wl.wc_write_ratio > 0) {
		ok = c.wt_av > 0 && c.wt_av == s.vs_access_violations && c.wt_ro_reads > 0;
		scn_tally(ok, pass, fail);
		if (!ok)
			fprintf(stderr, "%s: read-only: %llu violations caught, %llu counted by "
			    "vmsim, %llu reads\n", sc->sc_name, (unsigned long long)c.wt_av,
			    (unsigned long long)s.vs_access_violations,
			    (unsigned long long)c.wt_ro_reads);
	}
	if (sc->sc_vm.vc_space.as_prefetch > 0) {
		ok = s.vs_prefetched > 0 && s.vs_prefetch_used + s.vs_prefetch_wasted <= s.vs_prefetched;
		scn_tally(ok, pass, fail);
		if (!ok)
			fprintf(stderr, "%s: prefetch: %llu read ahead, %llu used, %llu wasted\n",
			    sc->sc_name, (unsigned long long)s.vs_prefetched,
			    (unsigned long long)s.vs_prefetch_used,
			    (unsigned long long)s.vs_prefetch_wasted);
	}
	if (sc->sc_tun.vt_trim_hints) {
		ok = s.vs_trimmed_by_hint > 0 && s.vs_trimmed_by_hint <= s.vs_trimmed;
		scn_tally(ok, pass, fail);
		if (!ok)
			fprintf(stderr, "%s: trim hints: %llu of %llu trimmed by hint\n", sc->sc_name,
			    (unsigned long long)s.vs_trimmed_by_hint, (unsigned long long)s.vs_trimmed);
	}
}
