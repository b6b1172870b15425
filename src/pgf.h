/*
 * pgf.h - the page file: slots of one page each, a bitmap of slots in use
 * updated with atomic operations, and the writer's stash of reserved slots.
 *
 * Locking key:  (c) constant after init   (a) atomic ops only
 *   (S) pg_stash_lock
 *   (O) the lock that guards the slot's owner: the PTE region lock of a
 *       page-file PTE, or the PFN lock of the frame whose pf_slot it is
 *
 * A slot is in use (its bit set) exactly while one thing refers to it: a
 * page-file PTE, a frame's pf_slot, or the stash.  pgf_slot_alloc() claims a
 * whole free 64-slot row with one CAS when the request is large enough,
 * else single bits; the modified writer parks what it reserved but did not
 * use in the stash and takes it first next time.
 *
 * The reverse map pg_owner[slot] names the page whose contents the slot
 * holds, as an opaque 64-bit key (the machine packs (process, vpn) into it:
 * vm_owner_key, vm_ctx.h) (the page-file PTE or the frame that refers to it), or
 * PGF_OWNER_NONE for a free or stashed slot.  Page-file defragmentation
 * (defrag.c) needs it to find the PTE to rewrite when it moves a slot.  It
 * is set by pgf_slot_set_owner() when a slot gets its owner and cleared by
 * pgf_slot_free(), under (O); the defragmenter reads it without a lock as a
 * hint and revalidates under the region lock.
 */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

#include "vm_lock.h"
#include "vm_util.h"

#define PGF_SLOT_NONE UINT64_MAX
#define PGF_STASH_MAX 128
#define PGF_OWNER_NONE UINT64_MAX

struct pgf {
	uint64_t pg_nslots;		/* (c) */
	uint64_t pg_nwords;		/* bitmap words (c) */
	_Atomic uint64_t *pg_bitmap;	/* bit set = slot in use (a) */
	_Atomic uint64_t pg_free;	/* slots not in use (a) */
	_Atomic uint64_t pg_hint;	/* bitmap word to search from (a) */
	char *pg_mem;			/* in-memory backing, or NULL (c) */
	int pg_fd;			/* file backing, or -1 (c) */
	char *pg_path;			/* the file's name, or NULL (c) */
	int pg_created;			/* pgf_init() created the file (c) */
	lk_t pg_stash_lock;
	uint64_t pg_stash[PGF_STASH_MAX];	/* (S) */
	_Atomic int pg_nstash;			/* written under (S); read without */
	int pg_rows_enabled;		/* whole-row claims on (c) */
	int pg_stash_enabled;		/* stash on (c) */
	uint64_t pg_mem_available;	/* tests: the host's memory as seen (c) */
	_Atomic uint64_t *pg_owner;	/* slot -> owner key, or PGF_OWNER_NONE (O), see above */
	vm_counter_t pg_row_claims;	/* whole rows claimed by one CAS */
	vm_counter_t pg_bit_claims;	/* single slots claimed */
	vm_counter_t pg_scan_words;	/* bitmap words examined */
	/* fault injection (vm_inject_io; tests/inject) */
	_Atomic int pg_fail_writes;	/* next N writes fail; < 0: all do (a) */
	_Atomic int pg_fail_reads;	/* next N reads fail; < 0: all do (a) */
};

/* How pgf_init() sets a page file up. */
struct pgf_params {
	uint64_t pp_nslots;
	const char *pp_path;		/* NULL: in memory */
	int pp_rows, pp_stash;		/* whole-row claims, the stash (vm_tunables) */
	uint64_t pp_mem_available;	/* nonzero: the host's available memory as the
					 * in-memory reservation sees it (tests) */
};

/* "pgf.c" */
int pgf_init(struct pgf *pg, const struct pgf_params *pp, char *err, size_t errlen);
void pgf_destroy(struct pgf *pg);
void pgf_unlink_created(struct pgf *pg);
uint64_t pgf_host_available(void);
int pgf_slot_alloc(struct pgf *pg, int want, uint64_t *out);
void pgf_slot_free(struct pgf *pg, uint64_t slot);
void pgf_stash_put(struct pgf *pg, const uint64_t *slots, int n);
bool pgf_slot_in_use(const struct pgf *pg, uint64_t slot);
bool pgf_slot_claim(struct pgf *pg, uint64_t slot);
void pgf_slot_set_owner(struct pgf *pg, uint64_t slot, uint64_t key);
uint64_t pgf_slot_owner(const struct pgf *pg, uint64_t slot);
int pgf_row_used(const struct pgf *pg, uint64_t row);
uint64_t pgf_free_rows(const struct pgf *pg);
int pgf_write(struct pgf *pg, uint64_t slot, const void *src);
int pgf_read(struct pgf *pg, uint64_t slot, void *dst);

static inline uint64_t pgf_free_count(struct pgf *pg)
{
	return atomic_load_explicit(&pg->pg_free, memory_order_relaxed);
}

/* Slots the modified writer can use now: free, or reserved in its stash. */
static inline uint64_t pgf_writable_count(struct pgf *pg)
{
	return pgf_free_count(pg) + (uint64_t)atomic_load_explicit(&pg->pg_nstash, memory_order_relaxed);
}
