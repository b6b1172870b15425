/*
 * vm_park.c - parking system threads (vm_park.h).
 * Layer 0: knows no struct vm.
 */
#include <time.h>

#include "vm_park.h"

void park_init(struct vm_park *pk)
{
	pthread_mutex_init(&pk->pk_mtx, NULL);
	pthread_cond_init(&pk->pk_cv, NULL);
	pk->pk_nthreads = 0;
	atomic_init(&pk->pk_parked, 0);
	atomic_init(&pk->pk_pause, 0);
	atomic_init(&pk->pk_stop, 0);
}

void park_destroy(struct vm_park *pk)
{
	pthread_cond_destroy(&pk->pk_cv);
	pthread_mutex_destroy(&pk->pk_mtx);
}

/* nthreads system threads now run (and may park). */
void park_started(struct vm_park *pk, int nthreads)
{
	pk->pk_nthreads = nthreads;
}

/*
 * A system thread's safe point.  Parks while a pause is asked for or the
 * instance has failed (a failed instance's threads stay parked until they
 * are stopped); returns false when the thread should exit.
 */
bool park_check(struct vm_park *pk, bool failed)
{
	if (atomic_load(&pk->pk_stop))
		return false;
	if (!atomic_load(&pk->pk_pause) && !failed)
		return true;
	pthread_mutex_lock(&pk->pk_mtx);
	pk->pk_parked++;
	pthread_cond_broadcast(&pk->pk_cv);
	while ((atomic_load(&pk->pk_pause) || failed) && !atomic_load(&pk->pk_stop))
		pthread_cond_wait(&pk->pk_cv, &pk->pk_mtx);
	pk->pk_parked--;
	pthread_mutex_unlock(&pk->pk_mtx);
	return !atomic_load(&pk->pk_stop);
}

/* Ask every started thread to park and wait until it has; kick(arg) wakes
 * them from their events, every 10 ms until they are all parked.  Pauses
 * nest: each counts, and the threads go on at the last park_resume(). */
void park_pause(struct vm_park *pk, void (*kick)(void *arg), void *arg)
{
	pthread_mutex_lock(&pk->pk_mtx);
	atomic_fetch_add(&pk->pk_pause, 1);
	while (pk->pk_parked < pk->pk_nthreads) {
		struct timespec ts;

		kick(arg);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&pk->pk_cv, &pk->pk_mtx, &ts);
	}
	pthread_mutex_unlock(&pk->pk_mtx);
}

void park_resume(struct vm_park *pk)
{
	pthread_mutex_lock(&pk->pk_mtx);
	if (atomic_load(&pk->pk_pause) > 0 && atomic_fetch_sub(&pk->pk_pause, 1) == 1)
		pthread_cond_broadcast(&pk->pk_cv);
	pthread_mutex_unlock(&pk->pk_mtx);
}

/* From now on park_check() returns false, and parked threads wake to exit. */
void park_stop(struct vm_park *pk)
{
	pthread_mutex_lock(&pk->pk_mtx);
	atomic_store(&pk->pk_stop, 1);
	pthread_cond_broadcast(&pk->pk_cv);
	pthread_mutex_unlock(&pk->pk_mtx);
}
