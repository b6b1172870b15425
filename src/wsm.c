/*
 * wsm.c - the working-set manager (Windows' MmWorkingSetManager, here the
 * trimmer's choice of whom to trim) and local replacement at a hard
 * maximum (MiReplaceWorkingSetEntry).  Layer 2 (vm_work.h): calls layer 1,
 * trim_policy.c and trim_capture.c; fault.c calls wsm_replace_local.
 *
 * When available pages run low the trimmer asks wsm_collect for each
 * batch.  Processes are taken in three tiers, and within a tier the one
 * whose oldest page is oldest goes first:
 *
 *  1. processes above their maximum (soft or hard), down to the maximum;
 *  2. processes above their minimum, down to the minimum;
 *  3. only when every process is at or below its minimum (or none above
 *     it has a page the trimmer may take: all locked, or in flight), any
 *     process with pages, below its minimum.
 *
 * Age across processes: every working-set list is ordered by pf_mapseq, a
 * machine-wide sequence stamped when a page became valid and, for every
 * page the hand passes (aging's second chance, fifo's passing over locked
 * pages), when it is moved to the tail (wsl_rotate).  A process's age is
 * its list head's stamp: the smaller stamp is the older, whichever process
 * and policy.  So under fifo two processes' pages compare by mapping time;
 * under aging by the time each was mapped or last looked at by its hand.
 * A batch never takes a process past its tier's floor: its size is at
 * most the pages above it.
 */
#include "vm_work.h"

/* Limits and resident count of p, read with no lock (a). */
static uint64_t wsm_resident(const struct vm_process *p)
{
	return atomic_load_explicit(&p->ps_resident, memory_order_relaxed);
}

/* The floor of tier t for p: the maximum, the minimum, or nothing. */
static uint64_t wsm_floor(struct vm_process *p, int tier)
{
	if (tier == 0)
		return atomic_load_explicit(&p->ps_ws_max, memory_order_relaxed);
	if (tier == 1)
		return atomic_load_explicit(&p->ps_ws_min, memory_order_relaxed);
	return 0;
}

#define WSM_TRIED_WORDS (VM_MAX_PROCESSES / 64)

/*
 * The process of tier `tier' with the oldest list head, above its floor,
 * not in tried; NULL if none.  *room gets its pages above the floor.
 */
static struct vm_process *wsm_pick(struct vm *vm, int tier, const uint64_t *tried,
    uint64_t *room)
{
	uint32_t hw = atomic_load_explicit(&vm->vm_nprocs_hw, memory_order_acquire);
	struct vm_process *best = NULL;
	uint64_t best_seq = UINT64_MAX;

	for (uint32_t i = 0; i < hw; i++) {
		struct vm_process *p = vm_proc(vm, i);
		uint64_t r, fl, seq;

		if (p == NULL || (tried[i / 64] & (1ULL << (i % 64))))
			continue;
		r = wsm_resident(p);
		fl = wsm_floor(p, tier);
		if (r <= fl)
			continue;
		seq = wsl_oldest_seq(p);
		if (best == NULL || seq < best_seq) {
			best = p;
			best_seq = seq;
			*room = r - fl;
		}
	}
	return best;
}

/*
 * Choose the process the next batch comes from (the tiers above) and mark
 * the batch in b.  Returns the candidates seen in b->tb_proc (NULL and 0 if
 * nothing anywhere could be taken).  The trimmer's thread only: the table
 * may grow meanwhile, never shrink (teardown pauses the trimmer).
 */
uint64_t wsm_collect(struct vm *vm, struct trim_batch *b)
{
	uint64_t tried[WSM_TRIED_WORDS] = { 0 };

	b->tb_proc = NULL;
	b->tb_n = 0;
	for (int tier = 0; tier < 3; tier++) {
		struct vm_process *p;
		uint64_t room, valid;

		while ((p = wsm_pick(vm, tier, tried, &room)) != NULL) {
			int max = vm->vm_trim_batch;

			if (room < (uint64_t)max)
				max = (int)room;
			valid = trim_collect_from(p, b, max);
			if (valid > 0 || b->tb_n > 0)
				return valid;
			tried[p->ps_id / 64] |= 1ULL << (p->ps_id % 64);
		}
	}
	b->tb_proc = NULL;
	return 0;
}

#define WSM_LOCAL_MAX 16	/* pages one fault replaces at most */
#define WSM_LOCAL_SLACK 16	/* replace down to max - max / this (< WSM_LOCAL_MAX) */

/*
 * Local replacement: p has a hard maximum and a fault of its own just
 * made it resident above it.  Trim its oldest pages (the head of its
 * working-set list, whatever its policy), as many as it is above
 * max - max/16 now (at most WSM_LOCAL_MAX): a batch of one would pay a
 * window's two or three shootdowns per page (measured: 19 us a fault
 * against 7 us), so the slack of max/16 lets one replacement serve the
 * next few faults.  On this thread with the trimmer's
 * machinery: mark, capture in windows (one window of p at a time:
 * ps_win_lock), finish.  Runs in the SIGBUS handler with no lock held:
 * atomics, futex locks, ioctls, process_madvise, no allocation.  A fault
 * of p exceeds the maximum only between its mapping and this trim, so p's
 * resident pages exceed the maximum by at most its faults in flight (and
 * pages that cannot be taken: locked, or in another batch already).
 */
void wsm_replace_local(struct vm_process *p)
{
	struct trim_batch b;
	uint64_t pick[WSM_LOCAL_MAX], nvalid, r, max, target;
	lk_t *held = NULL;
	uint64_t t0 = tml_now();	/* its span on the timeline */
	int n;

	lk_assert_none_held();
	r = wsm_resident(p);
	max = atomic_load_explicit(&p->ps_ws_max, memory_order_relaxed);
	if (r <= max)
		return;
	target = max - max / WSM_LOCAL_SLACK;
	n = r - target < WSM_LOCAL_MAX ? (int)(r - target) : WSM_LOCAL_MAX;
	n = trim_select_by(p, pick, n, &nvalid, false);
	b.tb_proc = p;
	b.tb_n = 0;
	b.tb_max = n;
	for (int i = 0; i < n; i++) {
		lk_t *rl = vm_pte_lock(p, pick[i]);
		pte_t pte;

		if (rl != held) {
			if (held != NULL)
				lk_release(held);
			lk_acquire(rl);
			held = rl;
		}
		pte = pte_read(p, pick[i]);
		if (pte_is_settled(pte))
			trim_mark(pick[i], pte, &b);
	}
	if (held != NULL)
		lk_release(held);
	if (b.tb_n == 0)
		return;
	trim_batch_run(&b);
	vm_pstat_add(p, replaced, (uint64_t)b.tb_n);
	if (t0 != 0)
		tml_span(VM_TL_REPLACE_LOCAL, t0, vm_now_ns(), (uint64_t)b.tb_n, 0, p->ps_tl_name);
}
