/*
 * plist.c - the zeroed, free, standby and modified page lists: doubly
 * linked through the PFN entries by index, one lock per list.  Only this
 * file changes list membership.
 *
 * The list lock is taken shared or exclusive (vm_lock.h).  An unlink from
 * the middle of a list (a soft fault rescuing its page from standby or
 * modified) takes it shared and locks the page's two neighbours with
 * lk_try(), so soft faults on different pages of one list run in parallel
 * (seed 000's plan, seed 001's shared list locks).  Everything that moves
 * the head or the tail takes it exclusive: inserts, head takes, and an
 * unlink of the first or last page or one whose neighbour is busy.
 * The tunable vt_shared_unlink = 0 makes every operation exclusive (the
 * benchmark's on/off).
 *
 * Standby is eight lists, one per memory priority (Windows keeps eight):
 * a standby frame is on vm_standby[pf_priority], and a take of a standby
 * frame tries them from priority 0 up, so the lowest-priority pages are
 * repurposed first: vm_standby_mask, a bit per non-empty list, names the
 * lowest at once.  vm_lists[PFN_STATE_STANDBY] links nothing; its count
 * is the eight lists' total, kept with theirs (vm_ctx.h).
 *
 * Layer 1 (vm_ctx.h): calls layer 0 only.
 */
#include <sched.h>

#include "vm_ctx.h"

void plist_init(struct plist *pl, enum pfn_state state)
{
	lk_init(&pl->pl_lock, LK_RANK_LIST);
	pl->pl_head = pl->pl_tail = PFN_NONE;
	atomic_init(&pl->pl_count, 0);
	pl->pl_state = (uint8_t)state;
	pl->pl_bit = 0;
}

/* Standby list prio of the eight (vm_standby[prio]). */
void plist_init_standby(struct vm *vm, int prio)
{
	plist_init(&vm->vm_standby[prio], PFN_STATE_STANDBY);
	vm->vm_standby[prio].pl_bit = 1u << prio;
}

/* The list pf is on, or goes on: the one its state names, or for a standby
 * frame the standby list of its priority. */
static struct plist *plist_of(struct vm *vm, const struct pfn *pf)
{
	if (pf->pf_state == PFN_STATE_STANDBY)
		return &vm->vm_standby[pf->pf_priority];
	return vm_list(vm, (enum pfn_state)pf->pf_state);
}

/* Count d (+1 or -1) more pages on pl; for a standby list also in the
 * standby total, and its bit in vm_standby_mask follows it to and from 0.
 * Caller holds pl's lock (shared only to unlink: then no insert runs, and
 * the unlink that reaches 0 clears the bit). */
static inline __attribute__((always_inline)) void plist_count_add(struct vm *vm,
    struct plist *pl, int64_t d)
{
	uint64_t old = atomic_fetch_add_explicit(&pl->pl_count, (uint64_t)d, memory_order_relaxed);

	if (pl->pl_bit == 0)
		return;
	atomic_fetch_add_explicit(&vm_list(vm, PFN_STATE_STANDBY)->pl_count, (uint64_t)d,
	    memory_order_relaxed);
	if (old + (uint64_t)d == 0)
		atomic_fetch_and_explicit(&vm->vm_standby_mask, ~pl->pl_bit, memory_order_relaxed);
	else if (old == 0)
		atomic_fetch_or_explicit(&vm->vm_standby_mask, pl->pl_bit, memory_order_relaxed);
}

/* Caller holds the list lock exclusive. */
static void plist_unlink_locked(struct vm *vm, struct plist *pl, struct pfn *pf)
{
	lk_assert_held(&pl->pl_lock);
	VM_ASSERT(pf->pf_onlist && pf->pf_state == pl->pl_state);
	if (pf->pf_blink == PFN_NONE)
		pl->pl_head = pf->pf_flink;
	else
		vm->vm_pfns[pf->pf_blink].pf_flink = pf->pf_flink;
	if (pf->pf_flink == PFN_NONE)
		pl->pl_tail = pf->pf_blink;
	else
		vm->vm_pfns[pf->pf_flink].pf_blink = pf->pf_blink;
	pf->pf_flink = pf->pf_blink = PFN_NONE;
	pf->pf_onlist = 0;
	plist_count_add(vm, pl, -1);
}

/* Link pf at the tail of the list its state (and, standby, its priority)
 * names.  Caller holds the PFN lock. */
void plist_insert_tail(struct vm *vm, struct pfn *pf)
{
	struct plist *pl = plist_of(vm, pf);
	uint32_t idx = vm_pfn_index(vm, pf);

	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_state < PLIST_N && !pf->pf_onlist);
	lk_acquire_excl(&pl->pl_lock);
	pf->pf_flink = PFN_NONE;
	pf->pf_blink = pl->pl_tail;
	if (pl->pl_tail == PFN_NONE)
		pl->pl_head = idx;
	else
		vm->vm_pfns[pl->pl_tail].pf_flink = idx;
	pl->pl_tail = idx;
	pf->pf_onlist = 1;
	plist_count_add(vm, pl, 1);
	lk_release_excl(&pl->pl_lock);
}

/*
 * Unlink pf from the middle of pl under the list lock held shared.  Holding
 * pf's PFN lock keeps its links still (any other sharer changing them would
 * need that lock), so its neighbours are the ones we try.  Returns false,
 * having changed nothing, if pf is the head or the tail or a neighbour's
 * PFN lock is busy.  Caller holds pf's PFN lock.
 */
static bool plist_remove_shared(struct vm *vm, struct plist *pl, struct pfn *pf)
{
	struct pfn *prev, *next;
	bool done = false;

	lk_acquire_shared(&pl->pl_lock);
	VM_ASSERT(pf->pf_onlist && pf->pf_state == pl->pl_state);
	if (pf->pf_blink == PFN_NONE || pf->pf_flink == PFN_NONE)
		goto out_unlock_list;
	prev = &vm->vm_pfns[pf->pf_blink];
	next = &vm->vm_pfns[pf->pf_flink];
	if (!lk_try(&prev->pf_lock))
		goto out_unlock_list;
	if (!lk_try(&next->pf_lock))
		goto out_unlock_prev;
	VM_ASSERT(prev->pf_flink == vm_pfn_index(vm, pf) && next->pf_blink == vm_pfn_index(vm, pf));
	prev->pf_flink = pf->pf_flink;
	next->pf_blink = pf->pf_blink;
	pf->pf_flink = pf->pf_blink = PFN_NONE;
	pf->pf_onlist = 0;
	plist_count_add(vm, pl, -1);
	done = true;
	lk_release(&next->pf_lock);
out_unlock_prev:
	lk_release(&prev->pf_lock);
out_unlock_list:
	lk_release_shared(&pl->pl_lock);
	return done;
}

/* Unlink pf from the list it is on.  Caller holds the PFN lock. */
void plist_remove(struct vm *vm, struct pfn *pf)
{
	struct plist *pl = plist_of(vm, pf);

	lk_assert_held(&pf->pf_lock);
	if (vm->vm_tun.vt_shared_unlink && plist_remove_shared(vm, pl, pf))
		return;
	lk_acquire_excl(&pl->pl_lock);
	plist_unlink_locked(vm, pl, pf);
	lk_release_excl(&pl->pl_lock);
}

/*
 * One pass over pl from its head: the first page whose PFN lock is free,
 * unlinked with that lock held; NULL if every page was busy (or none).
 * The PFN lock ranks above the list lock, so it is only tried: a page whose
 * lock is busy is being worked on (most likely rescued by a soft fault).
 */
static inline struct pfn *plist_try_head(struct vm *vm, struct plist *pl)
{
	lk_acquire_excl(&pl->pl_lock);
	for (uint32_t i = pl->pl_head; i != PFN_NONE; i = vm->vm_pfns[i].pf_flink) {
		struct pfn *pf = &vm->vm_pfns[i];
		if (lk_try(&pf->pf_lock)) {
			plist_unlink_locked(vm, pl, pf);
			lk_release_excl(&pl->pl_lock);
			return pf;
		}
	}
	lk_release_excl(&pl->pl_lock);
	return NULL;
}

/*
 * Take the first free-to-lock page of the list of `state'; for STANDBY, of
 * the lowest-priority standby list that has one (MiRemoveAnyPage's order).
 * Returns the page unlinked with its PFN lock held, or NULL if the list is
 * empty (every standby list) or every page on it was busy through a few
 * passes.
 */
struct pfn *plist_take_head(struct vm *vm, enum pfn_state state)
{
	struct plist *pl = vm_list(vm, state);
	struct pfn *pf = NULL;

	for (int pass = 0; pass < 4; pass++) {
		if (plist_count(pl) == 0)
			return NULL;
		if (state != PFN_STATE_STANDBY) {
			pf = plist_try_head(vm, pl);
		} else {
			uint32_t mask = atomic_load_explicit(&vm->vm_standby_mask,
			    memory_order_relaxed);
			for (; mask != 0 && pf == NULL; mask &= mask - 1)
				pf = plist_try_head(vm, &vm->vm_standby[__builtin_ctz(mask)]);
		}
		if (pf != NULL)
			return pf;
		sched_yield();
	}
	return NULL;
}

/* Frames on the standby list of priority prio now (read without a lock). */
uint64_t plist_standby_count(struct vm *vm, int prio)
{
	return plist_count(&vm->vm_standby[prio]);
}
