/*
 * vm_lock.c - the slow paths of the lock, its process-wide wait statistics
 * and the per-thread accounting pointer, and the debug-build lock-order
 * checker.  The benchmark compiles it a second time with VM_LOCK_VARIANTS
 * (vm_sim.h).
 * Layer 0: knows no struct vm; calls vm_timeline.c (long waits on the
 * timeline).
 */
#include <errno.h>
#include <sched.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vm_lock.h"
#include "vm_sim.h"
#include "vm_timeline.h"
#include "vm_util.h"

struct lk_stats lk_stats;
__thread struct vm_thread_stats *vm_tstats __attribute__((tls_model("initial-exec")));

void vm_thread_stats_attach(struct vm_thread_stats *ts)
{
	vm_tstats = ts;
}

void vm_lock_stats_get(struct vm_lock_stats *ls)
{
	ls->ls_contended_pte = vm_read(lk_stats.ls_contended[LK_CLASS_PTE]);
	ls->ls_contended_pfn = vm_read(lk_stats.ls_contended[LK_CLASS_PFN]);
	ls->ls_contended_list = vm_read(lk_stats.ls_contended[LK_CLASS_LIST]);
	ls->ls_contended_pgf = vm_read(lk_stats.ls_contended[LK_CLASS_PGF]);
	ls->ls_wait_ns_pte = vm_read(lk_stats.ls_wait_ns[LK_CLASS_PTE]);
	ls->ls_wait_ns_pfn = vm_read(lk_stats.ls_wait_ns[LK_CLASS_PFN]);
	ls->ls_wait_ns_list = vm_read(lk_stats.ls_wait_ns[LK_CLASS_LIST]);
	ls->ls_wait_ns_pgf = vm_read(lk_stats.ls_wait_ns[LK_CLASS_PGF]);
}

/*
 * The lock algorithm variants exist only in the benchmark's build of this
 * file (VM_LOCK_VARIANTS=1, vm_sim.h); the library always takes the futex
 * path, with no switch to read.
 */
#if VM_LOCK_VARIANTS
static enum lk_impl lk_impl = LK_IMPL_FUTEX;

void vm_lock_impl_set(enum lk_impl impl)
{
	lk_impl = impl;
}
#define LK_VARIANT_MUTEX (lk_impl == LK_IMPL_MUTEX)
#define LK_VARIANT_SPIN (lk_impl == LK_IMPL_SPIN)
#else
#define LK_VARIANT_MUTEX 0
#define LK_VARIANT_SPIN 0
#endif

static inline int lk_class(const lk_t *l)
{
	return l->lk_rank < 10 ? 0 : l->lk_rank / 10 - 1;	/* LK_RANK_WIN: the PTE class */
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#define LK_SPIN_ROUNDS 10
#define LK_SPIN_MAX 1024

/* A contended acquire that began waiting at t0: counted, timed, and on the
 * timeline if it waited long enough (vm_timeline.h). */
static void lk_account(lk_t *l, uint64_t t0)
{
	int c = lk_class(l);
	uint64_t t1 = vm_now_ns();

	atomic_fetch_add_explicit(&lk_stats.ls_contended[c], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&lk_stats.ls_wait_ns[c], t1 - t0, memory_order_relaxed);
	if (vm_tstats != NULL)
		vm_tstats->ts_lock_wait_ns[c] += t1 - t0;
	if (tml_on())
		tml_lock_wait(c, t0, t1);
}

/*
 * Contended acquire.  Spin with exponential backoff while the holder is
 * likely running (a critical section here is a few hundred nanoseconds);
 * then, for the futex lock, mark the word contended and sleep.  The spin
 * lock never sleeps: it yields the CPU once its backoff is capped.  The
 * mutex variant skips the spin.
 */
void lk_acquire_slow(lk_t *l)
{
	uint64_t t0 = vm_now_ns();
	uint32_t spins = 1;
	int rounds = LK_VARIANT_MUTEX ? 0 : LK_SPIN_ROUNDS;

	for (int round = 0; round < rounds; round++) {
		for (uint32_t i = 0; i < spins; i++)
			cpu_relax();
		uint32_t z = 0;
		if (atomic_load_explicit(&l->lk_word, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_weak_explicit(&l->lk_word, &z, 1,
		    memory_order_acquire, memory_order_relaxed))
			goto out;
		spins <<= 1;
	}
	if (LK_VARIANT_SPIN) {
		for (;;) {
			uint32_t z = 0;
			if (atomic_compare_exchange_weak_explicit(&l->lk_word, &z, 1,
			    memory_order_acquire, memory_order_relaxed))
				goto out;
			for (uint32_t i = 0; i < spins; i++)
				cpu_relax();
			sched_yield();
		}
	}
	/* Futex mutex (Drepper, "Futexes are tricky", mutex 3). */
	while (atomic_exchange_explicit(&l->lk_word, 2, memory_order_acquire) != 0)
		vm_futex(&l->lk_word, FUTEX_WAIT, 2, NULL);
out:
	lk_account(l, t0);
}

void lk_wake(lk_t *l)
{
	vm_futex(&l->lk_word, FUTEX_WAKE, 1, NULL);
}

void lk_wake_all(lk_t *l)
{
	vm_futex(&l->lk_word, FUTEX_WAKE, INT32_MAX, NULL);
}

/*
 * Contended shared or exclusive acquire (see LK_RW_* in vm_lock.h).  The
 * same shape as lk_acquire_slow(): backoff spin (none for LK_IMPL_MUTEX),
 * then sleep on the word with LK_RW_SLEEP set (or yield, LK_IMPL_SPIN).  A
 * writer sets LK_RW_WANT first so that sharers arriving after it wait.
 * Every release that clears LK_RW_SLEEP wakes all sleepers; they retry.
 */
void lk_acquire_rw_slow(lk_t *l, bool excl)
{
	const uint32_t block = excl ? ~(LK_RW_WANT | LK_RW_SLEEP) : (LK_RW_WRITER | LK_RW_WANT);
	int rounds = LK_VARIANT_MUTEX ? 0 : LK_SPIN_ROUNDS;
	uint64_t t0 = vm_now_ns();
	uint32_t spins = 1;

	for (int round = 0;; round++) {
		uint32_t w = atomic_load_explicit(&l->lk_word, memory_order_relaxed);

		if (!(w & block)) {
			uint32_t nw = excl ? ((w | LK_RW_WRITER) & ~LK_RW_WANT) : w + LK_RW_READER;
			if (atomic_compare_exchange_weak_explicit(&l->lk_word, &w, nw,
			    memory_order_acquire, memory_order_relaxed))
				break;
			continue;
		}
		if (excl && !(w & LK_RW_WANT)) {
			atomic_compare_exchange_weak_explicit(&l->lk_word, &w, w | LK_RW_WANT,
			    memory_order_relaxed, memory_order_relaxed);
			continue;
		}
		if (round < rounds || LK_VARIANT_SPIN) {
			for (uint32_t i = 0; i < spins; i++)
				cpu_relax();
			if (spins < LK_SPIN_MAX)
				spins <<= 1;
			else
				sched_yield();
			continue;
		}
		if (!(w & LK_RW_SLEEP) && !atomic_compare_exchange_weak_explicit(&l->lk_word, &w,
		    w | LK_RW_SLEEP, memory_order_relaxed, memory_order_relaxed))
			continue;
		vm_futex(&l->lk_word, FUTEX_WAIT, w | LK_RW_SLEEP, NULL);
	}
	lk_account(l, t0);
}

#if VM_DEBUG >= 1
/* The debug lock-order checker: a per-thread stack of held locks. */
#define LK_MAX_HELD 8
static __thread const lk_t *lk_held[LK_MAX_HELD];
static __thread int lk_nheld;

void lk_debug_push(lk_t *l, bool blocking)
{
	if (blocking) {
		for (int i = 0; i < lk_nheld; i++) {
			if (lk_held[i]->lk_rank >= l->lk_rank)
				vm_panic("lock order: acquiring rank %d while holding rank %d",
				    l->lk_rank, lk_held[i]->lk_rank);
		}
	}
	if (lk_nheld == LK_MAX_HELD)
		vm_panic("lock order: more than %d locks held", LK_MAX_HELD);
	lk_held[lk_nheld++] = l;
}

void lk_debug_pop(lk_t *l)
{
	for (int i = lk_nheld - 1; i >= 0; i--) {
		if (lk_held[i] == l) {
			for (int j = i; j < lk_nheld - 1; j++)
				lk_held[j] = lk_held[j + 1];
			lk_nheld--;
			return;
		}
	}
	vm_panic("lock order: releasing a lock (rank %d) this thread does not hold", l->lk_rank);
}

bool lk_debug_held(const lk_t *l)
{
	for (int i = 0; i < lk_nheld; i++)
		if (lk_held[i] == l)
			return true;
	return false;
}

int lk_debug_depth(void)
{
	return lk_nheld;
}
#endif
