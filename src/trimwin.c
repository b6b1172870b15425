/*
 * trimwin.c - the trim window: the span [first, last + 1) of a trim batch,
 * write-protected span by span while the trimmer captures the batch
 * (trim_capture.c, step 2), in the batch's process (each process has its
 * own window).  Layer 2 (vm_work.h): calls layer 1 only.
 *
 *  publish  faulters and page lockers read the window [lo, hi)
 *  freeze   trim_span_freeze, for each span of the batch (the batch is cut
 *           where its pages are far apart): one UFFDIO_WRITEPROTECT of the
 *           span, leaving out its locked pages (pglock.c: a kernel write
 *           to a write-protected page gets EFAULT, and a locked page is
 *           promised to the kernel), or one per piece (below)
 *  thaw     trim_span_thaw, after the zap: un-protect what the span still
 *           holds frozen that is not in the batch (or nothing, if there is
 *           none)
 *  withdraw close the window, signal vm_ev_window
 *
 * trim_window_open and trim_window_close do all of it for a window of one
 * span frozen whole; trim_window_open_pieces and _close_pieces, pieces
 * allowed.
 *
 * With vt_trim_pieces (the default) a span may be frozen piece by piece: a
 * piece is a run of the batch's pages joined across gaps of at most
 * TRIM_JOIN_GAP pages that hold no valid page, so the freeze walks the
 * batch's pages and a few empty PTEs and never write-protects a valid page
 * that is not in the batch; the thaw then has nothing to do, but for a
 * page that became valid in a joined gap between the scan and the freeze
 * (trim_span_thaw checks).  A whole-span freeze walks every present PTE of
 * the span twice (freeze and thaw), the working set's pages between the
 * batch's: per trimmed page about resident / batch of them; pieces cost a
 * call each.  The span is frozen whole when it holds fewer than
 * TRIM_PIECE_PTES valid pages outside the batch per piece
 * (docs/PERFORMANCE.md, "Trim windows").
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

/* Publish the window [lo, hi): faulters and lockers read it. */
void trim_window_publish(struct vm_process *p, uint64_t lo, uint64_t hi)
{
	VM_ASSERT(!(atomic_load(&p->ps_win_gen) & 1));
	atomic_fetch_add(&p->ps_win_gen, 1);
	atomic_store(&p->ps_win_lo, lo);
	atomic_store(&p->ps_win_hi, hi);
}

/* Withdraw the window and wake whoever waits for that. */
void trim_window_withdraw(struct vm_process *p)
{
	atomic_store(&p->ps_win_lo, 0);
	atomic_store(&p->ps_win_hi, 0);
	atomic_fetch_add(&p->ps_win_gen, 1);
	ev_signal(&p->ps_vm->vm_ev_window);
}

/* Publish the window [lo, hi), then freeze [wlo, hi), the part that is not
 * read-only. */
void trim_window_open(struct vm_process *p, uint64_t lo, uint64_t hi, uint64_t wlo)
{
	trim_window_publish(p, lo, hi);
	trim_span_freeze(p, wlo, hi, NULL, 0, NULL, false);
}

/*
 * After the zap: thaw what [wlo, hi) still holds frozen (trim_thaw_range),
 * close the window and wake whoever waits for that.
 */
void trim_window_close(struct vm_process *p, uint64_t wlo, uint64_t hi)
{
	trim_span_thaw(p, NULL, 0, wlo, hi);
	trim_window_withdraw(p);
}

/*
 * A gap of at most this many pages that holds no valid page joins two runs
 * of a batch into one piece: its empty PTEs cost the freeze a few ns each
 * (bench/wp_walk.c), far less than a call.
 */
#define TRIM_JOIN_GAP 64

/*
 * A call costs the trimmer about what freezing and thawing this many
 * scattered present PTEs does (bench/wp_batch.c, with a sibling thread
 * running: about 7 us a call, for its shootdown, against 0.6 us a PTE): a
 * span whose valid pages outside the batch are fewer than this many per
 * piece is frozen whole, as before pieces.  (5, from the calls' CPU alone,
 * made the heavy workload 1.19x slower than the span; 12 measured even.)
 */
#define TRIM_PIECE_PTES 12

/* The valid pages of [lo, hi), read with no lock held: a page made valid
 * after this read is caught by trim_window_close_pieces. */
static uint64_t trim_count_valid(struct vm_process *p, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	for (uint64_t vpn = lo; vpn < hi; vpn++)
		n += pte_is_valid(pte_read(p, vpn));
	return n;
}

/* Cut the batch's pages vpns[0, n) at or above wlo into pieces (pc; their
 * number returned), and count the valid pages between them (*others). */
static int trim_pieces_plan(struct vm_process *p, uint64_t wlo, const uint64_t *vpns, int n,
    struct trim_piece *pc, uint64_t *others)
{
	int np = 0;

	*others = 0;
	for (int i = 0; i < n; i++) {
		uint64_t v = vpns[i], between;
		struct trim_piece *last = np > 0 ? &pc[np - 1] : NULL;
		if (v < wlo)
			continue;
		if (last != NULL && v == last->tpc_hi) {
			last->tpc_hi = v + 1;
			continue;
		}
		between = last != NULL ? trim_count_valid(p, last->tpc_hi, v) : 0;
		*others += between;
		if (last != NULL && between == 0 && v - last->tpc_hi <= TRIM_JOIN_GAP) {
			last->tpc_hi = v + 1;
			last->tpc_gaps = true;
		} else {
			pc[np++] = (struct trim_piece){ .tpc_lo = v, .tpc_hi = v + 1 };
		}
	}
	return np;
}

/*
 * In an open window, freeze the batch's pages vpns[0, n) (ascending) at or
 * above wlo, piece by piece (see the top of this file), or the span [wlo,
 * hi) whole when pieces is false or its valid pages outside the batch are
 * too few to pay for the pieces' calls.  Fills pc with the pieces and
 * returns how many, or 0 if it froze the span whole.
 */
int trim_span_freeze(struct vm_process *p, uint64_t wlo, uint64_t hi, const uint64_t *vpns,
    int n, struct trim_piece *pc, bool pieces)
{
	uint64_t others;
	int np;

	if (!pieces || wlo >= hi || (np = trim_pieces_plan(p, wlo, vpns, n, pc, &others)) == 0 ||
	    (uint64_t)np * TRIM_PIECE_PTES > others) {
		if (wlo < hi)
			trim_freeze(p, wlo, hi);
		return 0;
	}
	for (int k = 0; k < np; k++)
		trim_freeze(p, pc[k].tpc_lo, pc[k].tpc_hi);
	return np;
}

/*
 * After the zap: thaw what trim_span_freeze left frozen that still needs
 * it.  Frozen whole (np 0): the valid pages of [wlo, hi) not in the batch
 * (trim_thaw_range).  In pieces: a piece with gaps may have frozen a page
 * that a fault made valid between the plan and the freeze (nearly always
 * nothing, and no call).  The window stays open.
 */
void trim_span_thaw(struct vm_process *p, const struct trim_piece *pc, int np, uint64_t wlo,
    uint64_t hi)
{
	if (np == 0) {
		if (wlo < hi && trim_thaw_range(p, &wlo, &hi))
			map_thaw(p, wlo, hi);
		return;
	}
	for (int k = 0; k < np; k++) {
		uint64_t plo = pc[k].tpc_lo, phi = pc[k].tpc_hi;
		if (pc[k].tpc_gaps && trim_thaw_range(p, &plo, &phi))
			map_thaw(p, plo, phi);
	}
}

/* Publish the window [lo, hi) and freeze its span [wlo, hi) as
 * trim_span_freeze does, pieces allowed; returns the pieces, or 0. */
int trim_window_open_pieces(struct vm_process *p, uint64_t lo, uint64_t hi, uint64_t wlo,
    const uint64_t *vpns, int n, struct trim_piece *pc)
{
	trim_window_publish(p, lo, hi);
	return trim_span_freeze(p, wlo, hi, vpns, n, pc, true);
}

/* After the zap: trim_span_thaw, then close the window. */
void trim_window_close_pieces(struct vm_process *p, const struct trim_piece *pc, int np,
    uint64_t wlo, uint64_t hi)
{
	trim_span_thaw(p, pc, np, wlo, hi);
	trim_window_withdraw(p);
}
