/*
 * trim.c - the working-set trimmer.
 *
 * Woken when available pages (zeroed + free + standby) run low, it sweeps a
 * clock hand over the PTEs, ages each valid page by its accessed bit (set
 * by the access routine, standing in for the MMU), and trims a batch of the
 * oldest in three steps:
 *
 *  1. collect: under each region lock, mark the candidates' PTEs TRIMMING.
 *     They stay mapped; a thread that faults on one waits for the batch.
 *  2. capture, with no lock held: write-protect the batch's window (one
 *     shootdown), compare each frozen page with its frame (a page equal to
 *     the frame it was mapped from was not written) and copy the written
 *     ones back, zap the batch with one process_madvise (one shootdown),
 *     un-protect the window (one shootdown).  A write to another page of the
 *     window meanwhile faults and waits for the un-protect.
 *  3. finish: under region and PFN lock, each PTE goes to transition and
 *     its frame to the modified list, or straight to standby if it is clean
 *     and its page-file copy is still valid.
 */
#include <string.h>

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
	bool tb_dirty[VM_TRIM_BATCH_MAX];
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

/* Is the valid page a trim candidate under the policy?  May age it. */
static bool trim_policy_pick(struct vm *vm, uint64_t vpn, pte_t p)
{
	if (vm->vm_trim_everything)
		return true;
	switch (vm->vm_cfg.vc_trim_policy) {
	case VM_TRIM_FIFO:
		return true;
	case VM_TRIM_RANDOM:
		return vm_rand(&vm->vm_trim_rng) % 4 == 0;
	case VM_TRIM_AGING:
		break;
	}
	if (p & PTE_ACCESSED) {
		pte_cas(vm, vpn, p, p & ~(PTE_ACCESSED | PTE_AGE_MASK));
		return false;
	}
	if (pte_age(p) < vm->vm_trim_age) {
		pte_cas(vm, vpn, p, p + (1ULL << PTE_AGE_SHIFT));
		return false;
	}
	return true;
}

/* Consider one PTE; add it to the batch if it is to be trimmed.  Returns
 * whether the PTE was valid.  Caller holds its region lock. */
static bool trim_consider(struct vm *vm, uint64_t vpn, struct trim_batch *b)
{
	pte_t p = pte_read(vm, vpn);
	struct pfn *pf;

	if (pte_format(p) != PTE_FMT_VALID || (p & PTE_TRIMMING))
		return false;
	if (!trim_policy_pick(vm, vpn, p))
		return true;
	pf = &vm->vm_pfns[pte_payload(p)];
	lk_acquire(&pf->pf_lock);
	/* A page re-faulted while the writer still copies its frame waits. */
	if (!(pf->pf_flags & PFN_F_WRITING) && pte_cas(vm, vpn, p, p | PTE_TRIMMING)) {
		b->tb_vpn[b->tb_n] = vpn;
		b->tb_frame[b->tb_n++] = (uint32_t)pte_payload(p);
	}
	lk_release(&pf->pf_lock);
	return true;
}

/*
 * Sweep the clock hand until the batch is full, at most one revolution.  A
 * batch never wraps past the end of the region, so its vpns ascend.
 * Returns how many valid pages the sweep saw.
 */
static uint64_t trim_collect(struct vm *vm, struct trim_batch *b)
{
	uint64_t scanned = 0, valid = 0;

	b->tb_n = 0;
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

/* Step 2: freeze, capture the contents into the frames, zap, thaw. */
static void trim_capture(struct vm *vm, struct trim_batch *b)
{
	uint64_t lo = b->tb_vpn[0], hi = b->tb_vpn[b->tb_n - 1] + 1;
	uint64_t wlo = lo > vm->vm_ro_end ? lo : vm->vm_ro_end;

	atomic_store(&vm->vm_win_lo, lo);
	atomic_store(&vm->vm_win_hi, hi);
	if (wlo < hi)
		map_freeze(vm, wlo, hi);
	hw_copy_begin();
	for (int i = 0; i < b->tb_n; i++) {
		char *va = vm_va(vm, b->tb_vpn[i]);
		char *fr = vm_frame(vm, b->tb_frame[i]);
		b->tb_dirty[i] = b->tb_vpn[i] >= vm->vm_ro_end && memcmp(va, fr, VM_PAGE_SIZE) != 0;
		if (b->tb_dirty[i])
			memcpy(fr, va, VM_PAGE_SIZE);
	}
	hw_copy_end();
	map_zap(vm, b->tb_vpn, b->tb_n);
	if (wlo < hi)
		map_thaw(vm, wlo, hi);
	atomic_store(&vm->vm_win_lo, 0);
	atomic_store(&vm->vm_win_hi, 0);
	ev_signal(&vm->vm_ev_window);
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
	vm_count(vm->st_trimmed, (uint64_t)b->tb_n);
	vm_count(vm->st_trimmed_clean, (uint64_t)clean);
	vm_count(vm->st_trim_batches, 1);
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
		vm_count(vm->st_trimmer_ns, vm_now_ns() - t0);
		/* Nothing mapped (or every page in flight): sleep until asked. */
		if (b.tb_n == 0 && valid == 0)
			ev_wait(&vm->vm_ev_trim, snap, -1);
	}
	return NULL;
}

/*
 * Trim every mapped page now, on the caller's thread (EmptyWorkingSet).
 * The system threads must be paused: the caller is the trimmer.
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
