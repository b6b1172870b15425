/*
 * vm_park.h - parking an instance's system threads at a safe point.
 *
 * Each system thread calls park_check() at the top of its loop.  It
 * returns at once unless a pause is asked for (vm_pause, or a process's
 * teardown; pauses nest, counted), the instance has
 * failed (it parks for good), or the threads are to stop.  park_pause()
 * asks, and waits until every started thread is parked; park_resume()
 * lets them go; park_stop() makes park_check() return false.
 *
 * Locking key:  (c) constant between park_started() and park_stop()
 *   (a) atomic ops only   (M) pk_mtx
 * The mutex and condition variable are for system threads and the
 * pausing thread only, never the fault path.
 */
#pragma once
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct vm_park {
	pthread_mutex_t pk_mtx;
	pthread_cond_t pk_cv;		/* a thread parked, or the request changed (M) */
	int pk_nthreads;		/* system threads started (c) */
	_Atomic int pk_parked;		/* of which parked now: written under (M), read
					 * without (the tests) */
	_Atomic int pk_pause;		/* pauses asked for and not resumed: they
					 * nest (written under (M), read (a)) */
	_Atomic int pk_stop;		/* the threads are to exit (a) */
};

/* "vm_park.c" */
void park_init(struct vm_park *pk);
void park_destroy(struct vm_park *pk);
void park_started(struct vm_park *pk, int nthreads);
bool park_check(struct vm_park *pk, bool failed);
void park_pause(struct vm_park *pk, void (*kick)(void *arg), void *arg);
void park_resume(struct vm_park *pk);
void park_stop(struct vm_park *pk);

/* No system thread is running unparked, or one is being asked to park: the
 * working-set controls may run on the caller's thread. */
static inline bool park_quiet(struct vm_park *pk)
{
	return pk->pk_nthreads == 0 || atomic_load(&pk->pk_pause);
}
