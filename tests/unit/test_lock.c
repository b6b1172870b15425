/*
 * test_lock.c - unit tests of the lock and events: acquire, release and try;
 * the debug lock-order checker (a blocking acquire against the order panics,
 * lk_try against it does not); mutual exclusion between two threads with
 * both implementations; a contended waiter sleeping and being woken; events
 * with a stale snapshot and woken by another thread.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "vmtest.h"

static lk_t l_pte, l_pte2, l_pfn, l_pfn2, l_list, l_pgf;

static void init_locks(void)
{
	lk_init(&l_pte, LK_RANK_PTE);
	lk_init(&l_pte2, LK_RANK_PTE);
	lk_init(&l_pfn, LK_RANK_PFN);
	lk_init(&l_pfn2, LK_RANK_PFN);
	lk_init(&l_list, LK_RANK_LIST);
	lk_init(&l_pgf, LK_RANK_PGF);
}

static uint32_t word(lk_t *l)
{
	return atomic_load(&l->lk_word);
}

static void test_basics(void)
{
	CHECK("basic: initially free", word(&l_pfn) == 0 && l_pfn.lk_rank == LK_RANK_PFN);
	lk_acquire(&l_pfn);
	CHECK("basic: acquire takes it", word(&l_pfn) == 1);
	CHECK("basic: try on a held lock fails", !lk_try(&l_pfn));
	CHECK("basic: failed try leaves it held", word(&l_pfn) == 1);
#if VM_DEBUG >= 1
	CHECK("basic: held by this thread", lk_debug_held(&l_pfn) && lk_debug_depth() == 1);
#endif
	lk_release(&l_pfn);
	CHECK("basic: release frees it", word(&l_pfn) == 0);
#if VM_DEBUG >= 1
	CHECK("basic: no longer held", !lk_debug_held(&l_pfn) && lk_debug_depth() == 0);
#endif
	CHECK("basic: try on a free lock succeeds", lk_try(&l_pfn));
	CHECK("basic: try took it", word(&l_pfn) == 1);
#if VM_DEBUG >= 1
	CHECK("basic: try is recorded", lk_debug_held(&l_pfn) && lk_debug_depth() == 1);
#endif
	lk_release(&l_pfn);
	CHECK("basic: released again", word(&l_pfn) == 0);

	/* The whole hierarchy, downward, then released in any order. */
	lk_acquire(&l_pte);
	lk_acquire(&l_pfn);
	lk_acquire(&l_list);
	lk_acquire(&l_pgf);
#if VM_DEBUG >= 1
	CHECK("order: four held downward", lk_debug_depth() == 4);
#endif
	lk_release(&l_pfn);		/* not the newest */
	lk_release(&l_pgf);
	lk_release(&l_pte);
	lk_release(&l_list);
	CHECK("order: all free", word(&l_pte) == 0 && word(&l_pfn) == 0 &&
	    word(&l_list) == 0 && word(&l_pgf) == 0);
#if VM_DEBUG >= 1
	CHECK("order: none held", lk_debug_depth() == 0);
#endif

	/* Against the order, lk_try is allowed (plist_take_head's case). */
	lk_acquire(&l_list);
	CHECK("try against order: PFN under a list lock", lk_try(&l_pfn));
	CHECK("try against order: a second PFN lock", lk_try(&l_pfn2));
	CHECK("try against order: PTE under all of them", lk_try(&l_pte));
#if VM_DEBUG >= 1
	CHECK("try against order: all recorded", lk_debug_depth() == 4);
#endif
	lk_release(&l_list);
	lk_release(&l_pte);
	lk_release(&l_pfn2);
	lk_release(&l_pfn);
#if VM_DEBUG >= 1
	CHECK("try against order: none held", lk_debug_depth() == 0);
#endif
}

#if VM_DEBUG >= 1
static void child_lower_rank(void *arg)
{
	(void)arg;
	lk_acquire(&l_list);
	lk_acquire(&l_pte);
}

static void child_equal_rank(void *arg)
{
	(void)arg;
	lk_acquire(&l_pfn);
	lk_acquire(&l_pfn2);
}

static void child_two_pte(void *arg)
{
	(void)arg;
	lk_acquire(&l_pte);
	lk_acquire(&l_pte2);
}

/* A lock taken by lk_try still ranks: a blocking acquire under it must rank below. */
static void child_under_try(void *arg)
{
	(void)arg;
	lk_try(&l_list);
	lk_acquire(&l_pfn);
}

static void child_release_not_held(void *arg)
{
	(void)arg;
	lk_release(&l_pfn);
}

static void child_too_many(void *arg)
{
	static lk_t many[9];

	(void)arg;
	for (int i = 0; i < 9; i++) {
		lk_init(&many[i], LK_RANK_PFN);
		lk_try(&many[i]);
	}
}

static void child_in_order(void *arg)
{
	(void)arg;
	lk_acquire(&l_pte);
	lk_acquire(&l_pfn);
	lk_acquire(&l_list);
	lk_acquire(&l_pgf);
	lk_try(&l_pfn2);
	lk_try(&l_pte2);
}

static void test_order_checker(void)
{
	CHECK("checker: in-order acquires and trys survive", vmtest_child(child_in_order, NULL) == 0);
	CHECK("checker: PTE under LIST panics", vmtest_child(child_lower_rank, NULL) == SIGABRT);
	CHECK("checker: two PFN locks panic", vmtest_child(child_equal_rank, NULL) == SIGABRT);
	CHECK("checker: two PTE region locks panic", vmtest_child(child_two_pte, NULL) == SIGABRT);
	CHECK("checker: PFN under a tried LIST panics", vmtest_child(child_under_try, NULL) == SIGABRT);
	CHECK("checker: releasing a lock not held panics", vmtest_child(child_release_not_held, NULL) == SIGABRT);
	CHECK("checker: more than 8 held panics", vmtest_child(child_too_many, NULL) == SIGABRT);
}
#endif

/* ---- two threads ---- */

#define NINC 1000000

static lk_t l_count;
static uint64_t counter;		/* guarded by l_count */

static void *incrementer(void *arg)
{
	(void)arg;
	for (int i = 0; i < NINC; i++) {
		lk_acquire(&l_count);
		counter++;
		lk_release(&l_count);
	}
	return NULL;
}

static void count_with(enum lk_impl impl, const char *name)
{
	pthread_t a, b;

	vm_lock_impl_set(impl);
	lk_init(&l_count, LK_RANK_PFN);
	counter = 0;
	pthread_create(&a, NULL, incrementer, NULL);
	pthread_create(&b, NULL, incrementer, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	vm_lock_impl_set(LK_IMPL_FUTEX);
	CHECK(name, counter == 2ULL * NINC && word(&l_count) == 0);
}

static _Atomic int waiter_state;	/* 1 started, 2 got the lock */

static void *waiter(void *arg)
{
	lk_t *l = arg;

	atomic_store(&waiter_state, 1);
	lk_acquire(l);
	atomic_store(&waiter_state, 2);
	lk_release(l);
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A waiter spins, then marks the word contended (2) and sleeps; release wakes it. */
static void test_contended(void)
{
	pthread_t t;
	uint64_t before = vm_read(lk_stats.ls_contended[LK_CLASS_PFN]);
	bool contended = false;

	lk_init(&l_pfn, LK_RANK_PFN);
	atomic_store(&waiter_state, 0);
	lk_acquire(&l_pfn);
	pthread_create(&t, NULL, waiter, &l_pfn);
	for (int i = 0; i < 2000 && !contended; i++) {
		sleep_ms(1);
		contended = word(&l_pfn) == 2;
	}
	CHECK("contended: waiter marks the word", contended);
	CHECK("contended: waiter has not got it", atomic_load(&waiter_state) == 1);
	lk_release(&l_pfn);
	pthread_join(t, NULL);
	CHECK("contended: waiter woken and got it", atomic_load(&waiter_state) == 2);
	CHECK("contended: lock free at the end", word(&l_pfn) == 0);
	CHECK("contended: counted", vm_read(lk_stats.ls_contended[LK_CLASS_PFN]) == before + 1);
}

/* ---- events ---- */

static struct vm_event ev;
static _Atomic int ev_ready;
static _Atomic uint64_t ev_woke_ns;

static void *ev_waiter(void *arg)
{
	uint32_t snap = ev_snapshot(&ev);

	(void)arg;
	atomic_store(&ev_ready, 1);
	/* Spurious wakeups are allowed: wait until the sequence moves. */
	while (ev_snapshot(&ev) == snap)
		ev_wait(&ev, snap, 10000);
	atomic_store(&ev_woke_ns, vm_now_ns());
	return NULL;
}

static void test_events(void)
{
	uint32_t snap;
	uint64_t t0;
	pthread_t t;

	atomic_init(&ev.ev_seq, 0);
	atomic_init(&ev.ev_sleepers, 0);
	snap = ev_snapshot(&ev);
	ev_signal(&ev);
	CHECK("event: signal bumps the sequence", ev_snapshot(&ev) == snap + 1);
	t0 = vm_now_ns();
	ev_wait(&ev, snap, 5000);
	CHECK("event: stale snapshot returns at once", vm_now_ns() - t0 < 1000000000ULL);
	CHECK("event: no sleeper left", atomic_load(&ev.ev_sleepers) == 0);

	t0 = vm_now_ns();
	ev_wait(&ev, ev_snapshot(&ev), 50);
	CHECK("event: a timeout returns", vm_now_ns() - t0 < 5000000000ULL &&
	    atomic_load(&ev.ev_sleepers) == 0);

	atomic_store(&ev_ready, 0);
	atomic_store(&ev_woke_ns, 0);
	pthread_create(&t, NULL, ev_waiter, NULL);
	while (!atomic_load(&ev_ready))
		sleep_ms(1);
	sleep_ms(50);			/* let it get into futex_wait */
	CHECK("event: waiter still asleep", atomic_load(&ev_woke_ns) == 0);
	t0 = vm_now_ns();
	ev_signal(&ev);
	pthread_join(t, NULL);
	CHECK("event: waiter woken by the signal", atomic_load(&ev_woke_ns) != 0 &&
	    atomic_load(&ev_woke_ns) - t0 < 2000000000ULL);
	CHECK("event: sleepers back to zero", atomic_load(&ev.ev_sleepers) == 0);
}

int main(void)
{
	vmtest_watchdog("test_lock", 120);
	init_locks();
	test_basics();
#if VM_DEBUG >= 1
	test_order_checker();
#endif
	count_with(LK_IMPL_FUTEX, "mutual exclusion: 2 x 1e6 increments (futex)");
	count_with(LK_IMPL_SPIN, "mutual exclusion: 2 x 1e6 increments (spin)");
	test_contended();
	test_events();
	return check_done("test_lock");
}
