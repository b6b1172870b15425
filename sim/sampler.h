/*
 * sampler.h - the run's counters over time: one sampler feeds the
 * timeline's counter tracks (--timeline), the full-screen view (--live)
 * and the picture (--plot).
 *
 * The scheduler's loop (sched.c) calls smp_tick() at every step (at most
 * 20 ms apart); a point is taken when sm_period has passed since the last
 * one: the machine's counters (page-list sizes, available pages,
 * cumulative faults by kind, the system threads' busy time), the lock
 * statistics, the accesses so far, and for each process its working set
 * and limits.  Only the main thread calls it; a reader on another thread
 * is not supported.
 *
 * Bounded: at most SMP_MAX_POINTS points.  When full, every other point
 * is dropped and the period doubles, so the series always covers the whole
 * run at an even spacing (a 1-hour run at 50 ms starts keeps a point every
 * 6.4 s at the end).  Memory: a point is about 1K, plus 32 bytes per
 * process per point (1024 processes: 32M at most).
 */
#pragma once
#include <stdint.h>

#include "vm_sim.h"

#define SMP_MAX_POINTS	1024
#define SMP_PERIOD	0.05	/* seconds between points at the start */

/* One process at one point: all 0 while it is not running. */
struct smp_proc {
	uint64_t sp_resident;	/* valid PTEs: its working set */
	uint64_t sp_ws_min;	/* its limits, pages */
	uint64_t sp_ws_max;
	uint64_t sp_faults;	/* cumulative: demand-zero + soft + hard */
};

struct smp_point {
	double pt_t;			/* seconds since the run began */
	uint64_t pt_ns;			/* vm_now_ns() when it was taken (the timeline's clock) */
	uint64_t pt_accesses;		/* the user threads' accesses so far */
	struct vm_stats pt_stats;	/* the machine's counters then */
	struct vm_lock_stats pt_locks;	/* the lock statistics then (cumulative) */
};

struct sampler;

/*
 * A watcher of the run (the live view): smp_tick calls it at every tick,
 * after the point if one was taken, with what smp_tick was given; last is
 * the run's last tick (force).  It returns true to ask the run to end:
 * smp_tick then sets sm_stop, and the scheduler stops every process as at
 * the run's deadline.
 */
typedef bool smp_watch_fn(void *arg, const struct sampler *sm, struct vm *vm, double t,
    uint64_t accesses, struct vm_process *const *procs, bool last);

struct sampler {
	double sm_period;		/* seconds between points now */
	double sm_next;			/* when the next point is due */
	int sm_npoints;			/* points held, oldest first */
	int sm_nprocs;			/* processes tracked: the run's, --process order */
	struct smp_point *sm_points;	/* [SMP_MAX_POINTS] */
	struct smp_proc *sm_procs;	/* [SMP_MAX_POINTS][sm_nprocs] */
	smp_watch_fn *sm_watch;		/* NULL: none (smp_init) */
	void *sm_watch_arg;
	bool sm_stop;			/* the watcher asked the run to end */
};

/* Returns 0, or -1 if out of memory (nothing to free then). */
int smp_init(struct sampler *sm, int nprocs);
/* What smp_init allocates for nprocs processes, bytes (the preflight). */
uint64_t smp_footprint(int nprocs);
void smp_free(struct sampler *sm);

/*
 * At t seconds into the run: take a point if one is due, or if force (the
 * run's last point).  procs[i] is process i, NULL while it is not running.
 * Returns true if a point was taken.
 */
bool smp_tick(struct sampler *sm, struct vm *vm, double t, uint64_t accesses,
    struct vm_process *const *procs, bool force);

/*
 * What a point holds, read now into pt and sp[0 .. sm_nprocs-1] (procs[p]
 * NULL: zeros), stored nowhere: for a reader that needs the present
 * between points (the live view).  smp_tick takes its points with it.
 */
void smp_read(const struct sampler *sm, struct vm *vm, double t, uint64_t accesses,
    struct vm_process *const *procs, struct smp_point *pt, struct smp_proc *sp);

/* Point i (0 .. sm_npoints-1), and process p at it. */
static inline const struct smp_point *smp_point(const struct sampler *sm, int i)
{
	return &sm->sm_points[i];
}

static inline const struct smp_proc *smp_proc_at(const struct sampler *sm, int i, int p)
{
	return &sm->sm_procs[(size_t)i * (size_t)sm->sm_nprocs + (size_t)p];
}

/*
 * A count's rate per second between points i-1 and i (0 at point 0), from
 * the two points' values of one cumulative counter.
 */
double smp_rate(const struct sampler *sm, int i, uint64_t before, uint64_t now);
