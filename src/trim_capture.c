/*
 * trim_capture.c - the trimmer's mechanism: marking a batch, capturing it,
 * and finishing it, whichever policy chose its pages (trim_policy.c).
 * A batch's pages are all of one process (tb_proc).
 * Layer 2 (vm_work.h): calls layer 1 and trimwin.c.
 *
 *  1. mark: under each region lock and the frame's PFN lock, the
 *     candidate's PTE goes TRIMMING (trim_mark).  It stays mapped; a thread
 *     that faults on it waits for the batch.
 *  2. capture, with no lock held, in one window over the batch (its one
 *     process's): the batch, sorted by vpn, is cut into spans where two
 *     pages are more than TRIM_WIN_GAP apart, so no freeze walks more than
 *     the batch needs.  Span by span, write-protect the span (whole, or
 *     its batch pages piece by piece; but its locked pages: trimwin.c),
 *     compare each frozen page that has a page-file copy with its frame (a
 *     page equal to the frame it was mapped from was not written) and copy
 *     the written ones, and those with no page-file copy, back.  Then zap
 *     the whole batch with one process_madvise (one shootdown), un-protect
 *     what each span still holds frozen that is not in the batch, if
 *     anything (a shootdown each, or none), and close the window.  A write
 *     to another frozen page meanwhile faults and un-protects that page
 *     alone.
 *  3. finish: under region and PFN lock, each PTE goes to transition and
 *     its frame to the modified list, or straight to standby if it is clean
 *     and its page-file copy is still valid.
 */
#include <string.h>

#include "vm_work.h"

#if defined(__SANITIZE_THREAD__)
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#define hw_copy_begin() __tsan_ignore_thread_begin()
#define hw_copy_end() __tsan_ignore_thread_end()
#else
#define hw_copy_begin() ((void)0)
#define hw_copy_end() ((void)0)
#endif

/*
 * Add the valid page pte at vpn of the batch's process to the batch: mark
 * it TRIMMING under its frame's PFN lock, unless the modified writer still
 * copies the frame (a page re-faulted mid-write waits) or the page is
 * locked.  Caller holds the region lock.
 */
void trim_mark(uint64_t vpn, pte_t pte, struct trim_batch *b)
{
	struct vm_process *p = b->tb_proc;
	struct pfn *pf = &p->ps_vm->vm_pfns[pte_payload(pte)];

	lk_assert_held(vm_pte_lock(p, vpn));
	VM_ASSERT(b->tb_n < VM_TRIM_BATCH_MAX);
	lk_acquire(&pf->pf_lock);
	if (!(pf->pf_flags & PFN_F_WRITING) && pfn_lockcnt(pf) == 0 &&
	    pte_trimming_set(p, vpn, pte)) {
		b->tb_page[b->tb_n++] = (struct trim_page){ .tpg_vpn = vpn,
		    .tpg_frame = (uint32_t)pte_payload(pte), .tpg_noslot = pf->pf_slot == PGF_SLOT_NONE };
	}
	lk_release(&pf->pf_lock);
}

/* Sort the batch by vpn: map_zap and the window want it ascending, with no
 * duplicates (a page is marked TRIMMING once). */
void trim_batch_sort(struct trim_batch *b)
{
	vm_sort_by_key(b->tb_page, (size_t)b->tb_n, sizeof(b->tb_page[0]));
#if VM_DEBUG >= 1
	for (int i = 1; i < b->tb_n; i++)
		VM_ASSERT(b->tb_page[i - 1].tpg_vpn < b->tb_page[i].tpg_vpn);
#endif
}

/*
 * A gap of more than this many pages between two pages of a batch (sorted
 * by vpn) ends a span: a span's write-protect and thaw make the kernel walk
 * every PTE of it (bench/wp_walk.c: 10-14 ns an empty one), so 512
 * unrelated pages cost about what one more span's shootdowns do.  The
 * spans a batch is cut into are thus proportional to the batch, never to
 * the region.
 */
#define TRIM_WIN_GAP 512

/* One span of a batch (cut where two pages are more than TRIM_WIN_GAP
 * apart): pages [ts_i0, ts_i1), frozen whole (ts_np 0) or as ts_np pieces
 * from the batch's ts_pc-th.  Small: local replacement keeps a batch's
 * spans on the SIGBUS handler's stack. */
struct trim_span {
	int ts_i0, ts_i1, ts_pc, ts_np;
};

/* What span sp freezes: [*wlo, *hi), its pages' range above the read-only
 * image. */
static void trim_span_range(const struct vm_process *p, const uint64_t *vpns,
    const struct trim_span *sp, uint64_t *wlo, uint64_t *hi)
{
	uint64_t lo = vpns[sp->ts_i0];

	*hi = vpns[sp->ts_i1 - 1] + 1;
	*wlo = lo > p->ps_ro_end ? lo : p->ps_ro_end;
}

/* Freeze span sp (its pieces into pc), then capture its pages into their
 * frames: a page with a page-file copy is compared with its frame (equal:
 * it was not written) and copied back if written; one with none is copied
 * without comparing, since it goes to modified whatever its bytes
 * (trim_finish).  On the timeline: the span's freeze and capture. */
static void trim_capture_span(struct trim_batch *b, struct trim_span *sp, const uint64_t *vpns,
    struct trim_piece *pc)
{
	struct vm_process *p = b->tb_proc;
	struct vm *vm = p->ps_vm;
	uint64_t t0 = tml_now(), t1 = 0, wlo, hi;
	int dirty = 0;

	trim_span_range(p, vpns, sp, &wlo, &hi);
	sp->ts_np = trim_span_freeze(p, wlo, hi, vpns + sp->ts_i0, sp->ts_i1 - sp->ts_i0, pc,
	    vm->vm_tun.vt_trim_pieces != 0);
	if (t0 != 0)
		t1 = vm_now_ns();
	hw_copy_begin();
	for (int i = sp->ts_i0; i < sp->ts_i1; i++) {
		struct trim_page *t = &b->tb_page[i];
		char *va = vm_va(p, t->tpg_vpn);
		char *fr = vm_frame(vm, t->tpg_frame);

		t->tpg_dirty = t->tpg_vpn >= p->ps_ro_end &&
		    (t->tpg_noslot || memcmp(va, fr, VM_PAGE_SIZE) != 0);
		if (t->tpg_dirty)
			memcpy(fr, va, VM_PAGE_SIZE);
		dirty += t->tpg_dirty;
	}
	hw_copy_end();
	if (t0 != 0) {
		tml_span(VM_TL_TRIM_FREEZE, t0, t1, hi > wlo ? hi - wlo : 0, 0, 0);
		tml_span(VM_TL_TRIM_CAPTURE, t1, vm_now_ns(), (uint64_t)(sp->ts_i1 - sp->ts_i0),
		    (uint32_t)dirty, 0);
	}
}

/*
 * Step 2: one window over the whole batch, published under ps_win_lock (a
 * process has one window at a time, and the lock keeps the trimmer and
 * faulters replacing locally at a hard maximum, wsm.c, from opening two).
 * Its spans are frozen and captured one after the other, so no freeze
 * walks the gaps between them; then one process_madvise zaps the whole
 * batch (one shootdown), each span thaws what it must, and the window
 * closes.
 */
static void trim_capture(struct trim_batch *b)
{
	struct vm_process *p = b->tb_proc;
	uint64_t vpns[VM_TRIM_BATCH_MAX];
	struct trim_piece pc[VM_TRIM_BATCH_MAX];
	struct trim_span sp[VM_TRIM_BATCH_MAX];
	int ns = 0, npc = 0, i0 = 0;
	uint64_t t0, t1, wlo, hi;

	if (b->tb_n == 0)
		return;
	for (int i = 0; i < b->tb_n; i++)
		vpns[i] = b->tb_page[i].tpg_vpn;
	lk_acquire(&p->ps_win_lock);
	trim_window_publish(p, vpns[0], vpns[b->tb_n - 1] + 1);
	for (int i = 1; i <= b->tb_n; i++) {
		if (i < b->tb_n && vpns[i] - vpns[i - 1] <= TRIM_WIN_GAP)
			continue;
		sp[ns] = (struct trim_span){ .ts_i0 = i0, .ts_i1 = i, .ts_pc = npc };
		trim_capture_span(b, &sp[ns], vpns, pc + npc);
		npc += sp[ns++].ts_np;
		i0 = i;
	}
	t0 = tml_now();
	map_zap(p, vpns, b->tb_n);
	t1 = t0 != 0 ? vm_now_ns() : 0;
	for (int k = 0; k < ns; k++) {
		trim_span_range(p, vpns, &sp[k], &wlo, &hi);
		trim_span_thaw(p, pc + sp[k].ts_pc, sp[k].ts_np, wlo, hi);
	}
	trim_window_withdraw(p);
	lk_release(&p->ps_win_lock);
	if (t0 != 0) {
		tml_span(VM_TL_TRIM_ZAP, t0, t1, (uint64_t)b->tb_n, 0, 0);
		tml_span(VM_TL_TRIM_THAW, t1, vm_now_ns(), (uint64_t)ns, 0, 0);
	}
}

/* A prefetched page leaves the working set: was it used?  Caller holds
 * the region lock. */
static void trim_prefetch_account(struct vm_process *p, uint64_t vpn)
{
	struct vm *vm = p->ps_vm;
	pte_t pte = pte_read(p, vpn);

	if (!pte_is_prefetched(pte))
		return;
	if (pte_is_accessed(pte))
		vm_stat_add(vm, prefetch_used, 1);
	else
		vm_stat_add(vm, prefetch_wasted, 1);
}

/* Step 3 for one page: off the working-set list (one resident page
 * fewer), transition PTE; frame to modified or standby.  Returns true if the page went to standby. */
static bool trim_finish(struct vm_process *p, const struct trim_page *t)
{
	struct vm *vm = p->ps_vm;
	lk_t *rl = vm_pte_lock(p, t->tpg_vpn);
	struct pfn *pf = &vm->vm_pfns[t->tpg_frame];
	enum pfn_state to = PFN_STATE_STANDBY;

	lk_acquire(rl);
	lk_acquire(&pf->pf_lock);
	VM_ASSERT(pf->pf_state == PFN_STATE_ACTIVE && pf->pf_vpn == t->tpg_vpn &&
	    pf->pf_proc == p->ps_id);
	VM_ASSERT(pfn_lockcnt(pf) == 0);
	trim_prefetch_account(p, t->tpg_vpn);
	atomic_store_explicit(&pf->pf_mapseq, 0, memory_order_relaxed);
	if (t->tpg_dirty || pf->pf_slot == PGF_SLOT_NONE) {
		if (pf->pf_slot != PGF_SLOT_NONE) {
			pgf_slot_free(&vm->vm_pgf, pf->pf_slot);
			pf->pf_slot = PGF_SLOT_NONE;
			ev_signal(&vm->vm_ev_slots);
		}
		to = PFN_STATE_MODIFIED;
	}
	wsl_remove(p, pf);
	pfn_set_state(vm, pf, PFN_STATE_ACTIVE, to);
	plist_insert_tail(vm, pf);
	pte_write_transition(p, t->tpg_vpn, t->tpg_frame);
	lk_release(&pf->pf_lock);
	lk_release(rl);
	return to == PFN_STATE_STANDBY;
}

/*
 * Trim the marked, sorted batch b (steps 2 and 3) and wake whoever it
 * concerns: faulters waiting for the batch, the writer for its dirty
 * pages, faulters waiting for pages for its clean ones.  Called with no
 * lock held.
 */
void trim_batch_run(struct trim_batch *b)
{
	struct vm *vm = b->tb_proc->ps_vm;
	int clean = 0;
	uint64_t t0;

	lk_assert_none_held();
	trim_capture(b);
	t0 = tml_now();
	for (int i = 0; i < b->tb_n; i++)
		clean += trim_finish(b->tb_proc, &b->tb_page[i]);
	b->tb_clean = clean;
	if (t0 != 0) {
		uint64_t t1 = vm_now_ns();

		tml_span(VM_TL_TRIM_FINISH, t0, t1, (uint64_t)b->tb_n, (uint32_t)clean, 0);
		t0 = t1;	/* the wake phase's start */
	}
	/* The clean ones are the rest: vm_get_stats derives them. */
	vm_stat_add(vm, trimmed, (uint64_t)b->tb_n);
	vm_pstat_add(b->tb_proc, trimmed, (uint64_t)b->tb_n);
	vm_stat_add(vm, trimmed_dirty, (uint64_t)(b->tb_n - clean));
	vm_stat_add(vm, trim_batches, 1);
	ev_signal(&vm->vm_ev_trimmed);
	if (clean < b->tb_n)
		ev_signal(&vm->vm_ev_mpw);
	if (clean > 0)
		ev_signal(&vm->vm_ev_avail);
	if (t0 != 0)		/* a woken thread may take this one's CPU */
		tml_span(VM_TL_TRIM_WAKE, t0, vm_now_ns(), 0, 0, 0);
}
