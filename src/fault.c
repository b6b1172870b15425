/*
 * fault.c - page-fault resolution on the faulting thread.  Runs inside the
 * SIGBUS handler: atomics, futex and userfaultfd ioctls only; no malloc, no
 * stdio, no condition variables.  Layer 2 (vm_work.h): calls layer 1 (frames
 * come from pfnalloc.c) and, once per mapped page, the trimmer's hint hook
 * (trim_hint_note); after a fault of a process at a hard maximum, local
 * replacement (wsm_replace_local, fault_resolve).
 *
 * fault_once() takes the PTE's region lock and dispatches on the PTE's
 * format in one switch:
 *
 *   VALID     another thread resolved it, or the page is write-protected
 *             by a trim window (a write un-protects the page alone), or
 *             being trimmed (wait for the batch), or read-only (an access
 *             violation)
 *   TRANS     soft fault: rescue the frame from standby or modified, or
 *             from under the modified writer's in-flight write
 *   DZ        demand-zero fault: a zeroed frame, or one zeroed here
 *   PGF       hard fault: a frame filled from the page-file slot; with
 *             as_prefetch, the next page-file pages of the same PTE region
 *             are read ahead too (fault_prefetch)
 *   INPAGE    another thread is bringing it in through a bounce buffer
 *
 * Every path that maps a frame ends in fault_activate(), the one "become
 * active" sequence.
 *
 * With the timeline recorder on (vm_timeline.h), each fault is a span named
 * by how it was resolved (fw_kind, set where it is counted), and each wait
 * a span inside it; off, each costs one test of tml_on().
 *
 * A step that must wait returns STEP_WAIT with an event snapshot taken
 * under the region lock; fault_resolve() sleeps with no lock held and
 * starts over, because anything may have changed meanwhile.
 *
 * A page-file read that keeps failing (fault_read_slot) leaves the page in
 * the page file, gives its frame back (pfn_unalloc), and returns
 * STEP_FAILED; fault_resolve() then fails the instance (vm_fail) and
 * returns FAULT_FAILED.  Once the instance has failed, no fault is
 * resolved and none sleeps: each returns FAULT_FAILED (vm.h, "Failure").
 */
#include <string.h>

#include "vm_work.h"

enum step { STEP_DONE, STEP_RETRY, STEP_WAIT, STEP_AV, STEP_BOUNCED, STEP_FAILED };

struct fault_wait {
	struct vm_event *fw_ev;
	uint32_t fw_snap;
	unsigned fw_bounce;
	uint64_t fw_slot;		/* STEP_FAILED: the slot that could not be read */
	int fw_err;			/* ... and the errno */
	enum vm_tl_kind fw_kind;	/* how the fault was resolved (the timeline's name) */
	uint32_t fw_prefetched;		/* a hard fault's pages read ahead */
};

static enum step fault_wait_on(struct vm_event *ev, struct fault_wait *w)
{
	w->fw_ev = ev;
	w->fw_snap = ev_snapshot(ev);
	return STEP_WAIT;
}

/* A fault on a page whose PTE is valid. */
static enum step fault_valid(struct vm_process *p, uint64_t vpn, pte_t pte, int is_write,
    struct fault_wait *w)
{
	struct vm *vm = p->ps_vm;
	uint32_t snap;

	if (pte_is_trimming(pte))
		return fault_wait_on(&vm->vm_ev_trimmed, w);
	snap = ev_snapshot(&vm->vm_ev_window);
	if (vpn >= atomic_load(&p->ps_win_lo) && vpn < atomic_load(&p->ps_win_hi)) {
		if (is_write != 0 && !pte_is_readonly(pte)) {
			/*
			 * A write to a page the trim window froze that is not
			 * in the batch: un-protect this page alone (one
			 * shootdown) rather than wait for the whole batch's
			 * thaw.  Thawing a page that is already writable is
			 * harmless, and the window's thaw covers it again.
			 */
			map_thaw(p, vpn, vpn + 1);
			vm_stat_add(vm, window_thaws, 1);
			w->fw_kind = VM_TL_FAULT_THAW;
			return STEP_DONE;
		}
		w->fw_ev = &vm->vm_ev_window;
		w->fw_snap = snap;
		return STEP_WAIT;
	}
	if (pte_is_readonly(pte) && is_write == 1)
		return STEP_AV;
	vm_stat_add(vm, faults_collided, 1);
	vm_pstat_add(p, faults_collided, 1);
	w->fw_kind = VM_TL_FAULT_COLLIDED;
	return STEP_DONE;
}

/*
 * The frame pf, off every list in state `from', becomes p's page vpn:
 * ACTIVE, stamped with its place in mapping order (FIFO), its bytes copied
 * into the page, the PTE valid (accessed; or, read ahead, not yet), at the
 * tail of p's working-set list (one more resident page).  The one "become active" sequence: soft,
 * demand-zero, hard, bounced and prefetched faults all end here.  Caller
 * holds the region lock and the PFN lock, and has set the owner (pf_proc,
 * pf_vpn); the PFN lock stays held.
 */
static void fault_activate(struct vm_process *p, uint64_t vpn, struct pfn *pf,
    enum pfn_state from, pte_t pte, bool prefetched)
{
	struct vm *vm = p->ps_vm;
	uint32_t frame = vm_pfn_index(vm, pf);

	lk_assert_held(&pf->pf_lock);
	VM_ASSERT(pf->pf_vpn == vpn && pf->pf_proc == p->ps_id);
	pfn_set_state(vm, pf, from, PFN_STATE_ACTIVE);
	atomic_store_explicit(&pf->pf_mapseq,
	    atomic_fetch_add_explicit(&vm->vm_mapseq, 1, memory_order_relaxed) + 1,
	    memory_order_relaxed);
	map_fill(p, vpn, vm_frame(vm, frame), pte_is_readonly(pte));
	if (prefetched)
		pte_write_valid_prefetched(p, vpn, frame);
	else
		pte_write_valid(p, vpn, frame);
	wsl_insert(p, pf);
}

/* Soft fault: the frame is still ours, on standby or modified. */
static enum step fault_soft(struct vm_process *p, uint64_t vpn, pte_t pte, struct fault_wait *w)
{
	struct vm *vm = p->ps_vm;
	uint32_t frame = (uint32_t)pte_payload(pte);
	struct pfn *pf = &vm->vm_pfns[frame];
	bool from_standby;

	lk_acquire(&pf->pf_lock);
	if (pte_read(p, vpn) != pte) {
		/* Repurposed before we got the PFN lock: now a page-file PTE. */
		lk_release(&pf->pf_lock);
		return STEP_RETRY;
	}
	/* Standby, or modified (on its list, or off it mid-write): anything
	 * else fails pfn_set_state's check. */
	from_standby = pf->pf_state == PFN_STATE_STANDBY;
	if (pf->pf_onlist)
		plist_remove(vm, pf);
	fault_activate(p, vpn, pf, from_standby ? PFN_STATE_STANDBY : PFN_STATE_MODIFIED, pte,
	    false);
	lk_release(&pf->pf_lock);
	if (from_standby) {
		vm_stat_add(vm, faults_soft_standby, 1);
		vm_pstat_add(p, faults_soft_standby, 1);
		w->fw_kind = VM_TL_FAULT_SOFT_STANDBY;
	} else {
		vm_stat_add(vm, faults_soft_modified, 1);
		vm_pstat_add(p, faults_soft_modified, 1);
		w->fw_kind = VM_TL_FAULT_SOFT_MODIFIED;
	}
	return STEP_DONE;
}

/* Map the frame pfn_alloc() gave (in state from) at vpn, as the page's new
 * frame with page-file copy slot (or none), and release its PFN lock.  A
 * standby frame came repurposed from its last owner (pf_proc, kept):
 * counted if that was another process. */
static void fault_map_new(struct vm_process *p, uint64_t vpn, struct pfn *pf,
    enum pfn_state from, uint64_t slot, pte_t pte, bool prefetched)
{
	if (from == PFN_STATE_STANDBY && pf->pf_proc != p->ps_id)
		vm_stat_add(p->ps_vm, repurposed_cross, 1);
	pf->pf_proc = p->ps_id;
	pf->pf_vpn = (uint32_t)vpn;
	pf->pf_slot = slot;
	fault_activate(p, vpn, pf, from, pte, prefetched);
	lk_release(&pf->pf_lock);
}

/* Read slot into dst, retrying a failure up to VM_READ_RETRIES times.
 * Returns 0, or the errno of the last try when all failed. */
static int fault_read_slot(struct vm *vm, uint64_t slot, void *dst)
{
	int rc;

	for (int tries = 0; (rc = pgf_read(&vm->vm_pgf, slot, dst)) != 0; tries++) {
		vm_stat_add(vm, inpage_errors, 1);
		if (tries == VM_READ_RETRIES)
			return -rc;
	}
	return 0;
}

/* The page in slot cannot be read: say so to fault_resolve(). */
static enum step fault_read_failed(struct fault_wait *w, uint64_t slot, int err)
{
	w->fw_slot = slot;
	w->fw_err = err;
	return STEP_FAILED;
}

/*
 * No frame, and no free slot either: the page's slot is what the modified
 * writer needs to free a frame.  Park the contents in a bounce buffer, free
 * the slot, and finish once a frame comes (fault_bounce_finish).
 */
static enum step fault_bounce_start(struct vm_process *p, uint64_t vpn, pte_t pte,
    uint32_t snap, struct fault_wait *w)
{
	struct vm *vm = p->ps_vm;
	uint64_t slot = pte_payload(pte);
	int err;

	for (int i = 0; i < vm->vm_nbounce; i++) {
		_Atomic uint64_t *word = &vm->vm_bounce_busy[i / 64];
		uint64_t bit = 1ULL << (i % 64);
		if (atomic_fetch_or(word, bit) & bit)
			continue;
		err = fault_read_slot(vm, slot, vm->vm_bounce + ((uint64_t)i << VM_PAGE_SHIFT));
		if (err != 0) {
			atomic_fetch_and(word, ~bit);
			return fault_read_failed(w, slot, err);
		}
		pte_write_inpage(p, vpn, (unsigned)i);
		pgf_slot_free(&vm->vm_pgf, slot);
		ev_signal(&vm->vm_ev_slots);
		vm_stat_add(vm, bounces, 1);
		w->fw_bounce = (unsigned)i;
		return STEP_BOUNCED;
	}
	/* Every bounce buffer busy: wait like any faulter without a frame.
	 * snap was taken before pfn_alloc() failed, so no signal is lost. */
	w->fw_ev = &vm->vm_ev_avail;
	w->fw_snap = snap;
	return STEP_WAIT;
}

/*
 * Finish a bounced fault once a frame comes.  Returns false if the instance
 * failed first: the page stays in-page, its contents in bounce buffer b
 * (nothing is lost, but no frame will come).
 */
static bool fault_bounce_finish(struct vm_process *p, uint64_t vpn, unsigned b)
{
	struct vm *vm = p->ps_vm;
	lk_t *rl = vm_pte_lock(p, vpn);
	enum pfn_state from;

	for (;;) {
		uint32_t snap = ev_snapshot(&vm->vm_ev_avail);
		if (vm_is_failed(vm))
			return false;
		lk_acquire(rl);
		struct pfn *pf = pfn_alloc(vm, false, &from);
		if (pf != NULL) {
			pte_t pte = pte_read(p, vpn);
			VM_ASSERT(pte_format(pte) == PTE_FMT_INPAGE && pte_payload(pte) == b);
			memcpy(vm_frame(vm, vm_pfn_index(vm, pf)),
			    vm->vm_bounce + ((uint64_t)b << VM_PAGE_SHIFT), VM_PAGE_SIZE);
			fault_map_new(p, vpn, pf, from, PGF_SLOT_NONE, pte, false);
			lk_release(rl);
			pfn_alloc_kick(vm);
			break;
		}
		lk_release(rl);
		pfn_alloc_kick(vm);
		uint64_t t0 = vm_now_ns();
		ev_wait(&vm->vm_ev_avail, snap, -1);
		if (vm_tstats != NULL)
			vm_tstats->ts_wait_avail_ns += vm_now_ns() - t0;
		if (tml_on())
			tml_span(VM_TL_WAIT_BOUNCE, t0, vm_now_ns(), vpn,
			    ev_snapshot(&vm->vm_ev_avail) - snap, p->ps_tl_name);
	}
	atomic_fetch_and(&vm->vm_bounce_busy[b / 64], ~(1ULL << (b % 64)));
	ev_signal(&vm->vm_ev_inpage);
	vm_stat_add(vm, faults_hard, 1);
	vm_pstat_add(p, faults_hard, 1);
	return true;
}

/* Read ahead one page-file page into a new frame; false if no frame is
 * free, or the read failed (once: the page stays in the page file, for a
 * demand fault to retry).  Caller holds vpn's region lock; the PTE is
 * page-file format. */
static bool fault_prefetch_one(struct vm_process *p, uint64_t vpn, pte_t pte)
{
	struct vm *vm = p->ps_vm;
	uint64_t slot = pte_payload(pte);
	enum pfn_state from;
	struct pfn *pf;

	lk_assert_held(vm_pte_lock(p, vpn));
	if (vm_available(vm) < vm->vm_trim_low)
		return false;	/* leave the last pages to demand faults */
	pf = pfn_alloc(vm, false, &from);
	if (pf == NULL)
		return false;
	if (pgf_read(&vm->vm_pgf, slot, vm_frame(vm, vm_pfn_index(vm, pf))) != 0) {
		vm_stat_add(vm, inpage_errors, 1);
		pfn_unalloc(vm, pf);
		return false;
	}
	fault_map_new(p, vpn, pf, from, slot, pte, true);
	return true;
}

/*
 * Seed 001's speculative read: after a hard fault on vpn that continues a
 * run, bring in the following pages that are in the page file, up to
 * as_prefetch of them, stopping at the first that is not, at the end of
 * the PTE region (whose lock we hold), or when frames run low.  Returns
 * the pages read.
 */
static uint32_t fault_prefetch(struct vm_process *p, uint64_t vpn)
{
	uint64_t end = vm_region_end(p, vpn);
	uint64_t n = 0, max = (uint64_t)p->ps_cfg.as_prefetch;

	lk_assert_held(vm_pte_lock(p, vpn));
	if (max == 0 || !pte_run_continues(p, vpn))
		return 0;
	for (uint64_t v = vpn + 1; v < end && n < max; v++, n++) {
		pte_t pte = pte_read(p, v);
		if (pte_format(pte) != PTE_FMT_PGF || !fault_prefetch_one(p, v, pte))
			break;
	}
	vm_stat_add(p->ps_vm, prefetched, n);
	return (uint32_t)n;
}

/* Demand-zero or hard fault: the page needs a new frame. */
static enum step fault_new_frame(struct vm_process *p, uint64_t vpn, pte_t pte,
    struct fault_wait *w)
{
	struct vm *vm = p->ps_vm;
	bool dz = pte_format(pte) == PTE_FMT_DZ;
	uint32_t snap = ev_snapshot(&vm->vm_ev_avail);
	enum pfn_state from;
	struct pfn *pf = pfn_alloc(vm, dz, &from);
	char *frame;
	int err;

	if (pf == NULL) {
		if (!dz && pgf_free_count(&vm->vm_pgf) == 0)
			return fault_bounce_start(p, vpn, pte, snap, w);
		vm_stat_add(vm, waits_avail, 1);
		w->fw_ev = &vm->vm_ev_avail;
		w->fw_snap = snap;
		return STEP_WAIT;
	}
	frame = vm_frame(vm, vm_pfn_index(vm, pf));
	if (dz) {
		if (from != PFN_STATE_ZEROED) {
			memset(frame, 0, VM_PAGE_SIZE);
			vm_stat_add(vm, zeroed_inline, 1);
		}
		VM_ASSERT_EXPENSIVE(frame[0] == 0 && !memcmp(frame, frame + 1, VM_PAGE_SIZE - 1));
		fault_map_new(p, vpn, pf, from, PGF_SLOT_NONE, pte, false);
		vm_stat_add(vm, faults_dz, 1);
		vm_pstat_add(p, faults_dz, 1);
		w->fw_kind = VM_TL_FAULT_DZ;
		return STEP_DONE;
	}
	/* Hard fault: the page keeps its slot, so a clean trim costs no write. */
	if ((err = fault_read_slot(vm, pte_payload(pte), frame)) != 0) {
		pfn_unalloc(vm, pf);
		return fault_read_failed(w, pte_payload(pte), err);
	}
	fault_map_new(p, vpn, pf, from, pte_payload(pte), pte, false);
	vm_stat_add(vm, faults_hard, 1);
	vm_pstat_add(p, faults_hard, 1);
	w->fw_kind = VM_TL_FAULT_HARD;
	w->fw_prefetched = fault_prefetch(p, vpn);
	return STEP_DONE;
}

static enum step fault_once(struct vm_process *p, uint64_t vpn, int is_write,
    struct fault_wait *w)
{
	struct vm *vm = p->ps_vm;
	lk_t *rl = vm_pte_lock(p, vpn);
	enum step s = STEP_RETRY;
	bool mapped = false;
	pte_t pte;

	lk_acquire(rl);
	pte = pte_read(p, vpn);
	switch (pte_format(pte)) {
	case PTE_FMT_VALID:
		s = fault_valid(p, vpn, pte, is_write, w);
		break;
	case PTE_FMT_TRANS:
		s = fault_soft(p, vpn, pte, w);
		mapped = s == STEP_DONE;
		break;
	case PTE_FMT_DZ:
	case PTE_FMT_PGF:
		s = fault_new_frame(p, vpn, pte, w);
		mapped = s == STEP_DONE;
		break;
	case PTE_FMT_INPAGE:
		s = fault_wait_on(&vm->vm_ev_inpage, w);
		break;
	}
	lk_release(rl);
	if (mapped)
		trim_hint_note(p, vpn);	/* before the kick: the woken trimmer sees it */
	pfn_alloc_kick(vm);
	return s;
}

/* The timeline's name for a wait on ev. */
static enum vm_tl_kind fault_wait_kind(struct vm *vm, const struct vm_event *ev)
{
	return ev == &vm->vm_ev_avail ? VM_TL_WAIT_AVAIL : ev == &vm->vm_ev_trimmed ?
	    VM_TL_WAIT_TRIM : ev == &vm->vm_ev_window ? VM_TL_WAIT_WINDOW : VM_TL_WAIT_INPAGE;
}

/* Sleep on the event fault_once() chose, unless the instance has failed
 * (checked after its snapshot, so vm_fail()'s wakeup cannot be missed). */
static void fault_wait(struct vm_process *p, uint64_t vpn, struct fault_wait *w)
{
	struct vm *vm = p->ps_vm;
	uint64_t t0 = vm_now_ns();

	vm_stat_add(vm, faults_collided, 1);
	vm_pstat_add(p, faults_collided, 1);
	if (vm_is_failed(vm))
		return;
	ev_wait(w->fw_ev, w->fw_snap, -1);
	if (tml_on())		/* the span, and how often its event was signalled */
		tml_span(fault_wait_kind(vm, w->fw_ev), t0, vm_now_ns(), vpn,
		    ev_snapshot(w->fw_ev) - w->fw_snap, p->ps_tl_name);
	if (vm_tstats == NULL)
		return;
	if (w->fw_ev == &vm->vm_ev_avail)
		vm_tstats->ts_wait_avail_ns += vm_now_ns() - t0;
	else
		vm_tstats->ts_wait_other_ns += vm_now_ns() - t0;
}

/*
 * Resolve a fault on process p's page vpn; is_write is 1 for a write, 0 for a read, -1 if
 * the hardware did not say.  Returns FAULT_DONE when the access can be
 * retried, FAULT_ACCESS_VIOLATION for a write to a read-only page, and
 * FAULT_FAILED when it cannot be completed: the instance has failed (by
 * this fault's read error, or earlier).
 */
enum fault_result fault_resolve(struct vm_process *p, uint64_t vpn, int is_write)
{
	struct vm *vm = p->ps_vm;
	struct fault_wait w = { 0 };
	enum fault_result r = FAULT_DONE;
	uint64_t t0 = vm_now_ns();
	bool done = false;

	lk_assert_none_held();
	while (!done) {
		if (vm_is_failed(vm)) {
			r = FAULT_FAILED;
			break;
		}
		switch (fault_once(p, vpn, is_write, &w)) {
		case STEP_DONE:
			done = true;
			break;
		case STEP_AV:
			vm_stat_add(vm, access_violations, 1);
			w.fw_kind = VM_TL_FAULT_AV;
			r = FAULT_ACCESS_VIOLATION;
			done = true;
			break;
		case STEP_BOUNCED:
			if (!fault_bounce_finish(p, vpn, w.fw_bounce))
				r = FAULT_FAILED;
			w.fw_kind = VM_TL_FAULT_HARD;	/* counted by fault_bounce_finish */
			done = true;
			break;
		case STEP_FAILED:
			vm_fail(vm, VM_IO_READ, w.fw_slot, w.fw_err);
			r = FAULT_FAILED;
			done = true;
			break;
		case STEP_WAIT:
			fault_wait(p, vpn, &w);
			break;
		case STEP_RETRY:
			break;
		}
	}
	/* a hard maximum: replace our own oldest pages (wsm.c) */
	if (r == FAULT_DONE && (atomic_load_explicit(&p->ps_ws_flags, memory_order_relaxed) &
	    VM_WS_HARD_MAX) && atomic_load_explicit(&p->ps_resident, memory_order_relaxed) >
	    atomic_load_explicit(&p->ps_ws_max, memory_order_relaxed))
		wsm_replace_local(p);
	if (vm_tstats != NULL) {
		vm_tstats->ts_faults++;
		vm_tstats->ts_fault_ns += vm_now_ns() - t0;
	}
	if (tml_on())		/* the fault's span, named by how it was resolved */
		tml_fault(r == FAULT_FAILED ? VM_TL_FAULT_FAILED : w.fw_kind, t0, vpn,
		    w.fw_prefetched, p->ps_tl_name);
	return r;
}
