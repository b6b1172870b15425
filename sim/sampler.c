/*
 * sampler.c - the run's counters over time (sampler.h).
 */
#include <stdlib.h>
#include <string.h>

#include "sampler.h"

uint64_t smp_footprint(int nprocs)
{
	return (uint64_t)SMP_MAX_POINTS * (sizeof(struct smp_point) +
	    (uint64_t)(nprocs > 0 ? nprocs : 1) * sizeof(struct smp_proc));
}

int smp_init(struct sampler *sm, int nprocs)
{
	memset(sm, 0, sizeof(*sm));
	sm->sm_period = SMP_PERIOD;
	sm->sm_nprocs = nprocs;
	sm->sm_points = calloc(SMP_MAX_POINTS, sizeof(*sm->sm_points));
	sm->sm_procs = calloc((size_t)SMP_MAX_POINTS * (size_t)(nprocs > 0 ? nprocs : 1),
	    sizeof(*sm->sm_procs));
	if (sm->sm_points == NULL || sm->sm_procs == NULL) {
		smp_free(sm);
		return -1;
	}
	return 0;
}

void smp_free(struct sampler *sm)
{
	free(sm->sm_points);
	free(sm->sm_procs);
	sm->sm_points = NULL;
	sm->sm_procs = NULL;
	sm->sm_npoints = 0;
}

/* Full: keep points 0, 2, 4, ... and double the period. */
static void smp_halve(struct sampler *sm)
{
	size_t np = (size_t)sm->sm_nprocs;
	int n = 0;

	for (int i = 0; i < sm->sm_npoints; i += 2, n++) {
		sm->sm_points[n] = sm->sm_points[i];
		memmove(&sm->sm_procs[(size_t)n * np], &sm->sm_procs[(size_t)i * np],
		    np * sizeof(*sm->sm_procs));
	}
	sm->sm_npoints = n;
	sm->sm_period *= 2;
}

void smp_read(const struct sampler *sm, struct vm *vm, double t, uint64_t accesses,
    struct vm_process *const *procs, struct smp_point *pt, struct smp_proc *sp)
{
	struct vm_process_stats ps;

	pt->pt_t = t;
	pt->pt_ns = vm_now_ns();
	pt->pt_accesses = accesses;
	vm_get_stats(vm, &pt->pt_stats);
	vm_lock_stats_get(&pt->pt_locks);
	for (int p = 0; p < sm->sm_nprocs; p++) {
		memset(&sp[p], 0, sizeof(sp[p]));
		if (procs[p] == NULL)
			continue;
		vm_process_get_stats(procs[p], &ps);
		sp[p].sp_resident = ps.ps_resident;
		sp[p].sp_ws_min = ps.ps_ws_min;
		sp[p].sp_ws_max = ps.ps_ws_max;
		sp[p].sp_faults = ps.ps_faults_dz + ps.ps_faults_soft + ps.ps_faults_hard;
	}
}

/* A point at t, now. */
static void smp_take(struct sampler *sm, struct vm *vm, double t, uint64_t accesses,
    struct vm_process *const *procs)
{
	if (sm->sm_npoints == SMP_MAX_POINTS)
		smp_halve(sm);
	smp_read(sm, vm, t, accesses, procs, &sm->sm_points[sm->sm_npoints],
	    &sm->sm_procs[(size_t)sm->sm_npoints * (size_t)sm->sm_nprocs]);
	sm->sm_npoints++;
	/* the next one a period after this one's due time, never in the past */
	sm->sm_next += sm->sm_period;
	if (sm->sm_next <= t)
		sm->sm_next = t + sm->sm_period;
}

bool smp_tick(struct sampler *sm, struct vm *vm, double t, uint64_t accesses,
    struct vm_process *const *procs, bool force)
{
	bool due = force || t >= sm->sm_next;

	if (due)
		smp_take(sm, vm, t, accesses, procs);
	if (sm->sm_watch != NULL &&
	    sm->sm_watch(sm->sm_watch_arg, sm, vm, t, accesses, procs, force))
		sm->sm_stop = true;
	return due;
}

double smp_rate(const struct sampler *sm, int i, uint64_t before, uint64_t now)
{
	double dt;

	if (i <= 0 || i >= sm->sm_npoints)
		return 0;
	dt = sm->sm_points[i].pt_t - sm->sm_points[i - 1].pt_t;
	return dt > 0 && now >= before ? (double)(now - before) / dt : 0;
}
