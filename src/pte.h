/*
 * pte.h - software PTEs: one 64-bit word per virtual page, in one of five
 * formats.  The PTE is the VMM's record; the kernel's page table only says
 * whether the page is present (mapped by UFFDIO_COPY) or not.
 *
 *   DZ       demand zero: never touched (the zero PTE)
 *   VALID    mapped; frame in bits 12+, plus the accessed bit (set by the
 *            access routine, standing in for the MMU), a 3-bit age (trimmer),
 *            and TRIMMING while the trimmer captures the page
 *   TRANS    transition: not mapped, frame on the standby or modified list
 *            (or being written); trusted only under that frame's PFN lock
 *   PGF      page file: contents only in page-file slot (bits 12+)
 *   INPAGE   in flight from its (freed) slot to a new frame in a faulting
 *            thread's bounce buffer (only when the page file is full)
 *
 * PTE_F_READONLY is the page's protection and survives every format.
 * PTE_PREFETCHED marks a valid page a hard fault read ahead (--prefetch);
 * the trimmer clears it when it sees the page touched (used) or trims it
 * untouched (wasted), so each prefetched page is counted once.
 *
 * PTE_REGION_SHIFT: one lock covers a region of 64 PTEs (vm_pte_lock()).
 *
 * Each process (struct vm_process) has its own PTEs and region locks.
 *
 * Only pte.c builds or changes a PTE: the writers below, and the trimmer's
 * aging and marking (pte_age_reset, pte_age_inc, pte_trimming_set); the
 * rest of vmsim reads PTEs through the inline accessors.
 *
 * Locking: a PTE is written only by the pte_write_*() functions, with its
 * region lock held (T), except (1) PTE_ACCESSED, set by pte_mark_accessed()
 * with a CAS and no lock, as hardware would, and (2) the repurpose of a
 * standby frame, which rewrites the old owner's transition PTE to page-file
 * format under that frame's PFN lock only (see vm_lock.h); the frame's owner
 * may be another process than the repurposer's.
 */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm_debug.h"

typedef uint64_t pte_t;

enum pte_fmt {
	PTE_FMT_DZ = 0,
	PTE_FMT_VALID = 1,
	PTE_FMT_TRANS = 2,
	PTE_FMT_PGF = 3,
	PTE_FMT_INPAGE = 4,
};

#define PTE_FMT_MASK 0x7ULL
#define PTE_ACCESSED 0x8ULL		/* VALID: touched since the last aging pass */
#define PTE_TRIMMING 0x10ULL		/* VALID: the trimmer is capturing it */
#define PTE_AGE_SHIFT 5
#define PTE_AGE_MASK (0x7ULL << PTE_AGE_SHIFT)	/* VALID: aging passes untouched */
#define PTE_AGE_MAX 7
#define PTE_F_READONLY 0x100ULL		/* any format: writes are access violations */
#define PTE_PREFETCHED 0x200ULL		/* VALID: read ahead, not yet seen touched */
#define PTE_PAYLOAD_SHIFT 12		/* frame, slot or bounce index */
#define PTE_REGION_SHIFT 6		/* 64 PTEs (256 KiB of region) per lock */

static inline enum pte_fmt pte_format(pte_t p)
{
	return (enum pte_fmt)(p & PTE_FMT_MASK);
}

static inline uint64_t pte_payload(pte_t p)
{
	return p >> PTE_PAYLOAD_SHIFT;
}

static inline unsigned pte_age(pte_t p)
{
	return (unsigned)((p & PTE_AGE_MASK) >> PTE_AGE_SHIFT);
}

static inline bool pte_is_valid(pte_t p)
{
	return pte_format(p) == PTE_FMT_VALID;
}

/* VALID and in a trim batch: a fault on it waits for the batch. */
static inline bool pte_is_trimming(pte_t p)
{
	return (p & PTE_TRIMMING) != 0;
}

/* VALID, and not in a trim batch: a candidate, or lockable. */
static inline bool pte_is_settled(pte_t p)
{
	return pte_is_valid(p) && !pte_is_trimming(p);
}

static inline bool pte_is_accessed(pte_t p)
{
	return (p & PTE_ACCESSED) != 0;
}

static inline bool pte_is_readonly(pte_t p)
{
	return (p & PTE_F_READONLY) != 0;
}

static inline bool pte_is_prefetched(pte_t p)
{
	return (p & PTE_PREFETCHED) != 0;
}

static inline pte_t pte_make(enum pte_fmt fmt, uint64_t payload, pte_t flags)
{
	return (payload << PTE_PAYLOAD_SHIFT) | flags | (pte_t)fmt;
}

struct vm_process;

/* "pte.c": every function takes the process whose PTE it is */
const char *pte_format_name(enum pte_fmt f);
pte_t pte_read(struct vm_process *p, uint64_t vpn);
void pte_write_valid(struct vm_process *p, uint64_t vpn, uint32_t frame);
void pte_write_valid_prefetched(struct vm_process *p, uint64_t vpn, uint32_t frame);
void pte_write_transition(struct vm_process *p, uint64_t vpn, uint32_t frame);
void pte_write_pagefile(struct vm_process *p, uint64_t vpn, uint64_t slot);
void pte_write_pagefile_move(struct vm_process *p, uint64_t vpn, uint64_t from, uint64_t to);
void pte_write_inpage(struct vm_process *p, uint64_t vpn, unsigned bounce);
void pte_write_demand_zero(struct vm_process *p, uint64_t vpn);
void pte_repurpose(struct vm_process *p, uint64_t vpn, uint32_t frame, uint64_t slot);
bool pte_cas(struct vm_process *p, uint64_t vpn, pte_t old, pte_t new);
bool pte_age_reset(struct vm_process *p, uint64_t vpn, pte_t old);
void pte_age_inc(struct vm_process *p, uint64_t vpn, pte_t old);
bool pte_trimming_set(struct vm_process *p, uint64_t vpn, pte_t old);
void pte_mark_accessed(struct vm_process *p, uint64_t vpn);
bool pte_run_continues(struct vm_process *p, uint64_t vpn);
void pte_set_readonly(struct vm_process *p, uint64_t vpn);
