/*
 * trim_policy.c - which pages the trimmer takes (vc_space.as_trim_policy),
 * and the trim hints.  Layer 2 (vm_work.h): calls layer 1 and
 * trim_capture.c's trim_mark; the fault path calls trim_hint_note().
 *
 * Every policy works from the process's working-set list (wsl.c), never
 * the PTEs at large, so a batch costs what the pages it passes cost,
 * whatever the virtual size:
 *
 *  aging   CLOCK over the list: the hand is the head; each page passed goes
 *          to the tail, young again if its accessed bit (set by the access
 *          routine, standing in for the MMU) was set, a sweep older if not;
 *          pages untouched for ps_trim_age sweeps are trimmed.  With no
 *          access routine every page looks unreferenced (vm.h).
 *  fifo    the pages mapped longest ago: the head of the list, whatever
 *          their accessed bits
 *  random  random pages of the list (wsl_sample)
 *  hints   (vt_trim_hints, any policy) first, the pages faulters' sequential
 *          runs left behind, whatever their accessed bits (seed 001)
 *
 * Locked pages (pglock.c) are never candidates: the hand passes them to
 * the tail.  Each process has its own clock hand, age, random stream and
 * hint ring; each batch comes from one process, the one the working-set
 * manager picks (wsm.c, wsm_collect), which calls trim_collect_from().
 * Whatever the policy, a candidate joins the batch through trim_mark()
 * under its region lock.
 */
#include "vm_work.h"

#define TRIM_HINT_DIST 16		/* a run's fault at vpn hints vpn - this */

/* Is the valid page a trim candidate under aging?  Ages it if not. */
static bool trim_aging_pick(struct vm_process *p, uint64_t vpn, pte_t pte)
{
	if (p->ps_vm->vm_trim_everything)
		return true;
	if (pte_is_accessed(pte)) {
		/* Touched: young again; a prefetched page has proved useful. */
		if (pte_age_reset(p, vpn, pte) && pte_is_prefetched(pte))
			vm_stat_add(p->ps_vm, prefetch_used, 1);
		return false;
	}
	if (pte_age(pte) < p->ps_trim_age) {
		pte_age_inc(p, vpn, pte);
		return false;
	}
	return true;
}

/*
 * Is the PTE pte a page the trimmer may take: valid, not in a batch
 * already, and not locked (vm_lock_pages)?  The lock count is exact under
 * the region lock or the frame's PFN lock, a hint without either; no PFN
 * entry is read while nothing is locked.
 */
static bool trim_candidate(struct vm *vm, pte_t pte)
{
	return pte_is_settled(pte) &&
	    (atomic_load_explicit(&vm->vm_nlocked, memory_order_relaxed) == 0 ||
	    pfn_lockcnt(&vm->vm_pfns[pte_payload(pte)]) == 0);
}

/* Hold the region lock of vpn, releasing *held if it is another: the
 * collectors take the pages of a batch one by one.  Returns it. */
static lk_t *trim_region_switch(struct vm_process *p, lk_t *held, uint64_t vpn)
{
	lk_t *rl = vm_pte_lock(p, vpn);

	if (rl == held)
		return rl;
	if (held != NULL)
		lk_release(held);
	lk_acquire(rl);
	return rl;
}

/* The PTE of working-set entry e, if it is still valid and names e's frame
 * (read with or without its region lock); 0 otherwise. */
static pte_t trim_entry_pte(struct vm_process *p, const struct wsl_entry *e)
{
	pte_t pte = pte_read(p, e->we_vpn);

	return pte_is_valid(pte) && pte_payload(pte) == e->we_frame ? pte : 0;
}

/* Consider one PTE for aging; add it to the batch if it is to be trimmed.
 * Returns whether the page was a candidate at all, so the trimmer sleeps
 * when only locked pages are mapped.  Caller holds its region lock. */
static bool trim_consider(const struct wsl_entry *e, struct trim_batch *b)
{
	struct vm_process *p = b->tb_proc;
	pte_t pte = trim_entry_pte(p, e);

	if (pte == 0 || !trim_candidate(p->ps_vm, pte))
		return false;
	if (trim_aging_pick(p, e->we_vpn, pte))
		trim_mark(e->we_vpn, pte, b);
	return true;
}

#define TRIM_CHUNK 32	/* working-set entries taken per hold of the WS lock */

/*
 * Aging (CLOCK over the working-set list): the hand is the list's head.
 * Each entry passed goes to the tail: a referenced page is young again
 * (second chance), an unreferenced one a sweep older, one old enough joins
 * the batch (a locked one is passed over).  At most one revolution, until
 * the batch is full, appending to what it holds.  Returns how many
 * candidates it saw.  The cost is per entry passed: the working set, not
 * the virtual size.
 */
static uint64_t trim_collect_clock(struct trim_batch *b)
{
	struct vm_process *p = b->tb_proc;
	int max = b->tb_max;
	uint64_t budget = wsl_count(p), valid = 0;
	struct wsl_entry e[TRIM_CHUNK];

	while (b->tb_n < max && budget > 0) {
		int want = max - b->tb_n, n;
		lk_t *held = NULL;

		if (want > TRIM_CHUNK)
			want = TRIM_CHUNK;
		if ((uint64_t)want > budget)
			want = (int)budget;
		n = wsl_rotate(p, e, want);
		if (n == 0)
			break;
		budget -= (uint64_t)n;
		for (int i = 0; i < n; i++) {
			held = trim_region_switch(p, held, e[i].we_vpn);
			valid += trim_consider(&e[i], b);
		}
		lk_release(held);
	}
	return valid;
}

/*
 * Keep the k smallest keys seen in a max-heap h of *n entries (k >= 1).
 * Pure: the unit tests check it against sorting.
 */
void trim_pick_add(struct trim_pick *h, int *n, int k, uint64_t key, uint64_t vpn)
{
	int i;

	if (*n < k) {
		for (i = (*n)++; i > 0 && h[(i - 1) / 2].tp_key < key; i = (i - 1) / 2)
			h[i] = h[(i - 1) / 2];
		h[i] = (struct trim_pick){ key, vpn };
		return;
	}
	if (key >= h[0].tp_key)
		return;
	for (i = 0;;) {
		int c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1].tp_key > h[c].tp_key)
			c++;
		if (h[c].tp_key <= key)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = (struct trim_pick){ key, vpn };
}

/*
 * FIFO and random: choose up to k candidates of p into out, ascending by
 * vpn.  FIFO: the pages mapped longest ago, from the head of the
 * working-set list; each entry passed goes to the tail (a candidate will
 * leave the list when trimmed; a locked page or one in a batch already
 * waits its turn again), at most one revolution.  Random: random entries
 * of the list (wsl_sample).  Reads PTEs and pf_lockcnt without locks: only
 * the trimmer makes a valid page invalid, so the choice stays valid until
 * trim_collect_scan() marks it (and rechecks).  *nvalid gets the
 * candidates seen.
 */
int trim_select(struct vm_process *p, uint64_t *out, int k, uint64_t *nvalid)
{
	return trim_select_by(p, out, k, nvalid, p->ps_cfg.as_trim_policy == VM_TRIM_RANDOM);
}

/* trim_select, random or not (fifo: the head, whatever p's policy; local
 * replacement takes the oldest pages so, wsm.c).  rng: p->ps_trim_rng is
 * the trimmer's, so only the trimmer asks for random. */
int trim_select_by(struct vm_process *p, uint64_t *out, int k, uint64_t *nvalid, bool random)
{
	struct wsl_entry e[VM_TRIM_BATCH_MAX];
	struct vm *vm = p->ps_vm;
	uint64_t budget = wsl_count(p);
	int n = 0, m;

	VM_ASSERT(k >= 1 && k <= VM_TRIM_BATCH_MAX);
	*nvalid = 0;
	if (random) {
		m = wsl_sample(p, e, k, &p->ps_trim_rng);
		for (int i = 0; i < m; i++) {
			pte_t pte = trim_entry_pte(p, &e[i]);
			if (pte != 0 && trim_candidate(vm, pte))
				out[n++] = e[i].we_vpn;
		}
		*nvalid = (uint64_t)n;
		goto sort;
	}
	while (n < k && budget > 0) {
		int want = k - n;
		if ((uint64_t)want > budget)
			want = (int)budget;
		m = wsl_rotate(p, e, want);
		if (m == 0)
			break;
		budget -= (uint64_t)m;
		for (int i = 0; i < m; i++) {
			pte_t pte = trim_entry_pte(p, &e[i]);
			if (pte != 0 && trim_candidate(vm, pte))
				out[n++] = e[i].we_vpn;
		}
	}
	*nvalid = (uint64_t)n;
sort:
	vm_sort_by_key(out, (size_t)n, sizeof(out[0]));
	/* random may draw an entry twice: keep one */
	m = 0;
	for (int i = 0; i < n; i++)
		if (m == 0 || out[m - 1] != out[i])
			out[m++] = out[i];
	return m;
}

/* FIFO and random: select, then mark under each region lock, appending
 * to what the batch holds. */
static uint64_t trim_collect_scan(struct trim_batch *b)
{
	struct vm_process *p = b->tb_proc;
	uint64_t pick[VM_TRIM_BATCH_MAX], valid;
	int n = trim_select(p, pick, b->tb_max - b->tb_n, &valid);
	lk_t *held = NULL;

	for (int i = 0; i < n; i++) {
		pte_t pte;

		held = trim_region_switch(p, held, pick[i]);
		pte = pte_read(p, pick[i]);
		if (pte_is_settled(pte))
			trim_mark(pick[i], pte, b);
	}
	if (held != NULL)
		lk_release(held);
	return valid;
}

/*
 * The fault path's one hook (fault_once): a fault that mapped vpn and
 * continues a sequential run (pte_run_continues) hands the trimmer
 * vpn - TRIM_HINT_DIST, a page the run has left behind, in the process's
 * ring.  Lock-free and lossy: a lapped slot is overwritten; the trimmer
 * checks each hint under its region lock.  Called with no lock held.
 */
void trim_hint_note(struct vm_process *p, uint64_t vpn)
{
	uint64_t i;

	lk_assert_none_held();
	if (!p->ps_vm->vm_tun.vt_trim_hints || vpn < TRIM_HINT_DIST || !pte_run_continues(p, vpn))
		return;
	i = atomic_fetch_add_explicit(&p->ps_hint_head, 1, memory_order_relaxed);
	atomic_store_explicit(&p->ps_hints[i & (VM_HINT_RING - 1)], vpn - TRIM_HINT_DIST + 1,
	    memory_order_relaxed);
}

/*
 * Hints: mark the pages faulters' runs left behind, whatever their
 * accessed bits, until the batch is full or the ring is drained.  A hint
 * that is no longer a valid page, or is already in the batch (TRIMMING), is
 * dropped.  Hints come in any order: trim_collect_from() sorts.
 */
static void trim_collect_hints(struct trim_batch *b)
{
	struct vm_process *p = b->tb_proc;
	uint64_t head = atomic_load_explicit(&p->ps_hint_head, memory_order_acquire);
	lk_t *held = NULL;
	int n0 = b->tb_n;

	if (head - p->ps_hint_tail > VM_HINT_RING)
		p->ps_hint_tail = head - VM_HINT_RING;	/* lapped: those are gone */
	for (; p->ps_hint_tail != head && b->tb_n < b->tb_max; p->ps_hint_tail++) {
		uint64_t h = atomic_exchange_explicit(
		    &p->ps_hints[p->ps_hint_tail & (VM_HINT_RING - 1)], 0, memory_order_relaxed);
		uint64_t vpn = h - 1;
		pte_t pte;

		if (h == 0 || vpn >= p->ps_npages)
			continue;	/* not stored yet, or consumed: lossy */
		held = trim_region_switch(p, held, vpn);
		pte = pte_read(p, vpn);
		if (pte_is_settled(pte))
			trim_mark(vpn, pte, b);
	}
	if (held != NULL)
		lk_release(held);
	vm_stat_add(p->ps_vm, trimmed_by_hint, (uint64_t)(b->tb_n - n0));
}

/*
 * Choose and mark the next batch of at most max pages from process p into
 * b, ascending by vpn:
 * the hints first, then the policy's pages (every valid page, by the
 * clock, while vm_empty_working_set runs).  Returns how many candidates
 * were seen (0: nothing mapped that could be trimmed).  The trimmer's
 * thread only.
 */
uint64_t trim_collect_from(struct vm_process *p, struct trim_batch *b, int max)
{
	uint64_t valid;
	int nhint;

	VM_ASSERT(max >= 1 && max <= VM_TRIM_BATCH_MAX);
	b->tb_proc = p;
	b->tb_n = 0;
	b->tb_max = max;
	if (p->ps_vm->vm_trim_everything) {
		valid = trim_collect_clock(b);
		trim_batch_sort(b);
		return valid;
	}
	if (p->ps_vm->vm_tun.vt_trim_hints)
		trim_collect_hints(b);
	nhint = b->tb_n;
	if (nhint == b->tb_max)
		valid = 0;	/* the hints filled the batch */
	else if (p->ps_cfg.as_trim_policy == VM_TRIM_AGING)
		valid = trim_collect_clock(b);
	else
		valid = trim_collect_scan(b);
	trim_batch_sort(b);
	return valid + (uint64_t)nhint;
}
