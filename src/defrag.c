/*
 * defrag.c - page-file defragmentation (seed 000's idea).
 *
 * Over a long run the slots still in use by pages that live only in the
 * page file (page-file PTEs) end up scattered, and the free slots between
 * them are short: the modified writer's batches then find short runs of
 * contiguous slots, and a disk writer would need a call per run.  This
 * low-priority system thread (started by mc_defrag) empties sparse 64-slot
 * rows into the holes of dense ones, so free slots cluster into whole rows
 * that the writer claims with one CAS and writes as one run.
 *
 * Moving a slot needs the reverse map, slot -> owner (process, vpn)
 * (pg_owner, see pgf.h): the owner's PTE must be rewritten.  A move, for
 * one page:
 *
 *   read pg_owner[s] (a hint, no lock); find the process in the table (a
 *   system thread: the table does not shrink while it runs, because a
 *   process's teardown parks the system threads first); take the owner's
 *   region lock;
 *   the PTE must still be page-file format naming s (a frame's pf_slot is
 *   not moved: only a region-lock holder changes a page-file PTE, so under
 *   the lock it stays put); claim a free slot d in a dense row; copy s to d;
 *   PTE -> d; pg_owner[d] = vpn; free s; drop the lock.
 *
 * Only the region lock is held (rank LK_RANK_PTE), plus the page file's
 * atomics; copying one page under it is what a hard fault does too.  The
 * thread parks in vm_pause() like the other system threads.
 *
 * Layer 2 (vm_work.h): calls layer 1 only.
 */
#include "vm_work.h"

#define DEFRAG_SPARSE 16	/* rows with at most this many slots in use are emptied */
#define DEFRAG_BUDGET 64	/* moves per pass */

/* The densest row that still has a free slot and is not sparse, or
 * UINT64_MAX. */
static uint64_t defrag_dest_row(struct pgf *pg)
{
	uint64_t best = UINT64_MAX;
	int best_used = DEFRAG_SPARSE;

	for (uint64_t r = 0; r < pg->pg_nwords; r++) {
		int used = pgf_row_used(pg, r);
		if (used < 64 && used > best_used) {
			best = r;
			best_used = used;
		}
	}
	return best;
}

/* Claim a free slot in row r; PGF_SLOT_NONE if it has none left. */
static uint64_t defrag_claim_in(struct pgf *pg, uint64_t r)
{
	for (;;) {
		uint64_t v = atomic_load_explicit(&pg->pg_bitmap[r], memory_order_relaxed);
		uint64_t s;
		if (v == ~0ULL)
			return PGF_SLOT_NONE;
		s = r * 64 + (uint64_t)__builtin_ctzll(~v);
		if (pgf_slot_claim(pg, s))
			return s;
	}
}

/*
 * Move page vpn's contents from slot s to slot d if its PTE is still a
 * page-file PTE naming s.  d is claimed; on failure it is freed again.
 * Takes and drops vpn's region lock.  Returns whether it moved.
 */
static bool defrag_move(struct vm_process *p, uint64_t vpn, uint64_t s, uint64_t d)
{
	struct vm *vm = p->ps_vm;
	lk_t *rl = vm_pte_lock(p, vpn);
	char buf[VM_PAGE_SIZE];
	bool moved = false;
	pte_t pte;

	lk_acquire(rl);
	pte = pte_read(p, vpn);
	if (pte_format(pte) == PTE_FMT_PGF && pte_payload(pte) == s &&
	    pgf_read(&vm->vm_pgf, s, buf) == 0 && pgf_write(&vm->vm_pgf, d, buf) == 0) {
		pte_write_pagefile_move(p, vpn, s, d);
		pgf_slot_set_owner(&vm->vm_pgf, d, vm_owner_key(p->ps_id, vpn));
		pgf_slot_free(&vm->vm_pgf, s);
		moved = true;
	}
	lk_release(rl);
	if (!moved)
		pgf_slot_free(&vm->vm_pgf, d);
	ev_signal(&vm->vm_ev_slots);	/* s or d: the writer may wait for one */
	return moved;
}

/* Move the movable slots of sparse row r into dense rows.  Returns the
 * moves made, at most budget; *dst is the current destination row. */
static int defrag_row(struct vm *vm, uint64_t r, uint64_t *dst, int budget)
{
	struct pgf *pg = &vm->vm_pgf;
	uint64_t bits = atomic_load_explicit(&pg->pg_bitmap[r], memory_order_relaxed);
	int moves = 0;

	for (; bits != 0 && moves < budget; bits &= bits - 1) {
		uint64_t s = r * 64 + (uint64_t)__builtin_ctzll(bits);
		uint64_t key, vpn, d;
		struct vm_process *p;

		if (s >= pg->pg_nslots || (key = pgf_slot_owner(pg, s)) == PGF_OWNER_NONE)
			continue;	/* past the end, stashed, or in transit */
		p = vm_owner_proc(key) < VM_MAX_PROCESSES ? vm_proc(vm, vm_owner_proc(key)) : NULL;
		vpn = vm_owner_vpn(key);
		if (p == NULL || vpn >= p->ps_npages)
			continue;
		while ((d = *dst == UINT64_MAX ? PGF_SLOT_NONE : defrag_claim_in(pg, *dst)) ==
		    PGF_SLOT_NONE) {
			*dst = defrag_dest_row(pg);
			if (*dst == UINT64_MAX || *dst == r)
				return moves;
		}
		moves += defrag_move(p, vpn, s, d);
	}
	return moves;
}

/*
 * One pass: from *cursor on, empty sparse rows into dense ones, up to
 * budget moves.  Returns the moves made (0: nothing to do now).
 */
int defrag_pass(struct vm *vm, uint64_t *cursor, int budget)
{
	struct pgf *pg = &vm->vm_pgf;
	uint64_t dst = UINT64_MAX;
	int moves = 0;

	lk_assert_none_held();
	for (uint64_t i = 0; i < pg->pg_nwords && moves < budget; i++) {
		uint64_t r = (*cursor + i) % pg->pg_nwords;
		int used = pgf_row_used(pg, r);

		if (used == 0 || used > DEFRAG_SPARSE)
			continue;
		if (dst == UINT64_MAX && (dst = defrag_dest_row(pg)) == UINT64_MAX)
			break;
		if (pgf_row_used(pg, dst) <= used)
			continue;	/* nothing denser to fill */
		moves += defrag_row(vm, r, &dst, budget - moves);
		*cursor = r + 1;
	}
	vm_stat_add(vm, defrag_moves, (uint64_t)moves);
	return moves;
}

void *defrag_thread(void *arg)
{
	struct vm *vm = arg;
	uint64_t cursor = 0;

	vm_thread_name("vm defrag");
	vm_timeline_thread("defragmenter", NULL);
	for (;;) {
		uint32_t snap = ev_snapshot(&vm->vm_ev_defrag);
		uint64_t t0;
		int moves;

		if (!vm_parked_check(vm))
			break;
		t0 = tml_now();
		moves = pgf_free_count(&vm->vm_pgf) > 64 ? defrag_pass(vm, &cursor, DEFRAG_BUDGET) : 0;
		if (moves > 0 && t0 != 0)
			tml_span(VM_TL_DEFRAG, t0, vm_now_ns(), (uint64_t)moves, 0, 0);
		/* Low priority: a short nap between passes, a long one when idle. */
		ev_wait(&vm->vm_ev_defrag, snap, moves > 0 ? 1 : 20);
	}
	return NULL;
}
