/*
 * test_rwlock.c - unit tests of the shared/exclusive use of a lock (the
 * page lists' locks): sharers together, a writer alone; a writer waiting
 * behind a sharer holds off new sharers and is woken by the last one out;
 * mixed sharers and writers keep the writers' invariant, with every lock
 * implementation (futex, spin, mutex); and shared unlinks from the middle
 * of a page list racing each other and exclusive inserts and head takes.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "vmtest.h"

static lk_t rw;

static uint32_t word(void)
{
	return atomic_load(&rw.lk_word);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_basics(void)
{
	lk_init(&rw, LK_RANK_LIST);
	lk_acquire_shared(&rw);
	CHECK("basic: one sharer", word() == LK_RW_READER);
	atomic_fetch_add(&rw.lk_word, LK_RW_READER);	/* a sharer on another thread */
	CHECK("basic: two sharers", word() == 2 * LK_RW_READER);
	CHECK("basic: they keep a writer out", (word() & LK_RW_WRITER) == 0);
	atomic_fetch_sub(&rw.lk_word, LK_RW_READER);
	lk_release_shared(&rw);
	CHECK("basic: sharers gone", word() == 0);
	lk_acquire_excl(&rw);
	CHECK("basic: exclusive", word() == LK_RW_WRITER);
#if VM_DEBUG >= 1
	CHECK("basic: exclusive is recorded", lk_debug_held(&rw) && lk_debug_depth() == 1);
#endif
	lk_release_excl(&rw);
	CHECK("basic: free again", word() == 0);
}

static _Atomic int state;	/* 1 started, 2 got it */

static void *writer(void *arg)
{
	(void)arg;
	atomic_store(&state, 1);
	lk_acquire_excl(&rw);
	atomic_store(&state, 2);
	lk_release_excl(&rw);
	return NULL;
}

/* A writer behind a sharer (on no thread: its count is planted) sets WANT,
 * sleeps, and is woken by the last sharer's release. */
static void test_writer_woken(void)
{
	pthread_t t;
	bool slept = false;

	lk_init(&rw, LK_RANK_LIST);
	atomic_store(&state, 0);
	atomic_fetch_add(&rw.lk_word, LK_RW_READER);
	pthread_create(&t, NULL, writer, NULL);
	for (int i = 0; i < 2000 && !slept; i++) {
		sleep_ms(1);
		slept = (word() & (LK_RW_WANT | LK_RW_SLEEP)) == (LK_RW_WANT | LK_RW_SLEEP);
	}
	CHECK("writer woken: wants and sleeps", slept);
	CHECK("writer woken: has not got it", atomic_load(&state) == 1);
	lk_debug_push(&rw, false);	/* lk_release_shared() pops it */
	lk_release_shared(&rw);
	pthread_join(t, NULL);
	CHECK("writer woken: got it and released", atomic_load(&state) == 2 && word() == 0);
}

#define NITER 200000

static uint64_t a_val, b_val;	/* writers keep a == b; sharers check it */
static _Atomic uint64_t bad, shared_seen;

static void *mixer(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg + 1;

	for (int i = 0; i < NITER; i++) {
		if (vm_rand(&rng) % 4 == 0) {
			lk_acquire_excl(&rw);
			a_val++;
			b_val++;
			lk_release_excl(&rw);
		} else {
			lk_acquire_shared(&rw);
			if (__atomic_load_n(&a_val, __ATOMIC_RELAXED) !=
			    __atomic_load_n(&b_val, __ATOMIC_RELAXED))
				atomic_fetch_add(&bad, 1);
			if (word() >= 2 * LK_RW_READER)
				atomic_fetch_add(&shared_seen, 1);
			lk_release_shared(&rw);
		}
	}
	return NULL;
}

static void mix_with(enum lk_impl impl, const char *name)
{
	pthread_t t[3];

	vm_lock_impl_set(impl);
	lk_init(&rw, LK_RANK_LIST);
	a_val = b_val = 0;
	atomic_store(&bad, 0);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, mixer, (void *)(uintptr_t)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	vm_lock_impl_set(LK_IMPL_FUTEX);
	CHECK(name, atomic_load(&bad) == 0 && a_val == b_val && word() == 0);
}

/* ---- page lists: shared middle unlinks against exclusive inserts/takes ---- */

#define NFRAMES 256
static struct vm vm;

static void *list_churn(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg * 77 + 1;

	for (int i = 0; i < 100000; i++) {
		struct pfn *pf;
		if (vm_rand(&rng) % 3 == 0) {
			pf = plist_take_head(&vm, PFN_STATE_STANDBY);
			if (pf == NULL)
				continue;
		} else {
			pf = &vm.vm_pfns[vm_rand(&rng) % NFRAMES];
			if (!lk_try(&pf->pf_lock))
				continue;
			if (!pf->pf_onlist) {
				lk_release(&pf->pf_lock);
				continue;
			}
			plist_remove(&vm, pf);
		}
		plist_insert_tail(&vm, pf);
		lk_release(&pf->pf_lock);
	}
	return NULL;
}

static bool list_sane(void)
{
	struct plist *pl = &vm.vm_standby[0];	/* the frames' priority (pf_priority 0) */
	uint32_t prev = PFN_NONE, n = 0;

	for (uint32_t i = pl->pl_head; i != PFN_NONE; i = vm.vm_pfns[i].pf_flink, n++) {
		if (vm.vm_pfns[i].pf_blink != prev || !vm.vm_pfns[i].pf_onlist || n > NFRAMES)
			return false;
		prev = i;
	}
	return pl->pl_tail == prev && n == NFRAMES && plist_count(pl) == NFRAMES &&
	    plist_count(vm_list(&vm, PFN_STATE_STANDBY)) == NFRAMES;
}

/* A sharer holding the lock does not keep a second sharer out (a
 * deterministic check; whether sharers overlap by chance in the mixed test
 * depends on the scheduler). */
static void *second_sharer(void *arg)
{
	(void)arg;
	lk_acquire_shared(&rw);
	atomic_store(&shared_seen, (uint64_t)(word() / LK_RW_READER));
	lk_release_shared(&rw);
	return NULL;
}

static void test_two_sharers(void)
{
	pthread_t t;

	vm_lock_impl_set(LK_IMPL_FUTEX);
	lk_init(&rw, LK_RANK_LIST);
	atomic_store(&shared_seen, 0);
	lk_acquire_shared(&rw);
	pthread_create(&t, NULL, second_sharer, NULL);
	pthread_join(t, NULL);
	CHECK("two sharers hold the lock at once", atomic_load(&shared_seen) == 2);
	lk_release_shared(&rw);
	CHECK("two sharers: free again", word() == 0);
}

static void test_list_race(int shared, const char *name)
{
	pthread_t t[3];

	if (vmtest_init(&vm, NFRAMES, 64, 64) != 0) {
		fprintf(stderr, "cannot build the vm\n");
		exit(2);
	}
	/* Every frame to standby, priority 0 (no owner needed for list churn). */
	for (uint32_t f = 0; f < NFRAMES; f++) {
		struct pfn *pf = plist_take_head(&vm, PFN_STATE_FREE);
		pf->pf_state = PFN_STATE_STANDBY;
		plist_insert_tail(&vm, pf);
		lk_release(&pf->pf_lock);
	}
	vm.vm_tun.vt_shared_unlink = shared;
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, list_churn, (void *)(uintptr_t)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(name, list_sane());
	vm_structs_destroy(&vm);
}

int main(void)
{
	test_basics();
	test_writer_woken();
	mix_with(LK_IMPL_FUTEX, "mixed: futex keeps the writers' invariant");
	mix_with(LK_IMPL_SPIN, "mixed: spin keeps the writers' invariant");
	mix_with(LK_IMPL_MUTEX, "mixed: mutex keeps the writers' invariant");
	test_two_sharers();
	test_list_race(1, "list race: shared unlinks leave a sane list");
	test_list_race(0, "list race: exclusive unlinks leave a sane list");
	return check_done("rwlock");
}
