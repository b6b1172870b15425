/*
 * trimwin.c - the trim window: the span [first, last + 1) of a trim batch,
 * write-protected while the trimmer captures the batch (trim_capture.c,
 * step 2), in the batch's process (each process has its own window).  Layer 2 (vm_work.h): calls layer 1 only.
 *
 *  open    publish the window (faulters and page lockers read it), then
 *          freeze it with one UFFDIO_WRITEPROTECT, leaving out its locked
 *          pages (pglock.c): a kernel write to a write-protected page gets
 *          EFAULT, and a locked page is promised to the kernel
 *  close   after the zap, un-protect the part that still holds valid pages
 *          not in the batch (or nothing, if there is none), withdraw the
 *          window, signal vm_ev_window
 *
 * A write by a user thread to a frozen page that is not in the batch
 * un-protects that page alone (fault.c, fault_valid).  The rules are in
 * vm_lock.h ("Trims racing faults", "Locked pages").
 */
#include "vm_work.h"

/* The first (dir > 0) or last (dir < 0) page of [lo, hi) that is valid
 * and not in the batch, or hi if none.  Takes each region lock in turn. */
static uint64_t trim_thaw_edge(struct vm_process *p, uint64_t lo, uint64_t hi, int dir)
{
	uint64_t vpn = dir > 0 ? lo : hi - 1;

	while (vpn >= lo && vpn < hi) {
		lk_t *rl = vm_pte_lock(p, vpn);
		lk_acquire(rl);
		do {
			pte_t pte = pte_read(p, vpn);
			if (pte_is_settled(pte)) {
				lk_release(rl);
				return vpn;
			}
			vpn += (uint64_t)(int64_t)dir;
		} while (vpn >= lo && vpn < hi && vm_pte_lock(p, vpn) == rl);
		lk_release(rl);
	}
	return hi;
}

/*
 * After the zap: narrow the frozen window [*lo, *hi) to the part that needs
 * a thaw.  The batch's pages are zapped, so only a valid page that is not
 * in the batch can still be write-protected: one mapped before the freeze
 * (a page mapped after it is writable, and thawing it too is harmless).
 * Returns false if there is none, and the thaw (a shootdown and a walk of
 * the window) is skipped.  Only the trimmer makes a valid PTE invalid, so a
 * page valid at the freeze is still valid here, and the region lock orders
 * this read after the PTE write of a fault that filled its page before the
 * freeze.
 */
static bool trim_thaw_range(struct vm_process *p, uint64_t *lo, uint64_t *hi)
{
	uint64_t first = trim_thaw_edge(p, *lo, *hi, 1);

	if (first == *hi)
		return false;
	*hi = trim_thaw_edge(p, first, *hi, -1) + 1;
	*lo = first;
	return true;
}

/* Is vpn a locked page?  Read with no lock held (vm_lock.h, "Locked
 * pages"); a valid PTE can only be invalidated by the trimmer (us). */
static bool trim_page_locked(struct vm_process *p, uint64_t vpn)
{
	pte_t pte = pte_read(p, vpn);

	return pte_is_settled(pte) && pfn_lockcnt(&p->ps_vm->vm_pfns[pte_payload(pte)]) != 0;
}

/*
 * Write-protect [lo, hi) but its locked pages: one call when nothing is
 * locked (vm_nlocked, no scan), else one per run of pages between locked
 * ones.  The window must be open (trim_window_open), and vm_nlocked and the
 * counts are read after it was published: a lock counted later waits for
 * the window to close (pglock_window_wait).
 */
void trim_freeze(struct vm_process *p, uint64_t lo, uint64_t hi)
{
	uint64_t run = lo;

	if (atomic_load(&p->ps_vm->vm_nlocked) != 0) {
		for (uint64_t vpn = lo; vpn < hi; vpn++) {
			if (!trim_page_locked(p, vpn))
				continue;
			if (run < vpn)
				map_freeze(p, run, vpn);
			run = vpn + 1;
		}
	}
	if (run < hi)
		map_freeze(p, run, hi);
}

/* Publish the window [lo, hi) (faulters and lockers read it), then freeze
 * [wlo, hi), the part that is not read-only. */
void trim_window_open(struct vm_process *p, uint64_t lo, uint64_t hi, uint64_t wlo)
{
	VM_ASSERT(!(atomic_load(&p->ps_win_gen) & 1));
	atomic_fetch_add(&p->ps_win_gen, 1);
	atomic_store(&p->ps_win_lo, lo);
	atomic_store(&p->ps_win_hi, hi);
	if (wlo < hi)
		trim_freeze(p, wlo, hi);
}

/*
 * After the zap: thaw what [wlo, hi) still holds frozen (trim_thaw_range),
 * close the window and wake whoever waits for that.
 */
void trim_window_close(struct vm_process *p, uint64_t wlo, uint64_t hi)
{
	if (wlo < hi && trim_thaw_range(p, &wlo, &hi))
		map_thaw(p, wlo, hi);
	atomic_store(&p->ps_win_lo, 0);
	atomic_store(&p->ps_win_hi, 0);
	atomic_fetch_add(&p->ps_win_gen, 1);
	ev_signal(&p->ps_vm->vm_ev_window);
}

