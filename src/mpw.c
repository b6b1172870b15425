/*
 * mpw.c - the modified page writer.
 *
 * Takes a batch of pages off the modified list, reserves page-file slots
 * for them, and writes the frames with no lock held.  Each page carries
 * PFN_F_WRITING meanwhile and is on no list.  A page may be re-faulted
 * during the write (a soft fault takes it, see fault_soft()): its frame is
 * not changed while it is mapped, so the slot still holds its bytes and it
 * keeps the slot as a valid copy; the trimmer leaves it alone until the
 * write is done.  Everything else goes to standby.
 *
 * A page whose write fails goes back to the modified list, its contents
 * still in its frame, and is written again later (to another slot).
 * VM_WRITE_FAILS_MAX failures in a row, with no success between, mean the
 * page file is gone: the writer fails the instance (vm_fail) instead of
 * retrying forever while every faulter waits for a page it cannot free.
 *
 * Layer 2 (vm_work.h): calls layer 1 only.
 */
#include "vm_work.h"

struct mpw_batch {
	int mb_n;
	struct pfn *mb_pages[VM_WRITE_BATCH_MAX];
	uint64_t mb_slots[VM_WRITE_BATCH_MAX];
	bool mb_failed[VM_WRITE_BATCH_MAX];
};

/* Take up to nslots pages off the modified list and mark them in flight. */
static void mpw_take(struct vm *vm, struct mpw_batch *b, int nslots)
{
	b->mb_n = 0;
	while (b->mb_n < nslots) {
		struct pfn *pf = plist_take_head(vm, PFN_STATE_MODIFIED);
		if (pf == NULL)
			break;
		VM_ASSERT(pf->pf_slot == PGF_SLOT_NONE && !(pf->pf_flags & PFN_F_WRITING));
		pf->pf_flags |= PFN_F_WRITING;
		b->mb_pages[b->mb_n++] = pf;
		lk_release(&pf->pf_lock);
	}
	if (b->mb_n < nslots)
		pgf_stash_put(&vm->vm_pgf, b->mb_slots + b->mb_n, nslots - b->mb_n);
}

/* The write is done (or failed): the page goes to standby with its slot,
 * or keeps the slot while mapped, or goes back to the modified list. */
static void mpw_finish(struct vm *vm, struct pfn *pf, uint64_t slot, bool failed)
{
	lk_acquire(&pf->pf_lock);
	VM_ASSERT(pf->pf_flags & PFN_F_WRITING);
	pf->pf_flags &= (uint8_t)~PFN_F_WRITING;
	if (failed) {
		pgf_slot_free(&vm->vm_pgf, slot);
		if (pf->pf_state == PFN_STATE_MODIFIED)
			plist_insert_tail(vm, pf);
		lk_release(&pf->pf_lock);
		return;
	}
	pf->pf_slot = slot;
	pgf_slot_set_owner(&vm->vm_pgf, slot, vm_owner_key(pf->pf_proc, pf->pf_vpn));
	if (pf->pf_state == PFN_STATE_MODIFIED) {
		pfn_set_state(vm, pf, PFN_STATE_MODIFIED, PFN_STATE_STANDBY);
		plist_insert_tail(vm, pf);
	} else {
		VM_ASSERT(pf->pf_state == PFN_STATE_ACTIVE);
	}
	lk_release(&pf->pf_lock);
}

/* Contiguous runs in n ascending slots: the write calls a disk would take. */
static int mpw_slot_runs(const uint64_t *s, int n)
{
	int runs = n > 0;

	for (int i = 1; i < n; i++)
		runs += s[i] != s[i - 1] + 1;
	return runs;
}

/*
 * Write one batch.  Returns the pages written (0 if the modified list was
 * empty: soft faults may have taken its last pages since the caller looked),
 * or -1 if pages wait and no slot was free: only then does the writer sleep
 * until a slot is freed.  (Taking an empty list for a full page file once
 * put the writer to sleep on vm_ev_slots while trims filled the modified
 * list, and the trimmer, counting those pages as good as written, slept
 * too: every faulter waited for a frame for ever.  test_mpw.)
 */
int mpw_write_batch(struct vm *vm)
{
	struct mpw_batch b;
	uint64_t nmod = plist_count(vm_list(vm, PFN_STATE_MODIFIED));
	int want = nmod < (uint64_t)vm->vm_write_batch ? (int)nmod : vm->vm_write_batch;
	uint64_t t0 = tml_now();	/* its span on the timeline */
	int nslots, written = 0, err = 0, runs;
	uint64_t err_slot = 0;

	if (want == 0)
		return 0;
	if ((nslots = pgf_slot_alloc(&vm->vm_pgf, want, b.mb_slots)) == 0)
		return -1;
	/* Ascending, so contiguous slots form runs. */
	vm_sort_by_key(b.mb_slots, (size_t)nslots, sizeof(b.mb_slots[0]));
	mpw_take(vm, &b, nslots);
	runs = mpw_slot_runs(b.mb_slots, b.mb_n);
	vm_stat_add(vm, write_runs, (uint64_t)runs);
	for (int i = 0; i < b.mb_n; i++) {
		const char *frame = vm_frame(vm, vm_pfn_index(vm, b.mb_pages[i]));
		int rc = pgf_write(&vm->vm_pgf, b.mb_slots[i], frame);
		b.mb_failed[i] = rc != 0;
		vm->vm_write_fails = rc != 0 ? vm->vm_write_fails + 1 : 0;
		if (vm->vm_write_fails >= VM_WRITE_FAILS_MAX && err == 0) {
			err = -rc;
			err_slot = b.mb_slots[i];
		}
	}
	for (int i = 0; i < b.mb_n; i++) {
		mpw_finish(vm, b.mb_pages[i], b.mb_slots[i], b.mb_failed[i]);
		written += !b.mb_failed[i];
	}
	vm_stat_add(vm, written, (uint64_t)written);
	vm_stat_add(vm, write_errors, (uint64_t)(b.mb_n - written));
	vm_stat_add(vm, write_batches, 1);
	if (t0 != 0)
		tml_span(VM_TL_WRITE_BATCH, t0, vm_now_ns(), (uint64_t)written, (uint32_t)runs, 0);
	if (err != 0)
		vm_fail(vm, VM_IO_WRITE, err_slot, err);	/* the pages are back on modified */
	ev_signal(&vm->vm_ev_avail);
	return written;
}

void *mpw_thread(void *arg)
{
	struct vm *vm = arg;

	vm_thread_name("vm writer");
	vm_timeline_thread("modified writer", NULL);
	for (;;) {
		uint32_t snap = ev_snapshot(&vm->vm_ev_mpw);
		uint32_t slots_snap = ev_snapshot(&vm->vm_ev_slots);
		uint64_t t0;
		int n;

		if (!vm_parked_check(vm))
			break;
		if (plist_count(vm_list(vm, PFN_STATE_MODIFIED)) == 0) {
			ev_wait(&vm->vm_ev_mpw, snap, -1);
			continue;
		}
		t0 = vm_now_ns();
		n = mpw_write_batch(vm);
		vm_stat_add(vm, writer_busy_ns, vm_now_ns() - t0);
		if (n < 0) {
			/* Page file full: wait for a trim or a fault to free a slot. */
			ev_signal(&vm->vm_ev_trim);
			ev_wait(&vm->vm_ev_slots, slots_snap, -1);
		}
	}
	return NULL;
}

/* Write every modified page now, on the caller's thread; stops early if the
 * page file is full, or a whole batch failed.  The system threads must be
 * paused. */
uint64_t vm_flush_modified(struct vm *vm)
{
	uint64_t n = 0;
	int w;

	VM_ASSERT(park_quiet(&vm->vm_park));
	while (!vm_is_failed(vm) && plist_count(vm_list(vm, PFN_STATE_MODIFIED)) > 0 &&
	    (w = mpw_write_batch(vm)) > 0)
		n += (uint64_t)w;
	return n;
}
