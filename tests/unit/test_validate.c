/*
 * test_validate.c - unit tests of validate_all(): a hand-built state
 * with a page in every format passes; each of many single corruptions of it
 * fails and is named in the report; the report is capped at ten lines.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vmtest.h"

#define VP (vm.vm_default)	/* the vm's default process: its PTEs */

#define NFRAMES 16
#define NPAGES 64		/* one PTE region */
#define NSLOTS 64

#define VPN_ACTIVE 5
#define VPN_STANDBY 7
#define VPN_MODIFIED 8
#define VPN_PGF 9

static struct vm vm;
static bool built;
static uint32_t f_active, f_standby, f_modified, f_zeroed;
static uint64_t slot_standby, slot_pgf, slot_stash;

/* Take a free frame for vpn and map it (valid PTE).  Caller holds the region
 * lock; returns with the frame's PFN lock held. */
static struct pfn *map_new(uint64_t vpn)
{
	struct pfn *pf = plist_take_head(&vm, PFN_STATE_FREE);

	pf->pf_vpn = vpn;
	pf->pf_proc = VP->ps_id;
	pfn_set_state(&vm, pf, PFN_STATE_FREE, PFN_STATE_ACTIVE);
	pte_write_valid(VP, vpn, vm_pfn_index(&vm, pf));
	wsl_insert(VP, pf);	/* as fault_activate does */
	return pf;
}

/* Trim a mapped page to `to' (standby or modified), as the trimmer does. */
static void trim(struct pfn *pf, enum pfn_state to)
{
	pte_t p = pte_read(VP, pf->pf_vpn);

	pte_cas(VP, pf->pf_vpn, p, p | PTE_TRIMMING);
	pte_write_transition(VP, pf->pf_vpn, vm_pfn_index(&vm, pf));
	wsl_remove(VP, pf);	/* as trim_finish does */
	pfn_set_state(&vm, pf, PFN_STATE_ACTIVE, to);
	plist_insert_tail(&vm, pf);
}

/*
 * From scratch: vpn 5 active, vpn 7 standby with its slot, vpn 8 modified,
 * vpn 9 (read-only) in the page file, one zeroed frame, one stashed slot,
 * the rest free.
 */
static void build(void)
{
	struct pfn *pf;
	lk_t *region;

	if (built)
		vm_structs_destroy(&vm);
	if (vmtest_init(&vm, NFRAMES, NPAGES, NSLOTS) != 0)
		exit(2);
	built = true;
	region = vm_pte_lock(VP, 0);
	lk_acquire(region);

	pf = map_new(VPN_ACTIVE);
	f_active = vm_pfn_index(&vm, pf);
	memset(vm_frame(&vm, f_active), 0x55, VM_PAGE_SIZE);
	lk_release(&pf->pf_lock);

	pf = map_new(VPN_STANDBY);
	f_standby = vm_pfn_index(&vm, pf);
	pgf_slot_alloc(&vm.vm_pgf, 1, &slot_standby);
	pgf_write(&vm.vm_pgf, slot_standby, vm_frame(&vm, f_standby));
	pf->pf_slot = slot_standby;
	pgf_slot_set_owner(&vm.vm_pgf, slot_standby, VPN_STANDBY);
	trim(pf, PFN_STATE_STANDBY);
	lk_release(&pf->pf_lock);

	pf = map_new(VPN_MODIFIED);
	f_modified = vm_pfn_index(&vm, pf);
	trim(pf, PFN_STATE_MODIFIED);
	lk_release(&pf->pf_lock);

	pf = plist_take_head(&vm, PFN_STATE_FREE);
	f_zeroed = vm_pfn_index(&vm, pf);
	memset(vm_frame(&vm, f_zeroed), 0, VM_PAGE_SIZE);
	pfn_set_state(&vm, pf, PFN_STATE_FREE, PFN_STATE_ZEROED);
	plist_insert_tail(&vm, pf);
	lk_release(&pf->pf_lock);

	pgf_slot_alloc(&vm.vm_pgf, 1, &slot_pgf);
	pte_set_readonly(VP, VPN_PGF);
	pte_write_pagefile(VP, VPN_PGF, slot_pgf);
	pgf_slot_set_owner(&vm.vm_pgf, slot_pgf, VPN_PGF);

	pgf_slot_alloc(&vm.vm_pgf, 1, &slot_stash);
	pgf_stash_put(&vm.vm_pgf, &slot_stash, 1);
	lk_release(region);
}

/* Validate into a string; *report gets it (caller frees). */
static long validate(int expensive, char **report)
{
	size_t len;
	FILE *f = open_memstream(report, &len);
	long n;

	if (f == NULL) {
		*report = NULL;
		return validate_all(&vm, NULL, expensive);
	}
	n = validate_all(&vm, f, expensive);
	fclose(f);
	return n;
}

static void test_consistent(void)
{
	char *rep;
	long n;

	build();
	CHECK("state: lists", plist_count(vm_list(&vm, PFN_STATE_FREE)) == NFRAMES - 4 &&
	    plist_count(vm_list(&vm, PFN_STATE_ZEROED)) == 1 &&
	    plist_count(vm_list(&vm, PFN_STATE_STANDBY)) == 1 &&
	    plist_count(vm_list(&vm, PFN_STATE_MODIFIED)) == 1);
	CHECK("state: PTE formats", pte_format(pte_read(VP, VPN_ACTIVE)) == PTE_FMT_VALID &&
	    pte_format(pte_read(VP, VPN_STANDBY)) == PTE_FMT_TRANS &&
	    pte_format(pte_read(VP, VPN_MODIFIED)) == PTE_FMT_TRANS &&
	    pte_read(VP, VPN_PGF) == pte_make(PTE_FMT_PGF, slot_pgf, PTE_F_READONLY));
	CHECK("state: three slots in use, one stashed",
	    pgf_free_count(&vm.vm_pgf) == NSLOTS - 3 && vm.vm_pgf.pg_nstash == 1);
	n = validate(1, &rep);
	CHECK("consistent: validates (expensive)", n == 0);
	CHECK("consistent: empty report", rep != NULL && rep[0] == '\0');
	if (n != 0 && rep != NULL)
		fputs(rep, stderr);
	free(rep);
	CHECK("consistent: validates (cheap)", validate_all(&vm, stderr, 0) == 0);
	CHECK("consistent: validates (no report)", validate_all(&vm, NULL, 1) == 0);
}

/* ---- the corruptions, each applied to a fresh build() ---- */

static uint32_t free_head(void)
{
	return vm_list(&vm, PFN_STATE_FREE)->pl_head;
}

static void c_count(void)
{
	atomic_fetch_add(&vm_list(&vm, PFN_STATE_FREE)->pl_count, 1);
}

static void c_count_low(void)
{
	atomic_fetch_sub(&vm_list(&vm, PFN_STATE_STANDBY)->pl_count, 1);
}

static void c_blink(void)
{
	vm.vm_pfns[vm.vm_pfns[free_head()].pf_flink].pf_blink = PFN_NONE;
}

static void c_loop(void)
{
	struct plist *pl = vm_list(&vm, PFN_STATE_FREE);

	vm.vm_pfns[pl->pl_tail].pf_flink = pl->pl_head;
}

static void c_tail(void)
{
	struct plist *pl = vm_list(&vm, PFN_STATE_FREE);

	pl->pl_tail = vm.vm_pfns[pl->pl_tail].pf_blink;
}

static void c_standby_no_slot(void)
{
	vm.vm_pfns[f_standby].pf_slot = PGF_SLOT_NONE;
	pgf_slot_free(&vm.vm_pgf, slot_standby);	/* only the one problem */
}

static void c_active_pte_other_frame(void)
{
	atomic_store(&VP->ps_ptes[VPN_ACTIVE], pte_make(PTE_FMT_VALID, free_head(), PTE_ACCESSED));
}

static void c_modified_pte_valid(void)
{
	atomic_store(&VP->ps_ptes[VPN_MODIFIED], pte_make(PTE_FMT_VALID, f_modified, 0));
}

static void c_pte_frame_names_other(void)
{
	atomic_store(&VP->ps_ptes[6], pte_make(PTE_FMT_VALID, f_active, PTE_ACCESSED));
}

static void c_trans_pte_frame_names_other(void)
{
	atomic_store(&VP->ps_ptes[10], pte_make(PTE_FMT_TRANS, f_standby, 0));
}

static void c_leaked_slot(void)
{
	uint64_t s;

	pgf_slot_alloc(&vm.vm_pgf, 1, &s);
}

static void c_slot_twice(void)
{
	uint64_t s;

	atomic_store(&VP->ps_ptes[10], pte_make(PTE_FMT_PGF, slot_pgf, 0));
	pgf_slot_alloc(&vm.vm_pgf, 1, &s);		/* keep the free count right */
	atomic_store(&VP->ps_ptes[11], pte_make(PTE_FMT_PGF, s, 0));
}

static void c_slot_frame_and_pte(void)
{
	atomic_store(&VP->ps_ptes[10], pte_make(PTE_FMT_PGF, slot_standby, 0));
}

static void c_slot_stash_and_pte(void)
{
	atomic_store(&VP->ps_ptes[10], pte_make(PTE_FMT_PGF, slot_stash, 0));
}

static void c_slot_freed_but_referenced(void)
{
	pgf_slot_free(&vm.vm_pgf, slot_pgf);
}

static void c_slot_out_of_range(void)
{
	atomic_store(&VP->ps_ptes[10], pte_make(PTE_FMT_PGF, NSLOTS + 5, 0));
}

static void c_stash_out_of_range(void)
{
	vm.vm_pgf.pg_stash[vm.vm_pgf.pg_nstash++] = NSLOTS + 7;
}

static void c_rmap_pte(void)
{
	pgf_slot_set_owner(&vm.vm_pgf, slot_pgf, 3);
}

static void c_rmap_frame(void)
{
	pgf_slot_set_owner(&vm.vm_pgf, slot_standby, PGF_OWNER_NONE);
}

static void c_free_count(void)
{
	atomic_fetch_sub(&vm.vm_pgf.pg_free, 1);
}

static void c_zeroed_not_zero(void)
{
	struct pfn *pf = plist_take_head(&vm, PFN_STATE_FREE);	/* poisoned */

	pfn_set_state(&vm, pf, PFN_STATE_FREE, PFN_STATE_ZEROED);
	plist_insert_tail(&vm, pf);
	lk_release(&pf->pf_lock);
}

static void c_zeroed_last_byte(void)
{
	vm_frame(&vm, f_zeroed)[VM_PAGE_SIZE - 1] = 1;
}

static void c_trimming(void)
{
	pte_t p = pte_read(VP, VPN_ACTIVE);

	lk_acquire(vm_pte_lock(VP, VPN_ACTIVE));
	pte_cas(VP, VPN_ACTIVE, p, p | PTE_TRIMMING);
	lk_release(vm_pte_lock(VP, VPN_ACTIVE));
}

static void c_writing(void)
{
	vm.vm_pfns[f_modified].pf_flags |= PFN_F_WRITING;
}

static void c_inpage(void)
{
	atomic_store(&VP->ps_ptes[11], pte_make(PTE_FMT_INPAGE, 0, 0));
}

static void c_dz_payload(void)
{
	atomic_store(&VP->ps_ptes[12], pte_make(PTE_FMT_DZ, 3, 0));
}

static void c_free_with_owner(void)
{
	vm.vm_pfns[free_head()].pf_vpn = 12;
}

static void c_free_with_slot(void)
{
	uint64_t s;

	pgf_slot_alloc(&vm.vm_pgf, 1, &s);
	vm.vm_pfns[free_head()].pf_slot = s;
}

static void c_off_every_list(void)
{
	struct pfn *pf = plist_take_head(&vm, PFN_STATE_FREE);

	lk_release(&pf->pf_lock);
}

static void c_active_no_owner(void)
{
	vm.vm_pfns[f_active].pf_vpn = NPAGES;
	atomic_store(&VP->ps_ptes[VPN_ACTIVE], 0);
}

static void c_bad_state(void)
{
	vm.vm_pfns[free_head()].pf_state = PFN_NSTATES;
}

/* The active frame unlinked from the working-set list (count kept). */
static void c_wsl_missing(void)
{
	VP->ps_ws_head = VP->ps_ws_tail = PFN_NONE;
}

/* A standby frame claims to be on the working-set list. */
static void c_wsl_standby(void)
{
	atomic_store(&vm.vm_pfns[f_standby].pf_wsproc, VP->ps_id + 1);
}

/* The list names a standby frame instead of the active one. */
static void c_wsl_wrong_frame(void)
{
	vm.vm_pfns[f_standby].pf_wsprev = vm.vm_pfns[f_standby].pf_wsnext = PFN_NONE;
	VP->ps_ws_head = VP->ps_ws_tail = f_standby;
}

/* A broken back link on the list (the head claims a predecessor). */
static void c_wsl_blink(void)
{
	vm.vm_pfns[VP->ps_ws_head].pf_wsprev = f_zeroed;
}

static const struct corruption {
	const char *name;
	void (*apply)(void);
	const char *expect;		/* in the report */
	int cheap_misses;		/* only the expensive checks see it */
} corruptions[] = {
	{ "list count one too high", c_count, "free list: count", 0 },
	{ "list count one too low", c_count_low, "standby list: count", 0 },
	{ "broken blink", c_blink, "blink", 0 },
	{ "list loop", c_loop, "bad link", 0 },
	{ "list tail short", c_tail, "free list: tail", 0 },
	{ "standby frame without a slot", c_standby_no_slot, "standby without a page-file copy", 0 },
	{ "active frame's PTE names another frame", c_active_pte_other_frame, "active, but its owner", 0 },
	{ "modified frame's PTE valid", c_modified_pte_valid, "modified, but its owner (process 0, vpn 8) has a valid PTE", 0 },
	{ "valid PTE names a frame that names another vpn", c_pte_frame_names_other,
	  "vpn 6: valid PTE names frame", 0 },
	{ "transition PTE names a frame that names another vpn", c_trans_pte_frame_names_other,
	  "vpn 10: transition PTE names frame", 0 },
	{ "leaked slot", c_leaked_slot, "leaked", 0 },
	{ "slot in two page-file PTEs", c_slot_twice, "referred to 2 times", 0 },
	{ "slot in a frame and a PTE", c_slot_frame_and_pte, "referred to 2 times", 0 },
	{ "slot in the stash and a PTE", c_slot_stash_and_pte, "referred to 2 times", 0 },
	{ "slot freed while referenced", c_slot_freed_but_referenced, "free but referred to", 0 },
	{ "slot out of range", c_slot_out_of_range, "out of range", 0 },
	{ "stash entry out of range", c_stash_out_of_range, "stash: slot", 0 },
	{ "reverse map names another vpn", c_rmap_pte, "vpn 9: slot 1's reverse map names 0x3", 0 },
	{ "reverse map lost a frame's slot", c_rmap_frame, "reverse map names 0xffffffffffffffff, not process 0 vpn 7", 0 },
	{ "page-file free count", c_free_count, "free count", 0 },
	{ "unzeroed page on the zeroed list", c_zeroed_not_zero, "not zero", 1 },
	{ "zeroed page's last byte", c_zeroed_last_byte, "not zero", 1 },
	{ "TRIMMING while quiescent", c_trimming, "TRIMMING while quiescent", 0 },
	{ "PFN_F_WRITING while quiescent", c_writing, "write in flight", 0 },
	{ "in-page PTE while quiescent", c_inpage, "in-page PTE while quiescent", 0 },
	{ "demand-zero PTE with a payload", c_dz_payload, "demand-zero PTE with payload", 0 },
	{ "free frame with an owner", c_free_with_owner, "with an owner or a slot", 0 },
	{ "free frame with a slot", c_free_with_slot, "with an owner or a slot", 0 },
	{ "free frame on no list", c_off_every_list, "on no list", 0 },
	{ "active frame with no owner", c_active_no_owner, "with no owner", 0 },
	{ "frame in no state", c_bad_state, "bad state", 0 },
	{ "active frame missing from the working-set list", c_wsl_missing,
	  "working-set list of 0 entries (tail -1, last -1), 1 valid PTEs, resident count 1", 0 },
	{ "standby frame marked on the working-set list", c_wsl_standby,
	  "standby, on the working-set list of process 0", 0 },
	{ "working-set list names a standby frame", c_wsl_wrong_frame,
	  "(standby, process 0, vpn 7), is not a valid page of it", 0 },
	{ "working-set list back link", c_wsl_blink, "working-set entry 0, frame", 0 },
};

static void test_corruptions(void)
{
	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		const struct corruption *c = &corruptions[i];
		char name[160], *rep = NULL;
		long n;

		build();
		c->apply();
		n = validate(1, &rep);
		snprintf(name, sizeof(name), "corrupt: %s: found", c->name);
		CHECK(name, n > 0);
		snprintf(name, sizeof(name), "corrupt: %s: report names it", c->name);
		CHECK(name, rep != NULL && strstr(rep, c->expect) != NULL);
		if (rep == NULL || strstr(rep, c->expect) == NULL)
			fprintf(stderr, "  report for '%s':\n%s", c->name, rep ? rep : "(none)\n");
		free(rep);
		snprintf(name, sizeof(name), "corrupt: %s: same count with no report", c->name);
		CHECK(name, validate_all(&vm, NULL, 1) == n);
		snprintf(name, sizeof(name), "corrupt: %s: cheap validate %s", c->name,
		    c->cheap_misses ? "misses it" : "finds it");
		CHECK(name, (validate_all(&vm, NULL, 0) > 0) == !c->cheap_misses);
	}
}

/* More than ten problems: ten lines, then the total. */
static void test_report_cap(void)
{
	char *rep = NULL;
	int lines = 0;
	long n;

	build();
	for (uint32_t i = free_head(); i != PFN_NONE; i = vm.vm_pfns[i].pf_flink)
		vm.vm_pfns[i].pf_flags |= PFN_F_WRITING;
	n = validate(1, &rep);
	CHECK("cap: one problem per free frame", n == NFRAMES - 4);
	for (const char *p = rep; p != NULL && (p = strstr(p, "write in flight")) != NULL; p++)
		lines++;
	CHECK("cap: ten reported", lines == 10);
	CHECK("cap: total given", rep != NULL && strstr(rep, "12 problems in all") != NULL);
	free(rep);
}

int main(void)
{
	vmtest_watchdog("test_validate", 120);
	test_consistent();
	test_corruptions();
	test_report_cap();
	vm_structs_destroy(&vm);
	return check_done("test_validate");
}
