/*
 * mrc.h - miss-ratio curves: the faults and dirty write-backs of LRU, FIFO,
 * CLOCK and Belady's OPT on a reference string, at many frame counts.
 *
 * Every policy starts with empty frames; a page's first reference is a
 * fault (a cold miss).  A page is dirty from a write until it is evicted;
 * evicting a dirty page is one write-back (pages still resident at the end
 * are not written back: the count is the policy's, not a shutdown's).
 *   LRU    evicts the least recently used page.  All frame counts from one
 *          pass: stack distances (Mattson et al., 1970) over a Fenwick tree
 *          on time, compacted whenever it fills, so O(n log distinct) time
 *          and O(distinct) memory; write-backs from the same pass (a page
 *          evicted at F frames was dirty iff it was written since the last
 *          reference whose stack distance exceeded F).
 *   FIFO   evicts the page loaded longest ago.  One pass per frame count.
 *   CLOCK  one reference bit per frame, set on every reference and on
 *          loading; frames fill in order; on a miss with every frame full
 *          the hand clears set bits until it finds a clear one, replaces
 *          that page (the new page's bit set) and moves one past it.
 *   OPT    Belady's MIN: evicts the page whose next reference is farthest;
 *          among pages never referenced again, the highest-numbered.  Its
 *          fault count is the minimum; its write-backs are those of this
 *          choice.  A backward pass gives each reference its next use
 *          (4 bytes a reference), then one pass per frame count with an
 *          indexed max-heap: O(n log frames).
 * These are oracles: they must be exact.  tests/unit/test_mrc.c checks
 * them against hand-worked strings, tests/mrc_oracle.py against a naive
 * implementation that shares none of this code.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

enum mrc_policy { MRC_LRU, MRC_FIFO, MRC_CLOCK, MRC_OPT, MRC_NPOL };

extern const char *const mrc_policy_names[MRC_NPOL];	/* "lru", "fifo", "clock", "opt" */

/* One point of a curve. */
struct mrc_point {
	uint64_t mp_frames;
	uint64_t mp_faults;
	uint64_t mp_writebacks;
};

/*
 * A reference string over dense page ids 0..mr_distinct-1 that keep the
 * pages' order (id order = page order), one uint32_t per reference: the id,
 * and MRC_WRITE when it writes.
 */
struct mrc_refs {
	uint32_t *mr_refs;
	size_t    mr_n;
	size_t    mr_distinct;
};
#define MRC_WRITE	0x80000000u
#define MRC_ID(r)	((r) & ~MRC_WRITE)

/* Bytes mrc_compute may take for n references over distinct pages and a
 * largest frame count of max_frames (with the trace itself not counted). */
uint64_t mrc_footprint(uint64_t n, uint64_t distinct, uint64_t max_frames);

/* The trace's references as dense ids.  0, or -1 (no memory, or more than
 * 2^31 - 1 distinct pages or 2^32 - 2 references). */
int mrc_refs_make(const struct trace *t, struct mrc_refs *out);
void mrc_refs_free(struct mrc_refs *r);

/*
 * LRU at every frame count: faults[f] and wb[f] for f = 0..r->mr_distinct
 * (arrays of mr_distinct + 1; f = 0 faults on every reference).  0 or -1.
 */
int mrc_lru_all(const struct mrc_refs *r, uint64_t *faults, uint64_t *wb);

/* One frame count (>= 1) of FIFO or CLOCK.  0 or -1 (no memory). */
int mrc_fifo(const struct mrc_refs *r, size_t frames, struct mrc_point *out);
int mrc_clock(const struct mrc_refs *r, size_t frames, struct mrc_point *out);

/* next[i]: the index of the next reference to r[i]'s page, or UINT32_MAX.
 * A malloc'd array of r->mr_n, NULL on no memory. */
uint32_t *mrc_next_make(const struct mrc_refs *r);

/* One frame count (>= 1) of OPT, given mrc_next_make's array.  0 or -1. */
int mrc_opt(const struct mrc_refs *r, const uint32_t *next, size_t frames,
    struct mrc_point *out);

/*
 * Every policy at each of frames[0..nf) (each >= 1): out[p][i] for policy
 * p.  0, or -1 (no memory).
 */
int mrc_compute(const struct mrc_refs *r, const uint64_t *frames, size_t nf,
    struct mrc_point *out[MRC_NPOL]);
