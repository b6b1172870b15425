/*
 * test_park.c - parking system threads (vm_park.h): pause waits until every
 * started thread is parked, and nothing runs meanwhile; resume lets them
 * go; a failed instance's threads park until stopped; stop makes every
 * thread leave.  Two parks are independent (one per instance).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "check.h"
#include "vmtest.h"

#define NT 3

struct worker {
	struct vm_park *w_pk;
	_Atomic bool *w_failed;
	_Atomic uint64_t w_loops;
	_Atomic int w_done;
};

static void nap(void)
{
	struct timespec ts = { 0, 5 * 1000000 };

	nanosleep(&ts, NULL);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (park_check(w->w_pk, atomic_load(w->w_failed))) {
		atomic_fetch_add(&w->w_loops, 1);
		nap();
	}
	atomic_store(&w->w_done, 1);
	return NULL;
}

static _Atomic int kicks;

static void kick(void *arg)
{
	(void)arg;
	atomic_fetch_add(&kicks, 1);
}

static uint64_t loops(struct worker *w, int n)
{
	uint64_t s = 0;

	for (int i = 0; i < n; i++)
		s += atomic_load(&w[i].w_loops);
	return s;
}

int main(void)
{
	struct vm_park pk, other;
	struct worker w[NT], o = { 0 };
	pthread_t t[NT], ot;
	_Atomic bool failed = false, ofailed = false;
	uint64_t before;
	int done = 0;

	vmtest_watchdog("test_park", 60);
	park_init(&pk);
	park_init(&other);
	CHECK("quiet: no thread started", park_quiet(&pk));
	for (int i = 0; i < NT; i++) {
		w[i] = (struct worker){ .w_pk = &pk, .w_failed = &failed };
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	park_started(&pk, NT);
	o = (struct worker){ .w_pk = &other, .w_failed = &ofailed };
	pthread_create(&ot, NULL, worker_main, &o);
	park_started(&other, 1);
	CHECK("running: not quiet", !park_quiet(&pk));
	while (loops(w, NT) < 3 * NT)
		nap();

	park_pause(&pk, kick, NULL);
	CHECK("pause: every thread parked", pk.pk_parked == NT && park_quiet(&pk));
	before = loops(w, NT);
	uint64_t obefore = atomic_load(&o.w_loops);
	for (int i = 0; i < 10; i++)
		nap();
	CHECK("pause: nothing runs while paused", loops(w, NT) == before);
	CHECK("pause: another park's thread runs on", atomic_load(&o.w_loops) > obefore);

	park_resume(&pk);
	while (loops(w, NT) < before + NT)
		nap();
	CHECK("resume: they run again", loops(w, NT) >= before + NT && !park_quiet(&pk));

	atomic_store(&failed, true);
	for (int i = 0; i < 100 && pk.pk_parked < NT; i++)
		nap();
	before = loops(w, NT);
	for (int i = 0; i < 10; i++)
		nap();
	CHECK("failed: parked for good", pk.pk_parked == NT && loops(w, NT) == before);
	park_resume(&pk);
	for (int i = 0; i < 10; i++)
		nap();
	CHECK("failed: a resume does not wake them", loops(w, NT) == before);

	park_stop(&pk);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NT; i++)
		done += atomic_load(&w[i].w_done);
	CHECK("stop: every thread left", done == NT && !park_check(&pk, false));
	park_stop(&other);
	pthread_join(ot, NULL);
	CHECK("stop: the other too", atomic_load(&o.w_done) == 1);
	park_destroy(&pk);
	park_destroy(&other);
	return check_done("test_park");
}
