/*
 * trim.c - the working-set trimmer.
 *
 * Woken when available pages (zeroed + free + standby) run low, it picks a
 * batch of valid pages by the trim policy (vc_trim_policy) and trims it.
 *
 *  aging   (the default) a clock hand sweeps the PTEs and ages each valid
 *          page by its accessed bit (set by the access routine, standing in
 *          for the MMU); pages untouched for vm_trim_age sweeps are trimmed
 *  fifo    the pages mapped longest ago (pf_mapseq, stamped when the frame
 *          became active), whatever their accessed bits
 *  random  a uniformly random set of valid pages
 *
 * fifo and random scan every PTE for each batch and keep the batch's best
 * keys in a heap (trim_select): O(pages log batch), not O(1), but exact.
 * Locked pages (pglock.c) are never candidates.  The batch is trimmed in
 * three steps:
 *
 *  1. collect: under each region lock, mark the candidates' PTEs TRIMMING.
 *     They stay mapped; a thread that faults on one waits for the batch.
 *  2. capture, with no lock held: write-protect the batch's window but its
 *     locked pages (trimwin.c; one shootdown when none is locked), compare
 *     each frozen page that has a page-file copy with its frame (a page
 *     equal to the frame it was mapped from was not written) and copy the
 *     written ones, and those with no page-file copy, back; zap the batch
 *     with one process_madvise (one shootdown);
 *     un-protect the part of the window that still holds valid pages not in
 *     the batch, if any (one shootdown, or none).  A write to another page
 *     of the window meanwhile faults and un-protects that page alone.
 *  3. finish: under region and PFN lock, each PTE goes to transition and
 *     its frame to the modified list, or straight to standby if it is clean
 *     and its page-file copy is still valid.
 */
#include <string.h>

#include "trim.h"
#include "vm_internal.h"

#if defined(__SANITIZE_THREAD__)
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#define hw_copy_begin() __tsan_ignore_thread_begin()
#define hw_copy_end() __tsan_ignore_thread_end()
#else
#define hw_copy_begin() ((void)0)
#define hw_copy_end() ((void)0)
#endif

struct trim_batch {
	int tb_n;
	uint64_t tb_vpn[VM_TRIM_BATCH_MAX];	/* ascending */
	uint32_t tb_frame[VM_TRIM_BATCH_MAX];
	bool tb_noslot[VM_TRIM_BATCH_MAX];	/* no page-file copy when marked */
	bool tb_dirty[VM_TRIM_BATCH_MAX];	/* copied back: goes to modified */
};

void trim_wakeup(struct vm *vm)
{
	ev_signal(&vm->vm_ev_trim);
}

/*
 * Trim while available pages, plus the modified pages the writer can turn
 * into standby ones, are below the goal.  A modified page the writer has
 * no free slot for does not count: with the page file full, only a trim of
 * a clean page (or a hard fault that frees its slot) makes progress.
 */
static bool trim_needed(struct vm *vm)
{
	uint64_t mod = plist_count(vm_list(vm, PFN_STATE_MODIFIED));
	uint64_t slots = pgf_writable_count(&vm->vm_pgf);

	return vm_available(vm) + (mod < slots ? mod : slots) < vm->vm_trim_goal;
}

/* Is the valid page a trim candidate under aging?  Ages it if not. */
static bool trim_aging_pick(struct vm *vm, uint64_t vpn, pte_t p)
{
	if (vm->vm_trim_everything)
		return true;
	if (p & PTE_ACCESSED) {
		/* Touched: young again; a prefetched page has proved useful. */
		if (pte_cas(vm, vpn, p, p & ~(PTE_ACCESSED | PTE_AGE_MASK | PTE_PREFETCHED)) &&
		    (p & PTE_PREFETCHED))
			vm_stat_add(vm, prefetch_used, 1);
		return false;
	}
	if (pte_age(p) < vm->vm_trim_age) {
		pte_cas(vm, vpn, p, p + (1ULL << PTE_AGE_SHIFT));
		return false;
	}
	return true;
}

/*
 * Is the valid page p locked (vm_lock_pages)?  Exact under its region lock
 * or its frame's PFN lock; a hint without either.  Reads no PFN entry
 * while nothing is locked.
 */
static bool trim_locked(struct vm *vm, pte_t p)
{
	return atomic_load_explicit(&vm->vm_nlocked, memory_order_relaxed) != 0 &&
	    pfn_lockcnt(&vm->vm_pfns[pte_payload(p)]) != 0;
}

/* Add the valid page p at vpn to the batch: mark it TRIMMING under its
 * frame's PFN lock.  Caller holds the region lock. */
static void trim_mark(struct vm *vm, uint64_t vpn, pte_t p, struct trim_batch *b)
{
	struct pfn *pf = &vm->vm_pfns[pte_payload(p)];

	lk_assert_held(vm_pte_lock(vm, vpn));
	lk_acquire(&pf->pf_lock);
	/* A page re-faulted while the writer still copies its frame waits;
	 * a locked page stays. */
	if (!(pf->pf_flags & PFN_F_WRITING) && pfn_lockcnt(pf) == 0 &&
	    pte_cas(vm, vpn, p, p | PTE_TRIMMING)) {
		b->tb_vpn[b->tb_n] = vpn;
		b->tb_noslot[b->tb_n] = pf->pf_slot == PGF_SLOT_NONE;
		b->tb_frame[b->tb_n++] = (uint32_t)pte_payload(p);
	}
	lk_release(&pf->pf_lock);
}

/* Consider one PTE for aging; add it to the batch if it is to be trimmed.
 * Returns whether the PTE was valid and could be trimmed (not locked), so
 * the trimmer sleeps when only locked pages are mapped.  Caller holds its
 * region lock. */
static bool trim_consider(struct vm *vm, uint64_t vpn, struct trim_batch *b)
{
	pte_t p = pte_read(vm, vpn);

	if (pte_format(p) != PTE_FMT_VALID || (p & PTE_TRIMMING) || trim_locked(vm, p))
		return false;
	if (trim_aging_pick(vm, vpn, p))
		trim_mark(vm, vpn, p, b);
	return true;
}

/*
 * Aging: sweep the clock hand until the batch is full, at most one
 * revolution, appending to what the batch holds.  The sweep never wraps
 * past the end of the region, so its vpns ascend.  Returns how many valid
 * pages the sweep saw.
 */
static uint64_t trim_collect_clock(struct vm *vm, struct trim_batch *b)
{
	uint64_t scanned = 0, valid = 0;

	while (b->tb_n < vm->vm_trim_batch && scanned < vm->vm_npages) {
		uint64_t vpn = vm->vm_trim_hand;
		uint64_t end = ((vpn >> PTE_REGION_SHIFT) + 1) << PTE_REGION_SHIFT;
		lk_t *rl = vm_pte_lock(vm, vpn);

		if (end > vm->vm_npages)
			end = vm->vm_npages;
		lk_acquire(rl);
		for (; vpn < end && b->tb_n < vm->vm_trim_batch; vpn++)
			valid += trim_consider(vm, vpn, b);
		lk_release(rl);
		scanned += vpn - vm->vm_trim_hand;
		vm->vm_trim_hand = vpn;
		if (vpn == vm->vm_npages) {
			vm->vm_trim_hand = 0;
			if (b->tb_n > 0)
				break;
		}
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

/* Sort n vpns ascending (map_zap wants a batch in order). */
void trim_vpns_sort(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++) {
		uint64_t x = v[i];
		int j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * FIFO and random: choose up to k valid pages, those mapped longest ago
 * (smallest pf_mapseq) or a uniformly random set (smallest random keys),
 * into out, ascending.  Reads PTEs, pf_mapseq and pf_lockcnt without
 * locks: only the trimmer makes a valid page invalid, so the choice stays
 * valid until trim_collect_scan() marks it (and rechecks the lock).
 * *nvalid gets the valid pages seen that are not locked.
 */
int trim_select(struct vm *vm, uint64_t *out, int k, uint64_t *nvalid)
{
	struct trim_pick h[VM_TRIM_BATCH_MAX];
	bool fifo = vm->vm_cfg.vc_space.as_trim_policy == VM_TRIM_FIFO;
	int n = 0;

	VM_ASSERT(k >= 1 && k <= VM_TRIM_BATCH_MAX);
	*nvalid = 0;
	for (uint64_t vpn = 0; vpn < vm->vm_npages; vpn++) {
		pte_t p = pte_read(vm, vpn);
		uint64_t key;

		if (pte_format(p) != PTE_FMT_VALID || (p & PTE_TRIMMING) || trim_locked(vm, p))
			continue;
		(*nvalid)++;
		key = fifo ? atomic_load_explicit(&vm->vm_pfns[pte_payload(p)].pf_mapseq,
		    memory_order_relaxed) : vm_rand(&vm->vm_trim_rng);
		trim_pick_add(h, &n, k, key, vpn);
	}
	for (int i = 0; i < n; i++)
		out[i] = h[i].tp_vpn;
	trim_vpns_sort(out, n);
	return n;
}

/* FIFO and random: select, then mark under each region lock, appending
 * to what the batch holds. */
static uint64_t trim_collect_scan(struct vm *vm, struct trim_batch *b)
{
	uint64_t pick[VM_TRIM_BATCH_MAX], valid;
	int n = trim_select(vm, pick, vm->vm_trim_batch - b->tb_n, &valid);
	lk_t *held = NULL;

	for (int i = 0; i < n; i++) {
		lk_t *rl = vm_pte_lock(vm, pick[i]);
		pte_t p;
		if (rl != held) {
			if (held != NULL)
				lk_release(held);
			lk_acquire(rl);
			held = rl;
		}
		p = pte_read(vm, pick[i]);
		if (pte_format(p) == PTE_FMT_VALID && !(p & PTE_TRIMMING))
			trim_mark(vm, pick[i], p, b);
	}
	if (held != NULL)
		lk_release(held);
	return valid;
}

/*
 * Trim hints (vc_trim_hints): mark the pages faulters' sequential runs left
 * behind, whatever their accessed bits, until the batch is full or the ring
 * is drained.  A hint that is no longer a valid page, or is already in the
 * batch (TRIMMING), is dropped.  Hints come in any order: the caller sorts.
 */
static void trim_collect_hints(struct vm *vm, struct trim_batch *b)
{
	uint64_t head = atomic_load_explicit(&vm->vm_hint_head, memory_order_acquire);
	lk_t *held = NULL;
	int n0 = b->tb_n;

	if (head - vm->vm_hint_tail > VM_HINT_RING)
		vm->vm_hint_tail = head - VM_HINT_RING;	/* lapped: those are gone */
	for (; vm->vm_hint_tail != head && b->tb_n < vm->vm_trim_batch; vm->vm_hint_tail++) {
		uint64_t h = atomic_exchange_explicit(
		    &vm->vm_hints[vm->vm_hint_tail & (VM_HINT_RING - 1)], 0, memory_order_relaxed);
		uint64_t vpn = h - 1;
		lk_t *rl;
		pte_t p;

		if (h == 0 || vpn >= vm->vm_npages)
			continue;	/* not stored yet, or consumed: lossy */
		rl = vm_pte_lock(vm, vpn);
		if (rl != held) {
			if (held != NULL)
				lk_release(held);
			lk_acquire(rl);
			held = rl;
		}
		p = pte_read(vm, vpn);
		if (pte_format(p) == PTE_FMT_VALID && !(p & PTE_TRIMMING))
			trim_mark(vm, vpn, p, b);
	}
	if (held != NULL)
		lk_release(held);
	vm_stat_add(vm, trimmed_by_hint, (uint64_t)(b->tb_n - n0));
}

/* Sort the batch by vpn, its per-page fields with it; it must ascend with
 * no duplicates (map_zap, the window). */
static void trim_batch_sort(struct trim_batch *b)
{
	for (int i = 1; i < b->tb_n; i++) {
		uint64_t v = b->tb_vpn[i];
		uint32_t f = b->tb_frame[i];
		bool ns = b->tb_noslot[i];
		int j = i;
		for (; j > 0 && b->tb_vpn[j - 1] > v; j--) {
			b->tb_vpn[j] = b->tb_vpn[j - 1];
			b->tb_frame[j] = b->tb_frame[j - 1];
			b->tb_noslot[j] = b->tb_noslot[j - 1];
		}
		b->tb_vpn[j] = v;
		b->tb_frame[j] = f;
		b->tb_noslot[j] = ns;
	}
#if VM_DEBUG >= 1
	for (int i = 1; i < b->tb_n; i++)
		VM_ASSERT(b->tb_vpn[i - 1] < b->tb_vpn[i]);
#endif
}

static uint64_t trim_collect(struct vm *vm, struct trim_batch *b)
{
	uint64_t valid;
	int nhint;

	b->tb_n = 0;
	if (vm->vm_trim_everything)
		return trim_collect_clock(vm, b);
	if (vm->vm_tun.vt_trim_hints)
		trim_collect_hints(vm, b);
	nhint = b->tb_n;
	if (nhint == vm->vm_trim_batch)
		valid = 0;	/* the hints filled the batch */
	else if (vm->vm_cfg.vc_space.as_trim_policy == VM_TRIM_AGING)
		valid = trim_collect_clock(vm, b);
	else
		valid = trim_collect_scan(vm, b);
	if (nhint > 0)
		trim_batch_sort(b);
	return valid + (uint64_t)nhint;
}

/* Step 2: freeze, capture the contents into the frames, zap, thaw. */
static void trim_capture(struct vm *vm, struct trim_batch *b)
{
	uint64_t lo = b->tb_vpn[0], hi = b->tb_vpn[b->tb_n - 1] + 1;
	uint64_t wlo = lo > vm->vm_ro_end ? lo : vm->vm_ro_end;

	trim_window_open(vm, lo, hi, wlo);
	hw_copy_begin();
	for (int i = 0; i < b->tb_n; i++) {
		char *va = vm_va(vm, b->tb_vpn[i]);
		char *fr = vm_frame(vm, b->tb_frame[i]);
		/*
		 * A page with no page-file copy goes to modified whatever its
		 * bytes (trim_finish), so copy it without comparing; only a
		 * page with a valid slot needs the compare, to choose standby.
		 */
		b->tb_dirty[i] = b->tb_vpn[i] >= vm->vm_ro_end &&
		    (b->tb_noslot[i] || memcmp(va, fr, VM_PAGE_SIZE) != 0);
		if (b->tb_dirty[i])
			memcpy(fr, va, VM_PAGE_SIZE);
	}
	hw_copy_end();
	map_zap(vm, b->tb_vpn, b->tb_n);
	trim_window_close(vm, wlo, hi);
}

/* A prefetched page leaves the working set: was it used?  Caller holds
 * the region lock. */
static void trim_prefetch_account(struct vm *vm, uint64_t vpn)
{
	pte_t p = pte_read(vm, vpn);

	if (!(p & PTE_PREFETCHED))
		return;
	if (p & PTE_ACCESSED)
		vm_stat_add(vm, prefetch_used, 1);
	else
		vm_stat_add(vm, prefetch_wasted, 1);
}

/* Step 3 for one page: transition PTE; frame to modified or standby.
 * Returns true if the page went to standby. */
static bool trim_finish(struct vm *vm, uint64_t vpn, uint32_t frame, bool dirty)
{
	lk_t *rl = vm_pte_lock(vm, vpn);
	struct pfn *pf = &vm->vm_pfns[frame];
	enum pfn_state to = PFN_STATE_STANDBY;

	lk_acquire(rl);
	lk_acquire(&pf->pf_lock);
	VM_ASSERT(pf->pf_state == PFN_STATE_ACTIVE && pf->pf_vpn == vpn);
	VM_ASSERT(pfn_lockcnt(pf) == 0);
	trim_prefetch_account(vm, vpn);
	atomic_store_explicit(&pf->pf_mapseq, 0, memory_order_relaxed);
	if (dirty || pf->pf_slot == PGF_SLOT_NONE) {
		if (pf->pf_slot != PGF_SLOT_NONE) {
			pgf_slot_free(&vm->vm_pgf, pf->pf_slot);
			pf->pf_slot = PGF_SLOT_NONE;
			ev_signal(&vm->vm_ev_slots);
		}
		to = PFN_STATE_MODIFIED;
	}
	pfn_set_state(vm, pf, PFN_STATE_ACTIVE, to);
	plist_insert_tail(vm, pf);
	pte_write_transition(vm, vpn, frame);
	lk_release(&pf->pf_lock);
	lk_release(rl);
	return to == PFN_STATE_STANDBY;
}

static void trim_batch(struct vm *vm, struct trim_batch *b)
{
	int clean = 0;

	trim_capture(vm, b);
	for (int i = 0; i < b->tb_n; i++)
		clean += trim_finish(vm, b->tb_vpn[i], b->tb_frame[i], b->tb_dirty[i]);
	/* The clean ones are the rest: vm_get_stats derives them. */
	vm_stat_add(vm, trimmed, (uint64_t)b->tb_n);
	vm_stat_add(vm, trimmed_dirty, (uint64_t)(b->tb_n - clean));
	vm_stat_add(vm, trim_batches, 1);
	ev_signal(&vm->vm_ev_trimmed);
	if (clean < b->tb_n)
		ev_signal(&vm->vm_ev_mpw);
	if (clean > 0)
		ev_signal(&vm->vm_ev_avail);
}

void *trim_thread(void *arg)
{
	struct vm *vm = arg;
	struct trim_batch b;

	for (;;) {
		uint32_t snap = ev_snapshot(&vm->vm_ev_trim);
		uint64_t t0, valid;

		if (!vm_parked_check(vm))
			break;
		if (!trim_needed(vm)) {
			ev_wait(&vm->vm_ev_trim, snap, -1);
			continue;
		}
		t0 = vm_now_ns();
		valid = trim_collect(vm, &b);
		if (b.tb_n > 0) {
			trim_batch(vm, &b);
			if (vm->vm_trim_age < vm->vm_trim_age_max)
				vm->vm_trim_age++;
		} else if (valid > 0 && vm->vm_trim_age > 0) {
			/* Pages to trim, none old enough: fall back to plain CLOCK. */
			vm->vm_trim_age = 0;
		}
		vm_stat_add(vm, trimmer_busy_ns, vm_now_ns() - t0);
		/* Nothing mapped (or every page in flight): sleep until asked. */
		if (b.tb_n == 0 && valid == 0)
			ev_wait(&vm->vm_ev_trim, snap, -1);
	}
	return NULL;
}

/*
 * Trim every mapped page but the locked ones now, on the caller's thread
 * (EmptyWorkingSet).  The system threads must be paused: the caller is the
 * trimmer.
 */
uint64_t vm_empty_working_set(struct vm *vm)
{
	struct trim_batch b;
	uint64_t n = 0;

	VM_ASSERT(!vm->vm_threads_started || atomic_load(&vm->vm_pause_req));
	vm->vm_trim_everything = true;
	for (;;) {
		uint64_t valid = trim_collect(vm, &b);
		if (b.tb_n > 0) {
			trim_batch(vm, &b);
			n += (uint64_t)b.tb_n;
		} else if (valid == 0) {
			break;
		}
	}
	vm->vm_trim_everything = false;
	return n;
}
