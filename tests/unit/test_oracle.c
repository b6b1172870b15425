/*
 * test_oracle.c - unit tests of the offline LRU, FIFO and OPT fault counts:
 * textbook strings with known answers, invariants, and cross-checks against
 * naive simulations and an exhaustive search for the optimum.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "oracle.h"

/* Pages and length of the strings the exhaustive OPT search takes. */
#define BRUTE_PAGES	5
#define BRUTE_LEN	12

/* splitmix64 state for reproducible random strings. */
struct rng {
	uint64_t r_s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->r_s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound). */
static uint64_t rng_below(struct rng *r, uint64_t bound)
{
	return rng_next(r) % bound;
}

/* Fill refs[0..n) from vpns. */
static void refs_fill(struct trace_ref *refs, const uint64_t *vpns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		refs[i].tr_vpn = vpns[i];
		refs[i].tr_write = (uint8_t)(i & 1);
	}
}

/* Fill refs with n random pages in [0, pages). */
static void refs_random(struct trace_ref *refs, size_t n, uint64_t pages,
			struct rng *r)
{
	for (size_t i = 0; i < n; i++) {
		refs[i].tr_vpn = rng_below(r, pages);
		refs[i].tr_write = 0;
	}
}

/* Number of distinct vpns among refs (quadratic; small inputs only). */
static size_t refs_distinct(const struct trace_ref *refs, size_t n)
{
	size_t d = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < i && refs[j].tr_vpn != refs[i].tr_vpn)
			j++;
		d += (j == i);
	}
	return d;
}

/* Slot of vpn among the resident frames, or -1. */
static long frames_find(const uint64_t *page, size_t nres, uint64_t vpn)
{
	for (size_t f = 0; f < nres; f++)
		if (page[f] == vpn)
			return (long)f;
	return -1;
}

/* Slot whose stamp is smallest (oldest use for LRU, oldest load for FIFO). */
static size_t frames_oldest(const size_t *stamp, size_t nres)
{
	size_t best = 0;

	for (size_t f = 1; f < nres; f++)
		if (stamp[f] < stamp[best])
			best = f;
	return best;
}

/* Naive O(n * frames) LRU (lru) or FIFO (!lru) simulation. */
static uint64_t naive_faults(const struct trace_ref *refs, size_t n,
			     size_t frames, bool lru)
{
	uint64_t *page = malloc((frames + 1) * sizeof(*page));
	size_t *stamp = malloc((frames + 1) * sizeof(*stamp));
	size_t nres = 0;
	uint64_t faults = 0;

	for (size_t i = 0; i < n; i++) {
		long f = frames_find(page, nres, refs[i].tr_vpn);

		if (f >= 0) {
			if (lru)
				stamp[f] = i;
			continue;
		}
		faults++;
		if (frames == 0)
			continue;
		f = nres < frames ? (long)nres++ : (long)frames_oldest(stamp, nres);
		page[f] = refs[i].tr_vpn;
		stamp[f] = i;
	}
	free(page);
	free(stamp);
	return faults;
}

/* Index of the next reference to refs[i]'s page after i, or n (linear scan). */
static size_t naive_next_use(const struct trace_ref *refs, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && refs[j].tr_vpn != refs[i].tr_vpn)
		j++;
	return j;
}

/* Naive OPT: on a fault evict the resident page used farthest ahead. */
static uint64_t naive_opt_faults(const struct trace_ref *refs, size_t n,
				 size_t frames)
{
	uint64_t *page = malloc((frames + 1) * sizeof(*page));
	size_t *nextuse = malloc((frames + 1) * sizeof(*nextuse));
	size_t nres = 0;
	uint64_t faults = 0;

	for (size_t i = 0; i < n; i++) {
		long f = frames_find(page, nres, refs[i].tr_vpn);

		if (f < 0) {
			faults++;
			if (nres < frames) {
				f = (long)nres++;
			} else {
				f = 0;
				for (size_t g = 1; g < nres; g++)
					if (nextuse[g] > nextuse[f])
						f = (long)g;
			}
			page[f] = refs[i].tr_vpn;
		}
		nextuse[f] = naive_next_use(refs, n, i);
	}
	free(page);
	free(nextuse);
	return faults;
}

/*
 * Exhaustive minimum: fewest faults from position pos with the resident set
 * mask, trying every eviction on each fault. memo[pos][mask] caches results
 * (-1 = unknown). Pages must be below BRUTE_PAGES.
 */
static int brute_min(const struct trace_ref *refs, size_t n, size_t frames,
		     size_t pos, unsigned mask,
		     int memo[BRUTE_LEN + 1][1 << BRUTE_PAGES])
{
	unsigned bit;
	int best;

	if (pos == n)
		return 0;
	if (memo[pos][mask] >= 0)
		return memo[pos][mask];
	bit = 1u << refs[pos].tr_vpn;
	if (mask & bit) {
		best = brute_min(refs, n, frames, pos + 1, mask, memo);
	} else if ((size_t)__builtin_popcount(mask) < frames) {
		best = 1 + brute_min(refs, n, frames, pos + 1, mask | bit, memo);
	} else {
		best = (int)n + 1;
		for (unsigned v = 0; v < BRUTE_PAGES; v++) {
			int c;

			if (!(mask & (1u << v)))
				continue;
			c = 1 + brute_min(refs, n, frames, pos + 1,
					  (mask & ~(1u << v)) | bit, memo);
			if (c < best)
				best = c;
		}
	}
	memo[pos][mask] = best;
	return best;
}

/* Exhaustive minimum fault count of a short string. */
static uint64_t brute_opt_faults(const struct trace_ref *refs, size_t n,
				 size_t frames)
{
	int memo[BRUTE_LEN + 1][1 << BRUTE_PAGES];

	memset(memo, 0xff, sizeof(memo));
	return (uint64_t)brute_min(refs, n, frames, 0, 0, memo);
}

/* The classic textbook string on 3 frames: OPT 9, LRU 12, FIFO 15. */
static void test_textbook(void)
{
	static const uint64_t s[] = { 7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2,
				      1, 2, 0, 1, 7, 0, 1 };
	size_t n = sizeof(s) / sizeof(s[0]);
	struct trace_ref refs[sizeof(s) / sizeof(s[0])];

	refs_fill(refs, s, n);
	CHECK("textbook opt", oracle_opt_faults(refs, n, 3) == 9);
	CHECK("textbook lru", oracle_lru_faults(refs, n, 3) == 12);
	CHECK("textbook fifo", oracle_fifo_faults(refs, n, 3) == 15);
}

/* FIFO's anomaly: more frames, more faults (9 on 3, 10 on 4). */
static void test_belady_anomaly(void)
{
	static const uint64_t s[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
	size_t n = sizeof(s) / sizeof(s[0]);
	struct trace_ref refs[sizeof(s) / sizeof(s[0])];

	refs_fill(refs, s, n);
	CHECK("anomaly fifo 3", oracle_fifo_faults(refs, n, 3) == 9);
	CHECK("anomaly fifo 4", oracle_fifo_faults(refs, n, 4) == 10);
	CHECK("anomaly opt 3", oracle_opt_faults(refs, n, 3) == 7);
	CHECK("anomaly lru 3", oracle_lru_faults(refs, n, 3) == 10);
	CHECK("anomaly lru 4", oracle_lru_faults(refs, n, 4) == 8);
}

/* Degenerate sizes: empty string, no frames, one frame, enough frames. */
static void test_edges(struct rng *r)
{
	struct trace_ref refs[300];
	size_t n = 300, changes = 1, d;

	CHECK("empty lru", oracle_lru_faults(NULL, 0, 4) == 0);
	CHECK("empty opt", oracle_opt_faults(NULL, 0, 4) == 0);
	CHECK("empty fifo", oracle_fifo_faults(NULL, 0, 0) == 0);
	refs_random(refs, n, 20, r);
	CHECK("0 frames lru", oracle_lru_faults(refs, n, 0) == n);
	CHECK("0 frames opt", oracle_opt_faults(refs, n, 0) == n);
	CHECK("0 frames fifo", oracle_fifo_faults(refs, n, 0) == n);
	for (size_t i = 1; i < n; i++)
		changes += refs[i].tr_vpn != refs[i - 1].tr_vpn;
	CHECK("1 frame lru", oracle_lru_faults(refs, n, 1) == changes);
	CHECK("1 frame opt", oracle_opt_faults(refs, n, 1) == changes);
	CHECK("1 frame fifo", oracle_fifo_faults(refs, n, 1) == changes);
	d = refs_distinct(refs, n);
	for (size_t f = d; f <= d + 2; f++) {
		CHECK("enough frames lru", oracle_lru_faults(refs, n, f) == d);
		CHECK("enough frames opt", oracle_opt_faults(refs, n, f) == d);
		CHECK("enough frames fifo", oracle_fifo_faults(refs, n, f) == d);
	}
	CHECK("huge frames", oracle_opt_faults(refs, n, SIZE_MAX) == d);
}

/* ~200 short strings: OPT against exhaustive search, LRU/FIFO against naive. */
static void test_brute(struct rng *r)
{
	struct trace_ref refs[BRUTE_LEN];
	int bad_opt = 0, bad_lru = 0, bad_fifo = 0;

	for (int t = 0; t < 200; t++) {
		size_t n = 1 + rng_below(r, BRUTE_LEN);
		uint64_t pages = 1 + rng_below(r, BRUTE_PAGES);

		refs_random(refs, n, pages, r);
		for (size_t f = 1; f <= 4; f++) {
			bad_opt += oracle_opt_faults(refs, n, f) !=
				   brute_opt_faults(refs, n, f);
			bad_lru += oracle_lru_faults(refs, n, f) !=
				   naive_faults(refs, n, f, true);
			bad_fifo += oracle_fifo_faults(refs, n, f) !=
				    naive_faults(refs, n, f, false);
		}
	}
	CHECK("brute opt", bad_opt == 0);
	CHECK("naive lru", bad_lru == 0);
	CHECK("naive fifo", bad_fifo == 0);
}

/* Map dense page p to a sparse vpn (distinct for distinct p, up to 2^60). */
static uint64_t vpn_sparse(uint64_t p)
{
	return ((p * 0x9e3779b97f4a7c15ULL) >> 4) | (p & 1);
}

/*
 * Medium strings (more pages than the hash map's first size) against the
 * naive simulations, then the same string with sparse vpns must agree, and
 * OPT must not lose to LRU or FIFO.
 */
static void test_medium(struct rng *r)
{
	size_t n = 4000;
	struct trace_ref *refs = malloc(n * sizeof(*refs));
	struct trace_ref *sparse = malloc(n * sizeof(*sparse));
	static const size_t frames[] = { 2, 17, 100, 700 };

	for (int t = 0; t < 4; t++) {
		uint64_t pages = t < 2 ? 1500 : 200;

		refs_random(refs, n, pages, r);
		for (size_t i = 0; i < n; i++)
			sparse[i].tr_vpn = vpn_sparse(refs[i].tr_vpn);
		for (size_t k = 0; k < sizeof(frames) / sizeof(frames[0]); k++) {
			size_t f = frames[k];
			uint64_t opt = oracle_opt_faults(refs, n, f);
			uint64_t lru = oracle_lru_faults(refs, n, f);
			uint64_t fifo = oracle_fifo_faults(refs, n, f);

			CHECK("medium opt", opt == naive_opt_faults(refs, n, f));
			CHECK("medium lru", lru == naive_faults(refs, n, f, true));
			CHECK("medium fifo", fifo == naive_faults(refs, n, f, false));
			CHECK("sparse opt", opt == oracle_opt_faults(sparse, n, f));
			CHECK("sparse lru", lru == oracle_lru_faults(sparse, n, f));
			CHECK("sparse fifo", fifo == oracle_fifo_faults(sparse, n, f));
			CHECK("opt <= lru", opt <= lru);
			CHECK("opt <= fifo", opt <= fifo);
		}
	}
	free(refs);
	free(sparse);
}

/* Seconds since an arbitrary point. */
static double clock_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fill refs with sequential runs at random starts, over [0, pages). */
static void refs_runs(struct trace_ref *refs, size_t n, uint64_t pages,
		      struct rng *r)
{
	size_t i = 0;

	while (i < n) {
		uint64_t vpn = rng_below(r, pages);
		size_t len = 1 + rng_below(r, 64);

		for (; len > 0 && i < n; len--, i++) {
			refs[i].tr_vpn = vpn_sparse(vpn);
			refs[i].tr_write = (uint8_t)(rng_next(r) & 1);
			vpn = (vpn + 1) % pages;
		}
	}
}

/* 10^7 references over 10^5 pages must complete; report the time taken. */
static void test_scale(struct rng *r)
{
	size_t n = 10 * 1000 * 1000, frames = 10000;
	struct trace_ref *refs = malloc(n * sizeof(*refs));
	uint64_t lru, opt, fifo;
	double t0, t1, t2, t3;

	CHECK("scale alloc", refs != NULL);
	if (refs == NULL)
		return;
	refs_runs(refs, n, 100000, r);
	t0 = clock_secs();
	lru = oracle_lru_faults(refs, n, frames);
	t1 = clock_secs();
	opt = oracle_opt_faults(refs, n, frames);
	t2 = clock_secs();
	fifo = oracle_fifo_faults(refs, n, frames);
	t3 = clock_secs();
	fprintf(stderr, "scale: n=%zu pages=100000 frames=%zu: "
		"lru %llu faults %.2fs, opt %llu faults %.2fs, fifo %llu faults %.2fs\n",
		n, frames, (unsigned long long)lru, t1 - t0,
		(unsigned long long)opt, t2 - t1, (unsigned long long)fifo, t3 - t2);
	CHECK("scale lru ok", lru != ORACLE_ERROR && lru <= n);
	CHECK("scale fifo ok", fifo != ORACLE_ERROR && fifo <= n);
	CHECK("scale opt ok", opt != ORACLE_ERROR && opt >= 100000);
	CHECK("scale opt <= lru", opt <= lru);
	free(refs);
}

int main(int argc, char **argv)
{
	struct rng r = { .r_s = 12345 };

	test_textbook();
	test_belady_anomaly();
	test_edges(&r);
	test_brute(&r);
	test_medium(&r);
	if (!(argc > 1 && strcmp(argv[1], "--quick") == 0))
		test_scale(&r);
	return check_done("test_oracle");
}
