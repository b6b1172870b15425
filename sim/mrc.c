/*
 * mrc.c - exact LRU, FIFO, CLOCK and OPT faults and write-backs at many
 * frame counts (definitions in mrc.h).
 */
#include "mrc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *const mrc_policy_names[MRC_NPOL] = { "lru", "fifo", "clock", "opt" };

#define MRC_NONE	UINT32_MAX

uint64_t mrc_footprint(uint64_t n, uint64_t distinct, uint64_t max_frames)
{
	/* refs + next (4 + 4 a reference); LRU: tree, owners, positions, dirt,
	 * two count arrays (40 a page); FIFO/CLOCK/OPT: per page and per frame */
	return 8 * n + 64 * distinct + 24 * max_frames + 4096;
}

static int mrc_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Dense ids in page order for a trace whose pages are spread thin: sort
 * the distinct pages, then binary-search each reference's.  0 or -1. */
static int mrc_refs_sparse(const struct trace *t, struct mrc_refs *out)
{
	uint64_t *v = malloc(t->t_n * sizeof(*v));
	size_t d = 0;

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < t->t_n; i++)
		v[i] = t->t_refs[i].tr_vpn;
	qsort(v, t->t_n, sizeof(*v), mrc_u64_cmp);
	for (size_t i = 0; i < t->t_n; i++)
		if (d == 0 || v[d - 1] != v[i])
			v[d++] = v[i];
	for (size_t i = 0; i < t->t_n; i++) {
		uint64_t *p = bsearch(&t->t_refs[i].tr_vpn, v, d, sizeof(*v), mrc_u64_cmp);

		out->mr_refs[i] = (uint32_t)(p - v) | (t->t_refs[i].tr_write ? MRC_WRITE : 0);
	}
	out->mr_distinct = d;
	free(v);
	return d < MRC_WRITE ? 0 : -1;
}

/* The same by a rank table over 0..max_vpn.  0 or -1. */
static int mrc_refs_dense(const struct trace *t, struct mrc_refs *out)
{
	size_t span = (size_t)t->t_max_vpn + 1, d = 0;
	uint32_t *rank = calloc(span, sizeof(*rank));

	if (rank == NULL)
		return -1;
	for (size_t i = 0; i < t->t_n; i++)
		rank[t->t_refs[i].tr_vpn] = 1;
	for (size_t v = 0; v < span; v++) {
		uint32_t seen = rank[v];

		rank[v] = (uint32_t)d;
		d += seen;
	}
	for (size_t i = 0; i < t->t_n; i++)
		out->mr_refs[i] = rank[t->t_refs[i].tr_vpn] | (t->t_refs[i].tr_write ? MRC_WRITE : 0);
	out->mr_distinct = d;
	free(rank);
	return d < MRC_WRITE ? 0 : -1;
}

int mrc_refs_make(const struct trace *t, struct mrc_refs *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (t->t_n >= MRC_NONE || (out->mr_refs = malloc((t->t_n + 1) * 4)) == NULL)
		return -1;
	out->mr_n = t->t_n;
	if (t->t_max_vpn < 4 * (uint64_t)t->t_n + (1u << 20))
		rc = mrc_refs_dense(t, out);
	else
		rc = mrc_refs_sparse(t, out);
	if (rc != 0)
		mrc_refs_free(out);
	return rc;
}

void mrc_refs_free(struct mrc_refs *r)
{
	free(r->mr_refs);
	memset(r, 0, sizeof(*r));
}

/* ---- LRU: stack distances over a Fenwick tree on time ---- */

struct mrc_lru {
	uint32_t *ml_tree;	/* Fenwick tree over positions 1..ml_cap: 1 = a page's last use */
	uint32_t *ml_who;	/* position -> page */
	uint32_t *ml_pos;	/* page -> position of its last use (0: not yet used) */
	uint32_t *ml_dirt;	/* page -> largest distance since its last write (MRC_NONE: none) */
	size_t    ml_cap, ml_next, ml_live;
};

static void mrc_bit_add(uint32_t *tree, size_t cap, size_t i, int32_t v)
{
	for (; i <= cap; i += i & -i)
		tree[i] += (uint32_t)v;
}

static uint32_t mrc_bit_sum(const uint32_t *tree, size_t i)
{
	uint32_t s = 0;

	for (; i > 0; i -= i & -i)
		s += tree[i];
	return s;
}

/* Renumber the live positions 1..live in order and rebuild the tree in O(cap). */
static void mrc_lru_compact(struct mrc_lru *l)
{
	size_t k = 0;

	for (size_t p = 1; p < l->ml_next; p++) {
		uint32_t pg = l->ml_who[p];

		if (pg != MRC_NONE && l->ml_pos[pg] == p) {
			l->ml_who[++k] = pg;
			l->ml_pos[pg] = (uint32_t)k;
		}
	}
	for (size_t p = 1; p <= l->ml_cap; p++) {
		l->ml_tree[p] = p <= k;
		if (p > k)
			l->ml_who[p] = MRC_NONE;
	}
	for (size_t p = 1; p <= l->ml_cap; p++) {	/* O(cap) build */
		size_t up = p + (p & -p);

		if (up <= l->ml_cap)
			l->ml_tree[up] += l->ml_tree[p];
	}
	l->ml_next = k + 1;
}

/* Add one to diff[lo..hi] (clipped to 1..top). */
static void mrc_range_add(int64_t *diff, uint64_t lo, uint64_t hi, uint64_t top)
{
	if (lo < 1)
		lo = 1;
	if (hi > top)
		hi = top;
	if (lo > hi)
		return;
	diff[lo]++;
	diff[hi + 1]--;
}

/* One reference to page pg (write or not): its stack distance counted in
 * hist (0: cold), its possible write-back in wbdiff. */
static void mrc_lru_ref(struct mrc_lru *l, uint32_t pg, bool write, uint64_t *hist,
    int64_t *wbdiff, size_t top)
{
	uint32_t p;
	uint64_t d = 0;

	if (l->ml_next > l->ml_cap)
		mrc_lru_compact(l);
	p = l->ml_pos[pg];
	if (p != 0) {
		d = l->ml_live - mrc_bit_sum(l->ml_tree, p) + 1;
		mrc_bit_add(l->ml_tree, l->ml_cap, p, -1);
		if (l->ml_dirt[pg] != MRC_NONE)	/* evicted at F < d: dirty iff dirt <= F */
			mrc_range_add(wbdiff, l->ml_dirt[pg], d - 1, top);
	} else {
		l->ml_live++;
	}
	hist[d]++;
	if (write)
		l->ml_dirt[pg] = 0;
	else if (l->ml_dirt[pg] != MRC_NONE && d > l->ml_dirt[pg])
		l->ml_dirt[pg] = (uint32_t)d;
	l->ml_pos[pg] = (uint32_t)l->ml_next;
	l->ml_who[l->ml_next] = pg;
	mrc_bit_add(l->ml_tree, l->ml_cap, l->ml_next++, 1);
}

/* The whole string: hist[d] references at stack distance d (hist[0]: cold),
 * wbdiff a difference array of write-backs by frame count.  0 or -1. */
static int mrc_lru_pass(const struct mrc_refs *r, uint64_t *hist, int64_t *wbdiff)
{
	size_t D = r->mr_distinct;
	struct mrc_lru l = { .ml_cap = 2 * D + 1024, .ml_next = 1 };
	int rc = -1;

	l.ml_tree = calloc(l.ml_cap + 1, sizeof(uint32_t));
	l.ml_who = malloc((l.ml_cap + 1) * sizeof(uint32_t));
	l.ml_pos = calloc(D, sizeof(uint32_t));
	l.ml_dirt = malloc(D * sizeof(uint32_t) + 1);
	if (l.ml_tree == NULL || l.ml_who == NULL || l.ml_pos == NULL || l.ml_dirt == NULL)
		goto out;
	memset(l.ml_who, 0xff, (l.ml_cap + 1) * sizeof(uint32_t));
	memset(l.ml_dirt, 0xff, D * sizeof(uint32_t));
	for (size_t i = 0; i < r->mr_n; i++)
		mrc_lru_ref(&l, MRC_ID(r->mr_refs[i]), r->mr_refs[i] & MRC_WRITE, hist, wbdiff, D);
	for (size_t pg = 0; pg < D; pg++)	/* evicted after its last use at F < depth */
		if (l.ml_dirt[pg] != MRC_NONE)
			mrc_range_add(wbdiff, l.ml_dirt[pg],
			    l.ml_live - mrc_bit_sum(l.ml_tree, l.ml_pos[pg]), D);
	rc = 0;
out:
	free(l.ml_tree);
	free(l.ml_who);
	free(l.ml_pos);
	free(l.ml_dirt);
	return rc;
}

int mrc_lru_all(const struct mrc_refs *r, uint64_t *faults, uint64_t *wb)
{
	size_t D = r->mr_distinct;
	uint64_t *hist = calloc(D + 2, sizeof(*hist)), miss;
	int64_t *diff = calloc(D + 2, sizeof(*diff)), acc = 0;
	int rc = -1;

	if (hist == NULL || diff == NULL || mrc_lru_pass(r, hist, diff) != 0)
		goto out;
	miss = r->mr_n;				/* f = 0: every reference */
	for (size_t f = 0; f <= D; f++) {
		if (f > 0)
			miss -= hist[f];	/* distance f hits from f frames on */
		faults[f] = miss;
		acc += f > 0 ? diff[f] : 0;
		wb[f] = f > 0 ? (uint64_t)acc : 0;
	}
	rc = 0;
out:
	free(hist);
	free(diff);
	return rc;
}

/* ---- FIFO and CLOCK: one pass per frame count ---- */

int mrc_fifo(const struct mrc_refs *r, size_t frames, struct mrc_point *out)
{
	uint32_t *ring = malloc(frames * sizeof(*ring));
	uint8_t *st = calloc(r->mr_distinct + 1, 1);	/* 1 resident, 2 dirty */
	size_t head = 0, nres = 0;

	*out = (struct mrc_point){ .mp_frames = frames };
	if (ring == NULL || st == NULL) {
		free(ring);
		free(st);
		return -1;
	}
	for (size_t i = 0; i < r->mr_n; i++) {
		uint32_t pg = MRC_ID(r->mr_refs[i]);
		uint8_t w = (r->mr_refs[i] & MRC_WRITE) ? 2 : 0;

		if (st[pg]) {
			st[pg] |= w;
			continue;
		}
		out->mp_faults++;
		if (nres == frames) {
			out->mp_writebacks += st[ring[head]] >> 1;
			st[ring[head]] = 0;
			ring[head] = pg;
			head = (head + 1) % frames;
		} else {
			ring[nres++] = pg;
		}
		st[pg] = 1 | w;
	}
	free(ring);
	free(st);
	return 0;
}

int mrc_clock(const struct mrc_refs *r, size_t frames, struct mrc_point *out)
{
	uint32_t *page = malloc(frames * sizeof(*page));
	uint8_t *bits = calloc(frames, 1);		/* 1 referenced, 2 dirty */
	uint32_t *frame = malloc((r->mr_distinct + 1) * sizeof(*frame));
	size_t hand = 0, used = 0;

	*out = (struct mrc_point){ .mp_frames = frames };
	if (page == NULL || bits == NULL || frame == NULL) {
		free(page);
		free(bits);
		free(frame);
		return -1;
	}
	memset(frame, 0xff, (r->mr_distinct + 1) * sizeof(*frame));
	for (size_t i = 0; i < r->mr_n; i++) {
		uint32_t pg = MRC_ID(r->mr_refs[i]), f = frame[pg];
		uint8_t w = (r->mr_refs[i] & MRC_WRITE) ? 2 : 0;

		if (f != MRC_NONE) {
			bits[f] |= 1 | w;
			continue;
		}
		out->mp_faults++;
		if (used < frames) {
			f = (uint32_t)used++;
		} else {
			while (bits[hand] & 1) {
				bits[hand] &= (uint8_t)~1;
				hand = hand + 1 == frames ? 0 : hand + 1;
			}
			f = (uint32_t)hand;
			out->mp_writebacks += bits[f] >> 1;
			frame[page[f]] = MRC_NONE;
			hand = hand + 1 == frames ? 0 : hand + 1;
		}
		page[f] = pg;
		frame[pg] = f;
		bits[f] = 1 | w;
	}
	free(page);
	free(bits);
	free(frame);
	return 0;
}

/* ---- OPT: next uses, then an indexed max-heap per frame count ---- */

uint32_t *mrc_next_make(const struct mrc_refs *r)
{
	uint32_t *next = malloc((r->mr_n + 1) * sizeof(*next));
	uint32_t *last = malloc((r->mr_distinct + 1) * sizeof(*last));

	if (next == NULL || last == NULL) {
		free(next);
		free(last);
		return NULL;
	}
	memset(last, 0xff, (r->mr_distinct + 1) * sizeof(*last));
	for (size_t i = r->mr_n; i-- > 0;) {
		uint32_t pg = MRC_ID(r->mr_refs[i]);

		next[i] = last[pg];
		last[pg] = (uint32_t)i;
	}
	free(last);
	return next;
}

/* The heap orders (next use, page): the farthest next use on top, and among
 * pages never used again (next = MRC_NONE) the highest page. */
struct mrc_heap {
	uint64_t *mh_key;	/* slot -> next << 32 | page */
	uint32_t *mh_slot;	/* page -> slot, MRC_NONE if not resident */
	uint8_t  *mh_dirty;	/* page -> written since loaded */
	size_t    mh_n;
};

static inline void mrc_heap_put(struct mrc_heap *h, size_t i, uint64_t key)
{
	h->mh_key[i] = key;
	h->mh_slot[(uint32_t)key] = (uint32_t)i;
}

static void mrc_heap_up(struct mrc_heap *h, size_t i)
{
	uint64_t key = h->mh_key[i];

	while (i > 0 && h->mh_key[(i - 1) / 2] < key) {
		mrc_heap_put(h, i, h->mh_key[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	mrc_heap_put(h, i, key);
}

static void mrc_heap_down(struct mrc_heap *h, size_t i)
{
	uint64_t key = h->mh_key[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->mh_n)
			break;
		if (c + 1 < h->mh_n && h->mh_key[c + 1] > h->mh_key[c])
			c++;
		if (h->mh_key[c] <= key)
			break;
		mrc_heap_put(h, i, h->mh_key[c]);
		i = c;
	}
	mrc_heap_put(h, i, key);
}

/* One reference: a hit moves the page's key to its next use; a miss evicts
 * the top when the frames are full. */
static void mrc_opt_ref(struct mrc_heap *h, size_t frames, uint32_t ref, uint32_t next,
    struct mrc_point *out)
{
	uint32_t pg = MRC_ID(ref), s = h->mh_slot[pg];
	uint64_t key = (uint64_t)next << 32 | pg;

	if (s != MRC_NONE) {
		h->mh_key[s] = key;		/* later than before: it can only rise */
		mrc_heap_up(h, s);
		h->mh_dirty[pg] |= (ref & MRC_WRITE) != 0;
		return;
	}
	out->mp_faults++;
	if (h->mh_n < frames) {
		mrc_heap_put(h, h->mh_n++, key);
		mrc_heap_up(h, h->mh_n - 1);
	} else {
		uint32_t victim = (uint32_t)h->mh_key[0];

		out->mp_writebacks += h->mh_dirty[victim];
		h->mh_dirty[victim] = 0;
		h->mh_slot[victim] = MRC_NONE;
		mrc_heap_put(h, 0, key);
		mrc_heap_down(h, 0);
	}
	h->mh_dirty[pg] = (ref & MRC_WRITE) != 0;
}

int mrc_opt(const struct mrc_refs *r, const uint32_t *next, size_t frames,
    struct mrc_point *out)
{
	size_t D = r->mr_distinct + 1;
	struct mrc_heap h = {
		.mh_key = malloc(frames * sizeof(uint64_t)),
		.mh_slot = malloc(D * sizeof(uint32_t)),
		.mh_dirty = calloc(D, 1),
	};
	int rc = -1;

	*out = (struct mrc_point){ .mp_frames = frames };
	if (h.mh_key == NULL || h.mh_slot == NULL || h.mh_dirty == NULL)
		goto out;
	memset(h.mh_slot, 0xff, D * sizeof(uint32_t));
	for (size_t i = 0; i < r->mr_n; i++)
		mrc_opt_ref(&h, frames, r->mr_refs[i], next[i], out);
	rc = 0;
out:
	free(h.mh_key);
	free(h.mh_slot);
	free(h.mh_dirty);
	return rc;
}

/* ---- all of them ---- */

int mrc_compute(const struct mrc_refs *r, const uint64_t *frames, size_t nf,
    struct mrc_point *out[MRC_NPOL])
{
	size_t D = r->mr_distinct;
	uint64_t *lf = malloc((D + 1) * sizeof(*lf)), *lw = malloc((D + 1) * sizeof(*lw));
	uint32_t *next = mrc_next_make(r);
	int rc = -1;

	if (lf == NULL || lw == NULL || next == NULL || mrc_lru_all(r, lf, lw) != 0)
		goto out;
	for (size_t i = 0; i < nf; i++) {
		size_t f = frames[i] < D ? (size_t)frames[i] : D;	/* more frames: no eviction */

		out[MRC_LRU][i] = (struct mrc_point){ frames[i], lf[f], lw[f] };
		if (mrc_fifo(r, f ? f : 1, &out[MRC_FIFO][i]) != 0 ||
		    mrc_clock(r, f ? f : 1, &out[MRC_CLOCK][i]) != 0 ||
		    mrc_opt(r, next, f ? f : 1, &out[MRC_OPT][i]) != 0)
			goto out;
		for (int p = MRC_FIFO; p < MRC_NPOL; p++)
			out[p][i].mp_frames = frames[i];
	}
	rc = 0;
out:
	free(lf);
	free(lw);
	free(next);
	return rc;
}
