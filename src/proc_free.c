/*
 * proc_free.c - a dying process's pages given back to the machine: every
 * frame it holds to the free list, every page-file slot it holds released,
 * while the other processes keep faulting.  The protocol and why it is
 * safe are vm_lock.h's ("Process teardown"); vm_process_destroy (vm_proc.c)
 * runs it with the process unregistered and the system threads parked.
 *
 * Layer 2 (vm_work.h): calls layer 1 only (frames to free: pfnalloc.c's
 * pfn_free_owned for active and modified frames, the one place those go
 * straight to FREE, and pfn_free_standby for standby ones).
 */
#include "vm_work.h"

/*
 * A transition PTE of p at vpn, its region lock held: take its frame's PFN
 * lock and look again.  Still ours: a standby frame is repurposed to the
 * free list (pfn_free_standby, the one place standby -> free happens: our
 * PTE goes to page-file format, keeping the slot), a modified one freed
 * (pfn_free_owned).  Repurposed meanwhile by another process's fault (which
 * held the PFN lock and rewrote our PTE to page-file format under it
 * alone), the frame is not ours any more.  Either way a page-file PTE is
 * left, whose slot is released.  Returns the frames freed (0 or 1).
 */
static uint64_t proc_free_trans(struct vm_process *p, uint64_t vpn, pte_t pte)
{
	struct vm *vm = p->ps_vm;
	struct pfn *pf = &vm->vm_pfns[pte_payload(pte)];
	uint64_t freed = 0;
	pte_t now;

	lk_acquire(&pf->pf_lock);
	if (pte_read(p, vpn) == pte) {
		VM_ASSERT(pf->pf_proc == p->ps_id && pf->pf_vpn == vpn);
		if (pf->pf_state == PFN_STATE_STANDBY) {
			plist_remove(vm, pf);
			pfn_free_standby(vm, pf);
			plist_insert_tail(vm, pf);
		} else {
			pfn_free_owned(vm, pf);
			pte_write_demand_zero(p, vpn);
		}
		freed = 1;
	}
	lk_release(&pf->pf_lock);
	now = pte_read(p, vpn);
	if (pte_format(now) == PTE_FMT_PGF) {
		pgf_slot_free(&vm->vm_pgf, pte_payload(now));
		pte_write_demand_zero(p, vpn);
	}
	VM_ASSERT(pte_format(pte_read(p, vpn)) == PTE_FMT_DZ);
	return freed;
}

/* One page of p, its region lock held.  Returns the frames freed. */
static uint64_t proc_free_page(struct vm_process *p, uint64_t vpn)
{
	struct vm *vm = p->ps_vm;
	pte_t pte = pte_read(p, vpn);
	struct pfn *pf;

	switch (pte_format(pte)) {
	case PTE_FMT_DZ:
		return 0;
	case PTE_FMT_VALID:
		/* Mapped: only the trimmer (parked) or our own threads (none
		 * left) change it.  The region itself goes with the process. */
		VM_ASSERT(!pte_is_trimming(pte));
		pf = &vm->vm_pfns[pte_payload(pte)];
		lk_acquire(&pf->pf_lock);
		wsl_remove(p, pf);
		pfn_free_owned(vm, pf);
		lk_release(&pf->pf_lock);
		pte_write_demand_zero(p, vpn);
		return 1;
	case PTE_FMT_TRANS:
		return proc_free_trans(p, vpn, pte);
	case PTE_FMT_PGF:
		pgf_slot_free(&vm->vm_pgf, pte_payload(pte));
		pte_write_demand_zero(p, vpn);
		return 0;
	case PTE_FMT_INPAGE:
		/* A bounced fault abandoned when the machine failed: its bytes
		 * are in the bounce buffer, which goes back. */
		atomic_fetch_and(&vm->vm_bounce_busy[pte_payload(pte) / 64],
		    ~(1ULL << (pte_payload(pte) % 64)));
		pte_write_demand_zero(p, vpn);
		return 0;
	}
	return 0;
}

/*
 * Give back every frame and slot p holds, region by region, under each
 * region lock.  Afterwards no frame, slot or list names p.  Returns the
 * frames freed.  Called with no lock held, p unregistered, its threads
 * gone and the system threads parked (or by a creation unwinding, with
 * nothing but read-only pages' slots to give back).
 */
uint64_t proc_free_pages(struct vm_process *p)
{
	uint64_t freed = 0;

	lk_assert_none_held();
	/* unregistered; the system threads parked, unless p was never in the
	 * table (a creation unwinding: no frame of it to race for) */
	VM_ASSERT(p->ps_slot < 0 &&
	    (park_quiet(&p->ps_vm->vm_park) || vm_proc(p->ps_vm, p->ps_id) != p));
	for (uint64_t vpn = 0; vpn < p->ps_npages;) {
		uint64_t end = vm_region_end(p, vpn);
		lk_t *rl = vm_pte_lock(p, vpn);

		lk_acquire(rl);
		for (; vpn < end; vpn++)
			freed += proc_free_page(p, vpn);
		lk_release(rl);
	}
	ev_signal(&p->ps_vm->vm_ev_avail);
	ev_signal(&p->ps_vm->vm_ev_slots);
	ev_signal(&p->ps_vm->vm_ev_zero);
	return freed;
}
