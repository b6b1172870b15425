/*
 * test_mrc.c - the miss-ratio oracles (sim/mrc.c) on strings worked by
 * hand (Belady's anomaly string, a write-back string, each worked step by
 * step in the comments), LRU's one-pass stack distances against a plain
 * LRU at every frame count (long strings, so the Fenwick tree compacts
 * many times), the classic oracles (sim/oracle.c, other code) agreeing on
 * faults, and OPT never above any other policy.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mrc.h"
#include "oracle.h"

/* A string of page ids, 'W'-marked ones writes. */
static struct mrc_refs refs_of(const uint32_t *ids, const bool *w, size_t n)
{
	struct mrc_refs r = { malloc(n * sizeof(uint32_t)), n, 0 };

	for (size_t i = 0; i < n; i++) {
		r.mr_refs[i] = ids[i] | (w && w[i] ? MRC_WRITE : 0);
		if (ids[i] + 1 > r.mr_distinct)
			r.mr_distinct = ids[i] + 1;
	}
	return r;
}

/* Faults and write-backs of one policy at one frame count. */
static struct mrc_point one(const struct mrc_refs *r, enum mrc_policy p, size_t f)
{
	uint64_t fr = f;
	struct mrc_point pts[MRC_NPOL], *out[MRC_NPOL] = { &pts[0], &pts[1], &pts[2], &pts[3] };

	memset(pts, 0xff, sizeof(pts));
	if (mrc_compute(r, &fr, 1, out) != 0)
		return (struct mrc_point){ 0 };
	return pts[p];
}

/*
 * 1 2 3 4 1 2 5 1 2 3 4 5: FIFO 9 faults with 3 frames, 10 with 4 (the
 * anomaly); LRU 10 and 8; OPT 7 and 6.  CLOCK, 3 frames ([frames] hand):
 * 1 2 3 fill [1*2*3*]h0; 4: clears all, replaces 1 [4*23]h1; 1: replaces 2
 * [4*1*3]h2; 2: replaces 3 [4*1*2*]h0; 5: clears all, replaces 4 [5*12]h1;
 * 1, 2 hit [5*1*2*]; 3: clears all from h1, replaces 1 [53*2]h2; 4: replaces
 * 2 [53*4*]h0; 5 hits: 9 faults.  4 frames: fill, 1 2 hit; 5 replaces 1
 * after clearing all [5*234]h1; 1 replaces 2, 2 replaces 3, 3 replaces 4
 * [5*1*2*3*]h0; 4 clears all, replaces 5 [4*123]h1; 5 replaces 1: 10.
 */
static void test_belady(void)
{
	static const uint32_t s[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
	struct mrc_refs r = refs_of(s, NULL, 12);

	CHECK("fifo 3", one(&r, MRC_FIFO, 3).mp_faults == 9);
	CHECK("fifo 4 (anomaly)", one(&r, MRC_FIFO, 4).mp_faults == 10);
	CHECK("lru 3", one(&r, MRC_LRU, 3).mp_faults == 10);
	CHECK("lru 4", one(&r, MRC_LRU, 4).mp_faults == 8);
	CHECK("opt 3", one(&r, MRC_OPT, 3).mp_faults == 7);
	CHECK("opt 4", one(&r, MRC_OPT, 4).mp_faults == 6);
	CHECK("clock 3", one(&r, MRC_CLOCK, 3).mp_faults == 9);
	CHECK("clock 4", one(&r, MRC_CLOCK, 4).mp_faults == 10);
	CHECK("no writes, no write-backs", one(&r, MRC_LRU, 3).mp_writebacks == 0 &&
	    one(&r, MRC_OPT, 3).mp_writebacks == 0);
	CHECK("all frames: cold only", one(&r, MRC_CLOCK, 5).mp_faults == 5 &&
	    one(&r, MRC_FIFO, 100).mp_faults == 5);
	mrc_refs_free(&r);
}

/*
 * Wa Rb Rc Ra Wb Rc Ra (a=0 b=1 c=2) on 2 frames.
 * LRU: c evicts a (dirty: 1), a evicts b, Wb evicts c, c evicts a, a evicts
 * b (dirty: 2): 7 faults, 2 write-backs.  FIFO: the same evictions.
 * CLOCK: c clears both, evicts a (1) [c*b]h1; a evicts b [c*a*]h0; Wb
 * clears both, evicts c [b*a]h1; c evicts a [b*c*]h0; a clears both,
 * evicts b (2): 7, 2.
 * OPT (next uses a:3,6 b:4 c:5): c evicts b (next 4 > a's 3), a hits, Wb
 * evicts a (next 6 > c's 5; dirty: 1), c hits, a: b and c are never used
 * again: the higher page, c, goes (clean): 5 faults, 1 write-back.
 * LRU at 1 frame: every reference faults, Wa and Wb evicted dirty: 7, 2;
 * at 3 frames: 3 cold faults, nothing evicted.
 */
static void test_writebacks(void)
{
	static const uint32_t s[] = { 0, 1, 2, 0, 1, 2, 0 };
	static const bool w[] = { 1, 0, 0, 0, 1, 0, 0 };
	struct mrc_refs r = refs_of(s, w, 7);
	uint64_t lf[4], lw[4];
	struct mrc_point p;

	p = one(&r, MRC_LRU, 2);
	CHECK("lru 2", p.mp_faults == 7 && p.mp_writebacks == 2);
	p = one(&r, MRC_FIFO, 2);
	CHECK("fifo 2", p.mp_faults == 7 && p.mp_writebacks == 2);
	p = one(&r, MRC_CLOCK, 2);
	CHECK("clock 2", p.mp_faults == 7 && p.mp_writebacks == 2);
	p = one(&r, MRC_OPT, 2);
	CHECK("opt 2", p.mp_faults == 5 && p.mp_writebacks == 1);
	CHECK("lru all", mrc_lru_all(&r, lf, lw) == 0);
	CHECK("lru all f=0", lf[0] == 7 && lw[0] == 0);
	CHECK("lru all f=1", lf[1] == 7 && lw[1] == 2);
	CHECK("lru all f=2", lf[2] == 7 && lw[2] == 2);
	CHECK("lru all f=3", lf[3] == 3 && lw[3] == 0);
	mrc_refs_free(&r);
}

/* Plain LRU: a recency array, O(n * frames). */
static void lru_plain(const struct mrc_refs *r, size_t f, uint64_t *faults, uint64_t *wb)
{
	uint32_t *st = malloc((f + 1) * sizeof(*st));
	bool *dirty = calloc(r->mr_distinct, sizeof(*dirty));
	size_t n = 0;

	*faults = *wb = 0;
	for (size_t i = 0; i < r->mr_n; i++) {
		uint32_t pg = MRC_ID(r->mr_refs[i]);
		size_t k;

		for (k = 0; k < n && st[k] != pg; k++)
			;
		if (k == n) {
			(*faults)++;
			if (n == f) {
				*wb += dirty[st[--n]];
				dirty[st[n]] = false;
				k = n;
			}
			n++;
		}
		memmove(st + 1, st, k * sizeof(*st));
		st[0] = pg;
		dirty[pg] |= (r->mr_refs[i] & MRC_WRITE) != 0;
	}
	free(st);
	free(dirty);
}

/* Random strings with locality: LRU from one pass equals plain LRU at every
 * size; mrc and oracle.c agree; OPT is the least. */
static void test_random(void)
{
	uint64_t seed = 42;
	bool all_ok = true, agree = true, least = true;

	for (int round = 0; round < 6; round++) {
		size_t n = round < 3 ? 3000 : 20000, pages = round < 3 ? 40 + round * 30 : 60;
		uint32_t *ids = malloc(n * sizeof(*ids));
		bool *w = malloc(n * sizeof(*w));
		struct trace_ref *tr = malloc(n * sizeof(*tr));
		uint64_t *lf, *lw;
		struct mrc_refs r;
		uint32_t cur = 0;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			cur = (seed >> 60) < 2 ? (uint32_t)((seed >> 20) % pages) :
			    (uint32_t)((cur + (seed >> 33) % 5) % pages);
			ids[i] = cur;
			w[i] = (seed >> 40) % 3 == 0;
			tr[i] = (struct trace_ref){ cur, w[i] };
		}
		r = refs_of(ids, w, n);
		lf = malloc((r.mr_distinct + 1) * sizeof(*lf));
		lw = malloc((r.mr_distinct + 1) * sizeof(*lw));
		mrc_lru_all(&r, lf, lw);
		for (size_t f = 1; f <= r.mr_distinct; f++) {
			uint64_t pf, pw;
			struct mrc_point o = one(&r, MRC_OPT, f);

			lru_plain(&r, f, &pf, &pw);
			all_ok &= pf == lf[f] && pw == lw[f];
			agree &= lf[f] == oracle_lru_faults(tr, n, f) &&
			    one(&r, MRC_FIFO, f).mp_faults == oracle_fifo_faults(tr, n, f) &&
			    o.mp_faults == oracle_opt_faults(tr, n, f);
			least &= o.mp_faults <= lf[f] && o.mp_faults <= one(&r, MRC_CLOCK, f).mp_faults;
		}
		free(lf);
		free(lw);
		free(ids);
		free(w);
		free(tr);
		mrc_refs_free(&r);
	}
	CHECK("lru one pass = plain lru, every size", all_ok);
	CHECK("mrc = oracle.c", agree);
	CHECK("opt the least", least);
}

/* Dense ids keep the pages' order, whether the pages are packed or sparse. */
static void test_ids(void)
{
	struct trace_ref refs[] = { { 900, 0 }, { 7, 1 }, { 900, 0 }, { 42, 0 } };
	struct trace t = { .t_refs = refs, .t_n = 4, .t_max_vpn = 900 };
	struct mrc_refs r;

	CHECK("ids packed", mrc_refs_make(&t, &r) == 0 && r.mr_distinct == 3 &&
	    r.mr_refs[0] == 2 && r.mr_refs[1] == (0 | MRC_WRITE) && r.mr_refs[3] == 1);
	mrc_refs_free(&r);
	refs[0].tr_vpn = refs[2].tr_vpn = 1ULL << 40;
	t.t_max_vpn = 1ULL << 40;
	CHECK("ids sparse", mrc_refs_make(&t, &r) == 0 && r.mr_distinct == 3 &&
	    r.mr_refs[0] == 2 && r.mr_refs[2] == 2 && r.mr_refs[3] == 1);
	mrc_refs_free(&r);
}

int main(void)
{
	test_belady();
	test_writebacks();
	test_random();
	test_ids();
	return check_done("test_mrc");
}
