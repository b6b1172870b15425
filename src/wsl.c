/*
 * wsl.c - the working-set list of a process (Windows' working-set list,
 * MMWSL): the frames of its valid pages, oldest first, a doubly linked
 * list threaded through the PFN database (pf_wsnext, pf_wsprev) under the
 * process's working-set lock ps_ws_lock.  Layer 1 (vm_ctx.h).
 *
 * A frame is on its owner's list exactly while it is ACTIVE: it joins at
 * the tail where it becomes ACTIVE (fault_activate, the one place) and
 * leaves where it stops being ACTIVE (trim_finish; proc_free_page at
 * teardown), each with its PFN lock held and, but at teardown, its page's
 * region lock.  The list's length is the process's resident count
 * (ps_resident).  The trimmer's policies read the list instead of the PTEs,
 * so their cost follows the working set, not the virtual size:
 *
 *  wsl_rotate   the CLOCK hand is the head: take entries from the head and
 *               move them to the tail (aging's second chance, fifo's order)
 *  wsl_sample   random entries, drawn from the PFN database (pf_wsproc
 *               names the list a frame is on), or from the list itself
 *               when the working set is a small part of the frames
 *
 * The working-set lock ranks below the PFN lock (vm_lock.h): a thread
 * holding it takes no other lock.  An entry read under it is ACTIVE and
 * owned by the process, its pf_vpn stable: the frame cannot leave the list
 * without that lock.
 */
#include "vm_ctx.h"

void wsl_init(struct vm_process *p)
{
	lk_init(&p->ps_ws_lock, LK_RANK_WS);
	p->ps_ws_head = PFN_NONE;
	p->ps_ws_tail = PFN_NONE;
}

/* Link frame f (entry pf) at the tail.  Caller holds the WS lock. */
static void wsl_link_tail(struct vm_process *p, struct pfn *pf, uint32_t f)
{
	struct vm *vm = p->ps_vm;

	pf->pf_wsnext = PFN_NONE;
	pf->pf_wsprev = p->ps_ws_tail;
	if (p->ps_ws_tail == PFN_NONE)
		p->ps_ws_head = f;
	else
		vm->vm_pfns[p->ps_ws_tail].pf_wsnext = f;
	p->ps_ws_tail = f;
}

/* Unlink pf from wherever it is.  Caller holds the WS lock. */
static void wsl_unlink(struct vm_process *p, struct pfn *pf)
{
	struct vm *vm = p->ps_vm;

	if (pf->pf_wsprev == PFN_NONE)
		p->ps_ws_head = pf->pf_wsnext;
	else
		vm->vm_pfns[pf->pf_wsprev].pf_wsnext = pf->pf_wsnext;
	if (pf->pf_wsnext == PFN_NONE)
		p->ps_ws_tail = pf->pf_wsprev;
	else
		vm->vm_pfns[pf->pf_wsnext].pf_wsprev = pf->pf_wsprev;
	pf->pf_wsnext = pf->pf_wsprev = PFN_NONE;
}

/*
 * pf, just made ACTIVE as p's page pf_vpn, joins the tail of p's list: one
 * more resident page, and the peak.  Caller holds the PFN lock (and the
 * page's region lock).
 */
void wsl_insert(struct vm_process *p, struct pfn *pf)
{
	uint64_t n, peak;

	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_state == PFN_STATE_ACTIVE && pf->pf_proc == p->ps_id);
	lk_acquire(&p->ps_ws_lock);
	VM_ASSERT(atomic_load_explicit(&pf->pf_wsproc, memory_order_relaxed) == 0);
	wsl_link_tail(p, pf, vm_pfn_index(p->ps_vm, pf));
	atomic_store_explicit(&pf->pf_wsproc, (uint16_t)(p->ps_id + 1), memory_order_relaxed);
	n = atomic_load_explicit(&p->ps_resident, memory_order_relaxed) + 1;
	atomic_store_explicit(&p->ps_resident, n, memory_order_relaxed);
	lk_release(&p->ps_ws_lock);
	peak = atomic_load_explicit(&p->ps_resident_peak, memory_order_relaxed);
	while (n > peak && !atomic_compare_exchange_weak_explicit(&p->ps_resident_peak, &peak, n,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

/* pf, about to stop being ACTIVE, leaves p's list: one resident page
 * fewer.  Caller holds the PFN lock. */
void wsl_remove(struct vm_process *p, struct pfn *pf)
{
	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_state == PFN_STATE_ACTIVE);
	lk_acquire(&p->ps_ws_lock);
	VM_ASSERT(atomic_load_explicit(&pf->pf_wsproc, memory_order_relaxed) == p->ps_id + 1);
	wsl_unlink(p, pf);
	atomic_store_explicit(&pf->pf_wsproc, 0, memory_order_relaxed);
	atomic_store_explicit(&p->ps_resident,
	    atomic_load_explicit(&p->ps_resident, memory_order_relaxed) - 1, memory_order_relaxed);
	lk_release(&p->ps_ws_lock);
}

/*
 * Take up to max entries from the head of p's list into out, moving each
 * to the tail (the clock hand advances past them) stamped with the next
 * machine-wide sequence numbers (pf_mapseq): so each list stays ordered by
 * stamp, the time its page was mapped or last passed by the hand, and the
 * working-set manager compares processes by their heads' stamps
 * (wsl_oldest_seq).  Returns how many.
 * Caller holds no lock of rank at or above the WS lock.
 */
int wsl_rotate(struct vm_process *p, struct wsl_entry *out, int max)
{
	struct vm *vm = p->ps_vm;
	uint64_t seq;
	int n = 0;

	if (max <= 0)
		return 0;
	lk_acquire(&p->ps_ws_lock);
	seq = atomic_fetch_add_explicit(&vm->vm_mapseq, (uint64_t)max, memory_order_relaxed) + 1;
	while (n < max && p->ps_ws_head != PFN_NONE) {
		uint32_t f = p->ps_ws_head;
		struct pfn *pf = &vm->vm_pfns[f];

		out[n++] = (struct wsl_entry){ .we_frame = f, .we_vpn = pf->pf_vpn };
		/* passed by the hand: stamped now, as if mapped now */
		atomic_store_explicit(&pf->pf_mapseq, seq++, memory_order_relaxed);
		if (p->ps_ws_tail != f) {
			wsl_unlink(p, pf);
			wsl_link_tail(p, pf, f);
		}
	}
	lk_release(&p->ps_ws_lock);
	return n;
}

#define WSL_PROBES 8	/* frames probed per entry wanted, times nframes / resident */

/*
 * Up to max entries of p's list chosen at random (with repeats possible:
 * the caller's mark skips a page already in its batch).  When the list
 * holds at least 1/WSL_PROBES of the frames, random frames of the PFN
 * database are probed for membership (pf_wsproc), about nframes/resident
 * probes an entry; otherwise the list is walked once and each entry kept
 * with probability max/resident.  Either way the cost is bounded by the
 * frames or the working set, never the virtual size.  Returns how many.
 */
int wsl_sample(struct vm_process *p, struct wsl_entry *out, int max, uint64_t *rng)
{
	struct vm *vm = p->ps_vm;
	uint64_t n, tries;
	int got = 0;

	lk_acquire(&p->ps_ws_lock);
	n = atomic_load_explicit(&p->ps_resident, memory_order_relaxed);
	if (n == 0 || max <= 0)
		goto out;
	if (n * WSL_PROBES >= vm->vm_nframes) {
		tries = (uint64_t)max * WSL_PROBES * WSL_PROBES;
		while (got < max && tries-- > 0) {
			uint32_t f = (uint32_t)(vm_rand(rng) % vm->vm_nframes);
			struct pfn *pf = &vm->vm_pfns[f];

			if (atomic_load_explicit(&pf->pf_wsproc, memory_order_relaxed) == p->ps_id + 1)
				out[got++] = (struct wsl_entry){ .we_frame = f, .we_vpn = pf->pf_vpn };
		}
		goto out;
	}
	for (uint32_t f = p->ps_ws_head; f != PFN_NONE && got < max; f = vm->vm_pfns[f].pf_wsnext)
		if (vm_rand(rng) % n < (uint64_t)max)
			out[got++] = (struct wsl_entry){ .we_frame = f,
			    .we_vpn = vm->vm_pfns[f].pf_vpn };
out:
	lk_release(&p->ps_ws_lock);
	return got;
}

/* The mapping sequence (pf_mapseq) of p's oldest page, or UINT64_MAX if it
 * has none: the working-set manager compares processes by it (fifo). */
uint64_t wsl_oldest_seq(struct vm_process *p)
{
	uint64_t seq = UINT64_MAX;

	lk_acquire(&p->ps_ws_lock);
	if (p->ps_ws_head != PFN_NONE)
		seq = atomic_load_explicit(&p->ps_vm->vm_pfns[p->ps_ws_head].pf_mapseq,
		    memory_order_relaxed);
	lk_release(&p->ps_ws_lock);
	return seq;
}
