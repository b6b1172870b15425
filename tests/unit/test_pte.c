/*
 * test_pte.c - unit tests of the PTE formats: encode and decode with the
 * largest frame and slot payloads; PTE_F_READONLY through every writer;
 * the accessed bit; pte_cas losing to a concurrent change; repurpose; and
 * the writers' asserts on the formats they may change from.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vmtest.h"

#define VP (vm.vm_default)	/* the vm's default process: its PTEs */

#define NFRAMES 16
#define NPAGES 128		/* 512K of region: two PTE regions */
#define NSLOTS 128

#define MAX_PAYLOAD ((1ULL << (64 - PTE_PAYLOAD_SHIFT)) - 1)
#define MAX_FRAME (PFN_NONE - 1)

static struct vm vm;

static void lock_pte(uint64_t vpn)
{
	lk_acquire(vm_pte_lock(VP, vpn));
}

static void unlock_pte(uint64_t vpn)
{
	lk_release(vm_pte_lock(VP, vpn));
}

static void lock_pfn(uint32_t f)
{
	lk_acquire(&vm.vm_pfns[f].pf_lock);
}

static void unlock_pfn(uint32_t f)
{
	lk_release(&vm.vm_pfns[f].pf_lock);
}

/* Set TRIMMING on a valid PTE, as the trimmer does before pte_write_transition. */
static bool set_trimming(uint64_t vpn)
{
	pte_t p = pte_read(VP, vpn);

	return pte_cas(VP, vpn, p, p | PTE_TRIMMING);
}

static void test_encode(void)
{
	static const enum pte_fmt fmts[] = {
		PTE_FMT_DZ, PTE_FMT_VALID, PTE_FMT_TRANS, PTE_FMT_PGF, PTE_FMT_INPAGE,
	};
	static const uint64_t payloads[] = {
		0, 1, 0xabcdef, MAX_FRAME, (uint64_t)MAX_FRAME + 1, MAX_PAYLOAD - 1, MAX_PAYLOAD,
	};
	static const pte_t flags[] = {
		0, PTE_ACCESSED, PTE_TRIMMING, PTE_F_READONLY, PTE_AGE_MASK,
		PTE_ACCESSED | PTE_TRIMMING | PTE_AGE_MASK | PTE_F_READONLY,
	};
	bool ok = true;

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		for (size_t j = 0; j < sizeof(payloads) / sizeof(payloads[0]); j++)
			for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
				pte_t p = pte_make(fmts[i], payloads[j], flags[k]);
				ok &= pte_format(p) == fmts[i];
				ok &= pte_payload(p) == payloads[j];
				ok &= (p & ((1ULL << PTE_PAYLOAD_SHIFT) - 1) & ~PTE_FMT_MASK) == flags[k];
				ok &= pte_age(p) == (flags[k] & PTE_AGE_MASK) >> PTE_AGE_SHIFT;
			}
	CHECK("encode: format, payload and flags round trip", ok);

	ok = true;
	for (unsigned a = 0; a <= PTE_AGE_MAX; a++) {
		pte_t p = pte_make(PTE_FMT_VALID, MAX_FRAME, (pte_t)a << PTE_AGE_SHIFT | PTE_ACCESSED);
		ok &= pte_age(p) == a && pte_payload(p) == MAX_FRAME && (p & PTE_ACCESSED);
	}
	CHECK("encode: ages 0..7", ok);
	CHECK("encode: max frame", pte_payload(pte_make(PTE_FMT_TRANS, MAX_FRAME, 0)) == 0xfffffffeULL);
	CHECK("encode: max slot", pte_payload(pte_make(PTE_FMT_PGF, MAX_PAYLOAD, PTE_F_READONLY)) ==
	    MAX_PAYLOAD);
	CHECK("encode: the zero PTE is demand zero", pte_make(PTE_FMT_DZ, 0, 0) == 0 &&
	    pte_format(0) == PTE_FMT_DZ);
	CHECK("encode: flag bits disjoint and below the payload",
	    ((PTE_FMT_MASK | PTE_ACCESSED | PTE_TRIMMING | PTE_AGE_MASK | PTE_F_READONLY) >>
	    PTE_PAYLOAD_SHIFT) == 0 &&
	    (PTE_FMT_MASK & PTE_ACCESSED) == 0 && (PTE_ACCESSED & PTE_TRIMMING) == 0 &&
	    ((PTE_ACCESSED | PTE_TRIMMING) & PTE_AGE_MASK) == 0 &&
	    ((PTE_FMT_MASK | PTE_ACCESSED | PTE_TRIMMING | PTE_AGE_MASK) & PTE_F_READONLY) == 0);
	CHECK("encode: the largest format fits the mask", (PTE_FMT_INPAGE & ~PTE_FMT_MASK) == 0);
	CHECK("encode: names", strcmp(pte_format_name(PTE_FMT_TRANS), "transition") == 0 &&
	    strcmp(pte_format_name(PTE_FMT_INPAGE), "in-page") == 0 &&
	    strcmp(pte_format_name((enum pte_fmt)5), "?") == 0);
}

/*
 * One PTE through every writer.  Each step must give exactly the expected
 * word: the protection kept when set, never invented when not, and the
 * VALID-only bits (accessed, age, trimming) dropped on leaving VALID.
 */
static void readonly_walk(uint64_t vpn, uint32_t f, bool ro)
{
	pte_t r = ro ? PTE_F_READONLY : 0;
	const char *tag = ro ? "readonly" : "writable";
	bool ok[10] = { false };

	if (ro)
		pte_set_readonly(VP, vpn);
	ok[0] = pte_read(VP, vpn) == r;
	lock_pte(vpn);
	pte_write_pagefile(VP, vpn, 40);
	ok[1] = pte_read(VP, vpn) == pte_make(PTE_FMT_PGF, 40, r);
	pte_write_inpage(VP, vpn, 2);
	ok[2] = pte_read(VP, vpn) == pte_make(PTE_FMT_INPAGE, 2, r);
	lock_pfn(f);
	pte_write_valid(VP, vpn, f);
	ok[3] = pte_read(VP, vpn) == pte_make(PTE_FMT_VALID, f, r | PTE_ACCESSED);
	set_trimming(vpn);
	pte_write_transition(VP, vpn, f);
	ok[4] = pte_read(VP, vpn) == pte_make(PTE_FMT_TRANS, f, r);
	pte_write_valid(VP, vpn, f);		/* soft fault */
	ok[5] = pte_read(VP, vpn) == pte_make(PTE_FMT_VALID, f, r | PTE_ACCESSED);
	ok[6] = pte_cas(VP, vpn, pte_read(VP, vpn),
	    pte_make(PTE_FMT_VALID, f, r | PTE_TRIMMING | (3ULL << PTE_AGE_SHIFT)));
	pte_write_transition(VP, vpn, f);
	ok[6] &= pte_read(VP, vpn) == pte_make(PTE_FMT_TRANS, f, r);
	pte_repurpose(VP, vpn, f, 41);
	ok[7] = pte_read(VP, vpn) == pte_make(PTE_FMT_PGF, 41, r);
	pte_write_demand_zero(VP, vpn);
	ok[8] = pte_read(VP, vpn) == r;
	pte_write_valid(VP, vpn, f);		/* demand-zero fault */
	ok[9] = pte_read(VP, vpn) == pte_make(PTE_FMT_VALID, f, r | PTE_ACCESSED);
	pte_write_demand_zero(VP, vpn);
	ok[9] &= pte_read(VP, vpn) == r;
	unlock_pfn(f);
	unlock_pte(vpn);

	static const char *const step[] = {
		"set_readonly", "pagefile", "inpage", "valid", "transition", "valid from transition",
		"age+trimming then transition", "repurpose", "demand zero", "valid from dz then dz",
	};
	for (int i = 0; i < 10; i++) {
		char name[96];
		snprintf(name, sizeof(name), "%s: %s", tag, step[i]);
		CHECK(name, ok[i]);
	}
}

static void test_readonly(void)
{
	CHECK("regions: vpn 3 and 70 have different locks",
	    vm_pte_lock(VP, 3) == &VP->ps_pte_locks[0] && vm_pte_lock(VP, 70) == &VP->ps_pte_locks[1]);
	readonly_walk(3, 5, false);
	readonly_walk(70, NFRAMES - 1, true);	/* the highest frame */
	CHECK("readonly: neighbours untouched", pte_read(VP, 2) == 0 && pte_read(VP, 4) == 0 &&
	    pte_read(VP, 69) == 0 && pte_read(VP, 71) == 0);
}

/* The MMU's accessed bit: only on VALID, idempotent, keeps everything else. */
static void test_mark_accessed(void)
{
	uint64_t vpn = 10;
	uint32_t f = 6;
	pte_t p, q;

	pte_mark_accessed(VP, vpn);
	CHECK("accessed: demand zero untouched", pte_read(VP, vpn) == 0);
	lock_pte(vpn);
	pte_write_pagefile(VP, vpn, 7);
	p = pte_read(VP, vpn);
	pte_mark_accessed(VP, vpn);
	CHECK("accessed: page file untouched", pte_read(VP, vpn) == p);
	pte_write_inpage(VP, vpn, 1);
	p = pte_read(VP, vpn);
	pte_mark_accessed(VP, vpn);
	CHECK("accessed: in-page untouched", pte_read(VP, vpn) == p);

	lock_pfn(f);
	pte_write_valid(VP, vpn, f);
	set_trimming(vpn);
	pte_write_transition(VP, vpn, f);
	p = pte_read(VP, vpn);
	pte_mark_accessed(VP, vpn);
	CHECK("accessed: transition untouched", pte_read(VP, vpn) == p && !(p & PTE_ACCESSED));

	pte_write_valid(VP, vpn, f);
	p = pte_read(VP, vpn);
	q = pte_make(PTE_FMT_VALID, f, 4ULL << PTE_AGE_SHIFT);
	CHECK("accessed: clear it by cas", pte_cas(VP, vpn, p, q));
	pte_mark_accessed(VP, vpn);
	p = pte_read(VP, vpn);
	CHECK("accessed: sets the bit on valid", p == (q | PTE_ACCESSED));
	CHECK("accessed: keeps frame and age", pte_payload(p) == f && pte_age(p) == 4);
	pte_mark_accessed(VP, vpn);
	CHECK("accessed: idempotent", pte_read(VP, vpn) == p);

	/* with TRIMMING and the oldest age */
	q = pte_make(PTE_FMT_VALID, f, PTE_TRIMMING | (7ULL << PTE_AGE_SHIFT));
	CHECK("accessed: cas to trimming", pte_cas(VP, vpn, p, q));
	pte_mark_accessed(VP, vpn);
	CHECK("accessed: keeps trimming", pte_read(VP, vpn) == (q | PTE_ACCESSED));
	pte_write_transition(VP, vpn, f);
	unlock_pfn(f);
	unlock_pte(vpn);
}

static void test_cas(void)
{
	uint64_t vpn = 20;
	uint32_t f = 7;
	pte_t p, q, stale;

	lock_pte(vpn);
	lock_pfn(f);
	pte_write_valid(VP, vpn, f);
	p = pte_read(VP, vpn);
	q = p | (2ULL << PTE_AGE_SHIFT);
	CHECK("cas: succeeds on the current value", pte_cas(VP, vpn, p, q));
	CHECK("cas: stored the new value", pte_read(VP, vpn) == q);
	CHECK("cas: fails on a stale value", !pte_cas(VP, vpn, p, p | (3ULL << PTE_AGE_SHIFT)));
	CHECK("cas: failure leaves it alone", pte_read(VP, vpn) == q);

	/* The race pte_cas exists for: the accessed bit set without a lock
	 * between the trimmer's read and its write. */
	CHECK("cas: clear accessed", pte_cas(VP, vpn, q, q & ~PTE_ACCESSED));
	stale = pte_read(VP, vpn);
	pte_mark_accessed(VP, vpn);
	CHECK("cas: loses to the accessed bit", !pte_cas(VP, vpn, stale, stale | PTE_TRIMMING));
	CHECK("cas: accessed kept, no trimming", (pte_read(VP, vpn) & PTE_ACCESSED) &&
	    !(pte_read(VP, vpn) & PTE_TRIMMING));
	CHECK("cas: retry with a fresh read wins", set_trimming(vpn));
	pte_write_transition(VP, vpn, f);
	unlock_pfn(f);
	unlock_pte(vpn);
}

/* The trimmer's aging and marking, which only pte.c does: one sweep older,
 * young again, into a batch, each losing to a concurrent change; and the
 * "continues a run" rule the prefetcher and the trim hints share. */
static void test_aging(void)
{
	uint64_t vpn = 90, slot = 9;
	uint32_t f = 11;
	pte_t p, stale;

	lock_pte(vpn);
	lock_pfn(f);
	pte_write_pagefile(VP, vpn, slot);
	pte_write_valid_prefetched(VP, vpn, f);
	p = pte_read(VP, vpn);
	CHECK("aging: read ahead, not yet accessed", pte_is_valid(p) && pte_is_prefetched(p) &&
	    !pte_is_accessed(p) && pte_age(p) == 0 && pte_payload(p) == f);
	pte_age_inc(VP, vpn, p);
	stale = p;
	p = pte_read(VP, vpn);
	pte_age_inc(VP, vpn, p);
	pte_age_inc(VP, vpn, stale);	/* lost: the PTE moved on */
	p = pte_read(VP, vpn);
	CHECK("aging: two sweeps older, the stale third lost", pte_age(p) == 2 &&
	    pte_payload(p) == f && pte_is_prefetched(p) && !pte_is_accessed(p));
	pte_mark_accessed(VP, vpn);
	CHECK("aging: reset loses to the accessed bit", !pte_age_reset(VP, vpn, p));
	p = pte_read(VP, vpn);
	CHECK("aging: touched, young again", pte_age_reset(VP, vpn, p) &&
	    pte_read(VP, vpn) == pte_make(PTE_FMT_VALID, f, 0));
	p = pte_read(VP, vpn);
	CHECK("aging: marked for a batch", pte_is_settled(p) && pte_trimming_set(VP, vpn, p) &&
	    pte_is_trimming(pte_read(VP, vpn)) && !pte_is_settled(pte_read(VP, vpn)));
	pte_write_transition(VP, vpn, f);
	unlock_pfn(f);
	unlock_pte(vpn);

	CHECK("run: page 0 continues nothing", !pte_run_continues(VP, 0));
	CHECK("run: after a transition page, none", !pte_run_continues(VP, vpn + 1));
	lock_pte(vpn);
	lock_pfn(f);
	pte_write_valid(VP, vpn, f);		/* a new mapping counts as accessed */
	CHECK("run: after a valid, accessed page", pte_run_continues(VP, vpn + 1));
	p = pte_read(VP, vpn);
	pte_age_reset(VP, vpn, p);
	CHECK("run: not after an untouched one", !pte_run_continues(VP, vpn + 1));
	CHECK("run: nor before it", !pte_run_continues(VP, vpn));
	set_trimming(vpn);
	pte_write_transition(VP, vpn, f);
	unlock_pfn(f);
	unlock_pte(vpn);
}

/* Repurpose: transition -> page file under the PFN lock alone. */
static void test_repurpose(void)
{
	uint64_t vpn = 30;
	uint32_t f = 8;

	lock_pte(vpn);
	lock_pfn(f);
	pte_write_valid(VP, vpn, f);
	set_trimming(vpn);
	pte_write_transition(VP, vpn, f);
	unlock_pfn(f);
	unlock_pte(vpn);

	lock_pfn(f);
	pte_repurpose(VP, vpn, f, NSLOTS - 1);
	unlock_pfn(f);
	CHECK("repurpose: page file naming the slot",
	    pte_read(VP, vpn) == pte_make(PTE_FMT_PGF, NSLOTS - 1, 0));
}

struct pte_arg {
	uint64_t vpn;
	uint32_t frame;
};

/* Child: make arg->vpn transition naming frame 9, then repurpose arg->frame. */
static void child_repurpose_other(void *arg)
{
	struct pte_arg *a = arg;

	lock_pte(a->vpn);
	lock_pfn(9);
	pte_write_valid(VP, a->vpn, 9);
	set_trimming(a->vpn);
	pte_write_transition(VP, a->vpn, 9);
	unlock_pfn(9);
	unlock_pte(a->vpn);
	lock_pfn(a->frame);
	pte_repurpose(VP, a->vpn, a->frame, 3);
}

/* Child: repurpose a VALID PTE. */
static void child_repurpose_valid(void *arg)
{
	(void)arg;
	lock_pte(40);
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
	pte_repurpose(VP, 40, 9, 3);
}

#if VM_DEBUG >= 1
static void child_transition_not_trimming(void *arg)
{
	(void)arg;
	lock_pte(40);
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
	pte_write_transition(VP, 40, 9);
}

static void child_transition_other_frame(void *arg)
{
	(void)arg;
	lock_pte(40);
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
	set_trimming(40);
	unlock_pfn(9);
	lock_pfn(10);
	pte_write_transition(VP, 40, 10);
}

static void child_valid_twice(void *arg)
{
	(void)arg;
	lock_pte(40);
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
	pte_write_valid(VP, 40, 9);
}

static void child_valid_no_region_lock(void *arg)
{
	(void)arg;
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
}

static void child_valid_no_pfn_lock(void *arg)
{
	(void)arg;
	lock_pte(40);
	pte_write_valid(VP, 40, 9);
}

static void child_cas_not_valid(void *arg)
{
	(void)arg;
	lock_pte(40);
	pte_cas(VP, 40, 0, PTE_ACCESSED);
}

static void child_cas_new_frame(void *arg)
{
	pte_t p;

	(void)arg;
	lock_pte(40);
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
	p = pte_read(VP, 40);
	pte_cas(VP, 40, p, pte_make(PTE_FMT_VALID, 10, PTE_ACCESSED));
}

static void child_cas_unlocked(void *arg)
{
	pte_t p;

	(void)arg;
	lock_pte(40);
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
	unlock_pfn(9);
	unlock_pte(40);
	p = pte_read(VP, 40);
	pte_cas(VP, 40, p, p | PTE_TRIMMING);
}

static void child_inpage_from_dz(void *arg)
{
	(void)arg;
	lock_pte(40);
	pte_write_inpage(VP, 40, 0);
}

static void child_pagefile_twice(void *arg)
{
	(void)arg;
	lock_pte(40);
	pte_write_pagefile(VP, 40, 1);
	pte_write_pagefile(VP, 40, 2);
}

/* Each writer's asserts on the formats it may change from and its locks. */
static void test_debug_asserts(void)
{
	CHECK("assert: transition without TRIMMING", vmtest_child(child_transition_not_trimming, NULL) == SIGABRT);
	CHECK("assert: transition naming another frame", vmtest_child(child_transition_other_frame, NULL) == SIGABRT);
	CHECK("assert: valid over valid", vmtest_child(child_valid_twice, NULL) == SIGABRT);
	CHECK("assert: valid without the region lock", vmtest_child(child_valid_no_region_lock, NULL) == SIGABRT);
	CHECK("assert: valid without the PFN lock", vmtest_child(child_valid_no_pfn_lock, NULL) == SIGABRT);
	CHECK("assert: cas on a non-valid PTE", vmtest_child(child_cas_not_valid, NULL) == SIGABRT);
	CHECK("assert: cas changing the frame", vmtest_child(child_cas_new_frame, NULL) == SIGABRT);
	CHECK("assert: cas without the region lock", vmtest_child(child_cas_unlocked, NULL) == SIGABRT);
	CHECK("assert: in-page from demand zero", vmtest_child(child_inpage_from_dz, NULL) == SIGABRT);
	CHECK("assert: page file over page file", vmtest_child(child_pagefile_twice, NULL) == SIGABRT);
}
#endif

/* The test's child harness must tell a panic from a normal return. */
static void child_ok(void *arg)
{
	(void)arg;
	lock_pte(40);
	lock_pfn(9);
	pte_write_valid(VP, 40, 9);
	set_trimming(40);
	pte_write_transition(VP, 40, 9);
	pte_repurpose(VP, 40, 9, 3);
}

int main(void)
{
	vmtest_watchdog("test_pte", 120);
	if (vmtest_init(&vm, NFRAMES, NPAGES, NSLOTS) != 0)
		return 2;
	test_encode();
	test_readonly();
	test_mark_accessed();
	test_cas();
	test_aging();
	test_repurpose();

	struct pte_arg other = { 50, 10 };
	CHECK("child: a legal sequence returns", vmtest_child(child_ok, NULL) == 0);
	CHECK("repurpose: PTE naming another frame panics",
	    vmtest_child(child_repurpose_other, &other) == SIGABRT);
	CHECK("repurpose: a valid PTE panics", vmtest_child(child_repurpose_valid, NULL) == SIGABRT);
#if VM_DEBUG >= 1
	test_debug_asserts();
	CHECK("locks: none left held", lk_debug_depth() == 0);
#endif
	vm_structs_destroy(&vm);
	return check_done("test_pte");
}
