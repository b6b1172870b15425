/*
 * pfn.c - the PFN database's state transitions.
 *
 * Every change of pf_state goes through pfn_set_state(), which checks it
 * against pfn_legal[][] (Windows Internals fig. 5-37, "State diagram for
 * physical pages", less the bad and ROM lists).  Layer 1 (vm_ctx.h).
 */
#include <stdio.h>
#include <unistd.h>

#include "vm_ctx.h"

static const bool pfn_legal[PFN_NSTATES][PFN_NSTATES] = {
	/* a demand-zero fault takes a zeroed page */
	[PFN_STATE_ZEROED][PFN_STATE_ACTIVE] = true,
	/* the zero-page thread zeroes a free page; a fault takes one */
	[PFN_STATE_FREE][PFN_STATE_ZEROED] = true,
	[PFN_STATE_FREE][PFN_STATE_ACTIVE] = true,
	/* soft fault, or repurpose by a fault; repurpose by the zero thread */
	[PFN_STATE_STANDBY][PFN_STATE_ACTIVE] = true,
	[PFN_STATE_STANDBY][PFN_STATE_FREE] = true,
	/* soft fault (also mid-write); the writer finishes a write */
	[PFN_STATE_MODIFIED][PFN_STATE_ACTIVE] = true,
	[PFN_STATE_MODIFIED][PFN_STATE_STANDBY] = true,
	/* trim: dirty, or clean with a valid page-file copy */
	[PFN_STATE_ACTIVE][PFN_STATE_MODIFIED] = true,
	[PFN_STATE_ACTIVE][PFN_STATE_STANDBY] = true,
	/* its process is torn down (pfn_free_owned; standby -> free above) */
	[PFN_STATE_ACTIVE][PFN_STATE_FREE] = true,
	[PFN_STATE_MODIFIED][PFN_STATE_FREE] = true,
};

static const char *const pfn_names[PFN_NSTATES] = {
	[PFN_STATE_ZEROED] = "zeroed",
	[PFN_STATE_FREE] = "free",
	[PFN_STATE_STANDBY] = "standby",
	[PFN_STATE_MODIFIED] = "modified",
	[PFN_STATE_ACTIVE] = "active",
};

/* Is from -> to one of the transitions of the table?  (The unit tests ask.) */
bool pfn_transition_legal(enum pfn_state from, enum pfn_state to)
{
	return from < PFN_NSTATES && to < PFN_NSTATES && pfn_legal[from][to];
}

const char *pfn_state_name(enum pfn_state s)
{
	return s < PFN_NSTATES ? pfn_names[s] : "?";
}

void pfn_dump(struct vm *vm, const struct pfn *pf, const char *why)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf),
	    "pfn %u: %s state=%s flags=%#x onlist=%u proc=%u vpn=%lld slot=%lld flink=%d blink=%d\n",
	    vm_pfn_index(vm, pf), why, pfn_state_name((enum pfn_state)pf->pf_state),
	    pf->pf_flags, pf->pf_onlist, pf->pf_proc,
	    pf->pf_vpn == PFN_VPN_NONE ? -1LL : (long long)pf->pf_vpn,
	    pf->pf_slot == PGF_SLOT_NONE ? -1LL : (long long)pf->pf_slot,
	    pf->pf_flink == PFN_NONE ? -1 : (int)pf->pf_flink,
	    pf->pf_blink == PFN_NONE ? -1 : (int)pf->pf_blink);
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		return;
}

/* The memory priority of pf's owner (ACTIVE or MODIFIED, on its way to
 * standby); the default for a frame with no owner, which only a unit test
 * driving the state machine alone makes.  Caller holds the PFN lock. */
static uint8_t pfn_owner_priority(struct vm *vm, const struct pfn *pf)
{
	struct vm_process *owner;

	if (pf->pf_vpn == PFN_VPN_NONE)
		return VM_PRIORITY_DEFAULT;
	owner = vm_pfn_owner(vm, pf);
	VM_ASSERT(owner != NULL);
	if (owner == NULL)
		return VM_PRIORITY_DEFAULT;
	return atomic_load_explicit(&owner->ps_priority, memory_order_relaxed);
}

/*
 * Change pf's state from `from' to `to'.  Caller holds the PFN lock and has
 * taken the page off its list; plist_insert_tail() links it on the new one.
 * A frame becoming standby (a trim of a clean page, the writer finishing a
 * write) takes its owner's memory priority now, which names its standby
 * list until it leaves it (a later change of the process's priority does
 * not move it).
 */
void pfn_set_state(struct vm *vm, struct pfn *pf, enum pfn_state from, enum pfn_state to)
{
	lk_assert_held(&pf->pf_lock);
	if (pf->pf_state != from || !pfn_transition_legal(from, to) || pf->pf_onlist) {
		pfn_dump(vm, pf, "illegal transition");
		vm_panic("pfn %u: %s -> %s", vm_pfn_index(vm, pf),
		    pfn_state_name(from), pfn_state_name(to));
	}
	if (to == PFN_STATE_STANDBY)
		pf->pf_priority = pfn_owner_priority(vm, pf);
	pf->pf_state = (uint8_t)to;
}
