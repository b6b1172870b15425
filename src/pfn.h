/*
 * pfn.h - the PFN database (one struct pfn per frame), the page lists, and
 * frame allocation: pfn.c, plist.c and pfnalloc.c, in layer 1 (vm_ctx.h).
 *
 * Locking key:  (c) constant after init   (a) atomic ops only
 *   (P) this entry's PFN lock   (L) the lock of the list the page is on,
 *       exclusive; or shared plus the PFN locks of the page and both its
 *       neighbours (a middle unlink, see vm_lock.h)
 *   (T) the PTE region lock of the page's owner
 *   (W) the working-set lock (ps_ws_lock) of the process whose working-set
 *       list the frame is on (wsl.c)
 *   Two keys, e.g. (T,P): both to write, either one to read.
 *
 * Page states (pf_state) and their lists (Windows Internals, ch. 5):
 *
 * A frame's owner is a (process, page): pf_proc and pf_vpn.  A repurpose
 * rewrites the owner's PTE in that process, whichever process the
 * repurposer belongs to (vm_lock.h, "A transition PTE is trusted only
 * under the PFN lock").
 *
 *   ZEROED    on the zeroed list: all-zero, no owner
 *   FREE      on the free list: no owner, old bytes (zeroed before reuse)
 *   STANDBY   on the standby list of its priority (pf_priority; eight
 *             lists): owner's PTE is transition; the page-file slot
 *             pf_slot holds the same bytes
 *   MODIFIED  on the modified list, or off every list while the modified
 *             page writer writes it (PFN_F_WRITING); owner's PTE transition
 *   ACTIVE    mapped: owner's PTE valid
 *
 * A frame is taken off its list with its PFN lock held and is then on no
 * list until pfn_set_state() gives it a new state and plist_insert_tail()
 * links it again; no other thread can find it in between.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "vm_lock.h"
#include "vm_util.h"

struct vm;

enum pfn_state {
	PFN_STATE_ZEROED,
	PFN_STATE_FREE,
	PFN_STATE_STANDBY,
	PFN_STATE_MODIFIED,
	PFN_STATE_ACTIVE,
	PFN_NSTATES
};

/* The lists are indexed by the state they hold. */
#define PLIST_N (PFN_STATE_MODIFIED + 1)

#define PFN_NONE UINT32_MAX
#define PFN_VPN_NONE UINT32_MAX	/* a vpn fits in 32 bits: at most 1T of region */

/* pf_flags */
#define PFN_F_WRITING 0x01	/* the modified writer is copying it to pf_slot */

struct pfn {
	uint32_t pf_flink;	/* next on the list, or PFN_NONE (L) */
	uint32_t pf_blink;	/* previous on the list, or PFN_NONE (L) */
	uint32_t pf_vpn;	/* owner's virtual page, or PFN_VPN_NONE (P) */
	uint16_t pf_proc;	/* owner's process (vm_procs index), meaningful while
				 * pf_vpn is; kept after a repurpose: the last owner (P) */
	uint64_t pf_slot;	/* page-file slot with a copy of this frame (P) */
	lk_t pf_lock;
	uint8_t pf_state;	/* enum pfn_state (P) */
	uint8_t pf_flags;	/* PFN_F_* (P) */
	uint8_t pf_onlist;	/* linked on the list pf_state names (P,L) */
	/* memory priority (plist.c): while STANDBY, which of the eight
	 * standby lists it is on, its owner's priority when it became standby
	 * (pfn_set_state); written only while on no list (P) */
	uint8_t pf_priority;
	/* vm_lock_pages() references (MmProbeAndLockPages' reference count):
	 * nonzero only while ACTIVE, and then never trimmed.  (T,P); the
	 * trimmer's freeze also reads it with neither, see vm_lock.h. */
	_Atomic uint32_t pf_lockcnt;
	/* when it last became ACTIVE or was last passed by its working-set
	 * list's hand, from vm_mapseq: the list is ordered by it, and the
	 * working-set manager compares processes by their heads' (wsm.c); 0
	 * while not active.  Written under (P) or (W); read without. */
	_Atomic uint64_t pf_mapseq;
	/* the working-set list of the owner (wsl.c): linked there exactly
	 * while ACTIVE, in the order pages became valid */
	uint32_t pf_wsnext;	/* toward the tail (newest), or PFN_NONE (W) */
	uint32_t pf_wsprev;	/* toward the head (oldest), or PFN_NONE (W) */
	/* owner's process index + 1 while on its working-set list, else 0;
	 * written under (W,P), read (a) */
	_Atomic uint16_t pf_wsproc;
};

struct plist {
	lk_t pl_lock;
	uint32_t pl_head;		/* (L) */
	uint32_t pl_tail;		/* (L) */
	_Atomic uint64_t pl_count;	/* written under (L); read without */
	uint8_t pl_state;		/* the pfn_state it holds (c) */
	uint32_t pl_bit;		/* a standby list's bit in vm_standby_mask, else 0 (c) */
} __attribute__((aligned(64)));

static inline uint32_t pfn_lockcnt(const struct pfn *pf)
{
	return atomic_load_explicit(&pf->pf_lockcnt, memory_order_seq_cst);
}

/* "pfn.c" */
void pfn_set_state(struct vm *vm, struct pfn *pf, enum pfn_state from, enum pfn_state to);
bool pfn_transition_legal(enum pfn_state from, enum pfn_state to);
const char *pfn_state_name(enum pfn_state s);
void pfn_dump(struct vm *vm, const struct pfn *pf, const char *why);

/* "pfnalloc.c" */
struct pfn *pfn_alloc(struct vm *vm, bool want_zeroed, enum pfn_state *from);
void pfn_unalloc(struct vm *vm, struct pfn *pf);
void pfn_alloc_kick(struct vm *vm);
void pfn_repurpose_locked(struct vm *vm, struct pfn *pf);
void pfn_free_standby(struct vm *vm, struct pfn *pf);
void pfn_free_owned(struct vm *vm, struct pfn *pf);

/* "plist.c" */
void plist_init(struct plist *pl, enum pfn_state state);
void plist_init_standby(struct vm *vm, int prio);
void plist_insert_tail(struct vm *vm, struct pfn *pf);
void plist_remove(struct vm *vm, struct pfn *pf);
struct pfn *plist_take_head(struct vm *vm, enum pfn_state state);
uint64_t plist_standby_count(struct vm *vm, int prio);

static inline uint64_t plist_count(const struct plist *pl)
{
	return atomic_load_explicit(&pl->pl_count, memory_order_relaxed);
}
