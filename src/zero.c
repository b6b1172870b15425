/*
 * zero.c - the zero-page thread: keeps vm_zero_goal pages on the zeroed
 * list so demand-zero faults need not zero inline.  It zeroes free pages,
 * and when there are none it repurposes the oldest standby page (seed 001's
 * replenishing threads): a cheaper fault now for a soft fault lost later.
 * Layer 2 (vm_work.h): calls layer 1 only (standby -> free is
 * pfn_free_standby's, pfnalloc.c).
 */
#include <string.h>

#include "vm_work.h"

static bool zero_needed(struct vm *vm)
{
	return plist_count(vm_list(vm, PFN_STATE_ZEROED)) < vm->vm_zero_goal &&
	    (plist_count(vm_list(vm, PFN_STATE_FREE)) > 0 ||
	    plist_count(vm_list(vm, PFN_STATE_STANDBY)) > vm->vm_zero_goal);
}

/* A free page, or a repurposed standby page made free; locked, off-list. */
static struct pfn *zero_take(struct vm *vm)
{
	struct pfn *pf = plist_take_head(vm, PFN_STATE_FREE);

	if (pf == NULL && plist_count(vm_list(vm, PFN_STATE_STANDBY)) > vm->vm_zero_goal) {
		pf = plist_take_head(vm, PFN_STATE_STANDBY);
		if (pf != NULL)
			pfn_free_standby(vm, pf);
	}
	return pf;
}

/*
 * Free -> zeroed, the one place it happens: zero the free frame pf (its
 * PFN lock held, off every list, no owner) and put it on the zeroed list.
 * The lock is dropped while zeroing: nobody else can reach a frame that is
 * on no list and has no owner.  Returns with no lock held.
 */
static void zero_page(struct vm *vm, struct pfn *pf)
{
	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_state == PFN_STATE_FREE && !pf->pf_onlist && pf->pf_vpn == PFN_VPN_NONE);
	lk_release(&pf->pf_lock);
	memset(vm_frame(vm, vm_pfn_index(vm, pf)), 0, VM_PAGE_SIZE);
	lk_acquire(&pf->pf_lock);
	pfn_set_state(vm, pf, PFN_STATE_FREE, PFN_STATE_ZEROED);
	plist_insert_tail(vm, pf);
	lk_release(&pf->pf_lock);
	vm_stat_add(vm, zeroed, 1);
}

void *zero_thread(void *arg)
{
	struct vm *vm = arg;

	vm_thread_name("vm zero");
	vm_timeline_thread("zero-page thread", NULL);
	for (;;) {
		uint32_t snap = ev_snapshot(&vm->vm_ev_zero);
		struct pfn *pf;
		uint64_t t0;

		if (!vm_parked_check(vm))
			break;
		if (!zero_needed(vm) || (pf = zero_take(vm)) == NULL) {
			ev_wait(&vm->vm_ev_zero, snap, -1);
			continue;
		}
		t0 = vm_now_ns();
		zero_page(vm, pf);
		/* A faulter may have found no frame while this one was off every
		 * list being zeroed, and decided to wait: with so few frames that
		 * this was the only one, nothing else would wake it (no trim is
		 * due while it is available). */
		ev_signal(&vm->vm_ev_avail);
		vm_stat_add(vm, zero_busy_ns, vm_now_ns() - t0);
		if (tml_on())
			tml_span(VM_TL_ZERO, t0, vm_now_ns(), 0, 0, 0);
	}
	return NULL;
}

/* Zero up to max free pages onto the zeroed list now: the zero-page
 * thread's work, done ahead of it.  The system threads must be paused. */
uint64_t vm_zero_free(struct vm *vm, uint64_t max)
{
	struct pfn *pf;
	uint64_t n = 0;

	VM_ASSERT(park_quiet(&vm->vm_park));
	while (n < max && (pf = plist_take_head(vm, PFN_STATE_FREE)) != NULL) {
		zero_page(vm, pf);
		n++;
	}
	return n;
}

/* Repurpose every standby page to the free list (its owner's PTE goes to
 * page-file format), so the next touch of each is a hard fault.  The system
 * threads must be paused. */
uint64_t vm_purge_standby(struct vm *vm)
{
	struct pfn *pf;
	uint64_t n = 0;

	VM_ASSERT(park_quiet(&vm->vm_park));
	while ((pf = plist_take_head(vm, PFN_STATE_STANDBY)) != NULL) {
		pfn_free_standby(vm, pf);
		plist_insert_tail(vm, pf);
		lk_release(&pf->pf_lock);
		n++;
	}
	return n;
}
