/*
 * plist.c - the zeroed, free, standby and modified page lists: doubly
 * linked through the PFN entries by index, one lock per list.  Only this
 * file changes list membership.
 */
#include <sched.h>

#include "vm_internal.h"

void plist_init(struct plist *pl, enum pfn_state state)
{
	lk_init(&pl->pl_lock, LK_RANK_LIST);
	pl->pl_head = pl->pl_tail = PFN_NONE;
	atomic_init(&pl->pl_count, 0);
	pl->pl_state = (uint8_t)state;
}

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
	atomic_store_explicit(&pl->pl_count, plist_count(pl) - 1, memory_order_relaxed);
}

/* Link pf at the tail of the list its state names.  Caller holds the PFN lock. */
void plist_insert_tail(struct vm *vm, struct pfn *pf)
{
	struct plist *pl = vm_list(vm, (enum pfn_state)pf->pf_state);
	uint32_t idx = vm_pfn_index(vm, pf);

	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_state < PLIST_N && !pf->pf_onlist);
	lk_acquire(&pl->pl_lock);
	pf->pf_flink = PFN_NONE;
	pf->pf_blink = pl->pl_tail;
	if (pl->pl_tail == PFN_NONE)
		pl->pl_head = idx;
	else
		vm->vm_pfns[pl->pl_tail].pf_flink = idx;
	pl->pl_tail = idx;
	pf->pf_onlist = 1;
	atomic_store_explicit(&pl->pl_count, plist_count(pl) + 1, memory_order_relaxed);
	lk_release(&pl->pl_lock);
}

/* Unlink pf from the list its state names.  Caller holds the PFN lock. */
void plist_remove(struct vm *vm, struct pfn *pf)
{
	struct plist *pl = vm_list(vm, (enum pfn_state)pf->pf_state);

	lk_assert_held(&pf->pf_lock);
	lk_acquire(&pl->pl_lock);
	plist_unlink_locked(vm, pl, pf);
	lk_release(&pl->pl_lock);
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
		lk_acquire(&pl->pl_lock);
		for (uint32_t i = pl->pl_head; i != PFN_NONE; i = vm->vm_pfns[i].pf_flink) {
			struct pfn *pf = &vm->vm_pfns[i];
			if (lk_try(&pf->pf_lock)) {
				plist_unlink_locked(vm, pl, pf);
				lk_release(&pl->pl_lock);
				return pf;
			}
		}
		lk_release(&pl->pl_lock);
		sched_yield();
	}
	return NULL;
}
