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
}

static void plist_count_add(struct plist *pl, int64_t d)
{
	atomic_fetch_add_explicit(&pl->pl_count, (uint64_t)d, memory_order_relaxed);
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
	plist_count_add(pl, -1);
}

/* Link pf at the tail of the list its state names.  Caller holds the PFN lock. */
void plist_insert_tail(struct vm *vm, struct pfn *pf)
{
	struct plist *pl = vm_list(vm, (enum pfn_state)pf->pf_state);
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
	plist_count_add(pl, 1);
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
	plist_count_add(pl, -1);
	done = true;
	lk_release(&next->pf_lock);
out_unlock_prev:
	lk_release(&prev->pf_lock);
out_unlock_list:
	lk_release_shared(&pl->pl_lock);
	return done;
}

/* Unlink pf from the list its state names.  Caller holds the PFN lock. */
void plist_remove(struct vm *vm, struct pfn *pf)
{
	struct plist *pl = vm_list(vm, (enum pfn_state)pf->pf_state);

	lk_assert_held(&pf->pf_lock);
	if (vm->vm_tun.vt_shared_unlink && plist_remove_shared(vm, pl, pf))
		return;
	lk_acquire_excl(&pl->pl_lock);
	plist_unlink_locked(vm, pl, pf);
	lk_release_excl(&pl->pl_lock);
}

/*
 * Take the first page of a list whose PFN lock is free.  The PFN lock ranks
 * above the list lock, so it is only tried: a page whose lock is busy is
 * being worked on (most likely rescued by a soft fault) and is skipped.
 * Returns the page unlinked with its PFN lock held, or NULL if the list is
 * empty or every page on it was busy through a few passes.
 */
struct pfn *plist_take_head(struct vm *vm, enum pfn_state state)
{
	struct plist *pl = vm_list(vm, state);

	for (int pass = 0; pass < 4; pass++) {
		if (plist_count(pl) == 0)
			return NULL;
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
		sched_yield();
	}
	return NULL;
}
