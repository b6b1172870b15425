/*
 * oracle.c - offline fault counts of LRU, FIFO and Belady's OPT.
 *
 * Each count first compacts the (possibly sparse, up to 2^64) vpns of the
 * reference string into dense ids 0..distinct-1 with an open-addressing hash
 * map, then simulates over plain arrays indexed by id:
 *
 *  - LRU:  a doubly linked recency list threaded through prev/next arrays.
 *  - FIFO: a ring of resident ids in load order.
 *  - OPT:  a backward pass gives each reference the index of the next
 *          reference to the same page; resident pages sit in an indexed
 *          max-heap keyed by that next use, and a fault evicts the root.
 *
 * Ids and reference indices are uint32_t, so n must be below 2^32 - 1.
 */
#include "oracle.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* "No such id / never used again / not in the heap". */
#define ORACLE_NIL	UINT32_MAX

/* Initial size of the vpn hash map (a power of two). */
#define ORACLE_MAP_INIT	1024

/* One hash map slot: a vpn and its dense id, or os_id == ORACLE_NIL if free. */
struct oracle_slot {
	uint64_t os_vpn;
	uint32_t os_id;
};

/* vpn -> dense id hash map, linear probing, at most half full. */
struct oracle_map {
	struct oracle_slot *om_slots;
	size_t              om_mask;	/* capacity - 1 */
	size_t              om_n;	/* ids handed out */
};

/* A resident page in the OPT heap: its id and the index of its next use. */
struct oracle_heap_ent {
	uint32_t oh_next;
	uint32_t oh_id;
};

/* Indexed max-heap on oh_next; ho_pos[id] is the id's slot or ORACLE_NIL. */
struct oracle_heap {
	struct oracle_heap_ent *ho_ents;
	uint32_t               *ho_pos;
	size_t                  ho_n;
};

/* Mix a vpn's bits (splitmix64 finalizer) so sequential vpns spread out. */
static inline uint64_t oracle_vpn_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Allocate an empty map of cap (a power of two) slots. Returns 0 or -1. */
static int oracle_map_init(struct oracle_map *m, size_t cap)
{
	m->om_slots = malloc(cap * sizeof(*m->om_slots));
	if (m->om_slots == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++)
		m->om_slots[i].os_id = ORACLE_NIL;
	m->om_mask = cap - 1;
	m->om_n = 0;
	return 0;
}

/* The slot holding vpn, or the free slot where it belongs. */
static struct oracle_slot *oracle_map_slot(const struct oracle_map *m,
					   uint64_t vpn)
{
	size_t i = oracle_vpn_hash(vpn) & m->om_mask;

	for (;;) {
		struct oracle_slot *s = &m->om_slots[i];

		if (s->os_id == ORACLE_NIL || s->os_vpn == vpn)
			return s;
		i = (i + 1) & m->om_mask;
	}
}

/* Double the map's capacity, rehashing every entry. Returns 0 or -1. */
static int oracle_map_grow(struct oracle_map *m)
{
	struct oracle_map old = *m;
	size_t oldcap = old.om_mask + 1;

	if (oldcap > SIZE_MAX / 2 / sizeof(*m->om_slots))
		return -1;
	if (oracle_map_init(m, oldcap * 2) != 0) {
		*m = old;
		return -1;
	}
	m->om_n = old.om_n;
	for (size_t i = 0; i < oldcap; i++)
		if (old.om_slots[i].os_id != ORACLE_NIL)
			*oracle_map_slot(m, old.om_slots[i].os_vpn) = old.om_slots[i];
	free(old.om_slots);
	return 0;
}

/* Dense id of vpn, handing out the next one if new. ORACLE_NIL on ENOMEM. */
static uint32_t oracle_map_id(struct oracle_map *m, uint64_t vpn)
{
	struct oracle_slot *s = oracle_map_slot(m, vpn);

	if (s->os_id != ORACLE_NIL)
		return s->os_id;
	if ((m->om_n + 1) * 2 > m->om_mask + 1) {
		if (oracle_map_grow(m) != 0)
			return ORACLE_NIL;
		s = oracle_map_slot(m, vpn);
	}
	s->os_vpn = vpn;
	s->os_id = (uint32_t)m->om_n++;
	return s->os_id;
}

/*
 * Compact the reference string's vpns to dense ids, first seen first.
 * Returns a malloc'd array of n ids and sets *ndistinct, or NULL on failure.
 */
static uint32_t *oracle_ids_make(const struct trace_ref *refs, size_t n,
				 size_t *ndistinct)
{
	struct oracle_map m;
	uint32_t *ids;

	if (n >= ORACLE_NIL)
		return NULL;
	ids = malloc((n ? n : 1) * sizeof(*ids));
	if (ids == NULL || oracle_map_init(&m, ORACLE_MAP_INIT) != 0) {
		free(ids);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = oracle_map_id(&m, refs[i].tr_vpn);
		if (ids[i] == ORACLE_NIL) {
			free(ids);
			ids = NULL;
			break;
		}
	}
	*ndistinct = m.om_n;
	free(m.om_slots);
	return ids;
}

/*
 * Handle the cases every policy agrees on. Returns true with *faults set if
 * the string needs no simulation: no frames (every reference faults), or as
 * many frames as distinct pages (only cold misses).
 */
static bool oracle_trivial(size_t n, size_t frames, size_t ndistinct,
			   uint64_t *faults)
{
	if (frames == 0) {
		*faults = n;
		return true;
	}
	if (frames >= ndistinct) {
		*faults = ndistinct;
		return true;
	}
	return false;
}

/* LRU list: unlink id from the doubly linked list (head/tail in ends[0..1]). */
static void oracle_lru_unlink(uint32_t *prev, uint32_t *next, uint32_t *ends,
			      uint32_t id)
{
	if (prev[id] != ORACLE_NIL)
		next[prev[id]] = next[id];
	else
		ends[0] = next[id];
	if (next[id] != ORACLE_NIL)
		prev[next[id]] = prev[id];
	else
		ends[1] = prev[id];
}

/* LRU list: push id at the head (most recently used). */
static void oracle_lru_push(uint32_t *prev, uint32_t *next, uint32_t *ends,
			    uint32_t id)
{
	prev[id] = ORACLE_NIL;
	next[id] = ends[0];
	if (ends[0] != ORACLE_NIL)
		prev[ends[0]] = id;
	else
		ends[1] = id;
	ends[0] = id;
}

/* Simulate LRU over dense ids. Returns the faults or ORACLE_ERROR. */
static uint64_t oracle_lru_run(const uint32_t *ids, size_t n, size_t frames,
			       size_t ndistinct)
{
	uint32_t *prev = malloc(ndistinct * sizeof(*prev));
	uint32_t *next = malloc(ndistinct * sizeof(*next));
	uint8_t *resident = calloc(ndistinct, 1);
	uint32_t ends[2] = { ORACLE_NIL, ORACLE_NIL };	/* head (MRU), tail (LRU) */
	uint64_t faults = 0;
	size_t nres = 0;

	if (prev == NULL || next == NULL || resident == NULL) {
		faults = ORACLE_ERROR;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t id = ids[i];

		if (resident[id]) {
			oracle_lru_unlink(prev, next, ends, id);
		} else {
			faults++;
			if (nres == frames) {
				uint32_t victim = ends[1];

				oracle_lru_unlink(prev, next, ends, victim);
				resident[victim] = 0;
			} else {
				nres++;
			}
			resident[id] = 1;
		}
		oracle_lru_push(prev, next, ends, id);
	}
out:
	free(prev);
	free(next);
	free(resident);
	return faults;
}

/* Simulate FIFO over dense ids. Returns the faults or ORACLE_ERROR. */
static uint64_t oracle_fifo_run(const uint32_t *ids, size_t n, size_t frames,
				size_t ndistinct)
{
	uint32_t *ring = malloc(frames * sizeof(*ring));
	uint8_t *resident = calloc(ndistinct, 1);
	size_t head = 0, nres = 0;
	uint64_t faults = 0;

	if (ring == NULL || resident == NULL) {
		faults = ORACLE_ERROR;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t id = ids[i];

		if (resident[id])
			continue;
		faults++;
		if (nres == frames) {
			resident[ring[head]] = 0;
			ring[head] = id;
			head = (head + 1) % frames;
		} else {
			ring[nres++] = id;
		}
		resident[id] = 1;
	}
out:
	free(ring);
	free(resident);
	return faults;
}

/* OPT heap: store e at slot i and record its position. */
static inline void oracle_heap_put(struct oracle_heap *h, size_t i,
				   struct oracle_heap_ent e)
{
	h->ho_ents[i] = e;
	h->ho_pos[e.oh_id] = (uint32_t)i;
}

/* OPT heap: move the entry at slot i up while it is later than its parent. */
static void oracle_heap_up(struct oracle_heap *h, size_t i)
{
	struct oracle_heap_ent e = h->ho_ents[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->ho_ents[parent].oh_next >= e.oh_next)
			break;
		oracle_heap_put(h, i, h->ho_ents[parent]);
		i = parent;
	}
	oracle_heap_put(h, i, e);
}

/* OPT heap: move the entry at slot i down while a child is later. */
static void oracle_heap_down(struct oracle_heap *h, size_t i)
{
	struct oracle_heap_ent e = h->ho_ents[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->ho_n)
			break;
		if (child + 1 < h->ho_n &&
		    h->ho_ents[child + 1].oh_next > h->ho_ents[child].oh_next)
			child++;
		if (h->ho_ents[child].oh_next <= e.oh_next)
			break;
		oracle_heap_put(h, i, h->ho_ents[child]);
		i = child;
	}
	oracle_heap_put(h, i, e);
}

/*
 * For each reference, the index of the next reference to the same page, or
 * ORACLE_NIL if none. last[] (ndistinct entries) is scratch.
 */
static void oracle_next_fill(const uint32_t *ids, size_t n, uint32_t *next,
			     uint32_t *last, size_t ndistinct)
{
	for (size_t id = 0; id < ndistinct; id++)
		last[id] = ORACLE_NIL;
	for (size_t i = n; i-- > 0;) {
		next[i] = last[ids[i]];
		last[ids[i]] = (uint32_t)i;
	}
}

/* Reference i to page id, next used at nextuse: hit, or fault and evict. */
static bool oracle_opt_step(struct oracle_heap *h, size_t frames, uint32_t id,
			    uint32_t nextuse)
{
	struct oracle_heap_ent e = { .oh_next = nextuse, .oh_id = id };
	uint32_t pos = h->ho_pos[id];

	if (pos != ORACLE_NIL) {
		/* Its key was this very reference; the new one is later. */
		h->ho_ents[pos].oh_next = nextuse;
		oracle_heap_up(h, pos);
		return false;
	}
	if (h->ho_n < frames) {
		oracle_heap_put(h, h->ho_n++, e);
		oracle_heap_up(h, h->ho_n - 1);
	} else {
		h->ho_pos[h->ho_ents[0].oh_id] = ORACLE_NIL;
		oracle_heap_put(h, 0, e);
		oracle_heap_down(h, 0);
	}
	return true;
}

/* Simulate Belady's MIN over dense ids. Returns the faults or ORACLE_ERROR. */
static uint64_t oracle_opt_run(const uint32_t *ids, size_t n, size_t frames,
			       size_t ndistinct)
{
	uint32_t *next = malloc(n * sizeof(*next));
	struct oracle_heap h = {
		.ho_ents = malloc(frames * sizeof(*h.ho_ents)),
		.ho_pos = malloc(ndistinct * sizeof(*h.ho_pos)),
		.ho_n = 0,
	};
	uint64_t faults = 0;

	if (next == NULL || h.ho_ents == NULL || h.ho_pos == NULL) {
		faults = ORACLE_ERROR;
		goto out;
	}
	oracle_next_fill(ids, n, next, h.ho_pos, ndistinct);
	/* The backward pass left ho_pos[id] = first use; reset to "not in". */
	memset(h.ho_pos, 0xff, ndistinct * sizeof(*h.ho_pos));
	for (size_t i = 0; i < n; i++)
		faults += oracle_opt_step(&h, frames, ids[i], next[i]);
out:
	free(next);
	free(h.ho_ents);
	free(h.ho_pos);
	return faults;
}

typedef uint64_t oracle_run_fn(const uint32_t *ids, size_t n, size_t frames, size_t ndistinct);

/* Compact the page numbers to dense ids, then run one policy over them. */
static uint64_t oracle_count(const struct trace_ref *refs, size_t n, size_t frames,
    oracle_run_fn *run)
{
	size_t ndistinct;
	uint32_t *ids = oracle_ids_make(refs, n, &ndistinct);
	uint64_t faults;

	if (ids == NULL)
		return ORACLE_ERROR;
	if (!oracle_trivial(n, frames, ndistinct, &faults))
		faults = run(ids, n, frames, ndistinct);
	free(ids);
	return faults;
}

uint64_t oracle_lru_faults(const struct trace_ref *refs, size_t n, size_t frames)
{
	return oracle_count(refs, n, frames, oracle_lru_run);
}

uint64_t oracle_fifo_faults(const struct trace_ref *refs, size_t n, size_t frames)
{
	return oracle_count(refs, n, frames, oracle_fifo_run);
}

uint64_t oracle_opt_faults(const struct trace_ref *refs, size_t n, size_t frames)
{
	return oracle_count(refs, n, frames, oracle_opt_run);
}
