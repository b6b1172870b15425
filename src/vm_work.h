/*
 * vm_work.h - layer 2, the workers: what resolves a fault and what the
 * system threads do, over the state of layer 1 (vm_ctx.h).
 *
 * Owns: fault resolution (fault.c); the trimmer: its thread (trim.c), its
 * policies and hints (trim_policy.c), its batch mechanism (trim_capture.c)
 * and trim window (trimwin.c); the working-set manager and local
 * replacement (wsm.c); the modified page writer (mpw.c); the
 * zero-page thread (zero.c); the page-file defragmenter (defrag.c); locked
 * pages and region I/O (pglock.c, vmio.c); a dying process's pages
 * (proc_free.c); the read-only image (image.c);
 * whole-structure validation (validate.c).  The public calls it defines
 * are in vm.h and vm_sim.h (vm_lock_pages, vm_empty_working_set, ...).
 *
 * May call: layers 0 and 1; and, within this layer, only down this list
 * (each file may call those above it, never below; tests/layers.sh):
 *   validate, image, trimwin, trim_capture, trim_policy, wsm, trim, mpw, zero,
 *   defrag, pglock, vmio, proc_free, fault
 * Wakeups are bare ev_signal() on the event the woken thread sleeps on
 * (vm_ctx.h lists them), never a call into the woken thread's file.
 */
#pragma once
#include <stdio.h>

#include "vm_ctx.h"

/* "validate.c" */
long validate_all(struct vm *vm, FILE *f, int expensive);

/* "image.c" */
int image_init(struct vm_process *p, char *err, size_t errlen);

/* "trimwin.c": the trim window: publish, freeze its spans (all but the
 * locked pages, whole or piece by piece), then thaw what still needs it,
 * and withdraw.  open/close: all of it for a window of one span. */
void trim_freeze(struct vm_process *p, uint64_t lo, uint64_t hi);
void trim_window_publish(struct vm_process *p, uint64_t lo, uint64_t hi);
void trim_window_withdraw(struct vm_process *p);
void trim_window_open(struct vm_process *p, uint64_t lo, uint64_t hi, uint64_t wlo);
void trim_window_close(struct vm_process *p, uint64_t wlo, uint64_t hi);
/* a piece of a window frozen by itself: [lo, hi), and whether it joined
 * runs of the batch across a gap (trim_span_freeze) */
struct trim_piece {
	uint64_t tpc_lo, tpc_hi;
	bool tpc_gaps;
};
int trim_span_freeze(struct vm_process *p, uint64_t wlo, uint64_t hi, const uint64_t *vpns,
    int n, struct trim_piece *pc, bool pieces);
void trim_span_thaw(struct vm_process *p, const struct trim_piece *pc, int np, uint64_t wlo,
    uint64_t hi);
int trim_window_open_pieces(struct vm_process *p, uint64_t lo, uint64_t hi, uint64_t wlo,
    const uint64_t *vpns, int n, struct trim_piece *pc);
void trim_window_close_pieces(struct vm_process *p, const struct trim_piece *pc, int np,
    uint64_t wlo, uint64_t hi);

/* "trim_capture.c": a batch of marked pages, and trimming it. */
struct trim_page {
	uint64_t tpg_vpn;		/* first: the sort key (vm_sort_by_key) */
	uint32_t tpg_frame;
	bool tpg_noslot;		/* no page-file copy when marked */
	bool tpg_dirty;			/* copied back: goes to modified */
};

/* A batch is taken from one process (tb_proc): its window, freeze, zap. */
struct trim_batch {
	struct vm_process *tb_proc;
	int tb_n;
	int tb_clean;			/* trim_batch_run: the pages that went to standby */
	int tb_max;			/* at most this many pages (<= VM_TRIM_BATCH_MAX) */
	struct trim_page tb_page[VM_TRIM_BATCH_MAX];	/* ascending once sorted */
};

void trim_mark(uint64_t vpn, pte_t pte, struct trim_batch *b);
void trim_batch_sort(struct trim_batch *b);
void trim_batch_run(struct trim_batch *b);

/* "trim_policy.c": which pages; the heap and selection are exposed for the
 * unit tests (tests/unit/test_trim.c). */
struct trim_pick {
	uint64_t tp_key;		/* mapping sequence or a random number */
	uint64_t tp_vpn;
};

void trim_pick_add(struct trim_pick *h, int *n, int k, uint64_t key, uint64_t vpn);
int trim_select(struct vm_process *p, uint64_t *out, int k, uint64_t *nvalid);
int trim_select_by(struct vm_process *p, uint64_t *out, int k, uint64_t *nvalid, bool random);
uint64_t trim_collect_from(struct vm_process *p, struct trim_batch *b, int max);

/* "wsm.c": the working-set manager: which process a batch comes from, and
 * local replacement at a hard maximum */
uint64_t wsm_collect(struct vm *vm, struct trim_batch *b);
void wsm_replace_local(struct vm_process *p);
void trim_hint_note(struct vm_process *p, uint64_t vpn);

/* "trim.c", "mpw.c", "zero.c", "defrag.c": the system threads' bodies
 * (started by vm_threads.c, layer 3), the writer's one batch and the
 * defragmenter's one pass. */
void *trim_thread(void *arg);
void *mpw_thread(void *arg);
int mpw_write_batch(struct vm *vm);	/* one batch: written, 0, or -1 (no slot) */
void *zero_thread(void *arg);
void *defrag_thread(void *arg);
int defrag_pass(struct vm *vm, uint64_t *cursor, int budget);

/* "pglock.c" */
struct vm_process *pglock_process(struct vm *vm, uintptr_t lo, uintptr_t hi);

/* "proc_free.c": a process's pages given back (vm_process_destroy). */
uint64_t proc_free_pages(struct vm_process *p);

/* "fault.c" */
enum fault_result { FAULT_DONE, FAULT_ACCESS_VIOLATION, FAULT_FAILED };
enum fault_result fault_resolve(struct vm_process *p, uint64_t vpn, int is_write);
