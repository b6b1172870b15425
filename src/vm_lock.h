/*
 * vm_lock.h - the lock hierarchy, the lock, and its debug-build checks.
 *
 * Lock order (acquire downward only; a lock may be taken against the order
 * only with lk_try(), and on failure the caller drops what it holds or picks
 * another victim):
 *
 *   LK_RANK_PTE        10  PTE region lock (vm_pte_locks[vpn >> PTE_REGION_SHIFT]);
 *   |                      at most one held by a thread
 *   +-LK_RANK_PFN      20  PFN lock (pf_lock); at most one, except by lk_try()
 *     +-LK_RANK_LIST   30  one page-list lock (pl_lock) at a time
 *       +-LK_RANK_PGF  40  page-file stash lock (leaf)
 *
 * The rules the ranks do not show:
 *  - A transition PTE is trusted only under the PFN lock of the frame it
 *    names (seed 000).  Its frame may be repurposed by a thread that holds
 *    that PFN lock but not the PTE's region lock: such a thread rewrites the
 *    PTE transition -> page file.  So a thread holding the region lock that
 *    reads a transition PTE must take the PFN lock and read the PTE again.
 *  - Taking a page off a list needs the PFN lock after the list lock, which
 *    is against the order: the list walker uses lk_try() on the PFN and
 *    skips a page whose lock is busy (plist_take_head()).
 *  - No lock is held while waiting on an event, while copying a batch
 *    (trimmer, writer, zero thread), or while touching the managed region
 *    (a fault there would re-enter the fault handler).
 *
 * The lock itself is a futex word with a short exponential-backoff spin
 * before it sleeps: async-signal-safe (atomics and futex(2) only), so the
 * SIGBUS handler may take it, and cheap uncontended (one CAS).
 *
 * Debug builds (VM_DEBUG >= 1) keep a per-thread stack of held ranks and
 * assert that every blocking acquire ranks strictly below the deepest lock
 * held (FreeBSD WITNESS, in miniature).
 */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm_debug.h"

enum lk_rank {
	LK_RANK_PTE = 10,
	LK_RANK_PFN = 20,
	LK_RANK_LIST = 30,
	LK_RANK_PGF = 40,
};

typedef struct lk {
	_Atomic uint32_t lk_word;	/* 0 free, 1 held, 2 held with sleepers (a) */
	uint8_t lk_rank;		/* enum lk_rank (c) */
} lk_t;

/* Lock-wait accounting, per lock class (LK_CLASS_*). */
enum { LK_CLASS_PTE, LK_CLASS_PFN, LK_CLASS_LIST, LK_CLASS_PGF, LK_NCLASS };

struct lk_stats {
	_Atomic uint64_t ls_contended[LK_NCLASS];	/* acquires that had to wait (a) */
	_Atomic uint64_t ls_wait_ns[LK_NCLASS];		/* time spent waiting (a) */
};
extern struct lk_stats lk_stats;

/* The calling thread's accounting (vm_thread_stats_attach), or NULL. */
struct vm_thread_stats;
extern __thread struct vm_thread_stats *vm_tstats __attribute__((tls_model("initial-exec")));

/* Which implementation lk_acquire() uses (benchmarked in docs/PERFORMANCE.md). */
enum lk_impl { LK_IMPL_FUTEX, LK_IMPL_SPIN };
extern enum lk_impl lk_impl;

static inline void lk_init(lk_t *l, enum lk_rank rank)
{
	atomic_init(&l->lk_word, 0);
	l->lk_rank = (uint8_t)rank;
}

void lk_acquire_slow(lk_t *l);

#if VM_DEBUG >= 1
void lk_debug_push(lk_t *l, bool blocking);
void lk_debug_pop(lk_t *l);
bool lk_debug_held(const lk_t *l);
int lk_debug_depth(void);
#else
static inline void lk_debug_push(lk_t *l, bool b) { (void)l; (void)b; }
static inline void lk_debug_pop(lk_t *l) { (void)l; }
#endif

static inline void lk_acquire(lk_t *l)
{
	uint32_t z = 0;

	lk_debug_push(l, true);
	if (!atomic_compare_exchange_strong_explicit(&l->lk_word, &z, 1,
	    memory_order_acquire, memory_order_relaxed))
		lk_acquire_slow(l);
}

/* Takes l if it is free; never blocks, so it may break the order. */
static inline bool lk_try(lk_t *l)
{
	uint32_t z = 0;

	if (!atomic_compare_exchange_strong_explicit(&l->lk_word, &z, 1,
	    memory_order_acquire, memory_order_relaxed))
		return false;
	lk_debug_push(l, false);
	return true;
}

void lk_wake(lk_t *l);

static inline void lk_release(lk_t *l)
{
	lk_debug_pop(l);
	if (atomic_exchange_explicit(&l->lk_word, 0, memory_order_release) == 2)
		lk_wake(l);
}

#if VM_DEBUG >= 1
#define lk_assert_held(l) VM_ASSERT(lk_debug_held(l))
#define lk_assert_none_held() VM_ASSERT(lk_debug_depth() == 0)
#else
#define lk_assert_held(l) ((void)(l))
#define lk_assert_none_held() ((void)0)
#endif
