/*
 * pte.c - the only code that writes PTEs, or builds a PTE value.  Each
 * writer asserts the formats it may change from and to, as ReactOS's
 * MI_WRITE_VALID_PTE does.  Layer 1 (vm_ctx.h): calls layer 0 only.
 */
#include "vm_ctx.h"

static const char *const pte_names[] = {
	[PTE_FMT_DZ] = "demand-zero",
	[PTE_FMT_VALID] = "valid",
	[PTE_FMT_TRANS] = "transition",
	[PTE_FMT_PGF] = "pagefile",
	[PTE_FMT_INPAGE] = "in-page",
};

const char *pte_format_name(enum pte_fmt f)
{
	return f <= PTE_FMT_INPAGE ? pte_names[f] : "?";
}

pte_t pte_read(struct vm_process *p, uint64_t vpn)
{
	return atomic_load_explicit(&p->ps_ptes[vpn], memory_order_acquire);
}

static inline void pte_store(struct vm_process *p, uint64_t vpn, pte_t v)
{
	atomic_store_explicit(&p->ps_ptes[vpn], v, memory_order_release);
}

/* The protection survives every format change. */
static inline pte_t pte_keep(pte_t old)
{
	return old & PTE_F_READONLY;
}

/*
 * Mapped: the page is present and backed by frame.  From transition (soft
 * fault), demand-zero or page file (new frame), or in-page (bounce).  A new
 * mapping counts as accessed.  Caller holds the region lock and the PFN lock.
 */
void pte_write_valid(struct vm_process *p, uint64_t vpn, uint32_t frame)
{
	pte_t old = pte_read(p, vpn);

	lk_assert_held(vm_pte_lock(p, vpn));
	lk_assert_held(&p->ps_vm->vm_pfns[frame].pf_lock);
	VM_ASSERT(pte_format(old) != PTE_FMT_VALID);
	pte_store(p, vpn, pte_make(PTE_FMT_VALID, frame, pte_keep(old) | PTE_ACCESSED));
}

/*
 * Read ahead: mapped like pte_write_valid(), but not accessed and marked
 * PTE_PREFETCHED, so aging sees it unused until it is touched.  Caller
 * holds the region lock and the PFN lock.
 */
void pte_write_valid_prefetched(struct vm_process *p, uint64_t vpn, uint32_t frame)
{
	pte_t old = pte_read(p, vpn);

	lk_assert_held(vm_pte_lock(p, vpn));
	lk_assert_held(&p->ps_vm->vm_pfns[frame].pf_lock);
	VM_ASSERT(pte_format(old) == PTE_FMT_PGF);
	pte_store(p, vpn, pte_make(PTE_FMT_VALID, frame, pte_keep(old) | PTE_PREFETCHED));
}

/* Trimmed: frame goes to the standby or modified list.  Caller holds the
 * region lock and the PFN lock. */
void pte_write_transition(struct vm_process *p, uint64_t vpn, uint32_t frame)
{
	pte_t old = pte_read(p, vpn);

	lk_assert_held(vm_pte_lock(p, vpn));
	lk_assert_held(&p->ps_vm->vm_pfns[frame].pf_lock);
	VM_ASSERT(pte_format(old) == PTE_FMT_VALID && pte_payload(old) == frame);
	VM_ASSERT(old & PTE_TRIMMING);
	pte_store(p, vpn, pte_make(PTE_FMT_TRANS, frame, pte_keep(old)));
}

/* Page-file format at start-up (a page with known contents).  Caller holds
 * the region lock. */
void pte_write_pagefile(struct vm_process *p, uint64_t vpn, uint64_t slot)
{
	pte_t old = pte_read(p, vpn);

	VM_ASSERT(pte_format(old) == PTE_FMT_DZ);
	pte_store(p, vpn, pte_make(PTE_FMT_PGF, slot, pte_keep(old)));
}

/*
 * The defragmenter moved the page's contents from slot `from' to slot `to'.
 * Caller holds the region lock (a page-file PTE changes only under it).
 */
void pte_write_pagefile_move(struct vm_process *p, uint64_t vpn, uint64_t from, uint64_t to)
{
	pte_t old = pte_read(p, vpn);

	lk_assert_held(vm_pte_lock(p, vpn));
	VM_ASSERT(pte_format(old) == PTE_FMT_PGF && pte_payload(old) == from);
	pte_store(p, vpn, pte_make(PTE_FMT_PGF, to, pte_keep(old)));
}

/* A hard fault parks the page in bounce buffer `bounce'.  Caller holds the
 * region lock. */
void pte_write_inpage(struct vm_process *p, uint64_t vpn, unsigned bounce)
{
	pte_t old = pte_read(p, vpn);

	lk_assert_held(vm_pte_lock(p, vpn));
	VM_ASSERT(pte_format(old) == PTE_FMT_PGF);
	pte_store(p, vpn, pte_make(PTE_FMT_INPAGE, bounce, pte_keep(old)));
}

void pte_write_demand_zero(struct vm_process *p, uint64_t vpn)
{
	pte_store(p, vpn, pte_keep(pte_read(p, vpn)));
}

/*
 * Repurpose: the old owner of a standby frame loses it; its PTE goes from
 * transition to page-file format.  Caller holds the frame's PFN lock, which
 * is what guards a transition PTE; the owner's region lock may be held by
 * someone else, who will re-read the PTE once it has the PFN lock.
 */
void pte_repurpose(struct vm_process *p, uint64_t vpn, uint32_t frame, uint64_t slot)
{
	pte_t old = pte_read(p, vpn);

	lk_assert_held(&p->ps_vm->vm_pfns[frame].pf_lock);
	if (pte_format(old) != PTE_FMT_TRANS || pte_payload(old) != frame)
		vm_panic("repurpose: vpn %llu pte %#llx does not name frame %u",
		    (unsigned long long)vpn, (unsigned long long)old, frame);
	pte_store(p, vpn, pte_make(PTE_FMT_PGF, slot, pte_keep(old)));
}

/*
 * Update a valid PTE's accessed bit, age or TRIMMING flag, only if it still
 * equals old: the accessed bit is set without any lock (pte_mark_accessed),
 * so a read-modify-write under the region lock could lose it.
 */
bool pte_cas(struct vm_process *p, uint64_t vpn, pte_t old, pte_t new)
{
	lk_assert_held(vm_pte_lock(p, vpn));
	VM_ASSERT(pte_format(old) == PTE_FMT_VALID && pte_format(new) == PTE_FMT_VALID);
	VM_ASSERT(pte_payload(old) == pte_payload(new));
	return atomic_compare_exchange_strong_explicit(&p->ps_ptes[vpn], &old, new,
	    memory_order_acq_rel, memory_order_relaxed);
}

/* Aging: the valid page old was touched since the last sweep: young
 * again (accessed bit, age and PTE_PREFETCHED cleared).  Caller holds the
 * region lock.  Returns false if the PTE changed meanwhile. */
bool pte_age_reset(struct vm_process *p, uint64_t vpn, pte_t old)
{
	return pte_cas(p, vpn, old, old & ~(PTE_ACCESSED | PTE_AGE_MASK | PTE_PREFETCHED));
}

/* Aging: the valid page old was not touched: one sweep older (if the PTE
 * is still old).  Caller holds the region lock. */
void pte_age_inc(struct vm_process *p, uint64_t vpn, pte_t old)
{
	VM_ASSERT(pte_age(old) < PTE_AGE_MAX);
	pte_cas(p, vpn, old, old + (1ULL << PTE_AGE_SHIFT));
}

/* The trimmer takes the valid page old into its batch.  Caller holds the
 * region lock and the frame's PFN lock.  Returns false if the PTE changed
 * meanwhile (the accessed bit was set): the page stays out. */
bool pte_trimming_set(struct vm_process *p, uint64_t vpn, pte_t old)
{
	VM_ASSERT(!pte_is_trimming(old));
	return pte_cas(p, vpn, old, old | PTE_TRIMMING);
}

/*
 * Does a fault on vpn continue a sequential run?  The page before it is
 * valid and touched since the trimmer last aged it (this thread, or
 * another, is walking forward).  A heuristic, read with no lock: the
 * prefetcher and the trim hints use it.
 */
bool pte_run_continues(struct vm_process *p, uint64_t vpn)
{
	pte_t prev;

	if (vpn == 0)
		return false;
	prev = pte_read(p, vpn - 1);
	return pte_is_valid(prev) && pte_is_accessed(prev);
}

/* The MMU's part of an access: set the accessed bit of a valid PTE. */
void pte_mark_accessed(struct vm_process *p, uint64_t vpn)
{
	pte_t v = atomic_load_explicit(&p->ps_ptes[vpn], memory_order_relaxed);

	while (pte_format(v) == PTE_FMT_VALID && !(v & PTE_ACCESSED)) {
		if (atomic_compare_exchange_weak_explicit(&p->ps_ptes[vpn], &v,
		    v | PTE_ACCESSED, memory_order_relaxed, memory_order_relaxed))
			return;
	}
}

/* Start-up only: make the page read-only. */
void pte_set_readonly(struct vm_process *p, uint64_t vpn)
{
	pte_store(p, vpn, pte_read(p, vpn) | PTE_F_READONLY);
}
