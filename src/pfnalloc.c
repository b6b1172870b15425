/*
 * pfnalloc.c - frames for new mappings: taking one off the lists
 * (repurposing a standby frame from its old owner), giving an unused one
 * back, and freeing standby frames.  Layer 1 (vm_ctx.h): the PFN database,
 * its lists and the PTEs; calls layer 0 and its peers pfn.c, plist.c and
 * pte.c.
 *
 * Every function here runs in the fault path too: async-signal-safe.
 */
#include <sched.h>
#include <string.h>

#include "vm_ctx.h"

/*
 * Repurpose a standby frame: its old owner's PTE goes to page-file format,
 * keeping the slot that holds the same bytes (pte_repurpose; the rule is
 * vm_lock.h's "A transition PTE is trusted only under the PFN lock").  The
 * owner is (pf_proc, pf_vpn): any process of the machine, whichever one
 * the caller serves; the table entry is there while a frame names it
 * (the teardown frees every frame of a process before it leaves the
 * table).  The frame stays STANDBY, off its list, with no owner (pf_proc
 * kept: the last owner), until its caller gives it a new state.  Caller
 * holds the PFN lock.
 */
void pfn_repurpose_locked(struct vm *vm, struct pfn *pf)
{
	struct vm_process *owner = vm_pfn_owner(vm, pf);

	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_state == PFN_STATE_STANDBY && !pf->pf_onlist);
	VM_ASSERT(pf->pf_vpn != PFN_VPN_NONE && pf->pf_slot != PGF_SLOT_NONE);
	VM_ASSERT(pfn_lockcnt(pf) == 0);
	if (owner == NULL) {
		pfn_dump(vm, pf, "repurpose: owner process gone");
		vm_panic("repurpose: pfn %u names process %u, which is gone",
		    vm_pfn_index(vm, pf), pf->pf_proc);
	}
	pte_repurpose(owner, pf->pf_vpn, vm_pfn_index(vm, pf), pf->pf_slot);
	pf->pf_vpn = PFN_VPN_NONE;
	pf->pf_slot = PGF_SLOT_NONE;
	vm_stat_add(vm, repurposed, 1);
}

/*
 * Standby -> free, the one place it happens: a standby frame off its list
 * (repurposed first if it still has an owner) becomes free.  Caller holds
 * the PFN lock and links the frame (plist_insert_tail) or uses it.
 */
void pfn_free_standby(struct vm *vm, struct pfn *pf)
{
	lk_assert_held(&pf->pf_lock);
	if (pf->pf_vpn != PFN_VPN_NONE)
		pfn_repurpose_locked(vm, pf);
	pfn_set_state(vm, pf, PFN_STATE_STANDBY, PFN_STATE_FREE);
}

/*
 * A frame of a process being torn down goes to the free list, the one
 * place where an active or modified frame leaves its owner without a trim
 * (vm_process_destroy; vm_lock.h, "Process teardown"): ACTIVE (the page
 * was mapped) or MODIFIED (its PTE was transition and named it under this
 * PFN lock) -> FREE; off its list, its lock count dropped (the process's
 * locks go with it), its page-file slot released.  (A standby frame goes
 * through pfn_free_standby, as the zero thread's do.)
 * Its bytes are the old owner's: a free frame is zeroed before a
 * demand-zero fault maps it, and a hard fault overwrites it whole.  Caller
 * holds the owner's region lock and the PFN lock, and rewrites the PTE.
 */
void pfn_free_owned(struct vm *vm, struct pfn *pf)
{
	enum pfn_state from = (enum pfn_state)pf->pf_state;

	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_vpn != PFN_VPN_NONE && !(pf->pf_flags & PFN_F_WRITING));
	VM_ASSERT(from == PFN_STATE_ACTIVE || from == PFN_STATE_MODIFIED);
	if (pf->pf_onlist)
		plist_remove(vm, pf);
	if (pfn_lockcnt(pf) != 0) {
		atomic_store(&pf->pf_lockcnt, 0);
		atomic_fetch_sub(&vm->vm_nlocked, 1);
	}
	if (pf->pf_slot != PGF_SLOT_NONE) {
		pgf_slot_free(&vm->vm_pgf, pf->pf_slot);
		pf->pf_slot = PGF_SLOT_NONE;
	}
	atomic_store_explicit(&pf->pf_mapseq, 0, memory_order_relaxed);
	pf->pf_vpn = PFN_VPN_NONE;
	pfn_set_state(vm, pf, from, PFN_STATE_FREE);
	plist_insert_tail(vm, pf);
}

/*
 * Take a frame for a new mapping.  A demand-zero fault prefers the zeroed
 * list; a hard fault, which overwrites the whole frame, prefers free and
 * standby pages and leaves zeroed ones for demand-zero faults.  Returns the
 * frame off every list with its PFN lock held, owner and slot cleared (a
 * standby frame repurposed), and *from the state it had, which it keeps
 * until the caller's pfn_set_state(*from -> ACTIVE); or NULL if the lists
 * it takes from were seen empty.  The caller calls pfn_alloc_kick() once
 * its locks are released.
 *
 * It never gives up on a list that holds frames whose PFN locks are busy
 * (plist_take_head skips them): whoever holds one is taking the frame,
 * rescuing it, or unlinking a neighbour, and never waits for a lock a
 * faulter holds (the order in vm_lock.h), so it lets go soon.  Returning
 * NULL then would be wrong: the caller sleeps on vm_ev_avail, and letting
 * go of a PFN lock signals nothing; if no thread needed a frame after that,
 * nothing would ever wake it (DESIGN.md, rule 2).
 */
struct pfn *pfn_alloc(struct vm *vm, bool want_zeroed, enum pfn_state *from)
{
	static const enum pfn_state for_dz[] = { PFN_STATE_ZEROED, PFN_STATE_FREE, PFN_STATE_STANDBY };
	static const enum pfn_state for_io[] = { PFN_STATE_FREE, PFN_STATE_STANDBY, PFN_STATE_ZEROED };
	const enum pfn_state *order = want_zeroed ? for_dz : for_io;
	struct pfn *pf = NULL;

	for (;;) {
		for (int i = 0; i < 3 && pf == NULL; i++) {
			pf = plist_take_head(vm, order[i]);
			*from = order[i];
		}
		if (pf != NULL || vm_available(vm) == 0)
			break;
		vm_stat_add(vm, alloc_busy_retries, 1);
		sched_yield();
	}
	if (pf != NULL && pf->pf_state == PFN_STATE_STANDBY)
		pfn_repurpose_locked(vm, pf);
	return pf;
}

/*
 * Give back a frame pfn_alloc() handed out, unused (the read meant for it
 * failed): a zeroed frame, zeroed again since the read may have written
 * part of it, to the zeroed list; a repurposed standby frame to the free
 * list; a free one to the free list.  Caller holds the PFN lock; releases it.
 */
void pfn_unalloc(struct vm *vm, struct pfn *pf)
{
	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(!pf->pf_onlist && pf->pf_vpn == PFN_VPN_NONE && pf->pf_slot == PGF_SLOT_NONE);
	if (pf->pf_state == PFN_STATE_STANDBY)
		pfn_free_standby(vm, pf);
	else if (pf->pf_state == PFN_STATE_ZEROED)
		memset(vm_frame(vm, vm_pfn_index(vm, pf)), 0, VM_PAGE_SIZE);
	plist_insert_tail(vm, pf);
	lk_release(&pf->pf_lock);
}

/*
 * Wake the trimmer and the zero-page thread if their lists run low.  Called
 * with no lock held: a wakeup can preempt the waker on the spot, and a
 * faulter preempted while holding its PTE region lock stalls every other
 * fault in the region for a time slice.
 */
void pfn_alloc_kick(struct vm *vm)
{
	lk_assert_none_held();
	if (vm_available(vm) < vm->vm_trim_low)
		ev_signal(&vm->vm_ev_trim);
	if (plist_count(vm_list(vm, PFN_STATE_ZEROED)) < vm->vm_zero_goal)
		ev_signal(&vm->vm_ev_zero);
}
